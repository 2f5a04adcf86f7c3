"""Checkpoints that are safe to load and say clearly when they are not.

A checkpoint is two files: ``name.pt`` (``torch.save`` of plain state dicts) and
``name.pt.sha256`` (its SHA-256, in ``sha256sum`` format). Loading checks the hash first,
then reads with ``torch.load(..., weights_only=True)`` — no pickled code ever runs — and
turns every failure (missing, truncated, tampered, wrong model) into a
:class:`CheckpointError` that says what to do.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import torch

from .results import _plain

__all__ = ["CheckpointError", "save_checkpoint", "load_checkpoint", "sha256_file"]

FORMAT = "rnn_course-checkpoint-v1"


class CheckpointError(RuntimeError):
    """A checkpoint is missing, corrupted, tampered with, or does not fit the model."""


def sha256_file(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _atomic_write(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_checkpoint(path, model: torch.nn.Module, optimizer: torch.optim.Optimizer | None = None,
                    *, step: int | None = None, meta: dict | None = None) -> str:
    """Write model (and optimizer) state to ``path`` atomically; return its SHA-256.

    ``meta`` holds plain values (numbers, strings, lists, dicts) such as hyperparameters.
    """
    path = Path(path)
    try:
        meta = _plain(dict(meta or {}))  # plain JSON-like values only: they must load with weights_only
    except ValueError as e:
        raise ValueError(f"meta: {e}") from None
    payload = {
        "format": FORMAT,
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict() if optimizer is not None else None,
        "step": step,
        "meta": meta,
    }
    _atomic_write(path, lambda f: torch.save(payload, f))
    digest = sha256_file(path)
    _atomic_write(Path(f"{path}.sha256"), lambda f: f.write(f"{digest}  {path.name}\n".encode()))
    return digest


def load_checkpoint(path, model: torch.nn.Module | None = None,
                    optimizer: torch.optim.Optimizer | None = None,
                    *, expected_sha256: str | None = None, map_location="cpu") -> dict:
    """Verify and load a checkpoint; fill ``model``/``optimizer`` if given. Returns the payload.

    The expected hash comes from ``expected_sha256`` or the ``.sha256`` file beside the
    checkpoint; without either, loading is refused.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"No checkpoint at {path}. Train and save one first, or check the path.")
    if expected_sha256 is None:
        side = Path(f"{path}.sha256")
        if not side.is_file():
            raise CheckpointError(
                f"{path.name} has no checksum file ({side.name}), so it cannot be verified. "
                "Re-save it with rnn_course.save_checkpoint, or pass expected_sha256=..."
            )
        expected_sha256 = side.read_text().split()[0] if side.read_text().split() else ""
    actual = sha256_file(path)
    if actual != expected_sha256.strip().lower():
        raise CheckpointError(
            f"{path.name} does not match its recorded SHA-256: the file is corrupted, truncated or "
            "was changed after it was saved. Do not use it: delete it and re-create it "
            "(re-run the training or the script that made it)."
        )
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as e:  # a hash match with an unreadable file: written by something else
        raise CheckpointError(
            f"{path.name} passed its checksum but is not a readable checkpoint "
            f"({type(e).__name__}). Re-create it with rnn_course.save_checkpoint."
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(
            f"{path.name} is not an rnn_course checkpoint (expected format {FORMAT!r}). "
            "Save checkpoints with rnn_course.save_checkpoint."
        )
    if model is not None:
        try:
            model.load_state_dict(payload["model"], strict=True)
        except RuntimeError as e:
            raise CheckpointError(
                f"{path.name} was saved from a different model than {type(model).__name__}: "
                f"{str(e).splitlines()[0]} Build the model with the same sizes as when it was saved "
                f"(saved settings: {payload.get('meta') or 'not recorded'})."
            ) from None
    if optimizer is not None:
        if payload.get("optimizer") is None:
            raise CheckpointError(f"{path.name} holds no optimizer state; load it without an optimizer.")
        try:
            optimizer.load_state_dict(payload["optimizer"])
        except (ValueError, KeyError) as e:
            raise CheckpointError(f"{path.name}: optimizer state does not fit this optimizer ({e}).") from None
    return payload
