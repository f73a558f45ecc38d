"""Accuracy per fact on the labelled sets, per split, for one or more models: run by hand.

    .venv/bin/python bench/accuracy.py [--model tiny.en --model base] [--engine whisper] [--audio-dir DIR]

Three sets, each labelled apart from the extractors (see the headers of the files in tests/data):
- ``text/tune``: tests/data/labelled_transcripts.yaml, transcripts the extractors were tuned on;
- ``text/holdout``: tests/data/holdout_transcripts.yaml, never tuned on;
- ``audio/tune`` and ``audio/holdout``: tests/data/voicemails.yaml rendered to speech by
  tests/data/make_voicemails.py (TTS voices and a real recorded voice for some numbers, 8 and
  16 kHz) and run through the whole pipeline with each model. Audio labels are what was *said*,
  so a misheard name or digit counts against vmcheck, as it would against a listener.

Facts: caller name, company, callback numbers (the exact set of digit strings), ask present,
rambling (the rambling category fails). It also prints the word error rate on samples/ and the
seconds of audio transcribed per wall-clock second for each model. Run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import torch
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.labels import FACTS, got, right, tally  # noqa: E402
from tests.wer import wer  # noqa: E402
from vmcheck.audio import decode  # noqa: E402
from vmcheck.facts import spoken_numbers  # noqa: E402
from vmcheck.findings import ruleset  # noqa: E402
from vmcheck.run import pipeline  # noqa: E402
from vmcheck.run.config import Settings  # noqa: E402
from vmcheck.transcript import engines  # noqa: E402
from vmcheck.transcript.textmode import from_text  # noqa: E402

DATA = ROOT / "tests" / "data"


def text_sets(rules, settings) -> dict[str, list]:
    sets = {}
    for name, file in (("text/tune", "labelled_transcripts.yaml"), ("text/holdout", "holdout_transcripts.yaml")):
        rows = []
        for case in yaml.safe_load((DATA / file).read_text()):
            result = pipeline.judge("-", from_text(case["text"], settings.text_wpm), None, rules, settings)
            rows.append((got(result), case["expect"]))
        sets[name] = rows
    return sets


def audio_sets(rules, settings, engine, audio_dir: Path) -> tuple[dict[str, list], float, float]:
    from tests.data.make_voicemails import render

    sets: dict[str, list] = {"audio/tune": [], "audio/holdout": []}
    seconds = wall = 0.0
    for path, case in render(audio_dir):
        torch.manual_seed(0)  # the temperature fallback samples: seeded, two runs of the bench compare
        started = time.perf_counter()
        result = pipeline.check_audio(str(path), engine, rules, settings)
        wall += time.perf_counter() - started
        seconds += result.facts["duration_s"]
        g = got(result)
        sets[f"audio/{case['split']}"].append((g, case["expect"]))
        misses = [f for f in FACTS if not right(f, g[f], case["expect"][f])]
        if misses:
            print(f"  {case['id']}: " + "; ".join(f"{f} {g[f]!r} (want {case['expect'][f]!r})" for f in misses))
    return sets, seconds, wall


def samples_wer(engine) -> float:
    errors = []
    for reference in sorted((ROOT / "samples").glob("*.ref.txt")):
        audio = next(p for p in reference.parent.glob(reference.name.replace(".ref.txt", ".*")) if p != reference)
        errors.append(wer(reference.read_text(), engines.transcribe(decode(str(audio)), engine, spoken_numbers.spans).text))
    return sum(errors) / len(errors)


def show(title: str, sets: dict[str, list]) -> None:
    print(f"\n{title}")
    print("| set | n | " + " | ".join(FACTS) + " |")
    print("|---|---|" + "---|" * len(FACTS))
    for name, rows in sets.items():
        figures = tally(rows)
        print(f"| {name} | {len(rows)} | " + " | ".join(f"{figures[f]:.0%}" for f in FACTS) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", help="tiny.en (default), base, or a checkpoint path")
    parser.add_argument("--engine", default="whisper", choices=engines.ENGINES)
    parser.add_argument("--text-only", action="store_true", help="skip the audio set")
    parser.add_argument("--audio-dir", type=Path, help="where to render the voicemails (default: a temporary folder)")
    args = parser.parse_args()
    rules = ruleset.load()
    settings = Settings()
    show("Text (model-independent)", text_sets(rules, settings))
    if args.text_only:
        return
    audio_dir = args.audio_dir or Path(tempfile.mkdtemp(prefix="vmcheck-voicemails-"))
    for model_name in args.model or ["tiny.en"]:
        engine = engines.load_engine(args.engine, model_name)
        print(f"\nAudio, {args.engine} {model_name}: misses")
        sets, seconds, wall = audio_sets(rules, Settings(model=model_name, engine=args.engine), engine, audio_dir)
        show(f"Audio, {args.engine} {model_name}: {seconds / wall:.1f} s of audio a second", sets)
        print(f"samples/ word error rate: {samples_wer(engine):.1%}")


if __name__ == "__main__":
    main()
