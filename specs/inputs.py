"""The one vocabulary of the suite's input space: dtypes, layouts, values, calling forms, and the case budget.

Every spec builds its inputs from here, so "every dtype", "any layout", "each calling form" mean the
same thing in every module. The rule for using it:

* **Finite axes are enumerated, never drawn.** A claim about every dtype / layout / form is a
  ``pytest.mark.parametrize`` over :func:`dtype_params`, :func:`layout_params`, :func:`form_params`
  (ids read ``[cpu-float16-transposed]``), so every run -- the 12-example ``ci`` profile included --
  reaches every slice. Hypothesis draws only values and shapes inside a case.
* **Sizes are budgeted per case.** A spec enumerated over N cases divides its examples with
  :func:`budget`, so the whole run keeps its time budget and ``thorough`` still searches hard.
* **Strategies are built once.** The factories here (:func:`values`, :func:`shaped_shapes` ...) are
  :func:`built_once`: the same arguments give the same strategy object, so a spec may call them inside
  its loops and draws without hypothesis validating a fresh strategy every time.
* **Layouts keep values.** :func:`relayout` gives the same values in another memory layout
  (transposed, step-sliced, with a storage offset, ``channels_last``, conj/neg bits...), so the
  oracle -- the numpy array the values came from -- is unchanged. ``expanded`` (stride 0) is the one
  layout that cannot keep arbitrary values: it repeats the first slice, and :func:`relayout_np` gives
  the numpy values it holds.

Sections: dtypes; values; layouts; calling forms; grad-mode forms; module forms; image forms; budget.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
import torch
from hypothesis import Phase, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

#: Decorates a strategy factory so that equal arguments give the one strategy built the first time.
#: Hypothesis validates a strategy and works out its properties on its first draw; a spec that draws
#: ``values(dtype, shape)`` for every dtype in every example rebuilt and re-validated it each time,
#: about a tenth of the eager specs' run time. Strategies are immutable, so sharing one is safe as long
#: as what it calls is looked up when it draws (``.map(lambda a: torch.tensor(a))``, not
#: ``.map(torch.tensor)``): a strategy kept from a planted regression's session must not keep the plant.
built_once = functools.lru_cache(maxsize=None)

# --------------------------------------------------------------------------- dtypes

BOOL = (torch.bool,)
UNSIGNED = (torch.uint8,)
SIGNED = (torch.int8, torch.int16, torch.int32, torch.int64)
INTEGRAL = UNSIGNED + SIGNED
FLOATING = (torch.float16, torch.bfloat16, torch.float32, torch.float64)
FLOAT_NUMPY = (torch.float16, torch.float32, torch.float64)  # floating dtypes numpy also has
COMPLEX = (torch.complex64, torch.complex128)
#: every dtype of a 2.x tensor a user meets (complex32, the quantized and float8 dtypes are specialist)
ALL = BOOL + INTEGRAL + FLOATING + COMPLEX
#: dtypes that can require grad (autograd's rule: floating point and complex)
DIFFERENTIABLE = FLOATING + COMPLEX

#: numpy dtype <-> torch dtype for every dtype with a twin on both sides in all 2.x releases
NUMPY_TO_TORCH = {
    np.dtype(np.bool_): torch.bool,
    np.dtype(np.uint8): torch.uint8,
    np.dtype(np.int8): torch.int8,
    np.dtype(np.int16): torch.int16,
    np.dtype(np.int32): torch.int32,
    np.dtype(np.int64): torch.int64,
    np.dtype(np.float16): torch.float16,
    np.dtype(np.float32): torch.float32,
    np.dtype(np.float64): torch.float64,
    np.dtype(np.complex64): torch.complex64,
    np.dtype(np.complex128): torch.complex128,
}
TORCH_TO_NUMPY = {t: n for n, t in NUMPY_TO_TORCH.items()}
#: torch dtypes that numpy has no twin for
TORCH_ONLY = (torch.bfloat16,)

#: dtypes that appeared in the 2.x series: name -> (first release, source); ``torch.uint16`` ... do not
#: exist before 2.3, so they are named here, not referenced
SINCE = {
    name: ("2.3", "torch 2.3 release notes: uint16/uint32/uint64 gain basic operator support")
    for name in ("uint16", "uint32", "uint64")
}


def dtype_id(dtype) -> str:
    """``torch.float16`` -> ``float16``; numpy dtypes -> their name."""
    return str(dtype).removeprefix("torch.") if isinstance(dtype, torch.dtype) else np.dtype(dtype).name


def dtype_params(dtypes, marks: dict | None = None) -> list:
    """``pytest.param`` per dtype with a readable id; ``marks`` maps a dtype to the marks of its case
    (e.g. a ``torch_version`` gate where a dtype's kernel appeared in a later release)."""
    marks = marks or {}
    return [pytest.param(d, id=dtype_id(d), marks=marks.get(d, ())) for d in dtypes]


def to_numpy_dtype(dtype: torch.dtype) -> np.dtype:
    """The numpy dtype holding ``dtype``'s values exactly (bfloat16: float32; uint16/32/64: their twins)."""
    if dtype == torch.bfloat16:
        return np.dtype(np.float32)
    return TORCH_TO_NUMPY.get(dtype) or np.dtype(dtype_id(dtype))


#: numpy's uint16/uint32/uint64, which torch has from 2.3 (``torch.uint16`` ... do not exist before)
WIDE_UNSIGNED = tuple(np.dtype(n) for n in ("uint16", "uint32", "uint64"))
WIDE_UNSIGNED_GATE = pytest.mark.torch_version(
    ">=2.3", reason="torch 2.3 added torch.uint16/uint32/uint64 (pytorch#116594) and their numpy conversion "
    "(pytorch#116808, torch/csrc/utils/tensor_numpy.cpp)",
)
#: every numpy dtype with a torch twin: NUMPY_TO_TORCH's, and uint16/32/64 gated to torch >= 2.3
NUMPY_ALL = tuple(NUMPY_TO_TORCH) + WIDE_UNSIGNED


def numpy_dtype_params(dtypes=NUMPY_ALL) -> list:
    """``pytest.param`` per numpy dtype (id: its name), uint16/32/64 gated to torch >= 2.3."""
    return [pytest.param(d, id=d.name, marks=WIDE_UNSIGNED_GATE if d in WIDE_UNSIGNED else ()) for d in map(np.dtype, dtypes)]


def torch_dtype_of(np_dtype) -> torch.dtype:
    """numpy dtype -> its torch twin (looked up by name, so uint16/32/64 resolve only where torch has them)."""
    return NUMPY_TO_TORCH.get(np.dtype(np_dtype)) or getattr(torch, np.dtype(np_dtype).name)


# --------------------------------------------------------------------------- values

#: shapes with 0 to 3 dims and sides 0 to 5: 0-d scalars and empty tensors included
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5)
#: the same without empty tensors
nonempty_shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=5)


