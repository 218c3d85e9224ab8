"""Run sizes for the notebooks, chosen by CARE_COMMONS_NOTEBOOK_SCALE (small | medium | full)."""

from __future__ import annotations

import os

SCALES = {
    "small": {"replicates": 8, "months": 60, "rounds": 40},
    "medium": {"replicates": 50, "months": 120, "rounds": 40},
    "full": {"replicates": 200, "months": 120, "rounds": 40},
}


def notebook_scale() -> dict[str, int]:
    """Run sizes chosen by the environment variable CARE_COMMONS_NOTEBOOK_SCALE (default medium)."""
    name = os.environ.get("CARE_COMMONS_NOTEBOOK_SCALE", "medium").strip().lower()
    if name not in SCALES:
        raise ValueError(
            f"CARE_COMMONS_NOTEBOOK_SCALE={name!r} is not a scale; allowed: {', '.join(SCALES)}"
        )
    return {"scale": name, **SCALES[name]}
