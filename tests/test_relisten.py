"""The second listen to numbers: real audio through the real engine, and the time mapping on its own."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import SAMPLES, heard
from vmcheck import audio
from vmcheck.facts import Expectations, spoken_numbers
from vmcheck.run import pipeline
from vmcheck.run.config import Settings
from vmcheck.transcript import relisten


@pytest.fixture(scope="module")
def excellent(engine):
    return heard(SAMPLES / "excellent.wav", engine)[0]


def test_every_mention_is_listened_to_again_within_its_own_time(excellent):
    assert len(excellent.relistens) == 2
    for reading in excellent.relistens:
        digits = "".join(ch for w in reading.words for ch in w.text if ch.isdigit())
        assert "5550147" in digits, reading
        for word in reading.words:
            assert reading.start - 1.0 <= word.start <= word.end <= reading.end + 1.0


def test_the_second_listen_survives_the_cache_round_trip(excellent):
    from vmcheck.transcript import Transcript

    again = Transcript.from_dict(excellent.to_dict())
    assert again.to_dict() == excellent.to_dict() and len(again.relistens) == len(excellent.relistens)


def test_no_number_means_no_second_listen(engine):
    transcript = heard(SAMPLES / "no_number.ogg", engine)[0]
    assert transcript.words and transcript.relistens == ()


@pytest.mark.parametrize(("number", "recovered"), [("312-555-0147", True), ("312-555-0174", False)])
def test_expected_number_is_judged_on_what_was_heard(engine, ruleset, number, recovered):
    """The expected number is never given to the recogniser; it only checks the readings."""
    settings = Settings(expected=Expectations(number=number))
    result = pipeline.judge(str(SAMPLES / "excellent.wav"), *heard(SAMPLES / "excellent.wav", engine), ruleset, settings)
    assert result.facts["expected"]["number_recovered"] is recovered


def test_words_map_back_to_the_mention_they_were_heard_in():
    samples = np.zeros(40 * audio.SAMPLE_RATE, dtype=np.float32)
    decoded = audio.Audio(samples, audio.measure(samples))
    mentions = [(10.0, 12.0), (30.0, 33.0)]
    batches = relisten._windows(mentions, decoded.stats.duration)
    assert len(batches) == 1
    # Clip one runs 9.4-12.6 s (3.2 s), then 1 s of silence; clip two starts at 4.2 s of the joined clip.
    clip, offsets, tokens_after = relisten._clip(decoded, batches[0])
    assert clip.size / audio.SAMPLE_RATE == pytest.approx(3.2 + 1.0 + 4.2 + 1.0)
    # Room for two mentions from the start, for one once the first mention is past (it ends at 2.6 s of the
    # joined clip, before its 0.6 s of context), none once the second is (at 7.8 s).
    per = relisten.TOKENS_PER_MENTION
    assert [tokens_after(t) for t in (0.0, 2.5, 2.7, 7.7, 7.9)] == [2 * per, 2 * per, per, per, 0]
    heard_words = [(f"{i}", t, t + 0.2, 0.9) for i, t in enumerate([0.8, 2.0, 3.6, 4.9, 9.0])]
    [first, second] = relisten._readings(batches[0], offsets, heard_words)
    assert [(w.text, round(w.start, 2)) for w in first.words] == [("0", 10.2), ("1", 11.4)]
    assert [(w.text, round(w.start, 2)) for w in second.words] == [("3", 30.1)]


def test_recordings_listened_to_together_read_as_each_alone(any_engine):
    """The second listen decodes the numbers of a batch of files together, with either engine: each file's readings are its own."""
    names = ["excellent.wav", "no_number.ogg", "number_once_fast.flac"]
    first_pass = [(audio.decode(str(SAMPLES / name)), spoken_numbers.spans(heard(SAMPLES / name, any_engine)[0].words)) for name in names]
    together = relisten.relisten(first_pass, any_engine)
    alone = [relisten.relisten([pair], any_engine)[0] for pair in first_pass]
    digits = [[(r.start, r.end, [w.text for w in r.words]) for r in found] for found in together]
    assert digits == [[(r.start, r.end, [w.text for w in r.words]) for r in found] for found in alone]
    assert [len(found) for found in together] == [2, 0, 1]


def test_mentions_beyond_one_window_are_decoded_in_several():
    mentions = [(float(t), t + 8.0) for t in range(0, 120, 20)]
    batches = relisten._windows(mentions, 130.0)
    assert len(batches) > 1 and sum(len(b) for b in batches) == len(mentions)
    for batch in batches:
        assert sum(end - start + relisten.GAP_SECONDS for *_, start, end in batch) <= relisten.WINDOW_SECONDS


def test_a_mention_read_short_is_listened_to_over_all_its_digits():
    from tests.test_numbers import words

    first_pass = words("My number is 617-55-0-1-82. Again, that's 617-55-0-1-82. Thanks.")
    stretches = [(w.start, w.end) for w in first_pass if any(ch.isdigit() for ch in w.text)]
    mentions = [(first_pass[3].start, first_pass[3].start + 0.1), (first_pass[6].start, first_pass[6].start + 0.1)]
    widened = spoken_numbers._whole_runs(mentions, stretches)
    assert widened == [(first_pass[3].start, first_pass[3].end), (first_pass[6].start, first_pass[6].end)]
