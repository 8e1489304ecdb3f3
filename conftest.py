"""The harness: the one place that knows about devices, profiles, versions and global state.

Read this file once and every spec under ``specs/`` is plain pytest.

Devices
    Every spec takes a ``device`` argument (a ``torch.device``). The harness parametrizes it with
    ``cpu``, and ``cuda`` / ``mps`` / ``xpu`` where torch can use them, so ids read ``test_x[cpu]``,
    ``test_x[cuda]``. An absent GPU is not parametrized: the header and the summary at the end say
    "cuda: not under test" with the precise reason. A device named in ``--devices`` is parametrized
    even when absent, and each of its variants skips with that reason (``--strict-env``: fails).
    Options (and the environment variables CI can set instead):

    ``--devices cpu,cuda``        (``TCS_DEVICES``)          run only these devices
    ``--require-devices cuda``    (``TCS_REQUIRE_DEVICES``)  abort at start, non-zero, if one is missing
    ``--strict-env``              (``TCS_STRICT_ENV=1``)     environment skips (missing device,
                                                             unusable torchvision) become failures

    ``pytest`` runs under pytest-xdist (pyproject's addopts: ``-n auto``): one worker per usable core,
    at most 8, none on a single core (:func:`pytest_xdist_auto_num_workers`); ``-n 0`` runs serially
    (``--pdb`` does too). Each worker runs torch with ``cpu_count // workers`` threads, sharing the
    cores instead of oversubscribing them. The controller process runs no spec and does not import
    torch (unless ``--devices``/``--require-devices`` must be checked at start): the workers choose the
    devices, and the environment one of them saw is printed at the end of the run.

Hypothesis profiles
    ``dev`` (default), ``ci`` (few examples, no database, fresh inputs each run; chosen automatically
    when ``CI`` is set),
    ``thorough`` (1000 examples per property, for checking an upgrade). Select one with
    hypothesis' own ``--hypothesis-profile=NAME``. ``deadline=None`` everywhere: first CUDA calls
    are slow.

Compile claims
    A spec that takes a ``backend`` argument is a compile claim (eager vs ``torch.compile``, checked
    with ``specs/differential.py``); the harness parametrizes it with the compile backends under test,
    so ids read ``test_x[cpu-aot_eager]``. ``aot_eager`` (Dynamo + AOTAutograd + functionalization,
    where these semantics live) by default; ``inductor`` too under the ``thorough`` profile or with
    ``--compile-backends aot_eager,inductor`` (``TCS_COMPILE_BACKENDS``). Where torch.compile cannot
    run (Dynamo unsupported on this Python, no C++ compiler for inductor on cpu, no Triton for inductor
    on a GPU) the variant skips with the reason; ``--strict-env`` fails it.

Hardware needs
    ``@pytest.mark.needs_cuda``: the claim is about the CUDA API itself (``.cuda()``), so every
    variant -- ``[cpu]`` included, moving its cpu input to cuda -- skips with the reason when no CUDA
    device is usable.

Version gates
    ``@pytest.mark.torch_version(">=2.1", reason=...)`` (and ``torchvision_version``): the claim
    holds on matching releases only; elsewhere the spec skips with ``gated: ...`` and the reason.
    A claim whose *outcome* differs between releases is written as two gated specs, one per truth.

torchvision
    Specs that need it take the ``torchvision`` fixture, which returns the module or skips with the
    exact import error (e.g. a CPU-only torch next to a CUDA torchvision wheel:
    "operator torchvision::nms does not exist"). The report header says the same.

Claims in failures
    A spec states its claim once, as the first line of its docstring; assertions describe only
    values (``out.dtype=torch.int8, but should be torch.int16``). When a spec fails, the harness adds
    notes to the exception (``add_note``; pytest prints them under the error): the claim, the device,
    the torch build, and a command that replays the failure (node id, hypothesis profile, and the
    seed where hypothesis drew one at random). Hypothesis' own output (falsifying example,
    ``@reproduce_failure`` blob under ``ci``) follows as usual.

Claim reports
    Every spec carries ``user_properties``: its claim (first docstring line), its concept (module)
    and the environment (torch, torchvision, numpy, python, CUDA build, devices, profile). Any
    report plugin records them: ``pytest --report-log=reports/new.jsonl`` (pytest-reportlog).
    ``python -m specs.compare OLD.jsonl NEW.jsonl`` prints the claims whose outcome differs, by concept.

State guard
    An autouse fixture snapshots default dtype, grad mode, default device and the
    torch / cuda / numpy / random RNG states around each spec, restores them, and fails the spec
    that changed one of them (for RNGs: that reseeded torch's or cuda's generator; merely drawing
    numbers is restored silently). CUDA is initialized before the first spec when it is usable, so
    a reseed in the spec that first touches CUDA is caught too. Nothing depends on the order in
    which specs run (``pytest -p randomly`` is fine).
"""

