"""requires_grad, leaves and the Variable/Tensor merge.

Before PyTorch 0.4 a ``torch.Tensor`` knew nothing about gradients; wrapping it in
``torch.autograd.Variable`` added the history. Since 0.4 the two are one class: every tensor has a
``requires_grad`` flag, and autograd records an operation whenever grad mode is on and at least one
input requires grad. ``Variable`` survives only as a deprecated name: ``Variable(t)`` hands back an
ordinary ``torch.Tensor`` sharing ``t``'s data, and ``Variable(t, requires_grad=True)`` is just a
leaf that requires grad.

The flag is off by default for everything a factory or conversion returns (``torch.tensor``,
``torch.zeros``, ``torch.from_numpy``, ``.to(device)``, ``*_like``), and on for ``nn.Parameter``.
Only floating point and complex tensors can require grad; integer and bool tensors refuse with a
``RuntimeError``, and converting a tensor that requires grad to an integer dtype silently gives a
tensor that does not. Tensors the user creates are *leaves*; after ``backward()`` only leaves that
require grad get ``.grad``, and ``.grad`` accumulates (adds up) over backward calls until reset.

Where the source note is imprecise: it spells the flag ``require_grad``. That spelling is not an
error -- a tensor accepts arbitrary Python attributes -- so ``t.require_grad = True`` silently sets
an unrelated attribute and gradients stay off. Its ``Variable``/``volatile`` history also no longer
applies: ``Variable(t, volatile=True)`` only warns that volatile "has no effect"; the replacement is
``torch.no_grad()`` (see ``test_detach_vs_no_grad``).
"""

from __future__ import annotations

import warnings

import numpy as np
import torch
from hypothesis import example, given
from hypothesis import strategies as st

from hypothesis.extra import numpy as hnp

from specs.helpers import assert_requires_grad, assert_same, assert_shares, raises, shapes

#: non-empty shapes for sharing checks: an empty tensor has no data pointer to compare
nonempty_shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=5)

# Dtypes that can / cannot require grad. Setting the flag computes nothing, so half precision and
# complex are safe on every device; specs that run backward stick to float32/float64.
GRAD_DTYPES = [torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.complex64, torch.complex128]
NO_GRAD_DTYPES = [torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64]
grad_dtypes = st.sampled_from(GRAD_DTYPES)
no_grad_dtypes = st.sampled_from(NO_GRAD_DTYPES)
real_dtypes = st.sampled_from([torch.float32, torch.float64])
#: bounded finite values: the gradient checks compare exact sums of small integers-as-floats
small = st.integers(-8, 8).map(float)


def leaves(t: torch.Tensor):
    """The leaf tensors feeding ``t``'s graph."""
    seen, todo, out = set(), [t.grad_fn], []
    while todo:
        fn = todo.pop()
        if fn is None or fn in seen:
            continue
        seen.add(fn)
        if hasattr(fn, "variable"):
            out.append(fn.variable)
        todo.extend(f for f, _ in fn.next_functions)
    return out


# --------------------------------------------------------------------------- defaults


@given(shape=shapes, dtype=real_dtypes)
@example(shape=(5,), dtype=torch.float64)  # the note: y = torch.from_numpy(np.ones(5))
def test_factories_and_conversions_default_to_requires_grad_false(device, shape, dtype):
    """Tensors from factories, conversions and *_like (even of an input that requires grad) are leaves that do not require grad unless asked to.

    Covers ``torch.tensor``, ``torch.zeros``/``ones``/``empty``/``full``, ``torch.from_numpy``,
    ``torch.as_tensor``, ``.to(device)``, and ``*_like`` -- the last even when their input requires
    grad: ``zeros_like`` copies shape, dtype and device, never the flag.
    """
    array = np.ones(shape, dtype=np.float64 if dtype == torch.float64 else np.float32)
    made = {
        "torch.tensor": torch.tensor(array, device=device),
        "torch.zeros": torch.zeros(shape, dtype=dtype, device=device),
        "torch.ones": torch.ones(shape, dtype=dtype, device=device),
        "torch.empty": torch.empty(shape, dtype=dtype, device=device),
        "torch.full": torch.full(shape, 2.0, dtype=dtype, device=device),
        "torch.from_numpy(...).to(device)": torch.from_numpy(array).to(device),
        "torch.as_tensor": torch.as_tensor(array, device=device),
    }
    source = torch.ones(shape, dtype=dtype, device=device, requires_grad=True)
    made["torch.zeros_like(requires-grad input)"] = torch.zeros_like(source)
    made["torch.rand_like(requires-grad input)"] = torch.rand_like(source)
    for what, t in made.items():
        assert_requires_grad(t, False, what)
        assert t.is_leaf, f"{what}.is_leaf=False, but should be True"


