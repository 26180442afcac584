r"""Matrix-aware methods: each weight matrix is updated as one object, not coordinate
by coordinate.

``Muon`` orthogonalises the momentum of each matrix with a few Newton–Schulz steps
(:func:`zeropower_via_newtonschulz`), so that every direction of the update has about
the same size; ``Adafactor`` keeps, for each :math:`n \times m` matrix, a moving
average of the squared gradient's row means and column means (:math:`n + m`
numbers, where Adam keeps :math:`nm`) and divides by their rank-one product.

Both act on one layer at a time: give them the parameters as a dict of named arrays
(see :class:`~lessons_py.optim.Optimizer`), one matrix per name. ``Muon`` refuses an
array that is not a matrix, as torch does; the usual split is ``Muon`` for the hidden
weight matrices and ``AdamW`` for the rest (biases, the input and output layers)::

    muon, adamw = optim.Muon(lr=0.02), optim.AdamW(lr=3e-4)
    hidden, rest = ["W2"], ["W1", "b1", "b2"]
    new = muon.step({k: parts[k] for k in hidden}, {k: grads[k] for k in hidden})
    new |= adamw.step({k: parts[k] for k in rest}, {k: grads[k] for k in rest})
"""

import numpy as np

from .. import _checks
from ._base import Optimizer, _hyper, _pair


def _lerp(start, end, weight):
    """``start + weight * (end - start)``, computed as torch's ``lerp`` computes it
    (from the nearer end), so that ``weight = 1`` gives ``end`` exactly."""
    return np.where(
        np.asarray(weight) < 0.5,
        start + weight * (end - start),
        end - (end - start) * (1 - weight),
    )


def _round_bfloat16(z):
    """``z`` rounded to bfloat16's 8 significant bits (to nearest, ties to even),
    kept in float64: the mantissa ``m`` in [0.5, 1) of ``z = m 2^e`` becomes
    ``round(256 m) / 256``. (bfloat16's range, that of float32, is not emulated.)"""
    mantissa, exponent = np.frexp(z)
    return np.ldexp(np.rint(mantissa * 256.0) / 256.0, exponent)


def _exact(z):
    return z


def _coefficients(value):
    """``ns_coefficients`` after checking it is three real numbers ``(a, b, c)``."""
    if not isinstance(value, (tuple, list, np.ndarray)) or len(value) != 3:
        raise ValueError(
            f"ns_coefficients must be three numbers (a, b, c), got {value!r}"
        )
    for i, v in enumerate(value):
        _hyper(f"ns_coefficients[{i}]", v, -np.inf)
    return value


def _layer_axes(opt, x):
    """The axes of ``x`` that make one layer: those after ``opt.run_axes``."""
    k = _checks.integer("run_axes", opt.run_axes, 0)
    if x.ndim < k:
        raise ValueError(
            f"run_axes={k} leading axes of runs, but the parameter has shape {x.shape}"
        )
    return tuple(range(k, x.ndim))


