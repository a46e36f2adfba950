"""Private test hook: run any micro-kernel of the registry directly (STYLE.md section 2).

`registry()` lists every kernel (csrc/kernels/generate.py is the one list); one function per
family runs a kernel by name on NumPy arrays, so tests reach every kernel with edge cases of
their own (tile tails, K = 1, strides, accumulate, no bias) and compare with a naive loop.

Nothing a caller passes is trusted: arguments are checked first (ValueError), every array is
copied into a buffer the hook allocates, sized from the registry's tile of that kernel (a
kernel may load or keep a whole register tile, e.g. indirect_gemm's accumulate loads NP pixel rows),
with strides the hook chooses (row padding, so strided access is exercised) and guard cells
around every output that are checked after the call (RuntimeError if a kernel wrote outside
its output). Results come back as new arrays. Kernels of an ISA this CPU lacks, or that this
build did not compile, raise RuntimeError and are never executed.
"""
from libc.stdlib cimport malloc, free


import numpy as np

cdef extern from "kernels/kernels.h":
    ctypedef void (*f32_sliding_fn "convx_f32_sliding_ukernel_fn")(cx_idx, cx_idx, cx_idx, cx_idx,
        const cx_idx *, cx_idx, cx_idx, const float *, const float *, float *, cx_idx, cx_idx,
        cx_idx, const float *)
    ctypedef void (*f64_sliding_fn "convx_f64_sliding_ukernel_fn")(cx_idx, cx_idx, cx_idx, cx_idx,
        const cx_idx *, cx_idx, cx_idx, const double *, const double *, double *, cx_idx, cx_idx,
        cx_idx, const double *)
    ctypedef void (*f32_gemm_fn "convx_f32_gemm_ukernel_fn")(cx_idx, const float *, cx_idx,
        const float *, cx_idx, float *, cx_idx, cx_idx, cx_idx, int, const float *)
    ctypedef void (*f64_gemm_fn "convx_f64_gemm_ukernel_fn")(cx_idx, const double *, cx_idx,
        const double *, cx_idx, double *, cx_idx, cx_idx, cx_idx, int, const double *)
    ctypedef void (*f32_shifted_gemm_fn "convx_f32_shifted_gemm_ukernel_fn")(cx_idx,
        const float *, cx_idx, const float *, const cx_idx *, float *, cx_idx, cx_idx, cx_idx,
        int, const float *)
    ctypedef void (*f64_shifted_gemm_fn "convx_f64_shifted_gemm_ukernel_fn")(cx_idx,
        const double *, cx_idx, const double *, const cx_idx *, double *, cx_idx, cx_idx, cx_idx,
        int, const double *)
    ctypedef void (*f32_indirect_gemm_fn "convx_f32_indirect_gemm_ukernel_fn")(cx_idx,
        const float *, const float *const *, const cx_idx *, cx_idx, float *, int, const float *)
    ctypedef void (*f64_indirect_gemm_fn "convx_f64_indirect_gemm_ukernel_fn")(cx_idx,
        const double *, const double *const *, const cx_idx *, cx_idx, double *, int,
        const double *)
    ctypedef void (*f32_dwconv_fn "convx_f32_dwconv_ukernel_fn")(cx_idx, cx_idx, cx_idx, cx_idx,
        cx_idx, const float *, cx_idx, const cx_idx *, const float *, float, float *, cx_idx)
    ctypedef void (*f64_dwconv_fn "convx_f64_dwconv_ukernel_fn")(cx_idx, cx_idx, cx_idx, cx_idx,
        cx_idx, const double *, cx_idx, const cx_idx *, const double *, double, double *, cx_idx)
    ctypedef void (*f32_dwconv_inplace_fn "convx_f32_dwconv_inplace_ukernel_fn")(cx_idx, cx_idx,
        const float *const *, cx_idx, cx_idx, const float *, float, float *, cx_idx)
    ctypedef void (*f32_dwconv_cl_fn "convx_f32_dwconv_cl_ukernel_fn")(cx_idx, cx_idx, cx_idx,
        const float *const *, const cx_idx *, const cx_idx *, const float *, const float *,
        float *, cx_idx)
    ctypedef void (*f64_dwconv_cl_fn "convx_f64_dwconv_cl_ukernel_fn")(cx_idx, cx_idx, cx_idx,
        const double *const *, const cx_idx *, const cx_idx *, const double *, const double *,
        double *, cx_idx)
    ctypedef void (*f32_dwconv_cl_row_fn "convx_f32_dwconv_cl_row_ukernel_fn")(cx_idx, cx_idx,
        cx_idx, const float *const *, const float *const *, const float *, float *, cx_idx, int,
        cx_idx)
    ctypedef void (*f64_dwconv_cl_row_fn "convx_f64_dwconv_cl_row_ukernel_fn")(cx_idx, cx_idx,
        cx_idx, const double *const *, const double *const *, const double *, double *, cx_idx,
        int, cx_idx)
    ctypedef void (*f32_filter_fn "convx_f32_filter_ukernel_fn")(cx_idx, cx_idx,
        const float *const *, const float *, float *)
    ctypedef void (*f64_filter_fn "convx_f64_filter_ukernel_fn")(cx_idx, cx_idx,
        const double *const *, const double *, double *)
    ctypedef void (*f32_filter2d_fn "convx_f32_filter2d_ukernel_fn")(cx_idx, cx_idx, cx_idx,
        cx_idx, const float *const *, const float *, float *const *)
    ctypedef void (*f64_filter2d_fn "convx_f64_filter2d_ukernel_fn")(cx_idx, cx_idx, cx_idx,
        cx_idx, const double *const *, const double *, double *const *)
    ctypedef void (*f32_im2col_fn "convx_f32_im2col_fn")(const float *, const cx_idx *,
        const cx_idx *, const cx_idx *, const cx_idx *, const cx_idx *, const cx_idx *, cx_idx,
        cx_idx, cx_idx, cx_idx, float *, cx_idx)
    ctypedef void (*f64_im2col_fn "convx_f64_im2col_fn")(const double *, const cx_idx *,
        const cx_idx *, const cx_idx *, const cx_idx *, const cx_idx *, const cx_idx *, cx_idx,
        cx_idx, cx_idx, cx_idx, double *, cx_idx)
    ctypedef void (*f32_pack_fn "convx_f32_pack_row_fn")(cx_idx, float *, cx_idx, const float *,
        cx_idx, cx_idx, cx_idx, cx_idx, cx_idx, cx_idx)
    ctypedef void (*f64_pack_fn "convx_f64_pack_row_fn")(cx_idx, double *, cx_idx, const double *,
        cx_idx, cx_idx, cx_idx, cx_idx, cx_idx, cx_idx)
    ctypedef double (*peak_fn "convx_peak_ukernel_fn")(cx_idx, int *)
    ctypedef void (*f32_fftconv_fn "convx_f32_fftconv_ukernel_fn")(cx_idx, float *, float *,
        const float *, const float *, const float *, const float *)
    ctypedef void (*f64_fftconv_fn "convx_f64_fftconv_ukernel_fn")(cx_idx, double *, double *,
        const double *, const double *, const double *, const double *)
    ctypedef void (*f32_transpose_fn "convx_f32_transpose_fn")(cx_idx, cx_idx, const float *,
        cx_idx, float *, cx_idx)
    ctypedef void (*f64_transpose_fn "convx_f64_transpose_fn")(cx_idx, cx_idx, const double *,
        cx_idx, double *, cx_idx)

