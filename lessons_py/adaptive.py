r"""Moving averages, bias correction, regret and the size of an adaptive step.

The torch optimizers live in :mod:`lessons_py.optim`; this module holds the pieces the
adaptive-methods chapter reasons with, and two optimizers that torch does not have:

* :class:`MovingAverage` and :func:`ema`: the raw and the bias-corrected exponential
  moving average, :math:`m_t = \beta m_{t-1} + (1-\beta) x_t` with :math:`m_0 = 0`,
  and :math:`\hat m_t = m_t / (1 - \beta^t)`; the one implementation the package uses
  (the range test's smoothing, :func:`lessons_py.lr_finder.smooth`, is this average);
* :func:`correction_factor` and :func:`steps_until_within`: how large
  :math:`1/(1-\beta^t)` is, and from which step on it stays below
  :math:`1 + \text{tol}`;
* :func:`adam_step_bound`: the largest possible :math:`|\Delta\theta_t| / \eta` of one
  Adam coordinate over *all* gradient sequences (with ε = 0);
* :func:`projected_steps`: an optimizer on linear losses over a box, each iterate
  projected back onto the box, with its regret (the setting of Reddi et al., 2018);
* :func:`adagrad_regret_bound`: the data-dependent regret bound of diagonal AdaGrad
  (Duchi, Hazan and Singer, 2011);
* :class:`AdamEpsRoot`: Adam with a second ε *inside* the square root, as optax's
  ``scale_by_adam(eps_root=...)``, to compare the two places ε can sit;
* :class:`Yogi`: Adam with Zaheer et al.'s (2018) additive second-moment update.
"""

from dataclasses import dataclass

import numpy as np

from . import _checks
from .optim import Adam, Optimizer, _hyper
from .optim.adam import _check_betas

__all__ = [
    "AdamEpsRoot",
    "MovingAverage",
    "OnlineRun",
    "Yogi",
    "adagrad_regret_bound",
    "adam_step_bound",
    "correction_factor",
    "ema",
    "projected_steps",
    "steps_until_within",
]


class MovingAverage:
    r"""A bias-corrected exponential moving average, updated one value at a time.

    ``update(x)`` advances the step count :math:`t` and returns
    :math:`\hat m_t = m_t / (1 - \beta^t)`, where
    :math:`m_t = \beta m_{t-1} + (1 - \beta) x_t` and :math:`m_0 = 0`; the raw
    :math:`m_t` is the attribute ``raw``. A constant sequence comes back unchanged from
    the first step on. ``beta`` is a number in [0, 1) or an array of them that
    broadcasts against the values (several averages at once).
    """

    def __init__(self, beta):
        self.beta = np.asarray(
            _checks.in_range("beta", beta, 0.0, 1.0, high_open=True), dtype=np.float64
        )
        self.t, self.raw = 0, 0.0

    def update(self, x):
        """Add the next value; return the bias-corrected average."""
        _checks.real_array("x", x, empty=True)  # a real number or array of them
        self.t += 1
        self.raw = self.beta * self.raw + (1 - self.beta) * x  # Adam's m line
        return self.raw / (1 - self.beta**self.t)


def ema(g, beta):
    r"""Raw and bias-corrected moving averages of ``g[0], g[1], ...`` (t = 1, 2, ...).

    ``raw[t-1]`` is :math:`m_t = \beta m_{t-1} + (1 - \beta) g_t` started from
    :math:`m_0 = 0`, exactly Adam's ``m`` (or ``v`` when ``g`` holds squared
    gradients); ``corrected[t-1]`` is :math:`m_t / (1 - \beta^t)`. Both come from one
    :class:`MovingAverage`.

    ``g`` has shape ``(T, ...)``; ``beta`` is a number or an array that broadcasts
    against one entry ``g[0]``, so ``g`` of shape ``(T,)`` with ``beta`` of shape
    ``(k,)`` gives ``k`` averages at once, of shape ``(T, k)``.
    """
    g = _checks.real_array("g", g, empty=True)
    if g.ndim == 0 or len(g) == 0:
        raise ValueError(
            f"g must be a non-empty sequence of gradients, got shape {g.shape}"
        )
    average = MovingAverage(beta)
    shape = np.broadcast_shapes(average.beta.shape, g.shape[1:])
    raw, corrected = np.empty((len(g), *shape)), np.empty((len(g), *shape))
    for t, g_t in enumerate(g):
        corrected[t] = average.update(g_t)
        raw[t] = average.raw
    return raw, corrected


