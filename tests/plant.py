"""Run specs in-process under a planted regression and check that they are killed.

A planted regression is a realistic misbehaviour of torch/torchvision applied with ``monkeypatch``
at the public API the user calls. ``run`` executes the named specs in-process with pytester (so the
patch is live inside them), on cpu, with the fast ``ci`` hypothesis profile; ``assert_killed`` checks
that they failed -- not errored -- and that the failure output names the claim.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SPECS = REPO / "specs"


def run(pytester, *specs: str, devices: str = "cpu", args=()):
    """Run ``specs`` (paths or node ids relative to ``specs/``) in-process and return the result."""
    return pytester.runpytest_inprocess(
        *(str(SPECS / s) for s in specs),
        f"--rootdir={REPO}",
        "-p", "no:cacheprovider",
        "-p", "no:xdist",
        "--hypothesis-profile=ci",
        f"--devices={devices}",
        *args,
    )


def assert_killed(result, *reasons: str):
    """The specs failed (at least one failure, no errors), and the output contains every reason."""
    __tracebackhide__ = True
    outcomes = result.parseoutcomes()
    text = result.stdout.str()
    assert outcomes.get("failed", 0) >= 1, f"planted regression survived: {outcomes}\n{text[-3000:]}"
    assert outcomes.get("errors", 0) == 0 and outcomes.get("error", 0) == 0, (
        f"specs crashed instead of failing: {outcomes}\n{text[-3000:]}"
    )
    for reason in reasons:
        assert reason in text, f"failure output does not name {reason!r}:\n{text[-3000:]}"


def assert_passed(result):
    """Control run: without the regression the same specs pass."""
    __tracebackhide__ = True
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) >= 1 and set(outcomes) <= {"passed", "skipped", "warnings", "warning"}, (
        f"{outcomes}\n{result.stdout.str()[-3000:]}"
    )
