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
    """Without a planted regression the module passes (known bugs xfail: the numpy-bool ones, with numpy >= 2.3)."""
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
    assert_killed(run(pytester, spec("test_tensor_copies_every_kind_of_data")), "test_tensor_copies_every_kind_of_data", "array) shares memory with it")


def test_slice_tensor_aliasing_0d_ndarrays_only_is_killed(pytester, monkeypatch):
    """Slice: torch.tensor copies ndarrays but aliases 0-d ones (on cpu)."""

    def fake(orig, data, **kwargs):
        if isinstance(data, np.ndarray) and data.ndim == 0 and str(kwargs.get("device", "cpu")) == "cpu":
            return torch.from_numpy(data)
        return orig(data, **kwargs)

    factory(monkeypatch, fake)
    assert_killed(run(pytester, spec("test_tensor_copies_every_kind_of_data")), "test_tensor_copies_every_kind_of_data", "0-d array) shares memory with it")


def test_slice_tensor_inferring_int32_for_tuples_only_is_killed(pytester, monkeypatch):
    """Slice: torch.tensor infers int32 for tuples of ints (lists still give int64)."""

    def fake(orig, data, **kwargs):
        out = orig(data, **kwargs)
        return out.to(torch.int32) if isinstance(data, tuple) and "dtype" not in kwargs and out.dtype == torch.int64 else out

    factory(monkeypatch, fake)
    assert_killed(
        run(pytester, spec("test_tensor_infers_the_promoted_dtype_of_its_element_kinds")),
        "test_tensor_infers_the_promoted_dtype_of_its_element_kinds",
        "torch.tensor(tuple of depth 1).dtype=torch.int32, but should be torch.int64",
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
        "torch.tensor(list mixing lists and tuples of depth 2).dtype=torch.float32, but should be torch.int64",
    )


def test_tensor_complex_under_default_float16_gives_complex64_is_killed(pytester, monkeypatch):
    """torch.tensor of complex data under default float16 gives complex64 instead of complex32."""

    def fake(orig, data, **kwargs):
        out = orig(data, **kwargs)
        return out.to(torch.complex64) if "dtype" not in kwargs and out.dtype == torch.complex32 else out

    factory(monkeypatch, fake)
    result = run(pytester, spec("test_tensor_infers_the_promoted_dtype_of_its_element_kinds[cpu-complex-default_float16]"))
    assert_killed(result, "test_tensor_infers_the_promoted_dtype_of_its_element_kinds[cpu-complex-default_float16]", "dtype=torch.complex64, but should be torch.complex32")


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


# --------------------------------------------------------------------------- round 3 (issues 21, 22, 23)


PROMOTED = "test_tensor_infers_the_promoted_dtype_of_its_element_kinds"
LEGACY_DEFAULT = "test_legacy_constructor_always_gives_the_default_dtype"
KEEPS = "test_tensor_keeps_the_dtype_of_numpy_arrays_and_scalars"
MIXED = "test_tensor_of_numpy_scalars_mixed_with_python_scalars_promotes"
LEGACY_ARRAY = "test_legacy_constructor_of_an_ndarray_is_the_default_dtype_sharing_only_an_array_of_it"
SIZES = "test_legacy_constructor_reads_ints_as_a_size_tensor_as_a_value"
ALIASES = "test_tensor_always_copies_Tensor_of_a_tensor_aliases_as_tensor_shares"
COMPILED = "test_tensor_inference_and_the_default_dtype_under_compile"


def test_slice_tensor_ignoring_a_bfloat16_default_is_killed(pytester, monkeypatch):
    """Slice: torch.tensor of Python floats gives float32 when the default dtype is bfloat16 (every other default is followed)."""

    def fake(orig, data, **kwargs):
        out = orig(data, **kwargs)
        return out.float() if python_data(data) and "dtype" not in kwargs and out.dtype == torch.bfloat16 else out

    factory(monkeypatch, fake)
    item = f"{PROMOTED}[cpu-float-default_bfloat16]"
    assert_killed(run(pytester, spec(item)), item, "dtype=torch.float32, but should be torch.bfloat16")


def test_complex_under_default_bfloat16_accepted_is_killed(pytester, monkeypatch):
    """torch.tensor of complex data under default bfloat16 gives complex64 instead of raising."""

    def fake(orig, data, **kwargs):
        if torch.get_default_dtype() == torch.bfloat16 and "dtype" not in kwargs and python_data(data) and any(
            isinstance(x, complex) for x in np.ravel(np.array(data, dtype=object))
        ):
            return orig(data, dtype=torch.complex64, **kwargs)
        return orig(data, **kwargs)

    factory(monkeypatch, fake)
    result = run(pytester, spec("test_tensor_of_complex_under_default_bfloat16_raises"))
    assert_killed(result, "test_tensor_of_complex_under_default_bfloat16_raises", "raised no RuntimeError")


def test_slice_legacy_constructor_ignoring_a_float16_default_is_killed(pytester, monkeypatch):
    """Slice: torch.Tensor(list) gives float32 when the default dtype is float16."""

    def fake(*args, **kwargs):
        if not kwargs and len(args) == 1 and isinstance(args[0], (list, tuple)) and torch.get_default_dtype() == torch.float16:
            return ORIG_TENSOR(np.array(args[0], dtype=np.float64), dtype=torch.float32)
        return None

    legacy(monkeypatch, fake)
    item = f"{LEGACY_DEFAULT}[cpu-float16-float]"
    assert_killed(run(pytester, spec(item)), item, "dtype=torch.float32, but should be torch.float16")


