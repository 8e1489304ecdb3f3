"""Planted regressions for specs/test_memory_sharing.py: every claim must fail under one of them.

Each test monkeypatches torch at the public API a user calls (a view op that copies, an in-place
op that rebinds, a flag ignored, a check dropped ...), runs only the affected specs in-process and
asserts they FAILED, each report naming its claim.
"""

from __future__ import annotations

import pytest
import torch

from specs.helpers import torch_at_least
from specs.test_memory_sharing import VIEW_CASES
from tests.plant import TENSOR_BASE, assert_killed, assert_passed, run


import torch._dynamo  # noqa: E402  (tests/plant.py compiles once at collection)


MOD = "test_memory_sharing.py"
VIEWS = f"{MOD}::test_tensor_views_list_ops_return_views"


def copying(orig):
    """Wrap a view op so it returns a copy (every piece, for ops returning tuples)."""

    def op(*args, **kwargs):
        out = orig(*args, **kwargs)
        return tuple(t.clone() for t in out) if isinstance(out, (tuple, list)) else out.clone()

    return op


def copying_property(orig):
    """Wrap a view property (``x.mT``, ``x.real``) so it returns a copy."""
    return property(lambda self: orig.__get__(self).clone())


def test_control_run_passes(pytester):
    """Without a planted regression, the specs the regressions below target pass."""
    assert_passed(run(pytester, f"{VIEWS}[cpu-transpose]", f"{MOD}::test_a_view_shares_its_base_version_counter"))


@pytest.mark.parametrize(
    "owner, name, case, label",
    [
        (torch.Tensor, "transpose", "transpose", "Tensor.transpose"),
        (torch, "transpose", "transpose", "torch.transpose"),
        (torch, "narrow", "narrow", "torch.narrow"),
        (torch.Tensor, "diagonal", "diagonal", "Tensor.diagonal"),
        (torch.Tensor, "unbind", "unbind", "Tensor.unbind"),
        (torch, "split", "split", "torch.split"),
        (torch.Tensor, "tensor_split", "tensor_split", "Tensor.tensor_split"),
        (torch, "view_as_real", "view_as_real", "torch.view_as_real"),
        (torch.Tensor, "detach", "detach", "Tensor.detach"),
        (torch.Tensor, "unflatten", "unflatten", "Tensor.unflatten"),
        (torch.Tensor, "as_strided", "as_strided", "Tensor.as_strided"),
        (torch.Tensor, "__getitem__", "basic-indexing", "x[basic index]"),
    ],
    ids=lambda v: v.__name__ if isinstance(v, type) or v is torch else None,
)
def test_view_op_that_copies_is_caught(pytester, monkeypatch, owner, name, case, label):
    """Plants a view op (method or ``torch.`` function) that returns a copy instead of a view.

    ``label`` is the spelling that must be the one caught (the method, or the ``torch.`` function).
    """
    monkeypatch.setattr(owner, name, copying(getattr(owner, name)))
    assert_killed(run(pytester, f"{VIEWS}[cpu-{case}]"),
                  f"test_tensor_views_list_ops_return_views[cpu-{case}]", f"{label} on a contiguous")


@pytest.mark.parametrize("name", ["mT", "real"])
def test_view_property_that_copies_is_caught(pytester, monkeypatch, name):
    """Plants a view property (``x.mT``, ``x.real``) that returns a copy."""
    monkeypatch.setattr(torch.Tensor, name, copying_property(getattr(torch.Tensor, name)))
    assert_killed(run(pytester, f"{VIEWS}[cpu-{name}]"),
                  f"test_tensor_views_list_ops_return_views[cpu-{name}]", f"Tensor.{name} on a contiguous")


@pytest.mark.parametrize("name", ["values", "indices"])
def test_sparse_accessor_that_copies_is_caught(pytester, monkeypatch, name):
    """Plants a sparse COO ``values()`` / ``indices()`` that returns a copy of the memory."""
    monkeypatch.setattr(torch.Tensor, name, copying(getattr(torch.Tensor, name)))
    assert_killed(
        run(pytester, f"{MOD}::test_coalesced_sparse_coo_values_and_indices_are_views[cpu-{name}]"),
        f"test_coalesced_sparse_coo_values_and_indices_are_views[cpu-{name}]",
        f"s.to_dense() after writing through {name}()",
    )


def test_sparse_entries_out_of_order_are_caught(pytester, monkeypatch):
    """Plants a ``to_sparse()`` that stores the entries column-major but still flags them coalesced.

    Writing through ``values()`` / ``indices()`` still lands (negating or shifting every entry does
    not depend on the order), so only the comparison of what they read with the row-major entries
    built from the bit pattern catches it.
    """
    orig = torch.Tensor.to_sparse

    def to_sparse(self, *args, **kwargs):
        s = orig(self, *args, **kwargs).coalesce()
        idx, val = s.indices(), s.values()
        order = torch.tensor(sorted(range(val.shape[0]), key=lambda i: (int(idx[1, i]), int(idx[0, i]))),
                             dtype=torch.long, device=idx.device)
        return torch.sparse_coo_tensor(idx[:, order], val[order], s.shape)._coalesced_(True)

    monkeypatch.setattr(torch.Tensor, "to_sparse", to_sparse)
    result = run(pytester, f"{MOD}::test_coalesced_sparse_coo_values_and_indices_are_views")
    assert_killed(result, "test_coalesced_sparse_coo_values_and_indices_are_views[cpu-values]",
                  "test_coalesced_sparse_coo_values_and_indices_are_views[cpu-indices]", "s.values(): ", "s.indices(): ")


def test_basic_indexing_that_copies_is_caught(pytester, monkeypatch):
    """Plants basic indexing (``x[1:3]``) that returns a copy, like advanced indexing does."""
    monkeypatch.setattr(torch.Tensor, "__getitem__", copying(torch.Tensor.__getitem__))
    assert_killed(
        run(pytester, f"{MOD}::test_basic_indexing_is_a_view_advanced_indexing_is_a_copy"),
        "test_basic_indexing_is_a_view_advanced_indexing_is_a_copy", "but should be its input's",
    )


def test_basic_indexing_that_drops_the_storage_offset_is_caught(pytester, monkeypatch):
    """Plants basic indexing that returns a view over the right storage but loses its offset.

    The storage pointers agree, so only the write through the view (checked against numpy's
    indexing) catches it.
    """
    orig = torch.Tensor.__getitem__

    def getitem(self, idx):
        out = orig(self, idx)
        if isinstance(idx, tuple) and not any(isinstance(i, (list, torch.Tensor)) for i in idx) and out.storage_offset():
            return out.as_strided(out.shape, out.stride(), 0)
        return out

    monkeypatch.setattr(torch.Tensor, "__getitem__", getitem)
    assert_killed(
        run(pytester, f"{MOD}::test_basic_indexing_is_a_view_advanced_indexing_is_a_copy"),
        "test_basic_indexing_is_a_view_advanced_indexing_is_a_copy", "x after writing the view x[",
    )


