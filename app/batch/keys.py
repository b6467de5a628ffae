"""The resume key of a clip's result: its content, what was asked of it, and the engine that answered.

A result is reused only when all of these are unchanged, so renaming or moving a clip costs nothing and a
changed clip, another exercise or model, or a newer engine is analysed afresh.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

# Raise whenever a change may change any count, fault or status on some clip (the checker, the filters, the
# pose pipeline, a model bundle): every stored batch result then becomes stale and is analysed again.
ENGINE_VERSION = "1"

_BLOCK = 1 << 20


def content_sha256(path: str | Path) -> str:
    """sha256 of the file's bytes (read in blocks: clips can be large). Raises OSError."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def result_key(content: str, exercise: str, model: str, engine: str = ENGINE_VERSION) -> str:
    """The key one result is stored under (hex, 24 characters: collisions are not a practical concern)."""
    text = "\n".join(("hipcoach-batch", content, exercise, model, engine))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def unreadable_key(path: str | Path, exercise: str, model: str) -> str:
    """A key for an input whose content cannot be read (missing, no permission): by its path instead."""
    return result_key("path:" + str(Path(path).absolute()), exercise, model)
