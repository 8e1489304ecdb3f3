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

Lists, tuples and nested mixes of them infer alike, and every kind of data is copied. Under
``set_default_dtype(torch.float16)`` floats give float16 and complex data complex32 (``torch.chalf``)
from torch 2.4 on (2.0.1 and 2.2.2 raise "invalid default scalar type for complex").
``torch.set_default_device(d)`` moves ``torch.zeros`` and ``torch.tensor`` to ``d``, but
``torch.from_numpy`` (which shares the array's cpu memory) and the legacy ``torch.Tensor(...)`` stay
on cpu.

The source note (section 9) says:
"torch.Tensor()是 python类,更明确地说,是默认张量类型torch.FloatTensor() 的别名,torch.Tensor([1,2])会调用Tensor类的构造函数 _init_,生成单精度浮点类型的张量。"
("torch.Tensor() is a Python class, more precisely an alias of the default tensor type
torch.FloatTensor(); torch.Tensor([1,2]) calls the Tensor class's constructor _init_ [sic, meaning
``__init__``] and produces a single-precision float tensor.") It is right that ``torch.Tensor`` is a
class and that ``torch.Tensor([1, 2])`` is float32 (under the default default dtype), and its
``.type()`` strings are right: ``torch.FloatTensor``, ``torch.LongTensor``, ``torch.DoubleTensor``
on cpu, and ``torch.cuda.FloatTensor`` etc. on cuda. Two things are wrong:

* ``torch.Tensor`` is not an alias of ``torch.FloatTensor`` (that is a separate legacy type object;
  ``torch.Tensor is torch.FloatTensor`` is False, and after ``set_default_dtype(torch.float64)``
  ``torch.Tensor([1, 2])`` is a DoubleTensor).
* No ``__init__`` builds the tensor: ``torch.Tensor.__init__ is object.__init__``, which does
  nothing. The work is done in ``__new__``: ``torch._C.TensorBase.__new__``
  (``torch._C._TensorBase`` in older releases such as 2.0) calls ``base_tensor_ctor`` in
  ``torch/csrc/utils/tensor_new.cpp``, the legacy constructor (``legacy_tensor_generic_ctor_new``)
  that also backs ``torch.FloatTensor(...)``. So ``torch.Tensor.__new__(torch.Tensor, [1, 2])``
  alone already returns ``tensor([1., 2.])``, and the device check ("legacy constructor expects
  device type: cpu") happens there too.
"""

from __future__ import annotations

import copy
import re
import warnings

import numpy as np
import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from specs.helpers import (
    NUMPY_TO_TORCH,
    arrays,
    assert_device,
    assert_dtype,
    assert_owns,
    assert_same,
    assert_shares,
    default_dtype,
    raises,
    reset_default_device,
)

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


def _retuple(data, flips):
    """``data`` with each (sub)list turned into a tuple where the next flip says so."""
    if not isinstance(data, list):
        return data
    items = [_retuple(item, flips) for item in data]
    return tuple(items) if next(flips) else items


def sequences(elements, min_side=1):
    """Python data of every kind torch.tensor takes: a bare scalar, or rectangular nested lists,
    tuples and mixes of the two (1-3 levels, sides 1-4) of the given Python scalars."""
    seqs = nested(elements, min_side).flatmap(
        lambda d: st.lists(st.booleans(), min_size=64, max_size=64).map(lambda fl: _retuple(d, iter(fl * 2)))
    )
    return st.one_of(elements, seqs)


def leaves(data):
    return [x for item in data for x in leaves(item)] if isinstance(data, (list, tuple)) else [data]


def depth(data) -> int:
    return 1 + depth(data[0]) if isinstance(data, (list, tuple)) else 0


def kind(x) -> str:
    """A Python scalar's category, in the order the docs promote them: bool < int < float < complex."""
    return "bool" if isinstance(x, bool) else "int" if isinstance(x, int) else "float" if isinstance(x, float) else "complex"


#: The documented inference rule, written out: the highest category present decides the dtype.
#: float -> the default dtype; complex -> the complex type of the default dtype.
INFERRED = {
    "bool": lambda default: torch.bool,
    "int": lambda default: torch.int64,
    "float": lambda default: default,
    "complex": lambda default: {torch.float64: torch.complex128, torch.float32: torch.complex64, torch.float16: torch.complex32}[default],
}
CATEGORIES = ["bool", "int", "float", "complex"]


def inferred_dtype(data, default: torch.dtype) -> torch.dtype:
    """The dtype torch.tensor(data) should infer under ``default``, from the table above."""
    return INFERRED[max((kind(x) for x in leaves(data)), key=CATEGORIES.index)](default)


def as_lists(data):
    """``data`` with every tuple turned into a list (what ``.tolist()`` gives back)."""
    return [as_lists(item) for item in data] if isinstance(data, (list, tuple)) else data


def prefix(device: torch.device) -> str:
    """The ``.type()`` prefix: ``torch.`` on cpu, ``torch.cuda.`` on cuda."""
    return "torch." if device.type == "cpu" else f"torch.{device.type}."


# --------------------------------------------------------------------------- class vs factory


def test_Tensor_is_the_class_and_tensor_is_a_factory_function(device):
    """torch.Tensor is the tensor class (every tensor is an instance), torch.tensor a function; torch.Tensor is not torch.FloatTensor."""
    assert isinstance(torch.Tensor, type), f"torch.Tensor is a {type(torch.Tensor)}, not a class"
    assert not isinstance(torch.tensor, type) and callable(torch.tensor), f"torch.tensor={torch.tensor!r} is a class, but should be a function"
    for dtype in (torch.float32, torch.float64, torch.int64, torch.bool):
        t = torch.tensor([1], dtype=dtype, device=device)
        assert_device(t, device)
        assert type(t) is torch.Tensor, f"type(torch.tensor(...))={type(t)}, but should be torch.Tensor"
    assert torch.Tensor is not torch.FloatTensor, "torch.Tensor is torch.FloatTensor, but should be a different object"
    assert not isinstance(torch.zeros(1, dtype=torch.float64), torch.FloatTensor), "isinstance(torch.zeros(1, dtype=torch.float64), torch.FloatTensor)=True, but should be False"


@given(data=nested(st.one_of(bools, ints, floats)), other=nested(floats), default=defaults)
@example(data=[1, 2], other=[5.0, 6.0, 7.0], default=torch.float32)
@example(data=[[True], [False]], other=[0.5], default=torch.float64)
def test_legacy_constructor_is_all_new_and_init_is_object_init(device, data, other, default):
    """torch.Tensor(data) is built entirely by torch.Tensor.__new__ (the C++ legacy constructor); torch.Tensor.__init__ is object.__init__ and changes nothing.

    ``torch.Tensor.__new__(torch.Tensor, data)`` already returns the finished tensor of the default
    dtype, before any ``__init__`` runs; calling ``torch.Tensor.__init__(t, other)`` afterwards leaves
    ``t``'s values, shape and storage as they were. ``__new__`` is also where ``device=`` is checked:
    called directly with a non-cpu device it refuses, as ``torch.Tensor(..., device=...)`` does; its
    cpu result moved to the device equals ``torch.tensor(data, dtype=default, device=device)``.
    """
    assert torch.Tensor.__init__ is object.__init__, f"torch.Tensor.__init__={torch.Tensor.__init__!r}, but should be object.__init__"
    with default_dtype(default):
        made = torch.Tensor.__new__(torch.Tensor, data)
    assert type(made) is torch.Tensor, f"type(torch.Tensor.__new__(torch.Tensor, data))={type(made)}, but should be torch.Tensor"
    assert_dtype(made, default, "torch.Tensor.__new__(torch.Tensor, data)")
    expected = torch.tensor(np.array(data, dtype=np.float64), dtype=default, device=device)
    assert_same(made.to(device), expected, "torch.Tensor.__new__(torch.Tensor, data) moved to the device")
    storage, before = made.untyped_storage().data_ptr(), made.clone()
    returned = torch.Tensor.__init__(made, other)
    assert returned is None, f"torch.Tensor.__init__(t, other) returned {returned!r}, but should return None"
    assert made.untyped_storage().data_ptr() == storage, "torch.Tensor.__init__(t, other) gave t new storage"
    assert_same(made, before, "t after torch.Tensor.__init__(t, other)")
    for other_device in {device, torch.device("meta")} - {torch.device("cpu")}:
        with raises(RuntimeError, re.escape("legacy constructor expects device type: cpu"), f"torch.Tensor.__new__(torch.Tensor, data, device={other_device})"):
            torch.Tensor.__new__(torch.Tensor, data, device=other_device)


# --------------------------------------------------------------------------- dtype inference


@given(data=nested(st.one_of(bools, ints, floats)), default=defaults)
@example(data=[1, 2], default=torch.float32)
@example(data=[True, False], default=torch.float32)
@example(data=[[1, 2], [3, 4]], default=torch.float64)
def test_legacy_constructor_always_gives_the_default_dtype(device, data, default):
    """torch.Tensor(list) is always of the default dtype, even from ints or bools (torch.Tensor([1, 2]) is float32)."""
    with default_dtype(default):
        out = torch.Tensor(data)
    assert_dtype(out, default, "torch.Tensor(data)")
    expected = torch.tensor(np.array(data, dtype=np.float64), dtype=default, device=device)
    assert_same(out.to(device), expected, "torch.Tensor(data) moved to the device")


@given(data=sequences(st.one_of(bools, ints, floats, complexes)), default=defaults)
@example(data=[1, 2], default=torch.float32)
@example(data=[1.0, 2.0], default=torch.float32)
@example(data=[True, 2], default=torch.float32)
@example(data=[1, 2.5], default=torch.float32)
@example(data=[1, 2.5], default=torch.float64)
@example(data=[1, 1j], default=torch.float32)
@example(data=[1j], default=torch.float64)
@example(data=(True, False), default=torch.float32)
@example(data=((1, 2), (3, 4)), default=torch.float32)
@example(data=[(1, 2.5), [True, 3]], default=torch.float64)
@example(data=[[[True, 1]], ((2, 3),)], default=torch.float32)
@example(data=(((1.5,),),), default=torch.float32)
@example(data=7, default=torch.float32)
@example(data=True, default=torch.float64)
def test_tensor_infers_the_promoted_dtype_of_its_element_kinds(device, data, default):
    """torch.tensor infers, from a scalar or nested lists/tuples: all bool -> bool, ints (and bools) -> int64, any float and no complex -> the default dtype, any complex -> complex64 (complex128 under float64).

    The expected dtype comes from the table ``INFERRED`` (categories bool < int < float < complex,
    the highest present decides), not from ``torch.promote_types``: ``[True, 2]`` -> int64 and
    ``[1, 2.5]`` -> float32, as the docs' examples say. The values are numpy's reading of the same
    data, cast to that dtype.
    """
    with default_dtype(default):
        expected = inferred_dtype(data, default)
        out = torch.tensor(data, device=device)
    assert_device(out, device, "torch.tensor(data)")
    assert_dtype(out, expected, f"torch.tensor({type(data).__name__} of depth {depth(data)})")
    assert tuple(out.shape) == np.shape(data), f"torch.tensor(data).shape={tuple(out.shape)}, but should be {np.shape(data)}"
    assert_same(out.cpu(), torch.from_numpy(np.array(data)).to(expected), "torch.tensor(data)")  # numpy: same kinds, 64-bit


@given(data=sequences(st.one_of(bools, ints, floats, complexes)), a=arrays(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)))
@example(data=[1, 2], a=np.array([1.0, 2.0], np.float32))
@example(data=((1, 2.5), [True, 3]), a=np.arange(6, dtype=np.int32).reshape(2, 3)[:, ::2])
@example(data=3, a=np.array(0.5))
def test_tensor_copies_every_kind_of_data(device, data, a):
    """torch.tensor(data) copies from a list, a tuple, a nested mix, a Python scalar and an ndarray: writing the source afterwards leaves the tensor as it was.

    Python data has the values ``as_lists(data)`` in the dtype the inference table gives; an
    ndarray keeps its dtype and values (a non-contiguous view included) and shares no memory with
    the result.
    """
    expected = inferred_dtype(data, torch.get_default_dtype())
    source = copy.deepcopy(data)  # the example objects stay untouched for the next run
    out = torch.tensor(source, device=device)
    assert_dtype(out, expected, f"torch.tensor({type(data).__name__})")
    assert_device(out, device, f"torch.tensor({type(data).__name__})")
    assert_same(out.cpu(), torch.from_numpy(np.array(data)).to(expected), f"torch.tensor({type(data).__name__})")
    values = out.tolist()
    if isinstance(source, list):
        source[0] = [] if isinstance(source[0], (list, tuple)) else not source[0]  # write the source afterwards
    assert out.tolist() == values, f"torch.tensor(list) after writing the list: {out.tolist()}, but should stay {values}"
    src = np.repeat(a[..., None], 2, axis=-1)[..., 0]  # a non-contiguous view holding a's values
    snapshot = torch.from_numpy(a.copy())
    from_array = torch.tensor(src, device=device)
    assert_dtype(from_array, NUMPY_TO_TORCH[a.dtype], "torch.tensor(array)")
    assert not np.shares_memory(from_array.cpu().numpy(), src), "torch.tensor(array) shares memory with the array"
    src[...] = (src == 0).astype(src.dtype)  # every element changes: 0 -> 1, anything else -> 0
    assert_same(from_array.cpu(), snapshot, "torch.tensor(array) after writing the array")


@given(a=arrays(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)))
@example(a=np.zeros(2, dtype=np.float64))
@example(a=np.arange(3, dtype=np.int32))
def test_tensor_keeps_the_dtype_of_numpy_arrays_and_scalars(device, a):
    """torch.tensor keeps a numpy array's or numpy scalar's dtype: float64 stays float64, int32 stays int32."""
    expected = NUMPY_TO_TORCH[a.dtype]
    out = torch.tensor(a, device=device)
    assert_dtype(out, expected, "torch.tensor(array)")
    assert_same(out, torch.from_numpy(a.copy()).to(device), "torch.tensor(array)")
    if a.dtype == np.bool_:
        return  # numpy bool scalars: their own spec below (a known bug in torch 2.4-2.6 with numpy 2)
    scalar = a.flat[0]  # a numpy scalar of the same dtype
    out = torch.tensor(scalar, device=device)
    assert_dtype(out, expected, "torch.tensor(numpy scalar)")
    assert out.shape == (), f"torch.tensor(numpy scalar).shape={tuple(out.shape)}, but should be ()"