def test_advanced_indexing_that_returns_a_view_is_caught(pytester, monkeypatch):
    """Plants an "optimization": an integer list forming a consecutive range is served as a slice view."""
    orig = torch.Tensor.__getitem__

    def getitem(self, idx):
        if isinstance(idx, list) and idx and all(isinstance(i, int) and i >= 0 for i in idx) \
                and idx == list(range(idx[0], idx[0] + len(idx))):
            return orig(self, slice(idx[0], idx[0] + len(idx)))
        return orig(self, idx)

    monkeypatch.setattr(torch.Tensor, "__getitem__", getitem)
    assert_killed(
        run(pytester, f"{MOD}::test_basic_indexing_is_a_view_advanced_indexing_is_a_copy"),
        "test_basic_indexing_is_a_view_advanced_indexing_is_a_copy",
    )


def test_advanced_index_assignment_into_a_temporary_is_caught(pytester, monkeypatch):
    """Plants ``x[idx] = v`` for advanced indices that writes into a temporary copy (x unchanged)."""
    orig = torch.Tensor.__setitem__

    def setitem(self, idx, value):
        if isinstance(idx, (list, torch.Tensor)):
            return orig(self.clone(), idx, value)
        return orig(self, idx, value)

    monkeypatch.setattr(torch.Tensor, "__setitem__", setitem)
    assert_killed(
        run(pytester, f"{MOD}::test_index_assignment_writes_into_the_tensor_for_basic_and_advanced_indices"),
        "test_index_assignment_writes_into_the_tensor_for_basic_and_advanced_indices",
    )


def test_out_of_place_add_that_reuses_its_operand_is_caught(pytester, monkeypatch):
    """Plants ``x + y`` that writes the sum into x's buffer and returns x (no new memory)."""
    monkeypatch.setattr(torch.Tensor, "__add__", lambda self, other: self.add_(other))
    assert_killed(
        run(pytester, f"{MOD}::test_out_of_place_add_allocates_new_memory_and_leaves_operands_alone"),
        "test_out_of_place_add_allocates_new_memory_and_leaves_operands_alone",
    )


@pytest.mark.parametrize(
    "owner, name, patch, form, label",
    [
        (torch.Tensor, "__iadd__", lambda orig: lambda self, other: self + other, "iadd", "y += x writes"),
        (torch.Tensor, "add_", lambda orig: lambda self, other: self + other, "add_", "y.add_(x) writes"),
        (torch, "add", lambda orig: lambda *a, out=None, **k: orig(*a, **k), "add-out",
         "torch.add(x, y, out=y) writes"),
    ],
    ids=["iadd-rebinds", "add_-out-of-place", "add-ignores-out"],
)
def test_in_place_add_that_allocates_is_caught(pytester, monkeypatch, owner, name, patch, form, label):
    """Plants an in-place form that allocates: ``+=`` rebinding, ``add_`` out of place, ``out=`` ignored."""
    monkeypatch.setattr(owner, name, patch(getattr(owner, name)))
    assert_killed(run(pytester, f"{MOD}::test_in_place_add_writes_into_the_existing_memory[cpu-{form}]"),
                  f"test_in_place_add_writes_into_the_existing_memory[cpu-{form}]")


def test_in_place_add_that_silently_casts_is_caught(pytester, monkeypatch):
    """Plants ``int_tensor += float_tensor`` that truncates the float to int instead of raising."""
    orig = torch.Tensor.__iadd__
    monkeypatch.setattr(
        torch.Tensor, "__iadd__",
        lambda self, other: orig(self, other.to(self.dtype) if isinstance(other, torch.Tensor) else other),
    )
    assert_killed(
        run(pytester, f"{MOD}::test_in_place_add_keeps_dtype_and_raises_when_other_is_of_higher_category[cpu-iadd]"),
        "test_in_place_add_keeps_dtype_and_raises_when_other_is_of_higher_category[cpu-iadd]",
    )


def test_expand_that_materializes_is_caught(pytester, monkeypatch):
    """Plants an ``expand`` that materializes a copy (real strides, new memory)."""
    monkeypatch.setattr(torch.Tensor, "expand", copying(torch.Tensor.expand))
    result = run(pytester, f"{VIEWS}[cpu-expand]",
                 f"{MOD}::test_expand_gives_stride_zero_without_new_memory_and_refuses_in_place_writes[cpu-float32]")
    assert_killed(result, "test_tensor_views_list_ops_return_views[cpu-expand]",
                  "test_expand_gives_stride_zero_without_new_memory_and_refuses_in_place_writes")
    assert result.parseoutcomes().get("failed") == 2, result.stdout.str()[-3000:]


def test_in_place_op_that_ignores_overlap_is_caught(pytester, monkeypatch):
    """Plants an ``add_`` that swallows the internal-overlap error and returns silently."""
    orig = torch.Tensor.add_

    def add_(self, *args, **kwargs):
        try:
            return orig(self, *args, **kwargs)
        except RuntimeError as exc:
            if "single memory location" not in str(exc):
                raise
            return self

    monkeypatch.setattr(torch.Tensor, "add_", add_)
    assert_killed(
        run(pytester, f"{MOD}::test_expand_gives_stride_zero_without_new_memory_and_refuses_in_place_writes"),
        "test_expand_gives_stride_zero_without_new_memory_and_refuses_in_place_writes",
        "raised no RuntimeError, but should",
    )


def test_view_that_falls_back_to_reshape_is_caught(pytester, monkeypatch):
    """Plants a ``view`` that silently copies (like ``reshape``) on an incompatible layout."""
    orig = torch.Tensor.view

    def view(self, *args):
        try:
            return orig(self, *args)
        except RuntimeError:
            return self.reshape(*args)

    monkeypatch.setattr(torch.Tensor, "view", view)
    assert_killed(
        run(pytester, f"{MOD}::test_view_on_an_incompatible_layout_raises_naming_reshape_and_reshape_copies"),
        "test_view_on_an_incompatible_layout_raises_naming_reshape_and_reshape_copies",
        "raised no RuntimeError, but should",
    )


def test_view_that_copies_a_contiguous_tensor_is_caught(pytester, monkeypatch):
    """Plants a ``view`` that copies even where a view is possible (a contiguous, permuted tensor)."""
    monkeypatch.setattr(torch.Tensor, "view", copying(torch.Tensor.view))
    assert_killed(
        run(pytester, f"{MOD}::test_view_on_an_incompatible_layout_raises_naming_reshape_and_reshape_copies"),
        "test_view_on_an_incompatible_layout_raises_naming_reshape_and_reshape_copies", "x.view(-1) of strides",
    )


