"""Make tests/data/conv_shapes_sample.jsonl from the oneDNN benchdnn shape set.

Usage (from the repository root)::

    python tests/data/make_conv_shapes_sample.py SOURCE.jsonl

SOURCE.jsonl is the oneDNN benchdnn convolution shape set converted to JSON lines, one problem
a line (see tests/data/README.md, "Source", for where it comes from and its fields).

Picks named forward-convolution records (``kind == "conv"``, no ``asym``) across
networks, then shrinks each one so the pure-NumPy oracle runs in milliseconds:

* batch: ``min(mb, 1 + i % 2)`` for the i-th picked record (so 1 or 2), and 1
  whenever batch 2 would make the case cost more than ``MAC_CAP`` multiply-adds;
* spatial: per axis the output is capped at ``OUT_CAP[ndim]`` and the input is
  shortened by whole strides, ``in' = in - (out - out') * stride``.  Kernel,
  stride, padding, dilation, channels and groups are kept as they are, and so
  is ``(in + 2*pad - dil*(k-1) - 1) % stride``, i.e. how the last window sits.

The output is deterministic: running the script again gives the same file.
"""

import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_PATH = os.path.join(HERE, "conv_shapes_sample.jsonl")

# Largest output length kept per spatial axis, by spatial rank.
OUT_CAP = {1: 24, 2: 6, 3: 4}
# Batch drops to 1 when a case would cost more multiply-adds than this.
MAC_CAP = 16_000_000

# (net, name, desc or None). desc only where a net repeats a name.
PICKS = [
    # resnet_50: 7x7/s2 stem, 3x3, 1x1/s2 projection, wide 1x1
    ("resnet_50", "resnet_50:conv1", None),
    ("resnet_50", "resnet_50:res2a_branch2b*3", None),
    ("resnet_50", "resnet_50:res3a_branch1", None),
    ("resnet_50", "resnet_50:res4a_branch2b*6", None),
    ("resnet_50", "resnet_50:res5b_branch2a*2", None),
    # mobilenet depthwise 3x3, stride 1 and 2, up to 1024 groups
    ("mobilenet_dw", "mobilenet:conv2_2/dw", None),
    ("mobilenet_dw", "mobilenet:conv4_1/dw", None),
    ("mobilenet_dw", "mobilenet:conv5_6/dw", None),
    ("mobilenet_dw", "mobilenet:conv6/dw", None),
    ("mobilenet", "mobilenet:conv1*3", None),
    # googlenet: 5x5, and v3's 1x7 / 7x1 / 3x1 factorised kernels
    ("googlenet_v1", "googlenet_v1:conv1/7x7_s2", None),
    ("googlenet_v1", "googlenet_v1:inception_3a/5x5", None),
    ("googlenet_v3", "googlenet_v3:conv_conv2d", None),
    ("googlenet_v3", "googlenet_v3:mixed_4_tower_conv_1_conv2d*2", None),
    ("googlenet_v3", "googlenet_v3:mixed_4_tower_conv_2_conv2d", None),
    ("googlenet_v3", "googlenet_v3:mixed_9_tower_mixed_conv_1_conv2d*4", None),
    # vgg
    ("vgg_11", "vgg_11:conv1_1", None),
    ("vgg_11", "vgg_11:conv5_2", None),
    ("vgg_19", "vgg_19:conv3_1", None),
    # alexnet: 11x11/s4, grouped 5x5 and 3x3
    ("alexnet", "alexnet:conv1", None),
    ("alexnet", "alexnet:conv2", None),
    ("alexnet", "alexnet:conv4", None),
    # 1d
    ("1d", "conv_dw", None),
    ("1d", "1d_gconv_channel-block-4", "g6_ic24oc24_iw11kw3"),
    ("1d", "1d_gconv_channel-block-4-strided", None),
    ("1d", "conv1d:2", None),
    ("1d", "conv1d:15", None),
    ("1d", "conv1d:21", None),
    ("1d", "conv1d_gemm:3", None),
    # 3d
    ("3d", "3d_conv_pad:1", None),
    ("3d", "3d_conv_pad:4", None),
    ("3d", "vnet:conv1", None),
    ("3d", "3d_gconv_channel-block-4", None),
    ("3d", "3d_gconv_non-block_s2", None),
    ("3d", "3d_gconv_non-block_1x1", None),
    ("3d_2d_strided_padding", "conv_3d_strided_padding_4", None),
    ("3d_unit-stride_padding", "conv_3d_unit-stride_padding_129_pd-back(2)", None),
    # dilated: 2-d with per-axis stride/dilation, grouped, 1-d, 3-d
    ("dilated", "dilated_conv:12", None),
    ("dilated", "dilated_conv:19", None),
    ("dilated", "dilated_conv:20", None),
    ("dilated", "dilated_conv:25", None),
    ("dilated", "dilated_conv1d:16", None),
    ("dilated_3d", "dilated_conv_3d:8", None),
    ("dilated_3d", "dilated_conv_3d:5", None),
    ("dilated_1d_strided_padding", "dilated_1d_strided_padding_7", None),
    ("dilated_2d_strided_no-padding", "dilated_2d_strided_no-padding_31_ph-bottom(-1)", None),
    ("dilated_3d_strided_padding", "dilated_3d_strided_padding_3", None),
]


