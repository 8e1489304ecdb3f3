"""Device transfers: ``.to(device)``, ``.cuda()``, ``.cpu()`` -- what moves, what is copied, what is returned.

A tensor lives on one device. ``x.to(device)`` returns a tensor on ``device`` with the same values,
dtype and shape; when ``x`` is already there (and already has the requested dtype) it returns ``x``
itself -- no copy, the same Python object -- unless you pass ``copy=True``. ``x.cpu()`` is
``x.to("cpu")``: a copy from another device, ``x`` itself on the cpu. ``x.cuda()`` moves to the
current cuda device. The move is a plain memory copy, so it is exact for every dtype (NaN payloads,
-0.0 and all), and ndarray -> tensor -> device -> cpu -> ndarray gives back the same bytes.

A transfer is differentiable: ``x.to(device)`` of a leaf that requires grad records the copy, and
``backward()`` brings the gradient back to the leaf, on the leaf's own device and dtype.

The source note says ``x.to(device)`` "is equivalent to" ``x.cuda()`` (section 1); that holds only
when ``device`` is a cuda device (the note picks ``device = "cuda" if available else "cpu"``): with
the cpu fallback, ``x.to(device)`` of a cpu tensor is ``x`` itself, while ``x.cuda()`` is always a
cuda tensor (a new object from a cpu tensor). The transfer specs enumerate every dtype (bool,
the integers, float16, bfloat16, float32/64, complex64/128, uint16/32/64 on torch >= 2.3) and every
layout (contiguous, transposed, step-sliced, storage offset, expanded with stride 0, channels_last,
0-d, empty, more than 125 elements) -- the full cross product for ``.to(device)``, each dtype in two
layouts elsewhere -- and both transfer forms, blocking and ``non_blocking=True`` (from pinned memory
where the device is cuda). Values come with their extremes and the oracle is the numpy array they
came from; conversions (``x.to(other_dtype)``) are checked against numpy's ``astype``. The note's
``y = y.cuda()`` starts from a ``y`` it never defined; the round trip it shows (``b.cuda().cpu()``
keeps float64 and values) is a spec below, for machines with CUDA.

Under ``torch.compile`` the same transfers keep eager's values, dtypes, strides, aliasing (a compiled
``x.to(x.device)`` is ``x`` itself, as in eager), ``requires_grad`` and gradients (last section).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from specs.differential import assert_compiles_like_eager
from specs.helpers import assert_dtype, assert_owns, assert_same, raises, seeded, warnings_recorded
from specs.inputs import (
    ALL,
    COMPLEX,
    DIFFERENTIABLE,
    SHAPED,
    WIDE_UNSIGNED_GATE,
    bfloat16_rounded,
    budget,
    compile_budget,
    covering,
    dtype_params,
    layout_params,
    numpy_dtype_params,
    reshaped,
    reshaped_np,
    shaped_shapes,
    tensor_values,
    to_numpy_dtype,
    torch_dtype_of,
    values,
)

#: every dtype a transfer moves, enumerated: bool, uint8, int8-int64, float16, bfloat16, float32/64,
#: complex64/128, and uint16/32/64 from torch 2.3 (torch.uint16 ... do not exist before)
TRANSFER_DTYPES = dtype_params(ALL) + [
    pytest.param(getattr(torch, n, None), id=n, marks=WIDE_UNSIGNED_GATE) for n in ("uint16", "uint32", "uint64")
]
#: the SHAPED cases and "large": more than 125 elements (135..300) in a transposed 2-D view, a copy that
#: takes more than one chunk
TRANSFER_CASES = SHAPED + ("large",)
CASES = layout_params(TRANSFER_CASES)


def covering_twice(dtypes, cases):
    """:func:`covering` twice, the second time with the cases rotated by 4: every dtype meets two different
    layouts, so the one that draws ``empty`` (no element, no value to check) is checked in another too."""
    return covering(dtypes, cases) + covering(dtypes, cases[4:] + cases[:4])


def drawn(data, dtype: torch.dtype, case: str):
    """(numpy oracle, cpu tensor): values of ``dtype`` with its extremes in the case's layout; the oracle
    holds exactly the tensor's values (bfloat16: as float32)."""
    shapes = st.tuples(st.integers(9, 20), st.just(15)) if case == "large" else shaped_shapes(case)
    a, t = data.draw(tensor_values(dtype, shapes), label=f"{case} values")
    layout = "transposed" if case == "large" else case
    return reshaped_np(a, layout), reshaped(t, layout)


def host(t: torch.Tensor) -> torch.Tensor:
    """``t`` brought to the cpu in a dtype numpy has (bfloat16 widened to float32, exactly)."""
    t = t.cpu()
    return t.float() if t.dtype == torch.bfloat16 else t


def assert_holds(out: torch.Tensor, expected: np.ndarray, what: str):
    """``out`` holds exactly the numpy oracle's values (NaN equals NaN), whatever its device."""
    __tracebackhide__ = True
    assert_same(host(out), torch.from_numpy(np.asarray(expected).copy()), what)  # copy(): C order, 0-d kept


def where(device: torch.device) -> torch.device:
    """The concrete device a tensor asked to go to ``device`` lands on (``cuda`` -> ``cuda:0``)."""
    return torch.empty(0, device=device).device


def assert_on(out: torch.Tensor, device: torch.device, what: str = "out"):
    """Like ``specs.helpers.assert_device``, but exact: the device index counts too (``cuda:0``)."""
    __tracebackhide__ = True
    assert out.device == where(device), f"{what}.device={out.device}, but should be {where(device)}"


def dense(x: torch.Tensor) -> bool:
    """x covers its memory without gaps in one of the orders these specs make (row-major, channels_last, transposed)."""
    return (
        x.is_contiguous()
        or (x.dim() == 4 and x.is_contiguous(memory_format=torch.channels_last))
        or (x.dim() >= 2 and x.mT.is_contiguous())
    )


def moves(x: torch.Tensor, device: torch.device):
    """The transfer forms: a blocking x.to(device), and x.to(device, non_blocking=True) -- from pinned memory
    where device is cuda (pinned host memory exists only with CUDA), read back by a blocking .cpu() that the
    current stream orders after it."""
    yield "x.to(device)", x.to(device)
    source = x.pin_memory() if device.type == "cuda" else x
    yield "x.to(device, non_blocking=True)", source.to(device, non_blocking=True)


# --------------------------------------------------------------------------- .to(device)


@pytest.mark.parametrize("dtype, case", covering_twice(TRANSFER_DTYPES, CASES))
@given(data=st.data())
@budget(2 * len(TRANSFER_DTYPES), floor=1)
def test_to_device_keeps_values_dtype_and_shape(device, dtype, case, data):
    """x.to(device) -- also with non_blocking=True from pinned memory -- returns a tensor on device with exactly x's values, dtype and shape, and the strides of a dense x (channels_last, transposed).

    Ranges over every dtype (bool, uint8, int8-int64, float16, bfloat16, float32/64, complex64/128,
    uint16/32/64 from torch 2.3) and every layout (contiguous, transposed, step-sliced, storage
    offset, expanded, channels_last, 0-d, empty, and more than 125 elements), enumerated: each dtype in
    two layouts, each layout with several dtypes (the next spec adds every dtype in a 300-element
    tensor with known values); values with their extremes (nan, +-inf, -0.0, subnormals, the integer range); both
    transfer forms in every case. The oracle is the numpy array the values came from.
    ``memory_format=torch.preserve_format`` (the default) copies the strides of a dense,
    non-overlapping input.
    """
    expected, x = drawn(data, dtype, case)
    for form, out in moves(x, device):
        assert_on(out, device, form)
        assert_dtype(out, dtype, form)
        assert out.shape == x.shape, f"{form}.shape={tuple(out.shape)}, but should be {tuple(x.shape)}"
        if dense(x):
            assert out.stride() == x.stride(), f"{form}.stride()={out.stride()}, but should be x.stride()={x.stride()}"
        assert_holds(out, expected, form)