@pytest.mark.known_bug(
    ">=2.4,<2.7", numpy=">=2",
    issue="https://github.com/pytorch/pytorch/issues/157973",
    reason="with numpy 2, torch.tensor(np.bool_(b)) raises TypeError: 'numpy.bool' object cannot be "
    "interpreted as an integer -- the error torch's own test_ctor_with_numpy_scalar_ctor reports in the linked "
    "issue (seen here on 2.4.1 and 2.6.0 with numpy 2.4; 2.0 and 2.2 need numpy<2; 2.9 and later are fixed)",
)
@given(values=st.lists(st.booleans(), min_size=1, max_size=4))
@example(values=[True])
def test_tensor_of_a_numpy_bool_scalar_is_a_0d_bool_tensor(device, values):
    """torch.tensor of a numpy bool scalar is a 0-d bool tensor holding it, and a list of them a 1-d bool tensor."""
    out = torch.tensor(np.bool_(values[0]), device=device)
    assert_dtype(out, torch.bool, "torch.tensor(np.bool_)")
    assert out.shape == () and out.item() is values[0], f"torch.tensor(np.bool_({values[0]}))={out}"
    many = torch.tensor([np.bool_(v) for v in values], device=device)
    assert_dtype(many, torch.bool, "torch.tensor([np.bool_, ...])")
    assert many.tolist() == values, f"torch.tensor([np.bool_, ...]).tolist()={many.tolist()}, but should be {values}"