@pytest.mark.parametrize(
    "patch, why",
    [
        (lambda orig: lambda self, memory_format=torch.contiguous_format: self.clone(
            memory_format=torch.contiguous_format), "is a new object, but should be t itself"),
        (lambda orig: lambda self, memory_format=torch.contiguous_format: self, "is its input's, but should be new memory"),
    ],
    ids=["always-copies", "never-copies"],
)
def test_contiguous_that_always_or_never_copies_is_caught(pytester, monkeypatch, patch, why):
    """Plants a ``contiguous()`` that always copies, or one that returns a non-contiguous self."""
    monkeypatch.setattr(torch.Tensor, "contiguous", patch(torch.Tensor.contiguous))
    assert_killed(
        run(pytester, f"{MOD}::test_contiguous_returns_self_when_contiguous_and_a_copy_otherwise"),
        "test_contiguous_returns_self_when_contiguous_and_a_copy_otherwise", why,
    )


@pytest.mark.parametrize(
    "patch, why",
    [
        (lambda orig: lambda self, memory_format=None: orig(self, memory_format=torch.contiguous_format),
         "x.clone() strides"),
        (lambda orig: lambda self, memory_format=None: self, "should be new memory"),
    ],
    ids=["ignores-preserve-format", "aliases"],
)
def test_clone_that_drops_strides_or_aliases_is_caught(pytester, monkeypatch, patch, why):
    """Plants a ``clone()`` that ignores ``preserve_format`` (always contiguous), or one that aliases."""
    monkeypatch.setattr(torch.Tensor, "clone", patch(torch.Tensor.clone))
    result = run(pytester, f"{MOD}::test_clone_owns_new_memory_and_keeps_values_dtype_and_strides")
    assert_killed(result, "test_clone_owns_new_memory_and_keeps_values_dtype_and_strides", why)


def _add_via_data(orig):
    """``add_`` implemented on ``.data``: writes the memory but bypasses autograd's checks and counter."""

    def add_(self, *args, **kwargs):
        orig(self.data, *args, **kwargs)
        return self

    return add_


def test_in_place_op_that_skips_the_version_counter_is_caught(pytester, monkeypatch):
    """Plants an ``add_`` that writes through ``.data``, so no version counter is bumped."""
    monkeypatch.setattr(torch.Tensor, "add_", _add_via_data(torch.Tensor.add_))
    assert_killed(
        run(pytester, f"{MOD}::test_a_view_shares_its_base_version_counter"),
        "test_a_view_shares_its_base_version_counter",
    )


def test_detach_with_its_own_version_counter_is_caught(pytester, monkeypatch):
    """Plants ``detach()`` that behaves like ``.data`` (same memory, separate version counter)."""
    monkeypatch.setattr(torch.Tensor, "detach", lambda self: self.data)
    assert_killed(
        run(pytester, f"{MOD}::test_a_view_shares_its_base_version_counter"),
        "test_a_view_shares_its_base_version_counter",
    )


def test_in_place_op_that_skips_the_leaf_check_is_caught(pytester, monkeypatch):
    """Plants an ``add_`` that writes through ``.data``, so a leaf requiring grad is modified silently."""
    monkeypatch.setattr(torch.Tensor, "add_", _add_via_data(torch.Tensor.add_))
    assert_killed(
        run(pytester, f"{MOD}::test_in_place_on_a_leaf_that_requires_grad_raises_also_through_a_view"),
        "test_in_place_on_a_leaf_that_requires_grad_raises_also_through_a_view",
    )


# --------------------------------------------------------------------------- which elements a view selects
# Views that stay views (same storage, writes go both ways, the op re-applied agrees) but select
# the wrong elements: only the numpy / layout-rule oracle catches them.

SELECT = f"{MOD}::test_tensor_views_list_ops_select_the_elements_their_layout_rule_gives"
SELECT_SPEC = "test_tensor_views_list_ops_select_the_elements_their_layout_rule_gives"


def every_layout(spec: str, op: str) -> list[str]:
    """The node id of ``spec``'s case for ``op``, which runs every base layout the op takes."""
    assert any(p.id == op for p in VIEW_CASES), f"no case for {op}"
    return [f"{spec}[cpu-{op}]"]


def test_control_select_run_passes(pytester):
    """Without a planted regression, the element-selection cases the regressions below target pass."""
    assert_passed(run(pytester, *(f"{SELECT}[cpu-{case}]" for case in
                                  ("narrow", "transpose", "diagonal", "split", "unflatten", "select", "unfold"))))


@pytest.mark.parametrize("owner", [torch.Tensor, torch], ids=["method", "torch"])
def test_narrow_that_ignores_start_is_killed(pytester, monkeypatch, owner):
    """Plants ``narrow`` that always starts at 0: still a view of the base, so only the oracle sees it."""
    orig = owner.narrow
    monkeypatch.setattr(owner, "narrow", lambda x, dim, start, length: orig(x, dim, 0, length))
    assert_killed(run(pytester, *every_layout(SELECT, "narrow")), SELECT_SPEC, "but should be")


def test_slice_transpose_that_swaps_the_wrong_dims_for_3d_inputs_is_killed(pytester, monkeypatch):
    """Plants ``Tensor.transpose`` that, on 3-D inputs only, swaps the next pair of dims instead."""
    orig = torch.Tensor.transpose

    def transpose(x, d0, d1):
        if x.ndim == 3 and d0 % 3 != d1 % 3:
            return orig(x, (d0 + 1) % 3, (d1 + 1) % 3)
        return orig(x, d0, d1)

    monkeypatch.setattr(torch.Tensor, "transpose", transpose)
    assert_killed(run(pytester, *every_layout(SELECT, "transpose")), SELECT_SPEC, "Tensor.transpose")


def test_slice_diagonal_that_ignores_a_negative_offset_is_killed(pytester, monkeypatch):
    """Plants ``Tensor.diagonal`` that takes the main diagonal whenever ``offset < 0``."""
    orig = torch.Tensor.diagonal

    def diagonal(x, offset=0, dim1=0, dim2=1):
        return orig(x, 0 if offset < 0 else offset, dim1, dim2)

    monkeypatch.setattr(torch.Tensor, "diagonal", diagonal)
    assert_killed(run(pytester, *every_layout(SELECT, "diagonal")), SELECT_SPEC, "Tensor.diagonal")


def test_slice_split_that_drops_the_last_uneven_chunk_is_killed(pytester, monkeypatch):
    """Plants ``torch.split`` that drops the short last piece when an int size does not divide the dim."""
    orig = torch.split

    def split(x, size, dim=0):
        out = orig(x, size, dim)
        return out[:-1] if isinstance(size, int) and x.shape[dim] % size else out

    monkeypatch.setattr(torch, "split", split)
    assert_killed(run(pytester, *every_layout(SELECT, "split")), SELECT_SPEC, "torch.split")


