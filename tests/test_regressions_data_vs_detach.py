"""Planted regressions for specs/test_data_vs_detach.py: each breaks one or more claims and must be killed."""

from __future__ import annotations

import pytest
import torch

from specs.helpers import torch_at_least
from tests.plant import CLAIMS, SPECS, TENSOR_BASE, assert_killed, assert_passed, run


import torch._dynamo  # noqa: E402  (tests/plant.py compiles once at collection)


MOD = "test_data_vs_detach.py"
SPEC_NAMES = [line.split("(")[0].removeprefix("def ") for line in (SPECS / MOD).read_text().splitlines()
              if line.startswith("def test_")]
DATA = TENSOR_BASE.data  # the getset descriptor behind Tensor.data


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
            "test_writes_through_x_move_the_version_of_detach_but_never_of_data",
            "test_metadata_changes_through_detach_move_x_version_and_through_data_do_not",
        ),
    )
    assert_killed(
        result,
        "test_note_example_data_gives_a_silently_wrong_gradient",
        "test_inplace_write_through_data_into_a_saved_tensor_is_never_detected",
        "test_inplace_through_detach_bumps_the_version_and_through_data_does_not",
        "test_writes_through_x_move_the_version_of_detach_but_never_of_data",
        "test_metadata_changes_through_detach_move_x_version_and_through_data_do_not",
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
            "test_writes_through_x_move_the_version_of_detach_but_never_of_data",
            "test_metadata_changes_through_detach_move_x_version_and_through_data_do_not",
        ),
    )
    assert_killed(
        result,
        "test_note_example_detach_raises_at_backward",
        "test_inplace_write_through_detach_into_a_saved_tensor_is_always_detected",
        "test_inplace_through_detach_bumps_the_version_and_through_data_does_not",
        "test_writes_through_x_move_the_version_of_detach_but_never_of_data",
        "test_metadata_changes_through_detach_move_x_version_and_through_data_do_not",
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
    assert_killed(run(pytester, *specs(f"{spec}[cpu-conj_bit]")), f"{spec}[cpu-conj_bit]",
                  "torch.complex64 conj_bit x.data: (shape, stride, offset, conj, neg)=")


def test_slice_detach_dropping_the_negative_bit_is_killed(pytester, monkeypatch):
    """Plants Tensor.detach that drops a negative bit (same memory, negated values)."""
    orig = torch.Tensor.detach
    monkeypatch.setattr(torch.Tensor, "detach", lambda self: torch._neg_view(orig(self)) if self.is_neg() else orig(self))
    spec = "test_data_and_detach_share_storage_and_have_no_history"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-neg_bit]")), f"{spec}[cpu-neg_bit]",
                  "neg_bit x.detach(): (shape, stride, offset, conj, neg)=")


def test_slice_detach_materializing_an_expanded_tensor_is_killed(pytester, monkeypatch):
    """Plants Tensor.detach that copies a tensor with a stride-0 dim (an expanded one) instead of aliasing it."""
    orig = torch.Tensor.detach
    monkeypatch.setattr(torch.Tensor, "detach", lambda self: orig(self).clone() if 0 in self.stride() else orig(self))
    spec = "test_data_and_detach_share_storage_and_have_no_history"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-expanded]")), f"{spec}[cpu-expanded]", "expanded x.detach() storage=")


def test_slice_data_copying_bfloat16_only_is_killed(pytester, monkeypatch):
    """Plants Tensor.data that copies bfloat16 tensors (an alias for every other dtype)."""

    def data(self):
        v = DATA.__get__(self)
        return v.clone() if v.dtype == torch.bfloat16 else v

    monkeypatch.setattr(torch.Tensor, "data", data_property(data))
    spec = "test_data_and_detach_share_storage_and_have_no_history"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-channels_last]")), f"{spec}[cpu-channels_last]",
                  "torch.bfloat16 channels_last x.data storage=")


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
    assert_killed(run(pytester, *specs(f"{spec}[cpu-contiguous]")), f"{spec}[cpu-contiguous]", " empty.detach(): (is x,")