def test_parameter_defaults_to_requires_grad_true(device):
    """nn.Parameter requires grad by default and shares the data it wraps.

    ``nn.Parameter(t)`` is a leaf with ``requires_grad=True`` over ``t``'s storage (``t`` itself
    is unchanged); ``requires_grad=False`` must be asked for explicitly.
    """
    t = torch.randn(3, 2, device=device)
    p = torch.nn.Parameter(t)
    assert_requires_grad(p, True, "nn.Parameter(t)")
    assert_requires_grad(t, False, "t")
    assert p.is_leaf, "nn.Parameter(t).is_leaf=False, but should be True"
    assert_shares(p, t, "nn.Parameter(t)")
    assert_requires_grad(torch.nn.Parameter(t, requires_grad=False), False, "nn.Parameter(t, requires_grad=False)")
    assert_requires_grad(torch.nn.Linear(2, 2, device=device).weight, True, "nn.Linear.weight")


# --------------------------------------------------------------------------- setting the flag


@given(shape=shapes, dtype=grad_dtypes, use_method=st.booleans())
@example(shape=(5,), dtype=torch.float64, use_method=False)  # the note: y.requires_grad = True
@example(shape=(2, 3), dtype=torch.complex64, use_method=True)
@example(shape=(), dtype=torch.bfloat16, use_method=True)
def test_requires_grad_can_be_set_on_float_and_complex_leaves(device, shape, dtype, use_method):
    """Setting requires_grad (attribute or requires_grad_()) turns gradients on for float and complex leaves.

    ``requires_grad_()`` works in place and returns the same tensor object; the repr then shows
    ``requires_grad=True`` as in the note's REPL.
    """
    t = torch.ones(shape, dtype=dtype, device=device)
    assert_requires_grad(t, False, "t")
    if use_method:
        out = t.requires_grad_()
        assert out is t, "requires_grad_() returned a new object, but should return self"
    else:
        t.requires_grad = True
    assert_requires_grad(t, True, "t")
    assert t.is_leaf, "t.is_leaf=False, but should be True"
    assert "requires_grad=True" in repr(t), f"repr(t)={t!r} lacks requires_grad=True"
    t.requires_grad_(False)
    assert_requires_grad(t, False, "t after requires_grad_(False)")


@given(shape=shapes, dtype=no_grad_dtypes, how=st.sampled_from(["attribute", "method", "factory"]))
@example(shape=(2,), dtype=torch.int64, how="attribute")
@example(shape=(2,), dtype=torch.bool, how="method")
@example(shape=(2,), dtype=torch.uint8, how="factory")
@example(shape=(2, 2), dtype=torch.int16, how="method")
def test_integer_and_bool_tensors_cannot_require_grad(device, shape, dtype, how):
    """Asking an integer or bool tensor to require grad raises RuntimeError ("floating point ... dtype").

    Holds for the attribute, ``requires_grad_()``, and factories called with ``requires_grad=True``.
    Gradients are only defined for floating point and complex dtypes.
    """
    t = torch.zeros(shape, dtype=dtype, device=device)
    with raises(RuntimeError, "floating point", f"requires_grad=True via {how} on dtype={dtype}"):
        if how == "attribute":
            t.requires_grad = True
        elif how == "method":
            t.requires_grad_()
        else:
            torch.zeros(shape, dtype=dtype, device=device, requires_grad=True)
    assert_requires_grad(t, False, "t")


