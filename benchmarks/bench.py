"""Time the suite: import floor, collection, and each hypothesis profile as the quick start runs it
(pyproject's addopts: ``-n auto``, one xdist worker per usable core) and serially (``-n 0``).

Run by hand from the repository root (not in CI):

    python benchmarks/bench.py                 # ci and dev profiles, 3 runs each, median
    python benchmarks/bench.py --thorough      # also the thorough profile, with xdist only (minutes)
    python benchmarks/bench.py --inductor      # also the compile claims under inductor (opt-in)
    python benchmarks/bench.py --runs 5 --workers 2
    python benchmarks/bench.py --no-bytecode-cache   # keep PYTHONDONTWRITEBYTECODE if it is set

Python writes bytecode caches by default (``__pycache__``; pytest keeps the spec modules with their
rewritten asserts there too), so a user's second run onward skips recompiling the ~10,000 lines of
specs. An environment that sets ``PYTHONDONTWRITEBYTECODE`` pays that again on every run (~0.6 s per
process); the benchmark measures the default unless ``--no-bytecode-cache`` is given, after one
warm-up run that writes the caches, and says which it measured.

Prints a markdown table (wall seconds, and the ratio to the import floor) ready for the README, the
xdist speedup per profile, the budget line (the quick start's run and the floor measured in alternation,
the median of the per-pair ratios), and the slowest specs of the ci profile (`--durations`).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import re
import statistics
import subprocess
import sys
import time

FLOOR = "import torch, torchvision, numpy, PIL, hypothesis, pytest"
ONNX_NOTE = ", with the `onnx` extra installed"


def wall(cmd: list[str], env=None) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    took = time.perf_counter() - start
    if proc.returncode not in (0, 5):
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-3000:]}{proc.stderr[-2000:]}")
    return took, proc.stdout


def median(cmd, runs, env=None) -> tuple[float, str]:
    times, out = [], ""
    for _ in range(runs):
        took, out = wall(cmd, env)
        times.append(took)
    return statistics.median(times), out


def auto_workers() -> int:
    """How many workers ``-n auto`` starts here: the harness decides (its xdist hook)."""
    sys.path.insert(0, os.getcwd())
    try:
        from conftest import pytest_xdist_auto_num_workers
    finally:
        sys.path.pop(0)
    return pytest_xdist_auto_num_workers(None)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3, help="runs per measurement (median); thorough runs once")
    ap.add_argument("--workers", default="auto", help="xdist workers for the parallel runs (-n; default: auto, as the quick start)")
    ap.add_argument("--no-bytecode-cache", action="store_true",
                    help="leave PYTHONDONTWRITEBYTECODE as the environment sets it (default: unset it, as on a default install)")
    ap.add_argument("--thorough", action="store_true", help="also time the thorough profile (slow)")
    ap.add_argument("--inductor", action="store_true",
                    help="also time the compile claims under inductor (opt-in: C++ compiles, minutes the first time)")
    args = ap.parse_args()

    env = {k: v for k, v in os.environ.items() if k != "CI"}  # profiles are chosen explicitly below
    if not args.no_bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    cache = "off (PYTHONDONTWRITEBYTECODE)" if env.get("PYTHONDONTWRITEBYTECODE") else "on (Python's default)"
    py = [sys.executable]
    pytest = py + ["-m", "pytest", "-q", "-p", "no:cacheprovider"]
    if importlib.util.find_spec("pytest_randomly"):  # a dev venv's plugin; the quick start installs none
        pytest += ["-p", "no:randomly"]
    rows = []
    wall(pytest + ["--co"], env)  # warm-up: writes the bytecode caches where they are on
    onnx = all(importlib.util.find_spec(name) for name in ("onnx", "onnxscript", "onnxruntime"))

    floor, _ = median(py + ["-c", FLOOR], args.runs, env)
    rows.append(("import floor (`python -c \"" + FLOOR + "\"`)", floor))
    collect, out = median(pytest + ["--co"], args.runs, env)
    count = re.search(r"(\d+) tests? collected", out).group(1)
    rows.append((f"collection (`pytest --co`, {count} spec variants)", collect))

    # The budget: the quick start's run (the ci profile, -n auto, no extra) against the floor, measured in
    # alternation, so that both see the same machine (a shared machine drifts by +-10% over the minutes
    # the whole table takes); the median of the per-pair ratios.
    quick = pytest + ["--hypothesis-profile=ci", "-n", args.workers] + (["-k", "not onnx"] if onnx else [])
    pairs = []
    for _ in range(args.runs):
        f, _ = wall(py + ["-c", FLOOR], env)
        q, _ = wall(quick, env)
        pairs.append((q / f, q, f))

    speedups, durations = {}, ""
    profiles = ["ci", "dev"] + (["thorough"] if args.thorough else [])
    for profile in profiles:
        runs = 1 if profile == "thorough" else args.runs
        opts = [f"--hypothesis-profile={profile}"]
        if profile != "thorough":  # thorough is only timed with xdist: serially it takes twice as long
            serial, out = median(pytest + opts + ["-n", "0", "--durations=8"], runs, env)
            rows.append((f"`{profile}` profile, serial (`-n 0`){ONNX_NOTE if onnx else ''}", serial))
            if profile == "ci":
                durations = out[out.find("slowest"):].split("\n\n")[0]
                share, _ = median(pytest + opts + ["-n", "0", "-k", "aot_eager"], runs, env)
                rows.append(("`ci` profile, serial, the compile claims alone (`-k aot_eager`)", share))
                if args.inductor:  # opt-in, and in the thorough profile: one run (gcc builds dominate)
                    ind, _ = median(pytest + opts + ["-n", "0", "--compile-backends=inductor", "-k", "inductor"], 1, env)
                    rows.append(("`ci` profile, serial, the compile claims under inductor (`--compile-backends=inductor`, 1 run)", ind))
                if onnx:  # the quick start installs no extra: time that run too
                    plain, _ = median(pytest + opts + ["-n", "0", "-k", "not onnx"], runs, env)
                    rows.append(("`ci` profile, serial (`-n 0`), ONNX claims deselected (as without the extra)", plain))
        parallel, _ = median(pytest + opts + ["-n", args.workers], runs, env)
        rows.append((f"`{profile}` profile, `-n {args.workers}`{ONNX_NOTE if onnx else ''}", parallel))
        if profile == "ci" and onnx:
            plain, _ = median(pytest + opts + ["-n", args.workers, "-k", "not onnx"], runs, env)
            rows.append((f"`ci` profile, `-n {args.workers}`, ONNX claims deselected (as without the extra)", plain))
        if profile != "thorough":
            speedups[profile] = serial / parallel

    print(f"Measured {time.strftime('%Y-%m-%d')} on {platform.node()}: {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; median of {args.runs} runs (thorough: 1); `-n auto` starts "
          f"{auto_workers()} workers here; bytecode cache {cache}.\n")
    print("| what | wall (s) | × import floor |\n| --- | ---: | ---: |")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.1f} | {seconds / floor:.1f} |")
    print(f"\ncollection beyond the import floor: {collect - floor:.1f} s")
    for profile, ratio in speedups.items():
        print(f"xdist speedup, {profile}: {ratio:.2f}x")
    ratios = sorted(r for r, _, _ in pairs)
    print(f"\nbudget (at most 5x): the quick start's ci run{' without the onnx claims' if onnx else ''}, measured "
          f"{len(pairs)} times each right after the floor: median {statistics.median(ratios):.2f}x the floor "
          f"(range {ratios[0]:.2f}-{ratios[-1]:.2f}; runs {min(q for _, q, _ in pairs):.1f}-{max(q for _, q, _ in pairs):.1f} s, "
          f"floors {min(f for _, _, f in pairs):.2f}-{max(f for _, _, f in pairs):.2f} s)")
    print("\n" + durations)


if __name__ == "__main__":
    main()
