"""ToTensor and ToPILImage: what the two conversions really do to values, layout and dtype.

``to_tensor`` (``transforms.ToTensor``) turns a PIL image or an H x W x C ndarray into a C x H x W
tensor -- an ndarray of any layout with non-negative strides (contiguous, step-sliced, transposed,
Fortran order). An ndarray with a *negative* stride -- ``img[..., ::-1]``, the BGR -> RGB idiom for
OpenCV images, or any flip -- is refused: ``torch.from_numpy`` raises ``ValueError: At least one stride
in the given numpy array is negative`` (torch has no negative strides); ``view.copy()`` first
converts (``np.ascontiguousarray`` does not when the flipped axis has length 1: numpy#23349). The
same holds for v2's ``ToImage``. Only 8-bit data is scaled: a uint8 ndarray, or a PIL image in an 8-bit
mode (``L``, ``LA``, ``RGB``, ``RGBA``, ``P``, ``CMYK``, ``YCbCr``, and bilevel ``1``, whose pixels are
first multiplied by 255), becomes a float tensor of torch's *default* dtype with values ``k / 255`` in [0, 1]. Everything
else keeps its values: PIL modes ``I`` (int32), ``F`` (float32) and ``I;16`` (int16 -- so 16-bit
values above 32767 wrap to negative numbers, vision#8359), and non-uint8 ndarrays (their own
dtype). ToTensor's docstring lists ``I`` and ``F`` among the scaled modes; the code does not scale
them. ``pil_to_tensor`` (``PILToTensor``) never scales: every mode keeps its pixel dtype (8-bit modes
uint8, ``1`` bool, ``I`` int32, ``I;16`` uint16 from torchvision 0.20, ``F`` float32).

``to_pil_image`` (``ToPILImage``) goes back: a float tensor is multiplied by 255 and cast to uint8,
which *truncates* (0.999 -> 254, not 255) and does *not* clamp: values outside [0, 1] wrap like an
integer cast (on x86-64: 1.5 -> 126, -0.5 -> 129, 2.0 -> 254; the float->uint8 cast is undefined in
C, so another CPU may give other bytes, but never a clamp). The mode follows the channel count (1 ->
L, 2 -> LA, 3 -> RGB, 4 -> RGBA) for float and uint8 data; single-channel int16 / int32 tensors
become ``I;16`` / ``I``; every other dtype is a TypeError. It accepts a tensor on any device, and one
that requires grad (since torchvision 0.17 it calls ``numpy(force=True)``; before, it scaled in torch
and called ``.cpu().numpy()`` on the uint8 result).

Devices: ``to_tensor``, ``pil_to_tensor`` and ``torch.from_numpy`` take a PIL image or ndarray and
always return a cpu tensor (no device argument); their specs' device variants prove the device
counterpart (the result moved to the device keeps dtype, shape and every value, and the spec's
further work runs there). ``to_pil_image`` and the v2 ops are handed tensors already on the device.

Round trips: a uint8 image -> tensor -> image is the identity (every ``k/255`` in float32 times 255
truncates back to ``k``), a tensor of multiples of 1/255 survives tensor -> image -> tensor exactly,
and any float in [0, 1] comes back at most 1/255 *below* itself (truncation, never above).

The source note (section 7, "ToTensor & ToPILImage 各自都做了什么") is right only in part:

- "NHWC -> NCHW" (and "NCHW -> NHWC" for ToPILImage) is wrong: both convert *one* image, H x W x C
  <-> C x H x W (``out[c, h, w]`` is channel ``c`` of pixel ``(h, w)``); neither takes a batch -- a
  4-D ndarray or tensor raises ``ValueError: pic should be 2/3 dimensional``.
- "[0, 255] -> [0, 1.0]" and "PILImage -> FloatTensor" hold for 8-bit images only (above).
- Its formula ``torch.from_numpy(np.asarray(img)).permute(2, 0, 1).float() / 255`` equals
  ``to_tensor`` exactly for ``LA``, ``RGB`` and ``RGBA`` images, but ``np.asarray`` of a PIL image is
  a *read-only* array, so ``from_numpy`` warns ``UserWarning: The given NumPy array is not writable``
  (a TORCH_WARN_ONCE: once per process unless ``torch.set_warn_always(True)``); ``np.array(img)`` is
  a writable copy and does not warn. For ``L`` and ``1`` the array is 2-D and ``permute(2, 0, 1)``
  raises ``RuntimeError``; for ``1``, even with a channel axis added, it gives 1/255 where ``to_tensor``
  gives 1.
- Its inverse ``Image.fromarray(torch.clamp(tensor * 255, min=0, max=255).byte().permute(1, 2,
  0).cpu().numpy())`` equals ``to_pil_image`` for 2, 3 and 4 channels with values in [0, 1] (both
  truncate); outside [0, 1] the clamp makes the two differ. For 1 channel it raises ``TypeError``
  (``Image.fromarray`` refuses an H x W x 1 uint8 array), where ``to_pil_image`` drops the axis and
  gives a mode ``L`` image.

transforms v2: ``v2.ToTensor`` is deprecated (a UserWarning on construction) in favour of
``Compose([ToImage(), ToDtype(torch.float32, scale=True)])``, which multiplies by ``1/255`` instead
of dividing by 255, so it agrees with ``ToTensor`` only to 2**-24 (v1's k/255 is correctly
rounded; v2 rounds 1/255 to float32 and then the product, so 126 of the 256 levels differ, each by
one float32 ulp of [0.5, 1), 2**-24). The v2 functional ops compute on the tensor's own device. ``ToDtype(scale=True)`` scales every integer dtype by
its maximum, so v2 scales mode ``I`` (by 2**31 - 1) and ``I;16`` (as uint16, by 65535) where v1 does
not scale them. The other directions: float -> uint8 is ``trunc(x * 255.999)`` (1.0 and 0.999 -> 255; in
float16/bfloat16 255.999 rounds to 256, so 1.0 wraps to 0: vision#6799), integer -> integer shifts by the
difference in value bits (uint8 255 -> int16 32640), float32 -> int32/int64 and float64 -> int64 are refused.
``ToDtype(dtype)`` converts only images, videos and a lone plain tensor (a dict names a dtype per tv_tensor type
and scales only images). ``ToImage`` wraps a tensor without a copy (and shares an ndarray whose C x H x W view is
contiguous); torch operations on a ``tv_tensors.Image`` return plain tensors except ``clone``, ``to``,
``detach``, ``requires_grad_`` (all keep it inside ``set_return_type("TVTensor")``). ``to_pil_image``'s ``mode=``
labels the bytes (YCbCr, HSV, CMYK, RGBX ...) without converting them, keeps a float32 tensor unscaled for ``F``,
and raises ValueError for a mode that does not fit the channels or dtype.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

from specs.differential import assert_compiles_like_eager
from specs.helpers import (
    NUMPY_TO_TORCH,
    assert_device,
    assert_dtype,
    assert_same,
    default_dtype,
    raises,
    warn_always,
    warnings_recorded,
)
from specs.inputs import (
    ALL,
    ALL_BYTES,
    FLOATING,
    PIL_8BIT,
    PIL_MODES,
    PIL_SINGLE_BAND,
    budget,
    compile_budget,
    dtype_id,
    every_image_size,
    image_sizes,
    pil_array,
    pil_image,
    pil_mode_params,
    pixel_bytes,
)

MODE_OF_CHANNELS = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}
#: torch.uint16 (from torch 2.3; None before, where no tensor has it)
UINT16 = getattr(torch, "uint16", None)
#: an I;16 image's pixels are a uint16 array; torch.from_numpy takes one only from torch 2.3
I16_FROM_NUMPY = {"I;16": pytest.mark.torch_version(
    ">=2.3", reason="torch.from_numpy of a uint16 array (an I;16 image's pixels) needs torch.uint16, new in torch 2.3")}
CHANNELS = [pytest.param(c, id=f"{c}ch-{m}") for c, m in MODE_OF_CHANNELS.items()]
#: numpy dtypes of an ndarray image: every dtype with a torch twin
NUMPY_DTYPES = [pytest.param(np.dtype(d), id=np.dtype(d).name) for d in NUMPY_TO_TORCH]

#: Image sides 1..8: non-square sizes catch an H/W mix-up, small sizes keep a property in milliseconds.
sides = st.integers(1, 8)

#: the calling forms of each conversion: v1 function, v1 class, v2 class (v2.ToTensor is deprecated
#: and calls v1's function; v2.ToImage is PILToTensor's v2 successor, returning a tv_tensors.Image)
TO_TENSOR_FORMS = ("F.to_tensor", "ToTensor()", "v2.ToTensor()")
PIL_TO_TENSOR_FORMS = ("F.pil_to_tensor", "PILToTensor()", "v2.PILToTensor()", "v2.ToImage()")
TO_PIL_FORMS = ("F.to_pil_image", "ToPILImage()", "v2.ToPILImage()")
V2_FORM = pytest.mark.torchvision_version(">=0.15", reason="torchvision.transforms.v2 first shipped in 0.15")
TO_IMAGE = pytest.mark.torchvision_version(">=0.16", reason="v2.ToImage arrived in 0.16 (0.15 had ToImageTensor)")


def form_params(forms) -> list:
    return [pytest.param(f, id=f, marks=V2_FORM if f.startswith("v2.") else ()) for f in forms]


TO_IMAGE_2D = pytest.mark.torchvision_version(
    ">=0.18", reason="v2.ToImage arrived in 0.16 and took a 2-D (H x W) ndarray only after vision#8255 (0.17 raises "
    "RuntimeError from permute; checked: 0.17 refuses, 0.20/0.29 convert; 0.18 not checked)")


def form_groups(forms, to_image=TO_IMAGE) -> list:
    """The forms in two cases: the ones every supported torchvision has (looped in one case), and v2.ToImage
    (its own case, gated by ``to_image``)."""
    old = tuple(f for f in forms if f != "v2.ToImage()")
    groups = [pytest.param(old, id="+".join(old))]
    if "v2.ToImage()" in forms:
        groups.append(pytest.param(("v2.ToImage()",), id="v2.ToImage()", marks=to_image))
    return groups


def converter(torchvision, form: str):
    """The conversion ``form`` names, as a callable taking one picture (v2 transforms return plain tensors
    here: ``as_subclass(torch.Tensor)`` of what a v2 class returns; PIL images pass through)."""
    T, F = torchvision.transforms, torchvision.transforms.functional
    if form.startswith("v2."):
        import torchvision.transforms.v2 as v2

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # v2.ToTensor() warns that it is deprecated (its own spec)
            transform = getattr(v2, form[3:-2])()
        return lambda pic: _plain(transform(pic))
    if form.startswith("F."):
        return getattr(F, form[2:])
    return getattr(T, form[:-2])()


def _plain(out):
    return out.as_subclass(torch.Tensor) if isinstance(out, torch.Tensor) else out


# --------------------------------------------------------------------------- fixtures & helpers


@pytest.fixture(scope="module")
def F(torchvision):
    """``torchvision.transforms.functional`` (the spec skips with the import error without it)."""
    return torchvision.transforms.functional


@pytest.fixture(scope="module")
def T(torchvision):
    return torchvision.transforms


@pytest.fixture(scope="module")
def v2(torchvision):
    import torchvision.transforms.v2 as v2

    return v2


#: a PIL image holding exactly an array's pixels (specs/inputs.py; asserts the mode and pixels)
image = pil_image


def chw(img: Image.Image) -> torch.Tensor:
    """The image's pixels as a C x H x W tensor of their own dtype (bool for mode 1, uint16 for I;16)."""
    return torch.from_numpy(np.atleast_3d(np.array(img))).permute(2, 0, 1)


NOT_WRITABLE = "The given NumPy array is not writable"  # torch.from_numpy's warning (TORCH_WARN_ONCE)


