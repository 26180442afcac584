r"""The Adam family: bias-corrected moving averages of the gradient and of its size.

``Adam`` (and ``AdamW``, its decoupled weight decay) divides the first moment by the
root of the second; ``Adamax`` by a decaying maximum of :math:`|g|` instead;
``NAdam`` adds Nesterov's look-ahead to the first moment; ``RAdam`` switches the
division off while the second moment rests on too few gradients.
"""

import numpy as np

from .. import _checks
from ._base import Optimizer, _hyper, _pair


def _adam_hyperparameters(opt):
    """The numeric hyperparameters the Adam family shares, by name."""
    beta1, beta2 = opt.betas
    return {
        "lr": opt.lr,
        "beta1": beta1,
        "beta2": beta2,
        "eps": opt.eps,
        "weight_decay": opt.weight_decay,
    }


def _check_betas(betas):
    """``betas``: a pair (beta1, beta2), each in [0, 1), as torch checks them."""
    _pair("betas", betas, "beta1", "beta2")
    _hyper("betas[0]", betas[0], 0.0, 1.0, high_open=True)
    _hyper("betas[1]", betas[1], 0.0, 1.0, high_open=True)


def _check_adam(opt):
    """torch's checks of ``lr``, ``betas``, ``eps`` and ``weight_decay``."""
    _check_betas(opt.betas)
    _hyper("lr", opt.lr)
    _hyper("eps", opt.eps)
    _hyper("weight_decay", opt.weight_decay)


