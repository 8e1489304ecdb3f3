"""torch.Tensor() vs torch.tensor(): a class with a legacy constructor, and a factory that infers.

``torch.Tensor`` is *the* tensor class: every tensor, whatever its dtype or device, is an instance
of it. Calling it is the legacy constructor, which always builds a tensor of the default dtype
(float32 unless ``set_default_dtype`` changed it) -- from ints and bools too -- and reads bare
integers as a *size*: ``torch.Tensor(3)`` is an uninitialized 1-D tensor of three elements,
``torch.Tensor(2, 3)`` an uninitialized 2 x 3 one. It takes no ``dtype=``, and it only builds cpu
tensors: ``device=`` anything else is a RuntimeError ("legacy constructor expects device type: cpu
but device type: cuda was passed"), and it ignores ``set_default_device`` / ``with
torch.device(...)`` (pytorch#126533). Given a tensor, ``torch.Tensor(t)`` does not copy: it returns
an alias of ``t``, keeping t's dtype and device.

``torch.tensor(data, dtype=None, device=None, requires_grad=False)`` is a function. It always
copies its data (a list, an ndarray, or a tensor -- the last with a UserWarning recommending
``sourceTensor.detach().clone()``; releases up to at least 2.6 wrote ``clone().detach()``, 2.9 and later ``detach().clone()``), honours
``dtype``, ``device`` and ``requires_grad``, and otherwise infers the dtype: bools -> bool, ints ->
int64, floats -> the default dtype, complex -> complex64 (complex128 when the default is float64),
and a mix takes the promotion of its kinds (``[True, 2]`` -> int64, ``[1, 2.5]`` -> float). numpy
arrays and numpy scalars keep their own dtype (a float64 array gives float64, not float32).
``torch.tensor(3)`` is a 0-d int64 scalar. ``torch.as_tensor`` is the non-copying variant: it
returns its tensor argument itself when dtype and device already match.

Where the source note is off: ``torch.Tensor`` is not an alias of ``torch.FloatTensor`` (that is a
separate legacy type object; ``torch.Tensor is torch.FloatTensor`` is False, and after
``set_default_dtype(torch.float64)`` ``torch.Tensor([1, 2])`` is a DoubleTensor). Its ``.type()``
strings are right: ``torch.FloatTensor``, ``torch.LongTensor``, ``torch.DoubleTensor`` on cpu, and
``torch.cuda.FloatTensor`` etc. on cuda.
"""

from __future__ import annotations

import warnings
from functools import reduce

import numpy as np
import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from specs.helpers import NUMPY_TO_TORCH, arrays, assert_device, assert_dtype, assert_owns, assert_same, assert_shares

#: Python scalars by kind. Ints stay within int32 so every one is exact in float64 and promotes
#: to int64 without overflow; floats are finite (NaN would make equality checks moot).
bools = st.booleans()
ints = st.integers(-(2**31), 2**31 - 1)
floats = st.floats(-1e6, 1e6, allow_nan=False)
complexes = st.complex_numbers(max_magnitude=1e6, allow_nan=False, allow_infinity=False)
defaults = st.sampled_from([torch.float32, torch.float64])


def nested(elements, min_side=1):
    """Rectangular nested lists (1-3 levels, sides 1-4) of the given Python scalars."""
    shape = hnp.array_shapes(min_dims=1, max_dims=3, min_side=min_side, max_side=4)
    return shape.flatmap(lambda s: st.lists(elements, min_size=int(np.prod(s)), max_size=int(np.prod(s))).map(
        lambda flat: np.array(flat, dtype=object).reshape(s).tolist()
    ))


def leaves(data):
    return [x for item in data for x in leaves(item)] if isinstance(data, list) else [data]


def kind_dtype(x) -> torch.dtype:
    """The dtype torch.tensor gives a lone Python scalar of x's kind."""
    if isinstance(x, bool):
        return torch.bool
    if isinstance(x, int):
        return torch.int64
    if isinstance(x, float):
        return torch.get_default_dtype()
    return torch.complex128 if torch.get_default_dtype() == torch.float64 else torch.complex64


