"""One self-contained HTML page to mail to a trainer or attach to a CI run: opens offline from a file:// URL.

CSS, script and SVG are inline and nothing is fetched but each message's own
audio (a path relative to the report, or a data: URI with ``--embed-audio``),
so the page works the same from an e-mail attachment or a CI artefact. The
script only adds listening (click a time, a mark or a word to play from
there); everything else reads without it, and in greyscale print. All text
from results goes through ``html.escape``.
"""

from __future__ import annotations

from html import escape
from importlib.resources import files

from vmcheck.findings.checks.base import CATEGORIES
from vmcheck.report.formats import html_progress, html_team
from vmcheck.report.formats.audio_source import audio_url
from vmcheck.report.formats.common import Extras, clock, top_finding, worst_first
from vmcheck.report.formats.html_timeline import MARKS, marks, timeline
from vmcheck.report.formats.json_report import summary
from vmcheck.report.result import FileResult
from vmcheck.score.scoring import Score

LEVEL_MARK = {"error": "✖ error", "warning": "▲ warning", "suggestion": "● suggestion"}
STYLE = files("vmcheck.report.formats").joinpath("report.css").read_text(encoding="utf-8")
SCRIPT = files("vmcheck.report.formats").joinpath("report.js").read_text(encoding="utf-8")


def render(results: list[FileResult], extras: Extras = Extras()) -> str:
    totals = summary(results)
    title = "vmcheck report" + (f": {results[0].path}" if len(results) == 1 else f": {len(results)} voicemails")
    body = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="muted">{escape(_totals(totals))}</p>',
        html_team.render(results, extras) if len(results) > 1 or extras.groups else "",
        html_progress.overview(extras.comparison) if extras.comparison else "",
        _overview(results),
        *(_section(result, i, extras) for i, result in enumerate(results)),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(part for part in body if part)
        + f"\n<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )


def _totals(totals: dict) -> str:
    mean = "" if totals["mean_score"] is None else f" · mean score {totals['mean_score']}"
    return (
        f"{totals['files']} file{'' if totals['files'] == 1 else 's'} · {totals['passed']} passed · "
        f"{totals['failed']} failed · {totals['errors']} could not be checked{mean}"
    )


def _overview(results: list[FileResult]) -> str:
    """The summary table, worst first, each row linking to its section."""
    index = {id(result): i for i, result in enumerate(results)}
    rows = []
    for result in worst_first(results):
        link = f'<a href="#file-{index[id(result)]}">{escape(result.path)}</a>'
        if not result.ok:
            rows.append(
                f'<tr><td>{link}</td><td class="num">-</td><td class="num">-</td><td>-</td>'
                f'<td class="error">error</td><td>{escape(result.error or "")}</td></tr>'
            )
            continue
        score, facts, _ = result.checked()
        top = top_finding(result)
        problem = f'{escape(top.message)} <span class="muted">({escape(top.rule)})</span>' if top else "none"
        rows.append(
            f'<tr><td>{link}</td><td class="num">{facts["duration_s"]:.1f} s</td>'
            f'<td class="num">{score.score}</td><td>{escape(score.grade)}</td>{_passed(score)}'
            f"<td>{problem}</td></tr>"
        )
    return (
        '<table class="overview">\n<thead><tr><th>File</th><th class="num">Duration</th><th class="num">Score</th>'
        "<th>Grade</th><th>Passed</th><th>Top problem</th></tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>"
    )


def _passed(score: Score) -> str:
    return '<td class="pass">passed</td>' if score.passed else '<td class="fail">FAILED</td>'


def _section(result: FileResult, index: int, extras: Extras) -> str:
    source = audio_url(result, extras) if result.ok else None
    css_class = ' class="has-audio"' if source else ""
    head = f'<section id="file-{index}"{css_class}>\n<h2>{escape(result.path)}</h2>'
    if not result.ok:
        return f'{head}\n<p class="error">Could not check this file: {escape(result.error or "unknown error")}</p>\n</section>'
    score, _, _ = result.checked()
    verdict_class = "pass" if score.passed else "fail"
    verdict = (
        f'<p class="verdict"><span class="grade {verdict_class}">{escape(score.grade)}</span>'
        f'<strong>{score.score}/100</strong> <span class="{verdict_class}">{"PASSED" if score.passed else "NEEDS WORK"}</span></p>'
    )
    player = f'<audio controls preload="metadata" src="{escape(source)}"></audio>' if source else ""
    change = extras.comparison.get(result.path) if extras.comparison else None
    parts = [
        head,
        verdict,
        f'<p class="muted">{escape(_details(result))}</p>',
        player,
        html_progress.changes(change) if change else "",
        _categories(result),
        "<h3>Timeline</h3>",
        timeline(result),
        _findings(result),
        "<h3>Transcript</h3>",
        _transcript(result, seekable=bool(source)),
    ]
    if result.skipped:
        parts.append(f'<p class="muted">Not checked without audio: {escape(", ".join(result.skipped))}</p>')
    parts.append("</section>")
    return "\n".join(part for part in parts if part)