@pytest.mark.parametrize("dtype", TRANSFER_DTYPES)
def test_to_device_keeps_every_element_of_a_large_tensor(device, dtype):
    """x.to(device), blocking and non_blocking, keeps every element of a 300-element transposed tensor: a copy made in several chunks loses none.

    Ranges over every dtype (enumerated). The values 1..97 repeating (``arange % 97 + 1``) are exact and
    nonzero in every dtype, so a dropped chunk or a copy read before it arrived shows as a changed element.
    """
    values = np.arange(300) % 97 + 1
    expected = values.reshape(20, 15).T.astype(to_numpy_dtype(dtype))
    x = torch.from_numpy(values.reshape(20, 15)).to(dtype).T
    for form, out in moves(x, device):
        assert_holds(out, expected, form)


def test_to_device_of_the_notes_float64_ones(device):
    """torch.ones(5, dtype=torch.float64).to(device) is five float64 ones on device (the note's example)."""
    out = torch.ones(5, dtype=torch.float64).to(device)
    assert_on(out, device, "torch.ones(5, dtype=torch.float64).to(device)")
    assert_holds(out, np.ones(5), "torch.ones(5, dtype=torch.float64).to(device)")


@pytest.mark.parametrize("dtype", TRANSFER_DTYPES)
@given(data=st.data())
@budget(len(TRANSFER_DTYPES), floor=1)
def test_to_same_device_and_dtype_returns_same_object(device, dtype, data):
    """x.to(device) / x.to(dtype) / x.to(device, dtype) / x.to(other) of a tensor already on that device with that dtype return x itself.

    Ranges over every dtype (enumerated) and, in each example, every layout in turn (contiguous,
    transposed, step-sliced, storage offset, expanded, channels_last, 0-d, empty): nothing to do means
    no copy, and no contiguous copy of a strided tensor either.
    """
    for case in SHAPED:
        x = reshaped(torch.zeros(data.draw(shaped_shapes(case), label=case), dtype=dtype, device=device), case)
        for form, args in [("device", (device,)), ("dtype", (x.dtype,)), ("device, dtype", (device, x.dtype)), ("other", (x,))]:
            out = x.to(*args)
            assert out is x, f"[{case}] x.to({form}) is a new tensor (id {id(out):#x}), but should be x itself (id {id(x):#x})"


@pytest.mark.parametrize("dtype, case", covering_twice(TRANSFER_DTYPES, CASES))
@given(data=st.data())
@budget(2 * len(TRANSFER_DTYPES), floor=1)
def test_to_with_copy_true_returns_new_tensor(device, dtype, case, data):
    """x.to(device, copy=True) returns a new tensor with its own memory, x's values and a dense x's strides, even when x is already on device.

    Ranges over every dtype and every layout (each dtype in two layouts, each layout with several dtypes).
    Writing the copy leaves ``x`` alone. ``memory_format=torch.preserve_format`` (the default) copies
    the strides of a dense, non-overlapping input (channels_last, transposed) into the copy.
    """
    expected, x = drawn(data, dtype, case)
    x = x.to(device)
    out = x.to(device, copy=True)
    assert out is not x, "x.to(device, copy=True) is x itself, but should be a new tensor"
    if x.numel():
        assert_owns(out, x, "x.to(device, copy=True)")
    if dense(x):
        assert out.stride() == x.stride(), f"x.to(device, copy=True).stride()={out.stride()}, but should be x.stride()={x.stride()}"
    assert_holds(out, expected, "x.to(device, copy=True)")
    out.zero_()
    assert_holds(x, expected, "x after writing x.to(device, copy=True)")


#: conversion targets whose rule numpy's astype writes out on every device: the nearest value (IEEE
#: round-to-nearest-even, overflow to inf) for float32/float64 and complex64/128 (imaginary part 0 from a
#: real source), nonzero -> True for bool (from real sources; complex -> bool is its own spec below). Not
#: float16/bfloat16 (torch rounds float64 through float32 there, a double rounding numpy does not do;
#: float32 -> float16 is a spec of its own below), not integers from floats (out-of-range values are
#: undefined in both), not real numbers from complex (drops the imaginary part with a warning).
TARGETS = (torch.bool, torch.float32, torch.float64, torch.complex64, torch.complex128)


def targets_of(dtype: torch.dtype) -> list:
    """The TARGETS a ``dtype`` tensor is checked against: all but itself, and only complex for a complex source
    (complex -> bool is a claim of its own, on fixed values, with its known bug on cpu before 2.4:
    test_to_of_complex_converts_both_parts_and_resolves_the_conjugate_bit)."""
    return [t for t in TARGETS if t != dtype and not (dtype.is_complex and not t.is_complex)]


def conversions(x: torch.Tensor, device, target: torch.dtype):
    """The calling forms of one conversion: positional, keyword, dtype only, and another tensor's device and dtype."""
    yield f"x.to(device, {target})", x.to(device, target)
    yield f"x.to(device=device, dtype={target})", x.to(device=device, dtype=target)
    yield f"x.to({target})", x.to(target).to(device)
    yield f"x.to(other of {target})", x.to(torch.empty(0, dtype=target, device=device))


@pytest.mark.parametrize("dtype, case", covering_twice(TRANSFER_DTYPES, CASES))
@given(data=st.data())
@budget(2 * len(TRANSFER_DTYPES), floor=1)
def test_to_other_dtype_returns_converted_copy(device, dtype, case, data):
    """x.to(device, other_dtype) returns a new tensor of that dtype holding numpy's astype of x's values, with a dense x's strides, leaving x untouched.

    Ranges over every source dtype (each in two layouts, each layout with several dtypes) times, in
    every example, each target among bool, float32, float64, complex64, complex128 in turn (see
    TARGETS for the conversions left out and why; a complex source to complex targets only, complex ->
    bool being its own claim below), each in four calling forms (positional, keyword
    ``device=, dtype=``, dtype alone, ``x.to(other)``); a complex source also with its conjugate bit
    set (``x.conj()``, converted to its conjugate values); values with their extremes (nan -> True,
    -0.0 -> False, overflow to inf). The oracle is numpy's ``astype`` of the source values
    (bfloat16's exact float32 values). ``memory_format=torch.preserve_format`` (the default) copies the
    strides of a dense, non-overlapping input (channels_last, transposed).
    """
    expected, x = drawn(data, dtype, case)
    x = x.to(device)
    before = x.clone()
    sources = [("x", x, expected)] + ([("x.conj()", x.conj(), np.conj(expected))] if dtype.is_complex else [])
    for (name, src, src_values), target in itertools.product(sources, targets_of(dtype)):
        with np.errstate(all="ignore"):
            converted = src_values.astype(to_numpy_dtype(target))
        for form, out in conversions(src, device, target):
            form = form.replace("x.", f"{name}.", 1)
            assert out is not src, f"{form} is {name} itself, but should be a new tensor"
            assert_dtype(out, target, form)
            assert_on(out, device, form)
            if dense(src):
                assert out.stride() == src.stride(), f"{form}.stride()={out.stride()}, but should be {name}.stride()={src.stride()}"
            assert_holds(out, converted, form)
            out.fill_(1)
            assert_same(x, before, f"x after writing {form}")


