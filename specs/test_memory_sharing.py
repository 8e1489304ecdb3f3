"""Which operations share memory: views, indexing, ``y = x + y`` versus ``y += x``.

A tensor is a window (sizes, strides, offset) onto a *storage*. A **view** is a new tensor object
over the *same* storage as its base: no data is copied, a write through the view shows up in the
base and a write to the base shows up in the view, and the two share one autograd version
counter. The PyTorch docs ("Tensor Views") list the ops guaranteed to return views; the first spec
below walks that whole list, method and ``torch.`` function alike, on every device. Being a view
is not enough: the second spec checks that each op selects the *right* elements (numpy applied to
the base's values is the oracle) at the strides and storage offset its layout rule gives. Both
are enumerated over op x base layout (contiguous, storage offset, permuted, step-sliced,
channels_last, expanded with stride 0, conjugate bit, 0-d) with every dtype checked in every
example -- a ``narrow`` that ignored ``start`` would still be a perfectly good view.

The source note says "indexing and ``view`` never allocate new memory, while ``y = x + y``
allocates new memory and points ``y`` at it". That is half true:

* *basic* indexing (integers, slices with a positive step, ``None``, ``...``) returns a view, but
  *advanced* indexing (an integer list or tensor, a boolean mask) **copies**. Assignment
  ``x[idx] = v`` writes into ``x`` for both forms, but not by the same route: with basic indices
  it takes the view ``x[idx]`` and writes into it (``copy_``, or ``fill_`` for a Python scalar);
  with advanced indices it calls ``index_put_`` on ``x`` (recent releases take a ``masked_fill_`` /
  ``index_fill_`` shortcut for a scalar ``v``). In neither case does it write into the copy that
  reading ``x[idx]`` would have made (``THPVariable_setitem`` in
  ``torch/csrc/autograd/python_variable_indexing.cpp``; the ops seen under a dispatch trace on
  torch 2.0.1, 2.2.2, 2.9.1 and 2.15.0 -- the two shortcuts only on 2.15.0).
* ``view`` never copies, but it also does not always *work*: on a layout it cannot describe (e.g. a
  transposed matrix) it raises and points to ``reshape``, which then has to copy. Whether
  ``reshape``/``flatten`` copy when they *could* view is documented as unspecified, so these specs
  only claim the part that is forced (no view possible -> ``reshape`` owns new memory).
* ``y = x + y`` allocates a new tensor and rebinds the name ``y``; ``y += x``, ``y.add_(x)`` and
  ``torch.add(x, y, out=y)`` write into ``y``'s existing memory. Because the memory stays, the
  dtype stays too: ``int_tensor += float_tensor`` raises instead of promoting.

Sharing has consequences: an ``expand``-ed tensor has stride 0, so an in-place op that computes
each element from the old ones (``add_``, ``mul_``, ``copy_``) is refused (many elements, one memory
cell), while ``fill_`` / ``zero_``, which write one value everywhere, are allowed and write through
to the base; and an in-place op on a view of a leaf that requires grad is refused
just like one on the leaf itself. Memory that cannot be reused is refused too: an in-place result
that would have to broadcast ``y`` itself (``y`` of shape (3,) ``+=`` one of (2, 3)) raises instead
of resizing ``y``; a write whose input overlaps the destination in part (``f[1:].copy_(f[:-1])``,
``x += x.mT``) raises (an exact alias, ``torch.add(x, 1, out=x)``, is fine); an in-place write to
one of several views (``unbind``/``split``/``chunk``) of a tensor with history raises, as autograd
cannot rebase it; and an ``out=`` of the wrong size is resized with a UserWarning (silently when
it is empty). The complex-only views (``.imag``, ``view_as_real``, ``view_as_complex``) refuse a
real tensor with RuntimeError before torch 2.15 and TypeError / NotImplementedError from 2.15.

Memory identity is checked with ``untyped_storage().data_ptr()`` (the deprecated ``.storage()``
is not used). Every spec that claims sharing (the Tensor Views list, basic indexing, ``expand``,
``view`` on a contiguous layout) checks the pointer together with a write through one tensor that
must show in the other, so a "view" that shows the right storage through the wrong window (a lost
offset, say) cannot pass; the sparse COO spec has no storage pointer to compare (a sparse tensor
has no ``untyped_storage()``) and rests on the write-through alone. Specs that claim a copy check
that the pointers differ; the advanced-indexing and ``clone`` specs also write the copy and check
that the original did not change.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import assume, example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from specs.differential import Call, assert_compiles_like_eager
from specs.helpers import (
    assert_dtype,
    assert_owns,
    assert_same,
    assert_shares,
    ptr,
    raises,
    warn_always,
    warnings_recorded,
)
from specs.inputs import (
    ALL,
    COMPLEX,
    DIFFERENTIABLE,
    TORCH_TO_NUMPY,
    budget,
    built_once,
    compile_budget,
    dtype_id,
    dtype_params,
)

# --------------------------------------------------------------------------- private helpers

def base_tensor(shape, dtype, device) -> torch.Tensor:
    """A fresh contiguous tensor on ``device`` holding 0, 1, 2, ... (0, 1, 0, ... for bool).

    Values do not matter for sharing; small integers (exact in float16, wrapping in int8) keep
    ``_bump`` from being a no-op anywhere (no NaN, no rounding), so every write is visible.
    """
    n = math.prod(shape)
    values = torch.arange(n, device=device).reshape(shape)
    if dtype == torch.bool:
        return (values % 2).bool()
    return values.to(dtype)


def _bump(t: torch.Tensor) -> torch.Tensor:
    """A tensor that differs from ``t`` in every element (``not`` for bool, ``+ 1`` otherwise)."""
    return t.logical_not() if t.dtype == torch.bool else t + 1


def _bump_np(a):
    """``_bump`` for a numpy array or scalar (the oracle side of a write-through check)."""
    return np.logical_not(a) if a.dtype == np.bool_ else a + a.dtype.type(1)


def _outputs(result) -> list[torch.Tensor]:
    return list(result) if isinstance(result, (tuple, list)) else [result]


def _pairs(outs, result):
    __tracebackhide__ = True
    fresh = _outputs(result)
    assert len(fresh) == len(outs), f"{len(fresh)} outputs, but the first call gave {len(outs)}"
    return zip(outs, fresh)


def _category(dtype: torch.dtype) -> int:
    """bool < integer < floating < complex: the order PyTorch's type promotion uses."""
    if dtype == torch.bool:
        return 0
    if dtype.is_complex:
        return 3
    if dtype.is_floating_point:
        return 2
    return 1


# --------------------------------------------------------------------------- argument strategies
# Each takes hypothesis' ``draw`` and the base shape and returns the positional arguments of the op.


def _dim(draw, ndim):
    return draw(st.integers(-ndim, ndim - 1))


def _composition(draw, n):
    """Sizes >= 1 summing to ``n`` (a random split of ``range(n)``)."""
    cuts = sorted(draw(st.sets(st.integers(1, n - 1), max_size=3))) if n > 1 else []
    edges = [0, *cuts, n]
    return [b - a for a, b in zip(edges, edges[1:])]


def _divisors(n):
    return [d for d in range(1, n + 1) if n % d == 0]


def _reshape_target(draw, numel, infer=True):
    """A shape with ``numel`` elements (1 to 3 dims, maybe one -1), as ``view`` accepts it."""
    k = draw(st.integers(1, 3))
    dims, rest = [], numel
    for _ in range(k - 1):
        d = draw(st.sampled_from(_divisors(rest)))
        dims.append(d)
        rest //= d
    dims.append(rest)
    if infer and draw(st.booleans()):
        dims[draw(st.integers(0, len(dims) - 1))] = -1
    return dims


def a_basic_index(draw, shape):
    ndim = len(shape)
    k = draw(st.integers(0, ndim))
    ellipsis = draw(st.booleans())
    targets = shape[ndim - k:] if ellipsis else shape[:k]
    parts = []
    for n in targets:
        if draw(st.booleans()):
            parts.append(draw(st.integers(-n, n - 1)))
        else:
            start = draw(st.integers(0, n - 1))
            parts.append(slice(start, draw(st.integers(start + 1, n)), draw(st.integers(1, 3))))
    if ellipsis:
        parts.insert(0, Ellipsis)
    if draw(st.booleans()):
        parts.insert(draw(st.integers(0, len(parts))), None)
    return (tuple(parts),)