_DTYPE = {"f32": np.dtype(np.float32), "f64": np.dtype(np.float64)}
_SENTINEL = 1234.5     # guard value, exactly representable in both dtypes
_GUARD = 64            # guard elements before and after every output buffer


def registry():
    """Every kernel of the registry, in list order: dicts with name, family, dtype ('float32' or
    'float64'), isa, tile (the string in the name), slot, oc, px, rows, ksize, stride (the
    register tile, see csrc/kernels/kernels.h), compiled (this build has it) and runnable
    (compiled and this CPU supports its ISA)."""
    out = []
    cdef const convx_kernel_info *k
    for i in range(convx_kernel_count()):
        k = convx_kernel_get(i)
        compiled = k.fn != NULL
        out.append({"name": k.name.decode(), "family": k.family.decode(),
                    "dtype": _DTYPE[k.dtype.decode()].name, "isa": convx_isa_name(k.isa).decode(),
                    "tile": k.tile.decode(), "slot": k.slot, "oc": k.oc, "px": k.px,
                    "rows": k.rows, "ksize": k.ksize, "stride": k.stride, "compiled": compiled,
                    "runnable": compiled and convx_cpu_isa_supported(k.isa) != 0})
    return out


def check_table_with(str isa, str field, int value):
    """Run the import-time registry check on a copy of `isa`'s dispatch table whose int tile
    field `field` ('gemm_mr_f32', 'gemm_nr_f64', 'indirect_gemm_np_f32', 'sliding_ocb0', ...) is
    set to `value`; returns the check's message ('' if the table passes). Proves the check bites."""
    cdef int i = convx_isa_by_name(isa)
    cdef const convx_table *t = convx_table_for_isa(i)
    if t == NULL:
        raise RuntimeError(f"convx was built without {isa} kernels")
    cdef convx_table copy = t[0]
    cdef int *slot = _table_int(&copy, field)
    slot[0] = value
    cdef char msg[512]
    msg[0] = 0
    convx_dispatch_check_table(&copy, msg, sizeof(msg))
    return msg.decode()


cdef int *_table_int(convx_table *t, str field) except NULL:
    if field == "gemm_mr_f32": return &t.gemm_mr_f32
    if field == "gemm_nr_f32": return &t.gemm_nr_f32
    if field == "gemm_mr_f64": return &t.gemm_mr_f64
    if field == "gemm_nr_f64": return &t.gemm_nr_f64
    if field == "indirect_gemm_oc_f32": return &t.indirect_gemm_oc_f32
    if field == "indirect_gemm_np_f32": return &t.indirect_gemm_np_f32
    if field == "indirect_gemm_oc_f64": return &t.indirect_gemm_oc_f64
    if field == "indirect_gemm_np_f64": return &t.indirect_gemm_np_f64
    for s in range(3):
        if field == f"sliding_ocb{s}": return &t.sliding_ocb[s]
    raise ValueError(f"unknown table field {field!r}")


cdef int convx_isa_by_name(str isa) except -1:
    for i in range(CONVX_ISA_COUNT):
        if convx_isa_name(i).decode() == isa:
            return i
    tags = [convx_isa_name(i).decode() for i in range(CONVX_ISA_COUNT)]
    raise ValueError(f"isa must be one of {tags}, got {isa!r}")


cdef const convx_kernel_info *_entry(str name, str family) except NULL:
    cdef const convx_kernel_info *k
    for i in range(convx_kernel_count()):
        k = convx_kernel_get(i)
        if k.name.decode() == name:
            if k.family.decode() != family:
                raise ValueError(f"{name} is a {k.family.decode()} kernel, not {family}")
            if k.fn == NULL:
                isa = convx_isa_name(k.isa).decode()
                raise RuntimeError(f"convx was built without {isa} kernels")
            if not convx_cpu_isa_supported(k.isa):
                raise RuntimeError(f"this CPU cannot run {convx_isa_name(k.isa).decode()} kernels")
            return k
    raise ValueError(f"no kernel named {name!r} in the registry")


cdef object _dt(const convx_kernel_info *k):
    return _DTYPE[k.dtype.decode()]


def _inp(a, dt, ndim, what):
    """A private C-contiguous copy of an input array of `ndim` dimensions, in the kernel's dtype."""
    arr = np.array(a, dtype=dt, copy=True, order="C")
    if arr.ndim != ndim:
        raise ValueError(f"{what} must have {ndim} dimension(s), got shape {arr.shape}")
    return arr


def _padded(a, size, dt):
    """A fresh 1-D buffer of at least `size` elements (zero beyond a's values), a copied in."""
    flat = np.ravel(a)
    buf = np.zeros(max(int(size), flat.size, 1), dt)
    buf[:flat.size] = flat
    return buf


_MAX_SIZE = 2 ** 31 - 1    # free size arguments stay far from int64 overflow in any product


def _small(**sizes):
    """Sizes and strides the caller chooses freely (not bounded by an array it passed)."""
    for what, v in sizes.items():
        if not -_MAX_SIZE <= v <= _MAX_SIZE:
            raise ValueError(f"{what} must be at most {_MAX_SIZE} in magnitude, got {v}")


