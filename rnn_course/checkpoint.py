"""Checkpoints that are safe to load and say clearly when they are not.

A checkpoint is two files: ``name.pt`` (``torch.save`` of plain state dicts) and
``name.pt.sha256`` (its SHA-256, in ``sha256sum`` format). Loading checks the hash first,
then reads with ``torch.load(..., weights_only=True)`` — no pickled code ever runs — and
turns every failure (missing, truncated, tampered, wrong model) into a
:class:`CheckpointError` that says what to do.

Loading into a model (and optimizer) is all or nothing: every name and shape — and the
optimizer's kind, parameter groups and state shapes — is checked before a single tensor is
copied, so a refused checkpoint leaves the learner's weights exactly as they were.
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
import tempfile
from pathlib import Path

import torch

from .repro import checked_device
from .results import _plain

__all__ = ["CheckpointError", "save_checkpoint", "load_checkpoint", "sha256_file"]

FORMAT = "rnn_course-checkpoint-v1"


class CheckpointError(RuntimeError):
    """A checkpoint is missing, corrupted, tampered with, does not fit the model, or cannot be saved."""


def sha256_file(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _check_save_path(path: Path) -> None:
    """Refuse a path that cannot become a file: it is a folder, or a file sits where a folder must be."""
    if path.is_dir():
        raise CheckpointError(f"cannot save to {path}: {path.name} is a folder. Give a file name inside it, "
                              f"e.g. {path / 'model.pt'}")
    for folder in reversed(path.parents):
        if folder.exists() and not folder.is_dir():
            raise CheckpointError(
                f"cannot save {path.name} in {path.parent}: {folder} is a file, not a folder. Save to "
                f"another folder, or rename or move that file first.")


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
    _check_objects(model, optimizer, "save_checkpoint(path, model, optimizer=None)")
    if not str(path).strip():
        raise CheckpointError("the checkpoint path is empty: give a file name, e.g. save_checkpoint('model.pt', model)")
    path = Path(path)
    _check_save_path(path)
    try:
        meta = _plain(dict(meta or {}))  # plain JSON-like values only: they must load with weights_only
    except ValueError as e:
        raise ValueError(f"meta: {e}") from None
    payload = {
        "format": FORMAT,
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict() if optimizer is not None else None,
        "optimizer_class": type(optimizer).__name__ if optimizer is not None else None,  # absent in old files
        "step": step,
        "meta": meta,
    }
    _atomic_write(path, lambda f: torch.save(payload, f))
    digest = sha256_file(path)
    _atomic_write(Path(f"{path}.sha256"), lambda f: f.write(f"{digest}  {path.name}\n".encode()))
    return digest


def _check_objects(model, optimizer, call: str, needed: bool = True) -> None:
    """A model that is a torch module and an optimizer that is a torch optimizer (swapped or a state_dict: refused)."""
    if not isinstance(model, torch.nn.Module) and (needed or model is not None):
        hint = (" (that is the optimizer: the model comes first)" if isinstance(model, torch.optim.Optimizer) else
                " (a state_dict: pass the model itself, and its weights are filled in)" if isinstance(model, dict) else "")
        raise ValueError(f"model must be a torch.nn.Module, got {type(model).__name__}{hint}; call {call}")
    if optimizer is not None and not isinstance(optimizer, torch.optim.Optimizer):
        raise ValueError(f"optimizer must be a torch.optim optimizer or None, got {type(optimizer).__name__}; "
                         f"call {call}")


def _shape(t) -> str:
    return str(tuple(t.shape)) if torch.is_tensor(t) else type(t).__name__


def _names(names: list[str], limit: int = 6) -> str:
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def model_mismatch(saved, model: torch.nn.Module) -> str | None:
    """What keeps ``saved`` (a state dict) from loading into ``model``, or None when it fits."""
    if not isinstance(saved, dict):
        return f"the checkpoint holds no model state dict (found {type(saved).__name__})"
    mine = model.state_dict()
    problems = []
    shapes = [k for k in mine if k in saved and torch.is_tensor(mine[k]) and
              (not torch.is_tensor(saved[k]) or saved[k].shape != mine[k].shape)]
    if shapes:
        k = shapes[0]
        more = f" ({len(shapes) - 1} more tensors differ too)" if len(shapes) > 1 else ""
        problems.append(f"{k} is {_shape(saved[k])} in the checkpoint but {_shape(mine[k])} in the model{more}")
    missing = [k for k in mine if k not in saved]
    unexpected = [k for k in saved if k not in mine]
    if missing:
        problems.append(f"missing from the checkpoint: {_names(missing)}")
    if unexpected:
        problems.append(f"not in the model: {_names(unexpected)}")
    return "; ".join(problems) or None


# optimizer state kept per element of a parameter, so shaped like it (Adam, AdamW, SGD, RMSprop, Adagrad, ...)
_ELEMENTWISE = {"exp_avg", "exp_avg_sq", "max_exp_avg_sq", "momentum_buffer", "square_avg", "grad_avg",
                "acc_delta", "sum", "ax", "prev", "step_size"}


def _optimizer_mismatch(payload: dict, optimizer: torch.optim.Optimizer, model) -> str | None:
    """What keeps the saved optimizer state from loading into ``optimizer``, or None when it fits."""
    saved, kind, now = payload.get("optimizer"), payload.get("optimizer_class"), type(optimizer).__name__
    if kind and kind != now:  # checkpoints saved before the class was recorded have none
        return (f"it holds {kind} optimizer state; this optimizer is {now}. Make the same kind "
                f"(torch.optim.{kind}(model.parameters(), ...)), or load without optimizer= to take the "
                "weights only (the optimizer then starts afresh)")
    groups = saved.get("param_groups") if isinstance(saved, dict) else None
    if not isinstance(groups, list) or not isinstance(saved.get("state"), dict):
        return "its optimizer state is not a torch optimizer state dict"
    sizes = [len(g["params"]) for g in groups], [len(g["params"]) for g in optimizer.param_groups]
    if sizes[0] != sizes[1]:
        return (f"its optimizer has parameter groups of {sizes[0]} tensors, this one {sizes[1]}: it was made "
                "for another model or another choice of trainable parameters")
    for old, new in zip(groups, optimizer.param_groups):
        # a setting this optimizer needs and the saved one lacks (flags torch fills in itself are bool/None)
        lacking = [k for k, v in new.items() if k != "params" and k not in old and not isinstance(v, (bool, type(None)))]
        if lacking:
            return (f"its optimizer state has no {', '.join(lacking)}, which this {now} needs: it was saved by "
                    "another kind of optimizer. Make the same kind as when it was saved, or load without "
                    "optimizer= to take the weights only")
    params = [p for g in optimizer.param_groups for p in g["params"]]
    ids = [i for g in groups for i in g["params"]]
    names = {id(p): n for n, p in model.named_parameters()} if model is not None else {}
    for i, p in zip(ids, params):
        for key, value in (saved["state"].get(i) or {}).items():
            if key in _ELEMENTWISE and torch.is_tensor(value) and value.shape != p.shape:
                name = names.get(id(p), f"parameter {params.index(p)}")
                return (f"its optimizer state {key} of {name} is {_shape(value)} but the parameter is "
                        f"{_shape(p)}: it was saved for a model of other sizes")
    return None


def _expected_hash(path: Path) -> str:
    """The SHA-256 recorded in ``path``'s ``.sha256`` file; a missing, empty or garbled one is refused."""
    side = Path(f"{path}.sha256")
    if not side.is_file():
        raise CheckpointError(
            f"{path.name} has no checksum file ({side.name}), so it cannot be verified. "
            "Re-save it with rnn_course.save_checkpoint, or pass expected_sha256=..."
        )
    try:
        words = side.read_text(encoding="utf-8").split()
    except (OSError, UnicodeDecodeError) as e:
        words = [f"unreadable ({type(e).__name__})"]
    if words and re.fullmatch(r"[0-9a-fA-F]{64}", words[0]):
        return words[0]
    found = "it is empty" if not words else f"it starts with {words[0][:20]!r}"
    raise CheckpointError(
        f"{side.name} holds no SHA-256 ({found}), so {path.name} cannot be verified; the checkpoint itself "
        f"may be fine. Put back the {side.name} that came with it, or, if you saved {path.name} yourself and "
        "trust it, load it with expected_sha256=rnn_course.sha256_file(path) and save it again."
    )


