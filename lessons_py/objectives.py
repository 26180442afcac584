r"""Loss functions to optimise, each with its gradient and Hessian.

Every objective takes parameters ``x`` of shape ``(..., d)``: the leading axes
are independent points (a grid for a contour plot, or the runs of a sweep), so
``loss`` returns shape ``(...)``, ``grad`` shape ``(..., d)``, ``hessian``
shape ``(..., d, d)`` and ``hvp(x, v)``, the Hessian times a direction, shape
``(..., d)``.

Two kinds:

* deterministic test functions: :class:`Quadratic` (with :func:`ravine` and
  :meth:`Quadratic.with_condition_number`), :class:`Rosenbrock`, :class:`Saddle`;
* finite sums :math:`L(x) = \frac1n \sum_i f_i(x)`, which also give the
  gradient of a mini-batch, ``batch_grad(x, idx)``, and every per-example
  gradient: :class:`LeastSquares`, :class:`LogisticRegression` and
  :class:`NoisySum` (a deterministic function with zero-mean per-example noise).
"""

import numpy as np

from . import _checks

__all__ = [
    "FiniteSum",
    "LeastSquares",
    "LogisticRegression",
    "NoisySum",
    "Objective",
    "Quadratic",
    "Rosenbrock",
    "Saddle",
    "make_classification",
    "make_regression",
    "ravine",
]


class Objective:
    """Interface: ``dim``, ``loss(x)``, ``grad(x)``, ``hessian(x)``, ``minimizer``
    (or None)."""

    dim = None
    minimizer = None
    name = "objective"

    def _x(self, x, name="x"):
        x = _checks.real_array(name, x, empty=True)
        if x.ndim == 0 or x.shape[-1] != self.dim:
            raise ValueError(
                f"{name} must have shape (..., {self.dim}) for this {self.name}, "
                f"got {x.shape}"
            )
        return x

    def hvp(self, x, v):
        """The Hessian-vector product ∇²L(x) v; ``x`` and ``v`` of shape ``(..., d)``
        broadcast. Here the Hessian times ``v``; objectives without a cheap Hessian
        override it (the MLP's R-operator)."""
        return np.einsum("...ij,...j->...i", self.hessian(x), v)

    @property
    def min_loss(self):
        """The loss at ``minimizer``."""
        return None if self.minimizer is None else float(self.loss(self.minimizer))

    def __repr__(self):
        return f"<{self.name}, d={self.dim}>"


class Quadratic(Objective):
    r"""f(x) = ½ xᵀAx − bᵀx with a symmetric matrix A.

    The gradient is Ax − b, the Hessian A everywhere; for A positive definite the
    minimiser is A⁻¹b and the condition number is κ = λ_max/λ_min. Gradient
    descent with step η converges iff 0 < η < 2/λ_max.
    """

    name = "quadratic"

    def __init__(self, A, b=None):
        A = _checks.real_array("A", A, finite=True)
        if A.ndim != 2 or A.shape[0] != A.shape[1]:
            raise ValueError(f"A must be a square matrix, got shape {A.shape}")
        if not np.allclose(A, A.T):
            raise ValueError("A must be symmetric")
        self.A = A
        self.dim = A.shape[0]
        self.b = (
            np.zeros(self.dim)
            if b is None
            else _checks.real_array("b", b, finite=True, empty=True)
        )
        _checks.same_shape("b", self.b, "a row of A", A[0])
        self.eigenvalues = np.linalg.eigvalsh(A)
        self.minimizer = np.linalg.solve(A, self.b) if self.eigenvalues[0] > 0 else None

    @classmethod
    def with_condition_number(cls, kappa, dim=2, L=1.0, seed=None):
        """A positive definite quadratic with eigenvalues spread geometrically from L/κ
        to L.

        With ``seed=None`` the axes are the coordinate axes; with a seed (or a
        ``np.random.Generator``) they are rotated by a random orthogonal matrix.
        Arguments: ``kappa`` in [1, ∞), ``dim`` >= 1, ``L`` in (0, ∞).
        """
        kappa = _checks.number("kappa", kappa, 1.0)
        dim = _checks.integer("dim", dim, 1)
        L = _checks.number("L", L, 0.0, low_open=True)
        lam = L / np.geomspace(kappa, 1.0, dim) if dim > 1 else np.array([L])
        if seed is None:
            return cls(np.diag(lam))
        rng = _checks.rng("seed", seed)
        Q, _ = np.linalg.qr(rng.normal(size=(dim, dim)))
        return cls((Q * lam) @ Q.T)

    @property
    def L(self):
        """Largest eigenvalue: the smoothness constant."""
        return float(self.eigenvalues[-1])

    @property
    def condition_number(self):
        """κ = λ_max/λ_min; ∞ when A is not positive definite (λ_min <= 0)."""
        if self.eigenvalues[0] <= 0:
            return float("inf")
        return float(self.eigenvalues[-1] / self.eigenvalues[0])

    def loss(self, x):
        x = self._x(x)
        return 0.5 * np.einsum("...i,ij,...j->...", x, self.A, x) - x @ self.b

    def grad(self, x):
        return self._x(x) @ self.A - self.b

    def hessian(self, x):
        return np.broadcast_to(self.A, self._x(x).shape[:-1] + self.A.shape).copy()


