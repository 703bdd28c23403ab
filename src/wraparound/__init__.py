"""Wraparound: integrated care coordination for people with complex needs."""

__version__ = "0.1.0"
