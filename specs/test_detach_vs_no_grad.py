"""detach() vs torch.no_grad() and the other grad modes.

``t.detach()`` acts on *one tensor*: it returns a new tensor over the same storage, with no
history and ``requires_grad=False``. Gradient stops flowing through that one tensor only; every
other use of ``t`` (or of the leaf behind it) is still differentiated.

``torch.no_grad()`` acts on *a block of code*: while it is active, autograd records nothing, so
every op's output has ``requires_grad=False`` even when its inputs require grad. It does not touch
the tensors themselves (a leaf keeps ``requires_grad=True``), factories asked for
``requires_grad=True`` still honour it, and the previous mode comes back when the block exits --
also through an exception. ``enable_grad()`` switches recording back on inside it, and
``set_grad_enabled(flag)`` does either, as a context manager or as a plain call. Grad mode is
*thread-local*: a thread started inside ``no_grad`` records as usual.

The autograd notes ("Locally disabling gradient computation") compare the three grad modes; each
cell below is checked by ``test_grad_mode_table``:

============  ====================  ===================  ==========================  ==================
Mode          Excludes operations   Skips additional     Tensors created while the   Examples
              from being recorded   autograd tracking    mode is enabled can be
              in backward graph     overhead             used in grad-mode later
============  ====================  ===================  ==========================  ==================
default                                                  ✓                           Forward pass
no-grad       ✓                                          ✓                           Optimizer updates
inference     ✓                     ✓                                                Data processing,
                                                                                     model evaluation
============  ====================  ===================  ==========================  ==================

"Skips tracking overhead" is observable: tensors made under ``inference_mode`` are *inference
tensors* (``is_inference()``) with no version counter (reading ``_version`` raises). "Cannot be
used later" is precise, not absolute: autograd refuses an inference tensor where it would have to
be *saved for backward* (``w * t``), and an in-place update of it outside inference mode is refused
too (even under ``no_grad``); an op that saves nothing (``w + t``) is accepted, and ``t.clone()``
outside the mode is a normal tensor.

The source note's summary ("detach affects one variable, no_grad every operation in the block") is
right; what it leaves out is that no_grad changes no tensor's flag, and the factory exception.
Its section 4 says no_grad turns autograd off "to reduce memory use and speed up computation, and
the result cannot be loss.backward()-ed": the backward part is checked exactly
(``test_no_grad_results_cannot_be_backwarded_but_grad_mode_results_can``), the memory part as "no
tensor is saved for backward" (``test_no_grad_and_inference_mode_save_no_tensors_for_backward``)
and, on CUDA, as a lower allocator peak (``test_no_grad_forward_peaks_lower_in_cuda_memory``);
speed is not asserted (timings are not a property).
"""

from __future__ import annotations

import contextlib
import re
import threading

import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from specs.helpers import assert_requires_grad, assert_same, assert_shares, raises

real_dtypes = st.sampled_from([torch.float32, torch.float64])
#: non-empty (an empty tensor has no data pointer to compare), small (values are compared exactly)
nonempty_shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=5)
small = st.integers(-8, 8).map(float)


@contextlib.contextmanager
def grad_mode_restored():
    """Put grad mode back (through the C switch, not the API under test) whatever happens inside."""
    before = torch.is_grad_enabled()
    try:
        yield
    finally:
        torch._C._set_grad_enabled(before)


def check_mode(expected: bool, where: str):
    __tracebackhide__ = True
    got = torch.is_grad_enabled()
    assert got is expected, f"is_grad_enabled()={got} {where}, but should be {expected}"


# --------------------------------------------------------------------------- detach


@given(shape=nonempty_shapes, dtype=real_dtypes)
@example(shape=(5,), dtype=torch.float64)
def test_detach_shares_storage_and_has_no_history(device, shape, dtype):
    """detach() returns a tensor that shares storage, does not require grad and has no grad_fn.

    It is a new leaf over the same memory: writing into it changes the original.
    """
    x = torch.ones(shape, dtype=dtype, device=device, requires_grad=True)
    y = x * 2
    d = y.detach()
    assert_shares(d, y, "y.detach()")
    assert_requires_grad(d, False, "y.detach()")
    assert d.grad_fn is None and d.is_leaf, (
        f"y.detach(): grad_fn={d.grad_fn}, is_leaf={d.is_leaf}, but should be None/True"
    )
    with torch.no_grad():
        d.fill_(7)
    assert_same(y.detach().clone(), torch.full(shape, 7.0, dtype=dtype, device=device), "y after y.detach().fill_(7)")