def ravine():
    """The narrow valley f(x) = x₁² + 100 x₂² (A = diag(2, 200), κ = 100)."""
    q = Quadratic(np.diag([2.0, 200.0]))
    q.name = "ravine x1^2 + 100 x2^2"
    return q


class Rosenbrock(Objective):
    """f(x, y) = (a − x)² + b (y − x²)², minimum 0 at (a, a²); a curved, narrow valley.

    ``a`` is any finite number, ``b`` a finite number >= 0.
    """

    name = "Rosenbrock"
    dim = 2

    def __init__(self, a=1.0, b=100.0):
        self.a = _checks.number("a", a, -np.inf)
        self.b = _checks.number("b", b, 0.0)
        self.minimizer = np.array([self.a, self.a**2])

    def loss(self, x):
        x = self._x(x)
        u, w = x[..., 0], x[..., 1]
        return (self.a - u) ** 2 + self.b * (w - u**2) ** 2

    def grad(self, x):
        x = self._x(x)
        u, w = x[..., 0], x[..., 1]
        r = w - u**2
        return np.stack(
            [-2 * (self.a - u) - 4 * self.b * u * r, 2 * self.b * r], axis=-1
        )

    def hessian(self, x):
        x = self._x(x)
        u, w = x[..., 0], x[..., 1]
        h11 = 2 - 4 * self.b * (w - u**2) + 8 * self.b * u**2
        h12 = -4 * self.b * u
        h22 = np.full_like(u, 2 * self.b)
        return np.stack([np.stack([h11, h12], -1), np.stack([h12, h22], -1)], -2)


class Saddle(Objective):
    """f(x) = ½x₁² + ¼x₂⁴ − ½x₂²: a saddle at the origin, minima f = −¼ at (0, ±1).

    The Hessian at the origin is diag(1, −1). Gradient descent started on the
    line x₂ = 0 stays on it and converges to the saddle; any perturbation of x₂
    grows and carries the iterate to a minimum.
    """

    name = "saddle"
    dim = 2
    saddle_point = np.zeros(2)
    minima = np.array([[0.0, 1.0], [0.0, -1.0]])
    minimizer = minima[0]

    def loss(self, x):
        x = self._x(x)
        return 0.5 * x[..., 0] ** 2 + 0.25 * x[..., 1] ** 4 - 0.5 * x[..., 1] ** 2

    def grad(self, x):
        x = self._x(x)
        return np.stack([x[..., 0], x[..., 1] ** 3 - x[..., 1]], axis=-1)

    def hessian(self, x):
        x = self._x(x)
        zero = np.zeros_like(x[..., 0])
        return np.stack(
            [
                np.stack([zero + 1, zero], -1),
                np.stack([zero, 3 * x[..., 1] ** 2 - 1], -1),
            ],
            -2,
        )


