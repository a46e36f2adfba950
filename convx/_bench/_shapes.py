"""``python -m convx bench --shapes FILE``: benchmark the user's own layers.

FILE has one layer a line, in either of two forms (mixed freely); blank lines and lines starting
with ``#`` are ignored:

* a JSON object with torch-like fields::

      {"op": "conv2d", "input": [1, 64, 56, 56], "weight": [64, 64, 3, 3], "stride": 1,
       "padding": 1, "dilation": 1, "groups": 1}
      {"op": "conv_transpose2d", "input": [1, 512, 4, 4], "weight": [512, 256, 4, 4],
       "stride": 2, "padding": 1, "output_padding": 0, "name": "dcgan_g1"}

  ``op``: ``conv1d``/``conv2d``/``conv3d``/``conv_transpose1d``/``2d``/``3d`` (required);
  ``input`` ``[N, C_in, *spatial]`` and ``weight`` (torch's layout: ``[C_out, C_in/groups, *k]``,
  transposed ``[C_in, C_out/groups, *k]``) required; ``stride``, ``padding`` (also ``"same"`` /
  ``"valid"`` for convs), ``dilation``, ``output_padding`` (transposed only): an int or one per
  axis; ``groups``, ``bias`` (true/false) and ``name`` optional.

* a oneDNN benchdnn descriptor: ``mb1ic64ih56oc64kh3ph1``, ``g32mb1ic128ih28oc128kh3sh2ph1``,
  ``mb2ic16id8ih8iw8oc16kd3kh3kw3pd1ph1pw1``, optionally ending in a name ``n"resnet:res2"``,
  with ``_`` allowed between fields. Fields: ``g mb ic oc``, and per axis ``i k o s p d`` with
  ``d``/``h``/``w`` (``id kh sw ...``). benchdnn's defaults: ``g1``, ``mb2``, stride 1,
  dilation 0 (benchdnn counts the gap, so ``dh1`` is torch's ``dilation=2``); missing ``w``
  fields copy ``h``, missing ``h`` and ``w`` copy ``d``; a missing output is computed, missing
  padding is deduced from a given output (C integer division, as benchdnn) or 0. A descriptor is
  a convolution unless the line starts with ``deconv:`` (``conv:`` also accepted) or
  ``--shapes-kind deconv`` is given; for a transposed conv ``ic`` is its input's channels.
  Shapes torch cannot express with symmetric padding are errors.

Every bad line is a ``ValueError`` naming the file, the line number and what is wrong.
"""
from __future__ import annotations

import json
import re

from convx._bench._core import Case, conv_case, conv_output_shape, register_suite
from convx._bench.conv_transpose import ct_case

_AXES = "dhw"
_PER_AXIS = "ikosp" + "d"          # input, kernel, output, stride, padding, dilation
_FIELD = re.compile(r"(mb|g|ic|oc|[ikospd][dhw])(\d+)")
_JSON_KEYS = {"op", "input", "weight", "stride", "padding", "dilation", "groups", "bias", "name",
              "output_padding"}
_OPS = {f"conv{n}d": ("conv", n) for n in (1, 2, 3)}
_OPS.update({f"conv_transpose{n}d": ("deconv", n) for n in (1, 2, 3)})


