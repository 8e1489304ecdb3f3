"""ToTensor and ToPILImage: what the two conversions really do to values, layout and dtype.

``to_tensor`` (``transforms.ToTensor``) turns a PIL image or an H x W x C ndarray into a C x H x W
tensor. Only 8-bit data is scaled: a uint8 ndarray, or a PIL image in an 8-bit mode (``L``, ``LA``,
``RGB``, ``RGBA``, ``P``, ``CMYK``, ``YCbCr``, and bilevel ``1``, whose pixels are first multiplied by
255), becomes a float tensor of torch's *default* dtype with values ``k / 255`` in [0, 1]. Everything
else keeps its values: PIL modes ``I`` (int32), ``F`` (float32) and ``I;16`` (int16 -- so 16-bit
values above 32767 wrap to negative numbers, vision#8359), and non-uint8 ndarrays (their own
dtype). ToTensor's docstring lists ``I`` and ``F`` among the scaled modes; the code does not scale
them. ``pil_to_tensor`` (``PILToTensor``) never scales: uint8 stays uint8.

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
not scale them.
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

from specs.helpers import NUMPY_TO_TORCH, assert_device, assert_dtype, assert_same, raises, warn_always

#: 8-bit PIL modes and the trailing (channel) shape of their arrays; "1" is bilevel (bool arrays),
#: "P" holds palette indices (to_tensor scales the index, not the palette colour).
MODES_8BIT = {"L": (), "LA": (2,), "RGB": (3,), "RGBA": (4,), "1": (), "P": (), "CMYK": (4,), "YCbCr": (3,)}
#: Modes Image.fromarray cannot infer from an array: built with Image.frombytes from the raw bytes.
MODES_FROMBYTES = ("P", "CMYK", "YCbCr")
MODE_OF_CHANNELS = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}

#: Image sides 1..8: non-square sizes catch an H/W mix-up, small sizes keep a property in milliseconds.
sides = st.integers(1, 8)


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


def image(arr: np.ndarray, mode: str) -> Image.Image:
    """PIL image from an array; asserts the mode Pillow inferred (no deprecated ``mode=``).

    Modes P, CMYK and YCbCr are built with ``Image.frombytes`` from the array's bytes (``fromarray``
    cannot infer them); the spec setup checks that the image's pixels are the array's.
    """
    __tracebackhide__ = True
    if mode in MODES_FROMBYTES:
        img = Image.frombytes(mode, (arr.shape[1], arr.shape[0]), np.ascontiguousarray(arr, np.uint8).tobytes())
        assert np.array_equal(np.array(img), arr), f"Image.frombytes({mode}) changed the pixels (test setup)"
    else:
        img = Image.fromarray(arr)
    assert img.mode == mode, f"Image.fromarray gave mode {img.mode}, expected {mode} (test setup)"
    return img


@st.composite
def images(draw, modes=tuple(MODES_8BIT)):
    mode = draw(st.sampled_from(modes))
    dtype = bool if mode == "1" else np.uint8
    arr = draw(hnp.arrays(dtype, (draw(sides), draw(sides)) + MODES_8BIT[mode]))
    return image(arr, mode)


def chw(img: Image.Image) -> torch.Tensor:
    """The image's pixels as a C x H x W tensor of their own dtype (bool for mode 1)."""
    return torch.from_numpy(np.atleast_3d(np.array(img))).permute(2, 0, 1)


NOT_WRITABLE = "The given NumPy array is not writable"  # torch.from_numpy's warning (TORCH_WARN_ONCE)


