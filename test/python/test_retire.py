"""Retiring a worker: alive = False at once, or (gthread of gunicorn 21-25) after the connections it
already accepted are served."""
import selectors
import socket
import threading
import time
import types
import unittest

from gwarden_runtime import retire


class Sync:
    alive = True


class WaitingGthread:
    """The shape of gunicorn 23's ThreadWorker that retire.py relies on."""

    def __init__(self):
        self.alive = True
        self.cfg = types.SimpleNamespace(graceful_timeout=5)
        self._lock = threading.RLock()
        self.poller = selectors.DefaultSelector()
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen()
        self.sockets = [self.listener]
        self.poller.register(self.listener, selectors.EVENT_READ, "accept")

    def on_client_socket_readable(self, conn, client):
        pass

    def close(self):
        self.poller.close()
        self.listener.close()


def wait_until(check, timeout=3):
    deadline = time.monotonic() + timeout
    while not check() and time.monotonic() < deadline:
        time.sleep(0.01)
    return check()


class RetireTest(unittest.TestCase):
    def test_sync_and_gunicorn_20_or_26_workers_stop_at_once(self):
        worker = Sync()
        retire.stop(worker, lambda: 1)
        self.assertFalse(worker.alive)
        self.assertFalse(retire.keeps_accepted_connections_waiting(worker))

    def test_a_waiting_gthread_stops_accepting_and_stops_once_its_connections_are_served(self):
        worker = WaitingGthread()
        a, b = socket.socketpair()
        busy = [1]
        try:
            worker.poller.register(a, selectors.EVENT_READ, "pending")  # accepted, no request yet
            self.assertTrue(retire.keeps_accepted_connections_waiting(worker))
            retire.stop(worker, lambda: busy[0])
            self.assertNotIn(worker.listener, [k.fileobj for k in worker.poller.get_map().values()])
            time.sleep(0.2)
            self.assertTrue(worker.alive, "a connection still waits for its request")
            with worker._lock:
                worker.poller.unregister(a)  # its request arrived and went to the thread pool
            time.sleep(0.2)
            self.assertTrue(worker.alive, "a request is still being served")
            busy[0] = 0
            self.assertTrue(wait_until(lambda: not worker.alive))
        finally:
            a.close()
            b.close()
            worker.close()

    def test_gives_up_waiting_after_graceful_timeout(self):
        worker = WaitingGthread()
        worker.cfg.graceful_timeout = 0.3
        try:
            retire.stop(worker, lambda: 1)
            self.assertTrue(worker.alive)
            self.assertTrue(wait_until(lambda: not worker.alive))
        finally:
            worker.close()


if __name__ == "__main__":
    unittest.main()
