"""Make tests/data/deconv_shapes_sample.jsonl from the benchdnn shape set (deterministic).

    python tests/data/make_deconv_shapes_sample.py SOURCE.jsonl

SOURCE.jsonl is the oneDNN benchdnn convolution/deconvolution shape set converted to JSON lines
(see tests/data/README.md, "Source").

Picks evenly spaced `kind == "deconv"` records without the `asym` flag from each benchdnn
deconv file (count per net in PER_NET), keeps channels, groups, kernel, stride, padding,
dilation and output_padding exactly, and shrinks batch and spatial sizes (and, for 3-D problems
still above MAC_CAP / 4, halves C_in and C_out together) so the NumPy oracle runs each problem in
milliseconds (see tests/data/README.md).
"""
import json
import math
import os
import sys

PER_NET = {"deconv_2d": 5, "deconv_dilated": 4, "deconv_ci": 2, "deconv_1x1": 2,
           "deconv_1d": 2, "deconv_3d": 1}
IN_CAP = {1: 9, 2: 5, 3: 3}
MAC_CAP = 4_000_000


def out_len(i, k, s, p, d, op):
    return (i - 1) * s - 2 * p + d * (k - 1) + op + 1


def main(path, dst):
    recs = [json.loads(line) for line in open(path) if line.strip()]
    recs = [r for r in recs if r["kind"] == "deconv" and not r.get("asym")]
    picked = []
    for net, count in PER_NET.items():
        rows = [r for r in recs if r["net"] == net
                and all(op < s or op < d for op, s, d in
                        zip(r["output_padding"], r["stride"], r["dilation"]))]
        idx = sorted({round(j * (len(rows) - 1) / max(count - 1, 1)) for j in range(count)})
        picked += [rows[j] for j in idx]
    with open(dst, "w") as f:
        for i, r in enumerate(picked):
            r = dict(r)
            r["orig_mb"], r["orig_in"] = r["mb"], list(r["in"])
            cap = IN_CAP[r["ndim"]]
            new_in = []
            for i_, k, s, p, d, op in zip(r["in"], r["k"], r["stride"], r["pad"], r["dilation"],
                                          r["output_padding"]):
                n = min(i_, cap)
                while out_len(n, k, s, p, d, op) < 1:
                    n += 1
                new_in.append(n)
            r["in"] = new_in
            r["out"] = [out_len(*a) for a in zip(new_in, r["k"], r["stride"], r["pad"],
                                                 r["dilation"], r["output_padding"])]
            per = r["ic"] * math.prod(new_in) * (r["oc"] // r["groups"]) * math.prod(r["k"])
            r["mb"] = min(r["orig_mb"], 1 + i % 2)
            if r["mb"] * per > MAC_CAP:
                r["mb"] = 1
            r["orig_ic"], r["orig_oc"] = r["ic"], r["oc"]
            while (r["mb"] * per > MAC_CAP / 4 and r["ndim"] == 3 and r["ic"] % 2 == 0
                   and r["oc"] % 2 == 0):  # only the two big 3-D unet layers get here
                r["ic"] //= 2
                r["oc"] //= 2
                per //= 4
            r["macs"] = r["mb"] * per
            f.write(json.dumps(r, sort_keys=True) + "\n")
    print(f"wrote {len(picked)} records to {dst}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: python {sys.argv[0]} SOURCE.jsonl  (the benchdnn shape set as JSON "
                 f"lines; see tests/data/README.md)")
    main(sys.argv[1], os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                   "deconv_shapes_sample.jsonl"))