def a_as_strided(draw, shape):
    numel = math.prod(shape)
    sizes = draw(st.lists(st.integers(1, 3), max_size=3))
    budget, strides = numel - 1, []
    for s in sizes:
        stride = draw(st.integers(0, budget // (s - 1) if s > 1 else 3))
        budget -= (s - 1) * stride
        strides.append(stride)
    return (sizes, strides, draw(st.integers(0, budget)))


def a_diagonal(draw, shape):
    ndim = len(shape)
    d1, d2 = draw(st.permutations(range(ndim)))[:2]
    lo, hi = -(shape[d1] - 1), shape[d2] - 1
    start = -1 if lo <= -1 else 0  # the simplest draw is a negative offset
    offset = draw(st.integers(0, hi - lo).map(lambda k: lo + (k + start - lo) % (hi - lo + 1)))
    return (offset, d1 - ndim * draw(st.booleans()), d2)


def a_expand(draw, shape):
    new = [draw(st.sampled_from([1, 2, 3, -1])) if n == 1 else draw(st.sampled_from([n, -1])) for n in shape]
    lead = draw(st.lists(st.integers(1, 3), max_size=2))
    return (tuple(lead + new),)


def a_expand_as(draw, shape):
    """The shape of the ``other`` tensor: an ``expand`` target with every -1 resolved."""
    target = list(a_expand(draw, shape)[0])
    lead = len(target) - len(shape)
    return ([shape[i - lead] if d == -1 else d for i, d in enumerate(target)],)


def a_movedim(draw, shape):
    ndim = len(shape)
    k = draw(st.integers(1, ndim))
    source = draw(st.permutations(range(ndim)))[:k]
    destination = draw(st.permutations(range(ndim)))[:k]
    return (source, destination)


def a_narrow(draw, shape):
    dim = _dim(draw, len(shape))
    n = shape[dim]
    start = draw(st.sampled_from(range(n - 1, -1, -1)))  # from the far end point down to 0
    return (dim, start, draw(st.integers(1, n - start)))


def a_permute(draw, shape):
    return (draw(st.permutations(range(len(shape)))),)


def a_select(draw, shape):
    dim = _dim(draw, len(shape))
    n = shape[dim]
    return (dim, draw(st.sampled_from([*range(-1, -n - 1, -1), *range(n)])))  # negative indices too


def a_squeeze(draw, shape):
    return () if not shape or draw(st.booleans()) else (_dim(draw, len(shape)),)


def a_two_dims(draw, shape):
    """Two dims, negative ones too; distinct in the simplest draw (the same dim twice is valid too)."""
    ndim = len(shape)
    if ndim < 2 or draw(st.booleans()):
        return (_dim(draw, ndim), _dim(draw, ndim))
    d0, d1 = draw(st.permutations(range(ndim)))[:2]
    return (d0 - ndim * draw(st.booleans()), d1 - ndim * draw(st.booleans()))


def a_unflatten(draw, shape):
    dim = _dim(draw, len(shape))
    n = shape[dim]
    a = draw(st.sampled_from(_divisors(n)))
    sizes = [a, n // a]
    if draw(st.booleans()):
        sizes[draw(st.integers(0, 1))] = -1
    return (dim, sizes)


def a_unfold(draw, shape):
    dim = _dim(draw, len(shape))
    step = draw(st.integers(0, 2).map(lambda k: (k + 1) % 3 + 1))  # 1 to 3, the simplest draw 2
    return (dim, draw(st.integers(1, shape[dim])), step)


def a_unsqueeze(draw, shape):
    return (draw(st.integers(-len(shape) - 1, len(shape))),)


def a_view(draw, shape):
    return tuple(_reshape_target(draw, math.prod(shape)))


def a_view_as(draw, shape):
    """The shape of the ``other`` tensor: a reshape target (no -1: it is a real tensor's shape)."""
    return (_reshape_target(draw, math.prod(shape), infer=False),)


def a_dim(draw, shape):
    return (_dim(draw, len(shape)),)


def a_split(draw, shape):
    dim = _dim(draw, len(shape))
    n = shape[dim]
    uneven = [k for k in range(2, n) if n % k]  # an int size whose last chunk is short
    form = draw(st.sampled_from(["uneven int", "int", "sizes"] if uneven else ["int", "sizes"]))  # simplest: uneven
    if form == "sizes":
        return (_composition(draw, n), dim)
    return (draw(st.sampled_from(uneven)) if form == "uneven int" else draw(st.integers(1, n)), dim)


def a_split_with_sizes(draw, shape):
    dim = _dim(draw, len(shape))
    return (_composition(draw, shape[dim]), dim)


def _sections(draw, n):
    """An int that divides ``n`` or a sorted list of split indices (what h/vsplit accept)."""
    if draw(st.booleans()):
        return draw(st.sampled_from(_divisors(n)))
    return sorted(draw(st.lists(st.integers(0, n), max_size=3)))


def a_hsplit(draw, shape):
    return (_sections(draw, shape[1] if len(shape) > 1 else shape[0]),)


def a_vsplit(draw, shape):
    return (_sections(draw, shape[0]),)


def a_tensor_split(draw, shape):
    dim = _dim(draw, len(shape))
    n = shape[dim]
    if draw(st.booleans()):
        return (draw(st.integers(1, n + 2)), dim)
    return (sorted(draw(st.lists(st.integers(0, n), max_size=3))), dim)


def a_chunk(draw, shape):
    dim = _dim(draw, len(shape))
    return (draw(st.integers(1, shape[dim] + 1)), dim)


def no_args(draw, shape):
    return ()


# --------------------------------------------------------------------------- the Tensor Views table
# Calls look the op up *at call time* (``getattr``), so a patched torch is what gets tested.


def _method(name):
    return lambda x, *a: getattr(x, name)(*a)


def _function(name):
    return lambda x, *a: getattr(torch, name)(x, *a)


def _attribute(name):
    return lambda x: getattr(x, name)


ONLY_COMPLEX = COMPLEX

#: (op name, argument strategy, min_dims, max_dims, dtypes, forms) for every op on the docs' list.
#: forms: "method" (x.op(...)), "torch" (torch.op(x, ...)), "attribute" (x.op).
VIEW_OPS = [
    ("adjoint", no_args, 2, 4, ALL, ("method", "torch")),
    ("as_strided", a_as_strided, 0, 3, ALL, ("method", "torch")),
    ("detach", no_args, 0, 3, ALL, ("method", "torch")),
    ("diagonal", a_diagonal, 2, 3, ALL, ("method", "torch")),
    ("expand", a_expand, 0, 3, ALL, ("method",)),
    ("expand_as", a_expand_as, 0, 3, ALL, ("method",)),
    ("movedim", a_movedim, 1, 4, ALL, ("method", "torch")),
    ("narrow", a_narrow, 1, 3, ALL, ("method", "torch")),
    ("permute", a_permute, 0, 4, ALL, ("method", "torch")),
    ("select", a_select, 1, 3, ALL, ("method", "torch")),
    ("squeeze", a_squeeze, 0, 4, ALL, ("method", "torch")),
    ("transpose", a_two_dims, 1, 3, ALL, ("method", "torch")),
    ("t", no_args, 0, 2, ALL, ("method", "torch")),
    ("T", None, 2, 2, ALL, ("attribute",)),  # T on ndim != 2 is deprecated (warns): not the claim
    ("H", None, 2, 2, ALL, ("attribute",)),  # H is defined for matrices only
    ("mT", None, 2, 4, ALL, ("attribute",)),
    ("mH", None, 2, 4, ALL, ("attribute",)),
    ("real", None, 0, 3, ONLY_COMPLEX, ("attribute", "torch")),
    ("imag", None, 0, 3, ONLY_COMPLEX, ("attribute", "torch")),
    ("view_as_real", no_args, 0, 3, ONLY_COMPLEX, ("torch",)),
    ("unflatten", a_unflatten, 1, 3, ALL, ("method", "torch")),
    ("unfold", a_unfold, 1, 3, ALL, ("method",)),
    ("unsqueeze", a_unsqueeze, 0, 3, ALL, ("method", "torch")),
    ("view", a_view, 0, 3, ALL, ("method",)),
    ("view_as", a_view_as, 0, 3, ALL, ("method",)),
    ("unbind", a_dim, 1, 3, ALL, ("method", "torch")),
    ("split", a_split, 1, 3, ALL, ("method", "torch")),
    ("hsplit", a_hsplit, 1, 3, ALL, ("method", "torch")),
    ("vsplit", a_vsplit, 2, 3, ALL, ("method", "torch")),
    ("tensor_split", a_tensor_split, 1, 3, ALL, ("method", "torch")),
    ("split_with_sizes", a_split_with_sizes, 1, 3, ALL, ("method", "torch")),
    ("swapaxes", a_two_dims, 1, 3, ALL, ("method", "torch")),
    ("swapdims", a_two_dims, 1, 3, ALL, ("method", "torch")),
    ("chunk", a_chunk, 1, 3, ALL, ("method", "torch")),
]


def _forms(name, forms):
    """(label, call) for each way of spelling the op: ``x.op(...)``, ``torch.op(x, ...)``, ``x.op``."""
    for form in forms:
        if name in ("expand_as", "view_as"):  # x.op(other): other has the drawn target shape
            yield f"Tensor.{name}", (lambda n: lambda x, target: getattr(x, n)(
                torch.empty(target, device=x.device)))(name)
        elif form == "attribute":
            yield f"Tensor.{name}", _attribute(name)
        elif form == "method":
            yield f"Tensor.{name}", _method(name)
        else:
            yield f"torch.{name}", _function(name)


def _view_cases():
    """(op name, argument strategy, min_dims, max_dims, dtypes, calls) for basic indexing and every listed op."""
    yield "basic-indexing", a_basic_index, 0, 4, ALL, [("x[basic index]", lambda x, idx: x[idx])]
    for name, args, lo, hi, dtypes, forms in VIEW_OPS:
        yield name, args or no_args, lo, hi, dtypes, list(_forms(name, forms))


# --------------------------------------------------------------------------- base layouts
# A view must be a view -- and select the right elements -- of ANY base, not only of a fresh contiguous
# one. Each layout is an enumerated case; its details (offset, permutation) are drawn inside.

#: base layouts: name -> (ranks it applies to, dtypes it applies to (None: the op's own))
VIEW_LAYOUTS = {
    "contiguous": (range(0, 5), None),
    "offset": (range(0, 5), None),  # contiguous at a storage offset of 1 to 3 elements
    "permuted": (range(2, 5), None),  # a contiguous tensor permuted (never the identity)
    "step_sliced": (range(1, 5), None),  # every other element of the last dim, at an offset
    "channels_last": ((4,), None),  # NCHW sizes over NHWC memory
    "expanded": (range(1, 5), None),  # dim 0 expanded from size 1: stride 0
    "conj_bit": (range(0, 5), COMPLEX),  # x.conj(): a lazily conjugated view
    "scalar": ((0,), None),  # 0-d
}
#: ops whose layout claim is narrower: ``view``/``view_as`` work without a copy only where the
#: target is viewable (contiguous bases), ``as_strided`` addresses the storage directly (the base's
#: strides play no part), ``view_as_real`` refuses a conj-bit base (its own claim below)
_OP_LAYOUTS = {
    "view": ("contiguous", "offset", "conj_bit", "scalar"),
    "view_as": ("contiguous", "offset", "conj_bit", "scalar"),
    "as_strided": ("contiguous", "offset", "scalar"),
}


def _layouts_for(name, lo, hi, dtypes):
    names = _OP_LAYOUTS.get(name, VIEW_LAYOUTS)
    for layout in names:
        ranks, only = VIEW_LAYOUTS[layout]
        if layout == "channels_last" and hi < 3:  # the matrix-only ops (T, H): no 4-D input
            continue
        if layout != "channels_last" and not any(lo <= r <= hi for r in ranks):
            continue
        if layout == "conj_bit" and name == "view_as_real":
            continue
        yield layout, [d for d in dtypes if only is None or d in only]


def _view_op_cases():
    """One case per op: its argument strategy, ranks, spellings and (layout, dtypes) for every base layout it takes."""
    for name, args, lo, hi, dtypes, calls in _view_cases():
        layouts = tuple((layout, tuple(layout_dtypes)) for layout, layout_dtypes in _layouts_for(name, lo, hi, dtypes))
        yield pytest.param(name, args, lo, hi, calls, layouts, id=name)


#: one case per op; every base layout it takes (and every dtype, every spelling) runs in every example:
#: one case per (op, layout) pair was ~480 pytest items for these two claims, ~0.7 s of the quick start's
#: wall time in per-item overhead alone on 2 cores, while looping reaches the same slices on every run
VIEW_CASES = list(_view_op_cases())


def _layout_draws(data, layout):
    """``data.draw`` with each draw labelled by the base layout it is for."""
    return lambda strategy, label=None: data.draw(strategy, label=f"{layout}: {label}")


@built_once
def _sides(rank, max_side):
    """Sides 1 to ``max_side`` whose simplest draw is 3, not 1: the first example hypothesis tries in a
    case (its simplest) is then an informative tensor (two unfold windows of step 2 fit, a narrow can
    start past 0), not a single element -- with a budget of a few examples per case that matters."""
    return st.lists(st.integers(0, max_side - 1).map(lambda k: (k + 2) % max_side + 1),
                    min_size=rank, max_size=rank).map(tuple)


_ranks = built_once(st.sampled_from)


def _layout_shape(draw, layout, min_dims, max_dims):
    """A shape for ``layout`` within the op's ranks; the simplest draw is the highest rank with sides 3."""
    if layout == "scalar":
        return ()
    if layout == "channels_last":
        return draw(_sides(4, 3), label="shape")
    ranks = [r for r in VIEW_LAYOUTS[layout][0] if min_dims <= r <= max_dims]
    rank = draw(_ranks(tuple(ranks[::-1])), label="rank")
    return draw(_sides(rank, 4), label="shape")


def draw_layout(draw, shape, layout):
    """The drawn details of ``layout`` for ``shape``: (storage offset, permutation)."""
    offset = draw(st.integers(1, 3), label="storage offset") if layout in ("offset", "step_sliced") else 0
    perm = None
    if layout == "permuted":
        perm = draw(st.permutations(range(len(shape))), label="perm")
        if perm == sorted(perm):
            perm = perm[::-1]
    return offset, perm


def laid_out_base(shape, dtype, device, layout, details):
    """(root, base): ``base`` has ``shape`` and distinct values in storage order of ``root``.

    ``root`` is the 1-D contiguous tensor owning the storage (values 0, 1, 2 ...; bool 0, 1, 0 ...;
    complex ``k + (k + 1)j``, so a lost conjugation shows); ``base`` is a view of it in ``layout``
    with the drawn ``details`` (see :data:`VIEW_LAYOUTS`).
    """
    offset, perm = details
    n = math.prod(shape)
    ndim = len(shape)
    rows = math.prod(shape[1:]) if ndim else 1
    total = offset + (2 * n if layout == "step_sliced" else rows if layout == "expanded" else n) + 1
    values = torch.arange(total, device=device)
    if dtype == torch.bool:
        root = (values % 2).bool()
    elif dtype.is_complex:
        root = torch.complex(values.double(), values.double() + 1).to(dtype)
    else:
        root = values.to(dtype)
    if layout in ("contiguous", "offset", "scalar"):
        return root, root[offset:offset + n].view(shape)
    if layout == "conj_bit":
        return root, root[:n].view(shape).conj()
    if layout == "permuted":
        inverse = [perm.index(i) for i in range(ndim)]
        return root, root[:n].view([shape[p] for p in perm]).permute(inverse)
    if layout == "channels_last":
        n_, c, h, w = shape
        return root, root[:n].view(n_, h, w, c).permute(0, 3, 1, 2)
    if layout == "expanded":
        return root, root[:rows].view(1, *shape[1:]).expand(shape)
    wide = [*shape[:-1], 2 * shape[-1]]
    return root, root[offset:offset + 2 * n].view(wide)[..., ::2]


@pytest.mark.parametrize("name, args, min_dims, max_dims, calls, layouts", VIEW_CASES)
@given(data=st.data())
@budget(len(VIEW_CASES))
def test_tensor_views_list_ops_return_views(device, name, args, min_dims, max_dims, calls, layouts, data):
    """Every op on the docs' Tensor Views list returns a view: same storage, writes go both ways.

    Ranges over every op on the list and basic indexing (each case: one op), and in every example over
    every base layout the op takes: contiguous, at a storage offset, permuted, step-sliced,
    channels_last (4-D), expanded (stride 0), conjugate-bit (complex) and 0-d; every dtype the op
    takes on it (bool, the integers, float16, bfloat16, float32, float64, complex64/128) and each
    spelling of it (method, ``torch.`` function, attribute; each on a fresh base) -- a failure names
    the spelling, layout, dtype and shape. Hypothesis draws, per layout, the shape (sides 1 to 4),
    the layout's offset/permutation and the op's arguments over their valid range. Every output (all pieces of ``split``/``unbind``/...) shares the base's
    storage; after bumping every element of the base's storage the outputs read the new values, and
    after writing one element through each output the op re-applied to the base reads what was
    written. Empty bases are out of scope (an empty view has nothing to write through).
    """
    for layout, dtypes in layouts:
        _views_of_one_layout(device, args, min_dims, max_dims, calls, layout, dtypes, _layout_draws(data, layout))


def _views_of_one_layout(device, args, min_dims, max_dims, calls, layout, dtypes, draw):
    __tracebackhide__ = True
    shape = _layout_shape(draw, layout, min_dims, max_dims)
    details = draw_layout(draw, shape, layout)
    op_args = args(draw, shape)
    draw(st.just(op_args), label="args")
    for dtype in dtypes:
        for label, call in calls:
            what = f"{label} on a {layout} {dtype} base {tuple(shape)}"
            root, base = laid_out_base(shape, dtype, device, layout, details)

            outs = _outputs(call(base, *op_args))
            for out in outs:
                assert_shares(out, base, what)

            root.copy_(_bump(root))  # base -> view (through the storage: an expanded base cannot be written whole)
            for out, fresh in _pairs(outs, call(base, *op_args)):
                assert_same(out, fresh, f"{what} after writing the base (vs the op re-applied)")

            for out in outs:  # view -> base (one element: expand/as_strided views may overlap)
                if out.numel():
                    first = (0,) * out.ndim
                    out[first] = _bump(out[first])
            for out, fresh in _pairs(outs, call(base, *op_args)):
                assert_same(fresh, out, f"{what} re-applied after writing through its output")


# --------------------------------------------------------------------------- which elements a view selects
# The oracle: numpy on the base's values (independent of torch's view machinery) for the elements,
# and the layout rules (strides and storage offset derived from the base's) where a rule is stated.


def _np(t: torch.Tensor) -> np.ndarray:
    """The values of ``t`` as a numpy array (conj/neg bits resolved, bfloat16 widened exactly)."""
    t = t.detach().resolve_conj().resolve_neg().cpu()
    return (t.float() if t.dtype == torch.bfloat16 else t).numpy()


def _perm_of(fn, ndim):
    """The axis permutation a numpy axis-reordering ``fn`` performs (read off distinct sizes)."""
    return [s - 1 for s in fn(np.empty(tuple(range(1, ndim + 1)), dtype=np.int8)).shape]


def _permuted(a, stride, off, fn, conj=False):
    perm = _perm_of(fn, a.ndim)
    vals = fn(a)
    return [(np.conj(vals) if conj else vals, [stride[p] for p in perm], off)]


def _pieces(a, stride, off, dim, edges):
    """Pieces of ``a`` along ``dim`` between consecutive ``edges``: values, base strides, offsets."""
    dim %= a.ndim
    return [(np.take(a, np.arange(lo, hi), axis=dim), list(stride), off + lo * stride[dim])
            for lo, hi in zip(edges, edges[1:])]


def _even_edges(n, size):
    return [*range(0, n, size), n] if n else [0, 0]


def _cum_edges(sizes):
    return [0, *np.cumsum(sizes).tolist()]


def _index_edges(n, indices):
    return [0, *[min(i, n) for i in indices], n]


def _section_edges(n, sections):
    if isinstance(sections, int):
        return _even_edges(n, n // sections)
    return _index_edges(n, sections)


def _o_diagonal(a, stride, off, offset, d1, d2):
    d1, d2 = d1 % a.ndim, d2 % a.ndim
    rest = [stride[i] for i in range(a.ndim) if i not in (d1, d2)]
    start = offset * stride[d2] if offset >= 0 else -offset * stride[d1]
    return [(np.diagonal(a, offset, d1, d2), [*rest, stride[d1] + stride[d2]], off + start)]


def _o_narrow(a, stride, off, dim, start, length):
    return _pieces(a, stride, off, dim, [start, start + length])


def _o_select(a, stride, off, dim, index):
    dim %= a.ndim
    index %= a.shape[dim]
    rest = [s for i, s in enumerate(stride) if i != dim]
    return [(np.take(a, index, axis=dim), rest, off + index * stride[dim])]


def _o_squeeze(a, stride, off, *dim):
    drop = [i for i in range(a.ndim) if a.shape[i] == 1 and (not dim or i == dim[0] % a.ndim)]
    return [(np.squeeze(a, tuple(drop)), [s for i, s in enumerate(stride) if i not in drop], off)]


def _o_t(a, stride, off):
    return [(a, list(stride), off)] if a.ndim < 2 else _permuted(a, stride, off, np.transpose)


def _o_unflatten(a, stride, off, dim, sizes):
    dim %= a.ndim
    n = a.shape[dim]
    sizes = [n // math.prod(s for s in sizes if s != -1) if s == -1 else s for s in sizes]
    shape = [*a.shape[:dim], *sizes, *a.shape[dim + 1:]]
    new = [sizes[1] * stride[dim], stride[dim]]
    return [(a.reshape(shape), [*stride[:dim], *new, *stride[dim + 1:]], off)]


def _o_unfold(a, stride, off, dim, size, step):
    dim %= a.ndim
    count = (a.shape[dim] - size) // step + 1
    windows = [np.moveaxis(np.take(a, np.arange(i * step, i * step + size), axis=dim), dim, -1)
               for i in range(count)]
    strides = [*stride[:dim], stride[dim] * step, *stride[dim + 1:], stride[dim]]
    return [(np.stack(windows, axis=dim), strides, off)]


def _o_split(a, stride, off, sizes, dim):
    n = a.shape[dim % a.ndim]
    edges = _even_edges(n, sizes) if isinstance(sizes, int) else _cum_edges(sizes)
    return _pieces(a, stride, off, dim, edges)


def _o_tensor_split(a, stride, off, sections, dim):
    n = a.shape[dim % a.ndim]
    if isinstance(sections, int):  # the first n % k pieces are one longer
        q, r = divmod(n, sections)
        edges = _cum_edges([q + 1] * r + [q] * (sections - r))
    else:
        edges = _index_edges(n, sections)
    return _pieces(a, stride, off, dim, edges)


def _o_chunk(a, stride, off, chunks, dim):
    n = a.shape[dim % a.ndim]
    return _pieces(a, stride, off, dim, _even_edges(n, -(-n // chunks)))


def _o_real_imag(part):
    def oracle(a, stride, off):  # a complex element is two reals: strides double, imag is one further
        return [(getattr(a, part), [2 * s for s in stride], 2 * off + (part == "imag"))]
    return oracle


def _values_only(fn):
    return lambda a, stride, off, *args: [(fn(a, *args), None, None)]


#: op name -> oracle(a, base strides, base offset, *op args) -> [(values, strides, offset)] per output
#: (strides/offset None where the docs state no layout rule). ``as_strided`` is handled apart: it
#: reads the storage, not the base.
ORACLES = {
    "basic-indexing": _values_only(lambda a, idx: a[idx]),
    "adjoint": lambda a, s, o: _permuted(a, s, o, lambda v: np.swapaxes(v, -1, -2), conj=True),
    "detach": lambda a, s, o: [(a, list(s), o)],
    "diagonal": _o_diagonal,
    "expand": _values_only(lambda a, sizes: np.broadcast_to(
        a, [a.shape[i - len(sizes) + a.ndim] if d == -1 else d for i, d in enumerate(sizes)])),
    "expand_as": _values_only(lambda a, target: np.broadcast_to(a, target)),
    "movedim": lambda a, s, o, src, dst: _permuted(a, s, o, lambda v: np.moveaxis(v, src, dst)),
    "narrow": _o_narrow,
    "permute": lambda a, s, o, dims: _permuted(a, s, o, lambda v: np.transpose(v, dims)),
    "select": _o_select,
    "squeeze": _o_squeeze,
    "transpose": lambda a, s, o, d0, d1: _permuted(a, s, o, lambda v: np.swapaxes(v, d0, d1)),
    "swapaxes": lambda a, s, o, d0, d1: _permuted(a, s, o, lambda v: np.swapaxes(v, d0, d1)),
    "swapdims": lambda a, s, o, d0, d1: _permuted(a, s, o, lambda v: np.swapaxes(v, d0, d1)),
    "t": _o_t,
    "T": lambda a, s, o: _permuted(a, s, o, np.transpose),
    "H": lambda a, s, o: _permuted(a, s, o, np.transpose, conj=True),
    "mT": lambda a, s, o: _permuted(a, s, o, lambda v: np.swapaxes(v, -1, -2)),
    "mH": lambda a, s, o: _permuted(a, s, o, lambda v: np.swapaxes(v, -1, -2), conj=True),
    "real": _o_real_imag("real"),
    "imag": _o_real_imag("imag"),
    "view_as_real": lambda a, s, o: [(np.stack([a.real, a.imag], axis=-1), [*(2 * x for x in s), 1], 2 * o)],
    "unflatten": _o_unflatten,
    "unfold": _o_unfold,
    "unsqueeze": _values_only(lambda a, d: np.expand_dims(a, d)),
    "view": _values_only(lambda a, *shape: a.reshape(shape)),
    "view_as": _values_only(lambda a, target: a.reshape(target)),
    "unbind": lambda a, s, o, dim: [(v, None, None) for v in np.moveaxis(a, dim, 0)] if a.ndim else [],
    "split": _o_split,
    "hsplit": lambda a, s, o, sec: _pieces(a, s, o, 1 if a.ndim > 1 else 0,
                                          _section_edges(a.shape[1 if a.ndim > 1 else 0], sec)),
    "vsplit": lambda a, s, o, sec: _pieces(a, s, o, 0, _section_edges(a.shape[0], sec)),
    "tensor_split": _o_tensor_split,
    "split_with_sizes": lambda a, s, o, sizes, dim: _pieces(a, s, o, dim, _cum_edges(sizes)),
    "chunk": _o_chunk,
}


def _o_as_strided(root, size, stride, offset):
    flat = _np(root)
    picked = np.lib.stride_tricks.as_strided(flat[offset:], shape=size,
                                             strides=[s * flat.itemsize for s in stride])
    return [(np.array(picked), list(stride), offset)]


@pytest.mark.parametrize("name, args, min_dims, max_dims, calls, layouts", VIEW_CASES)
@given(data=st.data())
@budget(len(VIEW_CASES))
def test_tensor_views_list_ops_select_the_elements_their_layout_rule_gives(
        device, name, args, min_dims, max_dims, calls, layouts, data):
    """Every op on the Tensor Views list selects the elements numpy selects, at the strides and storage offset its layout rule gives.

    Ranges over the same cases as the spec above (one per op) and, in every example, every spelling,
    every base layout the op takes (contiguous, storage offset, permuted, step-sliced, channels_last,
    expanded with stride 0, conjugate bit, 0-d) and every dtype it takes on it (bool, the integers,
    float16, bfloat16, float32/64, complex); the op arguments over their whole valid range (start, length, offsets,
    dims, split sizes incl. uneven ones and end points). Expected values come from numpy on the
    base's values (``np.diagonal``, ``np.split``, ``np.swapaxes``, ``reshape``, ``as_strided`` on
    the storage, explicit window indices for ``unfold``); expected strides/offsets from the base's:
    ``narrow``/``select``/split pieces add ``start*stride(dim)`` to the offset, ``transpose``-like
    ops permute strides, ``diagonal``'s stride is the sum of the two, ``unfold`` scales
    ``stride(dim)`` by ``step`` and appends it, ``real``/``imag``/``view_as_real`` double strides and
    offset (``imag`` one further).
    """
    for layout, dtypes in layouts:
        _selection_of_one_layout(device, name, args, min_dims, max_dims, calls, layout, dtypes, _layout_draws(data, layout))


def _selection_of_one_layout(device, name, args, min_dims, max_dims, calls, layout, dtypes, draw):
    __tracebackhide__ = True
    shape = _layout_shape(draw, layout, min_dims, max_dims)
    details = draw_layout(draw, shape, layout)
    op_args = args(draw, shape)
    draw(st.just(op_args), label="args")
    for dtype in dtypes:
        for label, call in calls:
            root, base = laid_out_base(shape, dtype, device, layout, details)
            outs = _outputs(call(base, *op_args))
            if name == "as_strided":
                expected = _o_as_strided(root, *op_args)
            else:
                expected = ORACLES[name](_np(base), list(base.stride()), base.storage_offset(), *op_args)
            assert len(outs) == len(expected), f"{label}: {len(outs)} outputs, but should be {len(expected)}"
            for i, (out, (values, strides, offset)) in enumerate(zip(outs, expected)):
                what = f"{label}{op_args} on a {layout} {dtype} base {tuple(shape)}, output {i}"
                got = _np(out)
                assert got.shape == values.shape, f"{what}: shape {got.shape}, but should be {values.shape}"
                assert np.array_equal(got, values), f"{what}: values\n{got}\nbut should be\n{values}"
                if strides is not None:  # a size-1 dim's stride is never used to address an element
                    got_s = tuple(s if n > 1 else None for s, n in zip(out.stride(), out.shape))
                    want_s = tuple(s if n > 1 else None for s, n in zip(strides, values.shape))
                    assert got_s == want_s, f"{what}: stride {out.stride()}, but should be {tuple(strides)} (size-1 dims aside)"
                if offset is not None:
                    assert out.storage_offset() == offset, \
                        f"{what}: storage_offset={out.storage_offset()}, but should be {offset}"


@pytest.mark.parametrize("dtype", dtype_params(COMPLEX))
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4))
@budget(len(COMPLEX))
def test_view_as_real_refuses_a_conjugate_bit_tensor(device, dtype, shape):
    """``torch.view_as_real`` refuses a tensor whose conjugate bit is set (``x.conj()``) instead of viewing unconjugated memory.

    Ranges over both complex dtypes and shapes of rank 0 to 3. The memory holds the unconjugated
    values, so a real view of it could not show ``x.conj()``'s imaginary parts; torch raises
    RuntimeError "view_as_real doesn't work on unresolved conjugated tensors" (``resolve_conj()``
    first gives a copy that can be viewed).
    """
    x = laid_out_base(shape, dtype, device, "conj_bit", (0, None))[1]
    with raises(RuntimeError, "unresolved conjugated", f"torch.view_as_real(x.conj()) of {dtype}"):
        torch.view_as_real(x)
    r = torch.view_as_real(x.resolve_conj())
    assert_same(r[..., 1], x.imag.resolve_neg(), "view_as_real(x.resolve_conj())[..., 1]")


@pytest.mark.parametrize("accessor", ["values", "indices"])
@given(shape=st.tuples(st.integers(1, 4), st.integers(1, 4)), keep=st.integers(1, 2 ** 20 - 1))
def test_coalesced_sparse_coo_values_and_indices_are_views(device, accessor, shape, keep):
    """``values()`` and ``indices()`` of a coalesced sparse COO tensor are views of its memory.

    A sparse tensor has no storage pointer to compare, so the claim rests on writes: ``values()``
    first reads the stored entries in row-major order (``indices()`` their coordinates, built
    here from the bit pattern, not by torch); writing through ``values()`` then changes the sparse
    tensor's values, and shifting every row index by one through ``indices()`` (the last dense row
    is kept empty so indices stay valid and sorted) moves the sparse tensor's entries down one row.
    """
    rows, cols = shape[0] + 1, shape[1]
    stored = [(i // cols, i % cols) for i in range(rows * cols) if (keep >> i) & 1 and i // cols < rows - 1]
    assume(stored)  # with no stored entry there is nothing to write through
    mask = torch.zeros(rows, cols, dtype=torch.bool)
    for r, c in stored:
        mask[r, c] = True
    dense = (torch.arange(1.0, rows * cols + 1).reshape(rows, cols) * mask).to(device)
    s = dense.to_sparse()
    assert s.is_coalesced()
    part = getattr(s, accessor)()
    if accessor == "values":
        entries = torch.tensor([float(r * cols + c + 1) for r, c in stored], device=device)
    else:
        entries = torch.tensor([[r for r, _ in stored], [c for _, c in stored]], device=device)
    assert_same(part, entries, f"s.{accessor}()")
    if accessor == "values":
        part.mul_(-1)
        expected = -dense
    else:
        part[0] += 1
        expected = dense.roll(1, dims=0)
    assert_same(s.to_dense(), expected, f"s.to_dense() after writing through {accessor}()")


# --------------------------------------------------------------------------- x.T beyond matrices

#: x.T's deprecation warnings, by the rank of x (TORCH_WARN_ONCE in ATen: seen every time under set_warn_always)
T_WARNINGS = {0: "Tensor.T is deprecated on 0-D tensors", 1: "The use of `x.T` on tensors of dimension other than 2",
              3: "The use of `x.T` on tensors of dimension other than 2", 4: "The use of `x.T` on tensors of dimension other than 2"}


@pytest.mark.parametrize("rank", [0, 1, 2, 3, 4], ids=lambda r: f"{r}-d")
@pytest.mark.parametrize("dtype", [torch.float32, torch.int64, torch.complex64], ids=dtype_id)
def test_t_reverses_every_dimension_as_a_view_and_warns_it_is_deprecated_except_on_a_matrix(device, rank, dtype):
    """x.T is a view reversing all of x's dimensions; on anything but a matrix it warns UserWarning that this use is deprecated (x.mT and x.permute are the spellings that stay).

    Ranges over: ranks 0-4 (enumerated) × float32, int64 and complex64 (enumerated); x holds 0, 1, 2, ...
    in shape (2, 3, 4, 5)[:rank]. ``x.T`` equals numpy's ``.T`` of the same values (every axis reversed),
    shares x's memory, and warns -- under ``torch.set_warn_always(True)``, as ATen warns once per process
    otherwise -- "Tensor.T is deprecated on 0-D tensors" for a 0-d x, "The use of `x.T` on tensors of
    dimension other than 2 ... is deprecated" for 1-, 3- and 4-d x, and nothing for a matrix.
    """
    shape = (2, 3, 4, 5)[:rank]
    a = np.arange(int(np.prod(shape)), dtype=TORCH_TO_NUMPY[dtype]).reshape(shape)
    x = torch.from_numpy(a).to(device)
    with warn_always(), warnings_recorded() as caught:
        out = x.T
    found = [(w.category, str(w.message)) for w in caught if "x.T" in str(w.message) or "Tensor.T" in str(w.message)]
    if rank == 2:
        assert found == [], f"x.T of a matrix warned {found}, but should not warn"
    else:
        assert [c for c, m in found if T_WARNINGS[rank] in m] == [UserWarning], (
            f"x.T of a {rank}-d tensor warned {found}, but should warn one UserWarning: {T_WARNINGS[rank]!r}"
        )
    assert_same(out.cpu(), torch.from_numpy(a.T.copy()), f"x.T of a {rank}-d tensor")
    assert_shares(out, x, f"x.T of a {rank}-d tensor")


# --------------------------------------------------------------------------- indexing


@st.composite
def advanced_indices(draw, n):
    """An integer list, an integer tensor or a boolean mask over a dimension of size ``n``."""
    kind = draw(st.sampled_from(["list", "tensor", "mask"]))
    if kind == "mask":
        return torch.tensor(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    positions = draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=4))
    return positions if kind == "list" else torch.tensor(positions)


#: base layouts the indexing specs range over (an expanded base cannot be written element by element)
INDEX_LAYOUTS = ("contiguous", "offset", "permuted", "step_sliced", "channels_last", "conj_bit")
INDEX_CASES = [pytest.param(layout, id=layout) for layout in INDEX_LAYOUTS]


def _layout_dtypes(layout):
    return COMPLEX if layout == "conj_bit" else ALL


def _advanced(draw, n, device):
    advanced = draw(advanced_indices(n), label="advanced index")
    if isinstance(advanced, torch.Tensor) and advanced.dtype == torch.bool and not advanced.any():
        advanced[0] = True  # an empty selection has nothing to write through
    return advanced.to(device) if isinstance(advanced, torch.Tensor) else advanced


@pytest.mark.parametrize("layout", INDEX_CASES)
@given(data=st.data())
@budget(len(INDEX_CASES))
def test_basic_indexing_is_a_view_advanced_indexing_is_a_copy(device, layout, data):
    """Basic indexing (ints, slices) returns a view; advanced indexing (int list/tensor, bool mask) copies.

    The source note says "indexing never allocates new memory": true only for basic indexing.
    Ranges over every dtype (all in every example; complex only for the conjugate-bit base) and
    every base layout (contiguous, storage offset, permuted, step-sliced, channels_last, conjugate
    bit), with drawn shapes, basic indices (ints incl. negative, slices with steps 1-3, ``None``,
    ``...``) and advanced indices (an int list or tensor incl. negative and repeated positions, a
    bool mask). The view shares x's storage, and writing every element through it changes exactly
    the elements numpy's indexing of the same index selects (a view over the right storage but the
    wrong window fails). The copy owns new storage and writing to it leaves the base untouched.
    """
    shape = _layout_shape(data.draw, layout, 1, 3)
    details = draw_layout(data.draw, shape, layout)
    basic = a_basic_index(data.draw, shape)[0]
    advanced = _advanced(data.draw, shape[0], device)
    for dtype in _layout_dtypes(layout):
        x = laid_out_base(shape, dtype, device, layout, details)[1]
        before = _np(x).copy()

        view = x[basic]
        assert_shares(view, x, f"{dtype} x[{basic}]")

        copy = x[advanced]
        assert_owns(copy, x, f"{dtype} x[{advanced!r}]")
        copy.copy_(_bump(copy))
        assert np.array_equal(_np(x), before), f"{dtype} x after writing the copy x[{advanced!r}]: changed"

        view.copy_(_bump(view))  # every element: a basic index never selects one element twice
        expected = before.copy()
        expected[basic] = _bump_np(expected[basic])
        assert np.array_equal(_np(x), expected), (
            f"{dtype} x after writing the view x[{basic}]:\n{_np(x)}\nbut should be\n{expected}"
        )


@pytest.mark.parametrize("layout", INDEX_CASES)
@given(data=st.data())
@budget(len(INDEX_CASES))
def test_index_assignment_writes_into_the_tensor_for_basic_and_advanced_indices(device, layout, data):
    """``x[idx] = v`` writes into x's own memory for basic and advanced indices alike.

    Reading ``x[[0, 2]]`` copies, but ``x[[0, 2]] = v`` does not write into such a copy: it is an
    in-place op on x (``index_put_`` for advanced indices, ``copy_`` -- ``fill_`` for a scalar --
    into the view ``x[idx]`` for basic ones). x keeps its storage, and the selected elements hold
    the new values. Ranges over the dtypes, layouts and indices of the spec above.
    """
    shape = _layout_shape(data.draw, layout, 1, 3)
    details = draw_layout(data.draw, shape, layout)
    basic = a_basic_index(data.draw, shape)[0]
    advanced = _advanced(data.draw, shape[0], device)
    for dtype in _layout_dtypes(layout):
        for idx in (basic, advanced):
            x = laid_out_base(shape, dtype, device, layout, details)[1]
            address = ptr(x)
            new = _bump(x[idx])
            x[idx] = new
            assert ptr(x) == address, f"{dtype} x moved to storage {ptr(x):#x} from {address:#x}"
            assert_same(x[idx], new, f"{dtype} x[{idx!r}] after x[{idx!r}] = v")


# --------------------------------------------------------------------------- y = x + y vs y += x


@built_once
def _finite(dtype, shape):
    """cpu tensors of ``dtype``/``shape`` with finite values of magnitude <= 1000 for float/complex.

    The sum is only there to check *where* it is written; inf/NaN would test complex-infinity
    arithmetic (``inf + 0j`` differs between kernels), which is not this module's concept.
    """
    if dtype == torch.bfloat16:
        return _finite(torch.float32, shape).map(lambda t: t.to(torch.bfloat16))
    np_dtype = TORCH_TO_NUMPY[dtype]
    if dtype.is_complex:
        elements = hnp.from_dtype(np_dtype, allow_nan=False, allow_infinity=False, max_magnitude=1000)
    elif dtype.is_floating_point:
        elements = hnp.from_dtype(np_dtype, allow_nan=False, allow_infinity=False,
                                  min_value=-1000, max_value=1000)
    else:
        elements = hnp.from_dtype(np_dtype)
    return hnp.arrays(np_dtype, shape, elements=elements).map(lambda a: torch.tensor(a))  # looked up per draw


_Y_SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)


@st.composite
def operand_shapes(draw):
    """(y's shape, x's shape): rank 0 to 3, x broadcastable *to* y's shape (a 0-d x included)."""
    y_shape = draw(_Y_SHAPES)
    k = draw(st.integers(0, len(y_shape)))
    return y_shape, tuple(1 if draw(st.booleans()) else n for n in y_shape[len(y_shape) - k:])


#: how ``y = x + y`` can be spelled: (y, x) -> the new y
OUT_OF_PLACE_FORMS = {
    "x + y": lambda y, x: x + y,
    "torch.add(x, y)": lambda y, x: torch.add(x, y),
    "x.add(y)": lambda y, x: x.add(y),
}
@pytest.mark.parametrize("form", list(OUT_OF_PLACE_FORMS))
@given(shapes=operand_shapes(), data=st.data())
@budget(len(OUT_OF_PLACE_FORMS) * len(ALL))
def test_out_of_place_add_allocates_new_memory_and_leaves_operands_alone(device, form, shapes, data):
    """``y = x + y`` allocates new memory for the result and rebinds ``y``; old y and x are unchanged.

    Ranges over the spellings ``x + y``, ``torch.add(x, y)`` and ``x.add(y)``, one case each, and --
    in every example -- every dtype of y and, for each, every dtype of x (any pair: out of place the
    result promotes), with drawn finite values and shapes (x broadcast to y's shape, 0-d included).
    Failures name both dtypes. One pair is left to the spec below: a bfloat16 y of rank >= 1 with a
    0-d complex x (a known bug on 2.14).
    """
    y_shape, x_shape = shapes
    for y_dtype in ALL:
        y0 = data.draw(_finite(y_dtype, y_shape), label=f"y {dtype_id(y_dtype)}").to(device)
        for x_dtype in ALL:
            if _bcomplex32(y_dtype, y_shape, x_dtype, x_shape):
                continue  # the spec below: a known bug on 2.14
            x = data.draw(_finite(x_dtype, x_shape), label=f"y {dtype_id(y_dtype)}: x {dtype_id(x_dtype)}").to(device)
            y = y0.clone()
            y_before, x_before = y.clone(), x.clone()
            old_y = y
            y = OUT_OF_PLACE_FORMS[form](y, x)
            what = f"{form} with y {y_dtype}, x {x_dtype}"
            assert_owns(y, old_y, f"{what} (vs y)")
            assert_owns(y, x, f"{what} (vs x)")
            assert_same(old_y, y_before, f"the old y after y = {form} with y {y_dtype}, x {x_dtype}")
            assert_same(x, x_before, f"x after y = {form} with y {y_dtype}, x {x_dtype}")


def _bcomplex32(y_dtype, y_shape, x_dtype, x_shape):
    """The pair whose result type is bcomplex32: a bfloat16 tensor of rank >= 1 and a 0-d complex tensor."""
    return y_dtype == torch.bfloat16 and x_dtype.is_complex and len(y_shape) > 0 and len(x_shape) == 0


@pytest.mark.known_bug(">=2.14", issue="https://github.com/pytorch/pytorch/issues/177859",
                       reason="a 0-d complex tensor with a bfloat16 tensor promotes to the experimental bcomplex32 "
                       "dtype (added in 2.14, pytorch#186928), which has no add kernel: NotImplementedError "
                       "'\"add_stub\" not implemented for BComplex32' (fix proposed in pytorch#194980)")
@pytest.mark.parametrize("x_dtype", dtype_params(COMPLEX))
def test_out_of_place_add_of_a_bfloat16_tensor_and_a_0d_complex_tensor_allocates_a_complex_result(device, x_dtype):
    """``y = x + y`` with a bfloat16 y and a 0-d complex x allocates a new complex tensor, like every other dtype pair.

    The pair the spec above leaves out, for both complex dtypes of x (y: a bfloat16 matrix; the
    rank of y does not enter the promotion). Type promotion lets the 0-d tensor's category
    (complex) win with y's precision; before 2.14 that gave complex64 (pytorch#43324: bfloat16 x
    complex64 -> complex64). The result owns new memory, is complex, and holds y + x.
    """
    y_shape = (2, 3)
    y = base_tensor(y_shape, torch.bfloat16, device)
    x = torch.tensor(1 + 2j, dtype=x_dtype, device=device)
    out = x + y
    assert out.is_complex(), f"x + y dtype={out.dtype}, but should be complex"
    assert_owns(out, y, "x + y (vs y)")
    assert_same(out.real.float(), y.float() + 1, "(x + y).real")


def _iadd(y, x):
    y += x
    return y


#: how ``y += x`` can be spelled: (y, x) -> what the form returns (the new binding of y)
IN_PLACE_FORMS = {
    "iadd": ("y += x", _iadd),
    "add_": ("y.add_(x)", lambda y, x: y.add_(x)),
    "add-out": ("torch.add(x, y, out=y)", lambda y, x: torch.add(x, y, out=y)),
    "add-out-self": ("torch.add(y, x, out=y)", lambda y, x: torch.add(y, x, out=y)),
}
#: the dtypes of y that some dtype of x is of a higher category than (every one below complex)
REFUSAL_Y_DTYPES = tuple(dtype for dtype in ALL if not dtype.is_complex)


@pytest.mark.parametrize("form", list(IN_PLACE_FORMS))
@given(shapes=operand_shapes(), data=st.data())
@budget(len(IN_PLACE_FORMS) * len(ALL))
def test_in_place_add_writes_into_the_existing_memory(device, form, shapes, data):
    """``y += x``, ``y.add_(x)`` and ``torch.add(x, y, out=y)`` write into y's existing memory.

    Ranges over the spellings ``y += x``, ``y.add_(x)``, ``torch.add(x, y, out=y)`` and
    ``torch.add(y, x, out=y)``, one case each, and -- in every example -- every dtype of y and, for
    each, every dtype of x of the same or a lower category (bool < integer < floating < complex; the
    higher ones are the refusal below), with drawn finite values and shapes (x broadcast to y's
    shape, 0-d included). The result is the very same tensor object, its storage address is
    unchanged, its dtype is y's, and it holds ``(y + x)`` cast to y's dtype. Failures name both dtypes.
    """
    label, fn = IN_PLACE_FORMS[form]
    y_shape, x_shape = shapes
    for y_dtype in ALL:
        y0 = data.draw(_finite(y_dtype, y_shape), label=f"y {dtype_id(y_dtype)}").to(device)
        for x_dtype in (d for d in ALL if _category(d) <= _category(y_dtype)):
            x = data.draw(_finite(x_dtype, x_shape), label=f"y {dtype_id(y_dtype)}: x {dtype_id(x_dtype)}").to(device)
            y = y0.clone()
            what = f"{label} with y {y_dtype}, x {x_dtype}"
            expected = (y + x).to(y.dtype)
            address, before = ptr(y), y
            out = fn(y, x)
            assert out is before, f"{what} returned a different tensor object"
            assert ptr(out) == address, f"{what}: y's storage moved from {address:#x} to {ptr(out):#x}"
            assert_dtype(out, before.dtype, f"{what}: y")
            assert_same(out, expected, f"{what}: y")


@pytest.mark.parametrize("form", list(IN_PLACE_FORMS))
@given(shapes=operand_shapes())
@budget(len(IN_PLACE_FORMS) * len(REFUSAL_Y_DTYPES))
def test_in_place_add_keeps_dtype_and_raises_when_other_is_of_higher_category(device, form, shapes):
    """In place, ``y += x`` raises RuntimeError when x's dtype is of a higher category than y's.

    Categories: bool < integer < floating < complex. ``int_tensor += float_tensor`` raises
    ("result type Float can't be cast to the desired output type Long") and leaves y untouched;
    ``y = y + x`` would promote instead (the spec above covers the pairs that are fine, where y
    keeps its dtype). Ranges over the four in-place spellings of the spec above, one case each, and
    -- in every example -- every dtype of y below complex and, for each, every dtype of x of a
    higher category, with drawn shapes (x broadcast to y's shape, 0-d included: a 0-d x of a higher
    category decides the result type as well). Failures name both dtypes.
    """
    label, fn = IN_PLACE_FORMS[form]
    y_shape, x_shape = shapes
    for y_dtype in REFUSAL_Y_DTYPES:
        for x_dtype in (d for d in ALL if _category(d) > _category(y_dtype)):
            y = base_tensor(y_shape, y_dtype, device)
            x = base_tensor(x_shape, x_dtype, device)
            before = y.clone()
            with raises(RuntimeError, "can't be cast", f"{label} with y {y_dtype}, x {x_dtype}"):
                fn(y, x)
            assert_same(y, before, f"y after a refused {label} with y {y_dtype}, x {x_dtype}")


@st.composite
def self_broadcast_shapes(draw):
    """(y's shape, x's shape): x broadcasts y to a larger shape -- a leading dimension y lacks, or a
    side of y's that is 1 where x's is larger."""
    y_shape = list(draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3)))
    if draw(st.booleans(), label="grow a side of 1") and 1 in y_shape:
        x_shape = [draw(st.integers(2, 3)) if n == 1 else n for n in y_shape]
    else:
        x_shape = [draw(st.integers(2, 3))] + y_shape
    return tuple(y_shape), tuple(x_shape)


@pytest.mark.parametrize("form", list(IN_PLACE_FORMS))
@pytest.mark.parametrize("dtype", dtype_params((torch.int64, torch.float32)))
@given(shapes=self_broadcast_shapes())
@budget(2 * len(IN_PLACE_FORMS))
def test_in_place_add_refuses_a_result_that_would_broadcast_y_and_out_of_place_does_not(device, form, dtype, shapes):
    """``y += x`` refuses (RuntimeError "doesn't match the broadcast shape") when the result would need y itself to grow, leaving y as it was; ``y = x + y`` gives the broadcast shape.

    Ranges over the four in-place spellings (``y += x``, ``y.add_(x)``, ``torch.add(x, y, out=y)``,
    ``torch.add(y, x, out=y)``; enumerated), an integer and a floating dtype, and drawn shapes where
    x broadcasts y to a larger shape (a leading dimension y lacks, or a side where y has 1). An
    in-place op never resizes its destination (docs: "Broadcasting semantics", in-place semantics).
    """
    label, fn = IN_PLACE_FORMS[form]
    y_shape, x_shape = shapes
    y, x = base_tensor(y_shape, dtype, device), base_tensor(x_shape, dtype, device)
    before = y.clone()
    with raises(RuntimeError, "doesn't match the broadcast shape", f"{label} with y of shape {y_shape}, x of shape {x_shape}"):
        fn(y, x)
    assert tuple(y.shape) == y_shape, f"y.shape={tuple(y.shape)} after a refused {label}, but should stay {y_shape}"
    assert_same(y, before, f"y after a refused {label}")
    out = x + y
    assert tuple(out.shape) == tuple(torch.broadcast_shapes(x_shape, y_shape)), f"(x + y).shape={tuple(out.shape)}"


#: writes whose input overlaps the written tensor in part: label -> (make x, the write)
PARTIAL_OVERLAPS = {  # f: x flattened (a view), whose f[1:] and f[:-1] share all but one element each
    "f[1:].add_(f[:-1])": (lambda x: (lambda f: f[1:].add_(f[:-1]))(x.view(-1))),
    "torch.add(f[:-1], 1, out=f[1:])": (lambda x: (lambda f: torch.add(f[:-1], 1, out=f[1:]))(x.view(-1))),
    "f[1:].copy_(f[:-1])": (lambda x: (lambda f: f[1:].copy_(f[:-1]))(x.view(-1))),
    "f[1:] = f[:-1]": (lambda x: (lambda f: f.__setitem__(slice(1, None), f[:-1]))(x.view(-1))),
    "x.add_(x.mT)": (lambda x: x.add_(x.mT)),
    "x += x.mT": (lambda x: x.__iadd__(x.mT)),
}


@pytest.mark.parametrize("write", list(PARTIAL_OVERLAPS))
@pytest.mark.parametrize("dtype", dtype_params((torch.int64, torch.float32)))
@given(n=st.integers(2, 4))
@budget(2 * len(PARTIAL_OVERLAPS))
def test_a_write_from_an_input_that_partly_overlaps_its_destination_is_refused_and_an_exact_alias_is_not(device, write, dtype, n):
    """An in-place or ``out=`` write whose input shares some but not all of the destination's memory raises RuntimeError ("refer to a single memory location", clone() first) and leaves it alone; an input that is exactly the destination is fine.

    Ranges over six partly overlapping writes (enumerated: with ``f = x.view(-1)``,
    ``f[1:].add_(f[:-1])``, ``out=f[1:]`` from ``f[:-1]``, ``copy_``, slice assignment; ``add_`` and
    ``+=`` of x's transpose) on an n x n tensor, an integer and a floating dtype. The exact alias ``torch.add(x, 1, out=x)`` adds 1 to
    every element (pytorch#8212: such writes once gave silently wrong results).
    """
    x = base_tensor((n, n), dtype, device)
    before = x.clone()
    with raises(RuntimeError, "refer to a single memory location", f"{write} on a {n} x {n} tensor"):
        PARTIAL_OVERLAPS[write](x)
    assert_same(x, before, f"x after the refused {write}")
    torch.add(x, 1, out=x)
    assert_same(x, before + 1, "x after torch.add(x, 1, out=x)")


@pytest.mark.parametrize("dtype", dtype_params((torch.int64, torch.float32)))
@given(n=st.integers(1, 5), other=st.integers(1, 6))
@budget(2)
def test_an_out_of_the_wrong_size_is_resized_with_a_user_warning_and_an_empty_out_silently(device, dtype, n, other):
    """``torch.add(a, 1, out=o)`` with a non-empty ``o`` of the wrong shape resizes ``o`` to the result's shape with a UserWarning ("was resized", deprecated); an empty ``o`` is resized silently; either way ``o`` is the result.

    Ranges over an integer and a floating dtype and drawn sizes of the result (n) and of ``o``
    (another size; 0 for the empty case).
    """
    assume(other != n)
    a = base_tensor((n,), dtype, device)
    for size, warns in ((other, True), (0, False)):
        o = torch.empty(size, dtype=dtype, device=device)
        with warnings_recorded() as caught:
            result = torch.add(a, 1, out=o)
        resized = [w for w in caught if issubclass(w.category, UserWarning) and "was resized" in str(w.message)]
        assert bool(resized) == warns, (
            f"torch.add(a, 1, out=o) with o of {size} elements for a result of {n} warned {[str(w.message)[:60] for w in caught]}, "
            f"but should {'warn that o was resized' if warns else 'resize it silently'}"
        )
        assert result is o and tuple(o.shape) == (n,), f"out=o of {size} elements: o.shape={tuple(o.shape)}, but should be ({n},)"
        assert_same(o, a + 1, f"o after torch.add(a, 1, out=o) with o of {size} elements")


# --------------------------------------------------------------------------- expand, view/reshape

DTYPE_CASES = dtype_params(ALL)


@pytest.mark.parametrize("dtype", DTYPE_CASES)
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3),
       data=st.data())
@budget(len(DTYPE_CASES))
def test_expand_gives_stride_zero_without_new_memory_and_refuses_in_place_writes(device, shape, dtype, data):
    """``expand`` gives stride 0 along expanded dims without new memory; in-place ``add_`` on it raises, ``fill_`` writes through.

    Every expanded element along a broadcast dim is the same memory cell, so an in-place op that
    computes from the old values (here ``add_``) raises "more than one element of the written-to
    tensor refers to a single memory location" instead of silently writing one cell many times,
    leaving the base unchanged. ``fill_`` writes one value everywhere, so it is allowed -- and lands
    in the base, since there is no other memory. Ranges over every dtype, bases of rank 1 to 3 with
    drawn size-1 dims, each expanded 2 or 3 times.
    """
    ones = data.draw(st.sets(st.integers(0, len(shape) - 1), min_size=1), label="size-1 dims")
    base = base_tensor(tuple(1 if i in ones else n for i, n in enumerate(shape)), dtype, device)
    target = tuple(n * data.draw(st.integers(2, 3)) if n == 1 else n for n in base.shape)
    before = base.clone()
    e = base.expand(*target)
    assert_shares(e, base, f"base.expand{target}")
    for size, old, stride in zip(e.shape, base.shape, e.stride()):
        if old == 1 and size > 1:
            assert stride == 0, f"expanded stride={e.stride()}, but should be 0 on expanded dims"
    with raises(RuntimeError, "single memory location", f"e.add_(v) on e = base.expand{target}"):
        e.add_(_bump(e[(0,) * e.ndim]).to(dtype))
    assert_same(base, before, "base after a refused e.add_(v)")
    value = _bump(e[(0,) * e.ndim]).item()  # a Python scalar: fill_(tensor) goes through copy_ and is refused too
    e.fill_(value)
    assert_same(base, torch.full_like(base, value), f"base after e.fill_({value})")


@pytest.mark.parametrize("dtype", DTYPE_CASES)
@given(shape=hnp.array_shapes(min_dims=2, max_dims=4, min_side=1, max_side=4),
       data=st.data())
@budget(len(DTYPE_CASES))
@example(shape=(3, 4), data=None)  # the classic transposed matrix
@example(shape=(1, 4), data=None)  # permuted, but still contiguous: view works
def test_view_on_an_incompatible_layout_raises_naming_reshape_and_reshape_copies(device, shape, dtype, data):
    """For a permuted tensor ``x.view(-1)`` works iff x is contiguous; otherwise it raises naming ``reshape``, which copies.

    For a permuted tensor (size-1 dims included) flattening is possible without a copy exactly
    when ``is_contiguous()``; then ``view`` shares memory, and a write through it shows in x.
    Otherwise ``view`` raises RuntimeError pointing to ``.reshape(...)``, and ``reshape`` -- having
    no view to return -- owns new memory with the same values. (When a view *is* possible reshape returns one:
    the next claim.) Ranges over every dtype and every permutation of shapes of rank 2 to 4
    (channels_last is one of them).
    """
    perm = list(reversed(range(len(shape)))) if data is None else data.draw(st.permutations(range(len(shape))))
    x = base_tensor(shape, dtype, device).permute(perm)
    if x.is_contiguous():
        before = x.clone()
        v = x.view(-1)
        assert_shares(v, x, f"x.view(-1) of strides {x.stride()}")
        v.copy_(_bump(v))
        assert_same(x, _bump(before), "x after writing x.view(-1)")
        return
    with raises(RuntimeError, "reshape", f"x.view(-1) of shape {tuple(x.shape)}, strides {x.stride()}"):
        x.view(-1)
    r = x.reshape(-1)
    assert_owns(r, x, f"x.reshape(-1) of strides {x.stride()}")
    assert_same(r.view(x.shape), x, "x.reshape(-1).view(x.shape)")


#: the flattening and reshaping spellings, each given a contiguous x: (the result, the shape it must have)
RESHAPES = {
    "x.reshape(-1)": lambda x: x.reshape(-1),
    "torch.reshape(x, (-1,))": lambda x: torch.reshape(x, (-1,)),
    "x.reshape(1, *x.shape)": lambda x: x.reshape(1, *x.shape),
    "x.reshape(x.shape[::-1])": lambda x: x.reshape(x.shape[::-1]),
    "x.flatten()": lambda x: x.flatten(),
    "torch.flatten(x)": lambda x: torch.flatten(x),
    "x.ravel()": lambda x: x.ravel(),
    "x.view(-1)": lambda x: x.view(-1),
}


@pytest.mark.parametrize("dtype", DTYPE_CASES)
@given(shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4))
@budget(len(DTYPE_CASES))
@example(shape=(2, 3))
def test_reshape_and_flatten_of_a_contiguous_tensor_are_views(device, dtype, shape):
    """reshape, flatten and ravel of a contiguous tensor return views of it (no copy), like view: a write through the result shows in x.

    Ranges over every dtype (enumerated) × contiguous shapes of rank 1 to 4 (drawn) × eight spellings (all in
    every example: ``reshape`` as method and function, to the flat, an added-dim and the reversed shape,
    ``flatten`` as method and function, ``ravel``, and ``view`` for reference). The docs: "Contiguous inputs
    and inputs with compatible strides can be reshaped without copying" (``torch.reshape``) and flatten
    "may return the original object, a view, or copy" -- for a contiguous input torch returns a view (or,
    flattening a 1-d tensor, x itself). Each result holds x's values in row-major order.
    """
    x = base_tensor(shape, dtype, device)
    flat = x.clone().view(-1)
    for form, fn in RESHAPES.items():
        out = fn(x)
        assert_shares(out, x, f"{form} of a contiguous {tuple(shape)} tensor")
        assert_same(out.reshape(-1), flat, f"{form}: values in row-major order")
        before = x.clone()
        out.copy_(_bump(out))
        assert_same(x, _bump(before), f"x after writing {form}")
        x.copy_(before)


def _bytes_as(raw: np.ndarray, dtype: torch.dtype) -> np.ndarray:
    """The rows of bytes ``raw`` read as ``dtype`` by numpy (bfloat16, which numpy lacks: its bits as float32)."""
    if dtype == torch.bfloat16:
        return (raw.view(np.uint16).astype(np.uint32) << 16).view(np.float32)
    return raw.view(TORCH_TO_NUMPY[dtype])


@pytest.mark.parametrize("dtype", DTYPE_CASES)
@given(rows=st.integers(1, 3), words=st.integers(1, 3), data=st.data())
@budget(len(DTYPE_CASES))
def test_view_as_another_dtype_shares_memory_and_reads_the_same_bytes(device, dtype, rows, words, data):
    """x.view(other_dtype) shares x's memory and reads its bytes as other_dtype, like numpy's ndarray.view, for every pair of dtypes (element sizes equal or not).

    Ranges over every source dtype (enumerated) times every target dtype but bool (all of them, in
    each example), on contiguous rows x (1-3 rows of 16-48 bytes: every element size divides them) of any
    bit pattern (nan payloads included; a bool source holds 0/1 bytes, the only valid bools). The
    source is built with ``torch.frombuffer`` and the oracle is numpy's ``view`` of the same bytes
    (bfloat16: its bits shifted into a float32). Listed on the docs' Tensor Views page as ``view``.
    """
    lo, hi = (0, 1) if dtype == torch.bool else (0, 255)
    raw = np.array(data.draw(st.lists(st.integers(lo, hi), min_size=rows * words * 16, max_size=rows * words * 16),
                             label="bytes"), dtype=np.uint8).reshape(rows, words * 16)
    x = torch.frombuffer(bytearray(raw.tobytes()), dtype=dtype).reshape(rows, -1).to(device)
    for target in ALL:
        if target == torch.bool:  # arbitrary bytes are not valid bools
            continue
        out = x.view(target)
        what = f"x.view({target}) of a {dtype} x"
        assert_shares(out, x, what)
        assert_dtype(out, target, what)
        expected = torch.from_numpy(_bytes_as(raw, target).copy())
        assert_same(out.cpu().float() if target == torch.bfloat16 else out.cpu(), expected, what)


# --------------------------------------------------------------------------- contiguous, clone


@pytest.mark.parametrize("dtype", DTYPE_CASES)
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4),
       data=st.data())