def correction_factor(beta, t):
    r"""The bias-correction factor :math:`1 / (1 - \beta^t)`.

    ``beta`` in [0, 1) and ``t >= 1``, numbers or arrays that broadcast.
    """
    _checks.in_range("beta", beta, 0.0, 1.0, high_open=True)
    _checks.in_range("t", t, 1.0)
    return 1.0 / (
        1.0 - np.asarray(beta, dtype=np.float64) ** np.asarray(t, dtype=np.float64)
    )


def steps_until_within(beta, tol):
    r"""The first step t at which :math:`1/(1-\beta^t) < 1 + \text{tol}`.

    The factor decreases with t, so it stays below :math:`1 + \text{tol}` from then
    on. Equivalently :math:`\beta^t < \text{tol}/(1 + \text{tol})`: with ``tol = 0.05``
    that is 29 for β = 0.9 and 3043 for β = 0.999.
    """
    beta = _checks.number("beta", beta, 0.0, 1.0, high_open=True)
    # below machine epsilon 1 + tol rounds to 1, which no factor is below
    tol = _checks.number("tol", tol, np.finfo(np.float64).eps)
    if beta == 0.0:
        return 1
    # start just below the root of beta^t = tol / (1 + tol), then count up: in steps
    # that double until the factor is below 1 + tol, then by bisection (a bounded
    # search, also where rounding puts the first such t far from the estimate)
    t = max(1, int(np.floor(np.log(tol / (1 + tol)) / np.log(beta))) - 2)
    step = 1
    while not correction_factor(beta, t) < 1 + tol:
        below, t, step = t, t + step, 2 * step
    if step > 1:  # the first t in (below, t] at which the factor is below 1 + tol
        low = below + 1
        while low < t:
            middle = (low + t) // 2
            if correction_factor(beta, middle) < 1 + tol:
                t = middle
            else:
                low = middle + 1
    return t


def adam_step_bound(beta1, beta2, t):
    r"""The supremum :math:`B_t` of :math:`|\hat m_t| / \sqrt{\hat v_t}` over gradients.

    With ε = 0 this is the largest :math:`|\Delta\theta_t| / \eta` one Adam coordinate
    can take at step t. By Cauchy–Schwarz, with :math:`\gamma = \beta_1^2/\beta_2`,

    .. math::
        B_t = \frac{1 - \beta_1}{1 - \beta_1^t}
              \sqrt{\frac{1 - \beta_2^t}{1 - \beta_2}}
              \sqrt{\textstyle\sum_{j=0}^{t-1} \gamma^j},

    attained by gradients growing by a factor :math:`\beta_2/\beta_1` per step.
    :math:`B_1 = 1`; :math:`B_t = 1` for every t when :math:`\beta_1 = \beta_2`; for
    :math:`\gamma < 1` it increases to
    :math:`(1 - \beta_1)/\sqrt{(1 - \beta_2)(1 - \gamma)}` (pass ``t=np.inf``), about
    7.27 for the defaults (0.9, 0.999). ``t`` may be an array.
    """
    beta1 = _checks.number("beta1", beta1, 0.0, 1.0, high_open=True)
    beta2 = _checks.number("beta2", beta2, 0.0, 1.0, low_open=True, high_open=True)
    t = np.asarray(_checks.in_range("t", t, 1.0, finite=False), dtype=np.float64)
    gamma = beta1**2 / beta2
    if gamma == 1.0:
        s = t
    else:
        with np.errstate(over="ignore"):  # gamma > 1, t = inf: the bound is infinite
            s = (1 - gamma**t) / (1 - gamma)
    return (
        (1 - beta1)
        / (1 - beta1**t)
        * np.sqrt((1 - beta2**t) / (1 - beta2))
        * np.sqrt(s)
    )


