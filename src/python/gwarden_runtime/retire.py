"""Retiring a worker after its current request, as max_requests does, without dropping requests.

`worker.alive = False` is how gunicorn's own max_requests retires a worker: the sync worker leaves
its loop after the request, gthread and the async workers after their loop's current turn, and the
master forks a fresh worker. One gthread generation loses requests that way: from gunicorn 21 to 25
an accepted connection first waits in the worker's poller for its request to arrive, and a worker
that leaves its loop drops those connections (gunicorn 23.0.0's own max_requests, 4 clients back to
back: 19 of 600 requests reset, 0 on 20.1.0 and 26.2.2, where accepted connections go straight to
the thread pool or are drained before exit). For those workers the guard first stops accepting, lets
the connections already accepted be served, and only then sets `alive = False`; after
graceful_timeout it stops anyway.
"""
import threading
import time

POLL_SECONDS = 0.05


def keeps_accepted_connections_waiting(worker):
    """gthread of gunicorn 21-25: accepted connections wait in the poller (26 drains them itself)."""
    return (hasattr(worker, "on_client_socket_readable") and not hasattr(worker, "set_accept_enabled")
            and hasattr(worker, "poller") and hasattr(worker, "_lock") and hasattr(worker, "sockets"))


def stop(worker, in_flight):
    """Stop `worker` once its accepted requests are served; in_flight() counts requests being served."""
    if not keeps_accepted_connections_waiting(worker):
        worker.alive = False
        return
    try:
        with worker._lock:
            for sock in worker.sockets:
                worker.poller.unregister(sock)
    except Exception:
        worker.alive = False
        return
    timeout = float(getattr(worker.cfg, "graceful_timeout", 30) or 30)
    threading.Thread(target=_drain, args=(worker, in_flight, timeout), name="gwarden-retire",
                     daemon=True).start()


def _drain(worker, in_flight, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with worker._lock:
                waiting = len(worker.poller.get_map())
        except Exception:
            break
        if waiting == 0 and in_flight() == 0:
            break
        time.sleep(POLL_SECONDS)
    worker.alive = False
