r"""Momentum: the heavy ball in its three textbook conventions, Nesterov's look-ahead
form, their theory on quadratics, and a vectorised sweep over (lr, momentum).

The optimizer used everywhere else in the book is :class:`lessons_py.optim.SGD`
(torch's form, learning rate *outside* the buffer). This module holds what a
chapter needs to *compare* forms and to check the theory:

* :class:`HeavyBall`: one heavy-ball step in any of the three conventions;
* :func:`nesterov_lookahead`: Nesterov's method with the gradient taken at the
  look-ahead point (it needs the gradient function, not just a gradient);
* :func:`quadratic_rate`, :func:`optimal_gd`, :func:`optimal_heavy_ball`: the
  asymptotic contraction factor on a quadratic, and the tunings that minimise it;
* :func:`measured_rate`: the per-step contraction read off a run;
* :func:`sweep`: many (lr, momentum) runs at once with array hyperparameters;
* :func:`lessard_example`: a strongly convex function on which the heavy ball,
  tuned as for a quadratic, cycles for ever (Lessard, Recht & Packard, 2016);
* :func:`worst_case_quadratic`: the quadratic behind the lower bound on every
  first-order method (Nesterov, 2004);
* :func:`stationary_loss`: the noise floor of the heavy ball on a quadratic with
  noisy gradients.
"""

import numpy as np

from . import _checks
from .objectives import Objective, Quadratic
from .optim import SGD, Optimizer

__all__ = [
    "CONVENTIONS",
    "HeavyBall",
    "lessard_example",
    "measured_rate",
    "nesterov_lookahead",
    "optimal_gd",
    "optimal_heavy_ball",
    "quadratic_rate",
    "stationary_loss",
    "sweep",
    "worst_case_quadratic",
]

CONVENTIONS = ("lr_outside", "lr_inside", "lr_inside_negated")
"""The values :class:`HeavyBall` accepts for ``convention``."""


class HeavyBall(Optimizer):
    r"""Heavy-ball momentum in one of the three conventions found in textbooks and code.

    .. math::
        \texttt{lr\_outside:}\quad & v_t = \beta v_{t-1} + g_t,\quad
            & \theta_t &= \theta_{t-1} - \eta_t v_t \\
        \texttt{lr\_inside:}\quad & v_t = \beta v_{t-1} + \eta_t g_t,\quad
            & \theta_t &= \theta_{t-1} - v_t \\
        \texttt{lr\_inside\_negated:}\quad & v_t = \beta v_{t-1} - \eta_t g_t,\quad
            & \theta_t &= \theta_{t-1} + v_t

    with :math:`v_0 = 0`: the first is the form of ``torch.optim.SGD`` and
    :class:`lessons_py.optim.SGD`, the last that of Sutskever et al. (2013) and Keras.
    For a constant :math:`\eta` the velocities are
    :math:`\eta v`, :math:`-\eta v` of the first form and all three give the same
    iterates. Once :math:`\eta_t` changes they do not: ``lr_outside`` rescales the
    whole accumulated velocity by the new rate at once, the other two only
    weight *new* gradients by it. ``lr_inside_negated`` is ``lr_inside`` with the
    sign of :math:`v` flipped, so those two agree for every schedule.

    State: ``t`` and ``v`` (the velocity or buffer of the chosen form).
    Arguments: ``lr=1e-3``, ``momentum=0.9`` (in [0, 1)), ``convention="lr_outside"``.
    """

    _state = ("v",)

    def __init__(self, lr=1e-3, momentum=0.9, convention="lr_outside"):
        _checks.choice("convention", convention, CONVENTIONS)
        self.momentum = momentum
        self.convention = convention
        super().__init__(lr)
        self._check()

    def _hyperparameters(self):
        return {"lr": self.lr, "momentum": self.momentum}

    def _check(self):
        _checks.in_range("lr", self.lr, sequences=False)
        _checks.in_range(
            "momentum", self.momentum, 0.0, 1.0, high_open=True, sequences=False
        )

    def _update(self, x, g):
        beta, lr = self.momentum, self.lr
        if self.v is None:
            self.v = np.zeros_like(x)
        if self.convention == "lr_outside":
            self.v = beta * self.v + g
            return x - lr * self.v
        if self.convention == "lr_inside":
            self.v = beta * self.v + lr * g
            return x - self.v
        self.v = beta * self.v - lr * g  # lr_inside_negated
        return x + self.v