@budget(len(DTYPE_CASES))
def test_contiguous_returns_self_when_contiguous_and_a_copy_otherwise(device, shape, dtype, data):
    """``contiguous()`` returns the tensor itself when already contiguous, a contiguous copy otherwise.

    Ranges over every dtype and permuted, optionally step-sliced tensors of rank 1 to 3, each also
    expanded along a new leading dim of size 2 (stride 0: never contiguous) in every example.
    """
    x = base_tensor(shape, dtype, device).permute(data.draw(st.permutations(range(len(shape)))))
    if data.draw(st.booleans(), label="step slice"):
        x = x[..., ::2]
    for t in (x, x.unsqueeze(0).expand(2, *x.shape)):
        c = t.contiguous()
        if t.is_contiguous():
            assert c is t, f"t.contiguous() of contiguous strides {t.stride()} is a new object, but should be t itself"
        else:
            assert_owns(c, t, f"t.contiguous() of strides {t.stride()}")
            assert c.is_contiguous(), f"t.contiguous() of strides {t.stride()} has strides {c.stride()}, but should be contiguous"
            assert_same(c, t, "t.contiguous()")


def _order(t: torch.Tensor) -> list[int]:
    """The dims of size > 1 from outermost (largest stride) to innermost."""
    return sorted((d for d in range(t.ndim) if t.shape[d] > 1), key=lambda d: -t.stride(d))


