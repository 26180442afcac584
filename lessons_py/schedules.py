r"""Learning-rate schedules as closed-form functions of the number of updates done.

**Counting.** Updates are numbered :math:`t = 1, 2, \ldots`. A schedule is a
function of the number of updates already *completed*, :math:`s = t - 1 = 0, 1,
2, \ldots`: ``schedule(s)`` is the learning rate of update :math:`t = s + 1`, so
``schedule(0)`` is the rate of the first update. torch counts the same way (a
scheduler's ``last_epoch`` is :math:`s`: 0 when it is built, one more after each
``scheduler.step()`` that follows an ``optimizer.step()``), and so does optax
(``count``). :func:`lessons_py.loop.run` sets ``optimizer.lr = schedule(t - 1)``
before update :math:`t`::

    schedule = cosine_annealing(lr=0.1, T_max=100)
    schedule(0)                 # 0.1, a Python float: the rate of the first update
    schedule(np.arange(101))    # an array of the same shape as s
    schedule                    # cosine_annealing(lr=0.1, T_max=100, eta_min=0.0)
    run(opt, objective, x0, 100, schedule=schedule)

A schedule keeps no state. ``s`` must be a non-negative integer (a Python or NumPy
integer) or an integer array (lists and ranges of integers are accepted too);
floats, booleans and negative counts raise ``ValueError``.

**Pieces and joins.** Composite schedules are joined from smaller ones by
:func:`join`, as torch's ``SequentialLR`` and optax's ``join_schedules`` do:
:func:`warmup_cosine` and :func:`warmup_stable_decay` are joins of a
:func:`linear` ramp, a :func:`constant` or a :func:`cosine_annealing`.

**Torch twins.** Where a schedule names a ``torch.optim.lr_scheduler`` class,
``schedule(s)`` equals ``scheduler.get_last_lr()[0]`` after ``s`` calls of
``scheduler.step()`` for an optimizer created with learning rate ``lr``. torch
updates most schedulers *recursively* (the new rate is the old one times a
factor), so its rounding errors pile up with the step count, while a closed form
rounds afresh at every step. The package's tests replay rates recorded once from
PyTorch 2.13 (up to 1000 steps per case) and hold every one to :math:`10^{-12}`
relative. Over longer runs torch's recursion drifts further: sampled at every
1000th of :math:`10^5` steps, it stays within :math:`10^{-13}` relative of the
closed forms for ``ExponentialLR`` and ``CosineAnnealingLR`` and within
:math:`10^{-12}` for ``LinearLR``, and a :math:`10^6`-step ``LinearLR`` ramp within
:math:`2\times10^{-12}` (the tests check these bounds on the recorded values).

Hyperparameters are single numbers, checked when the schedule is built: a bad one
raises ``ValueError`` naming the argument and the allowed range.
"""

import numpy as np

from . import _checks

__all__ = [
    "Schedule",
    "apply",
    "constant",
    "cosine_annealing",
    "cosine_restarts",
    "exponential_decay",
    "join",
    "linear",
    "linear_warmup",
    "one_cycle",
    "set_momentum",
    "step_decay",
    "warmup_cosine",
    "warmup_stable_decay",
]


class Schedule:
    """A learning-rate schedule: ``schedule(s)`` is the rate after ``s`` updates.

    ``__name__`` is the constructor's name and ``params`` its arguments, so
    ``repr(schedule)`` reads like the call that built it. The formula is a pure
    function of ``s``: calling a schedule twice with the same ``s`` gives the same
    value, in any order. ``momentum`` is None, or (for :func:`one_cycle` with
    ``cycle_momentum=True``) a second schedule of the same kind that gives the
    momentum (SGD's ``momentum``, Adam's ``betas[0]``) after ``s`` updates;
    :func:`lessons_py.loop.run` writes it into the optimizer with
    :func:`set_momentum`.
    """

    def __init__(self, name, params, formula, momentum=None):
        self.__name__ = self.__qualname__ = name
        self.params = dict(params)
        self._formula = formula
        self.momentum = momentum

    def __call__(self, s):
        steps, scalar = _steps(s)
        lr = np.broadcast_to(
            np.asarray(self._formula(steps), dtype=np.float64), steps.shape
        )
        return float(lr) if scalar else lr.copy()

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.__name__}({args})"