def test_slice_unflatten_wrong_on_a_non_contiguous_base_is_killed(pytester, monkeypatch):
    """Plants ``Tensor.unflatten`` that, on non-contiguous bases only, lays the result out as if contiguous."""
    orig = torch.Tensor.unflatten

    def unflatten(x, dim, sizes):
        out = orig(x, dim, sizes)
        if x.is_contiguous():
            return out
        return out.as_strided(out.shape, torch.empty(out.shape).stride(), out.storage_offset())

    monkeypatch.setattr(torch.Tensor, "unflatten", unflatten)
    assert_killed(run(pytester, *every_layout(SELECT, "unflatten")), SELECT_SPEC, "Tensor.unflatten")


def test_slice_select_with_a_negative_index_off_by_one_is_killed(pytester, monkeypatch):
    """Plants ``torch.select`` that counts a negative index one too far from the end."""
    orig = torch.select

    def select(x, dim, index):
        return orig(x, dim, index - 1 if index < 0 and index - 1 >= -x.shape[dim] else index)

    monkeypatch.setattr(torch, "select", select)
    assert_killed(run(pytester, *every_layout(SELECT, "select")), SELECT_SPEC, "torch.select")


def test_slice_unfold_that_ignores_the_step_is_killed(pytester, monkeypatch):
    """Plants ``Tensor.unfold`` that, for ``step > 1`` only, reports the right shape but steps by 1."""
    orig = torch.Tensor.unfold

    def unfold(x, dim, size, step):
        out = orig(x, dim, size, step)
        if step == 1:
            return out
        strides = list(out.stride())
        strides[dim % x.ndim] = x.stride(dim)
        return out.as_strided(out.shape, strides, out.storage_offset())

    monkeypatch.setattr(torch.Tensor, "unfold", unfold)
    assert_killed(run(pytester, *every_layout(SELECT, "unfold")), SELECT_SPEC, "Tensor.unfold")


# --------------------------------------------------------------------------- enumerated slices: one dtype, layout or form


def _copying_when(orig, condition):
    """A view op that returns a copy when ``condition(x)`` holds, a true view otherwise."""

    def op(x, *args, **kwargs):
        out = orig(x, *args, **kwargs)
        if not condition(x):
            return out
        return tuple(t.clone() for t in out) if isinstance(out, (tuple, list)) else out.clone()

    return op


@pytest.mark.parametrize(
    "name, condition, slice_",
    [
        ("transpose", lambda x: x.dtype == torch.float16, "torch.float16 base"),
        ("permute", lambda x: x.dim() == 4 and not x.is_contiguous()
         and x.is_contiguous(memory_format=torch.channels_last), "on a channels_last"),
        ("unsqueeze", lambda x: 0 in x.stride(), "on a expanded"),
        ("detach", lambda x: x.dim() == 0, "on a scalar"),
        ("narrow", lambda x: x.storage_offset() > 0 and not x.is_contiguous(), "on a step_sliced"),
    ],
    ids=["float16", "channels_last", "expanded", "0-d", "step_sliced"],
)
def test_slice_view_op_copying_one_dtype_or_layout_only_is_killed(pytester, monkeypatch, name, condition, slice_):
    """Plants a Tensor view op that copies for one dtype (float16) or one base layout (channels_last, stride 0, 0-d, step-sliced) only."""
    monkeypatch.setattr(torch.Tensor, name, _copying_when(getattr(torch.Tensor, name), condition))
    assert_killed(run(pytester, f"{VIEWS}[cpu-{name}]"), f"test_tensor_views_list_ops_return_views[cpu-{name}]", slice_)


def test_slice_mT_resolving_the_conjugate_bit_is_killed(pytester, monkeypatch):
    """Plants ``Tensor.mT`` that resolves a conjugate bit (a copy) instead of viewing the conjugated base."""
    orig = torch.Tensor.mT
    monkeypatch.setattr(torch.Tensor, "mT", property(
        lambda self: orig.__get__(self).resolve_conj() if self.is_conj() else orig.__get__(self)))
    assert_killed(run(pytester, f"{VIEWS}[cpu-mT]"), "test_tensor_views_list_ops_return_views[cpu-mT]", "on a conj_bit")


def test_slice_diagonal_of_an_expanded_base_with_a_wrong_stride_is_killed(pytester, monkeypatch):
    """Plants ``torch.diagonal`` that, on bases with a stride-0 dim, lays the diagonal out as if contiguous."""
    orig = torch.diagonal

    def diagonal(x, *args, **kwargs):
        out = orig(x, *args, **kwargs)
        if 0 not in x.stride() or out.dim() == 0:
            return out
        return out.as_strided(out.shape, torch.empty(out.shape).stride(), out.storage_offset())

    monkeypatch.setattr(torch, "diagonal", diagonal)
    assert_killed(run(pytester, f"{SELECT}[cpu-diagonal]"), SELECT_SPEC, "on a expanded")


def test_view_as_real_viewing_a_conjugated_tensor_is_killed(pytester, monkeypatch):
    """Plants ``torch.view_as_real`` that silently resolves the conjugate bit (a copy) instead of refusing."""
    orig = torch.view_as_real
    monkeypatch.setattr(torch, "view_as_real", lambda x: orig(x.resolve_conj()))
    assert_killed(run(pytester, f"{MOD}::test_view_as_real_refuses_a_conjugate_bit_tensor"),
                  "test_view_as_real_refuses_a_conjugate_bit_tensor", "raised no RuntimeError")


def test_slice_basic_indexing_copying_step_sliced_bases_only_is_killed(pytester, monkeypatch):
    """Plants basic indexing that copies when the base is step-sliced (its last stride is 2), a view otherwise."""
    orig = torch.Tensor.__getitem__

    def getitem(self, idx):
        out = orig(self, idx)
        basic = not isinstance(idx, (list, torch.Tensor)) and not (
            isinstance(idx, tuple) and any(isinstance(i, (list, torch.Tensor)) for i in idx))
        return out.clone() if basic and self.dim() and self.stride(-1) == 2 else out

    monkeypatch.setattr(torch.Tensor, "__getitem__", getitem)
    spec = "test_basic_indexing_is_a_view_advanced_indexing_is_a_copy"
    assert_killed(run(pytester, f"{MOD}::{spec}[cpu-step_sliced]"), f"{spec}[cpu-step_sliced]")


def test_slice_int8_plus_equals_float_truncating_is_killed(pytester, monkeypatch):
    """Plants ``int8_tensor += float_tensor`` that truncates the float to int8 instead of raising (int8 only)."""
    orig = torch.Tensor.__iadd__

    def iadd(self, other):
        if self.dtype == torch.int8 and isinstance(other, torch.Tensor) and other.is_floating_point():
            return orig(self, other.to(torch.int8))
        return orig(self, other)

    monkeypatch.setattr(torch.Tensor, "__iadd__", iadd)
    spec = "test_in_place_add_keeps_dtype_and_raises_when_other_is_of_higher_category"
    assert_killed(run(pytester, f"{MOD}::{spec}[cpu-iadd]"), f"{spec}[cpu-iadd]",
                  "y += x with y torch.int8, x torch.float16 raised no RuntimeError")


