"""Chumchon: community welfare funds and local welfare networks."""

__version__ = "0.1.0"