def parse_benchdnn(desc: str, kind: str = "conv") -> dict:
    """A benchdnn descriptor -> torch-style parameters.

    Returns ``{"kind", "mb", "ic", "oc", "groups", "in", "k", "stride", "padding",
    "dilation", "output_padding", "out", "name"}`` (per-axis lists in D, H, W order, only the
    present axes; dilation in torch's convention). Raises ValueError saying what is wrong.
    """
    if kind not in ("conv", "deconv"):
        raise ValueError(f"kind must be 'conv' or 'deconv', got {kind!r}")
    text = desc.strip()
    name = ""
    fields: dict = {}
    pos = 0
    while pos < len(text):
        if text[pos] == "_":
            pos += 1
            continue
        if text[pos] == "n":
            rest = text[pos + 1:].strip()
            if len(rest) >= 2 and rest[0] == rest[-1] and rest[0] in "\"'":
                rest = rest[1:-1]
            if not rest:
                raise ValueError("empty name after 'n'")
            name = rest
            break
        m = _FIELD.match(text, pos)
        if not m:
            raise ValueError(f"cannot parse {text[pos:pos + 12]!r} at character {pos + 1} "
                             f"(expected a field such as mb2, ic64, ih56, kh3, sh2, ph1, dh1, "
                             f"g32 or a name n\"...\")")
        key, val = m.group(1), int(m.group(2))
        if key in fields:
            raise ValueError(f"field {key!r} given twice")
        fields[key] = val
        pos = m.end()
    if not fields:
        raise ValueError("empty descriptor")
    for key in ("ic", "oc"):
        if key not in fields:
            raise ValueError(f"missing {key} (the {'input' if key == 'ic' else 'output'} "
                             f"channels)")
    given = {a: any(f + a in fields for f in "iko") for a in _AXES}
    if given["d"]:
        nd = 3
    elif given["h"]:
        nd = 2
    elif given["w"]:
        nd = 1
    else:
        raise ValueError("no spatial size (give ih, or id, or iw for 1-D)")
    if nd == 2 and not given["h"]:
        raise ValueError("iw/kw/ow given without ih/kh/oh")
    axes = _AXES[3 - nd:]
    # missing w copies h, missing h and w copy d (benchdnn)
    if nd == 3 and not given["h"] and not given["w"]:
        for f in _PER_AXIS:
            for a in "hw":
                if f + "d" in fields and f + a not in fields:
                    fields[f + a] = fields[f + "d"]
    elif nd >= 2 and not given["w"]:
        for f in _PER_AXIS:
            if f + "h" in fields and f + "w" not in fields:
                fields[f + "w"] = fields[f + "h"]
    elif nd == 3 and not given["h"]:
        raise ValueError("id and iw given without ih")
    stray = [k for k in fields if len(k) == 2 and k[1] in _AXES and k[0] in _PER_AXIS
             and k[1] not in axes]
    if stray:
        raise ValueError(f"{', '.join(stray)} given for an axis this {nd}-D problem lacks")
    g = fields.get("g", 1)
    mb = fields.get("mb", 2)
    ic, oc = fields["ic"], fields["oc"]
    for key, v in (("g", g), ("mb", mb), ("ic", ic), ("oc", oc)):
        if v < 1:
            raise ValueError(f"{key} must be >= 1, got {v}")
    if ic % g or oc % g:
        raise ValueError(f"ic {ic} and oc {oc} must be multiples of g {g}")
    res = {"kind": kind, "mb": mb, "ic": ic, "oc": oc, "groups": g, "in": [], "k": [],
           "stride": [], "padding": [], "dilation": [], "output_padding": [], "out": [],
           "name": name}
    for a in axes:
        if "i" + a not in fields or "k" + a not in fields:
            raise ValueError(f"axis {a}: missing {'i' + a if 'i' + a not in fields else 'k' + a}")
        i, k = fields["i" + a], fields["k" + a]
        s, dil = fields.get("s" + a, 1), fields.get("d" + a, 0) + 1
        if i < 1 or k < 1 or s < 1:
            raise ValueError(f"axis {a}: i{a}, k{a} and s{a} must be >= 1")
        span = (k - 1) * dil + 1
        o = fields.get("o" + a)
        p = fields.get("p" + a)
        if p is None:
            if o is None:
                p = 0
            else:
                num = ((o - 1) * s - i + span) if kind == "conv" else ((i - 1) * s - o + span)
                p = int(num / 2)            # C integer division (truncates toward zero)
        if p < 0:
            raise ValueError(f"axis {a}: padding {p} deduced from o{a}{o} is negative")
        op = 0
        if kind == "conv":
            torch_o = (i + 2 * p - span) // s + 1
            if torch_o < 1:
                raise ValueError(f"axis {a}: output size {torch_o} (i{a}{i} k{a}{k} s{a}{s} "
                                 f"p{a}{p} d{a}{dil - 1} leave no window)")
            if o is not None and o != torch_o:
                raise ValueError(f"axis {a}: o{a}{o} needs asymmetric padding (torch's symmetric "
                                 f"p{a}{p} gives {torch_o})")
        else:
            torch_o = (i - 1) * s - 2 * p + span
            if o is not None:
                op = o - torch_o
                if op < 0 or not (op < s or op < dil):
                    raise ValueError(f"axis {a}: o{a}{o} is not reachable with symmetric "
                                     f"padding p{a}{p} (torch gives {torch_o}; output_padding "
                                     f"{op} must be in [0, max(stride, dilation)))")
                torch_o = o
            if torch_o < 1:
                raise ValueError(f"axis {a}: output size {torch_o} is empty")
        for key, v in (("in", i), ("k", k), ("stride", s), ("padding", p), ("dilation", dil),
                       ("output_padding", op), ("out", torch_o)):
            res[key].append(v)
    return res


