r"""Curvature along a run: Hessian-vector products, sharpness and gradient noise.

The *sharpness* of a loss at :math:`x` is the top eigenvalue of its Hessian,
:math:`\lambda_{\max}(\nabla^2 L(x))`. On a quadratic it is the constant :math:`L`
of gradient descent's stability limit :math:`\eta < 2/L`; on a network it changes
as the parameters move, and :func:`track_sharpness` follows it during training.

Everything here is built on one primitive, the Hessian-vector product
:func:`hvp` (the objective's exact ``hvp`` method: :meth:`lessons_py.mlp.MLP.hvp`
applies Pearlmutter's R-operator to the hand-written backprop, the other objectives
multiply by their Hessian), so the Hessian itself is never formed:

* :func:`top_eigenvalue`: :math:`\lambda_{\max}` by the Lanczos iteration, with a
  diagonal preconditioner :math:`P` the top eigenvalue of :math:`P^{-1}\nabla^2 L`
  (the sharpness an adaptive method sees); :func:`adam_preconditioner` reads
  :math:`P` off an ``Adam`` or ``AdamW`` state;
* :func:`gradient_noise_scale`: McCandlish et al.'s
  :math:`B_{\text{simple}} = \operatorname{tr}\Sigma / \lVert G\rVert^2` from the
  per-example gradients;
* :func:`hessian`: the dense Hessian, column by column, for small problems and
  tests.

Like the objectives, every function takes parameters with leading axes, shape
``(..., d)``: a stack of points is handled in one call.
"""

from dataclasses import dataclass

import numpy as np

from . import _checks
from .loop import sampler

__all__ = [
    "SharpnessTrace",
    "adam_preconditioner",
    "gradient_noise_scale",
    "hessian",
    "hvp",
    "top_eigenvalue",
    "track_sharpness",
]


def _point(objective, x, name="x"):
    """``x`` as parameters of ``objective`` (shape ``(..., d)``), finite."""
    return objective._x(_checks.real_array(name, x, finite=True, empty=True), name)


def hvp(objective, x, v):
    r"""The Hessian-vector product :math:`\nabla^2 L(x)\, v`, shape ``(..., d)``.

    Exact (no finite differences): the objective's own ``hvp`` method. ``x`` and
    ``v`` have shape ``(..., d)`` and broadcast against each other, so one call
    gives the products with many directions, or at many points.
    """
    _checks.objective("objective", objective, needs=("loss", "grad", "hvp"))
    x = _point(objective, x)
    v = _checks.real_array("v", v, finite=True)
    if v.shape[-1:] != (objective.dim,):
        raise ValueError(
            f"v must have shape (..., {objective.dim}) like x, got {v.shape}"
        )
    return objective.hvp(x, v)


def hessian(objective, x):
    r"""The dense Hessian :math:`\nabla^2 L(x)`, shape ``(..., d, d)``, from ``d``
    Hessian-vector products with the unit vectors (one batched call: for small ``d``
    only)."""
    _checks.objective("objective", objective, needs=("loss", "grad", "hvp"))
    x = _point(objective, x)
    eye = np.eye(objective.dim)
    return objective.hvp(x[..., None, :], eye)  # row j is H e_j; H is symmetric


