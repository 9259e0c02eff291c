"""The Flask app: cheap endpoints, a DB endpoint, a CPU endpoint, and faults behind EXAMPLE_FAULTS=1."""
import os
import time

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from flask import Flask, abort, jsonify, request

from gwarden_example import db, faults

# Memory the fault endpoints keep for the life of the worker.
_held = []
_leaked = []
MiB = 1024 * 1024


def _number(name, default, cast=float):
    """A query parameter as a number, 400 when it is not one."""
    try:
        return cast(request.args.get(name, default))
    except ValueError:
        abort(400, f"{name} must be a number")


def create_app():
    """Builds the Flask app (like SimpleLogin's server.create_app)."""
    app = Flask("gwarden_example")

    @app.get("/")
    def index():
        return jsonify(app="gwarden-example", pid=os.getpid())

    @app.get("/health")
    def health():
        return "ok\n"

    @app.get("/db")
    def database():
        return jsonify(db.write_and_read(f"alias-{os.getpid()}-{time.time_ns()}@example.org"))

    @app.get("/cpu")
    def cpu():
        rounds = _number("rounds", 20000, int)
        kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=b"gwarden-example", iterations=max(1, rounds))
        return jsonify(rounds=rounds, key=kdf.derive(b"password").hex())

    @app.get("/sleep")
    def sleep():
        seconds = _number("s", 1.0)
        time.sleep(max(0.0, seconds))
        return jsonify(slept=seconds)

    @app.get("/hog")
    def hog():
        if not faults.enabled():
            abort(404)
        mib = _number("mb", 64)
        # Repeating one byte writes every page: the memory is resident, not just reserved.
        block = bytearray(b"\x01") * int(mib * MiB)
        hold = request.args.get("hold")
        if hold is None:
            _held.append(block)  # held until the worker exits
        else:
            time.sleep(max(0.0, _number("hold", 0)))
            del block
        return jsonify(mb=mib, held_mb=sum(len(b) for b in _held) / MiB, pid=os.getpid())

    @app.get("/leak")
    def leak():
        if not faults.enabled():
            abort(404)
        kb = _number("kb", 100)
        _leaked.append(bytearray(b"\x01") * int(kb * 1024))
        return jsonify(leaked_kb=sum(len(b) for b in _leaked) / 1024, pid=os.getpid())

    return app
