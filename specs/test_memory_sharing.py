"""Which operations share memory: views, indexing, ``y = x + y`` versus ``y += x``.

A tensor is a window (sizes, strides, offset) onto a *storage*. A **view** is a new tensor object
over the *same* storage as its base: no data is copied, a write through the view shows up in the
base and a write to the base shows up in the view, and the two share one autograd version
counter. The PyTorch docs ("Tensor Views") list the ops guaranteed to return views; the first spec
below walks that whole list, method and ``torch.`` function alike, on every device. Being a view
is not enough: the second spec checks that each op selects the *right* elements (numpy applied to
the base's values is the oracle) at the strides and storage offset its layout rule gives, on
contiguous, offset, permuted and stepped bases -- a ``narrow`` that ignored ``start`` would still
be a perfectly good view.

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
just like one on the leaf itself.

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

from specs.helpers import (
    TORCH_TO_NUMPY,
    assert_dtype,
    assert_owns,
    assert_same,
    assert_shares,
    ptr,
    raises,
    torch_dtypes,
)

# --------------------------------------------------------------------------- private helpers

COMPLEX = (torch.complex64, torch.complex128)
FLOATING = (torch.float16, torch.float32, torch.float64)


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
    offset = draw(st.integers(-(shape[d1] - 1), shape[d2] - 1))
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
    return (_dim(draw, len(shape)), _dim(draw, len(shape)))


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
    return (dim, draw(st.integers(1, shape[dim])), draw(st.integers(1, 3)))


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
    form = draw(st.sampled_from(["int", "uneven int", "sizes"] if uneven else ["int", "sizes"]))
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


ALL = torch_dtypes
ONLY_COMPLEX = st.sampled_from(COMPLEX)

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
    yield pytest.param(a_basic_index, 0, 4, ALL, [("x[basic index]", lambda x, idx: x[idx])],
                       id="basic-indexing")
    for name, args, lo, hi, dtypes, forms in VIEW_OPS:
        yield pytest.param(args or no_args, lo, hi, dtypes, list(_forms(name, forms)), id=name)


@pytest.mark.parametrize("args, min_dims, max_dims, dtypes, calls", list(_view_cases()))
@given(data=st.data())
def test_tensor_views_list_ops_return_views(device, args, min_dims, max_dims, dtypes, calls, data):
    """Every op on the docs' Tensor Views list returns a view: same storage, writes go both ways.

    For each op (method and ``torch.`` function where both exist, each on a fresh base) and
    hypothesis-drawn shapes, dtypes and valid arguments, every output (all pieces of
    ``split``/``unbind``/...) shares storage with the base; after bumping every element of the
    base the outputs read the new values, and after writing one element through each output the
    op re-applied to the base reads what was written. The base is drawn contiguous, at a storage
    offset, permuted or stepped (``view``/``view_as``: contiguous or offset only). Shapes have no zero sizes (an empty view has
    nothing to write through) and sides <= 4 to keep each example in the millisecond range.
    """
    shape = data.draw(hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=4),
                      label="shape")
    dtype = data.draw(dtypes, label="dtype")
    view_only = any(label.endswith(("view", "view_as")) for label, _ in calls)
    layout = data.draw(st.sampled_from(("contiguous", "offset") if view_only else LAYOUTS), label="layout")
    op_args = args(data.draw, shape)
    data.draw(st.just(op_args), label="args")
    for label, call in calls:
        base = laid_out_base(shape, dtype, device, layout, data.draw)[1]

        outs = _outputs(call(base, *op_args))
        for out in outs:
            assert_shares(out, base, label)

        base.copy_(_bump(base))  # base -> view
        for out, fresh in _pairs(outs, call(base, *op_args)):
            assert_same(out, fresh, f"{label} after writing the base (vs the op re-applied)")

        for out in outs:  # view -> base (one element: expand/as_strided views may overlap)
            if out.numel():
                first = (0,) * out.ndim
                out[first] = _bump(out[first])
        for out, fresh in _pairs(outs, call(base, *op_args)):
            assert_same(fresh, out, f"{label} re-applied after writing through its output")


# --------------------------------------------------------------------------- which elements a view selects
# The oracle: numpy on the base's values (independent of torch's view machinery) for the elements,
# and the layout rules (strides and storage offset derived from the base's) where a rule is stated.

VALUE_DTYPES = st.sampled_from([*TORCH_TO_NUMPY, torch.bfloat16])
#: Base layouts: a view must select the right elements of ANY base, not only of a fresh contiguous one.
LAYOUTS = ("contiguous", "offset", "permuted", "stepped")


def _np(t: torch.Tensor) -> np.ndarray:
    """The values of ``t`` as a numpy array (conj/neg bits resolved, bfloat16 widened exactly)."""
    t = t.detach().resolve_conj().resolve_neg().cpu()
    return (t.float() if t.dtype == torch.bfloat16 else t).numpy()


def laid_out_base(shape, dtype, device, layout, draw):
    """(root, base): ``base`` has ``shape`` and values 0, 1, 2 ... in storage order of ``root``.

    ``root`` is the 1-D contiguous tensor owning the storage; ``base`` is a view of it with the
    drawn layout: contiguous, contiguous at a storage offset, a permutation of a contiguous
    tensor, or every other element of the last dim (step 2) at an offset.
    """
    n = math.prod(shape)
    ndim = len(shape)
    offset = draw(st.integers(1, 3), label="storage offset") if layout in ("offset", "stepped") else 0
    total = offset + (2 * n if layout == "stepped" else n) + 1
    values = torch.arange(total, device=device)
    root = (values % 2).bool() if dtype == torch.bool else values.to(dtype)
    if layout in ("contiguous", "offset"):
        return root, root[offset:offset + n].view(shape)
    if layout == "permuted":
        perm = draw(st.permutations(range(ndim)), label="perm")
        inverse = [perm.index(i) for i in range(ndim)]
        return root, root[:n].view([shape[p] for p in perm]).permute(inverse)
    wide = [*shape[:-1], 2 * shape[-1]] if ndim else [2]
    stepped = root[offset:offset + 2 * n].view(wide)[..., ::2]
    return root, stepped if ndim else stepped[0]


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


#: ops whose result must be viewable without a copy: only drawn over bases where that holds.
_NEEDS_CONTIGUOUS = ("view", "view_as")


@pytest.mark.parametrize("name, args, min_dims, max_dims, dtypes, calls", [
    pytest.param(p.id, *p.values, id=p.id) for p in _view_cases()])
@given(data=st.data())
def test_tensor_views_list_ops_select_the_elements_their_layout_rule_gives(
        device, name, args, min_dims, max_dims, dtypes, calls, data):
    """Every op on the Tensor Views list selects the elements numpy selects, at the strides and storage offset its layout rule gives.

    The base is drawn contiguous, at a storage offset, permuted, or stepped (every other element),
    of any dtype incl. bool, float16, bfloat16 and complex; the op arguments over their whole valid
    range (start, length, offsets, dims, split sizes incl. uneven ones and end points). Expected
    values come from numpy on the base's values (``np.diagonal``, ``np.split``, ``np.swapaxes``,
    ``reshape``, ``as_strided`` on the storage, explicit window indices for ``unfold``);
    expected strides/offsets from the base's: ``narrow``/``select``/split pieces add
    ``start*stride(dim)`` to the offset, ``transpose``-like ops permute strides, ``diagonal``'s
    stride is the sum of the two, ``unfold`` scales ``stride(dim)`` by ``step`` and appends it,
    ``real``/``imag``/``view_as_real`` double strides and offset (``imag`` one further).
    """
    shape = data.draw(hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=4),
                      label="shape")
    dtype = data.draw(VALUE_DTYPES if dtypes is ALL else dtypes, label="dtype")
    layout = data.draw(st.sampled_from(("contiguous", "offset") if name in _NEEDS_CONTIGUOUS else LAYOUTS),
                       label="layout")
    op_args = args(data.draw, shape)
    data.draw(st.just(op_args), label="args")
    for label, call in calls:
        root, base = laid_out_base(shape, dtype, device, layout, data.draw)
        outs = _outputs(call(base, *op_args))
        if name == "as_strided":
            expected = _o_as_strided(root, *op_args)
        else:
            expected = ORACLES[name](_np(base), list(base.stride()), base.storage_offset(), *op_args)
        assert len(outs) == len(expected), f"{label}: {len(outs)} outputs, but should be {len(expected)}"
        for i, (out, (values, strides, offset)) in enumerate(zip(outs, expected)):
            what = f"{label}{op_args} on a {layout} base {tuple(shape)}, output {i}"
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


# --------------------------------------------------------------------------- indexing


@st.composite
def advanced_indices(draw, n):
    """An integer list, an integer tensor or a boolean mask over a dimension of size ``n``."""
    kind = draw(st.sampled_from(["list", "tensor", "mask"]))
    if kind == "mask":
        return torch.tensor(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    positions = draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=4))
    return positions if kind == "list" else torch.tensor(positions)


@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), dtype=torch_dtypes,
       data=st.data())
@example(shape=(5,), dtype=torch.float64, data=None)  # the note's np.ones(5) / from_numpy example
def test_basic_indexing_is_a_view_advanced_indexing_is_a_copy(device, shape, dtype, data):
    """Basic indexing (ints, slices) returns a view; advanced indexing (int list/tensor, bool mask) copies.

    The source note says "indexing never allocates new memory": true only for basic indexing.
    The view shares x's storage, and writing every element through it changes exactly the
    elements numpy's indexing of the same index selects (a view over the right storage but the
    wrong window fails). The copy owns new storage and writing to it leaves the base untouched.
    (With ``data=None``, the explicit example uses ``x[1:3]`` and ``x[[1, 2]]``.)
    """
    x = base_tensor(shape, dtype, device)
    if data is None:
        basic, advanced = (slice(1, 3),), [1, 2]
    else:
        basic = a_basic_index(data.draw, shape)[0]
        advanced = data.draw(advanced_indices(shape[0]), label="advanced index")
        if isinstance(advanced, torch.Tensor) and advanced.dtype == torch.bool and not advanced.any():
            advanced[0] = True  # an empty selection has nothing to write through
    if isinstance(advanced, torch.Tensor):
        advanced = advanced.to(device)
    before = x.clone()

    view = x[basic]
    assert_shares(view, x, f"x[{basic}]")

    copy = x[advanced]
    assert_owns(copy, x, f"x[{advanced!r}]")
    copy.copy_(_bump(copy))
    assert_same(x, before, f"x after writing the copy x[{advanced!r}]")

    view.copy_(_bump(view))  # every element: a basic index never selects one element twice
    expected = before.cpu().numpy().copy()
    expected[basic] = _bump_np(expected[basic])
    assert_same(x, torch.from_numpy(expected).to(device), f"x after writing the view x[{basic}]")


@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), dtype=torch_dtypes,
       data=st.data())
def test_index_assignment_writes_into_the_tensor_for_basic_and_advanced_indices(device, shape, dtype, data):
    """``x[idx] = v`` writes into x's own memory for basic and advanced indices alike.

    Reading ``x[[0, 2]]`` copies, but ``x[[0, 2]] = v`` does not write into such a copy: it is an
    in-place op on x (``index_put_`` for advanced indices, ``copy_`` -- ``fill_`` for a scalar --
    into the view ``x[idx]`` for basic ones). x keeps its storage, and the selected elements hold the new values.
    """
    basic = a_basic_index(data.draw, shape)[0]
    advanced = data.draw(advanced_indices(shape[0]), label="advanced index")
    if isinstance(advanced, torch.Tensor) and advanced.dtype == torch.bool and not advanced.any():
        advanced[0] = True  # an empty selection would write nothing
    for idx in (basic, advanced.to(device) if isinstance(advanced, torch.Tensor) else advanced):
        x = base_tensor(shape, dtype, device)
        address = ptr(x)
        new = _bump(x[idx])
        x[idx] = new
        assert ptr(x) == address, f"x moved to storage {ptr(x):#x} from {address:#x}"
        assert_same(x[idx], new, f"x[{idx!r}] after x[{idx!r}] = v")


# --------------------------------------------------------------------------- y = x + y vs y += x


def _finite(dtype, shape):
    """cpu tensors of ``dtype``/``shape`` with finite values of magnitude <= 1000 for float/complex.

    The sum is only there to check *where* it is written; inf/NaN would test complex-infinity
    arithmetic (``inf + 0j`` differs between kernels), which is not this module's concept.
    """
    np_dtype = TORCH_TO_NUMPY[dtype]
    if dtype.is_complex:
        elements = hnp.from_dtype(np_dtype, allow_nan=False, allow_infinity=False, max_magnitude=1000)
    elif dtype.is_floating_point:
        elements = hnp.from_dtype(np_dtype, allow_nan=False, allow_infinity=False,
                                  min_value=-1000, max_value=1000)
    else:
        elements = hnp.from_dtype(np_dtype)
    return hnp.arrays(np_dtype, shape, elements=elements).map(torch.tensor)


@st.composite
def operands(draw):
    """(y, x) cpu tensors, x broadcastable *to* y's shape, x's dtype no higher in category than y's."""
    y_shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4))
    k = draw(st.integers(0, len(y_shape)))
    x_shape = tuple(1 if draw(st.booleans()) else n for n in y_shape[len(y_shape) - k:])
    y_dtype = draw(torch_dtypes)
    x_dtype = draw(torch_dtypes.filter(lambda d: _category(d) <= _category(y_dtype)))
    return draw(_finite(y_dtype, y_shape)), draw(_finite(x_dtype, x_shape))


