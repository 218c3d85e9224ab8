"""The Mesa model (`CareSystem`); its agents are the top-level `agents` package."""

from sim.model.model import CareSystem

__all__ = ["CareSystem"]