def _is_dense(t: torch.Tensor) -> bool:
    """Non-overlapping and dense: innermost-first, each stride is the product of the sizes inside it."""
    expected = 1
    for d in reversed(_order(t)):
        if t.stride(d) != expected:
            return False
        expected *= t.shape[d]
    return True


@pytest.mark.parametrize("dtype", DTYPE_CASES)
@given(shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4),
       data=st.data())
@budget(len(DTYPE_CASES))
def test_clone_owns_new_memory_and_keeps_values_dtype_and_strides(device, shape, dtype, data):
    """``clone()`` always owns new memory and keeps values, dtype and (for dense layouts) strides.

    The default ``memory_format=torch.preserve_format`` copies the strides of a dense,
    non-overlapping input (e.g. a permuted one) exactly. For a non-dense input (e.g. a step slice)
    the clone is dense and keeps the input's dimension order -- it is *not* necessarily contiguous,
    although the ``torch.clone`` docs say "converted to the dense (contiguous) format" (the
    layout-preserving rule dates from PyTorch 1.8, pytorch/pytorch#46046).
    ``memory_format=torch.contiguous_format`` always gives contiguous strides. Ranges over every
    dtype and permuted, optionally step-sliced tensors of rank 1 to 4.
    """
    x = base_tensor(shape, dtype, device).permute(data.draw(st.permutations(range(len(shape)))))
    dense = x.shape[-1] < 3 or not data.draw(st.booleans(), label="step slice")
    if not dense:  # a step slice of a dim of size >= 3 leaves holes: not dense
        x = x[..., ::2]
    c = x.clone()
    assert_owns(c, x, "x.clone()")
    assert_same(c, x, "x.clone()")
    if dense:
        assert c.stride() == x.stride(), f"x.clone() strides {c.stride()}, but should be {x.stride()}"
    else:
        assert _is_dense(c) and _order(c) == _order(x), (
            f"x.clone() strides {c.stride()}, but should be dense in x's dim order {_order(x)} (x strides {x.stride()})"
        )
    cc = x.clone(memory_format=torch.contiguous_format)
    assert cc.is_contiguous(), f"x.clone(memory_format=torch.contiguous_format) strides {cc.stride()}, but should be contiguous"
    c.copy_(_bump(c))
    assert_same(x, cc, "x after writing x.clone()")


