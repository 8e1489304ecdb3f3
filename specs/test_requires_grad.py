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

Only leaves get ``.grad``: ``retain_grad()`` asks backward to fill a non-leaf's too (on a leaf it is
a no-op), and reading the ``.grad`` of a non-leaf that was not retained gives None with a
UserWarning. ``nn.Parameter`` requires grad by default, so ``nn.Parameter(int_tensor)`` raises
unless ``requires_grad=False`` is passed.

``backward()`` seeds only a one-element real output with 1; any other output needs ``gradient=v`` (a complex
one was seeded silently until torch 2.1). ``torch.autograd.grad`` returns the gradients instead of writing
``.grad``. An assigned ``.grad`` must match the tensor's size, dtype (from 2.10: its ``grad_dtype``) and device,
and ``zero_grad()`` resets ``.grad`` to None by default (since torch 2.0), or to zeros in place.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st

from specs.differential import Call, assert_compiles_like_eager, compile_fn
from specs.helpers import assert_requires_grad, assert_same, assert_shares, data, raises, warnings_recorded
from specs.inputs import (
    BOOL, COMPLEX, DIFFERENTIABLE, FLOATING, INTEGRAL, SINCE, budget, compile_budget, compile_shapes, covering, dtype_id, dtype_params, module_form,
    module_form_params, nonempty_shapes, to_numpy_dtype,
)

#: uint16/uint32/uint64 (torch 2.3 on); looked up by name so the module imports on older releases too
WIDE_UNSIGNED = tuple(getattr(torch, n) for n in ("uint16", "uint32", "uint64") if hasattr(torch, n))
#: every module form (top level, a user's module, Sequential, ModuleList, ModuleDict)
MODULE_FORM_PARAMS = module_form_params()
#: dtypes that cannot require grad: bool and every integer dtype
NO_GRAD_DTYPES = BOOL + INTEGRAL + WIDE_UNSIGNED
NO_GRAD_PARAMS = dtype_params(
    NO_GRAD_DTYPES, marks={d: pytest.mark.torch_version(f">={SINCE[dtype_id(d)][0]}", reason=SINCE[dtype_id(d)][1]) for d in WIDE_UNSIGNED}
)
#: Setting the flag computes nothing, so every floating and complex dtype is safe on every device; specs
#: that run backward enumerate the dtypes whose kernels they need.
GRAD_PARAMS = dtype_params(DIFFERENTIABLE)
#: Where a claim is about a flag, not values, the shapes are enumerated too, each case trying every one
#: (cheaper than drawing them, and no corner is left to chance): 0-d, empty, 1-d, and 3-d with a size-1 dim.
FLAG_SHAPES = ((), (0, 3), (5,), (2, 1, 3))
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


def _ones(shape, dtype):
    """A numpy array of ones holding ``dtype``'s values (bfloat16: float32)."""
    return np.ones(shape, dtype=to_numpy_dtype(dtype))


def _n(shape) -> int:
    return shape[0] if shape else 2


#: every factory and conversion a user builds a fresh tensor with: name -> (make(shape, dtype, device), dtypes it
#: takes). The new_* methods are called on a source that requires grad: the new tensor still must not.
FACTORIES = {
    "tensor": (lambda s, d, dev: torch.tensor(_ones(s, d), dtype=d, device=dev), DIFFERENTIABLE),
    "as_tensor": (lambda s, d, dev: torch.as_tensor(_ones(s, d), dtype=d, device=dev), DIFFERENTIABLE),
    "from_numpy": (lambda s, d, dev: torch.from_numpy(_ones(s, d)), tuple(d for d in DIFFERENTIABLE if d != torch.bfloat16)),
    "from_numpy.to(device, dtype)": (lambda s, d, dev: torch.from_numpy(_ones(s, d)).to(dev, d), DIFFERENTIABLE),
    "zeros": (lambda s, d, dev: torch.zeros(s, dtype=d, device=dev), DIFFERENTIABLE),
    "ones": (lambda s, d, dev: torch.ones(s, dtype=d, device=dev), DIFFERENTIABLE),
    "empty": (lambda s, d, dev: torch.empty(s, dtype=d, device=dev), DIFFERENTIABLE),
    "full": (lambda s, d, dev: torch.full(s, 2.0, dtype=d, device=dev), DIFFERENTIABLE),
    "rand": (lambda s, d, dev: torch.rand(s, dtype=d, device=dev), DIFFERENTIABLE),
    "randn": (lambda s, d, dev: torch.randn(s, dtype=d, device=dev), DIFFERENTIABLE),
    "empty_strided": (lambda s, d, dev: torch.empty_strided(s, tuple(range(len(s), 0, -1)), dtype=d, device=dev), DIFFERENTIABLE),
    "arange": (lambda s, d, dev: torch.arange(_n(s), dtype=d, device=dev), FLOATING),
    "linspace": (lambda s, d, dev: torch.linspace(0, 1, _n(s), dtype=d, device=dev), DIFFERENTIABLE),
    "eye": (lambda s, d, dev: torch.eye(_n(s), dtype=d, device=dev), tuple(d for d in DIFFERENTIABLE if d != torch.bfloat16)),
    "eye(bfloat16)": (lambda s, d, dev: torch.eye(_n(s), dtype=d, device=dev), (torch.bfloat16,)),
    "new_zeros": (lambda s, d, dev: torch.ones(1, dtype=d, device=dev, requires_grad=True).new_zeros(s), DIFFERENTIABLE),
    "new_ones": (lambda s, d, dev: torch.ones(1, dtype=d, device=dev, requires_grad=True).new_ones(s), DIFFERENTIABLE),
    "new_empty": (lambda s, d, dev: torch.ones(1, dtype=d, device=dev, requires_grad=True).new_empty(s), DIFFERENTIABLE),
    "new_full": (lambda s, d, dev: torch.ones(1, dtype=d, device=dev, requires_grad=True).new_full(s, 2.0), DIFFERENTIABLE),
    "new_tensor": (lambda s, d, dev: torch.ones(1, dtype=d, device=dev, requires_grad=True).new_tensor(_ones(s, d)), DIFFERENTIABLE),
    ".to(device)": (lambda s, d, dev: torch.ones(s, dtype=d).to(dev), DIFFERENTIABLE),
    ".to(dtype)": (lambda s, d, dev: torch.ones(s, dtype=torch.float64 if d != torch.float64 else torch.float32, device=dev).to(d), DIFFERENTIABLE),
}
#: factories whose case needs a kernel added after torch 2.0: name -> the case's gate
FACTORY_GATES = {
    "eye(bfloat16)": pytest.mark.torch_version(
        ">=2.3", reason="no cpu bfloat16 kernel for eye before torch 2.3 (pytorch#116609, added by pytorch#116616; "
        "checked: RuntimeError on 2.0.1, 2.1.2 and 2.2.2, works on 2.4.1 and later)",
    ),
}
FACTORY_PARAMS = [pytest.param(name, id=name, marks=FACTORY_GATES.get(name, ())) for name in FACTORIES]

#: every *_like factory: name -> (make(source, **kwargs), dtypes it takes)
LIKE = {
    "zeros_like": (lambda x, **k: torch.zeros_like(x, **k), DIFFERENTIABLE),
    "ones_like": (lambda x, **k: torch.ones_like(x, **k), DIFFERENTIABLE),
    "empty_like": (lambda x, **k: torch.empty_like(x, **k), DIFFERENTIABLE),
    "full_like": (lambda x, **k: torch.full_like(x, 2.0, **k), DIFFERENTIABLE),
    "rand_like": (lambda x, **k: torch.rand_like(x, **k), DIFFERENTIABLE),
    "randn_like": (lambda x, **k: torch.randn_like(x, **k), DIFFERENTIABLE),
    "randint_like": (lambda x, **k: torch.randint_like(x, 5, **k), FLOATING),  # random integers: no complex dtype
}
LIKE_PARAMS = [pytest.param(name, id=name) for name in LIKE]


@pytest.mark.parametrize("factory", FACTORY_PARAMS)
def test_factories_and_conversions_default_to_requires_grad_false(device, factory):
    """Tensors from factories and conversions are leaves that do not require grad unless asked to.

    Ranges over every factory and conversion in ``FACTORIES`` (``torch.tensor``, ``as_tensor``,
    ``from_numpy``, ``zeros``/``ones``/``empty``/``full``, ``rand``/``randn``, ``empty_strided``,
    ``arange``, ``linspace``, ``eye``, the ``new_*`` methods of a tensor that requires grad, ``.to(device)``,
    ``.to(dtype)``) x every floating and complex dtype each takes (``arange`` no complex; ``from_numpy``
    no bfloat16, which numpy lacks; ``eye`` of bfloat16 its own case, gated to torch >= 2.3: no cpu kernel
    before) x ``FLAG_SHAPES`` (0-d, empty, 1-d, 3-d; the note's
    ``torch.from_numpy(np.ones(5))`` among them).
    """
    make, dtypes = FACTORIES[factory]
    for dtype in dtypes:  # each case tries every dtype and shape (the flag is cheap; the factory is the axis)
        for shape in FLAG_SHAPES:
            t = make(shape, dtype, device)
            assert t.dtype == dtype, f"{factory} made dtype={t.dtype}, but the case is {dtype}"
            assert_requires_grad(t, False, f"{factory}(dtype={dtype}) of shape {shape}")
            assert t.is_leaf, f"{factory}.is_leaf=False, but should be True"


@pytest.mark.parametrize("like", LIKE_PARAMS)
def test_like_factories_never_copy_requires_grad(device, like):
    """Every *_like factory copies shape, dtype and device from its input but never requires_grad; requires_grad=True makes a fresh leaf.

    Ranges over every ``*_like`` factory (``zeros_like``, ``ones_like``, ``empty_like``, ``full_like``,
    ``rand_like``, ``randn_like``, ``randint_like``) x every floating and complex dtype each takes
    (``randint_like`` no complex) x an input that requires grad, leaf or not (``x * 2``) x
    ``FLAG_SHAPES``. The result is a leaf without ``grad_fn``; asked for ``requires_grad=True`` it is a
    leaf that does.
    """
    for dtype in LIKE[like][1]:
        for shape in FLAG_SHAPES:
            for leaf in (True, False):
                _check_like(like, dtype, device, shape, leaf)


