"""vmcheck: a voicemail quality checker."""

__version__ = "0.1.0"
REPORT_SCHEMA = "vmcheck/1"
"""The JSON report's format, written by ``--format json`` and read back as a baseline."""