# --------------------------------------------------------------------------- checks

_NOT_A_COUNT = "s must be an integer >= 0 or an integer array, got"


def _steps(s):
    """``s`` as an int64 array and whether it was a scalar; ValueError unless >= 0."""
    if isinstance(s, (bool, np.bool_)):
        raise ValueError(f"{_NOT_A_COUNT} {s!r}")
    if isinstance(s, (int, np.integer)):
        return np.asarray(_checks.integer("s", s, 0), dtype=np.int64), True
    arr = np.asarray(s)
    if arr.dtype.kind not in "iu":
        what = repr(s) if arr.ndim == 0 else f"an array of dtype {arr.dtype}"
        raise ValueError(f"{_NOT_A_COUNT} {what}")
    if arr.size and arr.min() < 0:
        raise ValueError(f"s must be an integer >= 0, got {_checks._describe(arr)}")
    return arr.astype(np.int64), False


def _lr(value, name="lr"):
    return _checks.number(name, value, 0.0, np.inf, high_open=True)


def _gamma(value):
    return _checks.number("gamma", value, 0.0, 1.0, low_open=True)


def _cosine(start, end, s, period):
    r""":math:`\text{end} + \frac12(\text{start} - \text{end})(1 + \cos(\pi s / \text{period}))`,
    in the order torch evaluates it."""  # noqa: E501
    return end + (start - end) * (1 + np.cos(np.pi * s / period)) / 2


def _renamed(schedule, name, params):
    """``schedule``'s formula under the name and arguments of its constructor."""
    return Schedule(name, params, schedule._formula)


# --------------------------------------------------------------------------- schedules


def constant(lr):
    r"""The same learning rate after every number of updates: :math:`\eta(s) = \eta`.

    ``lr`` must lie in [0, ∞).
    """
    lr = _lr(lr)
    return Schedule("constant", {"lr": lr}, lambda s: np.full(s.shape, lr))