def _details(result: FileResult) -> str:
    _, facts, transcript = result.checked()
    caller = facts["caller_name"] or "no name heard"
    company = f" ({facts['company']})" if facts["company"] else ""
    number = ", ".join(n["formatted"] for n in facts["callback_numbers"]) or "no number heard"
    mode = "times estimated from text" if facts["mode"] == "text" else f"{transcript.engine} {transcript.model}"
    return (
        f"Caller: {caller}{company} · Number: {number} · {facts['duration_s']:.1f} s · {facts['word_count']} words · "
        f"{facts['wpm']:.0f} wpm · {facts['filler_count']} fillers · {mode}"
    )


def _categories(result: FileResult) -> str:
    rows = []
    score, _, _ = result.checked()
    for name in CATEGORIES:
        category = score.categories.get(name)
        if category is None or not category.checked:
            rows.append(f'<tr><td>{name}</td><td class="num">-</td><td colspan="2" class="muted">not checked (needs audio)</td></tr>')
            continue
        verdict = '<span class="pass">pass</span>' if category.passed else '<span class="fail">FAIL</span>'
        rows.append(
            f'<tr><td>{name}</td><td class="num">{category.score}</td>'
            f'<td><span class="bar"><span style="width:{category.score}%"></span></span></td><td>{verdict}</td></tr>'
        )
    return (
        '<table class="categories">\n<thead><tr><th>Category</th><th class="num">Score</th><th></th><th>Result</th></tr>'
        "</thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>"
    )


def _findings(result: FileResult) -> str:
    if not result.findings:
        return '<h3>Findings</h3>\n<p class="pass">No findings. Send it.</p>'
    rows = []
    for finding in result.findings:
        rule = escape(finding.rule)
        if finding.link and finding.link.startswith(("https://", "http://")):
            rule = f'<a href="{escape(finding.link)}">{rule}</a>'
        at = clock(finding.start)
        if finding.start is not None:
            at = f'<button type="button" class="seek" data-t="{finding.start:.2f}" title="play from {at}">{at}</button>'
        rows.append(
            f'<tr><td class="num">{at}</td>'
            f'<td class="level level-{finding.level}">{LEVEL_MARK[finding.level]}</td>'
            f"<td>{escape(finding.message)}</td><td>{escape(finding.suggestion)}</td>"
            f'<td class="muted">{rule}</td></tr>'
        )
    return (
        '<h3>Findings</h3>\n<table class="findings">\n<thead><tr><th class="num">Time</th><th>Level</th><th>Finding</th>'
        "<th>Fix</th><th>Rule</th></tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>"
    )


def _transcript(result: FileResult, seekable: bool) -> str:
    """The words with the name, numbers, fillers and the ask marked by class; with audio, each word plays from itself.

    Words are spaced as the recogniser wrote them, so "415-555-0139" said as three tokens reads as one number.
    """
    assert result.facts is not None, "a checked message has facts"
    found = marks(result.facts)
    pieces: list[str] = []
    for word in result.transcript.words if result.transcript else ():
        kinds = sorted({kind for kind, start, end, _ in found if start - 1e-3 <= word.start and word.end <= end + 1e-3})
        text = escape(word.text.strip())
        attributes = f' data-t="{word.start:.2f}" data-end="{word.end:.2f}"' if seekable else ""
        if kinds:
            labels = escape(", ".join(MARKS[k][0] for k in kinds))
            attributes += f' class="{" ".join("m-" + k for k in kinds)}" title="{labels}"'
        space = " " if pieces and word.text[:1].isspace() else ""
        pieces.append(space + (f"<span{attributes}>{text}</span>" if attributes else text))
    legend = (
        '<br><span class="muted">Marked: <span class="m-name">name</span> · <span class="m-number">number</span> · '
        '<span class="m-ask">ask</span> · <span class="m-filler">filler</span></span>'
    )
    return f'<p class="transcript">{"".join(pieces) or "(no speech)"}{legend}</p>'
