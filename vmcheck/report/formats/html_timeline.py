"""The timeline of one message as inline SVG: speech against pauses, then a labelled lane per kind of mark.

Every mark carries a text label or sits in a labelled lane, so it also reads
when printed in greyscale. Marks carry their start time (``data-t``) so the
page's script can play the message from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from vmcheck.facts import FactsDict
from vmcheck.report.result import FileResult

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


def marks(facts: FactsDict) -> list[tuple[str, float, float, str]]:
    """(kind, start, end, text) for the caller's name, each number mention, the ask and each filler."""
    found: list[tuple[str, Any, Any, str]] = []
    caller: Mapping[str, Any] = facts.get("caller") or {}
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
    facts = result.facts
    assert facts is not None, "a checked message has facts"
    found = marks(facts)
    span = max([1.0, facts["duration_s"], *(w.end for w in words), *(end for _, _, end, _ in found)])

    def x(seconds: float) -> float:
        return LEFT + max(0.0, seconds) / span * PLOT

    def rect(start: float, end: float, y: float, fill: str, title: str, stroke: str = "#222", seek: bool = True) -> str:
        width = max(2.0, x(end) - x(start))
        at = f' data-t="{start:.2f}"' if seek else ""
        return (
            f'<rect x="{x(start):.1f}" y="{y:.1f}" width="{width:.1f}" height="{BAR}" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="0.6"{at}><title>{escape(title)}</title></rect>'
        )

    lanes = [("speech", None), *((kind, label) for kind, (label, _) in MARKS.items())]
    axis_y = TOP + len(lanes) * LANE + 4
    height = axis_y + 62
    out = [
        f'<svg class="timeline" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="Timeline of {escape(result.path)}" font-family="system-ui, Arial, sans-serif" font-size="11" '
        f'data-left="{LEFT}" data-plot="{PLOT}" data-span="{span:.3f}">'
    ]
    for row, (kind, label) in enumerate(lanes):
        y = TOP + row * LANE
        out.append(f'<text x="{LEFT - 8}" y="{y + BAR - 3}" text-anchor="end" fill="#222">{escape(label or "speech / pause")}</text>')
        if kind == "speech":
            out.append(rect(0.0, span, y, PAUSE, f"pause (no speech), 0 to {span:.1f} s", stroke="#888", seek=False))
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
    out.append(f'<line class="playhead" x1="{LEFT}" y1="{TOP - 4}" x2="{LEFT}" y2="{axis_y}" stroke="#b3261e" stroke-width="2" visibility="hidden"/>')
    out.extend(_legend(axis_y + 40))
    out.append("</svg>")
    caption = "Times are estimated from the text at a steady speaking rate." if facts["mode"] == "text" else ""
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
    out: list[str] = []
    at: float = LEFT
    for label, fill, stroke in entries:
        out.append(f'<rect x="{at:.1f}" y="{y}" width="12" height="12" fill="{fill}" stroke="{stroke}" stroke-width="0.8"/>')
        out.append(f'<text x="{at + 16:.1f}" y="{y + 10}" fill="#222">{escape(label)}</text>')
        at += 26 + 6.3 * len(label)
    return out
