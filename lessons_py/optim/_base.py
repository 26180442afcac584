"""What every optimizer of :mod:`lessons_py.optim` shares: the step, on one array or on
a dict of named arrays, the state and the checks of its hyperparameters."""

import inspect
from collections.abc import Mapping

import numpy as np

from .. import _checks


def _hyper(name, value, low=0.0, high=np.inf, **kwargs):
    """A hyperparameter: a finite real number or a NumPy array of them, in range."""
    return _checks.in_range(name, value, low, high, sequences=False, **kwargs)


def _pair(name, value, first, second):
    """``value`` after checking it is a pair (a tuple, list or array of two entries),
    such as ``betas``; ``first`` and ``second`` name the entries in the message."""
    if not isinstance(value, (tuple, list, np.ndarray)) or len(value) != 2:
        raise ValueError(f"{name} must be a pair ({first}, {second}), got {value!r}")
    return value


def _leading(name, value, ndim):
    """A hyperparameter of a dict step aligned with the *leading* axes of an array of
    ``ndim`` axes: an array of shape ``(R,)`` (or ``(R, 1)``) gets trailing unit axes,
    ``(R, 1, ..., 1)``; numbers, and pairs of numbers, are left as they are."""
    if isinstance(value, np.ndarray) and value.ndim:
        if value.ndim > ndim:
            raise ValueError(
                f"{name} has shape {value.shape}, more axes than the parameter "
                f"({ndim}): in a dict step an array hyperparameter indexes the "
                "leading axes (the runs) of every array"
            )
        return value.reshape(value.shape + (1,) * (ndim - value.ndim))
    if isinstance(value, (tuple, list)):
        return type(value)(_leading(name, v, ndim) for v in value)
    return value


def _holds_array(value):
    """Whether a hyperparameter is (or, for a pair such as ``betas``, holds) an array
    with axes, which a dict step must align with each parameter."""
    if isinstance(value, (tuple, list)):
        return any(_holds_array(v) for v in value)
    return isinstance(value, np.ndarray) and value.ndim > 0


