"""The speed tricks of ``hub/sockets/fast`` in isolation: the frame writer, the broadcast's switch interval."""

from __future__ import annotations

import socket
import sys
import threading

import pytest
import socketio as sio

from hub.sockets.fast.broadcast import BROADCAST_SWITCH_INTERVAL
from hub.sockets.fast.server import frame_writer
from hub.sockets.gate import Gate, make_manager


def test_a_frame_the_socket_takes_only_in_part_still_arrives_whole():
    left, right = socket.socketpair()
    left.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    payload = bytes(range(256)) * 8192  # 2 MB: far more than one send takes
    received = bytearray()

    def read() -> None:
        while len(received) < len(payload):
            chunk = right.recv(65536)
            if not chunk:
                return
            received.extend(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    frame_writer(left)(payload)
    reader.join(10)
    left.close()
    right.close()
    assert bytes(received) == payload


class _Server:
    """Just what the gate's broadcast touches of a python-socketio server."""

    async_mode = "gevent"
    packet_class = sio.packet.Packet

    def __init__(self) -> None:
        self.intervals: list[float] = []

    def sleep(self, _seconds: float) -> None:
        self.intervals.append(sys.getswitchinterval())


def test_a_broadcast_runs_with_the_long_switch_interval_and_restores_it_even_when_it_fails(monkeypatch):
    gate, server = Gate(), _Server()
    gate.set_server(server)
    before = sys.getswitchinterval()
    calls: list[float] = []
    monkeypatch.setattr(sio.Manager, "emit", lambda self, *a, **k: calls.append(sys.getswitchinterval()))
    gate.emit("directive", {"id": 1}, "/platform", to=["platform:1", "platform:2"])
    assert calls == [BROADCAST_SWITCH_INTERVAL] and server.intervals == [BROADCAST_SWITCH_INTERVAL]
    assert sys.getswitchinterval() == before

    gate.emit("head", {"seq": 1}, "/platform", to="platform:1")  # one room: no change, no yield
    assert calls[-1] == before and len(server.intervals) == 1

    def broken(self, *a, **k):
        raise RuntimeError("socket gone")

    monkeypatch.setattr(sio.Manager, "emit", broken)
    with pytest.raises(RuntimeError):
        gate.emit("directive", {"id": 2}, "/platform", to=["platform:1"])
    assert sys.getswitchinterval() == before


def test_with_the_switch_interval_trick_off_a_broadcast_leaves_the_interval_alone(monkeypatch):
    gate, server = make_manager("", "test", long_switch_interval=False), _Server()
    gate.set_server(server)
    before = sys.getswitchinterval()
    calls: list[float] = []
    monkeypatch.setattr(sio.Manager, "emit", lambda self, *a, **k: calls.append(sys.getswitchinterval()))
    gate.emit("directive", {"id": 1}, "/platform", to=["platform:1", "platform:2"])
    assert calls == [before] and server.intervals == []
