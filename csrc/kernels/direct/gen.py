"""Generate the direct-convolution micro-kernel instances and their list, direct.inc.

Run from this folder: ``python gen.py``. Each instance is a three-line file that includes
direct.template.h with its dtype, ISA and register tile; direct.inc is the one list (X-macro)
that the registry, dispatch and tests read. Tiles: OCB output channels x NV vectors of output
columns, sized for each ISA's register file (AVX-512: 32 vector registers; AVX2 and the
baseline: 16).
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from genlib import CTYPE, LANES, write_instance, write_list  # noqa: E402

# (ISA) -> list of (OCB, NV)
TILES = {"avx512": [(8, 2), (4, 2), (1, 4)], "avx2": [(8, 1), (4, 2), (1, 4)],
         "scalar": [(8, 1), (4, 2), (1, 4)]}


def main():
    entries = []
    for isa in ("scalar", "avx2", "avx512"):
        for dt in ("f32", "f64"):
            for ocb, nv in TILES[isa]:
                ow = nv * LANES[(dt, isa)]
                tile = f"{ocb}x{ow}"
                name = f"convx_{dt}_direct_ukernel_{tile}__{isa}"
                write_instance(HERE, f"{dt}-direct-{tile}-{isa}.c", "direct.template.h", dt, isa,
                               {"OCB": ocb, "NV": nv}, name)
                entries.append((isa, dt, CTYPE[dt], ocb, ow, name))
    write_list(HERE, "direct.inc", "direct micro-kernel", "CONVX_DIRECT_UKERNEL",
               "isa, dt, ctype, ocb, ow_tile, name", entries)


if __name__ == "__main__":
    main()
