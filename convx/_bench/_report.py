"""Per-family reports of a benchmark run, and ``--compare`` of two saved runs.

Speed-ups are ``peer time / convx time`` against each case's primary peer (torch for
convolutions, OpenCV for image filters; ``PRIMARY_PEERS`` is the preference order). Families are
``_families.case_family``'s (dense, pointwise, depthwise, grouped, dilated, conv1d, conv3d,
transposed, filters); tags (strided, k3, ...) get rows of their own under the families.
"""
from __future__ import annotations

import json
import math

from convx._bench._families import FAMILY_ORDER

PRIMARY_PEERS = ("torch", "cv2", "torchvision", "numpy", "scipy")


def primary_peer(rec: dict) -> str | None:
    """The peer a case's speed-up is reported against: the first of PRIMARY_PEERS timed."""
    sp = rec.get("speedup", {})
    for p in PRIMARY_PEERS:
        if sp.get(p):
            return p
    return next((p for p, v in sp.items() if v), None)


def _speedup(rec: dict) -> float | None:
    p = rec.get("peer") or primary_peer(rec)
    return rec.get("speedup", {}).get(p) if p else None


def geomean(values) -> float | None:
    v = [x for x in values if x is not None and x > 0 and math.isfinite(x)]
    return math.exp(sum(map(math.log, v)) / len(v)) if v else None


