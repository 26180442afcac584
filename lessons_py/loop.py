"""The training loop every chapter uses: optimizer + objective + start → a
:class:`Record`."""

from dataclasses import dataclass

import numpy as np

from . import _checks
from .objectives import FiniteSum
from .schedules import apply as apply_schedule

__all__ = ["Record", "Recorder", "Runs", "minibatches", "run", "run_many", "sampler"]


@dataclass(repr=False)
class Record:
    """What one run did (entry 0 is the start point).

    ``step``: the step count of each recorded entry (0, 1, 2, ... or every
    ``record_every``-th step, always ending with the last); ``x``: parameters
    there, shape ``(entries, d)``; ``loss`` and ``grad_norm`` (norm of the
    *full* gradient); ``grad_evals``: cumulative gradient evaluations (example
    gradients for a finite sum: ``b`` per mini-batch step, ``n`` per full step;
    otherwise one per step); ``lr``: the learning rate of *every* step taken.
    ``diverged`` is True when the run was stopped because the loss or the
    parameters blew up; it then ends before ``steps``.
    """

    label: str
    step: np.ndarray
    x: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray
    lr: np.ndarray
    grad_evals: np.ndarray
    steps: int
    diverged: bool

    @property
    def final_loss(self):
        return float(self.loss[-1])

    @property
    def status(self):
        k = int(self.step[-1])
        if self.diverged:
            return f"diverged at step {k} of {self.steps} (loss {self.loss[-1]:.3g})"
        return f"finished {k} steps, final loss {self.loss[-1]:.6g}"

    def __repr__(self):
        return f"Record({self.label!r}: {self.status})"


class Recorder:
    """Collects a run as it goes and turns it into a :class:`Record` (shared by every
    loop).

    ``add(t, x, lr, evals)`` notes that step ``t`` (learning rate ``lr``; ``evals``
    gradient evaluations so far) reached ``x``; it records the loss, parameters and
    full-gradient norm every ``record_every`` steps, at the last step and whenever
    ``x`` stops being finite, and returns False once the run has diverged: the
    parameters or loss are not finite, or the loss exceeds its start value by
    ``blowup`` times ``max(1, |loss₀|)``.
    """

    def __init__(self, objective, x0, steps, record_every=1, blowup=1e10):
        self.objective = _checks.objective("objective", objective)
        self.steps = _checks.integer("steps", steps, 0)
        self.every = _checks.integer("record_every", record_every, 1)
        blowup = _checks.number("blowup", blowup, 0.0, low_open=True, finite=False)
        x0 = _checks.start("x0", x0, objective.dim)
        self.step, self.xs, self.losses, self.norms, self.evals, self.lrs = (
            [],
            [],
            [],
            [],
            [],
            [],
        )
        self.diverged = False
        self._record(0, x0, 0)
        self.limit = self.losses[0] + blowup * max(1.0, abs(self.losses[0]))

    def _record(self, t, x, evals):
        self.step.append(t)
        self.xs.append(x)
        self.losses.append(float(self.objective.loss(x)))
        self.norms.append(float(np.linalg.norm(self.objective.grad(x))))
        self.evals.append(evals)

    def add(self, t, x, lr, evals):
        self.lrs.append(lr)
        finite = bool(np.all(np.isfinite(x)))
        if t % self.every == 0 or t == self.steps or not finite:
            self._record(t, x, evals)
            if not (
                finite
                and np.isfinite(self.losses[-1])
                and self.losses[-1] <= self.limit
            ):
                self.diverged = True
        return not self.diverged

    def fields(self, label):
        """The keyword arguments of a :class:`Record` (subclasses add their own)."""
        return dict(
            label=label,
            step=np.array(self.step),
            x=np.array(self.xs),
            loss=np.array(self.losses),
            grad_norm=np.array(self.norms),
            lr=np.array(self.lrs, dtype=np.float64),
            grad_evals=np.array(self.evals),
            steps=self.steps,
            diverged=self.diverged,
        )


