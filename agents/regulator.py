"""The regulator: monitors agreed shares, applies sanctions, and handles failing providers."""

import mesa

import sim.core.submodels as submodels


class Regulator(mesa.Agent):
    """The regulator (with the integrated care system's board): pools risk across places when the
    rules nest them, assesses each provider against its agreed share, sanctions detected breaches,
    and takes over providers whose deficit passes the failure threshold."""

    def pool_risk(self):
        submodels.pool_risk.py_func(self.model.world, self.model.p, self.model.r)

    def assess(self, trust):
        """Monitor one provider; a detected breach is sanctioned."""
        submodels.assess.py_func(self.model.world, self.model.p, self.model.r, trust.index)

    def intervene(self, trust):
        """Take over a provider whose deficit passed the failure threshold."""
        submodels.intervene.py_func(self.model.world, self.model.p, self.model.r, trust.index)
