"""Planted regressions for specs/test_numpy_bridge.py: each breaks one claim and must be killed."""

from __future__ import annotations

import array
import warnings

import numpy as np
import torch

from tests.plant import assert_killed, assert_passed, needs_cuda, run

import torch._dynamo  # noqa: E402  (tests/plant.py compiles once at collection)


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
    result = run(pytester, spec("test_from_numpy_keeps_dtype_shape_and_values"), spec("test_from_numpy_of_ones_is_float64"))
    assert_killed(
        result, "test_from_numpy_keeps_dtype_shape_and_values[cpu-float64]", "test_from_numpy_of_ones_is_float64",
        "t.dtype=torch.float32, but should be torch.float64",
    )


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
    result = run(pytester, spec("test_from_numpy_shares_memory_in_both_directions"))
    assert_killed(result, "test_from_numpy_shares_memory_in_both_directions[cpu-uint8-transposed]", "t.stride()=")


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
    assert_killed(result, "test_tensor_copies_the_array", "after writing the array")


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


def test_as_tensor_ignoring_dtype_is_killed(pytester, monkeypatch):
    """Plants torch.as_tensor that ignores its dtype= argument and keeps the array's dtype."""
    orig = torch.as_tensor
    monkeypatch.setattr(torch, "as_tensor", lambda data, dtype=None, device=None: orig(data, device=device))
    result = run(pytester, spec("test_as_tensor_copies_when_dtype_differs"))
    assert_killed(result, "test_as_tensor_copies_when_dtype_differs", ").dtype=torch.")


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
    assert_killed(result, "test_numpy_force_resolves_conj_and_neg_bits", "the conj_bit view's numpy(force=True)")


def test_slice_numpy_force_ignoring_neg_bit_is_killed(pytester, monkeypatch):
    """Plants Tensor.numpy(force=True) that skips resolve_neg: only negative-bit tensors come out wrong (not negated)."""
    orig = torch.Tensor.numpy

    def numpy(self, *, force=False):
        if force and self.is_neg():
            return orig(torch._neg_view(self), force=True)  # clears the bit without negating the data
        return orig(self, force=force)

    _patch_numpy(monkeypatch, numpy)
    result = run(pytester, spec("test_numpy_force_resolves_conj_and_neg_bits"))
    assert_killed(result, "test_numpy_force_resolves_conj_and_neg_bits", "the neg_bit view's numpy(force=True)")


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


# --------------------------------------------------------------------------- every dtype, every layout (issue #21)


def test_slice_numpy_copying_non_contiguous_tensors_is_killed(pytester, monkeypatch):
    """Plants Tensor.numpy() that silently copies a non-contiguous tensor (transposed, step-sliced, stride 0,
    channels_last); contiguous tensors -- the only ones the sharing specs used to make -- still share."""
    orig = torch.Tensor.numpy

    def numpy(self, *, force=False):
        out = orig(self, force=force)
        return out if self.is_contiguous() else out.copy()

    _patch_numpy(monkeypatch, numpy)
    result = run(pytester, spec("test_numpy_shares_memory_with_cpu_tensor"))
    assert_killed(
        result, "test_numpy_shares_memory_with_cpu_tensor[cpu-uint8-transposed]",
        "test_numpy_shares_memory_with_cpu_tensor[cpu-int8-step_sliced]",
        "test_numpy_shares_memory_with_cpu_tensor[cpu-bool-expanded]",
        "test_numpy_shares_memory_with_cpu_tensor[cpu-uint8-channels_last]",
        "but should be c.data_ptr()",
    )


def test_slice_numpy_copying_at_a_storage_offset_is_killed(pytester, monkeypatch):
    """Plants Tensor.numpy() that copies a tensor that starts inside its storage (storage_offset() > 0): contiguous
    ones included, every other tensor shares."""
    orig = torch.Tensor.numpy

    def numpy(self, *, force=False):
        out = orig(self, force=force)
        return out.copy() if self.storage_offset() else out

    _patch_numpy(monkeypatch, numpy)
    result = run(pytester, spec("test_numpy_shares_memory_with_cpu_tensor"))
    assert_killed(result, "test_numpy_shares_memory_with_cpu_tensor[cpu-int16-offset]", "but should be c.data_ptr()")


def test_slice_from_numpy_copying_int16_is_killed(pytester, monkeypatch):
    """Plants torch.from_numpy that copies int16 arrays only (every other dtype still shares): the regression one
    ci run in six missed while dtypes were drawn."""
    orig = torch.from_numpy
    monkeypatch.setattr(torch, "from_numpy", lambda a: orig(a).clone() if a.dtype == np.int16 else orig(a))
    result = run(pytester, spec("test_from_numpy_shares_memory_in_both_directions"))
    assert_killed(result, "test_from_numpy_shares_memory_in_both_directions[cpu-int16-offset]", "but should be the array's buffer")


def test_slice_from_numpy_dropping_stride_0_is_killed(pytester, monkeypatch):
    """Plants torch.from_numpy that materializes stride-0 (broadcast) arrays into a contiguous copy; every other
    layout is kept."""
    orig = torch.from_numpy
    monkeypatch.setattr(torch, "from_numpy", lambda a: orig(np.ascontiguousarray(a)) if 0 in a.strides and a.size > 1 else orig(a))
    result = run(pytester, spec("test_from_numpy_shares_memory_in_both_directions"))
    assert_killed(result, "test_from_numpy_shares_memory_in_both_directions[cpu-int32-expanded]", "t.stride()=")


def test_slice_numpy_force_copying_channels_last_is_killed(pytester, monkeypatch):
    """Plants Tensor.numpy(force=True) that copies channels_last tensors (force's resolve steps making them
    contiguous); every other layout still shares."""
    orig = torch.Tensor.numpy

    def numpy(self, *, force=False):
        cl = self.dim() == 4 and not self.is_contiguous() and self.is_contiguous(memory_format=torch.channels_last)
        return orig(self.detach().contiguous(), force=force) if force and cl else orig(self, force=force)

    _patch_numpy(monkeypatch, numpy)
    result = run(pytester, spec("test_numpy_force_still_shares_memory_with_cpu_tensor"))
    assert_killed(result, "test_numpy_force_still_shares_memory_with_cpu_tensor[cpu-float16-channels_last]", "shared=False, but should be True")


