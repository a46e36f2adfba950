"""Image filtering with ``scipy.ndimage`` semantics, compiled: ``convx.filters``.

Drop-in replacements for ``scipy.ndimage.correlate``, ``convolve``, ``correlate1d``,
``convolve1d``, ``sobel``, ``prewitt``, ``laplace``, ``gaussian_filter``, ``gaussian_filter1d``,
``uniform_filter``, ``uniform_filter1d`` and ``gaussian_gradient_magnitude``: same arguments,
same boundary modes (``reflect``, ``constant``, ``nearest``, ``mirror``, ``wrap`` and the
``grid-*`` aliases), same ``origin`` and ``axes`` rules (documented, with the experiments that
found them, in :mod:`convx.reference.filters`, the oracle these functions are tested against).

Differences from scipy, on purpose:

* dtypes: float32 input is computed and returned in float32 (scipy computes in float64 and
  rounds into a float32 output at the end of every 1-D pass, so the two agree to float32
  rounding); float64 stays float64; float16 is computed in float32 (scipy rejects it); integer
  and bool images are computed in float64 and returned as float64 unless ``output=`` asks for
  a dtype, which receives the result with scipy's C cast (floats round, integers truncate
  toward zero, bool is "truncated to uint8, non-zero"). scipy keeps an integer input's dtype
  and truncates after every 1-D pass; convx casts once, at the end.
* ``workers=`` (keyword only) sets the threads of one call (None: :func:`convx.get_num_threads`,
  -1: all cores); results are bit-identical for any value.
* Non-finite values in ``uniform_filter``/``uniform_filter1d`` stay inside the windows that
  contain them (scipy's running sum spreads a NaN or inf to the end of the line).
* Composite filters (``sobel``, ``prewitt``, ``laplace``, ``gaussian_filter``,
  ``uniform_filter``) are computed as one n-D pass with the combined kernel when that is exact
  (every mode but ``'constant'`` with a non-zero ``cval``, one mode for all axes) and cheap
  (few taps); otherwise as scipy does, one 1-D pass per axis. Both orders give the same result
  up to rounding.
* ``correlate``/``convolve`` with a 2-D rank-1 kernel of many taps (e.g. a Gaussian or box
  built with :mod:`convx.kernels`) run as two 1-D passes (same exactness conditions).

Large kernels: ``correlate``/``convolve`` with a non-separable 2-D kernel over the last two
axes run through a C overlap-save FFT (csrc/filters_fft.template.c, OpenMP over tiles) from
about 12x12 taps on (per ISA and dtype: ``convx/filters/_fft.py``, ``_C_RULES``, with the
measurements), equal to the direct sum up to FFT rounding; an inf or NaN in the input sends the
call back to the direct path. Other layouts (e.g. an RGB image over axes (0, 1)) use numpy.fft
of the mode-extended image from ``_FFT_MIN_TAPS_PER_WORKER * workers`` taps (2000 per thread:
numpy.fft is single-threaded).

How it runs: the input is viewed as ``[batch, D, H, W, inner]`` (up to three filtered axes,
unfiltered leading axes as a batch, unfiltered trailing axes interleaved); the C driver
(csrc/filters.template.c) reads row interiors in place, builds the boundary-extended row ends
per thread and runs vectorised row kernels (csrc/kernels/filter/) over OpenMP tasks of output
rows.

Package layout: ``_args`` (argument normalisation and the output policy), ``_strategy`` (the C
driver's view, 1-D and fused passes, which path a call takes), ``_fft`` (the FFT path),
``_fallback`` (the NumPy path for more than three consecutive filtered axes), ``_gaussian``
(Gaussian kernels), and the public functions in ``_correlate`` (correlate, convolve and their
1-D forms) and ``_composite`` (sobel, prewitt, laplace, Gaussian, uniform, gradient magnitude).
"""
from convx.filters._correlate import convolve, convolve1d, correlate, correlate1d
from convx.filters._composite import (gaussian_filter, gaussian_filter1d,
                                      gaussian_gradient_magnitude, laplace, prewitt, sobel,
                                      uniform_filter, uniform_filter1d)
from convx.filters._gaussian import _gaussian_kernel1d  # noqa: F401  (used by the benchmarks)

__all__ = [
    "correlate", "convolve", "correlate1d", "convolve1d", "sobel", "prewitt", "laplace",
    "gaussian_filter", "gaussian_filter1d", "uniform_filter", "uniform_filter1d",
    "gaussian_gradient_magnitude",
]