@dataclass(repr=False)
class OnlineRun:
    r"""What :func:`projected_steps` did.

    ``x``: the iterates :math:`\theta_1, \ldots, \theta_{T+1}` (shape
    ``(T + 1, ...)``); ``regret[t-1]``: :math:`R_t`, the loss of the iterates over the
    first t rounds minus that of the best fixed point of the box for those rounds;
    ``lr``: the learning rate of every step.
    """

    x: np.ndarray
    regret: np.ndarray
    lr: np.ndarray

    @property
    def average_regret(self):
        r""":math:`R_t / t` for t = 1, ..., T."""
        t = np.arange(1, len(self.regret) + 1)
        return self.regret / t.reshape((-1,) + (1,) * (self.regret.ndim - 1))

    def __repr__(self):
        T = len(self.regret)
        return f"OnlineRun({T} rounds, final average regret {self.average_regret[-1]})"


def projected_steps(optimizer, grads, x1, low, high, lr=None):
    r"""Online steps on linear losses over a box, each iterate projected onto the box.

    Round t = 1, ..., T reveals the loss
    :math:`f_t(\theta) = \langle c_t, \theta\rangle` with :math:`c_t` = ``grads[t-1]``
    (broadcast to the parameters' shape), which is also its gradient; the optimizer
    steps from :math:`\theta_t` and the result is projected back,

    .. math::
        \theta_{t+1} = \Pi_{[\ell, u]}\big(\text{step}(\theta_t, c_t)\big),
        \qquad \Pi_{[\ell, u]}(y) = \min(\max(y, \ell), u).

    This is Reddi et al.'s (2018) Algorithm 1: their projection is taken in the norm of
    the (diagonal) preconditioner, and onto a box that weighted projection is the same
    coordinate-wise clipping for every positive diagonal weighting.

    ``lr``: None keeps ``optimizer.lr``; a number α sets :math:`\eta_t = \alpha/\sqrt t`
    (the step sizes of Kingma and Ba's and of Reddi et al.'s analyses); a function of
    t = 1, 2, ... gives any other schedule. The regret
    :math:`R_t = \sum_{s \le t} f_s(\theta_s) - \min_{\theta \in [\ell, u]}
    \sum_{s \le t} f_s(\theta)` is summed over the last axis of the parameters (a
    leading axis holds independent runs). The optimizer is ``reset()`` first; ``x1`` is
    projected onto the box and not modified. Returns an :class:`OnlineRun`.
    """
    _checks.optimizer("optimizer", optimizer)
    low = _checks.number("low", low, -np.inf)
    high = _checks.number("high", high, low, low_open=True)
    x = np.clip(_checks.real_array("x1", x1, finite=True), low, high)
    if x.ndim == 0:
        raise ValueError("x1 must be an array of parameters, e.g. np.zeros(1)")
    grads = _checks.real_array("grads", grads, finite=True)
    if grads.ndim == 0:
        raise ValueError(f"grads must be a sequence of gradients, got {grads!r}")
    if callable(lr):
        schedule = lr
    elif lr is None:
        schedule = None
    else:
        alpha = _checks.in_range("lr", lr)
        schedule = lambda t: alpha / np.sqrt(t)  # noqa: E731
    optimizer.reset()
    xs, cs, lrs = [x], [], []
    for t, g in enumerate(grads, start=1):
        if schedule is not None:
            optimizer.lr = schedule(t)
        lrs.append(optimizer.lr)
        cs.append(np.broadcast_to(g, x.shape))
        x = np.clip(optimizer.step(x, cs[-1]), low, high)
        xs.append(x)
    xs, cs = np.array(xs), np.array(cs)
    suffered = np.cumsum(np.sum(cs * xs[:-1], axis=-1), axis=0)
    # the best point of a box for linear losses is a corner, coordinate by coordinate
    totals = np.cumsum(cs, axis=0)
    best = np.sum(np.minimum(totals * low, totals * high), axis=-1)
    return OnlineRun(x=xs, regret=suffered - best, lr=np.array(lrs))


