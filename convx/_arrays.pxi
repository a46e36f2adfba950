# Shared by the glue modules that pass NumPy arrays to C (include after `cimport numpy as cnp`).

cdef inline void *_data_or_null(object a) except? NULL:
    """The data pointer of an ndarray, NULL for None (an optional bias or mask)."""
    if a is None:
        return NULL
    cdef cnp.ndarray arr = a
    return cnp.PyArray_DATA(arr)
