"""Export a run as code: a standalone NumPy script that trains the same network to the same numbers.

`standalone_script(config, dataset)` writes a script for that one config, in the course's style (W1, b1,
Z1, A1, dW1 ...), with the data embedded as exact literals, or, when it is too large for that (images: 12,288
features × 209 examples), read from an .npz the script names (`core.data.compact_arrays`). It is put together
from small templates, one per technique, and it follows core's order of operations — the bias folded into a row
of ones, dZ_L = (A_L - Y)·(1/m), Adam's scalar-folded bias correction — so that it prints TrainLab's final cost
to the last digits on the same NumPy.
"""

import textwrap

import numpy as np

from core.config import RunConfig
from core.data import Dataset

INLINE_VALUES = 50_000  # numbers of data written into a script as literals (a 2-D dataset's are at most 20,000)

ACTIVATION_NAMES = {"relu": "ReLU", "tanh": "tanh"}
INITIALIZATION_NAMES = {
    "zeros": "zeros",
    "random": "random normal × {scale!r}",
    "he": "He (normal × √(2/n_prev))",
    "xavier": "Xavier (normal / √n_prev)",
}

HELPERS = '''
def with_ones(A):
    """[A; 1]: A with a row of ones under it, so that [W | b]·[A; 1] = W·A + b in one product."""
    return np.vstack([A, np.ones((1, A.shape[1]))])


def weights_and_bias(dWb):
    """[dW | db] → dW, db."""
    return dWb[:, :-1], dWb[:, -1:]
'''

WEIGHTS = {
    "random": "np.random.randn(layer_dims[l], layer_dims[l - 1]) * {scale!r}",
    "he": "np.random.randn(layer_dims[l], layer_dims[l - 1]) * np.sqrt(2 / layer_dims[l - 1])",
    "xavier": "np.random.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(layer_dims[l - 1])",
    "zeros": "np.zeros((layer_dims[l], layer_dims[l - 1]))",
}

INITIALIZE = '''
def initialize_parameters():
    """W1, b1, W2, b2 ...: {what}; biases zero."""
{seed}    parameters = {{}}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = {weights}
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters
'''
SEED = "    np.random.seed({seed})  # one stream, drawn in layer order: W1, then W2 ...\n"

ACTIVATE = {
    "relu": "    A{l} = np.maximum(Z{l}, 0)  # ReLU",
    "tanh": "    A{l} = np.tanh(Z{l})",
}
MASK = {
    True: "    D{l} = np.random.rand(A{l}.shape[0], A{l}.shape[1]) < keep_prob  # keep a unit with chance keep_prob",
    False: "    D{l} = rng.random(A{l}.shape) < keep_prob  # keep a unit with chance keep_prob",
}
FIXED_MASKS = "    np.random.seed(1)  # the course reseeds on every forward pass: the same masks in every epoch\n"
DROP = "    A{l} = A{l} * D{l} / keep_prob  # inverted dropout: what is kept is scaled up by 1/keep_prob"
SLOPE = {
    "relu": "    dZ{l} = dA{l} * (A{l} > 0)  # ReLU'(Z{l}) is 1 where the unit fired, 0 elsewhere",
    "tanh": "    dZ{l} = dA{l} * (1 - np.tanh(Z{l}) ** 2)  # tanh'(Z{l}) = 1 - tanh²(Z{l})",
}

