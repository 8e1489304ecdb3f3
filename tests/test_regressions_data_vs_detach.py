"""Planted regressions for specs/test_data_vs_detach.py: each breaks one or more claims and must be killed."""

from __future__ import annotations

import pytest
import torch

from specs.helpers import torch_at_least
from tests.plant import CLAIMS, SPECS, assert_killed, assert_passed, run


import torch._dynamo  # noqa: E402  (tests/plant.py compiles once at collection)


MOD = "test_data_vs_detach.py"
SPEC_NAMES = [line.split("(")[0].removeprefix("def ") for line in (SPECS / MOD).read_text().splitlines()
              if line.startswith("def test_")]
DATA = torch._C.TensorBase.data  # the getset descriptor behind Tensor.data


def specs(*names):
    return [f"{MOD}::{n}" for n in names]


def data_property(getter):
    """A Tensor.data property with a planted getter and the real setter."""
    return property(getter, lambda self, value: DATA.__set__(self, value))


def test_control_specs_pass_unpatched(pytester):
    """Control: without a planted regression the module's specs pass."""
    # the known-bug spec (a strict xfail on 2.14) is left out: a control run passes only
    known_bug = "test_a_write_through_data_on_an_input_leaves_its_version_counter_alone_under_compile"
    assert_passed(run(pytester, *specs(*(name for name in CLAIMS if name in SPEC_NAMES and name != known_bug))))


def test_data_that_copies_is_killed(pytester, monkeypatch):
    """Plants Tensor.data returning a copy of the values instead of an alias of the storage."""
    monkeypatch.setattr(torch.Tensor, "data", data_property(lambda self: DATA.__get__(self).clone()))
    result = run(pytester, *specs("test_data_and_detach_share_storage_and_have_no_history"))
    assert_killed(result, "test_data_and_detach_share_storage_and_have_no_history")


def test_data_made_safe_like_detach_is_killed(pytester, monkeypatch):
    """Plants Tensor.data behaving like detach(): it shares the version counter, so writes are detected."""
    monkeypatch.setattr(torch.Tensor, "data", data_property(lambda self: self.detach()))
    result = run(
        pytester,
        *specs(
            "test_note_example_data_gives_a_silently_wrong_gradient",
            "test_inplace_write_through_data_into_a_saved_tensor_is_never_detected",
            "test_inplace_through_detach_bumps_the_version_and_through_data_does_not",
        ),
    )
    assert_killed(
        result,
        "test_note_example_data_gives_a_silently_wrong_gradient",
        "test_inplace_write_through_data_into_a_saved_tensor_is_never_detected",
        "test_inplace_through_detach_bumps_the_version_and_through_data_does_not",
    )


def test_detach_with_its_own_version_counter_is_killed(pytester, monkeypatch):
    """Plants Tensor.detach behaving like .data: a fresh version counter, so writes through it go unnoticed."""
    monkeypatch.setattr(torch.Tensor, "detach", lambda self: DATA.__get__(self))
    result = run(
        pytester,
        *specs(
            "test_note_example_detach_raises_at_backward",
            "test_inplace_write_through_detach_into_a_saved_tensor_is_always_detected",
            "test_inplace_through_detach_bumps_the_version_and_through_data_does_not",
        ),
    )
    assert_killed(
        result,
        "test_note_example_detach_raises_at_backward",
        "test_inplace_write_through_detach_into_a_saved_tensor_is_always_detected",
        "test_inplace_through_detach_bumps_the_version_and_through_data_does_not",
    )


def test_detach_that_copies_is_killed(pytester, monkeypatch):
    """Plants Tensor.detach returning a copy: shares no storage (and the write never reaches the saved tensor)."""
    orig = torch.Tensor.detach
    monkeypatch.setattr(torch.Tensor, "detach", lambda self: orig(self).clone())
    result = run(
        pytester,
        *specs("test_data_and_detach_share_storage_and_have_no_history", "test_note_example_detach_raises_at_backward"),
    )
    assert_killed(
        result,
        "test_data_and_detach_share_storage_and_have_no_history",
        "test_note_example_detach_raises_at_backward",
    )


