"""The per-worker counters: the documented layout, the seqlock, several threads at once, clean-up."""
import os
import struct
import tempfile
import threading
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
        c.begin("a")
        c.begin("b")
        pid, flags, requests, in_flight, slots, oldest, last_end = snapshot(path)[:7]
        self.assertEqual((pid, flags, requests, in_flight, slots), (os.getpid(), 1, 0, 2, 4))
        self.assertGreater(oldest, 1e9)
        self.assertEqual(last_end, 0.0)
        c.end("a", flags=stats.FLAG_RETIRING, rss=100 << 20, private=40 << 20)
        fields = snapshot(path)
        self.assertEqual(fields[1:4], (3, 1, 1))
        self.assertEqual(fields[7:9], (100 << 20, 40 << 20))
        self.assertGreaterEqual(fields[6], oldest)
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
                c.begin((n, i))
                c.end((n, i))

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

    def test_remove_is_quiet_when_the_file_is_gone(self):
        stats.remove(self.dir, 123456789)


if __name__ == "__main__":
    unittest.main()
