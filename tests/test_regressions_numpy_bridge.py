"""Planted regressions for specs/test_numpy_bridge.py: each breaks one claim and must be killed."""

from __future__ import annotations

import warnings

import numpy as np
import torch

from tests.plant import assert_killed, assert_passed, needs_cuda, run


MOD = "test_numpy_bridge.py"


def spec(name: str) -> str:
    return f"{MOD}::{name}"


def test_control_specs_pass_unpatched(pytester):
    """Control: without a planted regression the module's specs pass."""
    assert_passed(run(pytester, MOD))


# --------------------------------------------------------------------------- from_numpy


def test_from_numpy_casting_to_default_dtype_is_killed(pytester, monkeypatch):
    """Plants from_numpy that casts float64 arrays to the default dtype (the folklore float32)."""
    orig = torch.from_numpy

    def from_numpy(a):
        t = orig(a)
        return t.to(torch.get_default_dtype()) if t.dtype == torch.float64 else t

    monkeypatch.setattr(torch, "from_numpy", from_numpy)
    result = run(pytester, spec("test_from_numpy_keeps_dtype_shape_and_values"))
    assert_killed(result, "test_from_numpy_keeps_dtype_shape_and_values", "t.dtype=torch.float32, but should be torch.float64")


def test_from_numpy_copying_is_killed(pytester, monkeypatch):
    """Plants from_numpy that copies the array instead of sharing its buffer."""
    orig = torch.from_numpy
    monkeypatch.setattr(torch, "from_numpy", lambda a: orig(a).clone())
    result = run(pytester, spec("test_from_numpy_shares_memory_in_both_directions"))
    assert_killed(result, "test_from_numpy_shares_memory_in_both_directions", "but should be the array's buffer")


def test_from_numpy_making_views_contiguous_is_killed(pytester, monkeypatch):
    """Plants from_numpy that returns a contiguous copy of strided views (transposes, slices)."""
    orig = torch.from_numpy
    monkeypatch.setattr(torch, "from_numpy", lambda a: orig(a).contiguous())
    result = run(pytester, spec("test_from_numpy_keeps_strides_of_array_views"))
    assert_killed(result, "test_from_numpy_keeps_strides_of_array_views", "t.stride()=")


def test_from_numpy_refusing_wide_unsigned_is_killed(pytester, monkeypatch):
    """Plants from_numpy that refuses uint16/32/64 arrays with TypeError, as torch < 2.3 did."""
    orig = torch.from_numpy

    def from_numpy(a):
        if a.dtype in (np.uint16, np.uint32, np.uint64):
            raise TypeError(f"can't convert np.ndarray of type numpy.{a.dtype}.")
        return orig(a)

    monkeypatch.setattr(torch, "from_numpy", from_numpy)
    result = run(pytester, spec("test_from_numpy_accepts_wide_unsigned_arrays"))
    assert_killed(result, "test_from_numpy_accepts_wide_unsigned_arrays")


def test_pre_2_3_build_accepting_wide_unsigned_is_killed(pytester, monkeypatch):
    """Plants a torch that reports 2.2.0 but accepts uint16/32/64 arrays (this build's real behaviour).

    The <2.3 spec is gated off on this build; faking the version runs it against a from_numpy that
    accepts the arrays, as a 2.2 release that grew the feature would.
    """
    monkeypatch.setattr(torch, "__version__", "2.2.0")
    result = run(pytester, spec("test_from_numpy_refuses_wide_unsigned_arrays_before_2_3"))
    assert_killed(result, "test_from_numpy_refuses_wide_unsigned_arrays_before_2_3", "raised no TypeError")


# --------------------------------------------------------------------------- Tensor.numpy


def _patch_numpy(monkeypatch, fake):
    monkeypatch.setattr(torch.Tensor, "numpy", fake)