def from_asarray(img: Image.Image) -> torch.Tensor:
    """The note's first step, ``torch.from_numpy(np.asarray(img))``, with its 'not writable' warning silenced."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", re.escape(NOT_WRITABLE), UserWarning)
        return torch.from_numpy(np.asarray(img))


def not_writable_warnings(fn):
    """``fn()`` and the messages of the 'not writable' UserWarnings it emitted (TORCH_WARN_ONCE made to fire)."""
    with warn_always(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn()
    return out, [str(w.message) for w in caught if issubclass(w.category, UserWarning) and NOT_WRITABLE in str(w.message)]


def floats_chw(channels=st.integers(1, 4), lo=0.0, hi=1.0):
    """float32 C x H x W tensors (cpu) with values in [lo, hi]."""
    return st.tuples(channels, sides, sides).flatmap(
        lambda s: hnp.arrays(np.float32, s, elements=st.floats(lo, hi, width=32))
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
    """A 3 x 1 x N float32 tensor of k/255, the float32 just below it and the float32 just above it, plus 0 and 1."""
    level = torch.tensor([k / 255 for k in ks] + [0.0, 1.0], dtype=torch.float32)
    below = torch.nextafter(level, torch.zeros_like(level))
    above = torch.nextafter(level, torch.ones_like(level))
    return torch.stack([level, below, above])[:, None, :]


def assert_image_same(actual: Image.Image, expected: Image.Image):
    __tracebackhide__ = True
    assert actual.mode == expected.mode, f"image mode={actual.mode}, but should be {expected.mode}"
    assert actual.size == expected.size, f"image size={actual.size}, but should be {expected.size}"
    assert_same(chw(actual), chw(expected))


# --------------------------------------------------------------------------- to_tensor


@given(img=images(), default=st.sampled_from([torch.float32, torch.float64]))
@example(img=image(np.arange(256, dtype=np.uint8).reshape(16, 16), "L"), default=torch.float32)
@example(img=image(np.arange(24, dtype=np.uint8).reshape(2, 4, 3), "RGB"), default=torch.float64)
@example(img=image(np.array([[255]], np.uint8), "L"), default=torch.float32)  # 1 x 1
@example(img=image(np.arange(5 * 4, dtype=np.uint8).reshape(1, 5, 4) * 13, "RGBA"), default=torch.float32)  # 1 x N
@example(img=image(np.arange(5 * 2, dtype=np.uint8).reshape(5, 1, 2) * 29, "LA"), default=torch.float64)  # N x 1
@example(img=image(np.array([[0, 7, 255], [128, 1, 254]], np.uint8), "P"), default=torch.float32)
@example(img=image(np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4) * 11, "CMYK"), default=torch.float64)
@example(img=image(np.arange(3 * 2 * 3, dtype=np.uint8).reshape(3, 2, 3) * 15, "YCbCr"), default=torch.float32)
@example(img=image(np.array([[True], [False], [True]]), "1"), default=torch.float32)
def test_to_tensor_scales_8bit_images_to_default_float_chw_in_unit_interval(device, F, T, img, default):
    """to_tensor maps an 8-bit PIL image to a C x H x W tensor of the default float dtype with values k/255.

    Modes L, LA, RGB, RGBA, P (the palette *index* is scaled, not its colour), CMYK, YCbCr and
    bilevel 1 (whose pixels count as 0 / 255); the class ``ToTensor`` gives the same. to_tensor takes
    a PIL image and always returns a cpu tensor (it has no device argument), so on a device the spec
    proves the device counterpart: the result moved there keeps dtype, shape and every value.
    """
    before = torch.get_default_dtype()
    torch.set_default_dtype(default)
    try:
        out, out_cls = F.to_tensor(img), T.ToTensor()(img)
    finally:
        torch.set_default_dtype(before)
    k = chw(img).to(torch.uint8) * (255 if img.mode == "1" else 1)
    expected = (k.to(default) / 255).to(device)  # divided on cpu, like to_tensor; then moved
    channels = (MODES_8BIT[img.mode] or (1,))[0]
    assert_dtype(out, default)
    assert tuple(out.shape) == (channels, img.height, img.width), (
        f"out.shape={tuple(out.shape)}, but should be C x H x W = {(channels, img.height, img.width)}"
    )
    out, out_cls = cpu_result_on(out, device), cpu_result_on(out_cls, device, "ToTensor()(img)")
    assert_same(out, expected)
    assert_same(out_cls, expected, "ToTensor()(img)")
    assert 0 <= float(out.min()) and float(out.max()) <= 1, "values outside [0, 1]"


@given(img=images(modes=("LA", "RGB", "RGBA")))
@example(img=image(np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3) * 7, "RGB"))
def test_note_manual_formula_equals_to_tensor_for_multichannel_images(device, F, img):
    """The note's torch.from_numpy(np.asarray(img)).permute(2, 0, 1).float() / 255 equals to_tensor exactly for LA, RGB, RGBA.

    (Its 'not writable' warning is silenced here; the next spec is about it.) For modes L and 1 the
    formula raises; for mode 1 it is wrong even with a channel axis added (1/255 where to_tensor
    gives 1.0): see the specs after it.
    """
    manual = from_asarray(img).permute(2, 0, 1).float() / 255
    assert_same(cpu_result_on(F.to_tensor(img), device), manual.to(device))


@given(img=images())
@example(img=image(np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3), "RGB"))
@example(img=image(np.array([[True, False]]), "1"))
def test_note_formula_from_numpy_of_asarray_warns_not_writable(device, img):
    """torch.from_numpy(np.asarray(img)), the note's first step, emits UserWarning "The given NumPy array is not writable" for any 8-bit PIL image; np.array(img) does not.

    ``np.asarray`` of a PIL image is a read-only array; ``from_numpy`` shares its memory and torch
    has no read-only tensors, so it warns (writing to that tensor is undefined behaviour).
    ``np.array(img)`` is a writable copy: no warning. The warning is a TORCH_WARN_ONCE -- once per
    process -- unless ``torch.set_warn_always(True)``, which this spec sets (and restores) so the
    claim does not depend on test order. ``from_numpy`` makes cpu tensors only, so on a device the
    spec proves the device counterpart: both tensors moved there hold the same pixels.
    """
    a = np.asarray(img)
    assert not a.flags.writeable, "np.asarray(img).flags.writeable=True, but should be False"
    shared, hits = not_writable_warnings(lambda: torch.from_numpy(a))
    assert hits, "torch.from_numpy(np.asarray(img)) emitted no 'not writable' UserWarning, but should"
    copy = np.array(img)
    owned, hits = not_writable_warnings(lambda: torch.from_numpy(copy))
    assert not hits, f"torch.from_numpy(np.array(img)) warned {hits}, but should not (a writable copy)"
    assert_same(
        cpu_result_on(shared, device, "torch.from_numpy(np.asarray(img))"),
        cpu_result_on(owned, device, "torch.from_numpy(np.array(img))"),
        "torch.from_numpy(np.asarray(img)).to(device)",
    )


@given(img=images(modes=("L", "1")))
@example(img=image(np.arange(6, dtype=np.uint8).reshape(2, 3), "L"))
def test_note_manual_formula_raises_RuntimeError_for_single_channel_images(device, img):
    """For a mode L or 1 image the note's formula raises RuntimeError: np.asarray(img) is 2-D (H x W), which permute(2, 0, 1) cannot reorder.

    Here the tensor is moved to ``device`` before the permute, so the permute runs there.
    """
    t = from_asarray(img).to(device)
    assert tuple(t.shape) == (img.height, img.width), f"np.asarray(img).shape={tuple(t.shape)}, but should be H x W"
    with raises(RuntimeError, "number of dimensions|dims", "torch.from_numpy(np.asarray(img)).permute(2, 0, 1)"):
        t.permute(2, 0, 1)


@given(arr=hnp.arrays(bool, st.tuples(sides, sides)))
@example(arr=np.array([[True, False, True]]))
def test_note_manual_formula_is_off_by_255_for_bilevel_images(device, F, arr):
    """For a bilevel (mode 1) image to_tensor gives 0/1, while the note's formula (with a channel axis added) gives 0 and 1/255."""
    img = image(arr, "1")
    manual = from_asarray(img)[None].float() / 255  # the note's formula, channel axis added
    out = cpu_result_on(F.to_tensor(img), device)
    assert_same(out, torch.from_numpy(arr)[None].float().to(device))
    assert_same(out, (manual * 255).to(device))