from __future__ import annotations

import gc
import importlib.util
import os
import platform
import random
import shlex
import shutil
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.database import ExampleDatabase
from packaging.specifiers import SpecifierSet
from packaging.version import Version

#: torch, imported by pytest_configure in every process that runs specs. pytest-xdist's controller
#: process, which only hands specs to its workers, does not import it (a whole torch import, ~2 s, before
#: any worker starts) unless ``--devices``/``--require-devices`` must be checked at start.
torch = None


def _import_torch():
    global torch
    try:
        import torch as module
    except ImportError as exc:  # reported once, cleanly
        raise pytest.UsageError(
            f"torch-concept-specs verifies an installed torch, but torch cannot be imported ({exc}). "
            "Install it first: `pip install -e .` (or `pip install torch torchvision`)."
        ) from None
    torch = module


def _xdist_controller(config) -> bool:
    """True in pytest-xdist's controller process (``-n N``), which runs no spec itself."""
    try:
        dist = config.getoption("dist")
    except ValueError:  # pytest-xdist not installed, or -p no:xdist
        return False
    return getattr(config, "workerinput", None) is None and dist != "no" and not config.getoption("collectonly")


def usable_cpus() -> int:
    """The cores this process may use: its CPU affinity, capped by a cgroup v2 CPU quota (a container's
    ``--cpus``), which ``os.cpu_count()`` ignores."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        cpus = os.cpu_count() or 1
    try:
        with open("/sys/fs/cgroup/cpu.max") as f:
            quota, period = f.read().split()
        if quota != "max":
            cpus = min(cpus, max(1, int(quota) // int(period)))
    except (OSError, ValueError):
        pass
    return cpus


MAX_AUTO_WORKERS = 8  # each worker imports torch (~0.5 GiB, a few seconds); the suite is ~25 CPU-seconds


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config):
    """``-n auto`` (the default: pyproject's addopts): one xdist worker per usable core, at most
    :data:`MAX_AUTO_WORKERS`; none on a single core (the specs then run in this process, without a
    worker to start). ``PYTEST_XDIST_AUTO_NUM_WORKERS`` overrides it, as in pytest-xdist; ``-n 0`` runs
    serially, ``-n N`` starts N workers. (``benchmarks/bench.py`` asks it too, with no config.)"""
    env = os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS")
    if env:
        return int(env)
    cpus = usable_cpus()
    return 0 if cpus < 2 else min(cpus, MAX_AUTO_WORKERS)


pytest_plugins = ["pytester"]  # tests/ runs specs in-process with pytester
SELF_TESTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tests")  # the suite's own tests


def _is_self_test(item) -> bool:
    return str(item.path).startswith(SELF_TESTS + os.sep)

# --------------------------------------------------------------------------- hypothesis profiles

# Each profile starts from hypothesis' defaults, not from whatever profile is loaded right now.
_base = settings.get_profile("default")
settings.register_profile("dev", _base, max_examples=40, deadline=None)


class _NoDatabase(ExampleDatabase):
    """An example database that keeps nothing: the ``ci`` profile's, instead of ``database=None``.

    Hypothesis' pytest plugin wraps a parametrized test's settings in a new ``settings(parent=...)`` for
    every case it runs, so the chain of parents grows by one per case, and ``settings.database`` is looked
    up through it. It caches the answer at each level unless the answer is ``None``: with
    ``database=None`` every case walks the whole chain, so a spec of n cases costs O(n^2) lookups (a spec of
    ~1,000 cases ends in RecursionError, hypothesis 6.170). A database object that stores nothing is
    cached like any other and behaves like none.
    """

    def save(self, key, value):
        pass

    def fetch(self, key):
        return iter(())

    def delete(self, key, value):
        pass

    def move(self, src, dest, value):
        pass

    def __repr__(self):
        return "_NoDatabase()"


# ci: few examples, no example database, but fresh inputs on every run (a derandomized profile would
# show every CI run the same 12 inputs); a failure's reproduction line names the seed that replays it.
settings.register_profile(
    "ci",
    _base,
    max_examples=12,
    deadline=None,
    database=_NoDatabase(),
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    _base,
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# --------------------------------------------------------------------------- devices

DEFAULT_DEVICES = ("cpu", "cuda", "mps", "xpu")  # parametrized where usable, unless --devices says otherwise
# Named in the header and the summary even when absent ("not under test", with the reason); parametrized
# when absent only under --strict-env, where each of their variants then fails.
ALWAYS_LISTED = ("cpu", "cuda")


def device_type_error(name: str) -> str | None:
    """None when this torch knows the device type ``name``; otherwise torch's own error.

    Validated through ``torch.device`` itself, not a fixed list: an out-of-tree backend (``hpu``,
    ``xla``, a ``privateuseone`` backend renamed by its extension, e.g. ``npu``) is known exactly
    when this torch, with its extensions loaded, knows it.
    """
    try:
        return None if torch.device(name).type == name else f"{name!r} is not a bare device type"
    except (RuntimeError, ValueError) as exc:
        return str(exc)


def device_problem(name: str) -> str | None:
    """Why ``name`` cannot be used with this torch, or None when it can."""
    version = torch.__version__
    if name == "cpu":
        return None
    if name == "cuda":
        if torch.version.cuda is None and getattr(torch.version, "hip", None) is None:
            return f"cuda: this torch build ({version}) has no CUDA support"
        if not torch.cuda.is_available():
            built = f"CUDA {torch.version.cuda}" if torch.version.cuda else f"ROCm {torch.version.hip}"
            return f"cuda: torch {version} was built with {built} but sees no CUDA device"
        return None
    if name == "mps":
        backend = getattr(torch.backends, "mps", None)
        if backend is None or not backend.is_built():
            return f"mps: this torch build ({version}) has no MPS support"
        if not backend.is_available():
            return f"mps: torch {version} was built with MPS but no MPS device is available"
        return None
    if name == "xpu":
        xpu = getattr(torch, "xpu", None)
        if xpu is None or not xpu.is_available():
            return f"xpu: torch {version} sees no XPU device"
        return None
    # Any other device type torch knows: its backend module (torch.hpu, torch.npu, ...) says.
    backend = getattr(torch, name, None)
    is_available = getattr(backend, "is_available", None)
    if not callable(is_available):
        return (
            f"{name}: torch {version} knows the device type but has no {name} backend loaded "
            f"(torch.{name} is missing: install and import the extension that provides it)"
        )
    if not is_available():
        return f"{name}: torch {version} has a {name} backend but sees no {name} device"
    return None


def _names(value: str | None) -> list[str]:
    return [n.strip() for n in (value or "").split(",") if n.strip()]


def pytest_addoption(parser):
    group = parser.getgroup("torch-concept-specs")
    group.addoption(
        "--devices",
        default=os.environ.get("TCS_DEVICES"),
        help="comma-separated device types to run specs on: any type this torch knows (cpu, cuda, "
        "mps, xpu, hpu, xla, an extension's renamed privateuseone backend ...); "
        "default: cpu and cuda, plus mps/xpu when available. Env: TCS_DEVICES.",
    )
    group.addoption(
        "--require-devices",
        default=os.environ.get("TCS_REQUIRE_DEVICES"),
        help="comma-separated devices that must be usable; the run aborts at start if one is "
        "missing (for GPU CI). Env: TCS_REQUIRE_DEVICES.",
    )
    group.addoption(
        "--compile-backends",
        default=os.environ.get("TCS_COMPILE_BACKENDS"),
        help="comma-separated torch.compile backends the compile claims run under (aot_eager, "
        "inductor, eager); default: aot_eager, plus inductor under the thorough profile. "
        "Env: TCS_COMPILE_BACKENDS.",
    )
    group.addoption(
        "--strict-env",
        action="store_true",
        default=os.environ.get("TCS_STRICT_ENV", "") not in ("", "0"),
        help="turn environment skips (unusable device, unusable torchvision) into failures. "
        "Env: TCS_STRICT_ENV=1.",
    )


def pytest_configure(config):
    # Profile: hypothesis' own --hypothesis-profile wins; otherwise ci under CI, else dev.
    if config.getoption("hypothesis_profile", None) is None:
        settings.load_profile("ci" if os.environ.get("CI") else "dev")
    config.stash[BACKENDS] = _backends(config)
    if _xdist_controller(config) and not (config.option.devices or config.option.require_devices):
        # The workers import torch, choose the devices and probe torchvision; they send what they saw
        # back (pytest_sessionfinish), and the controller prints it at the end.
        if importlib.util.find_spec("torch") is None:
            _import_torch()  # the clear error
        config.stash[DEVICES], config.stash[TORCHVISION] = None, (None, "probed by the xdist workers")
        config.stash[ABSENT] = {}
        config.pluginmanager.register(ProvenTally(config), "torch-concept-specs-proven")
        return
    _import_torch()

    selected, required = _names(config.option.devices), _names(config.option.require_devices)
    unknown = {n: device_type_error(n) for n in selected + required if device_type_error(n)}
    if unknown:
        raise pytest.UsageError(
            f"unknown device type(s) {', '.join(unknown)}: torch {torch.__version__} says: "
            + "; ".join(dict.fromkeys(unknown.values()))
        )
    if not selected:  # the defaults: the usable ones (and under --strict-env the absent GPU, to fail)
        listed = ALWAYS_LISTED if config.option.strict_env else ("cpu",)
        selected = [n for n in DEFAULT_DEVICES if n in listed or device_problem(n) is None]
    selected += [n for n in required if n not in selected]
    missing = {n: device_problem(n) for n in required if device_problem(n)}
    if missing:
        raise pytest.UsageError(
            "required device(s) missing: " + "; ".join(missing.values())
        )
    config.stash[DEVICES] = selected
    # A default device left out because it is absent: named in the header and the summary, with why.
    config.stash[ABSENT] = {} if config.option.devices else {
        n: device_problem(n) for n in ALWAYS_LISTED if n not in selected
    }
    config.stash[TORCHVISION] = probe_torchvision()
    config.pluginmanager.register(ProvenTally(config), "torch-concept-specs-proven")
    for name in selected:  # each device's variants carry a marker of its name (-m cuda)
        config.addinivalue_line("markers", f"{name}: the spec's {name} variant (added by the harness)")

    worker = getattr(config, "workerinput", None)
    if worker is not None:  # xdist: share the cores between workers instead of oversubscribing them
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // int(worker["workercount"])))


def _backends(config) -> list[str]:
    backends = _names(config.option.compile_backends)
    if not backends:
        thorough = "thorough" in (config.getoption("hypothesis_profile", None), settings._current_profile)
        backends = ["aot_eager", "inductor"] if thorough else ["aot_eager"]
    return backends


DEVICES = pytest.StashKey[list]()
ABSENT = pytest.StashKey[dict]()
FROZE = pytest.StashKey[bool]()
ENVIRONMENT = pytest.StashKey[dict]()
BACKENDS = pytest.StashKey[list]()
TORCHVISION = pytest.StashKey[tuple]()


def pytest_generate_tests(metafunc):
    if "device" in metafunc.fixturenames:  # else a @pytest.mark.device_independent spec: runs once
        params = [
            pytest.param(torch.device(name), id=name, marks=getattr(pytest.mark, name))
            for name in metafunc.config.stash[DEVICES]
        ]
        metafunc.parametrize("device", params)
    if "backend" in metafunc.fixturenames:  # a compile claim: once per compile backend under test
        metafunc.parametrize("backend", [pytest.param(b, id=b) for b in metafunc.config.stash[BACKENDS]])


def _environment_skip(config, reason: str):
    if config.option.strict_env:
        pytest.fail(f"--strict-env: {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_runtest_setup(item):
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "device" in callspec.params:
        problem = device_problem(callspec.params["device"].type)
        if problem:
            _environment_skip(item.config, problem)
    if callspec is not None and "backend" in callspec.params:
        device = callspec.params.get("device")
        problem = compile_problem(callspec.params["backend"], device.type if device is not None else "cpu")
        if problem:
            _environment_skip(item.config, problem)
    if item.get_closest_marker("needs_cuda") and device_problem("cuda"):
        _environment_skip(item.config, device_problem("cuda"))
    for mark in item.iter_markers("torch_version"):
        _gate(mark, "torch", torch.__version__)
    for mark in item.iter_markers("torchvision_version"):
        module, reason = item.config.stash[TORCHVISION]
        if module is None:
            _environment_skip(item.config, reason)
        _gate(mark, "torchvision", module.__version__)


def compile_problem(backend: str, device: str) -> str | None:
    """Why ``torch.compile(backend=backend)`` cannot run on ``device`` here, or None when it can."""
    try:
        import torch._dynamo

        check = getattr(torch._dynamo.eval_frame, "check_if_dynamo_supported", None)
        if check is not None:
            check()
    except Exception as exc:  # e.g. torch 2.0 on Python 3.11: "Python 3.11+ not yet supported"
        return f"torch.compile is unsupported here (torch {torch.__version__}, Python {platform.python_version()}): {exc}"
    if backend == "inductor" and device == "cpu":
        cxx = os.environ.get("CXX") or next((c for c in ("g++", "c++", "clang++") if shutil.which(c)), None)
        if cxx is None or shutil.which(cxx) is None:
            return "inductor on cpu compiles C++, but no C++ compiler (g++, c++, clang++ or $CXX) is on PATH"
    if backend == "inductor" and device != "cpu":
        try:
            from torch.utils._triton import has_triton

            if not has_triton():
                return f"inductor on {device} generates Triton kernels, but Triton is not usable here"
        except ImportError as exc:
            return f"inductor on {device}: cannot check for Triton ({exc})"
    return None


def _gate(mark, package: str, version: str):
    spec = SpecifierSet(mark.args[0])
    if Version(Version(version).base_version) not in spec:
        pytest.skip(f"gated: needs {package}{spec}, this is {version}: {mark.kwargs['reason']}")


# --------------------------------------------------------------------------- torchvision


def probe_torchvision():
    """(module, None) when torchvision imports and works with this torch, else (None, reason)."""
    try:
        import torchvision
        import torchvision.transforms.functional  # noqa: F401  (touches the C++ ops)
    except Exception as exc:  # the CPU-torch + CUDA-torchvision mix raises RuntimeError
        return None, f"torchvision is unusable with torch {torch.__version__}: {type(exc).__name__}: {exc}"
    return torchvision, None


@pytest.fixture(scope="session")
def torchvision(request):
    """The torchvision module; skips (fails under --strict-env) with the import error otherwise."""
    module, reason = request.config.stash[TORCHVISION]
    if module is None:
        _environment_skip(request.config, reason)
    return module


# --------------------------------------------------------------------------- report header


def pytest_report_header(config):
    if config.stash[DEVICES] is None:  # an xdist controller: torch is imported by the workers only
        from importlib.metadata import version

        return [
            f"python {platform.python_version()} ({sys.executable})",
            f"torch {version('torch')} (its package metadata): imported by the xdist workers, which choose the "
            "devices; the environment they saw is printed at the end",
            _versions_line(),
            f"torch-concept-specs {suite_version()}",
        ]
    return header_lines(config)


def header_lines(config) -> list[str]:
    """The environment: python, the torch build, every device, torchvision, numpy, Pillow, hypothesis."""
    lines = [
        f"python {platform.python_version()} ({sys.executable})",
        f"torch {torch.__version__} (git {getattr(torch.version, 'git_version', '?')[:12]}), "
        f"built with CUDA {torch.version.cuda}, cuDNN {_cudnn()}",
    ]
    for name in dict.fromkeys([*DEFAULT_DEVICES, *config.stash[DEVICES]]):
        problem = device_problem(name)
        lines.append(f"device {name}: " + (problem.split(": ", 1)[1] if problem else _describe(name)))
    module, reason = config.stash[TORCHVISION]
    lines.append(f"torchvision {module.__version__}" if module else reason)
    lines.append(_versions_line())
    lines.append(
        f"devices under test: {', '.join(config.stash[DEVICES])}"
        + ("  (--strict-env)" if config.option.strict_env else "")
        + "; which claims were proven on which device is summarized at the end"
    )
    for name, problem in config.stash[ABSENT].items():
        lines.append(_not_under_test(name, problem))
    lines.append(f"torch-concept-specs {suite_version()}")
    return lines


def _not_under_test(name: str, problem: str, lead: str = "") -> str:
    """A default device that was left out because it is absent (``cuda`` without a GPU), and why."""
    return (
        f"{name}: {lead}not under test ({problem.split(': ', 1)[1]}); `--devices cpu,{name}` lists its "
        f"variants as skips, `--require-devices {name}` fails the run"
    )


def _versions_line() -> str:
    import hypothesis
    import PIL

    return (
        f"numpy {np.__version__}, Pillow {PIL.__version__}, hypothesis {hypothesis.__version__}, "
        f"profile {settings._current_profile}"
    )


def pytest_sessionfinish(session):
    """An xdist worker sends the controller what it saw: its header, devices and their problems."""
    config = session.config
    if hasattr(config, "workeroutput") and config.stash.get(DEVICES, None) is not None:
        config.workeroutput["torch-concept-specs"] = {
            "header": header_lines(config),
            "devices": list(config.stash[DEVICES]),
            "problems": {name: device_problem(name) for name in config.stash[DEVICES]},
            "absent": config.stash[ABSENT],
        }


def _cudnn():
    try:
        return torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None
    except Exception:  # pragma: no cover - broken builds
        return None


def _describe(name: str) -> str:
    if name == "cpu":
        return f"available ({platform.machine()}, {torch.get_num_threads()} threads)"
    if name == "cuda":
        return "; ".join(
            f"cuda:{i} {gpu['name']} (sm_{gpu['capability'].replace('.', '')}), driver {gpu['driver']}"
            for i, gpu in enumerate(_gpus())
        )
    return "available"


def _gpus() -> list[dict]:
    """Model, compute capability and driver of each usable CUDA device (empty without one)."""
    if device_problem("cuda"):
        return []
    return [
        {
            "name": torch.cuda.get_device_name(i),
            "capability": "%d.%d" % torch.cuda.get_device_capability(i),
            "driver": _cuda_driver(),
        }
        for i in range(torch.cuda.device_count())
    ]


def _cuda_driver() -> str:
    """The installed driver's version (nvidia-smi), else the CUDA version the driver supports."""
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
            capture_output=True, text=True, timeout=20,
        )
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.splitlines()[0].strip()
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        import ctypes

        version = ctypes.c_int()
        ctypes.CDLL("libcuda.so.1").cuDriverGetVersion(ctypes.byref(version))
        return f"supporting CUDA {version.value // 1000}.{version.value % 1000 // 10}"
    except OSError:
        return "unknown"


