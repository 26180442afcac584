r"""The SGD family: plain and momentum SGD, averaged SGD and Rprop (sign steps).

``SGD`` and ``ASGD`` step along the gradient; ``Rprop`` along its sign only, with a
step size of its own for every coordinate.
"""

import numpy as np

from .. import _checks
from ._base import Optimizer, _hyper, _pair


class SGD(Optimizer):
    r"""Stochastic gradient descent with optional (Nesterov) momentum, as
    ``torch.optim.SGD``.

    .. math::
        &\textbf{input: } \gamma \text{ (lr)},\ \mu \text{ (momentum)},
            \ \tau \text{ (dampening)},
            \ \lambda \text{ (weight decay)},\ \text{nesterov} \\
        &\textbf{for } t = 1, 2, \ldots: \\
        &\quad g_t \leftarrow \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        &\quad \textbf{if } \mu \neq 0: \\
        &\qquad b_t \leftarrow g_t \text{ if } t = 1
            \text{ else } \mu b_{t-1} + (1 - \tau) g_t \\
        &\qquad g_t \leftarrow g_t + \mu b_t \text{ if nesterov else } b_t \\
        &\quad \theta_t \leftarrow \theta_{t-1} - \gamma g_t

    State: ``t`` (steps taken) and ``b`` (momentum buffer, ``None`` until the
    first step with momentum). The first buffer is the gradient itself, not
    ``(1 - dampening) * g``, exactly as in torch.

    Conventions: torch (and this class) keep the learning rate *outside* the
    buffer, :math:`b \leftarrow \mu b + g,\ \theta \leftarrow \theta - \gamma b`.
    Other texts write :math:`v \leftarrow \gamma v + \eta g,\ \theta \leftarrow
    \theta - v` and :math:`v \leftarrow \rho v - \eta g,\ \theta \leftarrow \theta + v`
    (learning rate inside). All three give the same path while the learning rate is
    constant and differ once it follows a schedule.

    Arguments (defaults and order as torch): ``lr=1e-3``, ``momentum=0``,
    ``dampening=0``, ``weight_decay=0``, ``nesterov=False``. ``nesterov=True`` needs
    ``momentum > 0`` and ``dampening == 0`` (torch's rule). Unlike torch,
    ``dampening`` is also checked to lie in [0, 1].
    """

    _state = ("b",)

    def __init__(
        self, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False
    ):
        self.momentum = momentum
        self.dampening = dampening
        self.weight_decay = weight_decay
        self.nesterov = nesterov
        super().__init__(lr)
        self._check()

    def _hyperparameters(self):
        return {
            "lr": self.lr,
            "momentum": self.momentum,
            "dampening": self.dampening,
            "weight_decay": self.weight_decay,
        }

    def _check(self):
        _hyper("lr", self.lr)
        _hyper("momentum", self.momentum)
        _hyper("dampening", self.dampening, 0.0, 1.0)
        _hyper("weight_decay", self.weight_decay)
        _checks.flag("nesterov", self.nesterov)
        if self.nesterov and (
            np.any(np.asarray(self.momentum) <= 0)
            or np.any(np.asarray(self.dampening) != 0)
        ):
            raise ValueError(
                "nesterov=True requires momentum > 0 and dampening = 0, got "
                f"momentum={self.momentum!r}, dampening={self.dampening!r}"
            )

    def _update(self, x, g):
        mu, tau, lam = self.momentum, self.dampening, self.weight_decay
        if np.any(lam != 0):
            g = g + lam * x
        if np.any(mu != 0):
            self.b = g.copy() if self.b is None else mu * self.b + (1 - tau) * g
            direction = g + mu * self.b if self.nesterov else self.b
            if np.ndim(mu):  # a sweep may mix runs with and without momentum
                direction = np.where(mu != 0, direction, g)
        else:
            direction = g
        return x - self.lr * direction