def test_set_default_dtype_changes_both_constructors_float_and_complex_results(device):
    """After set_default_dtype(float64) both constructors give float64 for floats, torch.tensor complex128 for complex; ints stay int64."""
    with default_dtype(torch.float64):
        legacy, floats_, complex_, ints_ = (
            torch.Tensor([1, 2]),
            torch.tensor([1.0, 2.0], device=device),
            torch.tensor([1j], device=device),
            torch.tensor([1, 2], device=device),
        )
        legacy_type = legacy.type()
    assert_dtype(legacy, torch.float64, "torch.Tensor([1, 2])")
    assert legacy_type == "torch.DoubleTensor", f"torch.Tensor([1, 2]).type()={legacy_type}, but should be torch.DoubleTensor"
    assert_dtype(floats_, torch.float64, "torch.tensor([1.0, 2.0])")
    assert_dtype(complex_, torch.complex128, "torch.tensor([1j])")
    assert_dtype(ints_, torch.int64, "torch.tensor([1, 2])")
    for label, out in (("floats", floats_), ("complex", complex_), ("ints", ints_)):
        assert_device(out, device, f"torch.tensor({label})")
    # and back: the default float32 gives float32 / complex64 again
    assert_dtype(torch.Tensor([1, 2]), torch.float32, "torch.Tensor([1, 2]) after restoring float32")
    assert_dtype(torch.tensor([1j], device=device), torch.complex64, "torch.tensor([1j]) after restoring float32")