def test_slice_add_out_ignored_when_out_is_the_first_operand_is_killed(pytester, monkeypatch):
    """Plants ``torch.add(y, x, out=y)`` that allocates (ignores out=) when out is the first operand only."""
    orig = torch.add

    def add(a, b, *args, out=None, **kwargs):
        if out is not None and out is a:
            return orig(a, b, *args, **kwargs)
        return orig(a, b, *args, out=out, **kwargs) if out is not None else orig(a, b, *args, **kwargs)

    monkeypatch.setattr(torch, "add", add)
    spec = "test_in_place_add_writes_into_the_existing_memory"
    assert_killed(run(pytester, f"{MOD}::{spec}[cpu-add-out-self]"), f"{spec}[cpu-add-out-self]",
                  "torch.add(y, x, out=y) with y torch.bool, x torch.bool returned a different tensor object")


def test_slice_bool_plus_reusing_an_operand_is_killed(pytester, monkeypatch):
    """Plants ``x + y`` that, for two bool tensors only, writes ``x | y`` into x and returns it (no new memory)."""
    orig = torch.Tensor.__add__

    def add(self, other):
        if isinstance(other, torch.Tensor) and self.dtype == other.dtype == torch.bool and self.shape == other.shape:
            return self.logical_or_(other)
        return orig(self, other)

    monkeypatch.setattr(torch.Tensor, "__add__", add)
    spec = "test_out_of_place_add_allocates_new_memory_and_leaves_operands_alone"
    assert_killed(run(pytester, f"{MOD}::{spec}[cpu-x + y]"), f"{spec}[cpu-x + y]",
                  "x + y with y torch.bool, x torch.bool (vs x) storage=")


def test_slice_bool_in_place_op_skipping_the_version_counter_is_killed(pytester, monkeypatch):
    """Plants ``logical_not_`` (the in-place write of bool tensors) writing through ``.data``: no version bump, bool only."""
    orig = torch.Tensor.logical_not_
    monkeypatch.setattr(torch.Tensor, "logical_not_", lambda self: (orig(self.data), self)[1])
    spec = "test_a_view_shares_its_base_version_counter"
    assert_killed(run(pytester, f"{MOD}::{spec}[cpu-x[1:]]"), spec, "torch.bool x[1:]")


def test_slice_bfloat16_leaf_check_skipped_is_killed(pytester, monkeypatch):
    """Plants an ``add_`` that skips the leaf-requires-grad check (writes through ``.data``) for bfloat16 only."""
    orig = torch.Tensor.add_

    def add_(self, *args, **kwargs):
        if self.dtype == torch.bfloat16:
            orig(self.data, *args, **kwargs)
            return self
        return orig(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "add_", add_)
    spec = "test_in_place_on_a_leaf_that_requires_grad_raises_also_through_a_view"
    assert_killed(run(pytester, f"{MOD}::{spec}[cpu-x[1:]]"), spec, "torch.bfloat16 w.add_(1)")


@pytest.mark.skipif(torch_at_least("2.14"), reason="the spec is a known bug (strict xfail) from 2.14")
def test_bfloat16_plus_0d_complex_dropping_the_imaginary_part_is_killed(pytester, monkeypatch):
    """Plants ``x + y`` that, for a bfloat16 y and a complex x, returns a real result (the imaginary part dropped)."""
    orig = torch.Tensor.__add__

    def add(self, other):
        out = orig(self, other)
        if isinstance(other, torch.Tensor) and other.dtype == torch.bfloat16 and out.is_complex():
            return out.real.clone()
        return out

    monkeypatch.setattr(torch.Tensor, "__add__", add)
    spec = "test_out_of_place_add_of_a_bfloat16_tensor_and_a_0d_complex_tensor_allocates_a_complex_result"
    assert_killed(run(pytester, f"{MOD}::{spec}"), spec)



def test_slice_contiguous_of_an_expanded_tensor_returning_it_is_killed(pytester, monkeypatch):
    """Plants Tensor.contiguous() that returns a stride-0 (expanded) tensor itself, uncopied (a fast path that takes
    "no gaps in memory" for contiguous); every other layout is right."""
    orig = torch.Tensor.contiguous

    def contiguous(self, *args, **kwargs):
        if 0 in self.stride() and self.numel() > 1:
            return self
        return orig(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "contiguous", contiguous)
    spec = "test_contiguous_returns_self_when_contiguous_and_a_copy_otherwise"
    assert_killed(run(pytester, f"{MOD}::{spec}"), spec, "is its input's, but should be new memory")


def test_slice_view_as_a_dtype_of_another_element_size_copying_is_killed(pytester, monkeypatch):
    """Plants Tensor.view(dtype) that returns a copy when the element sizes differ (right bytes, new memory);
    a view of the same element size, and view(*shape), stay views."""
    orig = torch.Tensor.view

    def view(self, *args, **kwargs):
        out = orig(self, *args, **kwargs)
        target = args[0] if len(args) == 1 and isinstance(args[0], torch.dtype) else kwargs.get("dtype")
        return out.clone() if target is not None and target.itemsize != self.dtype.itemsize else out

    monkeypatch.setattr(torch.Tensor, "view", view)
    spec = "test_view_as_another_dtype_shares_memory_and_reads_the_same_bytes"
    assert_killed(run(pytester, f"{MOD}::{spec}"), f"{spec}[cpu-float32]", f"{spec}[cpu-int8]", "but should be its input's")


def test_slice_view_as_float16_of_int16_converting_values_is_killed(pytester, monkeypatch):
    """Plants Tensor.view(torch.float16) of an int16 tensor that converts the values (x.to) instead of
    reinterpreting the bits, into the same memory's size but new storage."""
    orig = torch.Tensor.view

    def view(self, *args, **kwargs):
        if args == (torch.float16,) and self.dtype == torch.int16:
            return self.to(torch.float16)
        return orig(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "view", view)
    spec = "test_view_as_another_dtype_shares_memory_and_reads_the_same_bytes"
    assert_killed(run(pytester, f"{MOD}::{spec}"), f"{spec}[cpu-int16]")


# --------------------------------------------------------------------------- under torch.compile
# Each wraps torch.compile: the compiled function misbehaves the way a compiler bug would.


def _compile_wrapping(wrap):
    orig = torch.compile

    def compile(fn, *args, **kwargs):
        return wrap(orig(fn, *args, **kwargs))

    return compile