def test_slice_tensor_widening_uint8_numpy_scalars_is_killed(pytester, monkeypatch):
    """Slice: torch.tensor reads a numpy uint8 scalar (or a list of them) as int64, the Python int's dtype."""

    def fake(orig, data, **kwargs):
        if isinstance(data, np.uint8) or (isinstance(data, list) and data and all(isinstance(x, np.uint8) for x in data)):
            return orig(data, **kwargs).long()
        return orig(data, **kwargs)

    factory(monkeypatch, fake)
    item = f"{KEEPS}[cpu-uint8]"
    assert_killed(run(pytester, spec(item)), item, "dtype=torch.int64, but should be torch.uint8")


def test_slice_tensor_of_a_list_of_float16_numpy_scalars_as_float32_is_killed(pytester, monkeypatch):
    """Slice: a list of numpy float16 scalars gives float32 (a bare float16 scalar and arrays keep float16)."""

    def fake(orig, data, **kwargs):
        out = orig(data, **kwargs)
        if isinstance(data, list) and data and all(isinstance(x, np.float16) for x in data) and "dtype" not in kwargs:
            return out.float()
        return out

    factory(monkeypatch, fake)
    item = f"{KEEPS}[cpu-float16]"
    assert_killed(run(pytester, spec(item)), item, "float16 scalars]).dtype=torch.float32, but should be torch.float16")


def test_slice_numpy_float16_mixed_with_ints_promoted_as_numpy_does_is_killed(pytester, monkeypatch):
    """Slice: a list of numpy float16 scalars and Python ints gives float64 (numpy's result_type) instead of float16."""

    def fake(orig, data, **kwargs):
        out = orig(data, **kwargs)
        if isinstance(data, list) and any(isinstance(x, np.float16) for x in data) and any(type(x) is int for x in data):
            return out.double()
        return out

    factory(monkeypatch, fake)
    item = f"{MIXED}[cpu-float16]"
    assert_killed(run(pytester, spec(item)), item, "dtype=torch.float64, but should be torch.float16")


def test_mixed_numpy_scalars_taking_the_python_scalars_dtype_is_killed(pytester, monkeypatch):
    """torch.tensor of numpy scalars mixed with Python scalars ignores the numpy dtypes (as if all were Python scalars)."""

    def fake(orig, data, **kwargs):
        if isinstance(data, list) and any(isinstance(x, np.generic) for x in data) and any(not isinstance(x, np.generic) for x in data):
            data = [x.item() if isinstance(x, np.generic) else x for x in data]
        return orig(data, **kwargs)

    factory(monkeypatch, fake)
    assert_killed(run(pytester, spec(MIXED)), MIXED)


@pytest.mark.skipif(
    torch_at_least("2.3") and np.lib.NumpyVersion(np.__version__) >= "2.3.0",
    reason="the spec is a known bug here (strict xfail): a planted regression cannot make it fail",
)
def test_numpy_bools_mixed_with_ints_read_as_bools_is_killed(pytester, monkeypatch):
    """torch.tensor([np.bool_(True), 2, ...]) reads numpy bools as Python bools but gives a bool tensor for the mix."""

    def fake(orig, data, **kwargs):
        if isinstance(data, list) and any(isinstance(x, np.bool_) for x in data):
            return orig([bool(x) for x in data], **kwargs)
        return orig(data, **kwargs)

    factory(monkeypatch, fake)
    result = run(pytester, spec("test_tensor_of_numpy_bools_mixed_with_python_ints_is_int64"))
    assert_killed(result, "test_tensor_of_numpy_bools_mixed_with_python_ints_is_int64")


def test_legacy_constructor_copying_ndarrays_is_killed(pytester, monkeypatch):
    """torch.Tensor(ndarray) always copies, even an array of the default dtype."""
    legacy(monkeypatch, lambda *a, **k: ORIG_NEW(torch.Tensor, a[0].copy()) if len(a) == 1 and isinstance(a[0], np.ndarray) else None)
    assert_killed(run(pytester, spec(LEGACY_ARRAY)), LEGACY_ARRAY, "does not share the array's memory, but should share it")


def test_slice_legacy_constructor_copying_float64_ndarrays_is_killed(pytester, monkeypatch):
    """Slice: torch.Tensor(float64 ndarray) copies under the default float64 (a float32 array under float32 is still shared)."""

    def fake(*args, **kwargs):
        if len(args) == 1 and isinstance(args[0], np.ndarray) and args[0].dtype == np.float64:
            return ORIG_NEW(torch.Tensor, args[0].copy())
        return None

    legacy(monkeypatch, fake)
    item = f"{LEGACY_ARRAY}[float64]"
    assert_killed(run(pytester, spec(item)), item, "under default float64 does not share the array's memory")


def test_legacy_constructor_keeping_the_array_dtype_is_killed(pytester, monkeypatch):
    """torch.Tensor(ndarray) keeps the array's dtype (like torch.from_numpy) instead of converting to the default dtype."""
    legacy(monkeypatch, lambda *a, **k: torch.from_numpy(a[0]) if len(a) == 1 and isinstance(a[0], np.ndarray) else None)
    assert_killed(run(pytester, spec(f"{LEGACY_ARRAY}[int32]")), f"{LEGACY_ARRAY}[int32]", "dtype=torch.int32, but should be torch.float32")


def test_legacy_constructor_reading_a_torch_size_as_data_is_killed(pytester, monkeypatch):
    """torch.Tensor(torch.Size([2, 3])) builds the data tensor [2., 3.] instead of a tensor of that size."""
    legacy(monkeypatch, lambda *a, **k: ORIG_NEW(torch.Tensor, list(a[0])) if len(a) == 1 and isinstance(a[0], torch.Size) else None)
    assert_killed(run(pytester, spec(SIZES)), SIZES, "torch.Tensor(torch.Size")


def test_slice_legacy_sizes_ignoring_a_bfloat16_default_is_killed(pytester, monkeypatch):
    """Slice: torch.Tensor(2, 3) gives float32 when the default dtype is bfloat16."""

    def fake(*args, **kwargs):
        if args and all(isinstance(x, int) for x in args) and torch.get_default_dtype() == torch.bfloat16:
            return torch.empty(*args, dtype=torch.float32)
        return None

    legacy(monkeypatch, fake)
    item = f"{SIZES}[cpu-bfloat16]"
    assert_killed(run(pytester, spec(item)), item, "dtype=torch.float32, but should be torch.bfloat16")


