"""Guanxi shared library: the plumbing every service uses, written once."""
