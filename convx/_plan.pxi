"""Glue for convx.plan_conv* (convx/plan.py, csrc/plan.h): the plan's state and its lean call.

_PlanCore holds what a plan decided once (the 5-D problem, copied and packed weights, the
algorithm code, the dtype) and runs it. Its __call__ is the fast path: an exact ndarray of the
plan's dtype, C-contiguous, aligned, native order, batched, with a matching shape, and an
``out`` that is absent or exact and does not overlap the input. Anything else goes to the
Python subclass's _slow_call (convx/plan.py), which validates, names mismatches and stages
``out`` like the functional calls. No policy here.
"""
from convx._threads import resolve_workers as _resolve_workers

cdef extern from "plan.h":
    Py_ssize_t convx_conv_plan_pack_f32(const convx_conv_problem *p, const float *w,
                                        const float *bias, float *wp) nogil
    Py_ssize_t convx_conv_plan_pack_f64(const convx_conv_problem *p, const double *w,
                                        const double *bias, double *wp) nogil
    int convx_conv_plan_run_f32(const convx_conv_problem *p, const float *x, const float *w,
                                const float *bias, const float *wpre, float *y, int algorithm,
                                int workers, int *variant) nogil
    int convx_conv_plan_run_f64(const convx_conv_problem *p, const double *x, const double *w,
                                const double *bias, const double *wpre, double *y,
                                int algorithm, int workers, int *variant) nogil


