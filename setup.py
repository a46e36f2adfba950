"""Build convx: C kernels per ISA, C drivers with OpenMP, Cython glue, BLAS from scipy-openblas32.

Layout of the build (STYLE.md section 6):
- static libraries ``convx_k_scalar``, ``convx_k_avx2``, ``convx_k_avx512``: every
  ``csrc/kernels/**/<...>-<isa>.c`` compiled with that ISA's flags (sources picked by suffix);
- static library ``convx_core``: drivers, dispatch, CPU detection, workspace pool (baseline flags
  plus OpenMP);
- one Cython extension, ``convx._core`` (``convx/_core.pyx`` includes each family's
  ``convx/_<stem>.pxi``), linking all of the above and BLAS once.
Non-x86 builds compile the scalar kernels only. ``CONVX_NATIVE=1`` adds -march=native for local
experiments (never for a build that ships); ``CONVX_DEBUG=1`` keeps asserts on (-UNDEBUG -O1);
``CONVX_NO_OPENMP=1`` builds without OpenMP, as a compiler without it would.
If the compiler has no OpenMP the build still succeeds, serially (show_config() says so).
"""
import glob
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_clib import build_clib
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
# The target platform, not the build machine's: a cross build (cibuildwheel's macOS x86_64 wheel on
# an arm64 runner) sets _PYTHON_HOST_PLATFORM, which sysconfig.get_platform() reports. universal2
# is not x86-only, so it would get the scalar kernels alone: build each macOS arch on its own.
TARGET = sysconfig.get_platform().lower()      # linux-x86_64, macosx-11.0-arm64, win-amd64, ...
IS_X86 = TARGET.endswith(("x86_64", "amd64", "i686", "win32"))
IS_MSVC = sys.platform == "win32"
DEBUG = os.environ.get("CONVX_DEBUG") == "1"


def _build_jobs():
    """Parallel compile jobs: CONVX_BUILD_JOBS, else the CPUs this process may use."""
    if os.environ.get("CONVX_BUILD_JOBS"):
        return max(1, int(os.environ["CONVX_BUILD_JOBS"]))
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


BUILD_JOBS = _build_jobs()

try:
    import scipy_openblas32
except ImportError:  # pragma: no cover - build requirement
    sys.exit("convx needs scipy-openblas32 at build time (pip install scipy-openblas32)")

BLAS_INC = scipy_openblas32.get_include_dir()
BLAS_LIBDIR = scipy_openblas32.get_lib_dir()
BLAS_LIB = scipy_openblas32.get_library()

ISA_FLAGS = {
    "scalar": [],
    "avx2": ["/arch:AVX2"] if IS_MSVC else ["-mavx2", "-mfma", "-mf16c"],
    "avx512": ["/arch:AVX512"] if IS_MSVC else
    ["-mavx512f", "-mavx512cd", "-mavx512bw", "-mavx512dq", "-mavx512vl", "-mavx2", "-mfma",
     "-mf16c"],
}
ISAS = ["scalar", "avx2", "avx512"] if IS_X86 else ["scalar"]


def no_debug_info():
    """-g0 for a release build: Python's own CFLAGS often carry -g, which made each extension
    ~5x larger (debug info of the whole static core). CONVX_DEBUG=1 or a -g in $CFLAGS keeps it."""
    if IS_MSVC or DEBUG or "-g" in os.environ.get("CFLAGS", "").split():
        return []
    return ["-g0"]


def base_cflags():
    if IS_MSVC:
        return ["/O2", "/std:c11"]
    flags = ["-std=c11", "-fPIC", "-fno-strict-aliasing", "-Wall", "-Wno-unused-function"]
    flags += ["-O1", "-UNDEBUG"] if DEBUG else ["-O3", "-DNDEBUG"]
    flags += no_debug_info()
    if os.environ.get("CONVX_NATIVE") == "1":
        flags.append("-march=native")
    return flags