@pytest.mark.torch_version(
    ">=2.4",
    reason="with default dtype float16 the default complex dtype is complex32 (torch.chalf); 2.0.1 and 2.2.2 raise "
    "'invalid default scalar type for complex'; found by running torch 2.2.2 vs 2.4.1 (no release note located), "
    "2.3 is not a supported release and was not checked",
)
@given(data=sequences(st.one_of(bools, ints, floats, complexes)))
@example(data=[2j])
@example(data=[1, 2.5])
def test_tensor_under_default_float16_infers_float16_and_complex32(device, data):
    """Under set_default_dtype(torch.float16), torch.tensor infers float16 for floats and complex32 (torch.chalf) for complex data, e.g. torch.tensor([2j])."""
    with default_dtype(torch.float16), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "ComplexHalf support is experimental"
        out = torch.tensor(data, device=device)
        assert_dtype(out, inferred_dtype(data, torch.float16), f"torch.tensor({data!r}) under default float16")
        assert_device(out, device, "torch.tensor(data) under default float16")
        assert_same(out, torch.tensor(as_lists(data), dtype=out.dtype, device=device), "torch.tensor(data) vs the same lists with an explicit dtype")


@pytest.mark.torch_version(
    "<2.4",
    reason="before complex32 became float16's default complex dtype (seen on 2.4.1), torch.tensor of complex data under "
    "default float16 raised 'invalid default scalar type for complex' (checked on 2.0.1 and 2.2.2)",
)
def test_tensor_of_complex_under_default_float16_raises_before_2_4(device):
    """Before torch 2.4, torch.tensor([2j]) under set_default_dtype(torch.float16) raises RuntimeError 'invalid default scalar type for complex'; float data gives float16."""
    with default_dtype(torch.float16):
        assert_dtype(torch.tensor([1, 2.5], device=device), torch.float16, "torch.tensor([1, 2.5]) under default float16")
        with raises(RuntimeError, "invalid default scalar type for complex", "torch.tensor([2j], device=device)"):
            torch.tensor([2j], device=device)