@given(
    arr=hnp.arrays(np.uint8, st.tuples(sides, sides, st.sampled_from([(), (1,), (2,), (3,), (4,)])).map(lambda s: s[:2] + s[2])),
    as_image=st.booleans(),
)
@example(arr=np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4), as_image=False)
@example(arr=np.arange(3 * 3 * 3, dtype=np.uint8).reshape(3, 3, 3), as_image=True)
@example(arr=np.arange(2 * 3 * 2, dtype=np.uint8).reshape(2, 3, 2), as_image=True)
@example(arr=np.arange(4 * 3, dtype=np.uint8).reshape(4, 3), as_image=False)
@example(arr=np.arange(1 * 4 * 3, dtype=np.uint8).reshape(1, 4, 3) * 19, as_image=False)  # 1 x N, 3 channels
@example(arr=np.arange(4 * 1 * 3, dtype=np.uint8).reshape(4, 1, 3) * 19, as_image=True)  # N x 1
def test_to_tensor_puts_channel_c_of_pixel_h_w_at_out_c_h_w(device, F, arr, as_image):
    """to_tensor turns one H x W x C image (uint8 ndarray or PIL image) into C x H x W: out[c, h, w] is channel c of pixel (h, w), over 255.

    The note's "NHWC -> NCHW" is wrong: there is no batch axis (see the next spec). A 2-D H x W
    array (or a mode L image) has C = 1. The expected tensor is built element by element from
    the index formula, not by a permute.
    """
    hwc = arr.reshape(arr.shape[0], arr.shape[1], -1)  # a 2-D array is H x W x 1 (no reordering)
    height, width, channels = hwc.shape
    pic = image(hwc[:, :, 0] if channels == 1 else hwc, MODE_OF_CHANNELS[channels]) if as_image else arr
    expected = torch.tensor(
        [[[int(hwc[h, w, c]) for w in range(width)] for h in range(height)] for c in range(channels)], dtype=torch.uint8
    )
    out = cpu_result_on(F.to_tensor(pic), device)
    assert tuple(out.shape) == (channels, height, width), (
        f"out.shape={tuple(out.shape)}, but should be C x H x W = {(channels, height, width)}"
    )
    assert_same(out, (expected.to(torch.get_default_dtype()) / 255).to(device))


