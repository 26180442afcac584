"""The API reference: one page per module of lessons_py, written from its docstrings.

A page (``book/api/<module>.rst``) holds a title and ``.. lessons-api:: lessons_py.X``;
the directive expands, at build time, to

* the module's docstring (``automodule``, which also makes the anchor
  ``module-lessons_py.X``),
* a table of every name in the module's ``__all__`` (``autosummary``), in the order
  the module defines them,
* one autodoc entry per name: signature and docstring, and for a class every public
  member (``autoclass`` with ``:members:``).

So the pages follow ``__all__`` by themselves: a name added to a module appears on its
page at the next build. A name the module imports from another one is shown with
``:no-index:`` (its entry, and anchor, stay on its home module's page), unless it comes
from a module inside the package being documented (``lessons_py.optim.adam``).
"""

import ast
import importlib
import inspect
import pathlib

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)


def _public_names(module):
    """``__all__`` in the order the module's source defines (or assigns) the names."""
    names = list(getattr(module, "__all__", ()))
    order = {}
    try:
        tree = ast.parse(inspect.getsource(module))
    except (OSError, TypeError):
        tree = None
    for node in tree.body if tree else ():
        targets = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            targets = [node.name]
        elif isinstance(node, ast.Assign):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            targets = [node.target.id]
        for name in targets:
            order.setdefault(name, node.lineno)
    return sorted(names, key=lambda n: (order.get(n, float("inf")), names.index(n)))


def _init_signature(cls):
    """``"(fig, update, ...)"`` for a class whose ``__new__`` comes from a base outside
    the package (the ipywidgets ones: traitlets' ``(*args, **kwargs)``), which autodoc
    would show instead of the package's ``__init__``; ``""`` (autodoc's own) otherwise.
    """
    new, init = cls.__new__, cls.__init__
    package = cls.__module__.split(".")[0]
    if new is object.__new__ or getattr(new, "__module__", "").startswith(package):
        return ""
    if not getattr(init, "__module__", "").startswith(package):
        return ""
    sig = inspect.signature(init)
    return str(sig.replace(parameters=list(sig.parameters.values())[1:]))


def _entry(modname, name, obj):
    """The autodoc directive for one public name. A name a package imports from one of
    its own modules (``lessons_py.optim.adam.Adam`` in ``lessons_py.optim``) has its
    entry on the package's page: those modules have no pages of their own."""
    home = getattr(obj, "__module__", modname)
    if home.startswith(modname + "."):
        home = modname
    if inspect.isclass(obj):
        lines = [
            f".. autoclass:: {modname}.{name}{_init_signature(obj)}",
            "   :members:",
        ]
        if any(base is not object for base in obj.__bases__):
            lines.append("   :show-inheritance:")  # "Bases: object" would say nothing
    elif inspect.isfunction(obj) or inspect.isbuiltin(obj):
        lines = [f".. autofunction:: {modname}.{name}"]
    else:
        lines = [f".. autodata:: {modname}.{name}"]
    if (inspect.isclass(obj) or inspect.isfunction(obj)) and home != modname:
        lines.append("   :no-index:")
    return [*lines, ""]


class LessonsApi(SphinxDirective):
    """``.. lessons-api:: lessons_py.optim``: the whole API page of one module."""

    required_arguments = 1
    has_content = False

    def run(self):
        modname = self.arguments[0]
        module = importlib.import_module(modname)
        names = []
        for name in _public_names(module):
            if hasattr(module, name):
                names.append(name)
            else:
                logger.warning(
                    f"{modname}.__all__ has {name!r}, which the module does not define",
                    location=self.get_location(),
                )
        rst = [f".. automodule:: {modname}", ""]
        if names:
            rst += [
                ".. rubric:: Contents",
                "",
                ".. autosummary::",
                "   :nosignatures:",
                "",
            ]
            rst += [f"   {name}" for name in names]  # automodule set the current module
            rst.append("")
        for name in names:
            rst += _entry(modname, name, getattr(module, name))
        source = f"<lessons-api {modname}>"
        content = StringList(rst, source=source)
        container = nodes.container()
        self.state.nested_parse(content, self.content_offset, container)
        return container.children


def _add_static_path(app, config):
    config.html_static_path.append(str(pathlib.Path(__file__).parent / "static"))


def setup(app):
    app.add_directive("lessons-api", LessonsApi)
    app.connect("config-inited", _add_static_path)
    app.add_css_file("api-pages.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