@pytest.mark.torch_version(">=2.0", reason="torch.set_default_device first shipped in torch 2.0")
@given(a=arrays(shape=hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=3)))
@example(a=np.array([1.0, 2.0], np.float32))
def test_set_default_device_moves_factories_but_not_from_numpy_or_the_legacy_constructor(device, a):
    """After torch.set_default_device(d), torch.zeros and torch.tensor build on d, while torch.from_numpy and the legacy torch.Tensor(...) still build on cpu.

    ``meta`` stands in for a non-cpu device that every machine has; set_default_device(None) restores it.
    """
    for default in (device, torch.device("meta")):
        torch.set_default_device(default)
        try:
            zeros, factory, shared, legacy = torch.zeros(2, 3), torch.tensor([1.0, 2.0]), torch.from_numpy(a), torch.Tensor([1.0, 2.0])
        finally:
            reset_default_device()
        assert_device(zeros, default, f"torch.zeros(2, 3) under set_default_device({default})")
        assert_device(factory, default, f"torch.tensor([1.0, 2.0]) under set_default_device({default})")
        assert shared.device.type == "cpu", f"torch.from_numpy(a) under set_default_device({default}): device={shared.device}, but should be cpu"
        assert np.shares_memory(shared.numpy(), a), f"torch.from_numpy(a) under set_default_device({default}) does not share a's memory"
        assert legacy.device.type == "cpu", f"torch.Tensor([1.0, 2.0]) under set_default_device({default}): device={legacy.device}, but should be cpu"
    assert torch.zeros(1).device.type == "cpu", f"torch.zeros(1) after set_default_device(None): device={torch.zeros(1).device}, but should be cpu"