@given(
    shape=st.tuples(st.integers(1, 3), sides, sides, st.integers(1, 4)),
    np_dtype=st.sampled_from([np.uint8, np.int32, np.float32]),
    dtype=st.sampled_from([torch.float32, torch.uint8]),
)
@example(shape=(1, 2, 3, 3), np_dtype=np.uint8, dtype=torch.float32)
@example(shape=(2, 4, 4, 3), np_dtype=np.uint8, dtype=torch.uint8)
def test_to_tensor_and_to_pil_image_refuse_a_4d_batch_with_ValueError(device, F, shape, np_dtype, dtype):
    """to_tensor of a 4-D N x H x W x C ndarray and to_pil_image of a 4-D N x C x H x W tensor (on any device) both raise ValueError "pic should be 2/3 dimensional".

    Neither converts a batch: the note's "NHWC -> NCHW" / "NCHW -> NHWC" is one image's HWC <-> CHW.
    Even a batch of one (N = 1) is refused.
    """
    n, h, w, c = shape
    batch = (np.arange(n * h * w * c) % 256).astype(np_dtype).reshape(n, h, w, c)
    with raises(ValueError, re.escape("pic should be 2/3 dimensional"), f"to_tensor(ndarray of shape {shape})"):
        F.to_tensor(batch)
    tensor = (torch.arange(n * c * h * w, device=device) % 256).reshape(n, c, h, w).to(dtype)
    if dtype.is_floating_point:
        tensor = tensor / 255
    with raises(ValueError, re.escape("pic should be 2/3 dimensional"), f"to_pil_image(tensor of shape {(n, c, h, w)})"):
        F.to_pil_image(tensor)


@given(
    arr=hnp.arrays(
        st.sampled_from(list(NUMPY_TO_TORCH)),
        st.tuples(sides, sides, st.sampled_from([(), (1,), (3,), (4,)])).map(lambda s: s[:2] + s[2]),
    )
)
@example(arr=np.full((2, 2, 3), 200, np.uint8))
@example(arr=np.full((2, 2), 200.0, np.float64))
@example(arr=np.full((2, 2, 3), 200, np.int32))
def test_to_tensor_scales_uint8_ndarrays_and_keeps_other_dtypes(device, F, arr):
    """to_tensor divides a uint8 H x W (x C) ndarray by 255; any other dtype keeps its dtype and values.

    Either way the result is C x H x W (a 2-D array gives 1 x H x W).
    """
    hwc = np.atleast_3d(arr)
    raw = torch.from_numpy(hwc.copy()).permute(2, 0, 1)
    expected = raw.to(torch.get_default_dtype()) / 255 if arr.dtype == np.uint8 else raw
    assert_same(cpu_result_on(F.to_tensor(arr), device), expected.to(device))