# --------------------------------------------------------------------------- autograd consequences

SOME_VIEWS = {
    "x[1:]": lambda x: x[1:],
    "x.transpose(0, -1)": lambda x: x.transpose(0, -1),
    "x.view(-1)": lambda x: x.view(-1),
    "x.unsqueeze(0)": lambda x: x.unsqueeze(0),
    "x.detach()": lambda x: x.detach(),
}


def _bump_(t: torch.Tensor) -> torch.Tensor:
    """An in-place write changing every element of ``t`` (``logical_not_`` for bool, ``add_(1)`` otherwise)."""
    return t.logical_not_() if t.dtype == torch.bool else t.add_(1)


@pytest.mark.parametrize("view_name", list(SOME_VIEWS))
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4))
@budget(len(SOME_VIEWS))
def test_a_view_shares_its_base_version_counter(device, view_name, shape):
    """A view shares its base's version counter: an in-place op on either bumps ``_version`` of both.

    Autograd uses the counter to detect that a tensor saved for backward was modified in place;
    sharing it is why modifying a view is caught too. ``detach()`` shares it as well (unlike
    ``.data``). Ranges over a slice, ``transpose``, ``view``, ``unsqueeze`` and ``detach()``, every
    dtype (all in every example) and shapes of rank 1 to 3.
    """
    for dtype in ALL:
        base = base_tensor(shape, dtype, device)
        v = SOME_VIEWS[view_name](base)
        start = base._version
        what = f"{dtype} {view_name}"
        assert v._version == start, f"{what}: view _version={v._version}, base _version={start}"
        _bump_(v)
        assert (base._version, v._version) != (start, start), f"{what}: an in-place op on the view bumped nothing"
        assert base._version == v._version > start, (
            f"{what}: after an in-place op on the view: base _version={base._version}, view _version={v._version}, was {start}"
        )
        mid = base._version
        _bump_(base)
        assert base._version == v._version > mid, (
            f"{what}: after an in-place op on the base: base _version={base._version}, view _version={v._version}, was {mid}"
        )