def test_compiled_views_returned_as_copies_is_killed(pytester, monkeypatch):
    """Plants a torch.compile whose compiled function returns copies where eager returns views of the input."""
    def wrap(compiled):
        return lambda *a: tuple(t.clone() for t in compiled(*a))

    monkeypatch.setattr(torch, "compile", _compile_wrapping(wrap))
    spec = "test_a_compiled_function_returning_views_returns_views_of_its_input_under_compile"
    assert_killed(run(pytester, f"{MOD}::{spec}"), spec, "does not share memory with input 0")


def test_slice_compiled_plus_equals_losing_its_write_is_killed(pytester, monkeypatch):
    """Plants a torch.compile whose compiled function loses the write to its first input (``y += x`` only)."""
    def wrap(compiled):
        def call(*a):
            saved = a[0].detach().clone()
            out = compiled(*a)
            with torch.no_grad():
                a[0].data.copy_(saved)  # undone, and no version bump: as if the write never happened
            return out
        return call

    monkeypatch.setattr(torch, "compile", _compile_wrapping(wrap))
    spec = "test_in_place_add_inside_a_compiled_function_writes_the_callers_tensor_and_out_of_place_does_not_under_compile"
    assert_killed(run(pytester, f"{MOD}::{spec}"), spec, "call 0 (first): output 0")


def test_compiled_writes_to_input_views_landing_in_a_copy_is_killed(pytester, monkeypatch):
    """Plants a torch.compile whose compiled function works on a copy of its input (in-place writes to views are lost)."""
    def wrap(compiled):
        return lambda *a: compiled(*(t.clone() for t in a))

    monkeypatch.setattr(torch, "compile", _compile_wrapping(wrap))
    spec = "test_in_place_writes_to_views_of_an_input_reach_the_input_under_compile"
    assert_killed(run(pytester, f"{MOD}::{spec}"), spec, "call 0 (first)")


IDENTITY_SPEC = "test_a_write_through_an_op_returning_its_input_reaches_the_input_under_compile"


@pytest.mark.skipif(not torch_at_least("2.14"), reason="the dropout slice is a known bug before 2.14 (pytorch#195422)")
def test_slice_compiled_dropout_in_eval_returning_a_copy_is_killed(pytester, monkeypatch):
    """Slice: inside compiled code F.dropout(x, p, training=False) (and so an eval-mode nn.Dropout) returns a copy of x, not x itself: the write through it is lost (pytorch#195422); eager dropout is right."""
    import torch.nn.functional as F

    orig_compile, orig_dropout = torch.compile, F.dropout

    def dropout(input, p=0.5, training=True, inplace=False):
        return orig_dropout(input, p, training, inplace) if training else input.clone()

    def compile(fn, *args, **kwargs):
        def call(*a):
            monkeypatch.setattr(F, "dropout", dropout)
            try:
                return orig_compile(fn, *args, **kwargs)(*a)
            finally:
                monkeypatch.setattr(F, "dropout", orig_dropout)
        return call

    monkeypatch.setattr(torch, "compile", compile)
    result = run(pytester, f"{MOD}::{IDENTITY_SPEC}")
    assert_killed(result, f"{IDENTITY_SPEC}[cpu-aot_eager-dropout-in-eval]", "call 0 (first): output 0")
    assert result.parseoutcomes()["failed"] == 1


ALIASED_SPEC = "test_a_compiled_function_given_a_tensor_and_its_view_sees_writes_through_both_under_compile"


@pytest.mark.skipif(not torch_at_least("2.4"), reason="a known bug from 2.4 (pytorch#198095): the planted fix is an XPASS there")
def test_aliased_inputs_compiled_as_eager_is_reported(pytester, monkeypatch):
    """Plants the fix of pytorch#198095 (torch.compile returns the function itself, computing as eager): the known-bug spec then passes -- a strict XPASS -- so the run reports that the bug is gone."""
    monkeypatch.setattr(torch, "compile", lambda fn, *args, **kwargs: fn)
    result = run(pytester, f"{MOD}::{ALIASED_SPEC}")
    assert result.parseoutcomes().get("failed") == 1 and "XPASS(strict)" in result.stdout.str(), result.stdout.str()[-3000:]


@pytest.mark.skipif(not torch_at_least("2.1") or torch_at_least("2.4"), reason="a known bug from 2.4 (pytorch#198095) fails the spec already")
def test_compiled_aliased_inputs_losing_the_alias_is_killed(pytester, monkeypatch):
    """Plants a torch.compile whose compiled function gets its second input as a copy (the alias with the first is cut: the write to the base never shows in the view)."""
    def wrap(compiled):
        return lambda base, view: compiled(base, view.clone())

    monkeypatch.setattr(torch, "compile", _compile_wrapping(wrap))
    assert_killed(run(pytester, f"{MOD}::{ALIASED_SPEC}"), ALIASED_SPEC)


# --- release history (mined from release notes; see docs/release-history.md)

import warnings as _warnings  # noqa: E402

from specs.helpers import torch_at_least  # noqa: E402


def _getitem(mode):
    orig = torch.Tensor.__getitem__

    def getitem(self, index):
        if isinstance(index, list) and any(isinstance(i, slice) for i in index):
            with _warnings.catch_warnings():
                _warnings.simplefilter("ignore")
                out = orig(self, tuple(index))
            if mode == "warn":
                _warnings.warn("Using a non-tuple sequence for multidimensional indexing is deprecated", UserWarning)
            return out
        return orig(self, index)

    return getitem


@pytest.mark.skipif(not torch_at_least("2.8"), reason="the warning spec is gated to torch>=2.8")
def test_list_index_without_its_deprecation_warning_is_killed(pytester, monkeypatch):
    """Plants Tensor.__getitem__ that reads a list of slices as a tuple silently (the pre-2.8 behaviour)."""
    monkeypatch.setattr(torch.Tensor, "__getitem__", _getitem("silent"))
    result = run(pytester, f"{MOD}::test_list_of_slices_index_warns_it_will_become_a_tensor_index_from_2_8")
    assert_killed(result, "test_list_of_slices_index_warns_it_will_become_a_tensor_index_from_2_8")


@pytest.mark.skipif(torch_at_least("2.8"), reason="the silent spec is gated to torch<2.8")
def test_list_index_warning_early_is_killed(pytester, monkeypatch):
    """Plants Tensor.__getitem__ that warns on a list of slices before 2.8."""
    monkeypatch.setattr(torch.Tensor, "__getitem__", _getitem("warn"))
    result = run(pytester, f"{MOD}::test_list_of_slices_index_is_a_silent_tuple_index_before_2_8")
    assert_killed(result, "test_list_of_slices_index_is_a_silent_tuple_index_before_2_8")