@given(
    data=st.sampled_from(
        [
            (np.int32, "I", torch.int32, st.integers(-(2**31), 2**31 - 1)),
            (np.float32, "F", torch.float32, st.floats(-1e6, 1e6, width=32)),
            (np.uint16, "I;16", torch.int16, st.integers(0, 2**16 - 1)),
        ]
    ).flatmap(
        lambda d: st.tuples(st.just(d), hnp.arrays(d[0], st.tuples(sides, sides), elements=d[3]))
    )
)
@example(data=((np.int32, "I", torch.int32, None), np.array([[0, 7, -5, 2**31 - 1]], np.int32)))
@example(data=((np.float32, "F", torch.float32, None), np.array([[0.0, 1.5], [-5.0, 300.0]], np.float32)))
@example(data=((np.uint16, "I;16", torch.int16, None), np.array([[0, 1, 40000, 65535]], np.uint16)))
def test_to_tensor_does_not_scale_modes_I_I16_F(device, F, data):
    """to_tensor keeps the values of PIL modes I (as int32), F (as float32) and I;16 (as int16, so values above 32767 wrap).

    ToTensor's docstring says I and F are scaled to [0, 1]; the code does not scale them. I;16
    holds unsigned 16-bit pixels but comes back as int16: 40000 reads -25536 (vision#8359).
    """
    (np_dtype, mode, dtype, _), arr = data
    out = F.to_tensor(image(arr, mode))
    expected = torch.from_numpy(arr.astype(np.int64) if mode == "I;16" else arr)
    if mode == "I;16":
        expected = torch.where(expected > 32767, expected - 65536, expected)
    assert_same(cpu_result_on(out, device), expected[None].to(dtype).to(device))


@given(img=images(modes=("L", "LA", "RGB", "RGBA", "P", "CMYK", "YCbCr")))
@example(img=image(np.array([[[0, 128, 255]]], np.uint8), "RGB"))
@example(img=image(np.array([[0, 1, 254, 255]], np.uint8), "P"))  # 1 x N, palette indices
@example(img=image(np.arange(4 * 4, dtype=np.uint8).reshape(4, 1, 4) * 17, "CMYK"))  # N x 1
@example(img=image(np.array([[[255, 0, 128]]], np.uint8), "YCbCr"))  # 1 x 1
def test_pil_to_tensor_does_not_scale(device, T, img):
    """PILToTensor turns an 8-bit image (L, LA, RGB, RGBA, P, CMYK, YCbCr) into a uint8 C x H x W tensor with the same pixel values (no /255).

    PILToTensor takes a PIL image and returns a cpu tensor; on a device the spec proves the device
    counterpart: the tensor moved there keeps dtype uint8, shape and values.
    """
    out = cpu_result_on(T.PILToTensor()(img), device, "PILToTensor()(img)")
    assert_same(out, chw(img).to(device))


# --------------------------------------------------------------------------- to_pil_image


@given(t=floats_chw())
@example(t=torch.tensor([[[0.999, 0.5, 1.0, 0.0, 1 / 255, 0.0039]]]))  # 1 x N
@example(t=around_levels())  # k/255 and its float32 neighbours, 0 and 1
@example(t=torch.tensor([[[1.0]], [[0.0]], [[0.999]], [[0.5]]]))  # 1 x 1, four channels
@example(t=torch.tensor([[[0.999], [0.5], [1.0], [0.0039]], [[0.0], [1.0], [0.25], [0.75]]]))  # N x 1, two channels
def test_to_pil_image_truncates_x_times_255(device, F, t):
    """to_pil_image turns a float x in [0, 1] into the pixel trunc(x * 255): truncation, not rounding (0.999 -> 254).

    Over the whole [0, 1] (0 and 1 included, and each k/255 with its float32 neighbours: the one
    below k/255 gives k - 1 where float32 x * 255 falls below k), for 1 to 4 channels.
    """
    x = t.to(device)
    img = F.to_pil_image(x)
    expected = torch.floor(t * 255).to(torch.uint8)  # float32 product, like the implementation
    assert_same(chw(img).to(device), expected.to(device))


