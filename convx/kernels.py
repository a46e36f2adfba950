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
    """Sobel x-derivative (responds to vertical edges): ``[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]``.

    Returns
    -------
    kernel : ndarray of float64, shape (3, 3)
        A fresh array (callers may modify it), oriented for correlation (module docstring).

    See Also
    --------
    convx.filters.correlate : Apply it to an image.
    convx.filters.sobel : The same derivative as a filter (``axis=-1``).
    sobel_y : The same for the other axis.

    Examples
    --------
    >>> import convx
    >>> convx.kernels.sobel_x()
    array([[-1.,  0.,  1.],
           [-2.,  0.,  2.],
           [-1.,  0.,  1.]])
    """
    return _deriv_x([1, 2, 1])


def sobel_y():
    """Sobel y-derivative (responds to horizontal edges; brighter below is positive).

    Returns
    -------
    kernel : ndarray of float64, shape (3, 3)
        A fresh array (callers may modify it), oriented for correlation (module docstring).

    See Also
    --------
    convx.filters.correlate : Apply it to an image.
    convx.filters.sobel : The same derivative as a filter (``axis=0``).
    sobel_x : The same for the other axis.

    Examples
    --------
    >>> import convx
    >>> convx.kernels.sobel_y()
    array([[-1., -2., -1.],
           [ 0.,  0.,  0.],
           [ 1.,  2.,  1.]])
    """
    return _deriv_x([1, 2, 1]).T.copy()


def scharr_x():
    """Scharr x-derivative: ``[[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]]`` (vertical edges).

    Returns
    -------
    kernel : ndarray of float64, shape (3, 3)
        A fresh array (callers may modify it), oriented for correlation (module docstring).

    See Also
    --------
    convx.filters.correlate : Apply it to an image.
    scharr_y : The same for the other axis.

    Examples
    --------
    >>> import convx
    >>> convx.kernels.scharr_x()
    array([[ -3.,   0.,   3.],
           [-10.,   0.,  10.],
           [ -3.,   0.,   3.]])
    """
    return _deriv_x([3, 10, 3])


def scharr_y():
    """Scharr y-derivative (horizontal edges).

    Returns
    -------
    kernel : ndarray of float64, shape (3, 3)
        A fresh array (callers may modify it), oriented for correlation (module docstring).

    See Also
    --------
    convx.filters.correlate : Apply it to an image.
    scharr_x : The same for the other axis.

    Examples
    --------
    >>> import convx
    >>> convx.kernels.scharr_y()
    array([[ -3., -10.,  -3.],
           [  0.,   0.,   0.],
           [  3.,  10.,   3.]])
    """
    return _deriv_x([3, 10, 3]).T.copy()


def prewitt_x():
    """Prewitt x-derivative: ``[[-1, 0, 1]] * 3`` (vertical edges).

    Returns
    -------
    kernel : ndarray of float64, shape (3, 3)
        A fresh array (callers may modify it), oriented for correlation (module docstring).

    See Also
    --------
    convx.filters.correlate : Apply it to an image.
    convx.filters.prewitt : The same derivative as a filter (``axis=-1``).
    prewitt_y : The same for the other axis.

    Examples
    --------
    >>> import convx
    >>> convx.kernels.prewitt_x()
    array([[-1.,  0.,  1.],
           [-1.,  0.,  1.],
           [-1.,  0.,  1.]])
    """
    return _deriv_x([1, 1, 1])


def prewitt_y():
    """Prewitt y-derivative (horizontal edges).

    Returns
    -------
    kernel : ndarray of float64, shape (3, 3)
        A fresh array (callers may modify it), oriented for correlation (module docstring).

    See Also
    --------
    convx.filters.correlate : Apply it to an image.
    convx.filters.prewitt : The same derivative as a filter (``axis=0``).
    prewitt_x : The same for the other axis.

    Examples
    --------
    >>> import convx
    >>> convx.kernels.prewitt_y()
    array([[-1., -1., -1.],
           [ 0.,  0.,  0.],
           [ 1.,  1.,  1.]])
    """
    return _deriv_x([1, 1, 1]).T.copy()


def laplacian():
    """5-point Laplacian ``[[0, 1, 0], [1, -4, 1], [0, 1, 0]]`` (blobs, lines, corners).

    Returns
    -------
    kernel : ndarray of float64, shape (3, 3)
        A fresh array (callers may modify it), oriented for correlation (module docstring).

    See Also
    --------
    convx.filters.correlate : Apply it to an image.
    convx.filters.laplace : The same operator as a filter, in any dimension.
    outline : A related kernel.

    Examples
    --------
    >>> import convx
    >>> convx.kernels.laplacian()
    array([[ 0.,  1.,  0.],
           [ 1., -4.,  1.],
           [ 0.,  1.,  0.]])
    """
    return np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])


def _size(size):
    if isinstance(size, (bool, np.bool_)) or not isinstance(size, (numbers.Integral, np.integer)):
        raise TypeError(f"size must be a positive int, got size={size!r}")
    if size < 1:
        raise ValueError(f"size must be a positive int, got size={size}")
    return int(size)