def _check_like(like, dtype, device, shape, leaf):
    __tracebackhide__ = True
    make, _ = LIKE[like]
    x = torch.ones(shape, dtype=dtype, device=device, requires_grad=True)
    source = x if leaf else x * 2
    out = make(source)
    assert (tuple(out.shape), out.dtype, out.device) == (tuple(source.shape), dtype, source.device), (
        f"{like}: shape/dtype/device={tuple(out.shape)}, {out.dtype}, {out.device}, but should be the input's"
    )
    assert_requires_grad(out, False, f"{like}({dtype} input that requires grad, leaf={leaf})")
    assert out.is_leaf and out.grad_fn is None, f"{like}: is_leaf={out.is_leaf}, grad_fn={out.grad_fn}"
    asked = make(source, requires_grad=True)
    assert_requires_grad(asked, True, f"{like}(..., requires_grad=True)")
    assert asked.is_leaf, f"{like}(..., requires_grad=True).is_leaf=False, but should be True"


def test_parameter_defaults_to_requires_grad_true(device):
    """nn.Parameter requires grad by default and shares the data it wraps.

    ``nn.Parameter(t)`` is a leaf with ``requires_grad=True`` over ``t``'s storage (``t`` itself
    is unchanged); ``requires_grad=False`` must be asked for explicitly. Ranges over every floating and
    complex dtype (all of them in every run: the flag is cheap) and ``nn.Linear``'s default weight.
    """
    for dtype in DIFFERENTIABLE:
        t = torch.randn(3, 2, device=device, dtype=dtype)
        p = torch.nn.Parameter(t)
        assert_requires_grad(p, True, f"nn.Parameter(t) of {dtype}")
        assert_requires_grad(t, False, "t")
        assert p.is_leaf, f"nn.Parameter(t) of {dtype}: is_leaf=False, but should be True"
        assert_shares(p, t, f"nn.Parameter(t) of {dtype}")
        assert_requires_grad(torch.nn.Parameter(t, requires_grad=False), False, f"nn.Parameter(t, requires_grad=False) of {dtype}")
    assert_requires_grad(torch.nn.Linear(2, 2, device=device).weight, True, "nn.Linear.weight")


@pytest.mark.parametrize("dtype", dtype_params(DIFFERENTIABLE))
def test_parameter_of_a_non_leaf_is_a_new_leaf_cut_from_its_history(device, dtype):
    """nn.Parameter(y) of a recorded result y is a new leaf over y's memory: no grad_fn, and backward through it stops there.

    Ranges over: every floating and complex dtype (enumerated); y = w * 2 for a leaf w that requires
    grad. The parameter requires grad, is a leaf, shares y's memory, and ``p.abs().sum().backward()``
    fills ``p.grad`` but leaves ``w.grad`` None.
    """
    w = torch.ones(3, dtype=dtype, device=device, requires_grad=True)
    y = w * 2
    p = torch.nn.Parameter(y)
    assert p.is_leaf and p.grad_fn is None, f"nn.Parameter(w * 2): is_leaf={p.is_leaf}, grad_fn={p.grad_fn}, but should be a new leaf"
    assert_requires_grad(p, True, "nn.Parameter(w * 2)")
    assert_shares(p, y, "nn.Parameter(w * 2)")
    p.abs().sum().backward()
    assert p.grad is not None, "nn.Parameter(w * 2).grad is None after backward, but should be filled"
    assert w.grad is None, f"w.grad={w.grad} after backward through nn.Parameter(w * 2), but the parameter should cut the history"


#: what a Parameter turns into: ops that return plain Tensors, and copy.deepcopy, which returns a Parameter
PARAMETER_OPS = {
    "p * 2": lambda p: p * 2,
    "torch.add(p, 1)": lambda p: torch.add(p, 1),
    "p[0:2]": lambda p: p[0:2],
    "p.view(-1)": lambda p: p.view(-1),
    "p.clone()": lambda p: p.clone(),
    "p.detach()": lambda p: p.detach(),
    "p.to(torch.float64)": lambda p: p.to(torch.float64),
}


@pytest.mark.parametrize("requires_grad", [True, False], ids=["trainable", "frozen"])
def test_ops_on_a_parameter_return_plain_tensors_and_deepcopy_returns_a_parameter(device, requires_grad):
    """Ops on an nn.Parameter (arithmetic, indexing, views, clone, detach, .to) return plain Tensors; copy.deepcopy returns a Parameter with its own memory and flag.

    Ranges over: seven ops (all in every case) × a trainable and a frozen parameter (enumerated). Every op's
    result is exactly ``torch.Tensor`` (not a Parameter: a module only registers what is assigned as a
    Parameter), and a deepcopy is an ``nn.Parameter`` with the same values and ``requires_grad``, over new
    memory.
    """
    import copy

    p = torch.nn.Parameter(torch.arange(4.0, device=device), requires_grad=requires_grad)
    for name, op in PARAMETER_OPS.items():
        out = op(p)
        assert type(out) is torch.Tensor, f"{name} is a {type(out).__name__}, but should be a plain torch.Tensor"
    twin = copy.deepcopy(p)
    assert type(twin) is torch.nn.Parameter, f"copy.deepcopy(p) is a {type(twin).__name__}, but should be an nn.Parameter"
    assert_requires_grad(twin, requires_grad, "copy.deepcopy(p)")
    assert_same(twin.detach(), p.detach(), "copy.deepcopy(p)")
    assert twin.data_ptr() != p.data_ptr(), "copy.deepcopy(p) shares p's memory, but should own a copy"


#: tensors that do not require grad: a float leaf, a bool or integer tensor, a result computed under no_grad, a detach()
NO_GRAD_TENSORS = {
    "float leaf": lambda d: torch.ones(3, device=d),
    "int64 tensor": lambda d: torch.ones(3, dtype=torch.int64, device=d),
    "bool tensor": lambda d: torch.ones(3, dtype=torch.bool, device=d),
    "result under no_grad": lambda d: _under_no_grad(torch.ones(3, device=d, requires_grad=True)),
    "x.detach()": lambda d: torch.ones(3, device=d, requires_grad=True).detach(),
}


def _under_no_grad(x):
    with torch.no_grad():
        return x * 2


@pytest.mark.parametrize("kind", list(NO_GRAD_TENSORS))
def test_register_hook_refuses_a_tensor_that_does_not_require_grad(device, kind):
    """Tensor.register_hook raises RuntimeError on a tensor that does not require grad: no gradient will ever reach it.

    Ranges over: five kinds of tensor that do not require grad (enumerated: a float leaf, int64, bool, a result
    computed under ``no_grad``, a ``detach()``); the message says "cannot register a hook on a tensor that
    doesn't require gradient". The same tensor accepts a hook once it requires grad (where its dtype allows).
    """
    t = NO_GRAD_TENSORS[kind](device)
    with raises(RuntimeError, "cannot register a hook on a tensor that doesn't require gradient", f"{kind}.register_hook"):
        t.register_hook(lambda g: g)
    if t.is_floating_point():
        t.requires_grad_()
        t.register_hook(lambda g: g)  # accepted now


# --------------------------------------------------------------------------- setting the flag


#: the factories a user passes requires_grad=True to, each its own way to ask: name -> make(shape, dtype, device,
#: **kwargs). Each takes every dtype but eye, which lacks kernels for some (ASK_SKIPS).
ASK_FACTORIES = {
    "zeros": lambda s, d, dev, **k: torch.zeros(s, dtype=d, device=dev, **k),
    "ones": lambda s, d, dev, **k: torch.ones(s, dtype=d, device=dev, **k),
    "empty": lambda s, d, dev, **k: torch.empty(s, dtype=d, device=dev, **k),
    "full": lambda s, d, dev, **k: torch.full(s, 1, dtype=d, device=dev, **k),
    "empty_strided": lambda s, d, dev, **k: torch.empty_strided(s, tuple(range(len(s), 0, -1)), dtype=d, device=dev, **k),
    "eye": lambda s, d, dev, **k: torch.eye(_n(s), dtype=d, device=dev, **k),
}
#: (factory, dtype) pairs left out: no cpu bfloat16 eye before torch 2.3 (FACTORY_GATES), no uint16/32/64 eye at all
#: (checked on 2.14.1: "not implemented for 'UInt16'"); both are kernels, not the flag this module is about
ASK_SKIPS = {("eye", torch.bfloat16)} | {("eye", d) for d in WIDE_UNSIGNED}
#: how a user asks a tensor to require grad
SET_FORMS = ("attribute", "method", *ASK_FACTORIES, "tensor", "like")


def _ask(form, shape, dtype, device):
    """A tensor of ``dtype`` asked to require grad in ``form``; returns (tensor, the object the call returned)."""
    if form in ASK_FACTORIES:
        t = ASK_FACTORIES[form](shape, dtype, device, requires_grad=True)
        return t, t
    if form == "tensor":
        t = torch.tensor(np.zeros(shape, dtype=np.int64).tolist(), dtype=dtype, device=device, requires_grad=True)
        return t, t
    if form == "like":
        t = torch.zeros_like(torch.ones(shape, dtype=dtype, device=device), requires_grad=True)
        return t, t
    t = torch.ones(shape, dtype=dtype, device=device)
    assert_requires_grad(t, False, "t")
    if form == "method":
        return t, t.requires_grad_()
    t.requires_grad = True
    return t, t


@pytest.mark.parametrize("dtype", GRAD_PARAMS)
def test_requires_grad_can_be_set_on_float_and_complex_leaves(device, dtype):
    """Asking for requires_grad (attribute, requires_grad_(), requires_grad=True to a factory) turns gradients on for float and complex leaves.

    Ranges over every floating and complex dtype x every way to ask (``t.requires_grad = True``,
    ``t.requires_grad_()``, ``requires_grad=True`` to each factory of ``ASK_FACTORIES`` -- ``zeros``, ``ones``,
    ``empty``, ``full``, ``empty_strided``, ``eye`` (not bfloat16: ``ASK_SKIPS``) --, ``torch.tensor(data,
    requires_grad=True)``, ``torch.zeros_like(t, requires_grad=True)``) x ``FLAG_SHAPES`` (the note's
    ``y.requires_grad = True`` on a 5-element tensor among them). ``requires_grad_()`` works in place and
    returns the same tensor object; the repr then shows ``requires_grad=True`` as in the note's REPL, and
    ``requires_grad_(False)`` turns it off.
    """
    for form in SET_FORMS:
        for shape in FLAG_SHAPES:
            if (form, dtype) not in ASK_SKIPS:
                _check_set(form, shape, dtype, device)


def _check_set(form, shape, dtype, device):
    __tracebackhide__ = True
    t, returned = _ask(form, shape, dtype, device)
    assert returned is t, "requires_grad_() returned a new object, but should return self"
    assert_requires_grad(t, True, f"t (requires_grad via {form}, dtype={dtype})")
    assert t.is_leaf, "t.is_leaf=False, but should be True"
    assert "requires_grad=True" in repr(t), f"repr(t)={t!r} lacks requires_grad=True"
    t.requires_grad_(False)
    assert_requires_grad(t, False, "t after requires_grad_(False)")