def zeropower_via_newtonschulz(
    G, ns_coefficients=(3.4445, -4.775, 2.0315), ns_steps=5, eps=1e-7, *, bfloat16=False
):
    r"""Newton–Schulz orthogonalisation of a matrix ``G`` (or of each matrix of a
    stack ``(..., n, m)``), as torch's ``Muon`` computes it
    (``torch.optim._muon._zeropower_via_newtonschulz``).

    .. math::
        &X_0 \leftarrow G / \max(\lVert G \rVert_F, \varepsilon)
            \quad (G^\top \text{ if } n > m) \\
        &X_j \leftarrow a X_{j-1} + \big(b\, X_{j-1} X_{j-1}^\top
            + c\, (X_{j-1} X_{j-1}^\top)^2\big) X_{j-1},
            \quad j = 1, \ldots, k

    and the result is :math:`X_k` (transposed back). Each step maps every singular
    value :math:`\sigma` of :math:`X` to :math:`p(\sigma) = a\sigma + b\sigma^3 +
    c\sigma^5` and keeps the singular vectors: with :math:`G = U S V^\top` the result
    is :math:`U\, p^{(k)}(S / \lVert G \rVert_F)\, V^\top`. Dividing by the Frobenius
    norm puts every :math:`\sigma` in [0, 1]; the default coefficients (Keller
    Jordan's) make :math:`p` steep at 0 (slope :math:`a = 3.4445`), so five steps
    carry every :math:`\sigma / \lVert G \rVert_F` from 0.003 to 1 into [0.68, 1.21]:
    close to :math:`U V^\top`, the nearest orthogonal matrix, not equal to it.

    torch runs the iteration in bfloat16 (it casts ``G`` first). Here it runs in
    float64; ``bfloat16=True`` emulates torch's arithmetic by rounding ``G`` and the
    result of every operation (the norm, the division, each product and sum) to
    bfloat16's 8 significant bits. On the matrices recorded from torch 2.13 (CPU,
    whose kernels accumulate in float32 and round each result once) this reproduces
    torch's bfloat16 function bit for bit.

    Arguments (torch's): ``ns_coefficients=(a, b, c)``, ``ns_steps=k`` (an integer in
    [0, 99]), ``eps`` (>= 0; with ``eps=0`` a zero matrix raises ``ValueError``, where
    torch returns NaN).
    """
    G = _checks.real_array("G", G)
    if G.ndim < 2:
        raise ValueError(f"G must be a matrix or a stack of them, got shape {G.shape}")
    a, b, c = _coefficients(ns_coefficients)
    ns_steps = _checks.integer("ns_steps", ns_steps, 0, 99)
    _hyper("eps", eps)
    r = _round_bfloat16 if _checks.flag("bfloat16", bfloat16) else _exact
    tall = G.shape[-2] > G.shape[-1]
    X = r(np.swapaxes(G, -1, -2) if tall else G)
    norm = r(np.maximum(r(np.sqrt(np.sum(X * X, axis=(-2, -1), keepdims=True))), eps))
    if np.any(norm == 0):
        raise ValueError("eps=0 divides by zero: G is 0 (torch would return NaN)")
    X = r(X / norm)
    for _ in range(ns_steps):
        A = r(X @ np.swapaxes(X, -1, -2))
        B = r(b * A + c * (A @ A))
        X = r(a * X + B @ X)
    return np.swapaxes(X, -1, -2) if tall else X