def test_numpy_copying_is_killed(pytester, monkeypatch):
    """Plants Tensor.numpy() that returns a copy instead of a view of the tensor's memory."""
    orig = torch.Tensor.numpy
    _patch_numpy(monkeypatch, lambda self, *, force=False: orig(self, force=force).copy())
    result = run(pytester, spec("test_numpy_shares_memory_with_cpu_tensor"))
    assert_killed(result, "test_numpy_shares_memory_with_cpu_tensor", "but should be c.data_ptr()")


def test_numpy_silently_detaching_is_killed(pytester, monkeypatch):
    """Plants Tensor.numpy() that silently detaches a tensor that requires grad instead of raising."""
    orig = torch.Tensor.numpy
    _patch_numpy(monkeypatch, lambda self, *, force=False: orig(self.detach(), force=force))
    result = run(pytester, spec("test_numpy_refuses_tensor_that_requires_grad"))
    assert_killed(result, "test_numpy_refuses_tensor_that_requires_grad", "raised no RuntimeError")


def test_numpy_ignoring_no_grad_is_killed(pytester, monkeypatch):
    """Plants Tensor.numpy() that refuses requires-grad tensors even inside no_grad (the pre-1.6 check)."""
    orig = torch.Tensor.numpy

    def numpy(self, *, force=False):
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad.")
        return orig(self, force=force)

    _patch_numpy(monkeypatch, numpy)
    result = run(pytester, spec("test_numpy_converts_tensor_that_requires_grad_inside_no_grad"))
    assert_killed(result, "test_numpy_converts_tensor_that_requires_grad_inside_no_grad")


@needs_cuda
def test_numpy_silently_moving_cuda_tensor_is_killed(pytester, monkeypatch):
    """Plants Tensor.numpy() that silently copies a cuda tensor to the host instead of raising TypeError."""
    orig = torch.Tensor.numpy
    _patch_numpy(monkeypatch, lambda self, *, force=False: orig(self.cpu(), force=force))
    result = run(pytester, spec("test_numpy_refuses_cuda_tensor_pointing_to_cpu"))
    assert_killed(result, "test_numpy_refuses_cuda_tensor_pointing_to_cpu")


def test_numpy_ignoring_force_is_killed(pytester, monkeypatch):
    """Plants Tensor.numpy() that ignores force=True (so requires-grad and cuda tensors are refused)."""
    orig = torch.Tensor.numpy
    _patch_numpy(monkeypatch, lambda self, *, force=False: orig(self))
    result = run(pytester, spec("test_numpy_force_converts_tensor_that_requires_grad_on_any_device"))
    assert_killed(result, "test_numpy_force_converts_tensor_that_requires_grad_on_any_device")


def test_numpy_force_always_copying_is_killed(pytester, monkeypatch):
    """Plants Tensor.numpy(force=True) that always copies, even a cpu tensor it could share."""
    orig = torch.Tensor.numpy

    def numpy(self, *, force=False):
        out = orig(self, force=force)
        return out.copy() if force else out

    _patch_numpy(monkeypatch, numpy)
    result = run(pytester, spec("test_numpy_force_still_shares_memory_with_cpu_tensor"))
    assert_killed(result, "test_numpy_force_still_shares_memory_with_cpu_tensor", "shared=False, but should be True")


@needs_cuda
def test_numpy_force_not_moving_cuda_tensor_is_killed(pytester, monkeypatch):
    """Plants Tensor.numpy(force=True) that no longer moves cuda tensors to the host (TypeError)."""
    orig = torch.Tensor.numpy
    _patch_numpy(monkeypatch, lambda self, *, force=False: orig(self.detach()))
    result = run(pytester, spec("test_numpy_force_copies_cuda_tensor"))
    assert_killed(result, "test_numpy_force_copies_cuda_tensor")


# --------------------------------------------------------------------------- torch.tensor / as_tensor


