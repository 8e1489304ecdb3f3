"""The harness's own behaviour: devices, skip reasons, options, strictness, profiles, header, state guard.

Each test copies the real root ``conftest.py`` into a pytester directory next to a tiny synthetic spec
file, runs pytest in-process, and checks what a user would see. Device availability is simulated with
``monkeypatch`` so the tests mean the same on a GPU box and on a laptop.
"""

from __future__ import annotations

import importlib.abc
import re
import shlex
import subprocess
import sys

import pytest
import torch

from tests.plant import REPO

SPEC = """
import pytest, torch

def test_plain(device):
    '''a tensor can be made on the spec's device'''
    assert torch.ones(2, device=device).device.type == device.type

@pytest.mark.parametrize("n", [1, 2])
def test_param(device, n):
    '''parameters combine with the device'''
"""


@pytest.fixture
def harness(pytester):
    """A pytester directory with the real harness as its conftest."""
    pytester.makeconftest((REPO / "conftest.py").read_text())
    return pytester


@pytest.fixture
def no_cuda(monkeypatch):
    """Pretend this CUDA build of torch sees no CUDA device."""
    monkeypatch.setattr(torch.version, "cuda", torch.version.cuda or "12.1")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 0)
    return f"cuda: torch {torch.__version__} was built with CUDA {torch.version.cuda} but sees no CUDA device"


@pytest.fixture
def clean_env(monkeypatch):
    for var in ("TCS_DEVICES", "TCS_REQUIRE_DEVICES", "TCS_STRICT_ENV", "CI"):
        monkeypatch.delenv(var, raising=False)


pytestmark = pytest.mark.usefixtures("clean_env")


# --------------------------------------------------------------------------- device ids


def test_every_spec_runs_once_per_device_with_readable_ids(harness):
    harness.makepyfile(test_specs=SPEC)
    result = harness.runpytest_inprocess("--co", "-q", "--devices", "cpu,cuda")
    collected = sorted(line for line in result.stdout.lines if line.startswith("test_specs.py::"))
    assert collected == [  # in any order: pytest-randomly may shuffle collection
        "test_specs.py::test_param[cpu-1]",
        "test_specs.py::test_param[cpu-2]",
        "test_specs.py::test_param[cuda-1]",
        "test_specs.py::test_param[cuda-2]",
        "test_specs.py::test_plain[cpu]",
        "test_specs.py::test_plain[cuda]",
    ]


def test_missing_cuda_device_named_in_devices_skips_with_precise_reason(harness, no_cuda):
    harness.makepyfile(test_specs=SPEC)
    result = harness.runpytest_inprocess("-rs", "--devices", "cpu,cuda")
    result.assert_outcomes(passed=3, skipped=3)
    result.stdout.fnmatch_lines([f"SKIPPED *{no_cuda}*"])


def test_missing_cuda_device_is_not_under_test_by_default_and_says_why(harness, no_cuda):
    """By default an absent GPU is not parametrized (no ~2,400 skipped variants to report): the header
    and the summary at the end name it as not under test, with the reason and the options that list
    its variants as skips or fail the run."""
    harness.makepyfile(test_specs=SPEC)
    result = harness.runpytest_inprocess("-v")
    result.assert_outcomes(passed=3)
    assert "[cuda" not in result.stdout.str()
    reason = no_cuda.split(": ", 1)[1]
    result.stdout.fnmatch_lines([
        "devices under test: cpu;*",
        f"cuda: not under test ({reason}); `--devices cpu,cuda` lists its variants as skips, "
        "`--require-devices cuda` fails the run",
        "*claims proven per device*",
        "cpu: 2 of 2 claims proven*",
        f"cuda: no claim proven, not under test ({reason});*",
    ])


def test_a_device_left_out_by_devices_is_not_reported_as_absent(harness, no_cuda):
    harness.makepyfile(test_specs=SPEC)
    result = harness.runpytest_inprocess("--devices", "cpu")
    result.assert_outcomes(passed=3)
    assert "not under test" not in result.stdout.str()


