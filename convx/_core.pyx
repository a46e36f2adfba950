# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""convx's one compiled core: every family's glue in one extension module, linking the C core
(csrc/) and the kernel libraries once, so there is one workspace pool, one ISA state and one
thread-local last_variant per process.

Each family's glue is its own file, included here: _<stem>.pxi (the Python modules reach it
through the re-exporting convx/_<stem>.py, e.g. convx._conv._conv).
"""
cimport numpy as cnp
from convx._csrc cimport *

include "_runtime.pxi"
include "_arrays.pxi"

cnp.import_array()

include "_cpu.pxi"
include "_conv.pxi"
include "_conv_transpose.pxi"
include "_deform.pxi"
include "_separable.pxi"
include "_filters.pxi"
include "_kernels.pxi"
include "_plan.pxi"
