"""Small helpers shared by the specs: memory checks, assertions, strategies.

Assertion helpers hide their own frames and describe only values, e.g.
``out.dtype=torch.float32, but should be torch.float64``; the harness (``conftest.py``) adds the
claim, the device and a reproduction line to every failure.
"""

from __future__ import annotations

import contextlib
import re

import pytest
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

# --------------------------------------------------------------------------- memory


def ptr(t: torch.Tensor) -> int:
    """Address of the storage behind ``t`` (not of its first element)."""
    return t.untyped_storage().data_ptr()


def shares(a: torch.Tensor, b: torch.Tensor) -> bool:
    """True when ``a`` and ``b`` are backed by the same storage."""
    return ptr(a) == ptr(b)


def assert_shares(a, b, what: str = "out"):
    __tracebackhide__ = True
    assert shares(a, b), f"{what} storage={ptr(a):#x}, but should be its input's {ptr(b):#x} (shared memory)"


def assert_owns(a, b, what: str = "out"):
    __tracebackhide__ = True
    assert not shares(a, b), f"{what} storage={ptr(a):#x} is its input's, but should be new memory"


# --------------------------------------------------------------------------- values


def assert_same(actual, expected, what: str = "out"):
    """Exact equality of values, dtype, device and shape (NaN equals NaN).

    Two dense tensors of one dtype, shape and device that ``torch.equal`` finds equal pass at once
    (``assert_close`` would pass them too, at ten times the cost); everything else, and every
    failure, goes through ``torch.testing.assert_close`` with rtol=atol=0.
    """
    __tracebackhide__ = True
    if (
        isinstance(actual, torch.Tensor) and isinstance(expected, torch.Tensor)
        and actual.layout == expected.layout == torch.strided and actual.device == expected.device
        and actual.device.type != "meta" and actual.dtype == expected.dtype and actual.shape == expected.shape
        and not actual.is_quantized and _equal(actual, expected)
    ):
        return
    torch.testing.assert_close(actual, expected, rtol=0, atol=0, equal_nan=True, msg=lambda m: f"{what}: {m}")


def _equal(a: torch.Tensor, b: torch.Tensor) -> bool:
    try:
        return torch.equal(a, b)
    except (RuntimeError, NotImplementedError):  # e.g. "equal_cpu" not implemented for complex32
        return False


def assert_dtype(out: torch.Tensor, dtype: torch.dtype, what: str = "out"):
    __tracebackhide__ = True
    assert out.dtype == dtype, f"{what}.dtype={out.dtype}, but should be {dtype}"


def assert_device(out: torch.Tensor, device: torch.device, what: str = "out"):
    __tracebackhide__ = True
    assert out.device.type == device.type, f"{what}.device={out.device}, but should be {device}"


@contextlib.contextmanager
def raises(exc, match: str, what: str = "the block"):
    """Like ``pytest.raises``, with a failure that says what was (or was not) raised, and by what.

    ``match`` is a regular expression searched (case-insensitively) in the error message; ``what``
    names the operation (``"t.add_(1)"``).
    """
    __tracebackhide__ = True
    try:
        yield
    except exc as e:
        if not re.search(match, str(e), re.I):
            pytest.fail(f"{what} raised {type(e).__name__}({str(e)[:300]}), but the message should match {match!r}")
    else:
        names = " or ".join(e.__name__ for e in exc) if isinstance(exc, tuple) else exc.__name__
        pytest.fail(f"{what} raised no {names}, but should")


def assert_requires_grad(t: torch.Tensor, expected: bool, what: str = "out"):
    __tracebackhide__ = True
    assert t.requires_grad is expected, f"{what}.requires_grad={t.requires_grad}, but should be {expected}"


# --------------------------------------------------------------------------- global state


@contextlib.contextmanager
def default_dtype(dtype: torch.dtype):
    """``with default_dtype(d):`` -- set torch's default dtype, restore it on exit."""
    before = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        yield
    finally:
        torch.set_default_dtype(before)


