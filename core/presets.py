"""The course's nine experiments, by name, with the course's hyper-parameters and data.

Each sets course_compat, so that its numbers are the notebook's.
"""

from core.config import RunConfig

INITIALIZATION = {"dataset": "circles", "hidden_layers": [10, 5], "learning_rate": 0.01, "epochs": 15000}
REGULARIZATION = {
    "dataset": "football", "hidden_layers": [20, 3], "initialization": "xavier",
    "learning_rate": 0.3, "epochs": 30000,
}  # fmt: skip
OPTIMIZATION = {
    "dataset": "moons", "hidden_layers": [5, 2], "initialization": "he", "learning_rate": 0.0007,
    "epochs": 10000, "mini_batch_size": 64, "minibatch_cost": "last_batch",
}  # fmt: skip

PRESETS: dict[str, dict] = {
    "init-zeros": {**INITIALIZATION, "initialization": "zeros"},
    "init-random": {**INITIALIZATION, "initialization": "random", "init_scale": 10},
    "init-he": {**INITIALIZATION, "initialization": "he"},
    "reg-none": REGULARIZATION,
    "reg-l2": {**REGULARIZATION, "l2_lambda": 0.7},
    "reg-dropout": {**REGULARIZATION, "keep_prob": 0.86},
    "opt-gd": {**OPTIMIZATION, "optimizer": "gd"},
    "opt-momentum": {**OPTIMIZATION, "optimizer": "momentum", "beta": 0.9},
    "opt-adam": {**OPTIMIZATION, "optimizer": "adam", "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
}
PRESETS = {name: {**fields, "course_compat": True} for name, fields in PRESETS.items()}

GROUPS = {
    "initialization": ["init-zeros", "init-random", "init-he"],
    "regularization": ["reg-none", "reg-l2", "reg-dropout"],
    "optimization": ["opt-gd", "opt-momentum", "opt-adam"],
}

# what the page calls them (the names above are for links and the API)
TITLES = {
    "init-zeros": "Zeros initialization",
    "init-random": "Random initialization (×10)",
    "init-he": "He initialization",
    "reg-none": "No regularization",
    "reg-l2": "L2 regularization",
    "reg-dropout": "Dropout",
    "opt-gd": "Gradient descent",
    "opt-momentum": "Momentum",
    "opt-adam": "Adam",
}
GROUP_TITLES = {"initialization": "Initialization", "regularization": "Regularization", "optimization": "Optimization"}

DESCRIPTIONS = {
    "init-zeros": "All weights zero: every unit in a layer stays the same, the net cannot break symmetry.",
    "init-random": "Large random weights (x10): the sigmoid saturates, the first costs are huge or inf.",
    "init-he": "He initialization (x sqrt(2/n_prev)): the right scale for ReLU; learns the circles.",
    "reg-none": "No regularization on the football data: the boundary overfits the noise.",
    "reg-l2": "L2 regularization, lambda 0.7: smaller weights, a smoother boundary.",
    "reg-dropout": "Inverted dropout, keep_prob 0.86: units cannot co-adapt, less overfitting.",
    "opt-gd": "Mini-batch gradient descent on moons.",
    "opt-momentum": "Mini-batch gradient descent with momentum (beta 0.9).",
    "opt-adam": "Adam: momentum plus per-parameter step sizes; reaches 94%.",
}


def preset_config(name: str, overrides: dict | None = None) -> RunConfig:
    """The preset's config, with any fields overridden (validated like any config)."""
    if name not in PRESETS:
        raise KeyError(f"preset: unknown {name!r}, expected one of {', '.join(PRESETS)}")
    return RunConfig.model_validate({**PRESETS[name], **(overrides or {})})
