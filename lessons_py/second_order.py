r"""Second-order and quasi-Newton methods: Newton, Newton-CG, L-BFGS, Gauss–Newton.

Each method runs on an objective from :mod:`lessons_py.objectives` (it needs
``loss``, ``grad`` and, for Newton, ``hessian``) and returns a
:class:`SecondOrderRecord`: a :class:`~lessons_py.loop.Record` (so chapters plot
every method the same way) with three more fields, ``loss_evals``,
``hess_evals`` and ``converged``.

Notation (Nocedal & Wright's): :math:`\nabla^2 f` is the Hessian, :math:`H_k`
an approximation of its *inverse* (BFGS, L-BFGS), :math:`G` the Gauss–Newton
matrix and :math:`F` the Fisher information (:func:`gauss_newton_matrix`,
:func:`fisher_information`, :func:`empirical_fisher`).

Conventions shared by the whole module:

* ``x`` is the parameter vector of shape ``(d,)``; the inputs are never modified.
* Iteration ``t`` turns :math:`x_{t-1}` into :math:`x_t = x_{t-1} + \alpha_t p_t`
  with a search direction :math:`p_t`; ``lr[t-1]`` is the step length
  :math:`\alpha_t` (1 for a full Newton step).
* The run stops as soon as :math:`\|\nabla f(x_t)\| \le` ``tol`` (then
  ``converged`` is True), after ``max_iter`` iterations, when a line search
  fails, or when the iterate stops being finite (``diverged``).
* Counts are cumulative, one entry per iterate, and ``[0]`` is 0: an evaluation
  is charged to the iteration that needs it (the gradient at :math:`x_0` to the
  first). For a finite sum every count is in *example* units, ``n`` per full
  evaluation, as in :func:`lessons_py.loop.run`.

Line searches are public so that chapters can show them on their own:
:func:`backtracking` (Armijo) and :func:`strong_wolfe` (Nocedal & Wright,
*Numerical Optimization*, Algorithms 3.5 and 3.6).
"""

from collections import deque
from dataclasses import dataclass, replace

import numpy as np

from . import _checks
from .loop import Record, Recorder
from .objectives import LeastSquares, LogisticRegression, Rosenbrock

__all__ = [
    "CGResult",
    "LinePoint",
    "SecondOrderRecord",
    "backtracking",
    "conjugate_gradient",
    "empirical_fisher",
    "fisher_information",
    "gauss_newton",
    "gauss_newton_matrix",
    "hessian_vector_product",
    "lbfgs",
    "natural_gradient",
    "newton",
    "newton_cg",
    "strong_wolfe",
    "two_loop_direction",
]


@dataclass(repr=False)
class SecondOrderRecord(Record):
    r"""A :class:`~lessons_py.loop.Record` with the costs a second-order method adds.

    ``grad_evals``, ``loss_evals`` and ``hess_evals`` (Hessians for
    :func:`newton`, Hessian-vector products for :func:`newton_cg`, 0 for
    :func:`lbfgs`) are cumulative, shape ``(k + 1,)``, and include every
    line-search trial of every step taken (a search that fails ends the run
    and, leading to no iterate, is not counted). ``converged`` is True when
    the last iterate has :math:`\|\nabla f\| \le` ``tol``. ``iterations``
    is the number of steps taken, :math:`k`.
    """

    loss_evals: np.ndarray = None
    hess_evals: np.ndarray = None
    converged: bool = False

    @property
    def iterations(self):
        return len(self.loss) - 1

    @property
    def status(self):
        if self.converged:
            return (
                f"converged in {self.iterations} iterations "
                f"(|grad| {self.grad_norm[-1]:.2g}, "
                f"{self.grad_evals[-1]} gradient evaluations)"
            )
        return super().status


class _Trace(Recorder):
    """The loop's :class:`~lessons_py.loop.Recorder`, recording every iterate, plus the
    loss evaluations and Hessians (or products) a step costs; returns a
    :class:`SecondOrderRecord`. There is no blow-up test: a Newton step may raise the
    loss by any factor and still head for a minimum; only a non-finite iterate or loss
    counts as diverged."""

    def __init__(self, objective, x0, steps):
        super().__init__(objective, x0, steps, blowup=np.inf)
        self.unit = getattr(objective, "n", None) or 1  # example gradients per gradient
        self.costs = [(0, 0, 0)]  # cumulative gradients, losses, Hessians per iterate

    def advance(self, x, alpha, grads, losses, hessians):
        """Append the iterate ``x``, reached with step length ``alpha``, and the step's
        costs; False once the run has diverged."""
        g, f, h = self.costs[-1]
        self.costs.append((g + grads, f + losses, h + hessians))
        return self.add(len(self.costs) - 1, x, float(alpha), self.unit * (g + grads))

    def record(self, label, tol):
        costs = self.unit * np.array(self.costs)
        return SecondOrderRecord(
            **self.fields(label),
            loss_evals=costs[:, 1],
            hess_evals=costs[:, 2],
            converged=not self.diverged and self.norms[-1] <= tol,
        )


def _start(objective, x0, needs=("loss", "grad")):
    _checks.objective("objective", objective, needs=needs)
    return _checks.start("x0", x0, objective.dim)  # finite, (d,), a copy