def _check_ints(obj, key, n, minimum):
    v = obj[key]
    if isinstance(v, bool) or not isinstance(v, (int, list)):
        raise ValueError(f"{key!r} must be an int or a list of {n} ints, got {v!r}")
    vals = [v] * n if isinstance(v, int) else v
    if len(vals) != n or not all(isinstance(x, int) and not isinstance(x, bool) for x in vals):
        raise ValueError(f"{key!r} must be an int or a list of {n} ints, got {v!r}")
    if any(x < minimum for x in vals):
        raise ValueError(f"{key!r} must be >= {minimum}, got {v!r}")
    return tuple(vals)


def parse_json_layer(obj) -> dict:
    """A JSON layer (see the module docstring) -> validated case arguments."""
    if not isinstance(obj, dict):
        raise ValueError(f"expected a JSON object, got {type(obj).__name__}")
    unknown = sorted(set(obj) - _JSON_KEYS)
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(map(repr, unknown))}; known: "
                         f"{', '.join(sorted(_JSON_KEYS))}")
    for key in ("op", "input", "weight"):
        if key not in obj:
            raise ValueError(f"missing {key!r}")
    if obj["op"] not in _OPS:
        raise ValueError(f"'op' must be one of {', '.join(_OPS)}, got {obj['op']!r}")
    kind, nd = _OPS[obj["op"]]
    shapes = {}
    for key in ("input", "weight"):
        v = obj[key]
        if (not isinstance(v, list) or len(v) != nd + 2
                or not all(isinstance(x, int) and not isinstance(x, bool) and x >= 1 for x in v)):
            raise ValueError(f"{key!r} of {obj['op']} must be {nd + 2} positive ints "
                             f"([N, C, {', '.join('DHW'[3 - nd:])}]-style), got {v!r}")
        shapes[key] = tuple(v)
    groups = obj.get("groups", 1)
    if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1:
        raise ValueError(f"'groups' must be a positive int, got {groups!r}")
    x, w = shapes["input"], shapes["weight"]
    if kind == "conv":
        if x[1] != w[1] * groups or w[0] % groups:
            raise ValueError(f"input channels {x[1]} must equal weight[1] * groups = "
                             f"{w[1]} * {groups}, and weight[0] {w[0]} be a multiple of groups")
    elif x[1] != w[0] or x[1] % groups:
        raise ValueError(f"input channels {x[1]} must equal weight[0] {w[0]} (transposed "
                         f"weights are [C_in, C_out/groups, *k]) and be a multiple of "
                         f"groups {groups}")
    args = {"kind": kind, "input": x, "weight": w, "groups": groups,
            "bias": obj.get("bias", False), "name": obj.get("name", "")}
    if not isinstance(args["bias"], bool):
        raise ValueError(f"'bias' must be true or false, got {args['bias']!r}")
    if not isinstance(args["name"], str):
        raise ValueError(f"'name' must be a string, got {args['name']!r}")
    for key, default, minimum in (("stride", 1, 1), ("dilation", 1, 1), ("padding", 0, 0),
                                  ("output_padding", 0, 0)):
        if key == "output_padding" and kind == "conv":
            if key in obj:
                raise ValueError(f"'output_padding' is for transposed convs, not {obj['op']}")
            continue
        if key == "padding" and kind == "conv" and obj.get(key) in ("same", "valid"):
            if obj[key] == "same" and any(s != 1 for s in args["stride"]):
                raise ValueError("padding 'same' needs stride 1 (as in torch)")
            args[key] = obj[key]
            continue
        args[key] = _check_ints({key: obj.get(key, default)}, key, nd, minimum)
    if kind == "conv":
        out = conv_output_shape(x[2:], w[2:], args["stride"], args["padding"], args["dilation"])
    else:
        for op, s, d in zip(args["output_padding"], args["stride"], args["dilation"]):
            if not (op < s or op < d):
                raise ValueError(f"'output_padding' {args['output_padding']} must be smaller "
                                 f"than stride or dilation per axis (torch's rule)")
        out = tuple((i - 1) * s - 2 * p + d * (k - 1) + op + 1 for i, k, s, p, d, op in
                    zip(x[2:], w[2:], args["stride"], args["padding"], args["dilation"],
                        args["output_padding"]))
    if min(out) < 1:
        raise ValueError(f"output size {out} is empty")
    return args