def test_numpy_converting_bfloat16_is_killed(pytester, monkeypatch):
    """Plants Tensor.numpy() that converts a bfloat16 tensor through float32 instead of refusing it."""
    orig = torch.Tensor.numpy
    _patch_numpy(monkeypatch, lambda self, *, force=False: orig(self.float() if self.dtype == torch.bfloat16 else self, force=force))
    result = run(pytester, spec("test_numpy_refuses_dtypes_numpy_lacks"))
    assert_killed(result, "test_numpy_refuses_dtypes_numpy_lacks", "raised no TypeError")


def test_slice_numpy_resolving_conj_bit_silently_is_killed(pytester, monkeypatch):
    """Plants Tensor.numpy() that silently resolves the conjugate bit (a copy) instead of refusing; the negative
    bit is still refused."""
    orig = torch.Tensor.numpy
    _patch_numpy(monkeypatch, lambda self, *, force=False: orig(self.resolve_conj() if self.is_conj() else self, force=force))
    result = run(pytester, spec("test_numpy_refuses_conj_and_neg_bits"))
    assert_killed(result, "test_numpy_refuses_conj_and_neg_bits[cpu-complex128-conj_bit]", "raised no RuntimeError")


def test_slice_numpy_resolving_neg_bit_silently_is_killed(pytester, monkeypatch):
    """Plants Tensor.numpy() that silently resolves the negative bit (a copy) instead of refusing; the conjugate
    bit is still refused."""
    orig = torch.Tensor.numpy
    _patch_numpy(monkeypatch, lambda self, *, force=False: orig(self.resolve_neg() if self.is_neg() else self, force=force))
    result = run(pytester, spec("test_numpy_refuses_conj_and_neg_bits"))
    assert_killed(result, "test_numpy_refuses_conj_and_neg_bits[cpu-complex64-neg_bit]", "raised no RuntimeError")


def test_slice_as_tensor_copying_contiguous_tensors_of_bfloat16_is_killed(pytester, monkeypatch):
    """Plants torch.as_tensor that returns a copy of a bfloat16 tensor (as if it went through numpy); every other
    dtype is returned itself."""
    orig = torch.as_tensor

    def as_tensor(data, dtype=None, device=None):
        out = orig(data, dtype=dtype, device=device)
        return out.clone() if isinstance(data, torch.Tensor) and data.dtype == torch.bfloat16 else out

    monkeypatch.setattr(torch, "as_tensor", as_tensor)
    result = run(pytester, spec("test_as_tensor_of_tensor_on_device_is_that_tensor"))
    assert_killed(result, "test_as_tensor_of_tensor_on_device_is_that_tensor[cpu-bfloat16]", "should be t itself")


def test_slice_negative_strides_copied_for_complex64_is_killed(pytester, monkeypatch):
    """Plants torch.from_numpy that silently copies negative-stride complex64 arrays only (other dtypes raise)."""
    orig = torch.from_numpy

    def from_numpy(a):
        return orig(a.copy()) if a.dtype == np.complex64 and any(s < 0 for s in a.strides) else orig(a)

    monkeypatch.setattr(torch, "from_numpy", from_numpy)
    result = run(pytester, spec("test_negative_strides_are_rejected_until_copied"))
    assert_killed(result, "test_negative_strides_are_rejected_until_copied[cpu-from_numpy-complex64]", "raised no ValueError")


def test_slice_byte_order_swapped_for_float16_is_killed(pytester, monkeypatch):
    """Plants torch.from_numpy that silently converts non-native float16 arrays (other dtypes raise)."""
    orig = torch.from_numpy

    def from_numpy(a):
        if a.dtype.kind == "f" and a.dtype.itemsize == 2 and not a.dtype.isnative:
            a = a.astype(a.dtype.newbyteorder("="))
        return orig(a)

    monkeypatch.setattr(torch, "from_numpy", from_numpy)
    result = run(pytester, spec("test_non_native_byte_order_is_rejected"))
    assert_killed(result, "test_non_native_byte_order_is_rejected[cpu-from_numpy-float16]", "raised no ValueError")


# --------------------------------------------------------------------------- the blind battery's survivors (issue #21)


def test_slice_as_tensor_copying_when_the_arrays_own_dtype_is_named_is_killed(pytester, monkeypatch):
    """Plants torch.as_tensor(array, dtype=<the array's own dtype>) that copies (the dtype argument taken as a
    conversion request) where without dtype= it shares."""
    orig = torch.as_tensor

    def as_tensor(data, dtype=None, device=None):
        out = orig(data, dtype=dtype, device=device)
        return out.clone() if isinstance(data, np.ndarray) and dtype is not None and out.dtype == dtype else out

    monkeypatch.setattr(torch, "as_tensor", as_tensor)
    name = "test_as_tensor_shares_array_of_matching_dtype"
    assert_killed(run(pytester, spec(name)), name, "torch.as_tensor(n, dtype=")


def test_slice_tensor_sharing_a_float32_array_in_its_plain_form_is_killed(pytester, monkeypatch):
    """Plants torch.tensor(array) that, called with the array alone, shares a float32 array's memory (a from_numpy
    fast path); with any keyword it copies."""
    orig = torch.tensor

    def tensor(data, *args, **kwargs):
        if isinstance(data, np.ndarray) and data.dtype == np.float32 and not args and not kwargs:
            return torch.from_numpy(data)
        return orig(data, *args, **kwargs)

    monkeypatch.setattr(torch, "tensor", tensor)
    assert_killed(run(pytester, spec("test_tensor_copies_the_array")), "test_tensor_copies_the_array[cpu-float32]",
                  "torch.tensor(a) after writing the array")


def test_slice_tensor_ignoring_dtype_for_a_uint8_array_is_killed(pytester, monkeypatch):
    """Plants torch.tensor(uint8 array, dtype=...) that ignores dtype and keeps uint8."""
    orig = torch.tensor

    def tensor(data, *args, dtype=None, **kwargs):
        if isinstance(data, np.ndarray) and data.dtype == np.uint8:
            dtype = None
        return orig(data, *args, dtype=dtype, **kwargs)

    monkeypatch.setattr(torch, "tensor", tensor)
    assert_killed(run(pytester, spec("test_as_tensor_copies_when_dtype_differs")),
                  "test_as_tensor_copies_when_dtype_differs[cpu-uint8]", "torch.tensor(uint8 array, dtype=")


