r"""The AdaGrad family: per-coordinate step sizes from the squared gradients, without
Adam's bias-corrected moving averages.

``Adagrad`` divides by the root of their sum, ``RMSprop`` by the root of their moving
average, ``Adadelta`` also multiplies by the root of a moving average of its own past
squared steps (the "units" correction), so that its default ``lr`` is 1.
"""

import numpy as np

from .. import _checks
from ._base import Optimizer, _hyper


class Adagrad(Optimizer):
    r"""AdaGrad, as ``torch.optim.Adagrad``.

    .. math::
        &\textbf{input: } \gamma \text{ (lr)},\ \eta \text{ (lr\_decay)},
            \ \lambda \text{ (weight decay)}, \\
        &\phantom{\textbf{input: }} \tau \text{ (initial accumulator value)},
            \ \epsilon \\
        &s_0 \leftarrow \tau \\
        &\textbf{for } t = 1, 2, \ldots: \\
        &\quad g_t \leftarrow \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        &\quad \tilde\gamma \leftarrow \gamma / (1 + (t - 1)\eta) \\
        &\quad s_t \leftarrow s_{t-1} + g_t^2 \\
        &\quad \theta_t \leftarrow \theta_{t-1}
            - \tilde\gamma\, g_t / (\sqrt{s_t} + \epsilon)

    State: ``t`` and ``state_sum`` (the accumulator :math:`s_t`).

    Where ε sits: torch adds ε *outside* the square root, as here. Some texts
    write :math:`\alpha / \sqrt{G_t + \epsilon}` (inside); the two differ only
    while :math:`s_t` is of the order of ε.

    Arguments (defaults as torch): ``lr=1e-2``, ``lr_decay=0``,
    ``weight_decay=0``, ``initial_accumulator_value=0``, ``eps=1e-10``.
    Departure from torch: ``eps=0`` is allowed, but a step in which a coordinate's
    :math:`\sqrt{s_t} + \epsilon` is 0 (its gradients were all 0, with
    ``initial_accumulator_value=0``) raises ``ValueError`` naming ``eps``; torch
    returns NaN there.
    """

    _state = ("state_sum",)

    def __init__(
        self,
        lr=1e-2,
        lr_decay=0.0,
        weight_decay=0.0,
        initial_accumulator_value=0.0,
        eps=1e-10,
    ):
        self.lr_decay = lr_decay
        self.weight_decay = weight_decay
        self.initial_accumulator_value = initial_accumulator_value
        self.eps = eps
        super().__init__(lr)
        self._check()

    def _hyperparameters(self):
        return {
            "lr": self.lr,
            "lr_decay": self.lr_decay,
            "weight_decay": self.weight_decay,
            "initial_accumulator_value": self.initial_accumulator_value,
            "eps": self.eps,
        }

    def _check(self):
        for name, value in self._hyperparameters().items():
            _hyper(name, value)

    def _update(self, x, g):
        lam = self.weight_decay
        if self.state_sum is None:
            self.state_sum = np.broadcast_to(
                np.asarray(self.initial_accumulator_value, dtype=np.float64), x.shape
            ).copy()
        clr = self.lr / (1 + (self.t - 1) * self.lr_decay)
        if np.any(lam != 0):
            g = g + lam * x
        self.state_sum = self.state_sum + g * g
        return x - clr * g / self._nonzero(np.sqrt(self.state_sum) + self.eps)