def from_asarray(img: Image.Image) -> torch.Tensor:
    """The note's first step, ``torch.from_numpy(np.asarray(img))``, with its 'not writable' warning silenced."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", re.escape(NOT_WRITABLE), UserWarning)
        return torch.from_numpy(np.asarray(img))


def not_writable_warnings(fn):
    """``fn()`` and the messages of the 'not writable' UserWarnings it emitted (TORCH_WARN_ONCE made to fire)."""
    with warn_always(), warnings_recorded() as caught:
        out = fn()
    return out, [str(w.message) for w in caught if issubclass(w.category, UserWarning) and NOT_WRITABLE in str(w.message)]


def floats_chw(channels=st.integers(1, 4), lo=0.0, hi=1.0):
    """float32 C x H x W tensors (cpu) with values in [lo, hi], H x W drawn from the image sizes."""
    return st.tuples(channels, image_sizes).flatmap(
        lambda s: hnp.arrays(np.float32, (s[0], *s[1]), elements=st.floats(lo, hi, width=32))
    ).map(torch.from_numpy)


def cpu_result_on(out: torch.Tensor, device: torch.device, what: str = "out") -> torch.Tensor:
    """The device counterpart of a cpu-only conversion (to_tensor, PILToTensor take a PIL image or ndarray).

    Asserts that ``out`` is a cpu tensor (these APIs have no device argument), moves it to ``device``
    and asserts that the moved tensor is on ``device`` and equals ``out`` in dtype, shape and every
    value; returns the moved tensor, so the spec's further checks and operations run on ``device``.
    """
    __tracebackhide__ = True
    assert_device(out, torch.device("cpu"), what)
    moved = out.to(device)
    assert_device(moved, device, f"{what}.to(device)")
    assert_same(moved.cpu(), out, f"{what}.to(device).cpu()")
    return moved


def around_levels(ks=(1, 2, 127, 128, 254)) -> torch.Tensor:
    """A 4 x 1 x N float32 tensor: k/255, the float32 just below it, the float32 just above it (plus 0 and 1), and their mean."""
    level = torch.tensor([k / 255 for k in ks] + [0.0, 1.0], dtype=torch.float32)
    below = torch.nextafter(level, torch.zeros_like(level))
    above = torch.nextafter(level, torch.ones_like(level))
    return torch.stack([level, below, above, (level + above) / 2])[:, None, :]


def assert_image_same(actual: Image.Image, expected: Image.Image):
    __tracebackhide__ = True
    assert actual.mode == expected.mode, f"image mode={actual.mode}, but should be {expected.mode}"
    assert actual.size == expected.size, f"image size={actual.size}, but should be {expected.size}"
    assert_same(chw(actual), chw(expected))


#: ndarray layouts with non-negative strides, each keeping the array's values (negative strides: refused,
#: see test_to_tensor_refuses_negative_stride_ndarrays_with_ValueError)
def _np_step_sliced(a):
    big = np.zeros((a.shape[0], 2 * a.shape[1], *a.shape[2:]), a.dtype)
    big[:, ::2] = a
    return big[:, ::2]


def _np_offset(a):
    flat = np.zeros(a.size + 3, a.dtype)
    flat[3:] = a.reshape(-1)
    return flat[3:].reshape(a.shape)


NP_LAYOUTS = {
    "contiguous": lambda a: a.copy(),
    "step_sliced": _np_step_sliced,
    "transposed": lambda a: np.ascontiguousarray(np.swapaxes(a, 0, 1)).swapaxes(0, 1),
    "fortran": np.asfortranarray,
    "offset": _np_offset,
}
#: negative-stride views: what ``img[..., ::-1]`` (BGR <-> RGB) and the flips give
FLIPS = {
    "channels_reversed": lambda a: a[..., ::-1],
    "rows_flipped": lambda a: a[::-1],
    "columns_flipped": lambda a: a[:, ::-1],
    "2d_flipped": lambda a: a[..., 0][::-1, ::-1],
}


# --------------------------------------------------------------------------- to_tensor


@pytest.mark.parametrize("mode", pil_mode_params(PIL_8BIT))
@budget(8)
@given(size=image_sizes, raw=pixel_bytes)
@every_image_size
def test_to_tensor_scales_8bit_images_to_default_float_chw_in_unit_interval(device, torchvision, mode, size, raw):
    """to_tensor maps an 8-bit PIL image to a C x H x W tensor of the default float dtype with values k/255.

    Ranges over: the 8-bit modes L, LA, RGB, RGBA, CMYK, YCbCr, P (the palette *index* is scaled, not
    its colour) and bilevel 1 (whose pixels count as 0 / 255); every floating default dtype (float16,
    bfloat16, float32, float64) and the three calling forms F.to_tensor, ToTensor() and the deprecated
    v2.ToTensor() -- every example checks all twelve (default dtype, form) pairs; sizes of one pixel, odd and non-square both ways (on
    every run) and any side 1-8; pixel bytes over 0..255. to_tensor takes a PIL image and always returns
    a cpu tensor (it has no device argument), so on a device the spec proves the device counterpart: the
    result moved there keeps dtype, shape and every value.
    """
    img = image(pil_array(mode, size, raw), mode)
    k = chw(img).to(torch.uint8) * (255 if mode == "1" else 1)
    channels = PIL_MODES[mode][0]
    for default in FLOATING:
        expected = (k.to(default) / 255).to(device)  # k/255 divided on cpu in the default dtype, then moved
        for form in TO_TENSOR_FORMS:
            what = f"{form}(img) under default dtype {dtype_id(default)}"
            with default_dtype(default):
                out = converter(torchvision, form)(img)
            assert_dtype(out, default, what)
            assert tuple(out.shape) == (channels, img.height, img.width), (
                f"{what}.shape={tuple(out.shape)}, but should be C x H x W = {(channels, img.height, img.width)}"
            )
            out = cpu_result_on(out, device, what)
            assert_same(out, expected, what)
            assert 0 <= float(out.min()) and float(out.max()) <= 1, f"{what}: values outside [0, 1]"


@pytest.mark.parametrize("mode", pil_mode_params(("LA", "RGB", "RGBA")))
@budget(3)
@given(size=image_sizes, raw=pixel_bytes)
@example(size=(3, 5), raw=ALL_BYTES)
def test_note_manual_formula_equals_to_tensor_for_multichannel_images(device, F, mode, size, raw):
    """The note's torch.from_numpy(np.asarray(img)).permute(2, 0, 1).float() / 255 equals to_tensor exactly for LA, RGB, RGBA.

    Ranges over: modes LA, RGB, RGBA; drawn sizes and pixels. (Its 'not writable' warning is silenced here; the
    next spec is about it.) For the single-band modes the formula raises; for mode 1 it is wrong even
    with a channel axis added (1/255 where to_tensor gives 1.0): see the specs after it.
    """
    img = image(pil_array(mode, size, raw), mode)
    manual = from_asarray(img).permute(2, 0, 1).float() / 255
    assert_same(cpu_result_on(F.to_tensor(img), device), manual.to(device))


@pytest.mark.parametrize("mode", pil_mode_params(marks=I16_FROM_NUMPY))
@budget(11, floor=1)
@given(size=image_sizes, raw=pixel_bytes)
@example(size=(2, 3), raw=ALL_BYTES)
def test_note_formula_from_numpy_of_asarray_warns_not_writable(device, mode, size, raw):
    """torch.from_numpy(np.asarray(img)), the note's first step, emits UserWarning "The given NumPy array is not writable" for any PIL image; np.array(img) does not.

    Ranges over: every PIL mode (L, LA, RGB, RGBA, CMYK, YCbCr, P, 1, I, I;16, F), drawn sizes and pixels.
    ``np.asarray`` of a PIL image is a read-only array; ``from_numpy`` shares its memory and torch
    has no read-only tensors, so it warns (writing to that tensor is undefined behaviour).
    ``np.array(img)`` is a writable copy: no warning. The warning is a TORCH_WARN_ONCE -- once per
    process -- unless ``torch.set_warn_always(True)``, which this spec sets (and restores) so the
    claim does not depend on test order. ``from_numpy`` makes cpu tensors only, so on a device the
    spec proves the device counterpart: both tensors moved there hold the same pixels.
    """
    img = image(pil_array(mode, size, raw), mode)
    a = np.asarray(img)
    assert not a.flags.writeable, "np.asarray(img).flags.writeable=True, but should be False"
    shared, hits = not_writable_warnings(lambda: torch.from_numpy(a))
    assert hits, "torch.from_numpy(np.asarray(img)) emitted no 'not writable' UserWarning, but should"
    copy = np.array(img)
    owned, hits = not_writable_warnings(lambda: torch.from_numpy(copy))
    assert not hits, f"torch.from_numpy(np.array(img)) warned {hits}, but should not (a writable copy)"
    if shared.dtype == UINT16:  # few kernels for the barebones unsigned dtypes: compare on cpu
        assert_same(shared, owned, "torch.from_numpy(np.asarray(img))")
        return
    assert_same(
        cpu_result_on(shared, device, "torch.from_numpy(np.asarray(img))"),
        cpu_result_on(owned, device, "torch.from_numpy(np.array(img))"),
        "torch.from_numpy(np.asarray(img)).to(device)",
    )


@pytest.mark.parametrize("mode", pil_mode_params(PIL_SINGLE_BAND, marks=I16_FROM_NUMPY))
@budget(6, floor=1)
@given(size=image_sizes, raw=pixel_bytes)
@example(size=(2, 3), raw=ALL_BYTES)
def test_note_manual_formula_raises_RuntimeError_for_single_channel_images(device, mode, size, raw):
    """For a single-band image the note's formula raises RuntimeError: np.asarray(img) is 2-D (H x W), which permute(2, 0, 1) cannot reorder.

    Ranges over: the single-band modes L, P, 1, I, I;16, F; drawn sizes and pixels. Here the tensor is
    moved to ``device`` before the permute, so the permute runs there (I;16's uint16 tensor stays on cpu:
    uint16 has few kernels on other devices).
    """
    img = image(pil_array(mode, size, raw), mode)
    t = from_asarray(img)
    t = t if t.dtype == UINT16 else t.to(device)
    assert tuple(t.shape) == (img.height, img.width), f"np.asarray(img).shape={tuple(t.shape)}, but should be H x W"
    with raises(RuntimeError, "number of dimensions|dims", "torch.from_numpy(np.asarray(img)).permute(2, 0, 1)"):
        t.permute(2, 0, 1)


@budget(1)
@given(size=image_sizes, raw=pixel_bytes)
@example(size=(7, 2), raw=ALL_BYTES)
def test_note_manual_formula_is_off_by_255_for_bilevel_images(device, F, size, raw):
    """For a bilevel (mode 1) image to_tensor gives 0/1, while the note's formula (with a channel axis added) gives 0 and 1/255.

    Ranges over: mode 1 images, drawn sizes and pixels.
    """
    arr = pil_array("1", size, raw)
    img = image(arr, "1")
    manual = from_asarray(img)[None].float() / 255  # the note's formula, channel axis added
    out = cpu_result_on(F.to_tensor(img), device)
    assert_same(out, torch.from_numpy(arr)[None].float().to(device))
    assert_same(out, (manual * 255).to(device))


#: (picture kind, channels): an ndarray H x W, H x W x 1..4, or a PIL image of 1..4 channels
PICTURES = [pytest.param("ndarray", 0, id="ndarray-HxW")] + [
    pytest.param("ndarray", c, id=f"ndarray-HxWx{c}") for c in (1, 2, 3, 4)
] + [pytest.param("PIL", c, id=f"PIL-{MODE_OF_CHANNELS[c]}") for c in (1, 2, 3, 4)]


@pytest.mark.parametrize("kind, channels", PICTURES)
@budget(9)
@given(size=image_sizes, raw=pixel_bytes)
@every_image_size
def test_to_tensor_puts_channel_c_of_pixel_h_w_at_out_c_h_w(device, F, kind, channels, size, raw):
    """to_tensor turns one H x W x C image (uint8 ndarray or PIL image) into C x H x W: out[c, h, w] is channel c of pixel (h, w), over 255.

    Ranges over: a uint8 ndarray H x W (C = 1) or H x W x C with C = 1..4, and PIL images L, LA, RGB,
    RGBA; sizes of one pixel, odd, non-square both ways (every run) and drawn. The note's "NHWC -> NCHW"
    is wrong: there is no batch axis (see the next spec). The expected tensor is built element by
    element from the index formula, not by a permute.
    """
    height, width = size
    c = channels or 1
    hwc = np.resize(raw, (height, width, c))
    if kind == "PIL":
        pic = image(hwc[:, :, 0] if c == 1 else hwc, MODE_OF_CHANNELS[c])
    else:
        pic = hwc[:, :, 0].copy() if channels == 0 else hwc
    expected = torch.tensor(
        [[[int(hwc[h, w, k]) for w in range(width)] for h in range(height)] for k in range(c)], dtype=torch.uint8
    )
    out = cpu_result_on(F.to_tensor(pic), device)
    assert tuple(out.shape) == (c, height, width), (
        f"out.shape={tuple(out.shape)}, but should be C x H x W = {(c, height, width)}"
    )
    assert_same(out, (expected.to(torch.get_default_dtype()) / 255).to(device))


@pytest.mark.parametrize("np_dtype", NUMPY_DTYPES)
@budget(11, floor=1)
@given(shape=st.tuples(st.integers(1, 3), sides, sides, st.integers(1, 4)))
@example(shape=(1, 2, 3, 3))
def test_to_tensor_and_to_pil_image_refuse_a_4d_batch_with_ValueError(device, F, np_dtype, shape):
    """to_tensor of a 4-D N x H x W x C ndarray and to_pil_image of a 4-D N x C x H x W tensor (on any device) both raise ValueError "pic should be 2/3 dimensional".

    Ranges over: every dtype with a numpy twin (bool, the integers, float16/32/64, complex64/128: the
    dimension check comes first), batches N = 1..3 (a batch of one is refused too), drawn H, W, C.
    bfloat16 is out: to_pil_image refuses it earlier, with TypeError (numpy has no bfloat16; see the
    dtype refusal spec). Neither converts a batch: the note's "NHWC -> NCHW" / "NCHW -> NHWC" is one
    image's HWC <-> CHW.
    """
    n, h, w, c = shape
    batch = (np.arange(n * h * w * c) % 2).astype(np_dtype).reshape(n, h, w, c)
    with raises(ValueError, re.escape("pic should be 2/3 dimensional"), f"to_tensor({np_dtype} ndarray of shape {shape})"):
        F.to_tensor(batch)
    tensor = torch.from_numpy(batch.transpose(0, 3, 1, 2).copy()).to(device)
    with raises(ValueError, re.escape("pic should be 2/3 dimensional"), f"to_pil_image({tensor.dtype} tensor of shape {(n, c, h, w)})"):
        F.to_pil_image(tensor)


def array_from_bytes(np_dtype, shape, raw: np.ndarray) -> np.ndarray:
    """An array of ``shape`` whose elements are the bytes ``raw`` (repeated) read as ``np_dtype``: any bit
    pattern -- the integers' extremes, nan, inf, subnormals -- for bool a byte > 127 is True."""
    n = int(np.prod(shape))
    if np.dtype(np_dtype) == np.bool_:
        return np.resize(raw, shape) > 127
    return np.resize(raw, n * np.dtype(np_dtype).itemsize).view(np_dtype).reshape(shape).copy()


@pytest.mark.parametrize("np_dtype", NUMPY_DTYPES)
@budget(11)
@given(size=image_sizes, channels=st.sampled_from([(), (1,), (3,), (4,)]), raw=pixel_bytes)
@example(size=(3, 5), channels=(3,), raw=ALL_BYTES)
@example(size=(7, 2), channels=(), raw=ALL_BYTES)
def test_to_tensor_scales_uint8_ndarrays_and_keeps_other_dtypes(device, F, np_dtype, size, channels, raw):
    """to_tensor divides a uint8 H x W (x C) ndarray by 255; any other dtype keeps its dtype and values.

    Ranges over: every numpy dtype with a torch twin (bool, uint8, int8-64, float16/32/64,
    complex64/128) with any bit pattern (nan, inf, the extremes); H x W and H x W x C with C =
    1, 3, 4; every non-negative-stride layout (contiguous, step-sliced, H/W-transposed, Fortran order,
    storage offset: each example checks all five). Either way the result is C x H x W (a 2-D array gives 1 x H x W). A negative-stride
    array is refused (next spec).
    """
    values_ = array_from_bytes(np_dtype, tuple(size) + channels, raw)
    hwc = np.atleast_3d(values_)
    raw = torch.from_numpy(np.ascontiguousarray(hwc)).permute(2, 0, 1)
    expected = (raw.to(torch.get_default_dtype()) / 255 if np_dtype == np.uint8 else raw).to(device)
    for layout, relayout in NP_LAYOUTS.items():
        arr = relayout(values_)
        assert all(s >= 0 for s in arr.strides), f"layout {layout} gave strides {arr.strides} (test setup)"
        assert_same(cpu_result_on(F.to_tensor(arr), device, f"to_tensor({layout} array)"), expected, f"to_tensor({layout} array)")


#: the layouts of the spec above, and an H x W x C view of a contiguous C x H x W buffer (what
#: ``chw_array.transpose(1, 2, 0)`` gives: the layout ToTensor's transpose turns back into a contiguous one)
SHARE_LAYOUTS = dict(NP_LAYOUTS, chw_buffer=lambda a: np.ascontiguousarray(np.moveaxis(a, 2, 0)).transpose(1, 2, 0) if a.ndim == 3 else a.copy())


def _chw_view_is_contiguous(arr: np.ndarray) -> bool:
    """The rule written out in numpy: the C x H x W view of ``arr`` (a 2-D array read as H x W x 1) is C-contiguous."""
    hwc = arr[:, :, None] if arr.ndim == 2 else arr
    return hwc.transpose(2, 0, 1).flags.c_contiguous


#: the forms looped in every example of the spec below (one case per dtype)
SHARE_FORMS = ("F.to_tensor", "ToTensor()")


