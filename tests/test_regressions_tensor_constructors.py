"""Planted regressions for specs/test_tensor_constructors.py: each breaks one claim about torch.Tensor / torch.tensor.

``torch.tensor`` is a function and is patched directly. The legacy constructor ``torch.Tensor(...)``
is patched through ``torch.Tensor.__new__`` (``legacy`` below), which only intercepts direct calls of
the class itself, so subclasses and the rest of torch keep working.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from specs.helpers import torch_at_least
from tests.plant import assert_killed, assert_passed, run

MOD = "test_tensor_constructors.py"
ORIG_NEW = torch.Tensor.__new__
ORIG_TENSOR = torch.tensor


def spec(name: str) -> str:
    return f"{MOD}::{name}"


def legacy(monkeypatch, fake):
    """Route ``torch.Tensor(*args, **kwargs)`` through ``fake``; a None result falls back to torch's own."""

    def __new__(cls, *args, **kwargs):
        if cls is torch.Tensor:
            out = fake(*args, **kwargs)
            if out is not None:
                return out
        return ORIG_NEW(cls, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "__new__", staticmethod(__new__))


def factory(monkeypatch, fake):
    """Replace ``torch.tensor`` by ``fake(orig, data, **kwargs)``."""
    monkeypatch.setattr(torch, "tensor", lambda data, **kwargs: fake(ORIG_TENSOR, data, **kwargs))


def python_data(data) -> bool:
    return not isinstance(data, (np.ndarray, np.generic, torch.Tensor))


def test_control_all_specs_pass(pytester):
    """Without a planted regression the module passes."""
    assert_passed(run(pytester, MOD))


def test_FloatTensor_becomes_an_alias_of_Tensor(pytester, monkeypatch):
    """torch.FloatTensor is torch.Tensor, as the source note says."""
    monkeypatch.setattr(torch, "FloatTensor", torch.Tensor)
    result = run(pytester, spec("test_Tensor_is_the_class_and_tensor_is_a_factory_function"))
    assert_killed(result, "test_Tensor_is_the_class_and_tensor_is_a_factory_function")


def test_legacy_constructor_infers_dtype_from_lists(pytester, monkeypatch):
    """torch.Tensor(list) infers the dtype like torch.tensor (ints -> int64, bools -> bool)."""
    legacy(monkeypatch, lambda *a, **k: ORIG_TENSOR(a[0]) if len(a) == 1 and isinstance(a[0], list) else None)
    assert_killed(
        run(pytester, spec("test_legacy_constructor_always_gives_the_default_dtype")),
        "test_legacy_constructor_always_gives_the_default_dtype",
    )
    assert_killed(
        run(pytester, spec("test_set_default_dtype_changes_both_constructors_float_and_complex_results")),
        "test_set_default_dtype_changes_both_constructors_float_and_complex_results",
    )
    assert_killed(
        run(pytester, spec("test_type_strings_name_the_legacy_tensor_types")), "test_type_strings_name_the_legacy_tensor_types"
    )


def test_tensor_ignores_the_default_dtype(pytester, monkeypatch):
    """torch.tensor gives float32 / complex64 for Python floats even when the default dtype is float64."""

    def fake(orig, data, **kwargs):
        out = orig(data, **kwargs)
        if python_data(data) and "dtype" not in kwargs:
            out = {torch.float64: out.float(), torch.complex128: out.to(torch.complex64)}.get(out.dtype, out)
        return out

    factory(monkeypatch, fake)
    assert_killed(
        run(pytester, spec("test_tensor_infers_the_promoted_dtype_of_its_element_kinds")),
        "test_tensor_infers_the_promoted_dtype_of_its_element_kinds",
    )
    assert_killed(
        run(pytester, spec("test_set_default_dtype_changes_both_constructors_float_and_complex_results")),
        "test_set_default_dtype_changes_both_constructors_float_and_complex_results",
    )


