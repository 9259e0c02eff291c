"""The per-worker counters: the documented layout, the seqlock, several threads at once, clean-up."""
import os
import struct
import tempfile
import threading
import time
import unittest

from gwarden_runtime import stats

BODY = struct.Struct("<IIQIIddQQQQddQQ")


def snapshot(path):
    """A reader as gwarden's (src/core/sample/worker-stats.ts): one read, seq copies equal and even."""
    with open(path, "rb") as f:
        data = f.read()
    magic, version, head = struct.unpack_from("<4sIQ", data, 0)
    (tail,) = struct.unpack_from("<Q", data, 120)
    if magic != b"GWS1" or version != 1 or head != tail or head % 2:
        return None
    return BODY.unpack_from(data, 16)


class Figures:
    """What the counters read of a guard."""

    def __init__(self, rss, private, tripped=False):
        self.rss, self.private, self.shared, self.rollups, self.tripped = rss, private, 0, 1, tripped
        self.reads = 1


class CountersTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(dir="/dev/shm" if os.path.isdir("/dev/shm") else None)

    def tearDown(self):
        for name in os.listdir(self.dir):
            os.unlink(os.path.join(self.dir, name))
        os.rmdir(self.dir)

    def test_off_without_the_variable_or_with_a_missing_directory(self):
        self.assertIsNone(stats.open_counters(1, {}))
        self.assertIsNone(stats.open_counters(1, {"GWARDEN_STATS_DIR": self.dir + "/missing"}))

    def test_writes_the_documented_layout(self):
        c = stats.open_counters(4, {"GWARDEN_STATS_DIR": self.dir})
        path = os.path.join(self.dir, "%d.stats" % os.getpid())
        self.assertEqual(os.path.getsize(path), stats.SIZE)
        c.set_flag(stats.FLAG_READY)
        c.begin("a", 1.7e9)
        c.begin("b", 1.7e9 + 1)
        pid, flags, requests, in_flight, slots, oldest, last_end = snapshot(path)[:7]
        self.assertEqual((pid, flags, requests, in_flight, slots), (os.getpid(), 1, 0, 2, 4))
        self.assertGreater(oldest, 1e9)
        self.assertEqual(last_end, 0.0)
        self.assertEqual(oldest, 1.7e9)
        c.end("a", 1.7e9 + 2, Figures(rss=100 << 20, private=40 << 20, tripped=True))
        fields = snapshot(path)
        self.assertEqual(fields[1:4], (3, 1, 1))
        self.assertEqual(fields[5:9], (1.7e9 + 1, 1.7e9 + 2, 100 << 20, 40 << 20))
        c.close()
        self.assertFalse(os.path.exists(path))

    def test_stays_consistent_with_many_threads_and_a_reader(self):
        c = stats.open_counters(8, {"GWARDEN_STATS_DIR": self.dir})
        path = c.path
        done = threading.Event()
        seen = {"ok": 0, "torn": 0, "bad": 0}

        def read():
            last = 0
            while not done.is_set():
                fields = snapshot(path)
                if fields is None:
                    seen["torn"] += 1
                    continue
                requests, in_flight = fields[2], fields[3]
                if requests < last or in_flight > 8:
                    seen["bad"] += 1
                last = requests
                seen["ok"] += 1

        def serve(n):
            for i in range(2000):
                c.begin((n, i), time.time())
                c.end((n, i), time.time())

        reader = threading.Thread(target=read)
        reader.start()
        workers = [threading.Thread(target=serve, args=(n,)) for n in range(8)]
        for t in workers:
            t.start()
        for t in workers:
            t.join()
        done.set()
        reader.join()
        fields = snapshot(path)
        self.assertEqual((fields[2], fields[3]), (16000, 0))
        self.assertEqual(seen["bad"], 0)
        self.assertGreater(seen["ok"], 0)
        c.close()

    def test_one_slot_counts_without_locks_and_publishes_the_guard_only_when_it_read(self):
        c = stats.open_counters(1, {"GWARDEN_STATS_DIR": self.dir})
        self.assertIs(type(c), stats.Counters)
        g = Figures(rss=80 << 20, private=30 << 20)
        c.begin(1, 1.7e9)
        self.assertEqual(snapshot(c.path)[3:6], (1, 1, 1.7e9))
        c.end(1, 1.7e9 + 1, g)
        g.rss = 90 << 20  # changed without a read: not published
        c.begin(2, 1.7e9 + 2)
        c.end(2, 1.7e9 + 3, g)
        fields = snapshot(c.path)
        self.assertEqual(fields[2:8], (2, 0, 1, 0.0, 1.7e9 + 3, 80 << 20))
        g.reads += 1
        c.begin(3, 1.7e9 + 4)
        c.end(3, 1.7e9 + 5, g)
        self.assertEqual(snapshot(c.path)[7], 90 << 20)
        c.close()

    def test_a_copy_taken_during_a_write_is_refused(self):
        c = stats.open_counters(1, {"GWARDEN_STATS_DIR": self.dir})
        c.begin(1, 1.7e9)
        self.assertIsNotNone(snapshot(c.path))
        c._open_write()  # the tail of the next write is stored first, the head last
        self.assertIsNone(snapshot(c.path))
        c.q[1] = c.seq
        self.assertIsNotNone(snapshot(c.path))
        c.close()

    def test_remove_is_quiet_when_the_file_is_gone(self):
        stats.remove(self.dir, 123456789)


if __name__ == "__main__":
    unittest.main()
