"""Many recordings through openai-whisper at once, decoding as its own transcribe() does.

Whisper's greedy decoder spends most of its time on per-token overhead at batch
size 1, not on arithmetic, so 30 s windows from many files are encoded together
and decoded as one batch. Each file keeps its own place (``_Stream``): a round
takes the next window of every file not yet finished, so the later windows of
long files are batched in later rounds, and files are sorted by what is left so
a batch ends together. Everything else follows ``whisper.transcribe``
line for line: the temperature fallback (only for the rows that need it, on
their encoded audio; ``_decode_with_fallback``, ``_Sampler`` and ``_StopRunaways``
say where it departs), the no-speech skip, segments cut at timestamp pairs, the
seek to the last word, and word timings from the same encoder output, with no
second encoder pass.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import zlib
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
import whisper
from whisper.audio import FRAMES_PER_SECOND, HOP_LENGTH, N_FRAMES, SAMPLE_RATE, pad_or_trim
from whisper.decoding import DecodingOptions, DecodingResult, DecodingTask, GreedyDecoder, PyTorchInference
from whisper.utils import exact_div, get_end

from vmcheck.transcript import windows

RUNAWAY_TOKENS = 64
RUNAWAY_PERIOD = 6
"""A reading whose last 64 tokens repeat a phrase of at most 6 tokens ("1-1-1-1-...") is a runaway: greedy
decoding in such a loop runs to Whisper's 224-token cap. Speech can repeat itself for a while: a card number
read out as "four, one, one, one, ..." is 30 tokens of "one," (24 stopped it, and the number was lost)."""


class _OnFeatures:
    """The model as ``whisper.timing.find_alignment`` calls it, but on audio features already encoded."""

    def __init__(self, model):
        self.dims, self.alignment_heads, self.decoder, self.device = model.dims, model.alignment_heads, model.decoder, model.device

    def __call__(self, features: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
        return self.decoder(tokens, features)


class _Stream(windows.Place):
    """One file's way through its windows, as the body of whisper.transcribe's loop."""

    def __init__(self, mel: torch.Tensor, budget: Callable[[float], int] | None, clip: np.ndarray):

        super().__init__(mel.shape[-1] - N_FRAMES, HOP_LENGTH / SAMPLE_RATE, budget, clip)
        self.mel = mel

    def window(self) -> tuple[torch.Tensor, int]:

        size = min(N_FRAMES, self.frames - self.seek)
        return pad_or_trim(self.mel[:, self.seek : self.seek + size], N_FRAMES), size

    def advance(self, result, features: torch.Tensor, size: int, model, tokenizer, settings: dict) -> None:
        from whisper.timing import add_word_timestamps

        if result.no_speech_prob > settings["no_speech_threshold"] and result.avg_logprob <= settings["logprob_threshold"]:
            self.seek += size
            return
        seek = self.seek
        input_stride = exact_div(N_FRAMES, model.dims.n_audio_ctx)
        time_precision = input_stride * HOP_LENGTH / SAMPLE_RATE
        offset = float(self.seek * HOP_LENGTH / SAMPLE_RATE)
        tokens = torch.tensor(result.tokens)
        is_timestamp = tokens.ge(tokenizer.timestamp_begin)
        single_timestamp_ending = is_timestamp[-2:].tolist() == [False, True]
        consecutive = (torch.where(is_timestamp[:-1] & is_timestamp[1:])[0] + 1).tolist()
        segments = []
        if consecutive:
            slices = consecutive + ([len(tokens)] if single_timestamp_ending else [])
            last = 0
            for current in slices:
                piece = tokens[last:current]
                start = offset + (piece[0].item() - tokenizer.timestamp_begin) * time_precision
                end = offset + (piece[-1].item() - tokenizer.timestamp_begin) * time_precision
                segments.append(_segment(seek, start, end, piece, result, tokenizer))
                last = current
            if single_timestamp_ending:
                self.seek += size
            else:
                self.seek += (tokens[last - 1].item() - tokenizer.timestamp_begin) * input_stride
        else:
            duration = size * HOP_LENGTH / SAMPLE_RATE
            stamps = tokens[is_timestamp.nonzero().flatten()]
            if len(stamps) > 0 and stamps[-1].item() != tokenizer.timestamp_begin:
                duration = (stamps[-1].item() - tokenizer.timestamp_begin) * time_precision
            segments.append(_segment(seek, offset, offset + duration, tokens, result, tokenizer))
            self.seek += size
        add_word_timestamps(
            segments=segments,
            model=_OnFeatures(model),
            tokenizer=tokenizer,
            mel=features,
            num_frames=size,
            last_speech_timestamp=self.last_speech,
        )
        if not single_timestamp_ending:
            last_word_end = get_end(segments)
            if last_word_end is not None and last_word_end > offset:
                self.seek = round(last_word_end * FRAMES_PER_SECOND)
        last_word_end = get_end(segments)
        if last_word_end is not None:
            self.last_speech = last_word_end
        for segment in segments:
            if segment["start"] == segment["end"] or not segment["text"].strip():
                segment.update(text="", tokens=[], words=[])
        self.segments.extend(segments)


def _segment(seek: int, start: float, end: float, tokens: torch.Tensor, result, tokenizer) -> dict:
    ids = tokens.tolist()
    return {
        "seek": seek,
        "start": start,
        "end": end,
        "text": tokenizer.decode([t for t in ids if t < tokenizer.eot]),
        "tokens": ids,
        "avg_logprob": result.avg_logprob,
        "no_speech_prob": result.no_speech_prob,
        "compression_ratio": result.compression_ratio,
        "temperature": result.temperature,
        "runaway": isinstance(result, _Runaway),
    }


def transcribe(
    model,
    clips: list[np.ndarray],
    prompt: str | None,
    settings: dict,
    batch_size: int | None = None,
    beam_size: int | None = None,
    budgets: list[Callable[[float], int]] | None = None,
) -> list[list[dict]]:
    """Segments for each clip, as ``whisper.transcribe(model, clip, word_timestamps=True,
    initial_prompt=prompt, carry_initial_prompt=True, condition_on_previous_text=False)`` gives them.

    ``settings`` holds the fallback: ``temperatures``, ``compression_ratio_threshold``,
    ``logprob_threshold`` and ``no_speech_threshold``. At most ``batch_size`` windows are
    decoded together (default: one window of every clip). ``beam_size`` decodes by beam search.
    ``budgets`` give, for each clip, the most tokens a window starting at a given second may
    take; at zero the clip is done. Unlike whisper.transcribe's one ``sample_len``, a budget
    keeps a beam from running on in a window where nothing is left to hear.
    """
    from whisper.audio import N_SAMPLES

    tokenizer = whisper.tokenizer.get_tokenizer(model.is_multilingual, num_languages=model.num_languages, language="en", task="transcribe")
    prompt_tokens = tokenizer.encode(" " + prompt.strip()) if prompt else []
    streams = [
        _Stream(whisper.log_mel_spectrogram(clip, model.dims.n_mels, padding=N_SAMPLES), budgets[i] if budgets else None, clip)
        for i, clip in enumerate(clips)
    ]
    options = {"beam_size": beam_size} if beam_size else {}
    with torch.no_grad():
        for batch in windows.rounds(streams, batch_size):
            pieces = [stream.window() for stream in batch]
            features = model.embed_audio(torch.stack([mel for mel, _size in pieces]).to(model.device))
            seeds = [zlib.crc32(mel.numpy().tobytes()) for mel, _size in pieces]
            new_tokens = windows.tokens_left(batch)
            sample_len = {"sample_len": new_tokens} if new_tokens is not None else {}
            results = _decode_with_fallback(model, features, seeds, prompt_tokens, settings, **options, **sample_len)
            for stream, row, result, (_mel, size) in zip(batch, features, results, pieces):
                stream.advance(result, row, size, model, tokenizer, settings)
    return [stream.segments for stream in streams]


def _decode_with_fallback(model, features: torch.Tensor, seeds: list[int], prompt_tokens: list[int], settings: dict, **options) -> list:
    """Greedy decoding of the batch, then each higher temperature for the rows whose reading is
    too repetitive or too unlikely (and not silence), on the rows' own encoded audio, sampled from
    each row's ``seeds`` (``_Sampler``). A row that no temperature satisfies keeps its likeliest
    reading that is not a loop, as faster-whisper does, rather than whisper.transcribe's last random
    one: a lone word over a phone line often fails every threshold, and its greedy reading is usually the right one."""

    attempts: list[list] = [[] for _ in range(features.shape[0])]
    rows = list(range(features.shape[0]))
    for temperature in settings["temperatures"]:
        sampled = {key: value for key, value in options.items() if temperature == 0 or key != "beam_size"}  # as whisper.transcribe
        decoding = DecodingOptions(language="en", task="transcribe", temperature=temperature, prompt=prompt_tokens or None, fp16=False, **sampled)
        task = _task(model, decoding, len(rows))
        if temperature > 0:
            task.decoder = _Sampler(temperature, task.tokenizer.eot, [seeds[row] << 8 | round(temperature * 10) for row in rows])
        runaways = _StopRunaways(task.tokenizer.eot, task.sample_begin)
        if not decoding.beam_size:
            task.logit_filters.append(runaways)
        for k, (row, result) in enumerate(zip(rows, task.run(features[rows]))):
            attempts[row].append(_Runaway(**vars(result)) if k in runaways.stopped else result)
        rows = [row for row in rows if windows.needs_fallback(attempts[row][-1], settings)]
        if not rows:
            break
    failed = set(rows)
    return [windows.likeliest(tried, settings) if row in failed else tried[-1] for row, tried in enumerate(attempts)]


class _Sampler(GreedyDecoder):
    """Whisper's sampling at a raised temperature, one draw per row and step from the row's own generator,
    seeded by its window's audio, so a clip's reading depends on nothing but the clip: not on the clips
    batched with it, the process, or what was sampled before. The token is found on the row's cumulative
    distribution; torch's ``Categorical`` draws from the one global generator and took 17-25 ms a step at
    8 rows, more than the model's forward pass."""

    def __init__(self, temperature: float, eot: int, seeds: list[int]):
        super().__init__(temperature, eot)
        self.generators = [torch.Generator().manual_seed(seed) for seed in seeds]

    def update(self, tokens: torch.Tensor, logits: torch.Tensor, sum_logprobs: torch.Tensor) -> tuple[torch.Tensor, bool]:
        cumulative = F.softmax(logits.double() / self.temperature, dim=-1).cumsum(dim=-1)
        draws = torch.cat([torch.rand(1, generator=generator, dtype=torch.float64) for generator in self.generators])
        next_tokens = torch.searchsorted(cumulative, (draws * cumulative[:, -1])[:, None], right=True)[:, 0].clamp(max=logits.shape[-1] - 1)
        logprobs = F.log_softmax(logits.float(), dim=-1)
        sum_logprobs += logprobs[torch.arange(logprobs.shape[0]), next_tokens] * (tokens[:, -1] != self.eot)
        next_tokens[tokens[:, -1] == self.eot] = self.eot
        tokens = torch.cat([tokens, next_tokens[:, None]], dim=-1)
        return tokens, bool((tokens[:, -1] == self.eot).all())


