"""convx — fast, trustworthy CPU convolutions for NumPy.

PyTorch's convolution semantics with NumPy arrays in and out: C kernels with OpenMP, SIMD chosen at
run time (scalar / AVX2 / AVX-512), im2col+GEMM on OpenBLAS (scipy-openblas32), and pure-NumPy
reference implementations (``convx.reference``) that the tests use as the specification.
"""
from convx._version import __version__

import scipy_openblas32 as _scipy_openblas32

# Load the BLAS library into the process before any extension that links it is imported.
_scipy_openblas32.get_openblas_config()

from convx import _cpu  # noqa: E402  (runs CPU detection; CONVX_ISA errors surface here)
from convx import reference  # noqa: E402
from convx._threads import get_num_threads, set_num_threads  # noqa: E402
from convx.conv import conv1d, conv2d, conv3d  # noqa: E402
from convx.conv_transpose import conv_transpose1d, conv_transpose2d, conv_transpose3d  # noqa: E402
from convx.deform import deform_conv2d  # noqa: E402
from convx import filters, kernels  # noqa: E402
from convx.separable import (  # noqa: E402
    depthwise_separable_conv1d, depthwise_separable_conv2d, depthwise_separable_conv3d,
    spatially_separable_conv2d)
from convx.plan import (  # noqa: E402
    ConvPlan, plan_conv1d, plan_conv2d, plan_conv3d, plan_conv_transpose1d, plan_conv_transpose2d,
    plan_conv_transpose3d)

__all__ = [
    "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "conv1d", "conv2d", "conv3d", "deform_conv2d",
    "depthwise_separable_conv1d", "depthwise_separable_conv2d", "depthwise_separable_conv3d",
    "spatially_separable_conv2d", "filters", "kernels",
    "ConvPlan", "plan_conv1d", "plan_conv2d", "plan_conv3d",
    "plan_conv_transpose1d", "plan_conv_transpose2d", "plan_conv_transpose3d",
    "set_num_threads", "get_num_threads", "show_config", "get_config", "reference",
]


def get_config():
    """Build and run-time configuration as a dict (what :func:`show_config` prints).

    Returns
    -------
    config : dict
        Keys: ``convx`` (version), ``python``, ``numpy``, ``platform``, ``compiler``,
        ``openmp`` (bool: False in a serial build), ``threads_default``, ``cores``,
        ``cpu_features`` (dict of bools), ``isa_compiled``, ``isa_supported``, ``isa_active``
        (the ISA the kernels run with; ``CONVX_ISA`` caps it), ``blas`` (dict: library, core,
        config, threading) and ``workspace_cap_bytes``.

    See Also
    --------
    show_config : The same, printed.

    Examples
    --------
    >>> import convx
    >>> cfg = convx.get_config()
    >>> cfg["convx"] == convx.__version__
    True
    >>> cfg["isa_active"] in cfg["isa_compiled"]
    True
    """
    import platform
    import sys
    import sysconfig
    corename, blas_cfg = _cpu.blas_info()
    return {
        "convx": __version__,
        "python": sys.version.split()[0],
        "numpy": __import__("numpy").__version__,
        "platform": platform.platform(),
        "compiler": sysconfig.get_config_var("CC") or "unknown",
        "openmp": _cpu.openmp_enabled(),
        "threads_default": get_num_threads(),
        "cores": _cpu.max_threads(),
        "cpu_features": _cpu.cpu_features(),
        "isa_compiled": _cpu.compiled_isas(),
        "isa_supported": _cpu.supported_isas(),
        "isa_active": _cpu.active_isa(),
        "blas": {"library": "scipy-openblas32 " + _scipy_openblas32.__version__,
                 "core": corename, "config": blas_cfg,
                 "threading": "BLAS single-threaded inside convx's OpenMP teams"},
        "workspace_cap_bytes": _cpu.workspace_cap_bytes(),
    }


_SERIAL = "off (serial build: one thread; the compiler had no OpenMP, or CONVX_NO_OPENMP=1)"


def show_config():
    """Print version, compiler, OpenMP, threads, CPU features, ISAs and BLAS details.

    Attach its output to bug reports and benchmark results (``python -m convx info`` prints the
    same).

    See Also
    --------
    get_config : The same as a dict.

    Examples
    --------
    >>> import convx
    >>> convx.show_config()                        # doctest: +ELLIPSIS
    convx ...
      OpenMP          : ...
    """
    cfg = get_config()
    feats = " ".join(f"{k}{'+' if v else '-'}" for k, v in cfg["cpu_features"].items())
    lines = [
        f"convx {cfg['convx']}  (python {cfg['python']}, numpy {cfg['numpy']})",
        f"  platform        : {cfg['platform']}",
        f"  compiler        : {cfg['compiler']}",
        f"  OpenMP          : {'on' if cfg['openmp'] else _SERIAL}",
        f"  threads         : default {cfg['threads_default']} of {cfg['cores']} cores",
        f"  CPU features    : {feats}",
        f"  ISA compiled    : {', '.join(cfg['isa_compiled'])}",
        f"  ISA supported   : {', '.join(cfg['isa_supported'])}",
        f"  ISA active      : {cfg['isa_active']}",
        f"  BLAS            : {cfg['blas']['library']}, core {cfg['blas']['core']}",
        f"  BLAS config     : {cfg['blas']['config']}",
        f"  BLAS threading  : {cfg['blas']['threading']}",
        f"  workspace cap   : {cfg['workspace_cap_bytes'] >> 20} MiB per buffer",
    ]
    print("\n".join(lines))