def load_checkpoint(path, model: torch.nn.Module | None = None,
                    optimizer: torch.optim.Optimizer | None = None,
                    *, expected_sha256: str | None = None, map_location="cpu") -> dict:
    """Verify and load a checkpoint; fill ``model``/``optimizer`` if given. Returns the payload.

    The expected hash comes from ``expected_sha256`` or the ``.sha256`` file beside the
    checkpoint; without either, loading is refused. Model and optimizer are filled all or
    nothing: on any :class:`CheckpointError` both keep what they had.
    """
    _check_objects(model, optimizer, "load_checkpoint(path, model=None, optimizer=None)", needed=False)
    if isinstance(map_location, (str, torch.device)):
        checked_device(map_location, name="map_location", otherwise="or leave map_location out to load on the CPU")
    given = expected_sha256 is not None
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"No checkpoint at {path}. Train and save one first, or check the path.")
    if expected_sha256 is None:
        expected_sha256 = _expected_hash(path)
    elif not isinstance(expected_sha256, str) or not re.fullmatch(r"\s*[0-9a-fA-F]{64}\s*", expected_sha256):
        raise CheckpointError(f"expected_sha256={expected_sha256!r} is not a SHA-256 (64 hex digits): pass the "
                              "hash save_checkpoint returned, or rnn_course.sha256_file(path) of a file you trust.")
    actual = sha256_file(path)
    if actual != expected_sha256.strip().lower() and given:
        raise CheckpointError(
            f"{path.name} does not match the expected_sha256 you gave ({expected_sha256.strip()[:12]}…; the file's is "
            f"{actual[:12]}…): either that hash belongs to another file or this file changed. Check which hash "
            "save_checkpoint returned for this file, or load it without expected_sha256 to use its .sha256 file."
        )
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
    kept = "; nothing was loaded, the model keeps its weights"
    if model is not None and (why := model_mismatch(payload["model"], model)):
        raise CheckpointError(
            f"{path.name} was saved from a different model than this {type(model).__name__}: {why}{kept}. "
            f"Build the model with the same sizes as when it was saved "
            f"(saved settings: {payload.get('meta') or 'not recorded'})."
        )
    if optimizer is not None:
        if payload.get("optimizer") is None:
            raise CheckpointError(f"{path.name} holds no optimizer state{kept}. Load it without optimizer=.")
        if why := _optimizer_mismatch(payload, optimizer, model):
            raise CheckpointError(f"{path.name} does not fit this optimizer: {why}; nothing was loaded, the "
                                  "model and the optimizer keep what they had.")
    _load_all_or_nothing(path, payload, model, optimizer)
    return payload


def _load_all_or_nothing(path: Path, payload: dict, model, optimizer) -> None:
    """Copy the checked state in; should torch still refuse something, put everything back."""
    backup = (copy.deepcopy(model.state_dict()) if model is not None else None,
              copy.deepcopy(optimizer.state_dict()) if optimizer is not None else None)
    try:
        if model is not None:
            model.load_state_dict(payload["model"], strict=True)
        if optimizer is not None:
            optimizer.load_state_dict(payload["optimizer"])
    except (RuntimeError, ValueError, KeyError, TypeError) as e:
        if model is not None:
            model.load_state_dict(backup[0])
        if optimizer is not None:
            optimizer.load_state_dict(backup[1])
        raise CheckpointError(f"{path.name} does not fit: {str(e).splitlines()[0]}; nothing was loaded. "
                              "Build the model and optimizer as they were when it was saved.") from None
