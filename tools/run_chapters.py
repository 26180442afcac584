"""Execute every notebook of a folder in a fresh kernel, as a reader would; print the
time of each and exit non-zero if any cell fails. `make install-check` runs it on the
chapters copied alone into an empty folder, with lessons_py installed from the
repository. The notebooks run two at a time (each in its own process and kernel) when
the machine has two cores; their times are then those of a loaded machine."""

import concurrent.futures
import os
import pathlib
import sys
import time

import nbformat
import numpy  # noqa: F401  (loads OpenBLAS, for the report below)
from nbclient import NotebookClient
from threadpoolctl import threadpool_info


def execute(path):
    """Run one notebook; return its name, seconds and "ok" or what failed."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    try:
        NotebookClient(
            nb,
            timeout=300,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
        status = "ok"
    except Exception as exc:  # report every chapter, then fail
        last = str(exc).strip().splitlines()[-1][:200]
        status = f"FAILED: {type(exc).__name__}: {last}"
    return path.name, time.perf_counter() - start, status


def main(folder):
    kernels = sorted({lib.get("architecture") or "?" for lib in threadpool_info()})
    print(f"BLAS kernel: {', '.join(kernels)}", flush=True)
    paths = sorted(pathlib.Path(folder).glob("*.ipynb"))
    workers = max(1, min(2, os.cpu_count() or 1))
    failed = []
    start = time.perf_counter()
    with concurrent.futures.ProcessPoolExecutor(workers) as pool:
        for name, seconds, status in pool.map(execute, paths):  # in order
            print(f"{name:<32} {seconds:6.1f} s  {status}", flush=True)
            if status != "ok":
                failed.append(name)
    elapsed = time.perf_counter() - start
    print(f"{len(paths)} notebooks in {elapsed:.1f} s, {workers} at a time")
    if failed:
        sys.exit(f"{len(failed)} notebook(s) failed: {', '.join(failed)}")


if __name__ == "__main__":
    main(sys.argv[1])
