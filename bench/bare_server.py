"""The baseline for bench_fanout.py: a bare Flask-SocketIO server on gevent (gevent-websocket) that accepts every
client on ``/platform``, puts them all in one room and broadcasts whatever is POSTed to ``/broadcast``.

    python bench/bare_server.py --port 23456
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402

from flask import Flask, request  # noqa: E402
from flask_socketio import SocketIO, join_room  # noqa: E402

NAMESPACE = "/platform"
ROOM = "all"

app = Flask(__name__)
socketio = SocketIO(app, async_mode="gevent", logger=False, engineio_logger=False)


@socketio.on("connect", namespace=NAMESPACE)
def connect(auth=None):
    join_room(ROOM)


@socketio.on("receipt", namespace=NAMESPACE)
def receipt(data=None):
    return {"ok": True}


@app.post("/broadcast")
def broadcast():
    socketio.emit("directive", request.get_json(), namespace=NAMESPACE, to=ROOM)
    return "", 204


@app.get("/healthz")
def healthz():
    return {"ok": True}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    print(f"bare server on {args.host}:{args.port}", flush=True)
    socketio.run(app, host=args.host, port=args.port, log_output=False)