def simplest_first(example, strategy):
    """``strategy``, with ``example`` as the input hypothesis tries first (it tries the simplest first).

    Under ``ci`` a compile claim runs one example (:func:`compile_budget`): that first one, on every run.
    Left to ``nonempty_shapes`` it would always be a 0-d tensor (no strides, no transpose, nothing to
    broadcast); ``simplest_first((2, 3), nonempty_shapes)`` makes it a 2 x 3 matrix, while the ``dev`` and
    ``thorough`` profiles' later examples range over the whole strategy (half of them drawn from it).
    """
    return st.one_of(st.just(example), strategy)


#: the shapes of the compile claims: every non-empty shape of 0-3 dims, a 2 x 3 matrix first
compile_shapes = simplest_first((2, 3), nonempty_shapes)


def extremes(np_dtype, finite: bool = False, lo=None, hi=None) -> list:
    """The values of ``np_dtype`` a regression is most likely to get wrong, within ``[lo, hi]``: 0 and 1,
    the type's limits, -1 and beyond the int32 range for integers; +-0, +-1.5, the largest finite values,
    the smallest normal and subnormal magnitudes and -- unless ``finite`` or bounded -- nan and +-inf for
    floats; complex values pairing those with each other (a nonzero imaginary part in most)."""
    np_dtype = np.dtype(np_dtype)
    if np_dtype.kind == "b":
        found = [False, True]
    elif np_dtype.kind in "iu":
        info = np.iinfo(np_dtype)
        found = [v for v in (1, 0, -1, info.max, info.min, 7, 2**31, -(2**31) - 1, 2**53 + 1) if info.min <= v <= info.max]
    else:
        part = np.dtype(np_dtype.char.lower()) if np_dtype.kind == "c" else np_dtype  # F -> f, D -> d
        info = np.finfo(part)
        sub = float(getattr(info, "smallest_subnormal", info.tiny * info.eps))
        found = [1.0, -1.5, 0.0, -0.0, float(info.max), -float(info.max), float(info.tiny), sub, -sub, 0.1]
        if not finite and lo is None and hi is None:
            found += [float("nan"), float("inf"), -float("inf")]
        if np_dtype.kind == "c":
            found = [complex(a, b) for a, b in zip(found, found[3:] + found[:3])]
    if lo is not None:
        found = [v for v in found if (v.real if isinstance(v, complex) else v) >= lo]
    if hi is not None:
        found = [v for v in found if (v.real if isinstance(v, complex) else v) <= hi]
    return found