def nesterov_lookahead(grad, x0, lr, momentum, steps):
    r"""Nesterov's accelerated gradient with the gradient taken at the look-ahead point.

    .. math::
        v_t = \beta v_{t-1} + \nabla f(\theta_{t-1} - \eta\beta v_{t-1}), \qquad
        \theta_t = \theta_{t-1} - \eta v_t, \qquad v_0 = 0 .

    This is the form of Sutskever et al. (2013) with the learning rate outside
    the buffer: first jump by the momentum, then correct with the gradient found
    there. ``torch.optim.SGD(nesterov=True)`` runs the same method in the
    variables :math:`x_t = \theta_t - \eta\beta v_t` (the look-ahead points), with
    the same buffer :math:`b_t = v_t`.

    ``momentum`` is a number in [0, 1), or a function of the step number
    :math:`t = 1, 2, \ldots` that returns the :math:`\beta_t` of step :math:`t` (the
    factor of :math:`v_{t-1}` in both places above). Nesterov's method for convex
    functions that are not strongly convex, :math:`\theta_t = y_{t-1} -
    \eta\nabla f(y_{t-1})`, :math:`y_t = \theta_t + \frac{t-1}{t+2}(\theta_t -
    \theta_{t-1})` (Su, Boyd & Candès, 2016), is ``momentum=lambda t: max(t - 2, 0) /
    (t + 1)``: step :math:`t` extrapolates from :math:`\theta_{t-1}` with the
    coefficient :math:`\frac{(t-1)-1}{(t-1)+2}`.

    ``grad`` is the gradient function (e.g. ``objective.grad``). Returns
    ``(theta, v)``, arrays of shape ``(steps + 1, *x0.shape)``; entry 0 is the start.
    """
    _checks.function("grad", grad)
    steps = _checks.integer("steps", steps, 0)
    lr = _checks.number("lr", lr)
    schedule = momentum if callable(momentum) else None
    if schedule is None:
        momentum = _checks.number("momentum", momentum, 0.0, 1.0, high_open=True)
    theta = _checks.real_array("x0", x0, finite=True).copy()
    v = np.zeros_like(theta)
    thetas, vs = [theta], [v]
    for t in range(1, steps + 1):
        if schedule is not None:
            momentum = _checks.number(
                f"momentum({t})", schedule(t), 0.0, 1.0, high_open=True
            )
        lookahead = theta - lr * momentum * v
        g = _checks.real_array("grad(x)", grad(lookahead), empty=True)
        _checks.same_shape("grad(x)", g, "x0", theta)
        v = momentum * v + g
        theta = theta - lr * v
        thetas.append(theta)
        vs.append(v)
    return np.array(thetas), np.array(vs)


def quadratic_rate(lr, momentum, eigenvalues, nesterov=False):
    r"""Asymptotic contraction factor per step of (Nesterov) momentum on a quadratic.

    Along an eigenvector with eigenvalue :math:`\lambda` the error obeys a
    two-term recursion whose characteristic polynomial is

    .. math::
        \text{heavy ball: } z^2 - (1 + \beta - \eta\lambda)\, z + \beta,

        \text{Nesterov: } z^2 - (1 + \beta)(1 - \eta\lambda)\, z
            + \beta(1 - \eta\lambda).

    The factor is the largest root modulus over all eigenvalues; the method converges
    iff it is below 1 (for the heavy ball: :math:`0 < \eta\lambda < 2(1 + \beta)`).
    ``lr`` and ``momentum`` may be arrays (they broadcast against each other); the
    result has their broadcast shape. ``momentum = 0`` is gradient descent. Arguments:
    ``lr`` in [0, ∞), ``momentum`` in [0, 1], ``eigenvalues`` a non-empty array of
    finite real numbers.
    """
    _checks.in_range("lr", lr)
    _checks.in_range("momentum", momentum, 0.0, 1.0)
    _checks.flag("nesterov", nesterov)
    lam = _checks.real_array("eigenvalues", eigenvalues, finite=True)
    eta = np.asarray(lr, dtype=np.float64)[..., None]
    beta = np.asarray(momentum, dtype=np.float64)[..., None]
    if nesterov:
        a, c = (1 + beta) * (1 - eta * lam), beta * (1 - eta * lam)
    else:
        a, c = 1 + beta - eta * lam, beta * np.ones_like(eta * lam)
    root = np.sqrt(a * a - 4 * c + 0j)
    radius = np.maximum(np.abs(a + root), np.abs(a - root)) / 2
    return radius.max(axis=-1)


