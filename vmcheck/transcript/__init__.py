"""Stage 2, transcript: timed words from the audio (the speech engines, their batched decoders, the
hallucination guard, the second listen to numbers) or from a script (``textmode``).

Only the transcript's types load here; the engines, and torch or CTranslate2 with them, load when asked for."""

from vmcheck.transcript.types import Redaction, Relisten, Segment, Transcript, Word

__all__ = ["Redaction", "Relisten", "Segment", "Transcript", "Word"]
