"""Dynamic vs static graphs: eager autograd, jit.trace, jit.script, torch.export, torch.compile.

*Dynamic* (define-by-run) means the graph is whatever Python actually executed: in eager PyTorch
every operation on a tensor that requires grad appends a node (``grad_fn``) to a fresh autograd
graph while the code runs. A data-dependent ``if`` or ``while`` is ordinary Python, so the graph of
each call records the branch and the number of iterations that call took, and ``backward()``
differentiates exactly that path. The graph is rebuilt on every call and, by default, freed by the
first ``backward()``; a second ``backward()`` through it raises unless ``retain_graph=True``.

*Static* means the graph is captured once and then reused for other inputs. PyTorch has several
capture tools, and they differ in the one thing that matters here -- Python control flow that
depends on tensor *values*:

* ``torch.jit.trace`` runs the function once on an example and records the tensor operations it
  saw. The ``if`` is not recorded, only the branch the example took: the traced function returns
  that branch's result for every input, and tracing warns (``TracerWarning``) at the
  tensor-to-bool conversion.
* ``torch.jit.script`` compiles the Python source to TorchScript, so ``if``/``while`` become graph
  control flow and both branches behave as in eager.
* ``torch.export`` (2.1+) produces an ahead-of-time ``ExportedProgram``. A Python ``if`` on a
  tensor value cannot be captured and is *rejected with an error*; the branch must be written with
  ``torch.cond``, which exports as a real conditional. Exported shapes are specialized to the
  example unless a dimension is marked dynamic (``torch.export.Dim``).
* ``torch.compile`` is not a static-graph export at all: it captures graphs where it can and falls
  back to Python ("graph break") at a data-dependent ``if``, so results keep eager semantics.
  ``fullgraph=True`` turns the graph break into an error.

What the source note gets wrong or leaves out: it says PyTorch "can also build static graphs via
ONNX, caffe2 and TorchScript". Caffe2 is gone (torch 2.x ships no ``caffe2`` module);
TorchScript is deprecated -- since torch 2.10 ``torch.jit.trace`` and ``torch.jit.script`` warn
"... Please switch to `torch.compile` or `torch.export`" (the warning category changed between
releases, DeprecationWarning then FutureWarning, so specs match the text) -- and the static-graph
path today is ``torch.export``, which ``torch.onnx.export`` is built on by default from 2.9 (a
``torch.cond`` becomes an ONNX ``If``; that spec needs the optional onnx/onnxscript packages).
And "static" is not one thing: tracing silently freezes a branch, scripting keeps it, export
refuses it.

Sizes are bounded (1-6 elements, values in [-2, 2]): the claims are about graph structure, and
the capture tools cost far more than the arithmetic.
"""

from __future__ import annotations

import contextlib
import inspect
import warnings

import numpy as np
import pytest
import torch
import torch._dynamo  # noqa: F401  (import cost paid at collection, not inside the first spec)
import torch.fx.experimental.symbolic_shapes  # noqa: F401

with contextlib.suppress(ImportError):  # torch.export arrived in 2.1; its specs are gated >=2.1
    import torch.export  # noqa: F401
from hypothesis import assume, example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from specs.helpers import assert_device, exact_kernels, raises

# --------------------------------------------------------------------------- the functions under test


def branchy(x):
    """Data-dependent ``if``: the branch depends on the values in ``x``."""
    if x.sum() > 0:
        return x.sin() * 2
    return x.exp() - 1


def on_true(x):
    return x.sin() * 2


def on_false(x):
    return x.exp() - 1


class BranchyModule(torch.nn.Module):
    """``branchy`` as a module, for torch.export."""

    def forward(self, x):
        return branchy(x)


class CondModule(torch.nn.Module):
    """The same logic with ``torch.cond``: the branch is an operator, not Python control flow."""

    def forward(self, x):
        return torch.cond(x.sum() > 0, on_true, on_false, (x,))


def path_dependent(x, limit=8.0, max_loops=6):
    """Data-dependent ``if`` and ``while``; returns (y, branch, loops) as Python executed them."""
    if x.sum() > 0:
        y, branch = x.sin(), "SinBackward0"
    else:
        y, branch = x.exp(), "ExpBackward0"
    loops = 0
    while y.abs().sum() < limit and loops < max_loops:
        y = y * 2
        loops += 1
    return y, branch, loops


# --------------------------------------------------------------------------- strategies & helpers

values = hnp.arrays(
    np.float32, st.integers(1, 6), elements=st.floats(-2, 2, width=32, allow_subnormal=False)
)


def on(device, a, dtype=None):
    return torch.tensor(a, dtype=dtype, device=device)


def close(actual, expected, what: str = "out"):
    """Values agree to float32 rounding (assert_close's default tolerance for the dtype)."""
    __tracebackhide__ = True
    torch.testing.assert_close(actual, expected, msg=lambda m: f"{what}: {m}")


