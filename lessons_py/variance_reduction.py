r"""Stochastic gradient methods for finite sums: SGD (with importance sampling), SVRG,
SAGA and SAG.

For :math:`L(x) = \frac1n \sum_i f_i(x)`, SGD steps along :math:`\nabla f_i(x)`
for a random :math:`i`. That estimate is unbiased, but its variance does not
vanish at the minimiser, so with a constant step SGD stalls at a noise floor.
Variance reduction subtracts a *control variate* whose mean is known:

.. math::
    g = \nabla f_i(x) - c_i + \bar c, \qquad \bar c = \tfrac1n \textstyle\sum_j c_j,

which is unbiased for any :math:`c`, and whose variance goes to 0 when
:math:`c_i \to \nabla f_i(x^*)`. SVRG takes :math:`c_i = \nabla f_i(\tilde x)`
at a snapshot :math:`\tilde x` refreshed every epoch; SAGA stores the last
gradient seen for every example in a table. Both then converge linearly with a
constant step.

Conventions shared by the module:

* Every function takes a :class:`~lessons_py.objectives.FiniteSum`, a start
  ``x0`` of shape ``(d,)`` (never modified) and ``rng``, a
  ``np.random.Generator`` or an integer seed: runs are reproducible.
* Indices are drawn independently at every step, with replacement (the setting
  of the SVRG and SAGA analyses). :func:`lessons_py.loop.run` instead shuffles
  every epoch, as a DataLoader does.
* Each returns a :class:`StochasticRecord`. ``grad_evals`` counts *example*
  gradients :math:`\nabla f_i`, charged to the step that first uses them:
  SGD ``b`` per step; SVRG ``n`` per snapshot plus 2 per step; SAGA and SAG
  ``n`` for the table at :math:`x_0` plus 1 per step. ``memory`` is the number
  of floats the method keeps besides :math:`x`.
* ``record_every=k`` records loss, parameters and gradient norm every ``k``
  steps (and at the last), as in :func:`~lessons_py.loop.run`; the loss and
  gradient norm of the record are full ones, computed for the plot and not counted.
"""

from dataclasses import dataclass

import numpy as np

from . import _checks
from .loop import Record, Recorder
from .objectives import FiniteSum

__all__ = [
    "StochasticRecord",
    "importance_probabilities",
    "sag",
    "sag_estimate",
    "saga",
    "saga_estimate",
    "sgd",
    "sgd_estimate",
    "svrg",
    "svrg_estimate",
]


@dataclass(repr=False)
class StochasticRecord(Record):
    """A :class:`~lessons_py.loop.Record` plus ``memory``: how many floats of state the
    method stores besides the parameters (SGD 0, SVRG :math:`2d`, SAGA and SAG
    :math:`(n + 1)d`: the table of :math:`n` example gradients and its mean)."""

    memory: int = 0


class _Trace(Recorder):
    """A :class:`~lessons_py.loop.Recorder` that returns a :class:`StochasticRecord`."""

    def record(self, label, memory):
        return StochasticRecord(**self.fields(label), memory=memory)


def _setup(objective, x0, lr, rng):
    """Shared argument checks; returns the start point (a copy) and the generator."""
    if not isinstance(objective, FiniteSum):
        raise ValueError(
            f"objective must be a finite sum (objectives.FiniteSum), got {objective!r}"
        )
    x = _checks.start("x0", x0, objective.dim)  # finite, (d,), a copy
    _checks.number("lr", lr, 0.0, low_open=True)
    return x, _checks.rng("rng", rng)


# --------------------------------------------------------------------------- estimators


