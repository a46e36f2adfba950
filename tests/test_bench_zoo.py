"""The zoo suite and the benchmark options around it (issues 12 and 13): the shipped sample,
family classification, the benchdnn descriptor parser and ``--shapes``, ``--compare``, the
per-family report, ``--repeat``, interleaved timing and ``--isa``'s child processes.

No timing assertions: budgets are tiny and only the plumbing and the numbers' bookkeeping are
checked.
"""

import importlib.util
import io
import time
import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

from _helpers import assert_conv_close, reduction_length, subprocess_env
from convx import _bench
from convx._bench import _families, _isa, _report, _shapes, zoo

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# False where the tests run against an installed package, copied out of the sdist (.ci/packaging.sh)
IN_SOURCE_TREE = os.path.exists(os.path.join(ROOT, "pyproject.toml"))
CONV_FAMILIES = {"dense", "pointwise", "depthwise", "grouped", "dilated", "conv1d", "conv3d",
                 "transposed"}
# every network file of the source (the generated 3d_* / dilated_*d_* families are checked apart)
NETWORKS = {"resnet_50", "resnet_50_v1_5", "resnet_50_sparse", "googlenet_v1", "googlenet_v2",
            "googlenet_v3", "vgg_11", "vgg_19", "alexnet", "mobilenet", "mobilenet_dw",
            "fused_mobilenet_stride_1", "fused_mobilenet_stride_2", "1d", "3d", "dilated",
            "dilated_3d", "deconv_2d", "deconv_1x1", "deconv_ci", "deconv_dilated", "deconv_1d",
            "deconv_3d"}


def _has(mod):
    return importlib.util.find_spec(mod) is not None


def _convx_built():
    try:
        import convx
    except ImportError:
        return False
    return hasattr(convx, "conv2d")


# ---------------------------------------------------------------- the sample

def test_sample_loads_and_covers_every_network_and_family():
    recs = zoo.load_records()
    assert 250 <= len(recs) <= 400
    nets = {r["net"] for r in recs}
    assert NETWORKS <= nets, NETWORKS - nets
    generated = {n for n in nets if n.startswith(("3d_", "dilated_1d_", "dilated_2d_",
                                                  "dilated_3d_"))}
    assert len(generated) >= 20
    assert not any(r.get("asym") for r in recs)
    assert {r["family"] for r in recs} == CONV_FAMILIES
    assert len({r["case"] for r in recs}) == len(recs)
    for r in recs:
        # the recorded family is the one rule's, batch reduced to 1..8, never grown
        assert r["family"] == _families.conv_family(r["kind"], r["ndim"], r["groups"], r["ic"],
                                                    r["k"], r["dilation"]), r["case"]
        assert 1 <= r["mb"] <= min(8, r["orig_mb"]), r["case"]
        assert r["macs"] <= 300_000_000 or r["mb"] == 1, r["case"]
    cases = _bench.SUITES["zoo"].cases
    fams = {_families.case_family(c)[0] for c in cases}
    assert fams == CONV_FAMILIES | {"filters"}
    tags = {t for c in cases for t in _families.case_family(c)[1]}
    assert {"strided", "dilated", "grouped", "k3", "k5", "k7", "kother"} <= tags
    # issue 13's filter cases: Sobel, 5x5 Gaussian, 15x15 box, random 31x31 on 1024^2..4096^2
    filt = {c.name for c in cases if c.family == "filter"}
    assert filt == {f"{op}_{n}" for op in ("sobel", "gauss5x5", "box15", "rand31")
                    for n in (1024, 2048, 4096)}
    quick = [c for c in cases if c.quick]
    assert {_families.case_family(c)[0] for c in quick} == CONV_FAMILIES | {"filters"}
    assert len(quick) <= 10
    assert _bench.SUITES["zoo"].peers == ("torch", "cv2")
    assert "zoo" not in _bench.default_suites()


def test_sample_is_package_data():
    """The wheel ships the sample: pyproject's package-data matches the file zoo reads."""
    installed = os.path.join(os.path.dirname(zoo.__file__), "data", zoo.DATA_FILE)
    assert os.path.exists(installed)      # wherever convx was imported from, the sample is there
    if not IN_SOURCE_TREE:
        return                            # an installed package: the check above is the point
    tomllib = pytest.importorskip("tomllib")
    import fnmatch
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        conf = tomllib.load(f)
    globs = conf["tool"]["setuptools"]["package-data"].get("convx._bench", [])
    assert any(fnmatch.fnmatch("data/" + zoo.DATA_FILE, g) for g in globs), globs
    assert os.path.exists(os.path.join(ROOT, "convx", "_bench", "data", zoo.DATA_FILE))


