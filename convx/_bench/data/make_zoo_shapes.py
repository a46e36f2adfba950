"""Make convx/_bench/data/zoo_shapes.jsonl (the ``zoo`` benchmark suite) from the oneDNN
benchdnn shape set.

Usage (from the repository root)::

    python convx/_bench/data/make_zoo_shapes.py SOURCE.jsonl

SOURCE.jsonl is the oneDNN benchdnn convolution shape set converted to JSON lines (one problem a
line; see README.md next to this script for its source, licence and fields). The output is
deterministic: running the script again on the same source gives the same file.

Selection (see README.md for the reasons):

* records without ``asym`` (they map 1:1 onto a torch call); transposed ones only where
  ``output_padding`` satisfies torch's rule (``< stride`` or ``< dilation`` per axis); none
  whose input, weight and output hold more than ``ELEM_CAP`` elements at batch 1;
* network files (resnet, mobilenet, googlenet, vgg, alexnet, 1d, 3d, dilated, dilated_3d,
  deconv_*): duplicate shapes dropped across files (first file in sorted order keeps it, batch
  ignored), then about ``NET_CAP`` per file (``DECONV_NET_CAP`` per deconv file), spread evenly
  over each stratum of the file -- family plus tags: strided, dilated, grouped, dense kernel
  3/5/7/other -- with at least one per stratum;
* benchdnn's generated families (``3d_*``, ``dilated_{1,2,3}d_*``, thousands of tiny problems):
  ``GEN_PICKS`` per file -- the largest problem and the median one by multiply-adds;
* batch: ``min(mb, MB_MAX)``, halved while the case costs more than ``MAC_CAP`` multiply-adds
  (down to 1); the original batch is kept as ``orig_mb``. Every other size is kept exactly.
"""
import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_PATH = os.path.join(HERE, "zoo_shapes.jsonl")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(HERE))))
from convx._bench._families import FAMILY_ORDER, conv_family, conv_tags  # noqa: E402

NET_CAP = 20
DECONV_NET_CAP = 14
GEN_PICKS = 2
MB_MAX = 8
MAC_CAP = 300_000_000
# input + weight + output elements at batch 1; oneDNN's "large shape" stress problems (e.g. a
# 192^3 kernel over a 192^3 volume, 0.9 GB of weights) are not layers anyone runs on a CPU
ELEM_CAP = 32_000_000
GENERATED_PREFIXES = ("3d_", "dilated_1d_", "dilated_2d_", "dilated_3d_")


def macs(rec, mb):
    if rec["kind"] == "conv":
        return (mb * rec["oc"] * (rec["ic"] // rec["groups"]) * math.prod(rec["k"])
                * math.prod(rec["out"]))
    return (mb * rec["ic"] * math.prod(rec["in"]) * (rec["oc"] // rec["groups"])
            * math.prod(rec["k"]))


def family(rec):
    return conv_family(rec["kind"], rec["ndim"], rec["groups"], rec["ic"], rec["k"],
                       rec["dilation"])


def elements(rec, mb=1):
    w = rec["oc"] * (rec["ic"] // rec["groups"]) * math.prod(rec["k"])
    return mb * rec["ic"] * math.prod(rec["in"]) + w + mb * rec["oc"] * math.prod(rec["out"])


def usable(rec):
    if rec.get("asym") or elements(rec) > ELEM_CAP:
        return False
    if rec["kind"] == "deconv":
        return all(op < s or op < d for op, s, d in
                   zip(rec["output_padding"], rec["stride"], rec["dilation"]))
    return True


def shape_key(rec):
    return (rec["kind"], rec["groups"], rec["ic"], rec["oc"], tuple(rec["in"]), tuple(rec["k"]),
            tuple(rec["stride"]), tuple(rec["pad"]), tuple(rec["dilation"]),
            tuple(rec.get("output_padding") or ()))


def evenly(items, n):
    """n items spread evenly over ``items`` (all of them when n >= len)."""
    if n >= len(items):
        return list(items)
    return [items[(2 * i + 1) * len(items) // (2 * n)] for i in range(n)]


def stratum(rec):
    """(family, tags): e.g. ("dense", ["strided", "k7"])."""
    tags = conv_tags(rec["kind"], rec["ndim"], rec["groups"], rec["ic"], rec["k"],
                     rec["stride"], rec["dilation"])
    return (FAMILY_ORDER.index(family(rec)), tuple(tags))


def pick_network(recs, cap):
    """About ``cap`` records of one file: each stratum (family and tags: strided, dense kernel
    size, ...) in proportion, at least one each."""
    by_stratum = {}
    for r in recs:
        by_stratum.setdefault(stratum(r), []).append(r)
    if len(recs) <= cap:
        return list(recs)
    picked = []
    for key in sorted(by_stratum):
        rs = by_stratum[key]
        picked += evenly(rs, max(1, round(cap * len(rs) / len(recs))))
    order = {id(r): i for i, r in enumerate(recs)}
    return sorted(picked, key=lambda r: order[id(r)])


def pick_generated(recs):
    by_macs = sorted(recs, key=lambda r: (macs(r, 1), r["desc"]))
    picks = [by_macs[-1], by_macs[len(by_macs) // 2]]
    out = []
    for r in picks[:GEN_PICKS]:
        if r not in out:
            out.append(r)
    return out


def reduce_batch(rec):
    mb = min(rec["mb"], MB_MAX)
    while mb > 1 and macs(rec, mb) > MAC_CAP:
        mb //= 2
    return mb


def main(source):
    with open(source) as f:
        recs = [json.loads(line) for line in f if line.strip()]
    by_net = {}
    for r in recs:
        if usable(r):
            by_net.setdefault(r["net"], []).append(r)
    seen = set()
    out = []
    for net in sorted(by_net):
        rs = by_net[net]
        if net.startswith(GENERATED_PREFIXES):
            chosen = pick_generated(rs)
        else:
            fresh = []
            for r in rs:
                key = shape_key(r)
                if key not in seen:
                    seen.add(key)
                    fresh.append(r)
            chosen = pick_network(fresh, DECONV_NET_CAP if net.startswith("deconv")
                                  else NET_CAP)
        for r in chosen:
            mb = reduce_batch(r)
            rec = {k: v for k, v in r.items() if k not in ("mb",)}
            rec.update(mb=mb, orig_mb=r["mb"], family=family(r), macs=macs(r, mb))
            out.append(rec)
    names = set()
    for rec in out:   # a unique case name: [net:]benchdnn name (or net:descriptor), a counter
        layer = rec["name"].split("*")[0]
        base = layer if ":" in layer else rec["net"] + ":" + (layer or rec["desc"])
        if rec["kind"] == "deconv" and not base.startswith("deconv"):
            base = "deconv:" + base
        name, i = base, 2
        while name in names:
            name, i = f"{base}#{i}", i + 1
        names.add(name)
        rec["case"] = name
    with open(OUT_PATH, "w") as f:
        for rec in out:
            f.write(json.dumps(rec, separators=(",", ":"), sort_keys=True) + "\n")
    fams = {}
    for rec in out:
        fams[rec["family"]] = fams.get(rec["family"], 0) + 1
    print(f"wrote {len(out)} records ({len(by_net)} files) to {OUT_PATH}: "
          + ", ".join(f"{k} {v}" for k, v in sorted(fams.items()))
          + f"; max MACs {max(r['macs'] for r in out):,}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: python {sys.argv[0]} SOURCE.jsonl  (the benchdnn shape set as JSON "
                 f"lines; see README.md next to this script)")
    main(sys.argv[1])