@built_once
def _positions(n: int):
    return st.integers(0, n - 1)


@st.composite
def _extremes_filled(draw, np_dtype, shape, found):
    """An array of ``shape`` (drawn if a strategy; the default shapes give a 3 x 4 array) filled with
    ``found``, cycling, starting at a drawn position."""
    if not isinstance(shape, tuple):
        shape = draw(shape)
    start = draw(_positions(len(found)), label="first extreme")
    flat = [found[(start + k) % len(found)] for k in range(int(np.prod(shape, dtype=np.int64)))]
    return np.array(flat, dtype=np_dtype).reshape(shape)


@built_once
def values(np_dtype, shape=shapes, finite: bool = False, lo=None, hi=None):
    """Arrays of ``np_dtype`` reaching its extremes: ints over the whole range (int64 beyond int32),
    floats with +-0, subnormals, the largest finite values and -- unless ``finite`` -- nan and +-inf.
    ``lo``/``hi`` bound the elements where a claim needs a range.

    The first example hypothesis tries in a case (its simplest) is not all zeros but every value of
    :func:`extremes` at once, and about one example in four after it is too, so a regression on one value
    class (nan, -0, subnormals, the int64 range) is met on every run, not by luck; the others draw freely."""
    np_dtype = np.dtype(np_dtype)
    kwargs = {}
    if np_dtype.kind in "fc":
        kwargs = dict(allow_nan=not finite, allow_infinity=not finite)
    if lo is not None or hi is not None:
        kwargs.update(min_value=lo, max_value=hi)
    drawn = hnp.arrays(np_dtype, shape, elements=hnp.from_dtype(np_dtype, **kwargs))
    found = extremes(np_dtype, finite, lo, hi)
    # (a LazyStrategy argument reaches a composite unwrapped: the default shapes are recognised here)
    filled_shape = (3, 4) if shape is shapes or shape is nonempty_shapes else shape
    return st.one_of(_extremes_filled(np_dtype, filled_shape, found), drawn, drawn, drawn) if found else drawn


@built_once
def tensor_values(dtype: torch.dtype, shape=shapes, finite: bool = False, lo=None, hi=None):
    """(array, cpu tensor) pairs: the tensor holds exactly the array's values in ``dtype``.

    bfloat16 has no numpy twin: its values are drawn in float32 and rounded to bfloat16, and the
    array returned holds the rounded values (so it is still the exact oracle)."""
    if dtype == torch.bfloat16:
        if finite:  # float32 values above bfloat16's largest finite value would round to inf
            big = float(torch.finfo(torch.bfloat16).max)
            lo, hi = max(-big, lo) if lo is not None else -big, min(big, hi) if hi is not None else big

        def bf16(a):
            t = torch.from_numpy(np.ascontiguousarray(a)).to(torch.bfloat16)
            return t.float().numpy().copy(), t
        return values(np.float32, shape, finite, lo, hi).map(bf16)
    return values(to_numpy_dtype(dtype), shape, finite, lo, hi).map(lambda a: (a, torch.from_numpy(a.copy())))


