"""The hook channel writer: never blocks, never raises, only a pipe or a connected unix socket."""
import json
import os
import socket
import time
import unittest

from gwarden_runtime import channel


class OpenChannelTest(unittest.TestCase):
    def test_takes_a_pipe_and_makes_it_non_blocking_and_non_inheritable(self):
        r, w = os.pipe()
        try:
            os.set_inheritable(w, True)
            self.assertEqual(channel.open_channel({"GWARDEN_EVENT_FD": str(w)}), w)
            self.assertFalse(os.get_inheritable(w))
            self.assertFalse(os.get_blocking(w))
        finally:
            os.close(r)
            os.close(w)

    def test_ignores_anything_but_a_pipe_or_a_connected_socket(self):
        devnull = os.open(os.devnull, os.O_WRONLY)
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        a, b = socket.socketpair()
        try:
            for value in ["", "x", "-1", "999", str(devnull), str(listener.fileno())]:
                self.assertIsNone(channel.open_channel({"GWARDEN_EVENT_FD": value}), value)
            self.assertIsNone(channel.open_channel({}))
            self.assertEqual(channel.open_channel({"GWARDEN_EVENT_FD": str(a.fileno())}), a.fileno())
        finally:
            os.close(devnull)
            for s in (listener, a, b):
                s.close()


class EmitTest(unittest.TestCase):
    def setUp(self):
        self.saved = channel.FD

    def tearDown(self):
        channel.FD = self.saved

    def test_never_blocks_on_a_full_pipe_and_never_raises_on_a_closed_fd(self):
        r, w = os.pipe()
        channel.FD = channel.open_channel({"GWARDEN_EVENT_FD": str(w)})
        start = time.monotonic()
        for _ in range(20000):  # the pipe is full after ~600 lines
            channel.emit("on_exit")
        self.assertLess(time.monotonic() - start, 5)
        first = os.read(r, 65536).split(b"\n")[0]
        self.assertEqual(json.loads(first)["hook"], "on_exit")
        os.close(w)
        channel.emit("on_exit")  # EBADF: swallowed
        os.close(r)

    def test_one_line_per_record_below_pipe_buf_keeping_the_essentials(self):
        r, w = os.pipe()
        channel.FD = w
        try:
            channel.emit("when_ready", lambda: {"addresses": ["x" * 100] * 100, "workerClass": "sync"})
            channel.emit("memory_guard", {"rss": 1, "private": 2, "budget": 3, "junk": "y" * 5000})
            lines = os.read(r, 65536).decode().splitlines()
        finally:
            os.close(r)
            os.close(w)
        self.assertEqual(len(lines), 2)
        first, second = (json.loads(line) for line in lines)
        self.assertTrue(first["truncated"])
        self.assertNotIn("addresses", first)
        self.assertEqual((second["rss"], second["private"], second["budget"]), (1, 2, 3))
        self.assertNotIn("junk", second)

    def test_records_a_user_hook_error(self):
        r, w = os.pipe()
        channel.FD = w
        try:
            channel.emit("post_fork", {"worker": 7}, "ValueError")
            record = json.loads(os.read(r, 4096))
        finally:
            os.close(r)
            os.close(w)
        self.assertEqual(record["userHookError"], "ValueError")
        self.assertEqual(record["worker"], 7)
        self.assertEqual(record["pid"], os.getpid())

    def test_is_a_no_op_without_a_channel(self):
        channel.FD = None
        channel.emit("on_exit", lambda: 1 / 0)  # fields are not even computed


if __name__ == "__main__":
    unittest.main()
