"""Differential fuzz run: random configurations of every operation against the oracles.

Marked `slow` (the default run skips it; select it with `-m slow`). Every case draws a small
problem (thousands per minute), puts each operand in a random layout (non-contiguous,
Fortran-ordered, negative strides, big-endian, read-only, not 64-byte aligned), sometimes with an
integer or float16 dtype (the dtype policy), and checks that

- the result matches `convx.reference` (scipy.ndimage for the composite filters, which the
  reference does not cover) within the k-scaled tolerance of `assert_conv_close`;
- `workers` 1, 2 and 3 give bit-identical results;
- no operand is modified.

Budget and seed: `CONVX_FUZZ_SECONDS` (default 60) is the total wall time, split evenly over the
operations below. Each operation runs rounds of ROUND examples, round r with the fixed seed r
(`hypothesis.seed`, no example database), until its share is spent, so a run is reproducible
for a given budget and machine speed, and a failure names its round. Each operation prints how
many configurations it ran. Failing cases found by this run are kept as explicit `@example`s.
"""

import math
import os
import time

import numpy as np
import pytest

import convx
import convx.filters as F
import convx.reference as R

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, example, given, seed, settings, strategies as st  # noqa: E402

from _helpers import assert_conv_close, conv_configs, same_pads  # noqa: E402

try:
    import scipy.ndimage as ndi
except ImportError:  # pragma: no cover - scipy is a test extra
    ndi = None

pytestmark = pytest.mark.slow

OPS = ["conv", "conv_transpose", "deform", "depthwise_separable", "spatially_separable",
       "filter_correlate", "filter_1d", "filter_composite"]
BUDGET = float(os.environ.get("CONVX_FUZZ_SECONDS", "60")) / len(OPS)
ROUND = 100
WORKERS = (1, 2, 3)
FILTER_MODES = ["reflect", "constant", "nearest", "mirror", "wrap"]


# ------------------------------------------------------------------------------------------
# operands: dtypes and layouts
# ------------------------------------------------------------------------------------------

def _at_byte_offset(a, offset):
    """A C-contiguous copy of a starting `offset` bytes past a 64-byte boundary."""
    buf = np.zeros(a.nbytes + 128, np.uint8)
    start = (-buf.ctypes.data) % 64 + offset
    view = buf[start:start + a.nbytes].view(a.dtype).reshape(a.shape)
    view[...] = a
    return view


def _non_contiguous(a):
    if a.ndim == 0 or a.size == 0:
        return a
    big = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), a.dtype)
    big[..., ::2] = a
    return big[..., ::2]


def _negative(a):
    if a.ndim == 0:
        return a
    return a[(slice(None, None, -1),) * a.ndim].copy()[(slice(None, None, -1),) * a.ndim]


def _read_only(a):
    a = a.copy()
    a.flags.writeable = False
    return a


def _big_endian(a):
    return a if a.dtype.itemsize == 1 else a.astype(a.dtype.newbyteorder(">"))


LAYOUTS = {
    "contiguous": lambda a: a,
    "non_contiguous": _non_contiguous,
    "fortran": np.asfortranarray,
    "negative_strides": _negative,
    "big_endian": _big_endian,
    "read_only": _read_only,
    "offset_one_element": lambda a: _at_byte_offset(a, a.itemsize),
    "unaligned": lambda a: _at_byte_offset(a, 1),
}
_layouts = st.sampled_from(list(LAYOUTS))
# mostly the native float dtypes; now and then the policy's conversions
_dtypes = st.sampled_from(["float32"] * 6 + ["float64"] * 6 + ["float16", "int32", "int64"])


def _result_dtype(*dts):
    rt = np.result_type(*[np.dtype(d) for d in dts if d is not None])
    if rt == np.float16:
        return np.dtype(np.float32)
    if rt.kind in "biu":
        return np.dtype(np.float64)
    return rt


def _values(rng, shape, dt, scale=1.0):
    """Standard-normal values (small integers for integer dtypes) in dtype `dt`."""
    dt = np.dtype(dt)
    if dt.kind in "iu":
        return rng.integers(0 if dt.kind == "u" else -3, 4, size=shape).astype(dt)
    return (scale * rng.standard_normal(shape)).astype(dt)