def test_cpu_only_torch_build_skips_saying_so(harness, monkeypatch):
    monkeypatch.setattr(torch.version, "cuda", None)
    monkeypatch.setattr(torch.version, "hip", None, raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    harness.makepyfile(test_specs=SPEC)
    result = harness.runpytest_inprocess("-rs", "--devices", "cpu,cuda")
    result.stdout.fnmatch_lines([f"SKIPPED *cuda: this torch build ({torch.__version__}) has no CUDA support*"])


def test_devices_option_selects_devices(harness):
    harness.makepyfile(test_specs=SPEC)
    result = harness.runpytest_inprocess("--co", "-q", "--devices", "cpu")
    assert "[cuda" not in result.stdout.str()
    result.stdout.fnmatch_lines(["*test_plain[[]cpu[]]*"])


def test_devices_environment_variable_selects_devices(harness, monkeypatch):
    monkeypatch.setenv("TCS_DEVICES", "cpu")
    harness.makepyfile(test_specs=SPEC)
    result = harness.runpytest_inprocess("--co", "-q")
    assert "[cuda" not in result.stdout.str()


def test_unknown_device_name_is_a_usage_error_listing_valid_names(harness):
    harness.makepyfile(test_specs=SPEC)
    result = harness.runpytest_inprocess("--devices", "cpu,nosuch")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    # torch itself validates the name and lists the device types it knows
    result.stderr.fnmatch_lines(["*unknown device type(s) nosuch: torch * says: *cpu, cuda*xpu*mps*hpu*nosuch*"])


def test_a_device_type_torch_knows_but_has_no_backend_for_skips_precisely(harness):
    """--devices hpu on a machine without Habana's extension: every hpu variant skips, saying why."""
    harness.makepyfile(test_specs=SPEC)
    result = harness.runpytest_inprocess("--devices", "cpu,hpu", "-rs")
    result.assert_outcomes(passed=3, skipped=3)
    result.stdout.fnmatch_lines([
        "*device hpu: torch * knows the device type but has no hpu backend loaded (torch.hpu is missing*",
        "SKIPPED * hpu: torch * knows the device type but has no hpu backend loaded*",
    ])


def test_an_out_of_tree_backend_that_is_available_runs(harness, monkeypatch):
    """A backend that an extension registers (here: a stand-in torch.hpu reporting available) runs."""
    import types

    monkeypatch.setattr(torch, "hpu", types.SimpleNamespace(is_available=lambda: True), raising=False)
    harness.makepyfile(test_specs="""
        def test_runs(device):
            '''the variant runs'''
            assert device.type in ("cpu", "hpu")
        """)
    result = harness.runpytest_inprocess("--devices", "cpu,hpu", "-v")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*test_runs[[]hpu[]] PASSED*"])


@pytest.mark.parametrize("how", ["option", "env"])
def test_required_device_missing_fails_the_run_at_start(harness, no_cuda, monkeypatch, how):
    harness.makepyfile(test_specs=SPEC)
    if how == "env":
        monkeypatch.setenv("TCS_REQUIRE_DEVICES", "cuda")
        result = harness.runpytest_inprocess()
    else:
        result = harness.runpytest_inprocess("--require-devices", "cuda")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*required device(s) missing: {no_cuda}*"])
    assert "passed" not in result.stdout.str()


def test_required_device_present_runs_normally(harness):
    harness.makepyfile(test_specs=SPEC)
    result = harness.runpytest_inprocess("--require-devices", "cpu", "--devices", "cpu")
    result.assert_outcomes(passed=3)


@pytest.mark.parametrize("how", ["option", "env"])
def test_strict_env_turns_a_missing_device_into_a_failure(harness, no_cuda, monkeypatch, how):
    harness.makepyfile(test_specs=SPEC)
    if how == "env":
        monkeypatch.setenv("TCS_STRICT_ENV", "1")
        result = harness.runpytest_inprocess()
    else:
        result = harness.runpytest_inprocess("--strict-env")
    result.assert_outcomes(passed=3, errors=3)
    result.stdout.fnmatch_lines([f"*--strict-env: {no_cuda}*"])


def test_needs_cuda_marker_skips_every_variant_without_cuda(harness, no_cuda):
    harness.makepyfile(
        test_specs="""
        import pytest
        @pytest.mark.needs_cuda
        def test_cuda_api(device):
            '''.cuda() moves to cuda'''
        """
    )
    result = harness.runpytest_inprocess("-rs", "--devices", "cpu,cuda")
    result.assert_outcomes(skipped=2)
    result.stdout.fnmatch_lines([f"SKIPPED *{no_cuda}*"])


# --------------------------------------------------------------------------- version gates


def test_version_gate_skips_other_releases_naming_the_gate_and_reason(harness):
    harness.makepyfile(
        test_specs="""
        import pytest
        @pytest.mark.torch_version(">=99", reason="arrives in torch 99")
        def test_future(device):
            '''future'''
        @pytest.mark.torch_version(">=2.0", reason="since 2.0")
        def test_now(device):
            '''now'''
        """
    )
    result = harness.runpytest_inprocess("-rs", "--devices", "cpu")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines([f"SKIPPED *gated: needs torch>=99, this is {torch.__version__}: arrives in torch 99*"])


# --------------------------------------------------------------------------- torchvision


class _BrokenTorchvision(importlib.abc.MetaPathFinder):
    """Import hook reproducing the CPU-torch + CUDA-torchvision failure."""

    def find_spec(self, name, path=None, target=None):
        if name == "torchvision" or name.startswith("torchvision."):
            raise RuntimeError("operator torchvision::nms does not exist")
        return None


@pytest.fixture
def broken_torchvision(monkeypatch):
    for name in [m for m in sys.modules if m == "torchvision" or m.startswith("torchvision.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [_BrokenTorchvision(), *sys.meta_path])
    return "RuntimeError: operator torchvision::nms does not exist"


TV_SPEC = """
def test_uses_torchvision(device, torchvision):
    '''torchvision specs take the fixture'''
def test_plain(device):
    '''others are unaffected'''
"""


def test_unusable_torchvision_skips_its_specs_with_the_import_error(harness, broken_torchvision):
    harness.makepyfile(test_specs=TV_SPEC)
    result = harness.runpytest_inprocess("-rs", "--devices", "cpu")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(
        [
            f"torchvision is unusable with torch {torch.__version__}: {broken_torchvision}",
            f"SKIPPED *torchvision is unusable*{broken_torchvision}*",
        ],
        consecutive=False,
    )


def test_unusable_torchvision_fails_under_strict_env(harness, broken_torchvision):
    harness.makepyfile(test_specs=TV_SPEC)
    result = harness.runpytest_inprocess("--strict-env", "--devices", "cpu")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines([f"*--strict-env: torchvision is unusable*{broken_torchvision}*"])


def test_missing_torch_is_one_clear_error():
    code = "import sys, pytest; sys.modules['torch'] = None; sys.exit(pytest.main(['--co', '-q', 'specs']))"
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == pytest.ExitCode.USAGE_ERROR, proc.stdout + proc.stderr
    assert "torch cannot be imported" in proc.stderr and "pip install -e ." in proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr


# --------------------------------------------------------------------------- header & profiles


def test_report_header_names_torch_cuda_build_devices_and_versions(harness, no_cuda):
    import hypothesis
    import numpy
    import PIL

    harness.makepyfile(test_specs=SPEC)
    result = harness.runpytest_inprocess("--co", "-q", "-v")
    result.stdout.fnmatch_lines(
        [
            "python *",
            f"torch {torch.__version__} (git *), built with CUDA {torch.version.cuda}, cuDNN *",
            "device cpu: available*",
            f"device cuda: {no_cuda.split(': ', 1)[1]}",
            "device mps: *",
            "device xpu: *",
            "torchvision *",
            f"numpy {numpy.__version__}, Pillow {PIL.__version__}, hypothesis {hypothesis.__version__}, profile dev",
            "devices under test: cpu; which claims were proven on which device is summarized at the end",
            "cuda: not under test (*); `--devices cpu,cuda` lists its variants as skips, `--require-devices cuda` fails the run",
            "torch-concept-specs *",
        ]
    )


CONTROLLER_PROBE = """
import sys

def pytest_sessionfinish(session):
    if not hasattr(session.config, "workerinput"):
        print("controller imported torch:", "torch" in sys.modules)
"""


def test_xdist_controller_leaves_torch_to_the_workers_and_prints_their_environment_at_the_end(harness):
    """Under ``-n 2`` the controller process runs no spec: it does not import torch (the workers do,
    and choose the devices); its header says so, and the environment a worker saw -- the full header --
    is printed at the end, before the claims proven per device."""
    import hypothesis

    harness.makepyfile(test_specs=SPEC, controller_probe=CONTROLLER_PROBE)
    result = harness.runpytest_subprocess("-n", "2", "-p", "controller_probe", "-p", "no:randomly")
    result.assert_outcomes(passed=3)  # an absent GPU is not under test
    assert "controller imported torch: False" in result.stdout.str()
    result.stdout.fnmatch_lines([
        "python *",
        "torch * (its package metadata): imported by the xdist workers, which choose the devices; the "
        "environment they saw is printed at the end",
        f"numpy *, Pillow *, hypothesis {hypothesis.__version__}, profile dev",
        "*environment (as xdist worker gw? saw it)*",
        f"torch {torch.__version__} (git *), built with CUDA {torch.version.cuda}, cuDNN *",
        "device cpu: available*",
        "devices under test: cpu*",
        "*claims proven per device*",
        "cpu: 2 of 2 claims proven*",
    ])


def test_xdist_controller_checks_required_devices_itself(harness):
    """``--require-devices`` (and ``--devices``) are checked at start by the controller, which then
    imports torch and prints the full header itself."""
    harness.makepyfile(test_specs=SPEC, controller_probe=CONTROLLER_PROBE)
    result = harness.runpytest_subprocess("-n", "2", "--require-devices", "cpu", "-p", "controller_probe", "-p", "no:randomly")
    result.assert_outcomes(passed=3)
    assert "controller imported torch: True" in result.stdout.str()
    result.stdout.fnmatch_lines([
        f"torch {torch.__version__} (git *), built with CUDA {torch.version.cuda}, cuDNN *",
        "devices under test: cpu*",
        "*claims proven per device*",
    ])
    assert "environment (as xdist worker" not in result.stdout.str()


PROFILE_SPEC = """
from hypothesis import settings
def test_profile(device):
    '''print the active profile'''
    s = settings.default
    print(f"PROFILE max_examples={s.max_examples} derandomize={s.derandomize} deadline={s.deadline}")
"""


@pytest.mark.parametrize(
    "args, env, expected",
    [
        ((), None, "max_examples=40 derandomize=False deadline=None"),
        ((), "1", "max_examples=12 derandomize=False deadline=None"),
        (("--hypothesis-profile=thorough",), "1", "max_examples=1000 derandomize=False deadline=None"),
        (("--hypothesis-profile=ci",), None, "max_examples=12 derandomize=False deadline=None"),
    ],
    ids=["default-dev", "CI-set-ci", "explicit-thorough-wins", "explicit-ci"],
)
def test_hypothesis_profiles(harness, monkeypatch, args, env, expected):
    if env:
        monkeypatch.setenv("CI", env)
    harness.makepyfile(test_specs=PROFILE_SPEC)
    result = harness.runpytest_inprocess("-s", "--devices", "cpu", *args)
    result.stdout.fnmatch_lines([f"*PROFILE {expected}"])


MANY_CASES_SPEC = """
import pytest
from hypothesis import given, settings, strategies as st

@pytest.mark.parametrize("k", range(1200))
@given(x=st.integers())
@settings(max_examples=2)
def test_many(device, k, x):
    '''a spec enumerated over more cases than Python's recursion limit'''
"""


def test_ci_profile_runs_a_spec_of_many_cases_without_slowing_per_case(harness):
    """Under ``database=None`` hypothesis' per-case settings chain made each case walk all earlier ones
    (RecursionError near 1,000 cases); the ci profile's do-nothing database keeps every case O(1)."""
    harness.makepyfile(test_specs=MANY_CASES_SPEC)
    result = harness.runpytest_inprocess("--devices", "cpu", "--hypothesis-profile=ci", "-p", "no:randomly")
    result.assert_outcomes(passed=1200)


# --------------------------------------------------------------------------- state guard

LEAKS = {
    "default dtype": "torch.set_default_dtype(torch.float64)",
    "grad mode": "torch.set_grad_enabled(False)",
    "torch RNG seed": "torch.manual_seed(1234)",
    "default device": "torch.set_default_device('meta')",
    "torch function modes": "type('Leak', (torch.overrides.TorchFunctionMode,), {'__torch_function__': lambda self, f, t, a=(), k=None: f(*a, **(k or {}))})().__enter__()",
}


@pytest.mark.parametrize("what", list(LEAKS))
def test_state_guard_fails_the_leaking_spec_and_restores_state(harness, what):
    if what == "default device" and not hasattr(torch, "get_default_device"):
        pytest.skip("torch < 2.3 has no get_default_device")
    harness.makepyfile(
        test_specs=f"""
        import torch
        BEFORE = (torch.get_default_dtype(), torch.is_grad_enabled(), torch.initial_seed())
        def test_a_leaks(device):
            '''leaks {what}'''
            {LEAKS[what]}
        def test_b_sees_restored_state(device):
            '''the next spec starts clean'''
            assert (torch.get_default_dtype(), torch.is_grad_enabled(), torch.initial_seed()) == BEFORE
            assert torch.ones(1).device.type == "cpu"
            assert not torch.overrides._get_current_function_mode_stack()
        """
    )
    result = harness.runpytest_inprocess("--devices", "cpu", "-p", "no:randomly")
    result.assert_outcomes(passed=2, errors=1)  # test_a's call passes, its teardown errors
    result.stdout.fnmatch_lines([f"*state guard: this spec leaked global state: {what}: *"])


@pytest.mark.skipif(not hasattr(torch, "set_default_device"), reason="torch < 2.0 has no set_default_device")
def test_a_plant_active_when_torch_first_lists_its_factories_does_not_outlive_its_spec(harness):
    """set_default_device redirects the factories torch lists once, on first use (an lru_cache).

    If a monkeypatched torch.zeros is listed, the real one is not redirected for the rest of the
    process; the state guard makes every spec start from the real list.
    """
    harness.makepyfile(
        test_specs="""
        import torch, torch.utils._device
        from specs.helpers import reset_default_device
        def test_a_plants_zeros_and_lists_factories(device, monkeypatch):
            "a planted torch.zeros is live when torch first lists its factories"
            monkeypatch.setattr(torch, "zeros", lambda *a, **k: torch.ones(*a, **k))
            torch.utils._device._device_constructors.cache_clear()  # as in a fresh process
            torch.set_default_device("meta")
            try:
                torch.zeros(1)
            finally:
                reset_default_device()
        def test_b_real_zeros_follow_the_default_device(device):
            "the next spec's torch.zeros follows set_default_device"
            torch.set_default_device("meta")
            try:
                assert torch.zeros(1).device.type == "meta"
            finally:
                reset_default_device()
        """
    )
    result = harness.runpytest_inprocess("--devices", "cpu", "-p", "no:randomly")
    result.assert_outcomes(passed=2)


def test_state_guard_allows_drawing_random_numbers(harness):
    harness.makepyfile(
        test_specs="""
        import random, numpy as np, torch
        def test_draws(device):
            '''drawing numbers is not a leak'''
            torch.rand(3, device=device); np.random.rand(3); random.random()
        """
    )
    harness.runpytest_inprocess("--devices", "cpu").assert_outcomes(passed=1)


# --------------------------------------------------------------------------- claims in failures

FAILING_SPEC = """
import torch
from hypothesis import given, strategies as st

def test_plain_fails(device):
    '''Ones plus one are three.

    (Only the first line is the claim.)
    '''
    out = torch.ones(2, device=device) + 1
    assert (out == 3).all(), f"out={out.tolist()}, but should be [3.0, 3.0]"

@given(n=st.integers(0, 10**6))
def test_property_fails(device, n):
    '''Every drawn integer is below 1000.'''
    print(f"DRAWN n={n}")
    assert torch.tensor(n, device=device) < 1000, f"n={n}, but should be below 1000"
"""


def _notes(result, spec):
    """The harness's note lines in the failure report of ``spec``."""
    (report,) = [r for r in result.reprec.getfailures() if spec in r.nodeid]
    lines = [line.removeprefix("E").strip() for line in report.longreprtext.splitlines()]
    return [line for line in lines if line.startswith(("claim: ", "device: ", "torch: ", "reproduce: "))]


@pytest.mark.parametrize("profile", ["ci", "dev", "plant"])  # plant: tests/plant.py's derandomized ci
def test_failure_names_claim_device_build_and_a_reproduction_that_replays_it(harness, profile, monkeypatch):
    from hypothesis import core

    # --hypothesis-seed sets a module global that outlives an in-process run: start and end without one.
    monkeypatch.setattr(core, "global_force_seed", None)
    harness.makepyfile(test_specs=FAILING_SPEC)
    result = harness.runpytest_inprocess("--devices", "cpu", f"--hypothesis-profile={profile}", "-p", "no:randomly")
    result.assert_outcomes(failed=2)
    for spec, claim in [("test_plain_fails", "Ones plus one are three."),
                        ("test_property_fails", "Every drawn integer is below 1000.")]:
        notes = _notes(result, spec)
        assert notes[:2] == [f"claim: {claim}", "device: cpu"], notes
        assert notes[2].startswith(f"torch: {torch.__version__} (git "), notes
        command = shlex.split(notes[3].removeprefix("reproduce: "))
        assert command[:3] == ["pytest", f"test_specs.py::{spec}[cpu]", f"--hypothesis-profile={profile}"], command
        # A derandomized profile needs no seed; a random one names the seed hypothesis drew.
        assert any(a.startswith("--hypothesis-seed=") for a in command) == (spec == "test_property_fails" and profile != "plant")
        # The command replays the failure: same spec fails, with the same minimal example.
        replay = harness.runpytest_inprocess(*command[1:], "-p", "no:randomly")
        replay.assert_outcomes(failed=1)
        if spec == "test_property_fails":  # the same falsifying example
            first = re.search(r"AssertionError: n=(\d+), but", result.stdout.str()).group(1)
            again = re.search(r"AssertionError: n=(\d+), but", replay.stdout.str()).group(1)
            assert first == again


def test_failure_notes_appear_in_the_exception_lines_and_value_messages_stay_first(harness):
    harness.makepyfile(test_specs=FAILING_SPEC)
    result = harness.runpytest_inprocess("--devices", "cpu", "-p", "no:randomly", "-k", "plain")
    result.stdout.fnmatch_lines([
        "E * out=[[]2.0, 2.0[]], but should be [[]3.0, 3.0[]]",
        "E * claim: Ones plus one are three.",
        "E * device: cpu",
        "E * torch: *",
        "E * reproduce: pytest 'test_specs.py::test_plain_fails[[]cpu[]]' --hypothesis-profile=dev --devices=cpu",
    ])
    assert "(Only the first line is the claim.)" not in "\n".join(_notes(result, "test_plain_fails"))


def test_reproduction_names_the_randomly_seed_when_pytest_randomly_runs(harness):
    pytest.importorskip("pytest_randomly")
    harness.makepyfile(test_specs=FAILING_SPEC)
    result = harness.runpytest_inprocess("--devices", "cpu", "-p", "randomly", "-p", "randomly", "--randomly-seed=1234", "-k", "plain")
    assert any("--randomly-seed=1234" in n for n in _notes(result, "test_plain_fails"))


# --------------------------------------------------------------------------- device-independent, known bugs, proven where


def test_device_independent_spec_runs_once_and_is_reported_as_such(harness):
    harness.makepyfile(test_specs="""
        import pytest, torch

        @pytest.mark.device_independent
        def test_class_fact():
            '''torch.Tensor is a class.'''
            assert isinstance(torch.Tensor, type)

        def test_plain(device):
            '''a tensor can be made on the device'''
            torch.ones(1, device=device)
        """)
    result = harness.runpytest_inprocess("-v", "--devices", "cpu", "-p", "no:randomly")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines([
        "*test_specs.py::test_class_fact PASSED*",
        "*claims proven per device*",
        "cpu: 1 of 1 claims proven*",
        "device-independent: 1 of 1 claims proven*",
    ])


def test_summary_says_plainly_that_no_cuda_claim_was_proven_without_a_gpu(harness, no_cuda):
    harness.makepyfile(test_specs=SPEC)
    result = harness.runpytest_inprocess("--devices", "cpu,cuda")
    result.stdout.fnmatch_lines([
        "*claims proven per device*",
        "cpu: 2 of 2 claims proven*",
        f"cuda: 0 of 2 claims proven*; no cuda claim was proven: {no_cuda.split(': ', 1)[1]}",
    ])


KNOWN_BUG_SPEC = """
import pytest, torch

@pytest.mark.known_bug(">=2.0", issue="https://github.com/pytorch/pytorch/issues/1", reason="a planted bug")
def test_broken_here(device):
    '''A claim this release is known to break.'''
    assert False, "out=1, but should be 2"

@pytest.mark.known_bug(">=2.0", issue="https://github.com/pytorch/pytorch/issues/2", reason="fixed after all")
def test_fixed_here(device):
    '''A claim whose known bug is not there.'''

@pytest.mark.known_bug("<1.0", issue="https://github.com/pytorch/pytorch/issues/3", reason="another release")
def test_bug_elsewhere(device):
    '''A claim broken only in another release.'''
"""


KNOWN_TORCHVISION_BUG_SPEC = """
import pytest, torch

@pytest.mark.known_bug(">=2.0", torchvision=">=0.1", issue="https://github.com/pytorch/vision/issues/1", reason="a vision bug")
def test_broken_by_vision(device):
    '''A claim this torchvision is known to break.'''
    assert False, "out=1, but should be 2"

@pytest.mark.known_bug(">=2.0", torchvision="<0.1", issue="https://github.com/pytorch/vision/issues/2", reason="old vision")
def test_broken_by_old_vision(device):
    '''A claim only an older torchvision broke.'''
"""


def test_known_bug_of_torchvision_applies_only_with_such_a_torchvision_and_says_so(harness):
    pytest.importorskip("torchvision")
    harness.makepyfile(test_specs=KNOWN_TORCHVISION_BUG_SPEC)
    result = harness.runpytest_inprocess("--devices", "cpu", "-rxX")
    result.assert_outcomes(xfailed=1, passed=1)
    result.stdout.fnmatch_lines([
        "XFAIL *test_broken_by_vision[[]cpu[]]*known bug in torchvision >=0.1: https://github.com/pytorch/vision/issues/1: a vision bug*",
    ])


def test_known_bug_is_a_strict_xfail_with_its_link_and_an_xpass_fails_loudly(harness):
    harness.makepyfile(test_specs=KNOWN_BUG_SPEC)
    result = harness.runpytest_inprocess("--devices", "cpu", "-rxX", "--report-log=log.jsonl")
    result.assert_outcomes(xfailed=1, failed=1, passed=1)
    result.stdout.fnmatch_lines([
        "XFAIL *test_broken_here[[]cpu[]]*known bug in torch >=2.0: https://github.com/pytorch/pytorch/issues/1: a planted bug*",
    ])
    result.stdout.fnmatch_lines(["*_ test_fixed_here[[]cpu[]] _*", "[[]XPASS(strict)[]] known bug in torch >=2.0: *issues/2: fixed after all"])
    from specs import compare

    results, _ = compare._read_report(harness.path / "log.jsonl")
    assert results["test_specs.py::test_broken_here[cpu]"][0] == "known-bug"
    assert results["test_specs.py::test_fixed_here[cpu]"][0] == "xpass"
    assert results["test_specs.py::test_bug_elsewhere[cpu]"][0] == "passed"


def test_known_bug_can_be_limited_to_a_numpy_range(harness):
    import numpy

    harness.makepyfile(test_specs=f"""
        import pytest

        @pytest.mark.known_bug(">=2.0", numpy="<{numpy.__version__}", issue="https://example.invalid/1", reason="old numpy only")
        def test_not_this_numpy(device):
            '''Passes: the bug needs an older numpy.'''

        @pytest.mark.known_bug(">=2.0", numpy="=={numpy.__version__}", issue="https://example.invalid/2", reason="this numpy")
        def test_this_numpy(device):
            '''Fails here: a known bug with this numpy.'''
            assert False
        """)
    harness.runpytest_inprocess("--devices", "cpu").assert_outcomes(passed=1, xfailed=1)


def test_known_bug_can_be_limited_to_a_device_type(harness, no_cuda):
    harness.makepyfile(test_specs="""
        import pytest

        @pytest.mark.known_bug(">=2.0", device="cuda", issue="https://example.invalid/1", reason="cuda kernel only")
        def test_cuda_bug(device):
            '''Passes on cpu: the bug is in the cuda kernel.'''

        @pytest.mark.known_bug(">=2.0", device="cpu", issue="https://example.invalid/2", reason="cpu kernel only")
        def test_cpu_bug(device):
            '''Fails on cpu: a known bug of the cpu kernel.'''
            assert device.type != "cpu"
        """)
    harness.runpytest_inprocess("--devices", "cpu,cuda").assert_outcomes(passed=1, xfailed=1, skipped=2)


def test_known_bug_can_be_limited_to_a_compile_backend(harness):
    """``backend="eager"``: only the compile claim's variants under that backend are known-bug xfails (no C++ compiler needed)."""
    harness.makepyfile(test_specs="""
        import pytest

        @pytest.mark.known_bug(">=2.0", backend="eager", issue="https://example.invalid/3", reason="this backend only")
        def test_backend_bug(device, backend):
            '''Fails under the eager backend only.'''
            assert backend != "eager"
        """)
    result = harness.runpytest_inprocess("--devices", "cpu", "--compile-backends", "aot_eager,eager", "-p", "no:randomly")
    result.assert_outcomes(passed=1, xfailed=1)

# --------------------------------------------------------------------------- compile backends

COMPILE_SPEC = """
import torch

def test_compiled(device, backend):
    '''a compile claim runs once per device and compile backend'''
    assert backend in ("aot_eager", "inductor", "eager")
"""


def test_compile_claims_run_once_per_backend_aot_eager_by_default(harness):
    harness.makepyfile(test_spec=COMPILE_SPEC)
    result = harness.runpytest("-v", "--devices=cpu", "-p", "no:randomly")
    result.stdout.fnmatch_lines(["*test_compiled?cpu-aot_eager? PASSED*"])
    assert "inductor" not in result.stdout.str()


@pytest.mark.parametrize("how", ["option", "env", "thorough"])
def test_compile_backends_option_env_and_thorough_add_inductor(harness, monkeypatch, how):
    harness.makepyfile(test_spec=COMPILE_SPEC)
    args = ["-v", "--devices=cpu", "-p", "no:randomly", "--co"]
    if how == "option":
        args.append("--compile-backends=aot_eager,inductor")
    elif how == "env":
        monkeypatch.setenv("TCS_COMPILE_BACKENDS", "aot_eager,inductor")
    else:
        args.append("--hypothesis-profile=thorough")
    result = harness.runpytest(*args)
    result.stdout.fnmatch_lines(["*test_compiled?cpu-aot_eager?*", "*test_compiled?cpu-inductor?*"])


def test_compile_claims_skip_with_the_reason_where_dynamo_cannot_run_and_fail_under_strict_env(harness, monkeypatch):
    import torch._dynamo.eval_frame as eval_frame

    def unsupported():
        raise RuntimeError("Python 3.11+ not yet supported for torch.compile")

    monkeypatch.setattr(eval_frame, "check_if_dynamo_supported", unsupported, raising=False)
    harness.makepyfile(test_spec=COMPILE_SPEC)
    result = harness.runpytest("-rs", "--devices=cpu", "-p", "no:randomly")
    result.stdout.fnmatch_lines(["*torch.compile is unsupported here*Python 3.11+ not yet supported*"])
    result.assert_outcomes(skipped=1)
    strict = harness.runpytest("--devices=cpu", "-p", "no:randomly", "--strict-env")
    strict.assert_outcomes(errors=1)


def test_inductor_on_cpu_skips_without_a_cxx_compiler(harness, monkeypatch):
    import shutil

    monkeypatch.delenv("CXX", raising=False)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    harness.makepyfile(test_spec=COMPILE_SPEC)
    result = harness.runpytest("-rs", "--devices=cpu", "-p", "no:randomly", "--compile-backends=inductor")
    result.stdout.fnmatch_lines(["*inductor on cpu compiles C++, but no C++ compiler*"])
    result.assert_outcomes(skipped=1)


def test_the_heap_is_frozen_once_per_process_and_not_by_a_session_inside_a_run(harness):
    """After collection the harness freezes the heap (gc.freeze) and makes full collections 100 times
    rarer, so specs run without the collector walking torch's objects; a pytester session inside a run
    (this one) finds it frozen and changes nothing more, so its own garbage stays collectable."""
    import gc

    frozen, thresholds = gc.get_freeze_count(), gc.get_threshold()
    harness.makepyfile(test_specs="""
import gc

def test_heap_is_frozen(device):
    '''the specs run with the heap frozen'''
    assert gc.get_freeze_count() > 0
""")
    harness.runpytest_inprocess("--devices", "cpu").assert_outcomes(passed=1)
    assert gc.get_freeze_count() <= frozen, "the inner session froze its heap too"  # frozen objects may be freed
    assert gc.get_threshold() == thresholds, "the inner session changed the collector's thresholds"


def test_a_run_makes_full_collections_100_times_rarer(harness):
    """A run of its own (a subprocess) keeps the collector's first two thresholds and multiplies the
    third -- how many younger collections come between two full ones -- by 100."""
    harness.makepyfile(test_specs='''
import gc

def test_thresholds(device):
    """full collections are rare while specs run"""
    print("thresholds", gc.get_threshold())
''')
    fresh = subprocess.run([sys.executable, "-c", "import gc; print(*gc.get_threshold())"], capture_output=True, text=True)
    young, middle, full = map(int, fresh.stdout.split())
    result = harness.runpytest_subprocess("--devices", "cpu", "-n", "0", "-s", "-p", "no:randomly")
    result.stdout.fnmatch_lines([f"*thresholds ({young}, {middle}, {full * 100})*"])


# --------------------------------------------------------------------------- -n auto


def _harness_module():
    """The root conftest.py loaded as a module of its own (its functions, without a session)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("tcs_harness_module", REPO / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("cpus, workers", [(1, 0), (2, 2), (6, 6), (64, 8)])
def test_n_auto_starts_a_worker_per_usable_core_at_most_eight_and_none_on_one_core(monkeypatch, cpus, workers):
    """pyproject's addopts say ``-n auto``; the harness answers xdist's question how many workers that
    is: the usable cores (affinity and cgroup quota), at most 8, and 0 on one core (no worker process to
    start: the specs run in the pytest process)."""
    harness = _harness_module()
    monkeypatch.delenv("PYTEST_XDIST_AUTO_NUM_WORKERS", raising=False)
    monkeypatch.setattr(harness, "usable_cpus", lambda: cpus)
    assert harness.pytest_xdist_auto_num_workers(None) == workers


def test_n_auto_follows_pytest_xdist_auto_num_workers(monkeypatch):
    harness = _harness_module()
    monkeypatch.setenv("PYTEST_XDIST_AUTO_NUM_WORKERS", "3")
    monkeypatch.setattr(harness, "usable_cpus", lambda: 64)
    assert harness.pytest_xdist_auto_num_workers(None) == 3


def test_the_quick_start_runs_with_n_auto():
    addopts = re.search(r'^addopts = "(.*)"$', (REPO / "pyproject.toml").read_text(), re.M).group(1)
    assert "-n auto" in addopts.split(" -")[0] or " -n auto" in addopts, addopts
