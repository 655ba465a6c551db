"""When a run may train: paused, stepping N epochs, at a speed (epochs per second), or as fast as it goes.

One pace for every loop that trains (the CLI's, a worker's lone run, a worker's stack). It never blocks and
takes no lock: the loop asks how many epochs it may run now (`allowed`), runs up to that many, and says how
many it ran (`ran`). A run at full speed pays one call per batch of epochs, not one per epoch.
"""

import math

# a speed-limited run that fell behind (its worker was busy) catches up at most this much at once
MAX_LAG_S = 0.25


class Pace:
    def __init__(self, paused: bool = False, speed: float | None = None, now: float = 0.0):
        self.paused = paused
        self.speed = speed  # epochs per second; None: full speed
        self.step_epochs = 0  # while paused: epochs still to train before pausing again
        self.stopped = False
        self.restart(now)

    def restart(self, now: float) -> None:
        """Count the speed's epochs from now (after a change, so that a speed-up is not a burst)."""
        self.since, self.counted = now, 0

    # ---------------------------------------------------------------- what the user asks

    def pause(self) -> None:
        self.paused, self.step_epochs = True, 0

    def resume(self, now: float) -> None:
        self.paused, self.step_epochs = False, 0
        self.restart(now)

    def step(self, epochs: int, now: float) -> None:
        """Train this many more epochs, then pause (a running run pauses first)."""
        self.paused = True
        self.step_epochs += epochs
        self.restart(now)

    def set_speed(self, speed: float | None, now: float) -> None:
        self.speed = speed
        self.restart(now)

    def stop(self) -> None:
        self.stopped = True

    # ---------------------------------------------------------------- what the loop asks

    @property
    def idle(self) -> bool:
        """No epoch may run until the user asks for one (paused, not stepping; or stopped)."""
        return self.stopped or (self.paused and self.step_epochs == 0)

    def due(self) -> float | None:
        """When the next epoch may run (a time on the loop's clock; -inf: now); None while none may."""
        if self.idle:
            return None
        return self.since + self.counted / self.speed if self.speed else -math.inf

    def allowed(self, now: float) -> float:
        """How many epochs may run now: 0 while idle or ahead of the speed; a step's remainder; math.inf at full
        speed. A speed-limited run that fell more than MAX_LAG_S behind goes on from here, without a burst."""
        if self.idle:
            return 0
        limit = self.step_epochs if self.paused else math.inf
        if not self.speed:
            return limit
        if now - (self.since + self.counted / self.speed) > MAX_LAG_S:
            self.since = now - self.counted / self.speed
        return max(0, min(limit, math.floor((now - self.since) * self.speed) - self.counted + 1))

    def ran(self, epochs: int) -> bool:
        """The loop ran this many epochs; True when that finished a step (the run is paused again now)."""
        self.counted += epochs
        if not self.paused or epochs == 0:
            return False
        self.step_epochs -= epochs
        return self.step_epochs == 0