def _edges(narrow) -> np.ndarray:
    """float64 values at the edges of the narrower float type ``narrow`` (float32 or float16): its smallest
    subnormal and halves, quarters and odd multiples of it (ties to even, no flush to zero), its smallest
    normal and the values just below, its largest finite value and just above it (rounding down, or
    overflowing to inf), ties around 1, a value far below its smallest subnormal, inf, nan and 0 -- each with
    both signs."""
    info = np.finfo(narrow)
    unit, normal, eps, largest = (float(v) for v in (info.smallest_subnormal, info.smallest_normal, info.eps, info.max))
    edges = np.array([unit, unit / 2, unit * 0.75, unit * 1.5, unit * 2.5, normal - unit, normal, normal - unit / 2,
                      largest, largest * (1 + eps / 4), largest * (1 + eps), 1 + eps / 2, 1 + 3 * eps / 2, unit / 1e6,
                      np.inf, np.nan, 0.0])
    return np.concatenate([edges, -edges])


#: (source, target): narrowing float conversions whose rounding numpy's astype writes out -- IEEE
#: round-to-nearest-even, gradual underflow to subnormals (no flush to zero), overflow to inf
NARROWING = [
    pytest.param(torch.float64, torch.float32, id="float64-float32"),
    pytest.param(torch.complex128, torch.complex64, id="complex128-complex64"),
    pytest.param(torch.float64, torch.complex64, id="float64-complex64"),
    pytest.param(torch.float32, torch.float16, id="float32-float16"),
]


@pytest.mark.parametrize("source, target", NARROWING)
@pytest.mark.parametrize("case", layout_params(("contiguous", "transposed")))
def test_to_narrower_float_rounds_to_nearest_even_with_subnormals_and_overflow_to_inf(device, source, target, case):
    """x.to(device, narrower_float) rounds like numpy's astype at the narrower type's edges: ties to even, subnormals kept (no flush to zero), values beyond its largest finite one to inf.

    Ranges over float64 -> float32, complex128 -> complex64 (both parts), float64 -> complex64 and
    float32 -> float16, each on a contiguous and a transposed tensor; the values are the target's
    edges written out in :func:`_edges` (a random draw of float64 values almost never lands in
    float32's subnormal range or on a tie).
    """
    edges = _edges(np.float16 if target == torch.float16 else np.float32)
    if source.is_complex:  # real parts the edges, imaginary parts the edges reversed (not edges + 1j * ...: 1j * inf has a nan real part)
        edges = np.array([complex(re, im) for re, im in zip(edges, edges[::-1])])
    with np.errstate(all="ignore"):
        values = np.stack([edges, edges[::-1]]).astype(to_numpy_dtype(source))  # float16's edges are exact in float32
    x = reshaped(torch.from_numpy(values.copy()), case).to(device)
    with np.errstate(all="ignore"):
        expected = values.astype(to_numpy_dtype(target))
    out = x.to(device, target)
    assert_dtype(out, target, f"x.to(device, {target})")
    assert_holds(out, expected, f"x.to(device, {target})")


#: (source, target): widening float conversions, exact for every value
WIDENING = [
    pytest.param(torch.float16, torch.float32, id="float16-float32"),
    pytest.param(torch.float16, torch.float64, id="float16-float64"),
    pytest.param(torch.float16, torch.complex64, id="float16-complex64"),
    pytest.param(torch.float32, torch.float64, id="float32-float64"),
    pytest.param(torch.float32, torch.complex128, id="float32-complex128"),
]


@pytest.mark.parametrize("source, target", WIDENING)
def test_to_wider_float_keeps_every_edge_value_exactly(device, source, target):
    """x.to(device, wider_float) keeps every value of x exactly: subnormals, +-0, +-inf, nan and the largest finite values.

    Ranges over float16 -> float32 / float64 / complex64 and float32 -> float64 / complex128; the values
    are the source type's own edges (:func:`_edges`, exact in it) -- a draw seldom holds an inf, a
    subnormal and the largest value at once. The oracle is numpy's ``astype``.
    """
    with np.errstate(all="ignore"):
        values = _edges(to_numpy_dtype(source)).astype(to_numpy_dtype(source))
        expected = values.astype(to_numpy_dtype(target))
    out = torch.from_numpy(values.copy()).to(device).to(device, target)
    assert_dtype(out, target, f"x.to(device, {target})")
    assert_holds(out, expected, f"x.to(device, {target})")


#: complex values where each part alone decides: zero or not in either part, signed zeros, nan and inf in one
#: part, a subnormal imaginary part -- drawn values are too often all-real (or all-zero) to show a conversion
#: that reads one part only or ignores a conjugate bit
COMPLEX_WITNESSES = np.array([0j, 1j, -1j, 1 + 0j, 2 - 3j, complex(-0.0, 0.0), complex(0.0, -0.0), complex(float("nan"), 0),
                              complex(0, float("nan")), complex(0, float("inf")), complex(float("-inf"), 1), 1e-40j, 5 + 1e-40j])


COMPLEX_TO_BOOL_CPU = (
    "before torch 2.4 the cpu copy kernel cast complex to bool through the real part only ('Casting complex values "
    "to real discards the imaginary part'), so 1j, -1j, 1e-40j and complex(0, nan/inf) became False while bool(1j) "
    "and numpy say True; cuda's kernel was right (pytorch#108882); fixed by pytorch#121803 for pytorch#120875; "
    "checked: wrong on cpu on 2.0.1, 2.2.2 and 2.3.1, right on 2.4.1 and later"
)


@pytest.mark.known_bug("<2.4", device="cpu", issue="https://github.com/pytorch/pytorch/issues/120875", reason=COMPLEX_TO_BOOL_CPU)
@pytest.mark.parametrize("conj", [pytest.param(False, id="plain"), pytest.param(True, id="conj_bit")])
@pytest.mark.parametrize("dtype", dtype_params(COMPLEX))
def test_to_of_complex_converts_both_parts_and_resolves_the_conjugate_bit(device, dtype, conj):
    """x.to(device, bool / other complex dtype) of a complex tensor converts its values: True where either part is nonzero, the conjugate bit resolved.

    Ranges over complex64 and complex128, without and with the conjugate bit (``x.conj()`` of the
    conjugated values), to bool and to the other complex dtype, in the four calling forms; the values
    are :data:`COMPLEX_WITNESSES` (each part alone zero, signed zeros, nan, inf, a subnormal). The oracle
    is numpy's ``astype`` (``np.conj`` for the conjugate bit).
    """
    values = COMPLEX_WITNESSES.astype(to_numpy_dtype(dtype))
    x = torch.from_numpy(values.copy()).to(device)
    if conj:
        x = torch.from_numpy(np.conj(values)).to(device).conj()  # x holds `values`, with the bit set
        assert x.is_conj(), "x.conj() has no conjugate bit (test setup)"
    other = torch.complex128 if dtype == torch.complex64 else torch.complex64
    for target in (torch.bool, other):
        for form, out in conversions(x, device, target):
            assert_dtype(out, target, form)
            assert_holds(out, values.astype(to_numpy_dtype(target)), form)


