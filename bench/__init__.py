"""Performance and scale benchmarks for the sources assistant: `python -m bench` (or `make bench`).

Each benchmark is a module with `run(ctx) -> dict`; `bench.__main__` runs them in order, writes
`bench/results/<name>.json`, `bench/results/latest.md` and `docs/latency-vs-size.png`.
"""