@pytest.mark.parametrize("view_name", list(SOME_VIEWS)[:4])
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4))
@budget(4)
def test_in_place_on_a_leaf_that_requires_grad_raises_also_through_a_view(device, view_name, shape):
    """In-place modification of a leaf that requires grad raises, also through a view of it.

    Both ``w.add_(1)`` and ``w[1:].add_(1)`` (any view) raise RuntimeError and leave w
    unchanged; under ``torch.no_grad()`` the same update is allowed (that is how optimizers step).
    Ranges over a slice, ``transpose``, ``view`` and ``unsqueeze``, every dtype that can require
    grad (float16, bfloat16, float32, float64, complex64, complex128; all in every example) and
    shapes of rank 1 to 3.
    """
    w_name = view_name.replace("x", "w", 1)
    for dtype in DIFFERENTIABLE:
        w = base_tensor(shape, dtype, device).requires_grad_()
        before = w.detach().clone()
        with raises(RuntimeError, "leaf Variable that requires grad", f"{dtype} w.add_(1) in grad mode"):
            w.add_(1)
        with raises(RuntimeError, "view of a leaf Variable that requires grad", f"{dtype} {w_name}.add_(1) in grad mode"):
            SOME_VIEWS[view_name](w).add_(1)
        assert_same(w.detach(), before, f"{dtype} w after the refused add_(1)")
        with torch.no_grad():
            SOME_VIEWS[view_name](w).add_(1)
        assert w._version > 0 and not torch.equal(w.detach(), before), (
            f"{dtype} w after {w_name}.add_(1) under no_grad: _version={w._version}, unchanged values, but should be updated"
        )


#: ops returning several views of their input: label -> the views
MULTI_VIEWS = {
    "x.unbind(0)": lambda x: x.unbind(0),
    "x.split(1)": lambda x: x.split(1),
    "x.chunk(2)": lambda x: x.chunk(2),
}