# --------------------------------------------------------------------------- .cpu()


@pytest.mark.parametrize("dtype, case", covering_twice(TRANSFER_DTYPES, CASES))
@given(data=st.data())
@budget(2 * len(TRANSFER_DTYPES), floor=1)
def test_cpu_of_tensor_on_device_equals_it(device, dtype, case, data):
    """x.cpu() of a tensor on device is a cpu tensor equal to it in values, dtype and shape.

    Ranges over every dtype and every layout (each dtype in two layouts; bfloat16 values beyond float16's
    range and below its subnormals included), compared with the numpy array the values came from.
    """
    expected, x = drawn(data, dtype, case)
    out = x.to(device).cpu()
    assert out.device == torch.device("cpu"), f"y.cpu().device={out.device}, but should be cpu"
    assert_dtype(out, dtype, "y.cpu()")
    assert out.shape == x.shape, f"y.cpu().shape={tuple(out.shape)}, but should be {tuple(x.shape)}"
    assert_holds(out, expected, "y.cpu()")


def test_cpu_keeps_bfloat16_values_float16_cannot_hold(device):
    """x.cpu() of a bfloat16 tensor on device keeps values beyond float16's range and below its subnormals (1e30, 1e-40) exactly.

    bfloat16 has float32's exponent range: a transfer through any 16-bit float but bfloat16 itself
    would turn 1e30 into inf and 1e-40 into 0.
    """
    values = np.array([1e30, 1e-40, -3.0, -0.0], dtype=np.float32)
    exact = torch.from_numpy(values).to(torch.bfloat16)
    out = exact.to(device).cpu()
    assert_dtype(out, torch.bfloat16, "x.cpu()")
    assert_holds(out, exact.float().numpy(), "x.cpu()")


@pytest.mark.parametrize("dtype", TRANSFER_DTYPES)
@given(data=st.data())
@budget(len(TRANSFER_DTYPES), floor=1)
def test_cpu_of_cpu_tensor_is_same_object(device, dtype, data):
    """x.cpu() (and x.to('cpu')) returns x itself when x is already on the cpu, and a new cpu tensor when x is on any other device.

    Ranges over every dtype (enumerated) and, in each example, every layout in turn. ``y =
    x.to(device)``: on the cpu ``y.cpu()`` is ``y`` (no copy); from another device it is a new host
    tensor, and that tensor's own ``.cpu()`` is itself again.
    """
    for case in SHAPED:
        y = reshaped(torch.zeros(data.draw(shaped_shapes(case), label=case), dtype=dtype), case).to(device)
        c = y.cpu()
        stays = device.type == "cpu"
        assert (c is y) == stays, f"[{case}] y.cpu() is y: {c is y}, but should be {stays}"
        assert (y.to("cpu") is y) == stays, f"[{case}] y.to('cpu') is y: {y.to('cpu') is y}, but should be {stays}"
        assert c.cpu() is c, f"[{case}] c.cpu() is a new tensor, but should be c itself"
        assert c.to("cpu") is c, f"[{case}] c.to('cpu') is a new tensor, but should be c itself"


# --------------------------------------------------------------------------- autograd

GRAD_DTYPES = dtype_params(DIFFERENTIABLE)


@pytest.mark.parametrize("dtype, case", covering(GRAD_DTYPES, layout_params(SHAPED)))
@given(data=st.data())
@budget(len(SHAPED))
def test_gradient_flows_back_through_to_device(device, dtype, case, data):
    """Gradients flow back through x.to(device) and x.to(device, wider_dtype) to the leaf unchanged, arriving on the leaf's device and dtype.

    Ranges over every dtype that can require grad (float16, bfloat16, float32/64, complex64/128) and
    every layout of the leaf (each in some case). The gradient ``g`` given to ``backward`` has values of
    the leaf's dtype (finite), so the widening and its way back are exact: ``leaf.grad`` equals ``g``.
    """
    wide = torch.complex128 if dtype.is_complex else torch.float64
    shape = data.draw(shaped_shapes(case), label="shape")
    expected, g = data.draw(tensor_values(dtype, st.just(shape), finite=True), label="g")
    for form, move in [("leaf.to(device)", lambda t: t.to(device)), (f"leaf.to(device, {wide})", lambda t: t.to(device, wide))]:
        leaf = reshaped(torch.zeros(shape, dtype=dtype), case).requires_grad_()
        moved = move(leaf)
        assert moved.requires_grad, f"{form}.requires_grad=False, but should be True"
        moved.backward(g.to(device, moved.dtype))
        assert leaf.grad is not None, f"leaf.grad=None after {form}.backward(g), but should be g"
        assert_dtype(leaf.grad, dtype, f"leaf.grad after {form}.backward(g)")
        assert leaf.grad.device == leaf.device, f"leaf.grad.device={leaf.grad.device}, but should be {leaf.device}"
        assert_holds(leaf.grad, expected, f"leaf.grad after {form}.backward(g)")


# --------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("np_dtype", numpy_dtype_params())
@given(data=st.data())
@budget(14)
def test_ndarray_to_device_and_back_is_identity(device, np_dtype, data):
    """ndarray -> from_numpy -> to(device) -> cpu() -> numpy() returns the same dtype, shape and bytes.

    Ranges over every numpy dtype with a torch twin (enumerated, uint16/32/64 from torch 2.3) and
    arrays of 0 to 3 dims, empty included, with every bit pattern hypothesis reaches (nan, -0.0, inf,
    subnormals): the transfer is a memory copy.
    """
    a = data.draw(values(np_dtype), label="a")
    back = torch.from_numpy(a).to(device).cpu().numpy()
    assert back.dtype == a.dtype, f"back.dtype={back.dtype}, but should be {a.dtype}"
    assert back.shape == a.shape, f"back.shape={back.shape}, but should be {a.shape}"
    assert back.tobytes() == a.tobytes(), f"back.tobytes()={back.tobytes()!r}, but should be {a.tobytes()!r} (back={back!r}, a={a!r})"


def test_ndarray_round_trip_keeps_the_notes_values(device):
    """np.ones(5) and np.array([nan, -0.0, inf], float16) come back from device byte for byte (the note's float64 ones and the float16 extremes)."""
    for a in (np.ones(5), np.array([np.nan, -0.0, np.inf], dtype=np.float16)):
        back = torch.from_numpy(a).to(device).cpu().numpy()
        assert back.dtype == a.dtype and back.tobytes() == a.tobytes(), f"back={back!r} ({back.dtype}), but should be {a!r} ({a.dtype}) byte for byte"


# --------------------------------------------------------------------------- the CUDA API itself


@pytest.mark.needs_cuda
@pytest.mark.parametrize("np_dtype", numpy_dtype_params())
@given(data=st.data())
@budget(14)
def test_cuda_then_cpu_round_trip_keeps_values_and_dtype(device, np_dtype, data):
    """x.cuda() lands on the current cuda device, and .cpu() brings back the same values and dtype (the note's y.cuda()/y.cpu()).

    Ranges over every numpy dtype with a torch twin (enumerated) and arrays of 0 to 3 dims.
    """
    a = data.draw(values(np_dtype), label="a")
    b = torch.from_numpy(a).to(device)
    y = b.cuda()
    current = torch.device("cuda", torch.cuda.current_device())
    assert y.device == current, f"b.cuda().device={y.device}, but should be {current}"
    assert_dtype(y, torch_dtype_of(a.dtype), "b.cuda()")
    assert_same(y.cpu(), torch.from_numpy(a), "b.cuda().cpu()")