UPDATE = {
    "gd": '''
def update_parameters(parameters, grads):
    """One step of gradient descent: θ ← θ - α·dθ."""
    for name in parameters:
        parameters[name] = parameters[name] - learning_rate * grads["d" + name]
''',
    "momentum": '''
def update_parameters_with_momentum(parameters, grads, v):
    """v ← β·v + (1-β)·dθ;  θ ← θ - α·v"""
    for name in parameters:
        v[name] = beta * v[name] + (1 - beta) * grads["d" + name]
        parameters[name] = parameters[name] - learning_rate * v[name]
''',
    "adam": '''
def update_parameters_with_adam(parameters, grads, v, s, t):
    """v ← β1·v + (1-β1)·dθ;  s ← β2·s + (1-β2)·dθ²;  θ ← θ - α·v̂/(√ŝ + ε), with v̂ = v/c1, ŝ = s/c2, c = 1 - β^t.

    v̂/(√ŝ + ε) = (√c2/c1)·v/(√s + ε√c2): the two bias corrections become scalars."""
    c1, sqrt_c2 = 1 - beta1**t, np.sqrt(1 - beta2**t)
    step_size = learning_rate * sqrt_c2 / c1
    for name in parameters:
        g = grads["d" + name]
        v[name] = beta1 * v[name] + (1 - beta1) * g
        s[name] = beta2 * s[name] + (1 - beta2) * g**2
        parameters[name] = parameters[name] - v[name] / (np.sqrt(s[name]) + epsilon * sqrt_c2) * step_size
''',
}
STATE = {
    "gd": "",
    "momentum": "    v = {name: np.zeros_like(p) for name, p in parameters.items()}  # velocity\n",
    "adam": "    v = {name: np.zeros_like(p) for name, p in parameters.items()}  # first moment\n"
    "    s = {name: np.zeros_like(p) for name, p in parameters.items()}  # second moment\n"
    "    t = 0  # Adam steps taken\n",
}
STEP = {
    "gd": "update_parameters(parameters, grads)",
    "momentum": "update_parameters_with_momentum(parameters, grads, v)",
    "adam": "update_parameters_with_adam(parameters, grads, v, s, t)",
}

DECAY = {
    "inverse": '''
def learning_rate_at(epoch):
    """The 2021 optimization notebook's update_lr: α0 / (1 + decay_rate · epoch)."""
    return learning_rate0 / (1 + decay_rate * epoch)
''',
    "scheduled": '''
def learning_rate_at(epoch):
    """The 2021 optimization notebook's schedule_lr_decay: α0 / (1 + decay_rate · ⌊epoch / time_interval⌋)."""
    return learning_rate0 / (1 + decay_rate * (epoch // time_interval))
''',
}
# the notebook sets the rate after epoch i to decay(α0, i): its epoch i + 1 trains with it (core/schedule.py)
DECAYED = {
    True: "        learning_rate = learning_rate_at(max(epoch - 1, 0))  # the notebook's: the previous epoch's rate",
    False: "        learning_rate = learning_rate_at(epoch)  # this epoch's rate",
}

SHUFFLE = {
    True: "        shuffle_seed = shuffle_seed + 1  # the course's: 11, 12, ... one per epoch\n"
    "        np.random.seed(shuffle_seed)\n"
    "        permutation = np.random.permutation(m)\n",
    False: "        permutation = rng.permutation(m)\n",
}
MINI_BATCHES = """\
        shuffled_X, shuffled_Y = X[:, permutation], Y[:, permutation]
        for k in range(0, m, mini_batch_size):  # full batches, then the remainder
            X_batch = shuffled_X[:, k : k + mini_batch_size]
            Y_batch = shuffled_Y[:, k : k + mini_batch_size]
"""