def suite_version() -> str:
    """This suite's version: the git commit when run from a checkout (``+dirty`` when modified)."""
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        commit = subprocess.run(["git", "-C", here, "rev-parse", "--short=12", "HEAD"],
                                capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "-C", here, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10)
        if commit.returncode == 0:
            return f"git {commit.stdout.strip()}" + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        from importlib.metadata import version

        return version("torch-concept-specs")
    except Exception:
        return "unknown"


# --------------------------------------------------------------------------- claim reports


def environment(config) -> dict:
    module, reason = config.stash[TORCHVISION]
    return {
        "torch": str(torch.__version__),  # TorchVersion is not serializable across xdist workers
        "torchvision": str(module.__version__) if module else f"unusable ({reason})",
        "numpy": np.__version__,
        "python": platform.python_version(),
        "cuda_build": torch.version.cuda,
        "cudnn": _cudnn(),
        "gpus": "; ".join(f"{g['name']} (compute {g['capability']}, driver {g['driver']})" for g in _gpus()) or None,
        "devices": ",".join(n for n in config.stash[DEVICES] if device_problem(n) is None),
        "profile": settings._current_profile,
        "suite": suite_version(),
    }


def claim_of(item) -> str:
    """The spec's claim: the first line of its docstring (its name when it has none)."""
    doc = (getattr(item, "function", None) and item.function.__doc__ or "").strip()
    return doc.splitlines()[0] if doc else item.name