def test_slice_data_of_an_empty_tensor_requiring_grad_is_killed(pytester, monkeypatch):
    """Plants Tensor.data of an empty tensor keeping requires_grad (an alias made without clearing the flag)."""

    def data(self):
        out = DATA.__get__(self)
        return out.requires_grad_(self.requires_grad) if self.numel() == 0 else out

    monkeypatch.setattr(torch.Tensor, "data", data_property(data))
    spec = "test_data_and_detach_share_storage_and_have_no_history"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-contiguous]")), f"{spec}[cpu-contiguous]", " empty.data: (is x,")


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


# --------------------------------------------------------------------------- Parameters, tensor types, version counters


def test_parameter_detach_returning_a_parameter_is_killed(pytester, monkeypatch):
    """Plants nn.Parameter.detach returning a (frozen) Parameter instead of a plain Tensor."""
    orig = torch.Tensor.detach
    monkeypatch.setattr(torch.nn.Parameter, "detach", lambda self: torch.nn.Parameter(orig(self), requires_grad=False),
                        raising=False)
    spec = "test_data_and_detach_of_a_parameter_are_plain_tensors"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-.detach()-Parameter]")), f"{spec}[cpu-.detach()-Parameter]")


def test_slice_data_dropping_a_tensor_subclass_is_killed(pytester, monkeypatch):
    """Plants Tensor.data returning a plain Tensor for every subclass (the Parameter rule applied to all of them)."""
    monkeypatch.setattr(torch.Tensor, "data", data_property(lambda self: DATA.__get__(self).as_subclass(torch.Tensor)))
    spec = "test_data_and_detach_of_a_parameter_are_plain_tensors"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-.data-Tensor subclass]")), f"{spec}[cpu-.data-Tensor subclass]")


def test_data_setter_on_a_parameter_copying_is_killed(pytester, monkeypatch):
    """Plants p.data = t that copies t into new memory: p is no longer t's alias, the optimizer's step misses t."""
    monkeypatch.setattr(torch.Tensor, "data", property(DATA.__get__, lambda self, value: DATA.__set__(self, value.clone())))
    spec = "test_assigning_data_keeps_a_parameter_registered_and_stepped_by_its_optimizer"
    assert_killed(run(pytester, *specs(spec)), spec)


def test_slice_data_setter_turning_requires_grad_on_is_killed(pytester, monkeypatch):
    """Plants p.data = t on a Parameter that turns requires_grad on (a frozen parameter thawed by the rebinding)."""

    def setter(self, value):
        DATA.__set__(self, value)
        if isinstance(self, torch.nn.Parameter):
            self.requires_grad_(True)

    monkeypatch.setattr(torch.Tensor, "data", property(DATA.__get__, setter))
    spec = "test_assigning_data_keeps_a_parameter_registered_and_stepped_by_its_optimizer"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-same shape-frozen]")), f"{spec}[cpu-same shape-frozen]")


def test_slice_data_setter_densifying_a_sparse_tensor_is_killed(pytester, monkeypatch):
    """Plants x.data = t that densifies a sparse COO t instead of refusing it."""

    def setter(self, value):
        DATA.__set__(self, value.to_dense() if value.layout == torch.sparse_coo else value)

    monkeypatch.setattr(torch.Tensor, "data", property(DATA.__get__, setter))
    spec = "test_assigning_data_accepts_any_dense_tensor_and_refuses_other_tensor_types"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-sparse_coo t]")), f"{spec}[cpu-sparse_coo t]")


def test_slice_data_setter_refusing_an_integer_tensor_is_killed(pytester, monkeypatch):
    """Plants x.data = t refusing integer t even for an x that does not require grad."""

    def setter(self, value):
        if not (value.is_floating_point() or value.is_complex()):
            raise RuntimeError("data set to a tensor that requires gradients must be floating point or complex dtype")
        DATA.__set__(self, value)

    monkeypatch.setattr(torch.Tensor, "data", property(DATA.__get__, setter))
    spec = "test_assigning_data_accepts_any_dense_tensor_and_refuses_other_tensor_types"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-int64 t]")), f"{spec}[cpu-int64 t]")


def test_slice_detach_of_a_view_with_its_own_counter_is_killed(pytester, monkeypatch):
    """Plants Tensor.detach giving a view a fresh version counter (as .data does): later writes to x or its base go unseen."""
    orig = torch.Tensor.detach
    monkeypatch.setattr(torch.Tensor, "detach", lambda self: DATA.__get__(self) if self._is_view() else orig(self))
    spec = "test_writes_through_x_move_the_version_of_detach_but_never_of_data"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-x a view, write to its base]")), f"{spec}[cpu-x a view, write to its base]")


