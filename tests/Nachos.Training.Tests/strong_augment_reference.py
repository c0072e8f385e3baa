"""Independent numpy/scipy implementation of the strong augmentation's operations (formulas of StrongAugment,
github.com/jopo666/StrongAugment, on [0, 1] floats; docs/spec.md), used to write StrongAugmentExpected.cs:
    /usr/bin/python3 tests/Nachos.Training.Tests/strong_augment_reference.py > tests/Nachos.Training.Tests/StrongAugmentExpected.cs
"""
import colorsys
import numpy as np
from scipy import ndimage
from scipy.fft import dctn, idctn

LUMA = np.array([0.299, 0.587, 0.114])


def image(channels, h, w, salt):
    c, y, x = np.meshgrid(np.arange(channels), np.arange(h), np.arange(w), indexing="ij")
    levels = (c * 97 + y * 53 + x * 29 + x * y * 7 + salt) % 256
    return (levels / 255.0).astype(np.float32).astype(np.float64)


def level(x):
    return np.rint(np.clip(x, 0, 1) * 255)


def gray(img):
    return np.tensordot(LUMA, img, axes=1) if img.shape[0] == 3 else img[0]


def brightness(img, m):
    return np.clip(img * m, 0, 1)


def scale_channel(img, c, m):
    out = img.copy()
    out[c] = np.clip(img[c] * m, 0, 1)
    return out


def contrast(img, m):
    return np.clip(m * img + (1 - m) * gray(img).mean(), 0, 1)


def saturation(img, m):
    return np.clip(m * img + (1 - m) * gray(img)[None], 0, 1)


def grayscale(img):
    return np.repeat(gray(img)[None], 3, axis=0)


def hue(img, shift):
    out = img.copy()
    for y in range(img.shape[1]):
        for x in range(img.shape[2]):
            h, s, v = colorsys.rgb_to_hsv(*img[:, y, x])
            out[:, y, x] = colorsys.hsv_to_rgb((h + shift) % 1.0, s, v)
    return out


def gamma(img, m):
    return img ** m


def tone(img, m0, m1):
    t = img
    return 3 * (1 - t) ** 2 * t * m0 + 3 * (1 - t) * t ** 2 * m1 + t ** 3


def solarize(img, threshold):
    return np.where(level(img) >= threshold, 1 - img, img)


def posterize(img, bits):
    return (level(img).astype(int) & (0xFF << (8 - bits) & 0xFF)) / 255.0


def autocontrast(img):
    out = img.copy()
    for c in range(img.shape[0]):
        lo, hi = img[c].min(), img[c].max()
        if hi > lo:
            out[c] = (img[c] - lo) / (hi - lo)
    return out


def equalize(img):
    out = img.copy()
    for c in range(img.shape[0]):
        lv = level(img[c]).astype(int)
        hist = np.bincount(lv.ravel(), minlength=256)
        first = np.nonzero(hist)[0][0]
        if hist[first] == lv.size:
            continue
        cum = np.cumsum(hist) - hist[first]
        lut = np.rint(cum * 255.0 / (lv.size - hist[first])) / 255.0
        lut[: first + 1] = 0
        out[c] = lut[lv]
    return out


def filter3(img, kernel, m):
    k = (1 - m) * np.pad([[1.0]], 1) + m * np.array(kernel, dtype=float)
    return np.clip(np.stack([ndimage.correlate(p, k, mode="mirror") for p in img]), 0, 1)


def sharpen(img, m):
    return filter3(img, [[-1, -1, -1], [-1, 9, -1], [-1, -1, -1]], m)


def emboss(img, m):
    return filter3(img, [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], m)


