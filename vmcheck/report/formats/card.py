"""The report card: a function from a result to rich renderables, readable at 80 columns without colour.

Shape borrowed from rich's own examples: a Panel for the verdict, a Table of
categories with bars, a Table of findings with their fixes, and the transcript
as Text with the name, number, ask and fillers marked.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.theme import Theme

from vmcheck.findings.checks.base import CATEGORIES
from vmcheck.report.formats.common import clock
from vmcheck.report.result import FileResult
from vmcheck.transcript import Transcript

THEME = Theme(
    {
        "grade.pass": "bold green",
        "grade.fail": "bold red",
        "level.error": "bold red",
        "level.warning": "yellow",
        "level.suggestion": "cyan",
        "mark.name": "bold cyan underline",
        "mark.number": "bold magenta underline",
        "mark.ask": "bold green underline",
        "mark.filler": "yellow italic",
        "muted": "dim",
    }
)
LEVEL_MARK = {"error": "✖ error", "warning": "▲ warning", "suggestion": "● suggestion"}
BAR_WIDTH = 20


def bar(score: int) -> Text:
    filled = round(score / 100 * BAR_WIDTH)
    return Text("█" * filled + "░" * (BAR_WIDTH - filled))


def render(result: FileResult) -> RenderableType:
    if not result.ok:
        return Text(f"{result.path}: {result.error}", style="level.error")
    parts: list[RenderableType] = [_verdict(result), _categories(result)]
    parts.append(_findings(result))
    parts.append(Panel(highlighted(result), title="Transcript", title_align="left", border_style="muted"))
    if result.skipped:
        parts.append(Text(f"Skipped in text mode (need audio): {', '.join(result.skipped)}", style="muted"))
    return Group(*parts)


def _verdict(result: FileResult) -> Panel:
    score, facts, transcript = result.checked()
    style = "grade.pass" if score.passed else "grade.fail"
    headline = Text.assemble(
        (f" {score.grade} ", f"reverse {style}"),
        "  ",
        (f"{score.score}/100", "bold"),
        "  ",
        ("PASSED" if score.passed else "NEEDS WORK", style),
    )
    mode = "estimated from text" if facts["mode"] == "text" else f"{transcript.engine} {transcript.model}"
    details = Text(
        f"{facts['duration_s']:.1f} s · {facts['word_count']} words · {facts['wpm']:.0f} wpm · {facts['filler_count']} fillers · {mode}",
        style="muted",
    )
    caller = facts["caller_name"] or "no name heard"
    number = ", ".join(n["formatted"] for n in facts["callback_numbers"]) or "no number heard"
    who = Text(f"Caller: {caller}" + (f" ({facts['company']})" if facts["company"] else "") + f" · Number: {number}")
    return Panel(Group(headline, details, who), title=result.path, title_align="left")


def _categories(result: FileResult) -> Table:
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False, padding=(0, 1))
    table.add_column("Category")
    table.add_column("Score", justify="right")
    table.add_column("", no_wrap=True)
    table.add_column("Result")
    score, _, _ = result.checked()
    for name in CATEGORIES:
        category = score.categories[name]
        if not category.checked:
            table.add_row(name, "-", Text("not checked (needs audio)", style="muted"), "")
            continue
        verdict = Text("pass", style="grade.pass") if category.passed else Text("FAIL", style="grade.fail")
        table.add_row(name, str(category.score), bar(category.score), verdict)
    return table


def _findings(result: FileResult) -> RenderableType:
    if not result.findings:
        return Text("No findings. Send it.", style="grade.pass")
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False, padding=(0, 1), expand=False)
    table.add_column("Time", no_wrap=True)
    table.add_column("Level", no_wrap=True)
    table.add_column("Finding and fix", ratio=1)
    for finding in result.findings:
        body = Text.assemble((finding.message, "bold"), "\n", ("→ ", "muted"), finding.suggestion, "  ", (finding.rule, "muted"))
        table.add_row(clock(finding.start), Text(LEVEL_MARK[finding.level], style=f"level.{finding.level}"), body)
    return table


def highlighted(result: FileResult) -> Text:
    """The transcript with the caller's name, numbers, ask and fillers marked by style."""
    _, facts, transcript = result.checked()
    spans: list[tuple[float, float, str]] = []
    caller = facts["caller"]
    if caller["start"] is not None and caller["end"] is not None:
        spans.append((caller["start"], caller["end"], "mark.name"))
    for number in facts["callback_numbers"]:
        for mention in number["mentions"]:
            spans.append((mention["start"], mention["end"], "mark.number"))
    if facts["ask"]:
        spans.append((facts["ask"]["start"], facts["ask"]["end"], "mark.ask"))
    for filler in facts["fillers"]:
        spans.append((filler["start"], filler["end"], "mark.filler"))
    text = Text()
    for word in transcript.words:
        styles = [style for start, end, style in spans if start - 1e-3 <= word.start and word.end <= end + 1e-3]
        text.append(word.text, style=" ".join(styles) if styles else None)
    if not text:
        text = Text("(no speech)", style="muted")
    legend = Text.assemble(
        "\n",
        ("name", "mark.name"),
        " · ",
        ("number", "mark.number"),
        " · ",
        ("ask", "mark.ask"),
        " · ",
        ("filler", "mark.filler"),
        style="muted",
    )
    return Text.assemble(text, legend)


def transcript_table(path: str, transcript: Transcript) -> RenderableType:
    """``vmcheck transcribe``: each segment with its timing, or a note that nothing was heard."""
    table = Table(title=f"{path} · {transcript.duration:.1f} s · {transcript.engine} {transcript.model}", title_justify="left", box=None)
    table.add_column("Start", justify="right", no_wrap=True)
    table.add_column("End", justify="right", no_wrap=True)
    table.add_column("Text")
    for segment in transcript.segments:
        table.add_row(f"{segment.start:.2f}", f"{segment.end:.2f}", segment.text)
    if not transcript.segments:
        table.add_row("", "", Text("(no speech found)", style="muted"))
    return table
