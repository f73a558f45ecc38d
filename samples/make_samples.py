#!/usr/bin/env python3
"""Build the sample voicemails in samples/ from Debian TTS voices.

Engines: festival (voice_cmu_us_slt_arctic_hts), espeak-ng, flite; sox does
silence, noise, mixing, filtering, loudness and wav/flac/mp3 encoding.  Opus
(Ogg) and AAC (MP4) are encoded by _encode.py with PyAV, run under $VMCHECK_PY
(default: the repo's .venv python).

Each sample is a list of pieces: text (spoken with the sample's voice), pauses
and phone numbers (digit groups with optional gaps).  The reference transcript
<name>.ref.txt is the pieces' written text joined with spaces.

Deterministic: same tools and versions -> identical files (sox runs with -R).
Run via `bash samples/make_samples.sh` or `python3 samples/make_samples.py`.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SR = 16000
TARGET_RMS = -20.0  # dBFS, whole file
PEAK_CEIL = -1.5  # dBFS

# --------------------------------------------------------------------------
# voices


@dataclass
class Voice:
    engine: str  # festival | espeak | flite
    name: str = ""  # espeak-ng voice / flite voice
    rate: float = 1.0  # festival: hts -r (lower = slower); flite: 1/stretch
    wpm: int = 160  # espeak-ng -s
    pitch: int = 50  # espeak-ng -p

    def label(self) -> str:
        if self.engine == "festival":
            return "festival cmu_us_slt_arctic_hts"
        if self.engine == "espeak":
            return f"espeak-ng {self.name} -s {self.wpm}"
        return f"flite {self.name}"

    def with_(self, **kw) -> "Voice":
        d = dict(self.__dict__)
        d.update(kw)
        return Voice(**d)


FEST = Voice("festival", rate=0.92)
ESPEAK_M7 = Voice("espeak", "en-us+m7", wpm=160)
ESPEAK_M2 = Voice("espeak", "en-us+m2", wpm=160)
ESPEAK_M4 = Voice("espeak", "en-us+m4", wpm=158)
FLITE_SLT = Voice("flite", "slt", rate=0.95)
FLITE_KAL = Voice("flite", "kal16", rate=0.75)
FLITE_RMS = Voice("flite", "rms", rate=1.0)
FLITE_AWB = Voice("flite", "awb", rate=0.95)


# --------------------------------------------------------------------------
# pieces


@dataclass
class Say:
    text: str  # written form (reference transcript)
    say: str | None = None  # spoken form, if different
    voice: Voice | None = None


@dataclass
class Pause:
    sec: float


@dataclass
class Num:
    """A phone number: written '312-555-0147' + tail punctuation."""

    number: str
    gap: float | None = 0.6  # silence between 3-3-4 groups; None = one run
    tail: str = "."
    voice: Voice | None = None
    # how a group is spoken: "comma" ("3, 1, 2"), "space" ("3 1 2"), or
    # "digit" (each digit synthesised alone, DIGIT_GAP s apart)
    style: str = "comma"


DIGIT_GAP = 0.12


@dataclass
class Sample:
    name: str
    ext: str
    voice: Voice
    flaw: str
    pieces: list
    lead: float = 0.5
    trail: float = 0.6
    noise: float = 0.0  # pink noise amplitude (0 = none), before normalising
    telephone: bool = False
    bitrate: int = 0  # kbps for lossy formats


def P(sec):
    return Pause(sec)


# --------------------------------------------------------------------------
# the samples

SAMPLES = [
    Sample(
        "excellent", "wav", FEST, "none (reference good message)",
        [
            Say("Hi Sarah, this is John Miller from Acme Insurance."), P(0.45),
            Say("I'm calling because your home insurance policy renews next "
                "week, and I found a way to lower your premium."), P(0.45),
            Say("Could you call me back before Friday at 5 pm?"), P(0.4),
            Say("My number is"), P(0.35),
            Num("312-555-0147", gap=0.6, style="digit"), P(0.7),
            Say("Again, that's John Miller,"), P(0.3),
            Num("312-555-0147", gap=0.6, style="digit"), P(0.6),
            Say("Thank you, Sarah, and have a great day."),
        ],
        lead=0.5, noise=0.0015,
    ),
    Sample(
        "no_name", "mp3", FEST, "caller never gives name or company",
        [
            Say("Hi David, I'm calling about the quote you requested for your "
                "office printers."), P(0.4),
            Say("I have the pricing ready, and I think it will save you about "
                "20%.", say="I have the pricing ready, and I think it will "
                "save you about twenty percent."), P(0.4),
            Say("Could you please call me back by Thursday afternoon?"), P(0.4),
            Say("My number is"), P(0.3),
            Num("617-555-0182", gap=0.5), P(0.6),
            Say("Again, that's"), P(0.2),
            Num("617-555-0182", gap=0.5), P(0.5),
            Say("Thank you, and have a great day."),
        ],
        lead=0.4, noise=0.0015, bitrate=40,
    ),
    Sample(
        "no_number", "ogg", FLITE_KAL, "asks for a callback but never gives a number",
        [
            Say("Hi Karen, this is Mike Johnson from Brightline Solar."), P(0.4),
            Say("I'm following up on the solar panel estimate we sent over "
                "last week."), P(0.4),
            Say("Please call me back when you have a moment, so we can go over "
                "the details and lock in your installation date before the end "
                "of the month."), P(0.4),
            Say("Thanks so much, Karen. Talk soon."),
        ],
        lead=0.6, noise=0.0015, bitrate=24,
    ),
    Sample(
        "number_once_fast", "flac", ESPEAK_M2, "number said once, fast, no pauses",
        [
            Say("Hi Tom, this is Lisa Chen from Summit Bank."), P(0.4),
            Say("I'm calling about your small business loan application. We "
                "just need one more document to finish it."), P(0.4),
            Say("Could you call me back before Wednesday?"), P(0.15),
            Say("It's", voice=ESPEAK_M2.with_(wpm=230)), P(0.05),
            Num("415-555-0139", gap=None, voice=ESPEAK_M2.with_(wpm=230)),
            P(0.1),
            Say("Thanks, bye."),
        ],
        lead=0.3, noise=0.0015,
    ),
    Sample(
        "rambling", "m4a", ESPEAK_M7,
        "fillers, off-topic detours, purpose stated late, run-on sentences",
        [
            Say("Hey, um, hi Jessica, it's, uh, Kevin Brooks from Northside "
                "Auto, and, you know, I was just, like, going through my list "
                "and, um, I thought I should give you a call,"), P(0.3),
            Say("and, uh, I mean, how have you been, because the weather has "
                "been, like, crazy, right, and my kid's soccer game got rained "
                "out, so, uh, yeah,"),
            P(0.3),
            Say("but anyway, um, so, I mean, the reason I'm calling, I think, "
                "is, uh, your car is, like, due for its, you know, its "
                "service, and also, like, a trade-in thing, if you're "
                "interested, I don't know,"), P(0.3),
            Say("so, uh, yeah, you can call me, um, my number is"), P(0.25),
            Num("773-555-0126", gap=0.3, tail=",", style="digit"), P(0.25),
            Say("and, uh, yeah, I guess, you know, just let me know, okay, "
                "bye."),
        ],
        lead=0.7, noise=0.002, bitrate=32,
    ),
    Sample(
        "no_ask", "mp3", FLITE_RMS, "no clear request: only weak closes",
        [
            Say("Hi Emily, this is Mark Davis with Pinnacle Marketing."), P(0.4),
            Say("Just following up on the email I sent last week about the "
                "spring campaign."), P(0.4),
            Say("Just touching base."), P(0.4),
            Say("My number is"), P(0.3),
            Num("206-555-0164", gap=0.5), P(0.5),
            Say("Whenever you get a chance."), P(0.3),
            Say("Thanks."),
        ],
        lead=0.5, noise=0.0015, bitrate=40,
    ),
    Sample(
        "telephone", "wav", FLITE_SLT,
        "none in content; telephone quality (8 kHz mu-law, 300-3400 Hz)",
        [
            Say("Hi Rachel, this is Brian Walsh from Harbor Dental."), P(0.4),
            Say("I'm calling to confirm your cleaning appointment next "
                "Tuesday, and we need to update your insurance details."),
            P(0.4),
            Say("Could you please call me back before Monday at noon?"), P(0.4),
            Say("My number is"), P(0.35),
            Num("512-555-0191", gap=0.6, style="digit"), P(0.6),
            Say("Again, that's Brian Walsh,"), P(0.3),
            Num("512-555-0191", gap=0.6, style="digit"), P(0.5),
            Say("Thank you, Rachel."),
        ],
        lead=0.4, noise=0.003, telephone=True,
    ),
    Sample(
        "long", "mp3", FLITE_AWB, "over 60 s, long-winded (otherwise complete)",
        [
            Say("Hi Jennifer, this is Robert Garcia from Evergreen Home "
                "Services."), P(0.4),
            Say("I'm calling about the heating and cooling inspection you "
                "scheduled with us back in the fall."), P(0.4),
            Say("As you might remember, our technician looked at your furnace "
                "and your air conditioner, and he wrote up a detailed report "
                "with a few recommendations."), P(0.4),
            Say("The main thing he noticed was that the filter housing on the "
                "furnace is starting to wear out, and the condenser outside "
                "could use a good cleaning before the summer."), P(0.4),
            Say("Neither of those is an emergency, but we have found that "
                "taking care of them early usually saves our customers money "
                "over the long run."), P(0.4),
            Say("We are also running a seasonal maintenance plan this year, "
                "which includes two visits, priority scheduling, and a discount "
                "on parts."), P(0.4),
            Say("Could you call me back before next Wednesday, so we can find "
                "a time that works for you?"), P(0.4),
            Say("My number is"), P(0.3),
            Num("303-555-0158", gap=0.5), P(0.5),
            Say("Again, that's Robert Garcia,"), P(0.3),
            Num("303-555-0158", gap=0.5), P(0.5),
            Say("Thank you, Jennifer, and have a wonderful day."),
        ],
        lead=0.5, noise=0.0015, bitrate=32,
    ),
    Sample(
        "bad_tone", "ogg", ESPEAK_M4,
        "sarcasm, bad-mouths a competitor, mild profanity, no please/thank you",
        [
            Say("Well, happy Monday, Steve."), P(0.3),
            Say("This is Greg Turner from Apex Wireless."), P(0.3),
            Say("Got a case of the Mondays? Yeah, me too."), P(0.4),
            Say("Look, I heard you're thinking about switching to those clowns "
                "at ClearWave."), P(0.3),
            Say("Damn it, that would be a huge mistake."), P(0.3),
            Say("Their coverage is garbage, and everybody knows it."), P(0.4),
            Say("Call me back."), P(0.3),
            Say("My number is"), P(0.3),
            Num("646-555-0113", gap=0.5, style="digit"), P(0.5),
            Say("I'm not going to chase you all week."),
        ],
        lead=0.4, noise=0.0015, bitrate=24,
    ),
]


# --------------------------------------------------------------------------
# tools


def run(cmd, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"command failed: {' '.join(cmd)}\n{r.stderr}")
    return r


def sox(*args):
    # -R: repeatable (fixed seeds for dither/noise); -V1: errors only
    return run(["sox", "-R", "-V1", *args])


def synth(text: str, voice: Voice, out: str, tmp: str) -> None:
    raw = out + ".raw.wav"
    if voice.engine == "festival":
        txt = out + ".txt"
        with open(txt, "w") as f:
            f.write(text + "\n")
        run(["text2wave",
             "-eval", "(voice_cmu_us_slt_arctic_hts)",
             "-eval", "(set! hts_engine_params (append hts_engine_params "
                      f"(list (list \"-r\" {voice.rate}))))",
             txt, "-o", raw])
    elif voice.engine == "espeak":
        run(["espeak-ng", "-v", voice.name, "-s", str(voice.wpm),
             "-p", str(voice.pitch), "-w", raw, text])
    elif voice.engine == "flite":
        run(["flite", "-voice", voice.name,
             "--setf", f"duration_stretch={1.0 / voice.rate:.3f}",
             "-t", text, "-o", raw])
    else:
        raise ValueError(voice.engine)
    # 16 kHz mono 16-bit; trim the engines' own leading/trailing silence
    sox(raw, "-r", str(SR), "-c", "1", "-b", "16", out,
        "silence", "1", "0.02", "0.1%", "reverse",
        "silence", "1", "0.02", "0.1%", "reverse")


def silence(sec: float, out: str) -> None:
    sox("-n", "-r", str(SR), "-c", "1", "-b", "16", out, "trim", "0",
        f"{sec:.3f}")


def stats(path: str) -> dict:
    r = sox(path, "-n", "stats")
    d = {}
    for line in r.stderr.splitlines():
        m = re.match(r"^(RMS lev dB|Pk lev dB|Length s)\s+(\S+)", line)
        if m:
            d[m.group(1)] = float(m.group(2))
    return d


def normalise(src: str, dst: str) -> None:
    """Whole-file RMS to TARGET_RMS with peaks under PEAK_CEIL.

    Speech peaks usually sit less than 19 dB above the RMS, so plain gain
    does; otherwise a soft-knee limiter squeezes the few loud peaks (the gain
    is re-tuned because limiting lowers the RMS a little)."""
    st = stats(src)
    gain = TARGET_RMS - st["RMS lev dB"]
    margin = 0.5  # limiter threshold below the ceiling; grows on overshoot
    for _ in range(8):
        if st["Pk lev dB"] + gain <= PEAK_CEIL:
            sox(src, dst, "gain", f"{gain:.2f}")
        else:
            knee = PEAK_CEIL - gain - margin  # input level -> ceiling
            pts = (f"-90,-90,{knee - 6:.2f},{knee - 6:.2f},"
                   f"{st['Pk lev dB'] + 0.1:.2f},{knee:.2f}")
            sox(src, dst, "compand", "0.001,0.08", pts, f"{gain:.2f}", "-90",
                "0.004")
        out = stats(dst)
        ok_rms = abs(out["RMS lev dB"] - TARGET_RMS) < 0.3
        if ok_rms and out["Pk lev dB"] <= PEAK_CEIL:
            break
        if out["Pk lev dB"] > PEAK_CEIL:
            margin += out["Pk lev dB"] - PEAK_CEIL
        gain += TARGET_RMS - out["RMS lev dB"]
    if out["Pk lev dB"] > PEAK_CEIL:
        os.replace(dst, dst + ".pre.wav")
        sox(dst + ".pre.wav", dst, "gain",
            f"{PEAK_CEIL - out['Pk lev dB']:.2f}")


def spoken_digits(group: str, sep: str = ", ") -> str:
    # "3, 1, 2": the commas make the engines say each digit on its own
    return sep.join(group)


def num_groups(number: str) -> list[str]:
    return [g for g in re.split(r"\D+", number) if g]


# --------------------------------------------------------------------------
# build


def build(s: Sample, tmp: str, py: str) -> str:
    parts, ref = [], []
    k = 0
    nwords = 0  # spoken words (each digit counts as one)
    speech_sec = 0.0  # time spent speaking (without the inserted pauses)

    def piece(path_fn, speech=False):
        nonlocal k, speech_sec
        k += 1
        p = os.path.join(tmp, f"{s.name}_{k:03d}.wav")
        path_fn(p)
        parts.append(p)
        if speech:
            speech_sec += stats(p)["Length s"]

    piece(lambda p: silence(s.lead, p))
    for pc in s.pieces:
        if isinstance(pc, Pause):
            piece(lambda p: silence(pc.sec, p))
        elif isinstance(pc, Say):
            v = pc.voice or s.voice
            piece(lambda p: synth(pc.say or pc.text, v, p, tmp), speech=True)
            ref.append(pc.text)
            nwords += len(pc.text.split())
        elif isinstance(pc, Num):
            v = pc.voice or s.voice
            groups = num_groups(pc.number)
            if pc.gap is None:  # one fast run, no pauses
                piece(lambda p: synth(spoken_digits("".join(groups), " "), v,
                                      p, tmp), speech=True)
            else:
                for i, g in enumerate(groups):
                    if i:
                        piece(lambda p: silence(pc.gap, p))
                    if pc.style == "digit":
                        for j, d in enumerate(g):
                            if j:
                                piece(lambda p: silence(DIGIT_GAP, p))
                            piece(lambda p: synth(d, v, p, tmp), speech=True)
                    else:
                        sep = ", " if pc.style == "comma" else " "
                        piece(lambda p: synth(spoken_digits(g, sep), v, p, tmp),
                              speech=True)
            ref.append(pc.number + pc.tail)
            nwords += len("".join(groups))
    piece(lambda p: silence(s.trail, p))

    speech = os.path.join(tmp, f"{s.name}_speech.wav")
    sox(*parts, speech)
    dur = stats(speech)["Length s"]

    mixed = speech
    if s.noise:
        noise = os.path.join(tmp, f"{s.name}_noise.wav")
        sox("-n", "-r", str(SR), "-c", "1", "-b", "16", noise,
            "synth", f"{dur:.4f}", "pinknoise", "vol", str(s.noise))
        mixed = os.path.join(tmp, f"{s.name}_mixed.wav")
        sox("-m", "-v", "1", speech, "-v", "1", noise, mixed)

    if s.telephone:  # telephone channel: 300-3400 Hz band, 8 kHz
        band = os.path.join(tmp, f"{s.name}_band.wav")
        sox(mixed, band, "sinc", "300-3400", "rate", "8000")
        mixed = band

    norm = os.path.join(tmp, f"{s.name}_norm.wav")
    normalise(mixed, norm)

    out = os.path.join(HERE, f"{s.name}.{s.ext}")
    if s.ext == "wav" and s.telephone:
        sox(norm, "-r", "8000", "-c", "1", "-e", "mu-law", "-b", "8", out)
    elif s.ext == "wav":
        sox(norm, "-r", str(SR), "-c", "1", "-e", "signed-integer", "-b", "16",
            out)
    elif s.ext == "flac":
        sox(norm, "-b", "16", "-C", "8", out)
    elif s.ext == "mp3":
        sox(norm, "-C", f"{s.bitrate}.2", out)
    elif s.ext in ("ogg", "m4a"):
        codec = "libopus" if s.ext == "ogg" else "aac"
        run([py, os.path.join(HERE, "_encode.py"), norm, out, codec,
             str(s.bitrate * 1000)])
    else:
        raise ValueError(s.ext)

    with open(os.path.join(HERE, f"{s.name}.ref.txt"), "w") as f:
        f.write(" ".join(ref) + "\n")
    fin = stats(norm)
    print(f"{s.name}.{s.ext}: {dur:.1f} s, {nwords} words, "
          f"{nwords / speech_sec * 60:.0f} wpm while speaking, "
          f"{nwords / dur * 60:.0f} wpm overall, "
          f"RMS {fin['RMS lev dB']:.1f} dBFS, peak {fin['Pk lev dB']:.1f} dBFS, "
          f"voice {s.voice.label()}")
    return out


def main(argv):
    for tool in ("sox", "espeak-ng", "flite", "text2wave"):
        if not shutil.which(tool):
            sys.exit(f"missing tool: {tool} (see samples/README.md)")
    if not os.path.isdir(
            "/usr/share/festival/voices/us/cmu_us_slt_arctic_hts"):
        sys.exit("missing festival voice: apt-get install festvox-us-slt-hts")
    py = os.environ.get("VMCHECK_PY") or os.path.join(REPO, ".venv", "bin",
                                                       "python")
    if not os.path.exists(py):
        py = sys.executable
    want = set(argv[1:])
    with tempfile.TemporaryDirectory(prefix="vmsamples.") as tmp:
        for s in SAMPLES:
            if want and s.name not in want:
                continue
            build(s, tmp, py)


if __name__ == "__main__":
    main(sys.argv)