class ASGD(Optimizer):
    r"""Averaged stochastic gradient descent (Polyak & Juditsky, 1992), as
    ``torch.optim.ASGD``.

    .. math::
        &\textbf{input: } \gamma_t \text{ (lr)},\ \lambda \text{ (lambd)},
            \ \alpha,\ t_0,\ \omega \text{ (weight decay)} \\
        &\eta_1 \leftarrow \gamma_1,\ \mu_1 \leftarrow 1 \\
        &\textbf{for } t = 1, 2, \ldots: \\
        &\quad g_t \leftarrow \nabla f(\theta_{t-1}) + \omega \theta_{t-1} \\
        &\quad \theta_t \leftarrow (1 - \lambda \eta_t)\, \theta_{t-1}
            - \eta_t g_t \\
        &\quad \bar\theta_t \leftarrow \theta_t \text{ if } \mu_t = 1
            \text{ else } \bar\theta_{t-1} + \mu_t (\theta_t - \bar\theta_{t-1}) \\
        &\quad \eta_{t+1} \leftarrow \gamma_t / (1 + \lambda \gamma_t t)^{\alpha},
            \quad \mu_{t+1} \leftarrow 1 / \max(1, t - t_0)

    torch's documentation gives no algorithm box for ASGD; this one is read from its
    code (``_single_tensor_asgd``). The step returns :math:`\theta_t`, the iterate
    that keeps moving; the average :math:`\bar\theta_t` is the state ``ax``, the
    point to evaluate. For an integer :math:`t_0`, up to step :math:`t_0 + 2` the
    "average" is the iterate itself; from there it is the running mean of
    :math:`\theta_{t_0+2}, \ldots, \theta_t` (:math:`\mu_t = 1/(t - 1 - t_0)`). The
    default ``t0=1e6`` never
    averages within a short run. The step size :math:`\eta_t` decays as
    :math:`t^{-\alpha}` once :math:`\lambda\gamma t \gg 1` (never, with the default
    ``lambd=1e-4``, in a short run), and :math:`\lambda\eta_t` also shrinks the
    parameters at every step.

    A learning rate changed between steps acts one step late, as in torch: step
    :math:`t` uses :math:`\eta_t`, computed at the end of step :math:`t - 1` from the
    rate of that step (the first step uses the rate of the first step).

    State: ``t``, ``ax`` (the average :math:`\bar\theta`), and the per-run numbers
    ``eta`` (the step size of the next step) and ``mu`` (the weight of the next
    iterate in the average).

    Arguments (defaults and order as torch): ``lr=1e-2``, ``lambd=1e-4``,
    ``alpha=0.75``, ``t0=1e6``, ``weight_decay=0``. torch checks only ``lr`` and
    ``weight_decay``; here ``lambd``, ``alpha`` and ``t0`` must also be >= 0.
    """

    _state = ("ax",)
    _scalar_state = ("eta", "mu")

    def __init__(self, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0.0):
        self.lambd = lambd
        self.alpha = alpha
        self.t0 = t0
        self.weight_decay = weight_decay
        super().__init__(lr)
        self._check()

    def _hyperparameters(self):
        return {
            "lr": self.lr,
            "lambd": self.lambd,
            "alpha": self.alpha,
            "t0": self.t0,
            "weight_decay": self.weight_decay,
        }

    def _check(self):
        for name, value in self._hyperparameters().items():
            _hyper(name, value)

    def _update(self, x, g):
        lam, lr, t = self.lambd, self.lr, self.t
        if np.any(self.weight_decay != 0):
            g = g + self.weight_decay * x
        if self.eta is None:  # the first step: the rate of this step, no averaging
            self.eta, self.mu, self.ax = lr, 1.0, np.zeros_like(x)
        x = x * (1 - lam * self.eta) - self.eta * g
        self.ax = np.where(self.mu == 1, x, self.ax + (x - self.ax) * self.mu)
        self.eta = lr / (1 + lam * lr * t) ** self.alpha
        self.mu = 1 / np.maximum(1, t - self.t0)
        return x