def test_slice_legacy_constructor_copying_bool_tensors_is_killed(pytester, monkeypatch):
    """Slice: torch.Tensor(t) clones bool tensors instead of aliasing them."""
    legacy(monkeypatch, lambda *a, **k: a[0].clone() if len(a) == 1 and isinstance(a[0], torch.Tensor) and a[0].dtype == torch.bool else None)
    item = f"{ALIASES}[cpu-bool]"
    assert_killed(run(pytester, spec(item)), item, "torch.Tensor(t) storage=")


def test_slice_tensor_dropping_requires_grad_for_bfloat16_is_killed(pytester, monkeypatch):
    """Slice: torch.tensor drops requires_grad=True for bfloat16 only."""

    def fake(orig, data, requires_grad=False, **kwargs):
        return orig(data, requires_grad=requires_grad and kwargs.get("dtype") != torch.bfloat16, **kwargs)

    factory(monkeypatch, fake)
    item = "test_tensor_honours_dtype_device_and_requires_grad[cpu-bfloat16]"
    assert_killed(run(pytester, spec(item)), item)


# under torch.compile: torch.compile is wrapped so that the compiled function misbehaves


def _compile_wrapping(monkeypatch, run_under):
    """Replace torch.compile by one whose compiled function runs under ``run_under()`` (a context manager)."""
    orig = torch.compile

    def compile(fn=None, **kwargs):
        inner = orig(fn, **kwargs)

        def compiled(*args):
            with run_under():
                return inner(*args)
        return compiled

    monkeypatch.setattr(torch, "compile", compile)


def test_compiled_code_keeping_the_first_default_dtype_is_killed(pytester, monkeypatch):
    """Plants compiled code that keeps the default dtype of its first call (no recompile when set_default_dtype changes)."""
    from specs.helpers import default_dtype

    first = []

    def run_under():
        first.append(torch.get_default_dtype())
        return default_dtype(first[0])

    _compile_wrapping(monkeypatch, run_under)
    assert_killed(run(pytester, spec(COMPILED)), COMPILED, "call 1 (default float64)")


def test_slice_compiled_code_ignoring_a_bfloat16_default_is_killed(pytester, monkeypatch):
    """Slice: compiled code runs under float32 when the default dtype is bfloat16 (every other default is followed)."""
    import contextlib

    from specs.helpers import default_dtype

    _compile_wrapping(monkeypatch, lambda: default_dtype(torch.float32) if torch.get_default_dtype() == torch.bfloat16 else contextlib.nullcontext())
    assert_killed(run(pytester, spec(COMPILED)), COMPILED, "call 3 (default bfloat16)")


def test_compiled_tensor_inferring_int32_is_killed(pytester, monkeypatch):
    """Plants a compiled function whose int64 outputs (torch.tensor of Python ints) come back as int32."""
    orig = torch.compile

    def compile(fn=None, **kwargs):
        inner = orig(fn, **kwargs)
        return lambda *args: [o.int() if isinstance(o, torch.Tensor) and o.dtype == torch.int64 else o for o in inner(*args)]

    monkeypatch.setattr(torch, "compile", compile)
    assert_killed(run(pytester, spec(COMPILED)), COMPILED, "dtype")


LISTS_SPEC = "test_constructors_of_lists_passed_to_a_compiled_function_follow_each_call_under_compile"


@pytest.mark.skipif(not torch_at_least("2.6"), reason="a known bug before 2.6 (pytorch#135432)")
def test_compiled_legacy_constructor_keeping_the_first_list_is_killed(pytester, monkeypatch):
    """Plants compiled code whose torch.Tensor(list) keeps the values of the first call's list (specialized on them, never recompiled); torch.tensor is right."""
    orig = torch.compile

    def compile(fn=None, **kwargs):
        inner, first = orig(fn, **kwargs), []

        def compiled(*args):
            out = inner(*args)
            first.append(out[0])
            return (first[0], *out[1:])
        return compiled

    monkeypatch.setattr(torch, "compile", compile)
    assert_killed(run(pytester, spec(LISTS_SPEC)), LISTS_SPEC, "call 1 ([3, 4], [2.5, -1.0]): output 0")


# --------------------------------------------------------------------------- the blind battery's survivors (issue 21)

TYPE_NAMES = "test_type_names_every_dtype_and_type_of_a_name_or_dtype_converts"
ORIG_TYPE = torch.Tensor.type


def _type(monkeypatch, fake):
    """Route ``Tensor.type(...)`` through ``fake(self, dtype)``; a None result falls back to torch's own."""
    def type_(self, dtype=None, non_blocking=False, **kwargs):
        out = fake(self, dtype)
        if out is not None:
            return out
        return ORIG_TYPE(self) if dtype is None else ORIG_TYPE(self, dtype, non_blocking, **kwargs)

    monkeypatch.setattr(torch.Tensor, "type", type_)


def test_slice_type_string_of_bfloat16_naming_float_is_killed(pytester, monkeypatch):
    """Plants Tensor.type() that names a bfloat16 tensor 'torch.FloatTensor' (a name table without bfloat16)."""
    _type(monkeypatch, lambda self, dtype: "torch.FloatTensor" if dtype is None and self.dtype == torch.bfloat16 else None)
    assert_killed(run(pytester, spec(TYPE_NAMES)), f"{TYPE_NAMES}[cpu-bfloat16]")


def test_slice_type_string_of_int8_naming_byte_is_killed(pytester, monkeypatch):
    """Plants Tensor.type() that names an int8 tensor 'torch.ByteTensor' (signed and unsigned bytes confused)."""
    _type(monkeypatch, lambda self, dtype: "torch.ByteTensor" if dtype is None and self.dtype == torch.int8 else None)
    assert_killed(run(pytester, spec(TYPE_NAMES)), f"{TYPE_NAMES}[cpu-int8]")


