r"""Layer-wise optimizers: the update of a weight array depends on the whole array.

``Lamb`` (LAMB, You et al., 2020) rescales Adam's step of each layer by a *trust
ratio*, the norm of the layer's weights over the norm of its step; ``SOAP`` (Vyas et
al., 2024) runs Adam in the eigenbasis of Shampoo's Kronecker-factored preconditioner
(Gupta, Koren and Singer, 2018), one left and one right factor per weight matrix.
Neither is in ``torch.optim``: each follows a named third-party package, recorded once.

Each treats the array it is given as *one* layer: the trust ratio is taken over the
whole array and SOAP's factors are built from its rows and columns. Give the
parameters as a dict of named arrays to apply them layer by layer. With ``run_axes =
k`` (an attribute, see :class:`Optimizer`) the ``k`` leading axes of every array are
independent runs, each a layer of its own, and hyperparameters may be arrays over them.
"""

import numpy as np

from .. import _checks
from ._base import Optimizer, _hyper
from .adam import _adam_hyperparameters, _check_betas


def _layer_axes(opt, x):
    """The axes of ``x`` that make one layer: those after ``opt.run_axes``."""
    k = _checks.integer("run_axes", getattr(opt, "run_axes", 0), 0)
    if x.ndim < k:
        raise ValueError(
            f"run_axes={k} leading axes of runs, but the parameter has shape {x.shape}"
        )
    return tuple(range(k, x.ndim))


def _split(opt, shape):
    """``(runs, layer)``: the first ``opt.run_axes`` sides of ``shape``, the others."""
    k = _checks.integer("run_axes", getattr(opt, "run_axes", 0), 0)
    return tuple(shape[:k]), tuple(shape[k:])


def _transposed(a):
    return np.swapaxes(a, -1, -2)