# --------------------------------------------------------------------------- sizes vs scalars


@given(size=st.lists(st.integers(0, 5), min_size=1, max_size=3))
@example(size=[3])
@example(size=[2, 3])
def test_legacy_constructor_reads_ints_as_a_size_tensor_as_a_value(device, size):
    """torch.Tensor(3) is an uninitialized 1-D float tensor of size 3 and torch.Tensor(2, 3) a 2 x 3 one; torch.tensor(3) is a 0-d int64 scalar."""
    legacy = torch.Tensor(*size)
    assert tuple(legacy.shape) == tuple(size), f"torch.Tensor{tuple(size)}.shape={tuple(legacy.shape)}"
    assert_dtype(legacy, torch.get_default_dtype(), f"torch.Tensor{tuple(size)}")
    scalar = torch.tensor(size[0], device=device)
    assert scalar.shape == (), f"torch.tensor({size[0]}).shape={tuple(scalar.shape)}, but should be ()"
    assert_dtype(scalar, torch.int64, f"torch.tensor({size[0]})")
    assert_device(scalar, device, f"torch.tensor({size[0]})")
    assert scalar.item() == size[0], f"torch.tensor({size[0]}).item()={scalar.item()}"


# --------------------------------------------------------------------------- copy vs alias


@given(a=arrays(dtype=st.sampled_from([np.dtype(np.float32), np.dtype(np.int64)]),
                shape=hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=4)))
@example(a=np.array([1.0, 2.0], np.float32))
def test_tensor_always_copies_Tensor_of_a_tensor_aliases_as_tensor_shares(device, a):
    """torch.tensor copies an ndarray and a tensor (warning to copy with detach/clone); torch.Tensor(t) aliases t; as_tensor(t) is t.

    ``torch.Tensor(t)`` keeps t's dtype and device (an int64 tensor stays int64: only lists are
    converted to the default dtype).
    """
    t = torch.from_numpy(a.copy()).to(device)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        copy = torch.tensor(t)
    messages = [str(w.message) for w in caught]
    assert any("To copy construct from a tensor" in m for m in messages), f"torch.tensor(t) warned {messages}, but should warn 'To copy construct from a tensor ...'"
    assert_owns(copy, t, "torch.tensor(t)")
    assert_same(copy, t, "torch.tensor(t)")
    alias = torch.Tensor(t)
    assert_shares(alias, t, "torch.Tensor(t)")
    assert_dtype(alias, t.dtype, "torch.Tensor(t)")
    assert_device(alias, device, "torch.Tensor(t)")
    assert torch.as_tensor(t) is t, "torch.as_tensor(t) is a new tensor, but should be t itself"
    assert_owns(torch.as_tensor(t, dtype=torch.float64), t, "torch.as_tensor(t, dtype=torch.float64)")
    # from an ndarray: writing to the source does not reach the tensor
    src = a.copy()
    from_array = torch.tensor(src, device=device)
    src += 1
    assert_same(from_array, torch.from_numpy(a).to(device), "torch.tensor(src) after src += 1")