def backend_of(item) -> str | None:
    """The torch.compile backend a compile claim's variant runs under, or None (not a compile claim)."""
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("backend") if callspec else None


def device_of(item) -> str:
    """The device type a spec variant runs on, or ``device-independent``."""
    callspec = getattr(item, "callspec", None)
    device = callspec.params.get("device") if callspec else None
    return device.type if device is not None else "device-independent"


def _digest_once(config, items):
    """Hash each property's source once, not once per parametrized case.

    Hypothesis keys its example database by a digest of the test's source (``inspect.getsource`` +
    tokenize), recomputed on every run of every case even with no database; over the suite's thousands of
    enumerated cases that is a large share of the run. The key is the same for every case of a spec (it
    is the same function), so it is computed here once and stored where hypothesis looks for it first
    (a private attribute: where it is missing or renamed, hypothesis simply computes it itself). Not when a
    seed is forced (``--hypothesis-seed``): hypothesis then runs without a database key. Under ``ci``,
    whose database keeps nothing, the key is the spec's qualified name (hashing ~170 specs' source
    costs ~0.3 s in every process, xdist workers included).
    """
    if config.getoption("hypothesis_seed", None) is not None:
        return
    if isinstance(settings.default.database, _NoDatabase):  # ci: the key keys nothing; its name will do
        def key(f):
            return f"{f.__module__}.{f.__qualname__}".encode()
    else:
        try:
            from hypothesis.internal.reflection import function_digest as key
        except ImportError:  # pragma: no cover - a hypothesis without it computes the key itself
            return
    for item in items:
        fn = getattr(item, "obj", None)
        inner = getattr(getattr(fn, "hypothesis", None), "inner_test", None)
        if inner is not None and not hasattr(fn, "_hypothesis_internal_database_key"):
            try:
                fn._hypothesis_internal_database_key = key(inner)
            except Exception:  # pragma: no cover - leave it to hypothesis
                pass


