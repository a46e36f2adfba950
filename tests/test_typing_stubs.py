"""The typing stubs (convx/**/*.pyi, issue 10) describe the functions that really exist.

For every function in a stub: the runtime object exists, and its parameters have the same names,
kinds (positional / keyword-only) and defaults. mypy checks user code against the stubs in CI
(.ci/packaging.sh); this test keeps the stubs from drifting from the code.
"""

import ast
import importlib
import inspect
import os

import pytest

import convx

PKG = os.path.dirname(os.path.abspath(convx.__file__))
STUBS = sorted(os.path.relpath(os.path.join(d, f), PKG) for d, _, fs in os.walk(PKG)
               for f in fs if f.endswith(".pyi") and f != "_typing.pyi")


def _module_name(stub):
    parts = ["convx"] + stub[:-len(".pyi")].split(os.sep)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_stubs_and_marker_are_there():
    assert os.path.exists(os.path.join(PKG, "py.typed"))
    assert {_module_name(s) for s in STUBS} >= {
        "convx", "convx.conv", "convx.conv_transpose", "convx.deform", "convx.separable",
        "convx.kernels", "convx.filters", "convx.reference"}


def _stub_params(fn):
    a = fn.args
    out = []
    pos = a.posonlyargs + a.args
    defaults = [None] * (len(pos) - len(a.defaults)) + list(a.defaults)
    for arg, d in zip(pos, defaults):
        out.append((arg.arg, "positional", d))
    for arg, d in zip(a.kwonlyargs, a.kw_defaults):
        out.append((arg.arg, "keyword", d))
    return out


@pytest.mark.parametrize("stub", STUBS)
def test_stub_signatures_match_the_code(stub):
    mod = importlib.import_module(_module_name(stub))
    with open(os.path.join(PKG, stub)) as f:
        tree = ast.parse(f.read())
    funcs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert funcs or stub.endswith("__init__.pyi")
    for fn in funcs:
        obj = getattr(mod, fn.name, None)
        assert callable(obj), f"{mod.__name__}.{fn.name} in {stub} does not exist"
        real = []
        for p in inspect.signature(obj).parameters.values():
            kind = "keyword" if p.kind is p.KEYWORD_ONLY else "positional"
            real.append((p.name, kind, p.default))
        stub_params = _stub_params(fn)
        assert [(n, k) for n, k, _ in real] == [(n, k) for n, k, _ in stub_params], \
            f"{mod.__name__}.{fn.name}: parameters differ from {stub}"
        for (name, _, default), (_, _, stub_default) in zip(real, stub_params):
            if default is inspect.Parameter.empty:
                assert stub_default is None, f"{mod.__name__}.{fn.name}({name}) has no default"
            else:
                assert stub_default is not None and ast.literal_eval(stub_default) == default, \
                    f"{mod.__name__}.{fn.name}({name}): default {default!r} in the code"
    if hasattr(mod, "__all__"):
        stub_all = [n for n in tree.body if isinstance(n, ast.Assign)
                    and any(getattr(t, "id", "") == "__all__" for t in n.targets)]
        if stub_all:
            assert sorted(ast.literal_eval(stub_all[0].value)) == sorted(mod.__all__)
