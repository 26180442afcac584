"""Argument checks shared by the package: the one way every public entry point refuses
bad input.

Every failure is a ``ValueError`` that names the argument, says what is allowed and
shows the value received. The rules:

* a number must be real: a string, a complex number, a bool, ``None`` or an object
  is refused where a number is meant, even where NumPy would convert it (``'0.1'``
  to 0.1, ``True`` to 1, ``1+0j`` to 1 with a warning);
* it must be finite unless infinity means something for that argument (``finite``),
  and lie in its range (NaN lies in no range);
* a hyperparameter may be a NumPy array that broadcasts over a sweep; lists are
  accepted only where the function turns them into an array itself (``sequences``);
* an integer count must be a Python or NumPy integer (2.0 is refused);
* ``rng`` is a seed or a ``np.random.Generator``, whatever ``np.random.default_rng``
  accepts except ``None`` (runs are reproducible): :func:`rng`;
* a start point is a finite real vector of the objective's dimension: :func:`start`.
"""

import numbers

import numpy as np

_INF = float("inf")


def _describe(value):
    arr = np.asarray(value)
    if arr.ndim == 0 or arr.size == 0 or arr.dtype.kind not in "iuf":
        return repr(value)
    return f"an array with values in [{arr.min()}, {arr.max()}]"


def _interval(low, high, low_open, high_open, finite):
    left = "(" if low_open or (finite and low == -_INF) else "["
    right = ")" if high_open or (finite and high == _INF) else "]"
    return f"{left}{low}, {high}{right}"


def _is_real_scalar(value):
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _real_dtype(arr):
    return arr.dtype.kind in "iuf"


def _as_real(name, value, what, sequences):
    """``value`` as a float64 array; a ValueError unless it is made of real numbers."""
    if _is_real_scalar(value):
        return np.asarray(value, dtype=np.float64)
    if isinstance(value, np.ndarray) or (
        sequences and isinstance(value, (list, tuple, range))
    ):
        try:
            arr = np.asarray(value)
        except ValueError:  # a ragged list
            arr = None
        if arr is not None and _real_dtype(arr):
            return arr.astype(np.float64, copy=False)
    raise ValueError(f"{name} must be {what}, got {value!r}")


def in_range(
    name,
    value,
    low=0.0,
    high=_INF,
    *,
    low_open=False,
    high_open=False,
    finite=True,
    sequences=True,
):
    """Return ``value`` (unchanged) after checking ``low <= value <= high`` elementwise.

    ``value`` may be a real number or a NumPy array of real numbers (a hyperparameter
    that broadcasts over a sweep), and with ``sequences`` a list or tuple of them.
    ``low_open``/``high_open`` make a bound strict; ``finite=True`` refuses ±∞ even
    where a bound is infinite. NaN always fails, and so do empty arrays.
    """
    if type(value) is float or type(value) is int:  # the common case, made fast
        ok_low = value > low if low_open else value >= low
        ok_high = value < high if high_open else value <= high
        if ok_low and ok_high and (not finite or -_INF < value < _INF):
            return value
        interval = _interval(low, high, low_open, high_open, finite)
        raise ValueError(f"{name} must lie in {interval}, got {value!r}")
    if type(value) is np.ndarray and value.dtype.kind in "iuf" and value.size:
        arr = value  # a sweep's hyperparameter, checked at every step: kept cheap
    else:
        interval = _interval(low, high, low_open, high_open, finite)
        kind = "an array" if sequences else "a NumPy array"
        what = f"a real number or {kind} of real numbers in {interval}"
        arr = _as_real(name, value, what, sequences)
    if arr.size:
        smallest, largest = arr.min(), arr.max()  # NaN if any entry is NaN
        ok = (smallest > low if low_open else smallest >= low) and (
            largest < high if high_open else largest <= high
        )
        if ok and (not finite or (smallest > -_INF and largest < _INF)):
            return value
    interval = _interval(low, high, low_open, high_open, finite)
    raise ValueError(f"{name} must lie in {interval}, got {_describe(value)}")


def number(
    name, value, low=0.0, high=_INF, *, low_open=False, high_open=False, finite=True
):
    """A single real number (not an array, not a bool) in the given range, as a float.

    ``finite=True`` refuses ±∞ even where a bound is infinite.
    """
    if isinstance(value, np.ndarray) and value.ndim == 0 and _real_dtype(value):
        value = value.item()
    interval = _interval(low, high, low_open, high_open, finite)
    if not _is_real_scalar(value):
        raise ValueError(
            f"{name} must be a single real number in {interval}, got {value!r}"
        )
    try:
        value = float(value)
    except OverflowError:  # an integer beyond the floats
        raise ValueError(f"{name} must lie in {interval}, got {value!r}") from None
    in_range(
        name, value, low, high, low_open=low_open, high_open=high_open, finite=finite
    )
    return value


def integer(name, value, low=0, high=None):
    """Return ``int(value)`` after checking it is an integer in ``[low, high]``.

    Python and NumPy integers only: a bool, a float (even 2.0) or a string is refused.
    """
    allowed = f">= {low}" if high is None else f"in [{low}, {high}]"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer {allowed}, got {value!r}")
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name} must be an integer {allowed}, got {value!r}")
    return int(value)