def minibatches(rng, n, batch_size):
    """Endless mini-batch indices, as a DataLoader with
    ``shuffle=True, drop_last=True``.

    Each epoch is a fresh permutation of the ``n`` examples cut into
    ``n // batch_size`` batches; within an epoch no example repeats. ``rng`` is a
    ``np.random.Generator`` (its state advances) or a seed; ``n >= 1`` and
    ``batch_size`` in [1, n] are checked at once, before the first batch.
    """
    rng = _checks.rng("rng", rng)
    n = _checks.integer("n", n, 1)
    batch_size = _checks.integer("batch_size", batch_size, 1, n)
    return _epochs(rng, n, batch_size)


def _epochs(rng, n, batch_size):
    while True:
        order = rng.permutation(n)
        for start in range(0, n - batch_size + 1, batch_size):
            yield order[start : start + batch_size]


def sampler(objective, batch_size, rng=None):
    """The mini-batches of :func:`run` and :func:`lessons_py.lr_finder.lr_range_test`.

    ``batch_size=None`` means full gradients and returns None. An integer ``b`` in
    [1, n] needs a finite-sum objective and returns :func:`minibatches` of ``b``
    examples shuffled by ``rng`` (a Generator or a seed; None is seed 0, so runs are
    reproducible).
    """
    if batch_size is None:
        return None
    if not isinstance(objective, FiniteSum):
        raise ValueError(f"batch_size needs a finite-sum objective, got {objective!r}")
    batch_size = _checks.integer("batch_size", batch_size, 1)
    if batch_size > objective.n:
        raise ValueError(
            f"batch_size must lie in [1, {objective.n}] (n), got {batch_size}"
        )
    return minibatches(0 if rng is None else rng, objective.n, batch_size)


def run(
    optimizer,
    objective,
    x0,
    steps,
    *,
    batch_size=None,
    schedule=None,
    rng=None,
    label=None,
    blowup=1e10,
    record_every=1,
):
    """Run ``steps`` optimizer steps on ``objective`` from ``x0`` and record everything.

    * The optimizer is ``reset()`` first, so a run never inherits state.
    * ``batch_size=None`` uses the full gradient; an integer ``b`` takes
      mini-batches of ``b`` examples from :func:`minibatches` (finite sums only),
      shuffled by ``rng``, a Generator or a seed (default seed 0: reproducible).
    * ``schedule``: a function of the number of completed updates ``s = 0, 1, ...``;
      before update ``t`` it writes ``schedule(t - 1)`` to ``optimizer.lr`` (and, for
      a schedule that cycles the momentum, ``schedule.momentum(t - 1)`` to the
      optimizer's momentum or ``betas[0]``: :func:`lessons_py.schedules.apply`).
    * The run stops early, with ``diverged=True`` and without overflow warnings,
      as soon as the parameters or the loss stop being finite or the loss exceeds
      its start value by ``blowup`` times ``max(1, |loss₀|)``.
    * ``record_every=k`` records the loss, parameters and gradient norm only
      every ``k`` steps (and at the end): long runs of cheap steps stay cheap.

    ``x0`` must be finite: a run that starts at NaN or ∞ is refused, not reported
    as diverged.
    """
    _checks.optimizer("optimizer", optimizer)
    _checks.objective("objective", objective)
    steps = _checks.integer("steps", steps, 0)
    x = _checks.start("x0", x0, objective.dim)
    _checks.function("schedule", schedule, none=True)
    _checks.text("label", label, none=True)
    batches = sampler(objective, batch_size, rng)
    stochastic = batches is not None
    cost = batch_size if stochastic else getattr(objective, "n", 1)

    optimizer.reset()
    recorder = Recorder(objective, x, steps, record_every, blowup)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for t in range(1, steps + 1):
            if schedule is not None:
                apply_schedule(schedule, optimizer, t - 1)
            g = (
                objective.batch_grad(x, next(batches))
                if stochastic
                else objective.grad(x)
            )
            lr = optimizer.lr
            x = optimizer.step(x, g)
            if not recorder.add(t, x, lr, cost * t):
                break
    return Record(**recorder.fields(label or type(optimizer).__name__))


@dataclass(repr=False)
class Runs:
    """Many runs of one setup at once, from :func:`run_many` (entry 0 is the start).

    ``step``: the recorded step counts (0, then every ``record_every``-th step and
    the last); ``x``: the parameters there, shape ``(entries, runs, d)``; ``loss``: the
    full loss, shape ``(entries, runs)``; ``grad_evals``: example gradients computed
    by each run up to each entry (``b`` per step); ``diverged``: shape ``(runs,)``,
    True for a run whose loss or parameters stopped being finite.
    """

    label: str
    step: np.ndarray
    x: np.ndarray
    loss: np.ndarray
    grad_evals: np.ndarray
    steps: int
    diverged: np.ndarray

    def __repr__(self):
        return (
            f"Runs({self.label!r}: {self.loss.shape[1]} runs of {self.steps} steps, "
            f"{int(self.diverged.sum())} diverged)"
        )