class default_dtype:
    """``with default_dtype(d):`` -- set the default dtype, restore it on exit."""

    def __init__(self, dtype):
        self.dtype = dtype

    def __enter__(self):
        self.before = torch.get_default_dtype()
        torch.set_default_dtype(self.dtype)

    def __exit__(self, *exc):
        torch.set_default_dtype(self.before)


def raises(exc_type, match: str, claim: str, fn):
    """``fn()`` raises ``exc_type`` with ``match`` in its message."""
    __tracebackhide__ = True
    try:
        fn()
    except exc_type as exc:
        assert match in str(exc), f"{exc_type.__name__} {str(exc)[:200]!r} does not mention {match!r} [{claim}]"
    else:
        pytest.fail(f"did not raise {exc_type.__name__} [{claim}]")


def prefix(device: torch.device) -> str:
    """The ``.type()`` prefix: ``torch.`` on cpu, ``torch.cuda.`` on cuda."""
    return "torch." if device.type == "cpu" else f"torch.{device.type}."


# --------------------------------------------------------------------------- class vs factory


def test_Tensor_is_the_class_and_tensor_is_a_factory_function(device):
    """torch.Tensor is the tensor class (every tensor is an instance), torch.tensor a function; torch.Tensor is not torch.FloatTensor."""
    claim = f"torch.Tensor is the class, torch.tensor a factory, device={device}"
    assert isinstance(torch.Tensor, type), f"torch.Tensor is a {type(torch.Tensor)}, not a class [{claim}]"
    assert not isinstance(torch.tensor, type) and callable(torch.tensor), f"torch.tensor is a class [{claim}]"
    for dtype in (torch.float32, torch.float64, torch.int64, torch.bool):
        t = torch.tensor([1], dtype=dtype, device=device)
        assert_device(t, device, claim)
        assert type(t) is torch.Tensor, f"type(torch.tensor(...))={type(t)}, but should be torch.Tensor [{claim}]"
    assert torch.Tensor is not torch.FloatTensor, f"torch.Tensor is torch.FloatTensor [{claim}]"
    assert not isinstance(torch.zeros(1, dtype=torch.float64), torch.FloatTensor), f"float64 is a FloatTensor [{claim}]"


# --------------------------------------------------------------------------- dtype inference


@given(data=nested(st.one_of(bools, ints, floats)), default=defaults)
@example(data=[1, 2], default=torch.float32)
@example(data=[True, False], default=torch.float32)
@example(data=[[1, 2], [3, 4]], default=torch.float64)
def test_legacy_constructor_always_gives_the_default_dtype(device, data, default):
    """torch.Tensor(list) is always of the default dtype, even from ints or bools (torch.Tensor([1, 2]) is float32)."""
    claim = f"torch.Tensor(list) always gives the default dtype, default={default}, device={device}"
    with default_dtype(default):
        out = torch.Tensor(data)
    assert_dtype(out, default, claim)
    expected = torch.tensor(np.array(data, dtype=np.float64), dtype=default, device=device)
    assert_same(out.to(device), expected, claim)


@given(data=nested(st.one_of(bools, ints, floats, complexes)), default=defaults)
@example(data=[1, 2], default=torch.float32)
@example(data=[1.0, 2.0], default=torch.float32)
@example(data=[True, 2], default=torch.float32)
@example(data=[1, 2.5], default=torch.float64)
@example(data=[1, 1j], default=torch.float32)
@example(data=[1j], default=torch.float64)
def test_tensor_infers_the_promoted_dtype_of_its_element_kinds(device, data, default):
    """torch.tensor infers bool -> bool, int -> int64, float -> default dtype, complex -> complex64/128, and mixes promote."""
    claim = f"torch.tensor infers the promotion of its element kinds, default={default}, device={device}"
    with default_dtype(default):
        expected = reduce(torch.promote_types, (kind_dtype(x) for x in leaves(data)))
        out = torch.tensor(data, device=device)
    assert_device(out, device, claim)
    assert_dtype(out, expected, claim)
    assert_same(out.cpu(), torch.from_numpy(np.array(data)).to(expected), claim)  # numpy: same kinds, 64-bit