def bfloat16_rounded(a: np.ndarray) -> np.ndarray:
    """``a``'s values rounded to bfloat16, held as float32: the rule written out on the bits (via float32, then to
    nearest with ties to even on the top 16 bits), for finite values -- an oracle that does not ask torch."""
    bits = np.asarray(a).astype(np.float32).view(np.uint32).astype(np.uint64)
    return (((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16) << 16).astype(np.uint32).view(np.float32)


# --------------------------------------------------------------------------- layouts


def _transposed(t):
    return t.mT.contiguous().mT  # same values, column-major strides


def _step_sliced(t):
    big = t.new_zeros((*t.shape[:-1], 2 * t.shape[-1])) if t.dim() else t.new_zeros(2)
    big[..., ::2] = t
    return big[..., ::2] if t.dim() else big[::2][0]


def _offset(t):
    flat = t.new_zeros(t.numel() + 3)
    flat[3:] = t.reshape(-1)
    return flat[3:].view(t.shape)


def _channels_last(t):
    return t.contiguous(memory_format=torch.channels_last)


def _channels_last_3d(t):
    return t.contiguous(memory_format=torch.channels_last_3d)


def _expanded(t):
    return t.narrow(0, 0, 1).expand(t.shape) if t.dim() and t.shape[0] else t


def _conj_bit(t):
    return t.conj_physical().conj()  # values of t, is_conj() True


def _neg_bit(t):
    return torch._neg_view(t.neg())  # values of t, is_neg() True


#: name -> (function giving the same values in that layout, ranks it applies to, dtypes it applies to)
LAYOUTS = {
    "contiguous": (lambda t: t.clone(), range(0, 8), None),
    "transposed": (_transposed, range(2, 8), None),
    "step_sliced": (_step_sliced, range(1, 8), None),
    "offset": (_offset, range(0, 8), None),
    "channels_last": (_channels_last, (4,), None),
    "channels_last_3d": (_channels_last_3d, (5,), None),
    "expanded": (_expanded, range(1, 8), None),
    "conj_bit": (_conj_bit, range(0, 8), COMPLEX),
    "neg_bit": (_neg_bit, range(0, 8), FLOATING + COMPLEX + SIGNED),
}
#: layouts any dense tensor of rank >= 2 can take with the same values (no bits, no stride 0)
STRIDED = ("contiguous", "transposed", "step_sliced", "offset")


def relayout(t: torch.Tensor, layout: str) -> torch.Tensor:
    """``t``'s values (``expanded``: its first slice repeated) in ``layout``, on ``t``'s device."""
    fn, ranks, dtypes = LAYOUTS[layout]
    assert t.dim() in ranks, f"layout {layout} needs rank in {list(ranks)}, got {t.dim()}"
    assert dtypes is None or t.dtype in dtypes, f"layout {layout} does not apply to {t.dtype}"
    return fn(t)


def relayout_np(a: np.ndarray, layout: str) -> np.ndarray:
    """The values a tensor made from ``a`` holds after ``relayout(_, layout)`` (the numpy oracle)."""
    if layout == "expanded" and a.ndim and a.shape[0]:
        return np.broadcast_to(a[:1], a.shape).copy()
    return a


@built_once
def _shapes_of_rank(rank: int, min_side: int, max_side: int):
    return hnp.array_shapes(min_dims=rank, max_dims=rank, min_side=min_side, max_side=max_side)


@built_once
def layout_shapes(layout: str, min_side: int = 1, max_side: int = 4):
    """Shapes of a rank that ``layout`` applies to (4-D for channels_last, 2-D+ for transposed...)."""
    ranks = [r for r in LAYOUTS[layout][1] if r <= 5]
    return st.sampled_from(ranks).flatmap(lambda r: _shapes_of_rank(r, min_side, max_side))


def layout_params(layouts=STRIDED) -> list:
    return [pytest.param(name, id=name) for name in layouts]


def layout_applies(layout: str, dtype: torch.dtype) -> bool:
    dtypes = LAYOUTS[layout][2]
    return dtypes is None or dtype in dtypes


#: the layouts a tensor that requires grad can have: every one that keeps values, the conj/neg bits included
GRAD_LAYOUTS = ("contiguous", "transposed", "step_sliced", "offset", "channels_last", "expanded", "conj_bit", "neg_bit")
#: layout -> the differentiable dtypes that can have it (conj_bit: the complex ones): a claim enumerated per
#: layout loops over these in every example
GRAD_LAYOUT_DTYPES = {layout: tuple(d for d in DIFFERENTIABLE if layout_applies(layout, d)) for layout in GRAD_LAYOUTS}
#: how many (layout, dtype) slices that is: the count to ``budget`` such a claim by, so each layout's case
#: runs as many examples as one slice would
GRAD_LAYOUT_SLICES = sum(len(dtypes) for dtypes in GRAD_LAYOUT_DTYPES.values())


#: one enumerated axis for a claim about "any tensor" of a dtype: the layouts that keep values (expanded:
#: stride 0) and the two degenerate shapes, a 0-d scalar and an empty tensor (a side of 0), both contiguous
SHAPED = ("contiguous", "transposed", "step_sliced", "offset", "expanded", "channels_last", "0-d", "empty")


@built_once
def shaped_shapes(case: str, max_side: int = 4):
    """Shapes for a :data:`SHAPED` case: rank 1..3 for contiguous, ``()`` for 0-d, a side of 0 in 2-3 dims for empty, and
    the ranks the layout applies to (with sides >= 2 where a side of 1 would make it contiguous) otherwise."""
    if case == "0-d":
        return st.just(())
    if case == "empty":  # 2 or 3 dims: an empty tensor whose shape still says something beyond numel() == 0
        return hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=max_side).flatmap(
            lambda s: st.integers(0, len(s) - 1).map(lambda i: s[:i] + (0,) + s[i + 1:]))
    if case == "contiguous":
        return hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=max_side)
    ranks = [r for r in LAYOUTS[case][1] if r <= max(3, min(LAYOUTS[case][1]))]  # rank <= 3 but where it needs more
    return st.sampled_from(ranks).flatmap(lambda r: _shapes_of_rank(r, 2, max_side))


