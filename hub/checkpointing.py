"""Taking a checkpoint from an adapter (the scheduler's sweep, the command line, the admin's button or API call).

The line goes to the checkpoint file before the transaction commits: the head it states is already committed (the
log's lock is held), so a line whose checkpoint row then fails to commit is still true, while a committed checkpoint
can never be missing from the file. The consoles hear of it after the commit.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hub import sockets
from hub.core import checkpoints
from hub.core.access import Principal
from hub.db import write_session
from hub.runtime import Hub


def append_line(path: str, line: str) -> None:
    """Append one line to the checkpoint file and force it to disk (the file is shipped off from there)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def take(hub: Hub, principal: Principal, now: datetime, every: timedelta | None = None) -> dict[str, Any] | None:
    """Take, export and announce a checkpoint; None when the log's head has not moved (or one is not yet due)."""
    with write_session(hub.engine) as session:
        checkpoint = checkpoints.take(session, principal, hub.signer, now, every)
        if checkpoint is None:
            return None
        append_line(hub.settings.checkpoint_file, checkpoints.to_line(checkpoint))
        record = checkpoints.as_record(checkpoint)
    sockets.push_checkpoint(record)
    return record
