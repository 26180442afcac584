"""Values recorded once from PyTorch 2.13 and shipped with the package.

``torch_optim`` holds optimizer trajectories of ``torch.optim`` (every class of
:mod:`lessons_py.optim`) for fixed gradient sequences, with their signatures;
``torch_schedules`` holds learning rates of ``torch.optim.lr_scheduler`` (and the
momenta ``OneCycleLR`` writes into the optimizer) and clipped gradients of
``torch.nn.utils``;
``torch_optimizer_yogi`` holds trajectories of ``torch_optimizer.Yogi`` (the
pytorch-optimizer package 0.3.0, on torch 2.13), which ``lessons_py.adaptive.Yogi``
follows; ``beyond_torch`` holds trajectories of the optimizers of
:mod:`lessons_py.optim` that torch.optim lacks, from the packages they follow
(``lion_pytorch.Lion``, ``torch_optimizer.Lamb``, ``pytorch_optimizer.SOAP`` and the
schedule-free classes of ``schedulefree``, on torch 2.13), with those packages'
versions and signatures. They were written by the scripts in the repository's
``tests/reference/`` folder, run by hand in a throwaway environment: torch is not a
dependency. The tests and chapter 5 compare ``lessons_py`` with them.
"""

import json
from importlib import resources

__all__ = ["NAMES", "load"]

NAMES = ("torch_optim", "torch_schedules", "torch_optimizer_yogi", "beyond_torch")
"""The recorded files :func:`load` reads (``lessons_py/reference/<name>.json``)."""


def load(name):
    """The recorded values ``name`` (one of :data:`NAMES`), as parsed JSON."""
    if name not in NAMES:
        raise ValueError(f"name must be one of {NAMES}, got {name!r}")
    return json.loads(
        resources.files(__name__).joinpath(f"{name}.json").read_text("utf-8")
    )