@dataclasses.dataclass(frozen=True)
class _Runaway(DecodingResult):
    """A reading stopped in a loop (``_StopRunaways``)."""


class _StopRunaways:
    """A logit filter that ends each runaway row (``RUNAWAY_TOKENS``) where it is found, so one row stuck in a
    loop does not hold the whole batch to Whisper's cap.

    The fallback judges a stopped reading on what it read, as whisper.transcribe judges any; its compression
    check cannot tell a loop either way (a "5-5-5-...-1-1-1" run to the cap compresses only 2.0, under the 2.4
    threshold, and passes). So a stopped reading is kept as a ``_Runaway``, and ``transcribe._looping`` sends
    its clip to be decoded again without the filler prompt, as it did the same loop run to the cap."""

    def __init__(self, eot: int, sample_begin: int):
        self.eot, self.sample_begin = eot, sample_begin
        self.stopped: set[int] = set()

    def apply(self, logits: torch.Tensor, tokens: torch.Tensor) -> None:
        tail = tokens[:, self.sample_begin :][:, -RUNAWAY_TOKENS:]
        if tail.shape[1] < RUNAWAY_TOKENS:
            return
        periodic = torch.zeros(tail.shape[0], dtype=torch.bool)
        for period in range(1, RUNAWAY_PERIOD + 1):
            periodic |= (tail[:, period:] == tail[:, :-period]).all(dim=1)
        for row in (periodic & (tail[:, -1] != self.eot)).nonzero().flatten().tolist():
            self.stopped.add(row)
            logits[row] = -math.inf
            logits[row, self.eot] = 0.0