@pytest.mark.needs_cuda
@pytest.mark.parametrize("dtype", TRANSFER_DTYPES)
@given(data=st.data())
@budget(len(TRANSFER_DTYPES))
def test_to_cuda_equals_cuda(device, dtype, data):
    """x.to('cuda') and x.cuda() give equal tensors on the same device -- the note's "x.to(device) == x.cuda()" when device is cuda.

    Ranges over every dtype (enumerated), contiguous tensors of 1 to 3 dims.
    """
    _, x = drawn(data, dtype, "contiguous")
    x = x.to(device)
    a, b = x.to("cuda"), x.cuda()
    assert a.device == b.device, f"x.to('cuda').device={a.device}, but should be x.cuda().device={b.device}"
    assert_same(a, b, "x.to('cuda') vs x.cuda()")


@pytest.mark.needs_cuda
@pytest.mark.parametrize("dtype", TRANSFER_DTYPES)
@given(data=st.data())
@budget(len(TRANSFER_DTYPES))
def test_cuda_of_cuda_tensor_is_same_object(device, dtype, data):
    """x.cuda() of a tensor already on the current cuda device returns x itself.

    Ranges over every dtype (enumerated), contiguous tensors of 1 to 3 dims.
    """
    _, x = drawn(data, dtype, "contiguous")
    y = x.to(device).cuda()
    assert y.cuda() is y, "y.cuda() is a new tensor, but should be y itself"


@pytest.mark.needs_cuda
@pytest.mark.parametrize("dtype, case", covering(TRANSFER_DTYPES, layout_params(("contiguous", "transposed", "step_sliced"))))
@given(data=st.data())
@budget(len(TRANSFER_DTYPES))
def test_to_device_is_cuda_only_when_device_is_cuda(device, dtype, case, data):
    """x.to(device) is equivalent to x.cuda() only when device is a cuda device: for a cpu tensor and device cpu, x.to(device) is x itself, while x.cuda() is a new cuda tensor.

    Ranges over every dtype and the layouts contiguous, transposed and step-sliced (each in some case).
    The note's "``x.to(device)`` is equivalent to ``x.cuda()``" holds for ``device = "cuda"``: then
    both give equal tensors on the current cuda device, and both return ``x`` itself when ``x`` is
    already there. With ``device = "cpu"`` (the note's fallback), ``x.to(device)`` of a cpu tensor
    is ``x`` -- the same object -- which ``x.cuda()`` never is.
    """
    _, x = drawn(data, dtype, case)
    x = x.to(device)
    via_to, via_cuda = x.to(device), x.cuda()
    assert via_to is x, "x.to(device) is a new tensor, but should be x itself (x is already on device)"
    current = torch.device("cuda", torch.cuda.current_device())
    assert via_cuda.device == current, f"x.cuda().device={via_cuda.device}, but should be {current}"
    equivalent = device.type == "cuda"
    assert (via_cuda is x) == equivalent, f"x.cuda() is x: {via_cuda is x}, but should be {equivalent}"
    assert (via_to.device == via_cuda.device) == equivalent, (
        f"x.to(device).device={via_to.device}, x.cuda().device={via_cuda.device}: same={not equivalent}, but should be {equivalent}"
    )
    assert_same(via_cuda.cpu(), x.cpu(), "x.cuda().cpu()")


# --------------------------------------------------------------------------- nn.Module.to


def trained_model(seed: int) -> torch.nn.Module:
    """Linear(3, 2) -> BatchNorm1d(2) in float32 on the cpu, after one training step's forward and backward:
    every parameter has a ``.grad``, BatchNorm's running statistics moved and its integer buffer
    ``num_batches_tracked`` is 1."""
    with seeded(torch.device("cpu"), seed):
        m = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
        m(torch.randn(4, 3)).pow(2).sum().backward()
    return m


def cast_like_module_to(a: np.ndarray, dtype: torch.dtype) -> np.ndarray:
    """What a float32 array becomes in ``dtype`` (bfloat16 as float32): numpy's astype, or the bfloat16 rule."""
    return bfloat16_rounded(a) if dtype == torch.bfloat16 else a.astype(to_numpy_dtype(dtype))


#: the ways to cast a module's floating-point state: ``.to`` in four spellings for each floating dtype, and
#: the four named methods for theirs
MODULE_CASTS = [
    *(pytest.param(form, dtype, id=f"{form}-{str(dtype).removeprefix('torch.')}")
      for form in ("m.to(dtype)", "m.to(device, dtype)", "m.to(device=, dtype=)", "m.to(tensor)")
      for dtype in (torch.float16, torch.bfloat16, torch.float32, torch.float64)),
    pytest.param("m.half()", torch.float16, id="m.half()"),
    pytest.param("m.bfloat16()", torch.bfloat16, id="m.bfloat16()"),
    pytest.param("m.float()", torch.float32, id="m.float()"),
    pytest.param("m.double()", torch.float64, id="m.double()"),
]


def cast_module(m: torch.nn.Module, form: str, device: torch.device, dtype: torch.dtype):
    if form == "m.to(dtype)":
        return m.to(dtype)
    if form == "m.to(device, dtype)":
        return m.to(device, dtype)
    if form == "m.to(device=, dtype=)":
        return m.to(device=device, dtype=dtype)
    if form == "m.to(tensor)":
        return m.to(torch.empty(0, device=device, dtype=dtype))
    return getattr(m, form.removeprefix("m.").removesuffix("()"))()


@pytest.mark.parametrize("form, dtype", MODULE_CASTS)
@pytest.mark.parametrize("seed", [0])
def test_module_to_casts_floating_state_in_place_and_keeps_integer_buffers(device, form, dtype, seed):
    """Module.to(dtype) and .half()/.bfloat16()/.float()/.double() cast floating parameters, their grads and buffers in place; integer buffers keep their dtype.

    Ranges over: the calling forms (enumerated) -- ``m.to(dtype)``, ``m.to(device, dtype)``,
    ``m.to(device=, dtype=)`` and ``m.to(tensor)`` for each floating dtype (float16, bfloat16, float32,
    float64), and the four named methods; a trained Linear -> BatchNorm1d in float32 (parameters with
    grads, running statistics, the int64 ``num_batches_tracked``). The call returns the module itself,
    every parameter stays the same Python object (an optimizer built before the cast still holds them),
    parameters, grads and floating buffers hold the float32 values cast to the dtype (numpy's ``astype``;
    bfloat16 by its rounding rule written out), and ``num_batches_tracked`` stays int64 and 1. Forms without
    a device leave the module on the cpu; the others move it to ``device``.
    """
    m = trained_model(seed)
    params = dict(m.named_parameters())
    before = {n: t.detach().numpy().copy() for n, t in [*m.named_parameters(), *m.named_buffers()]}
    grads = {n: p.grad.numpy().copy() for n, p in params.items()}
    target = device if form in ("m.to(device, dtype)", "m.to(device=, dtype=)", "m.to(tensor)") else torch.device("cpu")

    out = cast_module(m, form, device, dtype)

    assert out is m, f"{form} returned {type(out).__name__} object {id(out):#x}, but should return the module itself"
    for name, p in m.named_parameters():
        assert p is params[name], f"{form} replaced parameter {name} by a new object, but should cast it in place"
        assert_on(p, target, name)
        assert_dtype(p, dtype, name)
        assert_holds(p.detach(), cast_like_module_to(before[name], dtype), name)
        assert_dtype(p.grad, dtype, f"{name}.grad")
        assert_holds(p.grad, cast_like_module_to(grads[name], dtype), f"{name}.grad")
    for name, b in m.named_buffers():
        assert_on(b, target, name)
        if name.endswith("num_batches_tracked"):
            assert_dtype(b, torch.int64, name)
            assert_holds(b, before[name], name)
        else:
            assert_dtype(b, dtype, name)
            assert_holds(b, cast_like_module_to(before[name], dtype), name)


