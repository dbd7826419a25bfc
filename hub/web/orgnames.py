"""Organisation codes for log lines, without a query per line: every code is read in one query at the first need,
and an organisation registered since is read alone when it first turns up."""

from __future__ import annotations

import threading

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.engine import Engine

from hub.db import read_session
from hub.models import Organisation


class OrgCodes:
    """One hub's id → code table, filled lazily."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.codes: dict[int, str] = {}
        self.loaded = False
        self.lock = threading.Lock()

    def code_of(self, org_id: int) -> str:
        code = self.codes.get(org_id)
        if code is None:
            self._read(None if not self.loaded else org_id)
            code = self.codes.get(org_id)
        return code or str(org_id)

    def _read(self, org_id: int | None) -> None:
        """Read every code (``org_id`` None) or one."""
        query = sa.select(Organisation.id, Organisation.code)
        if org_id is not None:
            query = query.where(Organisation.id == org_id)
        with self.lock:
            try:
                with read_session(self.engine) as session:
                    rows = session.execute(query).all()
            except Exception:  # a log line is not worth an error: the id will do this time
                return
            self.codes.update({found: code for found, code in rows})
            self.loaded = True


def code_of(org_id: int | None) -> str:
    """The organisation's code (its id, as text, if it cannot be read now)."""
    if org_id is None:
        return "-"
    return current_app.extensions["hub_org_codes"].code_of(org_id)


def init_app(app: Flask) -> None:
    app.extensions["hub_org_codes"] = OrgCodes(app.extensions["hub"].engine)