def test_type_of_a_name_returning_self_unconverted_is_killed(pytester, monkeypatch):
    """Plants Tensor.type('torch.<Name>') that returns the tensor unconverted (the name ignored)."""
    _type(monkeypatch, lambda self, dtype: self if isinstance(dtype, str) else None)
    assert_killed(run(pytester, spec(TYPE_NAMES)), TYPE_NAMES, "dtype=torch.float32")


def test_slice_type_of_the_own_dtype_copying_is_killed(pytester, monkeypatch):
    """Plants Tensor.type(dtype) that copies a complex64 tensor already of that dtype (the docs: no copy, x itself)."""
    _type(monkeypatch, lambda self, dtype: ORIG_TYPE(self, dtype).clone() if dtype == torch.complex64 and self.dtype == dtype else None)
    assert_killed(run(pytester, spec(TYPE_NAMES)), f"{TYPE_NAMES}[cpu-complex64]")


def test_legacy_constructor_without_arguments_giving_one_element_is_killed(pytester, monkeypatch):
    """Plants torch.Tensor() that gives a 1-element tensor (an uninitialised scalar) instead of an empty one."""
    legacy(monkeypatch, lambda *args, **kwargs: ORIG_NEW(torch.Tensor, 1) if not args and not kwargs else None)
    name = "test_legacy_constructor_without_arguments_is_an_empty_1d_tensor_of_the_default_dtype"
    assert_killed(run(pytester, spec(name)), name, "torch.Tensor().shape=(1,)")


# --- release history (mined from release notes; see docs/release-history.md)

import warnings as _warnings  # noqa: E402

_tensor = torch.tensor


def _tensor_copy_warning(text):
    def tensor(data, *args, **kwargs):
        if isinstance(data, torch.Tensor):
            with _warnings.catch_warnings():
                _warnings.simplefilter("ignore")
                out = _tensor(data, *args, **kwargs)
            _warnings.warn(f"To copy construct from a tensor, it is recommended to use {text}, rather than torch.tensor(sourceTensor).")
            return out
        return _tensor(data, *args, **kwargs)

    return tensor


@pytest.mark.skipif(not torch_at_least("2.7"), reason="the detach().clone() spec is gated to torch>=2.7")
def test_copy_construct_warning_with_the_old_advice_is_killed(pytester, monkeypatch):
    """Plants torch.tensor(a_tensor) warning the pre-2.7 advice sourceTensor.clone().detach()."""
    monkeypatch.setattr(torch, "tensor", _tensor_copy_warning("sourceTensor.clone().detach()"))
    result = run(pytester, f"{MOD}::test_tensor_of_a_tensor_warns_to_use_detach_clone_from_2_7")
    assert_killed(result, "test_tensor_of_a_tensor_warns_to_use_detach_clone_from_2_7")


@pytest.mark.skipif(torch_at_least("2.7"), reason="the clone().detach() spec is gated to torch<2.7")
def test_copy_construct_warning_with_the_new_advice_early_is_killed(pytester, monkeypatch):
    """Plants torch.tensor(a_tensor) warning the 2.7 advice sourceTensor.detach().clone() before 2.7."""
    monkeypatch.setattr(torch, "tensor", _tensor_copy_warning("sourceTensor.detach().clone()"))
    result = run(pytester, f"{MOD}::test_tensor_of_a_tensor_warns_to_use_clone_detach_before_2_7")
    assert_killed(result, "test_tensor_of_a_tensor_warns_to_use_clone_detach_before_2_7")


def test_copy_construct_keeping_history_is_killed(pytester, monkeypatch):
    """Plants torch.tensor(a_tensor) that returns a clone still attached to the graph."""
    def tensor(data, *args, **kwargs):
        if isinstance(data, torch.Tensor) and data.requires_grad:
            _tensor(data.detach(), *args, **kwargs)  # keeps the warning
            return data.clone()
        return _tensor(data, *args, **kwargs)

    monkeypatch.setattr(torch, "tensor", tensor)
    name = "test_tensor_of_a_tensor_warns_to_use_detach_clone_from_2_7" if torch_at_least("2.7") else "test_tensor_of_a_tensor_warns_to_use_clone_detach_before_2_7"
    result = run(pytester, f"{MOD}::{name}")
    assert_killed(result, name)


def _overflow_as(exc_type):
    def tensor(data, *args, **kwargs):
        try:
            return _tensor(data, *args, **kwargs)
        except (RuntimeError, ValueError) as e:
            if "Overflow when unpacking long" in str(e):
                raise exc_type(str(e)) from None
            raise

    return tensor


@pytest.mark.skipif(not torch_at_least("2.9"), reason="the ValueError spec is gated to torch>=2.9")
def test_int64_overflow_as_runtime_error_again_is_killed(pytester, monkeypatch):
    """Plants torch.tensor raising RuntimeError for an int beyond int64 (the pre-2.9 type)."""
    monkeypatch.setattr(torch, "tensor", _overflow_as(RuntimeError))
    result = run(pytester, f"{MOD}::test_tensor_of_an_int_beyond_int64_raises_value_error_from_2_9")
    assert_killed(result, "test_tensor_of_an_int_beyond_int64_raises_value_error_from_2_9")


@pytest.mark.skipif(torch_at_least("2.9"), reason="the RuntimeError spec is gated to torch<2.9")
def test_int64_overflow_as_value_error_early_is_killed(pytester, monkeypatch):
    """Plants torch.tensor raising ValueError for an int beyond int64 before 2.9."""
    monkeypatch.setattr(torch, "tensor", _overflow_as(ValueError))
    result = run(pytester, f"{MOD}::test_tensor_of_an_int_beyond_int64_raises_runtime_error_before_2_9")
    assert_killed(result, "test_tensor_of_an_int_beyond_int64_raises_runtime_error_before_2_9")


