r"""torch.optim in NumPy: the same classes, keyword names, defaults and updates.

Every optimizer follows the algorithm printed in the torch.optim documentation,
in float64, for parameters of any shape::

    opt = Adam(lr=1e-3)
    x = opt.step(x, grad)      # the next parameters; x and grad are not modified
    opt.lr = 1e-4              # a plain attribute: schedules change it between steps
    opt.reset()                # forget the state (step count and buffers)

Hyperparameters may be NumPy arrays that broadcast against the parameters, so
one optimizer can run a whole sweep at once: parameters of shape ``(runs, d)``
with ``lr`` of shape ``(runs, 1)`` are ``runs`` independent runs.

Arguments are checked when the optimizer is made and again at every step (a
schedule may have changed ``lr``): a hyperparameter must be a finite real number or
a NumPy array of them in its range (a string, list, complex number, bool or
infinity raises ``ValueError`` naming it; torch accepts some of these and fails
later or runs on), and a switch such as ``nesterov`` must be True or False.

Left out on purpose: torch's ``maximize``, ``foreach``, ``fused``,
``capturable`` and ``differentiable`` switches, which change speed or autograd
plumbing rather than the mathematics.
"""

import numpy as np

from . import _checks

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop"]


def _hyper(name, value, low=0.0, high=np.inf, **kwargs):
    """A hyperparameter: a finite real number or a NumPy array of them, in range."""
    return _checks.in_range(name, value, low, high, sequences=False, **kwargs)