def importance_probabilities(objective, uniform=0.0):
    r"""Sampling probabilities proportional to the examples' smoothness constants,
    optionally mixed with uniform sampling:

    .. math::
        p_i = \frac{u}{n} + (1 - u)\,\frac{L_i}{\sum_j L_j}

    with :math:`u` = ``uniform`` in [0, 1] and :math:`L_i` from
    ``objective.example_smoothness()``. :math:`u = 0` (the default) is sampling
    fully proportional to :math:`L_i`: the reweighted estimate
    :math:`\nabla f_i / (n p_i)` then has smoothness
    :math:`\bar L = \frac1n \sum_j L_j` instead of :math:`\max_j L_j`. That lowers
    the variance only where gradient sizes follow the :math:`L_i` (far from the
    optimum, and for SVRG's differences), not everywhere: an example with a small
    :math:`L_i` but a large gradient gets a large weight :math:`1/(np_i)`.

    :math:`u = 1/2` is Needell, Srebro & Ward's *partially biased* sampling. Since
    :math:`p_i \ge u/n`, no weight exceeds :math:`1/u` (the variance at any point
    is at most :math:`1/u` times that of uniform sampling), while
    :math:`p_i \ge (1 - u) L_i / \sum_j L_j` keeps the reweighted smoothness at
    most :math:`\bar L / (1 - u)`: for :math:`u = 1/2`, within a factor of 2 of
    the best of both.
    """
    uniform = _checks.number("uniform", uniform, 0.0, 1.0)
    _checks.objective("objective", objective, needs=("example_smoothness",))
    L = np.asarray(objective.example_smoothness(), dtype=np.float64)
    return uniform / L.size + (1.0 - uniform) * L / L.sum()


def _check_probabilities(probabilities, n):
    p = _checks.real_array("probabilities", probabilities, empty=True)
    if p.shape != (n,):
        raise ValueError(
            f"probabilities must have shape ({n},) (one per example), got {p.shape}"
        )
    _checks.in_range(
        "probabilities", p, 0.0, 1.0, low_open=True
    )  # p_i = 0 would bias the estimate
    if abs(p.sum() - 1.0) > 1e-9:
        raise ValueError(f"probabilities must sum to 1, got sum {p.sum()!r}")
    return p


def sgd_estimate(objective, x, idx, probabilities=None):
    r"""The mini-batch gradient, reweighted for importance sampling.

    .. math::
        g = \frac1b \sum_{j=1}^{b} \frac{\nabla f_{i_j}(x)}{n\, p_{i_j}},
        \qquad \mathbb E[g] = \sum_i p_i \frac{\nabla f_i(x)}{n p_i} = \nabla L(x)

    for indices :math:`i_j` drawn from :math:`p`; without ``probabilities``
    (:math:`p_i = 1/n`) it is the plain mini-batch mean. ``idx`` has shape
    ``(..., b)``: leading axes give several estimates at once.
    """
    if not isinstance(objective, FiniteSum):
        raise ValueError(
            f"objective must be a finite sum (objectives.FiniteSum), got {objective!r}"
        )
    if probabilities is None:
        return objective.batch_grad(x, idx)
    probabilities = _checks.real_array("probabilities", probabilities)
    if probabilities.shape != (objective.n,):  # cheap: sgd calls this at every step
        raise ValueError(
            f"probabilities must have shape ({objective.n},) (one per example), got "
            f"{probabilities.shape}"
        )
    idx = objective._idx(idx)
    grads = objective.batch_grad(x, idx[..., None])  # one example per row: (..., b, d)
    weights = 1.0 / (objective.n * np.asarray(probabilities)[idx])
    return np.mean(weights[..., None] * grads, axis=-2)


def svrg_estimate(grad_i, grad_i_snapshot, full_grad_snapshot):
    r"""SVRG's estimate :math:`g = \nabla f_i(x) - \nabla f_i(\tilde x) + \tilde\mu`,
    :math:`\tilde\mu = \nabla L(\tilde x)`. Unbiased; its variance vanishes as
    :math:`x` and :math:`\tilde x` approach :math:`x^*`."""
    return grad_i - grad_i_snapshot + full_grad_snapshot


def saga_estimate(grad_i, table_i, table_mean):
    r"""SAGA's estimate :math:`g = \nabla f_i(x) - \alpha_i + \bar\alpha`, with
    :math:`\alpha_i` the stored gradient of example :math:`i` and
    :math:`\bar\alpha` the mean of the table. Unbiased for any table."""
    return grad_i - table_i + table_mean


def sag_estimate(grad_i, table_i, table_mean, n):
    r"""SAG's estimate :math:`g = (\nabla f_i(x) - \alpha_i)/n + \bar\alpha`: the mean
    of the table *after* storing :math:`\nabla f_i(x)`. The new gradient gets
    weight :math:`1/n` instead of SAGA's 1, so the variance is smaller but the
    estimate is *biased*: :math:`\mathbb E[g] = \nabla L/n + (1 - 1/n)\,\bar\alpha`."""
    n = _checks.integer("n", n, 1)
    return (grad_i - table_i) / n + table_mean


