"""Compare two claim reports: which claims changed outcome between two torch builds (or devices).

    pytest --report-log=reports/old.jsonl          # in the old environment
    pytest --report-log=reports/new.jsonl          # in the new one
    python -m specs.compare reports/old.jsonl reports/new.jsonl
    python -m specs.compare --list reports/new.jsonl   # every claim, grouped by concept, with outcomes

Reports are pytest-reportlog files; the harness (conftest.py) puts each spec's claim, concept and the
environment into its ``user_properties``. Exit status: 0 when no claim differs, 1 otherwise.
"""

from __future__ import annotations

import json
import sys
from collections import Counter


def _outcome(phases: dict) -> str:
    """One word per spec variant from its setup/call/teardown reports."""
    for when, rep in phases.items():
        if rep["outcome"] == "failed":
            return "failed" if when == "call" else "error"
    for rep in phases.values():
        if rep["outcome"] == "skipped":
            reason = rep["longrepr"][2] if isinstance(rep.get("longrepr"), list) else ""
            return "gated" if "gated:" in reason else "skipped"
    return "passed"


def _read_report(path):
    """{nodeid: (outcome, claim, concept)} and the environment, from a pytest-reportlog file."""
    phases, props, env = {}, {}, {}
    with open(path) as f:
        for rep in map(json.loads, f):
            if rep.get("$report_type") == "TestReport":
                phases.setdefault(rep["nodeid"], {})[rep["when"]] = rep
                props[rep["nodeid"]] = dict(rep.get("user_properties") or [])
                env = props[rep["nodeid"]].get("environment", env)
    results = {
        nodeid: (_outcome(p), props[nodeid].get("claim", ""), props[nodeid].get("concept", "?"))
        for nodeid, p in phases.items()
    }
    return results, env


def compare(old_path, new_path) -> tuple[str, int]:
    """The comparison as text, and how many spec variants differ."""
    old, old_env = _read_report(old_path)
    new, new_env = _read_report(new_path)
    env = lambda e: ", ".join(f"{k} {v}" for k, v in e.items())  # noqa: E731
    lines = [f"A: {old_path}: {env(old_env)}", f"B: {new_path}: {env(new_env)}"]
    differ = {}
    for nodeid in sorted(set(old) | set(new)):
        a, b = old.get(nodeid, ("absent", "", "")), new.get(nodeid, ("absent", "", ""))
        if a[0] != b[0]:
            claims = differ.setdefault(b[2] or a[2], {})
            claims.setdefault(b[1] or a[1], []).append(f"    {nodeid}: A {a[0]} -> B {b[0]}")
    count = sum(len(v) for claims in differ.values() for v in claims.values())
    lines.append(f"{count} of {len(set(old) | set(new))} spec variants differ")
    for concept in sorted(differ):
        lines += ["", concept]
        for claim, variants in differ[concept].items():
            lines += [f"  {claim}", *variants]
    return "\n".join(lines), count


def claims(path) -> str:
    """Every claim in a report, grouped by concept, with the outcome on each device."""
    results, env = _read_report(path)
    by_concept = {}
    for nodeid, (outcome, claim, concept) in results.items():
        device = nodeid.rpartition("[")[2].rstrip("]").split("-")[0]  # the harness puts the device first
        by_concept.setdefault(concept, {}).setdefault(claim, Counter())[f"{device} {outcome}"] += 1
    lines = [", ".join(f"{k} {v}" for k, v in env.items())]
    for concept in sorted(by_concept):
        lines += ["", concept]
        for claim, outcomes in by_concept[concept].items():
            lines.append(f"  - {claim}  ({', '.join(f'{k} x{n}' for k, n in sorted(outcomes.items()))})")
    return "\n".join(lines)


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) == 2 and args[0] == "--list":
        print(claims(args[1]))
        return 0
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    text, count = compare(*args)
    print(text)
    return 1 if count else 0


if __name__ == "__main__":
    sys.exit(main())
