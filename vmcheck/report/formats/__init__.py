"""Reporters only read results; none of them analyses anything."""