# --------------------------------------------------------------------------- under torch.compile (issue #22)


def _wrap_compile(monkeypatch, post=None, call=None):
    """Plant a torch.compile whose compiled function post-processes its outputs (``post(outputs)``) or is
    called through ``call(compiled, *args)``."""
    orig = torch.compile

    def compile(fn=None, **kwargs):
        compiled = orig(fn, **kwargs)

        def wrapped(*args, **kw):
            if call is not None:
                return call(compiled, *args, **kw)
            return post(compiled(*args, **kw))

        return wrapped

    monkeypatch.setattr(torch, "compile", compile)


def _tensors_map(fn, out):
    return [fn(o) if isinstance(o, torch.Tensor) else o for o in out] if isinstance(out, (list, tuple)) else fn(out)


def test_compiled_round_trip_copying_outputs_is_killed(pytester, monkeypatch):
    """Plants a torch.compile whose compiled function returns copies: from_numpy(x.numpy()) no longer aliases x."""
    _wrap_compile(monkeypatch, post=lambda out: _tensors_map(torch.clone, out))
    result = run(pytester, spec("test_numpy_round_trip_under_compile"))
    assert_killed(result, "test_numpy_round_trip_under_compile", "does not share memory with input")


def test_compiled_numpy_float64_as_float32_is_killed(pytester, monkeypatch):
    """Plants a torch.compile whose compiled numpy code gives float32 where numpy gives float64 (as if Dynamo's
    numpy_default_float were float32): np.ones(5) and every float64 result come back float32."""
    _wrap_compile(monkeypatch, post=lambda out: _tensors_map(lambda o: o.float() if o.dtype == torch.float64 else o, out))
    result = run(pytester, spec("test_numpy_round_trip_under_compile"))
    assert_killed(result, "test_numpy_round_trip_under_compile", "dtype=torch.float32, but eager gives torch.float64")


def test_slice_compiled_round_trip_widening_int16_is_killed(pytester, monkeypatch):
    """Plants a torch.compile whose compiled function returns int16 outputs as int32; every other dtype is right."""
    _wrap_compile(monkeypatch, post=lambda out: _tensors_map(lambda o: o.to(torch.int32) if o.dtype == torch.int16 else o, out))
    result = run(pytester, spec("test_numpy_round_trip_under_compile"))
    assert_killed(result, "test_numpy_round_trip_under_compile", "but eager gives torch.int16")


def test_slice_compiled_numpy_converting_bfloat16_is_killed(pytester, monkeypatch):
    """Plants a torch.compile whose compiled x.numpy() converts a bfloat16 tensor through float32 instead of raising."""

    def call(compiled, *args):
        return compiled(*[a.float() if isinstance(a, torch.Tensor) and a.dtype == torch.bfloat16 else a for a in args])

    _wrap_compile(monkeypatch, call=call)
    result = run(pytester, spec("test_numpy_refusals_under_compile"))
    assert_killed(result, "test_numpy_refusals_under_compile[cpu-aot_eager-bfloat16]", "raised no TypeError")


def test_compiled_sum_in_int32_is_killed(pytester, monkeypatch):
    """Plants a torch.compile whose compiled numpy sums come back as int32 (numpy: int64)."""
    _wrap_compile(monkeypatch, post=lambda out: _tensors_map(lambda o: o.to(torch.int32) if o.dtype == torch.int64 else o, out))
    result = run(pytester, spec("test_numpy_sum_dtype_under_compile"))
    assert_killed(result, "test_numpy_sum_dtype_under_compile[cpu-aot_eager-bool-int8-int16-int32]", "but eager gives torch.int64")


# --- release history (mined from release notes; see docs/release-history.md)

import pytest  # noqa: E402

from specs.helpers import torch_at_least  # noqa: E402

_dlpack = torch.Tensor.__dlpack__


def _dlpack_grad_error(exc_type):
    def dlpack(self, *args, **kwargs):
        if self.requires_grad:
            raise exc_type("Can't export tensors that require gradient, use tensor.detach()")
        return _dlpack(self, *args, **kwargs)

    return dlpack


@pytest.mark.skipif(not torch_at_least("2.9"), reason="the BufferError spec is gated to torch>=2.9")
def test_dlpack_grad_refusal_as_runtime_error_again_is_killed(pytester, monkeypatch):
    """Plants Tensor.__dlpack__ refusing a tensor that requires grad with RuntimeError (the pre-2.9 type)."""
    monkeypatch.setattr(torch.Tensor, "__dlpack__", _dlpack_grad_error(RuntimeError))
    result = run(pytester, spec("test_numpy_from_dlpack_refuses_a_tensor_that_requires_grad_with_buffer_error_from_2_9"))
    assert_killed(result, "test_numpy_from_dlpack_refuses_a_tensor_that_requires_grad_with_buffer_error_from_2_9")


@pytest.mark.skipif(torch_at_least("2.9"), reason="the RuntimeError spec is gated to torch<2.9")
def test_dlpack_grad_refusal_as_buffer_error_early_is_killed(pytester, monkeypatch):
    """Plants Tensor.__dlpack__ refusing a tensor that requires grad with BufferError before 2.9."""
    monkeypatch.setattr(torch.Tensor, "__dlpack__", _dlpack_grad_error(BufferError))
    result = run(pytester, spec("test_numpy_from_dlpack_refuses_a_tensor_that_requires_grad_with_runtime_error_before_2_9"))
    assert_killed(result, "test_numpy_from_dlpack_refuses_a_tensor_that_requires_grad_with_runtime_error_before_2_9")