class _ByIdentity:
    """alias -> source, weak on the alias and looked up by identity: a WeakKeyDictionary compares two keys of one
    hash with ==, which a tensor answers elementwise ("Boolean value of Tensor ... is ambiguous") -- as it did once a
    spec made several aliases in one test (a dead alias's id reused before its entry was dropped)."""

    def __init__(self):
        self._entries = {}

    def __setitem__(self, key, value):
        import weakref

        def drop(ref, k=id(key)):
            if self._entries.get(k, (None,))[0] is ref:
                del self._entries[k]

        self._entries[id(key)] = (weakref.ref(key, drop), value)

    def get(self, key, default=None):
        ref, value = self._entries.get(id(key), (None, default))
        return value if ref is not None and ref() is key else default


def _aliases_of(monkeypatch):
    """Patch Tensor.detach to remember each alias's source: a registry alias -> x, weak on the alias."""
    sources = _ByIdentity()
    orig = torch.Tensor.detach

    def detach(self):
        out = orig(self)
        sources[out] = self
        return out

    monkeypatch.setattr(torch.Tensor, "detach", detach)
    return sources


def test_slice_transpose_through_detach_reaching_x_is_killed(pytester, monkeypatch):
    """Plants a detach() whose t_() reaches x too (the alias sharing x's sizes and strides, as before the Variable/Tensor split)."""
    sources = _aliases_of(monkeypatch)
    orig_t_ = torch.Tensor.t_

    def t_(self):
        source = sources.get(self)
        if source is not None:
            with torch.no_grad():
                orig_t_(source)
        return orig_t_(self)

    monkeypatch.setattr(torch.Tensor, "t_", t_)
    spec = "test_metadata_changes_through_data_or_detach_change_the_alias_only"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-t_]")), f"{spec}[cpu-t_]", "x after .detach().t_: (shape, stride, offset)=")


def test_slice_metadata_change_refused_as_before_1_13_is_killed(pytester, monkeypatch):
    """Plants the 1.12 refusal: resize_ raises "set_sizes_contiguous is not allowed on a Tensor created from .data or .detach()"."""

    def resize_(self, *size, **kwargs):
        raise RuntimeError("set_sizes_contiguous is not allowed on a Tensor created from .data or .detach().")

    monkeypatch.setattr(torch.Tensor, "resize_", resize_)
    spec = "test_metadata_changes_through_data_or_detach_change_the_alias_only"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-resize_(50)]")), f"{spec}[cpu-resize_(50)]",
                  ".data.resize_(50) raised set_sizes_contiguous is not allowed")


def _set_version(t, version):
    try:
        torch._C._autograd._unsafe_set_version_counter((t,), (version,))
    except TypeError:  # before the tuple form
        torch._C._autograd._unsafe_set_version_counter(t, version)


@pytest.mark.skipif(not torch_at_least("2.1"), reason="the resize cases are gated to >=2.1 (resize_ moved no counter before)")
def test_slice_resize_not_counted_as_a_write_is_killed(pytester, monkeypatch):
    """Plants the 2.0 behaviour (pytorch#93776): resize_ changes the size without moving the version counter."""
    orig = torch.Tensor.resize_

    def resize_(self, *size, **kwargs):
        version = self._version
        out = orig(self, *size, **kwargs)
        _set_version(self, version)
        return out

    monkeypatch.setattr(torch.Tensor, "resize_", resize_)
    spec = "test_metadata_changes_through_detach_move_x_version_and_through_data_do_not"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-resize_(50)]")), f"{spec}[cpu-resize_(50)]",
                  ".data.resize_(50): (x's version step, the alias's version step)=(0, 0), but should be (0, 1)")


def test_slice_transpose_through_detach_not_counted_is_killed(pytester, monkeypatch):
    """Plants transpose_ as a pure metadata change that moves no version counter (x.detach().transpose_() goes unseen)."""
    orig = torch.Tensor.transpose_

    def transpose_(self, *args, **kwargs):
        version = self._version
        out = orig(self, *args, **kwargs)
        _set_version(self, version)
        return out

    monkeypatch.setattr(torch.Tensor, "transpose_", transpose_)
    spec = "test_metadata_changes_through_detach_move_x_version_and_through_data_do_not"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-transpose_]")), f"{spec}[cpu-transpose_]",
                  ".data.transpose_: (x's version step, the alias's version step)=(0, 0), but should be (0, 1)")


