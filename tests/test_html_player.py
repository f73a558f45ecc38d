"""Listening in the HTML report, in real headless Chromium: a click on a finding, a timeline mark or a word plays
the message from there, the word being said is highlighted, and the page fetches nothing but its own audio.

One real recording (transcribed once, by the command line, for the whole module) and one text script, in two
reps' folders, so the page also carries the team table and charts.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser import Browser
from tests.conftest import ROOT, SAMPLES

RECORDING = "number_once_fast.flac"
SCRIPT = "Hi Dana, this is John Miller from Acme. Could you call me back by Friday at 312-555-0147? Again, 312-555-0147. Thanks!"


def vmcheck(*args, cwd: Path):
    return subprocess.run(
        [sys.executable, "-m", "vmcheck", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=900,
    )


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """The same folder reported twice: audio linked from ``reports/audit.html``, and embedded in ``mail.html``."""
    folder = tmp_path_factory.mktemp("player")
    (folder / "recordings" / "lisa").mkdir(parents=True)
    (folder / "recordings" / "john").mkdir()
    shutil.copy(SAMPLES / RECORDING, folder / "recordings" / "lisa" / RECORDING)
    (folder / "recordings" / "john" / "script.txt").write_text(SCRIPT)
    (folder / "reports").mkdir()
    common = ["check", "recordings", "-q", "--group-by", "folder"]
    linked = vmcheck(*common, "--format", "html", "-o", "reports/audit.html", cwd=folder)
    embedded = vmcheck(*common, "--format", "html", "--embed-audio", "-o", "mail.html", cwd=folder)
    checked = vmcheck("check", "recordings", "-q", "--format", "json", cwd=folder)
    for run in (linked, embedded, checked):
        assert run.returncode in (0, 1), run.stderr
    result = next(f for f in json.loads(checked.stdout)["files"] if f["path"].endswith(RECORDING))
    return folder, result


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with Browser(tmp_path_factory.mktemp("chromium")) as chromium:
        yield chromium


def _open(browser: Browser, page: Path) -> None:
    browser.events.clear()
    browser.open(page.as_uri())
    ready = "a => a.readyState >= 1 ? 1 : new Promise(r => a.addEventListener('loadedmetadata', () => r(1)))"
    assert browser.evaluate(f"({ready})(document.querySelector('audio'))") == 1


def _seeked(browser: Browser) -> float:
    """The player's position once a seek has settled."""
    return browser.evaluate(
        "(a => a.seeking ? new Promise(r => a.addEventListener('seeked', () => r(a.currentTime))) : a.currentTime)(document.querySelector('audio'))"
    )


@pytest.mark.parametrize("page", ["reports/audit.html", "mail.html"])
def test_clicking_a_finding_plays_the_message_from_its_time(reports, browser, page):
    folder, result = reports
    _open(browser, folder / page)
    timed = [f for f in result["findings"] if f["start"] is not None and f["start"] > 1]
    assert timed, result["findings"]
    selector = f'section.has-audio button.seek[data-t="{timed[0]["start"]:.2f}"]'
    assert browser.evaluate("document.querySelector('audio').currentTime") == 0
    browser.click(selector)
    position = _seeked(browser)
    assert timed[0]["start"] <= position < timed[0]["start"] + 1.0, position
    assert browser.evaluate("document.querySelector('audio').paused") is False
    browser.evaluate("document.querySelector('audio').pause()")


def test_clicking_a_word_or_a_mark_seeks_and_the_word_said_is_highlighted(reports, browser):
    folder, result = reports
    _open(browser, folder / "reports/audit.html")
    words = result["transcript"]["words"]
    word = words[len(words) // 2]
    browser.click(f'.transcript span[data-t="{word["start"]:.2f}"]')
    position = _seeked(browser)
    browser.evaluate("document.querySelector('audio').pause()")
    assert word["start"] <= position < word["start"] + 1.0
    browser.evaluate("new Promise(r => requestAnimationFrame(() => r(1)))")
    now = browser.evaluate("[...document.querySelectorAll('.transcript .now')].map(e => [+e.dataset.t, +e.dataset.end])")
    assert len(now) == 1 and now[0][0] <= position < now[0][1], (now, position)
    assert browser.evaluate("document.querySelector('section.has-audio svg.timeline .playhead').getAttribute('visibility')") == "visible"
    number = result["facts"]["callback_numbers"][0]["mentions"][0]
    browser.click(f'svg.timeline rect[data-t="{number["start"]:.2f}"]')
    position = _seeked(browser)
    browser.evaluate("document.querySelector('audio').pause()")
    assert number["start"] <= position < number["start"] + 1.0


def test_the_page_fetches_nothing_but_its_own_audio(reports, browser):
    folder, _ = reports
    _open(browser, folder / "reports/audit.html")
    src = browser.evaluate("document.querySelector('audio').getAttribute('src')")
    assert src == f"../recordings/lisa/{RECORDING}"
    # data: URLs besides ours are Chromium's own icons for the player's controls
    assert {urlsplit(url).scheme for url in browser.requests} == {"file", "data"}
    files = {url for url in browser.requests if url.startswith("file:")}
    assert files == {(folder / "reports/audit.html").as_uri(), (folder / "recordings/lisa" / RECORDING).as_uri()}
    _open(browser, folder / "mail.html")
    assert {urlsplit(url).scheme for url in browser.requests} == {"file", "data"}
    assert [url for url in browser.requests if url.startswith("file:")] == [(folder / "mail.html").as_uri()]
    src = browser.evaluate("document.querySelector('audio').getAttribute('src')")
    media, _, data = src.partition(";base64,")
    assert media == "data:audio/flac" and base64.b64decode(data) == (SAMPLES / RECORDING).read_bytes()
    assert browser.evaluate("document.querySelectorAll('audio').length") == 1  # the text script has no player


def test_the_team_charts_render(reports, browser):
    folder, _ = reports
    _open(browser, folder / "reports/audit.html")
    rows = browser.evaluate("[...document.querySelectorAll('table.groups tbody tr')].map(r => r.cells[0].textContent)")
    assert sorted(rows) == ["john", "lisa"]
    dots = browser.evaluate("document.querySelectorAll('.charts svg circle').length")
    assert dots == 2
    sizes = browser.evaluate("[...document.querySelectorAll('.charts svg')].map(s => s.getBoundingClientRect().height)")
    assert len(sizes) == 2 and all(h > 40 for h in sizes)
