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

Round trips: a uint8 image -> tensor -> image is the identity (every ``k/255`` in float32 times 255
truncates back to ``k``), a tensor of multiples of 1/255 survives tensor -> image -> tensor exactly,
and any float in [0, 1] comes back at most 1/255 *below* itself (truncation, never above).

The source note's manual formulas are right only in part: ``from_numpy(asarray(img)).permute(2, 0,
1).float() / 255`` equals ``to_tensor`` exactly for multi-channel 8-bit images, but needs a channel
axis for ``L`` (a 2-D array has nothing to permute) and is wrong for mode ``1`` (1/255 instead of 1).
Its inverse ``fromarray(clamp(t * 255, 0, 255).byte().permute(1, 2, 0).numpy())`` agrees with
``to_pil_image`` on [0, 1]; outside it the clamp makes the two differ.

transforms v2: ``v2.ToTensor`` is deprecated (a UserWarning on construction) in favour of
``Compose([ToImage(), ToDtype(torch.float32, scale=True)])``, which multiplies by ``1/255`` instead
of dividing by 255, so it agrees with ``ToTensor`` only to 2**-24 (half a float32 ulp at 1; about
half of the 256 levels differ in the last bit). ``ToDtype(scale=True)`` scales every integer dtype by
its maximum, so v2 scales mode ``I`` (by 2**31 - 1) and ``I;16`` (as uint16, by 65535) where v1 does
not scale them.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

from specs.helpers import NUMPY_TO_TORCH, assert_device, assert_dtype, assert_same

#: 8-bit PIL modes and the trailing (channel) shape of their arrays; "1" is bilevel (bool arrays).
MODES_8BIT = {"L": (), "LA": (2,), "RGB": (3,), "RGBA": (4,), "1": ()}
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
    """PIL image from an array; asserts the mode Pillow inferred (no deprecated ``mode=``)."""
    __tracebackhide__ = True
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


def floats_chw(channels=st.integers(1, 4), lo=0.0, hi=1.0):
    """float32 C x H x W tensors (cpu) with values in [lo, hi]."""
    return st.tuples(channels, sides, sides).flatmap(
        lambda s: hnp.arrays(np.float32, s, elements=st.floats(lo, hi, width=32))
    ).map(torch.from_numpy)


def assert_image_same(actual: Image.Image, expected: Image.Image, claim: str):
    __tracebackhide__ = True
    assert actual.mode == expected.mode, f"image mode={actual.mode}, but should be {expected.mode} [{claim}]"
    assert actual.size == expected.size, f"image size={actual.size}, but should be {expected.size} [{claim}]"
    assert_same(chw(actual), chw(expected), claim)


# --------------------------------------------------------------------------- to_tensor


@given(img=images(), default=st.sampled_from([torch.float32, torch.float64]))
@example(img=image(np.arange(256, dtype=np.uint8).reshape(16, 16), "L"), default=torch.float32)
@example(img=image(np.arange(24, dtype=np.uint8).reshape(2, 4, 3), "RGB"), default=torch.float64)
def test_to_tensor_scales_8bit_images_to_default_float_chw_in_unit_interval(device, F, T, img, default):
    """to_tensor maps an 8-bit PIL image to a C x H x W tensor of the default float dtype with values k/255.

    Modes L, LA, RGB, RGBA and bilevel 1 (whose pixels count as 0 / 255); the class ``ToTensor``
    gives the same; moving the result to a device keeps every value exactly.
    """
    claim = f"to_tensor scales 8-bit images to k/255 in the default dtype, mode={img.mode}, device={device}"
    before = torch.get_default_dtype()
    torch.set_default_dtype(default)
    try:
        out, out_cls = F.to_tensor(img), T.ToTensor()(img)
    finally:
        torch.set_default_dtype(before)
    k = chw(img).to(torch.uint8) * (255 if img.mode == "1" else 1)
    expected = (k.to(default) / 255).to(device)  # divided on cpu, like to_tensor; then moved
    assert_dtype(out, default, claim)
    assert tuple(out.shape) == (len(img.getbands()), img.height, img.width), (
        f"out.shape={tuple(out.shape)}, but should be C x H x W = "
        f"{(len(img.getbands()), img.height, img.width)} [{claim}]"
    )
    assert_same(out.to(device), expected, claim)
    assert_same(out_cls.to(device), expected, claim)
    assert 0 <= float(out.min()) and float(out.max()) <= 1, f"values outside [0, 1] [{claim}]"


