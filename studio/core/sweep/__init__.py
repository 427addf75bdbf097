"""X/Y/Z sweeps (A1111's X/Y/Z plot): axes and their value syntax, the plan of cells, the
labelled grid and the output folder."""

from studio.core.sweep.axes import (
    KINDS,
    MAX_IMAGES,
    Axis,
    SweepError,
    parse_axis,
    parse_axis_spec,
)
from studio.core.sweep.output import SweepOutput, run_sweep
from studio.core.sweep.plan import (
    CONFIRM_ABOVE,
    Cell,
    SweepPlan,
    plan_from_specs,
    plan_from_table,
    plan_sweep,
)

__all__ = [
    "CONFIRM_ABOVE",
    "KINDS",
    "MAX_IMAGES",
    "Axis",
    "Cell",
    "SweepError",
    "SweepOutput",
    "SweepPlan",
    "parse_axis",
    "parse_axis_spec",
    "plan_from_specs",
    "plan_from_table",
    "plan_sweep",
    "run_sweep",
]