def _torchvision_in(config, spec: str) -> bool:
    """The installed torchvision's release matches ``spec`` (False without torchvision: its specs skip anyway)."""
    module, _ = config.stash[TORCHVISION]
    return module is not None and Version(Version(module.__version__).base_version) in SpecifierSet(spec)


def pytest_collection_modifyitems(config, items):
    config.stash[ENVIRONMENT] = environment(config)
    _digest_once(config, items)
    for item in items:
        if _is_self_test(item):
            continue  # the suite's own tests state no claims
        for mark in item.iter_markers("known_bug"):  # numpy=/torchvision=SPEC: with such a one; device=/backend=: there only
            vision = mark.kwargs.get("torchvision")
            if Version(Version(torch.__version__).base_version) in SpecifierSet(mark.args[0]) and (
                Version(np.__version__) in SpecifierSet(mark.kwargs.get("numpy", ""))
            ) and (vision is None or _torchvision_in(config, vision)) and (
                mark.kwargs.get("device", device_of(item)) == device_of(item)
            ) and mark.kwargs.get("backend", backend_of(item)) == backend_of(item):
                where = f"torchvision {vision}" if vision else f"torch {mark.args[0]}"
                item.add_marker(pytest.mark.xfail(
                    strict=True, reason=f"known bug in {where}: {mark.kwargs['issue']}: {mark.kwargs['reason']}"
                ))
                if not config.option.runxfail:
                    item.repr_failure = _known_failure
        item.user_properties += [
            ("device", device_of(item)),
            ("claim", claim_of(item)),
            ("concept", item.module.__name__.rpartition(".")[2] if hasattr(item, "module") else "?"),
        ]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """The environment rides on each spec's setup report only (the claim reports' ``user_properties``;
    ``specs/compare.py`` reads it from there): on every phase's report it made xdist serialize it ~7,400
    times a run."""
    outcome = yield
    if call.when == "setup" and ENVIRONMENT in item.config.stash and not _is_self_test(item):
        report = outcome.get_result()
        report.user_properties = [*report.user_properties, ("environment", item.config.stash[ENVIRONMENT])]