def test_dlpack_export_of_a_copy_is_killed(pytester, monkeypatch):
    """Plants Tensor.__dlpack__ exporting a copy, so np.from_dlpack(t.detach()) no longer shares t's memory."""
    monkeypatch.setattr(torch.Tensor, "__dlpack__", lambda self, *a, **k: _dlpack(self.clone(), *a, **k))
    name = (
        "test_numpy_from_dlpack_refuses_a_tensor_that_requires_grad_with_buffer_error_from_2_9"
        if torch_at_least("2.9")
        else "test_numpy_from_dlpack_refuses_a_tensor_that_requires_grad_with_runtime_error_before_2_9"
    )
    result = run(pytester, spec(name))
    assert_killed(result, name)


@pytest.mark.skipif(not torch_at_least("2.9"), reason="the max_version spec is gated to torch>=2.9")
def test_dlpack_refusing_max_version_again_is_killed(pytester, monkeypatch):
    """Plants Tensor.__dlpack__ without the DLPack 1.0 keywords (the pre-2.9 signature)."""
    def dlpack(self, stream=None):
        return _dlpack(self, stream=stream)

    monkeypatch.setattr(torch.Tensor, "__dlpack__", dlpack)
    result = run(pytester, spec("test_dlpack_export_accepts_the_max_version_keyword_from_2_9"))
    assert_killed(result, "test_dlpack_export_accepts_the_max_version_keyword_from_2_9")


@pytest.mark.skipif(torch_at_least("2.9"), reason="the TypeError spec is gated to torch<2.9")
def test_dlpack_accepting_max_version_early_is_killed(pytester, monkeypatch):
    """Plants Tensor.__dlpack__ that accepts (and ignores) max_version before 2.9."""
    monkeypatch.setattr(torch.Tensor, "__dlpack__", lambda self, stream=None, **kwargs: _dlpack(self, stream=stream))
    result = run(pytester, spec("test_dlpack_export_refuses_the_max_version_keyword_before_2_9"))
    assert_killed(result, "test_dlpack_export_refuses_the_max_version_keyword_before_2_9")


def test_from_dlpack_that_copies_is_killed(pytester, monkeypatch):
    """Plants torch.from_dlpack returning a copy instead of a tensor over the same memory."""
    orig = torch.from_dlpack
    monkeypatch.setattr(torch, "from_dlpack", lambda ext, *a, **k: orig(ext, *a, **k).clone())
    name = "test_dlpack_export_accepts_the_max_version_keyword_from_2_9" if torch_at_least("2.9") else None
    if name is None:  # before 2.9 the spec compares values only: a copy is not observable there
        pytest.skip("the copy is observable only in the from-2.9 spec")
    result = run(pytester, spec(name))
    assert_killed(result, name)


def test_array_protocol_that_copies_in_asarray_is_killed(pytester, monkeypatch):
    """Plants Tensor.__array__ returning a copy, so np.asarray(t) no longer shares the tensor's memory."""
    orig = torch.Tensor.__array__
    monkeypatch.setattr(torch.Tensor, "__array__", lambda self, *a, **k: orig(self, *a, **k).copy())
    if np.lib.NumpyVersion(np.__version__) >= "2.0.0":
        pytest.skip("with numpy >= 2 the spec is a strict xfail (pytorch#136264): a second failure is not observable")
    result = run(pytester, spec("test_numpy_array_protocol_converts_a_cpu_tensor_without_warnings"))
    assert_killed(result, "test_numpy_array_protocol_converts_a_cpu_tensor_without_warnings")


# --- release history, round 2 (mined from release notes and the tracker)