def test_int64_overflow_wrapping_silently_is_killed(pytester, monkeypatch):
    """Plants torch.tensor that wraps an int beyond int64 around instead of raising."""
    def tensor(data, *args, **kwargs):
        if isinstance(data, int) and data >= 2**63:
            data -= 2**64
        return _tensor(data, *args, **kwargs)

    monkeypatch.setattr(torch, "tensor", tensor)
    name = (
        "test_tensor_of_an_int_beyond_int64_raises_value_error_from_2_9"
        if torch_at_least("2.9")
        else "test_tensor_of_an_int_beyond_int64_raises_runtime_error_before_2_9"
    )
    result = run(pytester, f"{MOD}::{name}")
    assert_killed(result, name)


@pytest.mark.skipif(not torch_at_least("2.1"), reason="the deprecation spec is gated to torch>=2.1")
def test_set_default_tensor_type_without_its_warning_is_killed(pytester, monkeypatch):
    """Plants torch.set_default_tensor_type that no longer warns it is deprecated (the 2.0 behaviour)."""
    orig = torch.set_default_tensor_type

    def quiet(t):
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore")
            orig(t)

    monkeypatch.setattr(torch, "set_default_tensor_type", quiet)
    result = run(pytester, f"{MOD}::test_set_default_tensor_type_warns_that_it_is_deprecated_from_2_1")
    assert_killed(result, "test_set_default_tensor_type_warns_that_it_is_deprecated_from_2_1")


@pytest.mark.skipif(torch_at_least("2.1"), reason="the silent spec is gated to torch<2.1")
def test_set_default_tensor_type_warning_early_is_killed(pytester, monkeypatch):
    """Plants torch.set_default_tensor_type warning before 2.1."""
    orig = torch.set_default_tensor_type

    def noisy(t):
        _warnings.warn("torch.set_default_tensor_type() is deprecated")
        orig(t)

    monkeypatch.setattr(torch, "set_default_tensor_type", noisy)
    result = run(pytester, f"{MOD}::test_set_default_tensor_type_is_silent_before_2_1")
    assert_killed(result, "test_set_default_tensor_type_is_silent_before_2_1")


def test_set_default_tensor_type_to_double_is_killed(pytester, monkeypatch):
    """Plants torch.set_default_tensor_type that sets float64 whatever it is given."""
    orig = torch.set_default_tensor_type

    def double(t):
        orig(torch.DoubleTensor)

    monkeypatch.setattr(torch, "set_default_tensor_type", double)
    name = "test_set_default_tensor_type_warns_that_it_is_deprecated_from_2_1" if torch_at_least("2.1") else "test_set_default_tensor_type_is_silent_before_2_1"
    result = run(pytester, f"{MOD}::{name}")
    assert_killed(result, name)


@pytest.mark.skipif(not torch_at_least("2.3"), reason="the get_default_device spec is gated to torch>=2.3")
def test_get_default_device_answering_meta_is_killed(pytester, monkeypatch):
    """Plants torch.get_default_device that answers meta whatever the default device is."""
    monkeypatch.setattr(torch, "get_default_device", lambda: torch.device("meta"))
    result = run(pytester, f"{MOD}::test_get_default_device_reads_back_what_set_default_device_set_from_2_3")
    assert_killed(result, "test_get_default_device_reads_back_what_set_default_device_set_from_2_3")


@pytest.mark.skipif(torch_at_least("2.3"), reason="the missing-get_default_device spec is gated to torch<2.3")
def test_get_default_device_present_early_is_killed(pytester, monkeypatch):
    """Plants a torch.get_default_device before 2.3."""
    monkeypatch.setattr(torch, "get_default_device", lambda: torch.device("cpu"), raising=False)
    result = run(pytester, f"{MOD}::test_get_default_device_is_missing_before_2_3")
    assert_killed(result, "test_get_default_device_is_missing_before_2_3")


# --- release history, round 2 (the tracker)

WIDE_SCALAR = "test_tensor_of_a_numpy_wide_unsigned_scalar_keeps_its_dtype_from_2_3"


def _numpy_scalars_as_python(orig, data, **kwargs):
    """torch.tensor that reads a numpy unsigned scalar (alone or in a list) as the Python int it holds: int64."""
    def plain(x):
        return x.item() if isinstance(x, np.unsignedinteger) else x
    data = [plain(x) for x in data] if isinstance(data, list) else plain(data)
    return orig(data, **kwargs)


@pytest.mark.skipif(not torch_at_least("2.3"), reason="the wide-unsigned scalar spec is gated to torch>=2.3")
def test_slice_numpy_uint32_scalar_read_as_int64_is_killed(pytester, monkeypatch):
    """Plants torch.tensor that reads a numpy uint32 scalar as a Python int (an int64 tensor): only the uint32 case breaks."""
    def fake(orig, data, **kwargs):
        is_u32 = isinstance(data, np.uint32) or (isinstance(data, list) and any(isinstance(x, np.uint32) for x in data))
        return _numpy_scalars_as_python(orig, data, **kwargs) if is_u32 else orig(data, **kwargs)

    factory(monkeypatch, fake)
    result = run(pytester, f"{MOD}::{WIDE_SCALAR}[cpu-uint32]")
    assert_killed(result, f"{WIDE_SCALAR}[cpu-uint32]", "torch.int64")


