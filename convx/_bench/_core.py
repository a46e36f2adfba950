"""The benchmark case list machinery: Case, the MAC count, families (inputs and contenders)
and suites. Each family module of this package registers its own (convx/_bench/conv.py, ...).

This module imports no compiled convx code, so the case list can be read (and the asv module
imported) on a broken or old build.
"""

from __future__ import annotations

import contextlib
import dataclasses
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping, Sequence

import numpy as np

# --------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    """One benchmark problem.

    Conventions per family (the fields ``macs`` and the family hooks read):

    - ``conv``: ``input_shape = (N, C_in, *spatial)``, ``weight_shape =
      (C_out, C_in // groups, *k)``; ``stride``/``padding``/``dilation`` are
      per-axis tuples (``padding`` may also be ``"same"``/``"valid"``).
    - ``conv_transpose``: ``weight_shape = (C_in, C_out // groups, *k)``;
      ``extra["output_padding"]`` is a per-axis tuple.
    - ``deform_conv2d``: conv2d fields; ``extra`` holds offset groups / mask.
    - ``separable``: ``weight_shape`` is the depthwise weight
      ``(C_in * mult, 1, *k)``; ``extra["pointwise_out"]`` is C_out.
    - ``filter``: ``input_shape`` is the image (any rank), ``weight_shape``
      the kernel (same rank or rank of the filtered axes); output has the
      input's shape.

    ``extra`` is for family-specific parameters; it is a tuple of pairs so the
    record stays hashable (read it with ``case.params``).
    """

    family: str
    name: str
    input_shape: tuple
    weight_shape: tuple
    stride: tuple = ()
    padding: Any = ()
    dilation: tuple = ()
    groups: int = 1
    bias: bool = False
    dtype: str = "float32"
    quick: bool = False          # part of the ``--quick`` smoke subset
    note: str = ""               # provenance, shown in ``--list`` and saved in JSON
    extra: tuple = ()

    def __post_init__(self):
        nd = max(len(self.input_shape) - 2, 0)
        set_ = object.__setattr__
        set_(self, "input_shape", tuple(int(s) for s in self.input_shape))
        set_(self, "weight_shape", tuple(int(s) for s in self.weight_shape))
        set_(self, "stride", _ntuple(self.stride or 1, nd))
        set_(self, "dilation", _ntuple(self.dilation or 1, nd))
        if not isinstance(self.padding, str):
            set_(self, "padding", _ntuple(self.padding or 0, nd))
        if isinstance(self.extra, Mapping):
            set_(self, "extra", tuple(sorted(self.extra.items())))

    @property
    def ndim(self) -> int:
        """Spatial rank (inputs in cases are always batched)."""
        return len(self.input_shape) - 2

    @property
    def params(self) -> dict:
        return dict(self.extra)

    def with_dtype(self, dtype) -> "Case":
        return dataclasses.replace(self, dtype=np.dtype(dtype).name)

    def describe(self) -> str:
        """Short shape text for tables and ``--list``."""
        x = "x".join(map(str, self.input_shape))
        w = "x".join(map(str, self.weight_shape))
        parts = [f"in {x}", f"w {w}"]
        if any(s != 1 for s in self.stride):
            parts.append("s" + ",".join(map(str, self.stride)))
        if isinstance(self.padding, str) or any(self.padding):
            pad = self.padding
            parts.append("p" + (pad if isinstance(pad, str) else ",".join(map(str, pad))))
        if any(d != 1 for d in self.dilation):
            parts.append("d" + ",".join(map(str, self.dilation)))
        if self.groups != 1:
            parts.append(f"g{self.groups}")
        return " ".join(parts)

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["extra"] = self.params
        return d


def _ntuple(v, n: int) -> tuple:
    if isinstance(v, (int, np.integer)):
        return (int(v),) * n
    t = tuple(int(i) for i in v)
    if len(t) == 1 and n > 1:
        t = t * n
    if len(t) != n:
        raise ValueError(f"expected an int or {n} values, got {v!r}")
    return t


def conv_case(name, input_shape, out_channels, kernel, stride=1, padding=0, dilation=1,
              groups=1, bias=False, quick=False, note="") -> Case:
    """A ``conv`` family case from torch.nn.ConvNd-style arguments."""
    nd = len(input_shape) - 2
    k = _ntuple(kernel, nd)
    c_in = input_shape[1]
    if c_in % groups or out_channels % groups:
        raise ValueError(f"case {name}: channels not divisible by groups")
    return Case("conv", name, tuple(input_shape), (out_channels, c_in // groups, *k),
                stride=stride, padding=padding, dilation=dilation, groups=groups,
                bias=bias, quick=quick, note=note)


def conv_output_shape(in_sp, k, stride, padding, dilation) -> tuple:
    """torch's output size per axis; ``padding`` may be ``"same"``/``"valid"``."""
    if padding == "same":
        return tuple(in_sp)
    if padding == "valid":
        padding = (0,) * len(in_sp)
    return tuple((i + 2 * p - d * (kk - 1) - 1) // s + 1
                 for i, kk, s, p, d in zip(in_sp, k, stride, padding, dilation))


# --------------------------------------------------------------------------
# Work per call
# --------------------------------------------------------------------------
def macs(case: Case) -> int:
    """Multiply-accumulates of one call of ``case``; FLOP = 2 * MACs.

    Dense counts: taps that land in the zero padding count (as in
    torch/fvcore and most papers); bias adds, padding copies and index
    arithmetic do not. Each family registers its formula with its Family
    (``Family.macs``); their docstrings say what they count.
    """
    fam = FAMILIES.get(case.family)
    if fam is None or fam.macs is None:
        raise KeyError(f"macs(): no formula for family {case.family!r}; register one with "
                       f"its Family (Family.macs)")
    return fam.macs(case)


def flop_definition() -> str:
    """What GFLOP/s means, for the report: the general rule and each family's count."""
    parts = [" ".join(macs.__doc__.split("Each family")[0].split())]
    seen = set()
    for fam in FAMILIES.values():
        if fam.macs is not None and fam.macs not in seen and fam.macs.__doc__:
            seen.add(fam.macs)
            parts.append("- " + " ".join(fam.macs.__doc__.split()))   # they name their family
    return "2 * macs(case); " + " ".join(parts)


@dataclass
class Call:
    """A timed callable: ``op(*args, **kwargs)`` inside ``context()``.

    Kept as parts (not a closure) so the asv ``time_*`` methods can call the
    op directly. ``context`` wraps a whole timing loop (torch.no_grad, BLAS
    thread limits), never a single call.
    """

    op: Callable
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    context: Callable[[], Any] = contextlib.nullcontext
    info: str = ""

    def __call__(self):
        return self.op(*self.args, **self.kwargs)


@dataclass(frozen=True)
class Family:
    """How to benchmark one family.

    make_inputs(case, rng) -> dict of arrays (seeded, ``case.dtype``).
    convx(case, arrays, algorithm, workers) -> Call of the convx op.
    peers: name -> builder(case, arrays, workers) -> Call; a builder raises
      ImportError when its library is missing (the peer is then skipped) and
      NotImplementedError when it cannot run this case.
    macs(case) -> int: multiply-accumulates of one call (what GFLOP/s counts).
    check_view(who, output) -> array: the output in the layout results are compared in
      (contenders that return different layouts, e.g. channels-last and channels-first);
      None: compared as returned.
    """

    make_inputs: Callable[[Case, np.random.Generator], dict]
    convx: Callable[[Case, dict, str, int], Call]
    peers: Mapping[str, Callable[[Case, dict, int], Call]]
    macs: Callable[[Case], int] | None = None
    check_view: Callable[[str, Any], Any] | None = None


FAMILIES: dict[str, Family] = {}


def register_family(name: str, family: Family) -> None:
    FAMILIES[name] = family


def _blas_threads(n: int):
    """Limit BLAS threads for the NumPy peer when threadpoolctl is installed."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=n, user_api="blas")


def _numpy_threads_info(n: int) -> str:
    try:
        import threadpoolctl  # noqa: F401
    except ImportError:
        return "BLAS default thread count (threadpoolctl not installed, cannot limit)"
    return f"BLAS limited to {n} threads (threadpoolctl)"


def _torch_context(workers: int):
    """torch.no_grad() and torch.set_num_threads(workers), restored on exit."""
    import torch

    @contextlib.contextmanager
    def ctx():
        prev = torch.get_num_threads()
        torch.set_num_threads(workers)
        try:
            with torch.no_grad():
                yield
        finally:
            torch.set_num_threads(prev)
    return ctx

def make_inputs(case: Case, seed: int = 0) -> dict:
    """Seeded inputs for ``case`` (same arrays for every contender)."""
    return FAMILIES[case.family].make_inputs(case, np.random.default_rng(seed))


def make_call(case: Case, arrays: dict, contender: str, workers: int,
              algorithm: str = "auto") -> Call:
    """The Call for ``contender`` ("convx" or a peer name) on ``case``."""
    fam = FAMILIES[case.family]
    if contender == "convx":
        return fam.convx(case, arrays, algorithm, workers)
    if contender not in fam.peers:
        raise NotImplementedError(f"no peer {contender!r} for family {case.family!r}")
    return fam.peers[contender](case, arrays, workers)


# --------------------------------------------------------------------------
# Suites
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Suite:
    """Named case list. ``peers``: the peers timed for this suite (None: every peer of each
    case's family; the zoo times convx against torch only, not the NumPy baseline).
    ``target``: the suite's default timing budget per contender and case, seconds (None: 0.4).
    ``in_all``: part of the default run (every suite); the long zoo is run on request only.
    """

    name: str
    description: str
    cases: tuple
    peers: tuple | None = None
    target: float | None = None
    in_all: bool = True


SUITES: dict[str, Suite] = {}


def register_suite(name: str, cases: Sequence[Case], description: str = "",
                   peers: Sequence[str] | None = None, target: float | None = None,
                   in_all: bool = True) -> Suite:
    """Add (or replace) a suite. Names starting with "_" are hidden from "all"."""
    names = [c.name for c in cases]
    if len(set(names)) != len(names):
        raise ValueError(f"suite {name}: duplicate case names")
    suite = Suite(name, description, tuple(cases), None if peers is None else tuple(peers),
                  target, in_all)
    SUITES[name] = suite
    return suite


def iter_cases(suites: Sequence[str] | None = None, *, quick: bool = False,
               family: str | None = None) -> Iterator[tuple[str, Case]]:
    """(qualified id "suite/name", case) over the chosen suites, in order."""
    names = (default_suites() if not suites else list(suites))
    for sname in names:
        if sname not in SUITES:
            raise KeyError(f"unknown suite {sname!r}; known: {', '.join(SUITES)}")
        for case in SUITES[sname].cases:
            if (quick and not case.quick) or (family and case.family != family):
                continue
            yield f"{sname}/{case.name}", case


def default_suites() -> list:
    """The suites of a plain ``python -m convx bench``: public (no leading "_") and ``in_all``."""
    return [s for s in SUITES if not s.startswith("_") and SUITES[s].in_all]


def get_case(case_id: str) -> Case:
    """Case by qualified id "suite/name"."""
    sname, _, cname = case_id.partition("/")
    for case in SUITES[sname].cases:
        if case.name == cname:
            return case
    raise KeyError(f"no case {cname!r} in suite {sname!r}")


# peers timed for comparison only: they compute a different function, so never the reference
# (families add theirs)
_UNCHECKED_PEERS: set = set()
