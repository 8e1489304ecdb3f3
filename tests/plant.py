"""Run specs in-process under a planted regression and check that they are killed.

A planted regression is a realistic misbehaviour of torch/torchvision applied with ``monkeypatch``
at the public API the user calls. ``run`` executes the named specs in-process with pytester (so the
patch is live inside them), on cpu, with the ``plant`` hypothesis profile; ``assert_killed`` checks
that they failed -- not errored -- and that the failure report names each killed spec's claim (the
first line of its docstring, added by the harness with the device and a reproduction line).
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import os
import sys
from pathlib import Path

import pytest
import torch
from hypothesis import Phase, settings

# pytester restores sys.modules after every test, dropping the modules the test imported. A package
# with a native extension cannot be imported a second time in one process: re-running onnx's
# __init__ re-registers its nanobind enums and aborts the interpreter ("refusing to add duplicate key
# ... FormalParameterOption"), which killed the second ONNX regression of a session. So the optional
# ONNX stack, where installed, is imported here, at collection, before any pytester snapshot.
for _name in ("onnx", "onnxscript", "onnxruntime"):
    with contextlib.suppress(ImportError):
        importlib.import_module(_name)



def _first_compile():
    """Compile once, now, at collection: the same trap as ONNX's. torch.compile's stack (Dynamo, AOTAutograd,
    parts of inductor, the quantized_decomposed library) cannot be imported twice in one process
    ("Artifact of type=autotune already registered", "Only a single TORCH_LIBRARY ... quantized_decomposed",
    the backend registry's "duplicate name: eager"), so everything the compile claims import -- numpy code,
    a module in train and eval, a backward -- is imported before pytester's first sys.modules snapshot."""
    try:
        import torch._dynamo
        import torch.ao.quantization.fx._decomposed  # noqa: F401

        torch._dynamo.reset()
        model = torch.nn.Sequential(torch.nn.Conv2d(2, 2, 1), torch.nn.BatchNorm2d(2), torch.nn.Dropout(), torch.nn.ReLU())
        compiled = torch.compile(model, backend="aot_eager")
        for mode in (True, False):
            compiled.train(mode)(torch.ones(2, 2, 2, 2, requires_grad=True)).sum().backward()
        torch.compile(lambda x: torch.from_numpy(x.numpy() * 2) + x, backend="aot_eager")(torch.ones(2))
    except Exception:  # noqa: BLE001 -- where torch.compile cannot run (torch 2.0 on Python 3.11) its claims skip
        pass
    finally:
        with contextlib.suppress(Exception):
            torch._dynamo.reset()


_first_compile()

REPO = Path(__file__).resolve().parents[1]
#: the C class whose getset descriptors (``data``, ``T``, ``requires_grad``, ``grad_dtype``) torch.Tensor inherits:
#: plants wrap them in a property on torch.Tensor; older releases (2.0 among them) call it ``_TensorBase``
TENSOR_BASE = getattr(torch._C, "TensorBase", None) or torch._C._TensorBase
SPECS = REPO / "specs"

#: For regressions planted in claims about CUDA itself: they can only be killed where CUDA runs.
needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="the planted spec is about CUDA; no CUDA device")

# The ci profile, derandomized and without shrinking: a kill must not depend on the run's luck (the
# ci profile draws fresh inputs each run), and a killed property fails on its first counterexample
# instead of spending seconds minimising it (nothing here reads the minimal example).
settings.register_profile(
    "plant",
    settings.get_profile("ci"),
    derandomize=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    report_multiple_bugs=False,
)


# The ci profile as a user's CI runs it -- random, fresh inputs each run -- without shrinking. Selected with
# TCS_PLANT_PROFILE=ci (TCS_PLANT_SEED=N fixes hypothesis' seed): a slice regression must be killed on every
# seed, which holds when the slice is an enumerated case rather than a value hypothesis may not draw.
settings.register_profile(
    "plant-ci",
    settings.get_profile("ci"),
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    report_multiple_bugs=False,
)
PROFILE = {"ci": "plant-ci", "plant": "plant", "": "plant"}[os.environ.get("TCS_PLANT_PROFILE", "")]
SEED = os.environ.get("TCS_PLANT_SEED")


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
        "-n", "0",  # pyproject's addopts say -n auto
        "-p", "no:unraisableexception",  # its gc.collect() per spec costs ~0.7 s a run
        f"--hypothesis-profile={PROFILE}",
        *([f"--hypothesis-seed={SEED}"] if SEED else []),
        "--tb=short",
        f"--devices={devices}",
        *args,
    )


def _claims() -> dict[str, str]:
    """Every spec's name -> its claim (the first line of its docstring), over all spec modules."""
    claims = {}
    for path in sorted(SPECS.glob("test_*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
                doc = (ast.get_docstring(node) or "").strip()
                claims[node.name] = doc.splitlines()[0] if doc else node.name
    return claims


CLAIMS = _claims()


def assert_killed(result, *expected: str):
    """The specs failed (at least one failure, no errors), and every expected item shows in the failures.

    An item that names a spec (``test_...``), or one variant of it (``test_...[cpu-train-no_grad]``),
    means: that spec (variant) failed, and its failure report names its claim -- the first line of
    its docstring -- its device and a reproduction line, as the harness adds them. Any other item is
    a value description (``num_batches_tracked=0``) that an exception message must contain: an ``E``
    line of the report, not the spec's source echoed in the traceback.
    """
    __tracebackhide__ = True
    assert any(item.split("[")[0] in CLAIMS for item in expected), f"name the spec(s) the regression must kill: {expected}"
    outcomes = result.parseoutcomes()
    text = result.stdout.str()
    assert outcomes.get("failed", 0) >= 1, f"planted regression survived: {outcomes}\n{text[-3000:]}"
    assert outcomes.get("errors", 0) == 0 and outcomes.get("error", 0) == 0, (
        f"specs crashed instead of failing: {outcomes}\n{text[-3000:]}"
    )
    failures = [rep for rep in result.reprec.getfailures() if rep.when == "call"]
    crashes = [getattr(getattr(rep.longrepr, "reprcrash", None), "message", "") for rep in failures]
    messages = "\n".join(crashes + [line for line in text.splitlines() if line.startswith("E ")])
    for item in expected:
        spec = item.split("[")[0]
        if spec in CLAIMS:
            name = (lambda nodeid: nodeid.split("::")[-1]) if "[" in item else (lambda nodeid: nodeid.split("::")[-1].split("[")[0])
            failed = [rep for rep in failures if name(rep.nodeid) == item]
            assert failed, f"{item} passed, but the planted regression should kill it:\n{text[-3000:]}"
            report = failed[0].longreprtext
            for note in (f"claim: {CLAIMS[spec]}", "device: ", "reproduce: pytest "):
                assert note in report, f"the failure of {item} does not show {note!r}:\n{report[-3000:]}"
        else:
            assert item in messages, f"no failure message names {item!r}:\n{text[-3000:]}"


def assert_passed(result):
    """Control run: without the regression the same specs pass (a known bug's strict xfail counts as passing:
    it is the verdict the suite gives on that release)."""
    __tracebackhide__ = True
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) >= 1 and set(outcomes) <= {
        "passed", "skipped", "xfailed", "warnings", "warning"}, (
        f"{outcomes}\n{result.stdout.str()[-3000:]}"
    )