@pytest.mark.parametrize("op", list(MULTI_VIEWS))
@pytest.mark.parametrize("dtype", dtype_params(DIFFERENTIABLE))
@given(n=st.integers(2, 4))
@budget(len(DIFFERENTIABLE))
def test_in_place_on_one_of_several_views_of_a_tensor_with_history_raises_and_under_no_grad_writes_through(device, op, dtype, n):
    """An in-place write to an output of unbind/split/chunk of a tensor with history raises RuntimeError ("returns multiple views"); under no_grad the same write is allowed and reaches the base.

    Ranges over the three multi-view ops (enumerated), every dtype that can require grad, and drawn
    sizes. Autograd cannot rebase a view that shares its creator with other outputs, so it refuses
    the write rather than record a wrong gradient; without grad there is nothing to record (the
    error's op name changed from ``UnbindBackward0`` to ``Unbind`` in 2.13 (pytorch#180383; 2.12.1 still says ``UnbindBackward0``), the reason did not).
    """
    x = torch.ones(n, 2, dtype=dtype, device=device, requires_grad=True).clone()
    first = MULTI_VIEWS[op](x)[0]
    with raises(RuntimeError, "returns multiple views", f"{op}[0].mul_(2) of a tensor with history"):
        first.mul_(2)
    with torch.no_grad():
        MULTI_VIEWS[op](x)[0].mul_(2)
    assert_same(x[0].detach(), torch.full((2,), 2, dtype=dtype, device=device), f"x[0] after {op}[0].mul_(2) under no_grad")


COMPLEX_DTYPE_CHECKS = (
    "torch 2.15 raises TypeError (view_as_complex: NotImplementedError) where these complex-only views meet "
    "a real dtype (pytorch#192350 'BE: Use TypeError/NotImplementedError for complex dtype checks'); before, "
    "RuntimeError. The message is unchanged. Checked: RuntimeError on 2.0.1 and 2.14.1, TypeError / "
    "NotImplementedError on 2.15.0"
)
#: complex-only views applied to a real tensor: label -> (the call, error from 2.15, dtypes it refuses)
REAL_REFUSALS = {
    "x.imag": (lambda x: x.imag, TypeError, "imag is not implemented", None),
    "torch.imag(x)": (lambda x: torch.imag(x), TypeError, "imag is not implemented", None),
    "torch.view_as_real(x)": (lambda x: torch.view_as_real(x), TypeError, "only supported for complex", None),
    "torch.view_as_complex(x)": (lambda x: torch.view_as_complex(x), NotImplementedError, "only supported for half, float and double",
                                 (torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64, torch.bfloat16)),
}
REAL_DTYPES = [d for d in ALL if not d.is_complex]


def real_refused(label: str) -> list:
    """The real dtypes the call ``label`` of :data:`REAL_REFUSALS` refuses (all, or its own list)."""
    only = REAL_REFUSALS[label][3]
    return [d for d in REAL_DTYPES if only is None or d in only]


@pytest.mark.torch_version("<2.15", reason=COMPLEX_DTYPE_CHECKS)
@pytest.mark.parametrize("label", list(REAL_REFUSALS))
def test_complex_only_views_of_a_real_tensor_raise_runtime_error_before_2_15(device, label):
    """Before torch 2.15, .imag, torch.imag and view_as_real of a real tensor, and view_as_complex of one that is not half/float/double, raise exactly RuntimeError.

    Ranges over the four calls (each case: one call), and in every run over every real dtype the
    call refuses (enumerated), on a (3, 2) tensor -- a failure names the dtype.
    """
    fn, _, message, _ = REAL_REFUSALS[label]
    for dtype in real_refused(label):
        x = torch.zeros(3, 2, dtype=dtype, device=device)
        try:
            fn(x)
        except Exception as e:  # noqa: BLE001 -- the claim is about which exception
            assert type(e) is RuntimeError and message in str(e), (
                f"{label} of a {dtype} tensor raised {type(e).__name__}({str(e)[:120]}), but should raise RuntimeError saying {message!r}"
            )
        else:
            pytest.fail(f"{label} of a {dtype} tensor raised nothing, but should raise RuntimeError")


@pytest.mark.torch_version(">=2.15", reason=COMPLEX_DTYPE_CHECKS)
@pytest.mark.parametrize("label", list(REAL_REFUSALS))
def test_complex_only_views_of_a_real_tensor_raise_type_error_from_2_15(device, label):
    """From torch 2.15, .imag, torch.imag and view_as_real of a real tensor raise TypeError, and view_as_complex of one that is not half/float/double NotImplementedError.

    Ranges over the four calls (each case: one call), and in every run over every real dtype the
    call refuses (enumerated), on a (3, 2) tensor -- a failure names the dtype.
    """
    fn, error, message, _ = REAL_REFUSALS[label]
    for dtype in real_refused(label):
        x = torch.zeros(3, 2, dtype=dtype, device=device)
        try:
            fn(x)
        except Exception as e:  # noqa: BLE001 -- the claim is about which exception (one of another type must name the dtype too)
            assert isinstance(e, error) and message in str(e), (
                f"{label} of a {dtype} tensor raised {type(e).__name__}({str(e)[:120]}), but should raise {error.__name__} saying {message!r}"
            )
        else:
            pytest.fail(f"{label} of a {dtype} tensor raised nothing, but should raise {error.__name__}")


# --------------------------------------------------------------------------- under torch.compile
# One compile per claim (``compile_budget``): every compile costs ~0.3-1 s. The views, the forms and the
# in-place writes are the eager specs' own; ``specs/differential.py`` compares outputs, their aliasing
# with the inputs, the inputs' values and whether their version counters moved.


def _views_of(x):
    """Views of a rank-3 ``x`` from the Tensor Views list, one per kind of layout rule."""
    return (
        x[1:, ::2],  # basic indexing: offset and step
        x.transpose(0, 2),
        x.permute(2, 0, 1),
        x.narrow(1, 1, 1),
        x.select(0, -1),
        x.diagonal(0, 1, 2),
        x.unsqueeze(1),
        x.view(-1),
        x.expand(2, *x.shape),
        x.unfold(2, 2, 1),
        x.unflatten(0, (1, -1)),
        *x.split(1, 1),
        x.mT,
        x.detach(),
    )


@compile_budget()
@given(shape=hnp.array_shapes(min_dims=3, max_dims=3, min_side=2, max_side=4))
def test_a_compiled_function_returning_views_returns_views_of_its_input_under_compile(device, backend, shape):
    """A compiled function returning views of its input returns views: same storage as the input, and a write through each one shows in the input, as in eager.

    Ranges over basic indexing (offset and step), ``transpose``, ``permute``, ``narrow``,
    ``select`` (negative index), ``diagonal``, ``unsqueeze``, ``view``, ``expand`` (stride 0),
    ``unfold``, ``unflatten``, the pieces of ``split``, ``mT`` and ``detach()``, all returned by one
    compiled function, on a float32 input of a drawn rank-3 shape (sides 2 to 4). Dtypes and base
    layouts are the eager specs' axes; here one compile keeps the budget (Dynamo recompiles per dtype
    and stride pattern, so each would be a compile of its own). After the comparison of
    ``specs/differential.py`` (values, aliasing with the input), every output of a second compiled
    call is written through (its first element) and the input must show each write.
    """
    make = lambda: (torch.arange(math.prod(shape), dtype=torch.float32, device=device).reshape(shape),)  # noqa: E731
    compiled = assert_compiles_like_eager(_views_of, make, backend)
    for side, fn in (("eager", _views_of), ("compiled", compiled)):
        (x,) = make()
        for i, out in enumerate(fn(x)):
            before = x.clone()
            first = (0,) * out.ndim
            out[first] = -1 - i  # a value x does not hold
            assert int((x != before).sum()) == 1 and float(x[x != before]) == -1 - i, (
                f"{side}: writing output {i} (shape {tuple(out.shape)}) changed {int((x != before).sum())} "
                f"elements of the input, but should change exactly one to {-1 - i}"
            )


def _add_forms(y_iadd, y_add_, y_out, y_out_self, y_new, x):
    y_iadd += x
    y_add_.add_(x)
    torch.add(x, y_out, out=y_out)
    torch.add(y_out_self, x, out=y_out_self)
    y_new = x + y_new  # rebinds the local name only
    return y_iadd, y_add_, y_out, y_out_self, y_new


@compile_budget()
@given(shapes=operand_shapes())
def test_in_place_add_inside_a_compiled_function_writes_the_callers_tensor_and_out_of_place_does_not_under_compile(device, backend, shapes):
    """Inside a compiled function ``y += x``, ``y.add_(x)`` and ``torch.add(..., out=y)`` write into the caller's y (values and version counter) and return it, while ``y = x + y`` leaves the caller's y alone, as in eager.

    Ranges over the four in-place spellings of the eager spec and the out-of-place one, each on
    its own float32 y, all in one compiled function, with drawn shapes (x broadcast to y's shape,
    0-d included) and values. ``specs/differential.py`` compares each returned tensor (values, its
    aliasing with every input: the in-place results are the caller's tensors, ``x + y`` is new
    memory), every input after the call and whether its version counter moved. Called twice, so the
    second call starts from the first call's writes.
    """
    y_shape, x_shape = shapes

    def make():
        g = torch.Generator().manual_seed(0)
        ys = [torch.randn(y_shape, generator=g).to(device) for _ in range(5)]
        return (*ys, torch.randn(x_shape, generator=g).to(device))

    assert_compiles_like_eager(_add_forms, make, backend, calls=[Call(name="first"), Call(name="second")])


def _write_views_of_input(x):
    x[1:].add_(1)
    x.transpose(0, -1)[0].mul_(2)
    x.view(-1)[::2].neg_()
    x.unsqueeze(0).select(1, 0).sub_(3)
    v = x.narrow(-1, 0, 1)
    v += 5
    x.diagonal(0, 0, -1).zero_()
    return x.sum()


@compile_budget()
@given(shape=hnp.array_shapes(min_dims=2, max_dims=3, min_side=2, max_side=4))
def test_in_place_writes_to_views_of_an_input_reach_the_input_under_compile(device, backend, shape):
    """In-place ops on views of an input inside a compiled function write into the caller's tensor (values and version counter), as in eager.

    Ranges over views by slicing, ``transpose`` + indexing, ``view`` + a step slice, ``unsqueeze``
    + ``select``, ``narrow`` (written with ``+=``) and ``diagonal``, written by ``add_``, ``mul_``,
    ``neg_``, ``sub_``, ``+=`` and ``zero_`` in one compiled function, on a float32 input of a drawn
    rank-2 or rank-3 shape (sides 2 to 4), whose values come from a fixed generator.
    ``specs/differential.py`` compares the input after the call, whether its version moved and the
    returned sum; called twice (the second call starts from the first's writes).
    """
    make = lambda: (torch.randn(shape, generator=torch.Generator().manual_seed(0)).to(device),)  # noqa: E731
    assert_compiles_like_eager(_write_views_of_input, make, backend, calls=[Call(name="first"), Call(name="second")])


_EVAL_DROPOUT = torch.nn.Dropout(0.5).eval()
#: ops that return their input itself (not a view: the same tensor), by family; each result is written in place
IDENTITY_OPS = {
    "dropout": (lambda x: torch.nn.functional.dropout(x, 0.5, training=False), lambda x: _EVAL_DROPOUT(x)),
    "conversions": (lambda x: x.contiguous(), lambda x: x.to(x.dtype), lambda x: x.to(x.device), lambda x: x.type_as(x)),
}


def _write_through_identity(ops):
    def fn(x):
        for k, op in enumerate(ops):
            op(x).add_(k + 1)  # the result is x: the write is a write to the caller's x
        return x * 2
    return fn


IDENTITY_PARAMS = [
    pytest.param("dropout", id="dropout-in-eval", marks=pytest.mark.known_bug(
        "<2.14", issue="https://github.com/pytorch/pytorch/issues/195422",
        reason="torch.compile drops an in-place write to an input made through F.dropout(x, p, training=False) / an "
        "eval-mode nn.Dropout, which return x itself: the caller's x is left unchanged (aot_eager and inductor). "
        "Checked (cpu, aot_eager): diverges on every minor release 2.1.2-2.13.0, agrees on 2.14.1 and 2.15.0 (2.0 cannot run Dynamo on Python 3.11)")),
    pytest.param("conversions", id="contiguous-to-type_as"),
]


@pytest.mark.parametrize("family", IDENTITY_PARAMS)
def test_a_write_through_an_op_returning_its_input_reaches_the_input_under_compile(device, backend, family):
    """Inside a compiled function, an in-place write to the result of an op that returns its input itself (Dropout in eval, F.dropout(training=False), contiguous() of a contiguous tensor, to() its own dtype or device, type_as itself) writes the caller's tensor, as in eager.

    Ranges over the ops (enumerated by family, one compile each: the Dropout forms, a known bug, and the
    no-op conversions). Each result gets its own ``add_``; ``specs/differential.py`` compares the input after
    the call, whether its version moved and the returned ``x * 2``; called twice. A fixed (2, 3) float32
    input (a known bug: no shrinking).
    """
    make = lambda: (torch.arange(6.0, device=device).reshape(2, 3),)  # noqa: E731
    assert_compiles_like_eager(_write_through_identity(IDENTITY_OPS[family]), make, backend,
                               calls=[Call(name="first"), Call(name="second")])


def _write_base_read_view(base, view):
    base.add_(100)  # view is a view of base: eagerly it sees the write
    return view[0], view.view(-1), view * 1


