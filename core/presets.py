"""The course's experiments, by name, with the course's hyper-parameters and data: the nine of Improving Deep
Neural Networks week 1 and 2, the two cat / non-cat models of Neural Networks and Deep Learning week 4, and the
initialization experiment on images.

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
IMAGES = {"dataset": "catvnoncat", "seed": 1, "optimizer": "gd", "learning_rate": 0.0075, "epochs": 2500}
INITIALIZATION_ON_IMAGES = {
    "dataset": "shapes", "hidden_layers": [5, 5], "activation": "tanh", "seed": 1, "learning_rate": 0.01,
    "epochs": 1000,
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
    "images-2layer": {**IMAGES, "hidden_layers": [7], "initialization": "random", "init_scale": 0.01},
    "images-deep": {**IMAGES, "hidden_layers": [20, 7, 5], "initialization": "xavier"},
    "images-init-zeros": {**INITIALIZATION_ON_IMAGES, "initialization": "zeros"},
    "images-init-random": {**INITIALIZATION_ON_IMAGES, "initialization": "random", "init_scale": 10},
    "images-init-he": {**INITIALIZATION_ON_IMAGES, "initialization": "he"},
    "images-init-xavier": {**INITIALIZATION_ON_IMAGES, "initialization": "xavier"},
}
PRESETS = {name: {**fields, "course_compat": True} for name, fields in PRESETS.items()}

GROUPS = {
    "initialization": ["init-zeros", "init-random", "init-he"],
    "regularization": ["reg-none", "reg-l2", "reg-dropout"],
    "optimization": ["opt-gd", "opt-momentum", "opt-adam"],
    # on the generated `shapes` by default; the page runs it on whichever image dataset is chosen
    "initialization-on-images": ["images-init-zeros", "images-init-random", "images-init-he", "images-init-xavier"],
}

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
    "images-2layer": "The course's two-layer cat classifier (64×64×3 → 7 → 1): train 100%, test 72%.",
    "images-deep": "The course's L-layer cat classifier (→ 20 → 7 → 5 → 1, Xavier): train 98.6%, test 80%.",
    "images-init-zeros": "Zeros on images: every first-layer unit's weights stay one blank picture.",
    "images-init-random": "Random ×10 on images: tanh saturates, the first layer's pictures are noise that stays.",
    "images-init-he": "He on images (× √(2/n_prev)): the first layer's pictures take shape as it learns.",
    "images-init-xavier": "Xavier on images (× √(1/n_prev)), the right scale for tanh: the pictures take shape.",
}


def preset_config(name: str, overrides: dict | None = None) -> RunConfig:
    """The preset's config, with any fields overridden (validated like any config)."""
    if name not in PRESETS:
        raise KeyError(f"preset: unknown {name!r}, expected one of {', '.join(PRESETS)}")
    return RunConfig.model_validate({**PRESETS[name], **(overrides or {})})