def _torch_load(mode):
    orig = torch.load

    def load(f, *args, **kwargs):
        if mode == "old_default":  # weights_only=False unless asked, silently (the pre-2.4 torch.load)
            kwargs.setdefault("weights_only", False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = orig(f, *args, **kwargs)
        if mode == "warn" and "weights_only" not in kwargs:
            warnings.warn("You are using `torch.load` with `weights_only=False`", FutureWarning)
        return out

    return load


@pytest.mark.skipif(not torch_at_least("2.6"), reason="the UnpicklingError spec is gated to torch>=2.6")
def test_torch_load_unpickling_ndarrays_by_default_again_is_killed(pytester, monkeypatch):
    """Plants torch.load defaulting to weights_only=False again, so a saved ndarray loads without asking."""
    monkeypatch.setattr(torch, "load", _torch_load("old_default"))
    name = "test_torch_load_refuses_a_saved_ndarray_unless_weights_only_is_false_from_2_6"
    assert_killed(run(pytester, spec(name)), name)


@pytest.mark.skipif(not torch_at_least("2.4") or torch_at_least("2.6"), reason="the FutureWarning spec is gated to 2.4/2.5")
def test_torch_load_without_the_weights_only_warning_is_killed(pytester, monkeypatch):
    """Plants torch.load that loads a saved ndarray silently in 2.4/2.5 (no FutureWarning about weights_only)."""
    monkeypatch.setattr(torch, "load", _torch_load("old_default"))
    name = "test_torch_load_of_a_saved_ndarray_warns_future_warning_about_weights_only_in_2_4_and_2_5"
    assert_killed(run(pytester, spec(name)), name)


@pytest.mark.skipif(torch_at_least("2.4"), reason="the silent spec is gated to torch<2.4")
def test_torch_load_warning_about_weights_only_early_is_killed(pytester, monkeypatch):
    """Plants torch.load that warns FutureWarning about weights_only before 2.4."""
    monkeypatch.setattr(torch, "load", _torch_load("warn"))
    name = "test_torch_load_of_a_saved_ndarray_returns_it_silently_before_2_4"
    assert_killed(run(pytester, spec(name)), name)


@pytest.mark.skipif(not torch_at_least("2.9"), reason="the sharing spec is gated to torch>=2.9")
def test_from_dlpack_copying_a_read_only_array_is_killed(pytester, monkeypatch):
    """Plants torch.from_dlpack that copies a read-only ndarray instead of sharing its memory."""
    orig = torch.from_dlpack

    def from_dlpack(ext, *args, **kwargs):
        if isinstance(ext, np.ndarray) and not ext.flags.writeable:
            return torch.from_numpy(ext.copy())
        return orig(ext, *args, **kwargs)

    monkeypatch.setattr(torch, "from_dlpack", from_dlpack)
    name = "test_from_dlpack_of_a_read_only_ndarray_shares_it_writably_and_silently_from_2_9"
    assert_killed(run(pytester, spec(name)), name)


@pytest.mark.skipif(torch_at_least("2.9"), reason="the BufferError spec is gated to torch<2.9")
def test_from_dlpack_accepting_a_read_only_array_early_is_killed(pytester, monkeypatch):
    """Plants torch.from_dlpack that accepts a read-only ndarray (by copying it) before 2.9."""
    orig = torch.from_dlpack

    def from_dlpack(ext, *args, **kwargs):
        if isinstance(ext, np.ndarray) and not ext.flags.writeable:
            return torch.from_numpy(ext.copy())
        return orig(ext, *args, **kwargs)

    monkeypatch.setattr(torch, "from_dlpack", from_dlpack)
    name = "test_from_dlpack_of_a_read_only_ndarray_raises_buffer_error_before_2_9"
    assert_killed(run(pytester, spec(name)), name)


# --------------------------------------------------------------------------- numpy functions applied to a tensor


def _wrap_with(monkeypatch, convert):
    """Plant a Tensor.__array_wrap__ that hands numpy's result back through ``convert``."""
    monkeypatch.setattr(torch.Tensor, "__array_wrap__", lambda self, array, *rest: convert(array))


def test_array_wrap_returning_an_ndarray_is_killed(pytester, monkeypatch):
    """Plants a Tensor.__array_wrap__ that leaves numpy's result an ndarray: np.sin(t) is no longer a tensor."""
    _wrap_with(monkeypatch, lambda array: array)
    result = run(pytester, spec("test_a_numpy_function_of_a_cpu_tensor_returns_a_tensor_of_numpys_result"))
    assert_killed(result, "test_a_numpy_function_of_a_cpu_tensor_returns_a_tensor_of_numpys_result", "should return a torch.Tensor")


def test_slice_array_wrap_keeping_bool_results_bool_is_killed(pytester, monkeypatch):
    """Plants a Tensor.__array_wrap__ without the uint8 workaround: only a bool result (np.greater) changes, to a bool tensor."""
    _wrap_with(monkeypatch, lambda array: torch.from_numpy(array))
    result = run(pytester, spec("test_a_numpy_function_of_a_cpu_tensor_returns_a_tensor_of_numpys_result"))
    assert_killed(result, "test_a_numpy_function_of_a_cpu_tensor_returns_a_tensor_of_numpys_result", "gave dtype torch.bool")


def test_slice_array_wrap_casting_float64_results_to_float32_is_killed(pytester, monkeypatch):
    """Plants a Tensor.__array_wrap__ that hands float64 results back as float32 (the default dtype), others intact."""
    def convert(array):
        array = array.astype(np.uint8) if array.dtype == np.bool_ else array
        return torch.from_numpy(array.astype(np.float32) if array.dtype == np.float64 else array)

    _wrap_with(monkeypatch, convert)
    result = run(pytester, spec("test_a_numpy_function_of_a_cpu_tensor_returns_a_tensor_of_numpys_result"))
    assert_killed(result, "test_a_numpy_function_of_a_cpu_tensor_returns_a_tensor_of_numpys_result", "gave dtype torch.float32")


def test_array_wrap_taking_numpy_2s_arguments_shows_as_a_fixed_known_bug(pytester, monkeypatch):
    """Plants the proposed fix of pytorch#180657 (__array_wrap__ accepting context and return_scalar): with numpy
    >= 2 the known bug's strict xfail passes unexpectedly, and the run fails saying so."""
    if np.lib.NumpyVersion(np.__version__) < "2.0.0":
        import pytest

        pytest.skip("numpy 1 calls __array_wrap__ the old way: there is no known bug to see fixed")

    def array_wrap(self, array, context=None, return_scalar=False):
        return torch.from_numpy(array.astype(np.uint8) if array.dtype == np.bool_ else array)

    monkeypatch.setattr(torch.Tensor, "__array_wrap__", array_wrap)
    from specs.test_numpy_bridge import NUMPY_ON_TENSOR

    result = run(pytester, spec("test_a_numpy_function_of_a_tensor_warns_nothing"))
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed") == len(NUMPY_ON_TENSOR) and "XPASS(strict)" in result.stdout.str(), (
        f"{outcomes}\n{result.stdout.str()[-3000:]}"
    )


# --------------------------------------------------------------------------- value classes (specs/inputs.py's extremes)


def test_slice_from_numpy_zeroing_nan_in_float32_arrays_is_killed(pytester, monkeypatch):
    """Plants a from_numpy that reads nan as 0 in float32 arrays only: one value class of one dtype. Every case's
    first example holds every extreme (nan among them), so it is met on every run, not when a draw happens to."""
    orig = torch.from_numpy

    def from_numpy(a):
        if a.dtype == np.float32 and np.isnan(a).any():
            a = np.nan_to_num(a, nan=0.0)
        return orig(a)

    monkeypatch.setattr(torch, "from_numpy", from_numpy)
    result = run(pytester, spec("test_from_numpy_keeps_dtype_shape_and_values"))
    assert_killed(result, "test_from_numpy_keeps_dtype_shape_and_values[cpu-float32]")


# --------------------------------------------------------------------------- torch.asarray


def _patch_asarray(monkeypatch, fake):
    monkeypatch.setattr(torch, "asarray", fake)


def test_asarray_always_copying_is_killed(pytester, monkeypatch):
    """Plants torch.asarray that always copies (arrays and tensors), as torch.tensor does."""
    orig = torch.asarray
    _patch_asarray(monkeypatch, lambda obj, **kw: orig(obj, **{**kw, "copy": True}) if kw.get("copy") is not False else orig(obj, **kw).clone())
    result = run(pytester, spec("test_asarray_of_an_ndarray_shares_it_in_every_layout"), spec("test_asarray_of_a_tensor_is_that_tensor_and_copy_true_clones_it"))
    assert_killed(result, "test_asarray_of_an_ndarray_shares_it_in_every_layout", "test_asarray_of_a_tensor_is_that_tensor_and_copy_true_clones_it")