def top_eigenvalue(
    objective,
    x,
    *,
    precond=None,
    iters=20,
    tol=1e-4,
    v0=None,
    seed=0,
    return_vector=False,
):
    r"""The largest eigenvalue of :math:`\nabla^2 L(x)`, or of
    :math:`P^{-1}\nabla^2 L(x)`, by the Lanczos iteration.

    .. math::
        \begin{aligned}
        &q_1 = v_0/\lVert v_0\rVert,\quad \beta_0 = 0,\quad q_0 = 0\\
        &\textbf{for } k = 1, 2, \dots, \texttt{iters}:\\
        &\quad w = A q_k - \beta_{k-1} q_{k-1},\quad \alpha_k = q_k^\top w,\quad
          w \leftarrow w - \alpha_k q_k\\
        &\quad w \leftarrow w - Q_k Q_k^\top w \quad\text{(full re-orthogonalisation)}\\
        &\quad \beta_k = \lVert w\rVert,\quad q_{k+1} = w/\beta_k\\
        &\quad \theta, s = \text{top eigenpair of the tridiagonal }
          T_k = \operatorname{tridiag}(\beta, \alpha, \beta)\\
        &\quad \textbf{stop if } \beta_k \lvert s_k\rvert \le \texttt{tol}\,
          \lvert\theta\rvert
        \end{aligned}

    with :math:`A = \nabla^2 L(x)`. The Ritz value :math:`\theta` never exceeds
    :math:`\lambda_{\max}`, and :math:`\beta_k\lvert s_k\rvert` is exactly the
    residual :math:`\lVert A y - \theta y\rVert` of the Ritz vector
    :math:`y = Q_k s`, so at the stop :math:`\theta` is within
    ``tol`` :math:`\cdot\lvert\theta\rvert` of an eigenvalue (in practice the
    top one, for a random or warm start). Each iteration costs one
    Hessian-vector product.

    ``precond``: positive diagonal :math:`P` (shape of ``x``). The eigenvalues of
    :math:`P^{-1}A` are those of the symmetric :math:`P^{-1/2} A P^{-1/2}`,
    which the iteration then uses.

    ``x`` may carry leading axes ``(..., d)``: each point gets its own iteration,
    all in one batch, until every one has converged or ``iters`` is reached. ``v0``
    (shape of ``x``, or ``(d,)``) starts the iteration, for instance at the
    previous vector of a run (a warm start); otherwise a normal vector drawn from
    ``seed``. Returns :math:`\lambda_{\max}` (shape ``(...)``, a float for one
    point), and with ``return_vector=True`` also the unit Ritz vectors (in the
    coordinates of :math:`P^{-1/2}AP^{-1/2}` when preconditioned).
    """
    _checks.objective("objective", objective, needs=("loss", "grad", "hvp"))
    x = _point(objective, x)
    iters = _checks.integer("iters", iters, 1)
    tol = _checks.number("tol", tol, 0.0, 1.0, low_open=True)
    _checks.flag("return_vector", return_vector)
    lead, d = x.shape[:-1], objective.dim
    scale = None
    if precond is not None:
        P = _checks.real_array("precond", precond, finite=True)
        _checks.same_shape("precond", P, "x", x)
        if not np.all(P > 0):
            raise ValueError("precond must be a positive diagonal: every entry > 0")
        scale = 1 / np.sqrt(P)
    if v0 is None:
        q = _checks.rng("seed", seed).standard_normal(x.shape)
    else:
        q = _checks.real_array("v0", v0, finite=True)
        if q.shape not in (x.shape, (d,)):
            raise ValueError(f"v0 must have shape {x.shape} or ({d},), got {q.shape}")
        q = np.broadcast_to(q, x.shape)
    norm = np.linalg.norm(q, axis=-1, keepdims=True)
    if not np.all(norm > 0):
        raise ValueError("v0 must not be zero")
    q = q / norm

    if hasattr(objective, "hvp_operator"):  # the forward pass once, not per product
        product = objective.hvp_operator(x)
    else:
        product = lambda u: objective.hvp(x, u)  # noqa: E731

    def apply(u):
        if scale is None:
            return product(u)
        return scale * product(scale * u)

    Q = np.zeros(lead + (min(iters, d) + 1, d))
    alpha, beta = [], []
    Q[..., 0, :] = q
    lam = np.full(lead, -np.inf)
    vec = q.copy()
    done = np.zeros(lead, bool)
    for k in range(min(iters, d)):
        w = apply(Q[..., k, :])
        if k:
            w = w - beta[-1][..., None] * Q[..., k - 1, :]
        alpha.append(np.sum(w * Q[..., k, :], axis=-1))
        w = w - alpha[-1][..., None] * Q[..., k, :]
        for _ in range(2):  # twice is enough (Parlett's "twice is enough")
            w = w - np.einsum(
                "...kd,...k->...d", Q, np.einsum("...kd,...d->...k", Q, w)
            )
        beta.append(np.linalg.norm(w, axis=-1))
        T = np.zeros(lead + (k + 1, k + 1))
        i = np.arange(k + 1)
        T[..., i, i] = np.stack(alpha, -1)
        if k:
            T[..., i[:-1], i[1:]] = T[..., i[1:], i[:-1]] = np.stack(beta[:k], -1)
        theta, S = np.linalg.eigh(T)
        top, s = theta[..., -1], S[..., :, -1]
        residual = beta[-1] * np.abs(s[..., -1])
        new = ~done
        lam = np.where(new, top, lam)
        vec = np.where(
            new[..., None], np.einsum("...kd,...k->...d", Q[..., : k + 1, :], s), vec
        )
        done = done | (residual <= tol * np.abs(top))
        if np.all(done) or k + 1 == d:
            break
        # a run whose Krylov space is invariant (beta = 0) has converged above
        safe = np.where(beta[-1] > 0, beta[-1], 1.0)
        Q[..., k + 1, :] = w / safe[..., None]
    vec = vec / np.linalg.norm(vec, axis=-1, keepdims=True)
    lam = float(lam) if lam.ndim == 0 else lam
    return (lam, vec) if return_vector else lam