def percentile(values, q: float) -> float | None:
    """Linear-interpolation percentile (NumPy's default), q in [0, 100]."""
    v = sorted(values)
    if not v:
        return None
    pos = (len(v) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def _group_stats(recs: list) -> dict:
    pairs = [(r, _speedup(r)) for r in recs]
    ok = [(r, s) for r, s in pairs if s]
    worst = min(ok, key=lambda p: p[1]) if ok else None
    peers = sorted({r.get("peer") or primary_peer(r) for r, _ in ok} - {None})
    return {
        "n_cases": len(recs), "n_timed": len(ok), "peers": peers,
        "geomean_speedup": geomean(s for _, s in ok),
        "worst_decile": percentile([s for _, s in ok], 10),
        "worst_case": worst[0]["id"] if worst else None,
        "worst_speedup": worst[1] if worst else None,
        "below_1": sum(s < 1 for _, s in ok),
    }


def family_report(recs: list) -> dict:
    """Per family (and per tag, and overall): cases, geomean speed-up vs the primary peer, the
    worst decile (10th percentile of the speed-ups), the worst case."""
    fams = {}
    for r in recs:
        if r.get("family"):
            fams.setdefault(r["family"], []).append(r)
    order = [f for f in FAMILY_ORDER if f in fams] + sorted(set(fams) - set(FAMILY_ORDER))
    tags = {}
    for r in recs:
        for t in r.get("tags") or ():
            tags.setdefault(t, []).append(r)
    return {"families": {f: _group_stats(fams[f]) for f in order},
            "tags": {t: _group_stats(tags[t]) for t in sorted(tags)},
            "all": _group_stats(recs)}


def _x(v) -> str:
    return f"{v:.2f}x" if v else "-"


def format_family_report(rep: dict, title: str = "per family") -> str:
    lines = [f"{title}: speed-up = peer time / convx time; worst decile = 10th percentile",
             f"{'family':<12}{'cases':>6}  {'peer':<6}{'geomean':>9}{'worst 10%':>11}"
             f"{'<1x':>5}  worst case"]

    def row(label, s):
        worst = (f"{s['worst_case']} {_x(s['worst_speedup'])}" if s["worst_case"] else "-")
        n = f"{s['n_timed']}" if s["n_timed"] == s["n_cases"] else f"{s['n_timed']}/{s['n_cases']}"
        return (f"{label:<12}{n:>6}  {','.join(s['peers']) or '-':<6}"
                f"{_x(s['geomean_speedup']):>9}{_x(s['worst_decile']):>11}{s['below_1']:>5}  "
                + worst)
    for f, s in rep["families"].items():
        lines.append(row(f, s))
    if rep.get("tags"):
        lines.append("by tag (a case has several):")
        for t, s in rep["tags"].items():
            lines.append(row("  " + t, s))
    lines.append(row("all", rep["all"]))
    return "\n".join(lines)


# --------------------------------------------------------------------------
# --compare OLD.json NEW.json
# --------------------------------------------------------------------------

def load_runs(path: str) -> dict:
    """label -> single-run report, from a ``--json`` file (one run, or ``--isa``'s several)."""
    with open(path) as f:
        data = json.load(f)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a convx bench JSON report (top level is not an object)")
    if "isa_runs" in data:
        return dict(data["isa_runs"])
    if "cases" not in data:
        raise ValueError(f"{path}: not a convx bench JSON report (no 'cases' and no 'isa_runs')")
    return {data.get("isa") or "run": data}


def compare(old_path: str, new_path: str, top: int = 10) -> dict:
    """What changed between two saved runs, per ISA: per case the ratio of convx times
    (new / old: > 1 is slower) and of speed-ups vs the primary peer (new / old: < 1 lost ground
    against the peer), per family the geomeans of both; cases sorted worst first."""
    old, new = load_runs(old_path), load_runs(new_path)
    if len(old) == 1 and len(new) == 1:
        pairs = [(f"{next(iter(old))} -> {next(iter(new))}", next(iter(old.values())),
                  next(iter(new.values())))]
    else:
        pairs = [(k, old[k], new[k]) for k in old if k in new]
    out = {"old": old_path, "new": new_path, "runs": {},
           "only_old_runs": sorted(set(old) - set(new)) if len(pairs) > 1 or len(old) > 1 else [],
           "only_new_runs": sorted(set(new) - set(old)) if len(pairs) > 1 or len(new) > 1 else []}
    for label, a, b in pairs:
        ra = {r["id"]: r for r in a["cases"]}
        rb = {r["id"]: r for r in b["cases"]}
        rows = []
        for cid in ra:
            if cid not in rb:
                continue
            o, n = ra[cid], rb[cid]
            to = o["results"].get("convx", {}).get("median_s")
            tn = n["results"].get("convx", {}).get("median_s")
            so, sn = _speedup(o), _speedup(n)
            rows.append({"id": cid, "family": n.get("family") or o.get("family") or "",
                         "convx_ms_old": to and to * 1e3, "convx_ms_new": tn and tn * 1e3,
                         "time_ratio": tn / to if to and tn else None,
                         "speedup_old": so, "speedup_new": sn,
                         "speedup_ratio": sn / so if so and sn else None})

        def badness(r):  # lower = worse: lost ground vs the peer, else got slower
            if r["speedup_ratio"]:
                return r["speedup_ratio"]
            return 1 / r["time_ratio"] if r["time_ratio"] else math.inf
        rows.sort(key=badness)
        fams = {}
        for r in rows:
            fams.setdefault(r["family"], []).append(r)
        order = [f for f in FAMILY_ORDER if f in fams] + sorted(set(fams) - set(FAMILY_ORDER))
        per_fam = {f: {"n": len(fams[f]),
                       "time_ratio": geomean(r["time_ratio"] for r in fams[f]),
                       "speedup_ratio": geomean(r["speedup_ratio"] for r in fams[f]),
                       "speedup_old": geomean(r["speedup_old"] for r in fams[f]),
                       "speedup_new": geomean(r["speedup_new"] for r in fams[f])}
                   for f in order}
        per_fam["all"] = {"n": len(rows), "time_ratio": geomean(r["time_ratio"] for r in rows),
                          "speedup_ratio": geomean(r["speedup_ratio"] for r in rows),
                          "speedup_old": geomean(r["speedup_old"] for r in rows),
                          "speedup_new": geomean(r["speedup_new"] for r in rows)}
        ranked = [r for r in rows if badness(r) != math.inf]
        out["runs"][label] = {
            "cases": rows, "families": per_fam,
            "regressions": [r for r in ranked if badness(r) < 1][:top],
            "improvements": [r for r in ranked[::-1] if badness(r) > 1][:top],
            "only_old": sorted(set(ra) - set(rb)), "only_new": sorted(set(rb) - set(ra)),
        }
    return out


def format_compare(res: dict) -> str:
    lines = [f"compare OLD {res['old']}  ->  NEW {res['new']}",
             "time = NEW convx time / OLD (> 1: slower); vs peer = NEW speed-up / OLD speed-up "
             "(< 1: lost ground against the peer)"]
    if res["only_old_runs"] or res["only_new_runs"]:
        lines.append(f"runs only in OLD: {res['only_old_runs'] or '-'}; only in NEW: "
                     f"{res['only_new_runs'] or '-'}")
    if not res["runs"]:
        lines.append("no run (ISA) in common: nothing to compare")

    def case_line(r):
        ms = (f"{r['convx_ms_old']:.3f} -> {r['convx_ms_new']:.3f} ms"
              if r["convx_ms_old"] and r["convx_ms_new"] else "-")
        return (f"  {r['id'][:44]:<45}{r['family']:<11}{ms:>24}  time {_x(r['time_ratio']):>6}"
                f"  speed-up {_x(r['speedup_old'])} -> {_x(r['speedup_new'])}"
                f" ({_x(r['speedup_ratio'])})")
    for label, run in res["runs"].items():
        lines.append(f"\n== {label}: {len(run['cases'])} cases in both ==")
        lines.append(f"{'family':<12}{'cases':>6}{'time':>9}{'vs peer':>9}"
                     f"{'speed-up old':>14}{'new':>8}")
        for f, s in run["families"].items():
            lines.append(f"{f or '-':<12}{s['n']:>6}{_x(s['time_ratio']):>9}"
                         f"{_x(s['speedup_ratio']):>9}{_x(s['speedup_old']):>14}"
                         f"{_x(s['speedup_new']):>8}")
        lines.append("biggest regressions:" if run["regressions"] else "no regressions")
        lines += [case_line(r) for r in run["regressions"]]
        lines.append("biggest improvements:" if run["improvements"] else "no improvements")
        lines += [case_line(r) for r in run["improvements"]]
        if run["only_old"] or run["only_new"]:
            lines.append(f"cases only in OLD: {len(run['only_old'])}"
                         + (f" ({', '.join(run['only_old'][:5])}...)" if run["only_old"] else "")
                         + f"; only in NEW: {len(run['only_new'])}"
                         + (f" ({', '.join(run['only_new'][:5])}...)" if run["only_new"] else ""))
    return "\n".join(lines)
