"""Learning-rate decay: the 2021 optimization notebook's two schedules, on the epoch number.

    inverse     α = α0 / (1 + decay_rate · epoch)                       (the notebook's update_lr)
    scheduled   α = α0 / (1 + decay_rate · ⌊epoch / time_interval⌋)     (its schedule_lr_decay)

The notebook sets the rate after epoch i to decay(α0, i), so its epoch i + 1 trains with decay(α0, i): with
course_compat an epoch trains with the rate of the epoch before it (epoch 0 with α0), as there; otherwise epoch e
trains with decay(α0, e).
"""

from core.config import RunConfig

LR_DECAYS = ("none", "inverse", "scheduled")
MAX_SCHEDULE_POINTS = 1001  # the cost chart's second axis: as many points as a cost curve's first page


def inverse_decay(learning_rate0: float, epoch: int, decay_rate: float) -> float:
    return learning_rate0 / (1 + decay_rate * epoch)


def scheduled_decay(learning_rate0: float, epoch: int, decay_rate: float, time_interval: int = 1000) -> float:
    return learning_rate0 / (1 + decay_rate * (epoch // time_interval))


def learning_rate_at(config: RunConfig, epoch: int) -> float:
    """The learning rate epoch `epoch` (0-based) trains with, under the config's decay."""
    if config.lr_decay == "none":
        return config.learning_rate
    decay_epoch = max(epoch - 1, 0) if config.course_compat else epoch
    if config.lr_decay == "inverse":
        return inverse_decay(config.learning_rate, decay_epoch, config.decay_rate)
    return scheduled_decay(config.learning_rate, decay_epoch, config.decay_rate, config.time_interval)


def learning_rates(config: RunConfig) -> list[tuple[int, float]] | None:
    """[(epoch, α), ...] at the report epochs (at most MAX_SCHEDULE_POINTS, evenly thinned), for the cost chart's
    second axis; None without decay."""
    if config.lr_decay == "none":
        return None
    epochs = range(0, config.epochs, config.report_every)
    stride = -(-len(epochs) // MAX_SCHEDULE_POINTS)
    return [(epoch, learning_rate_at(config, epoch)) for epoch in epochs[::stride]]
