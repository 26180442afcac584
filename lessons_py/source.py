"""Show the package's own code on the page: the code a reader sees is the tested code.

Each block carries a caption with the file and the lines it comes from, linked to the
object's entry in the book's API reference and to the same lines in the repository.
"""

import ast
import html
import importlib
import inspect
import pathlib
import textwrap

from IPython.display import Markdown

from . import _checks

__all__ = ["API_PAGES", "REPOSITORY", "api_name", "api_url", "location", "show_source"]

REPOSITORY = (
    "https://github.com/optimization-dynamics/optimization-dynamics-book/blob/main/"
)
"""Where the repository's files are read online; a file's path is appended."""

API_PAGES = "api/"
"""The folder of the API pages relative to the chapter pages (``book/api/`` beside
``book/01_sgd``): the page of ``lessons_py.optim`` is ``api/optim.html``."""

_PACKAGE = pathlib.Path(__file__).resolve().parent


def _unwrap(obj):
    """The function or class whose source ``obj`` is (for a property: its getter)."""
    if isinstance(obj, property):
        obj = obj.fget
    obj = inspect.unwrap(obj)
    if not (inspect.isclass(obj) or inspect.isfunction(obj) or inspect.ismethod(obj)):
        raise ValueError(
            f"obj must be a function, method, class or property, got {obj!r}"
        )
    if inspect.ismethod(obj):
        obj = obj.__func__
    module = getattr(obj, "__module__", None) or ""
    if module != _PACKAGE.name and not module.startswith(_PACKAGE.name + "."):
        raise ValueError(
            f"obj must be defined in lessons_py, got {obj.__qualname__!r} from "
            f"module {module!r}"
        )
    return obj


def _home(obj):
    """The module whose API page documents ``obj``: the package above its module that
    exports it (its name, or its class's, in ``__all__``), such as ``lessons_py.optim``
    for ``lessons_py.optim.adam.Adam``, whose family module has no page of its own;
    otherwise its own module."""
    defined_in = obj.__module__
    top = obj.__qualname__.split(".")[0]
    target = getattr(importlib.import_module(defined_in), top, None)
    parts = defined_in.split(".")
    for end in range(2, len(parts)):  # below lessons_py itself, above the module
        package = importlib.import_module(".".join(parts[:end]))
        if (
            top in getattr(package, "__all__", ())
            and getattr(package, top, None) is target
        ):
            return package.__name__
    return defined_in


def location(obj):
    """``(path, first, last)``: the file of ``obj`` relative to the repository root
    (e.g. ``"lessons_py/optim/sgd.py"``) and the first and last line of its definition,
    decorators included, numbered from 1."""
    obj = _unwrap(obj)
    lines, first = inspect.getsourcelines(obj)
    path = pathlib.Path(inspect.getsourcefile(obj)).resolve()
    return path.relative_to(_PACKAGE.parent).as_posix(), first, first + len(lines) - 1


def api_name(obj):
    """The name under which the API reference documents ``obj``: its full dotted name,
    cut before the first part that has no entry (``lessons_py.optim.SGD`` for
    ``SGD._update``).

    The API pages document the names in each public module's ``__all__`` and, in those
    classes, the public members that have a docstring (their own or a base class's);
    anything else (a private helper) is named by the nearest entry above it.
    """
    obj = _unwrap(obj)
    home = _home(obj)
    module = importlib.import_module(home)
    public, parent = [], module
    for part in obj.__qualname__.split("."):
        if part.startswith(("_", "<")):
            break
        if parent is module:
            if part not in getattr(module, "__all__", ()):
                break
        elif not inspect.getdoc(getattr(parent, part, None)):
            break
        public.append(part)
        parent = getattr(parent, part)
    return ".".join([home, *public])


def api_url(obj, base=API_PAGES):
    """The address of ``obj``'s API entry relative to a chapter page, e.g.
    ``"api/optim.html#lessons_py.optim.SGD"``; ``None`` for a private module, which has
    no page. ``base`` is the folder of the API pages as seen from the page."""
    name, module = api_name(obj), _home(_unwrap(obj))
    page = module.split(".", 1)[1] if "." in module else ""
    if not page or any(part.startswith("_") for part in page.split(".")):
        return None
    anchor = name if name != module else f"module-{module}"
    return f"{base}{page}.html#{anchor}"


def _caption(obj, base):
    path, first, last = location(obj)
    lines = f"line {first}" if first == last else f"lines {first}\N{EN DASH}{last}"
    text = html.escape(f"{path}, {lines}")
    github = html.escape(
        f"{REPOSITORY}{path}#L{first}" + (f"-L{last}" * (last > first))
    )
    url = api_url(obj, base)
    if url is None:
        where = f'<a href="{github}">{text}</a>'
    else:
        name = html.escape(api_name(obj))
        where = (
            f'<a class="reference internal" href="{html.escape(url)}" '
            f'title="{name} in the API reference">{text}</a>'
            f' \N{MIDDLE DOT} <a class="reference external" href="{github}">GitHub</a>'
        )
    return f'<p class="source-caption">{where}</p>'


def show_source(obj, docstrings=False, api_base=API_PAGES):
    """A highlighted code block with the source of a function, method or class, under a
    caption naming the file and lines it comes from.

    Docstrings are left out unless ``docstrings=True``: on the page the prose and
    the equations explain, the code block shows the code. The caption links to the
    object's API entry (:func:`api_url`, relative to the page: ``api_base`` is the
    folder of the API pages seen from there) and to the lines in the repository
    (:data:`REPOSITORY`).
    """
    _checks.flag("docstrings", docstrings)
    src = textwrap.dedent(inspect.getsource(_unwrap(obj)))
    if not docstrings:
        lines = src.splitlines()
        spans = [
            (node.body[0].lineno, node.body[0].end_lineno)
            for node in ast.walk(ast.parse(src))
            if isinstance(node, (ast.FunctionDef, ast.ClassDef))
            and ast.get_docstring(node)
        ]
        for start, end in sorted(spans, reverse=True):
            del lines[start - 1 : end]
        src = "\n".join(lines)
    return Markdown(
        _caption(obj, api_base) + "\n\n```python\n" + src.rstrip() + "\n```"
    )