@given(values=st.lists(small, min_size=1, max_size=6))
@example(values=[1.0, 2.0, 3.0])
def test_detach_cuts_gradient_through_that_tensor_only(device, values):
    """detach() stops gradient through the detached tensor only; other uses of the same input still get gradient.

    ``out = (x * x.detach()).sum()`` treats the detached factor as a constant, so
    ``x.grad == x`` (not ``2 * x``).
    """
    x = torch.tensor(values, device=device, requires_grad=True)
    (x * x.detach()).sum().backward()
    assert_same(x.grad, x.detach(), "x.grad of sum(x * x.detach())")


# --------------------------------------------------------------------------- no_grad

UNARY = {
    "x * 2": lambda x: x * 2,
    "torch.exp": torch.exp,
    "x.sum()": lambda x: x.sum(),
    "x.clone()": lambda x: x.clone(),
}


@given(shape=nonempty_shapes, dtype=real_dtypes)
@example(shape=(1,), dtype=torch.float32)
@example(shape=(2, 1, 3), dtype=torch.float64)
def test_no_grad_outputs_do_not_require_grad_but_leaves_keep_theirs(device, shape, dtype):
    """Inside no_grad every op's output has requires_grad=False, even from inputs that require grad; the leaf keeps requires_grad=True.

    no_grad changes what autograd records, not any tensor's flag. Views are the exception to the
    letter of the docs (see ``test_views_made_in_no_grad_still_report_requires_grad``).
    """
    x = torch.ones(shape, dtype=dtype, device=device, requires_grad=True)
    with torch.no_grad():
        check_mode(False, "inside no_grad")
        for name, op in UNARY.items():
            out = op(x)
            assert_requires_grad(out, False, name)
            assert out.grad_fn is None, f"{name}.grad_fn={out.grad_fn}, but should be None"
        assert_requires_grad(x, True, "the leaf x")
    assert_requires_grad(x * 2, True, "x * 2 after the block")


@given(values=st.lists(small, min_size=1, max_size=6), dtype=real_dtypes, scale=st.integers(1, 4))
@example(values=[0.0, -3.0, 5.0], dtype=torch.float32, scale=3)
def test_no_grad_results_cannot_be_backwarded_but_grad_mode_results_can(device, values, dtype, scale):
    """A loss computed under no_grad cannot be backward()-ed (RuntimeError: it has no grad_fn); the same loss computed in grad mode back-propagates the correct gradient.

    The note's "得到的结果无法进行loss.backward()" (section 4). ``loss = scale * sum(x * x)`` has
    gradient ``2 * scale * x``, written out here (small integers: exact in float32/64).
    """
    x = torch.tensor(values, dtype=dtype, device=device, requires_grad=True)
    with torch.no_grad():
        frozen = (x * x).sum() * scale
    with raises(RuntimeError, re.escape("does not require grad and does not have a grad_fn"), "loss from no_grad .backward()"):
        frozen.backward()
    assert x.grad is None, f"x.grad={x.grad} after the refused backward, but should be None"
    loss = (x * x).sum() * scale
    loss.backward()
    expected = torch.tensor([2.0 * scale * v for v in values], dtype=dtype, device=device)
    assert_same(x.grad, expected, "x.grad of scale * sum(x * x)")


def _pack_counter():
    counts = {"packed": 0}

    def pack(t):
        counts["packed"] += 1
        return t

    return counts, torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t)


SAVING_OPS = {
    "x * w": lambda x, w, layer: x * w,
    "x.pow(2)": lambda x, w, layer: x.pow(2),
    "torch.sin(x)": lambda x, w, layer: torch.sin(x),
    "nn.Linear(x)": lambda x, w, layer: layer(x),
}