def _serial_build_warning(why):
    # pip shows a build's output only with -v; show_config() tells the user later in any case.
    print(f"\nWARNING: convx: {why}: building a SERIAL library (no OpenMP threads; workers= and "
          f"set_num_threads() have no effect; convx.show_config() says 'OpenMP: off').\n",
          file=sys.stderr)


def openmp_flags():
    """(compile flags, link flags) for OpenMP, or ([], []) if the compiler has none.

    The probe compiles and links a program that calls the OpenMP runtime with the compiler that
    will build the extensions (``CC`` or Python's), so a compiler that rejects ``-fopenmp`` (Apple
    clang, some conda compilers) or lacks the runtime gives a serial build instead of a failure.
    """
    if os.environ.get("CONVX_NO_OPENMP") == "1":   # build serially on purpose (tests that path)
        _serial_build_warning("CONVX_NO_OPENMP=1 is set")
        return [], []
    if IS_MSVC:
        return ["/openmp"], []
    cc = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    cc = cc.split()
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "t.c")
        with open(src, "w") as f:
            f.write("#include <omp.h>\nint main(void){return omp_get_max_threads() > 0 ? 0 : 1;}\n")
        try:
            r = subprocess.run(cc + ["-fopenmp", src, "-o", os.path.join(d, "t")],
                               capture_output=True)
            if r.returncode == 0:
                return ["-fopenmp"], ["-fopenmp"]
        except OSError:
            pass
    _serial_build_warning(f"the C compiler ({' '.join(cc)}) does not build OpenMP programs "
                          f"(-fopenmp)")
    return [], []


OMP_CFLAGS, OMP_LDFLAGS = openmp_flags()
DEFINES = [("CONVX_HAVE_" + isa.upper(), "1") for isa in ISAS if isa != "scalar"]


def kernel_sources(isa):
    return sorted(os.path.relpath(p, HERE) for p in
                  glob.glob(os.path.join(HERE, "csrc", "kernels", "**", f"*-{isa}.c"),
                            recursive=True))


# csrc/conv/ holds one file per forward-convolution variant (csrc/conv/internal.h)
CORE_SOURCES = sorted(os.path.relpath(p, HERE) for p in glob.glob(os.path.join(HERE, "csrc", "*.c")) +
                      glob.glob(os.path.join(HERE, "csrc", "conv", "*.c")))
CSRC_HEADERS = sorted(os.path.relpath(p, HERE) for p in
                      glob.glob(os.path.join(HERE, "csrc", "**", "*.h"), recursive=True) +
                      glob.glob(os.path.join(HERE, "csrc", "**", "*.inc"), recursive=True) +
                      glob.glob(os.path.join(HERE, "csrc", "**", "*.template.c"), recursive=True))
CORE_SOURCES = [s for s in CORE_SOURCES if not s.endswith(".template.c")]

LIBRARIES = []
for isa in ISAS:
    LIBRARIES.append((f"convx_k_{isa}", {
        "sources": kernel_sources(isa),
        "cflags": base_cflags() + ISA_FLAGS[isa],
        "include_dirs": ["csrc"],
        "depends": CSRC_HEADERS,
    }))
LIBRARIES.append(("convx_core", {
    "sources": CORE_SOURCES,
    "cflags": base_cflags() + OMP_CFLAGS,
    "include_dirs": ["csrc", BLAS_INC],
    "macros": DEFINES,
    "depends": CSRC_HEADERS,
}))


class BuildClibWithFlags(build_clib):
    """setuptools' build_clib ignores per-library cflags; pass them through."""

    def build_libraries(self, libraries):
        # One source per task on BUILD_JOBS threads (each compile is a compiler process):
        # pip and `python -m build` never pass -j, and these ~100 files are most of a build.
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(BUILD_JOBS) as pool:
            for lib_name, info in libraries:
                def compile_one(src, info=info):
                    return self.compiler.compile(
                        [src], output_dir=self.build_temp, macros=info.get("macros"),
                        include_dirs=info.get("include_dirs"),
                        extra_postargs=info.get("cflags", []), debug=self.debug,
                        depends=info.get("depends", []))
                objects = [o for objs in pool.map(compile_one, info["sources"]) for o in objs]
                self.compiler.create_static_lib(objects, lib_name, output_dir=self.build_clib,
                                                debug=self.debug)