def _idx(a, what):
    arr = np.array(a, copy=True, order="C")
    if arr.ndim != 1 or arr.size < 1 or arr.dtype.kind not in "iu":
        raise ValueError(f"{what} must be a non-empty 1-D integer array")
    return arr.astype(np.int64)


class _Out:
    """An output buffer with _GUARD sentinel elements on both sides. `at(i)`: pointer offset of
    logical element i; positions the kernel may write are registered with `logical` and every
    other element must still hold the sentinel after the call."""

    def __init__(self, size, dt):
        self.size = int(size)
        self.buf = np.full(self.size + 2 * _GUARD, _SENTINEL, dt)

    def inner(self):
        return self.buf[_GUARD:_GUARD + self.size]

    def check(self, written, name):
        """`written`: flat indices (into inner()) the kernel is allowed to write."""
        rest = np.ones(self.buf.size, bool)
        rest[_GUARD + np.asarray(written, np.int64)] = False
        if not np.all(self.buf[rest] == _SENTINEL):
            raise RuntimeError(f"{name} wrote outside its output")


cdef void *_ptr(object a) except NULL:
    cdef cnp.ndarray arr = a
    return cnp.PyArray_DATA(arr)


cdef char *_out_ptr(object o) except NULL:
    cdef cx_idx off = _GUARD * o.buf.itemsize
    return <char *>_ptr(o.buf) + off


# ---- one runner per family ---------------------------------------------------------------

def sliding(str name, x, w, tap_off, cx_idx n, y=None, bias=None):
    """y[j, r, o] = (bias[j] or y[j, r, o]) + sum_{c, t} w[c, t, j] * x[c, r, tap_off[t] + o],
    for j < m, r < n_rows, o < n: x [n_c, n_rows, L], w [n_c, n_taps, m] (m <= OCB), tap_off
    [n_taps] with 0 <= tap_off[t] and tap_off[t] + n <= L. Returns y [m, n_rows, n]."""
    cdef const convx_kernel_info *k = _entry(name, "sliding")
    dt = _dt(k)
    xa = _inp(x, dt, 3, "x")
    wa = _inp(w, dt, 3, "w")
    to = _idx(tap_off, "tap_off")
    cdef cx_idx n_c = xa.shape[0], n_rows = xa.shape[1], L = xa.shape[2]
    cdef cx_idx n_taps = to.shape[0], m = wa.shape[2], OCB = k.oc
    _small(n=n)
    if n_c < 1 or n_rows < 1 or n < 1 or wa.shape[:2] != (n_c, n_taps) or not 1 <= m <= OCB:
        raise ValueError(f"need x [n_c, n_rows, L], w [n_c, {n_taps}, m <= {OCB}], n >= 1")
    if to.min() < 0 or to.max() + n > L:
        raise ValueError("tap_off[t] + n must stay inside the rows of x")
    if bias is None:
        y0 = np.zeros((m, n_rows, n), dt) if y is None else _inp(y, dt, 3, "y")
        if y0.shape != (m, n_rows, n):
            raise ValueError(f"y must have shape {(m, n_rows, n)}")
    # hook-chosen strides (row and channel padding): x rows of L + 3, y rows of n + 2
    cdef cx_idx xr = L + 3, xc = n_rows * xr + 5, yr = n + 2, ys = n_rows * yr + 1
    xb = np.zeros(n_c * xc, dt)
    xb[:n_c * xc].reshape(n_c, xc)[:, :n_rows * xr].reshape(n_c, n_rows, xr)[:, :, :L] = xa
    wb = np.zeros((n_c, n_taps, OCB), dt)
    wb[:, :, :m] = wa
    bb = None
    if bias is not None:
        ba = _inp(bias, dt, 1, "bias")
        if ba.size != m:
            raise ValueError(f"bias must have {m} values")
        bb = _padded(ba, OCB, dt)
    out = _Out(OCB * ys, dt)
    grid = out.inner()[:m * ys].reshape(m, ys)[:, :n_rows * yr].reshape(m, n_rows, yr)
    if bias is None:
        grid[:, :, :n] = y0
    cdef const cx_idx *top = <const cx_idx *>_ptr(to)
    cdef void *xp = _ptr(xb)
    cdef void *wp = _ptr(wb)
    cdef void *bp = NULL if bb is None else _ptr(bb)
    cdef char *yp = _out_ptr(out)
    if dt == np.float32:
        (<f32_sliding_fn>k.fn)(n_rows, n, n_c, n_taps, top, xc, xr, <const float *>xp,
                               <const float *>wp, <float *>yp, ys, yr, m, <const float *>bp)
    else:
        (<f64_sliding_fn>k.fn)(n_rows, n, n_c, n_taps, top, xc, xr, <const double *>xp,
                               <const double *>wp, <double *>yp, ys, yr, m, <const double *>bp)
    written = (np.arange(m)[:, None, None] * ys + np.arange(n_rows)[None, :, None] * yr +
               np.arange(n)[None, None, :]).ravel()
    out.check(written, name)
    return grid[:, :, :n].copy()


cdef tuple _gemm_common(const convx_kernel_info *k, A, C, bint accumulate, bias, cx_idx n):
    dt = _dt(k)
    Aa = _inp(A, dt, 2, "A")
    cdef cx_idx m = Aa.shape[0], K = Aa.shape[1], MR = k.oc, NR = k.px
    if not 1 <= m <= MR or K < 1 or not 1 <= n <= NR:
        raise ValueError(f"need A [m <= {MR}, K >= 1] and 1 <= n <= {NR}")
    if accumulate and C is None:
        raise ValueError("accumulate needs C (the start values)")
    cdef cx_idx lda = K + 1, ldc = n + 2
    Ab = np.zeros((MR, lda), dt)       # rows past m exist (a kernel may form their pointers)
    Ab[:m, :K] = Aa
    bb = None
    if bias is not None:
        ba = _inp(bias, dt, 1, "bias")
        if ba.size != m:
            raise ValueError(f"bias must have {m} values")
        bb = _padded(ba, MR, dt)
    out = _Out(MR * ldc, dt)
    grid = out.inner().reshape(MR, ldc)
    if C is not None:
        Ca = _inp(C, dt, 2, "C")
        if Ca.shape != (m, n):
            raise ValueError(f"C must have shape {(m, n)}")
        grid[:m, :n] = Ca
    written = (np.arange(m)[:, None] * ldc + np.arange(n)[None, :]).ravel()
    return dt, Ab, lda, bb, out, grid, written, m, K


