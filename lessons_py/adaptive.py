r"""Moving averages, bias correction and the size of an adaptive step.

The optimizers themselves live in :mod:`lessons_py.optim`; this module holds the
small pieces the adaptive-methods chapter reasons with:

* :func:`ema`: the raw and the bias-corrected exponential moving average of a
  gradient sequence, :math:`m_t = \beta m_{t-1} + (1-\beta) g_t` with
  :math:`m_0 = 0`, and :math:`\hat m_t = m_t / (1 - \beta^t)`;
* :func:`correction_factor` and :func:`steps_until_within`: how large
  :math:`1/(1-\beta^t)` is, and from which step on it stays below :math:`1 + \text{tol}`;
* :func:`adam_step_bound`: the largest possible :math:`|\Delta\theta_t| / \eta` of
  one Adam coordinate over *all* gradient sequences (with ε = 0);
* :class:`AdamEpsRoot`: Adam with a second ε *inside* the square root, as optax
  writes it, to compare the two places ε can sit.
"""

import numpy as np

from . import _checks
from .optim import Adam

__all__ = [
    "AdamEpsRoot",
    "adam_step_bound",
    "correction_factor",
    "ema",
    "steps_until_within",
]


def ema(g, beta):
    r"""Raw and bias-corrected moving averages of ``g[0], g[1], ...`` (steps t = 1, 2, ...).

    ``raw[t-1]`` is :math:`m_t = \beta m_{t-1} + (1 - \beta) g_t` started from
    :math:`m_0 = 0`, exactly Adam's ``m`` (or ``v`` when ``g`` holds squared
    gradients); ``corrected[t-1]`` is :math:`m_t / (1 - \beta^t)`.

    ``g`` has shape ``(T, ...)``; ``beta`` is a number or an array that
    broadcasts against one entry ``g[0]``, so ``g`` of shape ``(T,)`` with
    ``beta`` of shape ``(k,)`` gives ``k`` averages at once, of shape ``(T, k)``.
    """
    g = np.asarray(g, dtype=np.float64)
    if g.ndim == 0 or len(g) == 0:
        raise ValueError(
            f"g must be a non-empty sequence of gradients, got shape {g.shape}"
        )
    beta = np.asarray(
        _checks.in_range("beta", beta, 0.0, 1.0, high_open=True), dtype=np.float64
    )
    shape = np.broadcast_shapes(beta.shape, g.shape[1:])
    raw = np.empty((len(g),) + shape)
    m = np.zeros(shape)
    for t, g_t in enumerate(g):
        m = beta * m + (1 - beta) * g_t  # the same line as Adam's first moment
        raw[t] = m
    t = np.arange(1, len(g) + 1).reshape((-1,) + (1,) * len(shape))
    return raw, raw / (1 - beta**t)


def correction_factor(beta, t):
    r"""The bias-correction factor :math:`1 / (1 - \beta^t)` (``beta`` in [0, 1), ``t >= 1``)."""
    _checks.in_range("beta", beta, 0.0, 1.0, high_open=True)
    _checks.in_range("t", t, 1.0)
    return 1.0 / (
        1.0 - np.asarray(beta, dtype=np.float64) ** np.asarray(t, dtype=np.float64)
    )


def steps_until_within(beta, tol):
    r"""The first step t at which :math:`1/(1-\beta^t) < 1 + \text{tol}`.

    The factor decreases with t, so it stays below :math:`1 + \text{tol}` from
    then on. Equivalently :math:`\beta^t < \text{tol}/(1 + \text{tol})`: with
    ``tol = 0.05`` that is 29 for β = 0.9 and 3043 for β = 0.999.
    """
    beta = _checks.number("beta", beta, 0.0, 1.0, high_open=True)
    tol = _checks.number("tol", tol, 0.0, low_open=True)
    if beta == 0.0:
        return 1
    t = max(
        1, int(np.floor(np.log(tol / (1 + tol)) / np.log(beta))) - 2
    )  # just below the root
    while not correction_factor(beta, t) < 1 + tol:
        t += 1
    return t