def _line_search_args(objective, x, p, f0, g0, alpha0, c1):
    """The checked arguments of a line search: x, p and g0 finite of one shape."""
    _checks.objective("objective", objective)
    x = _checks.start("x", x, objective.dim)
    p = _checks.real_array("p", p, finite=True)
    g0 = _checks.real_array("g0", g0, finite=True)
    _checks.same_shape("p", p, "x", x)
    _checks.same_shape("g0", g0, "x", x)
    f0 = _checks.number("f0", f0, -np.inf)
    alpha0 = _checks.number("alpha0", alpha0, 0.0, low_open=True)
    c1 = _checks.number("c1", c1, 0.0, 1.0, low_open=True, high_open=True)
    return x, p, f0, g0, alpha0, c1


# ------------------------------------------------------------------ line searches


@dataclass(frozen=True)
class LinePoint:
    r"""One trial of a line search along :math:`p` from :math:`x`: the step
    :math:`\alpha`, :math:`\varphi(\alpha) = f(x + \alpha p)`, the gradient
    :math:`g = \nabla f(x + \alpha p)` and the slope
    :math:`\varphi'(\alpha) = g^\top p`."""

    alpha: float
    f: float
    g: np.ndarray
    slope: float


def backtracking(objective, x, p, f0, g0, alpha0=1.0, c1=1e-4, rho=0.5, max_evals=60):
    r"""Armijo backtracking: the first :math:`\alpha = \alpha_0 \rho^j` with sufficient
    decrease.

    .. math::
        f(x + \alpha p) \le f(x) + c_1 \alpha\, \nabla f(x)^\top p

    Needs a descent direction, :math:`\nabla f(x)^\top p < 0`. Returns
    ``(alpha, f_new, evals)`` (``evals`` loss evaluations), or ``(None, None,
    evals)`` when ``max_evals`` trials all fail (as happens once the decrease
    is below rounding error).
    """
    x, p, f0, g0, alpha0, c1 = _line_search_args(objective, x, p, f0, g0, alpha0, c1)
    rho = _checks.number("rho", rho, 0.0, 1.0, low_open=True, high_open=True)
    max_evals = _checks.integer("max_evals", max_evals, 1)
    slope0 = float(g0 @ p)
    alpha = alpha0
    for evals in range(1, max_evals + 1):
        f_new = float(objective.loss(x + alpha * p))
        if f_new <= f0 + c1 * alpha * slope0:
            return alpha, f_new, evals
        alpha *= rho
    return None, None, max_evals


def _cubic_minimizer(a, b):
    r"""Minimiser of the cubic through :math:`\varphi, \varphi'` at ``a`` and ``b``
    (Nocedal & Wright, eq. 3.59),
    or the midpoint when it is undefined or too close to an end (safeguard)."""
    lo, hi = min(a.alpha, b.alpha), max(a.alpha, b.alpha)
    if not np.all(np.isfinite([a.f, a.slope, b.f, b.slope])):
        return 0.5 * (lo + hi)
    d1 = a.slope + b.slope - 3 * (a.f - b.f) / (a.alpha - b.alpha)
    radicand = d1 * d1 - a.slope * b.slope
    if radicand >= 0:
        d2 = np.sign(b.alpha - a.alpha) * np.sqrt(radicand)
        denominator = b.slope - a.slope + 2 * d2
        if denominator != 0:
            alpha = b.alpha - (b.alpha - a.alpha) * (b.slope + d2 - d1) / denominator
            margin = 0.1 * (hi - lo)
            if lo + margin <= alpha <= hi - margin:
                return alpha
    return 0.5 * (lo + hi)