@pytest.mark.skipif(torch_at_least("2.1"), reason="the spec is gated to torch<2.1")
def test_resize_counted_as_a_write_before_2_1_is_killed(pytester, monkeypatch):
    """Plants the 2.1 behaviour on an older torch: resize_ through detach() moves the shared version counter."""
    orig = torch.Tensor.resize_

    def resize_(self, *size, **kwargs):
        out = orig(self, *size, **kwargs)
        with torch.no_grad():
            self.add_(0)
        return out

    monkeypatch.setattr(torch.Tensor, "resize_", resize_)
    spec = "test_before_2_1_resize_through_detach_leaves_x_version_alone"
    assert_killed(run(pytester, *specs(spec)), spec)


def test_slice_mul_under_no_grad_skipping_the_version_counter_is_killed(pytester, monkeypatch):
    """Plants Tensor.mul_ that, with grad mode off, writes through .data (the write hidden from autograd's check)."""
    orig = torch.Tensor.mul_

    def mul_(self, *args, **kwargs):
        if not torch.is_grad_enabled():
            orig(DATA.__get__(self), *args, **kwargs)
            return self
        return orig(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "mul_", mul_)
    spec = "test_a_write_inside_no_grad_into_a_saved_tensor_is_still_detected"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-no_grad]")), f"{spec}[cpu-no_grad]",
                  "backward after a.mul_(v) inside no_grad raised no RuntimeError")


def test_slice_fill_in_inference_mode_skipping_the_version_counter_is_killed(pytester, monkeypatch):
    """Plants Tensor.fill_ that, inside inference_mode, writes through .data (version counting off with inference)."""
    orig = torch.Tensor.fill_

    def fill_(self, *args, **kwargs):
        if torch.is_inference_mode_enabled():
            orig(DATA.__get__(self), *args, **kwargs)
            return self
        return orig(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "fill_", fill_)
    spec = "test_a_write_inside_no_grad_into_a_saved_tensor_is_still_detected"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-inference_mode]")), f"{spec}[cpu-inference_mode]",
                  "backward after a.fill_(v) inside inference_mode raised no RuntimeError")


def test_slice_sgd_stepping_through_data_is_killed(pytester, monkeypatch):
    """Plants the pre-1.5 SGD: p.data.add_(p.grad, alpha=-lr), an update hidden from autograd."""

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    p.data.add_(p.grad, alpha=-group["lr"])

    monkeypatch.setattr(torch.optim.SGD, "step", step)
    spec = "test_an_optimizer_step_between_forward_and_backward_makes_backward_raise"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-SGD-for-loop]")), f"{spec}[cpu-SGD-for-loop]")


def test_slice_foreach_add_skipping_the_version_counter_is_killed(pytester, monkeypatch):
    """Plants torch._foreach_add_ writing through each tensor's .data (the foreach SGD update goes unseen)."""
    orig = torch._foreach_add_

    def foreach_add_(tensors, *args, **kwargs):
        return orig([DATA.__get__(t) for t in tensors], *args, **kwargs)

    monkeypatch.setattr(torch, "_foreach_add_", foreach_add_)
    spec = "test_an_optimizer_step_between_forward_and_backward_makes_backward_raise"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-SGD-foreach]")), f"{spec}[cpu-SGD-foreach]")


def test_state_dict_of_copies_is_killed(pytester, monkeypatch):
    """Plants Module.state_dict returning clones (a snapshot) instead of aliases of the parameters and buffers."""
    orig = torch.nn.Module.state_dict

    def state_dict(self, *args, keep_vars=False, **kwargs):
        out = orig(self, *args, keep_vars=keep_vars, **kwargs)
        return out if keep_vars else type(out)((k, v.clone()) for k, v in out.items())

    monkeypatch.setattr(torch.nn.Module, "state_dict", state_dict)
    spec = "test_state_dict_holds_detached_aliases_of_parameters_and_buffers"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-default]")), f"{spec}[cpu-default]")


