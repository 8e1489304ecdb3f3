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
returns its tensor argument itself when dtype and device already match. A list of 0-d tensors
promotes their dtypes, a Python scalar among them counting as the dtype it alone would give
(``[int32 0-d, 2]`` -> int64, unlike ``int32_tensor + 2``); from torch 2.8 a 0-d tensor that
requires grad in such a list warns that it is read as a scalar. ``torch.tensor([])`` has shape (0,)
and the default dtype; a ragged list raises. ``torch.full`` infers from its fill value too, except
that a complex fill is complex64 under every default but float64 (float16 included: no complex32).
``torch.linspace``/``logspace`` read 0-d tensor ends (also ones that require grad) from torch 2.2.
The ``*_like`` factories keep a dense input's strides (transposed, channels_last) and give a gapped
or expanded input a dense tensor in its stride order -- not the contiguous one the docs describe.

Lists, tuples and nested mixes of them infer alike, and every kind of data is copied. Under
``set_default_dtype(torch.float16)`` floats give float16 and complex data complex32 (``torch.chalf``)
from torch 2.4 on (2.0.1 and 2.2.2 raise "invalid default scalar type for complex"); under bfloat16,
which has no complex type, complex data always raises that error. ``torch.Tensor(ndarray)`` converts to
the default dtype and shares the array's memory when it already has that dtype. Compiled code
(``torch.compile``) infers alike and follows ``set_default_dtype`` changed between calls.
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

from specs.differential import Call, assert_compiles_like_eager, compile_fn
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
    warnings_recorded,
)
from specs.inputs import (
    ALL, DIFFERENTIABLE, TORCH_TO_NUMPY, budget, built_once, compile_budget, dtype_id, dtype_params, layout_shapes, relayout,
    tensor_values, values,
)

#: Python scalars by kind. Ints stay within int32 so every one is exact in float64 and promotes
#: to int64 without overflow; floats are finite (NaN would make equality checks moot).
bools = st.booleans()
ints = st.integers(-(2**31), 2**31 - 1)
floats = st.floats(-1e6, 1e6, allow_nan=False)
complexes = st.complex_numbers(max_magnitude=1e6, allow_nan=False, allow_infinity=False)
#: every dtype torch accepts as the default (set_default_dtype refuses the others: "only floating-point types")
DEFAULTS = (torch.float32, torch.float64, torch.float16, torch.bfloat16)
DEFAULT_PARAMS = dtype_params(DEFAULTS)
#: Python scalars by kind, highest category last (the order the docs promote them in)
KINDS = {"bool": bools, "int": ints, "float": floats, "complex": complexes}
COMPLEX32_GATE = pytest.mark.torch_version(
    ">=2.4",
    reason="with default dtype float16 the default complex dtype is complex32 (torch.chalf); 2.0.1 and 2.2.2 raise "
    "'invalid default scalar type for complex'; found by running every release: 2.0.1-2.3.1 raise, 2.4.1 on "
    "infer complex32 (no release note located)",
)
#: (highest kind present, default dtype): every pair but complex under bfloat16, which torch refuses (its own spec)
KIND_DEFAULT_CASES = [
    pytest.param(k, d, id=f"{k}-default_{dtype_id(d)}", marks=COMPLEX32_GATE if (k, d) == ("complex", torch.float16) else ())
    for d in DEFAULTS for k in KINDS if (k, d) != ("complex", torch.bfloat16)
]


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


@built_once
def of_kind(kind_name: str, n: int):
    """Flat lists of ``n`` Python scalars of kinds up to ``kind_name``, with at least one of it."""
    lower = [KINDS[k] for k in CATEGORIES[: CATEGORIES.index(kind_name) + 1]]
    return st.tuples(st.lists(st.one_of(lower), min_size=n, max_size=n), KINDS[kind_name], st.integers(0, n - 1)).map(
        lambda t: t[0][: t[2]] + [t[1]] + t[0][t[2] + 1:]
    )


def _tupled(data):
    return tuple(_tupled(x) for x in data) if isinstance(data, (list, tuple)) else data