def step_decay(lr, step_size, gamma=0.1):
    r"""Multiply the rate by ``gamma`` every ``step_size`` updates, as ``StepLR``.

    With :math:`\Delta` = ``step_size``, the rate after :math:`s` updates is

    .. math::
        \eta(s) = \eta_0\, \gamma^{\lfloor s / \Delta \rfloor},

    so updates :math:`t = 1, \ldots, \Delta` (:math:`s = 0, \ldots, \Delta - 1`) use
    :math:`\eta_0`, the next :math:`\Delta` use :math:`\gamma\eta_0`, and so on
    (``torch.optim.lr_scheduler.StepLR``).

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
        lambda s: lr * gamma ** (s // step_size),
    )


def exponential_decay(lr, gamma):
    r"""Multiply the rate by ``gamma`` after every update, as ``ExponentialLR``.

    .. math::
        \eta(s) = \eta_0\, \gamma^{s} = \eta_0\, e^{-\lambda s}
        \qquad\text{with}\qquad \gamma = e^{-\lambda},\quad \lambda = -\ln\gamma

    The textbook decay rate :math:`\lambda` of :math:`\eta_0 e^{-\lambda s}`
    becomes ``gamma = np.exp(-lam)``; the half-life is :math:`\ln 2 / \lambda`
    updates (γ = 0.99 halves the rate about every 69 updates).

    Arguments: ``lr`` in [0, ∞), ``gamma`` in (0, 1] (γ = 1 is a constant
    rate; torch's ``ExponentialLR`` also accepts γ > 1, refused here). torch
    multiplies the previous rate by γ at every step; after ``s`` steps that product
    differs from the power here by at most about ``s`` rounding errors.
    """
    lr = _lr(lr)
    gamma = _gamma(gamma)
    return Schedule(
        "exponential_decay", {"lr": lr, "gamma": gamma}, lambda s: lr * gamma**s
    )


def cosine_annealing(lr, T_max, eta_min=0.0):
    r"""Half a cosine from ``lr`` down to ``eta_min`` in ``T_max`` updates, as
    ``CosineAnnealingLR``.

    .. math::
        \eta(s) = \eta_{\min} + \tfrac12(\eta_0 - \eta_{\min})
            \left(1 + \cos\frac{\pi \min(s, T_{\max})}{T_{\max}}\right)

    :math:`\eta_0` at :math:`s = 0`, :math:`\eta_{\min}` at :math:`s = T_{\max}`.

    **Past** ``T_max`` this schedule *stays at* ``eta_min`` (as optax's
    ``cosine_decay_schedule``). torch does not stop: its recursion keeps
    following the cosine, which climbs back to ``lr`` at :math:`2T_{\max}` and
    repeats with period :math:`2T_{\max}`. The two agree for
    :math:`0 \le s \le T_{\max}`; use :func:`cosine_restarts` for restarts.

    Arguments: ``lr`` in [0, ∞), ``T_max`` an integer >= 1, ``eta_min`` in [0, lr].
    """
    lr = _lr(lr)
    T_max = _checks.integer("T_max", T_max, 1)
    eta_min = _checks.number("eta_min", eta_min, 0.0, lr)
    return Schedule(
        "cosine_annealing",
        {"lr": lr, "T_max": T_max, "eta_min": eta_min},
        lambda s: _cosine(lr, eta_min, np.minimum(s, T_max), T_max),
    )


def linear(lr, start_factor=1 / 3, end_factor=1.0, total_iters=5):
    r"""A straight line from ``start_factor * lr`` to ``end_factor * lr`` in
    ``total_iters`` updates, then flat, as ``LinearLR``.

    With :math:`f_0, f_1, N` = ``start_factor, end_factor, total_iters``:

    .. math::
        \eta(s) = \eta_0 \left(f_0 + (f_1 - f_0)\,\frac{\min(s, N)}{N}\right)

    A warmup has :math:`f_0 < f_1 = 1` (:func:`linear_warmup`), a linear decay
    :math:`f_0 = 1 > f_1`. Equal to ``LinearLR(optimizer, start_factor,
    end_factor, total_iters)``, whose defaults these are.

    Arguments: ``lr`` in [0, ∞), ``start_factor`` and ``end_factor`` in [0, 1],
    ``total_iters`` an integer >= 1. torch refuses ``start_factor = 0``, because
    its recursion divides by the previous rate; the closed form does not, so a ramp
    from 0 is allowed here (torch needs a ``LambdaLR`` for it). torch also accepts
    ``total_iters=0`` and then stays at ``start_factor * lr`` for ever; refused
    here. torch's recursion reaches ``end_factor * lr`` only up to rounding, and
    keeps that value; here :math:`s = N` is the closed form's end value.
    """
    lr = _lr(lr)
    f0 = _checks.number("start_factor", start_factor, 0.0, 1.0)
    f1 = _checks.number("end_factor", end_factor, 0.0, 1.0)
    N = _checks.integer("total_iters", total_iters, 1)
    return Schedule(
        "linear",
        {"lr": lr, "start_factor": f0, "end_factor": f1, "total_iters": N},
        lambda s: lr * (f0 + (f1 - f0) * np.minimum(N, s) / N),
    )


def linear_warmup(lr, warmup_steps, start_factor=1 / 3):
    r"""Ramp linearly from ``start_factor * lr`` to ``lr``, then hold (``LinearLR``).

    With :math:`W` = ``warmup_steps`` and :math:`f` = ``start_factor``:

    .. math::
        \eta(s) = \eta_0 \left(f + (1 - f)\,\frac{\min(s, W)}{W}\right)

    This is :func:`linear` with ``end_factor=1`` and ``total_iters=W``, i.e.
    ``LinearLR(optimizer, start_factor=f, end_factor=1.0, total_iters=W)``: the
    first update already uses :math:`f\eta_0` (not 0), update :math:`W + 1` and
    later ones use :math:`\eta_0`. :func:`warmup_cosine` and
    :func:`warmup_stable_decay` ramp from 0.

    Arguments: ``lr`` in [0, ∞), ``warmup_steps`` an integer >= 1, ``start_factor``
    in (0, 1] (torch's range; the default 1/3 is torch's).
    """
    W = _checks.integer("warmup_steps", warmup_steps, 1)
    f = _checks.number("start_factor", start_factor, 0.0, 1.0, low_open=True)
    piece = linear(lr, start_factor=f, end_factor=1.0, total_iters=W)
    return _renamed(
        piece,
        "linear_warmup",
        {"lr": piece.params["lr"], "warmup_steps": W, "start_factor": f},
    )


def join(schedules, milestones):
    r"""One schedule after another, as ``SequentialLR`` (optax: ``join_schedules``).

    With pieces :math:`\eta^{(0)}, \ldots, \eta^{(k)}` and milestones
    :math:`m_1 < \cdots < m_k` (and :math:`m_0 = 0`), piece :math:`i` runs from
    :math:`s = m_i` on and restarts its own count there:

    .. math::
        \eta(s) = \eta^{(i)}(s - m_i) \qquad m_i \le s < m_{i+1}

    Equal to ``SequentialLR(optimizer, schedulers, milestones)`` of the pieces'
    torch twins: at a milestone torch sets the next scheduler back to its step 0,
    as here.

    Arguments: ``schedules`` a non-empty list of :class:`Schedule`, ``milestones``
    a list of ``len(schedules) - 1`` increasing integers >= 1. A piece that
    cycles the momentum (:func:`one_cycle` with ``cycle_momentum=True``) is
    refused: a join gives learning rates only.
    """
    if not isinstance(schedules, (list, tuple)) or not schedules:
        raise ValueError(
            f"schedules must be a non-empty list of schedules, got {schedules!r}"
        )
    for i, piece in enumerate(schedules):
        if not isinstance(piece, Schedule):
            raise ValueError(
                f"schedules[{i}] must be a Schedule (made by lessons_py.schedules), "
                f"got {piece!r}"
            )
        if piece.momentum is not None:
            raise ValueError(
                f"schedules[{i}] cycles the momentum, which a join does not carry; "
                f"build it with cycle_momentum=False, got {piece!r}"
            )
    if not isinstance(milestones, (list, tuple)):
        raise ValueError(f"milestones must be a list of integers, got {milestones!r}")
    if len(milestones) != len(schedules) - 1:
        raise ValueError(
            f"milestones must hold len(schedules) - 1 = {len(schedules) - 1} "
            f"integers, got {list(milestones)!r}"
        )
    bounds = [0]
    for i, m in enumerate(milestones):
        bounds.append(_checks.integer(f"milestones[{i}]", m, bounds[-1] + 1))
    pieces = list(schedules)

    def formula(s):
        flat = s.reshape(-1)
        which = np.searchsorted(bounds[1:], flat, side="right")
        out = np.empty(flat.shape)
        for i, piece in enumerate(pieces):
            here = which == i
            if here.any():
                out[here] = piece(flat[here] - bounds[i])
        return out.reshape(s.shape)

    return Schedule("join", {"schedules": pieces, "milestones": bounds[1:]}, formula)


def warmup_cosine(lr, warmup_steps, total_steps, eta_min=0.0):
    r"""Linear warmup from 0 to ``lr``, then a cosine down to ``eta_min``: a join.

    With :math:`W` = ``warmup_steps`` and :math:`T` = ``total_steps``:

    .. math::
        \eta(s) = \begin{cases}
            \eta_0\, s / W & 0 \le s < W \\
            \eta_{\min} + \tfrac12(\eta_0 - \eta_{\min})
                \left(1 + \cos\dfrac{\pi (s - W)}{T - W}\right) & W \le s \le T \\
            \eta_{\min} & s > T
        \end{cases}

    ``join([linear(lr, 0, 1, W), cosine_annealing(lr, T - W, eta_min)], [W])``:
    0 at :math:`s = 0`, :math:`\eta_0` at :math:`s = W`, :math:`\eta_{\min}` at
    :math:`s = T` and afterwards. ``warmup_steps=0`` is a plain cosine decay that
    starts at ``lr``. In torch, ``SequentialLR`` of a ``LambdaLR`` ramp
    (``lambda s: s / W``) and a ``CosineAnnealingLR`` (equal up to :math:`s = T`);
    optax's ``warmup_cosine_decay_schedule`` with ``init_value=0``.

    Arguments: ``lr`` in [0, ∞), ``warmup_steps`` an integer >= 0,
    ``total_steps`` an integer > ``warmup_steps``, ``eta_min`` in [0, lr].
    """
    lr = _lr(lr)
    W = _checks.integer("warmup_steps", warmup_steps, 0)
    T = _checks.integer("total_steps", total_steps, W + 1)
    eta_min = _checks.number("eta_min", eta_min, 0.0, lr)
    decay = cosine_annealing(lr, T_max=T - W, eta_min=eta_min)
    joined = (
        decay
        if W == 0
        else join([linear(lr, 0.0, 1.0, total_iters=W), decay], milestones=[W])
    )
    return _renamed(
        joined,
        "warmup_cosine",
        {"lr": lr, "warmup_steps": W, "total_steps": T, "eta_min": eta_min},
    )


def warmup_stable_decay(lr, warmup_steps, stable_steps, decay_steps, eta_min=0.0):
    r"""Warmup–stable–decay: linear up from 0, flat, linear down; a join of three.

    With :math:`W, S, D` = ``warmup_steps, stable_steps, decay_steps``:

    .. math::
        \eta(s) = \begin{cases}
            \eta_0\, s / W & 0 \le s < W \\
            \eta_0 & W \le s < W + S \\
            \eta_0 + (\eta_{\min} - \eta_0)\,\dfrac{s - W - S}{D}
                & W + S \le s < W + S + D \\
            \eta_{\min} & s \ge W + S + D
        \end{cases}

    ``join([linear(lr, 0, 1, W), constant(lr), linear(lr, 1, eta_min / lr, D),
    constant(eta_min)], [W, W + S, W + S + D])`` (pieces of length 0 left out).
    Hu et al. (2024, MiniCPM), who named the schedule, allow any decreasing
    cooldown and used an exponential one; the linear cooldown here is the default
    of Hägele et al. (2024), who found a :math:`1 - \sqrt{\cdot}` shape better
    still. For another shape, join another decreasing piece. In torch,
    ``SequentialLR`` of a ``LambdaLR`` ramp, a constant ``LambdaLR``, a ``LinearLR``
    decay and a constant ``LambdaLR`` at ``eta_min``.

    Arguments: ``lr`` in [0, ∞), ``warmup_steps`` and ``stable_steps`` integers
    >= 0, ``decay_steps`` an integer >= 1 (a drop in zero steps is a
    :func:`step_decay`), ``eta_min`` in [0, lr].
    """
    lr = _lr(lr)
    W = _checks.integer("warmup_steps", warmup_steps, 0)
    S = _checks.integer("stable_steps", stable_steps, 0)
    D = _checks.integer("decay_steps", decay_steps, 1)
    eta_min = _checks.number("eta_min", eta_min, 0.0, lr)
    pieces = [
        (W, linear(lr, 0.0, 1.0, total_iters=max(W, 1))),
        (S, constant(lr)),
        (D, linear(lr, 1.0, eta_min / lr if lr > 0 else 0.0, total_iters=D)),
        (1, constant(eta_min)),  # exactly eta_min once the decay is done
    ]
    used = [(n, piece) for n, piece in pieces if n > 0]
    milestones = np.cumsum([n for n, _ in used[:-1]]).tolist()
    return _renamed(
        join([piece for _, piece in used], milestones),
        "warmup_stable_decay",
        {
            "lr": lr,
            "warmup_steps": W,
            "stable_steps": S,
            "decay_steps": D,
            "eta_min": eta_min,
        },
    )


def _anneal(start, end, pct, strategy):
    """torch's ``OneCycleLR._annealing_cos`` / ``_annealing_linear``, same order."""
    if strategy == "cos":
        return end + (start - end) / 2.0 * (np.cos(np.pi * pct) + 1)
    return (end - start) * pct + start


def _phase_of(s, ends):
    """Phase index and fraction ``pct`` of each ``s``, found as torch's loop does.

    Phase ``i`` covers ``s <= ends[i]`` (the last one everything after); ``pct`` runs
    from the previous phase's end. A phase of length 0 gives ``pct = 1`` (torch
    divides 0 by 0 there).
    """
    s = s.astype(np.float64)
    index = np.zeros(s.shape, dtype=np.int64)
    pct = np.zeros(s.shape)
    todo = np.ones(s.shape, dtype=bool)
    start = 0.0
    for i, end in enumerate(ends):
        here = todo & ((s <= end) | (i == len(ends) - 1))
        length = end - start
        pct[here] = (s[here] - start) / length if length != 0 else 1.0
        index[here] = i
        todo &= ~here
        start = end
    return index, pct


def one_cycle(
    max_lr,
    total_steps,
    pct_start=0.3,
    anneal_strategy="cos",
    cycle_momentum=True,
    base_momentum=0.85,
    max_momentum=0.95,
    div_factor=25.0,
    final_div_factor=1e4,
    three_phase=False,
):
    r"""The 1cycle policy, as ``torch.optim.lr_scheduler.OneCycleLR`` (same defaults).

    Rates: start :math:`\eta_{\text{init}} = \eta_{\max} / \texttt{div\_factor}`,
    peak :math:`\eta_{\max}`, end :math:`\eta_{\text{final}} = \eta_{\text{init}} /
    \texttt{final\_div\_factor}`. With :math:`T` = ``total_steps``, :math:`p` =
    ``pct_start`` and torch's phase boundary :math:`e = pT - 1` (a float; the peak
    is *at* :math:`s = e`, not at :math:`pT`), the default two phases are

    .. math::
        \eta(s) = \begin{cases}
            \operatorname{anneal}(\eta_{\text{init}}, \eta_{\max}, s / e) & s \le e \\
            \operatorname{anneal}\!\left(\eta_{\max}, \eta_{\text{final}},
                \dfrac{s - e}{T - 1 - e}\right) & e < s \le T - 1 \\
            \eta_{\text{final}} & s \ge T
        \end{cases}

    with :math:`\operatorname{anneal}(a, b, q) = b + \tfrac12 (a - b)(1 + \cos \pi
    q)` (``anneal_strategy='cos'``) or :math:`a + (b - a) q` (``'linear'``).
    ``three_phase=True`` goes up to :math:`\eta_{\max}` until :math:`s = e`, back
    down to :math:`\eta_{\text{init}}` by :math:`s = 2pT - 2` (symmetric), and on
    to :math:`\eta_{\text{final}}` at :math:`s = T - 1`: with
    ``anneal_strategy='linear'`` this is the policy of Smith and Topin (2019); the
    two-phase cosine default is fastai's variant.

    **Momentum.** With ``cycle_momentum=True`` (torch's default) the momentum
    (SGD's ``momentum``, Adam's ``betas[0]``) runs the other way, through the same
    phases and with the same ``anneal``: from ``max_momentum`` down to
    ``base_momentum`` at the peak rate, back up to ``max_momentum`` (and, with
    three phases, held there). ``schedule.momentum(s)`` gives it;
    :func:`lessons_py.loop.run` writes it into the optimizer, as torch's scheduler
    does. Note that torch also does so for an ``SGD`` built with ``momentum=0``,
    which then runs with momentum. ``cycle_momentum=False`` leaves the momentum
    alone (``schedule.momentum`` is None).

    Equal to ``OneCycleLR(optimizer, max_lr, total_steps=T, ...)`` with the same
    arguments for :math:`0 \le s < T`, rates and momenta (:math:`s = T - 1` is
    the end of the last phase: exactly with ``'cos'``, up to rounding with
    ``'linear'``, as in torch). Where this differs from torch:

    * :math:`s \ge T`: held at the last phase's end values. torch allows one extra
      ``step()`` (:math:`s = T`), where its cosine has already turned back up
      (for ``max_lr=0.1, total_steps=10``: :math:`4.95\times10^{-3}` after
      :math:`4\times10^{-7}` at :math:`s = 9`), and raises ``ValueError`` after
      that.
    * A phase of length 0 (:math:`pT = 1` exactly, e.g. ``total_steps=10,
      pct_start=0.1``): torch divides 0 by 0 and its constructor raises
      ``ZeroDivisionError``. Here such a phase takes its end value: the single
      warmup step :math:`s = 0` takes the peak :math:`\eta_{\max}`.
    * :math:`pT < 1`: there is no warmup step; as in torch, :math:`s = 0` is already
      in the next phase, slightly *below* :math:`\eta_{\max}`. With
      ``total_steps=1`` the only step uses :math:`\eta_{\text{final}}`.

    Arguments: ``max_lr`` in [0, ∞), ``total_steps`` an integer >= 1,
    ``pct_start`` in (0, 1), ``anneal_strategy`` ``'cos'`` or ``'linear'``,
    ``cycle_momentum`` and ``three_phase`` True or False, ``div_factor`` and
    ``final_div_factor`` in (0, ∞), ``base_momentum`` in [0, 1) and
    ``max_momentum`` in [base_momentum, 1) (torch checks neither). With
    ``three_phase=True``, :math:`2pT - 2 < T - 1` is required, so that the third
    phase is reached (torch runs without it and never reaches the last phase).
    """
    max_lr = _lr(max_lr, "max_lr")
    T = _checks.integer("total_steps", total_steps, 1)
    p = _checks.number("pct_start", pct_start, 0.0, 1.0, low_open=True, high_open=True)
    strategy = _checks.choice("anneal_strategy", anneal_strategy, ("cos", "linear"))
    cycle = _checks.flag("cycle_momentum", cycle_momentum)
    m_base = _checks.number("base_momentum", base_momentum, 0.0, 1.0, high_open=True)
    m_max = _checks.number("max_momentum", max_momentum, m_base, 1.0, high_open=True)
    div_factor = _checks.number(
        "div_factor", div_factor, 0.0, np.inf, low_open=True, high_open=True
    )
    final_div_factor = _checks.number(
        "final_div_factor", final_div_factor, 0.0, np.inf, low_open=True, high_open=True
    )
    three = _checks.flag("three_phase", three_phase)
    initial_lr = max_lr / div_factor
    final_lr = initial_lr / final_div_factor
    # torch's phases: end step, (start, end) rate, (start, end) momentum
    if three:
        ends = [float(p * T) - 1, float(2 * p * T) - 2, T - 1]
        rates = [(initial_lr, max_lr), (max_lr, initial_lr), (initial_lr, final_lr)]
        momenta = [(m_max, m_base), (m_base, m_max), (m_max, m_max)]
        if not ends[1] < T - 1:
            raise ValueError(
                "three_phase=True needs 2 * pct_start * total_steps - 2 < "
                f"total_steps - 1 (a third phase), got pct_start={p}, total_steps={T}"
            )
    else:
        ends = [float(p * T) - 1, T - 1]
        rates = [(initial_lr, max_lr), (max_lr, final_lr)]
        momenta = [(m_max, m_base), (m_base, m_max)]
    if not ends[0] < T - 1:  # only if p * T rounds up to T
        raise ValueError(
            f"pct_start * total_steps must be < total_steps, got {p} * {T}"
        )

    def annealed(pairs):
        a, b = (np.array(column) for column in zip(*pairs))

        def formula(s):
            index, pct = _phase_of(np.minimum(s, T - 1), ends)
            return _anneal(a[index], b[index], pct, strategy)

        return formula

    params = {
        "max_lr": max_lr,
        "total_steps": T,
        "pct_start": p,
        "anneal_strategy": strategy,
        "cycle_momentum": cycle,
        "base_momentum": m_base,
        "max_momentum": m_max,
        "div_factor": div_factor,
        "final_div_factor": final_div_factor,
        "three_phase": three,
    }
    momentum = (
        Schedule("one_cycle.momentum", params, annealed(momenta)) if cycle else None
    )
    return Schedule("one_cycle", params, annealed(rates), momentum=momentum)


def apply(schedule, optimizer, s):
    """Write the rate after ``s`` updates into ``optimizer``, as torch's
    ``scheduler.step()`` does: ``optimizer.lr = schedule(s)`` and, for a schedule
    that cycles the momentum, :func:`set_momentum` with ``schedule.momentum(s)``.

    ``schedule`` may be any function of ``s`` (one without a ``momentum`` attribute
    sets the rate only). :func:`lessons_py.loop.run` calls this before each update.
    """
    _checks.function("schedule", schedule)
    _checks.optimizer("optimizer", optimizer)
    optimizer.lr = schedule(s)
    momentum = getattr(schedule, "momentum", None)
    if momentum is not None:
        set_momentum(optimizer, momentum(s))


def set_momentum(optimizer, value):
    """Write ``value`` into the optimizer's momentum, as torch's ``OneCycleLR`` does.

    An optimizer with ``betas`` (Adam, AdamW) gets ``betas = (value, betas[1])``;
    one with ``momentum`` (SGD, RMSprop) gets ``momentum = value``. Any other
    raises ``ValueError``, as torch does for ``cycle_momentum=True``.
    """
    _checks.optimizer("optimizer", optimizer)
    _checks.in_range("value", value, sequences=False)  # the range: at the next step
    if hasattr(optimizer, "betas"):
        optimizer.betas = (value, optimizer.betas[1])
    elif hasattr(optimizer, "momentum"):
        optimizer.momentum = value
    else:
        raise ValueError(
            "optimizer must have a momentum or betas to cycle the momentum "
            f"(cycle_momentum=True), got {optimizer!r}"
        )


def cosine_restarts(lr, T_0, T_mult=1, eta_min=0.0):
    r"""Cosine annealing with warm restarts (SGDR), as
    ``CosineAnnealingWarmRestarts``.

    Cycle :math:`i = 0, 1, \ldots` lasts :math:`T_i = T_0 T_{\text{mult}}^{\,i}`
    updates. Within a cycle, with :math:`T_{\text{cur}}` the updates since its
    start,

    .. math::
        \eta(s) = \eta_{\min} + \tfrac12(\eta_0 - \eta_{\min})
            \left(1 + \cos\frac{\pi T_{\text{cur}}}{T_i}\right),

    so each cycle starts at :math:`\eta_0` and ends one update short of
    :math:`\eta_{\min}` (the update that would reach it is the restart). Cycle
    :math:`i` starts at
    :math:`s = T_0 (T_{\text{mult}}^{\,i} - 1)/(T_{\text{mult}} - 1)` (at
    :math:`iT_0` when :math:`T_{\text{mult}} = 1`).

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

    def formula(s):
        if T_mult == 1:
            return _cosine(lr, eta_min, s % T_0, T_0)
        t_cur, t_i = s.copy(), np.full(s.shape, T_0, dtype=np.int64)
        while np.any(t_cur >= t_i):  # one pass per cycle: log(s / T_0) / log(T_mult)
            restart = t_cur >= t_i
            t_cur = np.where(restart, t_cur - t_i, t_cur)
            t_i = np.where(restart, t_i * T_mult, t_i)
        return _cosine(lr, eta_min, t_cur, t_i)

    return Schedule(
        "cosine_restarts",
        {"lr": lr, "T_0": T_0, "T_mult": T_mult, "eta_min": eta_min},
        formula,
    )
