"""convx has one compiled core: one extension module (convx._core) holding every family's glue,
so one workspace pool, one ISA state and one thread-local last_variant per process."""

import glob
import importlib.machinery
import os

import numpy as np

import convx


def test_exactly_one_extension_module():
    pkg = os.path.dirname(convx.__file__)
    exts = sorted({p for suffix in importlib.machinery.EXTENSION_SUFFIXES
                   for p in glob.glob(os.path.join(pkg, "**", "*" + suffix), recursive=True)})
    assert [os.path.basename(p).split(".")[0] for p in exts] == ["_core"], exts


def test_family_glue_modules_are_views_of_the_core():
    from convx import (_conv, _conv_transpose, _core, _cpu, _deform, _filters, _kernels,
                       _separable)
    for mod, name in [(_conv, "_conv"), (_conv, "last_variant"),
                      (_conv_transpose, "_conv_transpose"), (_cpu, "active_isa"), (_deform, "_deform_conv2d"), (_filters, "_filter"),
                      (_kernels, "indirect_gemm"), (_separable, "_dwsep")]:
        assert getattr(mod, name) is getattr(_core, name)


def test_last_variant_follows_the_calls():
    from convx import _conv
    x = np.ones((1, 16, 10, 20), np.float32)
    convx.conv2d(x, np.ones((20, 16, 3, 3), np.float32), padding=1, algorithm="im2col")
    assert _conv.last_variant() == "blas_gemm"
    convx.conv2d(x, np.ones((8, 2, 3, 3), np.float32), padding=1, groups=8)
    assert _conv.last_variant() == "sliding"