def adam_preconditioner(optimizer):
    r"""The diagonal :math:`P_t` of an ``Adam``/``AdamW`` step, read off its state.

    Cohen et al. (2022) write Adam's update as
    :math:`x_{t+1} = x_t - \eta P_t^{-1} m_t` with the raw moving average
    :math:`m_t` and

    .. math::
        P_t = (1 - \beta_1^t)\left(\sqrt{v_t/(1 - \beta_2^t)} + \epsilon\right),

    so that :math:`\lambda_{\max}(P_t^{-1}\nabla^2 L)` is the sharpness the
    step sees; it is stable below :math:`(2 + 2\beta_1)/((1 - \beta_1)\eta)`.
    Raises ``ValueError`` before the first step (there is no state yet) or for an
    optimizer without Adam's ``betas``, ``eps`` and second moment ``v``.
    """
    if not all(hasattr(optimizer, a) for a in ("betas", "eps", "v", "t")):
        raise ValueError(f"optimizer must be an Adam or AdamW, got {optimizer!r}")
    if optimizer.t == 0 or optimizer.v is None:
        raise ValueError("optimizer has taken no step yet: there is no preconditioner")
    beta1, beta2 = optimizer.betas
    t = optimizer.t
    v_hat = optimizer.v / (1 - beta2**t)
    return (1 - beta1**t) * (np.sqrt(v_hat) + optimizer.eps)


def gradient_noise_scale(objective, x):
    r"""McCandlish et al.'s (2018) simple noise scale
    :math:`B_{\text{simple}} = \operatorname{tr}\Sigma / \lVert G\rVert^2`.

    :math:`G = \nabla L(x)` and :math:`\Sigma = \frac1n\sum_i (g_i - G)(g_i - G)^\top`
    is the covariance of one example's gradient :math:`g_i`, both over the whole
    training set: :math:`\operatorname{tr}\Sigma` is
    :meth:`~lessons_py.objectives.FiniteSum.gradient_variance`. A mini-batch of
    :math:`B` examples (drawn with replacement) has gradient noise
    :math:`\operatorname{tr}\Sigma/B`, equal to the signal :math:`\lVert G\rVert^2`
    at :math:`B = B_{\text{simple}}`: well below it, doubling the batch nearly
    halves the steps needed; well above, it saves almost none. Shape ``(...)`` for
    ``x`` of shape ``(..., d)``; ∞ where the mean gradient is exactly zero but the
    examples' gradients are not, NaN where every example's gradient is zero.
    """
    _checks.objective(
        "objective", objective, needs=("loss", "grad", "gradient_variance")
    )
    x = _point(objective, x)
    G = objective.grad(x)
    trace = np.asarray(objective.gradient_variance(x))
    with np.errstate(divide="ignore", invalid="ignore"):
        B = trace / np.sum(G * G, axis=-1)
    return float(B) if B.ndim == 0 else B


@dataclass(repr=False)
class SharpnessTrace:
    """What :func:`track_sharpness` saw.

    ``loss``: the training loss at every step's start point, shape
    ``(steps + 1, ...)`` (entry ``t`` is the loss after ``t`` updates);
    ``step``: the steps at which the sharpness was measured (0, ``every``,
    2 ``every``, ..., and the last); ``sharpness``: :math:`\\lambda_{\\max}` there
    (of :math:`P^{-1}\\nabla^2 L` when preconditioned; NaN before the first step for
    a preconditioner that needs one), shape ``(len(step), ...)``; ``x``: the
    final parameters; ``diverged``: runs that blew up (their later entries are
    NaN).
    """

    step: np.ndarray
    loss: np.ndarray
    sharpness: np.ndarray
    x: np.ndarray
    diverged: np.ndarray

    def __repr__(self):
        return (
            f"SharpnessTrace({len(self.loss) - 1} steps, sharpness at "
            f"{len(self.step)} points, {int(np.sum(self.diverged))} diverged)"
        )


