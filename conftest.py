"""The harness: the one place that knows about devices, profiles, versions and global state.

Read this file once and every spec under ``specs/`` is plain pytest.

Devices
    Every spec takes a ``device`` argument (a ``torch.device``). The harness parametrizes it with
    ``cpu`` and ``cuda`` always, and ``mps`` / ``xpu`` when torch reports them available, so ids
    read ``test_x[cpu]``, ``test_x[cuda]``. A device that is not usable skips with the precise
    reason. Options (and the environment variables CI can set instead):

    ``--devices cpu,cuda``        (``TCS_DEVICES``)          run only these devices
    ``--require-devices cuda``    (``TCS_REQUIRE_DEVICES``)  abort at start, non-zero, if one is missing
    ``--strict-env``              (``TCS_STRICT_ENV=1``)     environment skips (missing device,
                                                             unusable torchvision) become failures

    Under pytest-xdist each worker runs torch with ``cpu_count // workers`` threads, so ``-n auto``
    shares the cores instead of oversubscribing them.

Hypothesis profiles
    ``dev`` (default), ``ci`` (derandomized, few examples; chosen automatically when ``CI`` is set),
    ``thorough`` (1000 examples per property, for checking an upgrade). Select one with
    hypothesis' own ``--hypothesis-profile=NAME``. ``deadline=None`` everywhere: first CUDA calls
    are slow.

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

Claim reports
    Every spec carries ``user_properties``: its claim (first docstring line), its concept (module)
    and the environment (torch, torchvision, numpy, python, CUDA build, devices, profile). Any
    report plugin records them: ``pytest --report-log=reports/new.jsonl`` (pytest-reportlog).
    ``python -m specs.compare OLD.jsonl NEW.jsonl`` prints the claims whose outcome differs, by concept.

State guard
    An autouse fixture snapshots default dtype, grad mode, default device and the
    torch / cuda / numpy / random RNG states around each spec, restores them, and fails the spec
    that changed one of them (for RNGs: that reseeded torch's or cuda's generator; merely drawing
    numbers is restored silently).
"""

from __future__ import annotations

import os
import platform
import random
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from packaging.specifiers import SpecifierSet
from packaging.version import Version

try:
    import torch
except ImportError as exc:  # reported once, cleanly, by pytest_configure
    torch = None
    TORCH_MISSING = (
        f"torch-concept-specs verifies an installed torch, but torch cannot be imported ({exc}). "
        "Install it first: `pip install -e .` (or `pip install torch torchvision`)."
    )

pytest_plugins = ["pytester"]  # tests/ runs specs in-process with pytester

# --------------------------------------------------------------------------- hypothesis profiles

