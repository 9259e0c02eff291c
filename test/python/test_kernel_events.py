"""The master's kernel-event watcher without a kernel event: configuration, parsers, and the loop fed
by an eventfd the test writes (what the kernel does on a v1 threshold). The real cgroups are in
test/integration/kernel-events-v1.test.ts and, for cgroup v2, test/vm/kernel-events-v2.py."""
import os
import select
import tempfile
import threading
import time
import unittest

from gwarden_runtime import cgroup_files, event_config, kernel_events


class ConfigTest(unittest.TestCase):
    def test_psi_trigger_strings(self):
        self.assertEqual(event_config.psi_trigger("some 100000 1000000"), b"some 100000 1000000\0")
        self.assertEqual(event_config.psi_trigger(" full  50000   500000 "), b"full 50000 500000\0")
        for bad in ["", "some", "any 1 1000000", "some 0 1000000", "some 2000000 1000000",
                    "some 1000 100000", "some 1000 20000000", "some x 1000000"]:
            with self.subTest(bad=bad), self.assertRaises(ValueError):
                event_config.psi_trigger(bad)

    def test_config_from_the_environment(self):
        config, errors = event_config.config_from({
            "GWARDEN_MEMORY_THRESHOLDS": "100, 200,,x",
            "GWARDEN_MEMORY_PSI": "some 1 1",
            "GWARDEN_MEMORY_EVENTS": "1",
            "GWARDEN_MEMORY_HIGH": "300",
        })
        self.assertEqual(config, {"thresholds": [100, 200], "psi": None, "events": True, "high": 300})
        self.assertEqual(len(errors), 2)
        self.assertFalse(event_config.wanted(event_config.config_from({})[0]))


class ParseTest(unittest.TestCase):
    def test_flat_keyed(self):
        text = "low 0\nhigh 72\nmax 3\noom 0\noom_kill 0\noom_group_kill 0\n"
        self.assertEqual(cgroup_files.parse_flat_keyed(text)["high"], 72)
        v1 = "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n"
        self.assertEqual(cgroup_files.parse_flat_keyed(v1), {"oom_kill_disable": 0, "under_oom": 0, "oom_kill": 2})

    def test_psi_avg10(self):
        text = ("some avg10=1.71 avg60=2.36 avg300=2.57 total=230548833\n"
                "full avg10=1.00 avg60=1.01 avg300=1.00 total=157622356\n")
        self.assertEqual(cgroup_files.parse_psi_avg10(text), {"some": 1.71, "full": 1.0})

    def test_limits(self):
        self.assertIsNone(cgroup_files.limit_or_none(9223372036854771712))
        self.assertIsNone(cgroup_files.limit_or_none(None))
        self.assertEqual(cgroup_files.limit_or_none(512 << 20), 512 << 20)


class WatcherTest(unittest.TestCase):
    def setUp(self):
        self.records = []
        self.dir = tempfile.mkdtemp()
        with open(os.path.join(self.dir, "memory.usage_in_bytes"), "w") as f:
            f.write("104857600\n")
        with open(os.path.join(self.dir, "memory.limit_in_bytes"), "w") as f:
            f.write("209715200\n")

    def tearDown(self):
        for name in os.listdir(self.dir):
            os.unlink(os.path.join(self.dir, name))
        os.rmdir(self.dir)

    def emit(self, hook, fields):
        self.records.append((time.monotonic(), hook, fields))

    def wait_for(self, count, timeout=5):
        deadline = time.monotonic() + timeout
        while len(self.records) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.records

    def test_reports_at_once_then_at_most_every_100_ms_with_the_last_state(self):
        config = {"thresholds": [], "psi": None, "events": False, "high": None}
        w = kernel_events.Watcher("v1", self.dir, config, emit=self.emit)
        efd = w._eventfd()
        w._watch(efd, select.POLLIN, "threshold:1", lambda: kernel_events._drain(efd),
                 lambda: w._threshold(100 << 20), False)
        thread = threading.Thread(target=w.run, daemon=True)
        thread.start()
        start = time.monotonic()
        os.eventfd_write(efd, 1)
        first = self.wait_for(1)[0]
        self.assertLess(first[0] - start, 0.1)
        self.assertEqual(first[1], "memory_event")
        self.assertEqual(first[2], {"kind": "threshold", "threshold": 100 << 20, "usage": 100 << 20,
                                    "limit": 200 << 20, "direction": "up"})
        for _ in range(5):  # a burst right after: one more record, of the state after it
            os.eventfd_write(efd, 1)
            time.sleep(0.005)
        self.wait_for(2)
        time.sleep(0.3)
        self.assertEqual(len(self.records), 2)
        self.assertGreaterEqual(self.records[1][0] - first[0], kernel_events.MIN_GAP)
        w.stop()
        thread.join(2)
        self.assertFalse(thread.is_alive())
        w.close()

    def test_a_group_it_cannot_write_is_reported_once_and_left_alone(self):
        config = {"thresholds": [1 << 20], "psi": "some 100000 1000000", "events": True, "high": 1 << 30}
        w = kernel_events.Watcher("v1", self.dir + "/missing", config, emit=self.emit)
        self.assertFalse(w.setup())
        whats = sorted(r[2]["what"] for r in self.records)
        self.assertEqual(whats, ["high", "psi", "threshold"])
        self.assertTrue(all(r[2]["kind"] == "unavailable" and r[2]["reason"] for r in self.records))
        w.close()

    def test_v2_without_a_group_reports_each_part(self):
        config = {"thresholds": [1 << 20], "psi": "some 100000 1000000", "events": True, "high": 1 << 30}
        w = kernel_events.Watcher("v2", self.dir + "/missing", config, emit=self.emit)
        self.assertFalse(w.setup())
        self.assertEqual(sorted(r[2]["what"] for r in self.records), ["events", "high", "psi", "threshold"])
        w.close()

    def test_nothing_starts_without_the_channel(self):
        saved = kernel_events.channel.FD
        kernel_events.channel.FD = None
        try:
            self.assertIsNone(kernel_events.start({"GWARDEN_MEMORY_EVENTS": "1", "GWARDEN_CGROUP_DIR": self.dir}))
            self.assertIsNone(kernel_events._WATCHER)
        finally:
            kernel_events.channel.FD = saved

    def test_a_forked_child_drops_the_watcher_and_its_fds(self):
        config = {"thresholds": [], "psi": None, "events": False, "high": None}
        kernel_events._WATCHER = kernel_events.Watcher("v1", self.dir, config, emit=self.emit)
        fd = kernel_events._WATCHER.wake
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.fstat(fd)
                os.write(w, b"open" if kernel_events._WATCHER else b"kept")
            except OSError:
                os.write(w, b"closed")
            os._exit(0)
        os.waitpid(pid, 0)
        self.assertEqual(os.read(r, 16), b"closed")
        os.fstat(fd)  # still open here
        kernel_events._WATCHER.close()
        kernel_events._WATCHER = None
        os.close(r)
        os.close(w)


if __name__ == "__main__":
    unittest.main()