@contextlib.contextmanager
def warn_always():
    """Make TORCH_WARN_ONCE warnings fire every time (they are once-per-process by default)."""
    before = torch.is_warn_always_enabled()
    torch.set_warn_always(True)
    try:
        yield
    finally:
        torch.set_warn_always(before)


@contextlib.contextmanager
def warnings_recorded():
    """Record every Python warning raised inside (each one, even a repeat): yields the list of them."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


@contextlib.contextmanager
def exact_kernels():
    """cuDNN on, deterministic, no benchmarking, TF32 off for matmul and cuDNN (all restored after).

    Two sides computed inside it pick the same kernels at full float32 precision on cuda, so they can
    be compared exactly with each other and with float32/float64 maths; on cpu the flags change nothing.
    """
    matmul_tf32, cudnn_tf32 = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
    try:
        with torch.backends.cudnn.flags(enabled=True, deterministic=True, benchmark=False):
            yield
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = matmul_tf32, cudnn_tf32


def data(shape, seed: int, device, dtype=torch.float64, scale=1.0, shift=0.0) -> torch.Tensor:
    """Reproducible normal data (``randn * scale + shift``) drawn on cpu from ``seed``, then moved to ``device``.

    Drawn on cpu so the values are the same on every device (and leave the global generator alone).
    """
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(shape, generator=g, dtype=dtype) * scale + shift).to(device)


def reset_default_device():
    """``torch.set_default_device(None)``, leaving no ``None`` device context behind.

    In torch 2.4-2.9 (checked on 2.4.1, 2.6.0, 2.9.1) ``set_default_device(None)`` stores a ``None``
    context that ``torch.get_default_device()`` then dereferences (AttributeError: 'NoneType' object has
    no attribute 'device'); dropping it restores the state of a session that never set a device.
    """
    torch.set_default_device(None)
    context = getattr(torch, "_GLOBAL_DEVICE_CONTEXT", None)
    if context is not None and getattr(context, "device_context", False) is None:
        del context.device_context


# --------------------------------------------------------------------------- randomness


@contextlib.contextmanager
def seeded(device: torch.device, seed: int):
    """Seed only ``device``'s default generator, inside a fork that restores it afterwards.

    The state guard fails a spec that reseeds torch's global generator; this is the way to get a
    reproducible draw (dropout masks, random inputs) without leaking.
    """
    cuda = device.type == "cuda"
    index = (device.index if device.index is not None else torch.cuda.current_device()) if cuda else None
    with torch.random.fork_rng(devices=[index] if cuda else []):
        (torch.cuda.default_generators[index] if cuda else torch.default_generator).manual_seed(seed)
        yield


# --------------------------------------------------------------------------- versions


def torch_at_least(version: str) -> bool:
    """``torch.__version__`` compares with strings (``TorchVersion``); local tags are ignored."""
    return torch.torch_version.TorchVersion(torch.__version__.split("+")[0]) >= version


# --------------------------------------------------------------------------- dtypes & strategies
# The input vocabulary lives in specs/inputs.py; these names are kept here for the specs that import them.

from specs.inputs import NUMPY_TO_TORCH, TORCH_TO_NUMPY, shapes  # noqa: E402,F401

numpy_dtypes = st.sampled_from(list(NUMPY_TO_TORCH))
torch_dtypes = st.sampled_from(list(TORCH_TO_NUMPY))


def arrays(dtype=numpy_dtypes, shape=shapes):
    """Native-byte-order arrays of the given dtype(s) and shape(s), with all values (NaN/inf too)."""
    return hnp.arrays(dtype=dtype, shape=shape)


def tensors(dtype=numpy_dtypes, shape=shapes):
    """cpu tensors built from ``arrays`` (copied, so they own their memory)."""
    return arrays(dtype, shape).map(lambda a: torch.tensor(a))