def strong_wolfe(objective, x, p, f0, g0, alpha0=1.0, c1=1e-4, c2=0.9, max_evals=30):
    r"""A step satisfying the strong Wolfe conditions (Nocedal & Wright, Algorithms 3.5
    and 3.6).

    With :math:`\varphi(\alpha) = f(x + \alpha p)` and :math:`0 < c_1 < c_2 < 1`:

    .. math::
        \varphi(\alpha) \le \varphi(0) + c_1 \alpha \varphi'(0)
        \quad\text{and}\quad |\varphi'(\alpha)| \le c_2 |\varphi'(0)|.

    *Bracketing*: try :math:`\alpha_0, 2\alpha_0, 4\alpha_0, \ldots` until an
    interval must contain an acceptable step (sufficient decrease fails,
    :math:`\varphi` rises, or the slope turns non-negative). *Zoom*: shrink the
    interval :math:`[\alpha_{lo}, \alpha_{hi}]` with the minimiser of the cubic
    interpolating :math:`\varphi` and :math:`\varphi'` at both ends (bisection
    when that is unsafe), keeping :math:`\alpha_{lo}` the best step that
    satisfies sufficient decrease.

    Every trial evaluates :math:`f` and :math:`\nabla f`. Returns ``(point,
    evals)`` with the accepted :class:`LinePoint` (its gradient is reused by
    the next iteration), or ``(None, evals)`` if ``max_evals`` trials fail.
    """
    x, p, f0, g0, alpha0, c1 = _line_search_args(objective, x, p, f0, g0, alpha0, c1)
    c2 = _checks.number("c2", c2, c1, 1.0, low_open=True, high_open=True)
    max_evals = _checks.integer("max_evals", max_evals, 1)
    evals = 0

    def phi(alpha):
        nonlocal evals
        evals += 1
        x_new = x + alpha * p
        g = objective.grad(x_new)
        return LinePoint(alpha, float(objective.loss(x_new)), g, float(g @ p))

    def sufficient_decrease(point):
        return point.f <= f0 + c1 * point.alpha * start.slope

    def curvature(point):
        return abs(point.slope) <= -c2 * start.slope

    def zoom(lo, hi):
        while evals < max_evals:
            new = phi(_cubic_minimizer(lo, hi))
            if not sufficient_decrease(new) or new.f >= lo.f:
                hi = new
            else:
                if curvature(new):
                    return new
                if new.slope * (hi.alpha - lo.alpha) >= 0:
                    hi = lo
                lo = new
        return None

    start = LinePoint(0.0, float(f0), g0, float(g0 @ p))
    previous, alpha = start, alpha0
    while evals < max_evals:
        new = phi(alpha)
        if (
            not np.isfinite(new.f)
            or not sufficient_decrease(new)
            or (previous is not start and new.f >= previous.f)
        ):
            if not np.isfinite(new.f) or not np.isfinite(
                new.slope
            ):  # overshot into overflow
                new = LinePoint(new.alpha, np.inf, new.g, np.inf)
            return zoom(previous, new), evals
        if curvature(new):
            return new, evals
        if new.slope >= 0:
            return zoom(new, previous), evals
        previous, alpha = new, 2 * alpha
    return None, evals


# ------------------------------------------------------------------ Newton


def _cholesky_with_added_identity(A, beta=1e-3):
    r"""Cholesky factor of :math:`A + \tau I` for the smallest :math:`\tau` in the
    sequence of Nocedal & Wright's Algorithm 3.3 that makes it positive definite:
    :math:`\tau_0 = 0` if :math:`\min_i a_{ii} > 0`, else :math:`\beta - \min_i a_{ii}`,
    then :math:`\tau \leftarrow \max(2\tau, \beta)`. Returns ``(L, tau)``."""
    min_diag = float(np.min(np.diag(A)))
    tau = 0.0 if min_diag > 0 else beta - min_diag
    identity = np.eye(len(A))
    while True:
        try:
            return np.linalg.cholesky(A + tau * identity), tau
        except np.linalg.LinAlgError:
            tau = max(2 * tau, beta)


def newton(
    objective,
    x0,
    max_iter=50,
    tol=1e-10,
    damping=0.0,
    line_search=False,
    curvature=None,
):
    r"""Newton's method, optionally damped and safeguarded by a line search.

    .. math::
        &\textbf{for } t = 1, 2, \ldots
            \textbf{ while } \|\nabla f(x_{t-1})\| > \text{tol}: \\
        &\quad B_t \leftarrow \nabla^2 f(x_{t-1}) + \lambda I \\
        &\quad p_t \leftarrow -B_t^{-1} \nabla f(x_{t-1}) \\
        &\quad \alpha_t \leftarrow 1 \text{ (plain)}
            \text{ or by Armijo backtracking (line\_search)} \\
        &\quad x_t \leftarrow x_{t-1} + \alpha_t p_t

    with :math:`\lambda` = ``damping``. Plain Newton (:math:`\lambda = 0`, no line
    search) converges quadratically near a point where the Hessian is
    invertible, whether that point is a minimum, a maximum or a *saddle*: it
    solves :math:`\nabla f = 0`, it does not minimise. On
    :class:`~lessons_py.objectives.Saddle` from ``(1, 0.3)`` it lands on the
    saddle (0, 0).

    With ``line_search=True`` the method is safeguarded (Nocedal & Wright,
    Algorithm 3.3): if :math:`B_t` is not positive definite, :math:`\tau I` is
    added with the smallest :math:`\tau` of the sequence
    :math:`\beta - \min_i (B_t)_{ii}, 2\tau, 4\tau, \ldots` (:math:`\beta = 10^{-3}`)
    for which a Cholesky factorisation succeeds. Then :math:`p_t` is a descent
    direction, the Armijo search makes :math:`f` decrease at every step, and
    saddles repel the iterates. Without a line search a singular :math:`B_t`
    stops the run (``converged`` False).

    ``curvature``, a function of :math:`x` returning a :math:`d \times d` matrix,
    replaces the Hessian by another curvature model (the Gauss–Newton matrix in
    :func:`gauss_newton`, the Fisher in :func:`natural_gradient`); the rest of
    the method is unchanged.

    Costs per iteration: one gradient, one Hessian (or ``curvature`` matrix),
    and with the line search one loss at :math:`x_{t-1}` plus one per trial step.
    """
    needs = ("loss", "grad") if curvature is not None else ("loss", "grad", "hessian")
    x = _start(objective, x0, needs)
    max_iter = _checks.integer("max_iter", max_iter, 0)
    tol = _checks.number("tol", tol)
    damping = _checks.number("damping", damping)
    line_search = _checks.flag("line_search", line_search)
    if curvature is not None and not callable(curvature):
        raise ValueError(
            f"curvature must be None (the Hessian) or a function of x returning a "
            f"({objective.dim}, {objective.dim}) matrix, got {curvature!r}"
        )
    curvature = objective.hessian if curvature is None else curvature
    trace = _Trace(objective, x, max_iter)
    identity = np.eye(objective.dim)
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(max_iter):
            g = objective.grad(x)
            if np.linalg.norm(g) <= tol:
                break
            B = curvature(x) + damping * identity
            if line_search:
                L, _ = _cholesky_with_added_identity(B)
                p = -np.linalg.solve(L.T, np.linalg.solve(L, g))
                alpha, _, evals = backtracking(
                    objective, x, p, float(objective.loss(x)), g
                )
                if alpha is None:
                    break
                losses = 1 + evals
            else:
                try:
                    p = -np.linalg.solve(B, g)
                except np.linalg.LinAlgError:
                    break
                alpha, losses = 1.0, 0
            x = x + alpha * p
            if not trace.advance(x, alpha, grads=1, losses=losses, hessians=1):
                break
    label = (
        "Newton"
        + (" (damped)" if damping else "")
        + (" + line search" if line_search else "")
    )
    return trace.record(label, tol)


