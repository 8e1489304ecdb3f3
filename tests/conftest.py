"""Fixtures for the suite's own tests (the harness itself lives in the repository's conftest.py)."""

from __future__ import annotations

import ctypes
import sys

import pytest
import torch


def _tensor_sq_item():
    """torch.Tensor's ``tp_as_sequence->sq_item`` type slot, or None where it cannot be read (not CPython)."""
    if sys.implementation.name != "cpython":
        return None
    size = ctypes.sizeof(ctypes.c_void_p)
    # PyTypeObject: 3 words of object header, then tp_name ... tp_as_number (10 words), then tp_as_sequence
    as_sequence = ctypes.c_void_p.from_address(id(torch.Tensor) + 13 * size).value
    # PySequenceMethods: sq_length, sq_concat, sq_repeat, then sq_item
    return ctypes.c_void_p.from_address(as_sequence + 3 * size) if as_sequence else None


@pytest.fixture(autouse=True)
def tensor_stays_no_sequence():
    """Undo what CPython leaves behind after a planted regression patches a dunder of torch.Tensor.

    Several plants monkeypatch ``torch.Tensor.__getitem__``. Setting it fills both of the type's
    ``mp_subscript`` and ``sq_item`` slots; deleting it again (monkeypatch's undo) leaves a generic
    ``sq_item`` (CPython's ``resolve_slotdups`` finds both slots set and cannot tell which one the
    base class meant), so from then on every tensor passes ``PySequence_Check`` and
    ``torch.tensor([a_0d_tensor, 2.5])`` recurses into the 0-d tensor ("len() of a 0-d tensor") for
    the rest of the process -- a later spec run in the same worker fails for a reason no torch has.
    The slot is put back as it was before the test (torch.Tensor defines none: it is empty)."""
    slot = _tensor_sq_item()
    before = slot.value if slot is not None else None
    yield
    if slot is not None and before is None and slot.value is not None:
        slot.value = None