def test_slice_asarray_copying_transposed_arrays_is_killed(pytester, monkeypatch):
    """Plants torch.asarray that returns a contiguous copy of a Fortran-ordered (transposed) array only."""
    orig = torch.asarray

    def asarray(obj, **kw):
        t = orig(obj, **kw)
        if isinstance(obj, np.ndarray) and obj.ndim >= 2 and obj.flags.f_contiguous and not obj.flags.c_contiguous:
            return t.contiguous()
        return t

    _patch_asarray(monkeypatch, asarray)
    result = run(pytester, spec("test_asarray_of_an_ndarray_shares_it_in_every_layout"))
    assert_killed(result, "test_asarray_of_an_ndarray_shares_it_in_every_layout[cpu-default-uint8-transposed]",
                  "test_asarray_of_an_ndarray_shares_it_in_every_layout[cpu-copy=False-uint8-transposed]")


def test_slice_asarray_copy_false_copying_int16_arrays_is_killed(pytester, monkeypatch):
    """Plants torch.asarray(a, copy=False) that silently copies int16 arrays (every other dtype and copy=None still share)."""
    orig = torch.asarray

    def asarray(obj, **kw):
        t = orig(obj, **kw)
        return t.clone() if kw.get("copy") is False and isinstance(obj, np.ndarray) and obj.dtype == np.int16 else t

    _patch_asarray(monkeypatch, asarray)
    result = run(pytester, spec("test_asarray_of_an_ndarray_shares_it_in_every_layout"))
    assert_killed(result, "test_asarray_of_an_ndarray_shares_it_in_every_layout", "but should be the array's buffer")
    assert "copy=False-int16" in result.stdout.str() and "default-int16" not in "".join(
        rep.nodeid for rep in result.reprec.getfailures()), "only the copy=False int16 cases should fail"


def test_asarray_ignoring_copy_true_is_killed(pytester, monkeypatch):
    """Plants torch.asarray that ignores copy=True for arrays already of the right dtype and device (pytorch#108408's shape)."""
    orig = torch.asarray
    _patch_asarray(monkeypatch, lambda obj, copy=None, **kw: orig(obj, **kw) if copy else orig(obj, copy=copy, **kw))
    result = run(pytester, spec("test_asarray_with_copy_true_copies_an_ndarray"), spec("test_asarray_of_a_tensor_is_that_tensor_and_copy_true_clones_it"))
    assert_killed(result, "test_asarray_with_copy_true_copies_an_ndarray", "test_asarray_of_a_tensor_is_that_tensor_and_copy_true_clones_it")


def test_slice_asarray_copy_true_sharing_float16_arrays_is_killed(pytester, monkeypatch):
    """Plants torch.asarray(a, copy=True) that shares float16 arrays instead of copying them."""
    orig = torch.asarray

    def asarray(obj, copy=None, **kw):
        if copy and isinstance(obj, np.ndarray) and obj.dtype == np.float16:
            return orig(obj, **kw)
        return orig(obj, copy=copy, **kw)

    _patch_asarray(monkeypatch, asarray)
    result = run(pytester, spec("test_asarray_with_copy_true_copies_an_ndarray"))
    assert_killed(result, "test_asarray_with_copy_true_copies_an_ndarray", "but should be a copy")


def test_asarray_copy_false_converting_silently_is_killed(pytester, monkeypatch):
    """Plants torch.asarray(a, dtype=other, copy=False) that converts (copies) instead of raising."""
    orig = torch.asarray
    _patch_asarray(monkeypatch, lambda obj, copy=None, **kw: orig(obj, **kw) if copy is False and "dtype" in kw else orig(obj, copy=copy, **kw))
    result = run(pytester, spec("test_asarray_with_another_dtype_converts_into_new_memory_and_copy_false_refuses"))
    assert_killed(result, "test_asarray_with_another_dtype_converts_into_new_memory_and_copy_false_refuses", "raised no ValueError")


def test_asarray_ignoring_dtype_is_killed(pytester, monkeypatch):
    """Plants torch.asarray that ignores dtype= for arrays (keeps the array's dtype)."""
    orig = torch.asarray
    _patch_asarray(monkeypatch, lambda obj, dtype=None, **kw: orig(obj, **kw) if isinstance(obj, np.ndarray) and kw.get("copy") is not False else orig(obj, dtype=dtype, **kw))
    result = run(pytester, spec("test_asarray_with_another_dtype_converts_into_new_memory_and_copy_false_refuses"))
    assert_killed(result, "test_asarray_with_another_dtype_converts_into_new_memory_and_copy_false_refuses", ").dtype=torch.")


def test_slice_asarray_copy_true_packing_channels_last_tensors_is_killed(pytester, monkeypatch):
    """Plants torch.asarray(t, copy=True) that returns a contiguous copy of a channels_last tensor (clone with contiguous_format)."""
    orig = torch.asarray

    def asarray(obj, copy=None, **kw):
        out = orig(obj, copy=copy, **kw)
        return out.contiguous() if copy and isinstance(obj, torch.Tensor) and obj.dim() == 4 else out

    _patch_asarray(monkeypatch, asarray)
    result = run(pytester, spec("test_asarray_of_a_tensor_is_that_tensor_and_copy_true_clones_it"))
    assert_killed(result, "test_asarray_of_a_tensor_is_that_tensor_and_copy_true_clones_it", "[channels_last] torch.asarray(t, copy=True).stride()")


def test_asarray_switching_requires_grad_off_again_is_killed(pytester, monkeypatch):
    """Plants a torch >= 2.12 whose asarray(t) still switches a leaf's requires_grad off (the pre-2.12 default, pytorch#170819)."""
    orig = torch.asarray
    _patch_asarray(monkeypatch, lambda obj, requires_grad=False, **kw: orig(obj, requires_grad=requires_grad, **kw))
    result = run(pytester, spec("test_asarray_of_a_tensor_keeps_its_requires_grad_and_history_and_warns_from_2_12"))
    assert_killed(result, "test_asarray_of_a_tensor_keeps_its_requires_grad_and_history_and_warns_from_2_12")


def test_pre_2_12_asarray_keeping_requires_grad_is_killed(pytester, monkeypatch):
    """Plants a torch that reports 2.11.0 but keeps requires_grad in asarray (this build's behaviour): the <2.12 spec must fail."""
    monkeypatch.setattr(torch, "__version__", "2.11.0")
    result = run(pytester, spec("test_asarray_of_a_tensor_that_requires_grad_switches_it_off_before_2_12"))
    assert_killed(result, "test_asarray_of_a_tensor_that_requires_grad_switches_it_off_before_2_12", "is True after torch.asarray(t)")