def blur(img, sigma):
    if sigma <= 0:
        return img
    size = max(3, round(sigma * 3.5) // 2 * 2 + 1)
    r = np.arange(size) - size // 2
    k = np.exp(-r ** 2 / (2 * sigma ** 2))
    k /= k.sum()
    out = ndimage.correlate1d(img, k, axis=2, mode="mirror")
    return ndimage.correlate1d(out, k, axis=1, mode="mirror")


def table(quality, chroma):
    lum = [16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
           14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
           49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99]
    chr_ = [17, 18, 24, 47] + [99] * 4 + [18, 21, 26, 66] + [99] * 4 + [24, 26, 56] + [99] * 5 + [47, 66] + [99] * 38
    q = min(max(quality, 1), 100)
    scale = 5000 // q if q < 50 else 200 - 2 * q
    return np.clip((np.array(chr_ if chroma else lum) * scale + 50) // 100, 1, 255).reshape(8, 8)


def code(plane, q):
    out = np.empty_like(plane)
    for by in range(0, plane.shape[0], 8):
        for bx in range(0, plane.shape[1], 8):
            f = dctn(plane[by:by + 8, bx:bx + 8] - 128.0, norm="ortho")
            t = f / q
            f = np.sign(t) * np.floor(np.abs(t) + 0.5) * q
            out[by:by + 8, bx:bx + 8] = np.clip(np.rint(idctn(f, norm="ortho") + 128), 0, 255)
    return out


def pad(a, block):
    h, w = a.shape[-2:]
    ph, pw = -(-h // block) * block, -(-w // block) * block
    return np.pad(a, [(0, 0)] * (a.ndim - 2) + [(0, ph - h), (0, pw - w)], mode="edge")


def jpeg(img, quality):
    h, w = img.shape[1:]
    lv = level(img)
    if img.shape[0] == 1:
        return code(pad(lv, 8)[0], table(quality, False))[None, :h, :w] / 255.0
    p = pad(lv, 16)
    r, g, b = p
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = -0.168736 * r - 0.331264 * g + 0.5 * b + 128
    cr = 0.5 * r - 0.418688 * g - 0.081312 * b + 128
    down = lambda a: a.reshape(a.shape[0] // 2, 2, a.shape[1] // 2, 2).mean(axis=(1, 3))
    y = code(y, table(quality, False))
    cb = code(down(cb), table(quality, True)).repeat(2, 0).repeat(2, 1) - 128
    cr = code(down(cr), table(quality, True)).repeat(2, 0).repeat(2, 1) - 128
    rgb = np.stack([y + 1.402 * cr, y - 0.344136 * cb - 0.714136 * cr, y + 1.772 * cb])
    return np.clip(np.rint(rgb), 0, 255)[:, :h, :w] / 255.0


VECTOR_CHECKED = {"brightness", "contrast", "tone", "solarize", "posterize", "autocontrast", "equalize", "sharpen", "emboss",
                  "blur", "green", "hue"}
SMALL = (6, 7)
BIG = (13, 19)
cases = []
for ch in (3, 1):
    small = image(ch, *SMALL, salt=5)
    big = image(ch, *BIG, salt=11)
    rgb = ch == 3
    ops = [
        ("brightness 0.1", lambda a: brightness(a, 0.1)),
        ("brightness 2", lambda a: brightness(a, 2.0)),
        ("contrast 0.1", lambda a: contrast(a, 0.1)),
        ("contrast 2", lambda a: contrast(a, 2.0)),
        ("gamma 0.1", lambda a: gamma(a, 0.1)),
        ("gamma 2", lambda a: gamma(a, 2.0)),
        ("tone 0.2 0.9", lambda a: tone(a, 0.2, 0.9)),
        ("solarize 0", lambda a: solarize(a, 0)),
        ("solarize 128", lambda a: solarize(a, 128)),
        ("solarize 255", lambda a: solarize(a, 255)),
        ("posterize 1", lambda a: posterize(a, 1)),
        ("posterize 3", lambda a: posterize(a, 3)),
        ("posterize 8", lambda a: posterize(a, 8)),
        ("autocontrast", autocontrast),
        ("equalize", equalize),
        ("sharpen 0.6", lambda a: sharpen(a, 0.6)),
        ("emboss 0.7", lambda a: emboss(a, 0.7)),
        ("blur 0", lambda a: blur(a, 0.0)),
        ("blur 0.8", lambda a: blur(a, 0.8)),
        ("blur 3", lambda a: blur(a, 3.0)),
    ]
    if rgb:
        ops += [
            ("green 1.7", lambda a: scale_channel(a, 1, 1.7)),
            ("red 0", lambda a: scale_channel(a, 0, 0.0)),
            ("hue 0.3", lambda a: hue(a, 0.3)),
            ("hue -0.45", lambda a: hue(a, -0.45)),
            ("saturation 0.4", lambda a: saturation(a, 0.4)),
            ("saturation 1.6", lambda a: saturation(a, 1.6)),
            ("grayscale", grayscale),
        ]
    for name, fn in ops:
        cases.append((f"{ch} {name}", "small", fn(small)))
    # The 13×19 image as well: rows long enough for the vectorised paths (whole vectors plus a remainder).
    for name, fn in ops:
        if name.split()[0] in VECTOR_CHECKED:
            cases.append((f"{ch} {name} @big", "big", fn(big)))
    for q in (0, 50, 90):
        cases.append((f"{ch} jpeg {q}", "big", jpeg(big, q)))

print("// Generated by strong_augment_reference.py (numpy/scipy); do not edit by hand.")
print("namespace Nachos.Training.Tests;")
print()
print("internal static class StrongAugmentExpected")
print("{")
print(f"    public const int SmallH = {SMALL[0]}, SmallW = {SMALL[1]}, BigH = {BIG[0]}, BigW = {BIG[1]};")
print()
print("    /// <summary>\"channels op magnitude\" → (image, expected values × 255, three decimals, planar).</summary>")
print("    public static readonly Dictionary<string, (string Image, string Values)> Cases = new()")
print("    {")
for name, which, out in cases:
    vals = " ".join(f"{v * 255:.3f}" for v in out.ravel())
    print(f'        ["{name}"] = ("{which}", "{vals}"),')
print("    };")
print("}")