@pytest.mark.parametrize("dtype", [torch.float16, torch.float64], ids=["float16", "float64"])
def test_module_type_casts_every_parameter_and_buffer_integer_ones_too(device, dtype):
    """Module.type(dtype) casts every parameter and buffer, integer buffers too, where Module.to(dtype) keeps them.

    Ranges over: two target dtypes (enumerated), a trained Linear -> BatchNorm1d on ``device`` whose
    ``num_batches_tracked`` is int64 and 1: after ``m.type(dtype)`` it is ``dtype`` and 1, and every other
    parameter and buffer is ``dtype`` too (``nn.Module.type``'s docstring: "Casts all parameters and
    buffers to dst_type"); the module itself is returned.
    """
    m = trained_model(0).to(device)
    out = m.type(dtype)
    assert out is m, f"m.type({dtype}) returned another object, but should return the module itself"
    for name, t in [*m.named_parameters(), *m.named_buffers()]:
        assert_dtype(t, dtype, name)
        assert_on(t, device, name)
    assert_holds(m[1].num_batches_tracked, np.array(1, dtype=to_numpy_dtype(dtype)), "num_batches_tracked")


@pytest.mark.parametrize("dtype", [d for d in ALL if not (d.is_floating_point or d.is_complex)],
                         ids=lambda d: str(d).removeprefix("torch."))
def test_module_to_an_integer_or_bool_dtype_raises_type_error(device, dtype):
    """Module.to(an integer or bool dtype) raises TypeError and leaves the module as it was.

    Ranges over: bool and every integer dtype (enumerated), in ``m.to(dtype)`` and ``m.to(device, dtype)``;
    ``nn.Module.to`` "only accepts floating point or complex dtypes" -- a module is never cast to an
    integer type this way (``m.type(dtype)`` still does).
    """
    m = trained_model(0)
    for call in (lambda: m.to(dtype), lambda: m.to(device, dtype)):
        with raises(TypeError, "only accepts floating point or complex dtypes", f"m.to(..., {dtype})"):
            call()
        for name, t in [*m.named_parameters(), *m.named_buffers()]:
            assert_on(t, torch.device("cpu"), name)
            assert_dtype(t, torch.int64 if name.endswith("num_batches_tracked") else torch.float32, name)


@pytest.mark.parametrize("dtype", COMPLEX, ids=lambda d: str(d).removeprefix("torch."))
def test_module_to_a_complex_dtype_warns_and_casts_floating_state_only(device, dtype):
    """Module.to(a complex dtype) warns that complex modules are a new feature and casts floating state only.

    Ranges over: complex64 and complex128 (enumerated); a trained Linear -> BatchNorm1d: a UserWarning
    ("Complex modules are a new feature under active development"), every parameter and floating buffer
    becomes the complex dtype with the real values and zero imaginary parts, ``num_batches_tracked``
    stays int64.
    """
    m = trained_model(0)
    before = {n: t.detach().numpy().copy() for n, t in [*m.named_parameters(), *m.named_buffers()]}
    with warnings_recorded() as seen:
        m.to(device, dtype)
    assert any(issubclass(w.category, UserWarning) and "Complex modules are a new feature" in str(w.message) for w in seen), (
        f"m.to({dtype}) warned {[str(w.message)[:60] for w in seen]}, but should warn that complex modules are a new feature"
    )
    for name, t in [*m.named_parameters(), *m.named_buffers()]:
        if name.endswith("num_batches_tracked"):
            assert_dtype(t, torch.int64, name)
        else:
            assert_dtype(t, dtype, name)
            assert_holds(t.detach(), before[name].astype(to_numpy_dtype(dtype)), name)


# --------------------------------------------------------------------------- under torch.compile


#: one input per layout (TRANSFER_CASES), each of another dtype: the three grad-able widths, complex, bool and
#: three integer widths (each input costs compile time; every dtype is enumerated by the eager specs above)
COMPILE_DTYPES = (torch.float32, torch.bool, torch.bfloat16, torch.int16, torch.complex64, torch.float16,
                  torch.uint8, torch.float64, torch.int64)


def transfers(device):
    """Every transfer form of each input: to(device), to(x.device) (x itself), cpu(), to(device, copy=True),
    to(device, non_blocking=True), and a conversion to complex128 (x itself for complex128)."""
    def fn(*xs):
        outs = []
        for x in xs:
            outs += [x.to(device), x.to(x.device), x.cpu(), x.to(device, copy=True),
                     x.to(device, non_blocking=True), x.to(device, torch.complex128)]
        return outs
    return fn


