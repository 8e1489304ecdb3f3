"""Run specs in-process under a planted regression and check that they are killed.

A planted regression is a realistic misbehaviour of torch/torchvision applied with ``monkeypatch``
at the public API the user calls. ``run`` executes the named specs in-process with pytester (so the
patch is live inside them), on cpu, with the ``plant`` hypothesis profile; ``assert_killed`` checks
that they failed -- not errored -- and that an exception message (an ``E`` line of the report, not
the spec's source echoed in the traceback) names the claim.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch
from hypothesis import Phase, settings

REPO = Path(__file__).resolve().parents[1]
SPECS = REPO / "specs"

#: For regressions planted in claims about CUDA itself: they can only be killed where CUDA runs.
needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="the planted spec is about CUDA; no CUDA device")

# The ci profile without shrinking: a killed property fails on its first counterexample instead of
# spending seconds minimising it (nothing here reads the minimal example).
settings.register_profile(
    "plant",
    settings.get_profile("ci"),
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    report_multiple_bugs=False,
)


def run(pytester, *specs: str, devices: str = "cpu", args=()):
    """Run ``specs`` (paths or node ids relative to ``specs/``) in-process and return the result.

    Spec modules the outer session already imported are set aside for the run: a ``@settings``
    decorator binds the profile that was active at import, so reusing them would run the specs
    under the outer session's profile instead of ``plant``.
    """
    imported = {name: sys.modules.pop(name) for name in list(sys.modules) if name.startswith("specs.test_")}
    try:
        return _run(pytester, specs, devices, args)
    finally:
        sys.modules.update(imported)


def _run(pytester, specs, devices, args):
    return pytester.runpytest_inprocess(
        *(str(SPECS / s) for s in specs),
        f"--rootdir={REPO}",
        "-p", "no:cacheprovider",
        "-p", "no:xdist",
        "-p", "no:unraisableexception",  # its gc.collect() per spec costs ~0.7 s a run
        "--hypothesis-profile=plant",
        "--tb=short",
        f"--devices={devices}",
        *args,
    )


def assert_killed(result, *reasons: str):
    """The specs failed (at least one failure, no errors), and a failure message names every reason."""
    __tracebackhide__ = True
    outcomes = result.parseoutcomes()
    text = result.stdout.str()
    assert outcomes.get("failed", 0) >= 1, f"planted regression survived: {outcomes}\n{text[-3000:]}"
    assert outcomes.get("errors", 0) == 0 and outcomes.get("error", 0) == 0, (
        f"specs crashed instead of failing: {outcomes}\n{text[-3000:]}"
    )
    # What the exceptions said: each failure's crash message, and the ``E`` lines of the tracebacks.
    crashes = [getattr(getattr(rep.longrepr, "reprcrash", None), "message", "") for rep in result.reprec.getfailures()]
    messages = "\n".join(crashes + [line for line in text.splitlines() if line.startswith("E ")])
    for reason in reasons:
        assert reason in messages, f"no failure message names {reason!r}:\n{text[-3000:]}"


def assert_passed(result):
    """Control run: without the regression the same specs pass."""
    __tracebackhide__ = True
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) >= 1 and set(outcomes) <= {"passed", "skipped", "warnings", "warning"}, (
        f"{outcomes}\n{result.stdout.str()[-3000:]}"
    )
