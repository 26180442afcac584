r"""A one-hidden-layer network with hand-written backprop, as a finite sum.

:class:`MLP` is the classifier

.. math::
    h = \tanh(x W_1 + b_1), \qquad z = h W_2 + b_2, \qquad
    \ell_i(\theta) = -\log \operatorname{softmax}(z)_{y_i}

(or, with ``loss="mse"``, the squared error to the one-hot label,
:math:`\ell_i = \tfrac12\lVert z - e_{y_i}\rVert^2`, the loss of most edge-of-stability
experiments)

with every parameter in one flat vector ``theta = [W1, b1, W2, b2]`` (raveled in
that order, as in a torch ``state_dict``). It is a
:class:`~lessons_py.objectives.FiniteSum`, so :mod:`lessons_py.optim` and
:func:`lessons_py.run <lessons_py.loop.run>` train it unchanged::

    X, y, X_val, y_val = digits(n_train=500, seed=0)
    net = MLP(X, y, hidden=32)
    rec = run(optim.AdamW(lr=3e-3), net, net.init(seed=0), 300, batch_size=32)
    net.accuracy(rec.x[-1], X_val, y_val)

Like every objective, ``theta`` may carry leading axes, shape ``(..., d)``: a
stack of parameter vectors is a stack of networks, evaluated and
differentiated at once (one call for a whole hyperparameter sweep).
:func:`digits` loads scikit-learn's bundled handwritten digits (no download).
"""

import functools
import importlib.util
from pathlib import Path

import numpy as np

from . import _checks
from .objectives import FiniteSum

__all__ = ["MLP", "digits"]


