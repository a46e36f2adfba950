"""Glue of one family, compiled into convx._core (see _filters.pxi there)."""
from convx._core import (  # noqa: F401
    MODES,
    _filter,
    _filter_fft,
    _filter_sep,
)