class BuildExtAfterClib(build_ext):
    """`setup.py build_ext --inplace` alone must also build the static kernel libraries."""

    def finalize_options(self):
        super().finalize_options()
        if not self.parallel:           # -j N on the command line wins
            self.parallel = BUILD_JOBS

    def run(self):
        self.run_command("build_clib")
        clib = self.get_finalized_command("build_clib")
        self.library_dirs = list(self.library_dirs or []) + [clib.build_clib]
        # the static libraries are inputs of the link: a change in a C source alone must relink
        # the extension (build_ext only compares the extension's sources and `depends`)
        static = [os.path.join(clib.build_clib, clib.compiler.library_filename(name))
                  for name, _ in (clib.libraries or [])]
        for ext in self.extensions:
            ext.depends = list(ext.depends or []) + [f for f in static if os.path.exists(f)]
        super().run()

    def build_extensions(self):
        # Some interpreters (pyenv, conda) put -Wl,-rpath,<their prefix>/lib into LDSHARED; the
        # extensions do not link libpython, so that absolute path would only be junk in a wheel.
        linker = getattr(self.compiler, "linker_so", None)
        if linker:
            self.compiler.linker_so = [a for a in linker if not a.startswith("-Wl,-rpath,/")]
        super().build_extensions()


def extension(stem):
    # core first, kernels after: the static linker resolves kernel symbols the core references
    libs = ["convx_core"] + [f"convx_k_{isa}" for isa in ISAS] + [BLAS_LIB]
    link = list(OMP_LDFLAGS)
    if not IS_MSVC:
        # convx/__init__.py loads libscipy_openblas (RTLD_GLOBAL, through scipy_openblas32) before
        # any extension, so the loader finds it by soname; this relative entry, valid wherever the
        # package is installed next to scipy_openblas32, is only a fallback. No absolute path: the
        # build environment (pip's isolated one is temporary) is not where the wheel runs.
        origin = "@loader_path" if sys.platform == "darwin" else "$ORIGIN"
        link += [f"-Wl,-rpath,{origin}/../scipy_openblas32/lib"]
    if sys.platform.startswith("linux"):
        # Bind every symbol when the extension is loaded. A repaired wheel vendors its own libgomp
        # (renamed by auditwheel); torch makes its libgomp global (RTLD_GLOBAL). With lazy binding
        # an extension could resolve GOMP_parallel in one runtime before `import torch` and a
        # GOMP_loop_* call in the other after it: a team driven by two runtimes. Bound at load,
        # each extension uses exactly one runtime, whichever the import order (README "Threads").
        link += ["-Wl,-z,now"]
    return Extension(
        f"convx.{stem}", [f"convx/{stem}.pyx"],
        include_dirs=["csrc", np.get_include(), BLAS_INC],
        libraries=libs, library_dirs=[BLAS_LIBDIR],
        extra_compile_args=(["/O2"] if IS_MSVC else ["-O2", "-fPIC"]) + no_debug_info() + OMP_CFLAGS,
        extra_link_args=link,
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_25_API_VERSION")] + DEFINES,
        depends=CSRC_HEADERS + ["convx/_csrc.pxd"] + sorted(glob.glob("convx/*.pxi")),
    )


# one extension, convx._core (it includes every family's convx/_<stem>.pxi)
GLUE = sorted(os.path.splitext(os.path.basename(p))[0] for p in glob.glob(os.path.join(HERE, "convx", "_*.pyx")))

setup(
    libraries=LIBRARIES,
    cmdclass={"build_clib": BuildClibWithFlags, "build_ext": BuildExtAfterClib},
    ext_modules=cythonize([extension(stem) for stem in GLUE],
                          compiler_directives={"language_level": 3, "boundscheck": False,
                                               "wraparound": False, "cdivision": True},
                          include_path=["convx"]),
)