# ------------------------------------------------------------------ Hessian-free Newton


def hessian_vector_product(objective, x, v, eps=None, grad_x=None):
    r"""The product :math:`\nabla^2 f(x)\, v` by a forward difference of the gradient.

    .. math::
        \nabla^2 f(x)\, v
        \approx \frac{\nabla f(x + \varepsilon v) - \nabla f(x)}{\varepsilon}

    Taylor's theorem puts the truncation error at :math:`O(\varepsilon \|v\|^2)`
    (one third derivative); rounding adds :math:`O(u \|\nabla f\| / \varepsilon)`
    with :math:`u \approx 10^{-16}`. The default
    :math:`\varepsilon = \sqrt{u}\,(1 + \|x\|)/\|v\|` balances the two, leaving
    about half the digits (relative error near :math:`10^{-8}`). Costs two
    gradients, or one when the caller passes the known :math:`\nabla f(x)` as
    ``grad_x`` (as :func:`newton_cg` does). Exact products
    ``objective.hessian(x) @ v`` are what autodiff (Pearlmutter's trick) gives.
    """
    _checks.objective("objective", objective)
    x = _checks.start("x", x, objective.dim)
    v = _checks.real_array("v", v, finite=True, empty=True)
    _checks.same_shape("v", v, "x", x)
    if eps is not None:
        eps = _checks.number("eps", eps, 0.0, low_open=True)
    if grad_x is not None:
        grad_x = _checks.real_array("grad_x", grad_x, finite=True, empty=True)
        _checks.same_shape("grad_x", grad_x, "x", x)
    norm_v = np.linalg.norm(v)
    if norm_v == 0:
        return np.zeros_like(x)
    if eps is None:
        eps = np.sqrt(np.finfo(np.float64).eps) * (1 + np.linalg.norm(x)) / norm_v
    g = objective.grad(x) if grad_x is None else grad_x
    return (objective.grad(x + eps * v) - g) / eps


@dataclass(repr=False)
class CGResult:
    """What :func:`conjugate_gradient` found: the solution ``x``, the number of
    ``iterations`` (matrix-vector products), every residual norm
    :math:`\\|b - Ax_j\\|` (``residual_norms``, one more than ``iterations``)
    and whether it stopped on ``negative_curvature`` (:math:`p^\\top A p \\le 0`)."""

    x: np.ndarray
    iterations: int
    residual_norms: np.ndarray
    negative_curvature: bool

    def __repr__(self):
        return (
            f"CGResult({self.iterations} iterations, "
            f"residual {self.residual_norms[-1]:.2g}"
            f"{', negative curvature' if self.negative_curvature else ''})"
        )


