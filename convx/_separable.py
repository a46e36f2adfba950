"""Glue of one family, compiled into convx._core (see _separable.pxi there)."""
from convx._core import (  # noqa: F401
    _dwsep,
)