@given(yx=operands())
@example(yx=(torch.ones(5, dtype=torch.float64), torch.ones(5, dtype=torch.float64)))
def test_out_of_place_add_allocates_new_memory_and_leaves_operands_alone(device, yx):
    """``y = x + y`` allocates new memory for the result and rebinds ``y``; old y and x are unchanged."""
    y, x = (t.to(device) for t in yx)
    y_before, x_before = y.clone(), x.clone()
    old_y = y
    y = x + y
    assert_owns(y, old_y, "x + y (vs y)")
    assert_owns(y, x, "x + y (vs x)")
    assert_same(old_y, y_before, "the old y after y = x + y")
    assert_same(x, x_before, "x after y = x + y")


IN_PLACE_FORMS = {
    "y += x": lambda y, x: y.__iadd__(x),
    "y.add_(x)": lambda y, x: y.add_(x),
    "torch.add(x, y, out=y)": lambda y, x: torch.add(x, y, out=y),
}


@pytest.mark.parametrize("form", list(IN_PLACE_FORMS), ids=["iadd", "add_", "add-out"])
@given(yx=operands())
@example(yx=(torch.ones(5, dtype=torch.float64), torch.ones(5, dtype=torch.float64)))
def test_in_place_add_writes_into_the_existing_memory(device, form, yx):
    """``y += x``, ``y.add_(x)`` and ``torch.add(x, y, out=y)`` write into y's existing memory.

    The result is the very same tensor object, its storage address is unchanged, its dtype is
    y's, and it holds ``(y + x)`` cast to y's dtype (x broadcast to y's shape).
    """
    y, x = (t.to(device) for t in yx)
    expected = (y + x).to(y.dtype)
    address, before = ptr(y), y
    out = IN_PLACE_FORMS[form](y, x)
    assert out is before, f"{form} returned a different tensor object"
    assert ptr(out) == address, f"{form}: y's storage moved from {address:#x} to {ptr(out):#x}"
    assert_dtype(out, before.dtype, f"{form}: y")
    assert_same(out, expected, f"{form}: y")