def _task(model, options, rows: int):
    """whisper's DecodingTask, or for several clips decoded by beam search together, one that gives the
    decoder each clip's encoded audio once for all its beams.

    openai-whisper repeats only the tokens for the beams, which its cross-attention broadcasts over one
    clip but not over many (openai/whisper#2197, still open). Repeating the audio instead would make
    every beam project and read its own copy of the clip's cross-attention keys and values, which are
    most of what a decoding step reads from memory; so the beams of a clip are its queries instead.
    """

    if rows == 1 or not options.beam_size:
        return DecodingTask(model, options)

    class OncePerClip(PyTorchInference):
        def logits(self, tokens: torch.Tensor, audio_features: torch.Tensor) -> torch.Tensor:
            return super().logits(tokens, audio_features[:: options.beam_size])

    class Grouped(DecodingTask):
        def __init__(self, model, options):
            super().__init__(model, options)
            self.inference = self.decoder.inference = OncePerClip(model, len(self.initial_tokens))

        def _get_audio_features(self, mel: torch.Tensor) -> torch.Tensor:
            """One row per beam, as whisper's bookkeeping after the decoding loop expects."""
            return super()._get_audio_features(mel).repeat_interleave(self.n_group, dim=0)

        def _detect_language(self, audio_features: torch.Tensor, tokens: torch.Tensor):
            return super()._detect_language(audio_features[:: self.n_group], tokens)

        def run(self, mel: torch.Tensor) -> list:
            with _beams_as_queries(model):
                return super().run(mel)

    return Grouped(model, options)


@contextlib.contextmanager
def _beams_as_queries(model):
    """The decoder's cross-attention with a clip's beams as more queries on its one row of keys and values."""
    attentions = [block.cross_attn for block in model.decoder.blocks]

    def grouped(attention):
        def qkv_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask=None):
            if q.shape[0] == k.shape[0]:
                return attention(q, k, v, mask)
            rows, n_ctx, n_state = q.shape
            out, qk = attention(q.reshape(k.shape[0], -1, n_state), k, v, mask)
            return out.reshape(rows, n_ctx, n_state), None if qk is None else qk.unflatten(2, (-1, n_ctx)).transpose(1, 2).flatten(0, 1)

        return qkv_attention

    for attention in attentions:
        attention.qkv_attention = grouped(attention.qkv_attention)
    try:
        yield
    finally:
        for attention in attentions:
            del attention.qkv_attention