def gemm(str name, A, B, C=None, bint accumulate=False, bias=None):
    """C[i, j] = (C[i, j] if accumulate else bias[i] or 0) + sum_k A[i, k] * B[k, j], with A
    [m <= MR, K], B [K, n <= NR]. Returns C [m, n]."""
    cdef const convx_kernel_info *k = _entry(name, "gemm")
    Ba0 = np.asarray(B)
    if Ba0.ndim != 2:
        raise ValueError("B must be 2-D")
    dt, Ab, lda, bb, out, grid, written, m, K = _gemm_common(k, A, C, accumulate, bias,
                                                            Ba0.shape[1])
    Ba = _inp(B, dt, 2, "B")
    cdef cx_idx n = Ba.shape[1], NR = k.px, ldb = n + 3
    if Ba.shape[0] != K:
        raise ValueError(f"B must have {K} rows")
    Bb = np.zeros((K + 1) * ldb + NR, dt)     # a full NR-wide row past the last one
    Bb[:K * ldb].reshape(K, ldb)[:, :n] = Ba
    cdef cx_idx lda_ = lda, ldc = grid.shape[1]
    cdef void *ap = _ptr(Ab)
    cdef void *bp = _ptr(Bb)
    cdef void *biasp = NULL if bb is None else _ptr(bb)
    cdef char *cp = _out_ptr(out)
    cdef cx_idx mm = m, KK = K
    if dt == np.float32:
        (<f32_gemm_fn>k.fn)(KK, <const float *>ap, lda_, <const float *>bp, ldb, <float *>cp,
                            ldc, mm, n, accumulate, <const float *>biasp)
    else:
        (<f64_gemm_fn>k.fn)(KK, <const double *>ap, lda_, <const double *>bp, ldb, <double *>cp,
                            ldc, mm, n, accumulate, <const double *>biasp)
    out.check(written, name)
    return grid[:m, :n].copy()


def shifted_gemm(str name, A, b, boff, cx_idx n, C=None, bint accumulate=False, bias=None):
    """C[i, j] = (C[i, j] if accumulate else bias[i] or 0) + sum_k A[i, k] * b[boff[k] + j]
    (row k of B starts at boff[k]), A [m <= MR, K], boff [K] with boff[k] + n <= len(b).
    Returns C [m, n]."""
    cdef const convx_kernel_info *k = _entry(name, "shifted_gemm")
    dt, Ab, lda, bb, out, grid, written, m, K = _gemm_common(k, A, C, accumulate, bias, n)
    ba = _inp(b, dt, 1, "b")
    bo = _idx(boff, "boff")
    if bo.shape[0] != K:
        raise ValueError(f"boff must have {K} offsets")
    if bo.min() < 0 or bo.max() + n > ba.shape[0]:
        raise ValueError("boff[k] + n must stay inside b")
    cdef cx_idx NR = k.px
    Bb = _padded(ba, ba.shape[0] + NR, dt)
    cdef cx_idx lda_ = lda, ldc = grid.shape[1], mm = m, KK = K
    cdef void *ap = _ptr(Ab)
    cdef void *bp = _ptr(Bb)
    cdef const cx_idx *op = <const cx_idx *>_ptr(bo)
    cdef void *biasp = NULL if bb is None else _ptr(bb)
    cdef char *cp = _out_ptr(out)
    if dt == np.float32:
        (<f32_shifted_gemm_fn>k.fn)(KK, <const float *>ap, lda_, <const float *>bp, op, <float *>cp,
                                    ldc, mm, n, accumulate, <const float *>biasp)
    else:
        (<f64_shifted_gemm_fn>k.fn)(KK, <const double *>ap, lda_, <const double *>bp, op,
                                    <double *>cp, ldc, mm, n, accumulate, <const double *>biasp)
    out.check(written, name)
    return grid[:m, :n].copy()


def dwconv_cl(str name, x, pix, toff, woff, w, cx_idx C, cx_idx ys, bias=None):
    """y[j, c] = (bias[c] or 0) + sum_t x[pix[j] + toff[t] + c] * w[woff[t] + c] for
    j < n = len(pix), c < C; row j of the result starts at element j*ys (ys >= C) of the
    kernel's output. Returns y [n, C]."""
    cdef const convx_kernel_info *k = _entry(name, "dwconv_cl")
    dt = _dt(k)
    xa = _inp(x, dt, 1, "x")
    wa = _inp(w, dt, 1, "w")
    pa = _idx(pix, "pix")
    to = _idx(toff, "toff")
    wo = _idx(woff, "woff")
    cdef cx_idx n = pa.shape[0], ntap = to.shape[0]
    _small(C=C, ys=ys)
    if C < 1 or ys < C:
        raise ValueError(f"need 1 <= C <= ys, got C={C}, ys={ys}")
    if wo.shape[0] != ntap:
        raise ValueError("toff and woff must have the same length")
    if pa.min() + to.min() < 0 or pa.max() + to.max() + C > xa.shape[0]:
        raise ValueError("pix + toff (+ C channels) must index inside x")
    if wo.min() < 0 or wo.max() + C > wa.shape[0]:
        raise ValueError("woff (+ C channels) must index inside w")
    bb = None
    if bias is not None:
        bb = _inp(bias, dt, 1, "bias")
        if bb.size != C:
            raise ValueError(f"bias must have {C} values")
    out = _Out((n - 1) * ys + C, dt)
    cdef void **ptrs = <void **>malloc(<size_t>n * sizeof(void *))
    if ptrs == NULL:
        raise MemoryError()
    cdef char *xb = <char *>_ptr(xa)
    cdef const cx_idx *pp = <const cx_idx *>_ptr(pa)
    cdef const cx_idx *tp = <const cx_idx *>_ptr(to)
    cdef const cx_idx *wop = <const cx_idx *>_ptr(wo)
    cdef void *wp = _ptr(wa)
    cdef void *bp = NULL if bb is None else _ptr(bb)
    cdef char *yp = _out_ptr(out)
    cdef cx_idx j, item = dt.itemsize
    try:
        for j in range(n):
            ptrs[j] = xb + pp[j] * item
        if dt == np.float32:
            (<f32_dwconv_cl_fn>k.fn)(n, C, ntap, <const float *const *>ptrs, tp, wop,
                                     <const float *>wp, <const float *>bp, <float *>yp, ys)
        else:
            (<f64_dwconv_cl_fn>k.fn)(n, C, ntap, <const double *const *>ptrs, tp, wop,
                                     <const double *>wp, <const double *>bp, <double *>yp, ys)
    finally:
        free(ptrs)
    written = (np.arange(n)[:, None] * ys + np.arange(C)[None, :]).ravel()
    out.check(written, name)
    return out.inner()[written].reshape(n, C).copy()