@pytest.mark.device_independent
@pytest.mark.parametrize("np_dtype", NUMPY_DTYPES)
@budget(len(SHARE_FORMS) * len(NUMPY_DTYPES))
@given(size=image_sizes, channels=st.sampled_from([(), (1,), (3,), (4,)]), layout=st.sampled_from(sorted(SHARE_LAYOUTS)))
@example(size=(2, 3), channels=(), layout="contiguous")
@example(size=(2, 3), channels=(3,), layout="contiguous")
@example(size=(2, 3), channels=(3,), layout="chw_buffer")
def test_to_tensor_of_a_non_uint8_ndarray_shares_its_memory_where_no_copy_is_needed(torchvision, np_dtype, size, channels, layout):
    """to_tensor of a non-uint8 ndarray returns a view of the array's memory (no copy) whenever its C x H x W view is contiguous -- an H x W or H x W x 1 C-order array; a uint8 array never shares.

    Ranges over every numpy dtype with a torch twin (each case: one dtype), and in every example over the forms
    F.to_tensor and ToTensor() (each on a fresh array; a failure names the form); H x W and H x W x C arrays
    (C = 1, 3, 4) of drawn sizes, in the layouts of the spec above plus an H x W x C view of a contiguous
    C x H x W buffer. to_tensor is ``torch.from_numpy(pic.transpose(2, 0, 1)).contiguous()`` (a 2-D array read as
    H x W x 1), scaled only for uint8: so a 2-D or single-channel C-order array -- the usual depth map, mask or
    float image -- comes back *sharing* the array, and writing the array changes the tensor; a multi-channel
    C-order H x W x C array is copied by ``contiguous()``, a uint8 one by the division. The docs say nothing of
    memory. The rule is written out in numpy (``_chw_view_is_contiguous``); the write-through is checked too.
    Checked on torchvision 0.15.2, 0.17.2, 0.18.1, 0.21.0, 0.22.1, 0.23.0, 0.27.1, 0.28.0, 0.29.1 and 0.29.2.
    """
    n = int(np.prod(size + channels))
    values_ = (np.arange(n) % 7).reshape(size + channels)
    for form in SHARE_FORMS:
        convert = converter(torchvision, form)
        arr = SHARE_LAYOUTS[layout](values_ > 3 if np_dtype == np.bool_ else values_.astype(np_dtype))
        what = f"{form}({np_dtype.name} array {arr.shape}, {layout}, strides {arr.strides})"
        out = convert(arr)
        shares = np_dtype != np.uint8 and _chw_view_is_contiguous(arr)
        assert np.shares_memory(out.numpy(), arr) == shares, (
            f"{what} {'does not share' if shares else 'shares'} the array's memory, but should {'' if shares else 'not '}share it"
        )
        before = out.clone()
        arr[...] = np.logical_not(arr) if np_dtype == np.bool_ else arr + np_dtype.type(1)  # every element changes
        hwc = arr[:, :, None] if arr.ndim == 2 else arr
        now = torch.from_numpy(np.ascontiguousarray(hwc.transpose(2, 0, 1)))
        assert_same(out, now if shares else before, f"{what} after writing the array")


@pytest.mark.parametrize("flip", [pytest.param(name, id=name) for name in FLIPS])
@pytest.mark.parametrize("forms", form_groups(("F.to_tensor", "ToTensor()", "v2.ToImage()"), TO_IMAGE_2D))
@budget(8, floor=1)
@given(size=image_sizes, raw=pixel_bytes)
@example(size=(2, 3), raw=ALL_BYTES)
@example(size=(1, 1), raw=ALL_BYTES)
def test_to_tensor_refuses_negative_stride_ndarrays_with_ValueError(device, torchvision, forms, flip, size, raw):
    """to_tensor (and v2.ToImage) refuse an ndarray with a negative stride -- img[..., ::-1], the BGR->RGB idiom, or any flip -- with ValueError "At least one stride in the given numpy array is negative".

    Ranges over: the forms F.to_tensor and ToTensor() (checked together) and v2.ToImage() (0.18+: the copy of
    a flipped 2-D array must convert); the views ``[..., ::-1]`` (channels
    reversed), ``[::-1]`` (rows), ``[:, ::-1]`` (columns) and a flipped 2-D array; every numpy dtype with
    a torch twin (each example tries all eleven); drawn sizes, one row and one column included. The
    refusal is torch.from_numpy's (torch has no negative strides). The fix is a copy: ``.copy()`` always
    converts, but ``np.ascontiguousarray(view)`` returns the view itself when numpy already calls it
    contiguous -- a flipped axis of length 1 (one row, one column, one channel) keeps its negative stride
    -- and is refused too (numpy#23349; noted in the review of pytorch#33254). So the rule checked is:
    refused exactly when a stride of the array handed over is negative. Checked on torch 2.14 /
    torchvision 0.29 (the error comes from torch.from_numpy's stride check, unchanged since torch 1.5).
    """
    for form, np_dtype in [(f, d) for f in forms for d in NUMPY_TO_TORCH]:
        convert = converter(torchvision, form)
        base = np.resize(raw, (*size, 3)).astype(np_dtype)
        view = FLIPS[flip](base)
        assert any(s < 0 for s in view.strides), f"{flip} gave strides {view.strides} (test setup)"
        for arr, what in ((view, f"{np_dtype.name} ndarray {flip}"), (np.ascontiguousarray(view), f"np.ascontiguousarray({np_dtype.name} {flip})")):
            if any(s < 0 for s in arr.strides):
                with raises(ValueError, "stride.*negative", f"{form}({what}, strides {arr.strides})"):
                    convert(arr)
            else:
                convert(arr)
        copied = cpu_result_on(convert(view.copy()), device, f"{form}({flip} {np_dtype.name} view.copy())")
        assert tuple(copied.shape[-2:]) == view.shape[:2], f"{form}(copy).shape={tuple(copied.shape)} (H x W {view.shape[:2]})"


@pytest.mark.parametrize("mode", pil_mode_params(("I", "I;16", "F")))
@budget(3)
@given(size=image_sizes, raw=pixel_bytes)
@example(size=(1, 4), raw=np.array([0x40, 0x9C, 0xFF, 0xFF, 1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0, 0x80], np.uint8))
@example(size=(2, 2), raw=np.frombuffer(np.array([0.0, 1.5, -5.0, 300.0], "<f4").tobytes(), np.uint8).copy())
def test_to_tensor_does_not_scale_modes_I_I16_F(device, F, mode, size, raw):
    """to_tensor keeps the values of PIL modes I (as int32), F (as float32) and I;16 (as int16, so values above 32767 wrap).

    Ranges over: modes I, I;16 and F with any bit pattern (int32 and uint16 over their whole range,
    float32 nan/inf/subnormals included); drawn sizes. ToTensor's docstring says I and F are scaled to
    [0, 1]; the code does not scale them. I;16 holds unsigned 16-bit pixels but comes back as int16:
    40000 reads -25536 (vision#8359).
    """
    arr = pil_array(mode, size, raw)
    out = F.to_tensor(image(arr, mode))
    expected = torch.from_numpy(arr.view(np.int16) if mode == "I;16" else arr)
    assert_same(cpu_result_on(out, device), expected[None].to(device))


I16_UINT16 = pytest.mark.torch_version(
    ">=2.3", reason="uint16 tensors from I;16 images (pil_to_tensor, ToImage) need torch.uint16, new in torch 2.3 "
    "(pytorch#116594; vision#8359: with 2.3 pil_to_tensor of I;16 gives uint16); checked: holds with torch 2.3.1 / "
    "torchvision 0.18.1 and 2.4.1 / 0.19.1 and later, torch 2.1-2.2 have no uint16"
)


@pytest.mark.parametrize("forms", form_groups(PIL_TO_TENSOR_FORMS))
@pytest.mark.parametrize("mode", pil_mode_params(marks={"I;16": I16_UINT16}))
@budget(22, floor=1)
@given(size=image_sizes, raw=pixel_bytes)
@example(size=(1, 4), raw=ALL_BYTES)
@example(size=(3, 1), raw=ALL_BYTES[::-1].copy())
def test_pil_to_tensor_does_not_scale(device, torchvision, mode, forms, size, raw):
    """PILToTensor turns a PIL image of any mode into a C x H x W tensor of the image's own pixel dtype with the same values (no /255).

    Ranges over: every PIL mode (8-bit modes -> uint8, 1 -> bool, I -> int32, I;16 -> uint16, F ->
    float32, nan included); the forms F.pil_to_tensor, PILToTensor(), v2.PILToTensor() and v2.ToImage()
    (as a plain tensor, 0.16+: its own case; the others are checked together in each example); drawn sizes and any bit pattern. They take a PIL image and return a cpu tensor;
    on a device the spec proves the device counterpart (uint16 results are compared on cpu: few kernels).
    """
    arr = pil_array(mode, size, raw)
    img = image(arr, mode)
    expected = torch.from_numpy(np.atleast_3d(arr).transpose(2, 0, 1).copy())
    for form in forms:
        out = converter(torchvision, form)(img)
        assert_dtype(out, expected.dtype, f"{form}(img)")
        if out.dtype == UINT16:
            assert_same(out, expected, f"{form}(img)")
        else:
            assert_same(cpu_result_on(out, device, f"{form}(img)"), expected.to(device), f"{form}(img)")


# --------------------------------------------------------------------------- to_pil_image


def four_channels(lo=0.0, hi=1.0):
    return floats_chw(channels=st.just(4), lo=lo, hi=hi)


@pytest.mark.parametrize("channels", CHANNELS)
@budget(4)
@given(t4=four_channels())
@example(t4=torch.tensor([[[0.999, 0.5, 1.0, 0.0, 1 / 255, 0.0039]]]).expand(4, 1, 6).contiguous())  # 1 x N
@example(t4=around_levels())  # k/255 and its float32 neighbours, 0 and 1
@example(t4=torch.tensor([[[1.0]], [[0.0]], [[0.999]], [[0.5]]]))  # 1 x 1
@example(t4=torch.tensor([[[0.999], [0.5], [1.0], [0.0039]], [[0.0], [1.0], [0.25], [0.75]]]).repeat(2, 1, 1))  # N x 1
def test_to_pil_image_truncates_x_times_255(device, torchvision, channels, t4):
    """to_pil_image turns a float x in [0, 1] into the pixel trunc(x * 255): truncation, not rounding (0.999 -> 254).

    Ranges over: float32 tensors of 1, 2, 3, 4 channels (modes L, LA, RGB, RGBA); the forms
    F.to_pil_image, ToPILImage() and v2.ToPILImage() (each example checks all three); the whole [0, 1] (0 and 1 included, and each k/255
    with its float32 neighbours: the one below k/255 gives k - 1 where float32 x * 255 falls below k);
    sizes of one pixel, one row, one column and drawn.
    """
    t = t4[:channels]
    expected = torch.floor(t * 255).to(torch.uint8).to(device)  # float32 product, like the implementation
    for form in TO_PIL_FORMS:
        img = converter(torchvision, form)(t.to(device))
        assert img.mode == MODE_OF_CHANNELS[channels], f"{form}(x).mode={img.mode}, but should be {MODE_OF_CHANNELS[channels]}"
        assert_same(chw(img).to(device), expected, f"{form}(x) pixels")


@pytest.mark.parametrize("channels", CHANNELS)
@budget(4)
@given(t4=four_channels(lo=-1.0, hi=2.0))
@example(t4=torch.tensor([[[1.5, -0.5, 2.0, 1.0]]]).repeat(4, 1, 1))
def test_to_pil_image_does_not_clamp_out_of_range_values(device, F, channels, t4):
    """to_pil_image does not clamp: a float outside [0, 1] becomes the unclamped uint8 cast of x * 255.

    Ranges over: float32 tensors of 1-4 channels with values in [-1, 2]; drawn sizes. On x86-64 the cast
    wraps modulo 256 (1.5 -> 126, -0.5 -> 129, 2.0 -> 254), where the note's ``clamp(t * 255, 0, 255)``
    formula gives 255, 0, 255. The spec compares with numpy's own (platform-defined) cast, so it holds
    on any CPU.
    """
    t = t4[:channels]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy may flag the out-of-range cast
        img = F.to_pil_image(t.to(device))
        expected = torch.from_numpy((t.numpy() * np.float32(255)).astype(np.uint8))
    assert_same(chw(img).to(device), expected.to(device))


@pytest.mark.parametrize(
    "dtype, modes",
    [pytest.param(dtype, MODE_OF_CHANNELS, id=dtype_id(dtype)) for dtype in (torch.float16, torch.float32, torch.float64, torch.uint8)]
    + [
        pytest.param(
            torch.int16, {1: "I;16"}, id="int16",
            marks=pytest.mark.torchvision_version(
                ">=0.23",
                reason="older torchvision passes mode='I;16' to Image.fromarray, which Pillow >= 11.3 "
                "deprecated and Pillow 13 rejects for int16 data (ValueError: Invalid mode for data "
                "type); vision#9150 (in 0.23) builds the image with Image.frombuffer instead",
            ),
        ),
        pytest.param(torch.int32, {1: "I"}, id="int32"),
    ],
)
def test_to_pil_image_infers_mode_from_channels_and_dtype(device, F, dtype, modes):
    """to_pil_image picks the mode from channels and dtype: 1/2/3/4 channels of float16/32/64 or uint8 -> L/LA/RGB/RGBA, 1-channel int16 -> I;16, int32 -> I.

    Ranges over: the accepted (dtype, channels) pairs, enumerated (each case: one dtype, with every channel count
    it takes; a failure names both). Integer data keeps its values (no scaling); float data is scaled by 255 (in
    its own dtype).
    """
    for channels, mode in modes.items():
        what = f"to_pil_image({dtype_id(dtype)} {channels}-channel tensor)"
        t = (torch.arange(channels * 6, device=device) * 7 % 200).reshape(channels, 2, 3).to(dtype)
        if dtype.is_floating_point:
            t = t / 255
        img = F.to_pil_image(t)
        assert img.mode == mode, f"{what}.mode={img.mode}, but should be {mode}"
        expected = (t.cpu() * 255).to(torch.uint8) if dtype.is_floating_point else t.cpu()
        got = chw(img)
        assert_same(got.to(expected.dtype) if mode == "I;16" else got, expected, f"{what} pixels")


#: (dtype, channels) to_pil_image accepts; every other pair of ALL x 1..4 channels is refused
ACCEPTED = {(d, c) for d in (torch.float16, torch.float32, torch.float64, torch.uint8) for c in (1, 2, 3, 4)} | {
    (torch.int16, 1), (torch.int32, 1)
}
#: before torchvision 0.17 to_pil_image scaled any floating tensor (bfloat16 too) to uint8 *before* numpy(),
#: so bfloat16 gave an L/RGB image; vision#8097 (0.17) converts to numpy first, which refuses bfloat16
BFLOAT16_REFUSED_SINCE = pytest.mark.torchvision_version(
    ">=0.17",
    reason="torchvision 0.15/0.16 to_pil_image did pic.mul(255).byte() on floating tensors before .numpy(), so "
    "bfloat16 became an L/RGB image; vision#8097 (torchvision 0.17) calls .numpy() first, which refuses bfloat16 "
    "(checked: an image on 0.15.2 and 0.16.2, TypeError on 0.17.2 and later)",
)
REFUSED = [
    pytest.param(d, c, id=f"{dtype_id(d)}-{c}ch", marks=BFLOAT16_REFUSED_SINCE if d == torch.bfloat16 else ())
    for d in ALL for c in (1, 3) if (d, c) not in ACCEPTED
]