def _contiguous_strides(shape):
    strides, step = [], 1
    for size in reversed(shape):
        strides.insert(0, step)
        step *= max(size, 1)
    return tuple(strides)


def test_data_returning_a_scrambled_view_is_killed(pytester, monkeypatch):
    """Plants Tensor.data returning a view of the same storage, same shape, but with contiguous strides (x's element order scrambled)."""

    def scrambled(self):
        v = DATA.__get__(self)
        return v.as_strided(v.shape, _contiguous_strides(v.shape), v.storage_offset())

    monkeypatch.setattr(torch.Tensor, "data", data_property(scrambled))
    result = run(pytester, *specs("test_data_and_detach_share_storage_and_have_no_history"))
    assert_killed(result, "test_data_and_detach_share_storage_and_have_no_history", "(shape, stride, offset, conj, neg)=")


# --------------------------------------------------------------------------- slice regressions (one slice only)


def test_slice_data_copying_non_contiguous_tensors_only_is_killed(pytester, monkeypatch):
    """Plants Tensor.data that copies (instead of aliasing) only when x is not contiguous."""

    def data(self):
        v = DATA.__get__(self)
        return v if v.is_contiguous() else v.clone()

    monkeypatch.setattr(torch.Tensor, "data", data_property(data))
    result = run(pytester, *specs("test_data_and_detach_share_storage_and_have_no_history"))
    assert_killed(result, "test_data_and_detach_share_storage_and_have_no_history")


def test_slice_detach_keeping_requires_grad_for_complex_only_is_killed(pytester, monkeypatch):
    """Plants Tensor.detach that keeps requires_grad=True for complex tensors only."""
    orig = torch.Tensor.detach

    def detach(self):
        out = orig(self)
        return out.requires_grad_(self.requires_grad) if self.is_complex() else out

    monkeypatch.setattr(torch.Tensor, "detach", detach)
    result = run(pytester, *specs("test_data_and_detach_share_storage_and_have_no_history"))
    assert_killed(result, "test_data_and_detach_share_storage_and_have_no_history", ".detach(): requires_grad=True")


def test_slice_data_dropping_the_storage_offset_is_killed(pytester, monkeypatch):
    """Plants Tensor.data that drops x's storage offset (wrong only for views that start past element 0)."""

    def data(self):
        v = DATA.__get__(self)
        return v.as_strided(v.shape, v.stride(), 0)

    monkeypatch.setattr(torch.Tensor, "data", data_property(data))
    result = run(pytester, *specs("test_data_and_detach_share_storage_and_have_no_history"))
    assert_killed(result, "test_data_and_detach_share_storage_and_have_no_history")


def test_slice_data_of_a_0d_tensor_returning_1d_is_killed(pytester, monkeypatch):
    """Plants Tensor.data that returns a 1-element 1-d view for 0-d tensors only."""

    def data(self):
        v = DATA.__get__(self)
        return v.reshape(1) if v.dim() == 0 else v

    monkeypatch.setattr(torch.Tensor, "data", data_property(data))
    result = run(pytester, *specs("test_data_and_detach_share_storage_and_have_no_history"))
    assert_killed(result, "test_data_and_detach_share_storage_and_have_no_history", "(shape, stride, offset, conj, neg)=((1,)")


def test_slice_data_toggling_the_conjugate_bit_is_killed(pytester, monkeypatch):
    """Plants Tensor.data that drops a conjugate bit (``conj()`` of a conjugated view: same memory, unconjugated values)."""

    def data(self):
        v = DATA.__get__(self)
        return v.conj() if v.is_conj() else v

    monkeypatch.setattr(torch.Tensor, "data", data_property(data))
    spec = "test_data_and_detach_share_storage_and_have_no_history"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-complex64-conj_bit]")), f"{spec}[cpu-complex64-conj_bit]")


