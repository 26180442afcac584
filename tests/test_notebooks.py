"""The chapters as files: stored without outputs, listed in the table of contents,
tidy."""

import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
IDS = [nb.name for nb in NOTEBOOKS]


def cells(nb):
    return json.loads(nb.read_text())["cells"]


def test_there_are_chapters():
    assert len(NOTEBOOKS) >= 1


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=IDS)
def test_notebook_is_committed_without_outputs_or_execution_counts(nb):
    for i, cell in enumerate(cells(nb)):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"cell {i} has outputs"
            assert cell.get("execution_count") is None, (
                f"cell {i} has an execution count"
            )


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=IDS)
def test_notebook_is_in_the_table_of_contents(nb):
    toc = (ROOT / "_toc.yml").read_text()
    assert f"file: book/{nb.stem}" in toc


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=IDS)
def test_no_installs_star_imports_or_hidden_reimplementations(nb):
    for i, cell in enumerate(cells(nb)):
        src = "".join(cell["source"])
        if cell["cell_type"] != "code":
            continue
        assert not re.search(r"^\s*[!%]\s*pip\b", src, re.M), (
            f"cell {i} installs packages"
        )
        assert not re.search(r"^\s*from\s+\S+\s+import\s+\*", src, re.M), (
            f"cell {i} star-imports"
        )
        assert not re.search(r"^\s*class\s+\w+.*(Optimizer|SGD|Adam)", src, re.M), (
            f"cell {i} defines an optimizer: it belongs in lessons_py"
        )


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=IDS)
def test_every_figure_cell_has_alt_text(nb):
    for i, cell in enumerate(cells(nb)):
        src = "".join(cell["source"])
        if (
            cell["cell_type"] == "code"
            and re.search(r"plt\.subplots|plt\.figure", src)
            and "Explorer(" not in src
        ):
            alt = cell["metadata"].get("mystnb", {}).get("image", {}).get("alt", "")
            assert len(alt) > 20, f"cell {i} draws a figure without alt text"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=IDS)
def test_hidden_checks_are_tagged(nb):
    """Cells that only assert are hidden from readers but still run under nbval."""
    for i, cell in enumerate(cells(nb)):
        src = "".join(cell["source"]).strip()
        lines = [
            line
            for line in src.splitlines()
            if line.strip() and not line.startswith("#")
        ]
        if (
            cell["cell_type"] == "code"
            and lines
            and all(
                line.lstrip().startswith(("assert", ")", "]")) or line.startswith(" ")
                for line in lines
            )
        ):
            tags = cell["metadata"].get("tags", [])
            assert {"remove-cell", "remove-input"} & set(tags), (
                f"assert-only cell {i} is not hidden"
            )


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=IDS)
def test_exercise_cells_are_hidden_and_answers_not_printed(nb):
    """A reader sees the question and its controls, not the code holding the answer."""
    for i, cell in enumerate(cells(nb)):
        src = "".join(cell["source"])
        if cell["cell_type"] == "code" and re.search(
            r"(ChoiceQuestion|Explorer|DiagnosisExercise)\(", src
        ):
            tags = set(cell["metadata"].get("tags", []))
            assert tags & {"remove-input", "hide-input", "remove-cell"}, (
                f"cell {i} is shown"
            )
            if "ChoiceQuestion(" in src:
                assert tags & {"remove-input", "remove-cell"}, (
                    f"cell {i} prints the answers"
                )


@pytest.mark.parametrize(
    "nb", [nb for nb in NOTEBOOKS if nb.name[:2].isdigit()], ids=lambda nb: nb.name
)
def test_chapter_exercises_work_on_the_static_page(nb):
    """No typed answers (they cannot be graded without a kernel), no note that the
    exercises need one, and a last hidden cell that checks the stored frames."""
    text = "".join("".join(c["source"]) for c in cells(nb))
    assert "NumericQuestion(" not in text
    assert "only in a running" not in text and "live only" not in text
    last = cells(nb)[-1]
    assert "verify_all()" in "".join(last["source"]) and "reset_all()" in "".join(
        last["source"]
    )
    assert "remove-cell" in last["metadata"].get("tags", [])