class Rprop(Optimizer):
    r"""Resilient backpropagation (Riedmiller & Braun, 1993), as ``torch.optim.Rprop``.

    .. math::
        &\textbf{input: } \gamma \text{ (lr)},
            \ \eta_-, \eta_+ \text{ (etas)},
            \ \Gamma_{min}, \Gamma_{max} \text{ (step\_sizes)} \\
        &g_0 \leftarrow 0,\ \eta_0 \leftarrow \gamma \\
        &\textbf{for } t = 1, 2, \ldots \text{, each coordinate } i: \\
        &\quad g_t \leftarrow \nabla f(\theta_{t-1}) \\
        &\quad \textbf{if } g_{t-1}^i g_t^i > 0:
            \ \eta_t^i \leftarrow \min(\eta_{t-1}^i \eta_+, \Gamma_{max}) \\
        &\quad \textbf{else if } g_{t-1}^i g_t^i < 0:
            \ \eta_t^i \leftarrow \max(\eta_{t-1}^i \eta_-, \Gamma_{min}),
            \ g_t^i \leftarrow 0 \\
        &\quad \textbf{else: } \eta_t^i \leftarrow \eta_{t-1}^i \\
        &\quad \theta_t \leftarrow \theta_{t-1} - \eta_t \operatorname{sign}(g_t),
            \quad g_{t-1} \leftarrow g_t \text{ (stored)}

    Only the sign of the gradient is used: each coordinate's step grows by
    :math:`\eta_+` while its gradient keeps its sign and shrinks by :math:`\eta_-`
    when the sign flips; after a flip that coordinate rests for one step (its stored
    gradient is set to 0). As in torch the step size is clipped to
    :math:`[\Gamma_{min}, \Gamma_{max}]` at every step, the first included, so
    ``lr`` above :math:`\Gamma_{max}` starts at :math:`\Gamma_{max}`.

    ``lr`` is only the initial step size: it is read at the first step and never
    again (as in torch, where a scheduler changing ``lr`` has no effect on Rprop).
    Rprop is meant for full-batch gradients: a mini-batch gradient flips sign by
    noise and shrinks the steps.

    State: ``t``, ``prev`` (the stored gradient, 0 where the sign flipped) and
    ``step_size`` (:math:`\eta_t`, one per coordinate).

    Arguments (defaults and order as torch): ``lr=1e-2``, ``etas=(0.5, 1.2)``,
    ``step_sizes=(1e-6, 50)``. As in torch, :math:`0 < \eta_- < 1 < \eta_+`; here
    also :math:`0 \le \Gamma_{min} \le \Gamma_{max}` (torch does not check the step
    sizes).
    """

    _state = ("prev", "step_size")

    def __init__(self, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50)):
        self.etas = etas
        self.step_sizes = step_sizes
        super().__init__(lr)
        self._check()

    def _hyperparameters(self):
        return {
            "lr": self.lr,
            "etaminus": self.etas[0],
            "etaplus": self.etas[1],
            "step_size_min": self.step_sizes[0],
            "step_size_max": self.step_sizes[1],
        }

    def _check(self):
        _pair("etas", self.etas, "etaminus", "etaplus")
        _pair("step_sizes", self.step_sizes, "step_size_min", "step_size_max")
        _hyper("lr", self.lr)
        _hyper("etas[0]", self.etas[0], 0.0, 1.0, low_open=True, high_open=True)
        _hyper("etas[1]", self.etas[1], 1.0, low_open=True)
        low, high = self.step_sizes
        _hyper("step_sizes[0]", low)
        _hyper("step_sizes[1]", high)
        if np.any(np.asarray(high) < np.asarray(low)):
            raise ValueError(
                "step_sizes must be (step_size_min, step_size_max) with "
                f"step_size_min <= step_size_max, got {self.step_sizes!r}"
            )

    def _update(self, x, g):
        eta_minus, eta_plus = self.etas
        low, high = self.step_sizes
        if self.prev is None:  # lr is read here, at the first step, and never again
            self.prev = np.zeros_like(x)
            self.step_size = np.broadcast_to(
                np.asarray(self.lr, dtype=np.float64), x.shape
            ).copy()
        same = g * self.prev  # > 0: same sign as last time, < 0: it flipped
        factor = np.where(same > 0, eta_plus, np.where(same < 0, eta_minus, 1.0))
        self.step_size = np.clip(self.step_size * factor, low, high)
        g = np.where(same < 0, 0.0, g)  # after a flip: no step, and no flip next time
        self.prev = g
        return x - np.sign(g) * self.step_size
