"""The team at a glance in the HTML report: a table per group and two inline SVG charts.

The charts are the spread of scores (one dot a message, a bar at the mean)
and, per category, the share of messages with a finding in it. Every bar and
dot carries its figure as text or a tooltip, so they read in greyscale too.
"""

from __future__ import annotations

from html import escape

from vmcheck.findings.checks.base import CATEGORIES
from vmcheck.report.formats.common import Extras
from vmcheck.report.grouping import GroupStats, stats
from vmcheck.report.result import FileResult

WIDTH, LEFT, RIGHT, ROW, HEAD = 800, 170, 24, 26, 30
PLOT = WIDTH - LEFT - RIGHT
CELL_GAP = 8
DOT, MEAN = "#1f5fa8", "#1d1d1f"


def render(results: list[FileResult], extras: Extras) -> str:
    groups = extras.groups or [stats("all messages", results)]
    label = extras.group_label if extras.groups else "group"
    return "\n".join(
        [
            '<div class="team">',
            f"<h2>By {escape(label)}</h2>" if extras.groups else "<h2>The batch</h2>",
            table(groups, label),
            '<div class="charts">',
            "<h3>Spread of scores</h3>",
            score_spread(groups),
            "<h3>Messages with a finding, per category</h3>",
            category_findings(groups),
            "</div>",
            "</div>",
        ]
    )


def table(groups: list[GroupStats], label: str) -> str:
    rows = []
    for group in groups:
        rate = "-" if group.pass_rate is None else f"{group.pass_rate:.0%}"
        mean = "-" if group.mean_score is None else f"{group.mean_score:.1f}"
        common = ", ".join(f"{escape(rule)} ({files})" for rule, files in group.top_findings) or "none"
        errors = f' <span class="error">{group.errors} could not be checked</span>' if group.errors else ""
        rows.append(
            f'<tr><td>{escape(group.name)}</td><td class="num">{group.messages}</td><td class="num">{rate}</td>'
            f'<td class="num">{mean}</td><td>{common}{errors}</td></tr>'
        )
    return (
        f'<table class="groups">\n<thead><tr><th>{escape(label.capitalize())}</th><th class="num">Messages</th>'
        '<th class="num">Pass rate</th><th class="num">Mean score</th><th>Most common findings (files)</th></tr></thead>\n'
        "<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>"
    )


def score_spread(groups: list[GroupStats]) -> str:
    """A strip chart on a 0-100 axis: a dot for each message's score and a dark bar at the group's mean."""
    height = HEAD + ROW * len(groups) + 10

    def x(score: float) -> float:
        return LEFT + score / 100 * PLOT

    out = [_svg("Spread of scores per group", height)]
    for tick in range(0, 101, 10):
        out.append(f'<line x1="{x(tick):.1f}" y1="{HEAD - 6}" x2="{x(tick):.1f}" y2="{height - 10}" stroke="#e0e0e0"/>')
        if tick % 20 == 0:
            out.append(f'<text x="{x(tick):.1f}" y="{HEAD - 12}" text-anchor="middle" fill="#222">{tick}</text>')
    for row, group in enumerate(groups):
        middle = HEAD + row * ROW + ROW / 2
        out.append(_row_label(group.name, f"n={len(group.scores)}", middle))
        for i, score in enumerate(group.scores):
            jitter = (i % 3 - 1) * 5
            out.append(
                f'<circle cx="{x(score):.1f}" cy="{middle + jitter:.1f}" r="4" fill="{DOT}" fill-opacity="0.55" '
                f'stroke="{DOT}"><title>{escape(group.name)}: {score}</title></circle>'
            )
        if group.mean_score is not None:
            at = x(group.mean_score)
            out.append(
                f'<rect x="{at - 1.5:.1f}" y="{middle - 10:.1f}" width="3" height="20" fill="{MEAN}">'
                f"<title>{escape(group.name)}: mean {group.mean_score:.1f}</title></rect>"
            )
    out.append("</svg>")
    return "\n".join(out)


def category_findings(groups: list[GroupStats]) -> str:
    """A small bar per group and category: the share of its scored messages with a finding in that category."""
    cell = (PLOT - CELL_GAP * (len(CATEGORIES) - 1)) / len(CATEGORIES)
    height = HEAD + ROW * len(groups) + 10
    out = [_svg("Messages with a finding, per group and category", height)]
    for column, category in enumerate(CATEGORIES):
        left = LEFT + column * (cell + CELL_GAP)
        out.append(f'<text x="{left:.1f}" y="{HEAD - 12}" fill="#222" font-weight="600">{category}</text>')
    for row, group in enumerate(groups):
        top = HEAD + row * ROW + 4
        scored = len(group.scores)
        out.append(_row_label(group.name, "", top + ROW / 2 - 4))
        for column, category in enumerate(CATEGORIES):
            left = LEFT + column * (cell + CELL_GAP)
            count = group.category_findings[category]
            share = count / scored if scored else 0.0
            out.append(f'<rect x="{left:.1f}" y="{top:.1f}" width="{cell:.1f}" height="{ROW - 8}" fill="#f4f4f4" stroke="#bbb"/>')
            if share:
                out.append(
                    f'<rect x="{left:.1f}" y="{top:.1f}" width="{cell * share:.1f}" height="{ROW - 8}" fill="#8a5a00" '
                    f'fill-opacity="0.75"><title>{escape(group.name)}, {category}: {count} of {scored}</title></rect>'
                )
            out.append(f'<text x="{left + 4:.1f}" y="{top + ROW - 13:.1f}" fill="#111">{count}/{scored}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _svg(label: str, height: float) -> str:
    return (
        f'<svg width="{WIDTH}" height="{height:.0f}" viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
        f'aria-label="{escape(label)}" font-family="system-ui, Arial, sans-serif" font-size="11">'
    )


def _row_label(name: str, note: str, middle: float) -> str:
    shown = name if len(name) <= 24 else name[:23] + "…"
    suffix = f' <tspan fill="#666">{note}</tspan>' if note else ""
    return f'<text x="{LEFT - 8}" y="{middle + 4:.1f}" text-anchor="end" fill="#222">{escape(shown)}{suffix}</text>'