def test_state_dict_through_data_is_killed(pytester, monkeypatch):
    """Plants Module._save_to_state_dict storing t.data (a fresh version counter) instead of t.detach()."""

    def save(self, destination, prefix, keep_vars):
        for name, t in list(self._parameters.items()) + list(self._buffers.items()):
            if t is not None:
                destination[prefix + name] = t if keep_vars else t.data

    monkeypatch.setattr(torch.nn.Module, "_save_to_state_dict", save)
    spec = "test_state_dict_holds_detached_aliases_of_parameters_and_buffers"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-default]")), f"{spec}[cpu-default]", "(shared)")


def test_slice_detach_returning_a_view_in_the_graph_is_killed(pytester, monkeypatch):
    """Plants Tensor.detach returning view_as(self): still in x's graph, so requires_grad_() on it is no new leaf."""
    monkeypatch.setattr(torch.Tensor, "detach", lambda self: self.view_as(self))
    spec = "test_requires_grad_on_data_or_detach_makes_a_new_leaf_that_x_never_sees"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-.detach()]")), f"{spec}[cpu-.detach()]")


def test_slice_data_carrying_x_grad_is_killed(pytester, monkeypatch):
    """Plants Tensor.data handing the alias x's .grad (one grad tensor for both): backward through it adds into x.grad."""

    def data(self):
        out = DATA.__get__(self)
        if self.grad is not None:
            out.grad = self.grad
        return out

    monkeypatch.setattr(torch.Tensor, "data", data_property(data))
    spec = "test_requires_grad_on_data_or_detach_makes_a_new_leaf_that_x_never_sees"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-.data]")), f"{spec}[cpu-.data]")


# --- release history, round 4 (release notes 2.10-2.15)

import re as _re  # noqa: E402


def _version_error_naming(monkeypatch, backward_node: bool, only: str | None = None):
    """Rewrite backward's 'output 0 of X' as the node ('XBackward0', before 2.13) or the forward op ('X', 2.13 on)."""
    orig = torch.Tensor.backward

    def rename(match):
        name = match.group(1)
        if only is not None and name != only:
            return match.group(0)
        return f"output 0 of {name}{'Backward0' if backward_node else ''},"

    def backward(self, *args, **kwargs):
        try:
            return orig(self, *args, **kwargs)
        except RuntimeError as e:
            raise RuntimeError(_re.sub(r"output 0 of (\w+?)(?:Backward0)?,", rename, str(e))) from None

    monkeypatch.setattr(torch.Tensor, "backward", backward)


def test_version_error_naming_the_backward_node_from_2_13_is_killed(pytester, monkeypatch):
    """Plants a torch 2.13 whose version-counter error still names the backward node (SigmoidBackward0), as before pytorch#180383."""
    _version_error_naming(monkeypatch, backward_node=True)
    monkeypatch.setattr(torch, "__version__", "2.13.0")
    name = "test_the_version_error_names_the_forward_op_from_2_13"
    result = run(pytester, f"{MOD}::{name}")
    assert_killed(result, f"{name}[cpu-sigmoid]", f"{name}[cpu-tanh]", "SigmoidBackward0")


def test_slice_version_error_naming_exp_by_its_forward_op_before_2_13_is_killed(pytester, monkeypatch):
    """Plants a torch 2.12 whose version-counter error names the forward op for exp only: only the exp case may fail."""
    _version_error_naming(monkeypatch, backward_node=True)  # every op as 2.12 names it, whatever torch runs this
    orig = torch.Tensor.backward  # then exp's as 2.13 names it

    def backward(self, *args, **kwargs):
        try:
            return orig(self, *args, **kwargs)
        except RuntimeError as e:
            raise RuntimeError(str(e).replace("output 0 of ExpBackward0,", "output 0 of Exp,")) from None

    monkeypatch.setattr(torch.Tensor, "backward", backward)
    monkeypatch.setattr(torch, "__version__", "2.12.1")
    name = "test_the_version_error_names_the_backward_node_before_2_13"
    result = run(pytester, f"{MOD}::{name}")
    assert_killed(result, f"{name}[cpu-exp]", "output 0 of Exp,")
    assert len([r for r in result.reprec.getfailures() if r.when == "call"]) == 1, "only the exp case should fail"