@pytest.mark.parametrize("dtype, channels", REFUSED)
def test_to_pil_image_rejects_unsupported_dtypes_with_TypeError(device, F, dtype, channels):
    """to_pil_image raises TypeError for every dtype it cannot map to a mode: bool, int8, int64, bfloat16, complex, multi-channel int16/int32.

    Ranges over: every dtype of ALL with 1 and 3 channels, except the accepted pairs (float16/32/64 and
    uint8 with any channels, 1-channel int16/int32). The message says "Input type ... is not supported";
    for bfloat16 the refusal comes earlier, from ``Tensor.numpy()`` ("Got unsupported ScalarType BFloat16");
    the bfloat16 cases are gated to torchvision >= 0.17 (before, it was scaled to uint8 first: an image).
    """
    t = torch.zeros(channels, 2, 2, dtype=dtype, device=device)
    try:
        img = F.to_pil_image(t)
    except TypeError as exc:
        assert re.search("not supported|unsupported ScalarType", str(exc)), f"TypeError {exc!r} does not say 'not supported'"
    else:
        pytest.fail(f"returned a mode {img.mode} image, but should raise TypeError")


@pytest.mark.parametrize("channels", CHANNELS[1:])
@budget(3)
@given(t4=four_channels())
@example(t4=torch.tensor([[[0.999]], [[0.5]], [[1.0]], [[0.25]]]))
@example(t4=torch.tensor([[[0.999, 0.0]], [[0.5, 1.0]], [[0.0, 0.999]], [[1.0, 0.5]]]))
def test_note_inverse_formula_agrees_with_to_pil_image_on_unit_interval(device, F, channels, t4):
    """On [0, 1] and for 2, 3 or 4 channels the note's fromarray(clamp(t*255, 0, 255).byte().permute(1, 2, 0).numpy()) equals to_pil_image(t).

    Ranges over: 2, 3, 4 channels (LA, RGB, RGBA), drawn sizes and values in [0, 1]. Same mode, size and
    pixels: both truncate. For 1 channel see the next spec.
    """
    x = t4[:channels].to(device)
    manual = Image.fromarray(torch.clamp(x * 255, min=0, max=255).byte().permute(1, 2, 0).cpu().numpy())
    assert_image_same(F.to_pil_image(x), manual)


@budget(1)
@given(t=floats_chw(channels=st.just(1)))
@example(t=torch.tensor([[[0.999, 0.5, 1.0, 0.0]]]))
def test_note_inverse_formula_raises_TypeError_for_one_channel_where_to_pil_image_gives_mode_L(device, F, t):
    """For a 1 x H x W float tensor the note's inverse formula raises TypeError (Image.fromarray refuses an H x W x 1 uint8 array), while to_pil_image gives a mode L image of trunc(x * 255).

    Ranges over: one-channel float32 tensors, drawn sizes and values in [0, 1].
    """
    x = t.to(device)
    hw1 = torch.clamp(x * 255, min=0, max=255).byte().permute(1, 2, 0).cpu().numpy()
    assert hw1.shape == (t.shape[1], t.shape[2], 1), f"formula array shape={hw1.shape}, but should be H x W x 1"
    with raises(TypeError, re.escape("Cannot handle this data type"), "Image.fromarray(H x W x 1 uint8 array)"):
        Image.fromarray(hw1)
    img = F.to_pil_image(x)
    assert img.mode == "L", f"to_pil_image(1 x H x W tensor).mode={img.mode}, but should be L"
    assert_same(chw(img).to(device), torch.floor(t * 255).to(torch.uint8).to(device), "to_pil_image(x) pixels")


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("mode", pil_mode_params(("L", "LA", "RGB", "RGBA")))
@budget(4)
@given(size=image_sizes, raw=pixel_bytes)
@every_image_size
def test_uint8_image_to_tensor_to_pil_is_the_identity(device, F, mode, size, raw):
    """A uint8 image (L, LA, RGB, RGBA) -> to_tensor -> device -> to_pil_image comes back identical: same mode, size and pixels.

    Ranges over: modes L, LA, RGB, RGBA; every byte value (the examples hold all 256); sizes as above.
    """
    img = image(pil_array(mode, size, raw), mode)
    back = F.to_pil_image(cpu_result_on(F.to_tensor(img), device))
    assert_image_same(back, img)


@budget(1)
@given(size=image_sizes, raw=pixel_bytes)
@example(size=(2, 9), raw=ALL_BYTES)
def test_bilevel_image_comes_back_as_mode_L_with_0_and_255(device, F, size, raw):
    """A mode 1 image -> to_tensor -> to_pil_image comes back as mode L with pixels 0 and 255 (not as mode 1).

    Ranges over: mode 1 images, drawn sizes and pixels.
    """
    arr = pil_array("1", size, raw)
    back = F.to_pil_image(cpu_result_on(F.to_tensor(image(arr, "1")), device))
    assert_image_same(back, image(arr.astype(np.uint8) * 255, "L"))


@pytest.mark.parametrize("channels", CHANNELS)
@budget(4)
@given(size=image_sizes, raw=pixel_bytes)
@example(size=(8, 8), raw=ALL_BYTES)
def test_multiples_of_1_255_survive_tensor_to_pil_to_tensor(device, F, channels, size, raw):
    """A float tensor of multiples of 1/255 -> to_pil_image -> to_tensor comes back exactly.

    Ranges over: 1-4 channels, every k/255 (the example holds all 256), drawn sizes.
    """
    k = torch.from_numpy(np.resize(raw, (channels, *size)))
    t = (k.float() / 255).to(device)
    assert_same(cpu_result_on(F.to_tensor(F.to_pil_image(t)), device), t)


@pytest.mark.parametrize("channels", CHANNELS)
@budget(4)
@given(t4=four_channels())
@example(t4=torch.tensor([[[0.999, 0.5, 1 / 255 - 1e-7, 0.99999994]]]).repeat(4, 1, 1))
@example(t4=around_levels())  # k/255 and its float32 neighbours, 0 and 1
def test_unit_floats_come_back_at_most_1_255_below(device, F, channels, t4):
    """Any float x in [0, 1] -> to_pil_image -> to_tensor comes back as y with x - 1/255 < y <= x (truncation, never above).

    Ranges over: float32 tensors of 1-4 channels, values over [0, 1], drawn sizes. "<= x" up to float32
    rounding of x * 255 (2**-24 / 255).
    """
    x = t4[:channels].to(device)
    y = cpu_result_on(F.to_tensor(F.to_pil_image(x)), device)
    below = (x - y).cpu()
    assert float(below.max()) < 1 / 255, f"max(x - y)={float(below.max())}, but should be < 1/255"
    assert float(below.min()) >= -(2**-24) / 255, f"min(x - y)={float(below.min())}: came back above x"


@pytest.mark.parametrize("form", form_params(TO_PIL_FORMS))
def test_to_pil_image_accepts_device_and_requires_grad_tensors(device, torchvision, form):
    """to_pil_image accepts a tensor on any device, and one that requires grad, giving the image of its values.

    Ranges over: the forms F.to_pil_image, ToPILImage() and v2.ToPILImage().
    """
    cpu = torch.linspace(0, 1, 3 * 4 * 5).reshape(3, 4, 5)
    x = cpu.to(device).requires_grad_()
    assert_device(x, device)
    convert = converter(torchvision, form)
    try:
        img = convert(x)
    except Exception as exc:  # noqa: BLE001 - any refusal breaks the claim
        pytest.fail(f"{form} raised {type(exc).__name__}: {exc}")
    assert_image_same(img, torchvision.transforms.functional.to_pil_image(cpu))
    assert x.requires_grad and x.grad is None, "input was changed"


# --------------------------------------------------------------------------- transforms v2


@pytest.mark.torchvision_version(">=0.16", reason="v2.ToImage and ToDtype(scale=True) arrived with stable v2 in 0.16")
@pytest.mark.parametrize("mode", pil_mode_params(("L", "LA", "RGB", "RGBA", "CMYK", "YCbCr", "P")))
@budget(7)
@given(size=image_sizes, raw=pixel_bytes)
@every_image_size
def test_v2_to_image_to_dtype_matches_to_tensor_within_2_pow_minus_24(device, F, v2, mode, size, raw):
    """Compose([ToImage(), ToDtype(float32, scale=True)]) agrees with ToTensor to within 2**-24, not bitwise.

    Ranges over: the 8-bit modes L, LA, RGB, RGBA, CMYK, YCbCr, P; every byte value (the examples hold
    all 256 in the square RGBA/CMYK images); sizes as above. v1 divides by 255 (correctly rounded k/255);
    v2 multiplies by the float32 nearest 1/255 and rounds again, so 126 of the 256 levels differ, each by
    one float32 ulp of [0.5, 1), 2**-24 (half the ulp of 1.0); no level differs by more. ToImage takes
    the PIL image on cpu; its tensor is moved to the device and handed to ToImage again, so ToImage,
    ToDtype and ToPureTensor run on a tensor already on the device and must keep it there.
    """
    img = image(pil_array(mode, size, raw), mode)
    moved = v2.ToImage()(img).as_subclass(torch.Tensor).to(device)
    image_tensor = v2.ToImage()(moved)
    assert_device(image_tensor, device, "ToImage()(device tensor)")
    out = v2.ToPureTensor()(v2.ToDtype(torch.float32, scale=True)(image_tensor))
    assert type(out) is torch.Tensor, f"type(ToPureTensor()(...))={type(out).__name__}, but should be Tensor"
    assert_device(out, device, "ToDtype(float32, scale=True)(device image)")
    assert_dtype(out, torch.float32)
    expected = cpu_result_on(F.to_tensor(img), device, "to_tensor(img)")
    torch.testing.assert_close(out, expected, rtol=0, atol=2**-24, msg=lambda m: f"{m}")
    if torch.unique(chw(img)).numel() == 256:  # all levels present: some must differ in the last bit
        assert not torch.equal(out, expected), "v2 output equals to_tensor bitwise on all 256 levels, but should differ"


def test_v2_ToTensor_warns_that_it_is_deprecated(device, v2):
    """Constructing v2.ToTensor emits a UserWarning that it is deprecated (and still returns ToTensor's result).

    Ranges over: the one constructor call (the claim is about the warning; its conversion is the 8-bit scaling claim's v2.ToTensor() form).

    The warning exists since v2 first shipped (torchvision 0.15); its suggested replacement changed
    from PILToTensor + ConvertImageDtype (0.15) to ToImage + ToDtype (0.16+), so only the common
    part is matched.
    """
    img = image(np.arange(12, dtype=np.uint8).reshape(2, 2, 3), "RGB")
    with warnings_recorded() as caught:
        transform = v2.ToTensor()
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    assert any("ToTensor()` is deprecated" in m for m in messages), f"warnings={messages}"
    assert_same(transform(img).to(device), (chw(img).float() / 255).to(device))


@pytest.mark.torchvision_version(">=0.16", reason="v2.ToImage and ToDtype(scale=True) arrived with stable v2 in 0.16")
@given(arr=hnp.arrays(np.int32, st.tuples(sides, sides), elements=st.integers(0, 2**31 - 1)))
@example(arr=np.array([[0, 1, 2**31 - 1]], np.int32))
def test_v2_scales_mode_I_by_int32_max_where_v1_does_not(device, F, v2, arr):
    """v2 ToImage + ToDtype(float32, scale=True) divides a mode I image by 2**31 - 1; v1 to_tensor keeps the int32 values.

    Ranges over: mode I images with non-negative int32 pixels up to 2**31 - 1, drawn sizes (negative pixels are out of scope: the claim is the scale factor).
    """
    img = image(arr, "I")
    out = v2.ToDtype(torch.float32, scale=True)(v2.ToImage()(img).to(device)).as_subclass(torch.Tensor)
    expected = (torch.from_numpy(arr)[None].float() * (1.0 / (2**31 - 1))).to(device)
    torch.testing.assert_close(out, expected, rtol=2**-23, atol=0, msg=lambda m: f"{m}")
    assert_same(cpu_result_on(F.to_tensor(img), device), torch.from_numpy(arr)[None].to(device))


@pytest.mark.torchvision_version(
    ">=0.20", reason="uint16 images (ToImage of I;16) and ToDtype scaling from uint16: vision#8524, torchvision 0.20"
)
@given(arr=hnp.arrays(np.uint16, st.tuples(sides, sides)))
@example(arr=np.array([[0, 1, 40000, 65535]], np.uint16))
def test_v2_scales_mode_I16_by_65535_where_v1_does_not(device, F, v2, arr):
    """v2 reads an I;16 image as uint16 and ToDtype(float32, scale=True) divides it by 65535; v1 to_tensor gives unscaled int16.

    Ranges over: mode I;16 images with any uint16 pixel (0, 40000, 65535 in the example), drawn sizes.
    """
    img = image(arr, "I;16")
    raw = v2.ToImage()(img)
    assert_dtype(raw, torch.uint16)
    # scaled on cpu: uint16 is a "barebones" dtype with few kernels, so only the result is moved
    out = v2.ToDtype(torch.float32, scale=True)(raw).as_subclass(torch.Tensor).to(device)
    expected = (torch.from_numpy(arr.astype(np.float32))[None] / 65535).to(device)
    torch.testing.assert_close(out, expected, rtol=2**-23, atol=0, msg=lambda m: f"{m}")
    assert_dtype(F.to_tensor(img), torch.int16)


# --------------------------------------------------------------------------- under torch.compile


@pytest.mark.torchvision_version(">=0.16", reason="v2.functional.to_dtype(scale=True) arrived with stable v2 in 0.16")
@compile_budget()
@given(size=image_sizes, raw=pixel_bytes)
@example(size=(8, 8), raw=ALL_BYTES)
def test_v2_to_dtype_scaling_a_uint8_image_under_compile(device, backend, v2, size, raw):
    """torch.compile of v2's to_dtype(uint8 image, float32, scale=True) -- ToTensor's replacement -- gives eager's result bit for bit.

    Ranges over: 3 x H x W uint8 tensors on the spec's device (every byte value in the example), drawn
    sizes; two calls of one compiled function, the second after the pixels were inverted in place (no
    stale result). Compared with specs/differential.py: values exactly (v2's multiply by the float32
    1/255), dtype, device, shape, no aliasing with the input, the input left unchanged.
    """
    from torchvision.transforms.v2 import functional as F2
    from specs.differential import Call

    pixels = np.resize(raw, (3, *size))

    def scale(x):
        return F2.to_dtype(x, torch.float32, scale=True)

    calls = [Call(name="first"), Call(lambda x: x.bitwise_not_(), name="after inverting the pixels in place")]
    assert_compiles_like_eager(scale, lambda: (torch.from_numpy(pixels.copy()).to(device),), backend, calls=calls)


# --- release history (mined from release notes; see docs/release-history.md)

import importlib as _importlib  # noqa: E402
import sys as _sys  # noqa: E402

FUNCTIONAL_TENSOR = (
    "torchvision.transforms.functional_tensor (and functional_pil) were deprecated in torchvision 0.15 -- importing "
    "them warns that they will be removed in 0.17 -- and removed in 0.17 "
    "(https://github.com/pytorch/vision/releases/tag/v0.15.1, https://github.com/pytorch/vision/releases/tag/v0.17.0); "
    "checked: warns on 0.15/0.16, ModuleNotFoundError on 0.17-0.29"
)
RESIZE_ANTIALIAS = (
    "the antialias default of the resizing transforms on tensors changed from None (no antialiasing, with a "
    "UserWarning that it will change) to True in torchvision 0.17, so tensors and PIL images resize alike "
    "(https://github.com/pytorch/vision/releases/tag/v0.17.0); checked: warns and does not antialias on 0.15/0.16, "
    "antialiases silently on 0.17-0.29"
)
V2_NAMES = (
    "torchvision 0.16 made transforms v2 stable and renamed ToImageTensor -> ToImage and torchvision.datapoints -> "
    "torchvision.tv_tensors (https://github.com/pytorch/vision/releases/tag/v0.16.0); checked: old names on 0.15, "
    "new names on 0.16-0.29"
)
UINT16_NDARRAY = (
    "to_tensor of a uint16 ndarray goes through torch.from_numpy, which accepts uint16 from torch 2.3 "
    "(https://github.com/pytorch/pytorch/releases/tag/v2.3.0); checked: TypeError on 2.0-2.2, an unscaled uint16 "
    "tensor on 2.3-2.15"
)


