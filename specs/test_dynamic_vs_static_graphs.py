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
  ``fullgraph=True`` turns the graph break into an error. Each captured graph is *guarded* on what it
  specialized -- the inputs' dtypes and requires_grad, the grad mode (no_grad, inference_mode), a
  module's ``training`` flag: when a guard fails Dynamo compiles a new graph (outputs follow the
  change, no stale graph runs), and when the old state returns the first graph is reused.

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

from specs.differential import Call, assert_compiles_like_eager, compile_tolerance
from specs.helpers import assert_device, exact_kernels, raises, warnings_recorded
from specs.inputs import FLOATING, budget, compile_budget, dtype_params

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

    Ranges over: float64 inputs of 1-6 elements in [-2, 2] (both branches, 0-6 loop iterations), two calls.

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
    """backward() differentiates the path Python executed: 2**loops * cos(x) or 2**loops * exp(x).

    Ranges over: float64 inputs of 1-6 elements in [-2, 2]: both branches, 0-6 loop iterations.
    """
    x = on(device, a, torch.float64).requires_grad_()
    y, branch, loops = path_dependent(x)
    y.sum().backward()
    with torch.no_grad():
        expected = (2.0**loops) * (x.cos() if branch == "SinBackward0" else x.exp())
    close(x.grad, expected, f"x.grad ({branch}, {loops} loops)")