@pytest.mark.parametrize("dtype", NO_GRAD_PARAMS)
def test_integer_and_bool_tensors_cannot_require_grad(device, dtype):
    """Asking an integer or bool tensor to require grad raises RuntimeError ("floating point ... dtype").

    Ranges over bool and every integer dtype (uint16/uint32/uint64 from torch 2.3) x every way to ask
    (attribute, ``requires_grad_()``, ``requires_grad=True`` to each factory of ``ASK_FACTORIES`` -- ``zeros``,
    ``ones``, ``empty``, ``full``, ``empty_strided``, ``eye`` (not uint16/32/64, which have no eye kernel) --,
    ``torch.tensor`` and ``torch.zeros_like``) x ``FLAG_SHAPES``. Gradients are only defined for floating point and complex
    dtypes; the tensor asked through the attribute or the method keeps ``requires_grad=False``.
    """
    for form, shape in ((f, s) for f in SET_FORMS for s in FLAG_SHAPES if (f, dtype) not in ASK_SKIPS):
        t = torch.zeros(shape, dtype=dtype, device=device)
        with raises(RuntimeError, "floating point", f"requires_grad=True via {form} on dtype={dtype}"):
            if form == "attribute":
                t.requires_grad = True
            elif form == "method":
                t.requires_grad_()
            else:
                _ask(form, shape, dtype, device)
        assert_requires_grad(t, False, "t")


@pytest.mark.parametrize("dtype", GRAD_PARAMS)
def test_only_leaves_can_switch_requires_grad_off(device, dtype):
    """A recorded result refuses requires_grad=False (RuntimeError "only change requires_grad flags of leaf variables") and stays in the graph; a leaf accepts it.

    The error names the way out, ``detach()``. Asking a result for ``requires_grad=True`` again is
    accepted and changes nothing. Ranges over every floating and complex dtype x both ways to ask
    (``t.requires_grad = False``, ``t.requires_grad_(False)``) x ``FLAG_SHAPES``.
    """
    for shape in FLAG_SHAPES:
        leaf = torch.ones(shape, dtype=dtype, device=device, requires_grad=True)
        result = leaf * 2
        for form in ("attribute", "method"):
            with raises(RuntimeError, "only change requires_grad flags of leaf variables", f"result.requires_grad=False via {form} ({dtype})"):
                if form == "attribute":
                    result.requires_grad = False
                else:
                    result.requires_grad_(False)
            assert result.requires_grad and result.grad_fn is not None, (
                f"result after the refused {form}: requires_grad={result.requires_grad}, grad_fn={result.grad_fn}, but should be True/a node"
            )
        assert result.requires_grad_(True) is result and result.grad_fn is not None, "result.requires_grad_(True) changed the result"
        leaf.requires_grad_(False)
        assert_requires_grad(leaf, False, f"leaf of {dtype} after requires_grad_(False)")