def _fresh_import(name):
    """Import ``name`` anew (dropping a cached copy) and return (module or the exception, the warnings it raised)."""
    _sys.modules.pop(name, None)
    with warnings_recorded() as caught:
        try:
            module = _importlib.import_module(name)
        except ImportError as e:
            module = e
    return module, [(w.category, str(w.message)) for w in caught if "deprecated" in str(w.message)]


@pytest.mark.device_independent
@pytest.mark.torchvision_version("<0.17", reason=FUNCTIONAL_TENSOR)
def test_transforms_functional_tensor_imports_with_a_removal_warning_before_0_17(torchvision):
    """Before torchvision 0.17, importing torchvision.transforms.functional_tensor works but warns UserWarning that the module is deprecated and will be removed in 0.17."""
    module, found = _fresh_import("torchvision.transforms.functional_tensor")
    assert not isinstance(module, ImportError), f"importing functional_tensor raised {module!r}"
    assert [c for c, _ in found] == [UserWarning], f"importing functional_tensor warned {found}, but should warn one UserWarning"
    assert "0.17" in found[0][1], f"the warning {found[0][1]!r} does not name 0.17"


@pytest.mark.device_independent
@pytest.mark.torchvision_version(">=0.17", reason=FUNCTIONAL_TENSOR)
def test_transforms_functional_tensor_is_gone_from_0_17(torchvision):
    """From torchvision 0.17, torchvision.transforms.functional_tensor no longer exists (ModuleNotFoundError); its functions live in transforms.functional and transforms.v2.functional."""
    module, _ = _fresh_import("torchvision.transforms.functional_tensor")
    assert isinstance(module, ModuleNotFoundError), f"importing functional_tensor gave {module!r}, but should raise ModuleNotFoundError"
    assert callable(torchvision.transforms.functional.resize), "transforms.functional.resize is missing"