def conjugate_gradient(matvec, b, tol=1e-10, max_iter=None):
    r"""Solve :math:`Ax = b` for symmetric positive definite :math:`A`, given only
    :math:`v \mapsto Av`.

    Nocedal & Wright, Algorithm 5.2, from :math:`x_0 = 0`:

    .. math::
        &r_0 \leftarrow b,\quad p_0 \leftarrow r_0 \\
        &\textbf{for } j = 0, 1, \ldots \textbf{ while } \|r_j\| > \text{tol}\,\|b\|: \\
        &\quad \alpha_j \leftarrow r_j^\top r_j / p_j^\top A p_j \\
        &\quad x_{j+1} \leftarrow x_j + \alpha_j p_j,
            \quad r_{j+1} \leftarrow r_j - \alpha_j A p_j \\
        &\quad \beta_{j+1} \leftarrow r_{j+1}^\top r_{j+1} / r_j^\top r_j,
            \quad p_{j+1} \leftarrow r_{j+1} + \beta_{j+1} p_j

    (:math:`r_j = b - Ax_j` is the residual). In exact arithmetic it solves a
    :math:`d`-dimensional system in at most :math:`d` iterations, and in
    :math:`k` when :math:`A` has :math:`k` distinct eigenvalues. ``tol`` is
    *relative* to :math:`\|b\|`; ``max_iter`` defaults to :math:`10d`. If it
    meets a direction with :math:`p_j^\top A p_j \le 0` (:math:`A` is not
    positive definite) it stops there and returns :math:`x_j` with
    ``negative_curvature=True``: this is how :func:`newton_cg` truncates.
    """
    _checks.function("matvec", matvec)
    b = _checks.real_array("b", b, ndim=1, finite=True)
    tol = _checks.number("tol", tol)
    max_iter = (
        10 * b.size if max_iter is None else _checks.integer("max_iter", max_iter, 0)
    )
    x, r = np.zeros_like(b), b.copy()
    p = r.copy()
    rr = float(r @ r)
    norms = [np.sqrt(rr)]
    threshold = tol * norms[0]
    negative_curvature = False
    j = 0
    while j < max_iter and norms[-1] > threshold:
        Ap = matvec(p)
        curvature = float(p @ Ap)
        if curvature <= 0:
            negative_curvature = True
            break
        alpha = rr / curvature
        x = x + alpha * p
        r = r - alpha * Ap
        rr_new = float(r @ r)
        p = r + (rr_new / rr) * p
        rr = rr_new
        norms.append(np.sqrt(rr))
        j += 1
    return CGResult(
        x=x,
        iterations=j,
        residual_norms=np.array(norms),
        negative_curvature=negative_curvature,
    )


def newton_cg(objective, x0, max_iter=100, tol=1e-8, cg_max_iter=None, hvp="exact"):
    r"""Truncated (line-search) Newton: Newton's equations solved roughly by CG.

    Nocedal & Wright, Algorithm 7.1:

    .. math::
        &\textbf{for } t = 1, 2, \ldots \textbf{ while } \|g\| > \text{tol}
            \quad (g = \nabla f(x_{t-1}),\ A = \nabla^2 f(x_{t-1})): \\
        &\quad \eta_t \leftarrow \min(0.5, \sqrt{\|g\|}) \\
        &\quad p_t \leftarrow \text{CG on } Ap = -g
            \text{ until } \|Ap + g\| \le \eta_t \|g\| \\
        &\qquad \text{(stopping early at negative curvature)} \\
        &\quad \alpha_t \leftarrow \text{Armijo backtracking from } 1,
            \quad x_t \leftarrow x_{t-1} + \alpha_t p_t

    The forcing term :math:`\eta_t \to 0` makes convergence superlinear while
    early iterations solve only loosely. If CG meets negative curvature it
    returns its last iterate, which is still a descent direction; if that
    happens at once, :math:`p_t = -g` (a gradient step). The Hessian is never
    formed by the algorithm: it only needs products :math:`Av`, here
    ``objective.hessian(x) @ v`` (``hvp="exact"``, as autodiff would give) or
    :func:`hessian_vector_product` (``hvp="finite_difference"``, one extra
    gradient each, counted in ``grad_evals``). ``hess_evals`` counts the products.
    """
    hvp = _checks.choice("hvp", hvp, ("exact", "finite_difference"))
    needs = ("loss", "grad", "hessian") if hvp == "exact" else ("loss", "grad")
    x = _start(objective, x0, needs)
    max_iter = _checks.integer("max_iter", max_iter, 0)
    tol = _checks.number("tol", tol)
    if cg_max_iter is not None:
        _checks.integer("cg_max_iter", cg_max_iter, 1)
    trace = _Trace(objective, x, max_iter)
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(max_iter):
            g = objective.grad(x)
            g_norm = float(np.linalg.norm(g))
            if g_norm <= tol:
                break
            if hvp == "exact":
                A = objective.hessian(x)
                matvec = lambda v, A=A: A @ v  # noqa: E731
            else:
                matvec = lambda v, x=x, g=g: hessian_vector_product(  # noqa: E731
                    objective, x, v, grad_x=g
                )
            cg = conjugate_gradient(
                matvec, -g, tol=min(0.5, np.sqrt(g_norm)), max_iter=cg_max_iter
            )
            products = (
                cg.iterations + cg.negative_curvature
            )  # the failed product counts too
            p = cg.x if np.any(cg.x) else -g
            alpha, _, evals = backtracking(objective, x, p, float(objective.loss(x)), g)
            if alpha is None:
                break
            x = x + alpha * p
            extra_grads = products if hvp == "finite_difference" else 0
            if not trace.advance(
                x, alpha, grads=1 + extra_grads, losses=1 + evals, hessians=products
            ):
                break
    return trace.record("Newton-CG", tol)


# ------------------------------------------------------------------ L-BFGS


