"""Layer families for per-family reports: one rule, used by the zoo sample script, the zoo
suite, ``--shapes`` and the report.

The primary family of a convolution is the first rule that matches:

1. ``transposed``: a transposed convolution (benchdnn ``deconv``);
2. ``depthwise``: one input channel per group (``groups == C_in > 1``; any channel multiplier);
3. ``conv1d`` / ``conv3d``: spatial rank 1 or 3 (as run; benchdnn's generated "1d" families are
   3-D problems with size-1 axes and stay ``conv3d``);
4. ``grouped``: ``groups > 1``;
5. ``dilated``: any dilation > 1;
6. ``pointwise``: every kernel size 1;
7. ``dense``: the rest (2-D, one group, a real window).

So a grouped dilated 2-D conv is ``grouped``, a dilated 1-D conv is ``conv1d``, a depthwise 1-D
conv is ``depthwise``. Tags (``strided``, ``dilated``, ``grouped``, ``k3``/``k5``/``k7``/``kother``
for dense windows) say what else a case is; the report lists the tags too. Filter cases (image
filters against OpenCV) are the family ``filters``.
"""
from __future__ import annotations

FAMILY_ORDER = ("dense", "pointwise", "depthwise", "grouped", "dilated", "conv1d", "conv3d",
                "transposed", "filters")


def conv_family(kind: str, ndim: int, groups: int, c_in: int, k, dilation) -> str:
    """Primary family of a conv (``kind`` "conv") or transposed conv (``kind`` "deconv").

    ``c_in`` is the input channel count of the call (for a transposed conv: its input).
    """
    if kind == "deconv":
        return "transposed"
    if groups > 1 and groups == c_in:
        return "depthwise"
    if ndim == 1:
        return "conv1d"
    if ndim == 3:
        return "conv3d"
    if groups > 1:
        return "grouped"
    if any(d > 1 for d in dilation):
        return "dilated"
    if all(kk == 1 for kk in k):
        return "pointwise"
    return "dense"


def conv_tags(kind: str, ndim: int, groups: int, c_in: int, k, stride, dilation) -> list:
    """Secondary properties of a conv (see the module docstring)."""
    tags = []
    if any(s > 1 for s in stride):
        tags.append("strided")
    if any(d > 1 for d in dilation):
        tags.append("dilated")
    if groups > 1 and groups != c_in:
        tags.append("grouped")
    if conv_family(kind, ndim, groups, c_in, k, dilation) == "dense":
        ks = set(k)
        tags.append(f"k{k[0]}" if len(ks) == 1 and k[0] in (3, 5, 7) else "kother")
    return tags


def case_family(case) -> tuple[str, list]:
    """(primary family, tags) of a benchmark ``Case``; ("", []) for families not classified."""
    if case.family == "filter":
        return "filters", []
    if case.family not in ("conv", "conv_transpose"):
        return "", []
    kind = "deconv" if case.family == "conv_transpose" else "conv"
    c_in = case.input_shape[1]
    k = case.weight_shape[2:]
    return (conv_family(kind, case.ndim, case.groups, c_in, k, case.dilation),
            conv_tags(kind, case.ndim, case.groups, c_in, k, case.stride, case.dilation))