def _resize(T, device):
    x = torch.arange(64.0, device=device).reshape(1, 8, 8)
    with warnings_recorded() as caught:
        out = T.Resize(3)(x)
    found = [(w.category, str(w.message)) for w in caught if "antialias" in str(w.message)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain, smooth = T.Resize(3, antialias=False)(x), T.Resize(3, antialias=True)(x)
    assert not torch.equal(plain, smooth), "antialias=True and False give the same 3x3 image of an 8x8 ramp"
    return out, plain, smooth, found


@pytest.mark.torchvision_version("<0.17", reason=RESIZE_ANTIALIAS)
def test_resize_of_a_tensor_does_not_antialias_by_default_and_warns_before_0_17(device, T):
    """Before torchvision 0.17, Resize of a tensor without an antialias argument does not antialias (unlike PIL) and warns UserWarning that the default will change."""
    out, plain, _, found = _resize(T, device)
    assert found and all(c is UserWarning for c, _ in found), f"Resize(3)(tensor) warned {found}, but should warn UserWarning about antialias"
    assert_same(out, plain, "Resize(3)(x) vs Resize(3, antialias=False)(x)")


@pytest.mark.torchvision_version(">=0.17", reason=RESIZE_ANTIALIAS)
def test_resize_of_a_tensor_antialiases_by_default_from_0_17(device, T):
    """From torchvision 0.17, Resize of a tensor without an antialias argument antialiases (as PIL does) and warns nothing."""
    out, _, smooth, found = _resize(T, device)
    assert found == [], f"Resize(3)(tensor) warned {found}, but should be silent"
    assert_same(out, smooth, "Resize(3)(x) vs Resize(3, antialias=True)(x)")


@pytest.mark.torchvision_version("<0.16", reason=V2_NAMES)
def test_v2_image_conversion_is_to_image_tensor_returning_datapoints_in_0_15(device, v2, torchvision):
    """In torchvision 0.15, transforms v2 converts with ToImageTensor (no ToImage yet), which returns a torchvision.datapoints.Image."""
    assert not hasattr(v2, "ToImage"), "v2.ToImage exists in 0.15"
    img = v2.ToImageTensor()(torch.zeros(3, 2, 2, dtype=torch.uint8, device=device))
    import torchvision.datapoints as datapoints

    assert isinstance(img, datapoints.Image), f"ToImageTensor returned {type(img).__name__}, but should return datapoints.Image"
    assert img.device.type == device.type, f"ToImageTensor moved the tensor to {img.device}"


@pytest.mark.torchvision_version(">=0.16", reason=V2_NAMES)
def test_v2_image_conversion_is_to_image_returning_tv_tensors_from_0_16(device, v2, torchvision):
    """From torchvision 0.16, transforms v2 converts with ToImage (ToImageTensor is gone), which returns a torchvision.tv_tensors.Image."""
    assert not hasattr(v2, "ToImageTensor"), "v2.ToImageTensor still exists"
    img = v2.ToImage()(torch.zeros(3, 2, 2, dtype=torch.uint8, device=device))
    import torchvision.tv_tensors as tv_tensors

    assert isinstance(img, tv_tensors.Image), f"ToImage returned {type(img).__name__}, but should return tv_tensors.Image"
    assert img.device.type == device.type, f"ToImage moved the tensor to {img.device}"


@pytest.mark.torch_version("<2.3", reason=UINT16_NDARRAY)
def test_to_tensor_refuses_a_uint16_ndarray_before_torch_2_3(device, F):
    """Before torch 2.3, to_tensor of a uint16 H x W x C ndarray raises TypeError (torch.from_numpy has no uint16)."""
    arr = np.full((2, 3, 1), 65535, np.uint16)
    with raises(TypeError, r"numpy\.uint16", "to_tensor(uint16 array)"):
        F.to_tensor(arr)
    assert_same(F.to_tensor(arr.astype(np.int32)).to(device).cpu(), torch.full((1, 2, 3), 65535, dtype=torch.int32), "to_tensor(int32 copy)")


@pytest.mark.torch_version(">=2.3", reason=UINT16_NDARRAY)
def test_to_tensor_keeps_a_uint16_ndarray_unscaled_from_torch_2_3(device, F):
    """From torch 2.3, to_tensor of a uint16 H x W x C ndarray gives a C x H x W uint16 tensor with the values unscaled (65535 stays 65535)."""
    arr = np.arange(6, dtype=np.uint16).reshape(2, 3, 1) * 13107  # 0 ... 65535
    out = F.to_tensor(arr)
    assert_dtype(out, torch.uint16, "to_tensor(uint16 array)")
    expected = torch.from_numpy(np.ascontiguousarray(arr.transpose(2, 0, 1)))
    assert_same(out, expected, "to_tensor(uint16 array)")
    # uint16 has few kernels off cpu: widened on cpu, then moved, the values survive on the device under test
    assert_same(out.to(torch.int32).to(device), expected.to(torch.int32).to(device), "to_tensor(uint16 array) as int32 on the device")


FLOAT_NDARRAY_TO_PIL = (
    "to_pil_image of a 1-channel float ndarray: torchvision 0.15/0.16 made a mode-F image of the raw floats (and "
    "refused float64); from 0.17 it scales by 255 into a mode-L image like a float tensor "
    "(https://github.com/pytorch/vision/releases/tag/v0.17.0); checked: F on 0.15/0.16, L on 0.17-0.29"
)
BFLOAT16_TO_PIL = (
    "to_pil_image of a bfloat16 tensor: torchvision 0.15/0.16 converted it like float32; from 0.17 it raises TypeError "
    "'Got unsupported ScalarType BFloat16' (it goes through .numpy(), which has no bfloat16) "
    "(https://github.com/pytorch/vision/releases/tag/v0.17.0); checked: RGB on 0.15/0.16, TypeError on 0.17-0.29"
)
V2_HW_NDARRAY = (
    "v2.ToImage of a 2-D (H x W) ndarray raised RuntimeError 'permute(sparse_coo): number of dimensions ...' in "
    "torchvision 0.16/0.17 and gives a 1 x H x W image from 0.18 (https://github.com/pytorch/vision/releases/tag/v0.18.0); "
    "checked: RuntimeError on 0.16/0.17, 1 x H x W on 0.18-0.29"
)


@pytest.mark.device_independent
@pytest.mark.torchvision_version("<0.17", reason=FLOAT_NDARRAY_TO_PIL)
def test_to_pil_image_of_a_float_ndarray_is_a_mode_f_image_of_the_raw_values_before_0_17(F):
    """Before torchvision 0.17, to_pil_image of a 1-channel float32 H x W x 1 ndarray makes a mode-F image of the unscaled values (float64 is refused with TypeError)."""
    arr = np.array([[[0.25], [1.0]]], np.float32)
    img = F.to_pil_image(arr)
    assert img.mode == "F", f"to_pil_image(float32 array).mode={img.mode}, but should be F"
    assert [img.getpixel((0, 0)), img.getpixel((1, 0))] == [0.25, 1.0], "mode-F pixels are not the array's values"
    with raises(TypeError, r"float64", "to_pil_image(float64 array)"):
        F.to_pil_image(arr.astype(np.float64))


@pytest.mark.device_independent
@pytest.mark.torchvision_version(">=0.17", reason=FLOAT_NDARRAY_TO_PIL)
def test_to_pil_image_of_a_float_ndarray_scales_it_into_mode_l_from_0_17(F):
    """From torchvision 0.17, to_pil_image of a 1-channel float32 or float64 H x W x 1 ndarray multiplies by 255 and truncates into a mode-L image, as for a float tensor."""
    arr = np.array([[[0.25], [1.0]]], np.float32)
    for a in (arr, arr.astype(np.float64)):
        img = F.to_pil_image(a)
        assert img.mode == "L", f"to_pil_image({a.dtype} array).mode={img.mode}, but should be L"
        assert [img.getpixel((0, 0)), img.getpixel((1, 0))] == [63, 255], (
            f"to_pil_image({a.dtype} array) pixels {[img.getpixel((0, 0)), img.getpixel((1, 0))]}, but should be [63, 255]"
        )


@pytest.mark.torchvision_version("<0.17", reason=BFLOAT16_TO_PIL)
def test_to_pil_image_converts_a_bfloat16_tensor_like_float32_before_0_17(device, F):
    """Before torchvision 0.17, to_pil_image of a 3-channel bfloat16 tensor gives the RGB image of its float32 values."""
    t = torch.tensor([[[0.5]], [[1.0]], [[0.0]]], dtype=torch.bfloat16, device=device)
    img = F.to_pil_image(t)
    assert img.mode == "RGB", f"to_pil_image(bfloat16).mode={img.mode}, but should be RGB"
    assert img.getpixel((0, 0)) == F.to_pil_image(t.float().cpu()).getpixel((0, 0)), "bfloat16 and float32 images differ"


@pytest.mark.torchvision_version(">=0.17", reason=BFLOAT16_TO_PIL)
def test_to_pil_image_refuses_a_bfloat16_tensor_from_0_17(device, F):
    """From torchvision 0.17, to_pil_image of a bfloat16 tensor raises TypeError (numpy has no bfloat16); converting it to float32 first works."""
    t = torch.tensor([[[0.5]], [[1.0]], [[0.0]]], dtype=torch.bfloat16, device=device)
    with raises(TypeError, r"BFloat16", "to_pil_image(bfloat16 tensor)"):
        F.to_pil_image(t)
    assert F.to_pil_image(t.float()).getpixel((0, 0)) == (127, 255, 0), "to_pil_image(t.float()) pixel is not (127, 255, 0)"


@pytest.mark.device_independent
@pytest.mark.torchvision_version(">=0.16,<0.18", reason=V2_HW_NDARRAY)
def test_v2_to_image_refuses_a_2d_ndarray_before_0_18(v2):
    """In torchvision 0.16 and 0.17, v2.ToImage of a 2-D (H x W) ndarray raises RuntimeError (it permutes as if there were a channel axis)."""
    with raises(RuntimeError, r"permute", "v2.ToImage()(H x W array)"):
        v2.ToImage()(np.zeros((2, 3), np.uint8))


@pytest.mark.device_independent
@pytest.mark.torchvision_version(">=0.18", reason=V2_HW_NDARRAY)
def test_v2_to_image_of_a_2d_ndarray_is_a_one_channel_image_from_0_18(v2):
    """From torchvision 0.18, v2.ToImage of a 2-D (H x W) ndarray gives a 1 x H x W image with the same pixels."""
    arr = np.arange(6, dtype=np.uint8).reshape(2, 3)
    img = v2.ToImage()(arr)
    assert tuple(img.shape) == (1, 2, 3), f"v2.ToImage()(2 x 3 array).shape={tuple(img.shape)}, but should be (1, 2, 3)"
    assert_same(img.as_subclass(torch.Tensor), torch.from_numpy(arr)[None], "v2.ToImage()(H x W array)")


# --- release history, round 2 (mined from release notes and the tracker)

V2_RGB = (
    "torchvision 0.18 added v2.RGB / v2.functional.grayscale_to_rgb, which expands a 1-channel image to 3 equal "
    "channels and passes a 3-channel image through (vision#8247 for vision#8186 'ToRGB() Transform'; "
    "https://github.com/pytorch/vision/releases/tag/v0.18.0); checked: missing on 0.16.2 and 0.17.2, present on 0.18.1, "
    "0.19.1, 0.21.0, 0.24.1 and 0.29.1"
)

#: input form -> (make it from a C x H x W uint8 array, C = 1 or 3; read it back as a C x H x W array)
RGB_FORMS = {
    "tv_tensors.Image": (lambda a: __import__("torchvision").tv_tensors.Image(torch.from_numpy(a)), lambda o: o.as_subclass(torch.Tensor).numpy()),
    "plain tensor": (lambda a: torch.from_numpy(a), lambda o: o.numpy()),
    "PIL L": (lambda a: Image.fromarray(a[0] if len(a) == 1 else a.transpose(1, 2, 0)), lambda o: np.asarray(o).transpose(2, 0, 1)),
}


@pytest.mark.device_independent
@pytest.mark.torchvision_version(">=0.16,<0.18", reason=V2_RGB)
def test_v2_has_no_rgb_transform_before_0_18(v2):
    """Before torchvision 0.18, transforms v2 has no RGB transform and no functional grayscale_to_rgb."""
    import torchvision.transforms.v2.functional as F2

    assert not hasattr(v2, "RGB"), "v2.RGB exists"
    assert not hasattr(F2, "grayscale_to_rgb"), "v2.functional.grayscale_to_rgb exists"


@pytest.mark.device_independent
@pytest.mark.torchvision_version(">=0.18", reason=V2_RGB)
@pytest.mark.parametrize("form", list(RGB_FORMS))
def test_v2_rgb_expands_one_channel_to_three_equal_channels_from_0_18(v2, form):
    """From torchvision 0.18, v2.RGB() turns a 1-channel image (tv_tensors.Image, plain tensor, PIL L) into 3 channels each equal to it, keeping uint8, and passes a 3-channel image through unchanged.

    Over the input forms; the oracle is the numpy array repeated along the channel axis.
    """
    make, read = RGB_FORMS[form]
    a = np.arange(12, dtype=np.uint8).reshape(1, 3, 4) * 20
    out = v2.RGB()(make(a))
    got = read(out)
    assert got.dtype == np.uint8, f"v2.RGB() of a {form} gave dtype {got.dtype}, but should keep uint8"
    np.testing.assert_array_equal(got, np.repeat(a, 3, axis=0), err_msg=f"v2.RGB() of a 1-channel {form}")
    three = np.concatenate([a, a + 1, a + 2])  # as PIL: a mode-RGB image
    np.testing.assert_array_equal(read(v2.RGB()(make(three))), three, err_msg=f"v2.RGB() of a 3-channel {form}")


# --- round 3: ToDtype's scaling rules and routing, tv_tensors.Image unwrapping, ToImage's memory, ToPILImage's mode

from specs.inputs import FLOAT_NUMPY, INTEGRAL, TORCH_TO_NUMPY, bfloat16_rounded, dtype_params  # noqa: E402

V2_STABLE = pytest.mark.torchvision_version(
    ">=0.16", reason="ToDtype(scale=...) and torchvision.tv_tensors arrived with stable transforms v2 in torchvision 0.16 "
    "(https://github.com/pytorch/vision/releases/tag/v0.16.0); checked: the claims gated by it hold on 0.16.2, 0.19.1, 0.20.1, "
    "0.29.1 and 0.29.2"
)
HALF_TO_INT_BUG = pytest.mark.known_bug(
    ">=2.0",
    torchvision=">=0.16",
    issue="https://github.com/pytorch/vision/issues/6799",
    reason="to_dtype(scale=True) (and convert_image_dtype) multiplies a float16/bfloat16 image by 255 + 1 - 1e-3 in the "
    "image's own dtype, where 255.999 rounds to 256.0: 1.0 becomes 256, which wraps to 0 in uint8 (bfloat16: 0.999 too; "
    "float16 0.5 gives 128). Open since 2022, fix proposed in vision#9485. Checked: fails on torchvision 0.16.2, 0.19.1, "
    "0.20.1, 0.29.1 and 0.29.2 (torch 2.1.2, 2.4.1, 2.5.1, 2.14.1, 2.15.0)",
)
#: floats in [0, 1]: every k/255 with its float32 neighbours (and their midpoints), 0.5, 0.999, 1.0 and a ramp of 1001 steps
UNIT_FLOATS = torch.cat([around_levels(range(256)).flatten(), torch.tensor([0.0, 0.5, 0.999, 0.9999, 1.0]), torch.linspace(0, 1, 1001)])


def _tv():
    import torchvision.tv_tensors as tv_tensors

    return tv_tensors


@V2_STABLE
@pytest.mark.parametrize("dtype", dtype_params(FLOATING, marks={torch.float16: HALF_TO_INT_BUG, torch.bfloat16: HALF_TO_INT_BUG}))
def test_v2_to_dtype_scales_a_float_image_to_uint8_as_trunc_x_times_255_999(device, v2, dtype):
    """ToDtype(uint8, scale=True) maps a float pixel x in [0, 1] to trunc(x * 255.999): 1.0 -> 255 and 0.999 -> 255, where to_pil_image's trunc(x * 255) gives 254.

    Ranges over: the floating dtypes float16, bfloat16, float32, float64 (float16/bfloat16: a known bug, vision#6799:
    255.999 rounds to 256 in them, so 1.0 wraps to 0); every k/255 with its float32 neighbours, 0.5, 0.999, 1.0 and a
    ramp of 1001 steps over [0, 1], held by a tv_tensors.Image on the device. The factor is 255 + 1 - 1e-3 so that
    [0, 1] spreads evenly over the 256 levels without a rounding step (torchvision's comment, vision#2078); the
    product is taken in the image's precision, at least float32. The oracle is numpy's floor of that product.
    """
    x = UNIT_FLOATS.to(dtype)
    wide = np.float64 if dtype == torch.float64 else np.float32
    xs = x.to(torch.float64 if dtype == torch.float64 else torch.float32).numpy()
    expected = torch.from_numpy(np.floor(xs * wide(255.999)).astype(np.uint8)).reshape(1, 1, -1)
    out = v2.ToDtype(torch.uint8, scale=True)(_tv().Image(x.reshape(1, 1, -1).to(device)))
    assert isinstance(out, _tv().Image), f"ToDtype returned {type(out).__name__}, but should return tv_tensors.Image"
    assert_same(out.as_subclass(torch.Tensor), expected.to(device), f"ToDtype(uint8, scale=True)({dtype_id(dtype)} image)")


VALUE_BITS = {torch.uint8: 8, torch.int8: 7, torch.int16: 15, torch.int32: 31, torch.int64: 63}
#: the integer dtypes, one case each of the spec below as the source (every other one is a target in every case)
INT_SOURCES = [pytest.param(s, id=dtype_id(s)) for s in INTEGRAL]


def int_extremes(np_dtype) -> np.ndarray:
    """min, max, 0, +-1..3, every 2**k and 2**k - 1 that fits, and their negatives where signed."""
    info = np.iinfo(np_dtype)
    powers = {p + o for k in range(info.bits) for p in (2**k,) for o in (-1, 0) if p + o <= info.max}
    values = {info.min, info.min + 1, info.max, info.max - 1, 0, 1, 2, 3} | powers
    if info.min < 0:
        values |= {-v for v in powers if -v >= info.min} | {-1, -2, -3}
    return np.array(sorted(values), dtype=np_dtype)


@V2_STABLE
@pytest.mark.parametrize("src", INT_SOURCES)
def test_v2_to_dtype_between_integer_dtypes_shifts_by_the_difference_in_value_bits(device, v2, src):
    """ToDtype(scale=True) between integer dtypes shifts by the difference in value bits (uint8 8, int8 7, int16 15, int32 31, int64 63): uint8 255 -> int16 32640 (255 << 7, not 32767), int32 -> uint8 is >> 23.

    Ranges over: every ordered pair of uint8, int8, int16, int32, int64 (each case: one source dtype, converted to every
    other one; a failure names both); each source dtype's min, max, 0, +-1..3 and every 2**k and 2**k - 1 (negatives
    too where signed), as a tv_tensors.Image on the device. Widening shifts left in
    the target dtype (the maximum is not reached: the low bits stay 0); narrowing shifts right (arithmetically:
    negatives stay negative) and then casts (wrapping into uint8). The oracle is numpy's shifts.
    """
    a = int_extremes(TORCH_TO_NUMPY[src])
    for dst in (d for d in INTEGRAL if d != src):
        shift = VALUE_BITS[src] - VALUE_BITS[dst]
        to = TORCH_TO_NUMPY[dst]
        expected = (a >> shift).astype(to) if shift > 0 else a.astype(to) << to.type(-shift)
        out = v2.ToDtype(dst, scale=True)(_tv().Image(torch.from_numpy(a).reshape(1, 1, -1).to(device)))
        assert_same(out.as_subclass(torch.Tensor), torch.from_numpy(expected).reshape(1, 1, -1).to(device),
                    f"ToDtype({dtype_id(dst)}, scale=True)({dtype_id(src)} image)")


def _rounded_to(a: np.ndarray, dtype: torch.dtype) -> np.ndarray:
    """float64 values rounded to ``dtype`` (to nearest, ties to even), held as float64 (bfloat16: the rule on the bits)."""
    if dtype == torch.bfloat16:
        return bfloat16_rounded(a).astype(np.float64)
    with np.errstate(over="ignore"):  # an int32/int64 maximum overflows float16, as in torch: the known bug below
        return a.astype(TORCH_TO_NUMPY[dtype]).astype(np.float64)


HALF_OVERFLOW_BUG = pytest.mark.known_bug(
    ">=2.0",
    torchvision=">=0.16",
    issue="https://github.com/pytorch/vision/issues/6799",
    reason="to_dtype(scale=True) from an integer image converts to the target dtype before scaling, and an int32/int64 "
    "maximum (2**31 - 1, 2**63 - 1) is beyond float16's 65504: it becomes inf, and so does the scaled pixel (the issue's "
    "second case; fix proposed in vision#9485 as a refusal). Checked: inf on torchvision 0.16.2, 0.29.1 and 0.29.2",
)
INT_TO_FLOAT = [
    pytest.param(s, d, id=f"{dtype_id(s)}-to-{dtype_id(d)}",
                 marks=[HALF_OVERFLOW_BUG] if d == torch.float16 and s in (torch.int32, torch.int64) else [])
    for s in INTEGRAL for d in FLOATING
]


@V2_STABLE
@pytest.mark.parametrize("src, dst", INT_TO_FLOAT)
def test_v2_to_dtype_scales_an_integer_image_into_0_1_by_its_dtypes_maximum_for_every_float_dtype(device, v2, src, dst):
    """ToDtype(float dtype, scale=True) of an integer image gives pixel / the integer dtype's maximum, in [0, 1], for every float target.

    Ranges over: every (integer source, float target) pair -- uint8, int8, int16, int32, int64 × float16, bfloat16,
    float32, float64 (enumerated; int32/int64 -> float16 overflow to inf: known bug vision#6799); each source's
    non-negative extremes (0, 1..3, max, max - 1, every 2**k and 2**k - 1), as a tv_tensors.Image on the device,
    through ``v2.ToDtype`` and ``v2.functional.to_dtype``. The oracle is the rule written out in numpy: the pixel
    rounded to the target dtype, times 1/max, in the target's precision (float32 for float16/bfloat16/float32,
    float64 for float64), rounded to the target; every result lies in [0, 1] and the maximum maps to 1.0.
    (uint16 sources are the uint16 claims', from torchvision 0.20.)
    """
    import torchvision.transforms.v2.functional as F2

    info = np.iinfo(TORCH_TO_NUMPY[src])
    a = int_extremes(TORCH_TO_NUMPY[src])
    a = a[a >= 0]
    wide = np.float64 if dst == torch.float64 else np.float32
    product = _rounded_to(a.astype(np.float64), dst).astype(wide) * wide(1.0 / info.max)
    expected = torch.from_numpy(_rounded_to(product.astype(np.float64), dst)).to(dst).reshape(1, 1, -1)
    image = _tv().Image(torch.from_numpy(a).reshape(1, 1, -1).to(device))
    for form, out in (("v2.ToDtype", v2.ToDtype(dst, scale=True)(image)), ("v2.functional.to_dtype", F2.to_dtype(image, dst, scale=True))):
        plain = out.as_subclass(torch.Tensor)
        what = f"{form}({dtype_id(dst)}, scale=True)({dtype_id(src)} image)"
        assert bool(((plain >= 0) & (plain <= 1)).all()), f"{what} holds values outside [0, 1]: max {plain.max().item()}"
        assert plain.flatten()[int(np.argmax(a))].item() == 1.0, f"{what}: the maximum {info.max} maps to {plain.flatten()[int(np.argmax(a))].item()}, but should map to 1.0"
        assert_same(plain, expected.to(device), what)


UNSAFE_FLOAT_TO_INT = [(torch.float32, torch.int32), (torch.float32, torch.int64), (torch.float64, torch.int64)]


@V2_STABLE
@pytest.mark.parametrize("src, dst", [pytest.param(s, d, id=f"{dtype_id(s)}-to-{dtype_id(d)}") for s, d in UNSAFE_FLOAT_TO_INT])
def test_v2_to_dtype_refuses_to_scale_float32_to_int32_or_int64_and_float64_to_int64(device, v2, src, dst):
    """ToDtype(scale=True) raises RuntimeError "cannot be performed safely" for float32 -> int32/int64 and float64 -> int64 (the float's mantissa cannot reach the integer's levels); without scale it casts.

    Ranges over: the three refused (float, int) pairs, a tv_tensors.Image on the device; ToDtype(dst) without
    scale casts the same image (0.5 -> 0, 1.0 -> 1).
    """
    img = _tv().Image(torch.tensor([[[0.0, 0.5, 1.0]]], dtype=src, device=device))
    with raises(RuntimeError, "cannot be performed safely", f"ToDtype({dtype_id(dst)}, scale=True)({dtype_id(src)} image)"):
        v2.ToDtype(dst, scale=True)(img)
    out = v2.ToDtype(dst)(img)
    assert_same(out.as_subclass(torch.Tensor), torch.tensor([[[0, 0, 1]]], dtype=dst, device=device), f"ToDtype({dtype_id(dst)})")


def _sample(device):
    """uint8 pixels k and a sample of every kind: Image, Video, Mask, BoundingBoxes, a plain tensor, a label."""
    tv = _tv()
    k = (torch.arange(12, dtype=torch.uint8) * 23).reshape(3, 2, 2).to(device)
    boxes = tv.BoundingBoxes(torch.tensor([[0, 0, 1, 1]], device=device), format="XYXY", canvas_size=(2, 2))
    return k, {"image": tv.Image(k.clone()), "video": tv.Video(k[None].clone()), "mask": tv.Mask(k[0].clone()),
               "boxes": boxes, "pure": k.clone(), "label": 3}


def _assert_scaled(out, k, kind, what):
    __tracebackhide__ = True
    assert type(out) is kind, f"{what} is {type(out).__name__}, but should be {kind.__name__}"
    assert_dtype(out, torch.float32, what)
    expected = (k.double() / 255).float().to(out.device)
    torch.testing.assert_close(out.as_subclass(torch.Tensor), expected, rtol=0, atol=2**-24, msg=lambda m: f"{what}: {m}")


def _assert_untouched(out, before, what):
    __tracebackhide__ = True
    assert type(out) is type(before), f"{what} is {type(out).__name__}, but should stay {type(before).__name__}"
    assert_same(out.as_subclass(torch.Tensor), before.as_subclass(torch.Tensor), what)


@V2_STABLE
def test_v2_to_dtype_with_one_dtype_converts_only_images_videos_and_a_lone_plain_tensor(device, v2):
    """ToDtype(float32, scale=True) converts and scales tv_tensors.Image and Video, and a plain tensor only when no Image or Video is in the sample; it passes Mask, BoundingBoxes, a plain tensor next to an Image, and non-tensors through unchanged.

    Ranges over: a sample dict holding an Image, a Video, a Mask (uint8), BoundingBoxes (int64), a plain uint8 tensor
    and an int label, on the device; and the plain tensor alone. A torch.dtype means images and videos only (BC with
    ConvertImageDtype; ToDtype's docstring); a plain tensor is treated as an image only when the sample has no
    Image/Video (the pure-tensor heuristic). Scaled values: k/255 to within 2**-24 (v2 multiplies by 1/255).
    """
    tv = _tv()
    k, sample = _sample(device)
    out = v2.ToDtype(torch.float32, scale=True)(dict(sample))
    _assert_scaled(out["image"], k, tv.Image, "out['image']")
    _assert_scaled(out["video"], k[None], tv.Video, "out['video']")
    for key in ("mask", "boxes", "pure"):
        _assert_untouched(out[key], sample[key], f"out[{key!r}]")
    assert out["label"] == 3, f"out['label']={out['label']!r}, but should be 3"
    _assert_scaled(v2.ToDtype(torch.float32, scale=True)(k.clone()), k, torch.Tensor, "ToDtype(float32, scale=True)(plain tensor)")


@V2_STABLE
def test_v2_to_dtype_with_a_dict_converts_each_type_to_its_dtype_and_scales_only_images(device, v2):
    """ToDtype({Image: float32, Mask: int64, "others": None}, scale=True) scales the Image into [0, 1], casts the Mask to int64 unscaled, passes other types through; without "others" a type it does not name raises ValueError.

    Ranges over: a sample of an Image, a Mask and BoundingBoxes on the device. ``scale`` applies to images and videos
    only: the Mask keeps its values (an image-like int -> int scale would shift them left by 55 bits); ``None`` means
    no conversion. The dict form is documented in ToDtype's docstring.
    """
    tv = _tv()
    k, sample = _sample(device)
    picked = {key: sample[key] for key in ("image", "mask", "boxes")}
    out = v2.ToDtype({tv.Image: torch.float32, tv.Mask: torch.int64, "others": None}, scale=True)(dict(picked))
    _assert_scaled(out["image"], k, tv.Image, "out['image']")
    assert type(out["mask"]) is tv.Mask, f"out['mask'] is {type(out['mask']).__name__}, but should be Mask"
    assert_same(out["mask"].as_subclass(torch.Tensor), k[0].to(torch.int64), "out['mask']")
    _assert_untouched(out["boxes"], picked["boxes"], "out['boxes']")
    with raises(ValueError, "No dtype was specified for type", "ToDtype({Image: float32}, scale=True)(sample with a Mask)"):
        v2.ToDtype({tv.Image: torch.float32}, scale=True)(dict(picked))


#: torch operations on a float tv_tensors.Image: name -> (operation, whether it keeps the Image type by default)
IMAGE_OPS = {
    "img + 1": (lambda t: t + 1, False),
    "img * 2": (lambda t: t * 2, False),
    "img.double()": (lambda t: t.double(), False),
    "img[:, :1]": (lambda t: t[:, :1], False),
    "torch.flip(img, [-1])": (lambda t: torch.flip(t, [-1]), False),
    "img.sum()": (lambda t: t.sum(), False),
    "img.clone().add_(1)": (lambda t: t.clone().add_(1), False),
    "img.clone()": (lambda t: t.clone(), True),
    "img.to(float64)": (lambda t: t.to(torch.float64), True),
    "img.detach()": (lambda t: t.detach(), True),
    "img.clone().requires_grad_()": (lambda t: t.clone().requires_grad_(), True),
}


@V2_STABLE
@pytest.mark.parametrize("op", list(IMAGE_OPS))
def test_tv_tensors_image_torch_ops_return_plain_tensors_except_clone_to_detach_requires_grad(device, torchvision, op):
    """A torch operation on a tv_tensors.Image returns a plain torch.Tensor -- arithmetic, casts, indexing, flips, reductions, in-place ops -- except clone, to, detach and requires_grad_, which keep the Image; inside tv_tensors.set_return_type("TVTensor") every result is an Image.

    Ranges over: eleven operations (out of place, in place, the exceptions; each case: one operation) on a
    3 x 2 x 2 float32 Image on the device, each case both by default and inside ``set_return_type("TVTensor")``
    (restored after; a failure names the return type). The values equal the same operation on the plain tensor. Documented in the TVTensors FAQ and ``set_return_type``'s docstring.
    """
    tv = _tv()
    fn, keeps_by_default = IMAGE_OPS[op]
    plain = (torch.arange(12.0) / 11).reshape(3, 2, 2).to(device)
    for return_type in ("default", "TVTensor"):
        img = tv.Image(plain.clone())
        what = f"{op} (return type {return_type})"
        if return_type == "TVTensor":
            with tv.set_return_type("TVTensor"):
                out = fn(img)
            keeps = True
        else:
            out = fn(img)
            keeps = keeps_by_default
        kind = tv.Image if keeps else torch.Tensor
        assert type(out) is kind, f"{what} gave {type(out).__name__}, but should give {kind.__name__}"
        assert type(img) is tv.Image, f"{what} turned img into {type(img).__name__}"
        assert_same(out.as_subclass(torch.Tensor).detach(), fn(plain).detach(), what)
        assert type(img + 1) is torch.Tensor, f"after {what}, img + 1 is not a plain Tensor (return type not restored)"


#: ToImage inputs: name -> (make it from C x H x W uint8 pixels on the device, shares memory with it)
TO_IMAGE_INPUTS = {
    "tensor-CxHxW": (lambda k: k.clone(), True),
    "uint8-ndarray-HxWx1": (lambda k: k[:1].cpu().numpy().transpose(1, 2, 0).copy(), True),
    "float32-ndarray-HxWx1": (lambda k: k[:1].cpu().numpy().transpose(1, 2, 0).astype(np.float32), True),
    "uint8-ndarray-HxWx3": (lambda k: k.cpu().numpy().transpose(1, 2, 0).copy(), False),
    "uint8-ndarray-HxWx3-view-of-CxHxW": (lambda k: k.cpu().numpy().copy().transpose(1, 2, 0), True),
}


@V2_STABLE
@pytest.mark.parametrize("kind", list(TO_IMAGE_INPUTS))
def test_v2_to_image_shares_memory_with_a_tensor_and_with_an_ndarray_whose_chw_view_is_contiguous(device, v2, kind):
    """v2.ToImage returns a tv_tensors.Image sharing memory with a tensor input, and with an H x W x C ndarray of any dtype (uint8 too) whose C x H x W view is contiguous; a C-order multi-channel array is copied.

    Ranges over: a C x H x W tensor on the device; H x W x 1 uint8 and float32 ndarrays; a C-order H x W x 3 uint8
    ndarray (copied by ``contiguous()``); an H x W x 3 view of a C x H x W buffer (shared). ToImage is
    ``torch.from_numpy(arr).permute(2, 0, 1).contiguous()`` wrapped in an Image, ``tv_tensors.Image(tensor)`` for a
    tensor -- unlike to_tensor, which always copies uint8 (it divides). Shared means: writing the input changes the
    Image. The oracle for the values is the input's C x H x W transpose.
    """
    make, shares = TO_IMAGE_INPUTS[kind]
    k = (torch.arange(24, dtype=torch.uint8) * 11).reshape(3, 2, 4).to(device)
    pic = make(k)
    out = v2.ToImage()(pic)
    assert type(out) is _tv().Image, f"ToImage returned {type(out).__name__}, but should return tv_tensors.Image"
    is_tensor = isinstance(pic, torch.Tensor)
    chw_of = (lambda p: p) if is_tensor else (lambda p: torch.from_numpy(np.ascontiguousarray(p.transpose(2, 0, 1))))
    got = out.as_subclass(torch.Tensor)
    assert_same(got if is_tensor else cpu_result_on(got, device, "ToImage()(ndarray)"), chw_of(pic).to(device), f"ToImage()({kind})")
    before = got.clone()
    if is_tensor:
        pic.add_(1)
    else:
        pic += 1
    assert_same(got, chw_of(pic).to(got.device) if shares else before, f"ToImage()({kind}) after writing the input")


#: (channels, mode) to_pil_image accepts for uint8 data, each giving that mode with the bytes unchanged
PIL_MODE_ARGS = [(1, "L"), (2, "LA"), (3, "RGB"), (3, "YCbCr"), (3, "HSV"), (4, "RGBA"), (4, "CMYK"), (4, "RGBX")]


@pytest.mark.parametrize("form", form_params(TO_PIL_FORMS))
def test_to_pil_image_mode_argument_labels_the_bytes_without_converting_them(device, torchvision, form):
    """to_pil_image(uint8 tensor, mode=M) gives a mode-M image holding the tensor's bytes unchanged -- YCbCr or HSV for 3 channels, CMYK or RGBX for 4 -- with no colour conversion.

    Ranges over: the forms F.to_pil_image, ToPILImage(mode=) and v2.ToPILImage(mode=) (each case: one form, the axis
    carrying the v2 gate), each with every (channels, mode) pair the mode argument accepts for uint8 data (1: L; 2: LA;
    3: RGB, YCbCr, HSV; 4: RGBA, CMYK, RGBX; a failure names the mode); a C x 2 x 3 tensor on the device. The mode says how to read the bytes; the oracle is the tensor's own bytes. Checked on
    torchvision 0.15.2, 0.16.2, 0.19.1, 0.20.1, 0.29.1 and 0.29.2 (with Pillow 13), as are the two mode specs after it.
    """
    T = torchvision.transforms
    for channels, mode in PIL_MODE_ARGS:
        t = (torch.arange(channels * 6, dtype=torch.uint8) * 37).reshape(channels, 2, 3).to(device)
        if form == "F.to_pil_image":
            img = T.functional.to_pil_image(t, mode=mode)
        else:
            import torchvision.transforms.v2 as v2

            img = (v2 if form.startswith("v2.") else T).ToPILImage(mode=mode)(t)
        what = f"{form}({channels}-channel t, mode={mode!r})"
        assert img.mode == mode, f"{what}.mode={img.mode}, but should be {mode}"
        assert_same(chw(img).to(device), t, f"{what} bytes")


@pytest.mark.parametrize("dtype", dtype_params((torch.float32,)))
def test_to_pil_image_mode_F_keeps_a_one_channel_float32_tensor_unscaled(device, F, dtype):
    """to_pil_image(1-channel float32 tensor, mode="F") gives a mode F image of the raw values -- not multiplied by 255, not cast to uint8 (1.5 stays 1.5, -3.0 stays -3.0).

    Ranges over: a 1 x 2 x 4 float32 tensor on the device with values inside and outside [0, 1]. Without ``mode``
    the same tensor becomes mode L of trunc(x * 255) (the truncation spec).
    """
    t = torch.tensor([[[0.25, 1.5, -3.0, 0.0], [1.0, 1e6, 2**-20, 0.999]]], dtype=dtype, device=device)
    img = F.to_pil_image(t, mode="F")
    assert img.mode == "F", f"to_pil_image(t, mode='F').mode={img.mode}, but should be F"
    assert_same(chw(img).to(device), t, "to_pil_image(t, mode='F') pixels")


#: (dtype, channels, mode) to_pil_image refuses with ValueError: a mode for another channel count, or one that
#: does not match a single channel's dtype (uint8 -> L only, float32 -> L or F, float64 -> L only)
BAD_MODES = [(torch.uint8, 3, "RGBA"), (torch.uint8, 3, "LA"), (torch.uint8, 4, "RGB"), (torch.uint8, 2, "L"),
             (torch.uint8, 2, "RGB"), (torch.uint8, 1, "I"), (torch.uint8, 1, "F"), (torch.float64, 1, "F"), (torch.int32, 1, "L")]


@pytest.mark.parametrize("dtype, channels, mode", [pytest.param(d, c, m, id=f"{dtype_id(d)}-{c}ch-{m}") for d, c, m in BAD_MODES])
def test_to_pil_image_refuses_a_mode_that_does_not_fit_the_channels_or_dtype_with_ValueError(device, F, dtype, channels, mode):
    """to_pil_image(t, mode=M) raises ValueError when M does not fit t: a mode of another channel count (RGBA for 3 channels, RGB for 4, L for 2), or for one channel a mode other than the dtype's own (uint8 -> L, int32 -> I, float64 -> none).

    Ranges over: nine refused (dtype, channels, mode) triples, a C x 2 x 2 tensor on the device. Messages: "Only modes
    [...] are supported" (2-4 channels) or "Incorrect mode" (1 channel).
    """
    t = torch.zeros(channels, 2, 2, dtype=dtype, device=device)
    with raises(ValueError, "Only modes|Incorrect mode", f"to_pil_image({dtype_id(dtype)} {channels}-channel tensor, mode={mode!r})"):
        F.to_pil_image(t, mode=mode)


@V2_STABLE
@pytest.mark.parametrize("src, dst", [pytest.param(s, d, id=f"{dtype_id(s)}-to-{dtype_id(d)}") for s in FLOAT_NUMPY for d in FLOAT_NUMPY if s != d])
def test_v2_to_dtype_between_float_dtypes_casts_without_scaling_or_clamping(device, v2, src, dst):
    """ToDtype(float dtype, scale=True) of a float image only casts: values keep their size, and values outside [0, 1] are not clamped (2.0 stays 2.0, -1.0 stays -1.0).

    Ranges over: every ordered pair of float16, float32, float64; a tv_tensors.Image on the device holding 0, 0.5,
    1, 1/3, 2, -1 and 300. Both ends of the conversion are already "[0, 1] floats", so scale does nothing; the oracle
    is numpy's astype of the same values.
    """
    a = np.array([0.0, 0.5, 1.0, 1 / 3, 2.0, -1.0, 300.0], dtype=TORCH_TO_NUMPY[src])
    out = v2.ToDtype(dst, scale=True)(_tv().Image(torch.from_numpy(a).reshape(1, 1, -1).to(device)))
    expected = torch.from_numpy(a.astype(TORCH_TO_NUMPY[dst])).reshape(1, 1, -1)
    assert_same(out.as_subclass(torch.Tensor), expected.to(device), f"ToDtype({dtype_id(dst)}, scale=True)({dtype_id(src)} image)")


#: tv_tensors.Image's constructor: input -> (make it from H x W x 3 uint8 pixels, the C x H x W tensor it gives, shares)
IMAGE_CTOR_INPUTS = {
    "HxWx3-ndarray": (lambda a: a, lambda a: torch.from_numpy(a), True),  # the axes are kept: "C" = H
    "HxW-ndarray": (lambda a: np.ascontiguousarray(a[..., 0]), lambda a: torch.from_numpy(np.ascontiguousarray(a[..., 0]))[None], True),
    "PIL-RGB": (lambda a: Image.fromarray(a), lambda a: torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1))), False),
}