class MLP(FiniteSum):
    """A tanh network with one hidden layer and a softmax cross-entropy loss.

    ``X`` has shape ``(n, d_in)`` and finite entries; ``y`` holds integer labels
    ``0 .. classes - 1`` (``classes`` defaults to ``y.max() + 1``). There is no
    regularisation term in the loss: weight decay, or an L2 term, is the
    optimizer's business. ``loss`` is ``"cross_entropy"`` (softmax cross-entropy, the
    default) or ``"mse"`` (half the squared distance of the scores ``z`` to the one-hot
    label); ``predict`` and ``accuracy`` take the largest score either way. Data
    passed later (``evaluate``, ``accuracy``, ...) must have labels in the same range:
    a label the network has no output for raises ``ValueError``.
    """

    name = "MLP"

    def __init__(self, X, y, hidden=32, classes=None, loss="cross_entropy"):
        self.X = _checks.real_array("X", X, ndim=2, finite=True)
        y = np.asarray(y)
        if y.shape != self.X.shape[:1] or self.X.shape[1] == 0:
            raise ValueError(
                f"X must be (n, d_in) and y (n,), got {self.X.shape} and {y.shape}"
            )
        if not np.issubdtype(y.dtype, np.integer) or y.min() < 0:
            raise ValueError("y must hold integer class labels 0, 1, 2, ...")
        self.hidden = _checks.integer("hidden", hidden, 1)
        classes = int(y.max()) + 1 if classes is None else classes
        self.classes = _checks.integer("classes", classes, 2)
        if y.max() >= self.classes:
            raise ValueError(
                f"classes must be larger than every label of y (up to {y.max()}), "
                f"got {self.classes}"
            )
        self.y = y
        self.loss_type = _checks.choice("loss", loss, ("cross_entropy", "mse"))
        self.n, self.d_in = self.X.shape
        H, C = self.hidden, self.classes
        self.shapes = {"W1": (self.d_in, H), "b1": (H,), "W2": (H, C), "b2": (C,)}
        self.dim = sum(int(np.prod(s)) for s in self.shapes.values())

    # ------------------------------------------------------------------ parameters

    def unpack(self, theta):
        """The layers of ``theta`` (shape ``(..., dim)``) as a dict of views, leading
        axes kept."""
        theta = self._x(theta, "theta")
        lead, parts, start = theta.shape[:-1], {}, 0
        for name, shape in self.shapes.items():
            size = int(np.prod(shape))
            parts[name] = theta[..., start : start + size].reshape(lead + shape)
            start += size
        return parts

    def pack(self, parts):
        """The flat ``theta`` (shape ``(..., dim)``) of a dict of layers, the inverse
        of :meth:`unpack`: ``parts`` has the names ``W1``, ``b1``, ``W2``, ``b2`` (in
        any order), each of its layer's shape after the same leading axes. A dict
        step of an optimizer returns such a dict::

            parts = opt.step(net.unpack(theta), net.unpack(net.grad(theta)))
            theta = net.pack(parts)
        """
        if not isinstance(parts, dict) or set(parts) != set(self.shapes):
            got = sorted(parts) if isinstance(parts, dict) else type(parts).__name__
            raise ValueError(
                f"parts must be a dict with the names {list(self.shapes)}, got {got}"
            )
        first = _checks.real_array("parts['W1']", parts["W1"], empty=True)
        lead = first.shape[:-2]
        flat = []
        for name, shape in self.shapes.items():
            part = _checks.real_array(f"parts[{name!r}]", parts[name], empty=True)
            if part.shape != lead + shape:
                raise ValueError(
                    f"parts[{name!r}] must have shape {lead + shape} (the leading "
                    f"axes {lead} of parts['W1'], then {shape}), got {part.shape}"
                )
            flat.append(part.reshape(lead + (-1,)))
        return np.concatenate(flat, axis=-1)

    def init(self, seed):
        """torch's default ``nn.Linear`` initialisation, seeded: every weight and bias
        of a layer with ``fan_in`` inputs is uniform on
        ``[-1/sqrt(fan_in), 1/sqrt(fan_in)]``. ``seed`` is a seed or a
        ``np.random.Generator``."""
        rng = _checks.rng("seed", seed)
        fan_in = {
            "W1": self.d_in,
            "b1": self.d_in,
            "W2": self.hidden,
            "b2": self.hidden,
        }
        return np.concatenate(
            [
                rng.uniform(-1, 1, size=int(np.prod(shape))) / np.sqrt(fan_in[name])
                for name, shape in self.shapes.items()
            ]
        )

    def weight_mask(self):
        """1.0 on the weight matrices, 0.0 on the biases (shape ``(dim,)``).

        ``weight_decay=lam * net.weight_mask()`` decays weights but not biases,
        the usual practice."""
        return np.concatenate(
            [
                np.full(int(np.prod(s)), float(name.startswith("W")))
                for name, s in self.shapes.items()
            ]
        )

    # ------------------------------------------------------------- forward and backward

    def _data(self, X, y=None):
        X = _checks.real_array("X", X, finite=True, empty=True)
        if X.ndim != 2 or X.shape[1] != self.d_in or len(X) == 0:
            raise ValueError(
                f"X must have shape (n, {self.d_in}) with n >= 1, got {X.shape}"
            )
        if y is None:
            return X
        y = np.asarray(y)
        if y.shape != X.shape[:1]:
            raise ValueError(f"y must have shape ({len(X)},) to match X, got {y.shape}")
        if not np.issubdtype(y.dtype, np.integer):
            raise ValueError(f"y must hold integer class labels, got dtype {y.dtype}")
        if y.min() < 0 or y.max() >= self.classes:
            raise ValueError(
                f"y must hold labels in [0, {self.classes - 1}] (the classes this "
                f"network has outputs for), got labels in [{y.min()}, {y.max()}]"
            )
        return X, y

    def _forward(self, theta, X):
        """Layers, hidden activations h and class scores z for the rows of X."""
        p = self.unpack(theta)
        h = np.tanh(_matmul(X, p["W1"]) + p["b1"][..., None, :])  # (..., b, H)
        z = h @ p["W2"] + p["b2"][..., None, :]  # (..., b, C)
        return p, h, z

    def logits(self, theta, X):
        """Class scores z, shape ``(..., n, classes)`` for ``X`` of shape
        ``(n, d_in)``."""
        return self._forward(theta, self._data(X))[2]

    def predict(self, theta, X):
        """The most likely class of every row of ``X``."""
        return np.argmax(self.logits(theta, X), axis=-1)

    def accuracy(self, theta, X, y):
        """Fraction of rows of ``X`` classified correctly (shape ``(...)``)."""
        return self.evaluate(theta, X, y)["accuracy"]

    def cross_entropy(self, theta, X, y):
        """Mean softmax cross-entropy on any data ``(X, y)`` (validation loss, for
        instance), whatever ``loss`` the network trains on."""
        X, y = self._data(X, y)
        return self._cross_entropy(self._forward(theta, X)[2], y)[0]

    def evaluate(self, theta, X, y):
        """``{"loss": mean training loss, "accuracy": fraction correct}`` on ``(X, y)``,
        from a single forward pass."""
        X, y = self._data(X, y)
        z = self._forward(theta, X)[2]
        return {
            "loss": self._output_loss(z, y)[0],
            "accuracy": np.mean(np.argmax(z, axis=-1) == y, axis=-1),
        }

    def loss(self, theta):
        """Mean loss (cross-entropy, or squared error) on the training set."""
        return self._loss_and_grad(theta, self.X, self.y, grad=False)

    def grad(self, theta):
        return self._loss_and_grad(theta, self.X, self.y)[1]

    def loss_and_grad(self, theta):
        """``(loss, grad)`` on the training set from one forward and backward pass."""
        return self._loss_and_grad(theta, self.X, self.y)

    def hvp(self, theta, v):
        r"""The Hessian-vector product ∇²L(θ) v on the training set, exactly, by
        Pearlmutter's (1994) R-operator.

        :math:`\mathcal R\{\cdot\} = \frac{d}{dr}(\cdot)\big|_{r=0}` at
        :math:`\theta + r v` is applied to every line of the forward and backward
        pass, so the cost is about two gradients and no Hessian is formed. With
        ``v = (V_1, c_1, V_2, c_2)`` unpacked like ``theta``:

        .. math::
            \begin{aligned}
            \mathcal R\{a\} &= X V_1 + c_1,\\
            \mathcal R\{h\} &= (1 - h^2)\odot\mathcal R\{a\},\\
            \mathcal R\{z\} &= \mathcal R\{h\} W_2 + h V_2 + c_2,\\
            \mathcal R\{\delta_z\} &= \tfrac1b\big(p\odot\mathcal R\{z\}
              - p\,(p^\top\mathcal R\{z\})\big),\\
            \mathcal R\{\delta_a\} &= \big(\mathcal R\{\delta_z\} W_2^\top
              + \delta_z V_2^\top\big)\odot(1 - h^2)
              - 2\,(\delta_z W_2^\top)\odot h\odot\mathcal R\{h\}
            \end{aligned}

        with :math:`p = \operatorname{softmax}(z)` (for ``loss="mse"``, whose Hessian in
        :math:`z` is the identity, :math:`\mathcal R\{\delta_z\} = \mathcal R\{z\}/b`),
        and the Hessian-vector product
        is :math:`\mathcal R` of the gradient: :math:`(X^\top \mathcal R\{\delta_a\},
        \sum \mathcal R\{\delta_a\}, \mathcal R\{h\}^\top\delta_z +
        h^\top\mathcal R\{\delta_z\}, \sum\mathcal R\{\delta_z\})`.
        ``theta`` and ``v`` have shape ``(..., dim)`` and broadcast.
        """
        return self.hvp_operator(theta)(v)

    def hvp_operator(self, theta):
        """The map ``v ↦ ∇²L(θ) v`` at a fixed ``theta``, the forward pass done once:
        :meth:`hvp` is ``hvp_operator(theta)(v)``, and the Lanczos iteration of
        :func:`lessons_py.curvature.top_eigenvalue` multiplies by many ``v`` at one
        ``theta``. The map takes ``v`` of shape ``(..., dim)``, broadcast against
        ``theta``."""
        theta = self._x(theta, "theta")
        X = self.X
        p, h, z = self._forward(theta, X)
        error = self._output_loss(z, self.y)[1]  # dℓ/dz of every example
        dz = error / self.n
        slope = 1 - h * h  # tanh'
        W2_T = np.swapaxes(p["W2"], -1, -2)
        curve = 2 * (dz @ W2_T) * h  # (dL/dh) ⊙ h, times 2: tanh'' = −2 h tanh'
        if self.loss_type == "cross_entropy":
            prob = error + (self.y[:, None] == np.arange(self.classes))
        h_T = np.swapaxes(h, -1, -2)

        def product(v):
            q = self.unpack(self._x(v, "v"))
            Ra = _matmul(X, q["W1"]) + q["b1"][..., None, :]
            Rh = slope * Ra
            Rz = Rh @ p["W2"] + h @ q["W2"] + q["b2"][..., None, :]
            if self.loss_type == "mse":  # ∂²ℓ/∂z² = I
                Rdz = Rz / self.n
            else:  # ∂²ℓ/∂z² = diag(p) − p pᵀ
                Rdz = prob * (Rz - _sum_columns(prob * Rz)[..., None]) / self.n
            Rda = (Rdz @ W2_T + dz @ np.swapaxes(q["W2"], -1, -2)) * slope
            Rda = Rda - curve * Rh
            parts = (
                X.T @ Rda,
                _sum_rows(Rda),
                np.swapaxes(Rh, -1, -2) @ dz + h_T @ Rdz,
                _sum_rows(Rdz),
            )
            lead = Rdz.shape[:-2]
            return np.concatenate([d.reshape(lead + (-1,)) for d in parts], axis=-1)

        return product

    def batch_grad(self, theta, idx):
        idx = self._idx(idx)
        return self._loss_and_grad(theta, self.X[idx], self.y[idx])[1]

    def per_example_grads(self, theta):
        theta = self._x(theta, "theta")
        return self.batch_grad(theta[..., None, :], np.arange(self.n)[:, None])

    def _output_loss(self, z, y):
        """The mean loss over the rows and every row's derivative dℓ/dz."""
        if self.loss_type == "cross_entropy":
            return self._cross_entropy(z, y)
        error = z - (y[..., None] == np.arange(self.classes))  # z − onehot(y)
        return 0.5 * np.sum(error * error, axis=(-2, -1)) / z.shape[-2], error

    def _cross_entropy(self, z, y):
        """Mean of -log softmax(z)_y over the rows, and softmax(z) minus the one-hot
        labels."""
        z = z - _max_columns(z)[..., None]  # softmax is shift-invariant
        e = np.exp(z)
        total = _sum_columns(e)  # (..., b): the softmax's denominators
        onehot = y[..., None] == np.arange(self.classes)  # (..., b, C)
        picked = _sum_columns(np.where(onehot, z, 0.0))  # z of the true class
        loss = np.sum(np.log(total) - picked, axis=-1) / z.shape[-2]
        return loss, e / total[..., None] - onehot

    def _loss_and_grad(self, theta, X, y, grad=True):
        """Mean loss over the rows of X (and its gradient): forward, then backward by
        hand.

        ``theta`` has shape ``(..., dim)`` and ``X`` shape ``(..., b, d_in)``;
        their leading axes broadcast.
        """
        p, h, z = self._forward(theta, X)
        loss, error = self._output_loss(z, y)
        if not grad:
            return loss
        # backward: dL/dz = (softmax(z) - onehot(y)) / b, or (z - onehot(y)) / b for the
        # squared error, then the chain rule, layer by layer
        dz = error / X.shape[-2]  # (..., b, C)
        dW2 = np.swapaxes(h, -1, -2) @ dz  # (..., H, C)
        db2 = _sum_rows(dz)
        W2_T = np.ascontiguousarray(
            np.swapaxes(p["W2"], -1, -2)
        )  # contiguous: fast matmul
        da = (dz @ W2_T) * (1 - h * h)  # tanh' = 1 - tanh²
        dW1 = np.swapaxes(X, -1, -2) @ da  # (..., d_in, H)
        db1 = _sum_rows(da)
        lead = dz.shape[:-2]  # every gradient has the broadcast leading axes of dz
        return loss, np.concatenate(
            [d.reshape(lead + (-1,)) for d in (dW1, db1, dW2, db2)], axis=-1
        )