def optimal_gd(mu, L):
    r"""The best constant step for gradient descent on eigenvalues in [μ, L] and its
    factor: :math:`\eta = 2/(\mu + L)`, rate :math:`(\kappa - 1)/(\kappa + 1)`.
    Arguments: ``0 < mu <= L < ∞``."""
    mu = _checks.number("mu", mu, 0.0, low_open=True)
    L = _checks.number("L", L, mu)
    kappa = L / mu
    return 2.0 / (mu + L), (kappa - 1) / (kappa + 1)


def optimal_heavy_ball(mu, L):
    r"""Polyak's optimal heavy-ball tuning for eigenvalues in [μ, L]:
    :math:`\eta = 4/(\sqrt L + \sqrt\mu)^2`,
    :math:`\beta = \big((\sqrt\kappa - 1)/(\sqrt\kappa + 1)\big)^2`,
    rate :math:`\sqrt\beta = (\sqrt\kappa - 1)/(\sqrt\kappa + 1)`.
    Returns ``(lr, momentum, rate)``. Arguments: ``0 < mu <= L < ∞``."""
    mu = _checks.number("mu", mu, 0.0, low_open=True)
    L = _checks.number("L", L, mu)
    root_kappa = np.sqrt(L / mu)
    rate = (root_kappa - 1) / (root_kappa + 1)
    return 4.0 / (np.sqrt(L) + np.sqrt(mu)) ** 2, rate**2, rate


def measured_rate(errors, start=None, stop=None):
    r"""Per-step contraction factor of a run: :math:`e^{s}`, with :math:`s` the
    least-squares slope of :math:`\log \text{errors}[t]` against :math:`t` for
    ``start <= t < stop`` (default: the second half of the run). ``errors`` are
    distances to the minimiser, one per step: a 1-D array of finite numbers, positive in
    the window; ``0 <= start`` and ``start + 2 <= stop <= len(errors)``."""
    errors = _checks.real_array("errors", errors, ndim=1, finite=True, empty=True)
    start = len(errors) // 2 if start is None else _checks.integer("start", start, 0)
    stop = len(errors) if stop is None else _checks.integer("stop", stop, 0)
    if stop > len(errors) or stop - start < 2:
        raise ValueError(
            f"start and stop must give a window of at least 2 steps within the "
            f"{len(errors)} errors, got [{start}, {stop})"
        )
    t = np.arange(start, stop)
    if len(t) < 2 or np.any(errors[start:stop] <= 0):
        raise ValueError(
            f"need at least 2 positive errors in [{start}, {stop}), got {len(t)}"
        )
    slope = np.polyfit(t, np.log(errors[start:stop]), 1)[0]
    return float(np.exp(slope))