@V2_STABLE
@pytest.mark.device_independent
@pytest.mark.parametrize("kind", list(IMAGE_CTOR_INPUTS))
def test_tv_tensors_image_of_an_ndarray_keeps_its_axes_unlike_to_image(v2, kind):
    """tv_tensors.Image(ndarray) keeps the array's axes and memory -- an H x W x 3 array becomes an Image of H "channels" -- where v2.ToImage transposes it to 3 x H x W; Image(PIL) transposes (pil_to_tensor), Image(H x W) adds a leading axis.

    Ranges over: an H x W x 3 uint8 ndarray (H = 2, W = 5: not square), an H x W ndarray, an RGB PIL image; and a 1-D
    tensor, refused with ValueError (0.29 says "Tensor must be 2D or higher"; 0.15-0.20 give no message). The Image constructor is ``torch.as_tensor``:
    it knows nothing of H x W x C (its docstring: shape ``[..., C, H, W]``), so an ndarray must go through ToImage.
    """
    tv = _tv()
    a = (np.arange(30, dtype=np.uint8) * 7).reshape(2, 5, 3)
    make, expected, shares = IMAGE_CTOR_INPUTS[kind]
    pic = make(a)
    img = tv.Image(pic)
    assert type(img) is tv.Image, f"Image({kind}) is {type(img).__name__}"
    assert_same(img.as_subclass(torch.Tensor), expected(a), f"tv_tensors.Image({kind})")
    if isinstance(pic, np.ndarray):
        assert np.shares_memory(img.numpy(), pic) == shares, f"Image({kind}) shares memory: {not shares}, but should be {shares}"
    to_image = v2.ToImage()(Image.fromarray(a) if kind == "PIL-RGB" else a)
    assert_same(to_image.as_subclass(torch.Tensor), torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1))), "ToImage()(H x W x 3)")
    with raises(ValueError, "", "tv_tensors.Image(1-D tensor)"):  # 0.29: "Tensor must be 2D or higher"; 0.15-0.20: no message
        tv.Image(torch.arange(3))