@given(img=images(modes=("LA", "RGB", "RGBA")))
@example(img=image(np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3) * 7, "RGB"))
def test_note_manual_formula_equals_to_tensor_for_multichannel_images(device, F, img):
    """The note's from_numpy(asarray(img)).permute(2, 0, 1).float() / 255 equals to_tensor exactly for LA, RGB, RGBA.

    For mode L the 2-D array needs a channel axis first; for mode 1 the formula is wrong (it
    gives 1/255 where to_tensor gives 1.0): see the next spec.
    """
    claim = f"the note's manual formula equals to_tensor for multi-channel 8-bit images, mode={img.mode}, device={device}"
    manual = torch.from_numpy(np.array(img)).permute(2, 0, 1).float() / 255
    assert_same(F.to_tensor(img).to(device), manual.to(device), claim)


@given(arr=hnp.arrays(bool, st.tuples(sides, sides)))
@example(arr=np.array([[True, False, True]]))
def test_note_manual_formula_is_off_by_255_for_bilevel_images(device, F, arr):
    """For a bilevel (mode 1) image to_tensor gives 0/1, while the note's formula gives 0 and 1/255."""
    claim = f"to_tensor maps mode 1 pixels to 0/1, 255 times the note's formula, device={device}"
    img = image(arr, "1")
    manual = torch.from_numpy(np.array(img))[None].float() / 255  # the note's formula, channel axis added
    out = F.to_tensor(img).to(device)
    assert_same(out, torch.from_numpy(arr)[None].float().to(device), claim)
    assert_same(out, (manual * 255).to(device), claim)


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
    claim = f"to_tensor scales only uint8 ndarrays, dtype={arr.dtype}, device={device}"
    hwc = np.atleast_3d(arr)
    raw = torch.from_numpy(hwc.copy()).permute(2, 0, 1)
    expected = raw.to(torch.get_default_dtype()) / 255 if arr.dtype == np.uint8 else raw
    out = F.to_tensor(arr)
    assert_same(out.to(device), expected.to(device), claim)


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
    claim = f"to_tensor does not scale modes I, I;16, F, mode={mode}, device={device}"
    out = F.to_tensor(image(arr, mode))
    expected = torch.from_numpy(arr.astype(np.int64) if mode == "I;16" else arr)
    if mode == "I;16":
        expected = torch.where(expected > 32767, expected - 65536, expected)
    assert_same(out.to(device), expected[None].to(dtype).to(device), claim)


@given(img=images(modes=("L", "LA", "RGB", "RGBA")))
@example(img=image(np.array([[[0, 128, 255]]], np.uint8), "RGB"))
def test_pil_to_tensor_does_not_scale(device, T, img):
    """PILToTensor turns a uint8 image into a uint8 C x H x W tensor with the same pixel values (no /255)."""
    claim = f"PILToTensor does not scale, mode={img.mode}, device={device}"
    out = T.PILToTensor()(img).to(device)
    assert_same(out, chw(img).to(device), claim)


# --------------------------------------------------------------------------- to_pil_image


@given(t=floats_chw())
@example(t=torch.tensor([[[0.999, 0.5, 1.0, 0.0, 1 / 255, 0.0039]]]))
def test_to_pil_image_truncates_x_times_255(device, F, t):
    """to_pil_image turns a float x in [0, 1] into the pixel trunc(x * 255): truncation, not rounding (0.999 -> 254)."""
    claim = f"to_pil_image truncates x*255, device={device}"
    x = t.to(device)
    img = F.to_pil_image(x)
    expected = torch.floor(t * 255).to(torch.uint8)  # float32 product, like the implementation
    assert_same(chw(img).to(device), expected.to(device), claim)