@pytest.mark.skipif(not IN_SOURCE_TREE, reason="the sample's script and README are sources")
def test_sample_script_is_documented():
    here = os.path.join(ROOT, "convx", "_bench", "data")
    readme = open(os.path.join(here, "README.md")).read()
    for must in ("515bfba68c0254e23c876d4c1a7cc26c2d4b690b", "Apache-2.0", "benchdnn",
                 "make_zoo_shapes.py", "orig_mb"):
        assert must in readme
    script = open(os.path.join(here, "make_zoo_shapes.py")).read()
    assert "sys.argv[1]" in script and "/work" not in script


def test_sample_regenerates_identically(tmp_path):
    """With the source shape set at hand (CONVX_CONV_SHAPES), the script makes the same file."""
    src = os.environ.get("CONVX_CONV_SHAPES", "")
    if not (src and os.path.exists(src)):
        pytest.skip("conv_shapes.jsonl not available (set CONVX_CONV_SHAPES)")
    here = os.path.join(ROOT, "convx", "_bench", "data")
    tmp_script = tmp_path / "data" / "make_zoo_shapes.py"
    tmp_script.parent.mkdir()
    text = open(os.path.join(here, "make_zoo_shapes.py")).read()
    # same script, writing next to its copy; it imports convx from the repository root
    line = "sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(HERE))))"
    assert line in text
    text = text.replace(line, f"sys.path.insert(0, {ROOT!r})")
    tmp_script.write_text(text)
    subprocess.run([sys.executable, str(tmp_script), src], check=True, capture_output=True)
    assert ((tmp_path / "data" / zoo.DATA_FILE).read_text()
            == open(os.path.join(here, zoo.DATA_FILE)).read())


# ---------------------------------------------------------------- families

@pytest.mark.parametrize("kind,nd,g,cin,k,dil,want", [
    ("deconv", 2, 64, 64, (4, 4), (1, 1), "transposed"),
    ("conv", 2, 32, 32, (3, 3), (2, 2), "depthwise"),
    ("conv", 1, 16, 16, (3,), (1,), "depthwise"),
    ("conv", 1, 1, 16, (3,), (4,), "conv1d"),
    ("conv", 3, 2, 16, (1, 1, 1), (1, 1, 1), "conv3d"),
    ("conv", 2, 32, 256, (3, 3), (2, 2), "grouped"),
    ("conv", 2, 1, 256, (3, 3), (6, 6), "dilated"),
    ("conv", 2, 1, 256, (1, 1), (1, 1), "pointwise"),
    ("conv", 2, 1, 3, (7, 7), (1, 1), "dense"),
    ("conv", 2, 1, 3, (1, 7), (1, 1), "dense"),
])
def test_family_rule(kind, nd, g, cin, k, dil, want):
    assert _families.conv_family(kind, nd, g, cin, k, dil) == want


def test_family_tags():
    t = _families.conv_tags
    assert t("conv", 2, 1, 3, (7, 7), (2, 2), (1, 1)) == ["strided", "k7"]
    assert t("conv", 2, 1, 3, (1, 7), (1, 1), (1, 1)) == ["kother"]
    assert t("conv", 2, 32, 256, (3, 3), (1, 1), (2, 2)) == ["dilated", "grouped"]
    assert t("conv", 2, 1, 8, (1, 1), (1, 1), (1, 1)) == []


# ---------------------------------------------------------------- every case is valid