class FiniteSum(Objective):
    r"""L(x) = (1/n) Σᵢ fᵢ(x). Subclasses give ``per_example_grads(x)`` (shape
    ``(..., n, d)``) and ``batch_grad(x, idx)``, the average of ∇fᵢ over the indices
    ``idx``.

    ``idx`` may carry leading axes: ``idx`` of shape ``(k, b)`` gives ``k``
    mini-batch gradients of size ``b`` at once (shape ``(k, d)``). The mean of
    ``per_example_grads`` is ``grad``.
    """

    n = None

    def _idx(self, idx):
        idx = np.asarray(idx)
        if idx.ndim == 0 or idx.size == 0 or not np.issubdtype(idx.dtype, np.integer):
            raise ValueError(
                f"idx must be a non-empty integer array of example indices, got {idx!r}"
            )
        if idx.min() < 0 or idx.max() >= self.n:
            raise ValueError(
                f"idx must lie in [0, {self.n - 1}], got values in "
                f"[{idx.min()}, {idx.max()}]"
            )
        return idx

    def gradient_variance(self, x):
        r"""σ²(x) = (1/n) Σᵢ ‖∇fᵢ(x) − ∇L(x)‖²: the variance of a one-example
        gradient (the trace of its covariance). A float for one point ``x`` of shape
        ``(d,)``, shape ``(...)`` for points of shape ``(..., d)``."""
        G = self.per_example_grads(x)
        deviation = G - G.mean(axis=-2, keepdims=True)
        variance = np.mean(np.sum(deviation**2, axis=-1), axis=-1)
        return float(variance) if variance.ndim == 0 else variance


def _examples(X, y):
    """Data of a finite sum: X finite, shape (n, d) with n, d >= 1; y finite, (n,)."""
    X = _checks.real_array("X", X, ndim=2, finite=True)
    y = _checks.real_array("y", y, ndim=1, finite=True, empty=True)
    if X.shape[1] == 0 or y.shape != X.shape[:1]:
        raise ValueError(f"X must be (n, d) and y (n,), got {X.shape} and {y.shape}")
    return X, y