# --------------------------------------------------------------------------- methods


def sgd(
    objective, x0, lr, steps, rng, batch_size=1, probabilities=None, record_every=1
):
    r"""Constant-step SGD, optionally with importance sampling.

    .. math::
        &\textbf{for } t = 1, \ldots, T: \\
        &\quad i_1, \ldots, i_b \sim p \text{ independently}
            \quad (p_i = 1/n \text{ by default}) \\
        &\quad x_t \leftarrow x_{t-1} - \eta\, \frac1b \sum_j
            \frac{\nabla f_{i_j}(x_{t-1})}{n\, p_{i_j}}

    With a constant step the loss stalls at a floor proportional to
    :math:`\eta` times the gradient variance at :math:`x^*`. ``probabilities``
    (shape ``(n,)``, positive, summing to 1; e.g. :func:`importance_probabilities`)
    changes which examples are drawn, and the :math:`1/(np_i)` weight keeps the
    step unbiased. Cost: ``batch_size`` example gradients per step.
    """
    x, rng = _setup(objective, x0, lr, rng)
    steps = _checks.integer("steps", steps, 0)
    batch_size = _checks.integer("batch_size", batch_size, 1)
    n = objective.n
    p = None if probabilities is None else _check_probabilities(probabilities, n)
    trace = _Trace(objective, x, steps, record_every)
    with np.errstate(over="ignore", invalid="ignore"):
        for t, idx in enumerate(rng.choice(n, size=(steps, batch_size), p=p), start=1):
            x = x - lr * sgd_estimate(objective, x, idx, p)
            if not trace.add(t, x, lr, batch_size * t):
                break
    return trace.record("SGD" if p is None else "SGD (importance sampling)", memory=0)


def svrg(
    objective, x0, lr, epochs, rng, inner_steps=None, option="last", record_every=1
):
    r"""Stochastic variance-reduced gradient (Johnson & Zhang, 2013).

    .. math::
        &\tilde x_0 \leftarrow x_0 \\
        &\textbf{for } s = 1, \ldots, S \text{ (epochs)}: \\
        &\quad \tilde x \leftarrow \tilde x_{s-1},
            \quad \tilde\mu \leftarrow \nabla L(\tilde x),
            \quad x_0 \leftarrow \tilde x \\
        &\quad \textbf{for } t = 1, \ldots, m \text{ (inner\_steps)}: \\
        &\qquad i \sim \text{uniform}\{1..n\},\quad
            x_t \leftarrow x_{t-1}
            - \eta\,\big(\nabla f_i(x_{t-1}) - \nabla f_i(\tilde x) + \tilde\mu\big) \\
        &\quad \tilde x_s \leftarrow x_m \text{ ('last')} \\
        &\qquad \text{or } x_t \text{ for a uniform } t \in \{0..m-1\}
            \text{ ('random', the paper's option II)} \\
        &\qquad \text{or } \tfrac1m \textstyle\sum_{t=1}^m x_t \text{ ('average')}

    ``inner_steps`` defaults to :math:`m = n`. The entry recorded at the end of
    an epoch is the new snapshot :math:`\tilde x_s`, where the next epoch
    starts. Cost per epoch: :math:`n + 2m` example gradients, the :math:`n` of
    the snapshot charged to the epoch's first step. Memory: :math:`\tilde x` and
    :math:`\tilde\mu`, :math:`2d` floats (``memory``). This reference code also
    keeps the epoch's iterates, which only 'random' needs ('average' could keep a sum).
    """
    x, rng = _setup(objective, x0, lr, rng)
    epochs = _checks.integer("epochs", epochs, 0)
    n = objective.n
    m = n if inner_steps is None else _checks.integer("inner_steps", inner_steps, 1)
    if option not in ("last", "random", "average"):
        raise ValueError(
            f"option must be 'last', 'random' or 'average', got {option!r}"
        )
    trace = _Trace(objective, x, epochs * m, record_every)
    t, evals = 0, 0
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(epochs):
            x_tilde = x
            mu_tilde = objective.grad(x_tilde)
            evals += n
            inner = [x]
            for j, i in enumerate(rng.integers(n, size=(m, 1)), start=1):
                g = svrg_estimate(
                    objective.batch_grad(x, i),
                    objective.batch_grad(x_tilde, i),
                    mu_tilde,
                )
                x = x - lr * g
                inner.append(x)
                if j == m and option == "random":
                    x = inner[rng.integers(m)]
                elif j == m and option == "average":
                    x = np.mean(inner[1:], axis=0)
                t, evals = t + 1, evals + 2
                if not trace.add(t, x, lr, evals):
                    break
            if trace.diverged:
                break
    return trace.record(f"SVRG (m={m}, {option})", memory=2 * objective.dim)