def two_loop_direction(g, s_list, y_list):
    r"""The L-BFGS direction :math:`-H_k g` by the two-loop recursion (Nocedal & Wright,
    Algorithm 7.4).

    The pairs :math:`s_i = x_{i+1} - x_i`, :math:`y_i = \nabla f_{i+1} - \nabla f_i`
    (oldest first, every :math:`s_i^\top y_i > 0`) define :math:`H_k`, the BFGS
    update of :math:`H_k^0 = \gamma I` with :math:`\gamma = s^\top y / y^\top y`
    from the newest pair (:math:`\gamma = 1` without pairs):

    .. math::
        &q \leftarrow g \\
        &\textbf{for } i = k-1, \ldots, k-m: \quad \rho_i \leftarrow 1/y_i^\top s_i,
            \ a_i \leftarrow \rho_i s_i^\top q,\ q \leftarrow q - a_i y_i \\
        &r \leftarrow \gamma q \\
        &\textbf{for } i = k-m, \ldots, k-1: \quad b \leftarrow \rho_i y_i^\top r,
            \ r \leftarrow r + s_i (a_i - b) \\
        &\textbf{return } -r

    Cost :math:`O(md)`; :math:`H_k` is never formed.
    """
    q = _checks.real_array("g", g, ndim=1, finite=True).copy()
    s_list, y_list = _pairs(s_list, y_list, q)
    rho = [1.0 / float(y @ s) for s, y in zip(s_list, y_list)]
    a = [0.0] * len(s_list)
    for i in reversed(range(len(s_list))):
        a[i] = rho[i] * float(s_list[i] @ q)
        q = q - a[i] * y_list[i]
    gamma = (
        float(s_list[-1] @ y_list[-1]) / float(y_list[-1] @ y_list[-1])
        if s_list
        else 1.0
    )
    r = gamma * q
    for i in range(len(s_list)):
        b = rho[i] * float(y_list[i] @ r)
        r = r + s_list[i] * (a[i] - b)
    return -r


def _pairs(s_list, y_list, g):
    """The curvature pairs of :func:`two_loop_direction`, checked: two sequences of one
    length of finite vectors of the shape of ``g``, every ``s @ y > 0``."""
    pairs = []
    for name, vectors in (("s_list", s_list), ("y_list", y_list)):
        if isinstance(vectors, (str, bytes)) or not hasattr(vectors, "__len__"):
            raise ValueError(f"{name} must be a list of vectors, got {vectors!r}")
        pairs.append([_checks.real_array(name, v, finite=True) for v in vectors])
    s_list, y_list = pairs
    if len(s_list) != len(y_list):
        raise ValueError(
            f"s_list and y_list must have one length, got {len(s_list)} and "
            f"{len(y_list)}"
        )
    for s, y in zip(s_list, y_list):
        _checks.same_shape("s_list[i]", s, "g", g)
        _checks.same_shape("y_list[i]", y, "g", g)
        if not float(s @ y) > 0:
            raise ValueError(f"every pair needs s @ y > 0, got {float(s @ y)!r}")
    return s_list, y_list


def lbfgs(objective, x0, m=10, max_iter=200, tol=1e-8, c1=1e-4, c2=0.9):
    r"""Limited-memory BFGS with a strong Wolfe line search.

    .. math::
        &\textbf{for } t = 1, 2, \ldots
            \textbf{ while } \|\nabla f(x_{t-1})\| > \text{tol}: \\
        &\quad p_t \leftarrow -H_t \nabla f(x_{t-1})
            \quad\text{(}H_t \approx \nabla^2 f^{-1}\text{: two-loop recursion} \\
        &\qquad \text{over the last } m \text{ pairs } (s_i, y_i)) \\
        &\quad \alpha_t \leftarrow \text{strong Wolfe line search from } \alpha = 1
            \quad (c_1 = 10^{-4},\ c_2 = 0.9) \\
        &\quad x_t \leftarrow x_{t-1} + \alpha_t p_t \\
        &\quad s_t \leftarrow x_t - x_{t-1},
            \quad y_t \leftarrow \nabla f(x_t) - \nabla f(x_{t-1})

    The initial matrix :math:`H_t^0 = \gamma I`, :math:`\gamma = s^\top y / y^\top y`
    (newest pair), gives the right scale, so the unit step is usually accepted
    at once. The first iteration has no pairs: it tries
    :math:`\alpha = \min(1, 1/\|\nabla f(x_0)\|)` along :math:`-\nabla f` (as
    scipy's L-BFGS-B). The curvature condition guarantees :math:`s^\top y > 0`;
    a pair that violates it numerically is skipped. If a line search fails (no
    more decrease is representable), the run stops with ``converged`` False
    and the failed search's evaluations are not in the counts.

    Every line-search trial costs one loss and one gradient, so ``grad_evals``
    equals ``loss_evals``; the gradient at an accepted point is reused by the
    next iteration. Memory: :math:`2md` numbers.
    """
    x = _start(objective, x0)
    m = _checks.integer("m", m, 1)
    max_iter = _checks.integer("max_iter", max_iter, 0)
    tol = _checks.number("tol", tol)
    c1 = _checks.number("c1", c1, 0.0, 1.0, low_open=True, high_open=True)
    c2 = _checks.number("c2", c2, c1, 1.0, low_open=True, high_open=True)
    trace = _Trace(objective, x, max_iter)
    s_list, y_list = deque(maxlen=m), deque(maxlen=m)
    f, g = float(objective.loss(x)), objective.grad(x)
    start_cost = 1  # the loss and gradient at x0, charged to the first iteration
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(max_iter):
            if np.linalg.norm(g) <= tol:
                break
            p = two_loop_direction(g, s_list, y_list)
            if not g @ p < 0:  # lost descent (rounding): restart from steepest descent
                s_list.clear()
                y_list.clear()
                p = -g
            alpha0 = 1.0 if s_list else min(1.0, 1.0 / float(np.linalg.norm(g)))
            point, evals = strong_wolfe(objective, x, p, f, g, alpha0, c1, c2)
            if (
                point is None
            ):  # its evaluations led to no iterate, so no entry counts them
                break
            x_new = x + point.alpha * p  # the very point the line search evaluated
            s, y = x_new - x, point.g - g
            if s @ y > np.finfo(np.float64).eps * np.linalg.norm(s) * np.linalg.norm(y):
                s_list.append(s)
                y_list.append(y)
            x, f, g = x_new, point.f, point.g
            cost = start_cost + evals
            start_cost = 0
            if not trace.advance(x, point.alpha, grads=cost, losses=cost, hessians=0):
                break
    return trace.record(f"L-BFGS (m={m})", tol)