class LeastSquares(FiniteSum):
    r"""fᵢ(x) = ½(aᵢᵀx − yᵢ)² + (λ/2)‖x‖² (λ = ``l2``), with rows aᵢ of ``X``.

    The minimiser solves (XᵀX/n + λI) x = Xᵀy/n; the Hessian is XᵀX/n + λI.
    When that matrix is singular (numerically: its smallest eigenvalue is below
    d·u times its largest, u the unit roundoff), as for collinear columns of
    ``X`` (or n < d) with λ = 0, the minimisers form a whole line or plane on
    which the loss is the same; ``minimizer`` is then the one of least norm,
    from ``np.linalg.lstsq``, and ``min_loss`` is the minimum.
    Arguments: ``X`` and ``y`` finite, ``l2`` in [0, ∞).
    """

    name = "least squares"

    def __init__(self, X, y, l2=0.0):
        self.X, self.y = _examples(X, y)
        self.l2 = _checks.number("l2", l2)
        self.n, self.dim = self.X.shape
        self._H = self.X.T @ self.X / self.n + self.l2 * np.eye(self.dim)
        lam = np.linalg.eigvalsh(self._H)
        if lam[0] > self.dim * np.finfo(np.float64).eps * lam[-1]:
            self.minimizer = np.linalg.solve(self._H, self.X.T @ self.y / self.n)
        else:  # singular: the least-norm minimiser of the stacked least squares
            stacked = np.vstack([self.X, np.sqrt(self.n * self.l2) * np.eye(self.dim)])
            target = np.concatenate([self.y, np.zeros(self.dim)])
            self.minimizer = np.linalg.lstsq(stacked, target, rcond=None)[0]

    def _reg(self, x):
        return 0.5 * self.l2 * np.sum(x * x, axis=-1)

    def loss(self, x):
        x = self._x(x)
        r = x @ self.X.T - self.y
        return 0.5 * np.mean(r * r, axis=-1) + self._reg(x)

    def grad(self, x):
        x = self._x(x)
        return (x @ self.X.T - self.y) @ self.X / self.n + self.l2 * x

    def per_example_grads(self, x):
        x = self._x(x)
        r = x @ self.X.T - self.y
        return r[..., None] * self.X + self.l2 * x[..., None, :]

    def batch_grad(self, x, idx):
        x, idx = self._x(x), self._idx(idx)
        Xb, yb = self.X[idx], self.y[idx]
        r = np.einsum("...bd,...d->...b", Xb, x) - yb
        return np.einsum("...b,...bd->...d", r, Xb) / idx.shape[-1] + self.l2 * x

    def hessian(self, x):
        return np.broadcast_to(self._H, self._x(x).shape[:-1] + self._H.shape).copy()

    def example_smoothness(self):
        """Lᵢ = ‖aᵢ‖² + λ: the smoothness constant of each fᵢ (shape ``(n,)``)."""
        return np.sum(self.X**2, axis=1) + self.l2

    def sgd_stationary_covariance(self, lr, batch_size=1):
        r"""The long-run covariance C of constant-step mini-batch SGD around θ*.

        For batches of ``b = batch_size`` examples drawn independently and uniformly
        (with replacement) and a constant learning rate η = ``lr``, the error
        e = θ − θ* of SGD on least squares obeys e ← (I − ηH_B) e − η w_B, where
        H_B is the batch's Hessian and w_B the batch's mean of ∇fᵢ(θ*). The mean of e
        tends to 0 and its covariance to the solution C of the linear equation

        .. math::
            HC + CH - \eta\Big[\big(1 - \tfrac1b\big) HCH + \tfrac1b M(C)\Big]
            = \frac{\eta}{b}\,\Sigma_*,

            M(C) = \frac1n \sum_i H_i C H_i ,

        with the example Hessians Hᵢ = aᵢaᵢᵀ + λI, H their mean and
        Σ* = (1/n) Σᵢ ∇fᵢ(θ*)∇fᵢ(θ*)ᵀ the gradient-noise covariance at θ*. The
        equation is exact, not a small-η approximation; the mean excess loss in the
        long run is ½ tr(HC), which is η tr(Σ*)/(4b) to first order in η. Solved
        as a d² × d² linear system (small d only).

        Raises ValueError unless ``lr > 0`` lies below the limit where the second
        moments of SGD grow without bound (there is no stationary covariance there).
        """
        lr = _checks.number("lr", lr, 0.0, low_open=True)
        b = _checks.integer("batch_size", batch_size, 1)
        d, eye = self.dim, np.eye(self.dim)
        H = self._H
        Hi = self.X[:, :, None] * self.X[:, None, :] + self.l2 * eye
        # row-major vec: vec(A C B) = (A ⊗ Bᵀ) vec(C), and every matrix is symmetric
        mean_kron = np.einsum("nij,nkl->ikjl", Hi, Hi).reshape(d * d, d * d) / self.n
        K = (
            np.kron(H, eye)
            + np.kron(eye, H)
            - lr * ((1 - 1 / b) * np.kron(H, H) + mean_kron / b)
        )
        rho = np.max(np.abs(np.linalg.eigvals(np.eye(d * d) - lr * K)))
        if rho >= 1:
            raise ValueError(
                f"lr must lie below the limit where SGD's second moments diverge for "
                f"batch_size={b} (spectral radius {rho:.4g} >= 1), got {lr!r}"
            )
        G = self.per_example_grads(self.minimizer)
        sigma = G.T @ G / self.n
        C = np.linalg.solve(K, lr * sigma.ravel() / b).reshape(d, d)
        return 0.5 * (C + C.T)


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # stable for any z, no overflow warnings