def sweep(objective, x0, lr, momentum, steps, nesterov=False):
    r"""Run ``optim.SGD(lr, momentum, nesterov)`` for every (lr, momentum) pair at once.

    ``lr`` and ``momentum`` are arrays of one shape ``S`` (e.g. from ``np.meshgrid``);
    every pair starts from ``x0`` and takes ``steps`` full-gradient steps, all in
    one optimizer whose hyperparameters have shape ``(runs, 1)``. Returns
    ``(loss, diverged)``, both of shape ``S``: the loss after the last step, and
    a mask of runs whose parameters or loss stopped being finite or whose loss
    ended above the start loss.
    """
    _checks.objective("objective", objective)
    _checks.in_range("lr", lr)
    _checks.in_range("momentum", momentum, 0.0, 1.0, high_open=True)
    _checks.flag("nesterov", nesterov)
    lr, momentum = np.broadcast_arrays(
        np.asarray(lr, dtype=np.float64), np.asarray(momentum, dtype=np.float64)
    )
    steps = _checks.integer("steps", steps, 0)
    x0 = _checks.start("x0", x0, objective.dim)
    x = np.tile(x0, (lr.size, 1))
    opt = SGD(lr=lr.reshape(-1, 1), momentum=momentum.reshape(-1, 1), nesterov=nesterov)
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            x = opt.step(x, objective.grad(x))
        loss = objective.loss(x)
        diverged = (
            ~np.isfinite(loss)
            | ~np.all(np.isfinite(x), axis=-1)
            | (loss > objective.loss(x0))
        )
    return loss.reshape(lr.shape), diverged.reshape(lr.shape)


class _PiecewiseQuadratic(Objective):
    """f(x) = 25x²/2 (x < 1), x²/2 + 24x − 12 (1 ≤ x < 2), 25x²/2 − 24x + 36 (x ≥ 2)."""

    name = "Lessard-Recht-Packard example"
    dim = 1
    mu, L = 1.0, 25.0
    minimizer = np.zeros(1)

    def loss(self, x):
        u = self._x(x)[..., 0]
        return np.where(
            u < 1,
            12.5 * u**2,
            np.where(u < 2, 0.5 * u**2 + 24 * u - 12, 12.5 * u**2 - 24 * u + 36),
        )

    def grad(self, x):
        u = self._x(x)[..., 0]
        return np.where(u < 1, 25 * u, np.where(u < 2, u + 24, 25 * u - 24))[..., None]

    def hessian(self, x):
        u = self._x(x)[..., 0]
        return np.where((u >= 1) & (u < 2), 1.0, 25.0)[..., None, None]


def lessard_example():
    r"""A 1-D strongly convex function (μ = 1, L = 25, minimum 0 at 0) on which the
    heavy ball with :func:`optimal_heavy_ball` parameters (η = 1/9, β = 4/9)
    falls into a 3-cycle instead of converging (Lessard, Recht & Packard, 2016).

    .. math::
        f(x) = \begin{cases} \tfrac{25}{2}x^2 & x < 1 \\
        \tfrac12 x^2 + 24x - 12 & 1 \le x < 2 \\
        \tfrac{25}{2}x^2 - 24x + 36 & x \ge 2 \end{cases}

    :math:`f` is continuously differentiable with :math:`1 \le f'' \le 25`.
    """
    return _PiecewiseQuadratic()


def worst_case_quadratic(mu, L, dim):
    r"""Nesterov's quadratic on which no first-order method beats the lower bound.

    .. math::
        f(\theta) = \frac{L - \mu}{8}\Big(\theta_1^2 + \sum_{i=1}^{d-1}
        (\theta_i - \theta_{i+1})^2 + \theta_d^2 - 2\theta_1\Big)
        + \frac{\mu}{2}\lVert\theta\rVert^2

    in :math:`d` = ``dim`` coordinates (Nesterov, 2004, §2.1.2 and §2.1.4, where
    :math:`d` is infinite for :math:`\mu > 0`). The Hessian is
    :math:`\frac{L - \mu}{4}` times the tridiagonal matrix with 2 on the diagonal
    and −1 beside it, plus :math:`\mu I`: its eigenvalues lie in :math:`(\mu, L)`.
    From :math:`\theta_0 = 0` the first gradient is a multiple of :math:`e_1`, and
    each product with the tridiagonal Hessian reaches one coordinate further, so
    every method whose iterates lie in :math:`\theta_0 + \operatorname{span}\{
    \nabla f(\theta_0), \ldots, \nabla f(\theta_{t-1})\}` (gradient descent,
    the heavy ball, Nesterov, conjugate gradient) has :math:`\theta_t` zero beyond
    coordinate :math:`t`, and :math:`\lVert\theta_t - \theta^*\rVert \ge
    \lVert(\theta^*_{t+1}, \ldots, \theta^*_d)\rVert`. For :math:`\mu > 0` and
    large :math:`d` the minimiser is close to :math:`\theta^*_i = q^i`,
    :math:`q = (\sqrt\kappa - 1)/(\sqrt\kappa + 1)`, so that bound is about
    :math:`q^t \lVert\theta_0 - \theta^*\rVert`; for :math:`\mu = 0` (convex,
    not strongly convex as :math:`d` grows) it is :math:`\theta^*_i = 1 - i/(d + 1)`.

    ``mu >= 0``, ``L > mu``, ``dim >= 1``. Returns an
    :class:`~lessons_py.objectives.Quadratic`.
    """
    mu = _checks.number("mu", mu, 0.0)
    L = _checks.number("L", L, mu, low_open=True)
    dim = _checks.integer("dim", dim, 1)
    tridiagonal = 2 * np.eye(dim) - np.eye(dim, k=1) - np.eye(dim, k=-1)
    b = np.zeros(dim)
    b[0] = (L - mu) / 4
    return Quadratic((L - mu) / 4 * tridiagonal + mu * np.eye(dim), b)