@pytest.mark.skipif(not torch_at_least("2.3"), reason="the wide-unsigned scalar spec is gated to torch>=2.3")
def test_slice_as_tensor_refusing_a_numpy_uint16_scalar_is_killed(pytester, monkeypatch):
    """Plants torch.as_tensor that refuses a numpy uint16 scalar with TypeError, as torch < 2.3 did (torch.tensor still converts)."""
    orig = torch.as_tensor

    def as_tensor(data, *args, **kwargs):
        if isinstance(data, np.uint16):
            raise TypeError("can't convert np.ndarray of type numpy.uint16.")
        return orig(data, *args, **kwargs)

    monkeypatch.setattr(torch, "as_tensor", as_tensor)
    result = run(pytester, f"{MOD}::{WIDE_SCALAR}[cpu-uint16]")
    assert_killed(result, f"{WIDE_SCALAR}[cpu-uint16]")


@pytest.mark.skipif(torch_at_least("2.3"), reason="the refusal spec is gated to torch<2.3")
def test_numpy_wide_unsigned_scalar_converted_early_is_killed(pytester, monkeypatch):
    """Plants torch.tensor that converts a numpy uint16/32/64 scalar to int64 before 2.3 instead of refusing it."""
    factory(monkeypatch, _numpy_scalars_as_python)
    name = "test_tensor_of_a_numpy_wide_unsigned_scalar_raises_type_error_before_2_3"
    result = run(pytester, f"{MOD}::{name}")
    assert_killed(result, name)


# --------------------------------------------------------------------------- full, empty and ragged lists, lists of 0-d tensors, linspace


def test_full_casting_complex_fills_to_the_float16_default_is_killed(pytester, monkeypatch):
    """Plants torch.full that gives a complex fill the complex twin of a float16 default (complex32) instead of complex64."""
    orig = torch.full

    def full(size, fill_value, *args, **kwargs):
        if isinstance(fill_value, complex) and "dtype" not in kwargs and torch.get_default_dtype() == torch.float16:
            kwargs["dtype"] = torch.complex32
        return orig(size, fill_value, *args, **kwargs)

    monkeypatch.setattr(torch, "full", full)
    name = "test_full_infers_its_dtype_from_the_fill_value"
    result = run(pytester, spec(name))
    assert_killed(result, f"{name}[cpu-complex]", "complex fill) under default torch.float16.dtype=torch.complex32, but should be torch.complex64")


def test_slice_full_reading_numpy_int32_fills_as_int32_is_killed(pytester, monkeypatch):
    """Plants torch.full that keeps a numpy int32 fill's dtype (int32) instead of reading it as a Python int (int64)."""
    orig = torch.full

    def full(size, fill_value, *args, **kwargs):
        if isinstance(fill_value, np.int32) and "dtype" not in kwargs:
            kwargs["dtype"] = torch.int32
        return orig(size, fill_value, *args, **kwargs)

    monkeypatch.setattr(torch, "full", full)
    name = "test_full_infers_its_dtype_from_the_fill_value"
    result = run(pytester, spec(name))
    assert_killed(result, f"{name}[cpu-numpy-int32]", "numpy-int32 fill) under default torch.float32.dtype=torch.int32, but should be torch.int64")


def test_tensor_of_an_empty_list_taking_float32_under_another_default_is_killed(pytester, monkeypatch):
    """Plants torch.tensor([]) that is always float32, whatever the default dtype."""
    orig = torch.tensor

    def tensor(data, *args, **kwargs):
        if isinstance(data, list) and (data == [] or data == [[]]) and "dtype" not in kwargs:
            kwargs["dtype"] = torch.float32
        return orig(data, *args, **kwargs)

    monkeypatch.setattr(torch, "tensor", tensor)
    name = "test_tensor_of_an_empty_list_is_of_size_0_and_the_default_dtype"
    result = run(pytester, spec(name))
    assert_killed(result, f"{name}[cpu-float64]", "should be torch.float64")


def test_tensor_padding_ragged_rows_is_killed(pytester, monkeypatch):
    """Plants torch.tensor that pads ragged rows with zeros instead of refusing them."""
    orig = torch.tensor

    def tensor(data, *args, **kwargs):
        if isinstance(data, list) and data and all(isinstance(r, list) for r in data) and len({len(r) for r in data}) > 1:
            width = max(len(r) for r in data)
            data = [r + [0] * (width - len(r)) for r in data]
        return orig(data, *args, **kwargs)

    monkeypatch.setattr(torch, "tensor", tensor)
    name = "test_tensor_of_a_ragged_list_raises"
    result = run(pytester, spec(name))
    assert_killed(result, f"{name}[cpu-[[1, 2], [3]]]", "raised no ValueError")


def test_slice_tensor_of_0d_tensors_keeping_the_first_elements_dtype_is_killed(pytester, monkeypatch):
    """Plants torch.tensor of a list of 0-d tensors that takes the first element's dtype instead of promoting (uint8 lists only)."""
    orig = torch.tensor

    def tensor(data, *args, **kwargs):
        if isinstance(data, list) and data and isinstance(data[0], torch.Tensor) and data[0].dtype == torch.uint8 and "dtype" not in kwargs:
            kwargs["dtype"] = torch.uint8
        return orig(data, *args, **kwargs)

    monkeypatch.setattr(torch, "tensor", tensor)
    name = "test_tensor_of_0d_tensors_and_scalars_has_their_promoted_dtype"
    result = run(pytester, spec(name))
    assert_killed(result, f"{name}[cpu-uint8]")


def test_list_of_grad_tensors_warning_dropped_is_killed(pytester, monkeypatch):
    """Plants a torch >= 2.8 whose torch.tensor of 0-d tensors that require grad no longer warns (it detaches them first)."""
    orig = torch.tensor

    def tensor(data, *args, **kwargs):
        if isinstance(data, list):
            data = [x.detach() if isinstance(x, torch.Tensor) else x for x in data]
        return orig(data, *args, **kwargs)

    monkeypatch.setattr(torch, "tensor", tensor)
    monkeypatch.setattr(torch, "__version__", "2.8.0")
    name = "test_tensor_of_a_list_of_0d_tensors_that_require_grad_warns_per_element_from_2_8"
    result = run(pytester, spec(name))
    assert_killed(result, name, "but should warn once for each of the 2 elements")


