"""The regulator: monitors agreed shares, applies sanctions, and handles failing providers."""

import mesa


class Regulator(mesa.Agent):
    """The regulator (with the integrated care system's board): pools risk across places when the
    rules nest them, assesses each provider against its agreed share, sanctions detected breaches,
    rates each provider's need for support (oversight segments 1-4, special measures in 4), and
    takes over providers that special measures did not turn round."""

    def pool_risk(self):
        """Nested enterprises: places move their pool balances towards their system's mean."""
        self.model.run_phase("pool_risk", 0, 1)

    def assess(self, trust):
        """Monitor one provider; a detected breach is sanctioned."""
        self.model.run_phase("assess", trust.index, trust.index + 1)

    def oversee(self, trust):
        """Rate one provider's segment at each review; support it while in special measures."""
        self.model.run_phase("oversee", trust.index, trust.index + 1)

    def intervene(self, trust):
        """Take over a provider that special measures did not turn round."""
        self.model.run_phase("intervene", trust.index, trust.index + 1)
