"""The training loop every chapter uses: optimizer + objective + start → a :class:`Record`."""

from dataclasses import dataclass

import numpy as np

from . import _checks
from .objectives import FiniteSum

__all__ = ["Record", "Recorder", "minibatches", "run"]


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
    """Collects a run as it goes and turns it into a :class:`Record` (shared by every loop).

    ``add(t, x, lr, evals)`` notes that step ``t`` (learning rate ``lr``; ``evals``
    gradient evaluations so far) reached ``x``; it records the loss, parameters and
    full-gradient norm every ``record_every`` steps, at the last step and whenever
    ``x`` stops being finite, and returns False once the run has diverged: the
    parameters or loss are not finite, or the loss exceeds its start value by
    ``blowup`` times ``max(1, |loss₀|)``.
    """

    def __init__(self, objective, x0, steps, record_every=1, blowup=1e10):
        self.objective, self.steps = objective, steps
        self.every = _checks.integer("record_every", record_every, 1)
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
    """Endless mini-batch indices, as a DataLoader with ``shuffle=True, drop_last=True``.

    Each epoch is a fresh permutation of the ``n`` examples cut into
    ``n // batch_size`` batches; within an epoch no example repeats.
    """
    while True:
        order = rng.permutation(n)
        for start in range(0, n - batch_size + 1, batch_size):
            yield order[start : start + batch_size]


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
      shuffled by ``rng`` (default ``np.random.default_rng(0)``: reproducible).
    * ``schedule``: a function of the step count ``t = 0, 1, ...`` giving the
      learning rate for that step; it is written to ``optimizer.lr``.
    * The run stops early, with ``diverged=True`` and without overflow warnings,
      as soon as the parameters or the loss stop being finite or the loss exceeds
      its start value by ``blowup`` times ``max(1, |loss₀|)``.
    * ``record_every=k`` records the loss, parameters and gradient norm only
      every ``k`` steps (and at the end): long runs of cheap steps stay cheap.
    """
    steps = _checks.integer("steps", steps, 0)
    x = np.asarray(x0, dtype=np.float64).copy()
    if x.shape != (objective.dim,):
        raise ValueError(
            f"x0 must have shape ({objective.dim},) for this objective, got {x.shape}"
        )
    stochastic = batch_size is not None
    if stochastic:
        if not isinstance(objective, FiniteSum):
            raise ValueError(
                f"batch_size needs a finite-sum objective, got {objective!r}"
            )
        batch_size = _checks.integer("batch_size", batch_size, 1)
        if batch_size > objective.n:
            raise ValueError(
                f"batch_size must lie in [1, {objective.n}] (n), got {batch_size}"
            )
        rng = np.random.default_rng(0) if rng is None else rng
        batches = minibatches(rng, objective.n, batch_size)
    cost = batch_size if stochastic else getattr(objective, "n", 1)

    optimizer.reset()
    recorder = Recorder(objective, x, steps, record_every, blowup)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for t in range(1, steps + 1):
            if schedule is not None:
                optimizer.lr = schedule(t - 1)
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