def test_slice_detach_dropping_the_negative_bit_is_killed(pytester, monkeypatch):
    """Plants Tensor.detach that drops a negative bit (same memory, negated values)."""
    orig = torch.Tensor.detach
    monkeypatch.setattr(torch.Tensor, "detach", lambda self: torch._neg_view(orig(self)) if self.is_neg() else orig(self))
    spec = "test_data_and_detach_share_storage_and_have_no_history"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-float32-neg_bit]")), f"{spec}[cpu-float32-neg_bit]")


def test_slice_detach_materializing_an_expanded_tensor_is_killed(pytester, monkeypatch):
    """Plants Tensor.detach that copies a tensor with a stride-0 dim (an expanded one) instead of aliasing it."""
    orig = torch.Tensor.detach
    monkeypatch.setattr(torch.Tensor, "detach", lambda self: orig(self).clone() if 0 in self.stride() else orig(self))
    spec = "test_data_and_detach_share_storage_and_have_no_history"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-float64-expanded]")), f"{spec}[cpu-float64-expanded]")


def test_slice_data_copying_bfloat16_only_is_killed(pytester, monkeypatch):
    """Plants Tensor.data that copies bfloat16 tensors (an alias for every other dtype)."""

    def data(self):
        v = DATA.__get__(self)
        return v.clone() if v.dtype == torch.bfloat16 else v

    monkeypatch.setattr(torch.Tensor, "data", data_property(data))
    spec = "test_data_and_detach_share_storage_and_have_no_history"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-bfloat16-channels_last]")), f"{spec}[cpu-bfloat16-channels_last]")


def test_slice_copy_skipping_the_version_counter_is_killed(pytester, monkeypatch):
    """Plants ``Tensor.copy_`` that writes through ``.data``: a write through detach() by copy_ is no longer seen."""
    orig = torch.Tensor.copy_
    monkeypatch.setattr(torch.Tensor, "copy_", lambda self, src, *a, **k: (orig(self.data, src, *a, **k), self)[1])
    result = run(pytester, *specs("test_inplace_write_through_detach_into_a_saved_tensor_is_always_detected[cpu-copy_]",
                                  "test_inplace_through_detach_bumps_the_version_and_through_data_does_not[cpu-float32]"))
    assert_killed(result, "test_inplace_write_through_detach_into_a_saved_tensor_is_always_detected[cpu-copy_]",
                  "test_inplace_through_detach_bumps_the_version_and_through_data_does_not[cpu-float32]")


def test_slice_add_out_skipping_the_version_counter_is_killed(pytester, monkeypatch):
    """Plants ``torch.add(..., out=a)`` that writes through ``a.data``: the out= write through detach() goes unseen."""
    orig = torch.add

    def add(*args, out=None, **kwargs):
        if out is None:
            return orig(*args, **kwargs)
        orig(*args, out=out.data, **kwargs)
        return out

    monkeypatch.setattr(torch, "add", add)
    spec = "test_inplace_write_through_detach_into_a_saved_tensor_is_always_detected"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-add-out]")), f"{spec}[cpu-add-out]")


def test_slice_detach_with_its_own_counter_for_float16_only_is_killed(pytester, monkeypatch):
    """Plants Tensor.detach behaving like .data (a fresh version counter) for float16 tensors only."""
    orig = torch.Tensor.detach
    monkeypatch.setattr(torch.Tensor, "detach", lambda self: DATA.__get__(self) if self.dtype == torch.float16 else orig(self))
    result = run(pytester, *specs("test_inplace_write_through_detach_into_a_saved_tensor_is_always_detected[cpu-fill_]",
                                  "test_inplace_through_detach_bumps_the_version_and_through_data_does_not[cpu-float16]"))
    assert_killed(result, "test_inplace_write_through_detach_into_a_saved_tensor_is_always_detected[cpu-fill_]",
                  "test_inplace_through_detach_bumps_the_version_and_through_data_does_not[cpu-float16]")