class Adam(Optimizer):
    r"""Adam (with optional AMSGrad), as ``torch.optim.Adam``.

    .. math::
        &\textbf{input: } \gamma \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},
            \ \epsilon,\ \lambda \text{ (weight decay)},\ \text{amsgrad} \\
        &m_0 \leftarrow 0,\ v_0 \leftarrow 0,\ v^{max}_0 \leftarrow 0 \\
        &\textbf{for } t = 1, 2, \ldots: \\
        &\quad g_t \leftarrow \nabla f(\theta_{t-1}) \\
        &\quad \textbf{if decoupled: }
            \theta_{t-1} \leftarrow (1 - \gamma\lambda)\, \theta_{t-1}
            \ \textbf{else: } g_t \leftarrow g_t + \lambda \theta_{t-1} \\
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
    as in torch and in Kingma & Ba (2015). ``weight_decay`` is by default an L2 term
    added to the gradient, so it is rescaled by :math:`1/\sqrt{\hat v}` like
    the gradient; ``decoupled_weight_decay=True`` shrinks the parameters instead,
    by :math:`1 - \gamma\lambda` before the step, and is :class:`AdamW`.

    Arguments (defaults and order as torch): ``lr=1e-3``, ``betas=(0.9, 0.999)``,
    ``eps=1e-8``, ``weight_decay=0``, ``amsgrad=False`` and, keyword-only as in
    torch, ``decoupled_weight_decay=False``. ``betas`` is a pair
    (a tuple, list or array of two entries). Departure from torch: ``eps=0`` is
    allowed (the step is then exactly :math:`\gamma \hat m_t / \sqrt{\hat v_t}`,
    invariant to the gradient's scale), but a step in which a coordinate's
    :math:`\sqrt{\hat v_t} + \epsilon` is 0 (its gradients were all 0) raises
    ``ValueError`` naming ``eps``; torch returns NaN there.
    """

    _state = ("m", "v", "v_max")
    _eps_root = 0.0  # torch has none; adaptive.AdamEpsRoot sets optax's eps_root

    def __init__(
        self,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0.0,
        amsgrad=False,
        *,
        decoupled_weight_decay=False,
    ):
        self.betas = betas
        self.eps = eps
        self.weight_decay = weight_decay
        self.amsgrad = amsgrad
        self.decoupled_weight_decay = decoupled_weight_decay
        super().__init__(lr)
        self._check()

    def _hyperparameters(self):
        return _adam_hyperparameters(self)

    def _check(self):
        _check_adam(self)
        _checks.flag("amsgrad", self.amsgrad)
        _checks.flag("decoupled_weight_decay", self.decoupled_weight_decay)

    def _update(self, x, g):
        beta1, beta2 = self.betas
        lam, t = self.weight_decay, self.t
        if np.any(lam != 0):
            if self.decoupled_weight_decay:
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

    With ``weight_decay=0`` AdamW is exactly Adam, and for any ``weight_decay`` it is
    ``Adam(decoupled_weight_decay=True)``, as in torch. Arguments (defaults and order
    as torch): ``lr=1e-3``, ``betas=(0.9, 0.999)``, ``eps=1e-8``,
    ``weight_decay=1e-2``, ``amsgrad=False``.
    """

    def __init__(
        self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False
    ):
        super().__init__(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            decoupled_weight_decay=True,
        )


class Adamax(Optimizer):
    r"""Adamax, the infinity-norm variant of Adam (Kingma & Ba, 2015), as
    ``torch.optim.Adamax``.

    .. math::
        &\textbf{input: } \gamma \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},
            \ \epsilon,\ \lambda \text{ (weight decay)} \\
        &m_0 \leftarrow 0,\ u_0 \leftarrow 0 \text{ (infinity norm)} \\
        &\textbf{for } t = 1, 2, \ldots: \\
        &\quad g_t \leftarrow \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        &\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
        &\quad u_t \leftarrow \max(\beta_2 u_{t-1}, |g_t| + \epsilon) \\
        &\quad \theta_t \leftarrow \theta_{t-1}
            - \frac{\gamma}{1 - \beta_1^t}\, \frac{m_t}{u_t}

    Adam's :math:`\sqrt{v_t}` is an :math:`L^2` average of past :math:`|g|`; the
    :math:`L^p` average as :math:`p \to \infty` is the decaying maximum
    :math:`u_t`, which needs no bias correction: it is as large as the largest
    recent :math:`|g|` from the first step on. A single large gradient :math:`G`
    therefore shrinks the steps that follow until :math:`\beta_2^k G` has decayed to
    the size of the current gradients, for :math:`k \approx \ln(G/|g|) / \ln(1 /
    \beta_2)` steps. ε sits *inside* the maximum, added to :math:`|g_t|`, as in
    torch. With ``betas[1] = 0`` the maximum is just :math:`|g_t| + \epsilon`, and
    Adamax is Adam with ``betas[1] = 0`` (whose :math:`\sqrt{\hat v_t}` is
    :math:`|g_t|`).

    State: ``t``, ``m`` and ``u`` (torch's ``exp_avg`` and ``exp_inf``).

    Arguments (defaults and order as torch): ``lr=2e-3``, ``betas=(0.9, 0.999)``,
    ``eps=1e-8``, ``weight_decay=0``. Departure from torch: ``eps=0`` is allowed,
    but a step in which a coordinate's :math:`u_t` is 0 (its gradients were all 0)
    raises ``ValueError`` naming ``eps``; torch returns NaN there.
    """

    _state = ("m", "u")

    def __init__(self, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        self.betas = betas
        self.eps = eps
        self.weight_decay = weight_decay
        super().__init__(lr)
        self._check()

    def _hyperparameters(self):
        return _adam_hyperparameters(self)

    def _check(self):
        _check_adam(self)

    def _update(self, x, g):
        beta1, beta2 = self.betas
        lam, t = self.weight_decay, self.t
        if np.any(lam != 0):
            g = g + lam * x
        if self.m is None:
            self.m, self.u = np.zeros_like(x), np.zeros_like(x)
        self.m = beta1 * self.m + (1 - beta1) * g
        self.u = np.maximum(beta2 * self.u, np.abs(g) + self.eps)
        lr_t = self.lr / (1 - beta1**t)  # the bias correction of m, on the rate
        return x - lr_t * self.m / self._nonzero(self.u, "infinity norm")


class NAdam(Optimizer):
    r"""Adam with Nesterov momentum (Dozat, 2016), as ``torch.optim.NAdam``.

    .. math::
        &\textbf{input: } \gamma \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},
            \ \epsilon,\ \lambda \text{ (weight decay)},
            \ \psi \text{ (momentum decay)} \\
        &m_0 \leftarrow 0,\ v_0 \leftarrow 0 \\
        &\textbf{for } t = 1, 2, \ldots: \\
        &\quad g_t \leftarrow \nabla f(\theta_{t-1}) \\
        &\quad \textbf{if decoupled: }
            \theta_{t-1} \leftarrow (1 - \gamma\lambda)\, \theta_{t-1}
            \ \textbf{else: } g_t \leftarrow g_t + \lambda \theta_{t-1} \\
        &\quad \mu_t \leftarrow \beta_1 \big(1 - \tfrac12\, 0.96^{t\psi}\big),
            \quad \mu_{t+1} \leftarrow
            \beta_1 \big(1 - \tfrac12\, 0.96^{(t+1)\psi}\big) \\
        &\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
        &\quad v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        &\quad \hat m_t \leftarrow
            \frac{\mu_{t+1} m_t}{1 - \prod_{i=1}^{t+1} \mu_i}
            + \frac{(1 - \mu_t)\, g_t}{1 - \prod_{i=1}^{t} \mu_i} \\
        &\quad \hat v_t \leftarrow v_t / (1 - \beta_2^t) \\
        &\quad \theta_t \leftarrow \theta_{t-1}
            - \gamma\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)

    Nesterov's idea in Adam: the first moment is taken one step ahead, a
    :math:`\mu_{t+1}` share of the next average plus a :math:`1 - \mu_t` share of the
    current gradient. The momentum :math:`\mu_t` itself warms up, from
    :math:`\beta_1/2` towards :math:`\beta_1` at the rate ``momentum_decay``
    (:math:`\mu_t = \beta_1 (1 - \tfrac12 \cdot 0.96^{t\psi})`, Dozat's schedule:
    halfway there after :math:`\ln 2 / (\psi \ln(1/0.96)) \approx 4200` steps with
    the default :math:`\psi = 0.004`). With ``momentum_decay=0`` the momentum stays
    :math:`\beta_1/2`; as ``momentum_decay`` grows it approaches :math:`\beta_1` from
    the first step. With ``betas[0] = 0`` the first moment is the gradient and NAdam
    is Adam with ``betas[0] = 0``.

    State: ``t``, ``m``, ``v`` and the per-run number ``mu_product``
    (:math:`\prod_{i \le t} \mu_i`, torch's ``mu_product``), kept because
    :math:`\beta_1` may change between steps (a momentum schedule).

    Arguments (defaults and order as torch): ``lr=2e-3``, ``betas=(0.9, 0.999)``,
    ``eps=1e-8``, ``weight_decay=0``, ``momentum_decay=4e-3``,
    ``decoupled_weight_decay=False`` (True: AdamW's decay, "NAdamW"). Departure
    from torch: ``eps=0`` is allowed, but a step in which a coordinate's
    :math:`\sqrt{\hat v_t} + \epsilon` is 0 (its gradients were all 0) raises
    ``ValueError`` naming ``eps``; torch returns NaN there.
    """

    _state = ("m", "v")
    _scalar_state = ("mu_product",)

    def __init__(
        self,
        lr=2e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0.0,
        momentum_decay=4e-3,
        decoupled_weight_decay=False,
    ):
        self.betas = betas
        self.eps = eps
        self.weight_decay = weight_decay
        self.momentum_decay = momentum_decay
        self.decoupled_weight_decay = decoupled_weight_decay
        super().__init__(lr)
        self._check()

    def _hyperparameters(self):
        return {**_adam_hyperparameters(self), "momentum_decay": self.momentum_decay}

    def _check(self):
        _check_adam(self)
        _hyper("momentum_decay", self.momentum_decay)
        _checks.flag("decoupled_weight_decay", self.decoupled_weight_decay)

    def _update(self, x, g):
        beta1, beta2 = self.betas
        lam, t, psi = self.weight_decay, self.t, self.momentum_decay
        if np.any(lam != 0):
            if self.decoupled_weight_decay:
                x = x * (1 - self.lr * lam)
            else:
                g = g + lam * x
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        self.mu_product = mu if self.mu_product is None else self.mu_product * mu
        if self.m is None:
            self.m, self.v = np.zeros_like(x), np.zeros_like(x)
        self.m = beta1 * self.m + (1 - beta1) * g
        self.v = beta2 * self.v + (1 - beta2) * g * g
        m_hat = mu_next * self.m / (1 - self.mu_product * mu_next) + (1 - mu) * g / (
            1 - self.mu_product
        )
        v_hat = self.v / (1 - beta2**t)
        return x - self.lr * m_hat / self._nonzero(np.sqrt(v_hat) + self.eps)


class RAdam(Optimizer):
    r"""Rectified Adam (Liu et al., 2020), as ``torch.optim.RAdam``.

    .. math::
        &\textbf{input: } \gamma \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},
            \ \epsilon,\ \lambda \text{ (weight decay)} \\
        &m_0 \leftarrow 0,\ v_0 \leftarrow 0,
            \ \rho_\infty \leftarrow 2/(1 - \beta_2) - 1 \\
        &\textbf{for } t = 1, 2, \ldots: \\
        &\quad g_t \leftarrow \nabla f(\theta_{t-1}) \\
        &\quad \textbf{if decoupled: }
            \theta_{t-1} \leftarrow (1 - \gamma\lambda)\, \theta_{t-1}
            \ \textbf{else: } g_t \leftarrow g_t + \lambda \theta_{t-1} \\
        &\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t,
            \quad \hat m_t \leftarrow m_t / (1 - \beta_1^t) \\
        &\quad v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        &\quad \rho_t \leftarrow \rho_\infty
            - 2 t \beta_2^t / (1 - \beta_2^t) \\
        &\quad \textbf{if } \rho_t > 5: \\
        &\qquad l_t \leftarrow \sqrt{1 - \beta_2^t} / (\sqrt{v_t} + \epsilon),
            \quad r_t \leftarrow \sqrt{\frac{(\rho_t - 4)(\rho_t - 2)\rho_\infty}
            {(\rho_\infty - 4)(\rho_\infty - 2)\rho_t}} \\
        &\qquad \theta_t \leftarrow \theta_{t-1} - \gamma\, \hat m_t r_t l_t \\
        &\quad \textbf{else: }
            \theta_t \leftarrow \theta_{t-1} - \gamma\, \hat m_t

    :math:`\rho_t` is the length of the simple moving average that the exponential
    one :math:`v_t` is worth after :math:`t` steps; the variance of
    :math:`1/\sqrt{\hat v_t}` is finite only for :math:`\rho_t > 4`, and torch (like
    the paper) waits until :math:`\rho_t > 5`. Until then the step is
    :math:`\gamma \hat m_t`, SGD with momentum: as :class:`SGD` with
    ``momentum`` :math:`\beta_1` and the rate :math:`\gamma (1 - \beta_1) / (1 -
    \beta_1^t)`. With the default :math:`\beta_2 = 0.999` that is the first 5 steps;
    with :math:`\beta_2 \le 2/3` (:math:`\rho_\infty \le 5`) it is every step. After
    that it is Adam's step times :math:`r_t`, which rises towards 1, with ε outside
    the root of the *uncorrected* :math:`v_t` (so ε acts like
    :math:`\epsilon/\sqrt{1 - \beta_2^t}` in Adam's form).

    State: ``t``, ``m`` and ``v``.

    Arguments (defaults and order as torch): ``lr=1e-3``, ``betas=(0.9, 0.999)``,
    ``eps=1e-8``, ``weight_decay=0``, ``decoupled_weight_decay=False`` (True:
    AdamW's decay, "RAdamW", closer to the authors' code). Departure from torch:
    ``eps=0`` is allowed, but a rectified step in which a coordinate's
    :math:`\sqrt{v_t} + \epsilon` is 0 (its gradients were all 0) raises
    ``ValueError`` naming ``eps``; torch returns NaN there.
    """

    _state = ("m", "v")

    def __init__(
        self,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0.0,
        decoupled_weight_decay=False,
    ):
        self.betas = betas
        self.eps = eps
        self.weight_decay = weight_decay
        self.decoupled_weight_decay = decoupled_weight_decay
        super().__init__(lr)
        self._check()

    def _hyperparameters(self):
        return _adam_hyperparameters(self)

    def _check(self):
        _check_adam(self)
        _checks.flag("decoupled_weight_decay", self.decoupled_weight_decay)

    def _update(self, x, g):
        beta1, beta2 = self.betas
        lam, t = self.weight_decay, self.t
        if np.any(lam != 0):
            if self.decoupled_weight_decay:
                x = x * (1 - self.lr * lam)
            else:
                g = g + lam * x
        if self.m is None:
            self.m, self.v = np.zeros_like(x), np.zeros_like(x)
        self.m = beta1 * self.m + (1 - beta1) * g
        self.v = beta2 * self.v + (1 - beta2) * g * g
        m_hat = self.m / (1 - beta1**t)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
        rectify = rho_t > 5
        if not np.any(rectify):
            return x - self.lr * m_hat  # SGD with momentum
        with np.errstate(divide="ignore", invalid="ignore"):  # runs with rho_t <= 5
            r = np.sqrt(
                (rho_t - 4)
                * (rho_t - 2)
                * rho_inf
                / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            )
        denominator = np.where(rectify, np.sqrt(self.v) + self.eps, 1.0)
        l = np.sqrt(1 - beta2**t) / self._nonzero(denominator)
        return x - self.lr * m_hat * np.where(rectify, r * l, 1.0)