@given(t=floats_chw(lo=-1.0, hi=2.0))
@example(t=torch.tensor([[[1.5, -0.5, 2.0, 1.0]]]))
def test_to_pil_image_does_not_clamp_out_of_range_values(device, F, t):
    """to_pil_image does not clamp: a float outside [0, 1] becomes the unclamped uint8 cast of x * 255.

    On x86-64 the cast wraps modulo 256 (1.5 -> 126, -0.5 -> 129, 2.0 -> 254), where the note's
    ``clamp(t * 255, 0, 255)`` formula gives 255, 0, 255. The spec compares with numpy's own
    (platform-defined) cast, so it holds on any CPU.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy may flag the out-of-range cast
        img = F.to_pil_image(t.to(device))
        expected = torch.from_numpy((t.numpy() * np.float32(255)).astype(np.uint8))
    assert_same(chw(img).to(device), expected.to(device))


@pytest.mark.parametrize(
    "dtype, channels, mode",
    [(dtype, c, m) for dtype in (torch.float16, torch.float32, torch.float64, torch.uint8) for c, m in MODE_OF_CHANNELS.items()]
    + [
        pytest.param(
            torch.int16, 1, "I;16",
            marks=pytest.mark.torchvision_version(
                ">=0.23",
                reason="older torchvision passes mode='I;16' to Image.fromarray, which Pillow >= 11.3 "
                "deprecated and Pillow 13 rejects for int16 data (ValueError: Invalid mode for data "
                "type); vision#9150 (in 0.23) builds the image with Image.frombuffer instead",
            ),
        ),
        (torch.int32, 1, "I"),
    ],
)
def test_to_pil_image_infers_mode_from_channels_and_dtype(device, F, dtype, channels, mode):
    """to_pil_image picks the mode from channels and dtype: 1/2/3/4 channels of float16/32/64 or uint8 -> L/LA/RGB/RGBA, 1-channel int16 -> I;16, int32 -> I.

    Integer data keeps its values (no scaling); float data is scaled by 255 (in its own dtype).
    """
    t = (torch.arange(channels * 6, device=device) * 7 % 200).reshape(channels, 2, 3).to(dtype)
    if dtype.is_floating_point:
        t = t / 255
    img = F.to_pil_image(t)
    assert img.mode == mode, f"mode={img.mode}, but should be {mode}"
    expected = (t.cpu() * 255).to(torch.uint8) if dtype.is_floating_point else t.cpu()
    got = chw(img)
    assert_same(got.to(expected.dtype) if mode == "I;16" else got, expected)


@pytest.mark.parametrize(
    "dtype, channels",
    [(torch.int64, 1), (torch.bool, 1), (torch.int8, 1), (torch.int16, 3), (torch.int32, 3), (torch.int64, 3)],
)
def test_to_pil_image_rejects_unsupported_dtypes_with_TypeError(device, F, dtype, channels):
    """to_pil_image raises TypeError ("Input type ... is not supported") for int64, bool, int8 and multi-channel int16/int32."""
    t = torch.zeros(channels, 2, 2, dtype=dtype, device=device)
    try:
        img = F.to_pil_image(t)
    except TypeError as exc:
        assert "not supported" in str(exc), f"TypeError {exc!r} does not say 'not supported'"
    else:
        pytest.fail(f"returned a mode {img.mode} image, but should raise TypeError")


@given(t=floats_chw(channels=st.sampled_from([2, 3, 4])))
@example(t=torch.tensor([[[0.999]], [[0.5]], [[1.0]]]))
@example(t=torch.tensor([[[0.999, 0.0]], [[0.5, 1.0]]]))
def test_note_inverse_formula_agrees_with_to_pil_image_on_unit_interval(device, F, t):
    """On [0, 1] and for 2, 3 or 4 channels the note's fromarray(clamp(t*255, 0, 255).byte().permute(1, 2, 0).numpy()) equals to_pil_image(t).

    Same mode (LA, RGB, RGBA), size and pixels: both truncate. For 1 channel see the next spec.
    """
    x = t.to(device)
    manual = Image.fromarray(torch.clamp(x * 255, min=0, max=255).byte().permute(1, 2, 0).cpu().numpy())
    assert_image_same(F.to_pil_image(x), manual)


@given(t=floats_chw(channels=st.just(1)))
@example(t=torch.tensor([[[0.999, 0.5, 1.0, 0.0]]]))
def test_note_inverse_formula_raises_TypeError_for_one_channel_where_to_pil_image_gives_mode_L(device, F, t):
    """For a 1 x H x W float tensor the note's inverse formula raises TypeError (Image.fromarray refuses an H x W x 1 uint8 array), while to_pil_image gives a mode L image of trunc(x * 255)."""
    x = t.to(device)
    hw1 = torch.clamp(x * 255, min=0, max=255).byte().permute(1, 2, 0).cpu().numpy()
    assert hw1.shape == (t.shape[1], t.shape[2], 1), f"formula array shape={hw1.shape}, but should be H x W x 1"
    with raises(TypeError, re.escape("Cannot handle this data type"), "Image.fromarray(H x W x 1 uint8 array)"):
        Image.fromarray(hw1)
    img = F.to_pil_image(x)
    assert img.mode == "L", f"to_pil_image(1 x H x W tensor).mode={img.mode}, but should be L"
    assert_same(chw(img).to(device), torch.floor(t * 255).to(torch.uint8).to(device), "to_pil_image(x) pixels")


