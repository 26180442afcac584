"""Show the package's own code on the page, so the code a reader sees is the tested code."""

import ast
import inspect
import textwrap

from IPython.display import Markdown

__all__ = ["show_source"]


def show_source(obj, docstrings=False):
    """A highlighted code block with the source of a function, method or class.

    Docstrings are left out unless ``docstrings=True``: on the page the prose and
    the equations explain, the code block shows the code.
    """
    src = textwrap.dedent(inspect.getsource(obj))
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
    return Markdown("```python\n" + src.rstrip() + "\n```")