def stationary_loss(lr, momentum, eigenvalues, noise_var=1.0):
    r"""The noise floor: expected excess loss of the heavy ball at stationarity on a
    quadratic with noisy gradients.

    On :math:`f(\theta) = \frac12 \sum_i \lambda_i \theta_i^2` with gradients
    :math:`\nabla f(\theta_{t-1}) + \xi_t`, the noise independent over steps with
    mean 0 and variance :math:`\sigma_i^2` along eigenvector :math:`i`, each
    eigen-coordinate of :class:`lessons_py.optim.SGD` with ``momentum`` β follows
    :math:`e_{t+1} = (1 + \beta - \eta\lambda_i)\, e_t - \beta\, e_{t-1} -
    \eta\, \xi_{t+1,i}`, an autoregression of order 2. Its stationary variance gives

    .. math::
        \lim_{t\to\infty} \mathbb{E}[f(\theta_t)] - f^* = \sum_i
        \frac{(1 + \beta)\, \eta\, \sigma_i^2}
        {2 (1 - \beta) \big(2 (1 + \beta) - \eta\lambda_i\big)} .

    ``momentum=0`` is SGD, :math:`\sum_i \eta\sigma_i^2 / (2(2 - \eta\lambda_i))`.
    For :math:`\eta\lambda_i \ll 1` both are close to
    :math:`\frac{\eta}{1 - \beta} \sum_i \sigma_i^2 / 4`: the floor of SGD with the
    effective learning rate :math:`\eta/(1 - \beta)`. Where the method is unstable
    (:math:`\eta\lambda_i \ge 2(1 + \beta)` for some :math:`i`) the result is ``inf``.

    ``lr`` (> 0) and ``momentum`` (in [0, 1)) may be arrays that broadcast against
    each other, as in :func:`quadratic_rate`; the result has their broadcast shape.
    ``eigenvalues`` must be positive; ``noise_var`` is one variance for every
    eigen-direction or one per eigenvalue.
    """
    _checks.in_range("lr", lr, 0.0, low_open=True)
    _checks.in_range("momentum", momentum, 0.0, 1.0, high_open=True)
    _checks.in_range("eigenvalues", eigenvalues, 0.0, low_open=True)
    _checks.in_range("noise_var", noise_var)
    lam = np.asarray(eigenvalues, dtype=np.float64)
    var = np.asarray(noise_var, dtype=np.float64)
    if var.ndim and var.shape != lam.shape:
        raise ValueError(
            f"noise_var must be one number or one per eigenvalue, shape {lam.shape}, "
            f"got shape {var.shape}"
        )
    eta = np.asarray(lr, dtype=np.float64)[..., None]
    beta = np.asarray(momentum, dtype=np.float64)[..., None]
    margin = 2 * (1 + beta) - eta * lam
    stable = margin > 0
    floor = (1 + beta) * eta * var / (2 * (1 - beta) * np.where(stable, margin, 1.0))
    return np.where(stable, floor, np.inf).sum(axis=-1)
