"""lessons_py as a package a reader installs: what it imports, what it ships, what the
`book` extra must bring for the chapters to run."""

import ast
import json
import pathlib
import subprocess
import sys
import tomllib

import pytest

from lessons_py import reference

ROOT = pathlib.Path(__file__).resolve().parents[1]
# import names of the distributions in the `book` extra
IMPORT_NAMES = {
    "matplotlib": "matplotlib",
    "ipywidgets": "ipywidgets",
    "pillow": "PIL",
    "ipython": "IPython",
    "myst-nb": "myst_nb",
    "scikit-learn": "sklearn",
    "scipy": "scipy",
    "threadpoolctl": "threadpoolctl",
}


def test_the_numerical_modules_need_numpy_only():
    code = (
        "import sys, lessons_py.optim, lessons_py.schedules, lessons_py.second_order, "
        "lessons_py.variance_reduction, lessons_py.mlp, lessons_py.reference, "
        "lessons_py.curvature\n"
        "print(sorted(m for m in ('matplotlib', 'ipywidgets', 'PIL', 'IPython',"
        " 'sklearn', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert out.stdout.strip() == "[]"


def test_the_figure_and_exercise_modules_load_on_first_use():
    import lessons_py

    assert lessons_py.plotting.color("Adam") == "#0072B2"
    assert callable(lessons_py.widgets.reset_all) and callable(
        lessons_py.diagnose.grade
    )
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        getattr(lessons_py, "nonsense")  # noqa: B009


def test_the_recorded_references_ship_with_the_package():
    for name in reference.NAMES:
        data = reference.load(name)
        assert data["torch_version"].startswith("2.13")
    with pytest.raises(ValueError, match="name must be one of"):
        reference.load("tests/reference/torch_optim")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert (
        "*.json" in config["tool"]["setuptools"]["package-data"]["lessons_py.reference"]
    )


def _chapter_imports():
    names = set()
    for nb in sorted((ROOT / "book").glob("*.ipynb")):
        for cell in json.loads(nb.read_text())["cells"]:
            if cell["cell_type"] != "code":
                continue
            for node in ast.walk(ast.parse("".join(cell["source"]))):
                if isinstance(node, ast.Import):
                    names |= {a.name.split(".")[0] for a in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    names.add(node.module.split(".")[0])
    return names


def test_the_book_extra_brings_everything_the_chapters_import():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extra = {
        IMPORT_NAMES[d.split(">")[0].split("=")[0].strip()]
        for d in config["optional-dependencies"]["book"]
    }
    provided = extra | {"numpy", "lessons_py"} | set(sys.stdlib_module_names)
    missing = _chapter_imports() - provided
    assert not missing, (
        f"chapters import {missing}, which `pip install lessons_py[book]` lacks"
    )