class Adadelta(Optimizer):
    r"""ADADELTA (Zeiler, 2012), as ``torch.optim.Adadelta``.

    .. math::
        &\textbf{input: } \gamma \text{ (lr)},\ \rho \text{ (decay)},\ \epsilon,
            \ \lambda \text{ (weight decay)} \\
        &v_0 \leftarrow 0 \text{ (square avg)},
            \ u_0 \leftarrow 0 \text{ (accumulated updates)} \\
        &\textbf{for } t = 1, 2, \ldots: \\
        &\quad g_t \leftarrow \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        &\quad v_t \leftarrow \rho v_{t-1} + (1 - \rho) g_t^2 \\
        &\quad \Delta x_t \leftarrow
            \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t \\
        &\quad u_t \leftarrow \rho u_{t-1} + (1 - \rho) \Delta x_t^2 \\
        &\quad \theta_t \leftarrow \theta_{t-1} - \gamma \Delta x_t

    The step is RMSProp's with the learning rate replaced by the root of a moving
    average of the past squared steps, :math:`\sqrt{u_{t-1} + \epsilon}`: Zeiler's
    argument is that the ratio then has the units of the parameters, and there is no
    learning rate to tune (torch keeps ``lr`` as a multiplier, default 1). Both roots
    hold ε *inside*. At first :math:`u \approx 0`: the first step is
    :math:`\gamma\sqrt{\epsilon / ((1 - \rho) g_1^2 + \epsilon)}\, g_1`, about
    :math:`\gamma\sqrt{\epsilon / (1 - \rho)} = 3.2 \cdot 10^{-3}\gamma` per
    coordinate with the defaults (for :math:`g_1^2 \gg \epsilon`), whatever the size
    of the gradient: ε sets the scale of the first steps, and Adadelta starts slowly.

    State: ``t``, ``square_avg`` (:math:`v_t`) and ``acc_delta`` (:math:`u_t`), named
    as in torch.

    Arguments (defaults and order as torch): ``lr=1.0``, ``rho=0.9``, ``eps=1e-6``,
    ``weight_decay=0``. ``rho`` lies in [0, 1] as in torch (``rho=1`` never updates
    :math:`v` and :math:`u`, which stay 0: the step is then :math:`\gamma g_t`,
    plain SGD). With ``eps=0`` the numerator starts at 0 and stays there, so
    nothing moves; a step in which a coordinate's :math:`\sqrt{v_t + \epsilon}`
    is 0 (its gradients were all 0) raises ``ValueError`` naming ``eps``, where torch
    returns NaN.
    """

    _state = ("square_avg", "acc_delta")

    def __init__(self, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0):
        self.rho = rho
        self.eps = eps
        self.weight_decay = weight_decay
        super().__init__(lr)
        self._check()

    def _hyperparameters(self):
        return {
            "lr": self.lr,
            "rho": self.rho,
            "eps": self.eps,
            "weight_decay": self.weight_decay,
        }

    def _check(self):
        _hyper("lr", self.lr)
        _hyper("rho", self.rho, 0.0, 1.0)
        _hyper("eps", self.eps)
        _hyper("weight_decay", self.weight_decay)

    def _update(self, x, g):
        rho, eps, lam = self.rho, self.eps, self.weight_decay
        if np.any(lam != 0):
            g = g + lam * x
        if self.square_avg is None:
            self.square_avg, self.acc_delta = np.zeros_like(x), np.zeros_like(x)
        self.square_avg = rho * self.square_avg + (1 - rho) * g * g
        rms_g = self._nonzero(np.sqrt(self.square_avg + eps))
        delta = np.sqrt(self.acc_delta + eps) / rms_g * g
        self.acc_delta = rho * self.acc_delta + (1 - rho) * delta * delta
        return x - self.lr * delta