def test_asarray_of_a_buffer_with_dtype_copying_is_killed(pytester, monkeypatch):
    """Plants torch.asarray(buffer, dtype=d) that copies the bytes instead of sharing them."""
    orig = torch.asarray
    _patch_asarray(monkeypatch, lambda obj, **kw: orig(obj, **kw).clone() if isinstance(obj, (bytearray, array.array)) else orig(obj, **kw))
    result = run(pytester, spec("test_asarray_of_a_buffer_with_a_dtype_reads_its_bytes_in_that_dtype_and_shares_them"))
    assert_killed(result, "test_asarray_of_a_buffer_with_a_dtype_reads_its_bytes_in_that_dtype_and_shares_them", "not shared")


def test_slice_asarray_of_a_buffer_converting_float64_values_is_killed(pytester, monkeypatch):
    """Plants torch.asarray(buffer, dtype=float64) that converts an array.array's values instead of reading its bytes."""
    orig = torch.asarray

    def asarray(obj, dtype=None, **kw):
        if isinstance(obj, array.array) and dtype == torch.float64:
            return torch.tensor(list(obj), dtype=dtype)
        return orig(obj, dtype=dtype, **kw)

    _patch_asarray(monkeypatch, asarray)
    result = run(pytester, spec("test_asarray_of_a_buffer_with_a_dtype_reads_its_bytes_in_that_dtype_and_shares_them"))
    assert_killed(result, "test_asarray_of_a_buffer_with_a_dtype_reads_its_bytes_in_that_dtype_and_shares_them[float64]",
                  "torch.asarray(array 'b', dtype=torch.float64) raised no ValueError")


def test_asarray_ignoring_the_default_device_for_python_data_is_killed(pytester, monkeypatch):
    """Plants a torch >= 2.1 whose asarray builds Python scalars and sequences on the cpu under any default device (2.0's behaviour, pytorch#106773)."""
    orig = torch.asarray

    def asarray(obj, device=None, **kw):
        if device is None and isinstance(obj, (int, float, bool, list, tuple)):
            device = "cpu"
        return orig(obj, device=device, **kw)

    _patch_asarray(monkeypatch, asarray)
    result = run(pytester, spec("test_asarray_of_python_data_is_built_on_the_default_device_from_2_1"))
    assert_killed(result, "test_asarray_of_python_data_is_built_on_the_default_device_from_2_1", "but should be on meta")


def test_pre_2_1_asarray_following_the_default_device_is_killed(pytester, monkeypatch):
    """Plants a torch that reports 2.0.1 but builds asarray's Python data on the default device (this build's behaviour): the <2.1 spec must fail."""
    monkeypatch.setattr(torch, "__version__", "2.0.1")
    result = run(pytester, spec("test_asarray_of_python_data_is_built_on_the_cpu_whatever_the_default_device_before_2_1"))
    assert_killed(result, "test_asarray_of_python_data_is_built_on_the_cpu_whatever_the_default_device_before_2_1", "but should be on the cpu")


def _outcome_fixed(result, count: int):
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed") == count and "XPASS(strict)" in result.stdout.str(), f"{outcomes}\n{result.stdout.str()[-3000:]}"


def test_asarray_sharing_0d_arrays_shows_as_a_fixed_known_bug(pytester, monkeypatch):
    """Plants the fix of the 0-d known bug (a 0-d ndarray aliased like any array): every case of its strict xfail passes unexpectedly, and the run fails saying so."""
    orig = torch.asarray

    def asarray(obj, **kw):
        if isinstance(obj, np.ndarray) and obj.ndim == 0 and not kw.get("copy") and "dtype" not in kw and "device" not in kw:
            return torch.from_numpy(obj)
        return orig(obj, **kw)

    _patch_asarray(monkeypatch, asarray)
    from specs.test_numpy_bridge import ASARRAY_SHARES, NUMPY_DTYPES

    result = run(pytester, spec("test_asarray_of_a_0d_ndarray_shares_it"))
    _outcome_fixed(result, len(ASARRAY_SHARES) * len([p for p in NUMPY_DTYPES if hasattr(torch, p.values[0].name)]))


def test_asarray_keeping_the_device_under_a_default_device_shows_as_a_fixed_known_bug(pytester, monkeypatch):
    """Plants the proposed fix of pytorch#150199 (pytorch#188795: what carries a device keeps it under a default device): the known bug's strict xfail passes unexpectedly."""
    orig = torch.asarray

    def asarray(obj, device=None, **kw):
        if device is None and isinstance(obj, (torch.Tensor, np.ndarray, np.generic, bytearray)):
            device = obj.device if isinstance(obj, torch.Tensor) else "cpu"
        return orig(obj, device=device, **kw)

    _patch_asarray(monkeypatch, asarray)
    from specs.test_numpy_bridge import OWN_DEVICE

    result = run(pytester, spec("test_asarray_keeps_the_device_of_what_has_one_under_a_default_device"))
    _outcome_fixed(result, len(OWN_DEVICE))


def test_pre_2_15_asarray_reading_a_buffers_format_is_killed(pytester, monkeypatch):
    """Plants a torch < 2.15 whose asarray already reads a buffer's format (2.15's pytorch#188784): the <2.15 spec must fail."""
    orig = torch.asarray
    formats = {"b": torch.int8, "B": torch.uint8, "h": torch.int16, "i": torch.int32, "q": torch.int64, "f": torch.float32, "d": torch.float64}

    def asarray(obj, dtype=None, **kw):
        if dtype is None and isinstance(obj, (bytearray, array.array)):
            dtype = formats[memoryview(obj).format]
        return orig(obj, dtype=dtype, **kw)

    _patch_asarray(monkeypatch, asarray)
    monkeypatch.setattr(torch, "__version__", "2.14.1")  # the spec is gated to < 2.15; this build may be 2.15
    result = run(pytester, spec("test_asarray_of_a_buffer_reads_its_bytes_as_the_default_float_dtype_before_2_15"))
    assert_killed(result, "test_asarray_of_a_buffer_reads_its_bytes_as_the_default_float_dtype_before_2_15")


