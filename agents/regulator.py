"""The regulator: monitors agreed shares, applies sanctions, and handles failing providers."""

import mesa


class Regulator(mesa.Agent):
    """The regulator (with the integrated care system's board): pools risk across places when the
    rules nest them, assesses each provider against its agreed share, sanctions detected breaches,
    and takes over providers whose deficit passes the failure threshold."""

    def pool_risk(self):
        """Nested enterprises: places move their pool balances towards their system's mean."""
        self.model.run_phase("pool_risk", 0, 1)

    def assess(self, trust):
        """Monitor one provider; a detected breach is sanctioned."""
        self.model.run_phase("assess", trust.index, trust.index + 1)

    def intervene(self, trust):
        """Take over a provider whose deficit passed the failure threshold."""
        self.model.run_phase("intervene", trust.index, trust.index + 1)