def _known_failure(excinfo, style=None) -> str:
    """A known bug's failure, as its report keeps it: the exception line. pytest formats every failure's
    traceback (parsing each frame's whole module) before turning an expected one into "xfailed", which
    prints only the reason; for the suite's ~25 known bugs that cost ~0.5 s a run. ``--runxfail``, which
    reports them as failures, keeps the full traceback."""
    return excinfo.exconly()


# --------------------------------------------------------------------------- what was proven where


class ProvenTally:
    """Each claim's outcomes per device, from the reports (under xdist too: they carry user_properties)."""

    def __init__(self, config):
        self.config, self.tally, self.worker = config, {}, None

    def pytest_runtest_logreport(self, report):
        props = dict(report.user_properties)
        if "claim" not in props:
            return
        spec = (report.nodeid.split("::")[0], report.nodeid.split("::")[-1].split("[")[0])
        outcomes = self.tally.setdefault(spec, {}).setdefault(props["device"], set())
        if hasattr(report, "wasxfail"):
            outcomes.add("known-bug")
        elif report.failed:
            outcomes.add("failed")
        elif report.skipped:
            outcomes.add("skipped")
        elif report.when == "call":
            outcomes.add("passed")

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node, error):
        """xdist: what a worker saw (its header, devices and their problems), kept from the first one."""
        seen = getattr(node, "workeroutput", {}).get("torch-concept-specs")
        if seen and self.worker is None:
            self.worker = (node.gateway.id, seen)

    def pytest_terminal_summary(self, terminalreporter):
        """Per device: how many claims actually ran and passed there -- the claims it proved."""
        if self.config.stash[DEVICES] is None:  # an xdist controller: the workers chose the devices
            if self.worker is None:
                return
            worker, seen = self.worker
            terminalreporter.write_sep("=", f"environment (as xdist worker {worker} saw it)")
            for line in seen["header"]:
                terminalreporter.write_line(line)
            devices, problems, absent = seen["devices"], seen["problems"], seen["absent"]
        else:
            devices = self.config.stash[DEVICES]
            problems = {name: device_problem(name) for name in devices}
            absent = self.config.stash[ABSENT]
        if not self.tally:
            return
        terminalreporter.write_sep("=", "claims proven per device")
        for device in [*devices, "device-independent"]:
            ran = [per[device] for per in self.tally.values() if device in per]
            if not ran:
                continue
            proven = sum(outcomes == {"passed"} for outcomes in ran)
            line = f"{device}: {proven} of {len(ran)} claims proven (every variant ran and passed)"
            problem = problems.get(device)
            if not proven and problem:
                line += f"; no {device} claim was proven: {problem.split(': ', 1)[1]}"
            terminalreporter.write_line(line)
        for device, problem in absent.items():
            terminalreporter.write_line(_not_under_test(device, problem, lead="no claim proven, "))


