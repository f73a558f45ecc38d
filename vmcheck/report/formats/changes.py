"""Progress against a baseline on the terminal: per file what got better and what got worse, then the totals.

Shared by ``vmcheck check --baseline`` and ``vmcheck diff``, so both print the
same comparison.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from vmcheck.score.baseline import Comparison


def render(comparison: Comparison) -> RenderableType:
    table = Table(header_style="bold", box=None, pad_edge=False, padding=(0, 1))
    table.add_column("File", overflow="fold", ratio=2)
    table.add_column("Score", no_wrap=True)
    table.add_column("Better", overflow="fold", ratio=2, style="grade.pass")
    table.add_column("Worse", overflow="fold", ratio=2, style="grade.fail")
    for change in comparison.files:
        if change.status != "compared" or not (change.improvements or change.regressions):
            continue
        verdict = Text(" ✖ fails", style="grade.fail") if change.failed else Text("")
        table.add_row(
            change.path,
            Text(f"{change.old_score} → {change.new_score}").append(verdict),
            "\n".join(change.improvements),
            "\n".join(change.regressions),
        )
    counts = comparison.to_dict()["summary"]
    line = Text(
        f"Since {comparison.baseline}: {counts['compared']} compared · {counts['improved']} improved · "
        f"{counts['regressed']} regressed · {counts['new file']} new · {counts['gone']} not checked this time · "
        f"{counts['failed']} failing",
        style="bold",
    )
    shown = table if table.row_count else Text("Nothing changed in the files compared.")
    return Group(Text("Progress since the baseline", style="bold"), shown, Text(""), line)