# --------------------------------------------------------------------------- round trips


@given(img=images(modes=("L", "LA", "RGB", "RGBA")))
@example(img=image(np.arange(256, dtype=np.uint8).reshape(16, 16), "L"))
@example(img=image(np.arange(256 * 4, dtype=np.int64).astype(np.uint8).reshape(16, 16, 4), "RGBA"))
def test_uint8_image_to_tensor_to_pil_is_the_identity(device, F, img):
    """A uint8 image (L, LA, RGB, RGBA) -> to_tensor -> device -> to_pil_image comes back identical: same mode, size and pixels."""
    back = F.to_pil_image(cpu_result_on(F.to_tensor(img), device))
    assert_image_same(back, img)


@given(arr=hnp.arrays(bool, st.tuples(sides, sides)))
@example(arr=np.array([[True, False]]))
def test_bilevel_image_comes_back_as_mode_L_with_0_and_255(device, F, arr):
    """A mode 1 image -> to_tensor -> to_pil_image comes back as mode L with pixels 0 and 255 (not as mode 1)."""
    back = F.to_pil_image(cpu_result_on(F.to_tensor(image(arr, "1")), device))
    assert_image_same(back, image(arr.astype(np.uint8) * 255, "L"))


@given(
    k=st.tuples(st.integers(1, 4), sides, sides).flatmap(lambda s: hnp.arrays(np.uint8, s)).map(torch.from_numpy)
)
@example(k=torch.arange(256, dtype=torch.uint8).reshape(1, 16, 16))
def test_multiples_of_1_255_survive_tensor_to_pil_to_tensor(device, F, k):
    """A float tensor of multiples of 1/255 -> to_pil_image -> to_tensor comes back exactly."""
    t = (k.float() / 255).to(device)
    assert_same(cpu_result_on(F.to_tensor(F.to_pil_image(t)), device), t)


@given(t=floats_chw())
@example(t=torch.tensor([[[0.999, 0.5, 1 / 255 - 1e-7, 0.99999994]]]))
@example(t=around_levels())  # k/255 and its float32 neighbours, 0 and 1
def test_unit_floats_come_back_at_most_1_255_below(device, F, t):
    """Any float x in [0, 1] -> to_pil_image -> to_tensor comes back as y with x - 1/255 < y <= x (truncation, never above).

    "<= x" up to float32 rounding of x * 255 (2**-24 / 255).
    """
    x = t.to(device)
    y = cpu_result_on(F.to_tensor(F.to_pil_image(x)), device)
    below = (x - y).cpu()
    assert float(below.max()) < 1 / 255, f"max(x - y)={float(below.max())}, but should be < 1/255"
    assert float(below.min()) >= -(2**-24) / 255, f"min(x - y)={float(below.min())}: came back above x"