def containers(flat: list, shape: tuple) -> dict:
    """Every container form of the same Python scalars: name -> data.

    A bare scalar (one of the highest kind present); and the ``prod(shape)`` scalars as a list, a tuple,
    and (depth 2 and 3) a list mixing lists and tuples, nested 1, 2 and 3 levels deep (``shape`` is 3-D,
    its first side >= 2).
    """
    n = int(np.prod(shape))
    assert len(flat) == n, f"{len(flat)} scalars for shape {shape}"
    grid = np.empty(n, dtype=object)
    grid[:] = flat
    out = {"scalar": max(flat, key=lambda x: CATEGORIES.index(kind(x)))}
    for depth, dims in ((1, (n,)), (2, (shape[0], n // shape[0])), (3, shape)):
        lists = grid.reshape(dims).tolist()
        out[f"list of depth {depth}"] = lists
        out[f"tuple of depth {depth}"] = _tupled(lists)
        if depth > 1:
            out[f"list mixing lists and tuples of depth {depth}"] = [
                list(x) if i % 2 == 0 else _tupled(x) for i, x in enumerate(lists)
            ]
    return out


#: 3-D shapes whose first side is >= 2 (so a mixed list holds both a list and a tuple)
grid_shapes = st.tuples(st.integers(2, 3), st.integers(1, 3), st.integers(1, 3))


def _widened(t: torch.Tensor) -> torch.Tensor:
    """complex32 compared as complex64 (exact), which every comparison kernel has."""
    return t.to(torch.complex64) if t.dtype == torch.complex32 else t


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


@pytest.mark.parametrize("default", DEFAULT_PARAMS)
@budget(len(DEFAULTS), floor=1)
@given(data=nested(st.one_of(bools, ints, floats)), other=nested(floats))
@example(data=[1, 2], other=[5.0, 6.0, 7.0])
def test_legacy_constructor_is_all_new_and_init_is_object_init(device, default, data, other):
    """torch.Tensor(data) is built entirely by torch.Tensor.__new__ (the C++ legacy constructor); torch.Tensor.__init__ is object.__init__ and changes nothing.

    ``torch.Tensor.__new__(torch.Tensor, data)`` already returns the finished tensor of the default
    dtype, before any ``__init__`` runs; calling ``torch.Tensor.__init__(t, other)`` afterwards leaves
    ``t``'s values, shape and storage as they were. ``__new__`` is also where ``device=`` is checked:
    called directly with a non-cpu device it refuses, as ``torch.Tensor(..., device=...)`` does; its
    cpu result moved to the device equals ``torch.tensor(data, dtype=default, device=device)``. Ranges
    over every default dtype torch accepts x nested lists (1-3 levels) of bools, ints and floats.
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


@pytest.mark.parametrize("kind_name", [pytest.param(k, id=k) for k in ("bool", "int", "float")])
@pytest.mark.parametrize("default", DEFAULT_PARAMS)
@budget(len(DEFAULTS) * 3, floor=1)
@given(data=st.data(), shape=grid_shapes)
@example(data=None, shape=(2, 1, 1))  # the note: torch.Tensor([1, 2]) (the int case); None draws [1, 2]
def test_legacy_constructor_always_gives_the_default_dtype(device, default, kind_name, data, shape):
    """torch.Tensor(list) is always of the default dtype, even from ints or bools (torch.Tensor([1, 2]) is float32).

    Ranges over every default dtype torch accepts x the highest Python scalar kind present (bool, int,
    float; lower kinds mixed in) x every non-scalar container form (``containers``: lists, tuples,
    lists mixing both, 1-3 levels deep; a bare scalar is read as a size, its own spec). The values are
    numpy's float64 reading of the same data, cast to the default dtype.
    """
    flat = (
        data.draw(of_kind(kind_name, int(np.prod(shape))), label="scalars") if data is not None
        else {"bool": [True, False], "int": [1, 2], "float": [1.0, 2.0]}[kind_name]
    )
    forms = {form: value for form, value in containers(flat, shape).items() if form != "scalar"}
    with default_dtype(default):
        made = {form: torch.Tensor(value) for form, value in forms.items()}
    for form, value in forms.items():
        out = made[form]
        assert_dtype(out, default, f"torch.Tensor({form})")
        expected = torch.tensor(np.array(value, dtype=np.float64), dtype=default, device=device)
        assert_same(out.to(device), expected, f"torch.Tensor({form}) moved to the device")


@pytest.mark.parametrize("kind_name, default", KIND_DEFAULT_CASES)
@budget(len(KIND_DEFAULT_CASES), floor=1)
@given(data=st.data(), shape=grid_shapes)
def test_tensor_infers_the_promoted_dtype_of_its_element_kinds(device, kind_name, default, data, shape):
    """torch.tensor infers, from a scalar or nested lists/tuples: all bool -> bool, ints (and bools) -> int64, any float and no complex -> the default dtype, any complex -> the default dtype's complex type.

    Ranges over the highest Python scalar kind present (bool < int < float < complex; lower kinds mixed
    in at random) x every default dtype torch accepts (float32, float64, float16, bfloat16; complex
    data under bfloat16 is refused: its own spec) x every container form (``containers``: a bare scalar,
    lists, tuples, and lists mixing lists and tuples, 1-3 levels deep). The expected dtype comes from
    the table ``INFERRED`` (the highest category decides), not from ``torch.promote_types``:
    ``[True, 2]`` -> int64 and ``[1, 2.5]`` -> float32, as the docs' examples say; complex data gives
    complex64 under float32, complex128 under float64 and complex32 (``torch.chalf``) under float16
    (torch 2.4 on). The values are numpy's reading of the same data, cast to that dtype.
    """
    flat = data.draw(of_kind(kind_name, int(np.prod(shape))), label="scalars")
    with default_dtype(default), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "ComplexHalf support is experimental"
        expected = inferred_dtype(flat, default)
        made = {form: torch.tensor(value, device=device) for form, value in containers(flat, shape).items()}
    for form, value in containers(flat, shape).items():
        out = made[form]
        assert_device(out, device, f"torch.tensor({form})")
        assert_dtype(out, expected, f"torch.tensor({form})")
        assert tuple(out.shape) == np.shape(value), f"torch.tensor({form}).shape={tuple(out.shape)}, but should be {np.shape(value)}"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = torch.from_numpy(np.array(value)).to(expected)  # numpy: same kinds, 64-bit
        assert_same(_widened(out.cpu()), _widened(want), f"torch.tensor({form})")


def test_tensor_of_complex_under_default_bfloat16_raises(device):
    """Under set_default_dtype(torch.bfloat16), torch.tensor of complex data raises RuntimeError 'invalid default scalar type for complex'; float data gives bfloat16.

    bfloat16 has no complex counterpart; an explicit ``dtype=torch.complex64`` is still accepted.
    """
    with default_dtype(torch.bfloat16):
        assert_dtype(torch.tensor([1, 2.5], device=device), torch.bfloat16, "torch.tensor([1, 2.5]) under default bfloat16")
        with raises(RuntimeError, "invalid default scalar type for complex", "torch.tensor([2j]) under default bfloat16"):
            torch.tensor([2j], device=device)
        assert_dtype(torch.tensor([2j], dtype=torch.complex64, device=device), torch.complex64, "torch.tensor([2j], dtype=torch.complex64)")


#: every numpy dtype with a torch twin, as parametrize cases
NUMPY_PARAMS = dtype_params(list(NUMPY_TO_TORCH))
#: arrays of 0-3 dims, sides 1-4
array_shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)


@pytest.mark.parametrize("np_dtype", NUMPY_PARAMS)
@budget(len(NUMPY_PARAMS), floor=1)
@given(data=st.data(), shape=grid_shapes)
def test_tensor_copies_every_kind_of_data(device, np_dtype, data, shape):
    """torch.tensor(data) copies from a list, a tuple, a nested mix, a Python scalar and an ndarray: writing the source afterwards leaves the tensor as it was.

    Ranges over every numpy dtype of the ndarray (values over its whole range, nan and inf included;
    contiguous, a non-contiguous view, and 0-d) x every container form of Python data (``containers``: a bare scalar, lists,
    tuples, lists mixing both, 1-3 levels deep, of bools, ints, floats and complex numbers). Python data
    has numpy's reading of its values in the dtype the inference table gives; an ndarray keeps its dtype
    and values and shares no memory with the result.
    """
    flat = data.draw(of_kind("complex", int(np.prod(shape))), label="scalars")
    expected = inferred_dtype(flat, torch.get_default_dtype())
    for form, value in containers(flat, shape).items():
        source = copy.deepcopy(value)
        out = torch.tensor(source, device=device)
        assert_dtype(out, expected, f"torch.tensor({form})")
        assert_device(out, device, f"torch.tensor({form})")
        assert_same(out.cpu(), torch.from_numpy(np.array(value)).to(expected), f"torch.tensor({form})")
        before = out.tolist()
        if isinstance(source, list):
            source[0] = [] if isinstance(source[0], (list, tuple)) else not source[0]  # write the source afterwards
        assert out.tolist() == before, f"torch.tensor({form}) after writing the list: {out.tolist()}, but should stay {before}"
    a = data.draw(values(np_dtype, hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)), label="array")
    strided = np.repeat(a[..., None], 2, axis=-1)[..., 0]  # a non-contiguous view holding a's values
    for what, src in (("array", a.copy()), ("non-contiguous array", strided), ("0-d array", np.array(a.flat[0]))):
        snapshot = torch.from_numpy(src.copy())
        from_array = torch.tensor(src, device=device)
        assert_dtype(from_array, NUMPY_TO_TORCH[a.dtype], f"torch.tensor({np_dtype} {what})")
        assert not np.shares_memory(from_array.cpu().numpy(), src), f"torch.tensor({np_dtype} {what}) shares memory with it"
        src[...] = (src == 0).astype(src.dtype)  # every element changes: 0 -> 1, anything else -> 0
        assert_same(from_array.cpu(), snapshot, f"torch.tensor({np_dtype} {what}) after writing the array")


@pytest.mark.parametrize("np_dtype", NUMPY_PARAMS)
@budget(len(NUMPY_PARAMS), floor=1)
@given(data=st.data())
def test_tensor_keeps_the_dtype_of_numpy_arrays_and_scalars(device, np_dtype, data):
    """torch.tensor keeps a numpy array's, a numpy scalar's and a list of numpy scalars' dtype: float64 stays float64, int32 stays int32.

    Ranges over every numpy dtype with a torch twin x arrays of 0-3 dims with values over the dtype's
    whole range (nan and inf included). numpy bool scalars have their own spec (a known bug).
    """
    a = data.draw(values(np_dtype, array_shapes), label="array")
    expected = NUMPY_TO_TORCH[a.dtype]
    out = torch.tensor(a, device=device)
    assert_dtype(out, expected, f"torch.tensor({np_dtype} array)")
    assert_same(out, torch.from_numpy(a.copy()).to(device), f"torch.tensor({np_dtype} array)")
    if a.dtype == np.bool_:
        return  # numpy bool scalars: their own spec below (a known bug with numpy 2.3 and later)
    scalar = a.flat[0]  # a numpy scalar of the same dtype
    out = torch.tensor(scalar, device=device)
    assert_dtype(out, expected, f"torch.tensor({np_dtype} scalar)")
    assert out.shape == (), f"torch.tensor({np_dtype} scalar).shape={tuple(out.shape)}, but should be ()"
    scalars = list(a.reshape(-1))  # numpy scalars of the same dtype
    many = torch.tensor(scalars, device=device)
    assert_dtype(many, expected, f"torch.tensor([{np_dtype} scalars])")
    assert_same(many.cpu(), torch.from_numpy(a.reshape(-1).copy()), f"torch.tensor([{np_dtype} scalars])")


def _category(dtype: torch.dtype) -> int:
    return 0 if dtype == torch.bool else 3 if dtype.is_complex else 2 if dtype.is_floating_point else 1


def promoted(a: torch.dtype, b: torch.dtype) -> torch.dtype:
    """The dtype of a list mixing elements of dtype ``a`` and ``b``, the rule written out: a higher category
    (bool < integer < floating < complex) wins as it is; floating meets complex in the complex type wide
    enough for both; within one category the wider type (numpy's rule: uint8 with int8 is int16)."""
    ca, cb = _category(a), _category(b)
    if {ca, cb} == {2, 3}:
        return torch.complex128 if torch.float64 in (a, b) or torch.complex128 in (a, b) else torch.complex64
    if ca != cb:
        return a if ca > cb else b
    return NUMPY_TO_TORCH[np.result_type(TORCH_TO_NUMPY[a], TORCH_TO_NUMPY[b])]


#: the dtype a Python scalar of each kind stands for under the default float32
PYTHON_DTYPE = {"bool": torch.bool, "int": torch.int64, "float": torch.float32, "complex": torch.complex64}
small_python = {"bool": bools, "int": st.integers(-100, 100), "float": floats, "complex": complexes}
def _kinds_mixed_with(np_dtype) -> list:
    """Every Python kind, but ints with numpy bools: a known bug, its own spec below."""
    return [k for k in KINDS if (np.dtype(np_dtype), k) != (np.dtype(np.bool_), "int")]


@pytest.mark.parametrize("np_dtype", [p if p.values[0] != np.dtype(np.bool_) else pytest.param(*p.values, id=p.id, marks=(
    *p.marks, pytest.mark.known_bug(
        ">=2.3,<2.9", numpy=">=2.3", issue="https://github.com/pytorch/pytorch/issues/157973",
        reason="numpy bools go through __index__, which numpy 2.3 removed (numpy#28254): torch.tensor([np.bool_(b), "
        "b]) raises TypeError 'numpy.bool' object cannot be interpreted as an integer; fixed in 2.9 (pytorch#158036); "
        "seen on 2.3.1 and 2.5.1 with numpy 2.4 (the scalar spec's known bug, checked on every minor release)",
    ))) for p in NUMPY_PARAMS])
@budget(len(NUMPY_PARAMS), floor=1)
@given(data=st.data(), n=st.integers(1, 4))
def test_tensor_of_numpy_scalars_mixed_with_python_scalars_promotes(device, np_dtype, data, n):
    """torch.tensor of a list mixing numpy scalars of one dtype with Python scalars has the promoted dtype: a higher category wins as it is (np.float16 with ints: float16), within one the wider type.

    Ranges over every numpy scalar dtype x every Python scalar kind (bool, int -> int64, float -> the
    default float32, complex -> complex64; each case tries every kind; numpy bools with ints are a known
    bug, their own spec) x lists of 1-4 of each, interleaved. The expected dtype is
    ``promoted`` (the rule written out; numpy's own ``result_type`` differs: float16 with int64 is float64
    there), the values numpy's reading of the same numbers.
    """
    np_dtype = np.dtype(np_dtype)
    lo, hi = (0, 100) if np_dtype.kind in "ub" else (-100, 100)
    elements = hnp.from_dtype(np_dtype) if np_dtype.kind == "b" else hnp.from_dtype(np_dtype, min_value=lo, max_value=hi, allow_nan=False)
    ours = data.draw(st.lists(elements, min_size=n, max_size=n), label="numpy scalars")
    for kind_name in _kinds_mixed_with(np_dtype):
        theirs = data.draw(st.lists(small_python[kind_name], min_size=n, max_size=n), label=f"python {kind_name}s")
        mixed = [x for pair in zip(ours, theirs) for x in pair]
        expected = promoted(NUMPY_TO_TORCH[np_dtype], PYTHON_DTYPE[kind_name])
        what = f"torch.tensor([{np_dtype.name} scalars and Python {kind_name}s])"
        out = torch.tensor(mixed, device=device)
        assert_dtype(out, expected, what)
        as_python = [x.item() if isinstance(x, np.generic) else x for x in mixed]
        assert_same(out.cpu(), torch.from_numpy(np.array(as_python)).to(expected), what)


@pytest.mark.known_bug(
    ">=2.3", numpy=">=2.3",
    issue="https://github.com/pytorch/pytorch/issues/157973",
    reason="a numpy bool written into an integer tensor goes through __index__, which numpy 2.3 removed "
    "(numpy#28254): torch.tensor([np.bool_(True), 1]) raises TypeError 'numpy.bool' object cannot be "
    "interpreted as an integer (the linked issue's fix, pytorch#158036, taught only the bool target); "
    "seen on 2.14.1 and 2.15.0 with numpy 2.4 (2.2.2 with numpy 1.26 gives int64)",
)
@pytest.mark.parametrize("dtype", [pytest.param(None, id="inferred"), *dtype_params((torch.uint8, torch.int8, torch.int32, torch.int64))])
def test_tensor_of_numpy_bools_mixed_with_python_ints_is_int64(device, dtype):
    """torch.tensor([np.bool_(True), 2, np.bool_(False), 0]) is the int64 tensor [1, 2, 0, 0] (bool meets int: int64); with an explicit integer dtype it holds the same numbers.

    The (numpy bool, Python int) case of the mixing spec above, on its own because it is a known bug
    (numpy bools written into any integer tensor); ranges over the inferred dtype and every explicit
    integer dtype of ``SIGNED``/``UNSIGNED`` widths 8-64 (uint8, int8, int32, int64). A float or bool
    target is unaffected (the mixing spec's float and complex cases).
    """
    out = torch.tensor([np.bool_(True), 2, np.bool_(False), 0], dtype=dtype, device=device)
    assert_dtype(out, dtype or torch.int64, "torch.tensor([np.bool_(True), 2, np.bool_(False), 0])")
    assert out.tolist() == [1, 2, 0, 0], f"torch.tensor([np.bool_(True), 2, np.bool_(False), 0]).tolist()={out.tolist()}"


@pytest.mark.known_bug(
    ">=2.3,<2.9", numpy=">=2.3",
    issue="https://github.com/pytorch/pytorch/issues/157973",
    reason="before 2.9 torch reads a numpy bool through __index__, which numpy 2.3 removed (numpy#28254): with "
    "numpy >= 2.3 torch.tensor(np.bool_(b)) raises TypeError: 'numpy.bool' object cannot be interpreted as an "
    "integer -- the error torch's own test_ctor_with_numpy_scalar_ctor reports in the linked issue, fixed in 2.9 "
    "(pytorch#158036). Checked on every minor release with numpy 1.26.4, 2.0.2, 2.1.3, 2.2.6, 2.3.5, 2.4.6: "
    "2.3-2.8 raise with numpy 2.3.5/2.4.6 and give the right tensor with numpy <= 2.2 (numpy's DeprecationWarning "
    "about np.bool as an index is the only sign); 2.9-2.15 never warn; 2.0-2.2 are built for numpy 1 only",
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


def _complex_of(default: torch.dtype) -> torch.dtype:
    """The complex dtype a Python complex fill gives under ``default``: complex128 under float64,
    complex64 under every other default (float16 and bfloat16 included -- unlike torch.tensor)."""
    return torch.complex128 if default == torch.float64 else torch.complex64


#: fill values by kind: name -> (value, its dtype under a default float dtype)
FILLS = {
    "bool": (True, lambda default: torch.bool),
    "int": (3, lambda default: torch.int64),
    "float": (1.5, lambda default: default),
    "complex": (1 + 2j, _complex_of),
    "numpy-int32": (np.int32(3), lambda default: torch.int64),
    "0-d float64 tensor": (torch.tensor(1.5, dtype=torch.float64), lambda default: default),
}


@pytest.mark.parametrize("kind", list(FILLS))
@given(n=st.integers(0, 4))
@budget(len(FILLS) * len(DEFAULTS))
def test_full_infers_its_dtype_from_the_fill_value(device, kind, n):
    """torch.full(size, v) without dtype= takes its dtype from the fill value: bool -> bool, int -> int64, float -> the default dtype, complex -> complex128 under a float64 default and complex64 under any other (float16 and bfloat16 included).

    Ranges over the fill kinds (a Python bool, int, float, complex, a numpy int32 scalar -- read as a
    Python int: int64 -- and a 0-d float64 tensor -- read as a float: the default dtype; each case: one
    kind), in every example under every default dtype (float32, float64, float16, bfloat16; a failure
    names it), with drawn sizes (0 included). Every element equals the fill value.
    Unlike ``torch.tensor``, a complex fill under a float16/bfloat16 default is complex64, not
    complex32 or an error (docs: "the tensor's dtype is inferred from fill_value").
    """
    value, rule = FILLS[kind]
    scalar = value.item() if isinstance(value, torch.Tensor) else value.item() if isinstance(value, np.generic) else value
    for default in DEFAULTS:
        with default_dtype(default):
            t = torch.full((n,), value, device=device)
            expected = rule(default)
        assert_dtype(t, expected, f"torch.full(({n},), {kind} fill) under default {default}")
        assert_same(t, torch.tensor([scalar] * n, dtype=expected, device=device), f"torch.full(({n},), {kind} fill) under default {default}")


@pytest.mark.parametrize("default", DEFAULT_PARAMS)
def test_tensor_of_an_empty_list_is_of_size_0_and_the_default_dtype(device, default):
    """torch.tensor([]) is a 1-d tensor of size 0 (the docs' example) and torch.tensor([[]]) one of shape (1, 0), both of the default dtype.

    Ranges over every default dtype (enumerated).
    """
    with default_dtype(default):
        for data, shape in (([], (0,)), ([[]], (1, 0))):
            t = torch.tensor(data, device=device)
            assert tuple(t.shape) == shape, f"torch.tensor({data!r}).shape={tuple(t.shape)}, but should be {shape}"
            assert_dtype(t, default, f"torch.tensor({data!r}) under default {default}")


#: lists that are not rectangular: data -> (error, message)
RAGGED = {
    "[[1, 2], [3]]": ([[1, 2], [3]], ValueError, r"expected sequence of length 2 at dim 1 \(got 1\)"),
    "[1, [2]]": ([1, [2]], TypeError, "cannot be interpreted as an integer"),
    "[[1], 2]": ([[1], 2], TypeError, "not a sequence"),
}


@pytest.mark.parametrize("data", list(RAGGED))
def test_tensor_of_a_ragged_list_raises(device, data):
    """torch.tensor of a list that is not rectangular raises: rows of different lengths ValueError (naming the length it expected), a scalar where a list was expected or the other way round TypeError.

    Ranges over the three ways a nested list can be ragged (enumerated): torch does not pad, truncate or build an object tensor.
    """
    value, error, message = RAGGED[data]
    with raises(error, message, f"torch.tensor({data})"):
        torch.tensor(value, device=device)


#: what a Python scalar among 0-d tensors contributes to torch.tensor's inference (under a float32 default)
PY_KIND_DTYPE = {bool: torch.bool, int: torch.int64, float: torch.float32, complex: torch.complex64}
REAL_OR_COMPLEX = [d for d in ALL if d != torch.bool]


@st.composite
def scalars_and_0d_tensors(draw, first: torch.dtype):
    """A list starting with a 0-d tensor of ``first``, then 1 to 3 more elements: Python scalars or 0-d tensors of
    any dtype. The simplest draw (hypothesis' first example in a case) is ``[first, 2.5]``: a promotion to float."""
    out = [torch.tensor(1, dtype=first)]
    for _ in range(draw(st.integers(1, 3), label="more elements")):
        if draw(st.booleans(), label="a 0-d tensor"):
            out.append(torch.tensor(2, dtype=draw(st.sampled_from(ALL), label="its dtype")))
        else:
            out.append(draw(st.sampled_from([2.5, 1 + 1j, 2, True]), label="a Python scalar"))
    return out


@pytest.mark.parametrize("first", dtype_params(ALL))
@given(data=st.data())
@budget(len(ALL))
def test_tensor_of_0d_tensors_and_scalars_has_their_promoted_dtype(device, first, data):
    """torch.tensor of a list of 0-d tensors (and Python scalars) has the promoted dtype of the elements -- a 0-d tensor counting with its own dtype, a Python scalar with the dtype it alone would give -- holds their values, and is a copy without history.

    Ranges over the dtype of the first element (every dtype, enumerated) and drawn further elements:
    0-d tensors of any dtype and Python bools, ints, floats and complex numbers. Unlike arithmetic,
    where a Python scalar is weak (``int32_tensor + 2`` stays int32), here ``[int32 0-d, 2]`` gives
    int64: the oracle is ``torch.promote_types`` folded over the elements' dtypes, a Python scalar
    counting as bool / int64 / the default float / complex64.
    """
    items = data.draw(scalars_and_0d_tensors(first), label="elements")
    expected = items[0].dtype
    for x in items[1:]:
        expected = torch.promote_types(expected, x.dtype if isinstance(x, torch.Tensor) else PY_KIND_DTYPE[type(x)])
    t = torch.tensor(items, device=device)
    what = f"torch.tensor([{', '.join(str(x.dtype) if isinstance(x, torch.Tensor) else type(x).__name__ for x in items)}])"
    assert_dtype(t, expected, what)
    cast = bool if expected == torch.bool else complex if expected.is_complex else float if expected.is_floating_point else int
    wanted = [cast(x.item() if isinstance(x, torch.Tensor) else x) for x in items]
    assert t.cpu().tolist() == wanted, f"{what} holds {t.cpu().tolist()}, but should hold {wanted}"
    assert not t.requires_grad and t.grad_fn is None, f"{what} has history"


#: the *_like factories: name -> call (every one defaults to memory_format=torch.preserve_format)
LIKE_FACTORIES = {
    "empty_like": lambda x: torch.empty_like(x),
    "zeros_like": lambda x: torch.zeros_like(x),
    "ones_like": lambda x: torch.ones_like(x),
    "full_like": lambda x: torch.full_like(x, 2.0),
    "rand_like": lambda x: torch.rand_like(x),
    "randn_like": lambda x: torch.randn_like(x),
    "randint_like": lambda x: torch.randint_like(x, 5),
}
LIKE_LAYOUTS = ("contiguous", "transposed", "offset", "channels_last", "channels_last_3d", "step_sliced", "expanded")
DENSE_LAYOUTS = ("contiguous", "transposed", "offset", "channels_last", "channels_last_3d")
LIKE_CASES = [pytest.param(f, lay, id=f"{f}-{lay}") for f in LIKE_FACTORIES for lay in LIKE_LAYOUTS]


def _stride_order(t: torch.Tensor) -> list:
    """t's dimensions from the largest stride to the smallest, leaving out those a stride order does not fix
    (stride 0, or a single element)."""
    dims = [d for d in range(t.dim()) if t.stride(d) != 0 and t.shape[d] > 1]
    return sorted(dims, key=lambda d: -t.stride(d))


@pytest.mark.parametrize("factory, layout", LIKE_CASES)
@given(data=st.data())
@budget(len(LIKE_CASES))
def test_like_factories_keep_a_dense_inputs_strides_and_a_gapped_inputs_stride_order(device, factory, layout, data):
    """Every *_like factory gives a tensor of the input's shape, dtype and device with the input's own strides when the input is dense (transposed, channels_last, at an offset), and a dense tensor that keeps the input's stride order when it is not (step-sliced, expanded).

    Ranges over the seven *_like factories (enumerated: empty, zeros, ones, full, rand, randn,
    randint) and seven layouts (enumerated: contiguous, transposed, storage offset, channels_last,
    channels_last_3d, step-sliced, expanded with stride 0), with drawn shapes of sides 2 to 4. This
    is ``memory_format=torch.preserve_format`` as torch implements it: the docs of
    ``torch.memory_format`` say the strides of a non-dense input "follow torch.contiguous_format", but
    a transposed step-sliced tensor gives a transposed dense one (the same on 2.0 and 2.15).
    """
    shape = data.draw(layout_shapes(layout, min_side=2), label="shape")
    x = relayout(torch.ones(shape, device=device), layout)
    out = LIKE_FACTORIES[factory](x)
    what = f"torch.{factory}(x) of a {layout} x with strides {x.stride()}"
    assert tuple(out.shape) == tuple(x.shape) and out.device == x.device, f"{what}: shape {tuple(out.shape)} on {out.device}"
    assert_dtype(out, x.dtype, what)
    if layout in DENSE_LAYOUTS:
        assert out.stride() == x.stride(), f"{what} has strides {out.stride()}, but should keep the input's"
    else:
        assert _is_dense(out), f"{what} has strides {out.stride()}: not dense (gaps or overlap)"
        fixed = _stride_order(x)  # the dims whose order the input fixes; a stride-0 dim may go anywhere
        assert [d for d in _stride_order(out) if d in fixed] == fixed, (
            f"{what} orders its dimensions {_stride_order(out)} by stride, but should keep the input's order {_stride_order(x)}"
        )


def _is_dense(t: torch.Tensor) -> bool:
    """Non-overlapping and dense: its strides, sorted, are those of a contiguous tensor of the sizes taken in that order."""
    dims = sorted(range(t.dim()), key=lambda d: t.stride(d))
    expected = 1
    for d in dims:
        if t.shape[d] != 1 and t.stride(d) != expected:
            return False
        expected *= t.shape[d]
    return True


# --------------------------------------------------------------------------- arange and range


#: the kinds of scalar a range factory reads: whether each counts as integral (-> int64) or floating (-> the
#: default dtype); a 0-d tensor counts by its kind, never by its width
RANGE_SCALARS = {
    "int": (lambda v: int(v), True),
    "bool": (lambda v: bool(v % 2), True),
    "np.int32": (lambda v: np.int32(v), True),
    "np.uint8": (lambda v: np.uint8(v % 256), True),
    "int8 tensor": (lambda v: torch.tensor(v, dtype=torch.int8), True),
    "int64 tensor": (lambda v: torch.tensor(v), True),
    "float": (lambda v: float(v), False),
    "np.float32": (lambda v: np.float32(v), False),
    "np.float64": (lambda v: np.float64(v), False),
    "float64 tensor": (lambda v: torch.tensor(v, dtype=torch.float64), False),
    "float16 tensor": (lambda v: torch.tensor(v, dtype=torch.float16), False),
}


#: the default dtypes looped in every example of the spec below
RANGE_INFERENCE_DEFAULTS = (torch.float32, torch.float64)


@pytest.mark.parametrize("kind", list(RANGE_SCALARS))
@given(start=st.integers(-20, 20), length=st.integers(0, 12), step=st.integers(1, 4))
@budget(len(RANGE_INFERENCE_DEFAULTS) * len(RANGE_SCALARS))
def test_arange_is_int64_for_integral_arguments_and_the_default_dtype_if_any_is_floating(device, kind, start, length, step):
    """torch.arange is int64 when its arguments are all integral and of the default dtype when any is floating, whatever the scalar's own width.

    Ranges over: 11 kinds of scalar (enumerated: int, bool, numpy int32/uint8/float32/float64, 0-d tensors of
    int8/int64/float16/float64, float) in one argument among ints (each case: one kind), in every example under
    each default dtype (float32, float64; a failure names it); integral start, length and step drawn, so the result is exactly Python's ``range(start, end, step)``
    (half-open: ``end`` is never included), as ints or as floats. An integer tensor of any width gives
    int64 and a float64 or float16 scalar the default dtype: arange reads numbers, not dtypes.
    ``dtype=`` overrides the inference (checked with float64 and int32).
    """
    make, integral = RANGE_SCALARS[kind]
    end = start + length * step
    expected = list(range(start, end, step))
    if kind == "bool":  # a bool is 0 or 1: the one argument it can be is the step 1
        calls = {"torch.arange(start, end, True)": lambda: torch.arange(start, end, True, device=device)}
        expected = list(range(start, end, 1))
    elif kind == "np.uint8":
        calls = {"torch.arange(start, end, np.uint8(step))": lambda: torch.arange(start, end, make(step), device=device)}
    else:
        calls = {f"torch.arange(start, {kind} end, step)": lambda: torch.arange(start, make(end), step, device=device),
                 f"torch.arange({kind} start, end, step)": lambda: torch.arange(make(start), end, step, device=device)}
    for default in RANGE_INFERENCE_DEFAULTS:
        want = torch.int64 if integral else default
        under = f"under default {default}"
        with default_dtype(default):
            for code, call in calls.items():
                out = call()
                assert_device(out, device, f"{code} {under}")
                assert_dtype(out, want, f"{code} {under}")
                assert_same(out.cpu(), torch.tensor(expected, dtype=want), f"{code} {under}")
            for dtype in (torch.float64, torch.int32):
                out = torch.arange(start, end, step, dtype=dtype, device=device)
                assert_dtype(out, dtype, f"torch.arange(start, end, step, dtype={dtype}) {under}")
                assert_same(out.cpu(), torch.tensor(list(range(start, end, step)), dtype=dtype), f"arange(..., dtype={dtype}) {under}")


RANGE_HALF_CPU = (
    "torch.range's cpu kernel has float16 from torch 2.2 (pytorch#112131, 'Add Half support for logspace and range on "
    "CPU'); before, torch.range under a float16 default raises RuntimeError '\"range_cpu\" not implemented for 'Half'' on "
    "the cpu; checked: raises on 2.0.1 and 2.1.2, works on 2.2.2, 2.4.1, 2.14.1 and 2.15.0"
)
RANGE_DEFAULTS = [
    pytest.param(d, id=dtype_id(d), marks=[pytest.mark.torch_version(">=2.2", reason=RANGE_HALF_CPU)] if d == torch.float16 else [])
    for d in DEFAULTS
]


@pytest.mark.parametrize("default", RANGE_DEFAULTS)
@given(start=st.integers(-20, 20), length=st.integers(0, 12), step=st.integers(1, 4))
@budget(len(DEFAULTS))
def test_range_includes_its_end_gives_the_default_dtype_and_warns_it_is_deprecated(device, default, start, length, step):
    """torch.range includes its end and gives the default dtype even for int arguments, with a UserWarning that it is deprecated in favour of arange.

    Ranges over: every default dtype (float32, float64, float16, bfloat16), integral start, length and step
    drawn: ``torch.range(start, end, step)`` holds start, start + step, ... up to and including ``end`` (one
    element more than ``torch.arange(start, end, step)``), in the default dtype although every argument is
    an int, and warns once per call "torch.range is deprecated ... use torch.arange".
    """
    end = start + length * step
    with default_dtype(default), warnings_recorded() as seen:
        out = torch.range(start, end, step, device=device)
    hits = [w for w in seen if issubclass(w.category, UserWarning) and "torch.range is deprecated" in str(w.message)]
    assert len(hits) == 1, f"torch.range warned {[str(w.message)[:50] for w in seen]}, but should warn once that it is deprecated"
    assert_device(out, device, "torch.range(start, end, step)")
    assert_dtype(out, default, "torch.range(start, end, step)")
    assert_same(out.cpu(), torch.tensor(list(range(start, end + 1, step)), dtype=default), "torch.range(start, end, step)")


@pytest.mark.device_independent
@pytest.mark.torch_version("<2.2", reason=RANGE_HALF_CPU)
def test_range_under_a_float16_default_raises_on_the_cpu_before_2_2():
    """Before torch 2.2, torch.range under a float16 default raises RuntimeError on the cpu: its cpu kernel has no float16.

    Ranges over: the cpu only (the claim is about its kernel; cuda has had one all along), one range; the
    same call with ``dtype=torch.float32`` works, so the refusal is the kernel's, not the arguments'.
    """
    with default_dtype(torch.float16), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with raises(RuntimeError, "not implemented for 'Half'", "torch.range(0, 3) under a float16 default"):
            torch.range(0, 3)
        assert_same(torch.range(0, 3, dtype=torch.float32), torch.tensor([0.0, 1.0, 2.0, 3.0], dtype=torch.float32), "torch.range(0, 3, dtype=float32)")


# --------------------------------------------------------------------------- sizes vs scalars


@pytest.mark.parametrize("default", DEFAULT_PARAMS)
@budget(len(DEFAULTS), floor=1)
@given(size=st.lists(st.integers(0, 5), min_size=1, max_size=3))
@example(size=[3])
@example(size=[2, 3])
def test_legacy_constructor_reads_ints_as_a_size_tensor_as_a_value(device, default, size):
    """torch.Tensor(3) is an uninitialized 1-D float tensor of size 3 and torch.Tensor(2, 3) a 2 x 3 one; torch.tensor(3) is a 0-d int64 scalar.

    Ranges over every default dtype torch accepts (the legacy tensor has it) x sizes of 1-3 ints 0-5,
    given as ints (``torch.Tensor(2, 3)``) and as a ``torch.Size``; ``torch.tensor`` of the first int is
    int64 whatever the default. (A tuple or list of ints is data, not a size: the list specs.)
    """
    with default_dtype(default):
        made = {"ints": torch.Tensor(*size), "torch.Size": torch.Tensor(torch.Size(size))}
        scalar = torch.tensor(size[0], device=device)
    for form, legacy in made.items():
        assert tuple(legacy.shape) == tuple(size), f"torch.Tensor({form} {tuple(size)}).shape={tuple(legacy.shape)}"
        assert_dtype(legacy, default, f"torch.Tensor({form} {tuple(size)})")
    assert scalar.shape == (), f"torch.tensor({size[0]}).shape={tuple(scalar.shape)}, but should be ()"
    assert_dtype(scalar, torch.int64, f"torch.tensor({size[0]})")
    assert_device(scalar, device, f"torch.tensor({size[0]})")
    assert scalar.item() == size[0], f"torch.tensor({size[0]}).item()={scalar.item()}"


@pytest.mark.device_independent  # the legacy constructor only makes cpu tensors: there is no device to vary
@pytest.mark.parametrize("np_dtype", NUMPY_PARAMS)
@budget(len(NUMPY_PARAMS), floor=1)
@given(data=st.data())
def test_legacy_constructor_of_an_ndarray_is_the_default_dtype_sharing_only_an_array_of_it(np_dtype, data):
    """torch.Tensor(ndarray) holds the array's values in the default dtype; it shares the array's memory (strides too) exactly when the array already has the default dtype, and copies otherwise.

    Ranges over every numpy dtype with a torch twin x every default dtype torch accepts (float32,
    float64, float16, bfloat16; numpy has no bfloat16, so under it every array is copied) x arrays
    of 1-3 dims (sides 1-4; contiguous and a step-sliced view) of small integers, exact in every dtype.
    Complex arrays keep only their real part (torch warns that the imaginary part is discarded).
    """
    a = data.draw(hnp.arrays(np.int16, hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4),
                             elements=st.integers(0 if np_dtype.kind in "ub" else -100, 100)), label="values")
    for a, default in ((arr, d) for arr in (a.astype(np_dtype), np.repeat(a.astype(np_dtype), 2, axis=-1)[..., ::2]) for d in DEFAULTS):
        with default_dtype(default), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # complex arrays: "Casting complex values to real discards the imaginary part"
            out = torch.Tensor(a)
        what = f"torch.Tensor({np_dtype.name} array) under default {dtype_id(default)}"
        assert_dtype(out, default, what)
        assert out.device.type == "cpu", f"{what}.device={out.device}, but should be cpu"
        real = a.real if np_dtype.kind == "c" else a
        assert_same(out, torch.from_numpy(real.astype(np.float64)).to(default), what)
        own = default != torch.bfloat16 and np_dtype == TORCH_TO_NUMPY[default]
        shared = default != torch.bfloat16 and np.shares_memory(out.numpy(), a)
        assert shared is own, f"{what} {'shares' if shared else 'does not share'} the array's memory, but should {'' if own else 'not '}share it"


# --------------------------------------------------------------------------- copy vs alias


@pytest.mark.parametrize("dtype", dtype_params(ALL))
@budget(len(ALL), floor=1)
@given(data=st.data())
def test_tensor_always_copies_Tensor_of_a_tensor_aliases_as_tensor_shares(device, dtype, data):
    """torch.tensor copies an ndarray and a tensor (warning to copy with detach/clone); torch.Tensor(t) aliases t; as_tensor(t) is t.

    Ranges over every dtype of ``t`` (``ALL``: bool, integers, floating incl. bfloat16, complex) x
    non-empty shapes of 1-2 dims with values over the dtype's range. ``torch.Tensor(t)`` keeps t's
    dtype and device (an int64 tensor stays int64: only lists are converted to the default dtype).
    """
    a, t = data.draw(tensor_values(dtype, hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=4)), label="values")
    t = t.to(device)
    with warnings_recorded() as caught:
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
    other = torch.float32 if dtype == torch.float64 else torch.float64
    assert_owns(torch.as_tensor(t, dtype=other), t, f"torch.as_tensor(t, dtype={other})")
    # from an ndarray: writing to the source does not reach the tensor
    src = a.copy()
    from_array = torch.tensor(src, device=device)
    src[...] = (src == 0).astype(src.dtype)  # every element changes: 0 -> 1, anything else -> 0
    assert_same(from_array, torch.from_numpy(a).to(device), "torch.tensor(src) after writing src")


# --------------------------------------------------------------------------- keyword arguments


@pytest.mark.parametrize("dtype", dtype_params(DIFFERENTIABLE))
@budget(len(DIFFERENTIABLE), floor=1)
@given(data=nested(st.one_of(ints, floats)))
@example(data=[1, 2])
def test_tensor_honours_dtype_device_and_requires_grad(device, dtype, data):
    """torch.tensor(data, dtype=..., device=..., requires_grad=True) gives exactly that dtype, device and a grad-requiring leaf.

    Ranges over every floating and complex dtype (the ones that can require grad; the refusal for the
    others is a claim of test_requires_grad) x nested lists (1-3 levels) of ints and floats.
    """
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


#: every dtype's legacy tensor type name (the ``.type()`` string after ``torch.`` / ``torch.cuda.``)
LEGACY_NAMES = {
    torch.bool: "BoolTensor", torch.uint8: "ByteTensor", torch.int8: "CharTensor", torch.int16: "ShortTensor",
    torch.int32: "IntTensor", torch.int64: "LongTensor", torch.float16: "HalfTensor", torch.bfloat16: "BFloat16Tensor",
    torch.float32: "FloatTensor", torch.float64: "DoubleTensor", torch.complex64: "ComplexFloatTensor",
    torch.complex128: "ComplexDoubleTensor",
}


@pytest.mark.parametrize("dtype", dtype_params(ALL))
def test_type_names_every_dtype_and_type_of_a_name_or_dtype_converts(device, dtype):
    """x.type() names x's legacy tensor type for every dtype, and x.type(name) / x.type(dtype) convert to it (x itself when it already is).

    Ranges over every dtype (``ALL``, the name in :data:`LEGACY_NAMES`): a tensor of that dtype and its
    ``.type()``; a float32 tensor of 0..3 converted by ``.type('torch.<Name>')`` (with the device's prefix)
    and by ``.type(dtype)``, against numpy's ``astype`` (bfloat16: the values are exact); and a
    tensor already of the dtype, which both forms return itself (the docs: "no copy is performed").
    """
    name = prefix(device) + LEGACY_NAMES[dtype]
    x = torch.zeros(2, dtype=dtype, device=device)
    assert x.type() == name, f"torch.zeros(2, dtype={dtype}).type()={x.type()!r}, but should be {name!r}"
    source = torch.arange(4, dtype=torch.float32, device=device)
    expected = np.arange(4, dtype=np.float32).astype(TORCH_TO_NUMPY.get(dtype, np.float32))
    for form, out in ((f"x.type({name!r})", source.type(name)), (f"x.type({dtype})", source.type(dtype))):
        assert_dtype(out, dtype, form)
        assert_device(out, device, form)
        assert_same(out.cpu() if dtype != torch.bfloat16 else out.cpu().float(), torch.from_numpy(expected), form)
    assert x.type(name) is x, f"x.type({name!r}) of a {dtype} tensor is a new tensor, but should be x itself"
    assert x.type(dtype) is x, f"x.type({dtype}) of a {dtype} tensor is a new tensor, but should be x itself"


@pytest.mark.device_independent  # the legacy constructor only makes cpu tensors
@pytest.mark.parametrize("default", DEFAULT_PARAMS)
def test_legacy_constructor_without_arguments_is_an_empty_1d_tensor_of_the_default_dtype(default):
    """torch.Tensor() is an empty 1-D cpu tensor of the default dtype: shape (0,).

    Ranges over every default dtype torch accepts (float32, float64, float16, bfloat16).
    """
    with default_dtype(default):
        out = torch.Tensor()
    assert tuple(out.shape) == (0,), f"torch.Tensor().shape={tuple(out.shape)}, but should be (0,)"
    assert_dtype(out, default, "torch.Tensor()")
    assert out.device.type == "cpu", f"torch.Tensor().device={out.device}, but should be cpu"


# --------------------------------------------------------------------------- under torch.compile


#: the default dtype set before each call of one compiled function (and float32 again at the end)
DEFAULT_CALLS = [Call(mode=lambda d=d: default_dtype(d), name=f"default {dtype_id(d)}") for d in DEFAULTS] + [
    Call(mode=lambda: default_dtype(torch.float32), name="default float32 again")
]


#: Dynamo read get_default_dtype() as a constant without guarding it until pytorch#109459 (in 2.2)
DEFAULT_DTYPE_UNGUARDED = pytest.mark.known_bug(
    "<2.2",
    issue="https://github.com/pytorch/pytorch/issues/109458",
    reason="TorchDynamo doesn't guard the default dtype: a function compiled under float32 is not recompiled after "
    "set_default_dtype(float64) and keeps building float32 (fixed by pytorch#109459). Checked (cpu, aot_eager): "
    "diverges on 2.1.2 ('call 1 (default float64): output 0 dtype=torch.float32, but eager gives torch.float64'), "
    "passes on 2.2.2, 2.3.1, 2.4.1 and 2.14.1 (2.0 cannot run Dynamo on Python 3.11)",
)


@pytest.mark.parametrize("kinds", [pytest.param("real", marks=DEFAULT_DTYPE_UNGUARDED), pytest.param("complex", marks=COMPLEX32_GATE)])
@compile_budget()
@given(data=st.data(), shape=grid_shapes)
def test_tensor_inference_and_the_default_dtype_under_compile(device, backend, kinds, data, shape):
    """Compiled, torch.tensor infers the same dtypes and values as eager from every container form, numpy scalars and arrays, and follows set_default_dtype changed between calls, as do torch.Tensor and the factories.

    One compiled function builds ``torch.tensor`` of every container form (``containers``: a bare
    scalar, lists, tuples, lists mixing both, 1-3 levels deep) of bools, ints and floats, of complex data
    (but under bfloat16, which refuses it), of numpy scalars of every dtype and of an int32 and a float64
    array; ``torch.Tensor(list)``, ``torch.Tensor(2, 3)`` (zeroed), ``torch.zeros``, ``torch.arange(3.0)``
    and ``x + 1.5`` -- and is called under each default dtype torch accepts in turn (float32, float64,
    float16, bfloat16, float32 again): every output's dtype, values, shape and device must match eager's
    (``assert_compiles_like_eager``), so the compiled code must follow (recompile for) each default.
    Two cases, one compile each: ``real`` (everything but the complex data) and ``complex`` (the
    complex data, with ``x + 1.5``), gated like the eager spec: under default float16 complex data
    gives complex32 only from torch 2.4 (eager raises before).
    """
    flat = data.draw(of_kind("float", int(np.prod(shape))), label="scalars")
    cflat = data.draw(of_kind("complex", int(np.prod(shape))), label="complex scalars")
    forms = list(containers(flat, shape).values())
    complex_forms = list(containers(cflat, shape).values())[:4]
    np_scalars = [np.dtype(d).type(1) for d in NUMPY_TO_TORCH if d != np.dtype(np.bool_)]
    arrays_ = [np.arange(6, dtype=np.int32).reshape(2, 3), np.linspace(0, 1, 4)]

    def construct(x):
        if kinds == "complex":
            outs = [torch.tensor(v, device=x.device) for v in complex_forms] if torch.get_default_dtype() != torch.bfloat16 else []
            return outs + [x + 1.5]
        outs = [torch.tensor(v, device=x.device) for v in forms]
        outs += [torch.tensor(v, device=x.device) for v in np_scalars + arrays_]
        outs += [torch.Tensor([1, 2]).to(x.device), torch.Tensor(2, 3).zero_().to(x.device), torch.zeros(2, device=x.device),
                 torch.arange(3.0, device=x.device), x + 1.5]
        return outs

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "ComplexHalf support is experimental"
        assert_compiles_like_eager(construct, lambda: (torch.ones(2, 3, device=device),), backend, calls=DEFAULT_CALLS)


def _from_arguments(ints, floats, device):
    """torch.Tensor (cpu-only: moved to ``device``) and torch.tensor of each list."""
    return (torch.Tensor(ints).to(device), torch.tensor(ints, device=device),
            torch.Tensor(floats).to(device), torch.tensor(floats, device=device))


@pytest.mark.known_bug(
    "<2.6",
    issue="https://github.com/pytorch/pytorch/issues/135432",
    reason="torch.Tensor(list) of a list argument holding ints, called again with other ints: Dynamo makes the ints "
    "dynamic after the first call and the legacy constructor stores the symbolic ints' bits in the float32 tensor "
    "(fixed by pytorch#135433). Checked (cpu, aot_eager): diverges on 2.1.2-2.5.1, agrees on 2.6.0-2.15.0 "
    "(2.0 cannot run Dynamo on Python 3.11)",
)
def test_constructors_of_lists_passed_to_a_compiled_function_follow_each_call_under_compile(device, backend):
    """Compiled, torch.Tensor(list) and torch.tensor(list) of a list passed as an argument give each call's own values and eager's dtype (float32 from ints for torch.Tensor, int64 for torch.tensor), call after call with other values.

    One compiled function called with three lists of ints and of floats in turn (Dynamo recompiles with the
    numbers dynamic after the first call); every output against eager's (values, dtype and device: the
    legacy constructor is cpu-only, its tensors are moved to the spec's device). Fixed values (a known
    bug: no shrinking).
    """
    compiled = compile_fn(_from_arguments, backend)
    for k, (ints, floats) in enumerate((([1, 2], [0.5, 1.5]), ([3, 4], [2.5, -1.0]), ([5, -6], [7.25, 8.0]))):
        for i, (c, e) in enumerate(zip(compiled(ints, floats, device), _from_arguments(ints, floats, device))):
            assert_same(c, e, f"call {k} ({ints}, {floats}): output {i}")


# --- release history (mined from release notes; see docs/release-history.md)

COPY_CONSTRUCT_TEXT = (
    "torch.tensor(a_tensor) warns UserWarning recommending a copy; the recommended order changed from "
    "sourceTensor.clone().detach() to sourceTensor.detach().clone() (detach first: clone records no history) in "
    "torch 2.7 (https://github.com/pytorch/pytorch/releases/tag/v2.7.0); checked: clone().detach() on 2.0-2.6, "
    "detach().clone() on 2.7-2.15"
)
INT64_OVERFLOW = (
    "torch.tensor of a Python int beyond the int64 range raises 'Overflow when unpacking long'; torch 2.9 made "
    "it a ValueError (RuntimeError before) (https://github.com/pytorch/pytorch/releases/tag/v2.9.0); checked: "
    "RuntimeError on 2.0-2.8, ValueError on 2.9-2.15"
)
DEFAULT_TENSOR_TYPE = (
    "torch 2.1 deprecated torch.set_default_tensor_type in favour of set_default_dtype / set_default_device: it "
    "warns UserWarning 'deprecated as of PyTorch 2.1' (https://github.com/pytorch/pytorch/releases/tag/v2.1.0); "
    "checked: silent on 2.0, warns on 2.1-2.15"
)
from specs.helpers import warn_always as _warn_always  # noqa: E402

GET_DEFAULT_DEVICE = (
    "torch.get_default_device was added in torch 2.3 (https://github.com/pytorch/pytorch/releases/tag/v2.3.0); "
    "checked: missing on 2.0-2.2, present on 2.3-2.15"
)


def _copy_construct_warnings(device):
    source = torch.arange(3.0, device=device, requires_grad=True)
    with _warn_always(), warnings_recorded() as caught:
        out = torch.tensor(source)
    found = [(w.category, str(w.message)) for w in caught if "To copy construct from a tensor" in str(w.message)]
    assert_same(out, source.detach(), "torch.tensor(source)")
    assert not out.requires_grad, "torch.tensor(source).requires_grad=True, but should be False"
    assert [c for c, _ in found] == [UserWarning], f"torch.tensor(source) warned {found}, but should warn one UserWarning"
    return found[0][1]


@pytest.mark.torch_version("<2.7", reason=COPY_CONSTRUCT_TEXT)
def test_tensor_of_a_tensor_warns_to_use_clone_detach_before_2_7(device):
    """Before torch 2.7, torch.tensor(a_tensor) copies it without history and warns UserWarning recommending sourceTensor.clone().detach()."""
    text = _copy_construct_warnings(device)
    assert "sourceTensor.clone().detach()" in text, f"the warning says {text!r}, but should recommend sourceTensor.clone().detach()"


@pytest.mark.torch_version(">=2.7", reason=COPY_CONSTRUCT_TEXT)
def test_tensor_of_a_tensor_warns_to_use_detach_clone_from_2_7(device):
    """From torch 2.7, torch.tensor(a_tensor) copies it without history and warns UserWarning recommending sourceTensor.detach().clone()."""
    text = _copy_construct_warnings(device)
    assert "sourceTensor.detach().clone()" in text, f"the warning says {text!r}, but should recommend sourceTensor.detach().clone()"


@pytest.mark.torch_version("<2.9", reason=INT64_OVERFLOW)
def test_tensor_of_an_int_beyond_int64_raises_runtime_error_before_2_9(device):
    """Before torch 2.9, torch.tensor(2**63) (one past int64's maximum) raises RuntimeError "Overflow when unpacking long"; 2**63 - 1 is kept exactly."""
    assert_same(torch.tensor(2**63 - 1, device=device).cpu(), torch.tensor(9223372036854775807), "torch.tensor(2**63 - 1)")
    with raises(RuntimeError, r"Overflow when unpacking long", "torch.tensor(2**63)"):
        torch.tensor(2**63, device=device)


@pytest.mark.torch_version(">=2.9", reason=INT64_OVERFLOW)
def test_tensor_of_an_int_beyond_int64_raises_value_error_from_2_9(device):
    """From torch 2.9, torch.tensor(2**63) (one past int64's maximum) raises ValueError "Overflow when unpacking long"; 2**63 - 1 is kept exactly."""
    assert_same(torch.tensor(2**63 - 1, device=device).cpu(), torch.tensor(9223372036854775807), "torch.tensor(2**63 - 1)")
    with raises(ValueError, r"Overflow when unpacking long", "torch.tensor(2**63)"):
        torch.tensor(2**63, device=device)


def _set_default_tensor_type_warnings(device):
    with default_dtype(torch.get_default_dtype()):  # restores the default dtype whatever the call did
        with _warn_always(), warnings_recorded() as caught:
            torch.set_default_tensor_type(torch.FloatTensor)  # the default already: changes nothing
        made = torch.tensor([1.5], device=device)
    assert_dtype(made, torch.float32, "torch.tensor([1.5]) after set_default_tensor_type(FloatTensor)")
    return [(w.category, str(w.message)) for w in caught if "set_default_tensor_type" in str(w.message)]


@pytest.mark.torch_version("<2.1", reason=DEFAULT_TENSOR_TYPE)
def test_set_default_tensor_type_is_silent_before_2_1(device):
    """Before torch 2.1, torch.set_default_tensor_type(torch.FloatTensor) sets the default float type without any warning."""
    found = _set_default_tensor_type_warnings(device)
    assert found == [], f"set_default_tensor_type warned {found}, but should be silent"


@pytest.mark.torch_version(">=2.1", reason=DEFAULT_TENSOR_TYPE)
def test_set_default_tensor_type_warns_that_it_is_deprecated_from_2_1(device):
    """From torch 2.1, torch.set_default_tensor_type(...) still works but warns UserWarning that it is deprecated in favour of set_default_dtype and set_default_device."""
    found = _set_default_tensor_type_warnings(device)
    assert [c for c, _ in found] == [UserWarning], f"set_default_tensor_type warned {found}, but should warn one UserWarning"
    assert re.search(r"set_default_dtype\(\).*set_default_device\(\)", found[0][1]), f"the warning {found[0][1]!r} names no replacement"


@pytest.mark.torch_version("<2.3", reason=GET_DEFAULT_DEVICE)
def test_get_default_device_is_missing_before_2_3(device):
    """Before torch 2.3, torch has set_default_device but no get_default_device: the default device can be set, not read."""
    assert hasattr(torch, "set_default_device"), "torch.set_default_device is missing"
    assert not hasattr(torch, "get_default_device"), "torch.get_default_device exists, but should not before 2.3"
    assert_device(torch.zeros(1, device=device), device, "torch.zeros(1, device=device)")


@pytest.mark.torch_version(">=2.3", reason=GET_DEFAULT_DEVICE)
def test_get_default_device_reads_back_what_set_default_device_set_from_2_3(device):
    """From torch 2.3, torch.get_default_device() is cpu by default and reads back the device set_default_device set (where factories now allocate)."""
    assert torch.get_default_device() == torch.device("cpu"), f"torch.get_default_device()={torch.get_default_device()}, but should be cpu"
    try:
        torch.set_default_device(device)
        got = torch.get_default_device()
        made = torch.zeros(1)
    finally:
        reset_default_device()
    assert got.type == device.type, f"torch.get_default_device()={got} after set_default_device({device}), but should be {device}"
    assert_device(made, device, "torch.zeros(1) under set_default_device")


# --- release history, round 2 (the tracker)

from specs.inputs import WIDE_UNSIGNED, WIDE_UNSIGNED_GATE  # noqa: E402

UINT_SCALAR = (
    "torch 2.3 added torch.uint16/uint32/uint64 and their numpy conversion (pytorch#116594, pytorch#116808; "
    "https://github.com/pytorch/pytorch/releases/tag/v2.3.0): before, torch.tensor of a numpy uint16/uint32/uint64 "
    "scalar raises TypeError \"can't convert np.ndarray of type numpy.uint16\"; checked: TypeError on 2.0.1 and 2.2.2 "
    "(numpy 1.26.4), a uint16/uint32 tensor on 2.3.1, 2.6.0, 2.8.0, 2.12.1, 2.13.0, 2.14.1 and 2.15.0 (numpy 2.4.6)"
)
UINT64_SCALAR_BUG = (
    "a numpy uint64 *scalar* is unpacked with PyLong_AsUnsignedLongLong, which takes only Python ints: "
    "torch.tensor(np.uint64(v)), torch.tensor([np.uint64(v)]) and torch.as_tensor(np.uint64(v)) raise TypeError "
    "'an integer is required', while np.uint16/np.uint32 scalars and uint64 arrays (0-d included) convert; the fix "
    "(pytorch#117554, 'support torch.tensor(numpy.uint64(42))') was closed unmerged, unsigned support is tracked in "
    "the linked issue; checked on 2.3.1, 2.6.0, 2.8.0, 2.12.1, 2.13.0, 2.14.1 and 2.15.0 with numpy 2.4.6, and on 2.3.1 with numpy 1.26.4"
)

#: how a numpy scalar ``s`` is handed to the constructors: (what, call, the expected shape)
UINT_SCALAR_FORMS = {
    "tensor": (lambda s, device: torch.tensor(s, device=device), ()),
    "tensor-list": (lambda s, device: torch.tensor([s, s], device=device), (2,)),
    "as_tensor": (lambda s, device: torch.as_tensor(s, device=device), ()),
}
UINT_SCALAR_CASES = [
    pytest.param(np_dtype, id=np_dtype.name, marks=(WIDE_UNSIGNED_GATE, *(
        [pytest.mark.known_bug(">=2.3", issue="https://github.com/pytorch/pytorch/issues/58734", reason=UINT64_SCALAR_BUG)]
        if np_dtype == np.dtype(np.uint64) else []
    ))) for np_dtype in WIDE_UNSIGNED
]


@pytest.mark.parametrize("np_dtype", UINT_SCALAR_CASES)
@given(data=st.data())
@example(data=None)
def test_tensor_of_a_numpy_wide_unsigned_scalar_keeps_its_dtype_from_2_3(device, np_dtype, data):
    """From torch 2.3, torch.tensor / torch.as_tensor of a numpy uint16, uint32 or uint64 scalar is a tensor of the same unsigned dtype holding its value.

    Ranges over numpy's uint16/uint32/uint64 (uint64 a known bug: a numpy uint64 scalar raises TypeError) and the
    calling forms ``torch.tensor(s)``, ``torch.tensor([s, s])`` and ``torch.as_tensor(s)``, with values drawn over
    the dtype's whole range (0 and the maximum, 2**64 - 1 for uint64, in the explicit example). The oracle is
    ``torch.from_numpy`` of a numpy array holding the same value, which converts every one of them.
    """
    info = np.iinfo(np_dtype)
    value = info.max if data is None else data.draw(st.integers(0, int(info.max)), label="value")
    scalar = np_dtype.type(value)
    expected_dtype = getattr(torch, np_dtype.name)
    for form, (make, shape) in UINT_SCALAR_FORMS.items():
        what = f"{form}(np.{np_dtype.name}({value}))"
        out = make(scalar, device)
        assert_dtype(out, expected_dtype, what)
        assert tuple(out.shape) == shape, f"{what}.shape={tuple(out.shape)}, but should be {shape}"
        expected = torch.from_numpy(np.full(shape, value, dtype=np_dtype))
        assert_same(out.cpu(), expected, what)


@pytest.mark.torch_version("<2.3", reason=UINT_SCALAR)
@pytest.mark.parametrize("np_dtype", [pytest.param(d, id=d.name) for d in WIDE_UNSIGNED])
def test_tensor_of_a_numpy_wide_unsigned_scalar_raises_type_error_before_2_3(device, np_dtype):
    """Before torch 2.3, torch.tensor of a numpy uint16, uint32 or uint64 scalar raises TypeError "can't convert np.ndarray of type numpy.uintN" (torch has no such dtype); with dtype=torch.int64 it converts."""
    scalar = np_dtype.type(5)
    with raises(TypeError, rf"can't convert np\.ndarray of type numpy\.{np_dtype.name}", f"torch.tensor(np.{np_dtype.name}(5))"):
        torch.tensor(scalar, device=device)
    out = torch.tensor(scalar, dtype=torch.int64, device=device)
    assert_same(out.cpu(), torch.tensor(5), f"torch.tensor(np.{np_dtype.name}(5), dtype=torch.int64)")


LIST_OF_GRAD_TENSORS = (
    "torch 2.8 warns 'Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior' "
    "(once per element, with torch.set_warn_always) when torch.tensor reads a 0-d tensor that requires grad as one "
    "element of a list (pytorch#143261, for pytorch#143071); before, it converted silently. Either way the result is "
    "a copy without history. Checked: silent on 2.0.1, 2.1.2, 2.2.2, 2.5.1 and 2.7.1; warns on 2.8.0, 2.9.1, 2.14.1 "
    "and 2.15.0"
)


def _list_of_grad_tensors(device, dtype):
    """torch.tensor([x, y]) of two 0-d tensors that require grad, with the warnings it raised (every time)."""
    x = torch.tensor(1.5, dtype=dtype, device=device, requires_grad=True)
    y = torch.tensor(-2.0, dtype=dtype, device=device, requires_grad=True)
    with _warn_always(), warnings_recorded() as caught:
        t = torch.tensor([x, y], device=device)
    assert_dtype(t, dtype, f"torch.tensor([x, y]) of two 0-d {dtype} tensors")
    assert_same(t, torch.tensor([1.5, -2.0], dtype=dtype, device=device), "torch.tensor([x, y])")
    assert not t.requires_grad and t.grad_fn is None, "torch.tensor([x, y]) should be a copy without history"
    return [str(w.message) for w in caught if issubclass(w.category, UserWarning) and "requires_grad=True to a scalar" in str(w.message)]


@pytest.mark.torch_version(">=2.8", reason=LIST_OF_GRAD_TENSORS)
@pytest.mark.parametrize("dtype", dtype_params(DIFFERENTIABLE))
def test_tensor_of_a_list_of_0d_tensors_that_require_grad_warns_per_element_from_2_8(device, dtype):
    """From torch 2.8, torch.tensor([x, y]) of 0-d tensors that require grad warns UserWarning, once per element, that converting them to scalars may be unexpected (use detach()); the result is their values, without history.

    Ranges over every dtype that can require grad (enumerated).
    """
    found = _list_of_grad_tensors(device, dtype)
    assert len(found) == 2, f"torch.tensor([x, y]) warned {found}, but should warn once for each of the 2 elements"


@pytest.mark.torch_version("<2.8", reason=LIST_OF_GRAD_TENSORS)
@pytest.mark.parametrize("dtype", dtype_params(DIFFERENTIABLE))
def test_tensor_of_a_list_of_0d_tensors_that_require_grad_is_silent_before_2_8(device, dtype):
    """Before torch 2.8, torch.tensor([x, y]) of 0-d tensors that require grad converts them silently to a tensor of their values, without history.

    Ranges over every dtype that can require grad (enumerated).
    """
    found = _list_of_grad_tensors(device, dtype)
    assert not found, f"torch.tensor([x, y]) warned {found}, but should be silent"


LINSPACE_TENSOR_ENDS = (
    "torch 2.2 reads 0-dimensional tensors as linspace/logspace's start and end (pytorch#104889) -- ones that require "
    "grad too, though the result does not: the ends are read as numbers -- and refuses tensors of more dimensions "
    "with RuntimeError 'only supports 0-dimensional start and end tensors'; torch 2.0/2.1 parsed the ends as Numbers, "
    "so a 0-d tensor that requires grad, or a 1-d one, raised TypeError 'must be Number, not Tensor'. Checked: TypeError "
    "on 2.0.1 and 2.1.2; read on 2.2.2, 2.3.1, 2.4.1, 2.5.1, 2.7.1, 2.14.1 and 2.15.0"
)
#: name -> the numpy oracle of three points from 0 to 1
SPACINGS = {"linspace": lambda: np.linspace(0.0, 1.0, 3), "logspace": lambda: np.logspace(0.0, 1.0, 3)}


@pytest.mark.torch_version(">=2.2", reason=LINSPACE_TENSOR_ENDS)
@pytest.mark.parametrize("name", list(SPACINGS))
def test_linspace_and_logspace_read_0d_tensor_ends_that_require_grad_from_2_2(device, name):
    """From torch 2.2, torch.linspace/logspace take 0-d tensors as start and end, also ones that require grad (the result does not), and refuse a 1-d end with RuntimeError.

    Ranges over both functions (enumerated); three points from 0 to 1, numpy's linspace/logspace in
    float32 as the oracle.
    """
    start = torch.tensor(0.0, requires_grad=True)
    end = torch.tensor(1.0, requires_grad=True)
    t = getattr(torch, name)(start, end, 3, device=device)
    assert_dtype(t, torch.float32, f"torch.{name}(0-d start, 0-d end, 3)")
    torch.testing.assert_close(t, torch.from_numpy(SPACINGS[name]().astype(np.float32)).to(device), msg=lambda m: f"torch.{name}: {m}")
    assert not t.requires_grad, f"torch.{name} of ends that require grad requires grad, but should not"
    with raises(RuntimeError, "only supports 0-dimensional", f"torch.{name}(1-d start, 1.0, 3)"):
        getattr(torch, name)(torch.tensor([0.0]), 1.0, 3, device=device)


@pytest.mark.torch_version("<2.2", reason=LINSPACE_TENSOR_ENDS)
@pytest.mark.parametrize("name", list(SPACINGS))
def test_linspace_and_logspace_refuse_tensor_ends_that_require_grad_with_type_error_before_2_2(device, name):
    """Before torch 2.2, torch.linspace/logspace refuse a 0-d start that requires grad, and a 1-d one, with TypeError 'must be Number, not Tensor'.

    Ranges over both functions (enumerated).
    """
    for start in (torch.tensor(0.0, requires_grad=True), torch.tensor([0.0])):
        with raises(TypeError, "must be Number, not Tensor", f"torch.{name}(start of shape {tuple(start.shape)}, 1.0, 3)"):
            getattr(torch, name)(start, 1.0, 3, device=device)


# --- release history, round 4 (release notes 2.10-2.15)

NAMED_TENSORS_REMOVED = (
    "torch 2.13 removed named tensors, an experimental feature since 1.3 (pytorch#173895, "
    "https://github.com/pytorch/pytorch/releases/tag/v2.13.0): the factories no longer take names= (TypeError "
    "'unexpected keyword argument'), and Tensor.names / refine_names / rename are gone; before, torch.tensor and the "
    "filling factories built a tensor carrying the names (with a UserWarning that named tensors are experimental), "
    "while the legacy torch.Tensor(data, names=...) never took the keyword. Checked: names kept on 2.0.1, 2.1.2, "
    "2.2.2 and 2.12.1; TypeError on 2.13 (its torch/_C/_VariableFunctions.pyi has no names= overloads), 2.14.1 and "
    "2.15.0"
)
#: the factories that took names= before 2.13: name -> build a 2-element float tensor with the names given
NAMED_FACTORIES = {
    "torch.tensor": lambda names: torch.tensor([1.0, 2.0], names=names),
    "torch.ones": lambda names: torch.ones(2, names=names),
    "torch.zeros": lambda names: torch.zeros(2, names=names),
    "torch.empty": lambda names: torch.empty(2, names=names),
    "torch.full": lambda names: torch.full((2,), 1.0, names=names),
    "torch.rand": lambda names: torch.rand(2, names=names),
}


@pytest.mark.device_independent
@pytest.mark.torch_version("<2.13", reason=NAMED_TENSORS_REMOVED)
@pytest.mark.parametrize("factory", list(NAMED_FACTORIES))
def test_factories_build_named_tensors_from_names_before_2_13(factory):
    """Before torch 2.13, torch.tensor and the filling factories take names= and build a tensor whose .names are the names given; the legacy torch.Tensor(data, names=...) refuses the keyword with TypeError.

    Over torch.tensor, ones, zeros, empty, full and rand, on a 2-element float tensor named ('n',).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # 'Named tensors ... are an experimental feature'
        t = NAMED_FACTORIES[factory](("n",))
    assert t.names == ("n",), f"{factory}(..., names=('n',)).names={t.names}, but should be ('n',)"
    assert t.shape == (2,), f"{factory}(..., names=('n',)).shape={tuple(t.shape)}, but should be (2,)"
    with raises(TypeError, r"names", "torch.Tensor([1.0, 2.0], names=('n',))"):
        torch.Tensor([1.0, 2.0], names=("n",))


@pytest.mark.device_independent
@pytest.mark.torch_version(">=2.13", reason=NAMED_TENSORS_REMOVED)
@pytest.mark.parametrize("factory", list(NAMED_FACTORIES))
def test_factories_refuse_names_from_2_13(factory):
    """From torch 2.13, torch.tensor and the filling factories refuse names= with TypeError (named tensors are gone), and a tensor has no .names.

    Over torch.tensor, ones, zeros, empty, full and rand.
    """
    with raises(TypeError, r"unexpected keyword argument 'names'|names", f"{factory}(..., names=('n',))"):
        NAMED_FACTORIES[factory](("n",))
    assert not hasattr(torch.ones(2), "names"), "a tensor still has a .names attribute, but named tensors were removed"