def dwconv_cl_row(str name, x, rows, w, wrows, cx_idx n, cx_idx C, cx_idx ys, bias=None,
                  int nout=1):
    """y[i, j, c] = (bias[c] or 0) + sum_r sum_{kw < KS} x[rows[i + r] + (j*S + kw)*C + c] *
    w[wrows[r] + kw*C + c] for output rows i < nout (1 or 2; rows then holds len(wrows) + 1
    entries), j < n, c < C (KS, S: the kernel's window and stride); pixel j of output row i
    starts at element i*n*ys + j*ys (ys >= C) of the kernel's output. Returns y [nout, n, C]."""
    cdef const convx_kernel_info *k = _entry(name, "dwconv_cl_row")
    dt = _dt(k)
    xa = _inp(x, dt, 1, "x")
    wa = _inp(w, dt, 1, "w")
    ra = _idx(rows, "rows")
    wr = _idx(wrows, "wrows")
    cdef cx_idx nr = wr.shape[0], KS = k.ksize, S = k.stride, yr = n * ys
    _small(n=n, C=C, ys=ys)
    if n < 1 or C < 1 or ys < C or nout not in (1, 2):
        raise ValueError(f"need n >= 1, 1 <= C <= ys and nout 1 or 2, got n={n}, C={C}, "
                         f"ys={ys}, nout={nout}")
    if ra.shape[0] != nr + nout - 1:
        raise ValueError("rows must have len(wrows) + nout - 1 entries")
    if ra.min() < 0 or ra.max() + ((n - 1) * S + KS) * C > xa.shape[0]:
        raise ValueError("rows (+ the pixels the row reads) must index inside x")
    if wr.min() < 0 or wr.max() + KS * C > wa.shape[0]:
        raise ValueError("wrows (+ KS*C weights) must index inside w")
    bb = None
    if bias is not None:
        bb = _inp(bias, dt, 1, "bias")
        if bb.size != C:
            raise ValueError(f"bias must have {C} values")
    out = _Out((nout - 1) * yr + (n - 1) * ys + C, dt)
    cdef void **rp = <void **>malloc(<size_t>(nr + 1) * sizeof(void *))
    cdef void **wp = <void **>malloc(<size_t>max(nr, 1) * sizeof(void *))
    if rp == NULL or wp == NULL:
        free(rp)
        free(wp)
        raise MemoryError()
    cdef char *xb = <char *>_ptr(xa)
    cdef char *wb = <char *>_ptr(wa)
    cdef const cx_idx *rpp = <const cx_idx *>_ptr(ra)
    cdef const cx_idx *wpp = <const cx_idx *>_ptr(wr)
    cdef void *bp = NULL if bb is None else _ptr(bb)
    cdef char *yp = _out_ptr(out)
    cdef cx_idx j, item = dt.itemsize
    try:
        for j in range(nr + nout - 1):
            rp[j] = xb + rpp[j] * item
        for j in range(nr):
            wp[j] = wb + wpp[j] * item
        if dt == np.float32:
            (<f32_dwconv_cl_row_fn>k.fn)(n, C, nr, <const float *const *>rp,
                                         <const float *const *>wp, <const float *>bp,
                                         <float *>yp, ys, nout, yr)
        else:
            (<f64_dwconv_cl_row_fn>k.fn)(n, C, nr, <const double *const *>rp,
                                         <const double *const *>wp, <const double *>bp,
                                         <double *>yp, ys, nout, yr)
    finally:
        free(rp)
        free(wp)
    written = (np.arange(nout)[:, None, None] * yr + np.arange(n)[None, :, None] * ys +
               np.arange(C)[None, None, :]).ravel()
    out.check(written, name)
    return out.inner()[written].reshape(nout, n, C).copy()


def indirect_gemm(str name, w, x, pix, koff, c=None, bint accumulate=False, bias=None):
    """c[j, o] = (c[j, o] if accumulate else bias[o] or 0) + sum_k w[k, o] * x[pix[j] + koff[k]]
    for j < n = len(pix) <= NP, o < OCB: w [K, OCB], koff [K]. Returns c [n, OCB]."""
    cdef const convx_kernel_info *k = _entry(name, "indirect_gemm")
    dt = _dt(k)
    cdef cx_idx OCB = k.oc, NP = k.px
    wa = _inp(w, dt, 2, "w")
    xa = _inp(x, dt, 1, "x")
    pa = _idx(pix, "pix")
    ko = _idx(koff, "koff")
    cdef cx_idx n = pa.shape[0], K = ko.shape[0]
    if not 1 <= n <= NP:
        raise ValueError(f"need 1 <= len(pix) <= {NP}, got {n}")
    if wa.shape != (K, OCB):
        raise ValueError(f"w must have shape {(K, OCB)}")
    if pa.min() + ko.min() < 0 or pa.max() + ko.max() >= xa.shape[0]:
        raise ValueError("pix + koff must index inside x")
    if accumulate and c is None:
        raise ValueError("accumulate needs c (the start values)")
    bb = None
    if bias is not None:
        bb = _inp(bias, dt, 1, "bias")
        if bb.size != OCB:
            raise ValueError(f"bias must have {OCB} values")
    # the kernel loads (accumulate) and keeps whole NP x OCB tiles: the buffer is that size
    out = _Out(NP * OCB, dt)
    grid = out.inner().reshape(NP, OCB)
    grid[n:] = 0
    if c is not None:
        ca = _inp(c, dt, 2, "c")
        if ca.shape != (n, OCB):
            raise ValueError(f"c must have shape {(n, OCB)}")
        grid[:n] = ca
    cdef void **ptrs = <void **>malloc(<size_t>NP * sizeof(void *))
    if ptrs == NULL:
        raise MemoryError()
    cdef char *xb = <char *>_ptr(xa)
    cdef const cx_idx *pp = <const cx_idx *>_ptr(pa)
    cdef const cx_idx *kp = <const cx_idx *>_ptr(ko)
    cdef void *wp = _ptr(wa)
    cdef void *bp = NULL if bb is None else _ptr(bb)
    cdef char *cp = _out_ptr(out)
    cdef cx_idx j, item = dt.itemsize
    try:
        for j in range(NP):
            ptrs[j] = xb + pp[j if j < n else 0] * item
        if dt == np.float32:
            (<f32_indirect_gemm_fn>k.fn)(K, <const float *>wp, <const float *const *>ptrs, kp, n,
                                         <float *>cp, accumulate, <const float *>bp)
        else:
            (<f64_indirect_gemm_fn>k.fn)(K, <const double *>wp, <const double *const *>ptrs, kp, n,
                                         <double *>cp, accumulate, <const double *>bp)
    finally:
        free(ptrs)
    out.check(np.arange(NP * OCB), name)   # the whole tile is the kernel's to keep
    return grid[:n].copy()