@given(shape=shapes, src=real_dtypes, dst=no_grad_dtypes)
@example(shape=(2,), src=torch.float32, dst=torch.int64)
def test_converting_to_an_integer_dtype_drops_requires_grad(device, shape, src, dst):
    """Converting a tensor that requires grad to an integer dtype gives requires_grad=False; a float-to-float conversion stays in the graph.

    The integer result is a fresh leaf without ``grad_fn`` (no error, no warning); ``.to(float64)``
    is recorded (``ToCopyBackward``) and still requires grad.
    """
    x = torch.ones(shape, dtype=src, device=device, requires_grad=True)
    as_int = x.to(dst)
    assert_requires_grad(as_int, False, f"x.to({dst})")
    assert as_int.grad_fn is None, f"x.to({dst}).grad_fn={as_int.grad_fn}, but should be None"
    assert_requires_grad(x.long(), False, "x.long()")
    as_float = x.to(torch.float64 if src == torch.float32 else torch.float32)
    assert_requires_grad(as_float, True, "float-to-float x.to(...)")
    assert as_float.grad_fn is not None, (
        "float-to-float conversion has grad_fn=None, but should be recorded"
    )


# --------------------------------------------------------------------------- ops, leaves, .grad

OPS = {
    "torch.add": lambda a, b: torch.add(a, b),
    "torch.mul": lambda a, b: torch.mul(a, b),
    "a - b": lambda a, b: a - b,
    "torch.maximum": lambda a, b: torch.maximum(a, b),
}


@given(shape=shapes, dtype=real_dtypes, a_grad=st.booleans(), b_grad=st.booleans())
@example(shape=(2,), dtype=torch.float32, a_grad=True, b_grad=False)
@example(shape=(2,), dtype=torch.float32, a_grad=False, b_grad=False)
def test_op_output_requires_grad_iff_some_input_does(device, shape, dtype, a_grad, b_grad):
    """In grad mode an op's output requires grad exactly when at least one input does.

    Such an output is not a leaf and has a ``grad_fn``; otherwise it is a leaf without history.
    """
    a = torch.ones(shape, dtype=dtype, device=device, requires_grad=a_grad)
    b = torch.full(shape, 2.0, dtype=dtype, device=device, requires_grad=b_grad)
    want = a_grad or b_grad
    for name, op in OPS.items():
        out = op(a, b)
        assert_requires_grad(out, want, f"{name}(a: {a_grad}, b: {b_grad})")
        assert (out.grad_fn is not None) is want and out.is_leaf is (not want), (
            f"{name}: grad_fn={out.grad_fn}, is_leaf={out.is_leaf}, but should be recorded={want}"
        )