def adagrad_regret_bound(grads, iterates, comparator, lr):
    r"""Duchi, Hazan and Singer's (2011) regret bound for diagonal AdaGrad.

    For convex losses :math:`f_t` with (sub)gradients :math:`g_t` at the iterates
    :math:`\theta_t` of diagonal AdaGrad, :math:`\theta_{t+1} = \Pi^{H_t}_X(\theta_t -
    \eta H_t^{-1} g_t)` with :math:`H_t = \delta I + \operatorname{diag}(\lVert
    g_{1:t,i}\rVert_2)` for any :math:`\delta \ge 0` (``torch.optim.Adagrad``, with
    :math:`\delta` = ``eps``, projected onto a convex set X or unconstrained), every
    comparator :math:`\theta^*` in X satisfies (their Theorem 5, composite mirror
    descent without regulariser)

    .. math::
        \sum_{t=1}^T f_t(\theta_t) - f_t(\theta^*) \le
        \frac{1}{2\eta} \max_{t \le T} \lVert \theta^* - \theta_t\rVert_\infty^2
        \sum_{i=1}^d \lVert g_{1:T,i}\rVert_2
        + \eta \sum_{i=1}^d \lVert g_{1:T,i}\rVert_2,

    where :math:`g_{1:T,i} = (g_{1,i}, \ldots, g_{T,i})` is the history of coordinate
    i. ``grads`` and ``iterates`` have shape ``(T, ..., d)`` (the gradient of round t
    at the iterate of round t); ``comparator`` broadcasts against one iterate; leading
    axes after the first are independent runs and ``lr`` (η) may be an array that
    broadcasts against them. Returns the right-hand side.
    """
    grads = _checks.real_array("grads", grads, finite=True)
    iterates = _checks.real_array("iterates", iterates, finite=True)
    _checks.same_shape("iterates", iterates, "grads", grads)
    comparator = _checks.real_array("comparator", comparator, finite=True, empty=True)
    _checks.broadcasts_to("comparator", comparator, iterates.shape[1:])
    if grads.ndim < 2 or len(grads) == 0:
        raise ValueError(f"grads must have shape (T, ..., d), got {grads.shape}")
    lr = np.asarray(_checks.in_range("lr", lr, 0.0, low_open=True), dtype=np.float64)
    gamma = np.sum(np.sqrt(np.sum(grads**2, axis=0)), axis=-1)
    distance = np.max(np.abs(iterates - comparator), axis=(0, -1))
    return distance**2 / (2 * lr) * gamma + lr * gamma


class AdamEpsRoot(Adam):
    r"""Adam with a second ε inside the square root, as optax's ``scale_by_adam``.

    .. math::
        \theta_t \leftarrow \theta_{t-1} - \gamma\,
            \hat m_t / \big(\sqrt{\hat v_t + \epsilon_{root}} + \epsilon\big)

    with :math:`m, v, \hat m, \hat v` exactly as in :class:`lessons_py.optim.Adam`.
    The update *is* Adam's: this class only sets the ``_eps_root`` knob of
    :meth:`lessons_py.optim.Adam._update`, which ``torch.optim.Adam`` does not have and
    ``optim.Adam`` keeps at 0. With ``eps_root=0`` it is therefore Adam, bit for bit;
    ``eps=0, eps_root=ε`` puts ε inside the root only, the convention of Keras' Adagrad
    and RMSprop and of many textbook formulas. No weight decay and no AMSGrad here: the
    class exists to compare ε placements.

    Arguments: ``lr=1e-3``, ``betas=(0.9, 0.999)``, ``eps=1e-8``, ``eps_root=0``
    (optax's defaults).
    """

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, eps_root=0.0):
        self.eps_root = eps_root
        super().__init__(lr=lr, betas=betas, eps=eps)

    @property
    def _eps_root(self):
        return self.eps_root

    def _hyperparameters(self):
        return {**super()._hyperparameters(), "eps_root": self.eps_root}

    def _check(self):
        super()._check()
        _hyper("eps_root", self.eps_root)