# --------------------------------------------------------------------------- claims in failures


def reproduction(item) -> str:
    """A command that replays ``item``: its node id with the options that fix its inputs."""
    config = item.config
    args = ["pytest", item.nodeid, f"--hypothesis-profile={settings._current_profile}"]
    # A seed hypothesis drew at random for this run (none under a derandomized profile).
    seed = config.getoption("hypothesis_seed", None)
    if seed is None:
        seed = getattr(getattr(item, "obj", None), "_hypothesis_internal_use_generated_seed", None)
    if seed is not None:
        args.append(f"--hypothesis-seed={seed}")
    if config.pluginmanager.hasplugin("randomly") and config.getoption("randomly_seed", None) is not None:
        args.append(f"--randomly-seed={config.getoption('randomly_seed')}")  # pytest-randomly's order and seeds
    if device_of(item) != "device-independent":
        args.append(f"--devices={device_of(item)}")
    return " ".join(shlex.quote(a) for a in args)


def failure_notes(item) -> list[str]:
    return [
        f"claim: {claim_of(item)}",
        f"device: {device_of(item)}",
        f"torch: {torch.__version__} (git {getattr(torch.version, 'git_version', '?')[:12]}, "
        f"CUDA {torch.version.cuda}, cuDNN {_cudnn()})",
        f"reproduce: {reproduction(item)}",
    ]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """Name the claim, device, torch build and a reproduction in every failure of a spec."""
    outcome = yield
    if outcome.excinfo is None or _is_self_test(item):
        return  # passed, or one of the suite's own tests (tests/), which states no claim
    exc = outcome.excinfo[1]
    if isinstance(exc, (pytest.skip.Exception, pytest.xfail.Exception, KeyboardInterrupt, SystemExit)):
        return
    notes = failure_notes(item)
    if hasattr(exc, "add_note"):  # Python >= 3.11
        for note in notes:
            exc.add_note(note)
    else:  # pytest renders __notes__ on older Pythons too (through exceptiongroup)
        exc.__notes__ = [*getattr(exc, "__notes__", []), *notes]