@given(a=arrays(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)))
@example(a=np.zeros(2, dtype=np.float64))
@example(a=np.arange(3, dtype=np.int32))
def test_tensor_keeps_the_dtype_of_numpy_arrays_and_scalars(device, a):
    """torch.tensor keeps a numpy array's or numpy scalar's dtype: float64 stays float64, int32 stays int32."""
    claim = f"torch.tensor keeps numpy dtypes, dtype={a.dtype}, device={device}"
    expected = NUMPY_TO_TORCH[a.dtype]
    out = torch.tensor(a, device=device)
    assert_dtype(out, expected, claim)
    assert_same(out, torch.from_numpy(a.copy()).to(device), claim)
    scalar = a.flat[0]  # a numpy scalar of the same dtype
    out = torch.tensor(scalar, device=device)
    assert_dtype(out, expected, claim)
    assert out.shape == (), f"out.shape={tuple(out.shape)}, but should be () [{claim}]"


def test_set_default_dtype_changes_both_constructors_float_and_complex_results(device):
    """After set_default_dtype(float64) both constructors give float64 for floats, torch.tensor complex128 for complex; ints stay int64."""
    claim = f"set_default_dtype(float64) changes both constructors, device={device}"
    with default_dtype(torch.float64):
        legacy, floats_, complex_, ints_ = (
            torch.Tensor([1, 2]),
            torch.tensor([1.0, 2.0], device=device),
            torch.tensor([1j], device=device),
            torch.tensor([1, 2], device=device),
        )
        legacy_type = legacy.type()
    assert_dtype(legacy, torch.float64, claim)
    assert legacy_type == "torch.DoubleTensor", f"type()={legacy_type}, but should be torch.DoubleTensor [{claim}]"
    assert_dtype(floats_, torch.float64, claim)
    assert_dtype(complex_, torch.complex128, claim)
    assert_dtype(ints_, torch.int64, claim)
    for out in (floats_, complex_, ints_):
        assert_device(out, device, claim)
    # and back: the default float32 gives float32 / complex64 again
    assert_dtype(torch.Tensor([1, 2]), torch.float32, claim)
    assert_dtype(torch.tensor([1j], device=device), torch.complex64, claim)


# --------------------------------------------------------------------------- sizes vs scalars


@given(size=st.lists(st.integers(0, 5), min_size=1, max_size=3))
@example(size=[3])
@example(size=[2, 3])
def test_legacy_constructor_reads_ints_as_a_size_tensor_as_a_value(device, size):
    """torch.Tensor(3) is an uninitialized 1-D float tensor of size 3 and torch.Tensor(2, 3) a 2 x 3 one; torch.tensor(3) is a 0-d int64 scalar."""
    claim = f"torch.Tensor(*ints) is a size, torch.tensor(int) a scalar, device={device}"
    legacy = torch.Tensor(*size)
    assert tuple(legacy.shape) == tuple(size), f"torch.Tensor{tuple(size)}.shape={tuple(legacy.shape)} [{claim}]"
    assert_dtype(legacy, torch.get_default_dtype(), claim)
    scalar = torch.tensor(size[0], device=device)
    assert scalar.shape == (), f"torch.tensor({size[0]}).shape={tuple(scalar.shape)}, but should be () [{claim}]"
    assert_dtype(scalar, torch.int64, claim)
    assert_device(scalar, device, claim)
    assert scalar.item() == size[0], f"torch.tensor({size[0]}).item()={scalar.item()} [{claim}]"


# --------------------------------------------------------------------------- copy vs alias


@given(a=arrays(dtype=st.sampled_from([np.dtype(np.float32), np.dtype(np.int64)]),
                shape=hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=4)))
@example(a=np.array([1.0, 2.0], np.float32))
def test_tensor_always_copies_Tensor_of_a_tensor_aliases_as_tensor_shares(device, a):
    """torch.tensor copies an ndarray and a tensor (warning to copy with detach/clone); torch.Tensor(t) aliases t; as_tensor(t) is t.

    ``torch.Tensor(t)`` keeps t's dtype and device (an int64 tensor stays int64: only lists are
    converted to the default dtype).
    """
    claim = f"torch.tensor copies, torch.Tensor(t) aliases, as_tensor shares, device={device}"
    t = torch.from_numpy(a.copy()).to(device)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        copy = torch.tensor(t)
    messages = [str(w.message) for w in caught]
    assert any("To copy construct from a tensor" in m for m in messages), f"warnings={messages} [{claim}]"
    assert_owns(copy, t, claim)
    assert_same(copy, t, claim)
    alias = torch.Tensor(t)
    assert_shares(alias, t, claim)
    assert_dtype(alias, t.dtype, claim)
    assert_device(alias, device, claim)
    assert torch.as_tensor(t) is t, f"as_tensor(t) is not t [{claim}]"
    assert_owns(torch.as_tensor(t, dtype=torch.float64), t, claim)
    # from an ndarray: writing to the source does not reach the tensor
    src = a.copy()
    from_array = torch.tensor(src, device=device)
    src += 1
    assert_same(from_array, torch.from_numpy(a).to(device), claim)