cdef class _PlanCore:
    cdef convx_conv_problem p
    cdef convx_conv_transpose_problem pt
    cdef int transposed, f64, algo, typenum, workers, fast, nd
    cdef Py_ssize_t in_tail[5]
    cdef Py_ssize_t out_tail[5]
    cdef object _wc, _bc, _wpack_buf
    cdef void *wp
    cdef void *bp
    cdef void *wpre
    cdef Py_ssize_t wpack_elems
    cdef readonly int _variant

    def _core_setup(self, int nd, int transposed, cnp.ndarray wc, object bc, tuple x5, tuple y5,
                    tuple stride, tuple pad, tuple dil, Py_ssize_t groups, int algo,
                    object workers, int fast):
        """Fill the plan from validated values: nd spatial axes; wc/bc C-contiguous private
        copies in the plan's dtype, x5/y5 the 5-D input/output shapes (batch of input_shape),
        stride/pad/dil 3-tuples; algo the glue's algorithm code; workers an int or None (resolved per call);
        fast 0 keeps every call on _slow_call (padding modes)."""
        cdef int a
        cdef Py_ssize_t n, align
        self.transposed = transposed
        self.f64 = wc.dtype.num == cnp.NPY_FLOAT64
        self.typenum = wc.dtype.num
        self.algo = algo
        self.workers = 0 if workers is None else workers
        self.fast = fast
        self.nd = nd
        self._wc = wc
        self._bc = bc
        self.wp = cnp.PyArray_DATA(wc)
        self.bp = _data_or_null(bc)
        self.wpre = NULL
        self.wpack_elems = 0
        self._variant = 0
        # the user's shapes [N, C, *spatial] (nd spatial axes) behind the 5-D problem
        self.in_tail[1] = x5[1]
        self.out_tail[1] = y5[1]
        for a in range(nd):
            self.in_tail[2 + a] = x5[5 - nd + a]
            self.out_tail[2 + a] = y5[5 - nd + a]
        if transposed:
            self.pt.N = x5[0]; self.pt.C_in = x5[1]; self.pt.C_out = y5[1]; self.pt.groups = groups
            for a in range(3):
                self.pt.in_[a] = x5[2 + a]; self.pt.k[a] = wc.shape[2 + a]
                self.pt.out[a] = y5[2 + a]; self.pt.stride[a] = stride[a]
                self.pt.pad[a] = pad[a]; self.pt.dil[a] = dil[a]
            return
        self.p.N = x5[0]; self.p.C_in = x5[1]; self.p.C_out = y5[1]; self.p.groups = groups
        for a in range(3):
            self.p.in_[a] = x5[2 + a]; self.p.k[a] = wc.shape[2 + a]; self.p.out[a] = y5[2 + a]
            self.p.stride[a] = stride[a]; self.p.pad[a] = pad[a]; self.p.dil[a] = dil[a]
        if algo == CONVX_ALGO_IM2COL:
            return   # OpenBLAS packs its own panels; nothing to pre-pack
        if self.f64:
            n = convx_conv_plan_pack_f64(&self.p, NULL, NULL, NULL)
        else:
            n = convx_conv_plan_pack_f32(&self.p, NULL, NULL, NULL)
        if n <= 0:
            return
        isz = 8 if self.f64 else 4
        buf = np.empty(n * isz + 64, dtype=np.uint8)
        align = (64 - (<size_t>cnp.PyArray_DATA(buf)) % 64) % 64
        self._wpack_buf = buf
        self.wpre = <char *>cnp.PyArray_DATA(buf) + align
        self.wpack_elems = n
        if self.f64:
            with nogil:
                convx_conv_plan_pack_f64(&self.p, <const double *>self.wp, <const double *>self.bp,
                                         <double *>self.wpre)
        else:
            with nogil:
                convx_conv_plan_pack_f32(&self.p, <const float *>self.wp, <const float *>self.bp,
                                         <float *>self.wpre)

    @property
    def _packed_nbytes(self):
        return self.wpack_elems * (8 if self.f64 else 4)

    def _core_run(self, cnp.ndarray x, cnp.ndarray y, int workers):
        """y = plan(x) for validated C-contiguous, aligned arrays of the plan's dtype
        (x [N, *input tail], y [N, *output tail]); returns y."""
        self._run(x, y, workers)
        return y

    cdef int _run(self, cnp.ndarray x, cnp.ndarray y, int workers) except -1:
        cdef convx_conv_problem p = self.p
        cdef convx_conv_transpose_problem pt = self.pt
        cdef void *xp = cnp.PyArray_DATA(x)
        cdef void *yp = cnp.PyArray_DATA(y)
        cdef int st, variant = 0, algo = self.algo
        cdef Py_ssize_t N = x.shape[0]
        if N == 0:
            return 0
        if self.transposed:
            pt.N = N
            # CONVX_CT_AUTO: convx_conv_transpose_select decides per call, as the functional call
            with nogil:
                if self.f64:
                    st = convx_conv_transpose_f64(&pt, <const double *>xp, <const double *>self.wp,
                                                  <const double *>self.bp, <double *>yp, algo,
                                                  workers)
                else:
                    st = convx_conv_transpose_f32(&pt, <const float *>xp, <const float *>self.wp,
                                                  <const float *>self.bp, <float *>yp, algo,
                                                  workers)
        else:
            p.N = N
            with nogil:
                if self.f64:
                    st = convx_conv_plan_run_f64(&p, <const double *>xp, <const double *>self.wp,
                                                 <const double *>self.bp,
                                                 <const double *>self.wpre, <double *>yp, algo,
                                                 workers, &variant)
                else:
                    st = convx_conv_plan_run_f32(&p, <const float *>xp, <const float *>self.wp,
                                                 <const float *>self.bp, <const float *>self.wpre,
                                                 <float *>yp, algo, workers, &variant)
        _check(st)
        self._variant = variant
        return 0

    def _select(self, Py_ssize_t N):
        """The variant name convx_conv_select picks for this plan's problem at batch N."""
        cdef convx_conv_problem p = self.p
        cdef int order[4]
        p.N = N
        if convx_conv_select(&p, self.algo, self.f64, -1, order) == 0:
            return "none"
        return convx_conv_variant_name(order[0]).decode()

    def __call__(self, x, out=None):
        """Run the plan: ``plan(x, out=None)``.

        Parameters
        ----------
        x : array_like, shape ``[N, *input_shape[1:]]`` (or unbatched like ``input_shape``)
            The input; any batch size N, everything else as planned, of the plan's dtype.
        out : ndarray, optional
            C-contiguous, writeable array of the result's shape and dtype to write into. If it
            may overlap ``x`` the result is computed into a temporary and copied.

        Returns
        -------
        y : ndarray
            What the functional call with the plan's arguments returns; ``out`` if given.

        Raises
        ------
        ValueError
            The input's channels, spatial size, rank or dtype differ from the plan's; ``out``
            has the wrong shape or dtype.
        TypeError
            A non-numeric input, an ``out`` that is not an ndarray.

        See Also
        --------
        convx.plan_conv2d : Makes a plan.

        Examples
        --------
        >>> import numpy as np, convx
        >>> plan = convx.plan_conv1d(np.ones((2, 1, 3)), input_shape=(1, 1, 8))
        >>> plan(np.ones((1, 1, 8))).shape
        (1, 2, 6)
        """
        cdef cnp.ndarray xa, ya
        cdef int k, workers, nd2 = self.nd + 2
        cdef cnp.npy_intp dims[5]
        cdef char *lo
        cdef char *hi
        if not self.fast or type(x) is not np.ndarray:
            return self._slow_call(x, out)
        xa = <cnp.ndarray>x
        if (cnp.PyArray_TYPE(xa) != self.typenum or cnp.PyArray_NDIM(xa) != nd2
                or not cnp.PyArray_IS_C_CONTIGUOUS(xa) or not cnp.PyArray_ISBEHAVED_RO(xa)):
            return self._slow_call(x, out)
        for k in range(1, nd2):
            if xa.shape[k] != self.in_tail[k]:
                return self._slow_call(x, out)
        if out is None:
            dims[0] = xa.shape[0]
            for k in range(1, nd2):
                dims[k] = self.out_tail[k]
            ya = cnp.PyArray_EMPTY(nd2, dims, self.typenum, 0)
        else:
            if type(out) is not np.ndarray:
                return self._slow_call(x, out)
            ya = <cnp.ndarray>out
            if (cnp.PyArray_TYPE(ya) != self.typenum or cnp.PyArray_NDIM(ya) != nd2
                    or not cnp.PyArray_IS_C_CONTIGUOUS(ya) or not cnp.PyArray_ISBEHAVED(ya)
                    or ya.shape[0] != xa.shape[0]):
                return self._slow_call(x, out)
            for k in range(1, nd2):
                if ya.shape[k] != self.out_tail[k]:
                    return self._slow_call(x, out)
            lo = <char *>cnp.PyArray_DATA(ya)
            hi = <char *>cnp.PyArray_DATA(xa)
            if (cnp.PyArray_NBYTES(xa) and cnp.PyArray_NBYTES(ya)
                    and lo < hi + cnp.PyArray_NBYTES(xa) and hi < lo + cnp.PyArray_NBYTES(ya)):
                return self._slow_call(x, out)   # overlap: staged through a temporary there
        workers = self.workers if self.workers else _resolve_workers(None)
        self._run(xa, ya, workers)
        return ya
