"""Orchestration: settings, one message end to end (``pipeline``), many of them (``batch``, ``cluster``), the transcript cache."""