def test_tensor_infers_int32_for_python_ints(pytester, monkeypatch):
    """torch.tensor gives int32 for Python ints (numpy's Windows default) instead of int64."""

    def fake(orig, data, **kwargs):
        out = orig(data, **kwargs)
        return out.to(torch.int32) if python_data(data) and "dtype" not in kwargs and out.dtype == torch.int64 else out

    factory(monkeypatch, fake)
    assert_killed(
        run(pytester, spec("test_tensor_infers_the_promoted_dtype_of_its_element_kinds")),
        "test_tensor_infers_the_promoted_dtype_of_its_element_kinds",
    )
    assert_killed(
        run(pytester, spec("test_legacy_constructor_reads_ints_as_a_size_tensor_as_a_value")),
        "test_legacy_constructor_reads_ints_as_a_size_tensor_as_a_value",
    )
    assert_killed(
        run(pytester, spec("test_type_strings_name_the_legacy_tensor_types")), "test_type_strings_name_the_legacy_tensor_types"
    )


def test_tensor_converts_numpy_to_the_default_dtype(pytester, monkeypatch):
    """torch.tensor(ndarray / numpy scalar) casts floating data to the default dtype (float64 -> float32)."""

    def fake(orig, data, **kwargs):
        out = orig(data, **kwargs)
        if isinstance(data, (np.ndarray, np.generic)) and "dtype" not in kwargs and out.is_floating_point():
            out = out.to(torch.get_default_dtype())
        return out

    factory(monkeypatch, fake)
    assert_killed(
        run(pytester, spec("test_tensor_keeps_the_dtype_of_numpy_arrays_and_scalars")), "test_tensor_keeps_the_dtype_of_numpy_arrays_and_scalars"
    )


def test_tensor_of_a_tensor_no_longer_copies(pytester, monkeypatch):
    """torch.tensor(t) returns t itself (no copy, no warning) when dtype and device already match."""
    factory(monkeypatch, lambda orig, data, **kwargs: data if isinstance(data, torch.Tensor) else orig(data, **kwargs))
    result = run(pytester, spec("test_tensor_always_copies_Tensor_of_a_tensor_aliases_as_tensor_shares"))
    assert_killed(result, "test_tensor_always_copies_Tensor_of_a_tensor_aliases_as_tensor_shares")


def test_legacy_constructor_copies_a_tensor(pytester, monkeypatch):
    """torch.Tensor(t) clones t instead of aliasing it."""
    legacy(monkeypatch, lambda *a, **k: a[0].clone() if len(a) == 1 and isinstance(a[0], torch.Tensor) else None)
    result = run(pytester, spec("test_tensor_always_copies_Tensor_of_a_tensor_aliases_as_tensor_shares"))
    assert_killed(result, "test_tensor_always_copies_Tensor_of_a_tensor_aliases_as_tensor_shares", "torch.Tensor(t) storage=")


def test_legacy_constructor_reads_one_int_as_data(pytester, monkeypatch):
    """torch.Tensor(3) builds the 1-element tensor [3.] instead of an uninitialized tensor of size 3."""
    legacy(monkeypatch, lambda *a, **k: ORIG_NEW(torch.Tensor, [a[0]]) if len(a) == 1 and isinstance(a[0], int) else None)
    result = run(pytester, spec("test_legacy_constructor_reads_ints_as_a_size_tensor_as_a_value"))
    assert_killed(result, "test_legacy_constructor_reads_ints_as_a_size_tensor_as_a_value")


def test_tensor_ignores_requires_grad(pytester, monkeypatch):
    """torch.tensor drops requires_grad=True."""

    def fake(orig, data, **kwargs):
        kwargs.pop("requires_grad", None)
        return orig(data, **kwargs)

    factory(monkeypatch, fake)
    result = run(pytester, spec("test_tensor_honours_dtype_device_and_requires_grad"))
    assert_killed(result, "test_tensor_honours_dtype_device_and_requires_grad")


