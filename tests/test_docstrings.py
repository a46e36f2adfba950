"""Every public function has a complete numpydoc docstring (issue 10).

Checked with numpydoc's validator when it is installed (the ``docs`` extra; CI's docs stage runs
this file): every parameter documented, a Returns section for functions that return something,
See Also and Examples everywhere, Raises wherever an argument can be wrong. The Examples run as
doctests in CI (``python -m pytest --doctest-modules convx``).
"""

import inspect

import pytest

import convx

validate = pytest.importorskip("numpydoc.validate", reason="numpydoc not installed").validate

PUBLIC = (
    [f"convx.{n}" for n in convx.__all__ if n not in ("filters", "kernels", "reference")]
    + ["convx.conv.choose_algorithm", "convx.conv_transpose.choose_algorithm"]
    + [f"convx.filters.{n}" for n in convx.filters.__all__]
    + [f"convx.kernels.{n}" for n in convx.kernels.__all__ if n != "NAMES"]
    + [f"convx.reference.{n}" for n in convx.reference.__all__]
)
REQUIRED = {"GL08": "no docstring", "PR01": "parameter not documented",
            "PR02": "unknown parameter documented", "SA01": "no See Also",
            "EX01": "no Examples", "SS01": "no summary"}


def _resolve(name):
    obj = convx
    for part in name.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


@pytest.mark.parametrize("name", PUBLIC)
def test_numpydoc_complete(name):
    fn = _resolve(name)
    res = validate(name)
    errors = [f"{code}: {msg}" for code, msg in res["errors"] if code in REQUIRED]
    doc = inspect.getdoc(fn) or ""
    if "return " in inspect.getsource(fn) and name not in ("convx.show_config",):
        if "\nReturns\n-------" not in doc:
            errors.append("no Returns section")
    if inspect.signature(fn).parameters and "\nRaises\n------" not in doc \
            and not name.endswith("choose_algorithm"):
        errors.append("no Raises section (the function takes arguments)")
    assert not errors, f"{name}: " + "; ".join(errors)