@given(y_dtype=torch_dtypes, x_dtype=torch_dtypes,
       shape=hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=4))
@example(y_dtype=torch.int64, x_dtype=torch.float32, shape=(5,))  # int += float: raises
@example(y_dtype=torch.float32, x_dtype=torch.int64, shape=(5,))  # float += int: fine
def test_in_place_add_keeps_dtype_and_raises_when_other_is_of_higher_category(device, y_dtype, x_dtype, shape):
    """In place, ``y += x`` raises RuntimeError when x's dtype is of a higher category than y's.

    Categories: bool < integer < floating < complex. ``int_tensor += float_tensor`` raises
    ("result type Float can't be cast to the desired output type Long") and leaves y untouched;
    ``float_tensor += int_tensor`` is fine and y keeps its dtype. Within a category (``uint8 +=
    int64``) the result is cast back to y's dtype. ``y = y + x`` would promote instead.
    """
    y = base_tensor(shape, y_dtype, device)
    x = base_tensor(shape, x_dtype, device)
    before = y.clone()
    if _category(x_dtype) > _category(y_dtype):
        with raises(RuntimeError, "can't be cast", f"y += x with y {y_dtype}, x {x_dtype}"):
            y += x
        assert_same(y, before, "y after a refused y += x")
    else:
        y += x
        assert_dtype(y, y_dtype, f"y after y += x with x {x_dtype}")