def run_many(
    optimizer,
    objective,
    x0,
    steps,
    *,
    runs,
    batch_size,
    schedule=None,
    rng=None,
    replacement=False,
    record_every=1,
    label=None,
):
    """``runs`` independent mini-batch runs at once, vectorised over a leading axis.

    What :func:`run` does for one run with ``batch_size``, for many: the parameters
    have shape ``(runs, d)`` (``x0`` of shape ``(d,)`` starts every run at the same
    point, ``(runs, d)`` gives each its own) and the optimizer's hyperparameters may
    have shape ``(runs, 1)``, so that one call sweeps, say, a grid of learning rates.
    Every run draws its own batches of ``batch_size`` examples from ``rng`` (a
    Generator or a seed; None is seed 0):

    * ``replacement=False``: an epoch-wise shuffle, as :func:`minibatches` and a
      DataLoader with ``shuffle=True, drop_last=True`` (a fresh permutation per epoch
      and run, ``n // b`` batches per epoch, no example twice in an epoch); the
      batches differ from those :func:`run` draws from the same ``rng``;
    * ``replacement=True``: every example of every batch drawn independently and
      uniformly, the sampling that the convergence theorems for SGD assume.

    ``schedule(s)`` gives the learning rate of the update that follows ``s = t − 1``
    completed updates (a number, or an array of shape ``(runs, 1)``), as in
    :func:`run`. Runs that blow up are not stopped: their entries become ∞ or NaN,
    without warnings, and ``diverged`` marks them. The loss is computed only at the
    recorded steps, so ``record_every`` keeps long sweeps cheap.
    """
    _checks.optimizer("optimizer", optimizer)
    _checks.objective("objective", objective)
    if not isinstance(objective, FiniteSum):
        raise ValueError(f"run_many needs a finite-sum objective, got {objective!r}")
    steps = _checks.integer("steps", steps, 0)
    runs = _checks.integer("runs", runs, 1)
    b = _checks.integer("batch_size", batch_size, 1, objective.n)
    every = _checks.integer("record_every", record_every, 1)
    replacement = _checks.flag("replacement", replacement)
    _checks.function("schedule", schedule, none=True)
    _checks.text("label", label, none=True)
    rng = _checks.rng("rng", 0 if rng is None else rng)
    x = _checks.real_array("x0", x0, finite=True)
    if x.shape not in ((objective.dim,), (runs, objective.dim)):
        raise ValueError(
            f"x0 must have shape ({objective.dim},) or ({runs}, {objective.dim}) "
            f"(runs, d), got {x.shape}"
        )
    x = np.broadcast_to(x, (runs, objective.dim)).copy()

    n = objective.n
    order, position = None, n
    optimizer.reset()
    step, xs, losses = [0], [x], [objective.loss(x)]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for t in range(1, steps + 1):
            if schedule is not None:
                apply_schedule(schedule, optimizer, t - 1)
            if replacement:
                idx = rng.integers(0, n, size=(runs, b))
            else:
                if position + b > n:  # a new epoch: drop the incomplete last batch
                    order = rng.permuted(
                        np.broadcast_to(np.arange(n), (runs, n)), axis=1
                    )
                    position = 0
                idx = order[:, position : position + b]
                position += b
            x = optimizer.step(x, objective.batch_grad(x, idx))
            if t % every == 0 or t == steps:
                step.append(t)
                xs.append(x)
                losses.append(objective.loss(x))
        loss = np.array(losses)
        xs = np.array(xs)
        diverged = ~(
            np.all(np.isfinite(loss), axis=0) & np.all(np.isfinite(xs), axis=(0, 2))
        )
    step = np.array(step)
    return Runs(
        label=label or type(optimizer).__name__,
        step=step,
        x=xs,
        loss=loss,
        grad_evals=b * step,
        steps=steps,
        diverged=diverged,
    )