class Script:
    """What the script has to do for one config; each method writes one piece of it."""

    def __init__(self, config: RunConfig, dataset: Dataset, data_file: str):
        self.config, self.dataset, self.data_file = config, dataset, data_file
        self.inline = dataset.X_train.size + (0 if dataset.X_test is None else dataset.X_test.size) <= INLINE_VALUES
        self.sizes = [dataset.X_train.shape[0], *config.hidden_layers, 1]
        self.L = len(self.sizes) - 1
        self.hidden = range(1, self.L)
        m = dataset.X_train.shape[1]
        self.mini_batch = min(config.mini_batch_size or m, m) < m  # a "batch" of all m is plain batch training
        self.dropout = config.keep_prob < 1 and self.L > 1
        self.fixed_masks = self.dropout and config.course_compat
        # fresh randomness from the seed's Generator, for what the course would reseed instead
        self.rng = not config.course_compat and (self.dropout or self.mini_batch)
        self.decay = config.lr_decay != "none"

    def source(self) -> str:
        pieces = [
            self.header(),
            "import numpy as np\n\n" + self.hyperparameters(),
            HELPERS.strip(),
            self.initialize(),
            self.forward("forward_propagation", dropout=False),
            self.forward("forward_propagation_with_dropout", dropout=True) if self.dropout else "",
            self.cost(),
            self.backward(),
            UPDATE[self.config.optimizer].strip(),
            DECAY[self.config.lr_decay].strip() if self.decay else "",
            self.model(),
            self.accuracy(),
            self.data(),
            self.main(),
        ]
        return "\n\n\n".join(piece for piece in pieces if piece) + "\n"

    def header(self) -> str:
        c, d = self.config, self.dataset
        training = [f"{c.epochs} epochs of {self.optimizer_text()}"]
        training.append(f"mini-batches of {c.mini_batch_size}" if self.mini_batch else "full batch")
        if c.l2_lambda:
            training.append(f"L2 regularization λ = {c.l2_lambda!r}")
        if self.dropout:
            masks = "the course's fixed masks" if self.fixed_masks else "fresh masks every step"
            training.append(f"inverted dropout, keep_prob {c.keep_prob!r} ({masks})")
        initialization = INITIALIZATION_NAMES[c.initialization].format(scale=c.init_scale)
        seed = "" if c.initialization == "zeros" else f", seed {c.seed}"
        lines = [
            "TrainLab run, exported as a standalone script: NumPy alone reproduces it.",
            "",
            f"Data: {d.name}, {self.examples()}: {d.note}."
            + ("" if self.inline else f" Read from {self.data_file}, the run's data file: see DATA_FILE below."),
            f"Network: layers {self.sizes}, {ACTIVATION_NAMES[c.activation]} hidden layers, a sigmoid output,"
            " the cross-entropy cost.",
            f"Initialization: {initialization}{seed}.",
            f"Training: {', '.join(training)}.",
            "",
            "It prints the final cost (the final weights on the whole training set"
            + (", without dropout" if self.dropout else "")
            + (", with the L2 term" if c.l2_lambda else "")
            + ") and the accuracies, as TrainLab reports them. The arithmetic follows TrainLab's order of"
            " operations, so with the same NumPy the numbers agree to the last digits.",
        ]
        return '"""' + "\n".join(textwrap.fill(line, 110) for line in lines) + '\n"""'

    def optimizer_text(self) -> str:
        c = self.config
        return {
            "gd": f"gradient descent (learning rate {c.learning_rate!r})",
            "momentum": f"momentum (learning rate {c.learning_rate!r}, β {c.beta!r})",
            "adam": f"Adam (learning rate {c.learning_rate!r}, β1 {c.beta1!r}, β2 {c.beta2!r}, ε {c.epsilon!r})",
        }[c.optimizer]

    def examples(self) -> str:
        d = self.dataset
        test = "no test set" if d.X_test is None else f"{d.X_test.shape[1]} test examples"
        return f"{d.X_train.shape[1]} training examples, {test}"

    def hyperparameters(self) -> str:
        c = self.config
        lines = [
            f"layer_dims = {self.sizes}  # inputs, hidden layers, output",
            f"learning_rate = {c.learning_rate!r}",
            f"num_epochs = {c.epochs}",
        ]
        if self.decay:
            lines += ["learning_rate0 = learning_rate  # decayed epoch by epoch (learning_rate_at)",
                      f"decay_rate = {c.decay_rate!r}"]  # fmt: skip
            lines += [f"time_interval = {c.time_interval}"] if c.lr_decay == "scheduled" else []
        if self.mini_batch:
            lines.append(f"mini_batch_size = {c.mini_batch_size}")
        lines += {
            "gd": [],
            "momentum": [f"beta = {c.beta!r}"],
            "adam": [f"beta1 = {c.beta1!r}", f"beta2 = {c.beta2!r}", f"epsilon = {c.epsilon!r}"],
        }[c.optimizer]
        if c.l2_lambda:
            lines.append(f"lambd = {c.l2_lambda!r}  # L2 strength λ")
        if self.dropout:
            lines.append(f"keep_prob = {c.keep_prob!r}  # dropout: the chance that a hidden unit is kept")
        if self.rng:
            lines.append(f"rng = np.random.default_rng({c.seed})  # " + self.rng_text())
        return "\n".join(lines)

    def rng_text(self) -> str:
        uses = [use for use, on in (("shuffles", self.mini_batch), ("dropout masks", self.dropout)) if on]
        return " and ".join(uses) + " come from here, in the order they are needed"

    def initialize(self) -> str:
        c = self.config
        weights = WEIGHTS[c.initialization].format(scale=c.init_scale)
        what = INITIALIZATION_NAMES[c.initialization].format(scale=c.init_scale)
        seed = "" if c.initialization == "zeros" else SEED.format(seed=c.seed)
        return INITIALIZE.format(what=what, seed=seed, weights=weights).strip()

    def forward(self, name: str, dropout: bool) -> str:
        """The forward pass; it returns backprop's cache only if training uses it."""
        L, trains = self.L, dropout or not self.dropout
        use = {
            (False, True): "), and the cache backprop reads",
            (False, False): ") without dropout: for the cost and predictions",
            (True, True): ") with dropout, and the cache backprop reads",
        }[dropout, trains]
        lines = [f"def {name}(X, parameters):", f'    """A{L} for the examples X (one per column{use}."""']
        lines += [f'    W{l}, b{l} = parameters["W{l}"], parameters["b{l}"]' for l in range(1, L + 1)]
        if dropout and self.fixed_masks:
            lines.append(FIXED_MASKS.rstrip())
        for l in range(1, L + 1):
            lines.append(f"    Z{l} = np.dot(np.hstack([W{l}, b{l}]), with_ones({prev(l)}))")
            if l == L:
                lines.append(f"    A{L} = 1 / (1 + np.exp(-Z{L}))  # sigmoid")
                break
            lines.append(ACTIVATE[self.config.activation].format(l=l))
            if dropout:
                lines += [MASK[self.fixed_masks].format(l=l), DROP.format(l=l)]
        lines.append(f"    return A{L}, ({tuple_of(self.cached(dropout))})" if trains else f"    return A{L}")
        return "\n".join(lines)

    def cached(self, dropout: bool) -> list[str]:
        """The values backprop reads, layer by layer."""
        names = []
        for l in self.hidden:
            names += [f"Z{l}"] if self.config.activation == "tanh" else []
            names += [f"A{l}", f"D{l}"] if dropout else [f"A{l}"]
        return [*names, f"A{self.L}"]

    def cost(self) -> str:
        l2 = " + λ/(2m) Σ_l ||W_l||²" if self.config.l2_lambda else ""
        lines = [
            "def compute_cost(AL, Y, parameters):",
            f'    """J = -1/m Σ [y log a + (1-y) log(1-a)]{l2}"""',
            "    m = Y.shape[1]",
            "    cross_entropy = np.sum(-np.log(np.where(Y > 0.5, AL, 1 - AL)))  # log a where y = 1, else log(1-a)",
        ]
        if not self.config.l2_lambda:
            return "\n".join([*lines, "    return float(1.0 / m * cross_entropy)"])
        return "\n".join(
            [
                *lines,
                '    squares = sum(np.sum(np.square(parameters["W" + str(l)])) for l in range(1, len(layer_dims)))',
                "    return float(1.0 / m * cross_entropy + 1.0 / m * lambd / 2 * squares)",
            ]
        )

    def backward(self) -> str:
        L, l2 = self.L, bool(self.config.l2_lambda)
        lines = [
            "def backward_propagation(X, Y, cache, parameters):",
            '    """dJ/dW and dJ/db of every layer, from the output back to the input."""',
            "    m = X.shape[1]",
            f"    ({tuple_of(self.cached(self.dropout))}) = cache",
        ]
        lines += [f'    W{l} = parameters["W{l}"]' for l in range(1 if l2 else 2, L + 1)]
        lines.append(f"    dZ{L} = (A{L} - Y) * (1.0 / m)  # sigmoid + cross-entropy: dJ/dZ{L} = (A{L} - Y)/m")
        for l in range(L, 0, -1):
            lines.append(f"    dW{l}, db{l} = weights_and_bias(np.dot(dZ{l}, with_ones({prev(l)}).T))")
            if l == 1:
                break
            lines.append(f"    dA{l - 1} = np.dot(W{l}.T, dZ{l})")
            if self.dropout:
                lines.append(f"    dA{l - 1} = dA{l - 1} * D{l - 1} / keep_prob  # the same units off, the same scale")
            lines.append(SLOPE[self.config.activation].format(l=l - 1))
        if l2:
            lines += [f"    dW{l} = dW{l} + lambd / m * W{l}  # L2's pull towards 0" for l in range(1, L + 1)]
        grads = ", ".join(f'"dW{l}": dW{l}, "db{l}": db{l}' for l in range(1, L + 1))
        lines.append(f"    return {{{grads}}}")
        return "\n".join(lines)

    def model(self) -> str:
        c = self.config
        forward = "forward_propagation_with_dropout" if self.dropout else "forward_propagation"
        step = [
            f"_, cache = {forward}(X, parameters)",
            "grads = backward_propagation(X, Y, cache, parameters)",
            *(["t = t + 1"] if c.optimizer == "adam" else []),
            STEP[c.optimizer],
        ]
        lines = [
            "def model(X, Y):",
            '    """Train for num_epochs epochs on (X, Y); returns the learned parameters."""',
            *(["    global learning_rate  # the update functions read it"] if self.decay else []),
            "    parameters = initialize_parameters()",
            STATE[c.optimizer].rstrip(),
        ]
        epochs = ["    for epoch in range(num_epochs):", DECAYED[c.course_compat]] if self.decay else []
        if not self.mini_batch:
            lines += epochs or ["    for _ in range(num_epochs):"]
            lines += ["        " + s for s in step]
        else:
            batch_step = [s.replace("X, ", "X_batch, ").replace("Y, ", "Y_batch, ") for s in step]
            lines += [
                "    m = X.shape[1]",
                *(["    shuffle_seed = 10"] if c.course_compat else []),
                *(epochs or ["    for _ in range(num_epochs):"]),
                SHUFFLE[c.course_compat].rstrip(),
                MINI_BATCHES.rstrip(),
                *("            " + s for s in batch_step),
            ]
        lines.append("    return parameters")
        return "\n".join(line for line in lines if line)

    def predicted(self) -> str:
        """What a forward pass without dropout is assigned to."""
        return f"A{self.L}" if self.dropout else f"A{self.L}, _"

    def accuracy(self) -> str:
        return (
            "def accuracy(X, Y, parameters):\n"
            '    """The share of examples where the prediction (a > 0.5) is the label."""\n'
            f"    {self.predicted()} = forward_propagation(X, parameters)\n"
            f"    return float(np.mean((A{self.L} > 0.5) == (Y > 0.5)))"
        )

    def data(self) -> str:
        d = self.dataset
        if not self.inline:
            return self.data_from_file()
        lines = [
            "# The data, exactly (one column per example; labels 0./1.)",
            f"X_train = {array_literal(d.X_train)}",
            f"Y_train = {array_literal(d.Y_train)}",
        ]
        if d.X_test is not None:
            lines += [f"X_test = {array_literal(d.X_test)}", f"Y_test = {array_literal(d.Y_test)}"]
        return "\n".join(lines)

    def data_from_file(self) -> str:
        d = self.dataset
        keys = ["X_train", "Y_train", *(["X_test", "Y_test"] if d.X_test is not None else [])]
        lines = [
            f"# The data, exactly, from the run's data file ({d.n_features} features per example: too many to write",
            "# out here). One column per example, labels 0./1.; pixels kept as uint8 are / 255, as they were loaded.",
            f'DATA_FILE = "{self.data_file}"  # beside this script, or give its path here',
            "with np.load(DATA_FILE) as data:",
        ]
        for key in keys:
            lines.append(f'    {key} = data["{key}"] / 255.0 if data["{key}"].dtype == np.uint8 else data["{key}"]')
        return "\n".join(lines)

    def main(self) -> str:
        lines = [
            "parameters = model(X_train, Y_train)",
            f"{self.predicted()} = forward_propagation(X_train, parameters)",
            f'print("final cost:", compute_cost(A{self.L}, Y_train, parameters))',
            'print("train accuracy:", accuracy(X_train, Y_train, parameters))',
        ]
        if self.dataset.X_test is not None:
            lines.append('print("test accuracy:", accuracy(X_test, Y_test, parameters))')
        return "\n".join(lines)


def prev(l: int) -> str:
    """The name of layer l's input."""
    return "X" if l == 1 else f"A{l - 1}"


def tuple_of(names: list[str]) -> str:
    """The inside of a tuple display: "A1, A2", or "A1," for one name."""
    return ", ".join(names) + ("," if len(names) == 1 else "")


def array_literal(A: np.ndarray, width: int = 110) -> str:
    """np.array([[...], ...]) with every float in repr, which round-trips exactly."""
    rows = [textwrap.fill(", ".join(repr(float(v)) for v in row), width, subsequent_indent="     ") for row in A]
    return "np.array([\n" + "".join(f"    [{row}],\n" for row in rows) + "])"


def standalone_script(config: RunConfig, dataset: Dataset, data_file: str = "data.npz") -> str:
    """A complete Python script, NumPy only, that trains `config` on `dataset` and prints the final cost (as
    `Result.final_cost` defines it) and the train/test accuracies. TrainLab stops a run that diverges;
    the script always runs all epochs, so only a run that did not diverge has the same numbers. Data of more
    than INLINE_VALUES numbers is read from `data_file` (np.savez of `core.data.compact_arrays`)."""
    return Script(config, dataset, data_file).source()