def flag(name, value):
    """``value`` as a bool; a ValueError unless it is True or False (or a NumPy
    bool)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def choice(name, value, options):
    """``value`` after checking it is one of ``options`` (compared with ``==``)."""
    if not isinstance(value, (str, type(None))) or value not in options:
        raise ValueError(f"{name} must be one of {tuple(options)}, got {value!r}")
    return value


def text(name, value, none=False):
    """``value`` after checking it is a string (or None when ``none``)."""
    if not (isinstance(value, str) or (none and value is None)):
        allowed = "a string or None" if none else "a string"
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return value


def function(name, value, none=False):
    """``value`` after checking it can be called (or is None when ``none``)."""
    if not (callable(value) or (none and value is None)):
        allowed = "a function or None" if none else "a function"
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return value


def _is_seed(value):
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, (int, np.integer)):
        return value >= 0
    if isinstance(value, (list, tuple, np.ndarray)):
        arr = np.asarray(value)
        return arr.size > 0 and arr.dtype.kind in "iu" and bool(np.all(arr >= 0))
    return False


def rng(name, value):
    """A ``np.random.Generator`` from ``value``: a Generator (used as it is, so its
    state advances), a ``SeedSequence`` or ``BitGenerator``, or a seed (an integer
    >= 0 or a sequence of them), exactly what ``np.random.default_rng`` accepts, except
    ``None``, which would draw a fresh seed from the operating system."""
    if isinstance(value, np.random.Generator):
        return value
    if isinstance(value, (np.random.SeedSequence, np.random.BitGenerator)) or _is_seed(
        value
    ):
        return np.random.default_rng(value)
    raise ValueError(
        f"{name} must be a np.random.Generator or an integer seed >= 0 (what "
        f"np.random.default_rng accepts, except None), got {value!r}"
    )


def real_array(name, value, *, ndim=None, finite=False, empty=False):
    """``value`` as a float64 array of real numbers (lists are accepted).

    ``ndim`` fixes the number of axes, ``finite`` refuses NaN and ±∞ and
    ``empty=False`` refuses an array without entries. Strings, complex numbers,
    bools, ``None`` and objects are refused.
    """
    if (
        type(value) is np.ndarray
        and value.dtype == np.float64
        and (ndim is None or value.ndim == ndim)
        and (empty or value.size)
        and not finite
    ):
        return value  # the common case (parameters, gradients), made fast
    what = "an array of real numbers" if ndim is None else f"a {ndim}-D array of real"
    if ndim is not None:
        what += " numbers"
    if isinstance(value, (str, bytes)) or value is None:
        raise ValueError(f"{name} must be {what}, got {value!r}")
    try:
        arr = np.asarray(value)
    except ValueError:  # a ragged list
        raise ValueError(f"{name} must be {what}, got {value!r}") from None
    if not _real_dtype(arr):
        raise ValueError(f"{name} must be {what}, got {_short(value)}")
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {what}, got shape {arr.shape}")
    if not empty and arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    arr = arr.astype(np.float64, copy=False)
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got a NaN or infinite entry")
    return arr


def _short(value):
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def start(name, x0, dim):
    """The start point ``x0`` as a new float64 array of shape ``(dim,)``; a ValueError
    unless it is made of finite real numbers (a run cannot start at NaN or ∞)."""
    x = real_array(name, x0, empty=True)
    if x.shape != (dim,):
        raise ValueError(
            f"{name} must have shape ({dim},) for this objective, got {x.shape}"
        )
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must be finite, got {x.tolist()}")
    return x.copy()


def objective(name, value, *, needs=("loss", "grad")):
    """``value`` after checking it is an objective: a ``dim`` and the methods
    ``needs``."""
    if not (
        isinstance(getattr(value, "dim", None), (int, np.integer))
        and all(callable(getattr(value, method, None)) for method in needs)
    ):
        raise ValueError(
            f"{name} must be an objective (e.g. from lessons_py.objectives) with dim "
            f"and {', '.join(needs)}, got {value!r}"
        )
    return value


def optimizer(name, value):
    """``value`` after checking it is an optimizer: ``lr``, ``step`` and ``reset``."""
    if isinstance(value, type) or not (
        hasattr(value, "lr")
        and callable(getattr(value, "step", None))
        and callable(getattr(value, "reset", None))
    ):
        raise ValueError(
            f"{name} must be an optimizer instance (e.g. lessons_py.optim.SGD()), "
            f"got {value!r}"
        )
    return value


def same_shape(name, array, expected_name, expected):
    """Raise unless ``array`` has the shape of ``expected``."""
    if np.shape(array) != np.shape(expected):
        raise ValueError(
            f"{name} must have the shape of {expected_name}, {np.shape(expected)}, "
            f"got {np.shape(array)}"
        )


def broadcasts_to(name, value, shape):
    """Raise unless a hyperparameter broadcasts to the parameters' shape."""
    if type(value) is float or type(value) is int:
        return  # a number broadcasts to any shape
    try:
        ok = np.broadcast_shapes(np.shape(value), shape) == tuple(shape)
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(
            f"{name} of shape {np.shape(value)} does not broadcast to parameters of "
            f"shape {tuple(shape)}"
        )