def test_second_backward_raises_unless_retain_graph(device):
    """A graph is freed by backward(): a second backward() raises unless retain_graph=True kept it.

    Ranges over: one fixed input (the claim is about the graph's lifetime, not values).

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

    Ranges over: float32 inputs of 1-6 elements in [-2, 2] of either branch, against traces of a positive and a negative example.

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

    Ranges over: one trace (the claim is about the warning).

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
    """torch.jit.script compiles the `if` into the graph, so the scripted function matches eager on both branches.

    Ranges over: float32 inputs of 1-6 elements in [-2, 2], both branches, one element included.
    """
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
@pytest.mark.parametrize("api", ["trace", "script"])
def test_jit_trace_and_script_warn_that_torchscript_is_deprecated(device, api):
    """torch.jit.trace and torch.jit.script warn that TorchScript is deprecated in favour of torch.compile/torch.export.

    Ranges over: both TorchScript entry points, trace and script (enumerated). The text is matched, not
    the category: it was a DeprecationWarning in 2.10-2.13 and is a FutureWarning in 2.15; under Python
    3.14+ the text says "not supported in Python 3.14+" instead.
    """
    x = on(device, [1.0, 2.0])
    with pytest.warns(Warning, match=JIT_DEPRECATED.format(api=api)):
        if api == "trace":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", torch.jit.TracerWarning)
                torch.jit.trace(on_true, x, check_trace=False)
        else:
            torch.jit.script(branchy)(x)


# --------------------------------------------------------------------------- torch.export


STRICT_ARG = "torch.export.export's `strict` argument (non-strict mode) arrived in torch 2.2 (pytorch#114697)"
EXPORT_MODES = [
    pytest.param({}, id="default"),
    pytest.param({"strict": True}, id="strict", marks=pytest.mark.torch_version(">=2.2", reason=STRICT_ARG)),
    pytest.param({"strict": False}, id="non_strict", marks=pytest.mark.torch_version(">=2.2", reason=STRICT_ARG)),
]


@needs_dynamo
@pytest.mark.torch_version(">=2.1", reason="torch.export.export first shipped in torch 2.1")
@pytest.mark.parametrize("mode", [*EXPORT_MODES[:2], pytest.param({"strict": False}, id="non_strict", marks=pytest.mark.torch_version(
    ">=2.3", reason="non-strict export refuses a Python `if` on tensor values with GuardOnDataDependentSymNode from 2.3; "
    "2.2.2 raises DataDependentOutputException: aten._local_scalar_dense instead (checked on 2.2.2 and 2.3.1)"))])
def test_export_rejects_a_python_if_on_tensor_values(device, cache, mode):
    """torch.export rejects a Python `if` on tensor values with an error instead of freezing a branch.

    Ranges over: the export modes -- the default, ``strict=True`` and ``strict=False`` (enumerated). The
    error depends on the mode: strict mode (the default before 2.8, pytorch#148790) traces with Dynamo
    and raises ``torch._dynamo.exc.Unsupported`` (or its subclass ``UserError``); non-strict mode
    raises ``GuardOnDataDependentSymNode`` ("Could not guard on data-dependent expression").
    """
    err = export_error(cache, device, **mode)
    if mode.get("strict") is True:
        expected = (torch._dynamo.exc.Unsupported,)
    elif mode.get("strict") is False:
        expected = (torch.fx.experimental.symbolic_shapes.GuardOnDataDependentSymNode,)
    else:
        expected = DATA_DEPENDENT_ERRORS
    assert isinstance(err, expected), (
        f"export({mode or 'defaults'}) raised {type(err).__name__}: {err}, but should raise {' or '.join(e.__name__ for e in expected)}"
    )


STRICT_FLIP = (
    "torch.export.export's `strict` default flipped from True to False in torch 2.8 (pytorch#148790, merged "
    "after the 2.7 branch cut; checked on every minor release: True on 2.2-2.7.1, False on 2.8.0-2.15.0)"
)


def export_error(cache, device, **kwargs):
    """The exception torch.export.export raises for BranchyModule (a Python `if` on a tensor value), once per mode."""

    def build():
        try:
            torch.export.export(BranchyModule(), (on(device, [1.0, 2.0]),), **kwargs)
        except Exception as e:  # noqa: BLE001 -- the type is what the spec inspects
            return e
        return None

    err = cached(cache, ("export-error", str(device), tuple(sorted(kwargs.items()))), build)
    if err is None:
        pytest.fail(f"torch.export.export(BranchyModule(), {kwargs or 'defaults'}) raised nothing, but should refuse the `if`")
    return err


def exported(cache, device, dynamic: bool, **mode):
    """(ExportedProgram, its runnable module) of CondModule for a length-4 example on ``device``."""

    def build():
        kwargs = {"dynamic_shapes": {"x": {0: torch.export.Dim("n", min=2, max=64)}}} if dynamic else {}
        ep = torch.export.export(CondModule(), (on(device, [1.0, -0.5, 2.0, 0.25]),), **kwargs, **mode)
        return ep, ep.module()

    return cached(cache, ("export", device, dynamic, tuple(sorted(mode.items()))), build)


@needs_dynamo
@pytest.mark.torch_version(
    ">=2.2", reason="torch.cond and ExportedProgram.module() are public from torch 2.2 (2.1 had "
    "functorch.experimental.control_flow.cond only)"
)
@pytest.mark.parametrize("mode", EXPORT_MODES[1:])
@budget(2)
@given(a=hnp.arrays(np.float32, 4, elements=st.floats(-2, 2, width=32)))
@example(a=np.array([1.0, 1.0, 1.0, 1.0], np.float32))
@example(a=np.array([-1.0, -1.0, -1.0, -1.0], np.float32))
def test_export_of_torch_cond_keeps_both_branches_and_runs_on_the_device(device, a, cache, mode):
    """The same logic written with torch.cond exports to one graph that matches eager on both branches, on the spec's device.

    Ranges over: strict and non-strict export (enumerated; the default is one of them), inputs of
    either sign. The exported graph contains a ``cond`` operator holding both branches as subgraphs.
    """
    x = on(device, a)
    ep, module = exported(cache, device, dynamic=False, **mode)
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

    Ranges over: lengths 2-8 other than the example's 4, values in [-2, 2].

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



@needs_dynamo
@pytest.mark.torch_version(">=2.2,<2.8", reason=STRICT_FLIP)
def test_export_is_strict_by_default_before_2_8(device, cache):
    """Before torch 2.8, torch.export.export defaults to strict=True: it traces with Dynamo and fails like strict=True.

    Ranges over: the default call and its error (strict and non-strict are enumerated in test_export_rejects_a_python_if_on_tensor_values).

    Observable: the default signature says ``strict=True``, and the data-dependent ``if`` fails with
    Dynamo's ``Unsupported`` (``UserError``), exactly as with an explicit ``strict=True``.
    """
    default = inspect.signature(torch.export.export).parameters["strict"].default
    assert default is True, f"export signature strict={default!r}, but should be True"
    err = export_error(cache, device)
    assert isinstance(err, torch._dynamo.exc.Unsupported), (
        f"default export raised {type(err).__name__}, but should raise Dynamo's Unsupported (strict tracing)"
    )


@needs_dynamo
@pytest.mark.torch_version(">=2.8", reason=STRICT_FLIP)
def test_export_is_non_strict_by_default_from_2_8(device, cache):
    """From torch 2.8, torch.export.export defaults to strict=False: it traces the Python directly, not with Dynamo.

    Ranges over: the default call and strict=True (strict and non-strict are enumerated in test_export_rejects_a_python_if_on_tensor_values).

    Observable: the default signature says ``strict=False``; the data-dependent ``if`` fails with
    ``GuardOnDataDependentSymNode`` (not Dynamo's ``Unsupported``), as with an explicit
    ``strict=False``, while ``strict=True`` still raises ``Unsupported``.
    """
    default = inspect.signature(torch.export.export).parameters["strict"].default
    assert default is False, f"export signature strict={default!r}, but should be False"
    guard = torch.fx.experimental.symbolic_shapes.GuardOnDataDependentSymNode
    err = export_error(cache, device)
    assert isinstance(err, guard) and not isinstance(err, torch._dynamo.exc.Unsupported), (
        f"default export raised {type(err).__name__}, but should raise GuardOnDataDependentSymNode (non-strict)"
    )
    strict = export_error(cache, device, strict=True)
    assert isinstance(strict, torch._dynamo.exc.Unsupported), (
        f"export(strict=True) raised {type(strict).__name__}, but should raise Dynamo's Unsupported"
    )


PLAIN_FN = (
    "torch.export.export accepted a plain function in 2.1-2.2 and requires an nn.Module from 2.3 "
    "(pytorch#117528 '[export] require Module to be passed to export', Jan 2024; checked on every minor "
    "release: 2.1.2 and 2.2.2 accept, 2.3.1-2.15.0 raise ValueError)"
)


@needs_dynamo
@pytest.mark.torch_version(">=2.1,<2.3", reason=PLAIN_FN)
def test_export_accepts_a_plain_function_before_2_3(device):
    """Before torch 2.3, torch.export.export accepts a plain function (not an nn.Module) and exports it.

    Ranges over: one plain function (the claim is about what export accepts).
    """
    x = on(device, [0.5, -1.0, 2.0])
    ep = torch.export.export(on_true, (x,))
    close(ep.module()(x), on_true(x), "exported plain function(x)")


@needs_dynamo
@pytest.mark.torch_version(">=2.3", reason=PLAIN_FN)
def test_export_refuses_a_plain_function_from_2_3(device):
    """From torch 2.3, torch.export.export refuses a plain function: it needs an nn.Module (ValueError).

    Ranges over: one plain function (the claim is about what export accepts).
    """
    with raises(ValueError, r"Expected `mod` to be an instance of `torch\.nn\.Module`", "torch.export.export(on_true, ...)"):
        torch.export.export(on_true, (on(device, [0.5, -1.0, 2.0]),))


class AliasingCond(torch.nn.Module):
    """torch.cond whose true branch returns its input itself (an alias), not a new tensor."""

    def forward(self, x):
        return torch.cond(x.sum() > 0, lambda x: x, lambda x: x + 1, (x,))


COND_ALIAS = (
    "torch.cond branches returning an alias of an input: export refuses in 2.2-2.5 "
    "(UnsupportedAliasMutationException), 2.6-2.7 accept, from 2.8 even eager torch.cond refuses with "
    "UncapturedHigherOrderOpError -- in 2.8 the 'aliasing' is only in its chained cause (no spec states 2.8's "
    "truth yet), from 2.9 the error's own message says 'aliasing'; checked on 2.2-2.9 and 2.13-2.15"
)


@needs_dynamo
@pytest.mark.torch_version(">=2.2,<2.6", reason=COND_ALIAS)
def test_cond_branch_returning_its_input_exports_refused_but_runs_eagerly_before_2_6(device):
    """Before torch 2.6, a torch.cond branch that returns its input runs in eager mode but torch.export refuses it.

    Ranges over: one aliasing torch.cond (the claim is about the refusal).
    """
    x = on(device, [1.0, 2.0])
    out = AliasingCond()(x)
    close(out, x, "eager AliasingCond(x) (true branch)")
    with raises(Exception, "aliasing the input", "torch.export.export(AliasingCond(), ...)"):
        torch.export.export(AliasingCond(), (x,))


@needs_dynamo
@pytest.mark.torch_version(">=2.6,<2.8", reason=COND_ALIAS)
def test_cond_branch_returning_its_input_is_accepted_in_2_6(device):
    """In torch 2.6 and 2.7, a torch.cond branch that returns its input is accepted by eager torch.cond and by torch.export.

    Ranges over: one aliasing torch.cond, both branches.
    """
    x = on(device, [1.0, 2.0])
    close(AliasingCond()(x), x, "eager AliasingCond(x) (true branch)")
    ep = torch.export.export(AliasingCond(), (x,))
    close(ep.module()(x), x, "exported AliasingCond(x) (true branch)")
    close(ep.module()(-x), -x + 1, "exported AliasingCond(-x) (false branch)")


@needs_dynamo
@pytest.mark.torch_version(">=2.9", reason=COND_ALIAS)
def test_cond_branch_returning_its_input_is_refused_from_2_9(device):
    """From torch 2.9, torch.cond refuses a branch that returns its input (an alias), in eager mode and in torch.export.

    Ranges over: one aliasing torch.cond, eager and exported.

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
    "ExportedProgram.module().train()/.eval() worked in 2.1-2.2 and raise NotImplementedError ('Calling eval() is "
    "not supported yet', torch/export/exported_program.py) from 2.3 (checked on every minor release: 2.1.2, 2.2.2 flip "
    ".training, 2.3.1-2.15.0 raise; still so, pytorch#151726): the mode is fixed at export"
)


@needs_dynamo
@pytest.mark.torch_version(">=2.1,<2.3", reason=EP_MODE)
def test_exported_module_train_and_eval_switch_the_flag_before_2_3(device):
    """Before torch 2.3, ep.module().eval() and .train() are the ordinary nn.Module methods: they flip .training.

    Ranges over: one exported module (the claim is about its methods).
    """
    m = torch.export.export(DropoutNet().to(device).eval(), (torch.ones(2, 3, device=device),)).module()
    m.eval()
    assert m.training is False, f"ep.module().training={m.training} after eval(), but should be False"
    m.train()
    assert m.training is True, f"ep.module().training={m.training} after train(), but should be True"


@needs_dynamo
@pytest.mark.torch_version(">=2.3", reason=EP_MODE)
def test_exported_module_refuses_train_and_eval_from_2_3(device):
    """From torch 2.3, ep.module().eval() and .train() raise NotImplementedError: train/eval is fixed at export time.

    Ranges over: one exported module (the claim is about its methods).

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


def counting_compile(fn, backend: str, graphs: list, **options):
    """``torch.compile(fn)`` with ``backend`` wrapped so that every graph Dynamo hands it is recorded.

    ``graphs`` gets one ``(graph module, devices of its example inputs, its example inputs)`` per graph compiled -- a
    counting backend: a recompile adds one, a reused graph adds none. Dynamo calls the backend once per
    captured graph (AOTAutograd's backward graph is compiled inside that call).
    """
    from torch._dynamo.backends.registry import lookup_backend  # the registry behind torch.compile's backend names (2.0+)

    real = lookup_backend(backend)

    def counting(gm, example_inputs):
        graphs.append((gm, {str(t.device) for t in example_inputs if isinstance(t, torch.Tensor)}, list(example_inputs)))
        return real(gm, example_inputs)

    return torch.compile(fn, backend=counting, **options)


def compiled_for(cache, device, backend: str = "eager", dtype=torch.float32):
    """(``branchy`` under a fresh torch.compile, the graphs Dynamo captured for it), one per variant.

    Built on first use for a (device, backend, dtype), after ``torch._dynamo.reset()`` (no compiled code
    from another variant or spec is reused), with its own counting backend and its own graph list: the
    count a spec variant asserts is what *its* compile captured, never graphs left over by another.
    """

    def build():
        torch._dynamo.reset()
        graphs = []
        return counting_compile(branchy, backend, graphs), graphs

    return cached(cache, ("compile", str(device), backend, dtype), build)


def negate_in_place(x):
    with torch.no_grad():
        x.neg_()


@needs_dynamo
@pytest.mark.parametrize("dtype", dtype_params(FLOATING))
@compile_budget()
@given(a=hnp.arrays(np.float32, 4, elements=st.floats(-2, 2, width=32)))  # one length: no recompiles
@example(a=np.array([2.0, -0.5, 1.75, 0.25], np.float32))  # both branches, |x| > 1.5
def test_torch_compile_keeps_eager_semantics_across_data_dependent_branches(device, backend, dtype, a, cache):
    """torch.compile keeps eager semantics: a data-dependent `if` graph-breaks and both branches match eager.

    Ranges over: every floating dtype (float16, bfloat16, float32, float64 -- sin and exp run in the
    input's own dtype), inputs in [-2, 2] that require grad; each example makes two calls of one compiled
    function -- as drawn, then negated in place, so the other branch runs (unless the sum is 0) -- and
    compares everything specs/differential.py observes after each, gradients included. The compile is
    fresh per (device, backend, dtype) variant: at least 2 graphs must have been captured by this
    variant's own compile (a counting backend), from tensors on this variant's device.
    """
    fn, graphs = compiled_for(cache, device, backend, dtype)
    calls = [Call(name="as drawn"), Call(negate_in_place, name="negated in place (the other branch)")]
    assert_compiles_like_eager(
        branchy, lambda: (on(device, a, dtype).requires_grad_(),), backend, calls=calls, backward=True,
        compiled=fn, **compile_tolerance(backend, dtype),
    )
    assert len(graphs) >= 2, (
        f"Dynamo captured {len(graphs)} graph(s), but the data-dependent `if` should split it into at least 2"
    )
    seen = set().union(*(devs for _, devs, _ in graphs))
    assert seen <= {str(torch.empty(0, device=device).device)}, (
        f"captured graphs took inputs on {sorted(seen)}, but should only see {device}"
    )


def scaled_sin(x):
    return x.sin() * 2


def run_module(m, x):
    return m(x)


#: what a compiled graph is guarded on, and how each guard's first state and changed state look
GUARDS = ("dtype", "requires_grad", "no_grad", "inference_mode", "training")


def guard_state(guard: str, a: np.ndarray, device, changed: bool, models: list):
    """(function, make inputs, Call, backward) for the first (changed=False) or changed state of ``guard``.

    ``models``: the [eager, compiled] pair of one BatchNorm1d each (built alike), used in every state of the
    training guard -- one model switched between train() and eval(), as a user does; ``make`` hands the
    first to the eager side and the second to the compiled side (specs/differential.py makes the eager
    inputs first)."""
    if guard == "dtype":
        dtype = torch.float64 if changed else torch.float32
        return scaled_sin, lambda: (on(device, a, dtype),), Call(name=f"{dtype} input"), False
    if guard == "requires_grad":
        return scaled_sin, lambda: (on(device, a).requires_grad_(changed),), Call(name=f"requires_grad={changed}"), changed
    if guard in ("no_grad", "inference_mode"):
        mode = getattr(torch, guard) if changed else torch.enable_grad
        return scaled_sin, lambda: (on(device, a).requires_grad_(),), Call(mode=mode, name=f"under {mode.__name__}"), False
    assert guard == "training"

    if not models:
        models.extend(torch.nn.BatchNorm1d(a.shape[1]).to(device) for _ in range(2))
    turn = iter(models)

    def make():
        return next(turn), on(device, a)

    before = (lambda m, x: m.eval()) if changed else (lambda m, x: m.train())
    return run_module, make, Call(before, name="eval()" if changed else "train()"), False


@needs_dynamo
@pytest.mark.parametrize("guard", GUARDS)
@compile_budget()
@given(a=hnp.arrays(np.float32, (4, 2), elements=st.floats(-2, 2, width=32)))
def test_a_guard_change_recompiles_and_changing_back_reuses_the_first_graph(device, backend, guard, a):
    """Changing what a compiled graph is guarded on compiles a new graph whose outputs follow the change; changing it back reuses the first graph.

    Ranges over: the guards (enumerated) -- the input's dtype (float32 -> float64), its requires_grad
    (False -> True), the grad mode (enable_grad -> no_grad, enable_grad -> inference_mode) and a
    module's training flag (one BatchNorm1d switched train() -> eval() -> train(): batch vs running
    statistics, the running statistics carried from call to call); inputs in
    [-2, 2]. One compiled function is called in the first state, the changed state and the first state
    again; a counting backend must see at least one graph, then at least one more (a new graph, no
    stale one reused), then none (the first graph's guards pass again); after each call everything
    specs/differential.py observes equals eager (values, dtype, requires_grad, grad_fn, running
    statistics, gradients where the input requires grad).
    """
    torch._dynamo.reset()
    graphs, counts, compiled, models = [], [], None, []
    for changed in (False, True, False):
        fn, make, call, backward = guard_state(guard, a, device, changed, models)
        if compiled is None:
            compiled = counting_compile(fn, backend, graphs)
        assert_compiles_like_eager(fn, make, backend, calls=[call], backward=backward, compiled=compiled)
        counts.append(len(graphs))
    first, after_change, back = counts
    assert first >= 1, f"the first call compiled {first} graphs, but should compile one"
    assert after_change > first, (
        f"after the {guard} change no new graph was compiled ({after_change} in all), but the guard should fail and recompile"
    )
    assert back == after_change, (
        f"changing {guard} back compiled {back - after_change} more graph(s), but should reuse the first one"
    )


def times_rows(x):
    """exp(x) times the number of rows: a graph that reads a size, so a static graph bakes the size in
    (exp is never 0, so a stale size shows in every element)."""
    return x.exp() * x.shape[0]


#: torch.compile's ``dynamic=`` argument -> (graphs compiled after each of the calls on 3, 5, 7, 5, 3 rows,
#: whether the first graph is symbolic, whether the second graph, if any, is symbolic)
DYNAMIC_SHAPES = {
    "dynamic=None": (None, [1, 2, 2, 2, 2], False, True),
    "dynamic=False": (False, [1, 2, 3, 3, 3], False, False),
    "dynamic=True": (True, [1, 1, 1, 1, 1], True, None),
}


@needs_dynamo
@pytest.mark.parametrize("dynamic", list(DYNAMIC_SHAPES))
@compile_budget()
@given(a=hnp.arrays(np.float32, (7, 2), elements=st.floats(-2, 2, width=32)))
def test_a_new_shape_recompiles_static_graphs_and_only_the_first_change_under_the_default(device, backend, dynamic, a):
    """A compiled graph is static in its shapes until a shape changes: by default that one change recompiles a shape-generic graph, which every later shape reuses.

    Ranges over: torch.compile's ``dynamic=`` (enumerated): ``None`` (the default: automatic dynamic
    shapes -- the first graph is specialised to the shapes seen, the first shape change recompiles once
    with the changed size symbolic, and no later size recompiles), ``False`` (every new shape compiles
    its own static graph, a shape seen before reuses its graph) and ``True`` (one symbolic graph from the
    first call); one function reading its input's size, called on 3, 5, 7, 5 and 3 rows of drawn values
    in [-2, 2]. A counting backend records the graphs (a graph is symbolic when Dynamo hands it a
    ``torch.SymInt`` for a size); every output equals the maths, exp(x) * rows. Sizes 0 and 1, which
    Dynamo always specialises, are out of scope.
    """
    option, expected_counts, first_symbolic, second_symbolic = DYNAMIC_SHAPES[dynamic]
    torch._dynamo.reset()
    graphs, counts = [], []
    compiled = counting_compile(times_rows, backend, graphs, dynamic=option)
    for rows in (3, 5, 7, 5, 3):
        x = on(device, a[:rows])
        expected = torch.from_numpy(np.exp(a[:rows].astype(np.float64)) * rows).to(device, torch.float32)
        torch.testing.assert_close(compiled(x), expected, rtol=1e-5, atol=1e-6)
        counts.append(len(graphs))
    assert counts == expected_counts, (
        f"graphs compiled after the calls on 3, 5, 7, 5, 3 rows: {counts}, but {dynamic} should give {expected_counts}"
    )
    symbolic = [any(isinstance(i, torch.SymInt) for i in inputs) for _, _, inputs in graphs]
    assert symbolic[0] == first_symbolic, (
        f"the first graph {'takes' if symbolic[0] else 'takes no'} symbolic size, but under {dynamic} it should "
        f"{'' if first_symbolic else 'not '}be shape-generic"
    )
    if second_symbolic is not None:
        assert symbolic[1] == second_symbolic, (
            f"the graph compiled at the first shape change {'takes' if symbolic[1] else 'takes no'} symbolic size, "
            f"but under {dynamic} it should {'' if second_symbolic else 'not '}be shape-generic"
        )


class SmallNet(torch.nn.Module):
    """Linear -> BatchNorm1d -> ReLU -> Dropout(0.5): parameters, running statistics, a train/eval switch and randomness.

    Conditioned so that a batch whose rows are equal (the all-zero input, say) compares meaningfully
    under a backend that sums in another order (inductor): eagerly it normalizes to exactly 0, a
    reordered mean to (x - mean) / sqrt(eps) with x - mean a few ulps -- so BatchNorm's eps is 1e-2
    (magnifying those ulps 10x, not 316x as the default 1e-5 would), and its bias starts at 0.1, not 0,
    so ReLU does not sit on its kink there (where the subgradient would flip from 0 to 1/sqrt(eps))."""

    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(3, 4)
        self.bn = torch.nn.BatchNorm1d(4, eps=1e-2)
        self.drop = torch.nn.Dropout(0.5)
        with torch.no_grad():
            self.bn.bias.fill_(0.1)

    def forward(self, x):
        return self.drop(torch.relu(self.bn(self.lin(x))))


def module_compiler(form: str, backend: str):
    """A callable ``(m, x) -> compiled m(x)``: ``torch.compile(m)`` (an OptimizedModule wrapping m) or
    ``m.compile()`` (compiles m's call in place), done on the first call for each module."""
    compiled = {}

    def call(m, x):
        if id(m) not in compiled:
            if form == "torch.compile(m)":
                compiled[id(m)] = (m, torch.compile(m, backend=backend))
            else:
                m.compile(backend=backend)
                compiled[id(m)] = (m, m)
        return compiled[id(m)][1](x)

    return call


MODULE_COMPILE_FORMS = [
    pytest.param("torch.compile(m)", id="torch.compile(m)"),
    pytest.param("m.compile()", id="m.compile()", marks=pytest.mark.torch_version(
        ">=2.1", reason="nn.Module.compile() (pytorch#97565) first shipped in 2.1 (checked: the case passes on 2.1.2; "
        "2.0 cannot run Dynamo on Python 3.11)")),
]


@needs_dynamo
@pytest.mark.parametrize("form", MODULE_COMPILE_FORMS)
@compile_budget()
@given(a=hnp.arrays(np.float32, (5, 3), elements=st.floats(-2, 2, width=32)))
def test_compiled_module_behaves_like_the_eager_module_under_compile(device, backend, form, a):
    """A compiled nn.Module behaves as the eager module: outputs, gradients, running statistics, train/eval and dropout.

    Ranges over: the two ways to compile a module -- ``torch.compile(m)`` and ``m.compile()``
    (enumerated); a model with parameters, buffers, a mode switch and randomness (SmallNet), inputs in
    [-2, 2] that require grad; two calls of one compiled model: in training mode with backward, then
    after ``m.eval()`` under ``torch.no_grad()``. After each, everything
    specs/differential.py observes equals eager: output values (dropout masks drawn from equally seeded
    generators), requires_grad, grad_fn, the running statistics and num_batches_tracked, every
    parameter, the training flags, and the gradients of the input and of every parameter.
    """

    def make():
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            return SmallNet().to(device), on(device, a).requires_grad_()

    calls = [
        Call(name="train"),
        Call(lambda m, x: m.eval(), torch.no_grad, name="after m.eval(), under no_grad"),
    ]
    torch._dynamo.reset()
    assert_compiles_like_eager(
        run_module, make, backend, calls=calls, backward=True, compiled=module_compiler(form, backend),
        **compile_tolerance(backend, normalizes=True),  # SmallNet has a BatchNorm
    )


@needs_dynamo
@pytest.mark.torch_version(">=2.1", reason="torch.compiler.reset (clean compile caches) is public from torch 2.1")
def test_torch_compile_fullgraph_raises_at_a_graph_break(device):
    """torch.compile(fullgraph=True) raises at a data-dependent `if` instead of graph-breaking.

    Ranges over: one input (the claim is about the error; the graph break over dtypes and values is the compile claim above).

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
    "<2.5",
    issue="https://github.com/pytorch/pytorch/issues/132986",
    reason="OptimizedModule kept its own .training flag: in 2.4 compiled.eval() leaves compiled.training "
    "True, in 2.2 compiled.training does not follow a later m.train(); fixed in 2.5 by pytorch#131546 "
    "'[dynamo] mirror training flag in OptimizedModule' (checked on every minor release: fails on 2.1-2.4, "
    "passes from 2.5.1; 2.0 cannot run Dynamo on Python 3.11)",
)
def test_compiled_module_train_eval_act_on_the_wrapped_module(device):
    """torch.compile(m).eval()/.train() switch m itself, and compiled.training always reports m.training.

    Ranges over: the OptimizedModule form (m.compile() keeps no wrapper: see test_compiled_module_behaves_like_the_eager_module_under_compile).

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

    Ranges over: one export (seconds each).

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

    Ranges over: 2 x 3 float32 inputs in [-2, 2] through one export.

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
    """Before torch 2.9, torch.onnx.export without dynamo= uses the TorchScript-based exporter: it writes the file and returns None.

    Ranges over: the default call (the claim is about the exporter chosen).
    """
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
    """From torch 2.9, torch.onnx.export without dynamo= uses the torch.export-based exporter and returns an ONNXProgram.

    Ranges over: the default call (the claim is about the exporter chosen).
    """
    pytest.importorskip("onnx", reason="ONNX export needs the optional onnx package")
    pytest.importorskip("onnxscript", reason="the torch.export-based ONNX exporter needs onnxscript")
    out = onnx_export(cache, device)[1]
    assert isinstance(out, torch.onnx.ONNXProgram), (
        f"torch.onnx.export returned {type(out).__name__}, but should return an ONNXProgram"
    )
    ops = [n.op_type for n in out.model_proto.graph.node]
    assert {"Relu", "Add"} <= set(ops), f"ONNX nodes {ops}, but should include Relu and Add"


# --- release history (mined from release notes; see docs/release-history.md)

import re  # noqa: E402


class _SinPlusOne(torch.nn.Module):
    def forward(self, x):
        return x.sin() + 1


class _NoGradInside(torch.nn.Module):
    """y = (x * 2 under no_grad) + x: eager d(sum y)/dx is 1, not 3."""

    def forward(self, x):
        with torch.no_grad():
            doubled = x * 2
        return doubled + x


EP_CALL = (
    "torch 2.3 removed ExportedProgram.__call__: calling the program raises 'Unable to call ExportedProgram directly. "
    "You should use `exported_program.module()` instead' (https://github.com/pytorch/pytorch/releases/tag/v2.3.0); "
    "checked: callable on 2.1/2.2, refused on 2.3-2.15"
)
EP_SHAPE_CHECK = (
    "ep.module() checks its inputs against the example's static shapes from torch 2.2 (RuntimeError), and since torch "
    "2.9 with an AssertionError 'Guard failed' (https://github.com/pytorch/pytorch/releases/tag/v2.2.0, "
    "https://github.com/pytorch/pytorch/releases/tag/v2.9.0); checked: no check on 2.1, RuntimeError on 2.2-2.8, "
    "AssertionError on 2.9-2.15"
)
EXPORT_NO_GRAD = (
    "torch.export of a module that uses `with torch.no_grad()` inside forward: torch 2.1/2.2 traced the block as if "
    "grad were on (the exported program differentiates through it), 2.3 refuses it ('Encountered autograd state "
    "manager op ... trying to change global autograd state'), and from 2.4 the graph keeps the block "
    "(wrap_with_set_grad_enabled) (https://github.com/pytorch/pytorch/releases/tag/v2.3.0, "
    "https://github.com/pytorch/pytorch/releases/tag/v2.4.0); checked on every release 2.1-2.15"
)
DIM_AUTO = (
    "torch.export.Dim.AUTO (let export decide which dimensions are dynamic) arrived in torch 2.5 "
    "(https://github.com/pytorch/pytorch/releases/tag/v2.5.0); checked: missing on 2.1-2.4, works on 2.5-2.15"
)
IS_COMPILING = (
    "torch.compiler.is_compiling() is public from torch 2.3 (https://github.com/pytorch/pytorch/releases/tag/v2.3.0); "
    "checked: missing on 2.1/2.2, True inside torch.compile and False in eager on 2.3-2.15"
)


def _export(module, device, *shape):
    x = torch.linspace(-1.0, 1.0, math_prod(shape), device=device).reshape(shape)
    return torch.export.export(module, (x,)), x


def math_prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


@needs_dynamo
@pytest.mark.torch_version(">=2.1,<2.3", reason=EP_CALL)
def test_exported_program_is_callable_before_2_3(device):
    """Before torch 2.3, an ExportedProgram can be called directly, and ep(x) equals the eager result."""
    ep, x = _export(_SinPlusOne(), device, 4)
    close(ep(x), x.sin() + 1, "ep(x)")


@needs_dynamo
@pytest.mark.torch_version(">=2.3", reason=EP_CALL)
def test_exported_program_refuses_a_direct_call_from_2_3(device):
    """From torch 2.3, calling an ExportedProgram directly raises RuntimeError pointing to ep.module(), whose call equals the eager result."""
    ep, x = _export(_SinPlusOne(), device, 4)
    with raises(RuntimeError, r"exported_program\.module\(\)", "ep(x)"):
        ep(x)
    close(ep.module()(x), x.sin() + 1, "ep.module()(x)")


@needs_dynamo
@pytest.mark.torch_version(">=2.1,<2.2", reason=EP_SHAPE_CHECK)
def test_exported_module_runs_other_shapes_unchecked_in_2_1(device):
    """In torch 2.1, ep.module() checks no input shape: a program exported with a length-4 example runs a length-6 input."""
    ep, _ = _export(_SinPlusOne(), device, 4)
    y = torch.linspace(-1.0, 1.0, 6, device=device)
    close(ep.module()(y), y.sin() + 1, "ep.module()(length-6 input)")


@needs_dynamo
@pytest.mark.torch_version(">=2.2,<2.9", reason=EP_SHAPE_CHECK)
def test_exported_module_refuses_another_static_shape_with_runtime_error_before_2_9(device):
    """From torch 2.2 to 2.8, ep.module() refuses an input whose static dimension differs from the example's with RuntimeError."""
    ep, _ = _export(_SinPlusOne(), device, 4)
    with raises(RuntimeError, r"shape\[0\]|specialized", "ep.module()(length-6 input)"):
        ep.module()(torch.zeros(6, device=device))


@needs_dynamo
@pytest.mark.torch_version(">=2.9", reason=EP_SHAPE_CHECK)
def test_exported_module_refuses_another_static_shape_with_assertion_error_from_2_9(device):
    """From torch 2.9, ep.module() refuses an input whose static dimension differs from the example's with AssertionError "Guard failed"."""
    ep, _ = _export(_SinPlusOne(), device, 4)
    with raises(AssertionError, r"Guard failed.*\b4\b", "ep.module()(length-6 input)"):
        ep.module()(torch.zeros(6, device=device))


def _no_grad_export(device):
    ep, _ = _export(_NoGradInside(), device, 3)
    x = torch.arange(3.0, device=device, requires_grad=True)
    out = ep.module()(x)
    out.sum().backward()
    close(out.detach(), 3 * x.detach(), "ep.module()(x)")
    return x.grad


@needs_dynamo
@pytest.mark.torch_version(">=2.1,<2.3", reason=EXPORT_NO_GRAD)
def test_export_traces_a_no_grad_block_as_if_grad_were_on_before_2_3(device):
    """Before torch 2.3, torch.export drops a `with torch.no_grad()` block inside forward: the exported program differentiates through it (gradient 3 where eager gives 1)."""
    grad = _no_grad_export(device)
    close(grad, torch.full((3,), 3.0, device=device), "x.grad through ep.module() (no_grad dropped)")


@needs_dynamo
@pytest.mark.torch_version(">=2.3,<2.4", reason=EXPORT_NO_GRAD)
def test_export_refuses_a_no_grad_block_in_2_3(device):
    """In torch 2.3, torch.export refuses a module whose forward enters torch.no_grad(): it may not change the global autograd state."""
    x = torch.arange(3.0, device=device)
    with raises(RuntimeError, r"autograd state", "torch.export.export(module using no_grad)"):
        torch.export.export(_NoGradInside(), (x,))


@needs_dynamo
@pytest.mark.torch_version(">=2.4", reason=EXPORT_NO_GRAD)
def test_export_keeps_a_no_grad_block_from_2_4(device):
    """From torch 2.4, torch.export keeps a `with torch.no_grad()` block inside forward: the exported program's gradient is eager's (1, not 3)."""
    grad = _no_grad_export(device)
    x = torch.arange(3.0, device=device, requires_grad=True)
    _NoGradInside()(x).sum().backward()
    close(grad, x.grad, "x.grad through ep.module() vs eager")
    close(grad, torch.ones(3, device=device), "x.grad through ep.module()")


@needs_dynamo
@pytest.mark.torch_version(">=2.2,<2.5", reason=DIM_AUTO)
def test_export_has_no_dim_auto_before_2_5(device):
    """Before torch 2.5, torch.export.Dim has no AUTO: dynamic dimensions must be named with Dim("n")."""
    assert not hasattr(torch.export.Dim, "AUTO"), "torch.export.Dim.AUTO exists, but should not before 2.5"
    n = torch.export.Dim("n")
    ep = torch.export.export(torch.nn.Linear(3, 2).to(device), (torch.ones(4, 3, device=device),), dynamic_shapes=({0: n},))
    assert ep.module()(torch.ones(7, 3, device=device)).shape == (7, 2), "the Dim('n')-exported Linear refused a batch of 7"


@needs_dynamo
@pytest.mark.torch_version(">=2.5", reason=DIM_AUTO)
def test_export_with_dim_auto_accepts_other_sizes_of_that_dimension_from_2_5(device):
    """From torch 2.5, a dimension marked Dim.AUTO is exported dynamic when the program allows it: the exported Linear runs another batch size and matches eager."""
    layer = torch.nn.Linear(3, 2).to(device)
    ep = torch.export.export(layer, (torch.ones(4, 3, device=device),), dynamic_shapes=({0: torch.export.Dim.AUTO},))
    x = torch.linspace(-1.0, 1.0, 21, device=device).reshape(7, 3)
    close(ep.module()(x), layer(x), "Dim.AUTO-exported Linear on a batch of 7")


@needs_dynamo
@pytest.mark.torch_version(">=2.1,<2.3", reason=IS_COMPILING)
def test_torch_compiler_has_no_is_compiling_before_2_3(device):
    """Before torch 2.3, torch.compiler has no is_compiling(); compiled code runs like eager."""
    assert not hasattr(torch.compiler, "is_compiling"), "torch.compiler.is_compiling exists, but should not before 2.3"
    torch._dynamo.reset()
    x = torch.zeros(2, device=device)
    close(torch.compile(lambda t: t + 1, backend="eager")(x), x + 1, "compiled t + 1")


@needs_dynamo
@pytest.mark.torch_version(">=2.3", reason=IS_COMPILING)
def test_torch_compiler_is_compiling_is_true_only_inside_compiled_code_from_2_3(device):
    """From torch 2.3, torch.compiler.is_compiling() is True while torch.compile traces a function and False when the same function runs eagerly."""

    def marked(t):
        return t + (1.0 if torch.compiler.is_compiling() else 0.0)

    torch._dynamo.reset()
    x = torch.zeros(2, device=device)
    close(torch.compile(marked, backend="eager")(x), x + 1, "compiled marked(x)")
    close(marked(x), x, "eager marked(x)")


JIT_IO_DEPRECATED = (
    "torch 2.10 made torch.jit.save, torch.jit.load and torch.jit.freeze warn that TorchScript is deprecated "
    "(switch to torch.export / torch.compile) (https://github.com/pytorch/pytorch/releases/tag/v2.10.0); checked: "
    "silent on 2.0-2.9, warning on 2.10-2.15 (category: DeprecationWarning on 2.10-2.13, FutureWarning from 2.14; "
    "freeze only from 2.11)"
)
ONNX_LEGACY_WARNING = (
    "from torch 2.8, torch.onnx.export(..., dynamo=False) warns DeprecationWarning that the TorchScript-based exporter "
    "is legacy (the torch.export-based one becomes the default in 2.9) (https://github.com/pytorch/pytorch/releases/tag/v2.8.0); "
    "checked without onnx installed (the warning comes first): silent on 2.5-2.7, DeprecationWarning on 2.8-2.15"
)
ONNX_TRAINING_CATEGORY = (
    "torch.onnx.export(training=...) other than the default is deprecated; the warning was a FutureWarning in torch "
    "2.5/2.6 and is a DeprecationWarning from torch 2.7 (https://github.com/pytorch/pytorch/releases/tag/v2.7.0); "
    "checked without onnx installed (the warning comes first)"
)


def _jit_io(device, api):
    """Run torch.jit.save/load/freeze on a scripted Linear on ``device``; return the result and the TorchScript warnings."""
    import io

    layer = torch.nn.Linear(2, 2).to(device).eval()
    scripted = quiet(torch.jit.script, layer)
    buffer = io.BytesIO()
    with warnings_recorded() as caught:
        if api == "torch.jit.save":
            torch.jit.save(scripted, buffer)
            out = scripted
        elif api == "torch.jit.load":
            out = None
        else:
            out = torch.jit.freeze(scripted)
    if api == "torch.jit.load":
        quiet(torch.jit.save, scripted, buffer)
        buffer.seek(0)
        with warnings_recorded() as caught:
            out = torch.jit.load(buffer, map_location=device)
    x = torch.ones(1, 2, device=device)
    close(out(x), layer(x), f"{api} result on x")
    name = api.split(".")[-1]
    return [(w.category, str(w.message)) for w in caught if re.search(rf"`torch\.jit\.{name}` is deprecated", str(w.message))]


JIT_IO = ["torch.jit.save", "torch.jit.load", "torch.jit.freeze"]
JIT_FREEZE_LATER = (
    "torch.jit.freeze started warning one release after save/load: silent on 2.10 (only the torch.jit.script it "
    "needs warns), DeprecationWarning on 2.11-2.13 (https://github.com/pytorch/pytorch/releases/tag/v2.11.0)"
)


@pytest.mark.torch_version("<2.10", reason=JIT_IO_DEPRECATED)
@pytest.mark.parametrize("api", JIT_IO)
def test_jit_save_load_and_freeze_do_not_warn_before_2_10(device, api):
    """Before torch 2.10, torch.jit.save, torch.jit.load and torch.jit.freeze work on a scripted module without a deprecation warning."""
    found = _jit_io(device, api)
    assert found == [], f"{api} warned {found}, but should not warn it is deprecated"


@pytest.mark.torch_version(">=2.10,<2.14", reason=JIT_IO_DEPRECATED)
@pytest.mark.parametrize(
    "api",
    [
        pytest.param(api, marks=pytest.mark.torch_version(">=2.11", reason=JIT_FREEZE_LATER)) if api == "torch.jit.freeze" else api
        for api in JIT_IO
    ],
)
def test_jit_save_load_and_freeze_warn_deprecation_warning_from_2_10_to_2_13(device, api):
    """From torch 2.10 to 2.13, torch.jit.save, torch.jit.load and torch.jit.freeze still work on a scripted module but warn DeprecationWarning that they are deprecated."""
    found = _jit_io(device, api)
    assert [c for c, _ in found] == [DeprecationWarning], f"{api} warned {found}, but should warn one DeprecationWarning"


@pytest.mark.torch_version(">=2.14", reason=JIT_IO_DEPRECATED)
@pytest.mark.parametrize("api", JIT_IO)
def test_jit_save_load_and_freeze_warn_future_warning_from_2_14(device, api):
    """From torch 2.14, torch.jit.save, torch.jit.load and torch.jit.freeze still work on a scripted module but warn FutureWarning (shown by default) that they are deprecated."""
    found = _jit_io(device, api)
    assert [c for c, _ in found] == [FutureWarning], f"{api} warned {found}, but should warn one FutureWarning"


def _onnx_warnings(device, pattern, **kwargs):
    import io

    pytest.importorskip("onnx", reason="ONNX export needs the optional onnx package")
    with warnings_recorded() as caught:
        torch.onnx.export(torch.nn.Linear(2, 2).to(device), (torch.ones(1, 2, device=device),), io.BytesIO(), dynamo=False, **kwargs)
    return [(w.category, str(w.message)) for w in caught if re.search(pattern, str(w.message))]


@pytest.mark.torch_version(">=2.5,<2.8", reason=ONNX_LEGACY_WARNING)
def test_onnx_export_with_dynamo_false_is_not_called_legacy_before_2_8(device):
    """From torch 2.5 to 2.7, torch.onnx.export(..., dynamo=False) runs the TorchScript-based exporter without calling it legacy."""
    found = _onnx_warnings(device, r"legacy TorchScript-based ONNX export")
    assert found == [], f"torch.onnx.export(dynamo=False) warned {found}, but should not call itself legacy"


@pytest.mark.torch_version(">=2.8", reason=ONNX_LEGACY_WARNING)
def test_onnx_export_with_dynamo_false_warns_that_it_is_legacy_from_2_8(device):
    """From torch 2.8, torch.onnx.export(..., dynamo=False) still exports but warns DeprecationWarning that the TorchScript-based exporter is legacy."""
    found = _onnx_warnings(device, r"legacy TorchScript-based ONNX export")
    assert [c for c, _ in found] == [DeprecationWarning], f"torch.onnx.export(dynamo=False) warned {found}, but should warn one DeprecationWarning"


@pytest.mark.torch_version(">=2.5,<2.7", reason=ONNX_TRAINING_CATEGORY)
def test_onnx_export_training_argument_warns_future_warning_before_2_7(device):
    """In torch 2.5 and 2.6, torch.onnx.export(..., training=TrainingMode.TRAINING) warns FutureWarning that the training argument is deprecated."""
    found = _onnx_warnings(device, r"Setting `training` to something other than default is deprecated", training=torch.onnx.TrainingMode.TRAINING)
    assert [c for c, _ in found] == [FutureWarning], f"torch.onnx.export(training=TRAINING) warned {found}, but should warn one FutureWarning"


@pytest.mark.torch_version(">=2.7", reason=ONNX_TRAINING_CATEGORY)
def test_onnx_export_training_argument_warns_deprecation_warning_from_2_7(device):
    """From torch 2.7, torch.onnx.export(..., training=TrainingMode.TRAINING) warns DeprecationWarning that the training argument is deprecated."""
    found = _onnx_warnings(device, r"Setting `training` to something other than default is deprecated", training=torch.onnx.TrainingMode.TRAINING)
    assert [c for c, _ in found] == [DeprecationWarning], f"torch.onnx.export(training=TRAINING) warned {found}, but should warn one DeprecationWarning"


DYNAMO_EXPORT_REMOVED = (
    "torch.onnx.dynamo_export (the first torch.export-based ONNX entry point, torch 2.1) was deprecated in torch 2.7 "
    "in favour of torch.onnx.export(..., dynamo=True) and removed in torch 2.9 "
    "(https://github.com/pytorch/pytorch/releases/tag/v2.7.0, https://github.com/pytorch/pytorch/releases/tag/v2.9.0); "
    "checked: present on 2.1-2.8 (warning 'deprecated since 2.7.0' on 2.7-2.8), gone on 2.9-2.15"
)


@pytest.mark.device_independent
@pytest.mark.torch_version(">=2.1,<2.9", reason=DYNAMO_EXPORT_REMOVED)
def test_onnx_dynamo_export_exists_before_2_9():
    """Before torch 2.9, torch.onnx.dynamo_export exists next to torch.onnx.export."""
    assert callable(getattr(torch.onnx, "dynamo_export", None)), "torch.onnx.dynamo_export is missing"
    assert callable(torch.onnx.export), "torch.onnx.export is missing"


@pytest.mark.device_independent
@pytest.mark.torch_version(">=2.9", reason=DYNAMO_EXPORT_REMOVED)
def test_onnx_dynamo_export_is_gone_from_2_9():
    """From torch 2.9, torch.onnx.dynamo_export is gone: torch.onnx.export (torch.export-based by default) is the one entry point."""
    assert not hasattr(torch.onnx, "dynamo_export"), "torch.onnx.dynamo_export still exists"
    assert "dynamo" in inspect.signature(torch.onnx.export).parameters, "torch.onnx.export has no `dynamo` parameter"


EXPORT_FOR_TRAINING = (
    "torch.export.export_for_training (export to the training IR, where Dropout/BatchNorm keep their train-mode ops) "
    "arrived in torch 2.5, warned FutureWarning 'deprecated and will be removed' in 2.9/2.10 once torch.export.export "
    "itself produced that IR, and is gone from 2.11 (https://github.com/pytorch/pytorch/releases/tag/v2.5.0, "
    "https://github.com/pytorch/pytorch/releases/tag/v2.9.0, https://github.com/pytorch/pytorch/releases/tag/v2.11.0); "
    "checked: missing on 2.1-2.4, silent on 2.5-2.8, FutureWarning on 2.9/2.10, missing on 2.11-2.15"
)


def _export_for_training(device):
    layer = torch.nn.Dropout(0.5).to(device).eval()
    x = torch.linspace(-1.0, 1.0, 6, device=device)
    with warnings_recorded() as caught:
        ep = torch.export.export_for_training(layer, (x,))
    close(ep.module()(x), x, "export_for_training(eval Dropout).module()(x)")
    return [(w.category, str(w.message)) for w in caught if "export_for_training" in str(w.message)]


@needs_dynamo
@pytest.mark.torch_version(">=2.5,<2.9", reason=EXPORT_FOR_TRAINING)
def test_export_for_training_exports_silently_from_2_5_to_2_8(device):
    """From torch 2.5 to 2.8, torch.export.export_for_training exports a module without warning; an eval-mode Dropout exports as the identity."""
    found = _export_for_training(device)
    assert found == [], f"export_for_training warned {found}, but should be silent"


@needs_dynamo
@pytest.mark.torch_version(">=2.9,<2.11", reason=EXPORT_FOR_TRAINING)
def test_export_for_training_warns_future_warning_in_2_9_and_2_10(device):
    """In torch 2.9 and 2.10, torch.export.export_for_training still exports but warns FutureWarning that it is deprecated and will be removed."""
    found = _export_for_training(device)
    assert [c for c, _ in found] == [FutureWarning], f"export_for_training warned {found}, but should warn one FutureWarning"


@pytest.mark.device_independent
@pytest.mark.torch_version(">=2.11", reason=EXPORT_FOR_TRAINING)
def test_export_for_training_is_gone_from_2_11():
    """From torch 2.11, torch.export.export_for_training is gone: torch.export.export is the one entry point (it exports the training IR)."""
    assert not hasattr(torch.export, "export_for_training"), "torch.export.export_for_training still exists"
    assert callable(torch.export.export), "torch.export.export is missing"


# --- release history, round 2 (mined from release notes and the tracker)

SET_STANCE = (
    "torch 2.6 added torch.compiler.set_stance, which changes what torch.compile'd code does without recompiling the "
    "program: 'force_eager' ignores torch.compile and runs the function eagerly "
    "(https://github.com/pytorch/pytorch/releases/tag/v2.6.0); checked: missing on 2.1.2, 2.3.1, 2.4.1 and 2.5.1, "
    "present on 2.6.0, 2.7.1, 2.8.0, 2.9.1 and 2.14.1"
)
IS_EXPORTING = (
    "torch.compiler.is_exporting() (True while torch.export traces, False otherwise) is public from torch 2.7 "
    "(https://github.com/pytorch/pytorch/releases/tag/v2.7.0); checked: missing on 2.1.2, 2.3.1, 2.4.1, 2.5.1 and "
    "2.6.0, present on 2.7.1, 2.8.0, 2.9.1 and 2.14.1"
)
ONNX_DYNAMO_EXPORT_COMPANIONS = (
    "torch 2.9 removed torch.onnx.dynamo_export together with its companions torch.onnx.ExportOptions, "
    "torch.onnx.enable_fake_mode and torch.onnx.is_onnxrt_backend_supported (deprecated in 2.7 in favour of "
    "torch.onnx.export(..., dynamo=True); https://github.com/pytorch/pytorch/releases/tag/v2.9.0); checked: present on "
    "2.1.2 and 2.3.1-2.8.0, gone on 2.9.1 and 2.14.1"
)


def _counting_backend(graphs):
    def backend(gm, example_inputs):
        graphs.append(gm)
        return gm.forward

    return backend


@pytest.mark.device_independent
@pytest.mark.torch_version("<2.6", reason=SET_STANCE)
def test_torch_compiler_has_no_set_stance_before_2_6():
    """Before torch 2.6, torch.compiler has no set_stance: a torch.compile'd function cannot be switched to eager from outside."""
    compiler = getattr(torch, "compiler", None)  # torch.compiler itself arrived in 2.1
    assert not hasattr(compiler, "set_stance"), "torch.compiler.set_stance exists"


@pytest.mark.torch_version(">=2.6", reason=SET_STANCE)
def test_set_stance_force_eager_runs_a_compiled_function_eagerly_from_2_6(device):
    """From torch 2.6, inside torch.compiler.set_stance('force_eager') a torch.compile'd function compiles no graph and returns eager's result; outside it compiles one graph for the same calls.

    The oracle is the backend, which counts the graphs it is handed, and the eager function.
    """
    graphs = []

    def f(t):
        return torch.sin(t) * 2

    torch._dynamo.reset()
    try:
        compiled = torch.compile(f, backend=_counting_backend(graphs))
        x = torch.linspace(-1.0, 1.0, 5, device=device)
        with torch.compiler.set_stance("force_eager"):
            for _ in range(2):
                close(compiled(x), f(x), "compiled f(x) under force_eager")
        assert graphs == [], f"{len(graphs)} graph(s) compiled under set_stance('force_eager'), but should be none"
        for _ in range(2):
            close(compiled(x), f(x), "compiled f(x)")
        assert len(graphs) == 1, f"{len(graphs)} graph(s) compiled with the default stance, but should be one"
    finally:
        torch._dynamo.reset()


class _ExportMarked(torch.nn.Module):
    def forward(self, t):
        return t + (1.0 if torch.compiler.is_exporting() else 0.0)


@pytest.mark.device_independent
@pytest.mark.torch_version("<2.7", reason=IS_EXPORTING)
def test_torch_compiler_has_no_is_exporting_before_2_7():
    """Before torch 2.7, torch.compiler has no is_exporting(): a module cannot ask whether torch.export is tracing it."""
    compiler = getattr(torch, "compiler", None)  # torch.compiler itself arrived in 2.1
    assert not hasattr(compiler, "is_exporting"), "torch.compiler.is_exporting exists"


@pytest.mark.torch_version(">=2.7", reason=IS_EXPORTING)
def test_torch_compiler_is_exporting_is_true_only_while_torch_export_traces_from_2_7(device):
    """From torch 2.7, torch.compiler.is_exporting() is True while torch.export traces a module (the exported graph keeps that branch) and False when the module runs eagerly."""
    m = _ExportMarked()
    x = torch.zeros(2, device=device)
    ep = torch.export.export(m, (x,))
    close(ep.module()(x), x + 1, "ep.module()(x)")
    close(m(x), x, "eager m(x)")
    assert torch.compiler.is_exporting() is False, "torch.compiler.is_exporting() is True outside torch.export"


@pytest.mark.device_independent
@pytest.mark.torch_version(">=2.1,<2.9", reason=ONNX_DYNAMO_EXPORT_COMPANIONS)
@pytest.mark.parametrize("name", ["ExportOptions", "enable_fake_mode", "is_onnxrt_backend_supported"])
def test_onnx_dynamo_export_companions_exist_before_2_9(name):
    """Before torch 2.9, torch.onnx has dynamo_export's companions ExportOptions, enable_fake_mode and is_onnxrt_backend_supported."""
    assert callable(getattr(torch.onnx, name, None)), f"torch.onnx.{name} is missing"


@pytest.mark.device_independent
@pytest.mark.torch_version(">=2.9", reason=ONNX_DYNAMO_EXPORT_COMPANIONS)
@pytest.mark.parametrize("name", ["ExportOptions", "enable_fake_mode", "is_onnxrt_backend_supported"])
def test_onnx_dynamo_export_companions_are_gone_from_2_9(name):
    """From torch 2.9, torch.onnx.ExportOptions, enable_fake_mode and is_onnxrt_backend_supported are gone with dynamo_export; torch.onnx.export remains."""
    assert not hasattr(torch.onnx, name), f"torch.onnx.{name} still exists"
    assert callable(torch.onnx.export), "torch.onnx.export is missing"


ONNX_REGISTRY_REMOVED = (
    "torch.onnx.OnnxRegistry (the operator registry of the dynamo_export-era exporter, configured through "
    "ExportOptions) was removed from the public torch.onnx namespace in torch 2.8, one release before dynamo_export "
    "itself (https://github.com/pytorch/pytorch/releases/tag/v2.8.0); checked: present on 2.1.2 and 2.3.1-2.7.1, gone on "
    "2.8.0, 2.9.1 and 2.14.1"
)


@pytest.mark.device_independent
@pytest.mark.torch_version(">=2.1,<2.8", reason=ONNX_REGISTRY_REMOVED)
def test_onnx_registry_is_public_before_2_8():
    """Before torch 2.8, torch.onnx.OnnxRegistry is public and builds an operator registry."""
    assert callable(getattr(torch.onnx, "OnnxRegistry", None)), "torch.onnx.OnnxRegistry is missing"


@pytest.mark.device_independent
@pytest.mark.torch_version(">=2.8", reason=ONNX_REGISTRY_REMOVED)
def test_onnx_registry_is_gone_from_2_8():
    """From torch 2.8, torch.onnx has no OnnxRegistry: custom operators go through torch.onnx.export(..., custom_translation_table=...)."""
    assert not hasattr(torch.onnx, "OnnxRegistry"), "torch.onnx.OnnxRegistry still exists"
    assert "custom_translation_table" in inspect.signature(torch.onnx.export).parameters, "torch.onnx.export takes no custom_translation_table"


ONNX_LEGACY_NAMES_REMOVED = (
    "the TorchScript-based exporter's leftovers were removed from torch.onnx: CheckerError in torch 2.5, ExportTypes "
    "and export_to_pretty_string in torch 2.6 (https://github.com/pytorch/pytorch/releases/tag/v2.5.0, "
    "https://github.com/pytorch/pytorch/releases/tag/v2.6.0); checked: all three on 2.1.2, 2.3.1 and 2.4.1, ExportTypes "
    "and export_to_pretty_string without CheckerError on 2.5.1, none on 2.6.0, 2.7.1, 2.8.0, 2.9.1 and 2.14.1"
)
#: removed torch.onnx name -> the first release without it
ONNX_LEGACY_NAMES = {"CheckerError": "2.5", "ExportTypes": "2.6", "export_to_pretty_string": "2.6"}


@pytest.mark.device_independent
@pytest.mark.parametrize("name", [
    pytest.param(name, marks=pytest.mark.torch_version(f">=2.1,<{gone}", reason=ONNX_LEGACY_NAMES_REMOVED))
    for name, gone in ONNX_LEGACY_NAMES.items()
])
def test_onnx_legacy_names_exist_before_their_removal(name):
    """Before their removal (CheckerError: 2.5; ExportTypes, export_to_pretty_string: 2.6), torch.onnx has the TorchScript exporter's CheckerError, ExportTypes and export_to_pretty_string."""
    assert hasattr(torch.onnx, name), f"torch.onnx.{name} is missing"


@pytest.mark.device_independent
@pytest.mark.parametrize("name", [
    pytest.param(name, marks=pytest.mark.torch_version(f">={gone}", reason=ONNX_LEGACY_NAMES_REMOVED))
    for name, gone in ONNX_LEGACY_NAMES.items()
])
def test_onnx_legacy_names_are_gone_after_their_removal(name):
    """From their removal (CheckerError: 2.5; ExportTypes, export_to_pretty_string: 2.6), torch.onnx has no CheckerError, ExportTypes or export_to_pretty_string; torch.onnx.export remains."""
    assert not hasattr(torch.onnx, name), f"torch.onnx.{name} still exists"
    assert callable(torch.onnx.export), "torch.onnx.export is missing"


# --- release history, round 3 (found by running the suite on every release, then bisected)

EXPORT_DATA = (
    "torch.export of a forward that reads .data (of its input or of a parameter). 2.1-2.4: the default (strict) export "
    "traces the read as aten.alias / aten.detach and the program computes like eager (2.4's strict=False raises); 2.5: "
    "RuntimeError 'Attempting to use FunctionalTensor on its own'; 2.6-2.9: export succeeds but lifts the read as a "
    "FakeTensor constant (ep.constants['lifted_tensor_0']), so the program returns a FakeTensor whatever the input; "
    "from 2.10 the default (non-strict since 2.8) export refuses, RuntimeError 'We found a fake tensor in the exported "
    "program constant's list' (the lifted-constant check of pytorch#161589, "
    "torch._export.config.error_on_lifted_constant_tensors=True), while strict=True still returns a FakeTensor; "
    "pytorch#170673 (open) asks for .data to export. Checked on 2.1.2, 2.2.2, 2.3.1, 2.4.1, 2.5.1, 2.6.0, 2.7.1, "
    "2.8.0, 2.9.1, 2.10.0, 2.14.1 and 2.15.0"
)


class _DoublesInputData(torch.nn.Module):
    """Reads its input through ``x.data``: 2 * x."""

    def forward(self, x):
        return x.data * 2

    @staticmethod
    def maths(x):
        return x * 2


class _ScalesByParameterData(torch.nn.Module):
    """Reads a parameter (all 3) through ``.data``: 3 * x."""

    def __init__(self):
        super().__init__()
        self.scale = torch.nn.Parameter(torch.full((3,), 3.0))

    def forward(self, x):
        return x * self.scale.data

    @staticmethod
    def maths(x):
        return x * 3


DATA_READERS = [pytest.param(_DoublesInputData, id="x.data"), pytest.param(_ScalesByParameterData, id="param.data")]


def _data_example(device):
    # not a view: on 2.14 a view's x.data fails non-strict export earlier, with an internal SymInt-proxy RuntimeError
    return torch.tensor([[-1.0, -0.5, 0.0], [0.5, 1.0, 1.5]], device=device)


def _assert_computes_the_maths(program, cls, device):
    """The exported program, on an input other than the example, returns a plain tensor equal to ``cls.maths``."""
    __tracebackhide__ = True
    fresh = torch.tensor([[0.5, 1.0, 1.5], [2.0, 2.5, 3.0]], device=device)
    out = program(fresh)
    assert type(out) is torch.Tensor, f"the exported program returned a {type(out).__name__}, but should return a torch.Tensor"
    close(out, cls.maths(fresh), "exported program on a fresh input")


@needs_dynamo
@pytest.mark.torch_version(">=2.1,<2.5", reason=EXPORT_DATA)
@pytest.mark.parametrize("cls", DATA_READERS)
def test_export_traces_a_data_read_as_a_detach_before_2_5(device, cls):
    """Before torch 2.5, torch.export.export traces a forward's .data read as a detach: the program computes the forward's maths on inputs other than the example.

    Ranges over: what is read through .data (the input, a parameter).
    """
    program = torch.export.export(cls().to(device), (_data_example(device),)).module()
    _assert_computes_the_maths(program, cls, device)


@needs_dynamo
@pytest.mark.torch_version(">=2.1", reason=EXPORT_DATA)
@pytest.mark.known_bug(">=2.6,<2.10", issue="https://github.com/pytorch/pytorch/issues/170673", reason=EXPORT_DATA)
@pytest.mark.parametrize("cls", DATA_READERS)
def test_export_of_a_data_read_refuses_or_computes_the_forward_never_a_fake_tensor(device, cls):
    """torch.export.export of a forward that reads .data either raises RuntimeError or gives a program that computes the forward's maths on a fresh input; it never returns a FakeTensor.

    Ranges over: what is read through .data (the input, a parameter). Which of the two a release
    does is stated by the gated specs around this one.
    """
    try:
        program = torch.export.export(cls().to(device), (_data_example(device),)).module()
    except RuntimeError:
        return
    _assert_computes_the_maths(program, cls, device)


@needs_dynamo
@pytest.mark.torch_version(">=2.10", reason=EXPORT_DATA)
@pytest.mark.parametrize("cls", DATA_READERS)
def test_export_refuses_a_data_read_from_2_10(device, cls):
    """From torch 2.10, torch.export.export refuses a forward that reads .data: RuntimeError "We found a fake tensor in the exported program constant's list".

    Ranges over: what is read through .data (the input, a parameter).
    """
    with raises(RuntimeError, r"fake tensor in the exported program constant", f"torch.export.export({cls.__name__}())"):
        torch.export.export(cls().to(device), (_data_example(device),))


@needs_dynamo
@pytest.mark.torch_version(">=2.1", reason="torch.export arrived in 2.1")
@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
def test_an_exported_dropout_keeps_the_mode_it_was_exported_in(device, training):
    """An exported Dropout computes in the mode it was exported in: exported in train mode it zeroes and rescales afresh on every call, exported in eval mode it is the identity.

    Ranges over: the mode at export (train, eval). Dropout(0.5) of ones(1000): a train-mode call gives
    only 0 and 2, about 500 zeros (8 standard deviations of slack), and two calls differ; an eval-mode
    call returns the input. The mode is fixed at export (pytorch#151726: "self.training-dependent
    behavior such as Dropout and BatchNorm is baked in at export time"); the eval/train methods of the
    exported module are specced above.
    """
    n = 1000
    x = torch.ones(n, device=device)
    program = torch.export.export(torch.nn.Sequential(torch.nn.Dropout(0.5)).to(device).train(training), (x,)).module()
    first, second = program(x), program(x)
    if not training:
        close(first, x, "eval-mode export of Dropout(0.5)")
        close(second, x, "eval-mode export of Dropout(0.5), second call")
        return
    for y in (first, second):
        odd = y[(y != 0) & (y != 2)]
        assert odd.numel() == 0, f"train-mode export of Dropout(0.5) gave {odd[:5].tolist()}, but only 0 and 2"
        zeros = int((y == 0).sum())
        assert abs(zeros - n / 2) < 8 * (n / 4) ** 0.5, f"train-mode export of Dropout(0.5) zeroed {zeros} of {n}, but about {n // 2}"
    assert not torch.equal(first, second), "two calls of the train-mode export drew the same mask, but should draw afresh"


# --- release history, round 4 (release notes 2.10-2.15)

ONNX_FALLBACK_REMOVED = (
    "torch.onnx.export took fallback= from torch 2.5 (retry with the TorchScript-based exporter when the "
    "torch.export-based one fails); pytorch#173189 '[ONNX] Remove the fallback option' removed it in torch 2.11 "
    "(the 2.11 docstring: 'versionchanged:: 2.11 fallback option has been removed'; "
    "https://github.com/pytorch/pytorch/releases/tag/v2.11.0), so passing it is a TypeError raised before any "
    "export starts (onnx and onnxscript need not be installed). Checked: no fallback parameter on 2.2.2 and 2.4.1; "
    "fallback=False in the signature on 2.5.1, 2.6.0 and 2.10.0; TypeError on 2.11.0 (no parameter), 2.14.1 and 2.15.0"
)


@pytest.mark.device_independent
@pytest.mark.torch_version(">=2.5,<2.11", reason=ONNX_FALLBACK_REMOVED)
def test_onnx_export_takes_a_fallback_keyword_from_2_5_to_2_10():
    """From torch 2.5 to 2.10, torch.onnx.export has a keyword fallback= (retry with the TorchScript exporter), next to dynamo=."""
    params = inspect.signature(torch.onnx.export).parameters
    assert "fallback" in params, f"torch.onnx.export has no `fallback` parameter; it has {list(params)}"
    assert "dynamo" in params, "torch.onnx.export has no `dynamo` parameter"


@pytest.mark.device_independent
@pytest.mark.torch_version(">=2.11", reason=ONNX_FALLBACK_REMOVED)
def test_onnx_export_refuses_a_fallback_keyword_from_2_11():
    """From torch 2.11, torch.onnx.export refuses fallback= with TypeError before exporting anything: there is no automatic retry with the TorchScript exporter."""
    with raises(TypeError, r"unexpected keyword argument 'fallback'", "torch.onnx.export(..., fallback=True)"):
        torch.onnx.export(torch.nn.Linear(2, 2), (torch.ones(1, 2),), None, dynamo=True, fallback=True)
    assert "fallback" not in inspect.signature(torch.onnx.export).parameters, "torch.onnx.export still has `fallback`"
