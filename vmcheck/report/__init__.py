"""Stage 6, report: the checked results as a card, a summary, or a machine format; progress while they come."""
