"""The ``zoo`` suite: a few hundred layers of published networks and benchdnn's generated
problem families (``data/zoo_shapes.jsonl``; its README says where they come from and how they
were picked), timed against torch, plus image filters on 1024^2-4096^2 float32 images against
OpenCV. Every case is classified into a family (``_families``) and the run ends with the
per-family report.

Batches were reduced when the sample was made (``mb`` <= 8, halved while a case costs more than
300 M multiply-adds; ``orig_mb`` in each record and in the case note); every other size is the
benchdnn problem's. The zoo is not part of the default run (``python -m convx bench --suite zoo``).
"""
from __future__ import annotations

import json
from importlib import resources

from convx._bench._core import Case, conv_case, register_suite
from convx._bench.conv_transpose import ct_case
from convx._bench.filters import _fcase

DATA_FILE = "zoo_shapes.jsonl"
SOURCE = ("oneDNN benchdnn shapes (tests/benchdnn/inputs/{conv,deconv}), commit 515bfba6, "
          "Apache-2.0; see convx/_bench/data/README.md")
# the --quick subset: per family, the case whose work is closest to this many multiply-adds
QUICK_MACS = 5_000_000


def load_records() -> list:
    """The sample's records (dicts), in file order."""
    text = resources.files("convx._bench").joinpath("data", DATA_FILE).read_text()
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def record_case(rec: dict, quick: bool = False) -> Case:
    """The benchmark case of one sample record (benchdnn fields, torch convention)."""
    nd = rec["ndim"]
    note = (f"{rec['net']} {rec['name'] or rec['desc']}: batch {rec['mb']} (benchdnn "
            f"{rec['orig_mb']}); {rec['source']}; {SOURCE}")
    if rec["kind"] == "deconv":
        return ct_case(rec["case"], (rec["mb"], rec["ic"], *rec["in"]), rec["oc"], rec["k"],
                       stride=rec["stride"], padding=rec["pad"],
                       output_padding=rec["output_padding"], dilation=rec["dilation"],
                       groups=rec["groups"], quick=quick, note=note)
    case = conv_case(rec["case"], (rec["mb"], rec["ic"], *rec["in"]), rec["oc"], rec["k"],
                     stride=rec["stride"], padding=rec["pad"], dilation=rec["dilation"],
                     groups=rec["groups"], quick=quick, note=note)
    assert case.ndim == nd
    return case


def _quick_names(recs) -> set:
    best = {}
    for r in recs:
        d = abs(r["macs"] - QUICK_MACS)
        if r["family"] not in best or d < best[r["family"]][0]:
            best[r["family"]] = (d, r["case"])
    return {name for _, name in best.values()}


def zoo_cases() -> list:
    recs = load_records()
    quick = _quick_names(recs)
    cases = [record_case(r, quick=r["case"] in quick) for r in recs]
    # issue 13's filter cases: 2-D float32 images, OpenCV the peer
    for size in (1024, 2048, 4096):
        cases += [
            _fcase(f"sobel_{size}", (size, size), (3, 3), op="sobel", quick=size == 1024,
                   note=f"scipy.ndimage-style sobel on {size}^2; cv2.filter2D(sobel_x)"),
            _fcase(f"gauss5x5_{size}", (size, size), (5, 2), op="gaussian", sigma=1.0,
                   truncate=2.0, note=f"5x5 Gaussian on {size}^2; cv2.sepFilter2D"),
            _fcase(f"box15_{size}", (size, size), (15, 2), op="uniform", size=15,
                   note=f"15x15 box on {size}^2; cv2.sepFilter2D(ones(15)/15)"),
            _fcase(f"rand31_{size}", (size, size), (31, 31), op="correlate",
                   note=f"random 31x31 kernel on {size}^2; cv2.filter2D"),
        ]
    return cases


register_suite("zoo", zoo_cases(),
               "published networks' layers and benchdnn's problem families vs torch, image "
               "filters vs OpenCV; per-family report", peers=("torch", "cv2"), target=0.15,
               in_all=False)