@given(shape=nonempty_shapes, dtype=real_dtypes, op=st.sampled_from(list(SAVING_OPS)))
@example(shape=(4,), dtype=torch.float32, op="nn.Linear(x)")
def test_no_grad_and_inference_mode_save_no_tensors_for_backward(device, shape, dtype, op):
    """Under no_grad and inference_mode autograd saves no tensors for backward, where grad mode saves some for the same computation.

    The note's "以减少存储使用" (section 4), observed without timing: every tensor autograd keeps for
    backward passes through the ``pack`` hook of ``torch.autograd.graph.saved_tensors_hooks``;
    inside no_grad and inference_mode ``pack`` is never called.
    """
    x = torch.randn(shape, dtype=dtype, device=device, requires_grad=True)
    w = torch.randn(shape, dtype=dtype, device=device, requires_grad=True)
    if op == "nn.Linear(x)" and x.dim() == 0:
        x, w = x.reshape(1), w.reshape(1)
    with grad_mode_restored():  # made outside the hooks, its init (itself under no_grad) through the C switch
        torch._C._set_grad_enabled(False)
        layer = torch.nn.Linear(x.shape[-1] if x.dim() else 1, 2, device=device, dtype=dtype)
    packed = {}
    for mode, ctx in {"grad mode": torch.enable_grad, "no_grad": torch.no_grad, "inference_mode": torch.inference_mode}.items():
        counts, hooks = _pack_counter()
        with hooks, ctx():
            SAVING_OPS[op](x, w, layer)
        packed[mode] = counts["packed"]
    assert packed["grad mode"] > 0, f"{op} in grad mode saved {packed['grad mode']} tensors, but should save some"
    assert packed["no_grad"] == 0, f"{op} under no_grad saved {packed['no_grad']} tensors for backward, but should save 0"
    assert packed["inference_mode"] == 0, (
        f"{op} under inference_mode saved {packed['inference_mode']} tensors for backward, but should save 0"
    )


def _peak_forward_bytes(x, ctx):
    dev = x.device
    torch.cuda.synchronize(dev)
    torch.cuda.reset_peak_memory_stats(dev)
    base = torch.cuda.memory_allocated(dev)
    with ctx():
        out = torch.sin(torch.sin(torch.sin(torch.sin(x))))
    torch.cuda.synchronize(dev)
    return torch.cuda.max_memory_allocated(dev) - base, out


@pytest.mark.needs_cuda
def test_no_grad_forward_peaks_lower_in_cuda_memory(device):
    """On CUDA, a forward pass (a chain of four sin) peaks at less allocated device memory under no_grad than in grad mode.

    The note's "以减少存储使用" measured by the CUDA caching allocator
    (``torch.cuda.reset_peak_memory_stats``, ``torch.cuda.max_memory_allocated``): in grad mode each
    intermediate stays alive, saved for backward; under no_grad it is freed as soon as the next op
    consumed it. About the CUDA allocator, so every variant runs on CUDA (the cpu variant moves
    its input there). No timing is asserted.
    """
    x = torch.randn(1 << 20, device=device).cuda().requires_grad_()
    grad_peak, grad_out = _peak_forward_bytes(x, torch.enable_grad)
    del grad_out
    no_grad_peak, out = _peak_forward_bytes(x, torch.no_grad)
    assert no_grad_peak < grad_peak, (
        f"peak allocated for the forward: {no_grad_peak} bytes under no_grad, {grad_peak} in grad mode; "
        "no_grad should peak lower"
    )
    expected = x.detach().sin().sin().sin().sin()
    assert_same(out, expected, "sin^4(x) under no_grad")


