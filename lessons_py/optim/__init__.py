r"""torch.optim in NumPy: the same classes, keyword names, defaults and updates.

Every optimizer follows the algorithm printed in the torch.optim documentation,
in float64, for parameters of any shape::

    opt = Adam(lr=1e-3)
    x = opt.step(x, grad)      # the next parameters; x and grad are not modified
    opt.lr = 1e-4              # a plain attribute: schedules change it between steps
    opt.reset()                # forget the state (step count and buffers)

or for parameters given per layer, as a dict of named arrays (torch's list of
parameters, optax's pytree), with the gradients in a dict of the same names::

    parts = opt.step({"W1": W1, "b1": b1}, {"W1": dW1, "b1": db1})  # the same names

Each array then has its own state (``opt.m`` is a dict ``{"W1": ..., "b1": ...}``)
and a method that treats an array as one layer acts on each weight matrix:
:meth:`lessons_py.mlp.MLP.unpack` and :meth:`~lessons_py.mlp.MLP.pack` turn the
network's flat vector into that dict and back. See :class:`Optimizer`.

Covered, from ``torch.optim`` of PyTorch 2.13, one module per family:

* ``optim/sgd.py``: :class:`SGD` (with momentum and Nesterov), :class:`ASGD`
  (averaged SGD) and :class:`Rprop` (sign steps);
* ``optim/adagrad.py``: :class:`Adagrad`, :class:`Adadelta` and :class:`RMSprop`;
* ``optim/adam.py``: :class:`Adam` (with AMSGrad), :class:`AdamW`, :class:`Adamax`,
  :class:`NAdam` and :class:`RAdam`;
* ``optim/matrix.py``: :class:`Muon` (momentum orthogonalised by the Newton–Schulz
  iteration :func:`zeropower_via_newtonschulz`) and :class:`Adafactor` (factored
  second moments), which act on each weight matrix as a whole.

Beyond ``torch.optim``, each equal to the package it follows (recorded once from it,
``lessons_py/reference/beyond_torch.json``, and replayed by the tests):

* ``optim/sign.py``: :class:`Lion` (lion-pytorch);
* ``optim/layerwise.py``: :class:`Lamb` (torch-optimizer) and :class:`SOAP`
  (pytorch-optimizer), one layer per array;
* ``optim/schedule_free.py``: :class:`SGDScheduleFree` and :class:`AdamWScheduleFree`
  (schedulefree), with their ``eval``/``train`` switch of the parameters.

``optim/multi.py``: :class:`MultiOptimizer`, different optimizers for different
layers (Muon for the hidden matrices, AdamW for the rest), as optax's
``multi_transform``.

All are imported here: ``from lessons_py import optim; optim.NAdam()``.

The torch classes' trajectories equal those of torch, recorded once and replayed by
the tests (``lessons_py/reference/torch_optim.json``), to 1e-12 relative; Muon's with
torch's Newton–Schulz iteration in float64 rather than bfloat16 (see :class:`Muon`).
Not covered: ``SparseAdam`` (a lazy Adam for sparse gradients, which updates the
moments only where the gradient has entries; torch refuses dense gradients) and the
``LBFGS`` class, whose ``step`` takes a closure that re-evaluates the loss for its line
search: L-BFGS is :func:`lessons_py.second_order.lbfgs`.

Hyperparameters may be NumPy arrays that broadcast against the parameters, so
one optimizer can run a whole sweep at once: parameters of shape ``(runs, d)``
with ``lr`` of shape ``(runs, 1)`` are ``runs`` independent runs. In a dict every
array carries the same leading axes and ``lr`` of shape ``(runs,)`` indexes them
(``run_axes`` tells ``Muon`` and ``Adafactor`` how many there are).

Arguments are checked when the optimizer is made and again at every step (a
schedule may have changed ``lr``): a hyperparameter must be a finite real number or
a NumPy array of them in its range (a string, list, complex number, bool or
infinity raises ``ValueError`` naming it; torch accepts some of these and fails
later or runs on), and a switch such as ``nesterov`` must be True or False.

Left out on purpose: torch's ``maximize``, ``foreach``, ``fused``,
``capturable`` and ``differentiable`` switches, which change speed or autograd
plumbing rather than the mathematics.
"""

from ._base import Optimizer
from ._base import _hyper as _hyper  # used by lessons_py.adaptive
from .adagrad import Adadelta, Adagrad, RMSprop
from .adam import Adam, Adamax, AdamW, NAdam, RAdam
from .layerwise import SOAP, Lamb
from .matrix import Adafactor, Muon, zeropower_via_newtonschulz
from .multi import MultiOptimizer
from .schedule_free import AdamWScheduleFree, SGDScheduleFree
from .sgd import ASGD, SGD, Rprop
from .sign import Lion

# the order of the API page: the base class, then family by family
__all__ = [  # noqa: RUF022
    "Optimizer",
    "SGD",
    "ASGD",
    "Rprop",
    "Adagrad",
    "Adadelta",
    "RMSprop",
    "Adam",
    "AdamW",
    "Adamax",
    "NAdam",
    "RAdam",
    "Muon",
    "zeropower_via_newtonschulz",
    "Adafactor",
    "Lion",
    "Lamb",
    "SOAP",
    "SGDScheduleFree",
    "AdamWScheduleFree",
    "MultiOptimizer",
]