def test_tensor_aliasing_the_array_is_killed(pytester, monkeypatch):
    """Plants torch.tensor that aliases the array (behaves like as_tensor) instead of copying."""
    as_tensor = torch.as_tensor
    monkeypatch.setattr(torch, "tensor", lambda data, dtype=None, device=None, **kw: as_tensor(data, dtype=dtype, device=device))
    result = run(pytester, spec("test_tensor_copies_the_array"))
    assert_killed(result, "test_tensor_copies_the_array", "t after writing the array")


def test_as_tensor_always_copying_is_killed(pytester, monkeypatch):
    """Plants torch.as_tensor that always copies, even a matching array or tensor."""
    orig = torch.as_tensor
    monkeypatch.setattr(torch, "as_tensor", lambda *a, **kw: orig(*a, **kw).clone())
    result = run(
        pytester,
        spec("test_as_tensor_shares_array_of_matching_dtype"),
        spec("test_as_tensor_of_tensor_on_device_is_that_tensor"),
    )
    assert_killed(result, "test_as_tensor_shares_array_of_matching_dtype", "test_as_tensor_of_tensor_on_device_is_that_tensor")
    assert result.parseoutcomes().get("failed") == 2, result.stdout.str()[-3000:]


def test_as_tensor_ignoring_dtype_is_killed(pytester, monkeypatch):
    """Plants torch.as_tensor that ignores its dtype= argument and keeps the array's dtype."""
    orig = torch.as_tensor
    monkeypatch.setattr(torch, "as_tensor", lambda data, dtype=None, device=None: orig(data, device=device))
    result = run(pytester, spec("test_as_tensor_copies_when_dtype_differs"))
    assert_killed(result, "test_as_tensor_copies_when_dtype_differs", "t.dtype=")


@needs_cuda
def test_as_tensor_ignoring_device_is_killed(pytester, monkeypatch):
    """Plants torch.as_tensor that ignores device= and returns a cpu tensor sharing the array."""
    orig = torch.as_tensor
    monkeypatch.setattr(torch, "as_tensor", lambda data, dtype=None, device=None: orig(data, dtype=dtype))
    result = run(pytester, spec("test_as_tensor_to_cuda_copies_the_array"))
    assert_killed(result, "test_as_tensor_to_cuda_copies_the_array")


# --------------------------------------------------------------------------- what is refused


def test_negative_strides_silently_copied_is_killed(pytester, monkeypatch):
    """Plants from_numpy that silently copies negative-stride arrays instead of raising ValueError."""
    orig = torch.from_numpy
    monkeypatch.setattr(torch, "from_numpy", lambda a: orig(a.copy() if any(s < 0 for s in a.strides) else a))
    result = run(pytester, spec("test_negative_strides_are_rejected_until_copied"))
    assert_killed(result, "test_negative_strides_are_rejected_until_copied", "raised no ValueError")


def test_byte_order_silently_swapped_is_killed(pytester, monkeypatch):
    """Plants from_numpy that silently converts non-native byte order instead of raising ValueError."""
    orig = torch.from_numpy
    monkeypatch.setattr(torch, "from_numpy", lambda a: orig(a.astype(a.dtype.newbyteorder("="))))
    result = run(pytester, spec("test_non_native_byte_order_is_rejected"))
    assert_killed(result, "test_non_native_byte_order_is_rejected", "raised no ValueError")


def test_read_only_warning_dropped_is_killed(pytester, monkeypatch):
    """Plants from_numpy that no longer warns about read-only arrays."""
    orig = torch.from_numpy

    def from_numpy(a):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return orig(a)

    monkeypatch.setattr(torch, "from_numpy", from_numpy)
    result = run(pytester, spec("test_read_only_array_gives_user_warning"))
    assert_killed(result, "test_read_only_array_gives_user_warning", "should include a 'not writable' UserWarning")


# --------------------------------------------------------------------------- the note's idioms (issue #17)


