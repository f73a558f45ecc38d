"""Stage 4, findings: rule files loaded, checked and run over the facts (one module per rule type in ``checks``)."""