def track_sharpness(
    optimizer,
    objective,
    x0,
    steps,
    *,
    every=10,
    batch_size=None,
    precond=None,
    iters=20,
    tol=1e-3,
    rng=None,
    blowup=1e10,
):
    r"""Train, measuring the sharpness every ``every`` steps: a
    :class:`SharpnessTrace`.

    ``optimizer`` takes ``steps`` steps from ``x0`` on full gradients
    (``batch_size=None``) or on mini-batches of ``batch_size`` examples from
    :func:`lessons_py.loop.sampler`, shuffled by ``rng`` (a Generator or a seed;
    None is seed 0). ``x0`` of shape ``(runs, d)`` with hyperparameters of shape
    ``(runs, 1)`` trains ``runs`` networks at once (they share the batches); a run
    that blows up (its parameters stop being finite or its loss exceeds the start
    value by ``blowup`` times ``max(1, |loss₀|)``, as in :func:`lessons_py.loop.run`)
    stops changing and reads NaN from then on, while the others go on.

    Every ``every`` steps :func:`top_eigenvalue` measures :math:`\lambda_{\max}`
    (``iters``, ``tol``), each time warm-started at the previous vector, so a
    measurement usually converges in a few products. At the edge of stability
    the sharpness often alternates from one step to the next, so an even ``every``
    sees only one side of the oscillation: an odd one samples both.
    ``precond(optimizer)``, if given, returns the diagonal preconditioner of the
    optimizer's last step (for example :func:`adam_preconditioner`); the trace then
    holds :math:`\lambda_{\max}(P^{-1}\nabla^2 L)`, NaN at step 0.
    """
    _checks.optimizer("optimizer", optimizer)
    _checks.objective("objective", objective, needs=("loss", "grad", "hvp"))
    steps = _checks.integer("steps", steps, 1)
    every = _checks.integer("every", every, 1)
    blowup = _checks.number("blowup", blowup, 0.0, low_open=True, finite=False)
    _checks.function("precond", precond, none=True)
    x = _checks.real_array("x0", x0, finite=True)
    if x.shape[-1:] != (objective.dim,) or x.ndim > 2:
        raise ValueError(
            f"x0 must have shape ({objective.dim},) or (runs, {objective.dim}), "
            f"got {x.shape}"
        )
    sweep = [  # hyperparameters of shape (runs, 1): one run each
        np.shape(value)[:-1]
        for value in getattr(optimizer, "_hyperparameters", dict)().values()
        if isinstance(value, np.ndarray) and value.ndim == 2
    ]
    try:
        x = np.broadcast_to(x, np.broadcast_shapes(x.shape[:-1], *sweep) + x.shape[-1:])
    except ValueError:
        raise ValueError(
            f"x0 of shape {x.shape} does not match the optimizer's sweep of "
            f"{sweep[0][0]} runs"
        ) from None
    shape = x.shape  # what the optimizer sees; below, always (runs, d)
    single = x.ndim == 1
    x = x.reshape(-1, objective.dim).copy()
    batches = sampler(objective, batch_size, rng)
    both = batches is None and callable(getattr(objective, "loss_and_grad", None))
    optimizer.reset()
    runs = len(x)
    alive = np.ones(runs, bool)
    loss = np.full((steps + 1, runs), np.nan)
    measured = sorted(set(range(0, steps + 1, every)) | {steps})
    sharp = np.full((len(measured), runs), np.nan)
    vec = np.random.default_rng(0).standard_normal(x.shape)  # warm starts, per run
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for t in range(steps + 1):
            f, g = objective.loss_and_grad(x) if both else (objective.loss(x), None)
            if t == 0:
                limit = f + blowup * np.maximum(1.0, np.abs(f))
            alive &= (f <= limit) & np.all(np.isfinite(x), axis=-1)  # False at NaN
            loss[t] = np.where(alive, f, np.nan)
            if t in measured and np.any(alive):
                P = None
                if precond is not None and optimizer.t > 0:
                    P = np.broadcast_to(precond(optimizer), x.shape)
                if precond is None or P is not None:
                    keep = alive & (True if P is None else np.all(P > 0, axis=-1))
                    sharp[measured.index(t), keep], vec[keep] = top_eigenvalue(
                        objective,
                        x[keep],
                        precond=None if P is None else P[keep],
                        iters=iters,
                        tol=tol,
                        v0=vec[keep],
                        return_vector=True,
                    )
            if t == steps or not np.any(alive):
                break
            if g is None:
                g = (
                    objective.grad(x)
                    if batches is None
                    else objective.batch_grad(x, next(batches))
                )
            step = optimizer.step(x.reshape(shape), g.reshape(shape))
            x = np.where(alive[:, None], step.reshape(x.shape), x)
    out = (lambda a: a[..., 0]) if single else (lambda a: a)
    return SharpnessTrace(
        step=np.array(measured),
        loss=out(loss),
        sharpness=out(sharp),
        x=x[0] if single else x,
        diverged=bool(~alive[0]) if single else ~alive,
    )