@given(values=st.lists(small, min_size=1, max_size=6))
@example(values=[1.0, 2.0])
def test_only_leaves_get_grad(device, values):
    """After backward() only leaves that require grad have .grad; intermediate and output tensors keep grad=None.

    ``y = x * c`` and ``z = y.sum()`` are not leaves: their ``.grad`` stays ``None`` (torch warns
    when it is read) unless ``retain_grad()`` was called. A leaf that does not require grad gets
    nothing either.
    """
    x = torch.tensor(values, device=device, requires_grad=True)
    c = torch.arange(len(values), dtype=torch.float32, device=device)  # a leaf without requires_grad
    y = x * c
    z = y.sum()
    z.backward()
    assert x.is_leaf and not y.is_leaf and not z.is_leaf, "is_leaf x/y/z wrong"
    assert x.grad is not None, "leaf x.grad is None, but should be set"
    assert_same(x.grad, c, "x.grad of sum(x * c)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "The .grad attribute of a Tensor that is not a leaf ..."
        for name, t in {"y = x * c": y, "z = y.sum()": z, "c (leaf, no requires_grad)": c}.items():
            assert t.grad is None, f"{name}.grad={t.grad}, but should be None"


@given(values=st.lists(small, min_size=1, max_size=6), calls=st.integers(1, 4))
@example(values=[1.0, 2.0], calls=2)
def test_gradients_accumulate_across_backward_calls(device, values, calls):
    """Each backward() adds into a leaf's .grad instead of overwriting it, until .grad is reset.

    This is why training loops call ``optimizer.zero_grad()``: after ``k`` backward passes of
    ``sum(x * c)``, ``x.grad == k * c``.
    """
    x = torch.tensor(values, device=device, requires_grad=True)
    c = torch.tensor(values, device=device) + 1
    for _ in range(calls):
        (x * c).sum().backward()
    assert_same(x.grad, calls * c, f"x.grad after {calls} backward calls")
    x.grad = None
    (x * c).sum().backward()
    assert_same(x.grad, c, "x.grad after resetting .grad")


# --------------------------------------------------------------------------- Variable


@given(shape=nonempty_shapes, dtype=real_dtypes)
@example(shape=(5,), dtype=torch.float64)  # the note's tensor
def test_variable_returns_a_plain_tensor_sharing_data(device, shape, dtype):
    """Variable(t) returns a plain torch.Tensor sharing t's data; Variable(t, requires_grad=True) is a leaf that requires grad.

    ``Variable`` is a deprecated alias kept for old code (every tensor passes
    ``isinstance(t, Variable)``); no wrapper type exists any more, and ``t`` itself is left unchanged.
    """
    variable = torch.autograd.Variable
    t = torch.ones(shape, dtype=dtype, device=device)
    v = variable(t)
    assert type(v) is torch.Tensor, f"type(Variable(t))={type(v)}, but should be torch.Tensor"
    assert_shares(v, t, "Variable(t)")
    assert_requires_grad(v, False, "Variable(t)")
    assert isinstance(t, variable), "isinstance(tensor, Variable) is False, but should be True"
    leaf = variable(t, requires_grad=True)
    assert type(leaf) is torch.Tensor, f"type(Variable(t, requires_grad=True))={type(leaf)}"
    assert_requires_grad(leaf, True, "Variable(t, requires_grad=True)")
    assert leaf.is_leaf, "Variable(t, requires_grad=True).is_leaf=False"
    assert_shares(leaf, t, "Variable(t, requires_grad=True)")
    assert_requires_grad(t, False, "t after wrapping")


def test_variable_volatile_is_ignored_with_a_warning(device):
    """Variable(t, volatile=True) only warns that volatile "has no effect"; grad mode stays on -- use torch.no_grad().

    The source note still mentions ``volatile``: since 0.4 the flag is accepted, ignored, and a
    ``UserWarning`` says so. Grad mode is unaffected, so an op mixing the "volatile" tensor with
    one that requires grad is still recorded. (Oddly, ``volatile=True`` together with
    ``requires_grad=True`` is still rejected with a ``ValueError`` -- the only trace of the flag.)
    """
    t = torch.ones(3, device=device)
    w = torch.ones(3, device=device, requires_grad=True)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        v = torch.autograd.Variable(t, volatile=True)
    said = [str(m.message) for m in record if issubclass(m.category, UserWarning)]
    assert any("volatile" in m and "no effect" in m for m in said), (
        f"warnings {said} do not say volatile has no effect"
    )
    assert torch.is_grad_enabled(), "volatile=True switched grad mode off"
    assert_requires_grad(v, False, "Variable(t, volatile=True)")
    assert_requires_grad(v * w, True, "op mixing the 'volatile' tensor with a requires-grad one")


def test_misspelled_require_grad_silently_does_nothing(device):
    """Assigning t.require_grad = True (the note's spelling) sets a plain Python attribute and leaves requires_grad False.

    Tensors accept arbitrary attributes, so the typo raises nothing; only ``requires_grad``
    (with the s) is the autograd flag.
    """
    t = torch.ones(5, dtype=torch.float64, device=device)
    t.require_grad = True
    assert_requires_grad(t, False, "t after t.require_grad = True")
    assert t.require_grad is True, f"t.require_grad={t.require_grad!r}"
    assert_requires_grad(t * 2, False, "op output")
