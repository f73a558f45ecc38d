"""Progress against a baseline in the HTML report: a table of the files that changed, and a list in each section."""

from __future__ import annotations

from html import escape

from vmcheck.score.baseline import Comparison, FileChange


def overview(comparison: Comparison) -> str:
    changed = [c for c in comparison.files if c.status == "compared" and (c.improvements or c.regressions)]
    rows = []
    for change in changed:
        verdict = '<span class="fail">fails: worse than before</span>' if change.failed else ""
        rows.append(
            f'<tr><td>{escape(change.path)}</td><td class="num">{change.old_score} → {change.new_score}</td>'
            f'<td class="better">{escape("; ".join(change.improvements))}</td>'
            f'<td class="worse">{escape("; ".join(change.regressions))}</td><td>{verdict}</td></tr>'
        )
    counts = comparison.to_dict()["summary"]
    note = (
        f"{counts['compared']} files compared with {escape(comparison.baseline)}: {counts['improved']} improved, "
        f"{counts['regressed']} regressed, {counts['new file']} new, {counts['gone']} not checked this time."
    )
    table = (
        (
            '<table class="progress">\n<thead><tr><th>File</th><th class="num">Score</th><th>Better</th><th>Worse</th>'
            "<th>Ratchet</th></tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>"
        )
        if rows
        else "<p>Nothing changed in the files compared.</p>"
    )
    return f'<div class="progress">\n<h2>Since the baseline</h2>\n<p class="muted">{note}</p>\n{table}\n</div>'


def changes(change: FileChange) -> str:
    if change.status == "new file":
        return '<p class="muted">Not in the baseline: judged as usual.</p>'
    if not (change.improvements or change.regressions):
        return f'<p class="muted">Since the baseline: no change (score {change.old_score}).</p>'
    items = [f'<li class="better">{escape(text)}</li>' for text in change.improvements]
    items += [f'<li class="worse">{escape(text)}</li>' for text in change.regressions]
    return f'<p>Since the baseline: score {change.old_score} → {change.new_score}</p>\n<ul class="changes">{"".join(items)}</ul>'
