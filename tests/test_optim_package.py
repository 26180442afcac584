"""lessons_py.optim as a subpackage: one module per family, every class reached as
``optim.X``, documented and linked on the one API page of ``lessons_py.optim``, and
shipped by the package's build configuration."""

import importlib
import inspect
import pathlib
import tomllib

import pytest

from lessons_py import optim, source

ROOT = pathlib.Path(__file__).resolve().parents[1]
FAMILIES = {
    "sgd": ["SGD", "ASGD", "Rprop"],
    "adagrad": ["Adagrad", "Adadelta", "RMSprop"],
    "adam": ["Adam", "AdamW", "Adamax", "NAdam", "RAdam"],
    "matrix": ["Muon", "Adafactor"],
}
BEYOND = {  # not in torch.optim: each follows a named package
    "sign": ["Lion"],
    "layerwise": ["Lamb", "SOAP"],
    "schedule_free": ["SGDScheduleFree", "AdamWScheduleFree"],
}
TORCH = [(family, name) for family, names in FAMILIES.items() for name in names]
CLASSES = TORCH + [(family, name) for family, names in BEYOND.items() for name in names]
FUNCTIONS = ["zeropower_via_newtonschulz"]  # optim/matrix.py, shown by chapter 9
COMBINERS = ["MultiOptimizer"]  # optim/multi.py: several optimizers as one


def test_all_lists_the_base_class_and_every_family_member_once():
    classes = [n for n in optim.__all__ if n not in FUNCTIONS + COMBINERS]
    assert classes == ["Optimizer", *(n for _, n in CLASSES)]
    assert optim.__all__[-len(COMBINERS) :] == COMBINERS
    assert sorted(set(optim.__all__) - set(classes)) == sorted(FUNCTIONS + COMBINERS)
    assert optim.Optimizer.__module__ == "lessons_py.optim._base"


@pytest.mark.parametrize("family, name", CLASSES, ids=[n for _, n in CLASSES])
def test_each_class_lives_in_its_family_module_and_is_reached_from_the_package(
    family, name
):
    module = importlib.import_module(f"lessons_py.optim.{family}")
    cls = getattr(optim, name)
    assert cls is getattr(module, name) and cls.__module__ == module.__name__
    assert issubclass(cls, optim.Optimizer)
    assert name in module.__doc__  # the family's docstring names its members


@pytest.mark.parametrize("family, name", CLASSES, ids=[n for _, n in CLASSES])
def test_code_blocks_of_each_class_link_to_the_package_page(family, name):
    cls = getattr(optim, name)
    own = [cls, *([cls._update] if "_update" in vars(cls) else [])]  # AdamW: Adam's
    for obj in own:
        assert source.location(obj)[0] == f"lessons_py/optim/{family}.py"
        assert source.api_name(obj) == f"lessons_py.optim.{name}"
        assert source.api_url(obj) == f"api/optim.html#lessons_py.optim.{name}"


def test_private_helpers_of_the_subpackage_get_the_repository_link_only():
    assert source.api_url(optim._hyper) is None
    assert source.location(optim._hyper)[0] == "lessons_py/optim/_base.py"
    assert source.api_url(optim.Optimizer._nonzero) == (
        "api/optim.html#lessons_py.optim.Optimizer"
    )


@pytest.mark.parametrize("family, name", TORCH, ids=[n for _, n in TORCH])
def test_each_class_prints_its_algorithm_and_names_its_torch_twin(family, name):
    doc = inspect.getdoc(getattr(optim, name))
    assert ".. math::" in doc and r"\textbf{for } t = 1, 2, \ldots" in doc
    assert f"as ``torch.optim.{name}``" in " ".join(doc.split())
    assert "Arguments (defaults and order as torch)" in " ".join(doc.split()) or (
        "Arguments (defaults as torch)" in " ".join(doc.split())
    )


def test_package_docstring_says_what_is_covered_and_what_is_not():
    doc = " ".join(optim.__doc__.split())
    for _, name in CLASSES:
        assert f":class:`{name}`" in doc, name
    for word in ("SparseAdam", "LBFGS", "lessons_py.second_order.lbfgs"):
        assert word in doc
    assert "Adafactor" in doc and "Muon" in doc and "dict" in doc
    for package in (
        "lion-pytorch",
        "torch-optimizer",
        "pytorch-optimizer",
        "schedulefree",
    ):
        assert package in doc


@pytest.mark.parametrize("family, name", CLASSES[len(TORCH) :])
def test_each_class_beyond_torch_prints_its_algorithm_and_names_its_package(
    family, name
):
    doc = " ".join(inspect.getdoc(getattr(optim, name)).split())
    assert ".. math::" in doc
    assert any(
        p in doc
        for p in (
            "lion-pytorch",
            "torch-optimizer",
            "torch_optimizer",
            "pytorch-optimizer",
            "pytorch_optimizer",
            "schedulefree",
        )
    )


def test_the_package_build_ships_every_subpackage():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "lessons_py").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    assert found <= listed, f"pyproject.toml must list {sorted(found - listed)}"


def test_the_other_modules_still_import_what_they_build_on():
    from lessons_py import adaptive, momentum
    from lessons_py.optim import Optimizer, _hyper

    assert issubclass(adaptive.Yogi, Optimizer) and issubclass(
        momentum.HeavyBall, Optimizer
    )
    assert issubclass(adaptive.AdamEpsRoot, optim.Adam)
    assert _hyper("lr", 0.1) == 0.1