def dwconv(str name, x, coff, w, cx_idx n_rows, cx_idx n, cx_idx s=1, double bias=0.0):
    """y[r, j] = bias + sum_{a, b} w[a, b] * x[r*s + a, coff[b] + j] for r < n_rows, j < n: x is
    the slab [rows, cols], coff one column offset per window column (coff[b] + n <= cols), w the
    window [kh, kw]. A fixed-window kernel needs its own window and stride. Returns y [n_rows, n].
    """
    cdef const convx_kernel_info *k = _entry(name, "dwconv")
    dt = _dt(k)
    xa = _inp(x, dt, 2, "x")
    wa = _inp(w, dt, 2, "w")
    ca = _idx(coff, "coff")
    cdef cx_idx kh = wa.shape[0], kw = wa.shape[1], rows = xa.shape[0], cols = xa.shape[1]
    _small(n_rows=n_rows, n=n, s=s)
    if n_rows < 1 or n < 1 or s < 1 or kh < 1 or kw < 1:
        raise ValueError("need n_rows, n, s >= 1 and a non-empty w")
    if k.ksize and (kh != k.ksize or kw != k.ksize or s != k.stride):
        raise ValueError(f"{name} needs a {k.ksize}x{k.ksize} window w and s={k.stride}")
    if ca.shape[0] != kw or ca.min() < 0 or ca.max() + n > cols:
        raise ValueError("coff needs one offset per column of w, with coff[b] + n <= x.shape[1]")
    if (n_rows - 1) * s + kh > rows:
        raise ValueError("x needs (n_rows - 1)*s + kh rows")
    cdef cx_idx yr = n + 5, item = dt.itemsize, xr = cols + k.px
    # the kernel loads whole vectors past column coff[b] + n - 1: rows padded with k.px zeros
    xs = np.zeros((rows + 1, xr), dt)
    xs[:rows, :cols] = xa
    out = _Out(n_rows * yr, dt)
    cdef void *xp = _ptr(xs)
    cdef void *wp = _ptr(wa)
    cdef const cx_idx *cp = <const cx_idx *>_ptr(ca)
    cdef char *yp = _out_ptr(out)
    if dt == np.float32:
        (<f32_dwconv_fn>k.fn)(n_rows, n, kh, kw, s, <const float *>xp, xr, cp,
                              <const float *>wp, <float>bias, <float *>yp, yr)
    else:
        (<f64_dwconv_fn>k.fn)(n_rows, n, kh, kw, s, <const double *>xp, xr, cp,
                              <const double *>wp, bias, <double *>yp, yr)
    written = (np.arange(n_rows)[:, None] * yr + np.arange(n)[None, :]).ravel()
    out.check(written, name)
    return out.inner().reshape(n_rows, yr)[:, :n].copy()


def dwconv_inplace(str name, x, cx_idx row0, cx_idx n_rows, cx_idx n, cx_idx pw, w, double bias=0.0):
    """y[r, o] = bias + sum_{kh, kw} w[kh, kw] * X(row0 + r*S + kh, o*S + kw - pw) for r < n_rows,
    o < n, where X is x [H, IW] with zeros outside (S: the kernel's stride, window 3x3).
    Returns y [n_rows, n]."""
    cdef const convx_kernel_info *k = _entry(name, "dwconv_inplace")
    dt = _dt(k)
    xa = _inp(x, dt, 2, "x")
    wa = _inp(w, dt, 2, "w")
    cdef cx_idx H = xa.shape[0], IW = xa.shape[1], S = k.stride, KS = k.ksize
    if wa.shape != (KS, KS):
        raise ValueError(f"w must have shape {(KS, KS)}")
    _small(row0=row0, n_rows=n_rows, n=n, pw=pw)
    if n_rows < 1 or n < 1 or pw < 0 or IW < 1:
        raise ValueError("need n_rows, n >= 1, pw >= 0 and a non-empty x")
    cdef cx_idx nrow_ptrs = (n_rows - 1) * S + KS, yr = n + 5, i, item = dt.itemsize
    out = _Out(n_rows * yr, dt)
    cdef const void **rows = <const void **>malloc(<size_t>nrow_ptrs * sizeof(void *))
    if rows == NULL:
        raise MemoryError()
    cdef char *xb = <char *>_ptr(xa)
    cdef void *wp = _ptr(wa)
    cdef char *yp = _out_ptr(out)
    try:
        for i in range(nrow_ptrs):
            rows[i] = <const void *>(xb + (row0 + i) * IW * item) if 0 <= row0 + i < H else NULL
        if dt == np.float32:
            (<f32_dwconv_inplace_fn>k.fn)(n_rows, n, <const float *const *>rows, IW, pw,
                                  <const float *>wp, <float>bias, <float *>yp, yr)
        else:
            raise ValueError(f"{name}: only float32 in-place kernels exist")
    finally:
        free(rows)
    written = (np.arange(n_rows)[:, None] * yr + np.arange(n)[None, :]).ravel()
    out.check(written, name)
    return out.inner().reshape(n_rows, yr)[:, :n].copy()