class LogisticRegression(FiniteSum):
    r"""fᵢ(x) = log(1 + exp(−sᵢ aᵢᵀx)) + (λ/2)‖x‖² with labels sᵢ = ±1 (``y`` in
    {0, 1}).

    For λ > 0 the loss is strongly convex; the minimiser has no closed form
    (``minimizer`` is computed by Newton's method to machine precision on first use).
    For λ = 0 a finite minimiser exists only if no hyperplane through the origin
    separates the two classes: on separable data the loss falls towards 0 along
    the separating direction for ever, and ``minimizer`` and ``min_loss`` are None
    (as for a :class:`Quadratic` that is not positive definite).
    Arguments: ``X`` finite, ``y`` labels 0 and 1 (or bools), ``l2`` in [0, ∞).
    """

    name = "logistic regression"

    def __init__(self, X, y, l2=1e-3):
        if isinstance(y, np.ndarray) and y.dtype == bool:  # bools are labels 0 and 1
            y = y.astype(np.float64)
        elif isinstance(y, (list, tuple)) and all(isinstance(v, bool) for v in y):
            y = np.asarray(y, dtype=np.float64)
        self.X, y = _examples(X, y)
        if not np.all((y == 0) | (y == 1)):
            raise ValueError("y must hold labels 0 and 1")
        self.y = y
        self.s = 2.0 * self.y - 1.0
        self.l2 = _checks.number("l2", l2)
        self.n, self.dim = self.X.shape
        self._minimizer = None

    def loss(self, x):
        x = self._x(x)
        z = self.s * (x @ self.X.T)
        return np.mean(np.logaddexp(0.0, -z), axis=-1) + 0.5 * self.l2 * np.sum(
            x * x, axis=-1
        )

    def grad(self, x):
        x = self._x(x)
        z = self.s * (x @ self.X.T)
        return (-self.s * _sigmoid(-z)) @ self.X / self.n + self.l2 * x

    def per_example_grads(self, x):
        x = self._x(x)
        z = self.s * (x @ self.X.T)
        return (-self.s * _sigmoid(-z))[..., None] * self.X + self.l2 * x[..., None, :]

    def batch_grad(self, x, idx):
        x, idx = self._x(x), self._idx(idx)
        Xb, sb = self.X[idx], self.s[idx]
        z = sb * np.einsum("...bd,...d->...b", Xb, x)
        return (
            np.einsum("...b,...bd->...d", -sb * _sigmoid(-z), Xb) / idx.shape[-1]
            + self.l2 * x
        )

    def hessian(self, x):
        x = self._x(x)
        p = _sigmoid(x @ self.X.T)
        w = p * (1 - p) / self.n
        return np.einsum("...n,ni,nj->...ij", w, self.X, self.X) + self.l2 * np.eye(
            self.dim
        )

    def example_smoothness(self):
        """Lᵢ = ‖aᵢ‖²/4 + λ: the smoothness constant of each fᵢ (shape ``(n,)``)."""
        return 0.25 * np.sum(self.X**2, axis=1) + self.l2

    @property
    def minimizer(self):
        """The minimiser (Newton's method from 0), or None if there is none (λ = 0,
        separable classes)."""
        if self._minimizer is None:
            x = np.zeros(self.dim)
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                for _ in range(100):  # Newton's method: quadratic convergence from 0
                    H, g = self.hessian(x), self.grad(x)
                    try:
                        step = np.linalg.solve(H, g)
                    except np.linalg.LinAlgError:  # singular (λ = 0): least norm
                        step = np.linalg.lstsq(H, g, rcond=None)[0]
                    x = x - step
                    if np.linalg.norm(step) <= 1e-15 * max(1.0, np.linalg.norm(x)):
                        break
            # With λ = 0 a minimiser classifies some example wrongly or on the
            # boundary (else a longer x would have a smaller loss): if x separates
            # every example, Newton went off towards infinity.
            separated = self.l2 == 0 and np.all(self.s * (self.X @ x) > 0)
            finite = np.all(np.isfinite(x))
            self._minimizer = x if finite and not separated else False
        return None if self._minimizer is False else self._minimizer


