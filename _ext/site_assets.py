"""Small Sphinx fixes so every page is self-contained and loads without console errors.

* Jupyter Book 1.x registers sphinx-thebe's inline configuration script twice,
  which throws "Identifier 'THEBE_JS_URL' has already been declared": keep the
  first copy of every script.
* The ipywidgets HTML manager looks for its icon fonts relative to the page;
  point it at the copies the site serves in _static/widgets/ (before it loads).
"""


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        # an inline script has filename None or "" depending on who added it
        key = (
            getattr(script, "filename", None) or "",
            tuple(sorted(getattr(script, "attributes", {}).items())),
        )
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def setup(app):
    # assets/widgets-assets-path.js: uses its own URL to find _static/widgets/.
    app.add_js_file("widgets-assets-path.js", priority=100)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