@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5), view=st.sampled_from(["x[0]", "x.view(-1)", "x.unsqueeze(0)"]))
@example(shape=(3,), view="x[0]")  # pytorch/pytorch#11390's example
def test_views_made_in_no_grad_still_report_requires_grad(device, shape, view):
    """A view taken inside no_grad of a tensor that requires grad still reports requires_grad=True, yet it has no grad_fn and no gradient reaches its base.

    Contrary to the no_grad docstring ("every computation will have requires_grad=False"), a view
    mirrors its base's flag (known since pytorch/pytorch#11390). It is a leaf without history:
    ``(v * 3).sum().backward()`` runs, but ``x.grad`` stays ``None``; and modifying it in place in
    grad mode is refused ("A view was created in no_grad mode ...").
    """
    x = torch.ones(shape, device=device, requires_grad=True)
    make = {"x[0]": lambda: x[0], "x.view(-1)": lambda: x.view(-1), "x.unsqueeze(0)": lambda: x.unsqueeze(0)}[view]
    with torch.no_grad():
        v = make()
    assert_requires_grad(v, True, f"{view} taken in no_grad")
    assert v.grad_fn is None, f"{view}.grad_fn={v.grad_fn}, but should be None"
    (v * 3).sum().backward()
    assert x.grad is None, f"x.grad={x.grad} after backward through the view, but should be None"
    with raises(RuntimeError, "view was created in no_grad mode", f"{view}.mul_(2) in grad mode"):
        v.mul_(2)


def test_no_grad_restores_the_previous_mode_also_on_exception(device):
    """Leaving no_grad restores the grad mode that was active before it, also when the block raises.

    "Previous" matters: a ``no_grad`` nested in ``set_grad_enabled(False)`` leaves grad disabled.
    """
    x = torch.ones(3, device=device, requires_grad=True)
    with grad_mode_restored():
        with pytest.raises(KeyError):
            with torch.no_grad():
                raise KeyError("boom")
        check_mode(True, "after no_grad exited by an exception")
        assert_requires_grad(x * 2, True, "x * 2 after the exception")
        torch._C._set_grad_enabled(False)
        with torch.no_grad():
            pass
        check_mode(False, "after no_grad nested in a disabled region")


def test_no_grad_works_as_a_decorator(device):
    """@torch.no_grad() disables recording inside the decorated function only.

    The caller's mode is untouched before and after the call.
    """
    x = torch.ones(3, device=device, requires_grad=True)

    @torch.no_grad()
    def doubler(t):
        return t * 2, torch.is_grad_enabled()

    out, inside = doubler(x)
    assert inside is False, "is_grad_enabled()=True inside the decorated function"
    assert_requires_grad(out, False, "doubler(x)")
    check_mode(True, "after calling the decorated function")


@pytest.mark.torch_version(
    ">=2.1",
    reason="no_grad/enable_grad/inference_mode accept a function directly since pytorch/pytorch#107086 "
    "(Aug 2023, first released in 2.1); the 2.0 docs say 'Make sure to instantiate with parenthesis'",
)
def test_grad_mode_decorators_work_without_parentheses(device):
    """@torch.no_grad, @torch.enable_grad and @torch.inference_mode also work without parentheses."""
    x = torch.ones(3, device=device, requires_grad=True)

    def double(t):
        return t * 2

    try:
        no_grad_double = torch.no_grad(double)
        enable_grad_double = torch.enable_grad(double)
        inference_double = torch.inference_mode(double)
    except TypeError as e:
        pytest.fail(f"decorating without parentheses raised TypeError: {e}")

    assert_requires_grad(no_grad_double(x), False, "@torch.no_grad function output")
    with torch.no_grad():
        assert_requires_grad(enable_grad_double(x), True, "@torch.enable_grad function output inside no_grad")
    out = inference_double(x)
    assert isinstance(out, torch.Tensor) and out.is_inference(), (
        f"@torch.inference_mode function returned {type(out).__name__}, not an inference tensor"
    )


FACTORIES = {
    "torch.zeros": lambda shape, dtype, device: torch.zeros(shape, dtype=dtype, device=device, requires_grad=True),
    "torch.ones": lambda shape, dtype, device: torch.ones(shape, dtype=dtype, device=device, requires_grad=True),
    "torch.full": lambda shape, dtype, device: torch.full(shape, 3.0, dtype=dtype, device=device, requires_grad=True),
    "torch.tensor": lambda shape, dtype, device: torch.tensor(1.5, dtype=dtype, device=device, requires_grad=True),
    "torch.randn": lambda shape, dtype, device: torch.randn(shape, dtype=dtype, device=device, requires_grad=True),
    "nn.Parameter": lambda shape, dtype, device: torch.nn.Parameter(torch.zeros(shape, dtype=dtype, device=device)),
}