def test_pre_2_8_list_of_grad_tensors_warning_is_killed(pytester, monkeypatch):
    """Plants a torch < 2.8 that already warns when torch.tensor reads 0-d tensors that require grad (2.8's pytorch#143261)."""
    import warnings

    orig = torch.tensor

    def tensor(data, *args, **kwargs):
        if isinstance(data, list):
            for x in data:
                if isinstance(x, torch.Tensor) and x.requires_grad:
                    warnings.warn("Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.", UserWarning)
            data = [x.detach() if isinstance(x, torch.Tensor) else x for x in data]
        return orig(data, *args, **kwargs)

    monkeypatch.setattr(torch, "tensor", tensor)
    monkeypatch.setattr(torch, "__version__", "2.7.1")
    name = "test_tensor_of_a_list_of_0d_tensors_that_require_grad_is_silent_before_2_8"
    result = run(pytester, spec(name))
    assert_killed(result, name, "but should be silent")


def test_linspace_refusing_tensor_ends_again_is_killed(pytester, monkeypatch):
    """Plants a torch >= 2.2 whose linspace refuses tensor ends that require grad (the 2.0/2.1 parser)."""
    orig = torch.linspace

    def linspace(start, end, *args, **kwargs):
        if any(isinstance(v, torch.Tensor) and (v.requires_grad or v.dim()) for v in (start, end)):
            raise TypeError("linspace(): argument 'start' (position 1) must be Number, not Tensor")
        return orig(start, end, *args, **kwargs)

    monkeypatch.setattr(torch, "linspace", linspace)
    monkeypatch.setattr(torch, "__version__", "2.14.1")
    name = "test_linspace_and_logspace_read_0d_tensor_ends_that_require_grad_from_2_2"
    result = run(pytester, spec(name))
    assert_killed(result, f"{name}[cpu-linspace]")


def test_pre_2_2_linspace_reading_tensor_ends_is_killed(pytester, monkeypatch):
    """Plants a torch that reports 2.1.2 but reads tensor ends (this build's behaviour, planted explicitly): the <2.2 spec must fail."""
    orig = torch.logspace

    def logspace(start, end, *args, **kwargs):
        start, end = (float(v.detach()) if isinstance(v, torch.Tensor) and v.dim() == 0 else v for v in (start, end))
        return orig(start, end, *args, **kwargs)

    monkeypatch.setattr(torch, "logspace", logspace)
    monkeypatch.setattr(torch, "__version__", "2.1.2")
    name = "test_linspace_and_logspace_refuse_tensor_ends_that_require_grad_with_type_error_before_2_2"
    result = run(pytester, spec(name))
    assert_killed(result, f"{name}[cpu-logspace]", "raised no TypeError")


LIKE_SPEC = "test_like_factories_keep_a_dense_inputs_strides_and_a_gapped_inputs_stride_order"


def test_zeros_like_returning_contiguous_tensors_is_killed(pytester, monkeypatch):
    """Plants torch.zeros_like that ignores the input's layout (contiguous_format always)."""
    orig = torch.zeros_like
    monkeypatch.setattr(torch, "zeros_like", lambda x, *a, **k: orig(x, *a, **k).contiguous())
    result = run(pytester, spec(LIKE_SPEC))
    assert_killed(result, f"{LIKE_SPEC}[cpu-zeros_like-transposed]", f"{LIKE_SPEC}[cpu-zeros_like-channels_last]")


def test_slice_empty_like_dropping_channels_last_3d_is_killed(pytester, monkeypatch):
    """Plants torch.empty_like that gives a contiguous tensor for 5-d inputs only (channels_last_3d lost)."""
    orig = torch.empty_like
    monkeypatch.setattr(torch, "empty_like", lambda x, *a, **k: orig(x, *a, **k).contiguous() if x.dim() == 5 else orig(x, *a, **k))
    result = run(pytester, spec(LIKE_SPEC))
    assert_killed(result, f"{LIKE_SPEC}[cpu-empty_like-channels_last_3d]", "should keep the input's")


def test_ones_like_copying_an_inputs_gaps_is_killed(pytester, monkeypatch):
    """Plants torch.ones_like that copies a step-sliced input's strides, gaps and all (empty_strided), instead of a dense tensor."""
    orig = torch.ones_like

    def ones_like(x, *a, **k):
        if x.dim() and x.stride(-1) > 1:
            return torch.empty_strided(x.shape, x.stride(), dtype=x.dtype, device=x.device).fill_(1)
        return orig(x, *a, **k)

    monkeypatch.setattr(torch, "ones_like", ones_like)
    result = run(pytester, spec(LIKE_SPEC))
    assert_killed(result, f"{LIKE_SPEC}[cpu-ones_like-step_sliced]", "not dense")


# --------------------------------------------------------------------------- arange and range

ARANGE = "test_arange_is_int64_for_integral_arguments_and_the_default_dtype_if_any_is_floating"
RANGE = "test_range_includes_its_end_gives_the_default_dtype_and_warns_it_is_deprecated"


def _arange_patched(monkeypatch, dtype_of):
    """Plants torch.arange whose result dtype, when none is asked for, is ``dtype_of(args)`` (None: torch's own)."""
    orig = torch.arange

    def arange(*args, **kwargs):
        if kwargs.get("dtype") is None:
            dtype = dtype_of(args)
            if dtype is not None:
                kwargs["dtype"] = dtype
        return orig(*args, **kwargs)

    monkeypatch.setattr(torch, "arange", arange)


def test_slice_arange_keeping_a_float64_tensors_dtype_is_killed(pytester, monkeypatch):
    """Plants torch.arange that gives float64 when an argument is a float64 tensor (its dtype, not its kind)."""
    _arange_patched(monkeypatch, lambda args: torch.float64 if any(
        isinstance(a, torch.Tensor) and a.dtype == torch.float64 for a in args) else None)
    result = run(pytester, spec(ARANGE))
    assert_killed(result, f"{ARANGE}[cpu-float64 tensor]", "under default torch.float32.dtype=torch.float64, but should be torch.float32")