def test_slice_data_sharing_the_counter_for_complex128_only_is_killed(pytester, monkeypatch):
    """Plants Tensor.data behaving like detach() (writes detected) for complex128 tensors only."""

    def data(self):
        return self.detach() if self.dtype == torch.complex128 else DATA.__get__(self)

    monkeypatch.setattr(torch.Tensor, "data", data_property(data))
    spec = "test_inplace_write_through_data_into_a_saved_tensor_is_never_detected"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-mul_]")), f"{spec}[cpu-mul_]", "torch.complex128")


# found by the battery (issue 21)


def test_slice_detach_of_an_empty_tensor_returning_it_is_killed(pytester, monkeypatch):
    """Plants Tensor.detach returning an empty tensor itself (a numel() == 0 shortcut that keeps its history)."""
    orig = torch.Tensor.detach
    monkeypatch.setattr(torch.Tensor, "detach", lambda self: self if self.numel() == 0 else orig(self))
    spec = "test_data_and_detach_share_storage_and_have_no_history"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-float32-contiguous]")), f"{spec}[cpu-float32-contiguous]")


def test_slice_data_of_an_empty_tensor_requiring_grad_is_killed(pytester, monkeypatch):
    """Plants Tensor.data of an empty tensor keeping requires_grad (an alias made without clearing the flag)."""

    def data(self):
        out = DATA.__get__(self)
        return out.requires_grad_(self.requires_grad) if self.numel() == 0 else out

    monkeypatch.setattr(torch.Tensor, "data", data_property(data))
    spec = "test_data_and_detach_share_storage_and_have_no_history"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-complex128-contiguous]")), f"{spec}[cpu-complex128-contiguous]")


def test_data_setter_doing_nothing_is_killed(pytester, monkeypatch):
    """Plants a Tensor.data setter that silently ignores the assignment."""
    monkeypatch.setattr(torch.Tensor, "data", property(DATA.__get__, lambda self, value: None))
    spec = "test_assigning_data_swaps_the_storage_behind_autograds_back"
    assert_killed(run(pytester, *specs(spec)), spec)


def test_data_setter_copying_the_values_is_killed(pytester, monkeypatch):
    """Plants x.data = t copying t's values into a fresh buffer (x no longer aliases t)."""
    monkeypatch.setattr(torch.Tensor, "data", property(DATA.__get__, lambda self, value: DATA.__set__(self, value.clone())))
    spec = "test_assigning_data_swaps_the_storage_behind_autograds_back"
    assert_killed(run(pytester, *specs(spec)), spec)


def test_data_setter_bumping_the_version_is_killed(pytester, monkeypatch):
    """Plants x.data = t bumping x's version counter (as an in-place write would)."""

    def setter(self, value):
        DATA.__set__(self, value)
        self.detach().add_(0)

    monkeypatch.setattr(torch.Tensor, "data", property(DATA.__get__, setter))
    spec = "test_assigning_data_swaps_the_storage_behind_autograds_back"
    assert_killed(run(pytester, *specs(spec)), spec)


def test_slice_data_setter_refusing_float16_is_killed(pytester, monkeypatch):
    """Plants x.data = t refusing float16 tensors (a dtype check that forgot half)."""

    def setter(self, value):
        if value.dtype == torch.float16:
            raise RuntimeError("data set to a tensor that requires gradients must be floating point or complex dtype")
        DATA.__set__(self, value)

    monkeypatch.setattr(torch.Tensor, "data", property(DATA.__get__, setter))
    spec = "test_assigning_data_swaps_the_storage_behind_autograds_back"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-float16]")), f"{spec}[cpu-float16]")


