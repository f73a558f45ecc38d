"""Render the labelled voicemail scripts in voicemails.yaml to audio.

What it is for: a labelled AUDIO set for vmcheck's whole pipeline (decode,
transcribe, extract facts), generated on demand instead of committing audio.
Each case in voicemails.yaml is spoken by one of Debian's TTS voices (espeak-ng,
flite, festival), resampled with sox to 8 kHz telephone band (300-3400 Hz) or to
16 kHz, and written as NAME.wav (mono, 16-bit PCM). Cases marked
`human_digits: true` have every {...} digit group spoken by a real human voice
instead, spliced from single-digit recordings (0.15 s between digits of a group,
0.5 s between groups). Cases carry `split: tune` or `split: holdout`.

Output is deterministic (no dither, repeatable sox, deterministic TTS engines)
and fast (about a second per case).

    python tests/data/make_voicemails.py [OUT_DIR]      # prints the wav paths
    from tests.data.make_voicemails import render       # render(out_dir) -> [(path, case)]

Needs: sox, espeak-ng, flite, festival (text2wave) with festvox-us-slt-hts, and
asterisk-core-sounds-en-wav for the human digits.

Licence note: the digit recordings in /usr/share/asterisk/sounds/en/digits/ are
from Debian's asterisk-core-sounds-en-wav, recorded by Allison Smith
(theivrvoice.com), (c) 2003-2010, licensed CC-BY-SA 3.0. The rendered files that
contain them are derivative works: do not commit or redistribute them without
that attribution and licence. Nothing here copies the recordings into the repo.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
CASES_FILE = HERE / "voicemails.yaml"
DIGITS_DIR = Path("/usr/share/asterisk/sounds/en/digits")
DIGIT_WORDS = "oh one two three four five six seven eight nine".split()
NUMBER = re.compile(r"\{([\d ]+)\}")  # {312 555 0147}: digits, groups split by spaces
GAP_IN_GROUP, GAP_BETWEEN_GROUPS, GAP_AROUND_NUMBER = 0.15, 0.5, 0.35
LEAD_IN, TAIL = 0.3, 0.6
SOX = ["sox", "-D", "-R", "-V1"]  # no dither, repeatable, errors only
TELEPHONE_BAND = ["highpass", "300", "lowpass", "3400"]


def load_cases(path: Path = CASES_FILE) -> list[dict]:
    return yaml.safe_load(Path(path).read_text())


def spoken_text(script: str) -> str:
    """The script as words, each {...} digit group spelled out digit by digit."""

    def words(m: re.Match) -> str:
        groups = m.group(1).split()
        return ", ".join(" ".join(DIGIT_WORDS[int(d)] for d in g) for g in groups)

    return NUMBER.sub(words, script)


def _run(cmd: list[str], stdin: str | None = None) -> None:
    subprocess.run(cmd, check=True, capture_output=True, input=stdin and stdin.encode())


def _tts(text: str, voice: str, speed: float, wav: Path) -> None:
    engine, name = voice.split(":", 1)
    if engine == "espeak-ng":
        _run(["espeak-ng", "-v", name, "-s", str(round(160 * speed)), "-w", str(wav), text])
    elif engine == "flite":
        _run(["flite", "-voice", name, "--setf", f"duration_stretch={1 / speed:.3f}", "-t", text, "-o", str(wav)])
    elif engine == "festival":  # speed is ignored: HTS voices have their own timing
        _run(["text2wave", "-eval", f"(voice_{name})", "-o", str(wav)], stdin=text)
    else:
        raise ValueError(f"unknown TTS engine in voice {voice!r}")


def _conform(src: Path, dst: Path, rate: int, trim: bool = False) -> Path:
    """Mono 16-bit at `rate`, peak-normalised; `trim` cuts leading/trailing silence."""
    effects = ["silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%", "reverse"] if trim else []
    _run(SOX + [str(src), "-r", str(rate), "-c", "1", "-b", "16", str(dst)] + effects + ["norm", "-3"])
    return dst


def _silence(seconds: float, rate: int, work: Path) -> Path:
    path = work / f"sil-{rate}-{seconds:.2f}.wav"
    if not path.exists():
        _run(SOX + ["-n", "-r", str(rate), "-c", "1", "-b", "16", str(path), "trim", "0", f"{seconds:.2f}"])
    return path


def _digit(d: str, rate: int, work: Path) -> Path:
    path = work / f"digit-{rate}-{d}.wav"
    if not path.exists():
        _conform(DIGITS_DIR / f"{d}.wav", path, rate, trim=True)
    return path


def _pieces(case: dict, work: Path) -> list[Path]:
    """The case as a list of same-format wav pieces, in speaking order."""
    rate, voice, speed = case["rate_hz"], case["voice"], float(case.get("speed", 1.0))
    cid, pieces = case["id"], [_silence(LEAD_IN, rate, work)]

    def say(text: str) -> None:
        raw, out = work / f"{cid}-{len(pieces)}-raw.wav", work / f"{cid}-{len(pieces)}.wav"
        _tts(text, voice, speed, raw)
        pieces.append(_conform(raw, out, rate))

    if not case.get("human_digits"):
        say(spoken_text(case["script"]))
    else:
        # re.split with one group alternates text, digits, text, digits, ..., text
        for i, part in enumerate(NUMBER.split(case["script"])):
            if i % 2 == 0:
                if re.search(r"\w", part):
                    say(part.strip())
                continue
            pieces.append(_silence(GAP_AROUND_NUMBER, rate, work))
            for g, group in enumerate(part.split()):
                if g:
                    pieces.append(_silence(GAP_BETWEEN_GROUPS, rate, work))
                for k, d in enumerate(group):
                    if k:
                        pieces.append(_silence(GAP_IN_GROUP, rate, work))
                    pieces.append(_digit(d, rate, work))
            pieces.append(_silence(GAP_AROUND_NUMBER, rate, work))
    pieces.append(_silence(TAIL, rate, work))
    return pieces


def _check_tools(cases: list[dict]) -> None:
    tool_of = {"festival": "text2wave"}  # festival is driven through text2wave
    need = {"sox"} | {tool_of.get(c["voice"].split(":")[0], c["voice"].split(":")[0]) for c in cases}
    missing = [t for t in sorted(need) if not shutil.which(t)]
    if any(c.get("human_digits") for c in cases) and not (DIGITS_DIR / "0.wav").exists():
        missing.append(f"{DIGITS_DIR} (asterisk-core-sounds-en-wav)")
    if missing:
        raise RuntimeError("make_voicemails needs: " + ", ".join(missing))


def render(out_dir: str | Path | None = None, split: str | None = None, cases: list[dict] | None = None) -> list[tuple[Path, dict]]:
    """Render every case (or one split) to out_dir/NAME.wav; return [(path, case)]."""
    out = Path(out_dir) if out_dir else Path(tempfile.mkdtemp(prefix="vmcheck-voicemails-"))
    out.mkdir(parents=True, exist_ok=True)
    cases = [c for c in (cases or load_cases()) if split in (None, c.get("split"))]
    _check_tools(cases)
    rendered = []
    with tempfile.TemporaryDirectory(prefix="vm-pieces-") as tmp:
        work = Path(tmp)
        for case in cases:
            path = out / f"{case['id']}.wav"
            band = TELEPHONE_BAND if case["rate_hz"] == 8000 else []
            _run(SOX + [str(p) for p in _pieces(case, work)] + [str(path)] + band + ["norm", "-1"])
            rendered.append((path, case))
    return rendered


def main(argv: list[str]) -> int:
    if len(argv) > 1 or (argv and argv[0].startswith("-")):
        print("usage: make_voicemails.py [OUT_DIR]", file=sys.stderr)
        return 2
    for path, _case in render(argv[0] if argv else None):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
