"""From the files to check to the report asked for: streamed or written once, with what is shown, the groups
and the comparison with a baseline."""

from __future__ import annotations

import dataclasses
import importlib
import os
from dataclasses import dataclass

from rich.console import Console

from vmcheck.findings.checks.base import LEVELS
from vmcheck.report import grouping
from vmcheck.report.formats import card, changes, jsonl_report, summary
from vmcheck.report.formats.common import Extras
from vmcheck.report.grouping import Grouping
from vmcheck.report.output import open_output
from vmcheck.report.progress import Progress
from vmcheck.run import batch
from vmcheck.score import baseline
from vmcheck.score.baseline import Snapshot

# The formats whose reporters take the extras (groups, comparison, audio links); the others report the results alone.
GROUPED_FORMATS = ("table", "json", "csv", "html")


@dataclass(frozen=True)
class Report:
    """What to write and where, and what to add to it; settled before the first file is checked."""

    fmt: str
    output: str | None
    min_level: str
    fail_on: str
    grouping: Grouping | None = None
    baseline: dict[str, Snapshot] | None = None
    baseline_path: str | None = None
    embed_audio: bool = False


def run(paths, rules, settings, cache, jobs, quiet, report: Report, on_error):
    """Check every path, streaming jsonl as results arrive; other formats are written once at the end."""
    order = {path: i for i, path in enumerate(paths)}
    results = []
    with open_output(report.output) as out, Progress(total=len(paths), quiet=quiet) as progress:
        for result in batch.check_all(paths, rules, settings, cache, jobs, on_stage=progress.update):
            if not result.ok:
                on_error(result.error)
            if report.fmt == "jsonl":
                out.write(jsonl_report.render_one(_shown(result, report.min_level)) + "\n")
                out.flush()
            results.append(result)
            progress.update(f"checked {result.path}")
            progress.advance()
        results.sort(key=lambda r: order[r.path])
        shown = [_shown(r, report.min_level) for r in results]
        extras = _extras(results, shown, report)
        if report.fmt == "table":
            _print_table(shown, extras, out)
        elif report.fmt != "jsonl":
            reporter = importlib.import_module(f"vmcheck.report.formats.{report.fmt}_report")
            text = reporter.render(shown, extras) if report.fmt in GROUPED_FORMATS else reporter.render(shown)
            out.write(text.rstrip("\n") + "\n")
    return results, extras.comparison


def _extras(results, shown, report: Report):
    """Groups of the results as shown; the comparison of every finding, shown or not, as the exit code judges them."""
    comparison = None
    if report.baseline is not None:
        now = baseline.snapshots({"files": [r.to_dict() for r in results]})
        comparison = baseline.compare(report.baseline, now, report.fail_on, report.baseline_path or "")
    return Extras(
        groups=grouping.summarise(shown, report.grouping) if report.grouping else None,
        group_label=report.grouping.label if report.grouping else "group",
        comparison=comparison,
        report_dir=os.path.dirname(os.path.abspath(report.output)) if report.output not in (None, "-") else ".",
        embed_audio=report.embed_audio,
    )


def _shown(result, min_level: str):
    """The result as the reports show it: findings below --min-level left out."""
    lowest = LEVELS.index(min_level)
    return dataclasses.replace(result, findings=[f for f in result.findings if LEVELS.index(f.level) >= lowest])


def _print_table(results, extras, out) -> None:
    console = Console(file=out, theme=card.THEME, highlight=False)
    if len(results) == 1 and not extras.groups:
        console.print(card.render(results[0]))
    else:
        console.print(summary.render(results, extras))
    if extras.comparison:
        console.print()
        console.print(changes.render(extras.comparison))