# Each profile starts from hypothesis' defaults, not from whatever profile is loaded right now.
_base = settings.get_profile("default")
settings.register_profile("dev", _base, max_examples=40, deadline=None)
settings.register_profile(
    "ci",
    _base,
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
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

KNOWN_DEVICES = ("cpu", "cuda", "mps", "xpu")
ALWAYS_LISTED = ("cpu", "cuda")  # parametrized even when absent, so a missing GPU shows as a skip


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
    raise ValueError(name)


def _names(value: str | None) -> list[str]:
    return [n.strip() for n in (value or "").split(",") if n.strip()]


def pytest_addoption(parser):
    group = parser.getgroup("torch-concept-specs")
    group.addoption(
        "--devices",
        default=os.environ.get("TCS_DEVICES"),
        help="comma-separated devices to run specs on (cpu,cuda,mps,xpu); "
        "default: cpu and cuda, plus mps/xpu when available. Env: TCS_DEVICES.",
    )
    group.addoption(
        "--require-devices",
        default=os.environ.get("TCS_REQUIRE_DEVICES"),
        help="comma-separated devices that must be usable; the run aborts at start if one is "
        "missing (for GPU CI). Env: TCS_REQUIRE_DEVICES.",
    )
    group.addoption(
        "--strict-env",
        action="store_true",
        default=os.environ.get("TCS_STRICT_ENV", "") not in ("", "0"),
        help="turn environment skips (unusable device, unusable torchvision) into failures. "
        "Env: TCS_STRICT_ENV=1.",
    )


def pytest_configure(config):
    if torch is None:
        raise pytest.UsageError(TORCH_MISSING)
    # Profile: hypothesis' own --hypothesis-profile wins; otherwise ci under CI, else dev.
    if config.getoption("hypothesis_profile", None) is None:
        settings.load_profile("ci" if os.environ.get("CI") else "dev")

    selected, required = _names(config.option.devices), _names(config.option.require_devices)
    unknown = [n for n in selected + required if n not in KNOWN_DEVICES]
    if unknown:
        raise pytest.UsageError(
            f"unknown device name(s) {', '.join(unknown)}; valid names: {', '.join(KNOWN_DEVICES)}"
        )
    if not selected:
        selected = [n for n in KNOWN_DEVICES if n in ALWAYS_LISTED or device_problem(n) is None]
    selected += [n for n in required if n not in selected]
    missing = {n: device_problem(n) for n in required if device_problem(n)}
    if missing:
        raise pytest.UsageError(
            "required device(s) missing: " + "; ".join(missing.values())
        )
    config.stash[DEVICES] = selected
    config.stash[TORCHVISION] = probe_torchvision()

    worker = getattr(config, "workerinput", None)
    if worker is not None:  # xdist: share the cores between workers instead of oversubscribing them
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // int(worker["workercount"])))


DEVICES = pytest.StashKey[list]()
TORCHVISION = pytest.StashKey[tuple]()


def pytest_generate_tests(metafunc):
    if "device" not in metafunc.fixturenames:
        return
    params = [
        pytest.param(torch.device(name), id=name, marks=getattr(pytest.mark, name))
        for name in metafunc.config.stash[DEVICES]
    ]
    metafunc.parametrize("device", params)


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
    if item.get_closest_marker("needs_cuda") and device_problem("cuda"):
        _environment_skip(item.config, device_problem("cuda"))
    for mark in item.iter_markers("torch_version"):
        _gate(mark, "torch", torch.__version__)
    for mark in item.iter_markers("torchvision_version"):
        module, reason = item.config.stash[TORCHVISION]
        if module is None:
            _environment_skip(item.config, reason)
        _gate(mark, "torchvision", module.__version__)


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
    lines = [
        f"python {platform.python_version()} ({sys.executable})",
        f"torch {torch.__version__} (git {getattr(torch.version, 'git_version', '?')[:12]}), "
        f"built with CUDA {torch.version.cuda}, cuDNN {_cudnn()}",
    ]
    for name in KNOWN_DEVICES:
        problem = device_problem(name)
        lines.append(f"device {name}: " + (problem.split(": ", 1)[1] if problem else _describe(name)))
    module, reason = config.stash[TORCHVISION]
    lines.append(f"torchvision {module.__version__}" if module else reason)
    import hypothesis
    import PIL

    lines.append(
        f"numpy {np.__version__}, Pillow {PIL.__version__}, hypothesis {hypothesis.__version__}, "
        f"profile {settings._current_profile}"
    )
    lines.append(
        f"devices under test: {', '.join(config.stash[DEVICES])}"
        + ("  (--strict-env)" if config.option.strict_env else "")
    )
    return lines


def _cudnn():
    try:
        return torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None
    except Exception:  # pragma: no cover - broken builds
        return None


def _describe(name: str) -> str:
    if name == "cpu":
        return f"available ({platform.machine()}, {torch.get_num_threads()} threads)"
    if name == "cuda":
        parts = []
        for i in range(torch.cuda.device_count()):
            major, minor = torch.cuda.get_device_capability(i)
            parts.append(f"cuda:{i} {torch.cuda.get_device_name(i)} (sm_{major}{minor})")
        return "; ".join(parts)
    return "available"


# --------------------------------------------------------------------------- claim reports


def environment(config) -> dict:
    module, reason = config.stash[TORCHVISION]
    return {
        "torch": str(torch.__version__),  # TorchVersion is not serializable across xdist workers
        "torchvision": str(module.__version__) if module else f"unusable ({reason})",
        "numpy": np.__version__,
        "python": platform.python_version(),
        "cuda_build": torch.version.cuda,
        "devices": ",".join(n for n in config.stash[DEVICES] if device_problem(n) is None),
        "profile": settings._current_profile,
    }


def pytest_collection_modifyitems(config, items):
    env = environment(config)
    for item in items:
        doc = (getattr(item, "function", None) and item.function.__doc__ or "").strip()
        item.user_properties += [
            ("claim", doc.splitlines()[0] if doc else item.name),
            ("concept", item.module.__name__.rpartition(".")[2] if hasattr(item, "module") else "?"),
            ("environment", env),
        ]


# --------------------------------------------------------------------------- state guard


def _snapshot():
    state = {
        "default dtype": torch.get_default_dtype(),
        "grad mode": torch.is_grad_enabled(),
        "torch RNG seed": torch.initial_seed(),
    }
    if hasattr(torch, "get_default_device"):  # torch >= 2.3
        state["default device"] = torch.get_default_device()
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda RNG seed"] = torch.cuda.initial_seed()
    return state


@pytest.fixture(autouse=True)
def state_guard():
    """Restore global torch/numpy/random state after each spec; fail the spec that changed it."""
    before = _snapshot()
    rng = (torch.get_rng_state(), np.random.get_state(), random.getstate())
    cuda_rng = torch.cuda.get_rng_state_all() if "cuda RNG seed" in before else None
    yield
    after = _snapshot()
    torch.set_default_dtype(before["default dtype"])
    torch.set_grad_enabled(before["grad mode"])
    if "default device" in before and after["default device"] != before["default device"]:
        # set_default_device pushes a TorchFunctionMode even for cpu: only undo a real change.
        was = before["default device"]
        torch.set_default_device(None if was.type == "cpu" else was)
    torch.set_rng_state(rng[0])
    np.random.set_state(rng[1])
    random.setstate(rng[2])
    if cuda_rng is not None:
        torch.cuda.set_rng_state_all(cuda_rng)
    leaked = [f"{k}: {before[k]} -> {after.get(k)}" for k in before if after.get(k) != before[k]]
    if leaked:
        pytest.fail("state guard: this spec leaked global state: " + "; ".join(leaked), pytrace=False)