def test_to_pil_image_accepts_device_and_requires_grad_tensors(device, F):
    """to_pil_image accepts a tensor on any device, and one that requires grad, giving the image of its values."""
    cpu = torch.linspace(0, 1, 3 * 4 * 5).reshape(3, 4, 5)
    x = cpu.to(device).requires_grad_()
    assert_device(x, device)
    try:
        img = F.to_pil_image(x)
    except Exception as exc:  # noqa: BLE001 - any refusal breaks the claim
        pytest.fail(f"to_pil_image raised {type(exc).__name__}: {exc}")
    assert_image_same(img, F.to_pil_image(cpu))
    assert x.requires_grad and x.grad is None, "input was changed"


# --------------------------------------------------------------------------- transforms v2


@pytest.mark.torchvision_version(">=0.16", reason="v2.ToImage and ToDtype(scale=True) arrived with stable v2 in 0.16")
@given(img=images(modes=("L", "LA", "RGB", "RGBA", "P", "CMYK", "YCbCr")))
@example(img=image(np.arange(256, dtype=np.uint8).reshape(16, 16), "L"))
@example(img=image(np.arange(256, dtype=np.uint8).reshape(1, 64, 4)[:, ::-1].copy(), "RGBA"))  # 1 x N, all levels
@example(img=image(np.arange(255, -1, -1, dtype=np.uint8).reshape(128, 1, 2), "LA"))  # N x 1, all levels
def test_v2_to_image_to_dtype_matches_to_tensor_within_2_pow_minus_24(device, F, v2, img):
    """Compose([ToImage(), ToDtype(float32, scale=True)]) agrees with ToTensor to within 2**-24, not bitwise.

    v1 divides by 255 (correctly rounded k/255); v2 multiplies by the float32 nearest 1/255 and
    rounds again, so 126 of the 256 levels differ, each by one float32 ulp of [0.5, 1), 2**-24
    (half the ulp of 1.0); no level differs by more (checked over all 256 levels in the examples).
    ToImage takes the PIL image on cpu; its tensor is moved to the device and handed to ToImage
    again, so ToImage, ToDtype and ToPureTensor run on a tensor already on the device and must
    keep it there.
    """
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

    The warning exists since v2 first shipped (torchvision 0.15); its suggested replacement changed
    from PILToTensor + ConvertImageDtype (0.15) to ToImage + ToDtype (0.16+), so only the common
    part is matched.
    """
    img = image(np.arange(12, dtype=np.uint8).reshape(2, 2, 3), "RGB")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        transform = v2.ToTensor()
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    assert any("ToTensor()` is deprecated" in m for m in messages), f"warnings={messages}"
    assert_same(transform(img).to(device), (chw(img).float() / 255).to(device))


@pytest.mark.torchvision_version(">=0.16", reason="v2.ToImage and ToDtype(scale=True) arrived with stable v2 in 0.16")
@given(arr=hnp.arrays(np.int32, st.tuples(sides, sides), elements=st.integers(0, 2**31 - 1)))
@example(arr=np.array([[0, 1, 2**31 - 1]], np.int32))
def test_v2_scales_mode_I_by_int32_max_where_v1_does_not(device, F, v2, arr):
    """v2 ToImage + ToDtype(float32, scale=True) divides a mode I image by 2**31 - 1; v1 to_tensor keeps the int32 values."""
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
    """v2 reads an I;16 image as uint16 and ToDtype(float32, scale=True) divides it by 65535; v1 to_tensor gives unscaled int16."""
    img = image(arr, "I;16")
    raw = v2.ToImage()(img)
    assert_dtype(raw, torch.uint16)
    # scaled on cpu: uint16 is a "barebones" dtype with few kernels, so only the result is moved
    out = v2.ToDtype(torch.float32, scale=True)(raw).as_subclass(torch.Tensor).to(device)
    expected = (torch.from_numpy(arr.astype(np.float32))[None] / 65535).to(device)
    torch.testing.assert_close(out, expected, rtol=2**-23, atol=0, msg=lambda m: f"{m}")
    assert_dtype(F.to_tensor(img), torch.int16)
