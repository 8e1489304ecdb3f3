"""The one vocabulary of the suite's input space: dtypes, layouts, values, calling forms, and the case budget.

Every spec builds its inputs from here, so "every dtype", "any layout", "each calling form" mean the
same thing in every module. The rule for using it:

* **Finite axes are enumerated, never drawn.** A claim about every dtype / layout / form is a
  ``pytest.mark.parametrize`` over :func:`dtype_params`, :func:`layout_params`, :func:`form_params`
  (ids read ``[cpu-float16-transposed]``), so every run -- the 12-example ``ci`` profile included --
  reaches every slice. Hypothesis draws only values and shapes inside a case.
* **Sizes are budgeted per case.** A spec enumerated over N cases divides its examples with
  :func:`budget`, so the whole run keeps its time budget and ``thorough`` still searches hard.
* **Layouts keep values.** :func:`relayout` gives the same values in another memory layout
  (transposed, step-sliced, with a storage offset, ``channels_last``, conj/neg bits...), so the
  oracle -- the numpy array the values came from -- is unchanged. ``expanded`` (stride 0) is the one
  layout that cannot keep arbitrary values: it repeats the first slice, and :func:`relayout_np` gives
  the numpy values it holds.

Sections: dtypes; values; layouts; calling forms; grad-mode forms; module forms; image forms; budget.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

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

#: dtypes that appeared in the 2.x series: dtype -> (first release, source)
SINCE = {
    torch.uint16: ("2.3", "torch 2.3 release notes: uint16/uint32/uint64 gain basic operator support"),
    torch.uint32: ("2.3", "torch 2.3 release notes: uint16/uint32/uint64 gain basic operator support"),
    torch.uint64: ("2.3", "torch 2.3 release notes: uint16/uint32/uint64 gain basic operator support"),
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
    """The numpy dtype holding ``dtype``'s values exactly (bfloat16: float32)."""
    return np.dtype(np.float32) if dtype == torch.bfloat16 else TORCH_TO_NUMPY[dtype]


# --------------------------------------------------------------------------- values

#: shapes with 0 to 3 dims and sides 0 to 5: 0-d scalars and empty tensors included
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5)
#: the same without empty tensors
nonempty_shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=5)


def values(np_dtype, shape=shapes, finite: bool = False, lo=None, hi=None):
    """Arrays of ``np_dtype`` reaching its extremes: ints over the whole range (int64 beyond int32),
    floats with +-0, subnormals, the largest finite values and -- unless ``finite`` -- nan and +-inf.
    ``lo``/``hi`` bound the elements where a claim needs a range."""
    np_dtype = np.dtype(np_dtype)
    kwargs = {}
    if np_dtype.kind in "fc":
        kwargs = dict(allow_nan=not finite, allow_infinity=not finite)
    if lo is not None or hi is not None:
        kwargs.update(min_value=lo, max_value=hi)
    return hnp.arrays(np_dtype, shape, elements=hnp.from_dtype(np_dtype, **kwargs))


def tensor_values(dtype: torch.dtype, shape=shapes, finite: bool = False, lo=None, hi=None):
    """(array, cpu tensor) pairs: the tensor holds exactly the array's values in ``dtype``.

    bfloat16 has no numpy twin: its values are drawn in float32 and rounded to bfloat16, and the
    array returned holds the rounded values (so it is still the exact oracle)."""
    if dtype == torch.bfloat16:
        def bf16(a):
            t = torch.from_numpy(np.ascontiguousarray(a)).to(torch.bfloat16)
            return t.float().numpy().copy(), t
        return values(np.float32, shape, finite, lo, hi).map(bf16)
    return values(to_numpy_dtype(dtype), shape, finite, lo, hi).map(lambda a: (a, torch.from_numpy(a.copy())))


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