def gaussian(size=5, sigma=None):
    """Normalised ``size x size`` Gaussian blur (sums to 1).

    Samples ``exp(-r^2 / (2 sigma^2))`` at integer offsets from the centre; an even size
    is centred between pixels.

    Parameters
    ----------
    size : int, >= 1
        Width and height of the kernel. Default 5.
    sigma : float, > 0, optional
        Standard deviation in pixels; default ``0.3 * ((size - 1) * 0.5 - 1) + 0.8``
        (OpenCV's rule for a given size).

    Returns
    -------
    kernel : ndarray of float64, shape (size, size)
        A fresh, symmetric array that sums to 1 (the outer product of a 1-D Gaussian).

    Raises
    ------
    TypeError
        ``size`` is not an int, or ``sigma`` is not a real number (bools are refused).
    ValueError
        ``size`` < 1 or ``sigma`` <= 0 (or NaN).

    See Also
    --------
    convx.filters.gaussian_filter : Gaussian smoothing by ``sigma``, separable, any dimension.
    box : A flat blur.

    Examples
    --------
    >>> import convx
    >>> k = convx.kernels.gaussian(3, sigma=1.0)
    >>> k.shape, round(float(k.sum()), 12)
    ((3, 3), 1.0)
    >>> bool(k[1, 1] > k[0, 1] > k[0, 0])
    True
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
    """``size x size`` mean filter (every tap ``1 / size**2``).

    Parameters
    ----------
    size : int, >= 1
        Width and height of the kernel. Default 3.

    Returns
    -------
    kernel : ndarray of float64, shape (size, size)
        A fresh array that sums to 1.

    Raises
    ------
    TypeError
        ``size`` is not an int (bools are refused).
    ValueError
        ``size`` < 1.

    See Also
    --------
    convx.filters.uniform_filter : The same mean as a separable filter, any dimension.
    gaussian : A smooth blur.

    Examples
    --------
    >>> import convx
    >>> convx.kernels.box(2)
    array([[0.25, 0.25],
           [0.25, 0.25]])
    """
    size = _size(size)
    return np.full((size, size), 1.0 / (size * size))


def sharpen():
    """``[[0, -1, 0], [-1, 5, -1], [0, -1, 0]]``: the image minus its Laplacian (crisper).

    Returns
    -------
    kernel : ndarray of float64, shape (3, 3)
        A fresh array (callers may modify it), oriented for correlation (module docstring).

    See Also
    --------
    convx.filters.correlate : Apply it to an image.
    laplacian : A related kernel.

    Examples
    --------
    >>> import convx
    >>> convx.kernels.sharpen()
    array([[ 0., -1.,  0.],
           [-1.,  5., -1.],
           [ 0., -1.,  0.]])
    """
    return np.array([[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]])


def emboss():
    """``[[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]``: relief effect lit from the top left.

    Returns
    -------
    kernel : ndarray of float64, shape (3, 3)
        A fresh array (callers may modify it), oriented for correlation (module docstring).

    See Also
    --------
    convx.filters.correlate : Apply it to an image.
    sobel_x : A related kernel.

    Examples
    --------
    >>> import convx
    >>> convx.kernels.emboss()
    array([[-2., -1.,  0.],
           [-1.,  1.,  1.],
           [ 0.,  1.,  2.]])
    """
    return np.array([[-2.0, -1.0, 0.0], [-1.0, 1.0, 1.0], [0.0, 1.0, 2.0]])


def outline():
    """``[[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]``: 8-neighbour Laplacian, all edges.

    Returns
    -------
    kernel : ndarray of float64, shape (3, 3)
        A fresh array (callers may modify it), oriented for correlation (module docstring).

    See Also
    --------
    convx.filters.correlate : Apply it to an image.
    laplacian : A related kernel.

    Examples
    --------
    >>> import convx
    >>> convx.kernels.outline()
    array([[-1., -1., -1.],
           [-1.,  8., -1.],
           [-1., -1., -1.]])
    """
    k = -np.ones((3, 3))
    k[1, 1] = 8.0
    return k


def identity():
    """``[[0, 0, 0], [0, 1, 0], [0, 0, 0]]``: leaves the image unchanged.

    Returns
    -------
    kernel : ndarray of float64, shape (3, 3)
        A fresh array (callers may modify it), oriented for correlation (module docstring).

    See Also
    --------
    convx.filters.correlate : Apply it to an image.
    box : A related kernel.

    Examples
    --------
    >>> import convx
    >>> convx.kernels.identity()
    array([[0., 0., 0.],
           [0., 1., 0.],
           [0., 0., 0.]])
    """
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
    """The kernel called ``name`` (a key of ``NAMES``) with default parameters.

    Parameters
    ----------
    name : str
        One of ``sorted(convx.kernels.NAMES)``: ``'box'``, ``'emboss'``, ``'gaussian'``,
        ``'identity'``, ``'laplacian'``, ``'outline'``, ``'prewitt_x'``, ``'prewitt_y'``,
        ``'scharr_x'``, ``'scharr_y'``, ``'sharpen'``, ``'sobel_x'``, ``'sobel_y'``.

    Returns
    -------
    kernel : ndarray of float64
        A fresh array (``gaussian`` and ``box`` with their default sizes).

    Raises
    ------
    ValueError
        ``name`` is not one of the names (the message lists them).

    See Also
    --------
    convx.filters.correlate : Apply it to an image.

    Examples
    --------
    >>> import convx
    >>> convx.kernels.get("laplacian")
    array([[ 0.,  1.,  0.],
           [ 1., -4.,  1.],
           [ 0.,  1.,  0.]])
    """
    if not isinstance(name, str) or name not in NAMES:
        raise ValueError(f"name must be one of {sorted(NAMES)}, got name={name!r}")
    return NAMES[name]()