# ------------------------------------------------------------- Gauss–Newton, Fisher


def _point(objective, x, name="x"):
    _checks.objective("objective", objective)
    return _checks.start(name, x, objective.dim)  # finite, of shape (d,), a copy


def _probability_of_one(objective, x):
    """The logistic model's probabilities p_i = P(y_i = 1 | a_i, x), shape (n,)."""
    return 0.5 * (1.0 + np.tanh(0.5 * (objective.X @ x)))  # σ(aᵢᵀx), no overflow


def gauss_newton_matrix(objective, x):
    r"""The Gauss–Newton matrix :math:`G(x)`: the curvature of the loss through the
    model's outputs, without the curvature of the model itself.

    For a loss :math:`f(x) = \ell(z(x)) + \tfrac{\lambda}{2}\|x\|^2` of model
    outputs :math:`z(x)` with Jacobian :math:`J = \partial z / \partial x`, the
    chain rule splits the Hessian in two,

    .. math::
        \nabla^2 f(x) = \underbrace{J^\top \nabla_z^2 \ell\, J + \lambda I}_{G(x)}
            + \sum_k \frac{\partial \ell}{\partial z_k}\, \nabla^2 z_k(x),

    and :math:`G` keeps the first part: positive semidefinite whenever
    :math:`\ell` is convex in :math:`z`, and equal to the Hessian when the model
    is linear in :math:`x` or the fit is exact (:math:`\partial\ell/\partial z = 0`).
    Supported objectives:

    * :class:`~lessons_py.objectives.LogisticRegression`: logits
      :math:`z_i = a_i^\top x`, :math:`J = X` and
      :math:`\nabla_z^2 \ell = \operatorname{diag}(p_i(1 - p_i))/n` with
      :math:`p_i = \sigma(z_i)`; the model is linear, so :math:`G = \nabla^2 f`.
    * :class:`~lessons_py.objectives.LeastSquares`: :math:`G = X^\top X / n + \lambda I
      = \nabla^2 f`.
    * :class:`~lessons_py.objectives.Rosenbrock` as the nonlinear least-squares problem
      :math:`f = \|r\|^2` with residuals :math:`r = (a - x_1,\ \sqrt b\,(x_2 - x_1^2))`:
      :math:`G = 2 J_r^\top J_r`, which misses the term
      :math:`2\sum_k r_k \nabla^2 r_k = \operatorname{diag}(-4b\,(x_2 - x_1^2),\ 0)` of
      the Hessian.
    """
    x = _point(objective, x)
    if isinstance(objective, LogisticRegression):
        J = objective.X
        p = _probability_of_one(objective, x)
        loss_curvature = p * (1 - p) / objective.n  # ∇²_z ℓ, a diagonal
        return J.T @ (loss_curvature[:, None] * J) + objective.l2 * np.eye(
            objective.dim
        )
    if isinstance(objective, LeastSquares):
        J = objective.X
        return J.T @ J / objective.n + objective.l2 * np.eye(objective.dim)
    if isinstance(objective, Rosenbrock):
        root_b = np.sqrt(objective.b)
        J = np.array([[-1.0, 0.0], [-2 * root_b * x[0], root_b]])  # ∂r/∂x
        return 2 * J.T @ J
    raise ValueError(
        "objective must be a LogisticRegression, LeastSquares or Rosenbrock objective "
        f"(the losses with a known model Jacobian), got {objective!r}"
    )


