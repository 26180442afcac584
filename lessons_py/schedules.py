r"""Learning-rate schedules as closed-form functions of the step count.

Every constructor returns a :class:`Schedule`: a function of the step count
``t`` that gives the learning rate for step ``t`` (``t = 0`` is the first step)
and keeps no state::

    schedule = cosine_annealing(lr=0.1, T_max=100)
    schedule(0)                 # 0.1, a Python float
    schedule(np.arange(101))    # an array of the same shape as t
    schedule                    # cosine_annealing(lr=0.1, T_max=100, eta_min=0.0)
    run(opt, objective, x0, 100, schedule=schedule)   # lessons_py.loop.run calls schedule(t)

``t`` must be a non-negative integer (a Python or NumPy integer) or an integer
array (lists and ranges of integers are accepted too); floats, booleans and
negative counts raise ``ValueError``.

Torch twins: where a schedule names a ``torch.optim.lr_scheduler`` class,
``schedule(t)`` equals ``scheduler.get_last_lr()[0]`` after ``t`` calls of
``scheduler.step()`` for an optimizer created with learning rate ``lr``.
torch updates most of these *recursively* (the new rate is the old one times a
factor), so its rounding errors pile up with the step count while a closed form
rounds afresh at every step. On the values recorded from torch 2.13
(``tests/reference/record_torch_schedules.py``, up to 1000 steps) the two agree
to :math:`4\times10^{-15}` relative, and the tests hold them to
:math:`10^{-12}`. Over very long runs the drift grows roughly linearly: after
:math:`10^5` steps it is :math:`3\times10^{-14}` for ``ExponentialLR`` and
``CosineAnnealingLR`` and :math:`5\times10^{-13}` for ``LinearLR``; a
:math:`10^6`-step ``LinearLR`` warmup ends :math:`1.9\times10^{-12}` away.

Hyperparameters are single numbers, checked when the schedule is built: a bad
one raises ``ValueError`` naming the argument and the allowed range.
"""

import numpy as np

from . import _checks

__all__ = [
    "Schedule",
    "constant",
    "cosine_annealing",
    "cosine_restarts",
    "exponential_decay",
    "linear_warmup",
    "one_cycle",
    "step_decay",
    "warmup_cosine",
    "warmup_stable_decay",
]


class Schedule:
    """A learning-rate schedule: ``schedule(t)`` is the learning rate of step ``t``.

    ``__name__`` is the constructor's name and ``params`` its arguments, so
    ``repr(schedule)`` reads like the call that built it. The formula is a pure
    function of ``t``: calling a schedule twice with the same ``t`` gives the
    same value, in any order.
    """

    def __init__(self, name, params, formula):
        self.__name__ = self.__qualname__ = name
        self.params = dict(params)
        self._formula = formula

    def __call__(self, t):
        steps, scalar = _steps(t)
        lr = np.broadcast_to(
            np.asarray(self._formula(steps), dtype=np.float64), steps.shape
        )
        return float(lr) if scalar else lr.copy()

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.__name__}({args})"


# --------------------------------------------------------------------------- checks


def _steps(t):
    """``t`` as an int64 array and whether it was a scalar; ValueError unless integers >= 0."""
    if isinstance(t, (bool, np.bool_)):
        raise ValueError(f"t must be an integer >= 0 or an integer array, got {t!r}")
    if isinstance(t, (int, np.integer)):
        return np.asarray(_checks.integer("t", t, 0), dtype=np.int64), True
    arr = np.asarray(t)
    if arr.dtype.kind not in "iu":
        raise ValueError(
            f"t must be an integer >= 0 or an integer array, got {t!r}"
            if arr.ndim == 0
            else f"t must be an integer >= 0 or an integer array, got an array of dtype {arr.dtype}"
        )
    if arr.size and arr.min() < 0:
        raise ValueError(f"t must be an integer >= 0, got {_checks._describe(arr)}")
    return arr.astype(np.int64), False


def _lr(value, name="lr"):
    return _checks.number(name, value, 0.0, np.inf, high_open=True)


def _gamma(value):
    return _checks.number("gamma", value, 0.0, 1.0, low_open=True)