class Yogi(Optimizer):
    r"""Yogi (Zaheer, Reddi, Sachan, Kale and Kumar, 2018), as ``torch_optimizer.Yogi``.

    .. math::
        &\textbf{input: } \gamma \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},
            \ \epsilon,\ \tau \text{ (initial accumulator)},
            \ \lambda \text{ (weight decay)} \\
        &m_0 \leftarrow \tau,\ v_0 \leftarrow \tau \\
        &\textbf{for } t = 1, 2, \ldots: \\
        &\quad g_t \leftarrow \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        &\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
        &\quad v_t \leftarrow v_{t-1}
            - (1 - \beta_2)\,\operatorname{sign}(v_{t-1} - g_t^2)\, g_t^2 \\
        &\quad \theta_t \leftarrow \theta_{t-1} - \gamma\,
            \frac{m_t / (1 - \beta_1^t)}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon}

    Adam's second moment moves towards :math:`g_t^2` by the fraction
    :math:`1 - \beta_2` of the gap, :math:`v_t - v_{t-1} = (1 - \beta_2)(g_t^2 -
    v_{t-1})`; Yogi's moves in the same direction by :math:`(1 - \beta_2) g_t^2`,
    whatever the gap. When the gradients become small, :math:`v` (and with it the
    effective learning rate) therefore changes slowly, additively. :math:`v` stays
    positive if :math:`\tau > 0`.

    Reference implementation: ``torch_optimizer.Yogi`` of the pytorch-optimizer
    package (``torch-optimizer`` 0.3.0, whose code cites the TensorFlow Addons
    implementation for its initialisation): same keywords, defaults and operations,
    both moments started at the initial accumulator and bias-corrected as in Adam;
    ``weight_decay`` is an L2 term added to the gradient. Trajectories agree with
    recorded ``torch_optimizer`` runs to 1e-12 (``lessons_py/reference``). optax's
    ``yogi`` computes the same update (``b1``, ``b2``, ``eps=1e-3``,
    ``initial_accumulator_value=1e-6``).

    State: ``t``, ``m`` and ``v``. Arguments (defaults as ``torch_optimizer.Yogi``):
    ``lr=1e-2``, ``betas=(0.9, 0.999)``, ``eps=1e-3``, ``initial_accumulator=1e-6``,
    ``weight_decay=0``. ``eps`` and ``initial_accumulator`` may not both be 0 (a zero
    gradient would then divide 0 by 0).
    """

    _state = ("m", "v")

    def __init__(
        self,
        lr=1e-2,
        betas=(0.9, 0.999),
        eps=1e-3,
        initial_accumulator=1e-6,
        weight_decay=0.0,
    ):
        self.betas = betas
        self.eps = eps
        self.initial_accumulator = initial_accumulator
        self.weight_decay = weight_decay
        super().__init__(lr)
        self._check()

    def _hyperparameters(self):
        beta1, beta2 = self.betas
        return {
            "lr": self.lr,
            "beta1": beta1,
            "beta2": beta2,
            "eps": self.eps,
            "initial_accumulator": self.initial_accumulator,
            "weight_decay": self.weight_decay,
        }

    def _check(self):
        _check_betas(self.betas)
        _hyper("lr", self.lr)
        _hyper("eps", self.eps)
        _hyper("initial_accumulator", self.initial_accumulator)
        _hyper("weight_decay", self.weight_decay)
        zero = (np.asarray(self.eps) == 0) & (np.asarray(self.initial_accumulator) == 0)
        if np.any(zero):
            raise ValueError(
                "eps and initial_accumulator must not both be 0 (a zero gradient would "
                f"divide 0 by 0), got eps={self.eps!r}, "
                f"initial_accumulator={self.initial_accumulator!r}"
            )

    def _update(self, x, g):
        beta1, beta2 = self.betas
        lam, t = self.weight_decay, self.t
        if np.any(lam != 0):
            g = g + lam * x
        if self.m is None:
            start = np.asarray(self.initial_accumulator, dtype=np.float64)
            self.m = np.broadcast_to(start, x.shape).copy()
            self.v = self.m.copy()
        self.m = beta1 * self.m + (1 - beta1) * g
        g2 = g * g
        # Adam would add (1 - β₂)(g² - v): a fraction of the gap, not of g²
        self.v = self.v - (1 - beta2) * np.sign(self.v - g2) * g2
        m_hat = self.m / (1 - beta1**t)
        v_hat = self.v / (1 - beta2**t)
        return x - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