def reshaped(t: torch.Tensor, case: str) -> torch.Tensor:
    """``t`` (of a shape from :func:`shaped_shapes`) in the case's layout (0-d and empty: contiguous)."""
    return relayout(t, "contiguous" if case in ("0-d", "empty") else case)


def reshaped_np(a: np.ndarray, case: str) -> np.ndarray:
    """The values a tensor made from ``a`` holds after ``reshaped(_, case)`` (the numpy oracle)."""
    return relayout_np(a, case)


# --------------------------------------------------------------------------- calling forms

#: how a user can call an op ``name`` on ``x``
CALL_FORMS = ("method", "function", "out", "inplace")


def call(form: str, name: str, x: torch.Tensor, *args, out: torch.Tensor | None = None, **kwargs):
    """``x.name(*args)``, ``torch.name(x, *args)``, ``torch.name(x, *args, out=out)`` or ``x.name_(*args)``."""
    if form == "method":
        return getattr(x, name)(*args, **kwargs)
    if form == "function":
        return getattr(torch, name)(x, *args, **kwargs)
    if form == "out":
        assert out is not None, "the out= form needs an out tensor"
        return getattr(torch, name)(x, *args, out=out, **kwargs)
    if form == "inplace":
        return getattr(x, name + "_")(*args, **kwargs)
    raise ValueError(form)


def form_params(forms=CALL_FORMS) -> list:
    return [pytest.param(f, id=f) for f in forms]


# --------------------------------------------------------------------------- grad-mode forms
# torch's names are looked up when a form runs, not at import, so a planted regression that
# monkeypatches ``torch.no_grad`` is the no_grad every form uses.

#: grad modes: name -> (factory taking no argument, grad enabled inside, inference mode inside)
GRAD_MODES = {
    "no_grad": (lambda: torch.no_grad(), False, False),
    "enable_grad": (lambda: torch.enable_grad(), True, False),
    "set_grad_enabled(False)": (lambda: torch.set_grad_enabled(False), False, False),
    "set_grad_enabled(True)": (lambda: torch.set_grad_enabled(True), True, False),
    "inference_mode": (lambda: torch.inference_mode(), False, True),
    "inference_mode(False)": (lambda: torch.inference_mode(False), True, False),
}
#: the modes that are also a bare decorator (``@torch.no_grad`` without parentheses): name -> the class
BARE = {
    "no_grad": lambda: torch.no_grad,
    "enable_grad": lambda: torch.enable_grad,
    "inference_mode": lambda: torch.inference_mode,
}
#: the modes that are also a plain function call, a switch that stays until set again: name -> its flag
SWITCHES = {"set_grad_enabled(False)": False, "set_grad_enabled(True)": True}


def _with(mode, fn):
    with GRAD_MODES[mode][0]():
        return fn()


def _decorator(mode, fn):
    return GRAD_MODES[mode][0]()(fn)()


def _bare_decorator(mode, fn):
    return BARE[mode]()(fn)()


def _function(mode, fn):
    # torch.set_grad_enabled(flag) called as a function, the previous mode set back afterwards
    before = torch.is_grad_enabled()
    torch.set_grad_enabled(SWITCHES[mode])
    try:
        return fn()
    finally:
        torch.set_grad_enabled(before)


def outer_of(mode: str) -> str:
    """The mode ``nested`` puts ``mode`` inside: one that differs from it (inference_mode(False) goes
    inside inference_mode, inference_mode inside enable_grad, the others inside the opposite flag)."""
    if mode == "inference_mode(False)":
        return "inference_mode"
    return "no_grad" if GRAD_MODES[mode][1] else "enable_grad"


def _nested(mode, fn):
    # the mode inside a different one: the innermost context decides
    with GRAD_MODES[outer_of(mode)][0](), GRAD_MODES[mode][0]():
        return fn()


class _Raised(Exception):
    pass


def _raised(mode, fn):
    # the block raises after fn() ran; the exception leaves the with-statement and is caught outside
    out = []
    try:
        with GRAD_MODES[mode][0]():
            out.append(fn())
            raise _Raised
    except _Raised:
        pass
    return out[0]