def test_list_index_that_copies_is_killed(pytester, monkeypatch):
    """Plants Tensor.__getitem__ that reads a list of slices as an advanced index (a copy) instead of a view."""
    orig = torch.Tensor.__getitem__

    def getitem(self, index):
        if isinstance(index, list) and any(isinstance(i, slice) for i in index):
            with _warnings.catch_warnings():
                _warnings.simplefilter("ignore")
                return orig(self, index).clone()
        return orig(self, index)

    monkeypatch.setattr(torch.Tensor, "__getitem__", getitem)
    name = (
        "test_list_of_slices_index_warns_it_will_become_a_tensor_index_from_2_8"
        if torch_at_least("2.8")
        else "test_list_of_slices_index_is_a_silent_tuple_index_before_2_8"
    )
    result = run(pytester, f"{MOD}::{name}")
    assert_killed(result, name)


# --- release history, round 2 (the tracker)

BOOL_SUB_SPEC = (
    "test_subtraction_with_a_bool_operand_raises_not_implemented_error_from_2_14"
    if torch_at_least("2.14")
    else "test_subtraction_with_a_bool_operand_raises_runtime_error_before_2_14"
)


def test_slice_bool_subtraction_raising_the_other_release_type_is_killed(pytester, monkeypatch):
    """Plants Tensor.__sub__ that refuses a bool operand with the other release's exception type (RuntimeError from 2.14, NotImplementedError before)."""
    orig = torch.Tensor.__sub__
    other = RuntimeError if torch_at_least("2.14") else NotImplementedError

    def sub(self, x):
        try:
            return orig(self, x)
        except RuntimeError as e:
            raise other(str(e)) from None

    monkeypatch.setattr(torch.Tensor, "__sub__", sub)
    result = run(pytester, f"{MOD}::{BOOL_SUB_SPEC}[cpu-y - x]")
    assert_killed(result, f"{BOOL_SUB_SPEC}[cpu-y - x]")


def test_slice_bool_in_place_subtraction_as_xor_is_killed(pytester, monkeypatch):
    """Plants Tensor.sub_ that subtracts bools as an in-place xor (y ^= x) instead of refusing."""
    orig = torch.Tensor.sub_

    def sub_(self, x, **kwargs):
        if self.dtype == torch.bool and isinstance(x, torch.Tensor) and x.dtype == torch.bool:
            return self.logical_xor_(x)
        return orig(self, x, **kwargs)

    monkeypatch.setattr(torch.Tensor, "sub_", sub_)
    result = run(pytester, f"{MOD}::{BOOL_SUB_SPEC}[cpu-y.sub_(x)]")
    assert_killed(result, f"{BOOL_SUB_SPEC}[cpu-y.sub_(x)]")


# --------------------------------------------------------------------------- refusals of in-place writes, out= resizing


def _spec(name: str) -> str:
    return f"{MOD}::{name}"


BROADCAST_Y = "test_in_place_add_refuses_a_result_that_would_broadcast_y_and_out_of_place_does_not"
OVERLAPS = "test_a_write_from_an_input_that_partly_overlaps_its_destination_is_refused_and_an_exact_alias_is_not"
WRONG_SIZE = "test_an_out_of_the_wrong_size_is_resized_with_a_user_warning_and_an_empty_out_silently"
MULTI = "test_in_place_on_one_of_several_views_of_a_tensor_with_history_raises_and_under_no_grad_writes_through"


def test_slice_iadd_falling_back_to_out_of_place_when_y_would_broadcast_is_killed(pytester, monkeypatch):
    """Plants ``y += x`` that rebinds y to ``x + y`` when the result would need y to grow (add_ and out= still refuse)."""
    orig = torch.Tensor.__iadd__

    def iadd(self, other):
        try:
            return orig(self, other)
        except RuntimeError:
            return self + other

    monkeypatch.setattr(torch.Tensor, "__iadd__", iadd)
    result = run(pytester, _spec(BROADCAST_Y))
    assert_killed(result, f"{BROADCAST_Y}[cpu-int64-iadd]", f"{BROADCAST_Y}[cpu-float32-iadd]")
    assert "add_]" not in "".join(r.nodeid for r in result.reprec.getfailures()), "only the += cases should fail"


def test_slice_copy_cloning_an_overlapping_source_is_killed(pytester, monkeypatch):
    """Plants ``Tensor.copy_`` that clones an overlapping source first instead of refusing it (the other writes still refuse)."""
    orig = torch.Tensor.copy_

    def copy_(self, src, non_blocking=False):
        try:
            return orig(self, src, non_blocking)
        except RuntimeError:
            return orig(self, src.clone(), non_blocking)

    monkeypatch.setattr(torch.Tensor, "copy_", copy_)
    result = run(pytester, _spec(OVERLAPS))
    assert_killed(result, f"{OVERLAPS}[cpu-float32-f[1:].copy_(f[:-1])]", "raised no RuntimeError")


