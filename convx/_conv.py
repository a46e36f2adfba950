"""Glue of one family, compiled into convx._core (see _conv.pxi there)."""
from convx._core import (  # noqa: F401
    _conv,
    _conv_cl,
    last_variant,
    _set_team_min_work,
    choose_algorithm,
    ALGO_AUTO,
    ALGO_DIRECT,
    ALGO_IM2COL,
)
