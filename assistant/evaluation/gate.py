"""The CI gate: committed `[min]` / `[max]` thresholds held against a run's aggregates, by one rule (`Verdict`)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .results import EvalResult


def load_thresholds(path: Path | str) -> dict[str, dict[str, float]]:
    """Read `[min]` and `[max]` tables of metric thresholds from a TOML file."""
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    unknown = set(data) - {"min", "max"}
    if unknown:
        raise ValueError(f"{path}: only [min] and [max] tables are allowed, not {sorted(unknown)}")
    return {bound: {str(k): float(v) for k, v in data.get(bound, {}).items()} for bound in ("min", "max")}


@dataclass(frozen=True)
class Verdict:
    """One threshold held against one aggregate: the gate's single rule, used by the check and the table."""

    name: str
    bound: str  # "min" or "max"
    limit: float
    value: float | None
    known: bool = True

    @property
    def passed(self) -> bool:
        if not self.known or self.value is None:
            return False
        return self.value >= self.limit if self.bound == "min" else self.value <= self.limit

    @property
    def requirement(self) -> str:
        return f"{'>=' if self.bound == 'min' else '<='} {self.limit:.2f}"

    def explain(self, known_metrics: Sequence[str] = ()) -> str:
        if not self.known:
            return f"{self.name}: unknown metric (known: {', '.join(known_metrics)})"
        if self.value is None:
            return f"{self.name}: not measured (no item applies)"
        side = "below the minimum" if self.bound == "min" else "above the maximum"
        return f"{self.name} = {self.value:.3f} is {side} {self.limit:.3f}"


def gate_verdicts(result: EvalResult, thresholds: Mapping[str, Mapping[str, float]]) -> list[Verdict]:
    """A verdict for every threshold, in the order the thresholds list them."""
    return [Verdict(name, bound, limit, result.aggregates.get(name), name in result.aggregates)
            for bound, limits in thresholds.items() for name, limit in limits.items()]


def check_gate(result: EvalResult, thresholds: Mapping[str, Mapping[str, float]]) -> list[str]:
    """One message per metric outside its threshold (or unknown / not measured); empty when all pass."""
    return [v.explain(list(result.aggregates)) for v in gate_verdicts(result, thresholds) if not v.passed]