def test_asarray_reading_a_buffer_as_float32_from_2_15_is_killed(pytester, monkeypatch):
    """Plants a torch 2.15 whose asarray still reads a buffer without dtype= as float32 bytes (the pre-2.15 behaviour): the >=2.15 spec must fail."""
    orig = torch.asarray

    def asarray(obj, dtype=None, **kw):
        if dtype is None and isinstance(obj, (bytearray, array.array)):
            dtype = torch.float32
        return orig(obj, dtype=dtype, **kw)

    _patch_asarray(monkeypatch, asarray)
    monkeypatch.setattr(torch, "__version__", "2.15.0")
    result = run(pytester, spec("test_asarray_of_a_buffer_takes_the_dtype_its_format_names_and_shares_it_from_2_15"))
    assert_killed(result, "test_asarray_of_a_buffer_takes_the_dtype_its_format_names_and_shares_it_from_2_15")


def test_from_numpy_converting_object_arrays_is_killed(pytester, monkeypatch):
    """Plants torch.from_numpy that reads an object array through its Python values instead of refusing it."""
    orig = torch.from_numpy
    monkeypatch.setattr(torch, "from_numpy", lambda a: torch.tensor(a.tolist()) if a.dtype == object else orig(a))
    result = run(pytester, spec("test_arrays_of_a_dtype_torch_lacks_are_refused_with_type_error"))
    assert_killed(result, "test_arrays_of_a_dtype_torch_lacks_are_refused_with_type_error[cpu-from_numpy]", "torch.from_numpy(object array, dtype object) raised no TypeError")


def test_slice_as_tensor_reading_datetime64_as_int64_is_killed(pytester, monkeypatch):
    """Plants torch.as_tensor that reads a datetime64 array as its int64 ticks (numpy's view) instead of refusing it."""
    orig = torch.as_tensor

    def as_tensor(data, *args, **kwargs):
        if isinstance(data, np.ndarray) and data.dtype.kind == "M":
            data = data.view(np.int64)
        return orig(data, *args, **kwargs)

    monkeypatch.setattr(torch, "as_tensor", as_tensor)
    result = run(pytester, spec("test_arrays_of_a_dtype_torch_lacks_are_refused_with_type_error"))
    assert_killed(result, "test_arrays_of_a_dtype_torch_lacks_are_refused_with_type_error[cpu-as_tensor]",
                  "torch.as_tensor(datetime64 array, dtype datetime64[D]) raised no TypeError")
    assert len([r for r in result.reprec.getfailures() if r.when == "call"]) == 1, "only the datetime64 as_tensor case should fail"


# --- release history, round 4 (release notes 2.10-2.15)


def _dlpack_ignoring_read_only(monkeypatch):
    orig = torch.Tensor.__dlpack__

    def __dlpack__(self, *, read_only=False, **kwargs):  # takes the keyword, exports writable whatever it says
        return orig(self, **kwargs)

    monkeypatch.setattr(torch.Tensor, "__dlpack__", __dlpack__)


def test_dlpack_export_ignoring_read_only_from_2_14_is_killed(pytester, monkeypatch):
    """Plants a torch 2.14 whose Tensor.__dlpack__ takes read_only but exports a writable capsule: numpy's array comes out writable."""
    _dlpack_ignoring_read_only(monkeypatch)
    monkeypatch.setattr(torch, "__version__", "2.14.1")
    name = "test_dlpack_export_with_read_only_gives_numpy_a_read_only_array_sharing_the_tensor_from_2_14"
    result = run(pytester, spec(name))
    assert_killed(result, f"{name}[float32]", "is writable, but should be read-only")


def test_dlpack_export_taking_read_only_before_2_14_is_killed(pytester, monkeypatch):
    """Plants a torch 2.13 whose Tensor.__dlpack__ already takes a read_only keyword: the <2.14 spec must fail."""
    _dlpack_ignoring_read_only(monkeypatch)
    monkeypatch.setattr(torch, "__version__", "2.13.0")
    name = "test_dlpack_export_refuses_a_read_only_keyword_before_2_14"
    result = run(pytester, spec(name))
    assert_killed(result, name, "raised no TypeError")


# --------------------------------------------------------------------------- as_tensor in every layout (blind battery round 5)

AS_TENSOR_LAYOUTS = "test_as_tensor_shares_an_array_in_every_layout_from_numpy_takes"


def test_slice_as_tensor_copying_a_step_sliced_array_is_killed(pytester, monkeypatch):
    """Plants torch.as_tensor that copies an ndarray with gaps between its elements (a fast path for dense arrays only)."""
    orig = torch.as_tensor

    def as_tensor(data, *args, **kwargs):
        if isinstance(data, np.ndarray) and data.size and not (data.flags.c_contiguous or data.flags.f_contiguous) \
                and all(s > 0 for s in data.strides) and data.ndim and data.strides[-1] > data.itemsize:
            return orig(data.copy(), *args, **kwargs)
        return orig(data, *args, **kwargs)

    monkeypatch.setattr(torch, "as_tensor", as_tensor)
    result = run(pytester, f"{MOD}::{AS_TENSOR_LAYOUTS}")
    assert_killed(result, f"{AS_TENSOR_LAYOUTS}[cpu-int8-step_sliced]")


def test_as_tensor_copying_every_non_contiguous_array_is_killed(pytester, monkeypatch):
    """Plants torch.as_tensor that shares only C-contiguous arrays."""
    orig = torch.as_tensor

    def as_tensor(data, *args, **kwargs):
        if isinstance(data, np.ndarray) and not data.flags.c_contiguous:
            data = np.ascontiguousarray(data)
        return orig(data, *args, **kwargs)

    monkeypatch.setattr(torch, "as_tensor", as_tensor)
    result = run(pytester, f"{MOD}::{AS_TENSOR_LAYOUTS}")
    assert_killed(result, f"{AS_TENSOR_LAYOUTS}[cpu-uint8-transposed]", f"{AS_TENSOR_LAYOUTS}[cpu-int8-step_sliced]")