class RMSprop(Optimizer):
    r"""RMSProp, as ``torch.optim.RMSprop``.

    .. math::
        &\textbf{input: } \gamma \text{ (lr)},\ \alpha \text{ (smoothing)},\ \epsilon,
            \ \lambda \text{ (weight decay)}, \\
        &\phantom{\textbf{input: }} \mu \text{ (momentum)},\ \text{centered} \\
        &v_0 \leftarrow 0,\ g^{ave}_0 \leftarrow 0,\ b_0 \leftarrow 0 \\
        &\textbf{for } t = 1, 2, \ldots: \\
        &\quad g_t \leftarrow \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        &\quad v_t \leftarrow \alpha v_{t-1} + (1 - \alpha) g_t^2,
            \qquad \tilde v_t \leftarrow v_t \\
        &\quad \textbf{if centered: }
            g^{ave}_t \leftarrow \alpha g^{ave}_{t-1} + (1 - \alpha) g_t,
            \ \tilde v_t \leftarrow v_t - (g^{ave}_t)^2 \\
        &\quad \textbf{if } \mu > 0:
            b_t \leftarrow \mu b_{t-1} + g_t / (\sqrt{\tilde v_t} + \epsilon),
            \ \theta_t \leftarrow \theta_{t-1} - \gamma b_t \\
        &\quad \textbf{else: }
            \theta_t \leftarrow \theta_{t-1}
            - \gamma g_t / (\sqrt{\tilde v_t} + \epsilon)

    State: ``t``, ``v`` (EMA of :math:`g^2`), ``g_ave`` (EMA of :math:`g`, centered
    only) and ``b`` (momentum buffer, only with momentum). There is no bias
    correction: :math:`v` starts at 0, so the first steps are *larger* than
    :math:`\gamma` (the first is :math:`\gamma/\sqrt{1-\alpha}`, 10γ for α = 0.99).

    Where ε sits: outside the square root, as in torch. Published formulas put it
    both inside and outside.

    Arguments (defaults as torch): ``lr=1e-2``, ``alpha=0.99``, ``eps=1e-8``,
    ``weight_decay=0``, ``momentum=0``, ``centered=False``. ``alpha`` must lie
    in [0, 1): torch only asks ``alpha >= 0``, but ``alpha >= 1`` never updates
    :math:`v` and divides the gradient by ε. Departure from torch: ``eps=0`` is
    allowed, but a step in which a coordinate's :math:`\sqrt{\tilde v_t} + \epsilon`
    is 0 (e.g. all its gradients were 0) raises ``ValueError`` naming ``eps``; torch
    returns NaN or ±∞ there.
    """

    _state = ("v", "g_ave", "b")

    def __init__(
        self,
        lr=1e-2,
        alpha=0.99,
        eps=1e-8,
        weight_decay=0.0,
        momentum=0.0,
        centered=False,
    ):
        self.alpha = alpha
        self.eps = eps
        self.weight_decay = weight_decay
        self.momentum = momentum
        self.centered = centered
        super().__init__(lr)
        self._check()

    def _hyperparameters(self):
        return {
            "lr": self.lr,
            "alpha": self.alpha,
            "eps": self.eps,
            "weight_decay": self.weight_decay,
            "momentum": self.momentum,
        }

    def _check(self):
        _hyper("lr", self.lr)
        _hyper("alpha", self.alpha, 0.0, 1.0, high_open=True)
        _hyper("eps", self.eps)
        _hyper("weight_decay", self.weight_decay)
        _hyper("momentum", self.momentum)
        _checks.flag("centered", self.centered)

    def _update(self, x, g):
        alpha, mu, lam = self.alpha, self.momentum, self.weight_decay
        if np.any(lam != 0):
            g = g + lam * x
        if self.v is None:
            self.v = np.zeros_like(x)
        self.v = alpha * self.v + (1 - alpha) * g * g
        v_tilde = self.v
        if self.centered:
            if self.g_ave is None:
                self.g_ave = np.zeros_like(x)
            self.g_ave = alpha * self.g_ave + (1 - alpha) * g
            v_tilde = self.v - self.g_ave * self.g_ave
        scaled = g / self._nonzero(np.sqrt(v_tilde) + self.eps)
        if np.any(mu > 0):  # with mu = 0 the buffer is just `scaled`, so sweeps may mix
            if self.b is None:
                self.b = np.zeros_like(x)
            self.b = mu * self.b + scaled
            return x - self.lr * self.b
        return x - self.lr * scaled