#: 2-D pictures: name -> (make it from H x W uint8 pixels k, on the device where a tensor; the mode; the pixels expected)
HW_PICTURES = {
    "uint8-tensor": (lambda k, d: k.to(d), "L", lambda k: k),
    "float32-tensor": (lambda k, d: (k.double() / 255).float().to(d), "L", lambda k: k),
    "int32-tensor": (lambda k, d: (k.to(torch.int32) * 1000).to(d), "I", lambda k: k.to(torch.int32) * 1000),
    "uint8-ndarray": (lambda k, d: k.numpy(), "L", lambda k: k),
}


@pytest.mark.parametrize("kind", list(HW_PICTURES))
def test_to_pil_image_of_a_2d_h_x_w_picture_is_a_one_channel_image(device, F, kind):
    """to_pil_image of a 2-D H x W tensor or ndarray reads it as one channel: an H x W image of mode L (uint8; float, scaled by 255) or I (int32), as for 1 x H x W.

    Ranges over: H x W uint8, float32 (multiples of 1/255, so trunc(x * 255) is exact) and int32 tensors on the device,
    and an H x W uint8 ndarray; H = 2, W = 3 (not square: an H/W swap shows). The pixels must be the tensor's, row h
    column w at (w, h).
    """
    k = (torch.arange(6, dtype=torch.uint8) * 51).reshape(2, 3)
    make, mode, expected = HW_PICTURES[kind]
    img = F.to_pil_image(make(k, device))
    assert img.mode == mode, f"to_pil_image({kind} H x W).mode={img.mode}, but should be {mode}"
    assert img.size == (3, 2), f"to_pil_image({kind} H x W).size={img.size}, but should be (W, H) = (3, 2)"
    assert_same(chw(img).to(device), expected(k)[None].to(device), f"to_pil_image({kind} H x W) pixels")


TO_PURE_TENSOR = pytest.mark.torchvision_version(
    ">=0.16", reason="v2.ToPureTensor arrived with stable transforms v2 in torchvision 0.16 "
    "(https://github.com/pytorch/vision/releases/tag/v0.16.0); checked: absent on 0.15.2, present on 0.16.2 and 0.29.1")


@TO_PURE_TENSOR
def test_v2_to_pure_tensor_unwraps_every_tv_tensor_in_a_sample_without_copying(device, v2):
    """v2.ToPureTensor turns every tv_tensor of a nested sample (Image, Video, Mask, BoundingBoxes) into a plain torch.Tensor sharing its memory, and passes plain tensors, PIL images and other values through.

    Ranges over: a dict holding a list of an Image and a Mask, a Video, BoundingBoxes, a plain tensor, a PIL image
    and an int, tensors on the device. Same values, same storage (no copy); the oracle is each input's own tensor.
    """
    tv = _tv()
    k, sample = _sample(device)
    pil = Image.fromarray(k[0].cpu().numpy())
    nested = {"pair": [sample["image"], sample["mask"]], "video": sample["video"], "boxes": sample["boxes"],
              "pure": sample["pure"], "pil": pil, "label": 3}
    out = v2.ToPureTensor()(nested)
    pairs = [(out["pair"][0], sample["image"]), (out["pair"][1], sample["mask"]), (out["video"], sample["video"]),
             (out["boxes"], sample["boxes"]), (out["pure"], sample["pure"])]
    for got, given_ in pairs:
        assert type(got) is torch.Tensor, f"ToPureTensor gave {type(got).__name__} for a {type(given_).__name__}, but should give Tensor"
        assert_same(got, given_.as_subclass(torch.Tensor), f"ToPureTensor of a {type(given_).__name__}")
        assert got.untyped_storage().data_ptr() == given_.untyped_storage().data_ptr(), f"ToPureTensor copied a {type(given_).__name__}"
    assert out["pil"] is pil and out["label"] == 3, "ToPureTensor changed the PIL image or the label"
    assert type(sample["image"]) is tv.Image, "ToPureTensor changed its input's type"


UINT16_TO_DTYPE = (
    "ToDtype(scale=True) between uint16 and uint8: vision#8524 ('Add support for decoding 16bits png', torchvision 0.20) "
    "added uint16 to to_dtype's integer rules (multiply / divide by 2**8: uint16 has no bit shifts); before, uint16 has no "
    "value-bit count and to_dtype raises TypeError. Checked: TypeError on torchvision 0.19.1 (torch 2.4.1), converts on "
    "0.20.1 (torch 2.5.1) and 0.29.1"
)


@V2_STABLE
@pytest.mark.device_independent
@pytest.mark.torch_version(">=2.3", reason="torch.uint16 is new in torch 2.3 (pytorch#116594)")
@pytest.mark.torchvision_version("<0.20", reason=UINT16_TO_DTYPE)
def test_v2_to_dtype_refuses_to_scale_a_uint16_image_to_uint8_before_0_20(v2):
    """Before torchvision 0.20, ToDtype(uint8, scale=True) of a uint16 image raises TypeError (uint16 has no value-bit count)."""
    with raises(TypeError, "value bits|uint16", "ToDtype(uint8, scale=True)(uint16 image)"):
        v2.ToDtype(torch.uint8, scale=True)(_tv().Image(torch.tensor([[[0, 65535]]], dtype=torch.uint16)))


@V2_STABLE
@pytest.mark.device_independent
@pytest.mark.torchvision_version(">=0.20", reason=UINT16_TO_DTYPE)
def test_v2_to_dtype_scales_between_uint16_and_uint8_by_256_from_0_20(v2):
    """From torchvision 0.20, ToDtype(scale=True) converts uint16 -> uint8 as trunc(x / 256) (65535 -> 255, 255 -> 0) and uint8 -> uint16 as x * 256 (255 -> 65280, not 65535).

    Ranges over: every uint8 value, and uint16 values 0, 255, 256, 257, 32767, 32768, 65279, 65280, 65535 and a
    ramp, as tv_tensors.Images on cpu (uint16 is a "barebones" dtype with few kernels elsewhere). The oracle is
    numpy's shifts (8 value bits vs 16).
    """
    tv = _tv()
    u8 = np.arange(256, dtype=np.uint8)
    u16 = np.array([0, 255, 256, 257, 32767, 32768, 65279, 65280, 65535] + list(range(0, 65536, 4099)), dtype=np.uint16)
    down = v2.ToDtype(torch.uint8, scale=True)(tv.Image(torch.from_numpy(u16).reshape(1, 1, -1)))
    assert_same(down.as_subclass(torch.Tensor), torch.from_numpy((u16 >> 8).astype(np.uint8)).reshape(1, 1, -1), "ToDtype(uint8)(uint16)")
    up = v2.ToDtype(torch.uint16, scale=True)(tv.Image(torch.from_numpy(u8).reshape(1, 1, -1)))
    assert_dtype(up, torch.uint16, "ToDtype(uint16)(uint8)")
    assert_same(up.as_subclass(torch.Tensor).to(torch.int32), torch.from_numpy(u8.astype(np.int32) << 8).reshape(1, 1, -1), "ToDtype(uint16)(uint8)")


# --- release history, round 4 (release notes 2.10-2.15)

V2_STRING_INTERPOLATION = (
    "torchvision 0.28 let the v2 resizing transforms take the interpolation as a string ('nearest', 'nearest-exact', "
    "'bilinear', 'bicubic', 'box', 'hamming', 'lanczos'; vision#9461 'Allow strings for interpolation param in resize "
    "transforms', https://github.com/pytorch/vision/releases/tag/v0.28.0); an unknown string raises ValueError "
    "'Invalid interpolation mode'. Before, v2 refused any string with ValueError 'Argument interpolation should be an "
    "`InterpolationMode` or a corresponding Pillow integer constant' (tv_tensors, and so this spec, from 0.16). The v1 "
    "transforms.Resize still refuses strings (TypeError). Checked: refused on 0.16.2, 0.17.2, 0.26.0 and 0.27.1; "
    "accepted on 0.28.0 (source), 0.29.1 and 0.29.2"
)
#: the v2 resize inputs: form -> build it from a 2 x 8 x 8 uint8 array
RESIZE_FORMS = {
    "tv_tensors.Image": lambda a: __import__("torchvision").tv_tensors.Image(torch.from_numpy(a)),
    "PIL LA": lambda a: Image.fromarray(np.ascontiguousarray(a.transpose(1, 2, 0)), mode="LA"),
}
INTERPOLATION_STRINGS = ["nearest", "bilinear", "bicubic"]


def _resize_input(form):
    a = (np.arange(2 * 8 * 8, dtype=np.int64).reshape(2, 8, 8) * 37 % 251).astype(np.uint8)
    return RESIZE_FORMS[form](a)


def _pixels(out):
    return torch.from_numpy(np.asarray(out).copy()) if isinstance(out, Image.Image) else out.as_subclass(torch.Tensor)


@pytest.mark.device_independent
@pytest.mark.torchvision_version(">=0.16,<0.28", reason=V2_STRING_INTERPOLATION)
@pytest.mark.parametrize("name", INTERPOLATION_STRINGS)
def test_v2_resize_refuses_an_interpolation_string_before_0_28(v2, name):
    """Before torchvision 0.28, v2.Resize refuses an interpolation given as a string ('bilinear') with ValueError naming InterpolationMode.

    Over 'nearest', 'bilinear' and 'bicubic', on a 2 x 8 x 8 uint8 tv_tensors.Image.
    """
    x = _resize_input("tv_tensors.Image")
    with raises(ValueError, r"InterpolationMode", f"v2.Resize((4, 4), interpolation={name!r})(x)"):
        v2.Resize((4, 4), interpolation=name)(x)


@pytest.mark.device_independent
@pytest.mark.torchvision_version(">=0.28", reason=V2_STRING_INTERPOLATION)
@pytest.mark.parametrize("form", list(RESIZE_FORMS))
@pytest.mark.parametrize("name", INTERPOLATION_STRINGS)
def test_v2_resize_takes_an_interpolation_string_as_its_mode_from_0_28(v2, torchvision, name, form):
    """From torchvision 0.28, v2.Resize(interpolation='bilinear') resizes exactly as InterpolationMode.BILINEAR does, and an unknown string raises ValueError; the v1 transforms.Resize still refuses strings with TypeError.

    Over 'nearest', 'bilinear' and 'bicubic', on a 2 x 8 x 8 uint8 tv_tensors.Image and the same
    pixels as a PIL LA image (the enum's result is the oracle: the string names that mode).
    """
    mode = torchvision.transforms.InterpolationMode[name.upper()]
    x = _resize_input(form)
    assert_same(_pixels(v2.Resize((4, 4), interpolation=name)(x)), _pixels(v2.Resize((4, 4), interpolation=mode)(x)),
                f"v2.Resize((4, 4), interpolation={name!r}) of a {form}")
    with raises(ValueError, r"Invalid interpolation mode", "v2.Resize((4, 4), interpolation='bogus')(x)"):
        v2.Resize((4, 4), interpolation="bogus")(x)
    with raises(TypeError, r"InterpolationMode", f"transforms.Resize((4, 4), interpolation={name!r})"):
        torchvision.transforms.Resize((4, 4), interpolation=name)(x)


TENSOR_LANCZOS = (
    "torchvision 0.27 resizes tensor images with InterpolationMode.LANCZOS, through the lanczos mode torch 2.12 gave "
    "F.interpolate (pytorch#177320 'Add Lanczos interpolation mode for CPU images', for vision#9166 'Lanczos "
    "interpolation support in resize'; https://github.com/pytorch/vision/releases/tag/v0.27.0): a uint8 image comes "
    "out within 1 of PIL's LANCZOS resize of the same pixels, and antialias=False is refused (ValueError 'requires "
    "antialias=True'); before, only PIL images took LANCZOS and a tensor raised NotImplementedError from "
    "F.interpolate ('Only 3D, 4D and 5D input Tensors supported ... for the modes: nearest | linear | ...'). "
    "Checked (cpu): NotImplementedError on 0.16.2, 0.17.2 and 0.26.0; within 1 of PIL on 0.27.1, 0.29.1 and 0.29.2"
)


def _lanczos_input():
    a = (np.arange(3 * 16 * 16, dtype=np.int64).reshape(3, 16, 16) * 37 % 251).astype(np.uint8)
    pil = np.asarray(Image.fromarray(a.transpose(1, 2, 0)).resize((8, 8), Image.LANCZOS)).transpose(2, 0, 1)
    return a, torch.from_numpy(pil.copy())


@pytest.mark.device_independent
@pytest.mark.torchvision_version(">=0.16,<0.27", reason=TENSOR_LANCZOS)
def test_v2_resize_of_a_tensor_with_lanczos_raises_not_implemented_error_before_0_27(v2, torchvision):
    """Before torchvision 0.27, v2.Resize with InterpolationMode.LANCZOS raises NotImplementedError on a tensor image, while a PIL image of the same pixels resizes.

    On a 3 x 16 x 16 uint8 tv_tensors.Image resized to 8 x 8.
    """
    a, _ = _lanczos_input()
    resize = v2.Resize((8, 8), interpolation=torchvision.transforms.InterpolationMode.LANCZOS, antialias=True)
    with raises(NotImplementedError, r"modes", "v2.Resize(LANCZOS) of a tensor image"):
        resize(torchvision.tv_tensors.Image(torch.from_numpy(a)))
    assert resize(Image.fromarray(a.transpose(1, 2, 0))).size == (8, 8), "v2.Resize(LANCZOS) of a PIL image"


@pytest.mark.device_independent
@pytest.mark.torchvision_version(">=0.27", reason=TENSOR_LANCZOS)
def test_v2_resize_of_a_tensor_with_lanczos_matches_pil_from_0_27(v2, torchvision):
    """From torchvision 0.27, v2.Resize with InterpolationMode.LANCZOS resizes a uint8 tensor image to within 1 of PIL's LANCZOS resize of the same pixels, keeping uint8; antialias=False raises ValueError.

    On a 3 x 16 x 16 uint8 tv_tensors.Image resized to 8 x 8; PIL's Image.resize(LANCZOS) is the oracle.
    """
    a, want = _lanczos_input()
    lanczos = torchvision.transforms.InterpolationMode.LANCZOS
    out = v2.Resize((8, 8), interpolation=lanczos, antialias=True)(torchvision.tv_tensors.Image(torch.from_numpy(a)))
    assert_dtype(out, torch.uint8, "v2.Resize(LANCZOS) of a uint8 image")
    got = out.as_subclass(torch.Tensor).to(torch.int16)
    diff = (got - want.to(torch.int16)).abs().max().item()
    assert got.shape == want.shape and diff <= 1, f"v2.Resize(LANCZOS) is {diff} from PIL's LANCZOS, but should be within 1"
    with raises(ValueError, r"antialias", "v2.Resize(LANCZOS, antialias=False) of a tensor image"):
        v2.Resize((8, 8), interpolation=lanczos, antialias=False)(torchvision.tv_tensors.Image(torch.from_numpy(a)))
