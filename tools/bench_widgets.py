"""Widget latency benchmark (`make bench`): time from a control's value change to a redrawn figure.

Each chapter is executed in a fresh kernel (as a reader would run it); then every
FigureExplorer it created is driven programmatically: each control is stepped through
its range and the time of the synchronous redraw (the update function and the new PNG
in the widget) is recorded. This is a measurement, not a test: it prints a table with
the median and 95th percentile per chapter and the share of redraws within 100 ms, the
limit below which a response feels instantaneous. A live browser adds the comm round
trip and the image decode on top (a few milliseconds on localhost).
"""

import json
import pathlib
import sys

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[1]

PROBE = r'''
import json, time
import numpy as np
from lessons_py.widgets import _EXERCISES, FigureExplorer  # every exercise made in this kernel

def _values(control, k=12):
    options = getattr(control, "options", None)
    if options:
        values = list(options.values()) if isinstance(options, dict) else [
            o[1] if isinstance(o, tuple) else o for o in options]
    elif hasattr(control, "min") and hasattr(control, "max"):
        values = list(np.linspace(control.min, control.max, k))
        if isinstance(control.value, (int, np.integer)):
            values = sorted(set(int(round(v)) for v in values))
    else:
        return []
    return values[:k]

_times, _count = [], 0
for _ex in [e for e in list(_EXERCISES) if isinstance(e, FigureExplorer)]:
    _count += 1
    for _name, _control in _ex.controls.items():
        _start_value = _control.value
        for _v in _values(_control) + [_start_value]:
            if _v == _control.value:
                continue
            _t0 = time.perf_counter()
            _control.value = _v
            _times.append(time.perf_counter() - _t0)
print("BENCH" + json.dumps({"explorers": _count, "times": _times}))
'''


def bench(path):
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    for output in nb.cells[-1].outputs:
        text = output.get("text", "")
        if "BENCH" in text:
            return json.loads(text.split("BENCH", 1)[1])
    raise RuntimeError(f"{path.name}: the probe printed nothing")


def main(paths):
    import numpy as np

    rows = []
    print(f"{'chapter':<28} {'explorers':>9} {'redraws':>8} {'median ms':>10} {'p95 ms':>8} {'<= 100 ms':>10}")
    for path in paths:
        result = bench(path)
        t = 1000 * np.array(result["times"])
        if t.size == 0:
            print(f"{path.name:<28} {result['explorers']:>9} {0:>8} {'-':>10} {'-':>8} {'-':>10}")
            continue
        row = (path.name, result["explorers"], t.size, np.median(t), np.percentile(t, 95),
               100 * np.mean(t <= 100))
        rows.append(row)
        print(f"{row[0]:<28} {row[1]:>9} {row[2]:>8} {row[3]:>10.1f} {row[4]:>8.1f} {row[5]:>9.0f}%")
    return rows


if __name__ == "__main__":
    args = [pathlib.Path(a) for a in sys.argv[1:]] or sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
    main(args)