class Optimizer:
    """Shared machinery: argument checks, the step counter and the state.

    ``step(x, grad)`` takes the parameters either as one array or as a dict of named
    arrays (``{"W1": ..., "b1": ...}``, the way torch takes a list of parameters and
    optax a pytree), with ``grad`` of the same structure, and returns the same
    structure. On a dict the step counter ``t`` advances once per step, and the update
    runs once per name, on that array alone: an elementwise method (SGD, Adam, ...) is
    unchanged, and a method that treats its array as one layer (``Muon``,
    ``Adafactor``) acts on each weight matrix. ``grad`` must have the same names and
    shapes (a ``ValueError`` names the one that differs), and so must every later
    step until ``reset()``; an error in the update of one array (``Muon`` on a
    vector, say) names that array, and the step is then not taken (state and ``t``
    are left as they were).

    The state is visible: after a step on one array, each buffer (``m``, ``v``, ...)
    is an array of the parameters' shape, or ``None`` until it is first needed; after
    a step on a dict, each is a dict of arrays keyed like the parameters (holding the
    names that have that buffer; ``None`` if none has), as torch keeps one state per
    tensor. ``reset()`` clears it.

    Sweeps: hyperparameters may be arrays. On one array they broadcast against it as
    NumPy does (parameters ``(runs, d)``, ``lr`` of shape ``(runs, 1)``). On a dict
    each array may carry the same leading axes (``W1`` of shape ``(runs, d_in, H)``,
    ``b1`` of shape ``(runs, H)``, as :meth:`lessons_py.mlp.MLP.unpack` gives them)
    and an array hyperparameter indexes those leading axes: ``lr`` of shape
    ``(runs,)`` or ``(runs, 1)`` is given trailing unit axes for each array. The
    attribute ``run_axes`` (default 0) says how many leading axes of every array
    index runs; only the methods that treat an array as one layer read it (with
    ``run_axes=1`` ``Muon`` takes an array ``(runs, n, m)`` as ``runs`` matrices).

    Subclasses list their state buffers in ``_state`` (arrays, of the parameters'
    shape unless ``_state_shape`` says otherwise), their per-run numbers in
    ``_scalar_state`` (a number, or an array that broadcasts over a sweep), and
    implement ``_check()`` (validate hyperparameters), optionally
    ``_check_parameter(x)`` (refuse an array the method cannot act on) and
    ``_update(x, g)`` (one step on one array, with ``self.t`` already advanced to the
    number of this step, 1, 2, ..., and the state of that array loaded into the state
    attributes).
    """

    _state = ()
    _scalar_state = ()
    _layout = None  # {name: shape} of the parameters after a step on a dict
    run_axes = 0

    def __init__(self, lr):
        self.lr = lr
        self.reset()

    def reset(self):
        """Clear the state: step count ``t = 0`` and every buffer set to ``None``."""
        self.t = 0
        self._layout = None
        for name in self._state + self._scalar_state:
            setattr(self, name, None)

    def step(self, x, grad):
        """Return the parameters after one update; ``x`` and ``grad`` are left
        untouched. ``x`` is an array, or a dict of named arrays with ``grad`` a dict
        of the same names and shapes (see the class docstring); the result has the
        structure of ``x``, names in its order."""
        if not isinstance(x, np.ndarray) and isinstance(x, Mapping):
            return self._step_dict(x, grad)
        if self._layout is not None:
            raise ValueError(
                "the optimizer state belongs to a dict of parameters; call reset() "
                "before optimising a single array"
            )
        x = _checks.real_array("x", x, empty=True)
        g = _checks.real_array("grad", grad, empty=True)
        _checks.same_shape("grad", g, "the parameters", x)
        self._check()  # hyperparameters may have been changed since the last step
        for name, value in self._hyperparameters().items():
            _checks.broadcasts_to(name, value, x.shape)
        self._check_parameter(x)
        for name in self._state:
            buffer = getattr(self, name)
            if buffer is not None and buffer.shape != self._state_shape(name, x.shape):
                raise ValueError(
                    f"parameters have shape {x.shape} but the optimizer state "
                    f"{name!r} has shape {buffer.shape}; call reset() before "
                    "optimising other parameters"
                )
        self.t += 1
        return self._update(x, g)

    def _step_dict(self, params, grads):
        """``step`` on a dict: ``_update`` once per name, with that name's state."""
        if not isinstance(grads, Mapping):
            raise ValueError(
                "grad must be a dict keyed like the parameters x, got "
                f"{type(grads).__name__}"
            )
        if not params:
            raise ValueError("x must hold at least one parameter, got an empty dict")
        missing = [k for k in params if k not in grads]
        extra = [k for k in grads if k not in params]
        if missing or extra:
            raise ValueError(
                "grad must have the names of the parameters x: "
                + "; ".join(
                    [f"no gradient for {k!r}" for k in missing]
                    + [f"{k!r} is not a parameter" for k in extra]
                )
            )
        xs, gs = {}, {}
        for key in params:
            xs[key] = _checks.real_array(f"x[{key!r}]", params[key], empty=True)
            gs[key] = _checks.real_array(f"grad[{key!r}]", grads[key], empty=True)
            _checks.same_shape(f"grad[{key!r}]", gs[key], f"x[{key!r}]", xs[key])
        names = self._state + self._scalar_state
        old = {name: getattr(self, name) for name in names}
        self._check_layout({key: x.shape for key, x in xs.items()}, old)
        self._check()  # hyperparameters may have been changed since the last step
        new = {name: dict(old[name] or {}) for name in names}
        sweeps = [a for a, v in vars(self).items() if a[0] != "_" and _holds_array(v)]
        out = {}
        self.t += 1
        try:
            for key in xs:
                out[key] = self._step_one(key, xs[key], gs[key], old, new, sweeps)
        except BaseException:
            self.t -= 1  # the step is not taken
            new = old
            raise
        finally:
            for name in names:
                setattr(self, name, new[name] or None)
        self._layout = {key: x.shape for key, x in xs.items()}
        return out

    def _check_layout(self, layout, state):
        """Refuse a dict whose names or shapes differ from those of the state."""
        if self._layout is None:
            if any(value is not None for value in state.values()):
                raise ValueError(
                    "the optimizer state belongs to a single array; call reset() "
                    "before optimising a dict of parameters"
                )
            return
        changes = [f"{k!r} is new" for k in layout if k not in self._layout]
        changes += [f"{k!r} is missing" for k in self._layout if k not in layout]
        changes += [
            f"{k!r} has shape {layout[k]}, its state {self._layout[k]}"
            for k in layout
            if k in self._layout and layout[k] != self._layout[k]
        ]
        if changes:
            raise ValueError(
                "the parameters differ from those the optimizer state belongs to ("
                + "; ".join(changes)
                + "); call reset() before optimising other parameters"
            )

    def _step_one(self, key, x, g, old, new, sweeps):
        """One array of a dict step: its state and aligned hyperparameters loaded into
        the attributes, ``_update``, its new state stored in ``new``."""
        for name in old:
            setattr(self, name, (old[name] or {}).get(key))
        saved = {a: getattr(self, a) for a in sweeps}
        try:
            for a in sweeps:
                setattr(self, a, _leading(a, saved[a], x.ndim))
            for name, value in self._hyperparameters().items():
                _checks.broadcasts_to(name, value, x.shape)
            self._check_parameter(x)
            x = self._update(x, g)
        except ValueError as error:
            raise ValueError(f"parameter {key!r}: {error}") from None
        finally:
            for a in sweeps:
                setattr(self, a, saved[a])
        for name in old:
            value = getattr(self, name)
            if value is None:
                new[name].pop(key, None)
            else:
                new[name][key] = value
        return x

    def _check_parameter(self, x):
        """Refuse an array the method cannot act on (every array, here)."""

    def _state_shape(self, name, shape):
        """The shape of the buffer ``name`` for parameters of shape ``shape``."""
        return shape

    def state_size(self):
        """The number of floats the state holds: every entry of every buffer and
        per-run number (one dict or array at a time), ``t`` excluded; 0 before the
        first step. Adam keeps two per parameter, Adafactor ``n + m`` per ``n x m``
        matrix."""
        total = 0
        for name in self._state + self._scalar_state:
            value = getattr(self, name)
            parts = value.values() if isinstance(value, Mapping) else [value]
            total += sum(int(np.size(p)) for p in parts if p is not None)
        return total

    def _hyperparameters(self):
        """Numeric hyperparameters by name (used for checks and ``repr``)."""
        return {"lr": self.lr}

    def _nonzero(self, denominator, estimate="second-moment estimate"):
        """``denominator`` (``sqrt(...) + eps``) after checking no entry is 0.

        With ``eps = 0`` a coordinate whose gradients were all 0 has denominator 0,
        and its step would be 0/0 = NaN (torch's result) or ±∞: a ValueError
        naming ``eps`` instead, which says what was zero (``estimate``). With a
        scalar ``eps > 0`` the check costs nothing.
        """
        eps = self.eps
        if not (type(eps) is float and eps > 0) and np.any(denominator == 0):
            raise ValueError(
                f"eps=0 divides by zero at step {self.t}: a coordinate whose "
                f"gradients were all 0 has a zero {estimate} (torch would return "
                "NaN); use eps > 0"
            )
        return denominator

    def __repr__(self):
        """``Name(keyword=value, ...)`` in the order of the class's signature: every
        argument, so that ``eval(repr(opt))`` makes the same optimizer."""
        names = inspect.signature(type(self)).parameters
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in names)
        return f"{type(self).__name__}({args})"