def fisher_information(objective, x):
    r"""The Fisher information of the model's predictive distribution, by its
    definition.

    .. math::
        F(x) = \frac1n \sum_{i=1}^n \mathbb{E}_{y \sim p(\cdot \mid a_i, x)}
            \big[\nabla_x \log p(y \mid a_i, x)\,
            \nabla_x \log p(y \mid a_i, x)^\top\big]

    The labels are drawn from the *model*, not taken from the data, and the
    regulariser (a prior, not part of the likelihood) is left out.

    * :class:`~lessons_py.objectives.LogisticRegression`: the expectation is a sum
      over the two labels, :math:`P(y = 1) = p_i = \sigma(a_i^\top x)`, with the score
      :math:`\nabla_x \log p(y \mid a_i, x) = (y - p_i)\, a_i`, computed term by term.
    * :class:`~lessons_py.objectives.LeastSquares`: the Gaussian model
      :math:`y \sim \mathcal N(a_i^\top x, 1)` that the loss
      :math:`\tfrac12 (a_i^\top x - y_i)^2` is the negative log-likelihood of (up to a
      constant); its score :math:`(y - a_i^\top x)\, a_i` has
      :math:`\mathbb E (y - a_i^\top x)^2 = 1`, so :math:`F = X^\top X / n`.

    For both (log-losses of exponential families in their natural parameters)
    :math:`F + \lambda I` equals :func:`gauss_newton_matrix`.
    """
    x = _point(objective, x)
    if isinstance(objective, LogisticRegression):
        p = _probability_of_one(objective, x)
        F = np.zeros((objective.dim, objective.dim))
        for label, probability in ((1.0, p), (0.0, 1.0 - p)):
            score = (label - p)[:, None] * objective.X  # ∇ log p(label | aᵢ, x)
            F += (probability[:, None] * score).T @ score / objective.n
        return F
    if isinstance(objective, LeastSquares):
        noise_variance = 1.0  # of the model y ~ N(aᵢᵀx, 1)
        return noise_variance * objective.X.T @ objective.X / objective.n
    raise ValueError(
        "objective must be a LogisticRegression or LeastSquares objective (a "
        f"likelihood whose predictive distribution is known), got {objective!r}"
    )


def empirical_fisher(objective, x):
    r"""The *empirical* Fisher: the mean outer product of the observed per-example
    gradients, :math:`\frac1n \sum_i \nabla \ell_i(x)\, \nabla \ell_i(x)^\top`.

    :math:`\ell_i` is example :math:`i`'s loss without the regulariser
    (``per_example_grads`` minus :math:`\lambda x`). Unlike
    :func:`fisher_information` it uses the data's labels instead of the model's:
    the two agree in expectation only at the true parameters of a well-specified
    model, and the empirical Fisher is not a curvature matrix in general
    (Kunstner, Balles & Hennig, 2019). Its diagonal is what Adam's second-moment
    estimate tracks, for one-example gradients.
    """
    if not hasattr(objective, "per_example_grads"):
        raise ValueError(
            "objective must be a finite sum with per-example gradients, "
            f"got {objective!r}"
        )
    x = _point(objective, x)
    G = objective.per_example_grads(x) - getattr(objective, "l2", 0.0) * x
    return G.T @ G / objective.n


def gauss_newton(objective, x0, max_iter=50, tol=1e-10, damping=0.0, line_search=False):
    r""":func:`newton` with the Gauss–Newton matrix (:func:`gauss_newton_matrix`) in
    place of the Hessian:
    :math:`p_t = -(G(x_{t-1}) + \lambda I)^{-1} \nabla f(x_{t-1})`.

    :math:`G` is positive semidefinite, so (where it is invertible) the step is a
    descent direction even where the Hessian is indefinite; with ``damping`` it is
    Levenberg–Marquardt. Near a solution with zero residuals the method converges
    quadratically, like Newton's. Costs and options are :func:`newton`'s.
    """
    gauss_newton_matrix(objective, _point(objective, x0, "x0"))  # refuse unsupported
    rec = newton(
        objective,
        x0,
        max_iter,
        tol,
        damping,
        line_search,
        curvature=lambda x: gauss_newton_matrix(objective, x),
    )
    return replace(rec, label=rec.label.replace("Newton", "Gauss–Newton", 1))


def natural_gradient(
    objective,
    x0,
    fisher="exact",
    max_iter=50,
    tol=1e-10,
    damping=0.0,
    line_search=False,
):
    r"""The natural gradient (Amari, 1998) with unit steps, as in Fisher scoring:
    :math:`p_t = -(F(x_{t-1}) + \lambda I)^{-1} \nabla f(x_{t-1})`.

    :math:`F` is :func:`fisher_information` (``fisher="exact"``) or
    :func:`empirical_fisher` (``fisher="empirical"``), and :math:`\lambda I` is the
    regulariser's own curvature (``objective.l2``). With the exact Fisher of a
    log-loss in natural parameters, :math:`F + \lambda I` is the Gauss–Newton matrix,
    so the iterates are :func:`gauss_newton`'s; for a linear model they are
    Newton's. ``damping`` adds a further multiple of :math:`I`; costs and options
    are :func:`newton`'s (``hess_evals`` counts Fisher matrices).
    """
    if fisher not in ("exact", "empirical"):
        raise ValueError(f"fisher must be 'exact' or 'empirical', got {fisher!r}")
    matrix = fisher_information if fisher == "exact" else empirical_fisher
    matrix(objective, _point(objective, x0, "x0"))  # refuse unsupported ones early
    l2 = getattr(objective, "l2", 0.0)
    identity = np.eye(objective.dim)
    rec = newton(
        objective,
        x0,
        max_iter,
        tol,
        damping,
        line_search,
        curvature=lambda x: matrix(objective, x) + l2 * identity,
    )
    name = "natural gradient (" + (
        "Fisher" if fisher == "exact" else "empirical Fisher"
    )
    return replace(rec, label=rec.label.replace("Newton", name + ")", 1))
