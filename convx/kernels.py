"""Classic named image kernels as small float64 arrays: ``convx.kernels``.

Axis convention: arrays are indexed ``[row, column]`` = ``[y, x]``, row 0 at the top of the
image, as NumPy and image files store pixels. Every kernel is written for **correlation**
(``convx.filters.correlate``, ``scipy.ndimage.correlate``, ``cv2.filter2D``): the tap at
``[i, j]`` multiplies the pixel ``i - k//2`` rows below and ``j - k//2`` columns right of the
output pixel. (``convolve`` flips the kernel, which negates the antisymmetric derivative kernels
below and leaves the symmetric ones unchanged.)

- ``sobel_x`` = ``[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]``: derivative along x (columns), smoothed
  along y. Positive where the image gets brighter to the right: responds to **vertical** edges.
  Equals ``scipy.ndimage.sobel(img, axis=1)`` (= ``axis=-1``) on a 2-D image.
- ``sobel_y`` = ``sobel_x.T``: derivative along y (rows, downwards), responds to **horizontal**
  edges (brighter below is positive); ``scipy.ndimage.sobel(img, axis=0)``.
- ``scharr_x`` / ``scharr_y``: like Sobel with weights 3, 10, 3: better rotational symmetry of
  the gradient estimate.
- ``prewitt_x`` / ``prewitt_y``: like Sobel with an unweighted ``[1, 1, 1]`` smoothing;
  ``scipy.ndimage.prewitt(img, axis=1 / 0)``.
- ``laplacian``: the 5-point Laplacian ``[[0, 1, 0], [1, -4, 1], [0, 1, 0]]``; zero on flat and
  linearly sloped regions, responds to blobs, thin lines and corners (both edge sides, opposite
  signs); ``scipy.ndimage.laplace`` on a 2-D image.
- ``gaussian(size, sigma)``: normalised 2-D Gaussian (sums to 1), a smooth blur.
- ``box(size)``: ``size x size`` mean (sums to 1), a flat blur; ``uniform_filter``.
- ``sharpen``: identity plus a negated 4-neighbour Laplacian, ``[[0, -1, 0], [-1, 5, -1],
  [0, -1, 0]]``: boosts local contrast.
- ``emboss``: ``[[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]``: a diagonal derivative plus the image,
  gives a relief look lit from the top left.
- ``outline``: ``[[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]``: the 8-neighbour Laplacian,
  highlights every edge and fine detail.
- ``identity``: ``[[0, 0, 0], [0, 1, 0], [0, 0, 0]]``.

Every function returns a fresh array, so callers may modify it. ``NAMES`` maps each name to a
no-argument function (``gaussian`` and ``box`` with their defaults), for the command line.

Examples
--------
>>> import numpy as np, convx.filters as F, convx.kernels as K
>>> img = np.zeros((5, 5)); img[:, 3:] = 1.0          # a vertical edge
>>> F.correlate(img, K.sobel_x())[2]
array([0., 0., 4., 4., 0.])
>>> F.correlate(img, K.sobel_y())[2]
array([0., 0., 0., 0., 0.])
"""
import numbers

import numpy as np

__all__ = ["sobel_x", "sobel_y", "scharr_x", "scharr_y", "prewitt_x", "prewitt_y", "laplacian",
           "gaussian", "box", "sharpen", "emboss", "outline", "identity", "NAMES", "get"]


def _deriv_x(smooth):
    return np.outer(np.asarray(smooth, dtype=np.float64), [-1.0, 0.0, 1.0])


def sobel_x():
    """Sobel x-derivative (responds to vertical edges): ``[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]``."""
    return _deriv_x([1, 2, 1])


def sobel_y():
    """Sobel y-derivative (responds to horizontal edges; brighter below is positive)."""
    return _deriv_x([1, 2, 1]).T.copy()


def scharr_x():
    """Scharr x-derivative: ``[[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]]`` (vertical edges)."""
    return _deriv_x([3, 10, 3])


def scharr_y():
    """Scharr y-derivative (horizontal edges)."""
    return _deriv_x([3, 10, 3]).T.copy()


def prewitt_x():
    """Prewitt x-derivative: ``[[-1, 0, 1]] * 3`` (vertical edges)."""
    return _deriv_x([1, 1, 1])


def prewitt_y():
    """Prewitt y-derivative (horizontal edges)."""
    return _deriv_x([1, 1, 1]).T.copy()


def laplacian():
    """5-point Laplacian ``[[0, 1, 0], [1, -4, 1], [0, 1, 0]]`` (blobs, lines, corners)."""
    return np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])


def _size(size):
    if isinstance(size, (bool, np.bool_)) or not isinstance(size, (numbers.Integral, np.integer)):
        raise TypeError(f"size must be a positive int, got size={size!r}")
    if size < 1:
        raise ValueError(f"size must be a positive int, got size={size}")
    return int(size)


def gaussian(size=5, sigma=None):
    """Normalised ``size x size`` Gaussian blur (sums to 1).

    ``sigma`` defaults to ``0.3 * ((size - 1) * 0.5 - 1) + 0.8`` (OpenCV's rule for a given
    size). Samples ``exp(-r^2 / (2 sigma^2))`` at integer offsets from the centre; an even size
    is centred between pixels.
    """
    size = _size(size)
    if sigma is None:
        sigma = 0.3 * ((size - 1) * 0.5 - 1) + 0.8
    if isinstance(sigma, (bool, np.bool_)) or not isinstance(sigma, (numbers.Real, np.number)):
        raise TypeError(f"sigma must be a positive number, got sigma={sigma!r}")
    if not sigma > 0:
        raise ValueError(f"sigma must be a positive number, got sigma={sigma}")
    r = np.arange(size) - (size - 1) / 2.0
    g = np.exp(-0.5 * (r / float(sigma)) ** 2)
    g /= g.sum()
    return np.outer(g, g)


def box(size=3):
    """``size x size`` mean filter (every tap ``1 / size**2``)."""
    size = _size(size)
    return np.full((size, size), 1.0 / (size * size))


def sharpen():
    """``[[0, -1, 0], [-1, 5, -1], [0, -1, 0]]``: the image minus its Laplacian (crisper)."""
    return np.array([[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]])


def emboss():
    """``[[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]``: relief effect lit from the top left."""
    return np.array([[-2.0, -1.0, 0.0], [-1.0, 1.0, 1.0], [0.0, 1.0, 2.0]])


def outline():
    """``[[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]``: 8-neighbour Laplacian, all edges."""
    k = -np.ones((3, 3))
    k[1, 1] = 8.0
    return k


def identity():
    """``[[0, 0, 0], [0, 1, 0], [0, 0, 0]]``: leaves the image unchanged."""
    k = np.zeros((3, 3))
    k[1, 1] = 1.0
    return k


NAMES = {
    "sobel_x": sobel_x, "sobel_y": sobel_y, "scharr_x": scharr_x, "scharr_y": scharr_y,
    "prewitt_x": prewitt_x, "prewitt_y": prewitt_y, "laplacian": laplacian,
    "gaussian": gaussian, "box": box, "sharpen": sharpen, "emboss": emboss,
    "outline": outline, "identity": identity,
}


def get(name):
    """The kernel called ``name`` (a key of ``NAMES``) with default parameters."""
    if not isinstance(name, str) or name not in NAMES:
        raise ValueError(f"name must be one of {sorted(NAMES)}, got name={name!r}")
    return NAMES[name]()