def differs(a, b) -> bool:
    return not torch.allclose(a, b, rtol=1e-4, atol=1e-4)


def chain(t):
    """Names of the grad_fn nodes from ``t`` down to (excluding) the leaf's AccumulateGrad."""
    names, node = [], t.grad_fn
    while node is not None and type(node).__name__ != "AccumulateGrad":
        names.append(type(node).__name__)
        parents = [fn for fn, _ in node.next_functions if fn is not None]
        node = parents[0] if len(parents) == 1 else None
    return names


def quiet(fn, *args, **kwargs):
    """Call a TorchScript entry point without its deprecation/tracer warnings (specced separately)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"`torch\.jit\.")
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        return fn(*args, **kwargs)


def dynamo_problem():
    """Why torch.compile/export cannot run on this platform (e.g. Python too new), or None."""
    check = getattr(torch._dynamo.eval_frame, "check_if_dynamo_supported", None)
    try:
        if check is not None:
            check()
    except RuntimeError as e:
        return f"torch.compile is unsupported here (torch {torch.__version__}): {e}"
    return None


#: what torch.export raises for a Python ``if`` on a tensor value (strict / non-strict export)
DATA_DEPENDENT_ERRORS = tuple(
    cls
    for cls in (
        torch._dynamo.exc.Unsupported,
        getattr(torch.fx.experimental.symbolic_shapes, "GuardOnDataDependentSymNode", None),
    )
    if cls is not None
)

needs_dynamo = pytest.mark.skipif(dynamo_problem() is not None, reason=str(dynamo_problem()))


@pytest.fixture(scope="module")
def cache():
    """Captured graphs, keyed by (tool, device, ...): tracing/scripting/exporting once per module.

    The capture itself runs inside the first spec that needs it, so a planted regression in the
    capture tool fails that spec instead of erroring a fixture.
    """
    return {}


def cached(cache, key, build):
    if key not in cache:
        cache[key] = build()
    return cache[key]


# --------------------------------------------------------------------------- eager: define-by-run


@given(a=values, b=values)
@example(a=np.array([1.0, 2.0], np.float32), b=np.array([-1.0, -2.0], np.float32))
@example(a=np.array([0.0], np.float32), b=np.array([1.5, 1.5], np.float32))
def test_eager_graph_records_the_branch_and_loop_count_each_call_executed(device, a, b):
    """Eager autograd builds a new graph on every call, recording the branch and iterations actually run.

    ``path_dependent`` has an ``if`` on ``x.sum()`` and a ``while`` on ``y.abs().sum()``: the
    ``grad_fn`` chain of each result is ``MulBackward0`` once per loop iteration, then
    ``SinBackward0`` or ``ExpBackward0`` for the branch taken, ending at the input leaf. A second
    call (here with other values) builds a second graph and leaves the first one untouched.
    """
    xa = on(device, a, torch.float64).requires_grad_()
    xb = on(device, b, torch.float64).requires_grad_()
    ya, branch_a, loops_a = path_dependent(xa)
    first = chain(ya)
    yb, branch_b, loops_b = path_dependent(xb)
    for y, branch, loops in [(ya, branch_a, loops_a), (yb, branch_b, loops_b)]:
        expected = ["MulBackward0"] * loops + [branch]
        assert chain(y) == expected, (
            f"grad_fn chain={chain(y)}, but should be {expected} ({branch}, {loops} loops)"
        )
    assert ya.grad_fn is not yb.grad_fn and chain(ya) == first, (
        f"after the second call: first grad_fn chain={chain(ya)} (was {first}), "
        f"same grad_fn object={ya.grad_fn is yb.grad_fn}, but should be unchanged and a separate graph"
    )


@given(a=values)
@example(a=np.array([1.0, 2.0], np.float32))  # sin branch, no loop
@example(a=np.array([-1.0, -2.0], np.float32))  # exp branch, loops
@example(a=np.array([0.1, -0.05], np.float32))  # sin branch, loops
def test_eager_gradients_are_those_of_the_path_taken(device, a):
    """backward() differentiates the path Python executed: 2**loops * cos(x) or 2**loops * exp(x)."""
    x = on(device, a, torch.float64).requires_grad_()
    y, branch, loops = path_dependent(x)
    y.sum().backward()
    with torch.no_grad():
        expected = (2.0**loops) * (x.cos() if branch == "SinBackward0" else x.exp())
    close(x.grad, expected, f"x.grad ({branch}, {loops} loops)")


def test_second_backward_raises_unless_retain_graph(device):
    """A graph is freed by backward(): a second backward() raises unless retain_graph=True kept it.

    With ``retain_graph=True`` the second pass works and gradients accumulate (``x.grad`` doubles).
    """
    x = torch.tensor([-1.0, 0.5, 2.0], device=device, requires_grad=True)
    y, _, _ = path_dependent(x)
    y.sum().backward()
    with raises(RuntimeError, "backward through the graph a second time", "a second y.sum().backward()"):
        y.sum().backward()

    x.grad = None
    y, _, _ = path_dependent(x)
    y.sum().backward(retain_graph=True)
    once = x.grad.clone()
    y.sum().backward()
    close(x.grad, 2 * once, "x.grad after a second backward() through the retained graph")


# --------------------------------------------------------------------------- torch.jit.trace


@given(a=values)
@example(a=np.array([1.0, 1.0, 1.0], np.float32))
@example(a=np.array([-1.0, -1.0, -1.0], np.float32))
def test_jit_trace_freezes_the_branch_its_example_took(device, a, cache):
    """torch.jit.trace records only the branch its example input took, and replays it for every input.

    Traced on a positive example, the function computes ``2*sin(x)`` even for inputs where eager
    would run ``exp(x) - 1``, and vice versa: the ``if`` is gone from the graph.
    """
    x = on(device, a)
    takes_true = bool(x.sum() > 0)
    assume(differs(on_true(x), on_false(x)))
    traced = {
        sign: cached(cache, ("trace", device, sign), lambda: quiet(torch.jit.trace, branchy, on(device, example)))
        for sign, example in [(True, [1.0, 1.0]), (False, [-1.0, -1.0])]
    }
    close(traced[takes_true](x), branchy(x), f"trace of the input's own branch (takes {takes_true}) vs eager")
    other = traced[not takes_true](x)
    frozen = on_true(x) if not takes_true else on_false(x)
    close(other, frozen, f"trace of the other branch (input takes {takes_true}) vs that branch")
    assert differs(other, branchy(x)), (
        f"trace of the other branch (input takes {takes_true}) equals eager, but should compute the frozen branch"
    )


def test_jit_trace_warns_when_a_tensor_decides_python_control_flow(device):
    """torch.jit.trace warns with a TracerWarning when a traced tensor is converted to a Python bool.

    The warning ("Converting a tensor to a Python boolean might cause the trace to be incorrect")
    is the only sign that the trace froze a branch; it is raised at the ``if`` (its location is
    the first Python frame, so an active TorchFunctionMode such as the one
    ``torch.set_default_device`` installs reports its own file instead).
    """
    with pytest.warns(torch.jit.TracerWarning, match="Converting a tensor to a Python boolean"):
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"`torch\.jit\.")
            torch.jit.trace(branchy, on(device, [1.0, 2.0]), check_trace=False)


# --------------------------------------------------------------------------- torch.jit.script


@given(a=values)
@example(a=np.array([1.0, 1.0, 1.0], np.float32))
@example(a=np.array([-1.0, -1.0, -1.0], np.float32))
@example(a=np.array([-0.5], np.float32))  # one element, exp branch
def test_jit_script_keeps_data_dependent_control_flow(device, a, cache):
    """torch.jit.script compiles the `if` into the graph, so the scripted function matches eager on both branches."""
    x = on(device, a)
    scripted = cached(cache, "script", lambda: quiet(torch.jit.script, branchy))
    out = scripted(x)
    assert "prim::If" in str(getattr(scripted, "graph", "")), (
        f"no prim::If node in the scripted graph ({type(scripted).__name__}), but should hold one"
    )
    close(out, branchy(x), f"scripted(x), input takes branch {bool(x.sum() > 0)}")


JIT_DEPRECATED = r"`torch\.jit\.{api}` is .*Please switch to `torch\.compile` or `torch\.export`"


@pytest.mark.torch_version(
    ">=2.10",
    reason="torch 2.10 added a runtime warning to torch.jit.script/trace (TorchScript docs mark it "
    "deprecated since 2.9; the category is DeprecationWarning in 2.10-2.13, FutureWarning from 2.14)",
)
def test_jit_trace_and_script_warn_that_torchscript_is_deprecated(device):
    """torch.jit.trace and torch.jit.script warn that TorchScript is deprecated in favour of torch.compile/torch.export.

    The text is matched, not the category: it was a DeprecationWarning in 2.10-2.13 and is a
    FutureWarning in 2.15; under Python 3.14+ the text says "not supported in Python 3.14+" instead.
    """
    x = on(device, [1.0, 2.0])
    with pytest.warns(Warning, match=JIT_DEPRECATED.format(api="trace")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", torch.jit.TracerWarning)
            torch.jit.trace(on_true, x, check_trace=False)
    with pytest.warns(Warning, match=JIT_DEPRECATED.format(api="script")):
        torch.jit.script(branchy)(x)


# --------------------------------------------------------------------------- torch.export


@needs_dynamo
@pytest.mark.torch_version(">=2.1", reason="torch.export.export first shipped in torch 2.1")
def test_export_rejects_a_python_if_on_tensor_values(device, cache):
    """torch.export rejects a Python `if` on tensor values with an error instead of freezing a branch.

    The error depends on the export mode: strict mode (the default before 2.7, pytorch#148790) traces with Dynamo
    and raises ``torch._dynamo.exc.Unsupported`` (or its subclass ``UserError``); non-strict mode
    raises ``GuardOnDataDependentSymNode`` ("Could not guard on data-dependent expression").
    """
    with pytest.raises(DATA_DEPENDENT_ERRORS):
        torch.export.export(BranchyModule(), (on(device, [1.0, 2.0]),))


def exported(cache, device, dynamic: bool):
    """(ExportedProgram, its runnable module) of CondModule for a length-4 example on ``device``."""

    def build():
        kwargs = {"dynamic_shapes": {"x": {0: torch.export.Dim("n", min=2, max=64)}}} if dynamic else {}
        ep = torch.export.export(CondModule(), (on(device, [1.0, -0.5, 2.0, 0.25]),), **kwargs)
        return ep, ep.module()

    return cached(cache, ("export", device, dynamic), build)


@needs_dynamo
@pytest.mark.torch_version(
    ">=2.2", reason="torch.cond and ExportedProgram.module() are public from torch 2.2 (2.1 had "
    "functorch.experimental.control_flow.cond only)"
)
@given(a=hnp.arrays(np.float32, 4, elements=st.floats(-2, 2, width=32)))
@example(a=np.array([1.0, 1.0, 1.0, 1.0], np.float32))
@example(a=np.array([-1.0, -1.0, -1.0, -1.0], np.float32))
def test_export_of_torch_cond_keeps_both_branches_and_runs_on_the_device(device, a, cache):
    """The same logic written with torch.cond exports to one graph that matches eager on both branches, on the spec's device.

    The exported graph contains a ``cond`` operator holding both branches as subgraphs.
    """
    x = on(device, a)
    ep, module = exported(cache, device, dynamic=False)
    out = module(x)
    targets = [str(n.target) for n in ep.graph.nodes if n.op == "call_function"]
    assert any("cond" in t for t in targets), f"exported graph calls {targets}, but should hold a cond node"
    assert_device(out, device, "exported(x)")
    close(out, branchy(x), f"exported(x), input takes branch {bool(x.sum() > 0)}")


@needs_dynamo
@pytest.mark.torch_version(
    ">=2.2", reason="torch.export.Dim / dynamic_shapes and torch.cond are public from torch 2.2"
)
@given(a=st.integers(2, 8).filter(lambda n: n != 4).flatmap(
    lambda n: hnp.arrays(np.float32, n, elements=st.floats(-2, 2, width=32))
))
@example(a=np.array([1.0, 2.0], np.float32))
@example(a=np.array([-1.0, -2.0, 0.5, 0.0, 1.0, -1.5, 2.0], np.float32))
def test_exported_shapes_are_static_unless_marked_dynamic(device, a, cache):
    """An exported program accepts only its example's shape, unless that dimension was marked dynamic with Dim.

    Exported with a length-4 example, another length is refused when the program runs (a
    ``RuntimeError`` "Expected input ... to be equal to 4" in older releases, an
    ``AssertionError`` "Guard failed" in newer ones); exported with ``Dim("n")`` on dim 0 the same
    program accepts any length in the declared range and still matches eager.
    """
    x = on(device, a)
    static = exported(cache, device, dynamic=False)[1]
    with pytest.raises((RuntimeError, AssertionError), match=r"(size\(\)\[0\]|shape\[0\]).*\b4\b"):
        static(x)
    dynamic = exported(cache, device, dynamic=True)[1]
    try:
        out = dynamic(x)
    except (RuntimeError, AssertionError) as e:
        pytest.fail(f"the Dim-exported program refused a length-{len(a)} input ({type(e).__name__}: {e}), but should run it")
    close(out, branchy(x), f"Dim-exported(x), length {len(a)}")


# --------------------------------------------------------------------------- torch.export: release changes

STRICT_FLIP = (
    "torch.export.export's `strict` default flipped from True to False in torch 2.7 (pytorch#148790; "
    "checked: True on 2.2/2.4/2.6, False on 2.9/2.13/2.14/2.15)"
)


def export_error(device, **kwargs):
    """The exception torch.export.export raises for BranchyModule (a Python `if` on a tensor value)."""
    try:
        torch.export.export(BranchyModule(), (on(device, [1.0, 2.0]),), **kwargs)
    except Exception as e:  # noqa: BLE001 -- the type is what the spec inspects
        return e
    pytest.fail(f"torch.export.export(BranchyModule(), {kwargs or 'defaults'}) raised nothing, but should refuse the `if`")


@needs_dynamo
@pytest.mark.torch_version(">=2.2,<2.7", reason=STRICT_FLIP)
def test_export_is_strict_by_default_before_2_7(device):
    """Before torch 2.7, torch.export.export defaults to strict=True: it traces with Dynamo and fails like strict=True.

    Observable: the default signature says ``strict=True``, and the data-dependent ``if`` fails with
    Dynamo's ``Unsupported`` (``UserError``), exactly as with an explicit ``strict=True``.
    """
    default = inspect.signature(torch.export.export).parameters["strict"].default
    assert default is True, f"export signature strict={default!r}, but should be True"
    err = export_error(device)
    assert isinstance(err, torch._dynamo.exc.Unsupported), (
        f"default export raised {type(err).__name__}, but should raise Dynamo's Unsupported (strict tracing)"
    )


@needs_dynamo
@pytest.mark.torch_version(">=2.7", reason=STRICT_FLIP)
def test_export_is_non_strict_by_default_from_2_7(device):
    """From torch 2.7, torch.export.export defaults to strict=False: it traces the Python directly, not with Dynamo.

    Observable: the default signature says ``strict=False``; the data-dependent ``if`` fails with
    ``GuardOnDataDependentSymNode`` (not Dynamo's ``Unsupported``), as with an explicit
    ``strict=False``, while ``strict=True`` still raises ``Unsupported``.
    """
    default = inspect.signature(torch.export.export).parameters["strict"].default
    assert default is False, f"export signature strict={default!r}, but should be False"
    guard = torch.fx.experimental.symbolic_shapes.GuardOnDataDependentSymNode
    err = export_error(device)
    assert isinstance(err, guard) and not isinstance(err, torch._dynamo.exc.Unsupported), (
        f"default export raised {type(err).__name__}, but should raise GuardOnDataDependentSymNode (non-strict)"
    )
    strict = export_error(device, strict=True)
    assert isinstance(strict, torch._dynamo.exc.Unsupported), (
        f"export(strict=True) raised {type(strict).__name__}, but should raise Dynamo's Unsupported"
    )


PLAIN_FN = (
    "torch.export.export accepted a plain function in 2.2 and requires an nn.Module from 2.4 "
    "(checked on the tox envs: 2.2 accepts, 2.4/2.6/2.9/2.13-2.15 raise ValueError; 2.3 not checked)"
)


@needs_dynamo
@pytest.mark.torch_version(">=2.2,<2.4", reason=PLAIN_FN)
def test_export_accepts_a_plain_function_before_2_4(device):
    """Before torch 2.4, torch.export.export accepts a plain function (not an nn.Module) and exports it."""
    x = on(device, [0.5, -1.0, 2.0])
    ep = torch.export.export(on_true, (x,))
    close(ep.module()(x), on_true(x), "exported plain function(x)")


@needs_dynamo
@pytest.mark.torch_version(">=2.4", reason=PLAIN_FN)
def test_export_refuses_a_plain_function_from_2_4(device):
    """From torch 2.4, torch.export.export refuses a plain function: it needs an nn.Module (ValueError)."""
    with raises(ValueError, r"Expected `mod` to be an instance of `torch\.nn\.Module`", "torch.export.export(on_true, ...)"):
        torch.export.export(on_true, (on(device, [0.5, -1.0, 2.0]),))


class AliasingCond(torch.nn.Module):
    """torch.cond whose true branch returns its input itself (an alias), not a new tensor."""

    def forward(self, x):
        return torch.cond(x.sum() > 0, lambda x: x, lambda x: x + 1, (x,))


COND_ALIAS = (
    "torch.cond branches returning an alias of an input: export refuses in 2.2/2.4 "
    "(UnsupportedAliasMutationException), 2.6 accepts, from 2.9 even eager torch.cond refuses "
    "(UncapturedHigherOrderOpError 'aliasing'); checked on the tox envs, 2.5/2.7/2.8 not checked"
)


@needs_dynamo
@pytest.mark.torch_version(">=2.2,<2.6", reason=COND_ALIAS)
def test_cond_branch_returning_its_input_exports_refused_but_runs_eagerly_before_2_6(device):
    """Before torch 2.6, a torch.cond branch that returns its input runs in eager mode but torch.export refuses it."""
    x = on(device, [1.0, 2.0])
    out = AliasingCond()(x)
    close(out, x, "eager AliasingCond(x) (true branch)")
    with raises(Exception, "aliasing the input", "torch.export.export(AliasingCond(), ...)"):
        torch.export.export(AliasingCond(), (x,))


@needs_dynamo
@pytest.mark.torch_version(">=2.6,<2.9", reason=COND_ALIAS)
def test_cond_branch_returning_its_input_is_accepted_in_2_6(device):
    """In torch 2.6, a torch.cond branch that returns its input is accepted by eager torch.cond and by torch.export."""
    x = on(device, [1.0, 2.0])
    close(AliasingCond()(x), x, "eager AliasingCond(x) (true branch)")
    ep = torch.export.export(AliasingCond(), (x,))
    close(ep.module()(x), x, "exported AliasingCond(x) (true branch)")
    close(ep.module()(-x), -x + 1, "exported AliasingCond(-x) (false branch)")


@needs_dynamo
@pytest.mark.torch_version(">=2.9", reason=COND_ALIAS)
def test_cond_branch_returning_its_input_is_refused_from_2_9(device):
    """From torch 2.9, torch.cond refuses a branch that returns its input (an alias), in eager mode and in torch.export.

    The error is ``UncapturedHigherOrderOpError`` ("Encountered aliasing during higher order op
    tracing"; hint: return ``input.clone()``).
    """
    x = on(device, [1.0, 2.0])
    err = torch._dynamo.exc.UncapturedHigherOrderOpError
    with raises(err, "aliasing", "eager AliasingCond()(x)"):
        AliasingCond()(x)
    with raises(err, "aliasing", "torch.export.export(AliasingCond(), ...)"):
        torch.export.export(AliasingCond(), (x,))


class DropoutNet(torch.nn.Module):
    """Linear then Dropout(p=0.5): train and eval mode give different outputs."""

    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(3, 3)
        self.drop = torch.nn.Dropout(0.5)

    def forward(self, x):
        return self.drop(self.lin(x))


EP_MODE = (
    "ExportedProgram.module().train()/.eval() worked in 2.2 and raise NotImplementedError from 2.4 "
    "(checked on the tox envs 2.2, 2.4, 2.6, 2.9, 2.13-2.15; 2.3 not checked): the mode is fixed at export"
)


@needs_dynamo
@pytest.mark.torch_version(">=2.2,<2.4", reason=EP_MODE)
def test_exported_module_train_and_eval_switch_the_flag_before_2_4(device):
    """Before torch 2.4, ep.module().eval() and .train() are the ordinary nn.Module methods: they flip .training."""
    m = torch.export.export(DropoutNet().to(device).eval(), (torch.ones(2, 3, device=device),)).module()
    m.eval()
    assert m.training is False, f"ep.module().training={m.training} after eval(), but should be False"
    m.train()
    assert m.training is True, f"ep.module().training={m.training} after train(), but should be True"


@needs_dynamo
@pytest.mark.torch_version(">=2.4", reason=EP_MODE)
def test_exported_module_refuses_train_and_eval_from_2_4(device):
    """From torch 2.4, ep.module().eval() and .train() raise NotImplementedError: train/eval is fixed at export time.

    The module exported in eval mode still runs on the device with dropout off.
    """
    net = DropoutNet().to(device).eval()
    x = torch.ones(2, 3, device=device)
    m = torch.export.export(net, (x,)).module()
    with raises(NotImplementedError, r"Calling eval\(\) is not supported yet", "ep.module().eval()"):
        m.eval()
    with raises(NotImplementedError, r"Calling train\(\) is not supported yet", "ep.module().train()"):
        m.train()
    close(m(x), net(x), "exported eval-mode DropoutNet(x)")


# --------------------------------------------------------------------------- torch.compile


def compiled_for(cache, device):
    """(``branchy`` under a fresh torch.compile, the graphs Dynamo captured for it), one per device.

    Built on first use for a device, after ``torch._dynamo.reset()`` (no compiled code from another
    variant or spec is reused), with its own recording backend and its own graph list: the count a
    spec variant asserts is what *its* compile captured, never graphs left over by another device.
    The backend records the devices of each graph's example inputs.
    """

    def build():
        torch._dynamo.reset()
        graphs = []

        def recording_backend(gm, example_inputs):  # like backend="eager": run the captured graph as is
            graphs.append((gm, {str(t.device) for t in example_inputs if isinstance(t, torch.Tensor)}))
            return gm.forward

        return torch.compile(branchy, backend=recording_backend), graphs

    return cached(cache, ("compile", str(device)), build)


@needs_dynamo
@given(a=hnp.arrays(np.float32, 4, elements=st.floats(-2, 2, width=32)))  # one length: no recompiles
@example(a=np.array([1.0, 1.0, 1.0, 1.0], np.float32))
@example(a=np.array([-1.0, -1.0, -1.0, -1.0], np.float32))
def test_torch_compile_keeps_eager_semantics_across_data_dependent_branches(device, a, cache):
    """torch.compile keeps eager semantics: a data-dependent `if` graph-breaks and both branches match eager.

    The compile is fresh per device variant (see ``compiled_for``): at least 2 graphs must have
    been captured by this variant's own compile, from tensors on this variant's device.
    """
    x = on(device, a)
    fn, graphs = compiled_for(cache, device)
    out = fn(x)
    assert len(graphs) >= 2, (
        f"Dynamo captured {len(graphs)} graph(s), but the data-dependent `if` should split it into at least 2"
    )
    seen = set().union(*(devs for _, devs in graphs))
    assert seen <= {str(x.device)}, f"captured graphs took inputs on {sorted(seen)}, but should only see {x.device}"
    close(out, branchy(x), f"compiled(x), input takes branch {bool(x.sum() > 0)}")


@needs_dynamo
@pytest.mark.torch_version(">=2.1", reason="torch.compiler.reset (clean compile caches) is public from torch 2.1")
def test_torch_compile_fullgraph_raises_at_a_graph_break(device):
    """torch.compile(fullgraph=True) raises at a data-dependent `if` instead of graph-breaking.

    Dynamo caches compiled code per Python function, and a cached entry from a non-fullgraph
    compile is reused silently, so the spec clears the caches first (``torch.compiler.reset()``).
    The error is ``torch._dynamo.exc.Unsupported`` (a ``RuntimeError``; 2.15 says "Data-dependent
    branching").
    """
    torch.compiler.reset()
    strict = torch.compile(branchy, backend="eager", fullgraph=True)
    with raises(torch._dynamo.exc.Unsupported, "", "torch.compile(branchy, fullgraph=True)(x)"):
        strict(on(device, [1.0, 2.0]))


@needs_dynamo
@pytest.mark.known_bug(
    "<2.6",
    issue="https://github.com/pytorch/pytorch/issues/132986",
    reason="OptimizedModule kept its own .training flag: in 2.4 compiled.eval() leaves compiled.training "
    "True, in 2.2 compiled.training does not follow a later m.train() (checked on the tox envs)",
)
def test_compiled_module_train_eval_act_on_the_wrapped_module(device):
    """torch.compile(m).eval()/.train() switch m itself, and compiled.training always reports m.training.

    ``torch.compile(m)`` returns an ``OptimizedModule`` wrapping ``m`` (``compiled._orig_mod is m``);
    the mode lives on ``m`` and its children, and after ``compiled.eval()`` the compiled model
    runs on the device with dropout off (equal to eager ``m`` in eval mode).
    """
    m = DropoutNet().to(device)
    compiled = torch.compile(m, backend="eager")
    x = torch.ones(4, 3, device=device)
    compiled.eval()
    flags = (m.training, m.drop.training, compiled.training)
    assert flags == (False, False, False), (
        f"after compiled.eval(): (m, m.drop, compiled).training={flags}, but should be (False, False, False)"
    )
    close(compiled(x), m(x), "compiled(x) after compiled.eval() vs eager m(x)")
    m.train()
    assert compiled.training is True, f"after m.train(): compiled.training={compiled.training}, but should be True"
    compiled.train(False)
    assert (m.training, compiled.training) == (False, False), (
        f"after compiled.train(False): (m, compiled).training={(m.training, compiled.training)}, but should be (False, False)"
    )


# --------------------------------------------------------------------------- ONNX (optional)


@needs_dynamo
@pytest.mark.torch_version(
    ">=2.9", reason="torch.onnx.export builds on torch.export (dynamo=True) by default from 2.9; the "
    "older TorchScript-based exporter traces, and cannot export torch.cond"
)
def test_onnx_export_of_torch_cond_is_an_onnx_if(device):
    """torch.onnx.export turns torch.cond into an ONNX `If` node holding both branches.

    Needs the optional ``onnx`` and ``onnxscript`` packages (skips without them). Slow: the first
    ONNX export in a process takes seconds (exporter registry setup), hence a single example.
    """
    pytest.importorskip("onnx", reason="ONNX export needs the optional onnx package")
    pytest.importorskip("onnxscript", reason="the torch.export-based ONNX exporter needs onnxscript")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Exporting a model while it is in training mode"
        program = torch.onnx.export(CondModule(), (on(device, [1.0, -2.0, 0.5]),), dynamo=True)
    ifs = [n for n in program.model_proto.graph.node if n.op_type == "If"]
    assert len(ifs) == 1, f"ONNX nodes {[n.op_type for n in program.model_proto.graph.node]}, but should hold one If"
    branches = {a.name: {n.op_type for n in a.g.node} for a in ifs[0].attribute}
    assert "Sin" in branches.get("then_branch", set()) and "Exp" in branches.get("else_branch", set()), (
        f"If branches {branches}, but then should compute sin and else exp"
    )


class LinearReluNet(torch.nn.Module):
    """Linear(3, 4) -> ReLU -> plus a constant tensor: the small eager model the ONNX specs export."""

    def __init__(self):
        super().__init__()
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            self.lin = torch.nn.Linear(3, 4)
        self.register_buffer("offset", torch.tensor([0.5, -0.25, 0.0, 1.0]))

    def forward(self, x):
        return torch.relu(self.lin(x)) + self.offset


def onnx_export(cache, device):
    """(eager model on ``device``, what ``torch.onnx.export(model, (x,))`` returned), exported once per device.

    The plain call, without ``dynamo=``: the specs of the exporter's default and of running the
    export in onnxruntime share it (each export costs about a second, most of it the exporter's
    operator registry, rebuilt on every call).
    """

    def build():
        model = LinearReluNet().to(device).eval()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return model, torch.onnx.export(model, (torch.ones(2, 3, device=device),))

    return cached(cache, ("onnx", str(device)), build)


def onnx_session(cache, device):
    """(eager model on ``device``, onnxruntime CPU session of its ONNX export), built once per device."""

    def build():
        import onnxruntime

        model, program = onnx_export(cache, device)
        session = onnxruntime.InferenceSession(
            program.model_proto.SerializeToString(), providers=["CPUExecutionProvider"]
        )
        return model, session

    return cached(cache, ("onnxruntime", str(device)), build)


@needs_dynamo
@pytest.mark.torch_version(">=2.9", reason="the torch.export-based ONNX exporter is the default (and the one specced) from 2.9")
@given(a=hnp.arrays(np.float32, (2, 3), elements=st.floats(-2, 2, width=32)))
@example(a=np.zeros((2, 3), np.float32))
@example(a=np.array([[2.0, -2.0, 1.5], [-1.0, 0.25, -0.5]], np.float32))
def test_onnx_export_runs_in_onnxruntime_with_the_eager_outputs(device, a, cache):
    """An nn.Module exported with torch.onnx.export runs in onnxruntime and gives the eager outputs (float32, rtol=1e-5, atol=1e-6).

    The model (Linear, ReLU, a constant buffer) and its example live on the spec's device, exported
    with the plain ``torch.onnx.export(model, (x,))`` call; the exporter accepts device tensors, and the ONNX file is device-free, so onnxruntime's CPU provider
    runs it: the [cuda] variant proves that a model exported from cuda tensors reproduces the cuda
    eager outputs (TF32 off). Tolerance: onnxruntime's Gemm/MatMul sums in another order than
    torch's kernels, so float32 results may differ by a few ulps (rtol 1e-5 is ~80 float32 ulps);
    atol 1e-6 covers results near 0 (cancellation, ReLU boundary).
    """
    pytest.importorskip("onnx", reason="ONNX export needs the optional onnx package")
    pytest.importorskip("onnxscript", reason="the torch.export-based ONNX exporter needs onnxscript")
    pytest.importorskip("onnxruntime", reason="running the export needs the optional onnxruntime package")
    with exact_kernels():
        model, session = onnx_session(cache, device)
        x = on(device, a)
        with torch.no_grad():
            expected = model(x).cpu().numpy()
    (got,) = session.run(None, {session.get_inputs()[0].name: a})
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6, err_msg="onnxruntime output vs eager model(x)")


ONNX_DEFAULT = (
    "torch.onnx.export's `dynamo` default is False (TorchScript-based exporter, returns None) up to 2.8 "
    "and True (torch.export-based, returns an ONNXProgram) from 2.9 (torch/onnx/__init__.py signatures "
    "of 2.4/2.6 vs 2.9/2.15; 2.2 has no `dynamo` argument)"
)


@pytest.mark.torch_version("<2.9", reason=ONNX_DEFAULT)
def test_onnx_export_defaults_to_the_torchscript_exporter_before_2_9(device):
    """Before torch 2.9, torch.onnx.export without dynamo= uses the TorchScript-based exporter: it writes the file and returns None."""
    pytest.importorskip("onnx", reason="ONNX export needs the optional onnx package")
    import io

    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = torch.onnx.export(LinearReluNet().to(device).eval(), (torch.ones(2, 3, device=device),), buf)
    assert out is None, f"torch.onnx.export returned {type(out).__name__}, but should return None"
    assert buf.getbuffer().nbytes > 0, "torch.onnx.export wrote 0 bytes, but should write the model"


@needs_dynamo
@pytest.mark.torch_version(">=2.9", reason=ONNX_DEFAULT)
def test_onnx_export_defaults_to_the_torch_export_based_exporter_from_2_9(device, cache):
    """From torch 2.9, torch.onnx.export without dynamo= uses the torch.export-based exporter and returns an ONNXProgram."""
    pytest.importorskip("onnx", reason="ONNX export needs the optional onnx package")
    pytest.importorskip("onnxscript", reason="the torch.export-based ONNX exporter needs onnxscript")
    out = onnx_export(cache, device)[1]
    assert isinstance(out, torch.onnx.ONNXProgram), (
        f"torch.onnx.export returned {type(out).__name__}, but should return an ONNXProgram"
    )
    ops = [n.op_type for n in out.model_proto.graph.node]
    assert {"Relu", "Add"} <= set(ops), f"ONNX nodes {ops}, but should include Relu and Add"