def test_legacy_constructor_accepts_dtype_and_any_device(pytester, monkeypatch):
    """torch.Tensor(data, dtype=..., device=...) is accepted and forwarded to torch.tensor."""

    def fake(*args, **kwargs):
        if kwargs and len(args) == 1 and isinstance(args[0], list):
            return ORIG_TENSOR(args[0], **kwargs)
        return None

    legacy(monkeypatch, fake)
    result = run(pytester, spec("test_legacy_constructor_takes_no_dtype_and_builds_only_cpu_tensors"))
    assert_killed(
        result,
        "test_legacy_constructor_takes_no_dtype_and_builds_only_cpu_tensors",
        "torch.Tensor([1, 2], dtype=torch.float64) raised no TypeError",
    )


def test_legacy_constructor_follows_the_default_device(pytester, monkeypatch):
    """torch.Tensor(list) starts following the default device (built on cpu, then moved to it)."""

    def fake(*args, **kwargs):
        if not kwargs and len(args) == 1 and isinstance(args[0], list):
            return ORIG_NEW(torch.Tensor, args[0]).to(torch.get_default_device())
        return None

    legacy(monkeypatch, fake)
    result = run(pytester, spec("test_legacy_constructor_takes_no_dtype_and_builds_only_cpu_tensors"))
    assert_killed(result, "test_legacy_constructor_takes_no_dtype_and_builds_only_cpu_tensors")


def test_type_returns_the_dtype_name(pytester, monkeypatch):
    """Tensor.type() returns the dtype's name ("torch.float32") instead of the legacy type name."""
    orig = torch.Tensor.type
    monkeypatch.setattr(torch.Tensor, "type", lambda self, *a, **k: orig(self, *a, **k) if a or k else str(self.dtype))
    result = run(pytester, spec("test_type_strings_name_the_legacy_tensor_types"))
    assert_killed(result, "test_type_strings_name_the_legacy_tensor_types")


def test_legacy_constructor_filled_in_by_init_is_killed(pytester, monkeypatch):
    """The note's model of torch.Tensor([1, 2]): __new__ only allocates (zeros of the right shape) and a Python __init__ fills in the data.

    ``torch.Tensor(data)`` still gives the right tensor (``type.__call__`` runs ``__init__`` after
    ``__new__``), but ``torch.Tensor.__init__`` is no longer ``object.__init__`` and ``__new__``
    alone no longer returns the finished tensor.
    """

    def fake(*args, **kwargs):
        if not kwargs and len(args) == 1 and isinstance(args[0], list):
            return ORIG_NEW(torch.Tensor, *np.array(args[0], dtype=np.float64).shape).zero_()
        return None

    def __init__(self, *args, **kwargs):
        if type(self) is torch.Tensor and not kwargs and len(args) == 1 and isinstance(args[0], list):
            with torch.no_grad():
                self.copy_(ORIG_NEW(torch.Tensor, args[0]))

    legacy(monkeypatch, fake)
    monkeypatch.setattr(torch.Tensor, "__init__", __init__)
    assert torch.Tensor([1, 2]).tolist() == [1.0, 2.0]  # the plant keeps torch.Tensor(list) itself working
    result = run(pytester, spec("test_legacy_constructor_is_all_new_and_init_is_object_init"))
    assert_killed(result, "test_legacy_constructor_is_all_new_and_init_is_object_init", "torch.Tensor.__init__=")


def test_legacy_new_accepting_any_device_is_killed(pytester, monkeypatch):
    """torch.Tensor.__new__(torch.Tensor, data, device=d) builds on d instead of refusing a non-cpu device."""

    def fake(*args, **kwargs):
        if set(kwargs) == {"device"} and len(args) == 1 and isinstance(args[0], list):
            return ORIG_TENSOR(args[0], dtype=torch.get_default_dtype(), device=kwargs["device"])
        return None

    legacy(monkeypatch, fake)
    result = run(pytester, spec("test_legacy_constructor_is_all_new_and_init_is_object_init"))
    assert_killed(result, "test_legacy_constructor_is_all_new_and_init_is_object_init", "device=meta) raised no RuntimeError")


