"""A cheap load generator: thousands of Socket.IO clients in one asyncio process.

Each client speaks Engine.IO v4 / Socket.IO v5 over a minimal websocket client on raw asyncio streams (no
python-socketio client per connection: that would measure the generator, not the server). A client connects to
``/platform`` with ``auth``, answers pings, notes when each ``directive`` arrives and, if asked to, answers a live
one with a ``receipt`` event.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import struct
import time
from dataclasses import dataclass, field

NAMESPACE = "/platform"
ID_RE = re.compile(rb'[{,]"id":\s*(\d+)')
OP_TEXT, OP_CLOSE, OP_PING, OP_PONG = 0x1, 0x8, 0x9, 0xA


def ws_frame(data: bytes, opcode: int = OP_TEXT) -> bytes:
    """A client frame: FIN, masked with the all-zero key (valid, and the payload stays as it is)."""
    n = len(data)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
    return head + b"\0\0\0\0" + data


async def read_frame(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """One whole message (continuation frames joined) from the server, which never masks."""
    chunks, opcode = [], None
    while True:
        b0, b1 = await reader.readexactly(2)
        n = b1 & 0x7F
        if n == 126:
            (n,) = struct.unpack("!H", await reader.readexactly(2))
        elif n == 127:
            (n,) = struct.unpack("!Q", await reader.readexactly(8))
        mask = await reader.readexactly(4) if b1 & 0x80 else None
        data = await reader.readexactly(n)
        if mask:
            data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        opcode = opcode or (b0 & 0x0F)
        chunks.append(data)
        if b0 & 0x80:
            return opcode, b"".join(chunks)


@dataclass
class Arrivals:
    """When each directive (by id) reached how many clients."""

    count: dict[int, int] = field(default_factory=dict)
    first: dict[int, float] = field(default_factory=dict)
    last: dict[int, float] = field(default_factory=dict)
    first_receipt_sent: dict[int, float] = field(default_factory=dict)
    receipts_answered: int = 0
    receipt_errors: int = 0

    def note(self, directive_id: int, at: float) -> None:
        self.count[directive_id] = self.count.get(directive_id, 0) + 1
        self.first.setdefault(directive_id, at)
        self.last[directive_id] = at


class Client:
    """One platform's connection."""

    def __init__(self, host: str, port: int, auth: dict, arrivals: Arrivals, receipts: bool) -> None:
        self.host, self.port, self.auth = host, port, auth
        self.arrivals, self.receipts = arrivals, receipts
        self.writer: asyncio.StreamWriter | None = None
        self.connected = asyncio.get_running_loop().create_future()
        self.seen: set[int] = set()
        self.duplicates = 0
        self._ack_id = 0
        self.task: asyncio.Task | None = None

    async def open(self) -> None:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        self.writer = writer
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        status = await reader.readuntil(b"\r\n\r\n")
        if b" 101 " not in status.split(b"\r\n", 1)[0]:
            raise ConnectionError(status.split(b"\r\n", 1)[0].decode(errors="replace"))
        self.task = asyncio.create_task(self._read(reader))

    def send(self, text: str) -> None:
        if self.writer is not None and not self.writer.is_closing():
            self.writer.write(ws_frame(text.encode()))

    async def _read(self, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                opcode, data = await read_frame(reader)
                if opcode == OP_PING:
                    self.writer.write(ws_frame(data, OP_PONG))
                elif opcode == OP_CLOSE:
                    break
                elif opcode == OP_TEXT:
                    self._on_packet(data, time.monotonic())
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            if not self.connected.done():
                self.connected.set_exception(ConnectionError("closed before the namespace connected"))

    def _on_packet(self, data: bytes, at: float) -> None:
        kind = data[:1]
        if kind == b"2":  # Engine.IO ping
            self.send("3")
        elif kind == b"0":  # Engine.IO open: connect the namespace
            self.send(f"40{NAMESPACE},{json.dumps(self.auth)}")
        elif data.startswith(b"42" + NAMESPACE.encode()):
            self._on_event(data, at)
        elif data.startswith(b"43" + NAMESPACE.encode()):
            answer = json.loads(data[data.index(b"[") :])
            self.arrivals.receipts_answered += 1
            if not (answer and isinstance(answer[0], dict) and answer[0].get("ok")):
                self.arrivals.receipt_errors += 1
        elif data.startswith(b"40" + NAMESPACE.encode()) and not self.connected.done():
            self.connected.set_result(True)
        elif data.startswith(b"44" + NAMESPACE.encode()) and not self.connected.done():
            self.connected.set_exception(ConnectionRefusedError(data.decode(errors="replace")))

    def _on_event(self, data: bytes, at: float) -> None:
        start = data.index(b"[")
        if not data.startswith(b'["directive"', start):
            return
        match = ID_RE.search(data, start)
        if match is None:
            return
        directive_id = int(match.group(1))
        if directive_id in self.seen:
            self.duplicates += 1
            return
        self.seen.add(directive_id)
        self.arrivals.note(directive_id, at)
        if self.receipts and b'"seq":' not in data:
            self._ack_id += 1
            self.send(f'42{NAMESPACE},{self._ack_id}["receipt",{{"directive_id":{directive_id}}}]')
            self.arrivals.first_receipt_sent.setdefault(directive_id, time.monotonic())

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await asyncio.wait_for(self.writer.wait_closed(), 2)
            except (TimeoutError, ConnectionError):
                pass
        if self.task is not None:
            self.task.cancel()


class Swarm:
    """N clients, connected in batches no larger than the server's accept backlog (gevent's default is 128)."""

    client_class: type[Client] = Client

    def __init__(self, host: str, port: int, auths: list[dict], receipts: bool) -> None:
        self.host, self.port, self.auths, self.receipts = host, port, auths, receipts
        self.arrivals = Arrivals()
        self.clients: list[Client] = []
        self.failed = 0

    async def connect(self, batch: int = 100, timeout: float = 60.0) -> float:
        """Connect every client; returns the seconds it took. Clients that fail are counted in ``failed``."""
        started = time.monotonic()
        for i in range(0, len(self.auths), batch):
            group = [
                self.client_class(self.host, self.port, a, self.arrivals, self.receipts)
                for a in self.auths[i : i + batch]
            ]
            results = await asyncio.gather(*(self._connect_one(c, timeout) for c in group))
            self.clients += [c for c, ok in zip(group, results, strict=True) if ok]
            self.failed += results.count(False)
        return time.monotonic() - started

    @staticmethod
    async def _connect_one(client: Client, timeout: float) -> bool:
        try:
            await asyncio.wait_for(client.open(), timeout)
            await asyncio.wait_for(client.connected, timeout)
            return True
        except (OSError, TimeoutError, ConnectionError):
            await client.close()
            return False

    @property
    def duplicates(self) -> int:
        return sum(c.duplicates for c in self.clients)

    async def close(self) -> None:
        for i in range(0, len(self.clients), 500):
            await asyncio.gather(*(c.close() for c in self.clients[i : i + 500]))
        self.clients = []