# NumPy reduces along a short axis one row at a time; for the (..., b, k) arrays of a
# network with few units these sums and maxima cost several times the arithmetic around
# them, so they run as matrix products (sums) or as loops over the few columns (maxima).


def _sum_rows(a):
    """``a.sum(axis=-2)`` for ``a`` of shape ``(..., b, k)``, as one matrix product."""
    return np.ones(a.shape[-2]) @ a


def _sum_columns(a):
    """``a.sum(axis=-1)``, as one matrix product."""
    return a @ np.ones(a.shape[-1])


def _max_columns(z):
    """``z.max(axis=-1)``, exactly (NaN propagates); for many short rows a loop over
    the columns is faster than the reduction."""
    if z.shape[-1] > 32 or z[..., 0].size < 256:
        return z.max(axis=-1)
    top = z[..., 0].copy()
    for k in range(1, z.shape[-1]):
        np.maximum(top, z[..., k], out=top)
    return top


def _matmul(X, W):
    """``X @ W``; when one data matrix ``X`` meets a stack of weights, as a single BLAS
    call."""
    if X.ndim == 2 and W.ndim > 2:  # (n, i) with (..., i, h): (n, ..., h), then move n
        return np.ascontiguousarray(
            np.moveaxis(np.tensordot(X, W, axes=([1], [-2])), 0, -2)
        )
    return X @ W


