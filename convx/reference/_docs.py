"""The Raises, See Also and Examples sections of the oracles' docstrings (numpydoc).

The oracles' own modules keep the formula and the parameters; this module appends the sections
that are the same shape for every oracle, so each docstring is complete (issue 10). Each
Examples section checks the oracle against the compiled function of the same name.
"""
import inspect

_SETUP = {
    "conv": "x = rng.standard_normal({x}); w = rng.standard_normal({w})",
    "deform": ("x = rng.standard_normal((1, 2, 5, 5)); w = rng.standard_normal((3, 2, 3, 3))\n"
               ">>> off = 0.5 * rng.standard_normal((1, 18, 5, 5))"),
    "dwsep": ("x = rng.standard_normal({x}); dw = rng.standard_normal({dw})\n"
              ">>> pw = rng.standard_normal({pw})"),
    "spatial": ("x = rng.standard_normal((1, 2, 9, 9)); cw = rng.standard_normal((3, 2, 3, 1))\n"
                ">>> rw = rng.standard_normal((4, 3, 1, 3))"),
    "filter": "x = rng.standard_normal((6, 7)); w = rng.standard_normal({w})",
}

# name -> (setup kind, format fields, the arguments of both calls, related functions)
_CASES = {
    "conv1d": ("conv", dict(x="(1, 2, 9)", w="(3, 2, 3)"), "x, w, padding=1", ["conv2d"]),
    "conv2d": ("conv", dict(x="(1, 2, 6, 7)", w="(3, 2, 3, 3)"), "x, w, padding='same'",
               ["conv_transpose2d"]),
    "conv3d": ("conv", dict(x="(1, 2, 4, 5, 6)", w="(3, 2, 3, 3, 3)"), "x, w, stride=2",
               ["conv2d"]),
    "conv_transpose1d": ("conv", dict(x="(1, 2, 9)", w="(2, 3, 4)"), "x, w, stride=2",
                         ["conv1d"]),
    "conv_transpose2d": ("conv", dict(x="(1, 2, 5, 5)", w="(2, 3, 4, 4)"),
                         "x, w, stride=2, padding=1", ["conv2d"]),
    "conv_transpose3d": ("conv", dict(x="(1, 2, 3, 4, 5)", w="(2, 3, 2, 2, 2)"),
                         "x, w, stride=2", ["conv3d"]),
    "deform_conv2d": ("deform", {}, "x, off, w, padding=1", ["conv2d"]),
    "depthwise_separable_conv1d": ("dwsep", dict(x="(1, 2, 9)", dw="(2, 1, 3)",
                                                 pw="(4, 2, 1)"), "x, dw, pw, padding=1",
                                   ["conv1d"]),
    "depthwise_separable_conv2d": ("dwsep", dict(x="(1, 2, 6, 7)", dw="(4, 1, 3, 3)",
                                                 pw="(3, 4, 1, 1)"), "x, dw, pw, stride=2",
                                   ["conv2d"]),
    "depthwise_separable_conv3d": ("dwsep", dict(x="(1, 2, 4, 5, 6)", dw="(2, 1, 3, 3, 3)",
                                                 pw="(3, 2, 1, 1, 1)"), "x, dw, pw, padding=1",
                                   ["conv3d"]),
    "spatially_separable_conv2d": ("spatial", {}, "x, cw, rw, padding=1", ["conv2d"]),
    "correlate": ("filter", dict(w="(3, 2)"), "x, w, mode='wrap'", ["convolve"]),
    "convolve": ("filter", dict(w="(3, 2)"), "x, w, mode='mirror'", ["correlate"]),
    "correlate1d": ("filter", dict(w="(4,)"), "x, w, axis=0, mode='nearest'",
                    ["convolve1d"]),
    "convolve1d": ("filter", dict(w="(4,)"), "x, w, origin=1", ["correlate1d"]),
}


def _fast(name):
    return f"convx.filters.{name}" if name.startswith(("correlate", "convolve")) else \
        f"convx.{name}"


def _tail(name):
    kind, fields, args, related = _CASES[name]
    fast = _fast(name)
    see = [f"{fast} : The compiled function, tested against this one."]
    see += [f"{r} : The related oracle." for r in related]
    setup = _SETUP[kind].format(**fields)
    return f"""
Raises
------
ValueError
    Arguments that do not fit together or are out of range (ranks, channel counts and
    ``groups``, strides, paddings, modes); the message names the argument. The oracle checks
    what it needs to compute; the compiled function's checks are complete.

See Also
--------
{chr(10).join(see)}

Examples
--------
>>> import numpy as np, convx
>>> rng = np.random.default_rng(0)
>>> {setup}
>>> y = convx.reference.{name}({args})
>>> bool(np.allclose(y, {fast}({args})))
True
"""


def complete(namespace):
    """Append the common sections to the docstring of every oracle in ``namespace``."""
    for name in _CASES:
        fn = namespace[name]
        fn.__doc__ = inspect.cleandoc(fn.__doc__).rstrip() + "\n" + _tail(name)
