"""lessons_py.source: the code blocks of the chapters, their captions and links."""

import ast
import inspect
import json
import pathlib
import re

import numpy as np
import pytest

from lessons_py import _checks, clipping, loop, objectives, optim, source

ROOT = pathlib.Path(__file__).resolve().parents[1]
CAPTION = re.compile(
    r'<p class="source-caption">(?:<a class="reference internal" href="(?P<api>[^"]+)" '
    r'title="[^"]+">|<a href="[^"]+">)(?P<text>[^<]+)</a>'
)


def caption_of(obj, **kwargs):
    markdown = source.show_source(obj, **kwargs).data
    head, _, code = markdown.partition("\n\n")
    return head, code


def test_location_is_the_definition_in_the_file():
    path, first, last = source.location(optim.SGD._update)
    assert path == "lessons_py/optim/sgd.py"
    lines = (ROOT / path).read_text("utf-8").splitlines()
    assert lines[first - 1].strip().startswith("def _update(self, x, g):")
    assert lines[last - 1] == inspect.getsourcelines(optim.SGD._update)[0][-1].rstrip(
        "\n"
    )
    # the next line is blank or outside the method: the range is the whole definition
    assert last == len(lines) or not lines[last].startswith(" " * 8)


def test_location_of_a_class_and_of_a_property():
    path, first, last = source.location(optim.AdamW)
    assert path == "lessons_py/optim/adam.py" and last > first
    lines = (ROOT / path).read_text("utf-8").splitlines()
    assert lines[first - 1].startswith("class AdamW(")
    path, first, _ = source.location(loop.Record.final_loss)
    assert path == "lessons_py/loop.py"
    assert "@property" in (ROOT / path).read_text("utf-8").splitlines()[first - 1]


@pytest.mark.parametrize(
    ("obj", "name"),
    [
        (optim.SGD, "lessons_py.optim.SGD"),
        (optim.SGD._update, "lessons_py.optim.SGD"),  # private: its class
        (optim.Optimizer.step, "lessons_py.optim.Optimizer.step"),  # documented member
        (loop.minibatches, "lessons_py.loop.minibatches"),
        (loop.Record.final_loss, "lessons_py.loop.Record"),  # no docstring: no entry
        (clipping._norm_type, "lessons_py.clipping"),  # a private helper: its module
    ],
)
def test_api_name_is_the_nearest_documented_name(obj, name):
    assert source.api_name(obj) == name


def test_api_url_points_at_the_module_page_and_anchor():
    assert source.api_url(optim.SGD._update) == "api/optim.html#lessons_py.optim.SGD"
    assert (
        source.api_url(loop.minibatches, base="../api/")
        == "../api/loop.html#lessons_py.loop.minibatches"
    )
    assert source.api_url(clipping._norm_type) == (
        "api/clipping.html#module-lessons_py.clipping"
    )
    assert source.api_url(_checks.in_range) is None  # a private module has no page


def test_show_source_caption_names_file_and_lines_and_links_both_ways():
    head, code = caption_of(optim.SGD._update)
    _, first, last = source.location(optim.SGD._update)
    match = CAPTION.match(head)
    assert match, head
    assert match["api"] == "api/optim.html#lessons_py.optim.SGD"
    assert match["text"] == f"lessons_py/optim/sgd.py, lines {first}\N{EN DASH}{last}"
    github = f"{source.REPOSITORY}lessons_py/optim/sgd.py#L{first}-L{last}"
    assert f'href="{github}"' in head
    assert source.REPOSITORY.startswith(
        "https://github.com/optimization-dynamics/optimization-dynamics-book/blob/main/"
    )
    assert code.startswith("```python\ndef _update(self, x, g):") and code.endswith(
        "```"
    )


def test_show_source_caption_base_for_pages_elsewhere():
    head, _ = caption_of(loop.run, api_base="../api/")
    assert 'href="../api/loop.html#lessons_py.loop.run"' in head


def test_a_single_line_is_named_as_such(monkeypatch):
    monkeypatch.setattr(source, "location", lambda obj: ("lessons_py/loop.py", 7, 7))
    head, _ = caption_of(loop.run)
    assert "lessons_py/loop.py, line 7</a>" in head
    assert head.count("#L7") == 1 and "-L7" not in head


def test_a_private_module_gets_the_repository_link_only():
    head, _ = caption_of(_checks.in_range)
    match = CAPTION.match(head)
    assert match and match["api"] is None
    assert "api/" not in head and f"{source.REPOSITORY}lessons_py/_checks.py#L" in head


def test_docstrings_are_left_out_unless_asked_for():
    _, code = caption_of(loop.minibatches)
    assert '"""' not in code and "def minibatches(" in code
    _, code = caption_of(loop.minibatches, docstrings=True)
    assert inspect.getdoc(loop.minibatches).splitlines()[0] in code


def test_a_class_keeps_its_code_and_drops_every_docstring():
    _, code = caption_of(optim.AdamW)
    assert code.startswith("```python\nclass AdamW(Adam):")
    assert '"""' not in code and 'r"""' not in code


@pytest.mark.parametrize("bad", [42, "SGD", None, np.mean, pytest.approx])
def test_anything_but_the_package_s_code_is_refused(bad):
    with pytest.raises(ValueError, match="obj must be"):
        source.show_source(bad)


def chapter_calls():
    """Every ``show_source(...)`` call in the chapters, with the chapter's imports."""
    calls = []
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        cells = json.loads(path.read_text("utf-8"))["cells"]
        code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
        imports = [
            ast.unparse(node)
            for src in code
            for node in ast.walk(ast.parse(src))
            if isinstance(node, (ast.Import, ast.ImportFrom))
            and (getattr(node, "module", None) or "").startswith("lessons_py")
        ]
        for src in code:
            for node in ast.walk(ast.parse(src)):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", None) == "show_source"
                ):
                    calls.append((path.name, imports, ast.unparse(node.args[0])))
    return calls


CALLS = chapter_calls()


def test_the_chapters_show_source():
    assert len(CALLS) >= 20


@pytest.mark.parametrize(("chapter", "imports", "expr"), CALLS)
def test_every_chapter_block_links_to_a_public_api_entry(chapter, imports, expr):
    namespace = {}
    exec("\n".join(imports), namespace)
    obj = eval(expr, namespace)
    url = source.api_url(obj)
    assert url and url.startswith("api/") and "#lessons_py." in url, (chapter, expr)
    name = source.api_name(obj)
    module_name, _, rest = name.partition(".")[2].partition(".")
    module = __import__(f"lessons_py.{module_name}", fromlist=["_"])
    assert rest.split(".")[0] in module.__all__, (chapter, expr, name)
    path = source.location(obj)[0]  # a module's file, or a file of a subpackage
    assert path == f"lessons_py/{module_name}.py" or path.startswith(
        f"lessons_py/{module_name}/"
    )


def test_objects_of_other_modules_are_named_by_their_home_module():
    # lessons_py.run is loop.run re-exported: the entry is on the loop page
    import lessons_py

    assert source.api_url(lessons_py.run) == "api/loop.html#lessons_py.loop.run"
    assert (
        source.api_name(objectives.LeastSquares) == "lessons_py.objectives.LeastSquares"
    )