# --------------------------------------------------------------------------- under torch.compile


def _compile_wrapping(wrap):
    orig = torch.compile

    def compile(fn, *args, **kwargs):
        return wrap(orig(fn, *args, **kwargs))

    return compile


def test_compiled_aliases_returned_as_copies_is_killed(pytester, monkeypatch):
    """Plants a torch.compile whose compiled function returns copies where eager returns x.detach() / x.data (aliases of x)."""
    monkeypatch.setattr(torch, "compile", _compile_wrapping(
        lambda compiled: lambda *a: tuple(t.clone() if not t.requires_grad else t for t in compiled(*a))))
    spec = "test_writes_through_data_and_detach_inside_a_compiled_function_act_as_in_eager_under_compile"
    assert_killed(run(pytester, *specs(spec)), spec, "does not share memory")


def test_compiled_call_running_without_grad_is_killed(pytester, monkeypatch):
    """Plants a torch.compile whose compiled function runs under no_grad (no joint graph: the stale saved tensor goes unseen)."""
    def wrap(compiled):
        def call(*a):
            with torch.no_grad():
                return compiled(*a)
        return call

    monkeypatch.setattr(torch, "compile", _compile_wrapping(wrap))
    spec = "test_a_write_through_detach_into_a_saved_tensor_inside_a_compiled_function_raises_at_the_call_under_compile"
    assert_killed(run(pytester, *specs(spec)), spec, "the compiled call in grad mode raised no RuntimeError")


@pytest.mark.skipif(torch_at_least("2.14"), reason="the spec is a known bug (strict xfail) from 2.14")
def test_compiled_data_write_moving_the_version_is_killed(pytester, monkeypatch):
    """Plants a torch.compile whose compiled function moves its first input's version counter (an extra no-op in-place op)."""
    def wrap(compiled):
        def call(*a):
            out = compiled(*a)
            a[0].add_(0)
            return out
        return call

    monkeypatch.setattr(torch, "compile", _compile_wrapping(wrap))
    spec = "test_a_write_through_data_on_an_input_leaves_its_version_counter_alone_under_compile"
    assert_killed(run(pytester, *specs(spec)), spec, "version counter moved")


ASSIGN_SPEC = "test_assigning_data_inside_a_compiled_function_acts_as_in_eager_under_compile"


@pytest.mark.skipif(not torch_at_least("2.14"), reason="the spec is a known bug (strict xfail) before 2.14 (pytorch#113030, #139152)")
def test_compiled_data_assignment_moving_the_version_is_killed(pytester, monkeypatch):
    """Plants the 2.2-2.13 behaviour (pytorch#139152): the compiled x.data = y moves the version counter of the rebound x (an extra no-op in-place op)."""
    def wrap(compiled):
        def call(*a):
            out = compiled(*a)
            with torch.no_grad():
                a[0].add_(0)
            return out
        return call

    monkeypatch.setattr(torch, "compile", _compile_wrapping(wrap))
    assert_killed(run(pytester, *specs(ASSIGN_SPEC)), ASSIGN_SPEC, "input 0 version counter moved=True")


@pytest.mark.skipif(not torch_at_least("2.14"), reason="the spec is a known bug (strict xfail) before 2.14 (pytorch#113030, #139152)")
def test_slice_compiled_data_rebinding_following_the_source_is_killed(pytester, monkeypatch):
    """Slice: the 2.1 behaviour (pytorch#113030): after the compiled x.data = y, a later y.data = ... rebinds x too (x ends up as y's new, empty data)."""
    def wrap(compiled):
        def call(x, y, z):
            out = compiled(x, y, z)
            x.data = y.data
            return out
        return call

    monkeypatch.setattr(torch, "compile", _compile_wrapping(wrap))
    assert_killed(run(pytester, *specs(ASSIGN_SPEC)), ASSIGN_SPEC, "input 0 after the call")