# --------------------------------------------------------------------------- expand, view/reshape


@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3), dtype=torch_dtypes,
       data=st.data())
def test_expand_gives_stride_zero_without_new_memory_and_refuses_in_place_writes(device, shape, dtype, data):
    """``expand`` gives stride 0 along expanded dims without new memory; in-place ``add_`` on it raises, ``fill_`` writes through.

    Every expanded element along a broadcast dim is the same memory cell, so an in-place op that
    computes from the old values (here ``add_``) raises "more than one element of the written-to
    tensor refers to a single memory location" instead of silently writing one cell many times,
    leaving the base unchanged. ``fill_`` writes one value everywhere, so it is allowed -- and lands
    in the base, since there is no other memory.
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


@given(shape=hnp.array_shapes(min_dims=2, max_dims=4, min_side=1, max_side=4), dtype=torch_dtypes,
       data=st.data())
@example(shape=(3, 4), dtype=torch.float32, data=None)  # the classic transposed matrix
@example(shape=(1, 4), dtype=torch.float32, data=None)  # permuted, but still contiguous: view works
def test_view_on_an_incompatible_layout_raises_naming_reshape_and_reshape_copies(device, shape, dtype, data):
    """For a permuted tensor ``x.view(-1)`` works iff x is contiguous; otherwise it raises naming ``reshape``, which copies.

    For a permuted tensor (size-1 dims included) flattening is possible without a copy exactly
    when ``is_contiguous()``; then ``view`` shares memory, and a write through it shows in x.
    Otherwise ``view`` raises RuntimeError pointing to ``.reshape(...)``, and ``reshape`` -- having
    no view to return -- owns new memory with the same values. (When a view *is* possible the docs leave reshape's choice unspecified;
    that is not claimed.)
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