@pytest.mark.parametrize("dst", NO_GRAD_PARAMS)
def test_converting_to_an_integer_dtype_drops_requires_grad(device, dst):
    """Converting a tensor that requires grad to an integer or bool dtype gives requires_grad=False; a float-to-float conversion stays in the graph.

    Ranges over every floating and complex source dtype x bool and every integer target dtype x
    ``FLAG_SHAPES``. The integer result is a fresh leaf without ``grad_fn`` (no error; complex
    sources warn that the imaginary part is discarded); ``.to`` another floating dtype is recorded
    (``ToCopyBackward``) and still requires grad.
    """
    for src, shape in ((d, s) for d in DIFFERENTIABLE for s in FLAG_SHAPES):
        x = torch.ones(shape, dtype=src, device=device, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # complex -> real: "Casting complex values to real discards the imaginary part"
            as_int = x.to(dst)
            other = torch.float64 if src != torch.float64 else torch.float32
            as_float = x.to(other)
        assert_requires_grad(as_int, False, f"x.to({dst}) of shape {shape}")
        assert as_int.grad_fn is None and as_int.is_leaf, f"x.to({dst}).grad_fn={as_int.grad_fn}, but should be None (a leaf)"
        assert_requires_grad(as_float, True, f"x.to({other}) from {src}")
        assert as_float.grad_fn is not None, "float-to-float conversion has grad_fn=None, but should be recorded"


# --------------------------------------------------------------------------- ops, leaves, .grad

OPS = {
    "torch.add": lambda a, b: torch.add(a, b),
    "torch.mul": lambda a, b: torch.mul(a, b),
    "a - b": lambda a, b: a - b,
    "torch.maximum": lambda a, b: torch.maximum(a, b),
}


#: which of the two inputs requires grad
GRAD_PAIRS = [(a, b) for a in (True, False) for b in (True, False)]


@pytest.mark.parametrize("dtype", dtype_params(FLOATING))
def test_op_output_requires_grad_iff_some_input_does(device, dtype):
    """In grad mode an op's output requires grad exactly when at least one input does.

    Ranges over every floating dtype x the four ways two inputs can (not) require grad x ops
    ``torch.add``, ``torch.mul``, ``a - b``, ``torch.maximum`` x ``FLAG_SHAPES``. Such an output is not
    a leaf and has a ``grad_fn``; otherwise it is a leaf without history.
    """
    for (a_grad, b_grad), shape in ((g, s) for g in GRAD_PAIRS for s in FLAG_SHAPES):
        want = a_grad or b_grad
        a = torch.ones(shape, dtype=dtype, device=device, requires_grad=a_grad)
        b = torch.full(shape, 2.0, dtype=dtype, device=device, requires_grad=b_grad)
        for name, op in OPS.items():
            out = op(a, b)
            assert_requires_grad(out, want, f"{name}(a: {a_grad}, b: {b_grad})")
            assert (out.grad_fn is not None) is want and out.is_leaf is (not want), (
                f"{name}: grad_fn={out.grad_fn}, is_leaf={out.is_leaf}, but should be recorded={want}"
            )


@pytest.mark.parametrize("dtype", dtype_params(FLOATING))
@budget(len(FLOATING))
@given(values=st.lists(small, min_size=1, max_size=6))
@example(values=[1.0, 2.0])
def test_only_leaves_get_grad(device, dtype, values):
    """After backward() only leaves that require grad have .grad; intermediate and output tensors keep grad=None.

    Ranges over every floating dtype x lists of 1-6 small integers (exact in every dtype). ``y = x * c`` and ``z = y.sum()`` are not leaves: their ``.grad`` stays ``None`` (torch warns
    when it is read) unless ``retain_grad()`` was called. A leaf that does not require grad gets
    nothing either.
    """
    x = torch.tensor(values, dtype=dtype, device=device, requires_grad=True)
    c = torch.arange(len(values), dtype=dtype, device=device)  # a leaf without requires_grad
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


@pytest.mark.parametrize("dtype", GRAD_PARAMS)
@budget(len(DIFFERENTIABLE))
@given(values=st.lists(small, min_size=1, max_size=6), calls=st.integers(1, 4))
@example(values=[1.0, 2.0], calls=2)
def test_gradients_accumulate_across_backward_calls(device, dtype, values, calls):
    """Each backward() adds into a leaf's .grad instead of overwriting it, until .grad is reset.

    Ranges over every floating and complex dtype x lists of 1-6 small integers x 1-4 backward calls
    (every sum exact in every dtype). This is why training loops call ``optimizer.zero_grad()``: after
    ``k`` backward passes of ``sum(x * c)``, ``x.grad == k * c``. For a complex leaf the loss is the real
    part and ``c`` has an imaginary part: the gradient autograd gives is the conjugate, ``k * conj(c)``
    (the docs' "Autograd for Complex Numbers").
    """
    x = torch.tensor(values, dtype=dtype, device=device, requires_grad=True)
    c = torch.tensor(values, dtype=dtype, device=device) + 1
    if dtype.is_complex:  # an imaginary part, so that conj(c) != c
        c = c + 1j * (torch.tensor(values, dtype=dtype, device=device) - 2)
    want = c.conj().resolve_conj()  # d Re(sum(x * c)) / dx, in autograd's convention; c itself for real dtypes
    for _ in range(calls):
        (x * c).sum().real.backward()
    assert_same(x.grad, calls * want, f"x.grad after {calls} backward calls")
    x.grad = None
    (x * c).sum().real.backward()
    assert_same(x.grad, want, "x.grad after resetting .grad")


@pytest.mark.parametrize("dtype", GRAD_PARAMS)
def test_as_tensor_of_a_tensor_keeps_its_graph_where_torch_tensor_copies_it_out(device, dtype):
    """torch.as_tensor(t) of a tensor that requires grad is t itself, or with another dtype a recorded copy; torch.tensor(t) is a fresh leaf that does not require grad and warns.

    The exception to "conversions default to requires_grad=False": the docs of ``as_tensor``
    (https://pytorch.org/docs/stable/generated/torch.as_tensor.html, "preserving autograd history if
    possible") say a tensor of the requested dtype and device is returned as is, and another dtype is copied "as if
    using data.to(dtype=dtype, device=device)" -- which autograd records. ``torch.tensor(t)`` always
    copies and detaches, with a UserWarning "To copy construct from a tensor ...". Ranges over every
    floating and complex dtype x a leaf and a recorded result (``leaf * 1``) x ``FLAG_SHAPES``; the other
    dtype is the other complex one for complex sources, float64 for real ones (float32 for float64).
    """
    other = {torch.complex64: torch.complex128, torch.complex128: torch.complex64, torch.float64: torch.float32}.get(dtype, torch.float64)
    for shape in FLAG_SHAPES:
        leaf = torch.ones(shape, dtype=dtype, device=device, requires_grad=True)
        for what, src in {"leaf": leaf, "leaf * 1": leaf * 1}.items():
            same = torch.as_tensor(src)
            assert same is src, f"as_tensor({what} of {dtype}) is a new object, but should be its input itself"
            moved = torch.as_tensor(src, dtype=other)
            assert_requires_grad(moved, True, f"as_tensor({what} of {dtype}, dtype={other})")
            assert moved.grad_fn is not None and not moved.is_leaf, (
                f"as_tensor({what}, dtype={other}): grad_fn={moved.grad_fn}, but should be recorded"
            )
            with warnings_recorded() as record:
                copied = torch.tensor(src)
            said = [str(m.message) for m in record if issubclass(m.category, UserWarning)]
            assert any("To copy construct from a tensor" in m for m in said), f"torch.tensor({what}) warned {said}"
            assert_requires_grad(copied, False, f"torch.tensor({what} of {dtype})")
            assert copied.is_leaf and copied.grad_fn is None, f"torch.tensor({what}): grad_fn={copied.grad_fn}"
            assert copied.dtype == dtype and tuple(copied.shape) == shape, f"torch.tensor({what}): {copied.dtype}, {tuple(copied.shape)}"
            assert copied.numel() == 0 or copied.data_ptr() != src.data_ptr(), f"torch.tensor({what}) shares its input's memory"


@pytest.mark.parametrize("dtype", GRAD_PARAMS)
def test_retain_grad_keeps_a_non_leafs_grad_and_reading_an_unretained_one_warns(device, dtype):
    """y.retain_grad() on a non-leaf makes backward fill y.grad (retains_grad True); on a leaf it is a no-op; on a tensor that does not require grad it raises; reading .grad of a non-leaf that was not retained gives None with a UserWarning.

    Ranges over every floating and complex dtype (enumerated). ``y = x * 2`` is retained, ``z = x * 3``
    is not: after ``(y + z).sum().real.backward()``, ``y.grad`` holds ones silently and ``z.grad`` is
    None with the warning "The .grad attribute of a Tensor that is not a leaf Tensor is being
    accessed" (the docs of ``Tensor.retain_grad``: "a no-op for leaf tensors").
    """
    x = torch.ones(3, dtype=dtype, device=device, requires_grad=True)
    y, z = x * 2, x * 3
    assert not y.retains_grad, "y.retains_grad is True before retain_grad()"
    y.retain_grad()
    x.retain_grad()
    assert y.retains_grad and not x.retains_grad, f"retains_grad: y={y.retains_grad} (should be True), leaf x={x.retains_grad} (should stay False)"
    (y + z).sum().real.backward()
    with warnings_recorded() as caught:
        y_grad, z_grad, x_grad = y.grad, z.grad, x.grad
    said = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    assert_same(y_grad, torch.ones(3, dtype=dtype, device=device), "y.grad of the retained y")
    assert z_grad is None, f"z.grad={z_grad}, but should be None (not retained)"
    assert x_grad is not None, "the leaf's x.grad is None"
    assert len(said) == 1 and "not a leaf Tensor is being accessed" in said[0], f"reading y.grad, z.grad, x.grad warned {said}: only z.grad should"
    with raises(RuntimeError, "can't retain_grad on Tensor that has requires_grad=False", "torch.ones(3).retain_grad()"):
        torch.ones(3, dtype=dtype, device=device).retain_grad()


@pytest.mark.parametrize("dtype", dtype_params(NO_GRAD_DTYPES))
def test_parameter_of_an_integer_or_bool_tensor_raises_unless_it_does_not_require_grad(device, dtype):
    """nn.Parameter(t) of an integer or bool tensor raises RuntimeError (a Parameter requires grad, which only floating and complex tensors can); with requires_grad=False it is accepted.

    Ranges over every dtype that cannot require grad (enumerated: bool, uint8, int8-int64, and uint16/32/64 from 2.3).
    """
    t = torch.zeros(3, dtype=dtype, device=device)
    with raises(RuntimeError, "Only Tensors of floating point and complex dtype can require gradients", f"nn.Parameter({dtype} tensor)"):
        torch.nn.Parameter(t)
    p = torch.nn.Parameter(t, requires_grad=False)
    assert_requires_grad(p, False, f"nn.Parameter({dtype} tensor, requires_grad=False)")
    assert p.dtype == dtype, f"nn.Parameter({dtype} tensor, requires_grad=False).dtype={p.dtype}"


# --------------------------------------------------------------------------- in-place writes of values that require grad

#: in-place spellings writing w = [1, 2, 3] (a leaf that requires grad) into x = [4, 5, 6] (which does not), with the
#: gradient of x.sum() with respect to w afterwards, written out
INPLACE_WRITES = {
    "x += w": (lambda x, w: x.__iadd__(w), [1.0, 1.0, 1.0]),
    "x.add_(w)": (lambda x, w: x.add_(w), [1.0, 1.0, 1.0]),
    "x.mul_(w)": (lambda x, w: x.mul_(w), [4.0, 5.0, 6.0]),  # d(sum(x * w))/dw = x before the write
    "x.copy_(w)": (lambda x, w: x.copy_(w), [1.0, 1.0, 1.0]),
    "x[0:2] = w[:2]": (lambda x, w: x.__setitem__(slice(0, 2), w[:2]), [1.0, 1.0, 0.0]),
    "x[[0, 2]] = w[:2]": (lambda x, w: x.__setitem__([0, 2], w[:2]), [1.0, 1.0, 0.0]),
    "x.masked_fill_(mask, w.sum())": (lambda x, w: x.masked_fill_(torch.tensor([True, False, True], device=x.device), w.sum()), [2.0, 2.0, 2.0]),
    "x.index_add_(0, idx, w[:2])": (lambda x, w: x.index_add_(0, torch.tensor([0, 1], device=x.device), w[:2]), [1.0, 1.0, 0.0]),
    "x[0].add_(w[0]) (a view of x)": (lambda x, w: x[0].add_(w[0]), [1.0, 0.0, 0.0]),
}


@pytest.mark.parametrize("write", list(INPLACE_WRITES))
def test_an_in_place_write_of_a_value_that_requires_grad_makes_the_target_require_grad(device, write):
    """An in-place write of a value that requires grad into a tensor that does not makes that tensor require grad: a non-leaf whose backward reaches the value.

    Ranges over: nine in-place spellings (enumerated: ``+=``, ``add_``, ``mul_``, ``copy_``, slice and
    advanced-index assignment, ``masked_fill_`` with a 0-d value, ``index_add_``, ``add_`` on a view of x; each
    case: one spelling), each in float32 and float64 (a failure names the dtype). x = [4, 5, 6] starts as a leaf that does not require grad; after the write it requires
    grad, is no leaf and has a ``grad_fn``, and ``x.sum().backward()`` gives w the gradient written out per
    spelling. Under ``no_grad`` the same write leaves x a leaf that does not require grad.
    """
    fn, expected = INPLACE_WRITES[write]
    for dtype in (torch.float32, torch.float64):
        what = f"{dtype} x after {write}"
        w = torch.tensor([1.0, 2.0, 3.0], dtype=dtype, device=device, requires_grad=True)
        x = torch.tensor([4.0, 5.0, 6.0], dtype=dtype, device=device)
        fn(x, w)
        assert_requires_grad(x, True, what)
        assert not x.is_leaf and x.grad_fn is not None, f"{what}: is_leaf={x.is_leaf}, grad_fn={x.grad_fn}, but should be recorded"
        x.sum().backward()
        assert_same(w.grad, torch.tensor(expected, dtype=dtype, device=device), f"{dtype} w.grad after {write}")
        quiet = torch.tensor([4.0, 5.0, 6.0], dtype=dtype, device=device)
        with torch.no_grad():
            fn(quiet, w)
        assert_requires_grad(quiet, False, f"{what} under no_grad")
        assert quiet.is_leaf, f"{what} under no_grad is no leaf, but should stay one"


#: out= spellings given an input that requires grad
OUT_WRITES = {
    "torch.add(w, 1, out=x)": lambda w, x: torch.add(w, 1, out=x),
    "torch.mul(w, w, out=x)": lambda w, x: torch.mul(w, w, out=x),
    "torch.sin(w, out=x)": lambda w, x: torch.sin(w, out=x),
    "torch.cat([w, w], out=x2)": lambda w, x: torch.cat([w, w], out=x.new_empty(6)),
}


@pytest.mark.parametrize("form", list(OUT_WRITES))
@pytest.mark.parametrize("dtype", dtype_params((torch.float32, torch.float64)))
def test_out_refuses_an_input_that_requires_grad_in_grad_mode_and_writes_under_no_grad(device, form, dtype):
    """An ``out=`` call refuses an input that requires grad in grad mode (out= is not differentiable) and writes it under no_grad.

    Ranges over: four ops with ``out=`` (enumerated: add, mul, sin, cat) × float32/float64; w a leaf that
    requires grad. In grad mode: RuntimeError "functions with out=... arguments don't support automatic
    differentiation"; under ``no_grad``: the result is written into the given tensor, which does not
    require grad.
    """
    w = torch.tensor([0.5, 1.0, 2.0], dtype=dtype, device=device, requires_grad=True)
    with raises(RuntimeError, "don't support automatic differentiation", form):
        OUT_WRITES[form](w, torch.empty(3, dtype=dtype, device=device))
    x = torch.empty(3, dtype=dtype, device=device)
    with torch.no_grad():
        out = OUT_WRITES[form](w, x)
    assert_requires_grad(out, False, f"{form} under no_grad")
    expected = {"torch.add(w, 1, out=x)": w.detach() + 1, "torch.mul(w, w, out=x)": w.detach() ** 2,
                "torch.sin(w, out=x)": torch.from_numpy(np.sin(w.detach().cpu().numpy())).to(device),
                "torch.cat([w, w], out=x2)": w.detach().repeat(2)}[form]
    torch.testing.assert_close(out, expected, rtol=1e-6, atol=0)
    if form != "torch.cat([w, w], out=x2)":
        assert out is x or out.data_ptr() == x.data_ptr(), f"{form} under no_grad did not write into x"


# --------------------------------------------------------------------------- backward, autograd.grad, resetting .grad

#: output shapes: name -> shape. One element, of any rank, is a "scalar" backward() seeds with 1; no other count is.
OUTPUT_SHAPES = {"0-d": (), "(1,)": (1,), "(1, 1, 1)": (1, 1, 1), "(0,)": (0,), "(3,)": (3,), "(2, 3)": (2, 3)}


def _seeded_by(call, out, x, v):
    """x's gradient from ``out`` seeded with ``v`` (None: implicitly), by ``out.backward`` or ``torch.autograd.grad``."""
    if call == "backward":
        out.backward() if v is None else out.backward(gradient=v)
        return x.grad
    return torch.autograd.grad(out, x) if v is None else torch.autograd.grad(out, x, grad_outputs=v)


@pytest.mark.parametrize("call", ["backward", "autograd.grad"])
@pytest.mark.parametrize("dtype", dtype_params(FLOATING))
def test_an_output_of_other_than_one_element_needs_an_explicit_gradient(device, dtype, call):
    """backward() and autograd.grad() seed only a one-element output implicitly; any other output raises RuntimeError "grad can be implicitly created only for scalar outputs" until a gradient v is given, which yields the vector-Jacobian product.

    Ranges over ``out.backward()`` and ``torch.autograd.grad(out, x)`` x every floating dtype x output shapes
    (enumerated, ``OUTPUT_SHAPES``): 0-d, ``(1,)`` and ``(1, 1, 1)`` -- one element, any rank: seeded with 1 --
    and ``(0,)``, ``(3,)``, ``(2, 3)``, which need ``gradient=v`` / ``grad_outputs=v``. ``out = x * c``
    elementwise, so the gradient written out is ``c`` for an implicit seed and ``v * c`` for ``v`` (small
    integers, exact in every dtype). A refused call leaves ``x.grad`` None.
    """
    for name, shape in OUTPUT_SHAPES.items():
        n = int(np.prod(shape))
        x = torch.ones(shape, dtype=dtype, device=device, requires_grad=True)
        c = (torch.arange(n, dtype=dtype, device=device) + 2).reshape(shape)
        v = (torch.arange(n, dtype=dtype, device=device) + 1).reshape(shape)
        case = f"{call} of x * c of shape {name} ({dtype})"
        if n == 1:
            got = _seeded_by(call, x * c, x, None)
            assert_same(got[0] if call == "autograd.grad" else got, c, f"{case} seeded implicitly")
            x.grad = None
        else:
            with raises(RuntimeError, "grad can be implicitly created only for scalar outputs", f"{case} without a gradient"):
                _seeded_by(call, x * c, x, None)
            assert x.grad is None, f"{case}: x.grad={x.grad} after the refused call, but should be None"
        got = _seeded_by(call, x * c, x, v)
        assert_same(got[0] if call == "autograd.grad" else got, v * c, f"{case} with gradient v")


@pytest.mark.parametrize("dtype", dtype_params(FLOATING))
def test_autograd_grad_returns_gradients_and_leaves_every_dot_grad_as_it_was(device, dtype):
    """torch.autograd.grad(out, inputs) returns d(out)/d(input) for each input and writes no .grad (None stays None, a set one keeps its values), where backward() adds into .grad; an input out does not use raises RuntimeError "appears to not have been used in the graph" unless allow_unused=True, which returns None for it.

    Ranges over every floating dtype (enumerated). Leaves ``x`` (``.grad`` None) and ``w`` (``.grad`` already
    5s), the non-leaf ``h = 2 * x``, ``out = sum(h * w)``: the gradients written out are ``2 * w``, ``2 * x``
    and ``w``; a leaf ``u`` out does not use. Then ``backward()`` of the same sum fills ``x.grad = 2 * w`` and
    adds ``2 * x`` to ``w.grad`` (the docs of ``torch.autograd.grad`` and ``Tensor.backward``).
    """
    x = torch.tensor([1.0, -2.0, 3.0], dtype=dtype, device=device, requires_grad=True)
    w = torch.tensor([4.0, 0.5, -1.0], dtype=dtype, device=device, requires_grad=True)
    u = torch.ones(3, dtype=dtype, device=device, requires_grad=True)
    preset = torch.full((3,), 5.0, dtype=dtype, device=device)
    w.grad = preset.clone()

    def out():
        h = x * 2
        return h, (h * w).sum()

    h, loss = out()
    gx, gw, gh = torch.autograd.grad(loss, [x, w, h], retain_graph=True)
    for name, got, want in (("x", gx, 2 * w), ("w", gw, 2 * x), ("h = 2 * x", gh, w)):
        assert_same(got, want.detach(), f"autograd.grad: d(out)/d{name}")
    assert x.grad is None, f"x.grad={x.grad} after autograd.grad, but should stay None"
    assert_same(w.grad, preset, "w.grad after autograd.grad (it was 5s)")
    with raises(RuntimeError, "appears to not have been used in the graph", "autograd.grad(out, [x, u]) with u unused"):
        torch.autograd.grad(loss, [x, u], retain_graph=True)
    gx, gu = torch.autograd.grad(loss, [x, u], allow_unused=True)
    assert gu is None, f"autograd.grad(..., allow_unused=True) gave the unused u the gradient {gu}, but should give None"
    assert_same(gx, (2 * w).detach(), "autograd.grad(..., allow_unused=True): d(out)/dx")
    assert x.grad is None and u.grad is None, f"x.grad={x.grad}, u.grad={u.grad} after autograd.grad, but should stay None"
    out()[1].backward()
    assert_same(x.grad, (2 * w).detach(), "x.grad after backward()")
    assert_same(w.grad, preset + 2 * x.detach(), "w.grad after backward() (5s + 2 * x)")


@pytest.mark.parametrize("dtype", GRAD_PARAMS)
def test_assigning_requires_grad_works_on_leaves_only_even_for_true(device, dtype):
    """Assigning t.requires_grad works on leaves only: a recorded result refuses even True (RuntimeError "only change requires_grad flags of leaf variables"), which requires_grad_(True) accepts; a result computed from tensors that do not require grad is a leaf and accepts it.

    Ranges over every floating and complex dtype x ``FLAG_SHAPES``. The attribute's setter checks for a leaf
    before it looks at the value; ``requires_grad_`` refuses only ``False`` on a non-leaf (see
    ``test_only_leaves_can_switch_requires_grad_off``). A refused assignment leaves the result in the graph. A
    result without history is a leaf by convention (the docs of ``Tensor.is_leaf``: "All Tensors that have
    requires_grad which is False will be leaf Tensors by convention"): ``t.requires_grad = True`` makes it one
    that requires grad.
    """
    for shape in FLAG_SHAPES:
        leaf = torch.ones(shape, dtype=dtype, device=device, requires_grad=True)
        result = leaf * 2
        with raises(RuntimeError, "only change requires_grad flags of leaf variables", f"result.requires_grad = True ({dtype}, {shape})"):
            result.requires_grad = True
        assert result.requires_grad and result.grad_fn is not None and not result.is_leaf, (
            f"result after the refused assignment: requires_grad={result.requires_grad}, grad_fn={result.grad_fn}"
        )
        assert result.requires_grad_(True) is result, "result.requires_grad_(True) did not return the result"
        leaf.requires_grad = True  # a leaf that already requires grad: accepted
        plain = torch.ones(shape, dtype=dtype, device=device) * 2
        assert plain.is_leaf and plain.grad_fn is None, f"x * 2 of an x without grad: is_leaf={plain.is_leaf}, grad_fn={plain.grad_fn}"
        plain.requires_grad = True
        assert_requires_grad(plain, True, f"(x * 2).requires_grad = True on a result without history ({dtype}, {shape})")
        assert plain.is_leaf, "the result without history is no longer a leaf after requires_grad = True"


def _grad_misfits(x):
    """What .grad of ``x`` refuses: name -> (value, exception, message pattern). The messages vary: torch 2.0 says
    "assigned grad has data of a different type" for another dtype and for another device alike; later releases
    name the dtype (from 2.10 the grad_dtype), the size or the device type."""
    other = torch.float64 if x.dtype != torch.float64 else torch.float32
    return {
        "another size": (torch.ones(x.numel() + 1, dtype=x.dtype, device=x.device), RuntimeError, "size"),
        "another dtype": (torch.ones_like(x, dtype=other), RuntimeError, "type"),
        "another device (meta)": (torch.ones_like(x, device="meta"), RuntimeError, "device|different type"),
        "a list": (x.tolist(), TypeError, "Tensor or None"),
    }


@pytest.mark.parametrize("dtype", dtype_params(FLOATING))
def test_assigned_grad_must_match_the_tensors_size_dtype_and_device(device, dtype):
    """Assigning t.grad accepts None or a tensor of t's size, dtype and device, stored as that very object; another size, dtype or device raises RuntimeError, and a non-tensor TypeError, leaving .grad as it was.

    Ranges over every floating dtype (enumerated) x the misfits (another size, another floating dtype, the
    ``meta`` device, a Python list). ``backward()`` then adds into the assigned tensor. The dtype check is
    relaxed only by ``grad_dtype`` (torch 2.10, ``test_grad_dtype_none_accepts_a_grad_of_another_dtype_from_2_10``).
    """
    x = torch.tensor([1.0, 2.0, 3.0], dtype=dtype, device=device, requires_grad=True)
    g = torch.full((3,), 4.0, dtype=dtype, device=device)
    x.grad = g
    assert x.grad is g, "x.grad is not the tensor assigned to it"
    for name, (value, exc, match) in _grad_misfits(x).items():
        with raises(exc, match, f"x.grad = {name} ({dtype})"):
            x.grad = value
        assert x.grad is g, f"x.grad changed after the refused assignment of {name}"
    (x * 2).sum().backward()
    assert x.grad is g, "backward() replaced the assigned .grad instead of adding into it"
    assert_same(g, torch.full((3,), 6.0, dtype=dtype, device=device), "the assigned .grad after backward of sum(2 * x)")
    x.grad = None
    assert x.grad is None, f"x.grad={x.grad} after x.grad = None"


GRAD_DTYPE = (
    "Tensor.grad_dtype (https://github.com/pytorch/pytorch/pull/162815, merged 2025-09, first released in torch 2.10): "
    "a leaf's .grad must have its grad_dtype, by default its dtype; None accepts any dtype, a dtype makes backward "
    "cast incoming gradients to it. Checked: absent on 2.0.1 and 2.9.1, present on 2.10.0, 2.12.1, 2.13.0, 2.14.1 and 2.15.0"
)


@pytest.mark.torch_version("<2.10", reason=GRAD_DTYPE)
def test_tensors_have_no_grad_dtype_before_2_10(device):
    """Before torch 2.10 a tensor has no grad_dtype: a leaf's .grad must have the leaf's own dtype."""
    x = torch.ones(3, device=device, requires_grad=True)
    assert not hasattr(x, "grad_dtype"), f"x.grad_dtype={getattr(x, 'grad_dtype', None)}, but should not exist before 2.10"
    with raises(RuntimeError, "type", "x.grad = a float64 tensor for a float32 x"):
        x.grad = torch.ones(3, dtype=torch.float64, device=device)


@pytest.mark.torch_version(">=2.10", reason=GRAD_DTYPE)
def test_grad_dtype_none_accepts_a_grad_of_another_dtype_from_2_10(device):
    """From torch 2.10 a leaf's grad_dtype (by default its dtype) decides the dtype its .grad must have: None accepts any, and a dtype makes backward() produce .grad in it.

    A float32 leaf: ``grad_dtype`` is float32 and a float64 ``.grad`` is refused; with ``grad_dtype = None`` it is
    accepted; with ``grad_dtype = torch.float64`` backward of ``sum(x * 3)`` gives a float64 ``.grad`` of 3s.
    """
    x = torch.ones(3, device=device, requires_grad=True)
    assert x.grad_dtype == torch.float32, f"x.grad_dtype={x.grad_dtype}, but should default to x.dtype (float32)"
    g = torch.ones(3, dtype=torch.float64, device=device)
    with raises(RuntimeError, "dtype", "x.grad = a float64 tensor for a float32 x"):
        x.grad = g
    x.grad_dtype = None
    x.grad = g
    assert x.grad is g, "x.grad is not the float64 tensor assigned with grad_dtype=None"
    y = torch.ones(3, device=device, requires_grad=True)
    y.grad_dtype = torch.float64
    (y * 3).sum().backward()
    assert_same(y.grad, torch.full((3,), 3.0, dtype=torch.float64, device=device), "y.grad with grad_dtype=float64")


@pytest.mark.parametrize("dtype", dtype_params(FLOATING))
def test_backward_with_inputs_accumulates_into_the_named_tensors_only(device, dtype):
    """backward(inputs=[...]) adds the gradient into the .grad of the named tensors only; every other leaf that requires grad keeps its .grad (None stays None).

    Ranges over every floating dtype (enumerated). ``loss = sum(a * b)`` of two leaves: ``backward(inputs=[a])`` gives
    ``a.grad = b`` and leaves ``b.grad`` None; ``backward(inputs=[b])`` of a fresh loss gives ``b.grad = a`` and leaves
    ``a.grad`` as it was; a plain ``backward()`` then adds into both, and ``backward(inputs=[a])`` once more adds into
    ``a.grad`` alone (the docs of ``Tensor.backward``, ``inputs``).
    """
    a = torch.tensor([1.0, 2.0, -3.0], dtype=dtype, device=device, requires_grad=True)
    b = torch.tensor([4.0, -0.5, 2.0], dtype=dtype, device=device, requires_grad=True)
    (a * b).sum().backward(inputs=[a])
    assert_same(a.grad, b.detach(), "a.grad after backward(inputs=[a])")
    assert b.grad is None, f"b.grad={b.grad} after backward(inputs=[a]), but should stay None"
    (a * b).sum().backward(inputs=[b])
    assert_same(b.grad, a.detach(), "b.grad after backward(inputs=[b])")
    assert_same(a.grad, b.detach(), "a.grad after backward(inputs=[b]) (unchanged)")
    (a * b).sum().backward()
    assert_same(a.grad, 2 * b.detach(), "a.grad after a plain backward() (b + b)")
    assert_same(b.grad, 2 * a.detach(), "b.grad after a plain backward() (a + a)")
    (a * b).sum().backward(inputs=[a])
    assert_same(a.grad, 3 * b.detach(), "a.grad after another backward(inputs=[a]) (added to 2 * b)")
    assert_same(b.grad, 2 * a.detach(), "b.grad after another backward(inputs=[a]) (unchanged)")


@pytest.mark.parametrize("call", ["autograd.grad", "backward"])
@pytest.mark.parametrize("dtype", dtype_params(FLOATING))
def test_a_gradient_requires_grad_only_with_create_graph_and_then_differentiates_again(device, dtype, call):
    """A gradient computed with create_graph=True requires grad and differentiates again to the second derivative; without create_graph it is a plain tensor that does not require grad.

    Ranges over ``torch.autograd.grad(out, x, create_graph=...)`` and ``out.backward(create_graph=...)`` (the gradient
    read from ``x.grad``) x every floating dtype (enumerated). ``out = sum(x ** 3)``, so the gradient written out is
    ``3 * x ** 2`` and the derivative of its sum ``6 * x`` (small integers, exact in every dtype).
    """
    x = torch.tensor([1.0, 2.0, 3.0], dtype=dtype, device=device, requires_grad=True)
    xs = x.detach()
    for create in (False, True):
        if call == "autograd.grad":
            (g,) = torch.autograd.grad((x ** 3).sum(), x, create_graph=create)
        else:
            x.grad = None
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # backward(create_graph=True) warns of a reference cycle
                (x ** 3).sum().backward(create_graph=create)
            g = x.grad
        assert_same(g.detach(), 3 * xs ** 2, f"{call}(create_graph={create}): d sum(x ** 3)/dx")
        assert (g.requires_grad, g.grad_fn is not None) == (create, create), (
            f"{call}(create_graph={create}): gradient (requires_grad, has grad_fn)=({g.requires_grad}, {g.grad_fn is not None}), but should be ({create}, {create})"
        )
    (g2,) = torch.autograd.grad(g.sum(), x)
    assert_same(g2, 6 * xs, f"{call}: the derivative of the create_graph gradient's sum (6 * x)")
    x.grad = None  # break the reference cycle backward(create_graph=True) made


#: how a training loop resets gradients: name -> (reset(model, optimizer), True when it sets them to None)
ZERO_GRADS = {
    "model.zero_grad()": (lambda m, o: m.zero_grad(), True),
    "model.zero_grad(set_to_none=True)": (lambda m, o: m.zero_grad(set_to_none=True), True),
    "model.zero_grad(set_to_none=False)": (lambda m, o: m.zero_grad(set_to_none=False), False),
    "SGD.zero_grad()": (lambda m, o: o["SGD"].zero_grad(), True),
    "Adam.zero_grad()": (lambda m, o: o["Adam"].zero_grad(), True),
    "SGD.zero_grad(set_to_none=False)": (lambda m, o: o["SGD"].zero_grad(set_to_none=False), False),
}


#: every reset meets a module form, and every form a reset (``covering``: 6 cases, not the 30 of the product)
ZERO_GRAD_CASES = covering([pytest.param(r, id=r) for r in ZERO_GRADS], MODULE_FORM_PARAMS)


@pytest.mark.parametrize(("reset", "form"), ZERO_GRAD_CASES)
def test_zero_grad_sets_every_grad_to_none_unless_set_to_none_is_false(device, form, reset):
    """Module.zero_grad() and Optimizer.zero_grad() set every parameter's .grad to None (set_to_none=True, the default since torch 2.0); set_to_none=False zeroes each existing .grad in place and leaves a None one None.

    Ranges over a Linear -> BatchNorm1d -> Linear model, whose last Linear is unused (its ``.grad`` stays None),
    in a module form x ``model.zero_grad()`` with the default, ``True`` and ``False``, ``SGD`` and ``Adam``'s
    ``zero_grad()`` and ``SGD.zero_grad(set_to_none=False)`` (covering: each reset in one form, each form met). After a backward, the reset and another backward of
    the same loss, every ``.grad`` is that backward's gradient again (nothing accumulated). BC-breaking in 2.0
    (pytorch#92731: "Gradients are now set to None instead of zeros by default").
    """
    model, block = module_form(form, lambda: torch.nn.Sequential(
        torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.Linear(4, 2)).to(device, torch.float64))
    optimizers = {"SGD": torch.optim.SGD(model.parameters(), lr=0.1), "Adam": torch.optim.Adam(model.parameters())}
    x = torch.arange(6.0, dtype=torch.float64, device=device).reshape(2, 3)

    def loss():
        return block[1](block[0](x)).square().sum()

    loss().backward()
    used = {n: p.grad for n, p in model.named_parameters() if p.grad is not None}
    first = {n: g.clone() for n, g in used.items()}
    unused = [n for n, p in model.named_parameters() if p.grad is None]
    assert len(used) == 4 and len(unused) == 2, f"after backward: grads of {sorted(used)}, None for {unused}"
    call, to_none = ZERO_GRADS[reset]
    call(model, optimizers)
    for n, p in model.named_parameters():
        if to_none or n in unused:
            assert p.grad is None, f"{reset}: {n}.grad={p.grad}, but should be None"
        else:
            assert p.grad is used[n], f"{reset}: {n}.grad is a new tensor, but should be the old one zeroed in place"
            assert_same(p.grad, torch.zeros_like(first[n]), f"{reset}: {n}.grad")
    loss().backward()
    for n, p in model.named_parameters():
        if n in unused:
            assert p.grad is None, f"{reset}: unused {n}.grad={p.grad} after the second backward"
        else:
            assert_same(p.grad, first[n], f"{reset}: {n}.grad after the second backward")



COMPLEX_SEED = (
    "backward()/autograd.grad() of a complex one-element output: torch 2.0 seeded it with 1 silently (a gradient is "
    "defined for real losses only); https://github.com/pytorch/pytorch/pull/92753 (for pytorch#92750, bc-breaking, first in torch 2.1) raises "
    "'grad can be implicitly created only for real scalar outputs'. Checked: seeds on 2.0.1; raises on 2.1.2, 2.5.1, "
    "2.14.1 and 2.15.0"
)


def _complex_out(dtype, device):
    """A complex leaf z and c: out = sum(z * c) is a complex scalar; seeded with 1 its gradient is conj(c)."""
    z = torch.tensor([1 + 1j, 2 - 1j, -1 + 0.5j], dtype=dtype, device=device, requires_grad=True)
    c = torch.tensor([3 + 2j, -1 + 1j, 0.5 - 2j], dtype=dtype, device=device)
    return z, c


@pytest.mark.torch_version("<2.1", reason=COMPLEX_SEED)
@pytest.mark.parametrize("call", ["backward", "autograd.grad"])
@pytest.mark.parametrize("dtype", dtype_params(COMPLEX))
def test_a_complex_scalar_output_is_seeded_with_one_in_2_0(device, dtype, call):
    """In torch 2.0, backward() and autograd.grad() of a complex one-element output seed it with 1 silently: z's gradient of sum(z * c) is conj(c).

    Ranges over ``out.backward()`` and ``torch.autograd.grad(out, z)`` x complex64 and complex128.
    """
    z, c = _complex_out(dtype, device)
    got = _seeded_by(call, (z * c).sum(), z, None)
    assert_same(got[0] if call == "autograd.grad" else got, c.conj().resolve_conj(), f"{call} of the complex sum(z * c), seeded implicitly")


@pytest.mark.torch_version(">=2.1", reason=COMPLEX_SEED)
@pytest.mark.parametrize("call", ["backward", "autograd.grad"])
@pytest.mark.parametrize("dtype", dtype_params(COMPLEX))
def test_a_complex_output_needs_an_explicit_gradient_from_2_1(device, dtype, call):
    """From torch 2.1, backward() and autograd.grad() refuse to seed a complex one-element output (RuntimeError "grad can be implicitly created only for real scalar outputs"); an explicit gradient of 1 gives conj(c) for sum(z * c), and the real part of the output is seeded implicitly.

    Ranges over ``out.backward()`` and ``torch.autograd.grad(out, z)`` x complex64 and complex128. The refused call
    leaves ``z.grad`` None; ``sum(z * c).real`` is a real scalar, seeded with 1: its gradient is ``conj(c)`` too.
    """
    z, c = _complex_out(dtype, device)
    want = c.conj().resolve_conj()
    with raises(RuntimeError, "grad can be implicitly created only for real scalar outputs", f"{call} of a complex sum ({dtype})"):
        _seeded_by(call, (z * c).sum(), z, None)
    assert z.grad is None, f"z.grad={z.grad} after the refused {call}, but should be None"
    got = _seeded_by(call, (z * c).sum(), z, torch.ones((), dtype=dtype, device=device))
    assert_same(got[0] if call == "autograd.grad" else got, want, f"{call} of the complex sum(z * c) with gradient 1")
    z.grad = None
    got = _seeded_by(call, (z * c).sum().real, z, None)
    assert_same(got[0] if call == "autograd.grad" else got, want, f"{call} of sum(z * c).real, seeded implicitly")


UNUSED_INDEX = (
    "autograd.grad's error for an input the output does not use: 'One of the differentiated Tensors appears to not "
    "have been used in the graph' until torch 2.12; https://github.com/pytorch/pytorch/pull/181917 (for pytorch#73697, first in torch 2.13) names "
    "the input: 'The differentiated Tensor at index N appears ...'. Checked: 'One of' on 2.0.1, 2.5.1, 2.9.1, "
    "2.10.0 and 2.12.1; the index on 2.13.0, 2.14.1 and 2.15.0"
)


def _unused_error(index, device):
    """The message autograd.grad raises when the input at ``index`` of three is unused."""
    ins = [torch.ones(2, device=device, requires_grad=True) for _ in range(3)]
    loss = sum((t * (k + 1)).sum() for k, t in enumerate(ins) if k != index)
    try:
        torch.autograd.grad(loss, ins)
    except RuntimeError as e:
        assert "appears to not have been used in the graph" in str(e), f"input {index} unused: the error says {str(e)!r}"
        return str(e)
    pytest.fail(f"autograd.grad with input {index} unused raised no RuntimeError, but should")


@pytest.mark.torch_version("<2.13", reason=UNUSED_INDEX)
@pytest.mark.parametrize("index", [0, 1, 2])
def test_an_unused_input_is_reported_as_one_of_the_differentiated_tensors_before_2_13(device, index):
    """Before torch 2.13, autograd.grad of an output that does not use one of its inputs raises RuntimeError "One of the differentiated Tensors appears to not have been used in the graph", without saying which.

    Ranges over the position of the unused input among three (0, 1, 2).
    """
    message = _unused_error(index, device)
    assert message.startswith("One of the differentiated Tensors appears"), f"the error says {message!r}"


@pytest.mark.torch_version(">=2.13", reason=UNUSED_INDEX)
@pytest.mark.parametrize("index", [0, 1, 2])
def test_an_unused_input_is_reported_by_its_index_from_2_13(device, index):
    """From torch 2.13, autograd.grad of an output that does not use one of its inputs raises RuntimeError "The differentiated Tensor at index N appears to not have been used in the graph", N the input's position.

    Ranges over the position of the unused input among three (0, 1, 2).
    """
    message = _unused_error(index, device)
    assert message.startswith(f"The differentiated Tensor at index {index} appears"), f"input {index} unused: the error says {message!r}"



GRAD_DTYPE_NON_LEAF = (
    "a non-leaf's grad_dtype (the dtype its producer's node expects for its gradient) became readable in torch 2.15 "
    "(https://github.com/pytorch/pytorch/pull/190852, 'autograd: make Tensor.grad_dtype readable on non-leaf tensors'); "
    "from 2.10, when grad_dtype arrived (pytorch#162815), to 2.14 reading it raised RuntimeError 'grad_dtype can only be "
    "accessed on leaf tensors'. Setting it stays leaf-only. Checked: RuntimeError on 2.10.0, 2.12.1, 2.13.0 and 2.14.1, "
    "readable on 2.15.0"
)


@pytest.mark.torch_version(">=2.10,<2.15", reason=GRAD_DTYPE_NON_LEAF)
@pytest.mark.parametrize("dtype", dtype_params((torch.float32, torch.float64)))
def test_reading_a_non_leafs_grad_dtype_raises_from_2_10_to_2_14(device, dtype):
    """From torch 2.10 to 2.14, reading grad_dtype of a non-leaf raises RuntimeError: it was a leaf-only attribute."""
    y = torch.ones(3, dtype=dtype, device=device, requires_grad=True) * 2
    with raises(RuntimeError, "grad_dtype can only be accessed on leaf tensors", "y.grad_dtype of a non-leaf"):
        y.grad_dtype


@pytest.mark.torch_version(">=2.15", reason=GRAD_DTYPE_NON_LEAF)
@pytest.mark.parametrize("dtype", dtype_params((torch.float32, torch.float64)))
def test_a_non_leafs_grad_dtype_is_readable_and_is_its_dtype_from_2_15(device, dtype):
    """From torch 2.15 a non-leaf's grad_dtype is readable: by default its own dtype; setting it stays leaf-only.

    Ranges over float32 and float64 (enumerated); y = 2x for a leaf x that requires grad.
    """
    y = torch.ones(3, dtype=dtype, device=device, requires_grad=True) * 2
    assert y.grad_dtype == dtype, f"y.grad_dtype={y.grad_dtype} of a non-leaf, but should be its dtype {dtype}"
    with raises(RuntimeError, "leaf", "setting y.grad_dtype of a non-leaf"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the setter first warns that a non-leaf's .grad is accessed
        y.grad_dtype = None


DICT_INPUTS = (
    "torch.autograd.grad and torch.autograd.backward take a dict of tensors as inputs= from torch 2.13 "
    "(https://github.com/pytorch/pytorch/pull/178140, resolving pytorch#126650): grad() then returns a dict with the same "
    "keys; other Mapping types (OrderedDict) are refused with TypeError, and empty inputs raise RuntimeError instead of the "
    "engine's ValueError. Before, a dict was iterated as its keys and refused ('all inputs have to be Tensors or "
    "GradientEdges, but got str'). Checked: refused on 2.10.0 and 2.12.1, accepted on 2.13.0, 2.14.1 and 2.15.0"
)


def _two_leaves(device):
    w = torch.tensor([1.0, 2.0], device=device, requires_grad=True)
    b = torch.tensor([3.0], device=device, requires_grad=True)
    return w, b, (w * w).sum() * 3 + b.sum() * 5  # d/dw = 6w = [6, 12], d/db = [5]


@pytest.mark.torch_version("<2.13", reason=DICT_INPUTS)
@pytest.mark.parametrize("api", ["torch.autograd.grad", "Tensor.backward"])
def test_a_dict_of_inputs_is_refused_as_a_sequence_of_its_keys_before_2_13(device, api):
    """Before torch 2.13, autograd.grad and backward refuse a dict as inputs=: they iterate its keys, which are not tensors."""
    w, b, out = _two_leaves(device)
    call = (lambda: torch.autograd.grad(out, inputs={"w": w, "b": b})) if api == "torch.autograd.grad" else (
        lambda: out.backward(inputs={"w": w, "b": b}))
    with raises(RuntimeError, "all inputs have to be Tensors", f"{api}(..., inputs=dict)"):
        call()


@pytest.mark.torch_version(">=2.13", reason=DICT_INPUTS)
@pytest.mark.parametrize("api", ["torch.autograd.grad", "Tensor.backward"])
def test_a_dict_of_inputs_gives_a_dict_of_gradients_from_2_13(device, api):
    """From torch 2.13, autograd.grad with a dict as inputs= returns a dict with the same keys, and backward(inputs=dict) fills exactly those tensors' .grad.

    Ranges over: both APIs (enumerated); out = 3 * sum(w²) + 5 * sum(b) with w = [1, 2], b = [3]: the
    gradients written out are [6, 12] and [5]. ``autograd.grad`` leaves every ``.grad`` None; ``backward``
    returns None and fills ``.grad`` of the dict's values only (a third leaf in the graph, left out of the
    dict, gets none).
    """
    w, b, out = _two_leaves(device)
    other = torch.ones(1, device=device, requires_grad=True)
    out = out + other.sum()
    expected = {"w": torch.tensor([6.0, 12.0], device=device), "b": torch.tensor([5.0], device=device)}
    if api == "torch.autograd.grad":
        grads = torch.autograd.grad(out, inputs={"w": w, "b": b})
        assert type(grads) is dict and list(grads) == ["w", "b"], f"autograd.grad(inputs=dict) returned {type(grads).__name__} {grads!r}, but should be a dict keyed w, b"
        for key in ("w", "b"):
            assert_same(grads[key], expected[key], f"autograd.grad(inputs=dict)[{key!r}]")
        assert w.grad is None and b.grad is None, "autograd.grad(inputs=dict) wrote .grad, but should only return the gradients"
    else:
        assert out.backward(inputs={"w": w, "b": b}) is None
        assert_same(w.grad, expected["w"], "w.grad after backward(inputs=dict)")
        assert_same(b.grad, expected["b"], "b.grad after backward(inputs=dict)")
    assert other.grad is None, f"a leaf outside inputs= got .grad={other.grad}, but should get none"


@pytest.mark.torch_version(">=2.13", reason=DICT_INPUTS)
def test_autograd_grad_refuses_other_mappings_and_empty_inputs_from_2_13(device):
    """From torch 2.13, autograd.grad refuses an OrderedDict of inputs with TypeError and empty inputs with RuntimeError."""
    import collections

    w, b, out = _two_leaves(device)
    with raises(TypeError, "must be a dict, not OrderedDict", "autograd.grad(inputs=OrderedDict)"):
        torch.autograd.grad(out, inputs=collections.OrderedDict(w=w, b=b), retain_graph=True)
    with raises(RuntimeError, "cannot be empty", "autograd.grad(out, [])"):
        torch.autograd.grad(out, [])


@pytest.mark.torch_version("<2.13", reason=DICT_INPUTS)
def test_autograd_grad_refuses_empty_inputs_with_value_error_before_2_13(device):
    """Before torch 2.13, autograd.grad refuses empty inputs with the engine's ValueError ('grad requires non-empty inputs')."""
    w, b, out = _two_leaves(device)
    with raises(ValueError, "non-empty inputs", "autograd.grad(out, [])"):
        torch.autograd.grad(out, [])


# --------------------------------------------------------------------------- Variable


@pytest.mark.parametrize("dtype", GRAD_PARAMS)
@budget(len(GRAD_PARAMS))
@given(shape=nonempty_shapes)
@example(shape=(5,))  # the note's tensor
def test_variable_returns_a_plain_tensor_sharing_data(device, dtype, shape):
    """Variable(t) returns a plain torch.Tensor sharing t's data; Variable(t, requires_grad=True) is a leaf that requires grad.

    Ranges over every floating and complex dtype x non-empty shapes of 0-3 dims (an empty tensor has no
    data pointer to compare). ``Variable`` is a deprecated alias kept for old code (every tensor passes
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
    with warnings_recorded() as record:
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


# --------------------------------------------------------------------------- under torch.compile


def _flags(x, w):
    """Ops, conversions and every *_like of ``w`` (which requires grad); ``x`` does not require grad."""
    outs = [x * w, x + 1, w * 2, w.detach(), w.to(torch.int64), w.double()]
    likes = {name: make(w) for name, (make, _) in LIKE.items()}
    likes["empty_like"] = torch.empty_like(w).fill_(3)  # values to compare: fill the uninitialized one
    for name in ("rand_like", "randn_like", "randint_like"):  # inductor draws its own random numbers
        likes[name] = likes[name] * 0 + 1  # (unless torch._inductor.config.fallback_random): keep only the flags
    return outs + list(likes.values())


@compile_budget()
@given(shape=compile_shapes, seed=st.integers(0, 2**16))
def test_requires_grad_of_outputs_under_compile(device, backend, shape, seed):
    """Compiled, an op's output requires grad iff an input does, .to(int)/detach/*_like outputs do not, and backward fills the input leaf's .grad, as in eager.

    One compiled function returns ``x * w``, ``x + 1``, ``w * 2`` (``w`` a leaf that requires grad, ``x``
    not), ``w.detach()``, ``w.to(int64)``, ``w.double()`` and every ``*_like`` factory of ``w``;
    ``assert_compiles_like_eager`` compares each output's ``requires_grad``, ``is_leaf``, ``grad_fn is
    None``, values (a random ``*_like`` as ``r * 0 + 1``: inductor draws other random numbers than eager,
    and a result that wrongly requires grad still shows as a non-leaf) and ``w.grad`` after backward, in grad
    mode and then under ``torch.no_grad()`` (where nothing requires grad). float32 inputs of non-empty
    shapes of 0-3 dims (``compile_shapes``: a 2 x 3 matrix first).
    """
    def make():
        return data(shape, seed, device, torch.float32), data(shape, seed + 1, device, torch.float32).requires_grad_()

    assert_compiles_like_eager(
        _flags, make, backend, calls=[Call(name="grad mode"), Call(mode=torch.no_grad, name="no_grad")], backward=True
    )


def _inside(x, w):
    """Leaves made inside the compiled function: a factory, torch.tensor and a *_like, asked to require grad."""
    a = torch.zeros(x.shape, dtype=x.dtype, device=x.device, requires_grad=True)
    b = torch.tensor([1.0, -2.0], dtype=x.dtype, device=x.device, requires_grad=True)
    c = torch.ones_like(x, requires_grad=True)
    return a, b, c, a * w, c * x + w, (b * 3).sum()


def _int_leaf(x):
    return torch.zeros(x.shape, dtype=torch.int64, device=x.device, requires_grad=True)


@pytest.mark.known_bug(
    "<2.2",
    issue="https://github.com/pytorch/pytorch/issues/90552",
    reason="before torch 2.2 Dynamo traced a factory called with requires_grad=True into the graph and AOTAutograd "
    "dropped the flag (the leaf came back with requires_grad=False; also pytorch#99455); pytorch#113277 (torch 2.2) "
    "graph-breaks there instead. checked: fails on 2.1.2 (aot_eager), passes on 2.2.2 and 2.14.1",
)
@compile_budget()
@given(shape=compile_shapes, seed=st.integers(0, 2**16))
def test_leaves_created_inside_compile_require_grad_and_get_grad(device, backend, shape, seed):
    """Compiled, torch.zeros/torch.tensor/*_like called with requires_grad=True inside make leaves that require grad and get .grad after backward, as in eager; an integer dtype is refused.

    The compiled function (Dynamo runs these factories eagerly, around a graph break) returns the three
    leaves and three non-leaves computed from them; compared with eager: every output's flags and values
    and the input leaf's gradient (``assert_compiles_like_eager``, in grad mode and under
    ``torch.no_grad()``, where the leaves still require grad), then, after one backward through the
    non-leaves on each side, each returned leaf's ``.grad`` (the non-leaves' stay ``None``). Asked for
    ``requires_grad=True`` with ``dtype=torch.int64``, the compiled function raises RuntimeError
    ("floating point"), as eager does. float32 inputs of non-empty shapes of 0-3 dims (``compile_shapes``: a 2 x 3 matrix first).
    """
    def make():
        return data(shape, seed, device, torch.float32), data(shape, seed + 1, device, torch.float32).requires_grad_()

    compiled = assert_compiles_like_eager(
        _inside, make, backend, calls=[Call(name="grad mode"), Call(mode=torch.no_grad, name="no_grad")], backward=True
    )
    grads = []
    for fn in (_inside, compiled):
        outs = fn(*make())
        sum((o * (k + 1)).sum() for k, o in enumerate(outs[3:])).backward()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # reading .grad of a non-leaf
            assert all(o.grad is None for o in outs[3:]), "a non-leaf output has .grad after backward, but should not"
        grads.append([o.grad for o in outs[:3]])
    for k, (e, c) in enumerate(zip(*grads)):
        assert c is not None, f"compiled: leaf output {k}.grad is None after backward, but eager's is {e}"
        assert_same(c, e, f"compiled: leaf output {k}.grad")
    with raises(RuntimeError, "floating point", "compiled torch.zeros(..., dtype=torch.int64, requires_grad=True)"):
        compile_fn(_int_leaf, backend)(make()[0])


def _changed_flag(change: str, w):
    """A tensor made inside whose requires_grad an op has just changed: detach_() clears it; a write of a
    value that requires grad (basic or advanced index assignment, add_) sets it on a tensor made without it."""
    if change == "detach_":
        t = w * 2
        t.detach_()
    elif change == "t[0] = v":
        t = torch.zeros(3, dtype=w.dtype, device=w.device)
        t[0] = w.sum()
    elif change == "t[rows, cols] = v":
        t = torch.zeros(2, 3, 3, dtype=w.dtype, device=w.device)
        t[:, [0, 1], [1, 2]] = w
    else:
        assert change == "add_"
        t = torch.zeros(3, dtype=w.dtype, device=w.device)
        t.add_(w.sum())
    return t


STALE_FLAG = (
    "inside a compiled function, reading t.requires_grad after an op that changed it gives the flag from before the op "
    "(Dynamo kept the tensor's old metadata), so the branch on it goes the other way; the tensor itself comes out right"
)
ON_EVERY_MINOR = "Checked: diverges on every minor release 2.1.2-{last}, agrees on {first}-2.15.0"


def _stale_flag(before: str, issue: int, detail: str, last: str, first: str):
    """The known bug of one op: STALE_FLAG on releases ``before``, with what the op does and the releases checked."""
    return pytest.mark.known_bug(
        before, issue=f"https://github.com/pytorch/pytorch/issues/{issue}",
        reason=f"{STALE_FLAG} ({detail}). {ON_EVERY_MINOR.format(last=last, first=first)}",
    )


#: the op that changes the flag -> its known bug (releases checked with aot_eager on cpu; 2.0 cannot run Dynamo on 3.11)
REQUIRES_GRAD_READS = [
    pytest.param("detach_", id="detach_", marks=_stale_flag(
        "<2.12", 176854, "detach_() left requires_grad True", last="2.11.0", first="2.12.1")),
    pytest.param("t[0] = v", id="setitem", marks=_stale_flag(
        "<2.9", 169179, "requires_grad stays False after an index assignment of a value that requires grad; the "
        "issue, still open, reports it for larger programs on later releases too", last="2.8.0", first="2.9.1")),
    pytest.param("t[rows, cols] = v", id="advanced-setitem", marks=_stale_flag(
        "<2.9", 169179, "the issue's own form: an advanced-index assignment", last="2.8.0", first="2.9.1")),
    pytest.param("add_", id="add_", marks=_stale_flag(
        "<2.11", 169179, "the same for add_ of a value that requires grad", last="2.10.0", first="2.11.0")),
]


@pytest.mark.parametrize("change", REQUIRES_GRAD_READS)
def test_requires_grad_read_inside_a_compiled_function_is_eagers_under_compile(device, backend, change):
    """Inside a compiled function, t.requires_grad read right after an op that changed it (detach_(), an index assignment or add_ of a value that requires grad) is the value eager reads, so code branching on it takes eager's branch.

    Ranges over the ops that change the flag of a tensor made inside (enumerated, one compile each): ``detach_()``
    clears it, ``t[0] = v``, ``t[rows, cols] = v`` and ``t.add_(v)`` with ``v`` computed from a leaf that requires
    grad set it. The function returns ``x * 2`` if ``t.requires_grad`` else ``x * 3`` (the value read, as a user's
    branch sees it) and ``t``; called with grad enabled and under ``no_grad`` (where the writes record nothing and
    the flag stays False). ``specs/differential.py`` compares both outputs. Fixed float32 inputs: a known bug
    fails on every run, and hypothesis would spend a minute shrinking it.
    """
    def fn(x, w):
        t = _changed_flag(change, w)
        return x * 2 if t.requires_grad else x * 3, t

    assert_compiles_like_eager(
        fn,
        lambda: (torch.arange(1.0, 5.0, device=device), torch.tensor([[0.5, -1.0], [2.0, 1.5]], device=device, requires_grad=True)),
        backend,
        calls=[Call(name="grad mode"), Call(mode=torch.no_grad, name="no_grad")],
    )


# --- release history (mined from release notes; see docs/release-history.md)

MATERIALIZE_GRADS = (
    "torch.autograd.grad(..., materialize_grads=True) (new in torch 2.1, pytorch#97015) returns zeros for unused "
    "inputs; until torch 2.10 those zeros required grad even without create_graph, from 2.10 they do not "
    "(https://github.com/pytorch/pytorch/releases/tag/v2.10.0); checked: requires_grad=True on 2.1-2.9, False on 2.10-2.15"
)


def _materialized(device):
    x = torch.arange(1.0, 4.0, device=device, requires_grad=True)
    unused = torch.ones(3, device=device, requires_grad=True)
    gx, gu = torch.autograd.grad((x * x).sum(), [x, unused], materialize_grads=True)
    assert_same(gx, 2 * x.detach(), "d(sum x*x)/dx")
    assert_same(gu, torch.zeros(3, device=device), "the materialized gradient of the unused input")
    assert_requires_grad(gx, False, "d(sum x*x)/dx without create_graph")
    return gu


@pytest.mark.torch_version(">=2.1,<2.10", reason=MATERIALIZE_GRADS)
def test_materialized_zero_gradients_require_grad_before_2_10(device):
    """Before torch 2.10, autograd.grad(..., materialize_grads=True) gives an unused input a zero gradient that requires grad, even without create_graph."""
    assert_requires_grad(_materialized(device), True, "the materialized zero gradient (no create_graph)")


@pytest.mark.torch_version(">=2.10", reason=MATERIALIZE_GRADS)
def test_materialized_zero_gradients_do_not_require_grad_from_2_10(device):
    """From torch 2.10, autograd.grad(..., materialize_grads=True) gives an unused input a zero gradient that, like the others, does not require grad without create_graph."""
    assert_requires_grad(_materialized(device), False, "the materialized zero gradient (no create_graph)")
