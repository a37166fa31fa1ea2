"""Test and local-run support, installed by `make install` and never by a service image."""