class Optimizer:
    """Shared machinery: argument checks, the step counter and the state.

    Subclasses list their state buffers in ``_state`` and implement
    ``_check()`` (validate hyperparameters) and ``_update(x, g)`` (one step,
    with ``self.t`` already advanced to the number of this step, 1, 2, ...).
    """

    _state = ()

    def __init__(self, lr):
        self.lr = lr
        self.reset()

    def reset(self):
        """Clear the state: step count ``t = 0`` and every buffer set to ``None``."""
        self.t = 0
        for name in self._state:
            setattr(self, name, None)

    def step(self, x, grad):
        """Return the parameters after one update; ``x`` and ``grad`` are left
        untouched."""
        x = _checks.real_array("x", x, empty=True)
        g = _checks.real_array("grad", grad, empty=True)
        _checks.same_shape("grad", g, "the parameters", x)
        self._check()  # hyperparameters may have been changed since the last step
        for name, value in self._hyperparameters().items():
            _checks.broadcasts_to(name, value, x.shape)
        for name in self._state:
            buffer = getattr(self, name)
            if buffer is not None and buffer.shape != x.shape:
                raise ValueError(
                    f"parameters have shape {x.shape} but the optimizer state "
                    f"{name!r} has shape {buffer.shape}; call reset() before "
                    "optimising other parameters"
                )
        self.t += 1
        return self._update(x, g)

    def _hyperparameters(self):
        """Numeric hyperparameters by name (used for checks and ``repr``)."""
        return {"lr": self.lr}

    def _nonzero(self, denominator):
        """``denominator`` (``sqrt(...) + eps``) after checking no entry is 0.

        With ``eps = 0`` a coordinate whose gradients were all 0 has denominator 0,
        and its step would be 0/0 = NaN (torch's result) or ±∞: a ValueError
        naming ``eps`` instead. With a scalar ``eps > 0`` the check costs nothing.
        """
        eps = self.eps
        if not (type(eps) is float and eps > 0) and np.any(denominator == 0):
            raise ValueError(
                f"eps=0 divides by zero at step {self.t}: a coordinate whose "
                "gradients were all 0 has a zero second-moment estimate (torch "
                "would return NaN); use eps > 0"
            )
        return denominator

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._hyperparameters().items())
        return f"{type(self).__name__}({args})"


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

    Arguments (defaults as torch): ``lr=1e-3``, ``momentum=0``, ``dampening=0``,
    ``nesterov=False``, ``weight_decay=0``. ``nesterov=True`` needs
    ``momentum > 0`` and ``dampening == 0`` (torch's rule). Unlike torch,
    ``dampening`` is also checked to lie in [0, 1].
    """

    _state = ("b",)

    def __init__(
        self, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0
    ):
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weight_decay = weight_decay
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


class Adam(Optimizer):
    r"""Adam (with optional AMSGrad), as ``torch.optim.Adam``.

    .. math::
        &\textbf{input: } \gamma \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},
            \ \epsilon,\ \lambda \text{ (weight decay)},\ \text{amsgrad} \\
        &m_0 \leftarrow 0,\ v_0 \leftarrow 0,\ v^{max}_0 \leftarrow 0 \\
        &\textbf{for } t = 1, 2, \ldots: \\
        &\quad g_t \leftarrow \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        &\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
        &\quad v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        &\quad \hat m_t \leftarrow m_t / (1 - \beta_1^t) \\
        &\quad \textbf{if amsgrad: } v^{max}_t \leftarrow \max(v^{max}_{t-1}, v_t),
            \ \hat v_t \leftarrow v^{max}_t / (1 - \beta_2^t) \\
        &\quad \textbf{else: } \hat v_t \leftarrow v_t / (1 - \beta_2^t) \\
        &\quad \theta_t \leftarrow \theta_{t-1}
            - \gamma\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)

    State: ``t``, ``m``, ``v`` and ``v_max`` (AMSGrad only). The step count
    ``t`` advances on every call, so the bias corrections use 1, 2, 3, ...

    Where ε sits: outside the square root of the *bias-corrected* second moment,
    as in torch and in Kingma & Ba (2015). ``weight_decay`` here is an L2 term
    added to the gradient, so it is rescaled by :math:`1/\sqrt{\hat v}` like
    the gradient; for decay that is not, use :class:`AdamW`.

    Arguments (defaults as torch): ``lr=1e-3``, ``betas=(0.9, 0.999)``,
    ``eps=1e-8``, ``weight_decay=0``, ``amsgrad=False``. ``betas`` is a pair
    (a tuple, list or array of two entries). Departure from torch: ``eps=0`` is
    allowed (the step is then exactly :math:`\gamma \hat m_t / \sqrt{\hat v_t}`,
    invariant to the gradient's scale), but a step in which a coordinate's
    :math:`\sqrt{\hat v_t} + \epsilon` is 0 (its gradients were all 0) raises
    ``ValueError`` naming ``eps``; torch returns NaN there.
    """

    _state = ("m", "v", "v_max")
    _decoupled_weight_decay = False
    _eps_root = 0.0  # torch has none; adaptive.AdamEpsRoot sets optax's eps_root

    def __init__(
        self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False
    ):
        self.betas = betas
        self.eps = eps
        self.weight_decay = weight_decay
        self.amsgrad = amsgrad
        super().__init__(lr)
        self._check()

    def _hyperparameters(self):
        beta1, beta2 = self.betas
        return {
            "lr": self.lr,
            "beta1": beta1,
            "beta2": beta2,
            "eps": self.eps,
            "weight_decay": self.weight_decay,
        }

    def _check(self):
        if (
            not isinstance(self.betas, (tuple, list, np.ndarray))
            or len(self.betas) != 2
        ):
            raise ValueError(f"betas must be a pair (beta1, beta2), got {self.betas!r}")
        _hyper("lr", self.lr)
        _hyper("betas[0]", self.betas[0], 0.0, 1.0, high_open=True)
        _hyper("betas[1]", self.betas[1], 0.0, 1.0, high_open=True)
        _hyper("eps", self.eps)
        _hyper("weight_decay", self.weight_decay)
        _checks.flag("amsgrad", self.amsgrad)

    def __repr__(self):
        return (
            f"{type(self).__name__}(lr={self.lr!r}, betas={self.betas!r}, "
            f"eps={self.eps!r}, weight_decay={self.weight_decay!r}, "
            f"amsgrad={self.amsgrad!r})"
        )

    def _update(self, x, g):
        beta1, beta2 = self.betas
        lam, t = self.weight_decay, self.t
        if np.any(lam != 0):
            if self._decoupled_weight_decay:
                x = x * (1 - self.lr * lam)
            else:
                g = g + lam * x
        if self.m is None:
            self.m, self.v = np.zeros_like(x), np.zeros_like(x)
        self.m = beta1 * self.m + (1 - beta1) * g
        self.v = beta2 * self.v + (1 - beta2) * g * g
        v_used = self.v
        if self.amsgrad:
            self.v_max = (
                self.v.copy() if self.v_max is None else np.maximum(self.v_max, self.v)
            )
            v_used = self.v_max
        m_hat = self.m / (1 - beta1**t)
        v_hat = v_used / (1 - beta2**t)
        return x - self.lr * m_hat / self._nonzero(
            np.sqrt(v_hat + self._eps_root) + self.eps
        )


class AdamW(Adam):
    r"""Adam with decoupled weight decay, as ``torch.optim.AdamW``.

    .. math::
        &\textbf{for } t = 1, 2, \ldots: \\
        &\quad \theta_{t-1} \leftarrow \theta_{t-1} - \gamma \lambda \theta_{t-1}
            \qquad \text{(decay first, not rescaled by } 1/\sqrt{\hat v}) \\
        &\quad \text{then the Adam step above with } g_t = \nabla f(\theta_{t-1})
            \text{ (no L2 term)}

    The decay is multiplied by the learning rate γ, so a schedule on ``lr``
    schedules the decay too. Loshchilov & Hutter (2019) write the decay with
    its own multiplier :math:`\eta_t \lambda`; the form often quoted,
    :math:`\theta - \alpha(\hat m/(\sqrt{\hat v}+\epsilon) + \lambda\theta)`, is
    torch's form, with the decay applied to the parameters before the step.

    With ``weight_decay=0`` AdamW is exactly Adam. Arguments (defaults as
    torch): ``lr=1e-3``, ``betas=(0.9, 0.999)``, ``eps=1e-8``,
    ``weight_decay=1e-2``, ``amsgrad=False``.
    """

    _decoupled_weight_decay = True

    def __init__(
        self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False
    ):
        super().__init__(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad
        )