_layout_list = st.lists(_layouts, min_size=6, max_size=6)


class Operands:
    """The operands of one case, in the case's drawn layouts; remembered so changes are seen."""

    def __init__(self, layouts):
        self.layouts = list(layouts)
        self.saved = []

    def __call__(self, a):
        if a is None:
            return None
        laid = LAYOUTS[self.layouts[len(self.saved) % len(self.layouts)]](a)
        self.saved.append((laid, laid.copy(), laid.strides, laid.flags.writeable))
        return laid

    def check_unchanged(self):
        for laid, copy, strides, writeable in self.saved:
            np.testing.assert_array_equal(laid, copy, err_msg="convx modified an operand")
            assert (laid.strides, laid.flags.writeable) == (strides, writeable)


def _every_worker_count(call):
    """call(workers) for workers 1, 2, 3: the results must be bit-identical; returns the first."""
    results = [call(w) for w in WORKERS]
    for w, r in zip(WORKERS[1:], results[1:]):
        assert r.dtype == results[0].dtype and r.shape == results[0].shape
        assert np.array_equal(r, results[0], equal_nan=True), (
            f"workers={w} differs from workers=1 (max |diff| "
            f"{np.max(np.abs(r.astype(np.float64) - results[0]))})")
    return results[0]


# ------------------------------------------------------------------------------------------
# the budgeted driver
# ------------------------------------------------------------------------------------------

def _run_budgeted(name, strategy, check, capsys):
    """Run check(case) on cases drawn from `strategy`, in fixed-seed rounds of ROUND examples,
    until this operation's share of CONVX_FUZZ_SECONDS is spent (at least one round), plus the
    explicit EXAMPLES[name]; print how many configurations ran."""
    counter = [0]
    start = time.monotonic()
    rounds = 0
    while rounds == 0 or time.monotonic() - start < BUDGET:
        def test(case):
            check(case)
            counter[0] += 1
        test = given(case=strategy)(test)
        for case in EXAMPLES.get(name, ()):
            test = example(case=case)(test)
        test = settings(max_examples=ROUND, deadline=None, database=None, derandomize=False,
                        suppress_health_check=list(HealthCheck))(test)
        try:
            seed(rounds)(test)()
        except BaseException as exc:
            if hasattr(exc, "add_note"):   # Python >= 3.11
                exc.add_note(f"fuzz {name}: round {rounds}, i.e. @hypothesis.seed({rounds}), "
                             f"{ROUND} examples per round")
            raise
        rounds += 1
    with capsys.disabled():
        print(f"\nfuzz {name}: {counter[0]} configurations in {rounds} rounds, "
              f"{time.monotonic() - start:.1f} s")
    assert counter[0] > 0


# ------------------------------------------------------------------------------------------
# conv1d / conv2d / conv3d
# ------------------------------------------------------------------------------------------

@st.composite
def _conv_cases(draw):
    nd = draw(st.integers(1, 3))
    big = draw(st.integers(0, 3)) == 0   # now and then large enough for indirect_gemm / shifted_gemm / GEMM
    if big:
        cfg = draw(conv_configs(nd, max_in={1: 70, 2: 16, 3: 7}[nd], max_k={1: 7, 2: 5, 3: 3}[nd],
                                max_ch=12))
    else:
        cfg = draw(conv_configs(nd))
    cfg.update(nd=nd, algorithm=draw(st.sampled_from(["auto", "direct", "im2col"])),
               dtypes=(draw(_dtypes), draw(_dtypes)), layouts=draw(_layout_list))
    return cfg


def _check_conv(cfg):
    nd, (xdt, wdt) = cfg["nd"], cfg["dtypes"]
    rng = np.random.default_rng(cfg["seed"])
    rt = _result_dtype(xdt, wdt)
    x = _values(rng, cfg["x_shape"], xdt)
    w = _values(rng, cfg["w_shape"], wdt)
    b = _values(rng, cfg["w_shape"][0], rt) if cfg["bias"] else None
    lay = Operands(cfg["layouts"])
    xs, ws, bs = lay(x), lay(w), lay(b)
    op = getattr(convx, f"conv{nd}d")
    got = _every_worker_count(lambda n: op(xs, ws, bs, algorithm=cfg["algorithm"], workers=n,
                                           **cfg["kwargs"]))
    exp = getattr(R, f"conv{nd}d")(x.astype(rt), w.astype(rt), b, **cfg["kwargs"])
    assert_conv_close(got, exp, rt, math.prod(cfg["w_shape"][1:]))
    lay.check_unchanged()


