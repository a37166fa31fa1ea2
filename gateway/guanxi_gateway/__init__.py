"""Guanxi gateway: the suite's front door."""