def _generator(mode, fn):
    # a decorated generator function: fn() runs in a step resumed after the caller had control back
    def steps():
        yield None
        yield fn()

    gen = GRAD_MODES[mode][0]()(steps)()
    next(gen)
    out = next(gen)
    gen.close()
    return out


#: how a user can put code under a grad mode: name -> run(mode, fn) returning fn()
GRAD_FORMS = {
    "with": _with,
    "decorator": _decorator,
    "bare_decorator": _bare_decorator,
    "function": _function,
    "nested": _nested,
    "raised": _raised,
    "generator": _generator,
}
#: forms that exist for some modes only: form -> those modes
FORM_MODES = {"bare_decorator": tuple(BARE), "function": tuple(SWITCHES)}
#: forms that appeared in the 2.x series: form -> (specifier, source)
FORM_SINCE = {
    "bare_decorator": (
        ">=2.1",
        "no_grad/enable_grad/inference_mode accept a function directly since pytorch/pytorch#107086 "
        "(Aug 2023, first released in 2.1); the 2.0 docs say 'Make sure to instantiate with parenthesis'",
    ),
}


#: (mode, form) cases a known torch bug breaks on some releases: (mode, form) -> (specifier, issue, reason)
FORM_BUGS = {
    (mode, form): (
        "<2.2",
        "https://github.com/pytorch/pytorch/issues/113298",
        "@torch.set_grad_enabled(flag) set the flag when the decorator was applied and left it set, so the "
        "caller's mode was not back afterwards (fixed by pytorch#113359 in torch 2.2; checked: leaks on "
        "2.0.1 and 2.1.2, not on 2.2.2 and later)",
    )
    for mode in SWITCHES for form in ("decorator", "generator")
}


def grad_form_applies(mode: str, form: str) -> bool:
    return mode in FORM_MODES.get(form, GRAD_MODES)


def grad_form_params(forms=GRAD_FORMS) -> list:
    return [pytest.param(f, id=f, marks=_form_marks(f)) for f in forms]


def _form_marks(form):
    if form not in FORM_SINCE:
        return ()
    spec, reason = FORM_SINCE[form]
    return (pytest.mark.torch_version(spec, reason=reason),)


def grad_mode_params(modes=GRAD_MODES, forms=GRAD_FORMS) -> list:
    """``(mode, form)`` for every mode x form that exists (ids ``[no_grad-bare_decorator]``), gated
    where a form appeared later in the 2.x series, marked known_bug where FORM_BUGS names the case."""
    return [
        pytest.param(m, f, id=f"{m}-{f}", marks=_form_marks(f) + _bug_marks(m, f))
        for m in modes for f in forms if grad_form_applies(m, f)
    ]


def _bug_marks(mode, form):
    if (mode, form) not in FORM_BUGS:
        return ()
    spec, issue, reason = FORM_BUGS[(mode, form)]
    return (pytest.mark.known_bug(spec, issue=issue, reason=reason),)


# --------------------------------------------------------------------------- module forms


class _Net(torch.nn.Module):
    """A user's own module holding the layer as an attribute (the commonest form of all)."""

    def __init__(self, layer):
        super().__init__()
        self.layer = layer

    def forward(self, x):
        return self.layer(x)


def module_forms(make):
    """A layer made by ``make()`` as a user meets it: name -> (model, the layer inside it).

    Top level, an attribute of a user's ``nn.Module`` subclass, nested in ``Sequential``, in
    ``ModuleList`` and in ``ModuleDict`` (two levels deep), so a claim about "a module" covers the
    container paths ``train()``/``eval()``/``to()`` recurse through."""
    return {name: module_form(name, make) for name in MODULE_FORMS}


def module_form(form: str, make):
    """One entry of :func:`module_forms`: (model, the layer made by ``make()`` inside it)."""
    layer = make()
    if form == "top":
        return layer, layer
    if form == "custom":
        return _Net(layer), layer
    if form == "Sequential":
        return torch.nn.Sequential(torch.nn.Identity(), layer), layer
    if form == "ModuleList":
        return torch.nn.ModuleList([torch.nn.Sequential(layer)]), layer
    if form == "ModuleDict":
        return torch.nn.ModuleDict({"block": torch.nn.ModuleDict({"layer": layer})}), layer
    raise ValueError(form)


MODULE_FORMS = ("top", "custom", "Sequential", "ModuleList", "ModuleDict")


def module_form_params(forms=MODULE_FORMS) -> list:
    return [pytest.param(f, id=f) for f in forms]


