"""Claim reports side by side: what changed between torch builds, releases or devices.

    pytest --report-log=reports/old.jsonl          # in the old environment
    pytest --report-log=reports/new.jsonl          # in the new one
    python -m specs.compare reports/old.jsonl reports/new.jsonl
        the spec variants whose outcome differs, grouped by concept and claim (exit 1 if any)
    python -m specs.compare A.jsonl B.jsonl C.jsonl ... [--format text|markdown]
        the atlas: a table of claims x reports, only the claims whose outcome differs somewhere,
        grouped by concept (two reports with --format give the same table)
    python -m specs.compare --list reports/new.jsonl
        every claim, grouped by concept, with the devices on which it actually ran and passed

Reports are pytest-reportlog files; the harness (conftest.py) puts each spec's claim, concept and device
into its reports' ``user_properties``, and the environment into its setup report's. Outcomes are short words: ``passed``, ``failed``,
``error``, ``skipped``, ``gated`` (a version gate), ``known-bug`` (a known_bug marker's strict xfail),
``xpass`` (a known bug that is not there) and ``absent`` (no such spec in that report).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter


def _outcome(phases: dict) -> str:
    """One word per spec variant from its setup/call/teardown reports."""
    for when, rep in phases.items():
        if rep["outcome"] == "failed":
            if when == "call" and "XPASS(strict)" in str(rep.get("longrepr")):
                return "xpass"
            return "failed" if when == "call" else "error"
    for rep in phases.values():
        if rep.get("wasxfail") is not None:
            return "known-bug"
        if rep["outcome"] == "skipped":
            reason = rep["longrepr"][2] if isinstance(rep.get("longrepr"), list) else ""
            return "gated" if "gated:" in reason else "skipped"
    return "passed"


def _read_report(path):
    """{nodeid: (outcome, claim, concept)} and the environment, from a pytest-reportlog file."""
    results, env = _read(path)
    return {n: (r["outcome"], r["claim"], r["concept"]) for n, r in results.items()}, env


def _read(path):
    """{nodeid: {outcome, claim, concept, device}} and the environment."""
    phases, props, env = {}, {}, {}
    with open(path) as f:
        for rep in map(json.loads, f):
            if rep.get("$report_type") == "TestReport":
                phases.setdefault(rep["nodeid"], {})[rep["when"]] = rep
                props[rep["nodeid"]] = dict(rep.get("user_properties") or [])
                env = props[rep["nodeid"]].get("environment", env)
    results = {
        nodeid: {
            "outcome": _outcome(p),
            "claim": props[nodeid].get("claim", ""),
            "concept": props[nodeid].get("concept", "?"),
            "device": props[nodeid].get("device") or nodeid.rpartition("[")[2].rstrip("]").split("-")[0],
        }
        for nodeid, p in phases.items()
    }
    return results, env


def _env_line(env) -> str:
    return ", ".join(f"{k} {v}" for k, v in env.items())


def compare(old_path, new_path) -> tuple[str, int]:
    """The comparison as text, and how many spec variants differ."""
    old, old_env = _read_report(old_path)
    new, new_env = _read_report(new_path)
    lines = [f"A: {old_path}: {_env_line(old_env)}", f"B: {new_path}: {_env_line(new_env)}"]
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


def _claim_outcome(variants: list[dict], available: set[str]) -> str:
    """A claim's outcome in one report: its variants' outcomes on the devices that report could use.

    Variants on a device the run did not have (a ``[cuda]`` variant on a machine without a GPU) are
    left out; several outcomes are joined with ``/`` (``gated/passed``: some cases gated).
    """
    words = sorted({v["outcome"] for v in variants if v["device"] in available or v["device"] == "device-independent"})
    return "/".join(words) if words else "skipped"


def _columns(reports, paths) -> list[str]:
    """One column name per report: its torch release (``2.3.1``); where two reports share a release (the
    numpy axis), each such column adds its numpy (``2.3.1/np1.26``); reports of one torch and one numpy (two
    builds of a release) are named by their files (``old``, ``new``)."""
    base = [env.get("torch", str(p)).split("+")[0] if env else str(p) for (_, env), p in zip(reports, paths)]
    named = [
        f"{b}/np{'.'.join(str(env.get('numpy', '?')).split('.')[:2])}" if base.count(b) > 1 else b
        for b, (_, env) in zip(base, reports)
    ]
    stem = [os.path.splitext(os.path.basename(str(p)))[0] for p in paths]
    return [n if named.count(n) == 1 else s for n, s in zip(named, stem)]


def atlas(paths, fmt="text") -> str:
    """Claims x reports: the claims whose outcome differs between the reports, grouped by concept."""
    reports = [_read(p) for p in paths]
    columns = _columns(reports, paths)
    table = {}  # (concept, spec) -> {"claim": ..., "cells": [...]}
    for i, (results, env) in enumerate(reports):
        available = set(filter(None, str(env.get("devices", "cpu")).split(",")))
        per_spec = {}
        for nodeid, r in results.items():
            spec = nodeid.split("::")[-1].split("[")[0]
            per_spec.setdefault((r["concept"], spec), []).append(r)
        for key, variants in per_spec.items():
            row = table.setdefault(key, {"claim": variants[0]["claim"], "cells": ["absent"] * len(reports)})
            row["cells"][i] = _claim_outcome(variants, available)
    differing = {k: v for k, v in table.items() if len(set(v["cells"])) > 1}
    envs = [f"{c}: {p}: {_env_line(env)}" for c, p, (_, env) in zip(columns, paths, reports)]
    summary = f"{len(differing)} of {len(table)} claims differ between {len(paths)} reports"
    lines = []
    if fmt == "markdown":
        lines += [f"- `{e.split(': ', 1)[0]}`: {e.split(': ', 2)[2]}" for e in envs] + ["", summary]
        for concept in sorted({k[0] for k in differing}):
            lines += ["", f"### {concept}", "", "| claim | " + " | ".join(columns) + " |",
                      "| --- |" + " --- |" * len(columns)]
            for (c, spec), row in sorted(differing.items()):
                if c == concept:
                    claim = row["claim"].replace("|", "\\|")
                    lines.append(f"| {claim} (`{spec}`) | " + " | ".join(row["cells"]) + " |")
    else:
        lines += envs + [summary]
        width = max([len(c) for c in columns] + [len(w) for r in differing.values() for w in r["cells"]] + [6])
        for concept in sorted({k[0] for k in differing}):
            lines += ["", concept, "  " + "".join(c.ljust(width + 2) for c in columns) + "claim"]
            for (c, spec), row in sorted(differing.items()):
                if c == concept:
                    lines.append("  " + "".join(w.ljust(width + 2) for w in row["cells"]) + row["claim"])
    return "\n".join(lines)


def claims(path) -> str:
    """Every claim in a report, grouped by concept: where it was proven, and every variant's outcome."""
    results, env = _read(path)
    by_concept = {}
    for nodeid, r in results.items():
        spec = nodeid.split("::")[-1].split("[")[0]
        entry = by_concept.setdefault(r["concept"], {}).setdefault((spec, r["claim"]), {})
        entry.setdefault(r["device"], Counter())[r["outcome"]] += 1
    lines = [_env_line(env)]
    proven_total = Counter()
    for concept in sorted(by_concept):
        lines += ["", concept]
        for (spec, claim), devices in by_concept[concept].items():
            proven = [d for d, outcomes in devices.items() if set(outcomes) == {"passed"}]
            proven_total.update(proven)
            detail = "; ".join(
                f"{d}: " + ", ".join(f"{o} x{n}" for o, n in sorted(outcomes.items()))
                for d, outcomes in sorted(devices.items())
            )
            lines.append(f"  - {claim}  [proven on: {', '.join(sorted(proven)) or 'no device'}]  ({detail})")
    total = sum(len(c) for c in by_concept.values())
    devices = sorted({d for c in by_concept.values() for e in c.values() for d in e})
    lines.insert(1, "proven: " + ", ".join(f"{d} {proven_total[d]} of {total} claims" for d in devices))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m specs.compare", description=__doc__.split("\n\n")[0])
    parser.add_argument("reports", nargs="+", help="pytest-reportlog files (--report-log=...)")
    parser.add_argument("--list", action="store_true", help="every claim of one report, with where it was proven")
    parser.add_argument("--format", choices=["text", "markdown"], help="print the atlas table in this format")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.list:
        if len(args.reports) != 1:
            parser.error("--list takes one report")
        print(claims(args.reports[0]))
        return 0
    if len(args.reports) < 2:
        parser.error("give two or more reports (or --list REPORT)")
    if len(args.reports) == 2 and args.format is None:
        text, count = compare(*args.reports)
        print(text)
        return 1 if count else 0
    print(atlas(args.reports, args.format or "text"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
