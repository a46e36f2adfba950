"""Generate the GEMM micro-kernel instances and their lists, gemm.inc and igemm.inc.

Run from this folder: ``python gen.py``. Each instance includes gemm.template.h with its dtype,
ISA and register tile MR x (NV vectors). Tiles fill each ISA's register file with independent
accumulators: AVX-512 (32 registers) 24 accumulators (f32 12 x 2, f64 6 x 4); AVX2 and the
baseline (16 registers) 6 x 2 = 12. The igemm instances are the same tiles with an indirect B
(row k of B at B + boff[k]).
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from genlib import CTYPE, LANES, write_instance, write_list  # noqa: E402

# (isa, dtype) -> (MR, NV). AVX-512 f32: 12 rows x 2 vectors measured 3-9 % faster than 6 x 4 on
# the ResNet 3x3 layers (fewer 512-bit B loads per FMA; the A broadcasts are narrow loads).
TILES = {("avx512", "f32"): (12, 2), ("avx512", "f64"): (6, 4), ("avx2", "f32"): (6, 2),
         ("avx2", "f64"): (6, 2), ("scalar", "f32"): (4, 4), ("scalar", "f64"): (4, 4)}


def main():
    for family, extra in (("gemm", {}), ("igemm", {"CX_GEMM_INDIRECT": 1})):
        entries = []
        for isa in ("scalar", "avx2", "avx512"):
            for dt in ("f32", "f64"):
                mr, nv = TILES[(isa, dt)]
                nr = nv * LANES[(dt, isa)]
                name = f"convx_{dt}_{family}_ukernel_{mr}x{nr}__{isa}"
                write_instance(HERE, f"{dt}-{family}-{mr}x{nr}-{isa}.c", "gemm.template.h", dt,
                               isa, {"MR": mr, "NV": nv, **extra}, name)
                entries.append((isa, dt, CTYPE[dt], mr, nr, name))
        what = "GEMM micro-kernel" if family == "gemm" else "indirect GEMM micro-kernel"
        write_list(HERE, f"{family}.inc", what, f"CONVX_{family.upper()}_UKERNEL",
                   "isa, dt, ctype, mr, nr, name", entries)


if __name__ == "__main__":
    main()
