"""``python -m convx filter IN.png -k sobel_x -o OUT.png``: look at what a kernel does.

Reads a grayscale or colour image (Pillow, the optional extra ``pyconvx[image]``), correlates it
with a named kernel from :mod:`convx.kernels` (``gaussian:7`` / ``gaussian:7,2.0`` /
``box:5`` pass parameters) or a kernel file (``.npy``, or text readable by ``numpy.loadtxt``),
with ``convx.filters.correlate`` (colour images channel by channel, ``axes=(0, 1)``), and
writes the result rescaled to 8 bits for viewing:

- ``abs``: ``|result|`` scaled so the largest value is white (edge detectors: kernels that sum
  to 0, e.g. ``sobel_x``, ``laplacian``);
- ``signed``: 0 is mid-gray, the largest magnitude black or white;
- ``clip``: values clipped to the input range 0..255 (blurs, sharpen, emboss: kernels that
  sum to about 1);
- ``minmax``: the result's own range stretched to 0..255;
- ``auto`` (default): ``abs`` when the kernel sums to 0, else ``clip``.
"""
from __future__ import annotations

import argparse
import os

import numpy as np

SCALES = ("auto", "abs", "signed", "clip", "minmax")
MODES = ("reflect", "constant", "nearest", "mirror", "wrap")


def _pil():
    try:
        from PIL import Image
    except ImportError:
        raise SystemExit("python -m convx filter needs Pillow to read and write images: "
                         "pip install 'pyconvx[image]' (or pip install Pillow)") from None
    return Image


def load_kernel(spec: str) -> np.ndarray:
    """A kernel from a name of convx.kernels (optionally ``name:arg[,arg]``) or a file."""
    from convx import kernels
    if os.path.splitext(spec)[1].lower() in (".npy", ".txt", ".csv") or os.path.exists(spec):
        if not os.path.exists(spec):
            raise SystemExit(f"kernel file {spec!r} does not exist")
        try:
            k = np.load(spec) if spec.lower().endswith(".npy") else \
                np.loadtxt(spec, delimiter="," if spec.lower().endswith(".csv") else None,
                           ndmin=2)
        except Exception as e:  # noqa: BLE001 - any parse error becomes a clear message
            raise SystemExit(f"cannot read kernel file {spec!r}: {e}") from None
        k = np.asarray(k, dtype=np.float64)
        if k.ndim == 1:
            k = k[None, :]
        if k.ndim != 2 or k.size == 0:
            raise SystemExit(f"kernel file {spec!r} must hold a non-empty 2-D array, got "
                             f"shape {k.shape}")
        return k
    name, _, args = spec.partition(":")
    if name not in kernels.NAMES:
        raise SystemExit(f"unknown kernel {name!r}; use a file (.npy/.txt) or one of: "
                         f"{', '.join(sorted(kernels.NAMES))}")
    vals = []
    for a in filter(None, args.split(",")):
        try:
            vals.append(int(a) if a.strip().lstrip("-").isdigit() else float(a))
        except ValueError:
            raise SystemExit(f"bad kernel parameter {a!r} in {spec!r}") from None
    try:
        return kernels.NAMES[name](*vals)
    except (TypeError, ValueError) as e:
        raise SystemExit(f"bad parameters for kernel {name!r}: {e}") from None


def read_image(path: str, gray: bool = False) -> np.ndarray:
    """float64 [H, W] (grayscale) or [H, W, 3] (colour), values 0..255."""
    Image = _pil()
    try:
        img = Image.open(path)
        img.load()
    except (OSError, ValueError) as e:
        raise SystemExit(f"cannot read image {path!r}: {e}") from None
    if gray or img.mode in ("1", "L", "LA", "I", "I;16", "F"):
        img = img.convert("F" if img.mode in ("I", "I;16", "F") else "L")
        a = np.asarray(img, dtype=np.float64)
        if img.mode == "F" and a.size and a.max() > 255:
            a = a * (255.0 / a.max())
        return a
    return np.asarray(img.convert("RGB"), dtype=np.float64)


def to_uint8(result: np.ndarray, scale: str, kernel: np.ndarray) -> np.ndarray:
    """Rescale a filtered image to 0..255 for viewing (see the module docstring)."""
    if scale == "auto":
        scale = "abs" if abs(float(kernel.sum())) < 1e-6 * max(1.0, np.abs(kernel).sum()) \
            else "clip"
    r = np.nan_to_num(result.astype(np.float64))
    if scale == "abs":
        r = np.abs(r)
        m = r.max() if r.size else 0.0
        r = r * (255.0 / m) if m > 0 else r
    elif scale == "signed":
        m = np.abs(r).max() if r.size else 0.0
        r = 127.5 + (r * (127.5 / m) if m > 0 else r)
    elif scale == "minmax":
        lo, hi = (r.min(), r.max()) if r.size else (0.0, 0.0)
        r = (r - lo) * (255.0 / (hi - lo)) if hi > lo else np.zeros_like(r)
    return np.clip(np.rint(r), 0, 255).astype(np.uint8)


def filter_image(image: np.ndarray, kernel: np.ndarray, mode: str = "reflect",
                 workers=None) -> np.ndarray:
    """Correlate a [H, W] or [H, W, C] image with a 2-D kernel, channel by channel."""
    from convx import filters
    axes = (0, 1) if image.ndim == 3 else None
    return filters.correlate(image.astype(np.float32), kernel, mode=mode, axes=axes,
                             workers=workers)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", metavar="IN", help="image to filter (PNG, JPEG, ... via Pillow)")
    p.add_argument("-k", "--kernel", required=True, metavar="KERNEL",
                   help="a convx.kernels name (sobel_x, sobel_y, scharr_x, scharr_y, prewitt_x, "
                        "prewitt_y, laplacian, gaussian[:size[,sigma]], box[:size], sharpen, "
                        "emboss, outline, identity) or a .npy / text kernel file")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="image to write")
    p.add_argument("--mode", default="reflect", choices=MODES,
                   help="boundary mode (scipy.ndimage names; default %(default)s)")
    p.add_argument("--scale", default="auto", choices=SCALES,
                   help="how the result is mapped to 0..255 (default %(default)s: abs for "
                        "kernels that sum to 0, clip otherwise)")
    p.add_argument("--gray", action="store_true", help="convert a colour input to grayscale")
    p.add_argument("--workers", type=int, default=None, help="threads (default: all cores)")


def run(args) -> int:
    Image = _pil()
    kernel = load_kernel(args.kernel)
    image = read_image(args.input, gray=args.gray)
    result = filter_image(image, kernel, mode=args.mode, workers=args.workers)
    out = to_uint8(result, args.scale, kernel)
    try:
        Image.fromarray(out).save(args.output)
    except (OSError, ValueError, KeyError) as e:
        raise SystemExit(f"cannot write image {args.output!r}: {e}") from None
    kind = "colour" if image.ndim == 3 else "grayscale"
    print(f"{args.input} ({kind} {image.shape[1]}x{image.shape[0]}) * {args.kernel} "
          f"{kernel.shape[0]}x{kernel.shape[1]} -> {args.output}")
    return 0
