"""One self-contained HTML page to mail to a trainer or attach to a CI run: opens offline, needs no JavaScript.

CSS and the timeline SVG are inline and nothing is fetched, so the page looks
the same from an e-mail attachment or a CI artefact. Every mark carries a
text label or sits in a labelled lane, so the page also reads when printed in
greyscale. All text from results goes through ``html.escape``.
"""

from __future__ import annotations

from html import escape

from vmcheck.checks.base import CATEGORIES
from vmcheck.pipeline import FileResult
from vmcheck.reporters.common import clock, top_finding, worst_first
from vmcheck.reporters.json_report import summary

LEVEL_MARK = {"error": "✖ error", "warning": "▲ warning", "suggestion": "● suggestion"}
# kind: (lane label, fill); fills differ in lightness too, for greyscale prints.
MARKS = {
    "name": ("caller's name", "#1f5fa8"),
    "number": ("number", "#8e3ccb"),
    "ask": ("ask", "#3f9d4f"),
    "filler": ("fillers", "#f0a030"),
}
SPEECH, PAUSE = "#4a4a4a", "#ffffff"
WIDTH, LEFT, RIGHT, TOP, LANE, BAR = 800, 104, 24, 10, 24, 14
PLOT = WIDTH - LEFT - RIGHT
TICK_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300)

STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1d1d1f;
max-width:980px;margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem;margin:0 0 .2rem}h2{font-size:1.2rem;margin:.2rem 0;word-break:break-all}
h3{font-size:1rem;margin:1rem 0 .3rem}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #d0d0d0;vertical-align:top}
th{background:#f0f0f0}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.categories{width:auto;min-width:28em}td.level{white-space:nowrap}
a{color:#1f5fa8}.muted{color:#666}.error{color:#b3261e;font-weight:600}
.grade{display:inline-block;min-width:1.5em;text-align:center;font-weight:700;border:2px solid;border-radius:4px;
padding:0 .3em;margin-right:.5em}
.pass{color:#1b7a35}.fail{color:#b3261e}
.level-error{color:#b3261e;font-weight:700}.level-warning{color:#8a5a00;font-weight:600}.level-suggestion{color:#1f5fa8}
.bar{display:inline-block;width:10em;height:.75em;border:1px solid #888;background:#f4f4f4;vertical-align:middle}
.bar span{display:block;height:100%;background:#4a4a4a}
section{border-top:3px solid #333;margin-top:2.2rem;padding-top:.6rem}
.verdict{font-size:1.15rem;margin:.3rem 0}
.timeline{max-width:100%;height:auto;display:block;margin:.4rem 0}
.transcript{background:#fafafa;border:1px solid #ddd;padding:.6rem .8rem;line-height:1.9}
.m-name{background:#cfe0f5;font-weight:700}.m-number{background:#e6d5f3;font-weight:700}
.m-filler{background:#fde3bd;font-style:italic}.m-ask{border-bottom:2px solid #3f9d4f}
@media print{section{break-inside:avoid-page}}
"""


def render(results: list[FileResult]) -> str:
    totals = summary(results)
    title = "vmcheck report" + (f": {results[0].path}" if len(results) == 1 else f": {len(results)} voicemails")
    body = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="muted">{escape(_totals(totals))}</p>',
        _overview(results),
        *(_section(result, i) for i, result in enumerate(results)),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
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
            rows.append(f'<tr><td>{link}</td><td class="num">-</td><td class="num">-</td><td>-</td>'
                        f'<td class="error">error</td><td>{escape(result.error or "")}</td></tr>')
            continue
        top = top_finding(result)
        problem = f"{escape(top.message)} <span class=\"muted\">({escape(top.rule)})</span>" if top else "none"
        rows.append(
            f'<tr><td>{link}</td><td class="num">{result.facts["duration_s"]:.1f} s</td>'
            f'<td class="num">{result.score.score}</td><td>{escape(result.score.grade)}</td>{_passed(result)}'
            f"<td>{problem}</td></tr>"
        )
    return (
        '<table class="overview">\n<thead><tr><th>File</th><th class="num">Duration</th><th class="num">Score</th>'
        "<th>Grade</th><th>Passed</th><th>Top problem</th></tr></thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody>\n</table>"
    )


def _passed(result: FileResult) -> str:
    return '<td class="pass">passed</td>' if result.score.passed else '<td class="fail">FAILED</td>'


def _section(result: FileResult, index: int) -> str:
    head = f'<section id="file-{index}">\n<h2>{escape(result.path)}</h2>'
    if not result.ok:
        return f'{head}\n<p class="error">Could not check this file: {escape(result.error or "unknown error")}</p>\n</section>'
    score = result.score
    verdict_class = "pass" if score.passed else "fail"
    verdict = (
        f'<p class="verdict"><span class="grade {verdict_class}">{escape(score.grade)}</span>'
        f'<strong>{score.score}/100</strong> <span class="{verdict_class}">{"PASSED" if score.passed else "NEEDS WORK"}</span></p>'
    )
    parts = [head, verdict, f'<p class="muted">{escape(_details(result))}</p>', _categories(result),
             "<h3>Timeline</h3>", timeline(result), _findings(result), "<h3>Transcript</h3>", _transcript(result)]
    if result.skipped:
        parts.append(f'<p class="muted">Not checked without audio: {escape(", ".join(result.skipped))}</p>')
    parts.append("</section>")
    return "\n".join(parts)


def _details(result: FileResult) -> str:
    facts = result.facts
    caller = facts["caller_name"] or "no name heard"
    company = f" ({facts['company']})" if facts["company"] else ""
    number = ", ".join(n["formatted"] for n in facts["callback_numbers"]) or "no number heard"
    mode = "times estimated from text" if facts["mode"] == "text" else f"{result.transcript.engine} {result.transcript.model}"
    return (
        f"Caller: {caller}{company} · Number: {number} · {facts['duration_s']:.1f} s · {facts['word_count']} words · "
        f"{facts['wpm']:.0f} wpm · {facts['filler_count']} fillers · {mode}"
    )


def _categories(result: FileResult) -> str:
    rows = []
    for name in CATEGORIES:
        category = result.score.categories.get(name)
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
        rows.append(
            f'<tr><td class="num">{clock(finding.start)}</td>'
            f'<td class="level level-{finding.level}">{LEVEL_MARK[finding.level]}</td>'
            f"<td>{escape(finding.message)}</td><td>{escape(finding.suggestion)}</td>"
            f'<td class="muted">{rule}</td></tr>'
        )
    return (
        '<h3>Findings</h3>\n<table class="findings">\n<thead><tr><th class="num">Time</th><th>Level</th><th>Finding</th>'
        "<th>Fix</th><th>Rule</th></tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>"
    )


def marks(facts: dict) -> list[tuple[str, float, float, str]]:
    """(kind, start, end, text) for the caller's name, each number mention, the ask and each filler."""
    found = []
    caller = facts.get("caller") or {}
    if caller.get("start") is not None:
        found.append(("name", caller["start"], caller["end"], caller.get("name") or "name"))
    for number in facts.get("callback_numbers") or []:
        for mention in number["mentions"]:
            found.append(("number", mention["start"], mention["end"], mention.get("text") or number["formatted"]))
    ask = facts.get("ask")
    if ask and ask.get("start") is not None:
        found.append(("ask", ask["start"], ask["end"], ask.get("text") or "ask"))
    for filler in facts.get("fillers") or []:
        found.append(("filler", filler["start"], filler["end"], filler.get("text") or "filler"))
    return found


def timeline(result: FileResult) -> str:
    """An SVG of the message: speech against pauses, then one labelled lane per kind of mark, a seconds axis, a legend."""
    words = result.transcript.words if result.transcript else ()
    found = marks(result.facts)
    span = max([1.0, result.facts["duration_s"], *(w.end for w in words), *(end for _, _, end, _ in found)])

    def x(seconds: float) -> float:
        return LEFT + max(0.0, seconds) / span * PLOT

    def rect(start: float, end: float, y: float, fill: str, title: str, stroke: str = "#222") -> str:
        width = max(2.0, x(end) - x(start))
        return (f'<rect x="{x(start):.1f}" y="{y:.1f}" width="{width:.1f}" height="{BAR}" fill="{fill}" '
                f'stroke="{stroke}" stroke-width="0.6"><title>{escape(title)}</title></rect>')

    lanes = [("speech", None), *((kind, label) for kind, (label, _) in MARKS.items())]
    axis_y = TOP + len(lanes) * LANE + 4
    height = axis_y + 62
    out = [
        f'<svg class="timeline" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="Timeline of {escape(result.path)}" font-family="system-ui, Arial, sans-serif" font-size="11">'
    ]
    for row, (kind, label) in enumerate(lanes):
        y = TOP + row * LANE
        out.append(f'<text x="{LEFT - 8}" y="{y + BAR - 3}" text-anchor="end" fill="#222">{escape(label or "speech / pause")}</text>')
        if kind == "speech":
            out.append(rect(0.0, span, y, PAUSE, f"pause (no speech), 0 to {span:.1f} s", stroke="#888"))
            out.extend(rect(start, end, y, SPEECH, f"speech {start:.1f}-{end:.1f} s", stroke=SPEECH) for start, end in _runs(words))
            continue
        out.append(f'<line x1="{LEFT}" y1="{y + BAR / 2}" x2="{LEFT + PLOT}" y2="{y + BAR / 2}" stroke="#ccc"/>')
        lane_marks = [(start, end, text) for k, start, end, text in found if k == kind]
        for n, (start, end, text) in enumerate(lane_marks, 1):
            out.append(rect(start, end, y, MARKS[kind][1], f"{MARKS[kind][0]} at {start:.1f}-{end:.1f} s: {text}"))
            if kind == "number":
                out.append(f'<text x="{x(end) + 3:.1f}" y="{y + BAR - 3}" fill="#222">#{n}</text>')
        if kind == "name" and lane_marks:
            start, end, text = lane_marks[0]
            anchor, at = ("start", x(end) + 4) if x(end) < LEFT + PLOT * 0.6 else ("end", x(start) - 4)
            out.append(f'<text x="{at:.1f}" y="{y + BAR - 3}" text-anchor="{anchor}" fill="#222">{escape(text[:40])}</text>')
        if not lane_marks:
            out.append(f'<text x="{LEFT + 4}" y="{y + BAR - 3}" fill="#888">none</text>')
    out.extend(_axis(span, axis_y, x))
    out.extend(_legend(axis_y + 40))
    out.append("</svg>")
    caption = "Times are estimated from the text at a steady speaking rate." if result.facts["mode"] == "text" else ""
    return "\n".join(out) + (f'\n<p class="muted">{caption}</p>' if caption else "")


def _runs(words) -> list[tuple[float, float]]:
    """Words merged into stretches of speech; any gap between words is drawn as pause."""
    runs: list[list[float]] = []
    for word in words:
        if runs and word.start - runs[-1][1] < 0.05:
            runs[-1][1] = max(runs[-1][1], word.end)
        else:
            runs.append([word.start, word.end])
    return [(start, end) for start, end in runs]


def _axis(span: float, y: float, x) -> list[str]:
    step = next((s for s in TICK_STEPS if span / s <= 10), TICK_STEPS[-1])
    out = [f'<line x1="{LEFT}" y1="{y}" x2="{LEFT + PLOT}" y2="{y}" stroke="#222"/>']
    tick = 0
    while tick <= span + 1e-9:
        out.append(f'<line x1="{x(tick):.1f}" y1="{y}" x2="{x(tick):.1f}" y2="{y + 5}" stroke="#222"/>')
        out.append(f'<text x="{x(tick):.1f}" y="{y + 17}" text-anchor="middle" fill="#222">{tick}</text>')
        tick += step
    out.append(f'<text x="{LEFT - 8}" y="{y + 17}" text-anchor="end" fill="#222">seconds</text>')
    return out


def _legend(y: float) -> list[str]:
    entries = [("speech", SPEECH, SPEECH), ("pause", PAUSE, "#888")]
    entries += [(label, fill, "#222") for label, fill in MARKS.values()]
    out, at = [], LEFT
    for label, fill, stroke in entries:
        out.append(f'<rect x="{at:.1f}" y="{y}" width="12" height="12" fill="{fill}" stroke="{stroke}" stroke-width="0.8"/>')
        out.append(f'<text x="{at + 16:.1f}" y="{y + 10}" fill="#222">{escape(label)}</text>')
        at += 26 + 6.3 * len(label)
    return out


def _transcript(result: FileResult) -> str:
    """The words with the name, numbers, fillers and the ask marked by class, each with a tooltip."""
    found = marks(result.facts)
    pieces = []
    for word in result.transcript.words if result.transcript else ():
        kinds = sorted({kind for kind, start, end, _ in found if start - 1e-3 <= word.start and word.end <= end + 1e-3})
        text = escape(word.text.strip())
        if kinds:
            labels = escape(", ".join(MARKS[k][0] for k in kinds))
            text = f'<span class="{" ".join("m-" + k for k in kinds)}" title="{labels}">{text}</span>'
        pieces.append(text)
    legend = (
        '<br><span class="muted">Marked: <span class="m-name">name</span> · <span class="m-number">number</span> · '
        '<span class="m-ask">ask</span> · <span class="m-filler">filler</span></span>'
    )
    return f'<p class="transcript">{" ".join(pieces) or "(no speech)"}{legend}</p>'