def _cosine(start, end, t, period):
    r""":math:`\text{end} + \frac12(\text{start} - \text{end})(1 + \cos(\pi t / \text{period}))`,
    in the order torch evaluates it."""
    return end + (start - end) * (1 + np.cos(np.pi * t / period)) / 2


# --------------------------------------------------------------------------- schedules


def constant(lr):
    r"""The same learning rate at every step: :math:`\eta_t = \eta`.

    ``lr`` must lie in [0, ∞).
    """
    lr = _lr(lr)
    return Schedule("constant", {"lr": lr}, lambda t: np.full(t.shape, lr))


def step_decay(lr, step_size, gamma=0.1):
    r"""Multiply the learning rate by ``gamma`` every ``step_size`` steps, as ``torch.optim.lr_scheduler.StepLR``.

    .. math::
        \eta_t = \eta_0\, \gamma^{\lfloor t / s \rfloor}
        \qquad (s = \texttt{step\_size})

    So steps :math:`0, \ldots, s - 1` use :math:`\eta_0`, steps :math:`s, \ldots, 2s - 1`
    use :math:`\gamma\eta_0`, and so on.

    Arguments: ``lr`` in [0, ∞), ``step_size`` an integer >= 1, ``gamma`` in
    (0, 1]. torch accepts any ``gamma``; here a schedule *decays*, so
    ``gamma > 1`` (growth) and ``gamma <= 0`` (sign flips, zero) are refused.
    torch multiplies the current rate by γ at each boundary; the power here
    agrees with that product to a few rounding errors per boundary.
    """
    lr = _lr(lr)
    step_size = _checks.integer("step_size", step_size, 1)
    gamma = _gamma(gamma)
    return Schedule(
        "step_decay",
        {"lr": lr, "step_size": step_size, "gamma": gamma},
        lambda t: lr * gamma ** (t // step_size),
    )


def exponential_decay(lr, gamma):
    r"""Multiply the learning rate by ``gamma`` every step, as ``torch.optim.lr_scheduler.ExponentialLR``.

    .. math::
        \eta_t = \eta_0\, \gamma^{t} = \eta_0\, e^{-\lambda t}
        \qquad\text{with}\qquad \gamma = e^{-\lambda},\quad \lambda = -\ln\gamma

    The textbook decay rate :math:`\lambda` of :math:`\eta_0 e^{-\lambda t}`
    becomes ``gamma = np.exp(-lam)``; the half-life is :math:`\ln 2 / \lambda`
    steps (γ = 0.99 halves the rate about every 69 steps).

    Arguments: ``lr`` in [0, ∞), ``gamma`` in (0, 1] (γ = 1 is a constant
    rate; torch also accepts γ > 1, refused here). torch multiplies the previous
    rate by γ at every step; after ``t`` steps that product differs from the
    power here by at most about :math:`t` rounding errors (measured:
    :math:`1.6\times10^{-15}` relative up to ``t = 1000``,
    :math:`3.4\times10^{-14}` up to :math:`10^5`).
    """
    lr = _lr(lr)
    gamma = _gamma(gamma)
    return Schedule(
        "exponential_decay", {"lr": lr, "gamma": gamma}, lambda t: lr * gamma**t
    )


def cosine_annealing(lr, T_max, eta_min=0.0):
    r"""Half a cosine from ``lr`` down to ``eta_min`` over ``T_max`` steps, as ``torch.optim.lr_scheduler.CosineAnnealingLR``.

    .. math::
        \eta_t = \eta_{\min} + \tfrac12(\eta_0 - \eta_{\min})
            \left(1 + \cos\frac{\pi \min(t, T_{\max})}{T_{\max}}\right)

    :math:`\eta_0` at :math:`t = 0`, :math:`\eta_{\min}` at :math:`t = T_{\max}`.

    **Past** ``T_max`` this schedule *stays at* ``eta_min`` (as optax's
    ``cosine_decay_schedule``). torch does not stop: its recursion keeps
    following the cosine, which climbs back to ``lr`` at :math:`2T_{\max}` and
    repeats with period :math:`2T_{\max}`. The two agree for
    :math:`0 \le t \le T_{\max}`; use :func:`cosine_restarts` for restarts.

    Arguments: ``lr`` in [0, ∞), ``T_max`` an integer >= 1, ``eta_min`` in [0, lr].
    """
    lr = _lr(lr)
    T_max = _checks.integer("T_max", T_max, 1)
    eta_min = _checks.number("eta_min", eta_min, 0.0, lr)
    return Schedule(
        "cosine_annealing",
        {"lr": lr, "T_max": T_max, "eta_min": eta_min},
        lambda t: _cosine(lr, eta_min, np.minimum(t, T_max), T_max),
    )


def linear_warmup(lr, warmup_steps, start_factor=1 / 3):
    r"""Ramp linearly from ``start_factor * lr`` to ``lr``, then hold, as ``torch.optim.lr_scheduler.LinearLR``.

    With :math:`W` = ``warmup_steps`` and :math:`f` = ``start_factor``:

    .. math::
        \eta_t = \eta_0 \left(f + (1 - f)\,\frac{\min(t, W)}{W}\right)

    This is ``LinearLR(optimizer, start_factor=f, end_factor=1.0, total_iters=W)``:
    step 0 already uses :math:`f\eta_0` (not 0), step :math:`W` and later use :math:`\eta_0`.
    For a warmup that starts at 0, see :func:`warmup_cosine` and
    :func:`warmup_stable_decay`.

    Arguments: ``lr`` in [0, ∞), ``warmup_steps`` an integer >= 1,
    ``start_factor`` in (0, 1] (torch's range; the default 1/3 is torch's).
    torch also accepts ``total_iters=0`` and then stays at ``start_factor * lr``
    for ever; refused here. torch's recursive update reaches ``lr`` only up to
    rounding (a relative error growing with :math:`W`: :math:`5\times10^{-13}`
    for :math:`W = 10^5`) and keeps that value; here step :math:`W` is exactly ``lr``.
    """
    lr = _lr(lr)
    warmup_steps = _checks.integer("warmup_steps", warmup_steps, 1)
    f = _checks.number("start_factor", start_factor, 0.0, 1.0, low_open=True)
    return Schedule(
        "linear_warmup",
        {"lr": lr, "warmup_steps": warmup_steps, "start_factor": f},
        lambda t: lr * (f + (1.0 - f) * np.minimum(warmup_steps, t) / warmup_steps),
    )


def warmup_cosine(lr, warmup_steps, total_steps, eta_min=0.0):
    r"""Linear warmup from 0 to ``lr``, then a cosine down to ``eta_min`` (no torch twin).

    With :math:`W` = ``warmup_steps`` and :math:`T` = ``total_steps``:

    .. math::
        \eta_t = \begin{cases}
            \eta_0\, t / W & 0 \le t < W \\
            \eta_{\min} + \tfrac12(\eta_0 - \eta_{\min})
                \left(1 + \cos\dfrac{\pi (t - W)}{T - W}\right) & W \le t \le T \\
            \eta_{\min} & t > T
        \end{cases}

    0 at :math:`t = 0`, :math:`\eta_0` at :math:`t = W`, :math:`\eta_{\min}` at
    :math:`t = T` and afterwards. ``warmup_steps=0`` is a plain cosine decay
    that starts at ``lr``. (optax's ``warmup_cosine_decay_schedule`` with
    ``init_value=0``; in torch, ``SequentialLR`` of a ``LambdaLR`` warmup and a
    ``CosineAnnealingLR``.)

    Arguments: ``lr`` in [0, ∞), ``warmup_steps`` an integer >= 0,
    ``total_steps`` an integer > ``warmup_steps``, ``eta_min`` in [0, lr].
    """
    lr = _lr(lr)
    W = _checks.integer("warmup_steps", warmup_steps, 0)
    T = _checks.integer("total_steps", total_steps, W + 1)
    eta_min = _checks.number("eta_min", eta_min, 0.0, lr)

    def formula(t):
        decay = _cosine(lr, eta_min, np.clip(t - W, 0, T - W), T - W)
        if W == 0:
            return decay
        return np.where(t < W, lr * t / W, decay)

    return Schedule(
        "warmup_cosine",
        {"lr": lr, "warmup_steps": W, "total_steps": T, "eta_min": eta_min},
        formula,
    )


def one_cycle(
    max_lr, total_steps, pct_start=0.3, div_factor=25.0, final_div_factor=1e4
):
    r"""The 1cycle policy, as ``torch.optim.lr_scheduler.OneCycleLR`` (two phases, cosine).

    Rates: start :math:`\eta_{\text{init}} = \eta_{\max} / \texttt{div\_factor}`,
    peak :math:`\eta_{\max}`, end :math:`\eta_{\text{final}} = \eta_{\text{init}} /
    \texttt{final\_div\_factor}`. With :math:`T` = ``total_steps``, :math:`p` =
    ``pct_start`` and torch's phase boundary :math:`e = pT - 1` (a float; the
    peak is *at step* :math:`e`, not at :math:`pT`):

    .. math::
        \operatorname{anneal}(a, b, q) &= b + \tfrac12 (a - b)(1 + \cos \pi q) \\
        \eta_t &= \begin{cases}
            \operatorname{anneal}(\eta_{\text{init}}, \eta_{\max}, t / e) & t \le e \\
            \operatorname{anneal}\!\left(\eta_{\max}, \eta_{\text{final}},
                \dfrac{t - e}{T - 1 - e}\right) & e < t \le T - 1 \\
            \eta_{\text{final}} & t \ge T
        \end{cases}

    Equal to ``OneCycleLR(optimizer, max_lr, total_steps=T, pct_start=p,
    anneal_strategy='cos', div_factor=..., final_div_factor=..., three_phase=False,
    cycle_momentum=False)`` for :math:`0 \le t < T` (step :math:`T - 1` is
    exactly :math:`\eta_{\text{final}}`). Where this differs from torch:

    * :math:`t \ge T`: held at :math:`\eta_{\text{final}}`. torch allows one extra
      ``step()`` (:math:`t = T`), where its cosine has already turned back up
      (for ``max_lr=0.1, total_steps=10``: :math:`4.95\times10^{-3}` after
      :math:`4\times10^{-7}` at step 9), and raises ``ValueError`` after that.
    * :math:`pT = 1` exactly (e.g. ``total_steps=10, pct_start=0.1``): torch
      divides 0 by 0 and its constructor raises ``ZeroDivisionError``. Here the
      warmup phase is the single step 0, which takes the peak :math:`\eta_{\max}`.
    * :math:`pT < 1`: there is no warmup step; as in torch, step 0 is already
      in the decay phase, slightly *below* :math:`\eta_{\max}`. With
      ``total_steps=1`` the only step uses :math:`\eta_{\text{final}}`.

    Arguments: ``max_lr`` in [0, ∞), ``total_steps`` an integer >= 1,
    ``pct_start`` in (0, 1), ``div_factor`` and ``final_div_factor`` in (0, ∞).
    """
    max_lr = _lr(max_lr, "max_lr")
    T = _checks.integer("total_steps", total_steps, 1)
    p = _checks.number("pct_start", pct_start, 0.0, 1.0, low_open=True, high_open=True)
    div_factor = _checks.number(
        "div_factor", div_factor, 0.0, np.inf, low_open=True, high_open=True
    )
    final_div_factor = _checks.number(
        "final_div_factor", final_div_factor, 0.0, np.inf, low_open=True, high_open=True
    )
    initial_lr = max_lr / div_factor
    final_lr = initial_lr / final_div_factor
    e = float(p * T) - 1  # torch: phase 1 "end_step"
    if not e < T - 1:  # only if p * T rounds up to T
        raise ValueError(
            f"pct_start * total_steps must be < total_steps, got {p} * {T}"
        )

    def anneal(
        start, end, q
    ):  # torch's OneCycleLR._annealing_cos, same order of operations
        return end + (start - end) / 2.0 * (np.cos(np.pi * q) + 1)

    def formula(t):
        tc = np.minimum(t, T - 1).astype(np.float64)
        down = anneal(max_lr, final_lr, (tc - e) / (T - 1 - e))
        if e <= 0:
            return down
        return np.where(tc <= e, anneal(initial_lr, max_lr, tc / e), down)

    return Schedule(
        "one_cycle",
        {
            "max_lr": max_lr,
            "total_steps": T,
            "pct_start": p,
            "div_factor": div_factor,
            "final_div_factor": final_div_factor,
        },
        formula,
    )


def cosine_restarts(lr, T_0, T_mult=1, eta_min=0.0):
    r"""Cosine annealing with warm restarts (SGDR), as ``torch.optim.lr_scheduler.CosineAnnealingWarmRestarts``.

    Cycle :math:`i = 0, 1, \ldots` lasts :math:`T_i = T_0 T_{\text{mult}}^{\,i}`
    steps. Within a cycle, with :math:`T_{\text{cur}}` the steps since its start,

    .. math::
        \eta_t = \eta_{\min} + \tfrac12(\eta_0 - \eta_{\min})
            \left(1 + \cos\frac{\pi T_{\text{cur}}}{T_i}\right),

    so each cycle starts at :math:`\eta_0` and ends one step short of
    :math:`\eta_{\min}` (the step that would reach it is the restart). Cycle
    :math:`i` starts at step :math:`T_0 (T_{\text{mult}}^{\,i} - 1)/(T_{\text{mult}} - 1)`
    (at :math:`iT_0` when :math:`T_{\text{mult}} = 1`).

    Equal to torch's scheduler stepped with ``scheduler.step()`` (no epoch
    argument). The cycle is found with integer arithmetic; torch's
    ``step(epoch)`` path uses a floating-point logarithm instead.

    Arguments: ``lr`` in [0, ∞), ``T_0`` an integer >= 1, ``T_mult`` an integer
    >= 1 (as torch), ``eta_min`` in [0, lr].
    """
    lr = _lr(lr)
    T_0 = _checks.integer("T_0", T_0, 1)
    T_mult = _checks.integer("T_mult", T_mult, 1)
    eta_min = _checks.number("eta_min", eta_min, 0.0, lr)

    def formula(t):
        if T_mult == 1:
            return _cosine(lr, eta_min, t % T_0, T_0)
        t_cur, t_i = t.copy(), np.full(t.shape, T_0, dtype=np.int64)
        while np.any(
            t_cur >= t_i
        ):  # one pass per cycle: about log(t / T_0) / log(T_mult)
            restart = t_cur >= t_i
            t_cur = np.where(restart, t_cur - t_i, t_cur)
            t_i = np.where(restart, t_i * T_mult, t_i)
        return _cosine(lr, eta_min, t_cur, t_i)

    return Schedule(
        "cosine_restarts",
        {"lr": lr, "T_0": T_0, "T_mult": T_mult, "eta_min": eta_min},
        formula,
    )


def warmup_stable_decay(lr, warmup_steps, stable_steps, decay_steps, eta_min=0.0):
    r"""Warmup–stable–decay ("trapezoidal"): linear up from 0, flat, linear down (no torch twin).

    With :math:`W, S, D` = ``warmup_steps, stable_steps, decay_steps``:

    .. math::
        \eta_t = \begin{cases}
            \eta_0\, t / W & 0 \le t < W \\
            \eta_0 & W \le t < W + S \\
            \eta_{\min} + (\eta_0 - \eta_{\min})\,\dfrac{W + S + D - t}{D}
                & W + S \le t < W + S + D \\
            \eta_{\min} & t \ge W + S + D
        \end{cases}

    0 at :math:`t = 0`, :math:`\eta_0` from :math:`t = W` until the decay
    starts at :math:`W + S`, :math:`\eta_{\min}` from :math:`W + S + D` on.

    Arguments: ``lr`` in [0, ∞), ``warmup_steps`` and ``stable_steps`` integers
    >= 0, ``decay_steps`` an integer >= 1 (a drop in zero steps is a
    :func:`step_decay`), ``eta_min`` in [0, lr].
    """
    lr = _lr(lr)
    W = _checks.integer("warmup_steps", warmup_steps, 0)
    S = _checks.integer("stable_steps", stable_steps, 0)
    D = _checks.integer("decay_steps", decay_steps, 1)
    eta_min = _checks.number("eta_min", eta_min, 0.0, lr)
    end = W + S + D

    def formula(t):
        decay = eta_min + (lr - eta_min) * (end - np.clip(t, W + S, end)) / D
        rest = np.where(t < W + S, lr, decay)
        return rest if W == 0 else np.where(t < W, lr * t / W, rest)

    return Schedule(
        "warmup_stable_decay",
        {
            "lr": lr,
            "warmup_steps": W,
            "stable_steps": S,
            "decay_steps": D,
            "eta_min": eta_min,
        },
        formula,
    )