@given(shape=nonempty_shapes, dtype=real_dtypes)
@example(shape=(10,), dtype=torch.float32)  # the no_grad docs' example: nn.Parameter(torch.rand(10))
def test_factories_asked_for_requires_grad_still_require_grad_inside_no_grad(device, shape, dtype):
    """Factories called with requires_grad=True (and nn.Parameter) inside no_grad still return leaves that require grad.

    The documented exception to no_grad: it governs recording of ops, not explicit requests.
    """
    with torch.no_grad():
        made = {name: make(shape, dtype, device) for name, make in FACTORIES.items()}
    for name, t in made.items():
        assert_requires_grad(t, True, f"{name}(..., requires_grad=True) made in no_grad")
        assert t.is_leaf, f"{name}: is_leaf=False"


@given(values=st.lists(small, min_size=1, max_size=6))
@example(values=[1.0])
def test_enable_grad_inside_no_grad_records_again(device, values):
    """enable_grad inside no_grad records operations again; no_grad resumes after its block.

    The recorded graph is complete: backward through it reaches the leaf.
    """
    x = torch.tensor(values, device=device, requires_grad=True)
    with torch.no_grad():
        with torch.enable_grad():
            y = x * 2
        check_mode(False, "after enable_grad inside no_grad")
        assert_requires_grad(x * 2, False, "x * 2 after the enable_grad block")
    assert_requires_grad(y, True, "x * 2 under enable_grad")
    y.sum().backward()
    assert_same(x.grad, torch.full_like(x, 2.0), "x.grad through x * 2 recorded under enable_grad")


@given(mode=st.booleans())
@example(mode=False)
def test_set_grad_enabled_works_as_context_manager_and_as_a_call(device, mode):
    """set_grad_enabled(mode) sets grad mode to mode, as a context manager (restored after) and as a plain call (until changed).

    As a plain call it is a switch, not a scope: the mode stays until set again.
    """
    x = torch.ones(2, device=device, requires_grad=True)
    with grad_mode_restored():
        with torch.set_grad_enabled(mode):
            check_mode(mode, "inside set_grad_enabled(mode)")
            assert_requires_grad(x * 2, mode, f"x * 2 inside set_grad_enabled({mode})")
        check_mode(True, "after the set_grad_enabled block")
        torch.set_grad_enabled(mode)
        check_mode(mode, "after the plain call set_grad_enabled(mode)")
        assert_requires_grad(x * 2, mode, f"x * 2 after set_grad_enabled({mode})")


def test_grad_mode_is_thread_local(device):
    """Grad mode is thread-local: a thread started inside no_grad records operations.

    Conversely the other thread does not switch the main thread's mode.
    """
    x = torch.ones(3, device=device, requires_grad=True)
    seen = {}

    def worker():
        seen["mode"] = torch.is_grad_enabled()
        seen["out"] = x * 2

    with torch.no_grad():
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        check_mode(False, "in the main thread inside no_grad")
    assert seen["mode"] is True, f"is_grad_enabled()={seen['mode']} in the worker thread"
    assert_requires_grad(seen["out"], True, "x * 2 in a thread started inside no_grad")


def test_no_grad_allows_in_place_updates_of_leaves_that_require_grad(device):
    """An in-place update of a leaf that requires grad raises in grad mode and works inside no_grad (the optimizer-update use).

    The leaf stays a leaf that requires grad; the update is not recorded.
    """
    w = torch.ones(3, device=device, requires_grad=True)
    step = torch.full((3,), 0.5, device=device)
    with raises(RuntimeError, "leaf Variable that requires grad", "w.sub_(step) in grad mode"):
        w.sub_(step)
    try:
        with torch.no_grad():
            w.sub_(step)
    except RuntimeError as e:
        pytest.fail(f"in-place update of the leaf inside no_grad raised {e}")
    assert_requires_grad(w, True, "w after the update")
    assert w.is_leaf and w.grad_fn is None, f"w: is_leaf={w.is_leaf}, grad_fn={w.grad_fn}"
    assert_same(w.detach(), torch.full((3,), 0.5, device=device), "w after w.sub_(step) in no_grad")


# --------------------------------------------------------------------------- the grad-mode table