#: BatchNorm inputs: id -> (class, input rank, layout). Every rank each class accepts -- BatchNorm1d
#: (N, C) and (N, C, L), BatchNorm2d (N, C, H, W), BatchNorm3d (N, C, D, H, W) -- contiguous and in
#: the memory formats that apply (channels_last for 2d, channels_last_3d for 3d; a transposed (N, C),
#: a step-sliced (N, C, L)). Each layout draws >= 2 channels and sides >= 2 where it must to differ
#: from contiguous (see :func:`batchnorm_input`).
BATCHNORM_INPUTS = {
    "1d(N,C)": (torch.nn.BatchNorm1d, 2, "contiguous"),
    "1d(N,C)-transposed": (torch.nn.BatchNorm1d, 2, "transposed"),
    "1d(N,C,L)": (torch.nn.BatchNorm1d, 3, "contiguous"),
    "1d(N,C,L)-step_sliced": (torch.nn.BatchNorm1d, 3, "step_sliced"),
    "2d": (torch.nn.BatchNorm2d, 4, "contiguous"),
    "2d-channels_last": (torch.nn.BatchNorm2d, 4, "channels_last"),
    "3d": (torch.nn.BatchNorm3d, 5, "contiguous"),
    "3d-channels_last_3d": (torch.nn.BatchNorm3d, 5, "channels_last_3d"),
}


def batchnorm_input_params(kinds=tuple(BATCHNORM_INPUTS)) -> list:
    return [pytest.param(k, id=k) for k in kinds]


@built_once
def batchnorm_sizes(kind: str, max_batch: int = 6):
    """(n, c, spatial sides) for ``kind``: a batch of 2..max_batch, 1..4 channels, sides 1..3 (2..3
    channels and sides where the layout would otherwise coincide with contiguous)."""
    _, rank, layout = BATCHNORM_INPUTS[kind]
    real = layout != "contiguous"
    return st.tuples(
        st.integers(2, max_batch), st.integers(2 if real else 1, 4),
        st.lists(st.integers(2 if real else 1, 3), min_size=rank - 2, max_size=rank - 2).map(tuple),
    )


def batchnorm_input(kind: str, x: torch.Tensor) -> torch.Tensor:
    """``x`` (contiguous, of ``kind``'s rank) with the same values in ``kind``'s layout."""
    return relayout(x, BATCHNORM_INPUTS[kind][2])

# --------------------------------------------------------------------------- image forms

#: PIL modes with their bands and numpy dtype (the modes ToTensor/ToPILImage document; "P" holds
#: palette indices, "1" is bilevel and reads as bool, "I;16" as uint16)
PIL_MODES = {
    "L": (1, np.uint8),
    "LA": (2, np.uint8),
    "RGB": (3, np.uint8),
    "RGBA": (4, np.uint8),
    "CMYK": (4, np.uint8),
    "YCbCr": (3, np.uint8),
    "P": (1, np.uint8),
    "1": (1, np.bool_),
    "I": (1, np.int32),
    "I;16": (1, np.uint16),
    "F": (1, np.float32),
}
#: the 8-bit modes (one byte per band; ToTensor scales them by 1/255)
PIL_8BIT = ("L", "LA", "RGB", "RGBA", "CMYK", "YCbCr", "P", "1")
#: modes with one band: numpy gives their pixels as an H x W array (no channel axis)
PIL_SINGLE_BAND = tuple(m for m, (bands, _) in PIL_MODES.items() if bands == 1)
#: modes Image.fromarray cannot infer from an array: built with Image.frombytes from the raw bytes
PIL_FROMBYTES = ("P", "CMYK", "YCbCr", "I;16")
#: image sizes (height, width): one pixel, odd, non-square both ways, and a common size
IMAGE_SIZES = {"1x1": (1, 1), "odd": (3, 5), "tall": (7, 2), "wide": (2, 9), "square": (8, 8)}
#: image sizes hypothesis draws: any side 1 to 8, or one of IMAGE_SIZES
image_sizes = st.one_of(st.sampled_from(list(IMAGE_SIZES.values())), st.tuples(st.integers(1, 8), st.integers(1, 8)))
#: every byte value once, in an order that puts 0 and 255 next to each other
ALL_BYTES = np.concatenate([np.arange(0, 256, 2), np.arange(255, 0, -2)]).astype(np.uint8)
#: raw bytes hypothesis draws for :func:`pil_array` (extremes included: it draws whole uint8 ranges)
pixel_bytes = hnp.arrays(np.uint8, st.integers(1, 64))


