"""Encode a 16-bit PCM WAV into a compressed container with PyAV.

Helper for make_samples.py, used for the formats SoX cannot write here
(Opus in Ogg, AAC in MP4).  Must run under a Python that has PyAV (`av`).

usage: python _encode.py IN.wav OUT CODEC BITRATE
  CODEC: libopus | aac
"""

import sys

import av


def encode(src: str, dst: str, codec: str, bitrate: int) -> None:
    fmt = {"libopus": "ogg", "aac": "mp4"}[codec]
    with av.open(src) as inp:
        in_stream = inp.streams.audio[0]
        rate = in_stream.rate
        # bitexact: no encoder-version/time metadata, so re-runs are identical
        with av.open(dst, "w", format=fmt, options={"fflags": "+bitexact"}) as out:
            stream = out.add_stream(codec, rate=rate)
            stream.bit_rate = bitrate
            stream.layout = "mono"
            for frame in inp.decode(in_stream):
                frame.pts = None
                for packet in stream.encode(frame):
                    out.mux(packet)
            for packet in stream.encode(None):
                out.mux(packet)


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    encode(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
