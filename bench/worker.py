"""`python -m bench.worker TASK JSON`: one measurement in a fresh process; prints its result as one JSON line."""

from __future__ import annotations

import json
import sys

from . import common  # noqa: F401 - sets the offline environment first


def main() -> None:
    task, args = sys.argv[1], json.loads(sys.argv[2])
    if task in ("build_index", "measure"):
        from . import query

        result = getattr(query, task)(args)
    elif task == "vectors":
        from . import vectors

        result = vectors.worker(args)
    else:
        raise SystemExit(f"unknown task {task}")
    print(json.dumps(result, default=float), flush=True)


if __name__ == "__main__":
    main()