# --------------------------------------------------------------------------- keyword arguments


@given(
    dtype=st.sampled_from([torch.float16, torch.float32, torch.float64, torch.complex64]),
    data=nested(st.one_of(ints, floats)),
)
@example(dtype=torch.float64, data=[1, 2])
def test_tensor_honours_dtype_device_and_requires_grad(device, dtype, data):
    """torch.tensor(data, dtype=..., device=..., requires_grad=True) gives exactly that dtype, device and a grad-requiring leaf."""
    out = torch.tensor(data, dtype=dtype, device=device, requires_grad=True)
    assert_dtype(out, dtype, "torch.tensor(data, dtype=..., requires_grad=True)")
    assert_device(out, device, "torch.tensor(data, device=..., requires_grad=True)")
    assert out.requires_grad and out.is_leaf, f"requires_grad={out.requires_grad}, is_leaf={out.is_leaf}"
    plain = torch.tensor(data, dtype=dtype, device=device)
    assert not plain.requires_grad, f"torch.tensor(data, dtype={dtype}).requires_grad=True, but should be False"


def test_legacy_constructor_takes_no_dtype_and_builds_only_cpu_tensors(device):
    """torch.Tensor rejects dtype= (TypeError) and any device but cpu (RuntimeError), and ignores the default device.

    ``torch.Tensor(data, device="cpu")`` is accepted; under ``with torch.device(d)`` (or
    ``set_default_device``) torch.tensor builds on ``d`` while torch.Tensor still builds on cpu
    (pytorch#126533, #132483). ``meta`` stands in for a non-cpu device that every machine has.
    """
    with raises(TypeError, "dtype", "torch.Tensor([1, 2], dtype=torch.float64)"):
        torch.Tensor([1, 2], dtype=torch.float64)
    for other in {device, torch.device("meta")} - {torch.device("cpu")}:
        with raises(RuntimeError, re.escape("legacy constructor expects device type: cpu"), f"torch.Tensor([1, 2], device={other})"):
            torch.Tensor([1, 2], device=other)
    ok = torch.Tensor([1, 2], device="cpu")
    assert ok.device.type == "cpu", f"torch.Tensor([1, 2], device='cpu').device={ok.device}, but should be cpu"
    for default in (device, torch.device("meta")):
        with torch.device(default):  # torch.tensor follows the default device, torch.Tensor does not
            legacy, factory = torch.Tensor([1, 2]), torch.tensor([1.0, 2.0])
        assert legacy.device.type == "cpu", f"torch.Tensor([1, 2]) under default device {default}: device={legacy.device}, but should be cpu"
        assert_device(factory, default, f"torch.tensor([1.0, 2.0]) under default device {default}")


# --------------------------------------------------------------------------- .type() strings


@pytest.mark.parametrize(
    "data, kwargs, name",
    [([1, 2], {}, "LongTensor"), ([1.0, 2.0], {}, "FloatTensor"), (np.zeros(2, np.float64), {}, "DoubleTensor"),
     ([True], {}, "BoolTensor"), ([1, 2], {"dtype": torch.uint8}, "ByteTensor"), ([1, 2], {"dtype": torch.int32}, "IntTensor")],
)
def test_type_strings_name_the_legacy_tensor_types(device, data, kwargs, name):
    """.type() gives the legacy type names from the note: torch.LongTensor / FloatTensor / DoubleTensor on cpu, torch.cuda.* on cuda."""
    out = torch.tensor(data, device=device, **kwargs)
    assert out.type() == prefix(device) + name, f"torch.tensor({data!r}, **{kwargs}).type()={out.type()}, but should be {prefix(device) + name}"
    legacy = torch.Tensor([1, 2]).to(device)
    assert legacy.type() == prefix(device) + "FloatTensor", f"torch.Tensor([1, 2]).to(device).type()={legacy.type()}, but should be {prefix(device)}FloatTensor"
