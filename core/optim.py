"""Update rules on the flat parameter vector θ: gradient descent, momentum, Adam.

Each works on the whole net at once (one vector, a handful of in-place calls), in the course's order
of operations so that its numbers come out the same.
"""

import numpy as np

OPTIMIZERS = ("gd", "momentum", "adam")


class GradientDescent:
    """θ ← θ - α·dθ"""

    def __init__(self, size: int, learning_rate: float):
        self.learning_rate = learning_rate
        self.step_ = np.empty(size)

    def update(self, theta: np.ndarray, grad: np.ndarray) -> None:
        np.multiply(grad, self.learning_rate, out=self.step_)
        theta -= self.step_


class Momentum(GradientDescent):
    """v ← βv + (1-β)dθ;  θ ← θ - αv"""

    def __init__(self, size: int, learning_rate: float, beta: float = 0.9):
        super().__init__(size, learning_rate)
        self.beta = beta
        self.v = np.zeros(size)

    def update(self, theta: np.ndarray, grad: np.ndarray) -> None:
        self.v *= self.beta
        np.multiply(grad, 1 - self.beta, out=self.step_)
        self.v += self.step_
        super().update(theta, self.v)


class Adam(GradientDescent):
    """v ← β1·v + (1-β1)dθ;  s ← β2·s + (1-β2)dθ²;  θ ← θ - α·v̂ / (√ŝ + ε), with v̂, ŝ bias-corrected by
    1 - β^t, t counting updates from 1."""

    def __init__(
        self, size: int, learning_rate: float, beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8
    ):
        super().__init__(size, learning_rate)
        self.beta1, self.beta2, self.epsilon = beta1, beta2, epsilon
        self.v = np.zeros(size)
        self.s = np.zeros(size)
        self.t = 0
        self.denominator = np.empty(size)

    def update(self, theta: np.ndarray, grad: np.ndarray) -> None:
        self.t += 1
        step, denominator = self.step_, self.denominator
        self.v *= self.beta1
        np.multiply(grad, 1 - self.beta1, out=step)
        self.v += step
        self.s *= self.beta2
        np.square(grad, out=step)
        step *= 1 - self.beta2
        self.s += step
        # v̂/(√ŝ + ε) = (√c2/c1)·v / (√s + ε√c2) with c = 1 - β^t: the corrections become two scalars
        c1, sqrt_c2 = 1 - self.beta1**self.t, np.sqrt(1 - self.beta2**self.t)
        np.sqrt(self.s, out=denominator)
        denominator += self.epsilon * sqrt_c2
        np.divide(self.v, denominator, out=step)
        step *= self.learning_rate * sqrt_c2 / c1
        theta -= step


def make_optimizer(
    name: str,
    size: int,
    learning_rate: float,
    beta: float = 0.9,
    beta1: float = 0.9,
    beta2: float = 0.999,
    epsilon: float = 1e-8,
) -> GradientDescent:
    if name == "gd":
        return GradientDescent(size, learning_rate)
    if name == "momentum":
        return Momentum(size, learning_rate, beta)
    if name == "adam":
        return Adam(size, learning_rate, beta1, beta2, epsilon)
    raise ValueError(f"optimizer: unknown {name!r}, expected one of {OPTIMIZERS}")
