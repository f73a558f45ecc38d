"""vmcheck: a voicemail quality checker."""

__version__ = "0.1.0"