@given(data=st.data())
@settings(compile_budget(), phases=[Phase.explicit, Phase.reuse, Phase.generate])  # no shrinking: each example compiles
def test_transfers_under_compile(device, backend, data):
    """A compiled function that moves and casts tensors (x.to(device), x.to(x.device), x.cpu(), copy=True, non_blocking=True, x.to(complex128)) behaves as eager: same values, dtypes, devices and strides, the same outputs are x itself, requires_grad kept and gradients flowing back.

    Ranges over every layout (contiguous, transposed, step-sliced, storage offset, expanded,
    channels_last, 0-d, empty, large), one input each in one call, each of another dtype (COMPILE_DTYPES;
    the floating and complex ones require grad); finite values. Compared by
    ``assert_compiles_like_eager`` (values, dtype, device, shape, requires_grad, grad_fn, is_leaf,
    aliasing, gradients), then once more for what it does not compare: strides, and which outputs are
    the input object itself (eager's ``x.to(x.device)`` returns ``x``).
    """
    drawn_inputs = []
    for dtype, case in zip(COMPILE_DTYPES, TRANSFER_CASES):
        shapes = st.tuples(st.integers(9, 20), st.just(15)) if case == "large" else shaped_shapes(case)
        a, _ = data.draw(tensor_values(dtype, shapes, finite=True), label=f"{dtype} {case}")
        drawn_inputs.append((a, dtype, "transposed" if case == "large" else case))

    def make():
        return tuple(
            reshaped(torch.from_numpy(a.copy()).to(dtype), layout).to(device).requires_grad_(dtype.is_floating_point or dtype.is_complex)
            for a, dtype, layout in drawn_inputs
        )

    fn = transfers(device)
    compiled = assert_compiles_like_eager(fn, make, backend, backward=True)
    inputs = make()
    eager, comp = fn(*inputs), compiled(*inputs)
    for i, (e, c) in enumerate(zip(eager, comp)):
        x = inputs[i // 6]
        assert (c is x) == (e is x), f"output {i}: compiled is its input: {c is x}, but eager's: {e is x}"
        assert c.stride() == e.stride(), f"output {i}: compiled stride()={c.stride()}, but eager's {e.stride()}"


# --- release history (mined from release notes; see docs/release-history.md)

import re as _re  # noqa: E402

from specs.helpers import warn_always  # noqa: E402

IS_PINNED_DEVICE = (
    "torch 2.5 deprecated the `device` argument of Tensor.is_pinned(): passing it warns "
    "DeprecationWarning (https://github.com/pytorch/pytorch/releases/tag/v2.5.0); checked: silent on 2.0-2.4, "
    "DeprecationWarning on 2.5-2.15"
)
AMP_DEVICE_SPECIFIC = (
    "torch 2.4 deprecated the device-specific AMP constructors torch.cuda.amp.autocast, torch.cpu.amp.autocast and "
    "torch.cuda.amp.GradScaler in favour of torch.amp.autocast(device_type) / torch.amp.GradScaler(device_type) "
    "(pytorch#126062, pytorch#126527; https://github.com/pytorch/pytorch/releases/tag/v2.4.0); checked: silent on "
    "2.0-2.3, FutureWarning on 2.4-2.15"
)


def _recorded(call, pattern):
    with warn_always(), warnings_recorded() as caught:
        out = call()
    return out, [(w.category, str(w.message)) for w in caught if _re.search(pattern, str(w.message))]


def _is_pinned_with_device(device):
    x = torch.arange(4.0, device=device)
    answer, found = _recorded(lambda: x.is_pinned("cuda"), r"argument 'device' of Tensor\.is_pinned\(\) is deprecated")
    assert answer is False, f"x.is_pinned('cuda') for a tensor on {device} not in pinned memory={answer}, but should be False"
    return found


@pytest.mark.torch_version("<2.5", reason=IS_PINNED_DEVICE)
def test_is_pinned_with_a_device_argument_is_silent_before_2_5(device):
    """Before torch 2.5, t.is_pinned('cuda') answers (False for a tensor not in pinned memory) without any warning."""
    found = _is_pinned_with_device(device)
    assert found == [], f"x.is_pinned('cuda') warned {found}, but should be silent"


@pytest.mark.torch_version(">=2.5", reason=IS_PINNED_DEVICE)
def test_is_pinned_with_a_device_argument_warns_deprecation_from_2_5(device):
    """From torch 2.5, t.is_pinned('cuda') still answers (False for a tensor not in pinned memory) but warns DeprecationWarning that the device argument is deprecated."""
    found = _is_pinned_with_device(device)
    assert [c for c, _ in found] == [DeprecationWarning], f"x.is_pinned('cuda') warned {found}, but should warn one DeprecationWarning"


#: legacy device-specific AMP constructor -> what it is equivalent to
LEGACY_AMP = {
    "torch.cuda.amp.autocast()": lambda: torch.cuda.amp.autocast(),
    "torch.cpu.amp.autocast()": lambda: torch.cpu.amp.autocast(),
    "torch.cuda.amp.GradScaler()": lambda: torch.cuda.amp.GradScaler(),
}
AMP_TEXT = r"torch\.(cuda|cpu)\.amp\.(autocast|GradScaler)\(args\.\.\.\)` is deprecated"


def _legacy_amp(device, form):
    obj, found = _recorded(LEGACY_AMP[form], AMP_TEXT)
    x = torch.arange(4.0, device=device)
    if hasattr(obj, "__enter__"):
        with obj:  # disabled on a device it is not for: the op runs in float32 as usual
            y = x * 2
    else:
        y = x * 2
    assert_same(y, torch.tensor([0.0, 2.0, 4.0, 6.0], device=device), f"x * 2 with {form}")
    return found


@pytest.mark.torch_version("<2.4", reason=AMP_DEVICE_SPECIFIC)
@pytest.mark.parametrize("form", list(LEGACY_AMP))
def test_device_specific_amp_constructors_are_not_deprecated_before_2_4(device, form):
    """Before torch 2.4, torch.cuda.amp.autocast(), torch.cpu.amp.autocast() and torch.cuda.amp.GradScaler() construct without a deprecation warning."""
    found = _legacy_amp(device, form)
    assert found == [], f"{form} warned {found}, but should not warn it is deprecated"


@pytest.mark.torch_version(">=2.4", reason=AMP_DEVICE_SPECIFIC)
@pytest.mark.parametrize("form", list(LEGACY_AMP))
def test_device_specific_amp_constructors_warn_future_warning_from_2_4(device, form):
    """From torch 2.4, torch.cuda.amp.autocast(), torch.cpu.amp.autocast() and torch.cuda.amp.GradScaler() still work but warn FutureWarning to use torch.amp.autocast/GradScaler with a device type."""
    found = _legacy_amp(device, form)
    assert [c for c, _ in found] == [FutureWarning], f"{form} warned {found}, but should warn one FutureWarning"


# --- release history, round 2 (mined from release notes and the tracker)


from specs.helpers import raises  # noqa: E402

TORCH_ACCELERATOR = (
    "torch 2.6 added torch.accelerator, a device-agnostic API for the current accelerator (cuda, mps, xpu, ...) "
    "(https://github.com/pytorch/pytorch/releases/tag/v2.6.0); checked: missing on 2.1.2, 2.3.1, 2.4.1 and 2.5.1, "
    "present on 2.6.0, 2.7.1, 2.8.0, 2.9.1 and 2.14.1"
)
CURRENT_ACCELERATOR = (
    "torch.accelerator.current_accelerator() in torch 2.6 raised RuntimeError 'Cannot access accelerator device when "
    "none is available'; later releases return the build's accelerator type without checking and take "
    "check_available=True, which gives None when none is usable (pytorch#146443, Feb 2025, after pytorch#144368 made the "
    "accelerator a compile-time property; https://github.com/pytorch/pytorch/releases/tag/v2.7.0); "
    "checked on a machine without a GPU: RuntimeError on 2.6.0, check_available on 2.7.1, 2.8.0, 2.9.1 and 2.14.1"
)
PIN_MEMORY_DEVICE = (
    "torch 2.5 deprecated the `device` argument of Tensor.pin_memory() (with is_pinned's; "
    "https://github.com/pytorch/pytorch/releases/tag/v2.5.0): passing it warns DeprecationWarning; checked: no warning "
    "on 2.1.2, 2.3.1 and 2.4.1, DeprecationWarning on 2.5.1, 2.6.0, 2.7.1, 2.8.0, 2.9.1 and 2.14.1"
)


def _backend_availability() -> dict:
    """What each accelerator backend says of itself -- the oracle for torch.accelerator."""
    found = {}
    for name, is_available, count in (
        ("cuda", lambda: torch.cuda.is_available(), lambda: torch.cuda.device_count()),
        ("mps", lambda: torch.backends.mps.is_available(), lambda: 1),
        ("xpu", lambda: torch.xpu.is_available(), lambda: torch.xpu.device_count()),
    ):
        try:
            ok = bool(is_available())
        except AttributeError:  # this torch has no such backend module
            continue
        found[name] = (ok, count() if ok else 0)  # a backend that is not available may refuse to count
    return found


@pytest.mark.device_independent
@pytest.mark.torch_version("<2.6", reason=TORCH_ACCELERATOR)
def test_torch_has_no_accelerator_module_before_2_6():
    """Before torch 2.6, there is no torch.accelerator: device-agnostic code asks each backend (torch.cuda.is_available(), ...)."""
    assert not hasattr(torch, "accelerator"), "torch.accelerator exists"
    assert isinstance(torch.cuda.is_available(), bool), "torch.cuda.is_available() is not a bool"


@pytest.mark.device_independent
@pytest.mark.torch_version(">=2.6", reason=TORCH_ACCELERATOR)
def test_torch_accelerator_is_available_exactly_when_an_accelerator_backend_is_from_2_6():
    """From torch 2.6, torch.accelerator.is_available() is True exactly when one of cuda, mps, xpu is available.

    The oracle is each backend's own is_available(). (device_count() has its own specs below: on 2.7.1 it raises
    'Found no NVIDIA driver' on a CUDA build without a driver, where 2.6.0 and 2.8.0 on return 0.)
    """
    backends = _backend_availability()
    available = {name: count for name, (ok, count) in backends.items() if ok}
    assert torch.accelerator.is_available() == bool(available), (
        f"torch.accelerator.is_available()={torch.accelerator.is_available()}, but the backends say {backends}"
    )


@pytest.mark.device_independent
@pytest.mark.torch_version(">=2.6,<2.7", reason=CURRENT_ACCELERATOR)
def test_current_accelerator_raises_exactly_when_none_is_available_in_2_6():
    """In torch 2.6, torch.accelerator.current_accelerator() raises RuntimeError exactly when torch.accelerator.is_available() is False (it takes no check_available keyword)."""
    with raises(TypeError, r"check_available", "current_accelerator(check_available=True)"):
        torch.accelerator.current_accelerator(check_available=True)
    try:
        current = torch.accelerator.current_accelerator()
    except RuntimeError as e:
        assert not torch.accelerator.is_available(), f"current_accelerator() raised {e} although an accelerator is available"
        assert "none is available" in str(e), f"current_accelerator() raised RuntimeError({e}), but should say none is available"
    else:
        assert torch.accelerator.is_available(), f"current_accelerator()={current} although no accelerator is available"
        assert isinstance(current, torch.device), f"current_accelerator()={current!r}, but should be a torch.device"


@pytest.mark.device_independent
@pytest.mark.torch_version(">=2.7", reason=CURRENT_ACCELERATOR)
def test_current_accelerator_with_check_available_is_none_exactly_when_none_is_available_from_2_7():
    """From torch 2.7, torch.accelerator.current_accelerator(check_available=True) is None exactly when torch.accelerator.is_available() is False, and otherwise the device type current_accelerator() names."""
    checked = torch.accelerator.current_accelerator(check_available=True)
    unchecked = torch.accelerator.current_accelerator()
    if torch.accelerator.is_available():
        assert isinstance(checked, torch.device) and checked == unchecked, (
            f"current_accelerator(check_available=True)={checked!r}, but should be current_accelerator()={unchecked!r}"
        )
    else:
        assert checked is None, f"current_accelerator(check_available=True)={checked!r} with no accelerator available, but should be None"


def _pin_memory_with_device(device):
    x = torch.arange(4.0, device=device).cpu()
    with warnings_recorded() as caught:
        try:
            out = x.pin_memory("cuda")
        except (RuntimeError, NotImplementedError, AssertionError):  # no CUDA here: the warning is the claim
            out = None
    if out is not None:
        assert_same(out, x, "x.pin_memory('cuda')")
    return [(w.category, str(w.message)[:90]) for w in caught if "pin_memory" in str(w.message)]


@pytest.mark.torch_version("<2.5", reason=PIN_MEMORY_DEVICE)
def test_pin_memory_with_a_device_argument_does_not_warn_before_2_5(device):
    """Before torch 2.5, x.pin_memory('cuda') gives no deprecation warning about its device argument (the pinned copy, where CUDA runs, equals x)."""
    found = _pin_memory_with_device(device)
    assert found == [], f"x.pin_memory('cuda') warned {found}, but should not warn"


@pytest.mark.torch_version(">=2.5", reason=PIN_MEMORY_DEVICE)
def test_pin_memory_with_a_device_argument_warns_deprecation_from_2_5(device):
    """From torch 2.5, x.pin_memory('cuda') warns DeprecationWarning that its device argument is deprecated (the pinned copy, where CUDA runs, equals x)."""
    found = _pin_memory_with_device(device)
    assert [c for c, _ in found] == [DeprecationWarning], f"x.pin_memory('cuda') warned {found}, but should warn one DeprecationWarning"


# --- release history, round 3 (the tracker)

ACCELERATOR_DEVICE_COUNT_BUG = (
    "torch 2.7 made the accelerator a compile-time property (pytorch#144368), so on a CUDA build "
    "torch.accelerator.device_count() initializes CUDA even where none is usable and raises RuntimeError 'Found no NVIDIA "
    "driver on your system' instead of returning 0 (its docstring: 'If there is no available accelerators, return 0'; "
    "the regression class of the linked issue, which 2.6 fixed for is_available); 2.8 delegates to torch.cuda.device_count() "
    "(pytorch#149924); checked on CUDA builds without a driver: 0 on 2.6.0, RuntimeError on 2.7.1, 0 on 2.8.0, 2.12.1, "
    "2.13.0, 2.14.1 and 2.15.0"
)
#: a CUDA build of torch on a machine where CUDA is not usable: where 2.7 raises instead of counting 0
CUDA_BUILD_WITHOUT_CUDA = torch.version.cuda is not None and not torch.cuda.is_available()


@pytest.mark.device_independent
@pytest.mark.torch_version(">=2.6", reason=TORCH_ACCELERATOR)
@pytest.mark.known_bug(">=2.7,<2.8", issue="https://github.com/pytorch/pytorch/issues/144567", reason=ACCELERATOR_DEVICE_COUNT_BUG)
def test_accelerator_device_count_is_0_on_a_cuda_build_where_cuda_is_not_usable_from_2_6():
    """From torch 2.6, torch.accelerator.device_count() on a CUDA build where CUDA is not usable (no driver, no device) is 0, as its docstring says, like torch.cuda.device_count().

    Runs only there (it skips with the reason elsewhere: where an accelerator is usable the spec below states the
    count; a build without CUDA never initializes CUDA, so 2.7's bug cannot show on it). On 2.7 this raises
    RuntimeError 'Found no NVIDIA driver on your system' instead: a known bug.
    """
    if not CUDA_BUILD_WITHOUT_CUDA:
        pytest.skip(f"not a CUDA build without usable CUDA: torch {torch.__version__} (CUDA {torch.version.cuda}), "
                    f"torch.cuda.is_available()={torch.cuda.is_available()}")
    assert not torch.accelerator.is_available(), "torch.accelerator.is_available() is True, but CUDA is not usable"
    count = torch.accelerator.device_count()
    assert count == 0 == torch.cuda.device_count(), (
        f"torch.accelerator.device_count()={count}, torch.cuda.device_count()={torch.cuda.device_count()}, but both should be 0"
    )


@pytest.mark.device_independent
@pytest.mark.torch_version(">=2.6", reason=TORCH_ACCELERATOR)
def test_accelerator_device_count_is_the_available_backends_count_from_2_6():
    """From torch 2.6, where an accelerator backend (cuda, mps, xpu) is available, torch.accelerator.device_count() is that backend's own device count.

    The oracle is each backend's is_available() and device_count(). It skips with the reason where none is
    available (the spec above states 0 on a CUDA build there).
    """
    backends = _backend_availability()
    available = {name: count for name, (ok, count) in backends.items() if ok}
    if not available:
        pytest.skip(f"no accelerator backend is available here: {backends}")
    count = torch.accelerator.device_count()
    assert count == sum(available.values()), f"torch.accelerator.device_count()={count}, but the backends say {backends}"