def saga(objective, x0, lr, steps, rng, record_every=1, biased=False):
    r"""SAGA (Defazio, Bach & Lacoste-Julien, 2014), and with ``biased=True`` SAG.

    .. math::
        &\alpha_i \leftarrow \nabla f_i(x_0) \text{ for every } i, \quad
            \bar\alpha \leftarrow \tfrac1n \textstyle\sum_i \alpha_i \\
        &\textbf{for } t = 1, \ldots, T: \\
        &\quad i \sim \text{uniform}\{1..n\},\quad g_i \leftarrow \nabla f_i(x_{t-1}) \\
        &\quad x_t \leftarrow x_{t-1} - \eta\,(g_i - \alpha_i + \bar\alpha) \\
        &\quad \bar\alpha \leftarrow \bar\alpha + (g_i - \alpha_i)/n,
            \quad \alpha_i \leftarrow g_i

    The table :math:`\alpha` holds the last gradient computed for each example:
    an :math:`n \times d` array (``memory`` :math:`(n + 1)d` floats with its
    mean). It is filled at :math:`x_0`, which costs :math:`n` example gradients
    charged to the first step, so the estimate is unbiased from the start; then
    one example gradient per step. (For linear models :math:`\nabla f_i` is a
    multiple of the data row :math:`a_i`, so one number per example would do;
    this reference implementation stores whole gradients.)

    ``biased=True`` steps along :func:`sag_estimate` instead of
    :func:`saga_estimate`: the new gradient gets weight :math:`1/n` instead of 1,
    as in SAG, the biased member of the family that the SAGA paper describes. It
    is what :func:`sag` runs; nothing else changes.
    """
    x, rng = _setup(objective, x0, lr, rng)
    steps = _checks.integer("steps", steps, 0)
    biased = _checks.flag("biased", biased)
    n = objective.n
    trace = _Trace(objective, x, steps, record_every)
    table = np.array(objective.per_example_grads(x))
    table_mean = table.mean(axis=0)
    with np.errstate(over="ignore", invalid="ignore"):
        for t, i in enumerate(rng.integers(n, size=steps), start=1):
            g_i = objective.batch_grad(x, [i])
            if biased:  # SAG: the mean of the table with g_i stored
                g = sag_estimate(g_i, table[i], table_mean, n)
            else:  # SAGA: unbiased for any table
                g = saga_estimate(g_i, table[i], table_mean)
            x = x - lr * g
            table_mean = table_mean + (g_i - table[i]) / n
            table[i] = g_i
            if not trace.add(t, x, lr, n + t):
                break
    return trace.record("SAG" if biased else "SAGA", memory=(n + 1) * objective.dim)


def sag(objective, x0, lr, steps, rng, record_every=1):
    r"""Stochastic average gradient (Schmidt, Le Roux & Bach, 2017).

    .. math::
        &\alpha_i \leftarrow \nabla f_i(x_0) \text{ for every } i, \quad
            \bar\alpha \leftarrow \tfrac1n \textstyle\sum_i \alpha_i \\
        &\textbf{for } t = 1, \ldots, T: \\
        &\quad i \sim \text{uniform}\{1..n\},\quad g_i \leftarrow \nabla f_i(x_{t-1}) \\
        &\quad \bar\alpha \leftarrow \bar\alpha + (g_i - \alpha_i)/n,
            \quad \alpha_i \leftarrow g_i \\
        &\quad x_t \leftarrow x_{t-1} - \eta\, \bar\alpha

    The same table as :func:`saga` (and the same costs and memory), but the
    step is the table's mean: a biased, lower-variance estimate
    (:func:`sag_estimate`). The original paper starts from an empty table;
    here it is filled at :math:`x_0`, as in :func:`saga`, so the two differ
    only in the estimate, and share one loop: this is ``saga(..., biased=True)``.
    """
    return saga(objective, x0, lr, steps, rng, record_every, biased=True)