def test_numpy_bool_scalar_read_as_int_is_killed(pytester, monkeypatch):
    """Plants torch.tensor reading numpy bool scalars as int64 (a 0/1 integer, not a bool)."""
    orig = torch.tensor

    def tensor(data, *args, **kwargs):
        if isinstance(data, np.bool_):
            data = int(data)
        elif isinstance(data, list) and data and all(isinstance(v, np.bool_) for v in data):
            data = [int(v) for v in data]
        return orig(data, *args, **kwargs)

    monkeypatch.setattr(torch, "tensor", tensor)
    result = run(pytester, spec("test_tensor_of_a_numpy_bool_scalar_is_a_0d_bool_tensor"))
    assert_killed(result, "test_tensor_of_a_numpy_bool_scalar_is_a_0d_bool_tensor", "dtype=torch.int64, but should be torch.bool")


# --------------------------------------------------------------------------- round 2 (issues #14, #16, #17)


def _depth(data) -> int:
    return 1 + _depth(data[0]) if isinstance(data, (list, tuple)) and data else 0


def test_tensor_aliasing_ndarrays_is_killed(pytester, monkeypatch):
    """torch.tensor(ndarray) on cpu returns torch.from_numpy(ndarray): it aliases instead of copying."""

    def fake(orig, data, **kwargs):
        if isinstance(data, np.ndarray) and str(kwargs.get("device", "cpu")) == "cpu":
            return torch.from_numpy(data)
        return orig(data, **kwargs)

    factory(monkeypatch, fake)
    assert_killed(run(pytester, spec("test_tensor_copies_every_kind_of_data")), "test_tensor_copies_every_kind_of_data", "torch.tensor(array)")


def test_slice_tensor_aliasing_0d_ndarrays_only_is_killed(pytester, monkeypatch):
    """Slice: torch.tensor copies ndarrays but aliases 0-d ones (on cpu)."""

    def fake(orig, data, **kwargs):
        if isinstance(data, np.ndarray) and data.ndim == 0 and str(kwargs.get("device", "cpu")) == "cpu":
            return torch.from_numpy(data)
        return orig(data, **kwargs)

    factory(monkeypatch, fake)
    assert_killed(run(pytester, spec("test_tensor_copies_every_kind_of_data")), "test_tensor_copies_every_kind_of_data", "torch.tensor(array)")


def test_slice_tensor_inferring_int32_for_tuples_only_is_killed(pytester, monkeypatch):
    """Slice: torch.tensor infers int32 for tuples of ints (lists still give int64)."""

    def fake(orig, data, **kwargs):
        out = orig(data, **kwargs)
        return out.to(torch.int32) if isinstance(data, tuple) and "dtype" not in kwargs and out.dtype == torch.int64 else out

    factory(monkeypatch, fake)
    assert_killed(
        run(pytester, spec("test_tensor_infers_the_promoted_dtype_of_its_element_kinds")),
        "test_tensor_infers_the_promoted_dtype_of_its_element_kinds",
        "torch.tensor(tuple of depth 2).dtype=torch.int32, but should be torch.int64",
    )


def test_slice_tensor_ignoring_the_default_dtype_at_depth_three_only_is_killed(pytester, monkeypatch):
    """Slice: torch.tensor of 3-level nested floats gives float64 whatever the default dtype is."""

    def fake(orig, data, **kwargs):
        out = orig(data, **kwargs)
        return out.double() if _depth(data) == 3 and "dtype" not in kwargs and out.dtype == torch.float32 else out

    factory(monkeypatch, fake)
    assert_killed(
        run(pytester, spec("test_tensor_infers_the_promoted_dtype_of_its_element_kinds")),
        "test_tensor_infers_the_promoted_dtype_of_its_element_kinds",
        "of depth 3).dtype=torch.float64, but should be torch.float32",
    )


