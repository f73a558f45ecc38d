"""The batch view for a manager: worst messages first, totals, and what the team should practise."""

from __future__ import annotations

from collections import Counter

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from vmcheck.report.formats.common import Extras, top_finding, worst_first
from vmcheck.report.formats.json_report import summary
from vmcheck.report.grouping import GroupStats
from vmcheck.report.result import FileResult

TOP_FINDINGS = 8


def render(results: list[FileResult], extras: Extras = Extras()) -> RenderableType:
    table = Table(header_style="bold", box=None, pad_edge=False, padding=(0, 1))
    table.add_column("File", overflow="fold", ratio=2)
    table.add_column("Length", justify="right", no_wrap=True)
    table.add_column("Score", justify="right", no_wrap=True)
    table.add_column("Grade", no_wrap=True)
    table.add_column("Number", no_wrap=True)
    table.add_column("Top problem", overflow="fold", ratio=3)
    for result in worst_first(results):
        if not result.ok:
            table.add_row(result.path, "", "", Text("ERROR", style="level.error"), "", Text(result.error or "", style="level.error"))
            continue
        score, facts, _ = result.checked()
        style = "grade.pass" if score.passed else "grade.fail"
        top = top_finding(result)
        table.add_row(
            result.path,
            f"{facts['duration_s']:.0f} s",
            str(score.score),
            Text(score.grade + ("" if score.passed else " ✖"), style=style),
            ", ".join(n["formatted"] for n in facts["callback_numbers"]) or Text("none", style="muted"),
            f"{top.rule}: {top.message}" if top else "",
        )
    totals = summary(results)
    mean = "-" if totals["mean_score"] is None else f"{totals['mean_score']:.1f}"
    line = Text(
        f"{totals['files']} checked · {totals['passed']} passed · {totals['failed']} failed · {totals['errors']} errors · mean score {mean}",
        style="bold",
    )
    files_with = Counter(rule for r in results for rule in {f.rule for f in r.findings})
    common = Table(title="Most common findings", title_justify="left", header_style="bold", box=None, pad_edge=False)
    common.add_column("Rule")
    common.add_column("Files", justify="right")
    common.add_column("What to practise", overflow="fold")
    examples = {f.rule: f.suggestion for r in results for f in r.findings}
    for rule, count in sorted(files_with.items(), key=lambda item: (-item[1], item[0]))[:TOP_FINDINGS]:
        common.add_row(rule, str(count), examples[rule])
    parts: list[RenderableType] = [table, Text(""), line, Text(""), common if files_with else Text("No findings across the batch.")]
    if extras.groups:
        parts += [Text(""), groups(extras.groups, extras.group_label)]
    return Group(*parts)


def groups(stats: list[GroupStats], label: str) -> Table:
    """One row per group, worst mean score first: who needs coaching, and on what."""
    table = Table(title=f"By {label}", title_justify="left", header_style="bold", box=None, pad_edge=False, padding=(0, 1))
    table.add_column(label.capitalize(), overflow="fold")
    table.add_column("Messages", justify="right")
    table.add_column("Pass rate", justify="right")
    table.add_column("Mean", justify="right")
    table.add_column("Most common findings (files)", overflow="fold", ratio=3)
    for group in stats:
        errors = f", {group.errors} errors" if group.errors else ""
        table.add_row(
            group.name,
            f"{group.messages}{errors}",
            "-" if group.pass_rate is None else f"{group.pass_rate:.0%}",
            "-" if group.mean_score is None else f"{group.mean_score:.1f}",
            ", ".join(f"{rule} ({files})" for rule, files in group.top_findings) or Text("none", style="muted"),
        )
    return table
