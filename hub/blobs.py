"""Attachment content on disk, addressed by its SHA-256: ``<instance>/attachments/ab/abcdef…``.

A file is written to a temporary name in the same folder, flushed to disk and renamed over its final name, so a
reader never sees half a file and two writers of the same content agree."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


class BlobStore:
    """The attachments folder of one instance."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        """Where the content with this hash lives (whether or not it is there)."""
        return self.root / sha256[:2] / sha256

    def put(self, content: bytes) -> str:
        """Store ``content`` once (atomically) and return its SHA-256 in hex."""
        digest = hashlib.sha256(content).hexdigest()
        final = self.path(digest)
        if final.exists():
            return digest
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=final.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, final)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return digest