def test_detach_copying_is_killed(pytester, monkeypatch):
    """Plants Tensor.detach() that returns a copy, so x.cpu().detach().numpy() no longer writes through to a cpu x."""
    orig = torch.Tensor.detach
    monkeypatch.setattr(torch.Tensor, "detach", lambda self: orig(self).clone())
    result = run(pytester, spec("test_cpu_detach_numpy_converts_tensor_that_requires_grad"))
    assert_killed(result, "test_cpu_detach_numpy_converts_tensor_that_requires_grad", "x after writing n")


# --------------------------------------------------------------------------- slice regressions (issue #14)


def test_slice_numpy_force_ignoring_conj_bit_is_killed(pytester, monkeypatch):
    """Plants Tensor.numpy(force=True) that skips resolve_conj: only conjugate-bit tensors come out wrong (unconjugated)."""
    orig = torch.Tensor.numpy

    def numpy(self, *, force=False):
        if force and self.is_conj():
            return orig(self.conj(), force=True)  # clears the bit without conjugating the data
        return orig(self, force=force)

    _patch_numpy(monkeypatch, numpy)
    result = run(pytester, spec("test_numpy_force_resolves_conj_and_neg_bits"))
    assert_killed(result, "test_numpy_force_resolves_conj_and_neg_bits", "x.conj().numpy(force=True)")


def test_slice_numpy_force_ignoring_neg_bit_is_killed(pytester, monkeypatch):
    """Plants Tensor.numpy(force=True) that skips resolve_neg: only negative-bit tensors come out wrong (not negated)."""
    orig = torch.Tensor.numpy

    def numpy(self, *, force=False):
        if force and self.is_neg():
            return orig(torch._neg_view(self), force=True)  # clears the bit without negating the data
        return orig(self, force=force)

    _patch_numpy(monkeypatch, numpy)
    result = run(pytester, spec("test_numpy_force_resolves_conj_and_neg_bits"))
    assert_killed(result, "test_numpy_force_resolves_conj_and_neg_bits", "x.conj().imag.numpy(force=True)")


def test_slice_from_numpy_float16_as_bfloat16_is_killed(pytester, monkeypatch):
    """Plants from_numpy whose dtype table maps float16 arrays to bfloat16 (same width): every other dtype is right."""
    orig = torch.from_numpy
    monkeypatch.setattr(torch, "from_numpy", lambda a: orig(a).view(torch.bfloat16) if a.dtype == np.float16 else orig(a))
    result = run(pytester, spec("test_from_numpy_keeps_dtype_shape_and_values"))
    assert_killed(result, "test_from_numpy_keeps_dtype_shape_and_values", "t.dtype=torch.bfloat16, but should be torch.float16")


def test_slice_numpy_copying_0d_tensors_is_killed(pytester, monkeypatch):
    """Plants Tensor.numpy() that returns a copy for 0-d tensors only (as if they were Python scalars)."""
    orig = torch.Tensor.numpy

    def numpy(self, *, force=False):
        out = orig(self, force=force)
        return out.copy() if self.dim() == 0 else out

    _patch_numpy(monkeypatch, numpy)
    result = run(pytester, spec("test_numpy_shares_memory_with_cpu_tensor"))
    assert_killed(result, "test_numpy_shares_memory_with_cpu_tensor", "but should be c.data_ptr()")


def test_slice_as_tensor_copying_bool_arrays_is_killed(pytester, monkeypatch):
    """Plants torch.as_tensor that copies bool arrays only (every other dtype still shares)."""
    orig = torch.as_tensor

    def as_tensor(data, dtype=None, device=None):
        out = orig(data, dtype=dtype, device=device)
        return out.clone() if isinstance(data, np.ndarray) and data.dtype == np.bool_ else out

    monkeypatch.setattr(torch, "as_tensor", as_tensor)
    result = run(pytester, spec("test_as_tensor_shares_array_of_matching_dtype"))
    assert_killed(result, "test_as_tensor_shares_array_of_matching_dtype", "torch.as_tensor(n) storage=")
