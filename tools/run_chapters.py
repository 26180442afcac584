"""Execute every notebook of a folder in a fresh kernel, as a reader would; print the
time of each and exit non-zero if any cell fails. `make install-check` runs it on the
chapters copied alone into an empty folder, with lessons_py installed from the
repository."""

import pathlib
import sys
import time

import nbformat
import numpy  # noqa: F401  (loads OpenBLAS, for the report below)
from nbclient import NotebookClient
from threadpoolctl import threadpool_info


def main(folder):
    failed = []
    kernels = sorted({lib.get("architecture") or "?" for lib in threadpool_info()})
    print(f"BLAS kernel: {', '.join(kernels)}", flush=True)
    for path in sorted(pathlib.Path(folder).glob("*.ipynb")):
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
            failed.append(path.name)
            last = str(exc).strip().splitlines()[-1][:200]
            status = f"FAILED: {type(exc).__name__}: {last}"
        print(
            f"{path.name:<32} {time.perf_counter() - start:6.1f} s  {status}",
            flush=True,
        )
    if failed:
        sys.exit(f"{len(failed)} notebook(s) failed: {', '.join(failed)}")


if __name__ == "__main__":
    main(sys.argv[1])