class NoisySum(FiniteSum):
    r"""A deterministic objective f turned into a finite sum with zero-mean noise.

    fᵢ(x) = f(x) + uᵢᵀx with uᵢ ~ N(0, σ²I) drawn once from ``seed`` and then
    centred, so Σᵢ uᵢ = 0: the full loss and gradient are exactly f's, and a
    mini-batch gradient is ∇f(x) plus the mean of its uᵢ. This is the simplest
    model of gradient noise whose size does not depend on x.

    Arguments: ``base`` an objective, ``n`` >= 2, ``sigma`` in [0, ∞), ``seed`` a
    seed or a ``np.random.Generator``.
    """

    def __init__(self, base, n=1000, sigma=1.0, seed=0):
        self.base = _checks.objective("base", base)
        self.n = _checks.integer("n", n, 2)
        self.sigma = _checks.number("sigma", sigma)
        self.dim = base.dim
        self.name = f"{getattr(base, 'name', 'objective')} + noise"
        u = _checks.rng("seed", seed).normal(scale=self.sigma, size=(self.n, self.dim))
        self.u = u - u.mean(axis=0)
        self.minimizer = base.minimizer

    def loss(self, x):
        return self.base.loss(x)

    def grad(self, x):
        return self.base.grad(x)

    def hessian(self, x):
        return self.base.hessian(x)

    def per_example_grads(self, x):
        g = self.base.grad(x)
        return g[..., None, :] + self.u

    def batch_grad(self, x, idx):
        idx = self._idx(idx)
        return self.base.grad(x) + self.u[idx].mean(axis=-2)


def make_regression(n=1000, dim=2, noise=0.5, scales=None, seed=0):
    """Seeded synthetic regression data: X with columns scaled by ``scales``, y = X w* +
    noise.

    Returns ``(X, y, w_true)``. ``scales`` (default all ones) sets the
    conditioning: the Hessian XᵀX/n has eigenvalues near ``scales**2``.
    """
    n, dim = _checks.integer("n", n, 1), _checks.integer("dim", dim, 1)
    noise = _checks.number("noise", noise)
    rng = _checks.rng("seed", seed)
    scales = (
        np.ones(dim)
        if scales is None
        else _checks.real_array("scales", scales, finite=True, empty=True)
    )
    _checks.same_shape("scales", scales, "a parameter vector", np.zeros(dim))
    X = rng.normal(size=(n, dim)) * scales
    w_true = rng.normal(size=dim)
    y = X @ w_true + noise * rng.normal(size=n)
    return X, y, w_true


def make_classification(n=1000, dim=10, density=1.0, seed=0):
    """Seeded synthetic binary classification: labels drawn from a logistic model.

    Features are Gaussian; with ``density < 1`` each entry is kept with that probability
    (sparse features, as in text). Returns ``(X, y, w_true)``, ``y`` in {0, 1}.
    """
    n, dim = _checks.integer("n", n, 1), _checks.integer("dim", dim, 1)
    density = _checks.number("density", density, 0.0, 1.0, low_open=True)
    rng = _checks.rng("seed", seed)
    X = rng.normal(size=(n, dim))
    if density < 1:
        X *= rng.random((n, dim)) < density
    w_true = rng.normal(size=dim) * 2.0 / np.sqrt(dim * density)
    y = (rng.random(n) < _sigmoid(X @ w_true)).astype(np.float64)
    return X, y, w_true