def test_slice_tensor_of_lists_mixing_tuples_promoting_ints_to_float_is_killed(pytester, monkeypatch):
    """Slice: torch.tensor of a list that mixes lists and tuples reads ints as the default float dtype."""

    def fake(orig, data, **kwargs):
        out = orig(data, **kwargs)
        mixed = isinstance(data, list) and any(isinstance(x, tuple) for x in data) and any(isinstance(x, list) for x in data)
        return out.to(torch.get_default_dtype()) if mixed and "dtype" not in kwargs and out.dtype == torch.int64 else out

    factory(monkeypatch, fake)
    assert_killed(
        run(pytester, spec("test_tensor_infers_the_promoted_dtype_of_its_element_kinds")),
        "test_tensor_infers_the_promoted_dtype_of_its_element_kinds",
        "torch.tensor(list of depth 3).dtype=torch.float32, but should be torch.int64",
    )


def test_tensor_complex_under_default_float16_gives_complex64_is_killed(pytester, monkeypatch):
    """torch.tensor of complex data under default float16 gives complex64 instead of complex32."""

    def fake(orig, data, **kwargs):
        out = orig(data, **kwargs)
        return out.to(torch.complex64) if "dtype" not in kwargs and out.dtype == torch.complex32 else out

    factory(monkeypatch, fake)
    result = run(pytester, spec("test_tensor_under_default_float16_infers_float16_and_complex32"))
    assert_killed(result, "test_tensor_under_default_float16_infers_float16_and_complex32", "dtype=torch.complex64, but should be torch.complex32")


@pytest.mark.skipif(torch_at_least("2.4"), reason="the spec is gated to torch<2.4 (complex under default float16 raised there)")
def test_tensor_complex_under_default_float16_not_raising_before_2_4_is_killed(pytester, monkeypatch):
    """Before 2.4: torch.tensor of complex data under default float16 gives complex64 instead of raising."""

    def fake(orig, data, **kwargs):
        if torch.get_default_dtype() == torch.float16 and "dtype" not in kwargs and any(isinstance(x, complex) for x in np.ravel(np.array(data, dtype=object))):
            return orig(data, dtype=torch.complex64, **kwargs)
        return orig(data, **kwargs)

    factory(monkeypatch, fake)
    result = run(pytester, spec("test_tensor_of_complex_under_default_float16_raises_before_2_4"))
    assert_killed(result, "test_tensor_of_complex_under_default_float16_raises_before_2_4", "raised no RuntimeError")


SET_DEFAULT_DEVICE_SPEC = "test_set_default_device_moves_factories_but_not_from_numpy_or_the_legacy_constructor"


def test_from_numpy_following_the_default_device_is_killed(pytester, monkeypatch):
    """torch.from_numpy(a) builds on the default device (a copy moved there) instead of sharing a's memory on cpu."""
    orig = torch.from_numpy
    monkeypatch.setattr(torch, "from_numpy", lambda a: orig(a).to(torch.empty(0).device))
    result = run(pytester, spec(SET_DEFAULT_DEVICE_SPEC))
    assert_killed(result, SET_DEFAULT_DEVICE_SPEC, "torch.from_numpy(a) under set_default_device(meta): device=meta, but should be cpu")


def test_zeros_ignoring_the_default_device_is_killed(pytester, monkeypatch):
    """torch.zeros builds on cpu whatever the default device is."""
    orig = torch.zeros
    monkeypatch.setattr(torch, "zeros", lambda *size, **kwargs: orig(*size, **{"device": "cpu", **kwargs}))
    result = run(pytester, spec(SET_DEFAULT_DEVICE_SPEC))
    assert_killed(result, SET_DEFAULT_DEVICE_SPEC, "torch.zeros(2, 3) under set_default_device(meta).device=cpu, but should be meta")