def adam_step_bound(beta1, beta2, t):
    r"""The supremum of :math:`|\hat m_t| / \sqrt{\hat v_t}` over all gradient sequences.

    With ε = 0 this is the largest :math:`|\Delta\theta_t| / \eta` one Adam
    coordinate can take at step t. By Cauchy–Schwarz, with :math:`\gamma = \beta_1^2/\beta_2`,

    .. math::
        B_t = \frac{1 - \beta_1}{1 - \beta_1^t}
              \sqrt{\frac{1 - \beta_2^t}{1 - \beta_2}}
              \sqrt{\textstyle\sum_{j=0}^{t-1} \gamma^j},

    attained by gradients growing by a factor :math:`\beta_2/\beta_1` per step.
    :math:`B_1 = 1`; :math:`B_t = 1` for every t when :math:`\beta_1 = \beta_2`;
    for :math:`\gamma < 1` it increases to
    :math:`(1 - \beta_1)/\sqrt{(1 - \beta_2)(1 - \gamma)}` (pass ``t=np.inf``),
    about 7.27 for the defaults (0.9, 0.999). ``t`` may be an array.
    """
    beta1 = _checks.number("beta1", beta1, 0.0, 1.0, high_open=True)
    beta2 = _checks.number("beta2", beta2, 0.0, 1.0, low_open=True, high_open=True)
    t = np.asarray(_checks.in_range("t", t, 1.0), dtype=np.float64)
    gamma = beta1**2 / beta2
    if gamma == 1.0:
        s = t
    else:
        with np.errstate(over="ignore"):  # gamma > 1 and t = inf: the bound is infinite
            s = (1 - gamma**t) / (1 - gamma)
    return (
        (1 - beta1)
        / (1 - beta1**t)
        * np.sqrt((1 - beta2**t) / (1 - beta2))
        * np.sqrt(s)
    )


class AdamEpsRoot(Adam):
    r"""Adam with a second ε inside the square root: optax's ``scale_by_adam``.

    .. math::
        \theta_t \leftarrow \theta_{t-1} - \gamma\,
            \hat m_t / \big(\sqrt{\hat v_t + \epsilon_{root}} + \epsilon\big)

    with :math:`m, v, \hat m, \hat v` exactly as in :class:`lessons_py.optim.Adam`.
    How it differs from torch: ``torch.optim.Adam`` has no ``eps_root``; with
    ``eps_root=0`` this class *is* :class:`~lessons_py.optim.Adam` (same
    operations, same bits). ``eps=0, eps_root=ε`` puts ε inside the root only,
    the convention of Keras' Adagrad and RMSprop and of the seeds' formulas.
    No weight decay and no AMSGrad here: the class exists to compare ε placements.

    Arguments: ``lr=1e-3``, ``betas=(0.9, 0.999)``, ``eps=1e-8``, ``eps_root=0``
    (optax's defaults).
    """

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, eps_root=0.0):
        self.eps_root = eps_root
        super().__init__(lr=lr, betas=betas, eps=eps)

    def _hyperparameters(self):
        return {**super()._hyperparameters(), "eps_root": self.eps_root}

    def _check(self):
        super()._check()
        _checks.in_range("eps_root", self.eps_root)

    def __repr__(self):
        return (
            f"AdamEpsRoot(lr={self.lr!r}, betas={self.betas!r}, eps={self.eps!r}, "
            f"eps_root={self.eps_root!r})"
        )

    def _update(self, x, g):
        beta1, beta2 = self.betas
        if self.m is None:
            self.m, self.v = np.zeros_like(x), np.zeros_like(x)
        self.m = beta1 * self.m + (1 - beta1) * g
        self.v = beta2 * self.v + (1 - beta2) * g * g
        m_hat = self.m / (1 - beta1**self.t)
        v_hat = self.v / (1 - beta2**self.t)
        return x - self.lr * m_hat / (np.sqrt(v_hat + self.eps_root) + self.eps)