@given(t=floats_chw(lo=-1.0, hi=2.0))
@example(t=torch.tensor([[[1.5, -0.5, 2.0, 1.0]]]))
def test_to_pil_image_does_not_clamp_out_of_range_values(device, F, t):
    """to_pil_image does not clamp: a float outside [0, 1] becomes the unclamped uint8 cast of x * 255.

    On x86-64 the cast wraps modulo 256 (1.5 -> 126, -0.5 -> 129, 2.0 -> 254), where the note's
    ``clamp(t * 255, 0, 255)`` formula gives 255, 0, 255. The spec compares with numpy's own
    (platform-defined) cast, so it holds on any CPU.
    """
    claim = f"to_pil_image does not clamp out-of-range values, device={device}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy may flag the out-of-range cast
        img = F.to_pil_image(t.to(device))
        expected = torch.from_numpy((t.numpy() * np.float32(255)).astype(np.uint8))
    assert_same(chw(img).to(device), expected.to(device), claim)


@pytest.mark.parametrize(
    "dtype, channels, mode",
    [(torch.float32, c, m) for c, m in MODE_OF_CHANNELS.items()]
    + [(torch.float64, 3, "RGB"), (torch.uint8, 1, "L"), (torch.uint8, 2, "LA"), (torch.uint8, 4, "RGBA")]
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
    """to_pil_image picks the mode from channels and dtype: 1/2/3/4 channels -> L/LA/RGB/RGBA, 1-channel int16 -> I;16, int32 -> I.

    Integer data keeps its values (no scaling); float data is scaled by 255.
    """
    claim = f"to_pil_image infers the mode from channels and dtype, {dtype} x {channels}, device={device}"
    t = (torch.arange(channels * 6, device=device) * 7 % 200).reshape(channels, 2, 3).to(dtype)
    if dtype.is_floating_point:
        t = t / 255
    img = F.to_pil_image(t)
    assert img.mode == mode, f"mode={img.mode}, but should be {mode} [{claim}]"
    expected = (t.cpu() * 255).to(torch.uint8) if dtype.is_floating_point else t.cpu()
    got = chw(img)
    assert_same(got.to(expected.dtype) if mode == "I;16" else got, expected, claim)


@pytest.mark.parametrize(
    "dtype, channels",
    [(torch.int64, 1), (torch.bool, 1), (torch.int8, 1), (torch.int16, 3), (torch.int32, 3), (torch.int64, 3)],
)
def test_to_pil_image_rejects_unsupported_dtypes_with_TypeError(device, F, dtype, channels):
    """to_pil_image raises TypeError ("Input type ... is not supported") for int64, bool, int8 and multi-channel int16/int32."""
    claim = f"to_pil_image rejects unsupported dtypes with TypeError, {dtype} x {channels}, device={device}"
    t = torch.zeros(channels, 2, 2, dtype=dtype, device=device)
    try:
        img = F.to_pil_image(t)
    except TypeError as exc:
        assert "not supported" in str(exc), f"TypeError {exc!r} does not say 'not supported' [{claim}]"
    else:
        pytest.fail(f"returned a mode {img.mode} image, but should raise TypeError [{claim}]")


@given(t=floats_chw(channels=st.sampled_from([3, 4])))
@example(t=torch.tensor([[[0.999]], [[0.5]], [[1.0]]]))
def test_note_inverse_formula_agrees_with_to_pil_image_on_unit_interval(device, F, t):
    """On [0, 1] the note's fromarray(clamp(t*255, 0, 255).byte().permute(1, 2, 0).numpy()) equals to_pil_image(t)."""
    claim = f"the note's inverse formula agrees with to_pil_image on [0, 1], device={device}"
    x = t.to(device)
    manual = Image.fromarray(torch.clamp(x * 255, min=0, max=255).byte().permute(1, 2, 0).cpu().numpy())
    assert_image_same(F.to_pil_image(x), manual, claim)


# --------------------------------------------------------------------------- round trips


@given(img=images(modes=("L", "LA", "RGB", "RGBA")))
@example(img=image(np.arange(256, dtype=np.uint8).reshape(16, 16), "L"))
@example(img=image(np.arange(256 * 4, dtype=np.int64).astype(np.uint8).reshape(16, 16, 4), "RGBA"))
def test_uint8_image_to_tensor_to_pil_is_the_identity(device, F, img):
    """A uint8 image (L, LA, RGB, RGBA) -> to_tensor -> device -> to_pil_image comes back identical: same mode, size and pixels."""
    claim = f"uint8 image -> tensor -> image is the identity, mode={img.mode}, device={device}"
    back = F.to_pil_image(F.to_tensor(img).to(device))
    assert_image_same(back, img, claim)


@given(arr=hnp.arrays(bool, st.tuples(sides, sides)))
@example(arr=np.array([[True, False]]))
def test_bilevel_image_comes_back_as_mode_L_with_0_and_255(device, F, arr):
    """A mode 1 image -> to_tensor -> to_pil_image comes back as mode L with pixels 0 and 255 (not as mode 1)."""
    claim = f"mode 1 round-trips to mode L with 0/255, device={device}"
    back = F.to_pil_image(F.to_tensor(image(arr, "1")).to(device))
    assert_image_same(back, image(arr.astype(np.uint8) * 255, "L"), claim)


@given(
    k=st.tuples(st.integers(1, 4), sides, sides).flatmap(lambda s: hnp.arrays(np.uint8, s)).map(torch.from_numpy)
)
@example(k=torch.arange(256, dtype=torch.uint8).reshape(1, 16, 16))
def test_multiples_of_1_255_survive_tensor_to_pil_to_tensor(device, F, k):
    """A float tensor of multiples of 1/255 -> to_pil_image -> to_tensor comes back exactly."""
    claim = f"multiples of 1/255 survive tensor -> image -> tensor exactly, device={device}"
    t = (k.float() / 255).to(device)
    assert_same(F.to_tensor(F.to_pil_image(t)).to(device), t, claim)


@given(t=floats_chw())
@example(t=torch.tensor([[[0.999, 0.5, 1 / 255 - 1e-7, 0.99999994]]]))
def test_unit_floats_come_back_at_most_1_255_below(device, F, t):
    """Any float x in [0, 1] -> to_pil_image -> to_tensor comes back as y with x - 1/255 < y <= x (truncation, never above).

    "<= x" up to float32 rounding of x * 255 (2**-24 / 255).
    """
    claim = f"unit floats come back at most 1/255 below, device={device}"
    x = t.to(device)
    y = F.to_tensor(F.to_pil_image(x)).to(device)
    below = (x - y).cpu()
    assert float(below.max()) < 1 / 255, f"max(x - y)={float(below.max())}, but should be < 1/255 [{claim}]"
    assert float(below.min()) >= -(2**-24) / 255, f"min(x - y)={float(below.min())}: came back above x [{claim}]"


def test_to_pil_image_accepts_device_and_requires_grad_tensors(device, F):
    """to_pil_image accepts a tensor on any device, and one that requires grad, giving the image of its values."""
    claim = f"to_pil_image accepts device and requires-grad tensors, device={device}"
    cpu = torch.linspace(0, 1, 3 * 4 * 5).reshape(3, 4, 5)
    x = cpu.to(device).requires_grad_()
    assert_device(x, device, claim)
    try:
        img = F.to_pil_image(x)
    except Exception as exc:  # noqa: BLE001 - any refusal breaks the claim
        pytest.fail(f"to_pil_image raised {type(exc).__name__}: {exc} [{claim}]")
    assert_image_same(img, F.to_pil_image(cpu), claim)
    assert x.requires_grad and x.grad is None, f"input was changed [{claim}]"


# --------------------------------------------------------------------------- transforms v2


@pytest.mark.torchvision_version(">=0.16", reason="v2.ToImage and ToDtype(scale=True) arrived with stable v2 in 0.16")
@given(img=images(modes=("L", "LA", "RGB", "RGBA")))
@example(img=image(np.arange(256, dtype=np.uint8).reshape(16, 16), "L"))
def test_v2_to_image_to_dtype_matches_to_tensor_within_2_pow_minus_24(device, F, v2, img):
    """Compose([ToImage(), ToDtype(float32, scale=True)]) agrees with ToTensor to within 2**-24, not bitwise.

    v2 multiplies by 1/255 where v1 divides by 255, so about half of the 256 levels differ in the
    last bit (|diff| <= 2**-24, half a float32 ulp at 1). Here the dtype step runs on the device.
    """
    claim = f"v2 ToImage+ToDtype(scale=True) matches ToTensor within 2**-24, mode={img.mode}, device={device}"
    image_tensor = v2.ToImage()(img).to(device)
    out = v2.ToDtype(torch.float32, scale=True)(image_tensor)
    expected = F.to_tensor(img).to(device)
    assert_dtype(out, torch.float32, claim)
    torch.testing.assert_close(
        out.as_subclass(torch.Tensor), expected, rtol=0, atol=2**-24, msg=lambda m: f"{m}\n[{claim}]"
    )


def test_v2_ToTensor_warns_that_it_is_deprecated(device, v2):
    """Constructing v2.ToTensor emits a UserWarning that it is deprecated (and still returns ToTensor's result).

    The warning exists since v2 first shipped (torchvision 0.15); its suggested replacement changed
    from PILToTensor + ConvertImageDtype (0.15) to ToImage + ToDtype (0.16+), so only the common
    part is matched.
    """
    claim = f"v2.ToTensor warns that it is deprecated, device={device}"
    img = image(np.arange(12, dtype=np.uint8).reshape(2, 2, 3), "RGB")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        transform = v2.ToTensor()
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    assert any("ToTensor()` is deprecated" in m for m in messages), f"warnings={messages} [{claim}]"
    assert_same(transform(img).to(device), (chw(img).float() / 255).to(device), claim)


@pytest.mark.torchvision_version(">=0.16", reason="v2.ToImage and ToDtype(scale=True) arrived with stable v2 in 0.16")
@given(arr=hnp.arrays(np.int32, st.tuples(sides, sides), elements=st.integers(0, 2**31 - 1)))
@example(arr=np.array([[0, 1, 2**31 - 1]], np.int32))
def test_v2_scales_mode_I_by_int32_max_where_v1_does_not(device, F, v2, arr):
    """v2 ToImage + ToDtype(float32, scale=True) divides a mode I image by 2**31 - 1; v1 to_tensor keeps the int32 values."""
    claim = f"v2 scales mode I, v1 does not, device={device}"
    img = image(arr, "I")
    out = v2.ToDtype(torch.float32, scale=True)(v2.ToImage()(img).to(device)).as_subclass(torch.Tensor)
    expected = (torch.from_numpy(arr)[None].float() * (1.0 / (2**31 - 1))).to(device)
    torch.testing.assert_close(out, expected, rtol=2**-23, atol=0, msg=lambda m: f"{m}\n[{claim}]")
    assert_same(F.to_tensor(img).to(device), torch.from_numpy(arr)[None].to(device), claim)


@pytest.mark.torchvision_version(
    ">=0.20", reason="uint16 images (ToImage of I;16) and ToDtype scaling from uint16: vision#8524, torchvision 0.20"
)
@given(arr=hnp.arrays(np.uint16, st.tuples(sides, sides)))
@example(arr=np.array([[0, 1, 40000, 65535]], np.uint16))
def test_v2_scales_mode_I16_by_65535_where_v1_does_not(device, F, v2, arr):
    """v2 reads an I;16 image as uint16 and ToDtype(float32, scale=True) divides it by 65535; v1 to_tensor gives unscaled int16."""
    claim = f"v2 scales mode I;16 by 65535, v1 does not, device={device}"
    img = image(arr, "I;16")
    raw = v2.ToImage()(img)
    assert_dtype(raw, torch.uint16, claim)
    # scaled on cpu: uint16 is a "barebones" dtype with few kernels, so only the result is moved
    out = v2.ToDtype(torch.float32, scale=True)(raw).as_subclass(torch.Tensor).to(device)
    expected = (torch.from_numpy(arr.astype(np.float32))[None] / 65535).to(device)
    torch.testing.assert_close(out, expected, rtol=2**-23, atol=0, msg=lambda m: f"{m}\n[{claim}]")
    assert_dtype(F.to_tensor(img), torch.int16, claim)