def _out_len(n, k, s, p, d):
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def shrink(rec, batch):
    """Return a copy of rec with batch and spatial sizes reduced (see module doc)."""
    ndim = rec["ndim"]
    new_in, new_out = [], []
    for n, k, s, p, d, o in zip(rec["in"], rec["k"], rec["stride"], rec["pad"],
                                rec["dilation"], rec["out"]):
        o2 = min(o, OUT_CAP[ndim])
        n2 = n - (o - o2) * s
        while n2 < 1:  # only if heavy padding made the cut too deep
            o2 += 1
            n2 = n - (o - o2) * s
        assert _out_len(n2, k, s, p, d) == o2
        new_in.append(n2)
        new_out.append(o2)
    out = {
        "net": rec["net"],
        "name": rec["name"],
        "ndim": ndim,
        "groups": rec["groups"],
        "mb": batch,
        "ic": rec["ic"],
        "oc": rec["oc"],
        "in": new_in,
        "k": rec["k"],
        "stride": rec["stride"],
        "pad": rec["pad"],
        "dilation": rec["dilation"],
        "out": new_out,
        "orig_mb": rec["mb"],
        "orig_in": rec["in"],
        "desc": rec["desc"],
        "source": rec["source"],
    }
    macs = (batch * rec["oc"] * (rec["ic"] // rec["groups"]) * math.prod(rec["k"])
            * math.prod(new_out))
    out["macs"] = macs
    return out


def main(source):
    records = []
    with open(source) as f:
        for line in f:
            rec = json.loads(line)
            if rec["kind"] == "conv" and not rec.get("asym"):
                records.append(rec)
    picked = []
    for i, (net, name, desc) in enumerate(PICKS):
        hits = [r for r in records if r["net"] == net and r["name"] == name
                and (desc is None or r["desc"] == desc)]
        if not hits:
            raise SystemExit(f"no record {net!r} {name!r} {desc!r} in {source}")
        rec = hits[0]
        small = shrink(rec, min(rec["mb"], 1 + i % 2))
        if small["macs"] > MAC_CAP and small["mb"] > 1:
            small = shrink(rec, 1)
        picked.append(small)
    with open(OUT_PATH, "w") as f:
        for rec in picked:
            f.write(json.dumps(rec, separators=(",", ":")) + "\n")
    print(f"wrote {len(picked)} records to {OUT_PATH}; "
          f"max MACs {max(r['macs'] for r in picked):,}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: python {sys.argv[0]} SOURCE.jsonl  (the benchdnn shape set as JSON "
                 f"lines; see tests/data/README.md)")
    main(sys.argv[1])