def layout_shapes(layout: str, min_side: int = 1, max_side: int = 4):
    """Shapes of a rank that ``layout`` applies to (4-D for channels_last, 2-D+ for transposed...)."""
    ranks = [r for r in LAYOUTS[layout][1] if r <= 5]
    return st.sampled_from(ranks).flatmap(
        lambda r: hnp.array_shapes(min_dims=r, max_dims=r, min_side=min_side, max_side=max_side)
    )


def layout_params(layouts=STRIDED) -> list:
    return [pytest.param(name, id=name) for name in layouts]


def layout_applies(layout: str, dtype: torch.dtype) -> bool:
    dtypes = LAYOUTS[layout][2]
    return dtypes is None or dtype in dtypes


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

#: grad modes: name -> (factory taking no argument, grad enabled inside, inference mode inside)
GRAD_MODES = {
    "no_grad": (torch.no_grad, False, False),
    "enable_grad": (torch.enable_grad, True, False),
    "set_grad_enabled(False)": (lambda: torch.set_grad_enabled(False), False, False),
    "set_grad_enabled(True)": (lambda: torch.set_grad_enabled(True), True, False),
    "inference_mode": (torch.inference_mode, False, True),
    "inference_mode(False)": (lambda: torch.inference_mode(False), True, False),
}


def _with(mode, fn):
    with GRAD_MODES[mode][0]():
        return fn()


def _decorator(mode, fn):
    return GRAD_MODES[mode][0]()(fn)()


def _nested(mode, fn):
    # the mode inside the opposite one: the innermost context decides
    outer = torch.no_grad if GRAD_MODES[mode][1] else torch.enable_grad
    with outer(), GRAD_MODES[mode][0]():
        return fn()


#: how a user can put code under a grad mode: name -> run(mode, fn) returning fn()
GRAD_FORMS = {
    "with": _with,
    "decorator": _decorator,
    "nested": _nested,
}


def grad_form_params(forms=GRAD_FORMS) -> list:
    return [pytest.param(f, id=f) for f in forms]


# --------------------------------------------------------------------------- module forms


def module_forms(make):
    """A layer made by ``make()`` as a user meets it: name -> (model, the layer inside it).

    Top level, nested in ``Sequential``, in ``ModuleList`` and in ``ModuleDict`` (two levels deep), so a
    claim about "a module" covers the container paths ``train()``/``eval()``/``to()`` recurse through."""
    top = make()
    seq_layer = make()
    seq = torch.nn.Sequential(torch.nn.Identity(), seq_layer)
    ml_layer = make()
    ml = torch.nn.ModuleList([torch.nn.Sequential(ml_layer)])
    md_layer = make()
    md = torch.nn.ModuleDict({"block": torch.nn.ModuleDict({"layer": md_layer})})
    return {"top": (top, top), "Sequential": (seq, seq_layer), "ModuleList": (ml, ml_layer), "ModuleDict": (md, md_layer)}


MODULE_FORMS = ("top", "Sequential", "ModuleList", "ModuleDict")

# --------------------------------------------------------------------------- image forms

#: PIL modes with their bands and numpy dtype (the modes ToTensor/ToPILImage document)
PIL_MODES = {
    "L": (1, np.uint8),
    "LA": (2, np.uint8),
    "RGB": (3, np.uint8),
    "RGBA": (4, np.uint8),
    "CMYK": (4, np.uint8),
    "YCbCr": (3, np.uint8),
    "1": (1, np.bool_),
    "I": (1, np.int32),
    "I;16": (1, np.uint16),
    "F": (1, np.float32),
}
#: image sizes (height, width): one pixel, odd, non-square both ways, and a common size
IMAGE_SIZES = {"1x1": (1, 1), "odd": (3, 5), "tall": (7, 2), "wide": (2, 9), "square": (8, 8)}

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


def compile_budget():
    """``@settings`` for a compile claim: every example compiles afresh (~0.3-1 s), so the loaded
    profile's examples are divided by 12 (1 under ``ci``, 3 under ``dev``, 83 under ``thorough``)."""
    current = settings.default
    return settings(current, max_examples=max(1, current.max_examples // 12))
