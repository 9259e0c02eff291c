"""The in-worker memory guard: its budget, its parsers, and the real thing on this process."""
import unittest

from gwarden_runtime import guard

MiB = 1 << 20
ROLLUP = """00400000-7ffe5a481000 ---p 00000000 00:00 0                              [rollup]
Rss:               61036 kB
Pss:               58875 kB
Shared_Clean:       2316 kB
Shared_Dirty:          0 kB
Private_Clean:      3680 kB
Private_Dirty:     55040 kB
Swap:                  0 kB
"""


class BudgetTest(unittest.TestCase):
    def test_environment_beats_the_embedded_budget_and_zero_turns_it_off(self):
        embedded = {"bytes": 100 * MiB, "explicit": False}
        self.assertEqual(guard.budget_from({}, embedded), (100 * MiB, False))
        self.assertEqual(guard.budget_from({}, None), (None, False))
        self.assertEqual(guard.budget_from({"GWARDEN_GUARD_BYTES": "209715200"}, embedded), (200 * MiB, False))
        self.assertEqual(guard.budget_from({"GWARDEN_GUARD_BYTES": "0"}, embedded), (None, False))
        self.assertEqual(guard.budget_from({"GWARDEN_GUARD_BYTES": "junk"}, embedded), (None, False))
        self.assertEqual(guard.budget_from({"GWARDEN_GUARD_BYTES": "1048576", "GWARDEN_GUARD_EXPLICIT": "1"}, None),
                         (MiB, True))
        self.assertEqual(guard.budget_from({}, {"bytes": MiB, "explicit": True}), (MiB, True))

    def test_never_below_a_fresh_worker_plus_its_floor_unless_explicit(self):
        self.assertEqual(guard.effective_budget(100 * MiB, False, 40 * MiB), 100 * MiB)
        self.assertEqual(guard.effective_budget(50 * MiB, False, 40 * MiB), 72 * MiB)  # 40 + 32
        self.assertEqual(guard.effective_budget(50 * MiB, False, 200 * MiB), 250 * MiB)  # 200 + 25 %
        self.assertEqual(guard.effective_budget(50 * MiB, True, 200 * MiB), 50 * MiB)


class ParseTest(unittest.TestCase):
    def test_statm_counts_pages(self):
        self.assertEqual(guard.parse_statm_rss(b"16337 15080 1372 691 0 14064 0\n", 4096), 15080 * 4096)

    def test_rollup_private_is_clean_plus_dirty(self):
        self.assertEqual(guard.parse_rollup(ROLLUP), (61036 * 1024, (3680 + 55040) * 1024))


class GuardTest(unittest.TestCase):
    def test_trips_once_at_the_request_that_crosses_the_budget(self):
        probe = guard.Guard(1, True)
        private_now = probe.rollup()
        g = guard.Guard(private_now + 24 * MiB, True)
        g.start()
        try:
            self.assertFalse(g.check())
            self.assertFalse(g.check())
            self.assertEqual(g.rollups, 1, "no smaps_rollup read while the estimate is under the budget")
            held = bytearray(b"\x01") * (32 * MiB)
            self.assertTrue(g.check())
            self.assertGreaterEqual(g.private, g.budget)
            self.assertEqual(g.rollups, 2)
            self.assertFalse(g.check(), "reported once")
            self.assertEqual(len(held), 32 * MiB)
        finally:
            g.close()

    def test_an_estimate_over_the_budget_is_confirmed_before_tripping(self):
        g = guard.Guard(1 << 40, True)
        g.start()
        try:
            g.shared = -(1 << 41)  # a wildly wrong shared estimate: RSS says "over"
            self.assertFalse(g.check(g.due))
            self.assertEqual(g.rollups, 2)
            self.assertGreater(g.shared, 0, "the smaps_rollup read corrected the estimate")
        finally:
            g.close()


class WindowTest(unittest.TestCase):
    """No read until memory growing at the bound could have reached the budget."""

    def setUp(self):
        self.now = [1000.0]
        probe = guard.Guard(1, True)
        self.fresh = probe.rollup()
        self.g = guard.Guard(self.fresh + 64 * MiB, True, threads=2, clock=lambda: self.now[0])
        self.g.start()

    def tearDown(self):
        self.g.close()

    def test_reads_once_the_headroom_could_be_used_up_and_not_before(self):
        g = self.g
        bound = guard.MAX_GROWTH_BYTES_PER_SECOND * 2  # two threads
        self.assertAlmostEqual(g.due, 1000.0 + (g.budget - self.fresh) / bound)
        reads = g.reads
        self.assertFalse(g.check(g.due - 1e-6))
        self.assertEqual(g.reads, reads, "inside the window: no read")
        self.assertFalse(g.check(g.due))
        self.assertEqual(g.reads, reads + 1, "at the window's end: statm is read")
        self.assertGreater(g.due, g.read_at)

    def test_a_clock_that_went_back_makes_a_read_due(self):
        g = self.g
        reads = g.reads
        self.assertFalse(g.check(999.0))
        self.assertGreater(g.reads, reads)

    def test_the_refresh_bounds_the_window(self):
        g = guard.Guard(1 << 40, True, clock=lambda: 0.0)
        g.start()
        try:
            self.assertEqual(g.due, guard.REFRESH_SECONDS, "1 TiB of headroom, but smaps_rollup every 10 s")
            self.assertFalse(g.check(guard.REFRESH_SECONDS))
            self.assertEqual(g.rollups, 2)
        finally:
            g.close()


if __name__ == "__main__":
    unittest.main()
