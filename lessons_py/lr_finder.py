r"""The learning-rate range test ("LR finder") of Smith (2017), as in fastai's
``lr_find``.

One short run whose learning rate grows exponentially, step by step, from
``min_lr`` to ``max_lr``; the loss after each step is smoothed and plotted
against the learning rate. Where the smoothed loss falls fastest is a good
learning rate; where it shoots up, the learning rate is too large::

    result = lr_range_test(optim.SGD(), objective, x0, min_lr=1e-4, max_lr=10.0)
    result.lr_steepest       # learning rate where the smoothed loss falls fastest
    result.lr_min_div10      # a tenth of the learning rate at the smoothed minimum
    result.stopped_early     # True if the loss blew up before max_lr was reached

The algorithm, with :math:`K` = ``steps``, :math:`\beta` = ``beta`` and
:math:`D` = ``diverge_factor``:

.. math::
    &\eta_k = \eta_{\min} \left(\eta_{\max} / \eta_{\min}\right)^{k / (K - 1)},
        \qquad k = 0, \ldots, K - 1 \\
    &\theta_{k+1} = \text{optimizer step from } \theta_k
        \text{ with learning rate } \eta_k,
        \qquad \ell_k = L(\theta_{k+1}) \\
    &a_k = \beta a_{k-1} + (1 - \beta)\,\ell_k, \quad a_{-1} = 0,
        \qquad \bar\ell_k = a_k / (1 - \beta^{k+1}) \\
    &\textbf{stop} \text{ after step } k
        \text{ if } \bar\ell_k > D \min_{j \le k} \bar\ell_j
        \text{ or } \ell_k \text{ is not finite}

This is fastai's recipe (exponential ramp, ``beta=0.98`` with bias
correction, stop at 4 times the best smoothed loss, suggestions from the
curve without its first 10 % and last 5 points). Two differences: the loss
here is the *full* training loss after each step (cheap for the book's small
problems; fastai records the mini-batch loss, which is free in a network's
forward pass but noisier), and ``lr[k]`` is paired with the loss *after* the
step taken with it. The smoothing average lags: :math:`\bar\ell_k` mostly
reflects the last :math:`1/(1-\beta) = 50` steps, so the curve is shifted
towards larger learning rates, the more so the faster the ramp.
"""

from dataclasses import dataclass

import numpy as np

from . import _checks
from .adaptive import MovingAverage
from .loop import sampler
from .schedules import Schedule

__all__ = [
    "RangeTest",
    "exponential_ramp",
    "lr_range_test",
    "min_div10",
    "smooth",
    "steepest",
]


def exponential_ramp(min_lr, max_lr, steps):
    r"""The range test's schedule:
    :math:`\eta_k = \eta_{\min}(\eta_{\max}/\eta_{\min})^{k/(K-1)}`.

    ``steps`` :math:`K \ge 2` values from ``min_lr`` (step 0) to ``max_lr``
    (step :math:`K - 1`), a constant ratio apart; held at ``max_lr`` afterwards.
    Arguments: ``0 < min_lr < max_lr < ∞``, ``steps`` an integer >= 2.
    """
    min_lr = _checks.number(
        "min_lr", min_lr, 0.0, np.inf, low_open=True, high_open=True
    )
    max_lr = _checks.number(
        "max_lr", max_lr, min_lr, np.inf, low_open=True, high_open=True
    )
    K = _checks.integer("steps", steps, 2)
    ratio = max_lr / min_lr
    return Schedule(
        "exponential_ramp",
        {"min_lr": min_lr, "max_lr": max_lr, "steps": K},
        lambda t: min_lr * ratio ** (np.minimum(t, K - 1) / (K - 1)),
    )


def smooth(losses, beta=0.98):
    r"""Bias-corrected exponential moving average: :math:`a_k / (1 - \beta^{k+1})`.

    With :math:`a_k = \beta a_{k-1} + (1-\beta)\ell_k` and :math:`a_{-1} = 0`;
    the correction makes a constant sequence come back unchanged (as Adam's
    :math:`\hat m`). ``beta`` in [0, 1); 0 returns the losses themselves. It is
    :class:`lessons_py.adaptive.MovingAverage`, the package's one such average.
    """
    beta = _checks.number("beta", beta, 0.0, 1.0, high_open=True)
    losses = _checks.real_array("losses", losses, ndim=1, empty=True)
    average = MovingAverage(beta)
    return np.array([average.update(loss) for loss in losses], dtype=np.float64)


def _trimmed(lr, smoothed, skip_start, skip_end):
    """fastai drops the first 10 % and the last 5 points; keep at least 3 when
    possible."""
    lr = _checks.real_array("lr", lr, empty=True)
    smoothed = _checks.real_array("smoothed", smoothed, empty=True)
    if lr.size and not np.all((lr > 0) & np.isfinite(lr)):
        raise ValueError(
            "lr must hold finite learning rates > 0 (their logarithm is used)"
        )
    skip_start = _checks.number("skip_start", skip_start, 0.0, 1.0, high_open=True)
    skip_end = _checks.integer("skip_end", skip_end, 0)
    if lr.shape != smoothed.shape or lr.ndim != 1:
        raise ValueError(
            f"lr and smoothed must be 1-D arrays of one length, got {lr.shape} "
            f"and {smoothed.shape}"
        )
    start, end = int(skip_start * len(lr)), len(lr) - skip_end
    if end - start < 3:
        start, end = 0, len(lr)
    return lr[start:end], smoothed[start:end]