class Muon(Optimizer):
    r"""Muon (Jordan et al., 2024), momentum orthogonalised by Newton–Schulz, as
    ``torch.optim.Muon``.

    .. math::
        &\textbf{input: } \gamma \text{ (lr)},\ \lambda \text{ (weight decay)},
            \ \mu \text{ (momentum)},\ \text{nesterov}, \\
        &\phantom{\textbf{input: }} (a, b, c) \text{ (ns\_coefficients)},
            \ \varepsilon,\ k \text{ (ns\_steps)} \\
        &B_0 \leftarrow 0 \\
        &\textbf{for } t = 1, 2, \ldots \text{, each } A \times B
            \text{ matrix } \theta: \\
        &\quad g_t \leftarrow \nabla f(\theta_{t-1}) \\
        &\quad B_t \leftarrow \mu B_{t-1} + (1 - \mu) g_t \\
        &\quad \widetilde B_t \leftarrow (1 - \mu) g_t + \mu B_t
            \text{ if nesterov else } B_t \\
        &\quad O_t \leftarrow \mathrm{NS}^{(a,b,c)}_k(\widetilde B_t;\ \varepsilon) \\
        &\quad \theta_t \leftarrow (1 - \gamma\lambda)\, \theta_{t-1}
            - \gamma\, s(A, B)\, O_t

    with :math:`\mathrm{NS}` the :math:`k` Newton–Schulz steps of
    :func:`zeropower_via_newtonschulz` and the scale :math:`s(A, B) =
    \sqrt{\max(1, A/B)}` (``adjust_lr_fn=None`` or ``"original"``, Keller Jordan's) or
    :math:`0.2\sqrt{\max(A, B)}` (``"match_rms_adamw"``, Moonshot's, which gives the
    update the RMS of an AdamW update so that AdamW's ``lr`` and ``weight_decay`` carry
    over). The weight decay is decoupled and uses the unscaled :math:`\gamma`.

    The update :math:`O_t` has the singular vectors of the momentum and singular values
    near 1: every direction of the matrix moves by about the same amount, whatever the
    size of its gradient. The buffer is torch's code, ``buf.lerp_(grad, 1 - momentum)``;
    torch's documentation writes :math:`B_t = \mu B_{t-1} + g_t` and
    :math:`g_t + \mu B_t`, the same direction divided by :math:`1 - \mu`, which the
    normalisation inside :math:`\mathrm{NS}` removes (unless the norm falls below
    :math:`\varepsilon`).

    **Precision.** torch casts :math:`\widetilde B_t` to bfloat16 and runs the
    Newton–Schulz iteration in bfloat16; here it runs in float64. The reference
    trajectories the tests replay were recorded from torch 2.13 with that one cast
    removed (torch's function copied, with ``grad.bfloat16()`` replaced by a float64
    copy). :func:`zeropower_via_newtonschulz` with ``bfloat16=True`` shows how far
    bfloat16 moves the result.

    Muon acts on matrices only: a parameter that is not 2-D raises ``ValueError`` (in a
    dict, naming it), torch's rule; give vectors and other arrays to another method
    such as :class:`AdamW`. With ``run_axes = k`` (an attribute, see
    :class:`Optimizer`) an array of shape ``(..., A, B)`` with ``k`` leading axes is a
    stack of independent runs, each an :math:`A \times B` matrix.

    State: ``t`` and ``b`` (the momentum buffer, torch's ``momentum_buffer``).

    Arguments (defaults and order as torch): ``lr=1e-3``, ``weight_decay=0.1``,
    ``momentum=0.95``, ``nesterov=True``, ``ns_coefficients=(3.4445, -4.775,
    2.0315)``, ``eps=1e-7``, ``ns_steps=5``, ``adjust_lr_fn=None``. Departures from
    torch: ``momentum`` must lie in [0, 1) (torch accepts any ``momentum >= 0``, but
    its buffer then stays 0 at ``momentum=1`` and the update changes sign beyond);
    ``ns_steps`` is an integer in [0, 99] (torch: below 100); ``eps >= 0``, and with
    ``eps=0`` a zero momentum raises ``ValueError`` (torch returns NaN).
    """

    _state = ("b",)

    def __init__(
        self,
        lr=1e-3,
        weight_decay=0.1,
        momentum=0.95,
        nesterov=True,
        ns_coefficients=(3.4445, -4.775, 2.0315),
        eps=1e-7,
        ns_steps=5,
        adjust_lr_fn=None,
    ):
        self.weight_decay = weight_decay
        self.momentum = momentum
        self.nesterov = nesterov
        self.ns_coefficients = ns_coefficients
        self.eps = eps
        self.ns_steps = ns_steps
        self.adjust_lr_fn = adjust_lr_fn
        super().__init__(lr)
        self._check()

    def _hyperparameters(self):
        return {
            "lr": self.lr,
            "weight_decay": self.weight_decay,
            "momentum": self.momentum,
            "eps": self.eps,
        }

    def _check(self):
        _hyper("lr", self.lr)
        _hyper("weight_decay", self.weight_decay)
        _hyper("momentum", self.momentum, 0.0, 1.0, high_open=True)
        _checks.flag("nesterov", self.nesterov)
        _coefficients(self.ns_coefficients)
        _hyper("eps", self.eps)
        _checks.integer("ns_steps", self.ns_steps, 0, 99)
        _checks.choice(
            "adjust_lr_fn", self.adjust_lr_fn, (None, "original", "match_rms_adamw")
        )

    def _check_parameter(self, x):
        if len(_layer_axes(self, x)) != 2:
            runs = f" after run_axes={self.run_axes} axes of runs" * (self.run_axes > 0)
            raise ValueError(
                f"Muon acts on matrices: a parameter must have 2 axes{runs}, got shape "
                f"{x.shape}; optimise vectors (biases) and other arrays with another "
                "method, such as AdamW (torch's rule)"
            )

    def _update(self, x, g):
        mu, lr = self.momentum, self.lr
        if self.b is None:
            self.b = np.zeros_like(x)
        self.b = _lerp(self.b, g, 1 - mu)
        direction = _lerp(g, self.b, mu) if self.nesterov else self.b
        O = zeropower_via_newtonschulz(
            direction, self.ns_coefficients, self.ns_steps, self.eps
        )
        A, B = x.shape[-2:]
        if self.adjust_lr_fn == "match_rms_adamw":
            scale = 0.2 * np.sqrt(max(A, B))
        else:  # None or "original"
            scale = np.sqrt(max(1, A / B))
        return x * (1 - lr * self.weight_decay) - lr * scale * O