# --------------------------------------------------------------------------- contiguous, clone


@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), dtype=torch_dtypes,
       data=st.data())
def test_contiguous_returns_self_when_contiguous_and_a_copy_otherwise(device, shape, dtype, data):
    """``contiguous()`` returns the tensor itself when already contiguous, a contiguous copy otherwise."""
    x = base_tensor(shape, dtype, device).permute(data.draw(st.permutations(range(len(shape)))))
    if data.draw(st.booleans(), label="step slice"):
        x = x[..., ::2]
    c = x.contiguous()
    if x.is_contiguous():
        assert c is x, f"x.contiguous() of contiguous strides {x.stride()} is a new object, but should be x itself"
    else:
        assert_owns(c, x, f"x.contiguous() of strides {x.stride()}")
        assert c.is_contiguous(), f"x.contiguous() of strides {x.stride()} has strides {c.stride()}, but should be contiguous"
        assert_same(c, x, "x.contiguous()")


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


@given(shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4), dtype=torch_dtypes,
       data=st.data())
def test_clone_owns_new_memory_and_keeps_values_dtype_and_strides(device, shape, dtype, data):
    """``clone()`` always owns new memory and keeps values, dtype and (for dense layouts) strides.

    The default ``memory_format=torch.preserve_format`` copies the strides of a dense,
    non-overlapping input (e.g. a permuted one) exactly. For a non-dense input (e.g. a step slice)
    the clone is dense and keeps the input's dimension order -- it is *not* necessarily contiguous,
    although the ``torch.clone`` docs say "converted to the dense (contiguous) format" (the
    layout-preserving rule dates from PyTorch 1.8, pytorch/pytorch#46046).
    ``memory_format=torch.contiguous_format`` always gives contiguous strides.
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


@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4),
       dtype=st.sampled_from([d for d in (torch.int64, *FLOATING, *COMPLEX)]),
       view_name=st.sampled_from(list(SOME_VIEWS)))
@example(shape=(2, 3), dtype=torch.float32, view_name="x.detach()")
def test_a_view_shares_its_base_version_counter(device, shape, dtype, view_name):
    """A view shares its base's version counter: an in-place op on either bumps ``_version`` of both.

    Autograd uses the counter to detect that a tensor saved for backward was modified in place;
    sharing it is why modifying a view is caught too. ``detach()`` shares it as well (unlike
    ``.data``).
    """
    base = base_tensor(shape, dtype, device)
    v = SOME_VIEWS[view_name](base)
    start = base._version
    assert v._version == start, f"view _version={v._version}, base _version={start}"
    v.add_(1)
    assert (base._version, v._version) != (start, start), "add_ on the view bumped nothing"
    assert base._version == v._version > start, (
        f"after view.add_: base _version={base._version}, view _version={v._version}, was {start}"
    )
    mid = base._version
    base.add_(1)
    assert base._version == v._version > mid, (
        f"after base.add_: base _version={base._version}, view _version={v._version}, was {mid}"
    )


@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4),
       dtype=st.sampled_from([*FLOATING, *COMPLEX]), view_name=st.sampled_from(list(SOME_VIEWS)[:4]))
def test_in_place_on_a_leaf_that_requires_grad_raises_also_through_a_view(device, shape, dtype, view_name):
    """In-place modification of a leaf that requires grad raises, also through a view of it.

    Both ``w.add_(1)`` and ``w[1:].add_(1)`` (any view) raise RuntimeError and leave w
    unchanged; under ``torch.no_grad()`` the same update is allowed (that is how optimizers step).
    """
    w = base_tensor(shape, dtype, device).requires_grad_()
    before = w.detach().clone()
    with raises(RuntimeError, "leaf Variable that requires grad", "w.add_(1) in grad mode"):
        w.add_(1)
    with raises(RuntimeError, "view of a leaf Variable that requires grad", f"{view_name.replace('x', 'w', 1)}.add_(1) in grad mode"):
        SOME_VIEWS[view_name](w).add_(1)
    assert_same(w.detach(), before, "w after the refused add_(1)")
    with torch.no_grad():
        SOME_VIEWS[view_name](w).add_(1)
    assert w._version > 0 and not torch.equal(w.detach(), before), (
        f"w after {view_name.replace('x', 'w', 1)}.add_(1) under no_grad: _version={w._version}, unchanged values, but should be updated"
    )