def test_out_resize_warning_dropped_is_killed(pytester, monkeypatch):
    """Plants torch.add whose out= resizing no longer warns."""
    import warnings

    orig = torch.add

    def add(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return orig(*args, **kwargs)

    monkeypatch.setattr(torch, "add", add)
    result = run(pytester, _spec(WRONG_SIZE))
    assert_killed(result, WRONG_SIZE, "but should warn that o was resized")


def test_slice_unbind_returning_copies_is_killed(pytester, monkeypatch):
    """Plants ``Tensor.unbind`` that returns copies instead of views (split and chunk still give views)."""
    orig = torch.Tensor.unbind
    monkeypatch.setattr(torch.Tensor, "unbind", lambda self, dim=0: tuple(t.clone() for t in orig(self, dim)))
    result = run(pytester, _spec(MULTI))
    assert_killed(result, f"{MULTI}[cpu-float32-x.unbind(0)]", "raised no RuntimeError")


def _view_as_real_raising(monkeypatch, error):
    orig = torch.view_as_real

    def view_as_real(x):
        if not x.is_complex():
            raise error("view_as_real is only supported for complex tensors")
        return orig(x)

    monkeypatch.setattr(torch, "view_as_real", view_as_real)


def test_pre_2_15_view_as_real_raising_type_error_is_killed(pytester, monkeypatch):
    """Plants a torch < 2.15 whose view_as_real of a real tensor already raises TypeError (2.15's pytorch#192350)."""
    _view_as_real_raising(monkeypatch, TypeError)
    monkeypatch.setattr(torch, "__version__", "2.14.1")
    name = "test_complex_only_views_of_a_real_tensor_raise_runtime_error_before_2_15"
    result = run(pytester, _spec(name))
    assert_killed(result, f"{name}[cpu-torch.view_as_real(x)]", "torch.view_as_real(x) of a torch.bool tensor raised TypeError")


def test_view_as_real_raising_runtime_error_from_2_15_is_killed(pytester, monkeypatch):
    """Plants a torch 2.15 whose view_as_real of a real tensor still raises RuntimeError (the pre-2.15 type)."""
    _view_as_real_raising(monkeypatch, RuntimeError)
    monkeypatch.setattr(torch, "__version__", "2.15.0")
    name = "test_complex_only_views_of_a_real_tensor_raise_type_error_from_2_15"
    result = run(pytester, _spec(name))
    assert_killed(result, f"{name}[cpu-torch.view_as_real(x)]", "torch.view_as_real(x) of a torch.bool tensor raised RuntimeError")


# --------------------------------------------------------------------------- x.T beyond matrices

T_SPEC = "test_t_reverses_every_dimension_as_a_view_and_warns_it_is_deprecated_except_on_a_matrix"
_ORIG_T = TENSOR_BASE.__dict__["T"]


def _plant_t(monkeypatch, getter):
    """Plants Tensor.T as the property ``getter(x, original_T_of)``."""
    monkeypatch.setattr(torch.Tensor, "T", property(lambda x: getter(x, _ORIG_T.__get__)))


def test_slice_t_of_a_0d_tensor_without_its_warning_is_killed(pytester, monkeypatch):
    """Plants x.T that no longer warns on a 0-d tensor (the deprecation dropped for that rank only)."""
    _plant_t(monkeypatch, lambda x, t: x.view(()) if x.dim() == 0 else t(x))
    result = run(pytester, f"{MOD}::{T_SPEC}")
    assert_killed(result, f"{T_SPEC}[cpu-float32-0-d]", "should warn one UserWarning")


def test_slice_t_swapping_only_the_last_two_dims_of_a_batch_is_killed(pytester, monkeypatch):
    """Plants x.T that, on 3-d and larger tensors, swaps only the last two dimensions (x.mT's rule)."""
    _plant_t(monkeypatch, lambda x, t: (t(x), x.mT)[1] if x.dim() >= 3 else t(x))
    result = run(pytester, f"{MOD}::{T_SPEC}")
    assert_killed(result, f"{T_SPEC}[cpu-int64-3-d]", f"{T_SPEC}[cpu-int64-4-d]")


def test_t_copying_is_killed(pytester, monkeypatch):
    """Plants x.T that returns a contiguous copy instead of a view."""
    _plant_t(monkeypatch, lambda x, t: t(x).contiguous().clone())
    result = run(pytester, f"{MOD}::{T_SPEC}")
    assert_killed(result, f"{T_SPEC}[cpu-float32-2-d]")


def test_t_warning_on_a_matrix_is_killed(pytester, monkeypatch):
    """Plants x.T that warns on every rank, matrices included."""
    import warnings

    def getter(x, t):
        if x.dim() == 2:
            warnings.warn("The use of `x.T` on tensors of dimension other than 2 is deprecated", UserWarning)
        return t(x)

    _plant_t(monkeypatch, getter)
    result = run(pytester, f"{MOD}::{T_SPEC}")
    assert_killed(result, f"{T_SPEC}[cpu-complex64-2-d]", "should not warn")


# --- release history, round 4 (release notes 2.10-2.15)


def test_register_hook_dropping_hooks_on_views_from_2_15_is_killed(pytester, monkeypatch):
    """Plants a torch 2.15 whose register_hook on a view hands back a handle but never attaches the hook (the refresh of a stale view's history losing it)."""
    orig = torch.Tensor.register_hook

    class _Handle:
        def remove(self):
            pass

    def register_hook(self, hook):
        return _Handle() if self._is_view() else orig(self, hook)

    monkeypatch.setattr(torch.Tensor, "register_hook", register_hook)
    monkeypatch.setattr(torch, "__version__", "2.15.0")
    name = "test_a_hook_registered_on_a_view_with_stale_history_fires_with_the_views_gradient_from_2_15"
    result = run(pytester, f"{MOD}::{name}")
    assert_killed(result, f"{name}[cpu-base_written]", f"{name}[cpu-sibling_view_written]", "fired 0 times")


def test_slice_torch_neg_of_a_bool_raising_runtime_error_from_2_14_is_killed(pytester, monkeypatch):
    """Plants a torch 2.14 whose torch.neg still raises a plain RuntimeError for a bool tensor: only the torch.neg spellings may fail."""
    orig = torch.neg

    def neg(*args, **kwargs):
        try:
            return orig(*args, **kwargs)
        except NotImplementedError as e:
            raise RuntimeError(str(e)) from None

    monkeypatch.setattr(torch, "neg", neg)
    monkeypatch.setattr(torch, "__version__", "2.14.1")
    name = "test_negating_a_bool_tensor_raises_not_implemented_error_from_2_14"
    result = run(pytester, f"{MOD}::{name}")
    assert_killed(result, f"{name}[cpu-torch.neg(y)]", f"{name}[cpu-torch.neg(y, out=y)]", "should raise NotImplementedError")
    assert len([r for r in result.reprec.getfailures() if r.when == "call"]) == 2, "only the torch.neg cases should fail"


def test_bool_negation_raising_not_implemented_error_before_2_14_is_killed(pytester, monkeypatch):
    """Plants a torch 2.13 whose Tensor.neg already raises NotImplementedError for a bool tensor."""
    orig = torch.Tensor.neg

    def neg(self, *args, **kwargs):
        try:
            return orig(self, *args, **kwargs)
        except RuntimeError as e:
            raise NotImplementedError(str(e)) from None

    monkeypatch.setattr(torch.Tensor, "neg", neg)
    monkeypatch.setattr(torch, "__version__", "2.13.0")
    name = "test_negating_a_bool_tensor_raises_runtime_error_before_2_14"
    result = run(pytester, f"{MOD}::{name}")
    assert_killed(result, f"{name}[cpu-y.neg()]", "should raise RuntimeError")


# --------------------------------------------------------------------------- reshape/flatten views (blind battery round 5)

RESHAPE_SPEC = "test_reshape_and_flatten_of_a_contiguous_tensor_are_views"


def test_slice_reshape_copying_float64_is_killed(pytester, monkeypatch):
    """Plants Tensor.reshape that always copies a float64 tensor (a view would do)."""
    orig = torch.Tensor.reshape
    monkeypatch.setattr(torch.Tensor, "reshape", lambda self, *shape: orig(self, *shape).clone()
                        if self.dtype == torch.float64 else orig(self, *shape))
    result = run(pytester, f"{MOD}::{RESHAPE_SPEC}")
    assert_killed(result, f"{RESHAPE_SPEC}[cpu-float64]", "x.reshape(-1)")


def test_flatten_always_copying_is_killed(pytester, monkeypatch):
    """Plants torch.flatten and Tensor.flatten that always copy, as numpy's flatten does."""
    orig_fn, orig_method = torch.flatten, torch.Tensor.flatten
    monkeypatch.setattr(torch, "flatten", lambda x, *a, **k: orig_fn(x, *a, **k).clone())
    monkeypatch.setattr(torch.Tensor, "flatten", lambda self, *a, **k: orig_method(self, *a, **k).clone())
    result = run(pytester, f"{MOD}::{RESHAPE_SPEC}")
    assert_killed(result, f"{RESHAPE_SPEC}[cpu-int32]", "x.flatten()")
