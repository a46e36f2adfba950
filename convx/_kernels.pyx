# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Private test hook: run one micro-kernel of a given ISA directly (STYLE.md section 2).

Tests drive the kernels the drivers only reach on chosen shapes with edge cases of their own
(tile tails, K = 1, accumulate, no bias), against a naive NumPy loop. Every index a kernel would
form is bounds-checked here first, so a bad call raises instead of touching memory out of
bounds. Kernels of an ISA this CPU lacks raise RuntimeError (never executed).
"""
cimport numpy as cnp
from libc.stdlib cimport malloc, free
from convx._csrc cimport *

include "_runtime.pxi"
include "_arrays.pxi"

cnp.import_array()

_ISA = {"scalar": CONVX_ISA_SCALAR, "avx2": CONVX_ISA_AVX2, "avx512": CONVX_ISA_AVX512}


cdef const convx_table *_table(str isa) except NULL:
    if isa not in _ISA:
        raise ValueError(f"isa must be one of {sorted(_ISA)}, got {isa!r}")
    if not convx_cpu_isa_supported(_ISA[isa]):
        raise RuntimeError(f"this CPU cannot run {isa} kernels")
    cdef const convx_table *t = convx_table_for_isa(_ISA[isa])
    if t == NULL:
        raise RuntimeError(f"convx was built without {isa} kernels")
    return t


def ocblock_tile(str isa, str dtype):
    """(output channels, pixels) of the ocblock register tile, or None if the ISA has none."""
    cdef const convx_table *t = _table(isa)
    if dtype == "float32":
        return None if t.ocblock_f32 == NULL else (t.ocblock_oc_f32, t.ocblock_np_f32)
    return None if t.ocblock_f64 == NULL else (t.ocblock_oc_f64, t.ocblock_np_f64)


def ocblock(str isa, cnp.ndarray w, cnp.ndarray x, cnp.ndarray pix, cnp.ndarray koff,
            cnp.ndarray c, bint accumulate, object bias):
    """c[j*OCB + o] (+)= sum_k w[k*OCB + o] * x[pix[j] + koff[k]] with the ISA's ocblock kernel
    (sums start from bias, or 0, unless `accumulate`). w, x, c, bias: 1-D C-contiguous arrays of
    one float dtype; pix, koff: int64 offsets. n = len(pix) pixels, K = len(koff) steps."""
    cdef const convx_table *t = _table(isa)
    dt = w.dtype
    for name, a in (("x", x), ("c", c)) + ((("bias", bias),) if bias is not None else ()):
        if a.dtype != dt or a.ndim != 1 or not a.flags.c_contiguous:
            raise ValueError(f"{name} must be 1-D C-contiguous {dt}")
    if not c.flags.writeable:
        raise ValueError("c must be writeable")
    if pix.dtype != np_int64 or koff.dtype != np_int64 or pix.ndim != 1 or koff.ndim != 1:
        raise ValueError("pix and koff must be 1-D int64")
    tile = ocblock_tile(isa, "float32" if dt == np_float32 else "float64")
    if tile is None or dt not in (np_float32, np_float64):
        raise ValueError(f"no {isa} ocblock kernel for {dt}")
    cdef cx_idx OCB = tile[0], NP = tile[1], n = pix.shape[0], K = koff.shape[0]
    if not (1 <= n <= NP) or K < 1:
        raise ValueError(f"need 1 <= len(pix) <= {NP} and len(koff) >= 1")
    if w.shape[0] < K * OCB or c.shape[0] < n * OCB or (bias is not None and bias.shape[0] < OCB):
        raise ValueError("w, c or bias too small for the tile")
    pixc = np_ascontiguous(pix)
    koffc = np_ascontiguous(koff)
    lo = int(pixc.min()) + int(koffc.min())
    hi = int(pixc.max()) + int(koffc.max())
    if lo < 0 or hi >= x.shape[0]:
        raise ValueError("pix + koff must index inside x")
    # The kernel loads (accumulate) and may keep whole pixel tiles of c: NP * OCB elements,
    # whatever n is. Run it on a buffer of that size, never on the caller's n * OCB.
    cbuf = _np.zeros(NP * OCB, dt)
    cbuf[:n * OCB] = c[:n * OCB]
    cdef cnp.ndarray cb = cbuf
    cdef cnp.ndarray pv = pixc
    cdef cnp.ndarray kv = koffc
    cdef const cx_idx *pp = <const cx_idx *>cnp.PyArray_DATA(pv)
    cdef const cx_idx *kp = <const cx_idx *>cnp.PyArray_DATA(kv)
    cdef void **ptrs = <void **>malloc(<size_t>NP * sizeof(void *))
    if ptrs == NULL:
        raise MemoryError()
    cdef cx_idx j
    cdef char *xb = <char *>cnp.PyArray_DATA(x)
    cdef cx_idx item = x.itemsize
    cdef void *bp = _data_or_null(bias)
    try:
        for j in range(n):
            ptrs[j] = xb + pp[j] * item
        if dt == np_float32:
            t.ocblock_f32(K, <const float *>cnp.PyArray_DATA(w), <const float *const *>ptrs, kp,
                          n, <float *>cnp.PyArray_DATA(cb), accumulate, <const float *>bp)
        else:
            t.ocblock_f64(K, <const double *>cnp.PyArray_DATA(w), <const double *const *>ptrs,
                          kp, n, <double *>cnp.PyArray_DATA(cb), accumulate, <const double *>bp)
    finally:
        free(ptrs)
    c[:n * OCB] = cbuf[:n * OCB]
    return c


def transpose(str isa, cx_idx R, cx_idx C, cnp.ndarray src, cx_idx lds, cnp.ndarray dst,
              cx_idx ldd):
    """dst[c*ldd + r] = src[r*lds + c] for r < R, c < C with the ISA's f32 transpose kernel
    (src, dst: 1-D C-contiguous float32)."""
    cdef const convx_table *t = _table(isa)
    if t.transpose_f32 == NULL:
        raise ValueError(f"no {isa} transpose kernel")
    for name, a in (("src", src), ("dst", dst)):
        if a.dtype != np_float32 or a.ndim != 1 or not a.flags.c_contiguous:
            raise ValueError(f"{name} must be 1-D C-contiguous float32")
    if R < 1 or C < 1 or lds < C or ldd < R:
        raise ValueError("need R, C >= 1, lds >= C, ldd >= R")
    if (R - 1) * lds + C > src.shape[0] or (C - 1) * ldd + R > dst.shape[0]:
        raise ValueError("src or dst too small")
    t.transpose_f32(R, C, <const float *>cnp.PyArray_DATA(src), lds,
                    <float *>cnp.PyArray_DATA(dst), ldd)
    return dst


import numpy as _np
np_int64 = _np.dtype(_np.int64)
np_float32 = _np.dtype(_np.float32)
np_float64 = _np.dtype(_np.float64)
np_ascontiguous = _np.ascontiguousarray