def filter(str name, x, offs, w, cx_idx n):
    """y[j] = sum_t w[t] * x[offs[t] + j] for j < n (offs[t] + n <= len(x)). Returns y [n]."""
    cdef const convx_kernel_info *k = _entry(name, "filter")
    dt = _dt(k)
    xa = _inp(x, dt, 1, "x")
    wa = _inp(w, dt, 1, "w")
    oa = _idx(offs, "offs")
    cdef cx_idx n_taps = oa.shape[0], t, item = dt.itemsize
    _small(n=n)
    if wa.shape[0] != n_taps or n < 1:
        raise ValueError("need one weight per offset and n >= 1")
    if oa.min() < 0 or oa.max() + n > xa.shape[0]:
        raise ValueError("offs[t] + n must stay inside x")
    xb = _padded(xa, xa.shape[0] + k.px, dt)
    out = _Out(n, dt)
    cdef const void **xp = <const void **>malloc(<size_t>n_taps * sizeof(void *))
    if xp == NULL:
        raise MemoryError()
    cdef char *base = <char *>_ptr(xb)
    cdef const cx_idx *op = <const cx_idx *>_ptr(oa)
    cdef void *wp = _ptr(wa)
    cdef char *yp = _out_ptr(out)
    try:
        for t in range(n_taps):
            xp[t] = base + op[t] * item
        if dt == np.float32:
            (<f32_filter_fn>k.fn)(n, n_taps, <const float *const *>xp, <const float *>wp,
                                  <float *>yp)
        else:
            (<f64_filter_fn>k.fn)(n, n_taps, <const double *const *>xp, <const double *>wp,
                                  <double *>yp)
    finally:
        free(xp)
    out.check(np.arange(n), name)
    return out.inner().copy()


def filter2d(str name, x, w, cx_idx tstride, cx_idx n):
    """y[r, j] = sum_{i, t} w[i, t] * x[r + i, j + t*tstride] for r < RB, j < n: x [RB + kH - 1,
    L] with L >= n + (kW - 1)*tstride, w [kH, kW]. Returns y [RB, n]."""
    cdef const convx_kernel_info *k = _entry(name, "filter2d")
    dt = _dt(k)
    xa = _inp(x, dt, 2, "x")
    wa = _inp(w, dt, 2, "w")
    cdef cx_idx RB = k.rows, kH = wa.shape[0], kW = wa.shape[1], L = xa.shape[1], i
    _small(tstride=tstride, n=n)
    if kH < 1 or kW < 1 or n < 1 or tstride < 1:
        raise ValueError("need a non-empty w, n >= 1 and tstride >= 1")
    if xa.shape[0] != RB + kH - 1 or L < n + (kW - 1) * tstride:
        raise ValueError(f"x must have {RB + kH - 1} rows of at least n + (kW-1)*tstride values")
    cdef cx_idx xr = L + k.px, yr = n + 3, item = dt.itemsize
    xb = np.zeros((RB + kH - 1, xr), dt)
    xb[:, :L] = xa
    out = _Out(RB * yr, dt)
    cdef const void **rows = <const void **>malloc(<size_t>(RB + kH - 1) * sizeof(void *))
    cdef void **ys = <void **>malloc(<size_t>RB * sizeof(void *))
    if rows == NULL or ys == NULL:
        free(rows)
        free(ys)
        raise MemoryError()
    cdef char *xp = <char *>_ptr(xb)
    cdef char *yp = _out_ptr(out)
    cdef void *wp = _ptr(wa)
    try:
        for i in range(RB + kH - 1):
            rows[i] = xp + i * xr * item
        for i in range(RB):
            ys[i] = yp + i * yr * item
        if dt == np.float32:
            (<f32_filter2d_fn>k.fn)(n, kH, kW, tstride, <const float *const *>rows,
                                    <const float *>wp, <float *const *>ys)
        else:
            (<f64_filter2d_fn>k.fn)(n, kH, kW, tstride, <const double *const *>rows,
                                    <const double *>wp, <double *const *>ys)
    finally:
        free(rows)
        free(ys)
    out.check((np.arange(RB)[:, None] * yr + np.arange(n)[None, :]).ravel(), name)
    return out.inner().reshape(RB, yr)[:, :n].copy()