class Adafactor(Optimizer):
    r"""Adafactor (Shazeer & Stern, 2018), factored second moments, as
    ``torch.optim.Adafactor``.

    .. math::
        &\textbf{input: } \gamma \text{ (lr)},\ \tau \text{ (beta2\_decay)},
            \ \epsilon_1, \epsilon_2 \text{ (eps)}, \\
        &\phantom{\textbf{input: }} d \text{ (clipping threshold)},
            \ \lambda \text{ (weight decay)} \\
        &R_0 \leftarrow 0,\ C_0 \leftarrow 0 \text{ (matrices)},
            \ \hat V_0 \leftarrow 0 \text{ (vectors)} \\
        &\textbf{for } t = 1, 2, \ldots: \\
        &\quad G_t \leftarrow \nabla f(\theta_{t-1}),
            \quad \hat\beta_{2,t} \leftarrow 1 - t^{\tau} \\
        &\quad \rho_t \leftarrow \min(\gamma, 1/\sqrt{t}),
            \quad \alpha_t \leftarrow
            \max(\epsilon_2, \mathrm{RMS}(\theta_{t-1}))\, \rho_t \\
        &\quad \theta_{t-1} \leftarrow (1 - \gamma\lambda)\, \theta_{t-1} \\
        &\quad \textbf{if } \theta \text{ is an } n \times m \text{ matrix}: \\
        &\qquad R_t \leftarrow \hat\beta_{2,t} R_{t-1}
            + (1 - \hat\beta_{2,t}) \operatorname{mean}_j G_{t,ij}^2
            \quad (n \text{ row means}) \\
        &\qquad C_t \leftarrow \hat\beta_{2,t} C_{t-1}
            + (1 - \hat\beta_{2,t}) \operatorname{mean}_i G_{t,ij}^2
            \quad (m \text{ column means}) \\
        &\qquad \hat V_t \leftarrow R_t C_t^\top
            / \max(\operatorname{mean}_i R_{t,i},\ \epsilon_1) \\
        &\quad \textbf{else: } \hat V_t \leftarrow \hat\beta_{2,t} \hat V_{t-1}
            + (1 - \hat\beta_{2,t})\, G_t^2 \\
        &\quad U_t \leftarrow G_t / \max(\sqrt{\hat V_t},\ \epsilon_1),
            \quad \hat U_t \leftarrow U_t / \max(1, \mathrm{RMS}(U_t) / d) \\
        &\quad \theta_t \leftarrow \theta_{t-1} - \alpha_t \hat U_t

    For a matrix the second moment is the rank-one :math:`\hat V_t = R_t C_t^\top /
    \bar R_t`, rebuilt at every step from :math:`n + m` numbers (Adam keeps
    :math:`nm`); it is exact when :math:`G^2` is itself rank one. The step size is
    *relative*: :math:`\alpha_t` is :math:`\rho_t` times the RMS of the parameters
    (at least :math:`\epsilon_2`), so a layer of small weights takes small steps, and
    the update is clipped to RMS :math:`d`. :math:`\hat\beta_{2,t} = 1 - t^{-0.8}`
    grows from 0 (the first step uses :math:`G_1^2` alone, no bias correction needed)
    towards 1. ``lr`` (:math:`\gamma`) only caps :math:`\rho_t` and scales the
    weight decay (torch's choice; the paper has no ``lr`` and caps at 0.01). Row and
    column means are torch's (the paper's sums give the same :math:`\hat V`), and
    torch applies :math:`\epsilon_1` at :math:`\hat V` and :math:`U` only, not inside
    :math:`R` and :math:`C` as the paper does. ``eps[0] = None`` is the machine
    epsilon of float64, ``2.2e-16`` (torch: of the parameters' dtype).

    An array with two or more axes is factored over its last two (as in torch, whose
    RMS is over the whole array); with ``run_axes = k`` (an attribute, see
    :class:`Optimizer`) the ``k`` leading axes are independent runs, each with its
    own RMS and clipping. Give the parameters as a dict to give each layer its own
    factored moments.

    State: ``t``, ``row_var`` (:math:`R`, shape ``(..., n, 1)``) and ``col_var``
    (:math:`C`, shape ``(..., 1, m)``) for a matrix, ``variance`` (:math:`\hat V`)
    for a vector: torch's names and shapes.

    Arguments (defaults and order as torch): ``lr=1e-2``, ``beta2_decay=-0.8``,
    ``eps=(None, 1e-3)``, ``d=1``, ``weight_decay=0``. As torch,
    :math:`\tau \le 0`, :math:`d \ge 1` and the others :math:`\ge 0`. Departure from
    torch: ``eps[0] = 0`` is allowed, but a step that divides by zero (a row of zero
    squared gradients in every step so far) raises ``ValueError`` naming it; torch
    returns NaN.
    """

    _state = ("row_var", "col_var", "variance")

    def __init__(
        self, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0
    ):
        self.beta2_decay = beta2_decay
        self.eps = eps
        self.d = d
        self.weight_decay = weight_decay
        super().__init__(lr)
        self._check()

    def _hyperparameters(self):
        eps1, eps2 = self.eps
        return {
            "lr": self.lr,
            "beta2_decay": self.beta2_decay,
            **({} if eps1 is None else {"eps[0]": eps1}),
            "eps[1]": eps2,
            "d": self.d,
            "weight_decay": self.weight_decay,
        }

    def _check(self):
        _pair("eps", self.eps, "eps1", "eps2")
        _hyper("lr", self.lr)
        _hyper("beta2_decay", self.beta2_decay, -np.inf, 0.0)
        if self.eps[0] is not None:
            _hyper("eps[0]", self.eps[0])
        _hyper("eps[1]", self.eps[1])
        _hyper("d", self.d, 1.0)
        _hyper("weight_decay", self.weight_decay)

    def _factored(self, shape):
        return len(shape) - _checks.integer("run_axes", self.run_axes, 0) >= 2

    def _check_parameter(self, x):
        _layer_axes(self, x)

    def _state_shape(self, name, shape):
        if name == "variance":
            return None if self._factored(shape) else shape
        if not self._factored(shape):
            return None
        if name == "row_var":
            return shape[:-1] + (1,)
        return shape[:-2] + (1,) + shape[-1:]  # col_var

    def _update(self, x, g):
        lr, t, layer = self.lr, self.t, _layer_axes(self, x)
        eps1, eps2 = self.eps
        if eps1 is None:
            eps1 = np.finfo(np.float64).eps
        weight = float(t) ** self.beta2_decay  # 1 - beta2_t
        rho = np.minimum(lr, 1 / np.sqrt(t))
        rms = np.sqrt(np.mean(x * x, axis=layer, keepdims=True))
        alpha = np.maximum(eps2, rms) * rho
        if np.any(self.weight_decay != 0):
            x = x * (1 - lr * self.weight_decay)
        g2 = g * g
        if self._factored(x.shape):
            if self.row_var is None:
                self.row_var = np.zeros(self._state_shape("row_var", x.shape))
                self.col_var = np.zeros(self._state_shape("col_var", x.shape))
            self.row_var = _lerp(self.row_var, g2.mean(axis=-1, keepdims=True), weight)
            self.col_var = _lerp(self.col_var, g2.mean(axis=-2, keepdims=True), weight)
            mean_row = np.maximum(self.row_var.mean(axis=-2, keepdims=True), eps1)
            self._divides("mean of the row factor", mean_row)
            v_hat = self.row_var @ self.col_var / mean_row
        else:
            if self.variance is None:
                self.variance = np.zeros_like(x)
            self.variance = _lerp(self.variance, g2, weight)
            v_hat = self.variance
        root = np.sqrt(np.maximum(v_hat, eps1 * eps1))
        self._divides("second-moment estimate", root)
        update = g / root
        rms_update = np.sqrt(np.mean(update * update, axis=layer, keepdims=True))
        return x - alpha / np.maximum(1.0, rms_update / self.d) * update

    def _divides(self, what, denominator):
        """Refuse a zero ``denominator`` (possible only with ``eps[0] = 0``)."""
        if np.any(denominator == 0):
            raise ValueError(
                f"eps[0]=0 divides by zero at step {self.t}: the {what} is 0 (its "
                "gradients were all 0; torch would return NaN); use eps[0] > 0 or None"
            )