def _tiny(case):
    """``case`` with batch 1, at most 2 channels per group and 2 groups, and inputs cut so that
    each output axis has <= 3 positions; kernel, stride, padding, dilation kept."""
    g = min(case.groups, 2)
    if case.family == "conv_transpose":
        cin_g, cout_g = case.input_shape[1] // case.groups, case.weight_shape[1]
        cin_g, cout_g = min(cin_g, 2), min(cout_g, 2)
        ins = tuple(min(i, 3) for i in case.input_shape[2:])
        op = case.params["output_padding"]
        return _bench.ct_case(case.name, (1, g * cin_g, *ins), g * cout_g, case.weight_shape[2:],
                              stride=case.stride, padding=case.padding, output_padding=op,
                              dilation=case.dilation, groups=g)
    cin_g, cout_g = min(case.weight_shape[1], 2), min(case.weight_shape[0] // case.groups, 2)
    ins = []
    for i, k, s, p, d in zip(case.input_shape[2:], case.weight_shape[2:], case.stride,
                             case.padding, case.dilation):
        o = (i + 2 * p - d * (k - 1) - 1) // s + 1
        ins.append(i - (o - min(o, 3)) * s)
    return _bench.conv_case(case.name, (1, g * cin_g, *ins), g * cout_g, case.weight_shape[2:],
                            stride=case.stride, padding=case.padding, dilation=case.dilation,
                            groups=g)


def test_every_zoo_case_is_well_formed():
    for case in _bench.SUITES["zoo"].cases:
        assert _bench.macs(case) > 0, case.name
        json.dumps(case.to_dict())
        if case.family == "filter":
            continue
        x, w = case.input_shape, case.weight_shape
        assert len(x) == len(w) == case.ndim + 2
        if case.family == "conv":
            assert x[1] == w[1] * case.groups and w[0] % case.groups == 0, case.name
            out = _bench.conv_output_shape(x[2:], w[2:], case.stride, case.padding,
                                           case.dilation)
            assert min(out) >= 1, case.name
        else:
            assert x[1] == w[0] and x[1] % case.groups == 0, case.name
            assert all(op < s or op < d for op, s, d in
                       zip(case.params["output_padding"], case.stride, case.dilation))


@pytest.mark.skipif(not _convx_built() or not _has("torch"), reason="needs convx and torch")
def test_every_zoo_case_at_tiny_scale_matches_torch():
    """Each layer's geometry (kernel, stride, padding, dilation, groups, output_padding) through
    convx and torch: same output shape, same values."""
    import torch
    for case in _bench.SUITES["zoo"].cases:
        if case.family == "filter":
            continue
        small = _tiny(case).with_dtype("float64")
        a = _bench.make_inputs(small, seed=3)
        got = _bench.make_call(small, a, "convx", 1)()
        with torch.no_grad():
            want = _bench.make_call(small, a, "torch", 1)().numpy()
        assert got.shape == want.shape, case.name
        assert_conv_close(got, want, np.float64, reduction_length(small.weight_shape))


@pytest.mark.skipif(not _convx_built() or not _has("torch"), reason="needs convx and torch")
def test_smallest_zoo_cases_for_real_match_torch():
    import torch
    cases = sorted((c for c in _bench.SUITES["zoo"].cases if c.family != "filter"),
                   key=_bench.macs)
    picked = {}
    for c in cases:   # the smallest case of each family, as shipped
        picked.setdefault(_families.case_family(c)[0], c)
    for case in picked.values():
        a = _bench.make_inputs(case, seed=0)
        got = _bench.make_call(case, a, "convx", 2)()
        with torch.no_grad():
            want = _bench.make_call(case, a, "torch", 2)().numpy()
        assert got.shape == want.shape, case.name
        assert_conv_close(got, want, np.float32, reduction_length(case.weight_shape))


# ---------------------------------------------------------------- benchdnn descriptors

@pytest.mark.parametrize("desc,kind,want", [
    # g1 mb2 defaults; w copies h
    ("ic64ih56oc64kh3ph1", "conv",
     dict(mb=2, groups=1, ic=64, oc=64, **{"in": [56, 56]}, k=[3, 3], stride=[1, 1],
          padding=[1, 1], dilation=[1, 1], out=[56, 56])),
    ("g32mb1ic128ih28oc128kh3sh2ph1", "conv",
     dict(mb=1, groups=32, **{"in": [28, 28]}, stride=[2, 2], out=[14, 14])),
    # 3-D, every axis given
    ("mb2ic16id8ih8iw8oc16kd3kh3kw3pd1ph1pw1", "conv",
     dict(**{"in": [8, 8, 8]}, k=[3, 3, 3], padding=[1, 1, 1], out=[8, 8, 8])),
    # h and w copy d
    ("mb1ic3id16oc8kd3sd2pd1", "conv",
     dict(**{"in": [16, 16, 16]}, k=[3, 3, 3], stride=[2, 2, 2], out=[8, 8, 8])),
    # 1-D, underscores, benchdnn dilation 0 = dense, 1 = torch dilation 2
    ("g6_ic24oc24_iw11kw3", "conv", dict(groups=6, **{"in": [11]}, k=[3], out=[9])),
    ("mb1ic8iw100oc8kw3dw1pw2", "conv", dict(dilation=[2], out=[100])),
    # padding deduced from a given output (C integer division), per axis
    ("mb50ic64ih56iw56oc64oh56ow56kh3kw3", "conv",
     dict(mb=50, padding=[1, 1], out=[56, 56])),
    ("mb1ic3ih224oc64oh112kh7sh2ph3", "conv", dict(padding=[3, 3], out=[112, 112])),
    ("mb1ic8ih20oc8oh20kh3dh1", "conv", dict(padding=[2, 2], dilation=[2, 2], out=[20, 20])),
    # a missing output is computed; non-square
    ("mb1ic4ih10iw7oc4kh3kw1", "conv", dict(k=[3, 1], out=[8, 7])),
    # a name at the end
    ('mb1ic3ih224oc64kh7sh2ph3n"resnet_50:conv1"', "conv", dict(name="resnet_50:conv1")),
    ("mb1ic3ih224oc64kh7sh2ph3nconv1", "conv", dict(name="conv1", out=[112, 112])),
    # transposed: output from torch's formula; deduced padding; output_padding
    ("mb1ic512ih4oc256kh4sh2ph1", "deconv", dict(out=[8, 8], output_padding=[0, 0])),
    ("mb1ic512ih4oc256oh8kh4sh2", "deconv", dict(padding=[1, 1], out=[8, 8])),
    ("mb1ic128ih56oc64oh112kh3sh2ph1", "deconv", dict(output_padding=[1, 1], out=[112, 112])),
])
def test_benchdnn_descriptor(desc, kind, want):
    got = _shapes.parse_benchdnn(desc, kind)
    assert got["kind"] == kind
    for key, v in want.items():
        assert got[key] == v, (key, got)


@pytest.mark.parametrize("desc,kind,match", [
    ("mb1ic64oc64kh3", "conv", "missing ih"),
    ("mb1ic64ih56kh3", "conv", "missing oc"),
    ("mb1ic64ih56oc64", "conv", "missing kh"),
    ("mb1ic64oc64", "conv", "no spatial size"),
    ("mb1ic64ih56oc64kh3ph1ph2", "conv", "given twice"),
    ("mb1ic64ih56oc64kh3xx1", "conv", "cannot parse 'xx1'"),
    ("ic4ih5oc6kh3g4", "conv", "multiples of g"),
    ("ic3ih5oc4kh9", "conv", "leave no window"),
    ("ic3ih56oc4kh3ph1oh50", "conv", "asymmetric padding"),
    # benchdnn deduces ph2 (C division) and pads the end by 3: torch cannot
    ("mb50ic3ih224iw224oc64oh112ow112kh7kw7sh2sw2", "conv", "oh112 needs asymmetric"),
    ("ic3ih4oc4kh4sh2ph1oh11", "deconv", "not reachable"),
    ("mb0ic3ih4oc4kh3", "conv", "mb must be >= 1"),
    ("ic3iw5oc4kw3ih4", "conv", "missing kh"),
    ("", "conv", "empty descriptor"),
    ("ic3ih5oc4kh3", "other", "kind must be"),
])
def test_benchdnn_descriptor_errors(desc, kind, match):
    with pytest.raises(ValueError, match=match):
        _shapes.parse_benchdnn(desc, kind)


# ---------------------------------------------------------------- --shapes

SHAPES_TEXT = """\
# my network
{"op": "conv2d", "input": [1, 8, 12, 12], "weight": [16, 8, 3, 3], "stride": 1, "padding": 1, "dilation": 1, "groups": 1, "name": "stem"}
{"op": "conv_transpose2d", "input": [1, 8, 5, 5], "weight": [8, 4, 4, 4], "stride": 2, "padding": 1, "output_padding": 1}
{"op": "conv1d", "input": [2, 6, 40], "weight": [6, 1, 5], "padding": "same", "groups": 6, "bias": true}

mb1ic8ih12oc8kh3sh2ph1n"down"
g4mb1ic8ih9oc8kh3dh1ph2
deconv:mb1ic8ih5oc4kh4sh2ph1
mb1ic4id5ih6iw7oc4kd1kh3kw3ph1pw1
"""


def test_shapes_file_both_formats(tmp_path):
    cases = _shapes.parse_shapes_text(SHAPES_TEXT, "layers.txt")
    assert [c.name for c in cases] == ["stem", "line3", "line4", "down", "line7", "line8",
                                       "line9"]
    fams = [_families.case_family(c)[0] for c in cases]
    assert fams == ["dense", "transposed", "depthwise", "dense", "grouped", "transposed",
                    "conv3d"]
    stem, ct, dw, down, grp, ct2, c3 = cases
    assert stem.weight_shape == (16, 8, 3, 3) and stem.padding == (1, 1)
    assert ct.family == "conv_transpose" and ct.params["output_padding"] == (1, 1)
    assert ct.weight_shape == (8, 4, 4, 4)
    assert dw.padding == "same" and dw.bias and dw.groups == 6
    assert down.stride == (2, 2) and down.input_shape == (1, 8, 12, 12)
    assert grp.dilation == (2, 2) and grp.groups == 4 and grp.weight_shape == (8, 2, 3, 3)
    assert ct2.weight_shape == (8, 4, 4, 4) and ct2.stride == (2, 2)
    assert c3.input_shape == (1, 4, 5, 6, 7) and c3.weight_shape == (4, 4, 1, 3, 3)
    assert "layers.txt:2" in stem.note
    # --shapes-kind deconv makes prefix-less descriptors transposed
    cases = _shapes.parse_shapes_text("mb1ic8ih5oc4kh4sh2ph1\nconv:mb1ic8ih5oc4kh3",
                                      kind="deconv")
    assert [c.family for c in cases] == ["conv_transpose", "conv"]


@pytest.mark.parametrize("line,match", [
    ("{\"op\": \"conv2d\", \"input\": [1, 8, 12, 12]}", "missing 'weight'"),
    ("{\"op\": \"conv4d\", \"input\": [1], \"weight\": [1]}", "'op' must be one of"),
    ("{\"op\": \"conv2d\", \"input\": [1, 8, 12], \"weight\": [8, 8, 3, 3]}", "4 positive ints"),
    ("{\"op\": \"conv2d\", \"input\": [1, 8, 12, 12], \"weight\": [8, 4, 3, 3]}",
     "must equal weight\\[1\\] \\* groups"),
    ("{\"op\": \"conv2d\", \"input\": [1, 8, 12, 12], \"weight\": [8, 8, 3, 3], \"strid\": 2}",
     "unknown field"),
    ("{\"op\": \"conv2d\", \"input\": [1, 8, 12, 12], \"weight\": [8, 8, 3, 3], "
     "\"stride\": [1, 2, 3]}", "'stride' must be an int or a list of 2"),
    ("{\"op\": \"conv2d\", \"input\": [1, 8, 2, 2], \"weight\": [8, 8, 3, 3]}", "empty"),
    ("{\"op\": \"conv2d\", \"input\": [1, 8, 5, 5], \"weight\": [8, 8, 3, 3], "
     "\"output_padding\": 1}", "for transposed convs"),
    ("{\"op\": \"conv_transpose2d\", \"input\": [1, 8, 5, 5], \"weight\": [8, 8, 3, 3], "
     "\"output_padding\": 2, \"stride\": 2}", "smaller than stride or dilation"),
    ("{\"op\": \"conv2d\", \"input\": [1, 8, 5, 5], \"weight\": [8, 8, 3, 3], "
     "\"padding\": \"same\", \"stride\": 2}", "needs stride 1"),
    ("{\"op\": \"conv2d\", \"input\": [1, 8, 5, 5], \"weight\": [8, 8, 3, 3], \"bias\": 1}",
     "'bias' must be true or false"),
    ("{\"op\": \"conv2d\", \"input\": [1, 8, 5, 5]", "invalid JSON"),
    ("[1, 2]", "cannot parse"),
    ("mb1ic8ih12oc8kh3zz1", "cannot parse 'zz1'"),
])
def test_shapes_bad_lines_name_the_line(line, match):
    text = "# header\n\nmb1ic8ih12oc8kh3ph1\n" + line + "\n"
    with pytest.raises(ValueError, match="f.txt, line 4: .*" + match):
        _shapes.parse_shapes_text(text, "f.txt")


def test_shapes_empty_or_missing_file(tmp_path):
    with pytest.raises(ValueError, match="no layers"):
        _shapes.parse_shapes_text("# nothing\n\n", "e.txt")
    with pytest.raises(ValueError, match="cannot read"):
        _shapes.load_shapes(str(tmp_path / "missing.txt"))


@pytest.mark.skipif(not _convx_built(), reason="convx not built")
def test_cli_shapes_end_to_end(tmp_path):
    f = tmp_path / "layers.txt"
    f.write_text(SHAPES_TEXT)
    out = tmp_path / "r.json"
    proc = subprocess.run(
        [sys.executable, "-m", "convx", "bench", "--shapes", str(f), "--workers", "1",
         "--target-time", "0.002", "--json", str(out), "--png", "", "--no-progress"],
        cwd=str(tmp_path), env=subprocess_env(), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    rep = json.loads(out.read_text())
    assert [c["name"] for c in rep["cases"]] == ["stem", "line3", "line4", "down", "line7",
                                                 "line8", "line9"]
    assert {c["family"] for c in rep["cases"]} == {"dense", "transposed", "depthwise",
                                                   "grouped", "conv3d"}
    assert all(set(c["results"]) <= {"convx", "torch"} for c in rep["cases"])
    assert "per family" in proc.stdout and "worst decile" in proc.stdout
    if _has("torch"):
        assert all(c["check"]["ok"] for c in rep["cases"]), [c.get("check") for c in rep["cases"]]
    bad = tmp_path / "bad.txt"
    bad.write_text("mb1ic8ih12oc8kh3ph1\nmb1ic8ih12oc8kh3ph1oh99\n")
    proc = subprocess.run([sys.executable, "-m", "convx", "bench", "--shapes", str(bad)],
                          cwd=str(tmp_path), env=subprocess_env(), capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode != 0
    assert "line 2" in proc.stderr and "asymmetric padding" in proc.stderr


def test_cli_help_documents_shapes_format():
    proc = subprocess.run([sys.executable, "-m", "convx", "bench", "--help"],
                          env=subprocess_env(), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    for must in ("--shapes", "mb1ic64ih56oc64kh3ph1", "\"op\": \"conv2d\"", "--isa",
                 "--compare", "--repeat", "zoo"):
        assert must in proc.stdout, must


# ---------------------------------------------------------------- report and --compare

def _rec(cid, family, convx_ms, torch_ms):
    sp = torch_ms / convx_ms if convx_ms and torch_ms else None
    return {"id": cid, "name": cid.split("/")[1], "suite": cid.split("/")[0], "family": family,
            "tags": [], "results": {"convx": ({"median_s": convx_ms / 1e3} if convx_ms
                                              else {"error": "RuntimeError: failed"}),
                                    "torch": {"median_s": torch_ms / 1e3}},
            "speedup": {"torch": sp}, "peer": "torch" if sp else None}


def _report_file(path, recs, isa="avx2"):
    rep = {"schema": 1, "isa": isa, "cases": recs, "families": _report.family_report(recs)}
    path.write_text(json.dumps(rep))
    return str(path)


def test_family_report_numbers():
    recs = [_rec(f"zoo/d{i}", "dense", 1.0, t) for i, t in enumerate(
        [0.5, 1.0, 2.0, 4.0, 1.5, 1.2, 0.8, 3.0, 2.5, 1.1, 0.9])]
    recs.append(_rec("zoo/p0", "pointwise", 2.0, 1.0))
    recs.append(_rec("zoo/x", "conv3d", None, 1.0))     # convx failed: counted, not timed
    rep = _report.family_report(recs)
    d = rep["families"]["dense"]
    sps = [0.5, 1.0, 2.0, 4.0, 1.5, 1.2, 0.8, 3.0, 2.5, 1.1, 0.9]
    assert d["n_cases"] == d["n_timed"] == 11
    assert d["geomean_speedup"] == pytest.approx(math.exp(np.mean(np.log(sps))))
    assert d["worst_decile"] == pytest.approx(np.percentile(sps, 10))
    assert d["worst_case"] == "zoo/d0" and d["worst_speedup"] == pytest.approx(0.5)
    assert d["below_1"] == 3
    assert rep["families"]["pointwise"]["worst_speedup"] == pytest.approx(0.5)
    assert rep["families"]["conv3d"]["n_timed"] == 0
    assert list(rep["families"]) == ["dense", "pointwise", "conv3d"]
    assert rep["all"]["n_cases"] == 13 and rep["all"]["n_timed"] == 12
    text = _report.format_family_report(rep)
    assert "zoo/d0 0.50x" in text and "0/1" in text and text.splitlines()[-1].startswith("all")


def test_compare_two_runs(tmp_path):
    old = [_rec("zoo/a", "dense", 1.0, 2.0), _rec("zoo/b", "dense", 1.0, 1.0),
           _rec("zoo/c", "pointwise", 2.0, 2.0), _rec("zoo/gone", "conv1d", 1.0, 1.0)]
    new = [_rec("zoo/a", "dense", 2.0, 2.0),      # 2x slower, speed-up 2 -> 1
           _rec("zoo/b", "dense", 0.5, 1.0),      # 2x faster, speed-up 1 -> 2
           _rec("zoo/c", "pointwise", 2.0, 4.0),  # same time, torch got slower: 1 -> 2
           _rec("zoo/new", "conv3d", 1.0, 1.0)]
    res = _report.compare(_report_file(tmp_path / "o.json", old),
                          _report_file(tmp_path / "n.json", new))
    run = res["runs"]["avx2 -> avx2"]
    assert [r["id"] for r in run["cases"]] == ["zoo/a", "zoo/b", "zoo/c"]   # worst first
    assert [r["id"] for r in run["regressions"]] == ["zoo/a"]
    assert {r["id"] for r in run["improvements"]} == {"zoo/b", "zoo/c"}
    a = run["cases"][0]
    assert a["time_ratio"] == pytest.approx(2.0) and a["speedup_ratio"] == pytest.approx(0.5)
    assert run["families"]["dense"]["time_ratio"] == pytest.approx(1.0)
    assert run["families"]["dense"]["speedup_ratio"] == pytest.approx(1.0)
    assert run["families"]["pointwise"]["speedup_ratio"] == pytest.approx(2.0)
    assert run["only_old"] == ["zoo/gone"] and run["only_new"] == ["zoo/new"]
    text = _report.format_compare(res)
    assert text.index("biggest regressions") < text.index("zoo/a") < text.index(
        "biggest improvements")


def test_compare_multi_isa_files_match_by_isa(tmp_path):
    def multi(path, runs):
        path.write_text(json.dumps({"schema": 1, "isa_runs": {
            isa: {"isa": isa, "cases": recs} for isa, recs in runs.items()}}))
        return str(path)
    o = multi(tmp_path / "o.json", {"avx2": [_rec("zoo/a", "dense", 1.0, 1.0)],
                                    "avx512": [_rec("zoo/a", "dense", 1.0, 1.0)]})
    n = multi(tmp_path / "n.json", {"avx2": [_rec("zoo/a", "dense", 0.5, 1.0)]})
    res = _report.compare(o, n)
    assert list(res["runs"]) == ["avx2"] and res["only_old_runs"] == ["avx512"]
    assert res["runs"]["avx2"]["cases"][0]["time_ratio"] == pytest.approx(0.5)


def test_compare_rejects_other_json(tmp_path):
    p = tmp_path / "x.json"
    p.write_text("[1, 2]")
    with pytest.raises(ValueError, match="not a convx bench JSON"):
        _report.compare(str(p), str(p))


def test_cli_compare_runs_nothing(tmp_path):
    o = _report_file(tmp_path / "o.json", [_rec("zoo/a", "dense", 1.0, 2.0)])
    n = _report_file(tmp_path / "n.json", [_rec("zoo/a", "dense", 1.5, 2.0)])
    proc = subprocess.run([sys.executable, "-m", "convx", "bench", "--compare", o, n],
                          cwd=str(tmp_path), env=subprocess_env(), capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "zoo/a" in proc.stdout and "1.50x" in proc.stdout and "peak" not in proc.stdout
    assert sorted(os.listdir(tmp_path)) == ["n.json", "o.json"]
    proc = subprocess.run([sys.executable, "-m", "convx", "bench", "--compare", o,
                           str(tmp_path / "missing.json")], env=subprocess_env(),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and "missing.json" in proc.stderr


# ---------------------------------------------------------------- timing and --repeat

def test_time_interleaved_alternates_and_survives_a_failure():
    order = []

    def a():
        order.append("a")

    def b():
        order.append("b")

    def boom():
        raise RuntimeError("broken")

    timings, results = _bench.time_interleaved({"a": a, "b": b, "x": boom}, target=0.0,
                                               min_repeats=4, warmup=0.0, min_sample=0.0,
                                               rounds=3)
    assert isinstance(timings["x"], RuntimeError) and "x" not in results
    assert len(timings["a"].samples) == len(timings["b"].samples) == 3 * 4
    # turns go a b, b a, a b: each later turn is one settling call and 4 samples
    later = order[-20:]
    assert later == ["b"] * 5 + ["a"] * 5 + ["a"] * 5 + ["b"] * 5


def test_time_interleaved_keeps_the_best_turn():
    """A contender slowed down during one turn (another library's threads still spinning, a
    burst of load) is charged its best turn's median."""
    calls = []

    def a():
        calls.append(1)
        if len(calls) <= 7:     # the warm-up and the first turn are slow
            time.sleep(0.004)

    timings, _ = _bench.time_interleaved({"a": a, "b": lambda: None}, target=0.0,
                                         min_repeats=5, warmup=0.0, min_sample=0.0, rounds=2)
    assert timings["a"].median < 0.002
    assert max(timings["a"].samples) >= 0.004


@pytest.fixture
def tiny_suite():
    cases = [_bench.conv_case("t2d", (1, 4, 9, 9), 4, 3, padding=1),
             _bench.ct_case("tct", (1, 4, 5, 5), 4, 3, stride=2)]
    _bench.register_suite("_tinyzoo", cases, "tiny", peers=("torch",))
    yield "_tinyzoo"
    _bench.SUITES.pop("_tinyzoo", None)


def test_run_repeat_takes_median_of_runs(tiny_suite):
    buf = io.StringIO()
    rep = _bench.run([tiny_suite], workers=1, target=0.002, min_repeats=3, warmup=0.0, out=buf,
                     progress=False, show_config=False, repeat=3)
    text = buf.getvalue()
    assert text.count("#### run") == 3 and "per family" in text
    assert [c["id"] for c in rep["cases"]] == ["_tinyzoo/t2d", "_tinyzoo/tct"]
    assert [c["family"] for c in rep["cases"]] == ["dense", "transposed"]
    assert set(rep["families"]["families"]) == {"dense", "transposed"}
    assert rep["config"]["repeat"] == 3
    for c in rep["cases"]:
        assert set(c["results"]) <= {"convx", "torch"}   # the suite's peers: no NumPy
        if _convx_built():
            r = c["results"]["convx"]
            assert len(r["runs_median_s"]) == 3
            assert r["median_s"] == pytest.approx(float(np.median(r["runs_median_s"])))
    with pytest.raises(ValueError, match="repeat"):
        _bench.run([tiny_suite], repeat=0, out=buf, progress=False, show_config=False)


# ---------------------------------------------------------------- --isa

def test_isa_names_and_caps():
    assert _isa.expand("all") == ["avx2", "avx512"]
    assert _isa.expand("scalar") == ["scalar"]
    with pytest.raises(ValueError, match="--isa"):
        _isa.expand("sse")
    assert _isa.ISA_ENV["avx2"]["ONEDNN_MAX_CPU_ISA"] == "AVX2"
    assert _isa.ISA_ENV["avx2"]["ATEN_CPU_CAPABILITY"] == "avx2"
    assert "AVX512_SKX" in _isa.ISA_ENV["avx2"]["OPENCV_CPU_DISABLE"]
    assert _isa.ISA_ENV["avx512"]["ONEDNN_MAX_CPU_ISA"] == "AVX512_CORE"
    assert "OPENCV_CPU_DISABLE" not in _isa.ISA_ENV["avx512"]


def test_isa_missing_is_skipped_with_a_message(monkeypatch):
    monkeypatch.setattr(_isa, "available", lambda: (set(), "nothing here"))
    buf = io.StringIO()
    res = _isa.run_isas(["avx2", "avx512"], ["--quick"], out=buf)
    assert res["isa_runs"] == {} and set(res["skipped"]) == {"avx2", "avx512"}
    assert "ISA avx2 skipped" in buf.getvalue() and "nothing here" in buf.getvalue()


@pytest.mark.skipif(not _convx_built(), reason="convx not built")
def test_cli_isa_child_on_the_active_isa(tmp_path):
    import convx._cpu as cpu
    active = cpu.active_isa()
    out = tmp_path / "isa.json"
    proc = subprocess.run(
        [sys.executable, "-m", "convx", "bench", "--suite", "zoo", "--quick", "--isa", active,
         "--workers", "1", "--target-time", "0.002", "--json", str(out), "--no-progress"],
        cwd=str(tmp_path), env=subprocess_env(), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    combined = json.loads(out.read_text())
    assert list(combined["isa_runs"]) == [active]
    rep = combined["isa_runs"][active]
    assert rep["isa"] == active
    assert rep["machine"]["isa_env"] == _isa.ISA_ENV[active]
    if _has("torch") and active != "scalar":
        assert rep["machine"]["torch_cpu_capability"].lower() == active
    ids = [c["id"] for c in rep["cases"]]
    assert ids == [f"zoo/{c.name}" for c in _bench.SUITES["zoo"].cases if c.quick]
    for c in rep["cases"]:
        assert c["isa"] == active and c["family"] and c["macs"] > 0
        assert "convx" in c["results"] and "numpy" not in c["results"]
    assert "convx_config" in rep and rep["machine"].get("cpu_model") is not None
    assert f"== ISA {active}" in proc.stdout and "per family" in proc.stdout
    assert not any(p.startswith("convx-bench") for p in os.listdir(tmp_path))