# --------------------------------------------------------------------------- keyword arguments


@given(
    dtype=st.sampled_from([torch.float16, torch.float32, torch.float64, torch.complex64]),
    data=nested(st.one_of(ints, floats)),
)
@example(dtype=torch.float64, data=[1, 2])
def test_tensor_honours_dtype_device_and_requires_grad(device, dtype, data):
    """torch.tensor(data, dtype=..., device=..., requires_grad=True) gives exactly that dtype, device and a grad-requiring leaf."""
    claim = f"torch.tensor honours dtype, device, requires_grad, dtype={dtype}, device={device}"
    out = torch.tensor(data, dtype=dtype, device=device, requires_grad=True)
    assert_dtype(out, dtype, claim)
    assert_device(out, device, claim)
    assert out.requires_grad and out.is_leaf, f"requires_grad={out.requires_grad}, is_leaf={out.is_leaf} [{claim}]"
    plain = torch.tensor(data, dtype=dtype, device=device)
    assert not plain.requires_grad, f"requires_grad=True without asking [{claim}]"


def test_legacy_constructor_takes_no_dtype_and_builds_only_cpu_tensors(device):
    """torch.Tensor rejects dtype= (TypeError) and any device but cpu (RuntimeError), and ignores the default device.

    ``torch.Tensor(data, device="cpu")`` is accepted; under ``with torch.device(d)`` (or
    ``set_default_device``) torch.tensor builds on ``d`` while torch.Tensor still builds on cpu
    (pytorch#126533, #132483). ``meta`` stands in for a non-cpu device that every machine has.
    """
    claim = f"the legacy constructor takes no dtype and builds only cpu tensors, device={device}"
    raises(TypeError, "dtype", claim, lambda: torch.Tensor([1, 2], dtype=torch.float64))
    for other in {device, torch.device("meta")} - {torch.device("cpu")}:
        raises(RuntimeError, "legacy constructor expects device type: cpu", claim, lambda: torch.Tensor([1, 2], device=other))
    ok = torch.Tensor([1, 2], device="cpu")
    assert ok.device.type == "cpu", f"device={ok.device} [{claim}]"
    for default in (device, torch.device("meta")):
        with torch.device(default):  # torch.tensor follows the default device, torch.Tensor does not
            legacy, factory = torch.Tensor([1, 2]), torch.tensor([1.0, 2.0])
        assert legacy.device.type == "cpu", f"torch.Tensor under default device {default}: {legacy.device} [{claim}]"
        assert_device(factory, default, claim)


# --------------------------------------------------------------------------- .type() strings


@pytest.mark.parametrize(
    "data, kwargs, name",
    [([1, 2], {}, "LongTensor"), ([1.0, 2.0], {}, "FloatTensor"), (np.zeros(2, np.float64), {}, "DoubleTensor"),
     ([True], {}, "BoolTensor"), ([1, 2], {"dtype": torch.uint8}, "ByteTensor"), ([1, 2], {"dtype": torch.int32}, "IntTensor")],
)
def test_type_strings_name_the_legacy_tensor_types(device, data, kwargs, name):
    """.type() gives the legacy type names from the note: torch.LongTensor / FloatTensor / DoubleTensor on cpu, torch.cuda.* on cuda."""
    claim = f".type() names the legacy type, device={device}"
    out = torch.tensor(data, device=device, **kwargs)
    assert out.type() == prefix(device) + name, f"type()={out.type()}, but should be {prefix(device) + name} [{claim}]"
    legacy = torch.Tensor([1, 2]).to(device)
    assert legacy.type() == prefix(device) + "FloatTensor", f"torch.Tensor type()={legacy.type()} [{claim}]"