# --------------------------------------------------------------------------- state guard


def _mode_stack():
    """Class names of the torch function modes now pushed, bottom first, but set_default_device's
    ``DeviceContext`` (the default device is checked on its own)."""
    from torch.overrides import _get_current_function_mode_stack

    return [type(mode).__name__ for mode in _get_current_function_mode_stack() if type(mode).__name__ != "DeviceContext"]


def _snapshot():
    if torch.cuda.is_available():
        # Initialize CUDA first, so a spec that initializes it and reseeds its generator is caught.
        torch.cuda.init()
    state = {
        "default dtype": torch.get_default_dtype(),
        "grad mode": torch.is_grad_enabled(),
        "torch RNG seed": torch.initial_seed(),
        "torch function modes": _mode_stack(),
    }
    if hasattr(torch, "get_default_device"):  # torch >= 2.3
        state["default device"] = torch.get_default_device()
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda RNG seed"] = torch.cuda.initial_seed()
    return state


@pytest.fixture(autouse=True)
def state_guard():
    """Restore global torch/numpy/random state after each spec; fail the spec that changed it."""
    # torch caches, on first use, the set of factory functions that set_default_device redirects
    # (torch.utils._device._device_constructors, an lru_cache). Computed while a planted regression has
    # monkeypatched torch.zeros, it would hold the plant and not torch.zeros for the rest of the process,
    # and set_default_device would stop moving torch.zeros. Compute it now, before any patch is applied.
    from torch.utils._device import _device_constructors

    _device_constructors()
    before, depth = _snapshot(), torch._C._len_torch_function_stack()
    rng = (torch.get_rng_state(), np.random.get_state(), random.getstate())
    cuda_rng = torch.cuda.get_rng_state_all() if "cuda RNG seed" in before else None
    yield
    after = _snapshot()
    torch.set_default_dtype(before["default dtype"])
    torch.set_grad_enabled(before["grad mode"])
    if "default device" in before and after["default device"] != before["default device"]:
        # set_default_device pushes a TorchFunctionMode even for cpu: only undo a real change.
        was = before["default device"]
        if was.type == "cpu":
            from specs.helpers import reset_default_device  # torch is importable by now

            reset_default_device()
        else:
            torch.set_default_device(was)
    from torch.overrides import _pop_mode

    while torch._C._len_torch_function_stack() > depth:  # a mode entered and never exited
        _pop_mode()
    _device_constructors.cache_clear()  # the spec's monkeypatches are undone by now: list them afresh
    torch.set_rng_state(rng[0])
    np.random.set_state(rng[1])
    random.setstate(rng[2])
    if cuda_rng is not None:
        torch.cuda.set_rng_state_all(cuda_rng)
    leaked = [f"{k}: {before[k]} -> {after.get(k)}" for k in before if after.get(k) != before[k]]
    if leaked:
        pytest.fail("state guard: this spec leaked global state: " + "; ".join(leaked), pytrace=False)


# --------------------------------------------------------------------------- garbage collector


def pytest_collection_finish(session):
    """Move everything alive after collection (torch, torchvision, the collected specs: millions of
    objects) out of the cyclic garbage collector's reach. Python's full collections otherwise walk that
    heap again and again while specs run (a quarter of a second each); frozen, they walk only what the
    specs allocate, and the interpreter's last collection at exit skips it too. Reference counting
    still frees frozen objects. Once per process: a pytester session inside a run (the self-tests)
    finds the heap already frozen and leaves its own garbage to the collector.

    Full collections are then made 100 times rarer. What the specs allocate dies young (the
    collector's younger generations, left as they are, still free its cycles), but the first compile
    claim imports ~1,300 modules of Dynamo and AOTAutograd, and with the default third threshold a
    full collection walked that again ~17 times per worker, ~70 ms each (1.2 CPU-seconds per 2-core
    run; the workers' peak memory stayed at ~0.95 GB either way)."""
    if gc.get_freeze_count() == 0:
        gc.freeze()  # no gc.collect() first: a full collection here costs ~0.2 s; the frozen garbage is small
        young, middle, full = gc.get_threshold()
        gc.set_threshold(young, middle, full * 100)
        session.config.stash[FROZE] = True


def pytest_unconfigure(config):
    """Freeze what the specs left alive too, so the interpreter's last collection at exit walks
    nothing (an xdist worker's exit is on the run's critical path: the controller waits for it)."""
    if config.stash.get(FROZE, False):  # where collection froze the heap (not a pytester session inside)
        gc.freeze()