def fftconv(str name, re, im, kre=None, kim=None):
    """The N x N split-complex tile (re, im) (N a power of two, 32 <= N <= 4096) after the
    kernel: its forward 2-D FFT (transposed, bit-reversed on both axes) when kre is None, else
    N^2 * ifft2(fft2(re + i im) * K) with K given as (kre, kim) in that spectrum layout.
    Returns (re, im)."""
    cdef const convx_kernel_info *k = _entry(name, "fftconv")
    dt = _dt(k)
    ra = _inp(re, dt, 2, "re")
    ia = _inp(im, dt, 2, "im")
    cdef cx_idx n = ra.shape[0], logn = 0, j
    if ra.shape != (n, n) or ia.shape != (n, n) or n < 32 or n > 4096 or n & (n - 1):
        raise ValueError(f"re and im must be N x N, N a power of two in [32, 4096], got "
                         f"{ra.shape} and {ia.shape}")
    while (<cx_idx>1 << logn) < n:
        logn += 1
    full = kre is not None
    if full:
        ka = _inp(kre, dt, 2, "kre")
        kb = _inp(kim, dt, 2, "kim")
        if ka.shape != (n, n) or kb.shape != (n, n):
            raise ValueError("kre and kim must have the shape of re")
    ang = -2.0 * np.pi * np.arange(n // 2) / n
    twr = np.cos(ang).astype(dt)
    twi = np.sin(ang).astype(dt)
    out = _Out(2 * n * n, dt)
    out.inner()[:n * n] = ra.ravel()
    out.inner()[n * n:] = ia.ravel()
    cdef cx_idx item = dt.itemsize
    cdef char *op = _out_ptr(out)
    cdef void *pr = op
    cdef void *pi = op + n * n * item
    cdef void *kr = NULL
    cdef void *ki = NULL
    if full:
        kr = _ptr(ka)
        ki = _ptr(kb)
    if dt == np.float32:
        (<f32_fftconv_fn>k.fn)(logn, <float *>pr, <float *>pi, <const float *>kr,
                               <const float *>ki, <const float *>_ptr(twr),
                               <const float *>_ptr(twi))
    else:
        (<f64_fftconv_fn>k.fn)(logn, <double *>pr, <double *>pi, <const double *>kr,
                               <const double *>ki, <const double *>_ptr(twr),
                               <const double *>_ptr(twi))
    out.check(np.arange(2 * n * n), name)
    res = out.inner().copy()
    return res[:n * n].reshape(n, n), res[n * n:].reshape(n, n)


def im2col(str name, x, k, out, stride, pad, dil, cx_idx p0, cx_idx np_, cx_idx r0, cx_idx r1):
    """Rows [r0, r1) x output pixels [p0, p0 + np_) of the im2col matrix of x [C, D, H, W]:
    row (c, kd, kh, kw), pixel (od, oh, ow) holds x[c, od*s0 - p0 + kd*d0, ...] (zero outside),
    with 3-tuples k, out (the output size), stride, pad (front padding), dil.
    Returns col [r1 - r0, np_]."""
    cdef const convx_kernel_info *ke = _entry(name, "im2col")
    dt = _dt(ke)
    xa = _inp(x, dt, 4, "x")
    cdef cx_idx v[18]
    for a, (what, vals, lo) in enumerate((("k", k, 1), ("out", out, 1), ("stride", stride, 1),
                                          ("pad", pad, 0), ("dil", dil, 1),
                                          ("x.shape[1:]", xa.shape[1:], 1))):
        t = tuple(int(q) for q in vals)
        if len(t) != 3 or min(t) < lo or max(t) > _MAX_SIZE:
            raise ValueError(f"{what} must be 3 integers in [{lo}, {_MAX_SIZE}]")
        for q in range(3):
            v[3 * a + q] = t[q]
    cdef cx_idx C = xa.shape[0]
    rows_total = int(C) * int(v[0]) * int(v[1]) * int(v[2])     # Python ints: no overflow
    _small(p0=p0, np_=np_, r0=r0, r1=r1)
    if C < 1 or np_ < 1 or p0 < 0 or int(p0) + int(np_) > int(v[3]) * int(v[4]) * int(v[5]):
        raise ValueError("need 1 <= np_ and 0 <= p0, p0 + np_ <= the output pixel count")
    if not 0 <= r0 < r1 <= rows_total:
        raise ValueError(f"need 0 <= r0 < r1 <= {rows_total}")
    cdef cx_idx ldcol = np_ + 2
    o = _Out((r1 - r0) * ldcol, dt)
    cdef void *xp = _ptr(xa)
    cdef char *cp = _out_ptr(o)
    if dt == np.float32:
        (<f32_im2col_fn>ke.fn)(<const float *>xp, &v[15], &v[0], &v[3], &v[6], &v[9], &v[12],
                               p0, np_, r0, r1, <float *>cp, ldcol)
    else:
        (<f64_im2col_fn>ke.fn)(<const double *>xp, &v[15], &v[0], &v[3], &v[6], &v[9], &v[12],
                               p0, np_, r0, r1, <double *>cp, ldcol)
    o.check((np.arange(r1 - r0)[:, None] * ldcol + np.arange(np_)[None, :]).ravel(), name)
    return o.inner().reshape(r1 - r0, ldcol)[:, :np_].copy()


def pack(str name, src, cx_idx pw, cx_idx Wp, cx_idx sw, cx_idx Wq):
    """Slab rows of src [n_rows, IW]: padded column c < Wp (src[c - pw], zero outside) stored at
    (c % sw)*Wq + c // sw. Needs sw*Wq >= Wp. Returns dst [n_rows, sw*Wq]; elements that are not
    a padded column < Wp are unspecified."""
    cdef const convx_kernel_info *k = _entry(name, "pack")
    dt = _dt(k)
    sa = _inp(src, dt, 2, "src")
    cdef cx_idx n_rows = sa.shape[0], IW = sa.shape[1]
    _small(pw=pw, Wp=Wp, sw=sw, Wq=Wq)
    if n_rows < 1 or IW < 1 or pw < 0 or Wp < 1 or sw < 1 or sw * Wq < Wp:
        raise ValueError("need a non-empty src, pw >= 0, Wp >= 1, sw >= 1, sw*Wq >= Wp")
    cdef cx_idx sr = IW + 3, dr = sw * Wq + 3
    sb = np.zeros((n_rows, sr), dt)
    sb[:, :IW] = sa
    out = _Out(n_rows * dr, dt)
    cdef void *sp = _ptr(sb)
    cdef char *dp = _out_ptr(out)
    if dt == np.float32:
        (<f32_pack_fn>k.fn)(n_rows, <float *>dp, dr, <const float *>sp, sr, IW, pw, Wp, sw, Wq)
    else:
        (<f64_pack_fn>k.fn)(n_rows, <double *>dp, dr, <const double *>sp, sr, IW, pw, Wp, sw,
                            Wq)
    out.check((np.arange(n_rows)[:, None] * dr + np.arange(sw * Wq)[None, :]).ravel(), name)
    return out.inner().reshape(n_rows, dr)[:, :sw * Wq].copy()


def peak(str name, cx_idx iters):
    """(checksum, flops per iteration) of the FMA probe after `iters` rounds (0 <= iters)."""
    cdef const convx_kernel_info *k = _entry(name, "peak")
    if iters < 0:
        raise ValueError("iters must be >= 0")
    cdef int flops = 0
    cdef double s = (<peak_fn>k.fn)(iters, &flops)
    return s, flops


def transpose(str name, src):
    """dst [C, R] = src [R, C]^T with the kernel, through hook-chosen strided buffers."""
    cdef const convx_kernel_info *k = _entry(name, "transpose")
    dt = _dt(k)
    sa = _inp(src, dt, 2, "src")
    cdef cx_idx R = sa.shape[0], C = sa.shape[1]
    if R < 1 or C < 1:
        raise ValueError("src must not be empty")
    cdef cx_idx lds = C + 3, ldd = R + 5
    sb = np.zeros((R, lds), dt)
    sb[:, :C] = sa
    out = _Out(C * ldd, dt)
    cdef void *sp = _ptr(sb)
    cdef char *dp = _out_ptr(out)
    if dt == np.float32:
        (<f32_transpose_fn>k.fn)(R, C, <const float *>sp, lds, <float *>dp, ldd)
    else:
        (<f64_transpose_fn>k.fn)(R, C, <const double *>sp, lds, <double *>dp, ldd)
    out.check((np.arange(C)[:, None] * ldd + np.arange(R)[None, :]).ravel(), name)
    return out.inner().reshape(C, ldd)[:, :R].copy()