@pytest.mark.known_bug(
    ">=2.4",
    issue="https://github.com/pytorch/pytorch/issues/198095",
    reason="two inputs that alias (a tensor and a view of it at a storage offset), the base mutated in place: "
    "AOTAutograd's synthetic base regenerates the returned view of the view from the wrong tensor (view[0] comes "
    "back as base[0]; view.view(-1) fails an assertion on the ViewMeta shape). Open. Checked (cpu, aot_eager): "
    "agrees on 2.1.2, 2.2.2 and 2.3.1, diverges on every minor release 2.4.1-2.15.0",
)
def test_a_compiled_function_given_a_tensor_and_its_view_sees_writes_through_both_under_compile(device, backend):
    """A compiled function given a tensor and a view of it (at a storage offset) and writing the tensor in place returns views of the view that show the write, as in eager.

    The inputs alias as the caller made them: ``base`` and ``base[1:]``. The function adds 100 to ``base`` in
    place and returns ``view[0]``, ``view.view(-1)`` and ``view * 1``; ``specs/differential.py`` compares the
    values, which outputs share memory with which input, both inputs after the call and whether their version
    counters moved. A fixed (4, 6) float64 input (a known bug: no shrinking).
    """
    def make():
        base = torch.arange(24, dtype=torch.float64, device=device).reshape(4, 6)
        return base, base[1:]

    assert_compiles_like_eager(_write_base_read_view, make, backend)


# --- release history (mined from release notes; see docs/release-history.md)


NON_TUPLE_INDEX = (
    "indexing with a list that holds slices/None/Ellipsis/sequences (x[[slice(None), 0]]) is read as a tuple "
    "index; torch 2.8 made it warn that this is deprecated and will become a tensor index "
    "(https://github.com/pytorch/pytorch/releases/tag/v2.8.0); checked: silent on 2.0-2.7, UserWarning on 2.8-2.15"
)


def _list_index(device):
    x = torch.arange(12.0, device=device).reshape(3, 4)
    with warnings_recorded() as caught:
        out = x[[slice(None), 1]]
    found = [(w.category, str(w.message)) for w in caught if "non-tuple sequence" in str(w.message)]
    return x, out, found


@pytest.mark.torch_version("<2.8", reason=NON_TUPLE_INDEX)
def test_list_of_slices_index_is_a_silent_tuple_index_before_2_8(device):
    """Before torch 2.8, x[[slice(None), 1]] is silently read as x[:, 1]: basic indexing, so a view of column 1."""
    x, out, found = _list_index(device)
    assert found == [], f"x[[slice(None), 1]] warned {found}, but should not warn"
    assert_same(out, x[:, 1], "x[[slice(None), 1]] vs x[:, 1]")
    assert_shares(out, x, "x[[slice(None), 1]]")


@pytest.mark.torch_version(">=2.8", reason=NON_TUPLE_INDEX)
def test_list_of_slices_index_warns_it_will_become_a_tensor_index_from_2_8(device):
    """From torch 2.8, x[[slice(None), 1]] is still read as x[:, 1] (a view of column 1) but warns UserWarning that a non-tuple sequence index is deprecated."""
    x, out, found = _list_index(device)
    assert [c for c, _ in found] == [UserWarning], f"x[[slice(None), 1]] warned {found}, but should warn one UserWarning"
    assert_same(out, x[:, 1], "x[[slice(None), 1]] vs x[:, 1]")
    assert_shares(out, x, "x[[slice(None), 1]]")


# --- release history, round 2 (the tracker)

import re as _re  # noqa: E402

BOOL_SUB = (
    "subtraction with a bool operand has always been refused ('Subtraction, the `-` operator, with two bool tensors / "
    "with a bool tensor is not supported', pytorch#23519); torch 2.14 changed the exception from RuntimeError to its "
    "subclass NotImplementedError (pytorch#192348, 'BE: Raise NotImplementedError for unsupported bool ops', Aug 2026); "
    "checked: RuntimeError on 2.6.0, 2.12.1 and 2.13.0, NotImplementedError on 2.14.1 and 2.15.0"
)


def _isub(y, x):
    y -= x
    return y


#: how ``y = y - x`` / ``y -= x`` can be spelled: (y, x) -> the result
SUB_FORMS = {
    "y - x": lambda y, x: y - x,
    "torch.sub(y, x)": lambda y, x: torch.sub(y, x),
    "y.sub(x)": lambda y, x: y.sub(x),
    "y -= x": _isub,
    "y.sub_(x)": lambda y, x: y.sub_(x),
    "torch.sub(y, x, out=y)": lambda y, x: torch.sub(y, x, out=y),
}
SUB_FORM_PARAMS = [pytest.param(form, id=form) for form in SUB_FORMS]


def _bool_subtraction_errors(device, form) -> list:
    """Every refusal of ``form`` with a bool operand: y bool with x of every dtype, and y of every other dtype with a
    bool x -- x a tensor, a 0-d tensor or a Python scalar. y must stay untouched. Returns (what, exception) pairs."""
    fn, seen = SUB_FORMS[form], []
    pairs = [(torch.bool, d) for d in ALL] + [(d, torch.bool) for d in ALL if d != torch.bool]
    for y_dtype, x_dtype in pairs:
        for kind in ("tensor", "0-d", "python"):
            y = base_tensor((2, 3), y_dtype, device)
            x = base_tensor((2, 3) if kind == "tensor" else (), x_dtype, device)
            x = x.item() if kind == "python" else x
            before = y.clone()
            what = f"{form} with y {dtype_id(y_dtype)}, x {kind} {dtype_id(x_dtype)}"
            try:
                fn(y, x)
            except Exception as e:  # noqa: BLE001 -- the type is the claim
                seen.append((what, e))
            else:
                pytest.fail(f"{what} raised nothing, but should refuse a bool operand")
            assert_same(y, before, f"y after a refused {what}")
            assert _re.search(r"Subtraction, the `-` operator, with (two bool tensors|a bool tensor) is not supported",
                             str(seen[-1][1])), f"{what} raised {seen[-1][1]!r}, but should say subtraction with bool is not supported"
    return seen


@pytest.mark.torch_version("<2.14", reason=BOOL_SUB)
@pytest.mark.parametrize("form", SUB_FORM_PARAMS)
def test_subtraction_with_a_bool_operand_raises_runtime_error_before_2_14(device, form):
    """Before torch 2.14, ``y - x`` / ``y -= x`` with a bool operand raises a plain RuntimeError (not NotImplementedError) and leaves y untouched.

    Ranges over the spellings ``y - x``, ``torch.sub(y, x)``, ``y.sub(x)``, ``y -= x``, ``y.sub_(x)`` and
    ``torch.sub(y, x, out=y)``, and -- in every case -- a bool y with x of every dtype and y of every other dtype
    with a bool x, x a tensor, a 0-d tensor or a Python scalar. (Use ``^`` / ``logical_xor`` or ``~`` instead.)
    """
    for what, e in _bool_subtraction_errors(device, form):
        assert type(e) is RuntimeError, f"{what} raised {type(e).__name__}, but should raise RuntimeError"


@pytest.mark.torch_version(">=2.14", reason=BOOL_SUB)
@pytest.mark.parametrize("form", SUB_FORM_PARAMS)
def test_subtraction_with_a_bool_operand_raises_not_implemented_error_from_2_14(device, form):
    """From torch 2.14, ``y - x`` / ``y -= x`` with a bool operand raises NotImplementedError (a RuntimeError subclass) and leaves y untouched.

    Ranges over the spellings and operand pairs of the spec above (every dtype against bool, x a tensor, a 0-d
    tensor or a Python scalar). ``except RuntimeError`` still catches it.
    """
    for what, e in _bool_subtraction_errors(device, form):
        assert type(e) is NotImplementedError, f"{what} raised {type(e).__name__}, but should raise NotImplementedError"


# --- release history, round 4 (release notes 2.10-2.15)

STALE_VIEW_HOOK = (
    "Tensor.register_hook on a view whose base was written in place after the view was taken (the view's history "
    "is stale, refreshed lazily when grad_fn is read) crashed the interpreter with SIGSEGV: register_hook made the "
    "hook dict before reading grad_fn, whose refresh cleared it (pytorch#196459, fixed by pytorch#196514 "
    "'[autograd] Refresh view grad_fn before registering hooks'; https://github.com/pytorch/pytorch/releases/tag/v2.15.0). "
    "Checked: SIGSEGV in every form below on 2.0.1, 2.2.2, 2.13.0 and 2.14.1 (so no in-process twin states the "
    "old truth), the hook fires on 2.15.0"
)


def _stale_through_the_base(x):
    b = x.clone()
    v = b[:2]
    b.mul_(2)  # v == 2 * x[:2]
    return v, torch.tensor([6.0, 6.0, 0.0], dtype=x.dtype)


def _stale_through_a_sibling_view(x):
    b = x.clone()
    v = b[:2]
    b[1:].add_(1)  # v == (x0, x1 + 1)
    return v, torch.tensor([3.0, 3.0, 0.0], dtype=x.dtype)


def _stale_through_a_view_of_itself(x):  # pytorch#196459's own repro
    v = x.clone().view(3)
    v[:].add_(1)
    return v, torch.tensor([3.0, 3.0, 3.0], dtype=x.dtype)


#: how a view's history goes stale: name -> x -> (the view, d(sum(3 * view))/dx)
STALE_VIEWS = {
    "base_written": _stale_through_the_base,
    "sibling_view_written": _stale_through_a_sibling_view,
    "written_through_a_view_of_itself": _stale_through_a_view_of_itself,
}


@pytest.mark.torch_version(">=2.15", reason=STALE_VIEW_HOOK)
@pytest.mark.parametrize("form", list(STALE_VIEWS))
def test_a_hook_registered_on_a_view_with_stale_history_fires_with_the_views_gradient_from_2_15(device, form):
    """From torch 2.15, a hook registered on a view after an in-place write through its base or another view fires once in backward with the view's gradient, and the leaf gets the gradient of the written values.

    Over three ways of making the view's history stale (writing the base, writing a sibling view, the
    issue's write through a view of the view), on a float64 leaf of three ones; the oracle is the
    derivative of sum(3 * view) written out.
    """
    x = torch.ones(3, dtype=torch.float64, device=device, requires_grad=True)
    v, want_x_grad = STALE_VIEWS[form](x)
    seen = []
    v.register_hook(lambda g: seen.append(g.detach().clone()))
    (v * 3).sum().backward()
    assert len(seen) == 1, f"{form}: the hook fired {len(seen)} times, but should fire once"
    assert_same(seen[0], torch.full_like(v, 3.0).detach(), f"{form}: the hook's gradient")
    assert_same(x.grad, want_x_grad.to(device), f"{form}: x.grad")


BOOL_NEG = (
    "negation of a bool tensor has always been refused ('Negation, the `-` operator, on a bool tensor is not "
    "supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.'); torch 2.14 "
    "changed the exception from RuntimeError to its subclass NotImplementedError, with bool subtraction "
    "(pytorch#192348, 'BE: Raise NotImplementedError for unsupported bool ops', "
    "https://github.com/pytorch/pytorch/releases/tag/v2.14.0). Checked: RuntimeError on 2.0.1, 2.11.0, 2.12.1 and "
    "2.13.0, NotImplementedError on 2.14.1 and 2.15.0"
)


#: how a bool tensor's negation can be spelled: y -> the result
NEG_FORMS = {
    "-y": lambda y: -y,
    "torch.neg(y)": lambda y: torch.neg(y),
    "torch.negative(y)": lambda y: torch.negative(y),
    "y.neg()": lambda y: y.neg(),
    "y.neg_()": lambda y: y.neg_(),
    "torch.neg(y, out=y)": lambda y: torch.neg(y, out=y),
}


def _bool_negation_error(device, form):
    y = torch.tensor([True, False, True], device=device)
    try:
        NEG_FORMS[form](y)
    except RuntimeError as e:
        assert _re.search(r"Negation, the `-` operator, on a bool tensor is not supported", str(e)), f"{form}: {e}"
        assert_same(y, torch.tensor([True, False, True], device=device), f"y after {form} failed")
        return e
    pytest.fail(f"{form} of a bool tensor raised no RuntimeError, but should")


@pytest.mark.torch_version("<2.14", reason=BOOL_NEG)
@pytest.mark.parametrize("form", list(NEG_FORMS))
def test_negating_a_bool_tensor_raises_runtime_error_before_2_14(device, form):
    """Before torch 2.14, negating a bool tensor (-y, torch.neg, torch.negative, y.neg, y.neg_, out=) raises a plain RuntimeError pointing to ~ / logical_not, and leaves y untouched.

    Over the six spellings, on a 3-element bool tensor.
    """
    e = _bool_negation_error(device, form)
    assert type(e) is RuntimeError, f"{form} raised {type(e).__name__}, but should raise RuntimeError"


@pytest.mark.torch_version(">=2.14", reason=BOOL_NEG)
@pytest.mark.parametrize("form", list(NEG_FORMS))
def test_negating_a_bool_tensor_raises_not_implemented_error_from_2_14(device, form):
    """From torch 2.14, negating a bool tensor raises NotImplementedError (a RuntimeError subclass) pointing to ~ / logical_not, and leaves y untouched.

    Over the six spellings of the spec above, on a 3-element bool tensor.
    """
    e = _bool_negation_error(device, form)
    assert type(e) is NotImplementedError, f"{form} raised {type(e).__name__}, but should raise NotImplementedError"
