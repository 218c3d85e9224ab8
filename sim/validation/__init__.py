"""Validation and teaching: the laboratory games, published figures, closed forms and checks."""