def test_fuzz_conv(capsys):
    _run_budgeted("conv", _conv_cases(), _check_conv, capsys)


# ------------------------------------------------------------------------------------------
# conv_transpose1d / 2d / 3d
# ------------------------------------------------------------------------------------------

@st.composite
def _ct_cases(draw):
    nd = draw(st.integers(1, 3))
    groups = draw(st.integers(1, 3))
    cin = groups * draw(st.integers(1, 3))
    cog = draw(st.integers(1, 4))
    k = [draw(st.integers(1, {1: 5, 2: 4, 3: 3}[nd])) for _ in range(nd)]
    s = [draw(st.integers(1, 3)) for _ in range(nd)]
    d = [draw(st.integers(1, 3)) for _ in range(nd)]
    op = [draw(st.integers(0, max(si, di) - 1)) for si, di in zip(s, d)]
    sizes = [draw(st.integers(1, {1: 12, 2: 7, 3: 4}[nd])) for _ in range(nd)]
    pads = []
    for n_, k_, s_, d_, o_ in zip(sizes, k, s, d, op):
        full = (n_ - 1) * s_ + d_ * (k_ - 1) + o_ + 1
        pads.append(draw(st.integers(0, (full - 1) // 2)))
    unbatched = draw(st.integers(0, 5)) == 0
    batch = draw(st.integers(1, 2))
    return dict(nd=nd, x_shape=(cin, *sizes) if unbatched else (batch, cin, *sizes),
                w_shape=(cin, cog, *k),
                kwargs=dict(stride=tuple(s), padding=tuple(pads), output_padding=tuple(op),
                            groups=groups, dilation=tuple(d)),
                bias=draw(st.booleans()),
                algorithm=draw(st.sampled_from(["auto", "direct", "im2col"])),
                dtypes=(draw(_dtypes), draw(_dtypes)), layouts=draw(_layout_list),
                seed=draw(st.integers(0, 2**32 - 1)))


def _check_conv_transpose(cfg):
    nd, (xdt, wdt) = cfg["nd"], cfg["dtypes"]
    rng = np.random.default_rng(cfg["seed"])
    rt = _result_dtype(xdt, wdt)
    x = _values(rng, cfg["x_shape"], xdt)
    w = _values(rng, cfg["w_shape"], wdt)
    groups = cfg["kwargs"]["groups"]
    b = _values(rng, cfg["w_shape"][1] * groups, rt) if cfg["bias"] else None
    lay = Operands(cfg["layouts"])
    xs, ws, bs = lay(x), lay(w), lay(b)
    op = getattr(convx, f"conv_transpose{nd}d")
    got = _every_worker_count(lambda n: op(xs, ws, bs, algorithm=cfg["algorithm"], workers=n,
                                           **cfg["kwargs"]))
    exp = getattr(R, f"conv_transpose{nd}d")(x.astype(rt), w.astype(rt), b, **cfg["kwargs"])
    # an output sums at most C_in/groups * prod(k) products
    assert_conv_close(got, exp, rt, cfg["w_shape"][0] // groups * math.prod(cfg["w_shape"][2:]))
    lay.check_unchanged()


def test_fuzz_conv_transpose(capsys):
    _run_budgeted("conv_transpose", _ct_cases(), _check_conv_transpose, capsys)


# ------------------------------------------------------------------------------------------
# deform_conv2d (v1 and modulated v2)
# ------------------------------------------------------------------------------------------

def _out(n, k, s, p, d):
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


@st.composite
def _deform_cases(draw):
    G = draw(st.integers(1, 3))
    OG = draw(st.integers(1, 3))
    C_in = G * OG // math.gcd(G, OG) * draw(st.integers(1, 2))
    C_out = G * draw(st.integers(1, 3))
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    s = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    p = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    hw = tuple(max(1, d_ * (k_ - 1) + 1 - 2 * p_) + draw(st.integers(0, 6))
               for k_, p_, d_ in zip(k, p, d))
    return dict(N=draw(st.integers(1, 2)), C_in=C_in, C_out=C_out, G=G, OG=OG, k=k, stride=s,
                padding=p, dilation=d, hw=hw, mask=draw(st.booleans()), bias=draw(st.booleans()),
                off_scale=draw(st.sampled_from([0.0, 0.7, 3.0, 12.0])),
                dtypes=(draw(_dtypes), draw(_dtypes)), layouts=draw(_layout_list),
                seed=draw(st.integers(0, 2**32 - 1)))


def _check_deform(cfg):
    rng = np.random.default_rng(cfg["seed"])
    xdt, wdt = cfg["dtypes"]
    rt = _result_dtype(xdt, wdt)
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = (cfg["k"], cfg["stride"], cfg["padding"],
                                              cfg["dilation"])
    OH, OW = _out(cfg["hw"][0], kh, sh, ph, dh), _out(cfg["hw"][1], kw, sw, pw, dw)
    N = cfg["N"]   # 4-D only, as torchvision
    x = _values(rng, (N, cfg["C_in"], *cfg["hw"]), xdt)
    off = _values(rng, (N, 2 * cfg["OG"] * kh * kw, OH, OW), rt, cfg["off_scale"])
    w = _values(rng, (cfg["C_out"], cfg["C_in"] // cfg["G"], kh, kw), wdt)
    m = _values(rng, (N, cfg["OG"] * kh * kw, OH, OW), rt) if cfg["mask"] else None
    b = _values(rng, cfg["C_out"], rt) if cfg["bias"] else None
    lay = Operands(cfg["layouts"])
    xs, offs, ws, bs, ms = lay(x), lay(off), lay(w), lay(b), lay(m)
    kw_ = dict(stride=cfg["stride"], padding=cfg["padding"], dilation=cfg["dilation"])
    got = _every_worker_count(lambda n: convx.deform_conv2d(xs, offs, ws, bs, mask=ms, workers=n,
                                                            **kw_))
    exp = R.deform_conv2d(x.astype(rt), off, w.astype(rt), b, mask=m, **kw_)
    # standard-normal mask values: product terms up to ~3x larger
    assert_conv_close(got, exp, rt, cfg["C_in"] // cfg["G"] * kh * kw,
                      term_scale=3.0 if m is not None else 1.0)
    lay.check_unchanged()


def test_fuzz_deform_conv2d(capsys):
    _run_budgeted("deform", _deform_cases(), _check_deform, capsys)


# ------------------------------------------------------------------------------------------
# depthwise_separable_conv1d/2d/3d and spatially_separable_conv2d
# ------------------------------------------------------------------------------------------

@st.composite
def _padding(draw, nd, k, d):
    """(padding argument, per-axis (lo, hi) pads, strides allowed) for kernel k, dilation d."""
    kind = draw(st.sampled_from(["int", "tuple", "same", "valid"]))
    if kind == "same":
        return "same", same_pads(k, d), False
    if kind == "valid":
        return "valid", [(0, 0)] * nd, True
    if kind == "int":
        p = draw(st.integers(0, 2))
        return p, [(p, p)] * nd, True
    ps = tuple(draw(st.integers(0, 2)) for _ in range(nd))
    return ps, [(p, p) for p in ps], True


def _min_size(k, d, lo, hi, mode):
    n = max(1, d * (k - 1) + 1 - lo - hi)
    if mode == "reflect":
        n = max(n, max(lo, hi) + 1)
    elif mode == "circular":
        n = max(n, lo, hi)
    return n


@st.composite
def _dwsep_cases(draw):
    nd = draw(st.integers(1, 3))
    C = draw(st.integers(1, 5))
    m = draw(st.integers(1, 3))
    Co = draw(st.integers(1, 6))
    k = [draw(st.integers(1, {1: 5, 2: 4, 3: 3}[nd])) for _ in range(nd)]
    d = [draw(st.integers(1, 2)) for _ in range(nd)]
    mode = draw(st.sampled_from(["zeros", "reflect", "replicate", "circular"]))
    padding, pads, strided = draw(_padding(nd, k, d))
    s = [draw(st.integers(1, 3)) if strided else 1 for _ in range(nd)]
    sizes = []
    for kk, dd, (lo, hi) in zip(k, d, pads):
        n0 = _min_size(kk, dd, lo, hi, mode)
        sizes.append(draw(st.integers(n0, n0 + {1: 14, 2: 8, 3: 4}[nd])))
    unbatched = draw(st.integers(0, 5)) == 0
    return dict(nd=nd, x_shape=(C, *sizes) if unbatched else (draw(st.integers(1, 2)), C, *sizes),
                dw_shape=(C * m, 1, *k), pw_shape=(Co, C * m, *(1,) * nd),
                dbias=draw(st.booleans()), pbias=draw(st.booleans()),
                kwargs=dict(stride=tuple(s), padding=padding, dilation=tuple(d),
                            padding_mode=mode),
                dtypes=(draw(_dtypes), draw(_dtypes)), layouts=draw(_layout_list),
                seed=draw(st.integers(0, 2**32 - 1)))


def _check_dwsep(cfg):
    nd, (xdt, wdt) = cfg["nd"], cfg["dtypes"]
    rng = np.random.default_rng(cfg["seed"])
    rt = _result_dtype(xdt, wdt)
    x = _values(rng, cfg["x_shape"], xdt)
    dw = _values(rng, cfg["dw_shape"], wdt)
    pw = _values(rng, cfg["pw_shape"], wdt)
    db = _values(rng, cfg["dw_shape"][0], rt) if cfg["dbias"] else None
    pb = _values(rng, cfg["pw_shape"][0], rt) if cfg["pbias"] else None
    lay = Operands(cfg["layouts"])
    args = [lay(a) for a in (x, dw, pw, db, pb)]
    op = getattr(convx, f"depthwise_separable_conv{nd}d")
    got = _every_worker_count(lambda n: op(*args, workers=n, **cfg["kwargs"]))
    exp = getattr(R, f"depthwise_separable_conv{nd}d")(
        x.astype(rt), dw.astype(rt), pw.astype(rt), db, pb, **cfg["kwargs"])
    # a chain of two sums: depthwise (prod(k) terms) into pointwise (C*m terms)
    k = math.prod(cfg["dw_shape"][2:]) * cfg["dw_shape"][0]
    assert_conv_close(got, exp, rt, k, term_scale=3.0)
    lay.check_unchanged()


def test_fuzz_depthwise_separable(capsys):
    _run_budgeted("depthwise_separable", _dwsep_cases(), _check_dwsep, capsys)


@st.composite
def _ssep_cases(draw):
    groups = draw(st.integers(1, 3))
    cin = groups * draw(st.integers(1, 3))
    cmid = groups * draw(st.integers(1, 3))
    cout = groups * draw(st.integers(1, 3))
    k = [draw(st.integers(1, 7)), draw(st.integers(1, 7))]
    d = [draw(st.integers(1, 2)), draw(st.integers(1, 2))]
    mode = draw(st.sampled_from(["zeros", "reflect", "replicate", "circular"]))
    padding, pads, strided = draw(_padding(2, k, d))
    s = [draw(st.integers(1, 3)) if strided else 1 for _ in range(2)]
    sizes = []
    for kk, dd, (lo, hi) in zip(k, d, pads):
        n0 = _min_size(kk, dd, lo, hi, mode)
        sizes.append(draw(st.integers(n0, n0 + 10)))
    unbatched = draw(st.integers(0, 5)) == 0
    return dict(x_shape=(cin, *sizes) if unbatched else (draw(st.integers(1, 2)), cin, *sizes),
                cw_shape=(cmid, cin // groups, k[0], 1), rw_shape=(cout, cmid // groups, 1, k[1]),
                bias=draw(st.booleans()),
                kwargs=dict(stride=tuple(s), padding=padding, dilation=tuple(d), groups=groups,
                            padding_mode=mode),
                dtypes=(draw(_dtypes), draw(_dtypes)), layouts=draw(_layout_list),
                seed=draw(st.integers(0, 2**32 - 1)))


def _check_ssep(cfg):
    xdt, wdt = cfg["dtypes"]
    rng = np.random.default_rng(cfg["seed"])
    rt = _result_dtype(xdt, wdt)
    x = _values(rng, cfg["x_shape"], xdt)
    cw = _values(rng, cfg["cw_shape"], wdt)
    rw = _values(rng, cfg["rw_shape"], wdt)
    b = _values(rng, cfg["rw_shape"][0], rt) if cfg["bias"] else None
    lay = Operands(cfg["layouts"])
    args = [lay(a) for a in (x, cw, rw, b)]
    got = _every_worker_count(
        lambda n: convx.spatially_separable_conv2d(*args, workers=n, **cfg["kwargs"]))
    exp = R.spatially_separable_conv2d(x.astype(rt), cw.astype(rt), rw.astype(rt), b,
                                       **cfg["kwargs"])
    k = math.prod(cfg["cw_shape"][1:]) * math.prod(cfg["rw_shape"][1:])
    assert_conv_close(got, exp, rt, k, term_scale=3.0)
    lay.check_unchanged()


def test_fuzz_spatially_separable(capsys):
    _run_budgeted("spatially_separable", _ssep_cases(), _check_ssep, capsys)


# ------------------------------------------------------------------------------------------
# convx.filters
# ------------------------------------------------------------------------------------------

_filter_dtypes = st.sampled_from(["float32"] * 4 + ["float64"] * 4 + ["float16", "int32", "uint8"])


def _filter_dtype(dt):
    """convx.filters' compute/result dtype: float16/float32 -> float32, else float64."""
    return np.dtype(np.float32) if np.dtype(dt) in (np.float16, np.float32) else np.dtype(np.float64)


def _filter_close(got, exp, dt, taps, scale):
    """Exactly the result dtype; values to a few roundings of a `taps`-term sum of size `scale`."""
    assert got.dtype == dt and got.dtype.isnative and got.shape == exp.shape, (
        f"result {got.dtype} {got.shape}, expected {dt} {exp.shape}")
    eps = float(np.finfo(dt).eps)
    np.testing.assert_allclose(got.astype(np.float64), np.asarray(exp, np.float64),
                               rtol=16 * eps, atol=8 * eps * max(taps, 1) * scale)


def _term(x, w, cval=0.0):
    """Size of one product term of a filter sum (for the tolerance)."""
    big = max(float(np.max(np.abs(x.astype(np.float64)), initial=0.0)), abs(cval), 1.0)
    return big * max(float(np.max(np.abs(w))), 1e-300)


@st.composite
def _image(draw):
    nd = draw(st.integers(1, 3))
    shape = tuple(draw(st.lists(st.integers(1, {1: 40, 2: 12, 3: 6}[nd]), min_size=nd,
                                max_size=nd)))
    return dict(shape=shape, dtype=draw(_filter_dtypes), layouts=draw(_layout_list),
                seed=draw(st.integers(0, 2**32 - 1)))


@st.composite
def _axes_of(draw, nd):
    n = draw(st.integers(1, nd))
    axes = sorted(draw(st.permutations(range(nd)))[:n])
    if draw(st.booleans()):   # negative spellings
        axes = [a - nd if draw(st.booleans()) else a for a in axes]
    return tuple(axes)


@st.composite
def _correlate_cases(draw):
    case = draw(_image())
    nd = len(case["shape"])
    axes = draw(st.one_of(st.none(), _axes_of(nd)))
    nax = nd if axes is None else len(axes)
    kshape = tuple(draw(st.lists(st.integers(1, 6), min_size=nax, max_size=nax)))
    origin = draw(st.one_of(st.just(0),
                            st.tuples(*[st.integers(-(k // 2), (k - 1) // 2) for k in kshape])))
    case.update(fn=draw(st.sampled_from(["correlate", "convolve"])), kshape=kshape,
                sparse=draw(st.booleans()),
                kw=dict(mode=draw(st.sampled_from(FILTER_MODES)),
                        cval=draw(st.sampled_from([0.0, 0.25, -3.0])), origin=origin, axes=axes))
    return case


def _check_correlate(case):
    rng = np.random.default_rng(case["seed"])
    x = _values(rng, case["shape"], case["dtype"])
    w = rng.standard_normal(case["kshape"])
    if case["sparse"]:   # zero taps are skipped by the C driver
        w[rng.random(case["kshape"]) < 0.5] = 0.0
    lay = Operands(case["layouts"])
    xs, ws = lay(x), lay(w)
    fn, kw = case["fn"], case["kw"]
    got = _every_worker_count(lambda n: getattr(F, fn)(xs, ws, workers=n, **kw))
    exp = getattr(R, fn)(x, w, **kw)
    _filter_close(got, exp, _filter_dtype(case["dtype"]), w.size, _term(x, w, kw["cval"]))
    lay.check_unchanged()


def test_fuzz_filters_correlate(capsys):
    _run_budgeted("filter_correlate", _correlate_cases(), _check_correlate, capsys)


@st.composite
def _filter1d_cases(draw):
    case = draw(_image())
    nd = len(case["shape"])
    n = draw(st.integers(1, 9))
    case.update(fn=draw(st.sampled_from(["correlate1d", "convolve1d"])), taps=n,
                kw=dict(axis=draw(st.integers(-nd, nd - 1)),
                        mode=draw(st.sampled_from(FILTER_MODES)),
                        cval=draw(st.sampled_from([0.0, 1.5])),
                        origin=draw(st.integers(-(n // 2), (n - 1) // 2))))
    return case


def _check_filter1d(case):
    rng = np.random.default_rng(case["seed"])
    x = _values(rng, case["shape"], case["dtype"])
    w = rng.standard_normal(case["taps"])
    lay = Operands(case["layouts"])
    xs, ws = lay(x), lay(w)
    fn, kw = case["fn"], case["kw"]
    got = _every_worker_count(lambda n: getattr(F, fn)(xs, ws, workers=n, **kw))
    exp = getattr(R, fn)(x, w, **kw)
    _filter_close(got, exp, _filter_dtype(case["dtype"]), w.size, _term(x, w, kw["cval"]))
    lay.check_unchanged()


def test_fuzz_filters_1d(capsys):
    _run_budgeted("filter_1d", _filter1d_cases(), _check_filter1d, capsys)


@st.composite
def _composite_cases(draw):
    """One composite filter call: name and keyword arguments (the same for scipy.ndimage)."""
    case = draw(_image())
    nd = len(case["shape"])
    name = draw(st.sampled_from(["sobel", "prewitt", "laplace", "gaussian_filter",
                                 "gaussian_filter1d", "uniform_filter", "uniform_filter1d",
                                 "gaussian_gradient_magnitude"]))
    kw = dict(mode=draw(st.sampled_from(FILTER_MODES)), cval=draw(st.sampled_from([0.0, 0.5])))
    if name in ("sobel", "prewitt"):
        kw["axis"] = draw(st.integers(-nd, nd - 1))
    elif name == "laplace":
        if draw(st.booleans()):
            kw["axes"] = draw(_axes_of(nd))
    elif name == "gaussian_filter1d":
        kw.update(sigma=draw(st.floats(0.3, 3.0)), axis=draw(st.integers(-nd, nd - 1)),
                  order=draw(st.integers(0, 3)), truncate=draw(st.sampled_from([4.0, 2.0])))
        if draw(st.booleans()):
            kw["radius"] = draw(st.integers(0, 4))
    elif name in ("gaussian_filter", "gaussian_gradient_magnitude"):
        axes = draw(st.one_of(st.none(), _axes_of(nd)))
        nax = nd if axes is None else len(axes)
        if axes is not None:
            kw["axes"] = axes
        per_axis = draw(st.booleans())
        # gaussian_gradient_magnitude smooths every input axis: its sigma is per input axis
        nsig = nax if name == "gaussian_filter" else nd
        kw["sigma"] = (tuple(draw(st.floats(0.3, 2.5)) for _ in range(nsig)) if per_axis
                       else draw(st.floats(0.3, 2.5)))
        if name == "gaussian_filter":
            kw["order"] = (tuple(draw(st.integers(0, 2)) for _ in range(nax)) if per_axis
                           else draw(st.integers(0, 2)))
            if per_axis and draw(st.booleans()):
                kw["mode"] = tuple(draw(st.sampled_from(FILTER_MODES)) for _ in range(nax))
        kw["truncate"] = draw(st.sampled_from([4.0, 2.5]))
        if draw(st.booleans()):
            kw["radius"] = draw(st.integers(0, 3))
            if per_axis:
                kw["radius"] = tuple(draw(st.integers(0, 3)) for _ in range(nsig))
    elif name == "uniform_filter1d":
        size = draw(st.integers(1, 7))
        kw.update(size=size, axis=draw(st.integers(-nd, nd - 1)),
                  origin=draw(st.integers(-(size // 2), (size - 1) // 2)))
    else:   # uniform_filter
        axes = draw(st.one_of(st.none(), _axes_of(nd)))
        nax = nd if axes is None else len(axes)
        if axes is not None:
            kw["axes"] = axes
        sizes = tuple(draw(st.integers(1, 6)) for _ in range(nax))
        kw["size"] = sizes if draw(st.booleans()) else sizes[0]
        sz = sizes if isinstance(kw["size"], tuple) else (sizes[0],) * nax
        kw["origin"] = (tuple(draw(st.integers(-(s // 2), (s - 1) // 2)) for s in sz)
                        if draw(st.booleans()) else 0)
    case.update(name=name, kw=kw)
    return case


def _check_composite(case):
    rng = np.random.default_rng(case["seed"])
    x = _values(rng, case["shape"], case["dtype"])
    lay = Operands(case["layouts"])
    xs = lay(x)
    name, kw = case["name"], case["kw"]
    got = _every_worker_count(lambda n: getattr(F, name)(xs, workers=n, **kw))
    # scipy.ndimage is the oracle here (convx.reference has no composite filters), in float64
    exp = getattr(ndi, name)(x.astype(np.float64), **kw)
    taps = math.prod(min(s, 20) for s in case["shape"])
    _filter_close(got, exp, _filter_dtype(case["dtype"]), taps, 2.0 * _term(x, np.ones(1),
                                                                          kw["cval"]))
    lay.check_unchanged()


@pytest.mark.skipif(ndi is None, reason="scipy.ndimage (test extra) not installed")
def test_fuzz_filters_composite(capsys):
    _run_budgeted("filter_composite", _composite_cases(), _check_composite, capsys)


# ------------------------------------------------------------------------------------------
# failing cases found by this run, kept as explicit examples (every round runs them first)
# ------------------------------------------------------------------------------------------

EXAMPLES = {
    # issue 9: the sliding-window driver's int64 tap-offset table followed an odd number of
    # float32 slab elements (misaligned; UBSan reports it under the sanitizer stage)
    "conv": [
        dict(nd=2, x_shape=(1, 3, 20, 20), w_shape=(4, 3, 3, 3), bias=False, unbatched=False,
             kwargs=dict(stride=1, padding=1, dilation=1, groups=1, padding_mode="zeros"),
             algorithm=algorithm, dtypes=("float32", "float32"), layouts=["contiguous"] * 6,
             seed=0)
        for algorithm in ("auto", "direct")
    ],
    # big-endian float32 input: every convx.filters function returned float64 (the dtype policy
    # compared dtypes including byte order, so '>f4' was not float32); a Python-layer bug
    "filter_correlate": [
        dict(shape=(7,), dtype="float32", layouts=["big_endian", "contiguous"] * 3, seed=0,
             fn="correlate", kshape=(1,), sparse=False,
             kw=dict(mode="reflect", cval=0.0, origin=0, axes=None)),
    ],
    "filter_1d": [
        dict(shape=(1,), dtype="float32", layouts=["big_endian"] + ["contiguous"] * 5, seed=0,
             fn="correlate1d", taps=1, kw=dict(axis=0, mode="reflect", cval=0.0, origin=0)),
    ],
    "filter_composite": [
        dict(shape=(6, 5), dtype="float32", layouts=["big_endian"] + ["contiguous"] * 5, seed=3,
             name="sobel", kw=dict(mode="reflect", cval=0.0, axis=-1)),
    ],
}