class Lamb(Optimizer):
    r"""LAMB, layer-wise adaptive moments (You et al., 2020), as
    ``torch_optimizer.Lamb``.

    .. math::
        &\textbf{input: } \gamma \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},
            \ \epsilon,\ \lambda \text{ (weight decay)}, \\
        &\phantom{\textbf{input: }} c \text{ (clamp value)},\ \text{adam},
            \ \text{debias} \\
        &m_0 \leftarrow 0,\ v_0 \leftarrow 0 \\
        &\textbf{for } t = 1, 2, \ldots: \\
        &\quad g_t \leftarrow \nabla f(\theta_{t-1}) \\
        &\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
        &\quad v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        &\quad r_t \leftarrow m_t / (\sqrt{v_t} + \epsilon) + \lambda \theta_{t-1} \\
        &\quad \phi_t \leftarrow \min(\lVert \theta_{t-1} \rVert, c), \quad
            \rho_t \leftarrow \phi_t / \lVert r_t \rVert \\
        &\qquad (\rho_t \leftarrow 1 \text{ if } \phi_t = 0
            \text{ or } \lVert r_t \rVert = 0, \text{ or if adam}) \\
        &\quad \eta_t \leftarrow \gamma \sqrt{1 - \beta_2^t} / (1 - \beta_1^t)
            \text{ if debias else } \gamma \\
        &\quad \theta_t \leftarrow \theta_{t-1} - \eta_t\, \rho_t\, r_t

    The norms are Frobenius norms over the whole array: one trust ratio
    :math:`\rho_t` per layer, so that every layer's step is a fixed fraction γ of
    the size of its weights, :math:`\lVert \theta_t - \theta_{t-1} \rVert =
    \eta_t \phi_t`, however large or small its gradients. That is what lets LAMB
    train with very large batches and learning rates (You et al. trained BERT with
    batches of 32k). The norm of the weights is capped at ``clamp_value``.

    ``weight_decay`` adds :math:`\lambda\theta` to Adam's direction *before* the trust
    ratio, as in the paper, so the decay is neither an L2 term in the gradient (it is
    not divided by :math:`\sqrt{v}`) nor AdamW's separate shrink (it is rescaled by
    :math:`\rho_t`). ``adam=True`` fixes :math:`\rho_t = 1` (Adam without bias
    correction, with that decay) for comparisons; ``debias=True`` adds Adam's bias
    corrections, which version 3 of the paper dropped.

    State: ``t``, ``m`` and ``v`` (``exp_avg``, ``exp_avg_sq``), and for the last step
    ``weight_norm`` (:math:`\phi_t`), ``adam_norm`` (:math:`\lVert r_t\rVert`) and
    ``trust_ratio`` (:math:`\rho_t`, also when ``adam=True`` replaces it by 1), as the
    reference keeps them: numbers, or arrays with one entry per run when
    ``run_axes > 0`` (the leading axes of the parameters are then independent runs,
    each a layer with its own trust ratio).

    Reference implementation: ``torch_optimizer.Lamb`` of the pytorch-optimizer
    package (``torch-optimizer`` 0.3.0, also the reference of
    :class:`lessons_py.adaptive.Yogi`): the paper's algorithm line by line, every
    option computable from one layer; trajectories agree with recorded runs on torch
    2.13 to 1e-12 (``lessons_py/reference``, ``beyond_torch``). The newer
    ``pytorch_optimizer.Lamb`` (``pytorch-optimizer`` 4.1.0) differs: its decay is
    decoupled (AdamW's) by default, it divides the step by :math:`1 - \beta_1^t`
    even though its docstring says it has no bias correction, and its ``pre_norm``
    rescales the gradients by their norm over *all* layers.

    Arguments (defaults as torch_optimizer): ``lr=1e-3``, ``betas=(0.9, 0.999)``,
    ``eps=1e-6``, ``weight_decay=0``, ``clamp_value=10``, ``adam=False``,
    ``debias=False``: ``lr > 0``, betas in [0, 1), ``eps``, ``weight_decay`` and
    ``clamp_value`` >= 0 (numbers, or arrays over the runs). Departure: ``eps=0`` is
    allowed, but a step in which a coordinate's :math:`\sqrt{v_t} + \epsilon` is 0
    (its gradients were all 0) raises ``ValueError`` naming ``eps``; torch_optimizer
    returns NaN.
    """

    _state = ("m", "v")
    _scalar_state = ("weight_norm", "adam_norm", "trust_ratio")

    def __init__(
        self,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-6,
        weight_decay=0.0,
        clamp_value=10.0,
        adam=False,
        debias=False,
    ):
        self.betas = betas
        self.eps = eps
        self.weight_decay = weight_decay
        self.clamp_value = clamp_value
        self.adam = adam
        self.debias = debias
        super().__init__(lr)
        self._check()

    def _hyperparameters(self):
        return {**_adam_hyperparameters(self), "clamp_value": self.clamp_value}

    def _check(self):
        _hyper("lr", self.lr, low_open=True)
        _check_betas(self.betas)
        _hyper("eps", self.eps)
        _hyper("weight_decay", self.weight_decay)
        _hyper("clamp_value", self.clamp_value)
        _checks.flag("adam", self.adam)
        _checks.flag("debias", self.debias)

    def _check_parameter(self, x):
        _layer_axes(self, x)

    def _update(self, x, g):
        beta1, beta2 = self.betas
        t, layer = self.t, _layer_axes(self, x)
        if self.m is None:
            self.m, self.v = np.zeros_like(x), np.zeros_like(x)
        self.m = beta1 * self.m + (1 - beta1) * g
        self.v = beta2 * self.v + (1 - beta2) * g * g
        step_size = self.lr
        if self.debias:
            step_size = self.lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
        r = self.m / self._nonzero(np.sqrt(self.v) + self.eps)
        if np.any(self.weight_decay != 0):
            r = r + self.weight_decay * x
        # one trust ratio per layer: the norms run over all of its entries
        weight_norm = np.minimum(
            np.sqrt(np.sum(x * x, axis=layer, keepdims=True)), self.clamp_value
        )
        adam_norm = np.sqrt(np.sum(r * r, axis=layer, keepdims=True))
        trusted = (weight_norm != 0) & (adam_norm != 0)
        ratio = np.divide(
            weight_norm, adam_norm, out=np.ones_like(adam_norm), where=trusted
        )
        self.weight_norm, self.adam_norm, self.trust_ratio = (
            np.squeeze(a, axis=layer) for a in (weight_norm, adam_norm, ratio)
        )
        return x - step_size * (1.0 if self.adam else ratio) * r


