"""lessons_py: the tested NumPy code behind *Optimization Dynamics in Deep Learning*.

Modules, one concept each:

* :mod:`lessons_py.optim`: torch.optim's SGD, ASGD, Rprop, Adagrad, Adadelta, RMSprop,
  Adam, AdamW, Adamax, NAdam, RAdam, Muon and Adafactor, and Lion, Lamb, SOAP and
  Schedule-Free SGD and AdamW after their reference packages;
* :mod:`lessons_py.objectives`: test functions and finite-sum problems;
* :mod:`lessons_py.momentum`: heavy-ball conventions, Nesterov's look-ahead form,
  rates on quadratics;
* :mod:`lessons_py.adaptive`: moving averages, bias correction, Adam's step bound,
  regret (AdaGrad's bound, projected online steps), ε inside the root, Yogi;
* :mod:`lessons_py.mlp`: a small MLP with hand-written backprop, the bundled digits;
* :mod:`lessons_py.schedules`: learning-rate schedules, as torch.optim.lr_scheduler;
* :mod:`lessons_py.clipping`: gradient clipping by value and by norm;
* :mod:`lessons_py.lr_finder`: the learning-rate range test;
* :mod:`lessons_py.diagnose`: the "diagnose this loss curve" exercise;
* :mod:`lessons_py.second_order`: Newton, Newton-CG and L-BFGS;
* :mod:`lessons_py.variance_reduction`: SVRG, SAGA, SAG and importance sampling;
* :mod:`lessons_py.curvature`: Hessian-vector products, sharpness (the top Hessian
  eigenvalue, plain or preconditioned) along a run, the gradient noise scale;
* :mod:`lessons_py.loop`: :func:`~lessons_py.loop.run`, which trains and records a run;
* :mod:`lessons_py.plotting`: the book's figures and colours;
* :mod:`lessons_py.widgets`: interactive exercises;
* :mod:`lessons_py.source`: the chapters' code blocks, captioned with file and lines;
* :mod:`lessons_py.reference`: values recorded once from PyTorch, in the package.

The numerical modules need NumPy only. :mod:`~lessons_py.plotting`,
:mod:`~lessons_py.widgets` and :mod:`~lessons_py.diagnose` (matplotlib, ipywidgets) are
imported when first used, so ``import lessons_py.optim`` works without them; the
``book`` extra installs everything the chapters use:

.. code-block:: bash

    URL=https://github.com/optimization-dynamics/optimization-dynamics-book
    pip install "lessons_py[book] @ git+$URL"
"""

import importlib

from . import (
    adaptive,
    clipping,
    curvature,
    lr_finder,
    mlp,
    momentum,
    objectives,
    optim,
    reference,
    schedules,
    second_order,
    variance_reduction,
)
from .loop import Record, minibatches, run

_LAZY = (
    "diagnose",
    "plotting",
    "source",
    "widgets",
)  # they import matplotlib or ipywidgets

__all__ = [
    "Record",
    "adaptive",
    "clipping",
    "curvature",
    "diagnose",
    "lr_finder",
    "minibatches",
    "mlp",
    "momentum",
    "objectives",
    "optim",
    "plotting",
    "reference",
    "run",
    "schedules",
    "second_order",
    "variance_reduction",
]


def __getattr__(name):
    if name in _LAZY:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__version__ = "0.1.0"