@functools.cache
def _digits_table():
    """The (1797, 65) table of pixels and labels that ships with scikit-learn, the
    file ``sklearn.datasets.load_digits`` reads, read without importing
    scikit-learn (which takes about a second). Read-only: it is cached."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None:
        raise ImportError(
            "the digits ship with scikit-learn: pip install scikit-learn "
            "(or the book's extra, lessons_py[book])"
        )
    path = Path(spec.submodule_search_locations[0], "datasets", "data", "digits.csv.gz")
    if path.exists():
        table = np.loadtxt(path, delimiter=",")
    else:  # a scikit-learn that keeps the file elsewhere: let it find it
        from sklearn.datasets import load_digits

        X, y = load_digits(return_X_y=True)
        table = np.column_stack([X, y])
    table.setflags(write=False)
    return table


def digits(n_train=1000, seed=0):
    """scikit-learn's 8×8 handwritten digits (1797 images, 10 classes), split and
    standardised.

    A seeded random permutation puts ``n_train`` images in the training set and
    the rest in the validation set. Each of the 64 pixels is standardised with
    the *training* mean and standard deviation (pixels that are constant in
    training are only centred). Returns ``(X_train, y_train, X_val, y_val)``.
    The data ship inside scikit-learn: nothing is downloaded.
    """
    table = _digits_table()
    X, y = table[:, :-1], table[:, -1].astype(int)
    n_train = _checks.integer("n_train", n_train, 1)
    if n_train >= len(y):
        raise ValueError(f"n_train must lie in [1, {len(y) - 1}], got {n_train}")
    order = _checks.rng("seed", seed).permutation(len(y))
    train, val = order[:n_train], order[n_train:]
    mean, std = X[train].mean(axis=0), X[train].std(axis=0)
    std[std == 0] = 1.0
    X = (X - mean) / std
    return X[train], y[train], X[val], y[val]