def steepest(lr, smoothed, skip_start=0.1, skip_end=5):
    r"""The learning rate where the smoothed loss falls fastest per unit of
    :math:`\log\eta`.

    Finite differences
    :math:`(\bar\ell_{k+1} - \bar\ell_k) / (\ln\eta_{k+1} - \ln\eta_k)` over the trimmed
    curve; returns the :math:`\eta_k` of the most negative one, or None with fewer than
    two points. (fastai's ``steep`` suggestion.) ``lr`` holds finite rates > 0;
    ``skip_start`` in [0, 1) is the fraction of points dropped at the start and
    ``skip_end`` (an integer >= 0) the number dropped at the end.
    """
    lr, smoothed = _trimmed(lr, smoothed, skip_start, skip_end)
    if len(lr) < 2:
        return None
    slope = np.diff(smoothed) / np.diff(np.log(lr))
    return float(lr[np.argmin(slope)])


def min_div10(lr, smoothed, skip_start=0.1, skip_end=5):
    """A tenth of the learning rate at the smallest smoothed loss (fastai's
    ``minimum``).

    Returns None for an empty curve.
    """
    lr, smoothed = _trimmed(lr, smoothed, skip_start, skip_end)
    if len(lr) == 0:
        return None
    return float(lr[np.argmin(smoothed)] / 10)


@dataclass(repr=False)
class RangeTest:
    """What one range test saw: one entry per step taken.

    ``lr[k]``: the learning rate of step ``k``; ``loss[k]``: the training
    loss after it; ``smoothed[k]``: its bias-corrected moving average;
    ``stopped_early``: True if the stop rule fired, i.e. the loss blew up (the
    last entry is then the step that tripped it).
    """

    lr: np.ndarray
    loss: np.ndarray
    smoothed: np.ndarray
    stopped_early: bool
    steps: int

    @property
    def lr_steepest(self):
        """:func:`steepest` of this curve."""
        return steepest(self.lr, self.smoothed)

    @property
    def lr_min_div10(self):
        """:func:`min_div10` of this curve."""
        return min_div10(self.lr, self.smoothed)

    @property
    def lr_stop(self):
        """The learning rate of the last step taken (where it stopped, if it stopped
        early)."""
        return float(self.lr[-1])

    def __repr__(self):
        end = (
            f"stopped at lr {self.lr_stop:.3g}"
            if self.stopped_early
            else "ran to the end"
        )
        return (
            f"RangeTest({len(self.lr)} of {self.steps} steps, {end}, "
            f"steepest {self.lr_steepest})"
        )


def lr_range_test(
    optimizer,
    objective,
    x0,
    *,
    min_lr=1e-6,
    max_lr=10.0,
    steps=100,
    batch_size=None,
    rng=None,
    beta=0.98,
    diverge_factor=4.0,
):
    """Run the range test and return a :class:`RangeTest`.

    * The optimizer is ``reset()`` first and its ``lr`` is overwritten at every
      step by :func:`exponential_ramp` ``(min_lr, max_lr, steps)``; its other
      hyperparameters (momentum, betas, ...) are used as they are.
    * ``batch_size=None`` uses full gradients; an integer draws mini-batches
      with :func:`lessons_py.loop.minibatches` from ``rng`` (a Generator or a
      seed; default seed 0), as :func:`lessons_py.run <lessons_py.loop.run>` does.
    * The loss is ``objective.loss`` after each step; the test stops early once
      the smoothed loss exceeds ``diverge_factor`` times its smallest value so
      far, or the loss or the parameters stop being finite. It assumes a
      positive loss (as every loss of a classifier or a regression is).

    Arguments: ``min_lr < max_lr`` both in (0, ∞), ``steps`` >= 2, ``beta`` in
    [0, 1), ``diverge_factor`` > 1. ``x0`` must be finite and is not modified.
    """
    schedule = exponential_ramp(min_lr, max_lr, steps)
    steps = schedule.params["steps"]
    beta = _checks.number("beta", beta, 0.0, 1.0, high_open=True)
    diverge_factor = _checks.number(
        "diverge_factor", diverge_factor, 1.0, np.inf, low_open=True, high_open=True
    )
    _checks.optimizer("optimizer", optimizer)
    _checks.objective("objective", objective)
    x = _checks.start("x0", x0, objective.dim)
    batches = sampler(objective, batch_size, rng)

    optimizer.reset()
    lrs, losses, smoothed = [], [], []
    average, best, stopped = MovingAverage(beta), np.inf, False
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for k in range(steps):
            optimizer.lr = schedule(k)
            g = (
                objective.grad(x)
                if batches is None
                else objective.batch_grad(x, next(batches))
            )
            x = optimizer.step(x, g)
            loss = float(objective.loss(x)) if np.all(np.isfinite(x)) else np.inf
            avg = float(average.update(loss))  # smooth(losses)[k], step by step
            lrs.append(optimizer.lr)
            losses.append(loss)
            smoothed.append(avg)
            best = min(best, avg)
            if not np.isfinite(loss) or avg > diverge_factor * best:
                stopped = True
                break
    return RangeTest(
        lr=np.array(lrs),
        loss=np.array(losses),
        smoothed=np.array(smoothed),
        stopped_early=stopped,
        steps=steps,
    )