MODES = {
    "default": contextlib.nullcontext,
    "no-grad": lambda: torch.no_grad(),
    "inference": lambda: torch.inference_mode(),
}
#: row -> (excludes recording, skips tracking overhead, usable in grad mode later), from the notes
TABLE = {
    "default": (False, False, True),
    "no-grad": (True, False, True),
    "inference": (True, True, False),
}


def has_version_counter(t) -> bool:
    try:
        t._version
    except RuntimeError:
        return False
    return True


def usable_in_autograd_later(t, w) -> bool:
    """Can ``t`` be saved for backward by a recorded op (``w * t`` saves it for w's gradient)?"""
    try:
        (w * t).sum().backward()
    except RuntimeError as e:
        if "inference" not in str(e).lower():
            raise
        return False
    return torch.equal(w.grad, t)


@pytest.mark.parametrize("row", list(TABLE))
def test_grad_mode_table(device, row):
    """Each grad mode behaves as its row of the autograd notes' table says.

    Columns: excludes operations from the backward graph (``x + 1`` has no ``grad_fn``); skips
    tracking overhead (the result has no version counter); tensors created in the mode can be used
    in grad mode later (a recorded op may save them for backward).
    """
    x = torch.arange(4.0, device=device, requires_grad=True)
    w = torch.ones(4, device=device, requires_grad=True)
    with MODES[row]():
        out = torch.add(x, 1)
        made = torch.arange(4.0, device=device) * 3
    got = (out.grad_fn is None, not has_version_counter(made), usable_in_autograd_later(made, w))
    columns = ("excludes operations from backward graph", "skips tracking overhead", "usable in grad mode later")
    for column, g, want in zip(columns, got, TABLE[row]):
        assert g is want, f"{row} mode, '{column}': {g}, but the table says {want}"


# --------------------------------------------------------------------------- inference mode


def test_inference_mode_makes_inference_tensors_that_cannot_be_saved_for_backward(device):
    """Tensors made under inference_mode are inference tensors that autograd refuses to save for backward.

    Reading ``_version`` raises ("do not track version counter"); ``w * t`` outside the mode raises
    ("cannot be saved for backward"), and so does ``t.add_(1)`` outside the mode, also under
    ``no_grad`` ("Inplace update to inference tensor outside InferenceMode"). Not refused:
    ``w + t`` (nothing saved) and ``t.clone()``, which is a normal tensor. Tensors from outside stay normal.

    The messages are matched on their stable part only. Checked on 2.0.1, 2.2.2, 2.4.1, 2.6.0, 2.9.1,
    2.13.0, 2.14.1 and 2.15.0: "Inplace update to inference tensor outside InferenceMode is not
    allowed." is unchanged; the saved-for-backward message starts "Inference tensors cannot be saved
    for backward." everywhere, but its advice changed in 2.9 (up to 2.6: "To work around you can make
    a clone to get a normal tensor and use it in autograd."; from 2.9: "Please do not use Tensors
    created in inference mode in computation tracked by autograd. To work around this, you can make
    a clone ...").
    """
    x = torch.ones(3, device=device, requires_grad=True)
    with torch.inference_mode():
        assert torch.is_inference_mode_enabled(), "inference mode not enabled inside the block"
        t = x * 2
    assert t.is_inference() and not x.is_inference(), (
        f"t.is_inference()={t.is_inference()}, x.is_inference()={x.is_inference()}, but should be True/False"
    )
    assert_requires_grad(t, False, "x * 2 under inference_mode")
    with raises(RuntimeError, "version counter", "t._version"):
        t._version
    w = torch.ones(3, device=device, requires_grad=True)
    with raises(RuntimeError, re.escape("Inference tensors cannot be saved for backward"), "w * t"):
        w * t
    with torch.no_grad(), raises(RuntimeError, re.escape("Inplace update to inference tensor outside InferenceMode"), "t.add_(1)"):
        t.add_(1)
    (w + t).sum().backward()  # saves neither operand
    assert_same(w.grad, torch.ones(3, device=device), "w.grad after (w + t).sum().backward()")
    normal = t.clone()
    assert not normal.is_inference(), "t.clone() outside the mode is an inference tensor"