class SOAP(Optimizer):
    r"""SOAP, "ShampoO with Adam in the Preconditioner's eigenbasis" (Vyas et al.,
    2024), as ``pytorch_optimizer.SOAP``.

    For a weight matrix :math:`\theta` with gradients :math:`G`:

    .. math::
        &\textbf{input: } \gamma \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},
            \ \beta_s \text{ (shampoo beta, default } \beta_2),\ \epsilon, \\
        &\phantom{\textbf{input: }} \lambda \text{ (weight decay)},
            \ f \text{ (precondition frequency)} \\
        &\textbf{step 1: } L \leftarrow (1 - \beta_s) G_1 G_1^\top,
            \ R \leftarrow (1 - \beta_s) G_1^\top G_1, \\
        &\phantom{\textbf{step 1: }} Q_L, Q_R \leftarrow \text{eigenvectors of } L, R
            \text{ (largest eigenvalue first)}; \\
        &\phantom{\textbf{step 1: }} m, v \leftarrow 0;\ \theta \text{ unchanged} \\
        &\textbf{for } t = 2, 3, \ldots \text{ with } s = t - 1: \\
        &\quad G \leftarrow \nabla f(\theta), \quad
            G' \leftarrow Q_L^\top G\, Q_R \qquad \text{(the rotated gradient)} \\
        &\quad m \leftarrow \beta_1 m + (1 - \beta_1) G, \quad
            v \leftarrow \beta_2 v + (1 - \beta_2) G'^2 \\
        &\quad N \leftarrow Q_L \big[(Q_L^\top m\, Q_R) / (\sqrt{v} + \epsilon)\big]
            Q_R^\top \\
        &\qquad \text{(Adam's step, taken in the rotated basis)} \\
        &\quad \theta \leftarrow \theta - \gamma
            \tfrac{\sqrt{1 - \beta_2^s}}{1 - \beta_1^s}\, N, \quad
            \theta \leftarrow (1 - \gamma\lambda)\, \theta \\
        &\quad L \leftarrow \beta_s L + (1 - \beta_s) G G^\top, \quad
            R \leftarrow \beta_s R + (1 - \beta_s) G^\top G \\
        &\quad \textbf{if } s \bmod f = 0: \text{ one power iteration,} \\
        &\qquad Q_L \leftarrow \operatorname{qr}(L Q_L),
            \ Q_R \leftarrow \operatorname{qr}(R Q_R) \\
        &\qquad \text{(columns sorted by } \operatorname{diag}(Q^\top L Q)\text{,} \\
        &\qquad \phantom{(}\text{the rows and columns of } v \text{ with them)}

    Shampoo preconditions a matrix gradient by :math:`L^{-1/4} G R^{-1/4}`, with
    :math:`L` and :math:`R` accumulated row and column second moments, an
    approximation of the full-matrix AdaGrad preconditioner by a Kronecker
    product :math:`L \otimes R`. SOAP keeps Shampoo's factors only for their
    eigenvectors and runs Adam in the basis they define: there a diagonal second
    moment (``v``, one entry per weight) fits much better than in the original
    coordinates. The eigenbases are refreshed every ``precondition_frequency``
    steps by one step of power iteration followed by a QR decomposition.

    The first step only gathers the statistics (the parameters do not move), as
    in the reference; the bias corrections then count from the second step
    (:math:`s = t - 1`). The first moment ``m`` is kept in the original
    coordinates and rotated when used; ``v`` lives in the rotated basis and is only
    re-ordered when the basis is refreshed. Weight decay is decoupled and applied
    after the step, with the learning rate γ (not the bias-corrected step size).
    With ``correct_bias=False`` the step size is γ; ``normalize_gradient=True``
    divides :math:`N` by :math:`\sqrt{\operatorname{mean}(N^2)} + \epsilon`. A side
    longer than ``max_precondition_dim`` is not rotated (its factor is the
    identity), and neither is a vector unless ``precondition_1d=True`` (it has one
    factor, :math:`g g^\top`): a vector is then preconditioned like Adam.

    SOAP acts on vectors and matrices: a parameter with more axes raises
    ``ValueError`` (the reference also takes convolution kernels, one factor per
    axis). With ``run_axes = k`` (an attribute, see :class:`Optimizer`) an array
    with ``k`` leading axes is a stack of independent runs, each a vector or a
    matrix with factors of its own.

    State: ``t``, ``m`` and ``v`` (``exp_avg``, ``exp_avg_sq``, the parameters'
    shape), ``L`` and ``R`` (the factors, the reference's ``GG``) and ``QL`` and
    ``QR`` (their eigenbases, the reference's ``Q``); a factor that is not kept is
    ``None``. Memory: an :math:`m \times n` matrix keeps :math:`2mn + 2(m^2 + n^2)`
    numbers.

    Reference implementation: ``pytorch_optimizer.SOAP`` of the ``pytorch-optimizer``
    package (version 4.1.0), a port of the authors' ``soap.py``, with the keyword
    names and defaults used here. Two departures, both recorded:

    * The reference computes the QR decomposition in float32 (its code says: for
      the stability of the orthogonalisation in low precision). The recorded
      reference has that one cast removed (float64 throughout), and this class
      agrees with it to 1e-12 relative (``lessons_py/reference``,
      ``beyond_torch``). Runs of the package as shipped are recorded too: its
      float32 QR moves them by up to 3e-7 relative in the recorded cases (and by
      more than 1e-9 in each case that rotates a side).
    * Where a factor is singular its eigenbasis is not unique, and the trajectory
      then depends on which basis the eigensolver returns (NumPy's LAPACK and
      torch's MKL choose differently). This happens at the first step of a
      non-square matrix: :math:`G_1 G_1^\top` and :math:`G_1^\top G_1` share their
      nonzero eigenvalues and the larger one has :math:`|m - n|` zero eigenvalues
      (on a :math:`3 \times 5` matrix the two paths differ by 3% from the second
      step on). The recorded comparisons use square matrices, vectors and matrices
      whose long side exceeds ``max_precondition_dim``.

    Arguments (defaults as pytorch_optimizer): ``lr=3e-3``, ``betas=(0.95, 0.95)``,
    ``shampoo_beta=None`` (β₂), ``weight_decay=1e-2``, ``precondition_frequency=10``,
    ``max_precondition_dim=10000``, ``precondition_1d=False``, ``correct_bias=True``,
    ``normalize_gradient=False``, ``eps=1e-8``: ``lr``, ``weight_decay``, ``eps`` >= 0
    and the betas in [0, 1) (numbers, or arrays over the runs), ``shampoo_beta``
    None or a number in [0, 1), the two integers >= 1. Left out: ``merge_dims`` and
    ``data_format``, which reshape convolution kernels before preconditioning, and
    ``maximize``. ``eps=0`` is allowed, but a step in which :math:`\sqrt{v} +
    \epsilon` is 0 somewhere raises ``ValueError`` naming ``eps``.
    """

    _state = ("m", "v", "L", "R", "QL", "QR")

    def __init__(
        self,
        lr=3e-3,
        betas=(0.95, 0.95),
        shampoo_beta=None,
        weight_decay=1e-2,
        precondition_frequency=10,
        max_precondition_dim=10000,
        precondition_1d=False,
        correct_bias=True,
        normalize_gradient=False,
        eps=1e-8,
    ):
        self.betas = betas
        self.shampoo_beta = shampoo_beta
        self.weight_decay = weight_decay
        self.precondition_frequency = precondition_frequency
        self.max_precondition_dim = max_precondition_dim
        self.precondition_1d = precondition_1d
        self.correct_bias = correct_bias
        self.normalize_gradient = normalize_gradient
        self.eps = eps
        super().__init__(lr)
        self._check()

    def _hyperparameters(self):
        beta1, beta2 = self.betas
        return {
            "lr": self.lr,
            "beta1": beta1,
            "beta2": beta2,
            "weight_decay": self.weight_decay,
            "eps": self.eps,
        }

    def _check(self):
        _hyper("lr", self.lr)
        _check_betas(self.betas)
        if self.shampoo_beta is not None:
            _checks.number("shampoo_beta", self.shampoo_beta, 0.0, 1.0, high_open=True)
        _hyper("weight_decay", self.weight_decay)
        _checks.integer("precondition_frequency", self.precondition_frequency, 1)
        _checks.integer("max_precondition_dim", self.max_precondition_dim, 1)
        _checks.flag("precondition_1d", self.precondition_1d)
        _checks.flag("correct_bias", self.correct_bias)
        _checks.flag("normalize_gradient", self.normalize_gradient)
        _hyper("eps", self.eps)

    def _check_parameter(self, x):
        if len(_layer_axes(self, x)) not in (1, 2):
            k = self.run_axes
            runs = f" after run_axes={k} axes of runs" * (k > 0)
            raise ValueError(
                f"SOAP acts on vectors and matrices: a parameter must have 1 or 2 "
                f"axes{runs}, got shape {x.shape}"
            )

    def _sides(self, shape):
        """The lengths of the sides that get a factor, ``(left, right)``, each
        ``None`` where the side is not rotated."""
        _, layer = _split(self, shape)
        if len(layer) == 1:
            keep = self.precondition_1d and layer[0] <= self.max_precondition_dim
            return (layer[0] if keep else None), None
        return tuple(n if n <= self.max_precondition_dim else None for n in layer)

    def _state_shape(self, name, shape):
        if name in ("m", "v"):
            return shape
        left, right = self._sides(shape)
        n = left if name in ("L", "QL") else right
        runs, _ = _split(self, shape)
        return None if n is None else runs + (n, n)

    def _shampoo_weight(self, vector):
        """``1 - shampoo_beta`` (β₂ by default), shaped for the factors of a vector
        layer, which have one axis more than the vector."""
        beta = self.betas[1] if self.shampoo_beta is None else self.shampoo_beta
        w = 1 - np.asarray(beta, dtype=np.float64)
        return w[..., None] if vector and w.ndim else w

    def _rotate(self, a, vector, back=False):
        r""":math:`Q_L^\top a\, Q_R`, or with ``back`` :math:`Q_L a\, Q_R^\top` (for a
        ``vector`` :math:`Q_L^\top a` and :math:`Q_L a`); an unrotated side is left as
        it is."""
        if vector:
            if self.QL is not None:
                q = self.QL if back else _transposed(self.QL)
                a = (q @ a[..., None])[..., 0]
            return a
        if self.QL is not None:
            a = (self.QL if back else _transposed(self.QL)) @ a
        if self.QR is not None:
            a = a @ (_transposed(self.QR) if back else self.QR)
        return a

    def _accumulate(self, g, vector):
        r"""The factors move towards :math:`G G^\top` and :math:`G^\top G`."""
        w = self._shampoo_weight(vector)
        if self.L is not None:
            outer = g[..., :, None] * g[..., None, :] if vector else g @ _transposed(g)
            self.L = self.L + w * (outer - self.L)
        if self.R is not None:
            self.R = self.R + w * (_transposed(g) @ g - self.R)

    @staticmethod
    def _eigenbasis(factor):
        """Eigenvectors of a factor, largest eigenvalue first (the reference adds
        1e-30 times the identity, which only matters for a zero factor)."""
        _, q = np.linalg.eigh(factor + 1e-30 * np.eye(factor.shape[-1]))
        return q[..., ::-1]

    def _refresh(self, vector):
        """One power iteration and a QR decomposition per factor; the entries of
        ``v`` follow the new order of the basis vectors."""
        for factor, basis in (("L", "QL"), ("R", "QR")):
            gg, q = getattr(self, factor), getattr(self, basis)
            if gg is None:
                continue
            product = gg @ q
            estimate = np.sum(q * product, axis=-2)  # the diagonal of Qᵀ GG Q
            order = np.argsort(-estimate, axis=-1, kind="stable")
            if vector:
                self.v = np.take_along_axis(self.v, order, axis=-1)
            elif factor == "L":  # the rows of v
                self.v = np.take_along_axis(self.v, order[..., :, None], axis=-2)
            else:  # its columns
                self.v = np.take_along_axis(self.v, order[..., None, :], axis=-1)
            columns = np.take_along_axis(product, order[..., None, :], axis=-1)
            setattr(self, basis, np.linalg.qr(columns)[0])

    def _update(self, x, g):
        beta1, beta2 = self.betas
        vector = len(_layer_axes(self, x)) == 1
        if self.m is None:  # the first step gathers the statistics only
            self.m, self.v = np.zeros_like(x), np.zeros_like(x)
            left, right = (self._state_shape(n, x.shape) for n in ("L", "R"))
            self.L = None if left is None else np.zeros(left)
            self.R = None if right is None else np.zeros(right)
            self._accumulate(g, vector)
            self.QL = None if self.L is None else self._eigenbasis(self.L)
            self.QR = None if self.R is None else self._eigenbasis(self.R)
            return x.copy()
        s = self.t - 1
        step_size = self.lr
        if self.correct_bias:
            step_size = self.lr * np.sqrt(1 - beta2**s) / (1 - beta1**s)
        rotated = self._rotate(g, vector)
        self.m = self.m + (1 - beta1) * (g - self.m)
        self.v = self.v + (1 - beta2) * (rotated * rotated - self.v)
        denominator = self._nonzero(np.sqrt(self.v) + self.eps)
        step = self._rotate(self._rotate(self.m, vector) / denominator, vector, True)
        if self.normalize_gradient:
            layer = _layer_axes(self, x)
            rms = np.sqrt(np.mean(step * step, axis=layer, keepdims=True))
            step = step / (rms + self.eps)
        x = x - step_size * step
        if np.any(self.weight_decay != 0):
            x = x * (1 - self.weight_decay * self.lr)
        self._accumulate(g, vector)
        if s % self.precondition_frequency == 0:
            self._refresh(vector)
        return x