def _case(args: dict, name: str, note: str) -> Case:
    # quick=True: --quick with --shapes runs every layer of the file with the short budget
    x, w = args["input"], args["weight"]
    if args["kind"] == "conv":
        return conv_case(name, x, w[0], w[2:], stride=args["stride"], padding=args["padding"],
                         dilation=args["dilation"], groups=args["groups"], bias=args["bias"],
                         quick=True, note=note)
    return ct_case(name, x, w[1] * args["groups"], w[2:], stride=args["stride"],
                   padding=args["padding"], output_padding=args["output_padding"],
                   dilation=args["dilation"], groups=args["groups"], bias=args["bias"],
                   quick=True, note=note)


def _benchdnn_args(d: dict) -> dict:
    g = d["groups"]
    if d["kind"] == "conv":
        w = (d["oc"], d["ic"] // g, *d["k"])
    else:
        w = (d["ic"], d["oc"] // g, *d["k"])
    return {"kind": d["kind"], "input": (d["mb"], d["ic"], *d["in"]), "weight": w, "groups": g,
            "bias": False, "stride": tuple(d["stride"]), "padding": tuple(d["padding"]),
            "dilation": tuple(d["dilation"]), "output_padding": tuple(d["output_padding"]),
            "name": d["name"]}


def parse_shapes_text(text: str, source: str = "<shapes>", kind: str = "conv") -> list:
    """Cases from the text of a shapes file (see the module docstring)."""
    cases, names = [], set()
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            if line.startswith("{"):
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"invalid JSON: {exc.msg} at column {exc.colno}") from None
                args = parse_json_layer(obj)
                desc = line
            else:
                line_kind = kind
                m = re.match(r"(deconv|conv)\s*[:\s]\s*", line)
                if m:
                    line_kind = m.group(1)
                    line = line[m.end():]
                desc = line
                args = _benchdnn_args(parse_benchdnn(line, line_kind))
            base = args["name"] or f"line{lineno}"
            name, i = base, 2
            while name in names:
                name, i = f"{base}#{i}", i + 1
            names.add(name)
            cases.append(_case(args, name, f"{source}:{lineno}: {desc}"))
        except ValueError as exc:
            raise ValueError(f"{source}, line {lineno}: {exc}") from None
    if not cases:
        raise ValueError(f"{source}: no layers (only blank or comment lines)")
    return cases


def load_shapes(path: str, kind: str = "conv") -> list:
    try:
        with open(path) as f:
            text = f.read()
    except OSError as exc:
        raise ValueError(f"--shapes: cannot read {path!r}: {exc.strerror}") from None
    return parse_shapes_text(text, path, kind)


def register_shapes_suite(paths, kind: str = "conv", name: str = "shapes") -> str:
    """Register the layers of ``paths`` as the suite ``name`` (convx vs torch); its name."""
    cases, seen = [], set()
    for path in paths:
        for c in load_shapes(path, kind):
            if len(paths) > 1:   # names unique across files
                c = Case(**{**c.__dict__, "name": f"{path}:{c.name}"})
            if c.name in seen:
                raise ValueError(f"--shapes: case name {c.name!r} appears twice")
            seen.add(c.name)
            cases.append(c)
    register_suite(name, cases, f"your layers ({', '.join(paths)})", peers=("torch",),
                   in_all=False)
    return name
