"""The priors of the uncertain parameters: one row each, with its source or reasoning.

Shape parameters (counts, population, spend per head) and the laboratory designs are not
uncertain: they describe the system studied. Every other parameter whose value is a judgement or
a calibration carries a prior here. See `sim.core.priors` for the machinery.
"""

from __future__ import annotations

from sim.core.priors import Prior

PRIORS: tuple[Prior, ...] = (
    Prior(
        "prevention_effect",
        "triangular",
        0.0175,
        0.07,
        mode=0.035,
        source="[MLC2020]: the public-health cost per QALY ratio, halved and doubled",
    ),
    Prior(
        "prevention_saturation",
        "loguniform",
        0.025,
        0.1,
        source="reasoning: returns halve between half and double the 3.5% slice",
    ),
    Prior(
        "unmet_harm",
        "triangular",
        0.005,
        0.02,
        mode=0.01,
        source="calibrated to [HF2018]; half to double the fitted value",
    ),
    Prior(
        "spillover",
        "triangular",
        0.35,
        1.4,
        mode=0.7,
        source="calibrated to [HF2018]; half to double the fitted value",
    ),
    Prior(
        "health_need_elasticity",
        "triangular",
        0.25,
        1.0,
        mode=0.5,
        source="calibrated to [HF2018]; half to double the fitted value",
    ),
)

PRIOR_INDEX = {p.name: i for i, p in enumerate(PRIORS)}