def test_slice_arange_keeping_an_int8_tensors_width_is_killed(pytester, monkeypatch):
    """Plants torch.arange that gives int8 when an argument is an int8 tensor."""
    _arange_patched(monkeypatch, lambda args: torch.int8 if any(
        isinstance(a, torch.Tensor) and a.dtype == torch.int8 for a in args) else None)
    result = run(pytester, spec(ARANGE))
    assert_killed(result, f"{ARANGE}[cpu-int8 tensor]", "under default torch.float32.dtype=torch.int8, but should be torch.int64")


def test_slice_arange_reading_numpy_float32_as_integral_is_killed(pytester, monkeypatch):
    """Plants torch.arange that reads a numpy float32 argument of integral value as an int (int64 result)."""
    _arange_patched(monkeypatch, lambda args: torch.int64 if any(
        isinstance(a, np.float32) and float(a).is_integer() for a in args) else None)
    result = run(pytester, spec(ARANGE))
    assert_killed(result, f"{ARANGE}[cpu-np.float32]", "under default torch.float32.dtype=torch.int64, but should be torch.float32")


def test_arange_including_its_end_is_killed(pytester, monkeypatch):
    """Plants torch.arange that includes its end, as torch.range does."""
    orig = torch.arange

    def arange(*args, **kwargs):
        if len(args) == 3:
            start, end, step = args
            return orig(start, end + step, step, **kwargs)[: len(range(int(start), int(end) + 1, int(step)))]
        return orig(*args, **kwargs)

    monkeypatch.setattr(torch, "arange", arange)
    result = run(pytester, spec(ARANGE))
    assert_killed(result, f"{ARANGE}[cpu-int]", "under default torch.float32")


def test_range_without_its_deprecation_warning_is_killed(pytester, monkeypatch):
    """Plants torch.range that no longer warns that it is deprecated."""
    import warnings

    orig = torch.range

    def quiet(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return orig(*args, **kwargs)

    monkeypatch.setattr(torch, "range", quiet)
    result = run(pytester, spec(RANGE))
    assert_killed(result, f"{RANGE}[cpu-float32]", "should warn once that it is deprecated")


def test_range_of_ints_giving_int64_is_killed(pytester, monkeypatch):
    """Plants torch.range that infers int64 from int arguments, as arange does."""
    orig = torch.range

    def range_(start, end, step=1, **kwargs):
        if all(isinstance(a, int) for a in (start, end, step)) and kwargs.get("dtype") is None:
            kwargs["dtype"] = torch.int64
        return orig(start, end, step, **kwargs)

    monkeypatch.setattr(torch, "range", range_)
    result = run(pytester, spec(RANGE))
    assert_killed(result, f"{RANGE}[cpu-float64]", "should be torch.float64")


def test_slice_range_excluding_its_end_under_bfloat16_is_killed(pytester, monkeypatch):
    """Plants torch.range that, under a bfloat16 default, drops its end (arange's half-open rule)."""
    orig = torch.range

    def range_(start, end, step=1, **kwargs):
        out = orig(start, end, step, **kwargs)
        return out[:-1] if torch.get_default_dtype() == torch.bfloat16 and out.numel() else out

    monkeypatch.setattr(torch, "range", range_)
    result = run(pytester, spec(RANGE))
    assert_killed(result, f"{RANGE}[cpu-bfloat16]")


@pytest.mark.skipif(torch_at_least("2.2"), reason="the spec is gated to torch<2.2")
def test_range_with_a_float16_cpu_kernel_before_2_2_is_killed(pytester, monkeypatch):
    """Plants a float16 torch.range on the cpu before 2.2 (computed in float32, then cast)."""
    orig = torch.range

    def range_(*args, **kwargs):
        if kwargs.get("dtype", torch.get_default_dtype()) == torch.float16:
            kwargs["dtype"] = torch.float32
            return orig(*args, **kwargs).half()
        return orig(*args, **kwargs)

    monkeypatch.setattr(torch, "range", range_)
    name = "test_range_under_a_float16_default_raises_on_the_cpu_before_2_2"
    assert_killed(run(pytester, spec(name)), name, "raised no RuntimeError")


# --- release history, round 4 (release notes 2.10-2.15)


def test_slice_ones_ignoring_names_from_2_13_is_killed(pytester, monkeypatch):
    """Plants a torch 2.13 whose torch.ones still takes names= and silently drops it: only the torch.ones case may fail."""
    orig = torch.ones

    def ones(*size, names=None, **kwargs):
        return orig(*size, **kwargs)

    monkeypatch.setattr(torch, "ones", ones)
    monkeypatch.setattr(torch, "__version__", "2.13.0")
    name = "test_factories_refuse_names_from_2_13"
    result = run(pytester, f"{MOD}::{name}")
    assert_killed(result, f"{name}[torch.ones]", "raised no TypeError")
    assert len([r for r in result.reprec.getfailures() if r.when == "call"]) == 1, "only the torch.ones case should fail"


def test_tensor_refusing_names_before_2_13_is_killed(pytester, monkeypatch):
    """Plants a torch 2.12 whose torch.tensor already refuses names= (named tensors removed a release early)."""
    orig = torch.tensor

    def tensor(data, *args, names=None, **kwargs):
        if names is not None:
            raise TypeError("tensor() got an unexpected keyword argument 'names'")
        return orig(data, *args, **kwargs)

    monkeypatch.setattr(torch, "tensor", tensor)
    monkeypatch.setattr(torch, "__version__", "2.12.1")
    name = "test_factories_build_named_tensors_from_names_before_2_13"
    result = run(pytester, f"{MOD}::{name}")
    assert_killed(result, f"{name}[torch.tensor]", "unexpected keyword argument 'names'")