def pil_mode_params(modes=tuple(PIL_MODES), marks: dict | None = None) -> list:
    """``pytest.param`` per PIL mode, id = the mode (``I;16`` reads ``I16``)."""
    marks = marks or {}
    return [pytest.param(m, id=m.replace(";", ""), marks=marks.get(m, ())) for m in modes]


def image_size_params(sizes=IMAGE_SIZES) -> list:
    return [pytest.param(hw, id=name) for name, hw in sizes.items()]


def every_image_size(fn):
    """``@example(size=..., raw=ALL_BYTES)`` for every entry of IMAGE_SIZES: a spec drawing ``size`` and
    ``raw`` (for :func:`pil_array`) meets one pixel, odd and non-square sizes on every run."""
    from hypothesis import example

    for hw in reversed(list(IMAGE_SIZES.values())):
        fn = example(size=hw, raw=ALL_BYTES)(fn)
    return fn


def pil_array(mode: str, size, raw: np.ndarray) -> np.ndarray:
    """The pixels of a ``mode`` image of ``size`` (H, W) filled cyclically from the bytes ``raw``: H x W for
    one band, H x W x bands otherwise, in the mode's numpy dtype ("1": a byte > 127 is True; I, I;16, F:
    the bytes read as native int32 / uint16 / float32, so any bit pattern, nan and inf included)."""
    bands, np_dtype = PIL_MODES[mode]
    shape = tuple(size) + ((bands,) if bands > 1 else ())
    n = int(np.prod(shape))
    if np_dtype == np.bool_:
        return np.resize(raw, shape) > 127
    itemsize = np.dtype(np_dtype).itemsize
    return np.resize(raw, n * itemsize).view(np_dtype).reshape(shape).copy()


def pil_image(arr: np.ndarray, mode: str):
    """A PIL image of ``mode`` holding exactly ``arr``'s pixels (asserted: a test-setup check).

    Image.fromarray infers L, LA, RGB, RGBA, 1, I and F from the array; P, CMYK, YCbCr and I;16 are
    built with Image.frombytes from the array's bytes (``fromarray(mode=...)`` is deprecated)."""
    __tracebackhide__ = True
    from PIL import Image

    if mode in PIL_FROMBYTES:
        dtype = PIL_MODES[mode][1]
        img = Image.frombytes(mode, (arr.shape[1], arr.shape[0]), np.ascontiguousarray(arr, dtype).astype(np.dtype(dtype).newbyteorder("<")).tobytes())
    else:
        img = Image.fromarray(arr)
    assert img.mode == mode, f"the test image has mode {img.mode}, expected {mode} (test setup)"
    assert np.array_equal(np.array(img), arr, equal_nan=arr.dtype.kind == "f"), f"the mode {mode} image changed the pixels (test setup)"
    return img

# --------------------------------------------------------------------------- budget


def budget(cases: int, floor: int = 2):
    """``@settings`` for a spec enumerated over ``cases`` parametrized cases: the loaded profile's
    examples divided between them (at least ``floor`` each), so a spec over 12 dtypes costs about
    what one undivided property did. ``thorough`` keeps at least 50 per case."""
    current = settings.default
    share = max(floor, current.max_examples // max(1, cases))
    if current.max_examples >= 1000:
        share = max(share, 50)
    return settings(current, max_examples=min(current.max_examples, share))


def covering(*axes) -> list:
    """Cases reaching every value of every axis (lists of ``pytest.param``) at least once, not every
    combination: case k takes value ``k mod len(axis)`` of each axis, as many cases as the longest
    axis. Ids join the values' ids (``float16-transposed-ModuleList``), marks add up. For a claim whose
    axes are independent enough that one slice of each is the regression to catch, at a fraction of
    the cross product's cost."""
    cases = []
    for k in range(max(len(a) for a in axes)):
        picked = [a[k % len(a)] for a in axes]
        cases.append(pytest.param(
            *(v for p in picked for v in p.values), id="-".join(p.id for p in picked),
            marks=[m for p in picked for m in p.marks],
        ))
    return cases


def compile_budget():
    """``@settings`` for a compile claim: every example compiles afresh (~0.3-1 s), so the loaded
    profile's examples are divided by 12 (1 under ``ci``, 3 under ``dev``, 83 under ``thorough``), and a
    failure is reported as found, not shrunk (shrinking recompiles for every candidate: minutes)."""
    current = settings.default
    return settings(current, max_examples=max(1, current.max_examples // 12),
                    phases=[Phase.explicit, Phase.reuse, Phase.generate])
