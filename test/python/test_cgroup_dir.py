"""The master's memory cgroup, resolved from the cgroup fixtures (test/fixtures/cgroup/) and for real."""
import os
import unittest

from gwarden_runtime import cgroup_dir

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "cgroup")
EXPECTED = {
    "v1-docker-no-cgroupns": ("v1", "/sys/fs/cgroup/memory"),
    "v1-path-below-mount-root": ("v1", "/sys/fs/cgroup/memory/some"),
    "v1-path-prefix-not-below": (None, None),
    "v1-duplicate-mounts-bedrock": ("v1", "/sys/fs/cgroup/memory/app"),
    "hybrid-unified-plus-v1": ("v1", "/sys/fs/cgroup/memory/user.slice/app"),
    "mountinfo-format-quirks": ("v1", "/sys/fs/cgroup/memory ctl/app"),
    "v2-private-cgroupns": ("v2", "/sys/fs/cgroup"),
    "v2-host-cgroupns-path-equals-mount-root": ("v2", "/sys/fs/cgroup"),
    "v2-path-with-colons": (
        "v2", "/sys/fs/cgroup/system.slice/system-sshd.slice/sshd@126-10.240.0.15:22-10.240.0.1:33678.service"),
    "v2-deleted-cgroup": ("v2", "/sys/fs/cgroup/app"),
    "v2-with-v1-freezer-first": ("v2", "/sys/fs/cgroup/user.slice/app"),
    "v2-outside-namespace": (None, None),
    "no-cgroup-mounts": (None, None),
}


def read(case, name):
    with open(os.path.join(FIXTURES, case, "proc", "self", name)) as f:
        return f.read()


class ResolveTest(unittest.TestCase):
    def test_fixtures(self):
        for case, (version, directory) in EXPECTED.items():
            with self.subTest(case=case):
                got = cgroup_dir.resolve(read(case, "cgroup"), read(case, "mountinfo"))
                if version is None:
                    self.assertIsNone(got[0])
                    self.assertIsInstance(got[1], str)
                else:
                    self.assertEqual(got, (version, directory))

    def test_below_compares_components(self):
        self.assertEqual(cgroup_dir.below("/foo/bar", "/foo/bar/x"), "/x")
        self.assertEqual(cgroup_dir.below("/foo/bar", "/foo/bar"), "")
        self.assertIsNone(cgroup_dir.below("/foo/bar", "/foo/barbaz"))
        self.assertEqual(cgroup_dir.below("/", "/a/b/"), "/a/b")

    def test_the_environment_names_the_group(self):
        env = {"GWARDEN_CGROUP_DIR": "/nonexistent-gwarden-group"}
        self.assertIsNone(cgroup_dir.memory_group(env)[0])

    @unittest.skipUnless(os.path.exists("/proc/self/cgroup"), "needs /proc")
    def test_this_process(self):
        version, directory = cgroup_dir.memory_group({})
        if version is None:
            self.skipTest(directory)
        usage = "memory.usage_in_bytes" if version == "v1" else "memory.current"
        self.assertTrue(os.path.exists(os.path.join(directory, usage)), directory)
        self.assertEqual(cgroup_dir.memory_group({"GWARDEN_CGROUP_DIR": directory}), (version, directory))


if __name__ == "__main__":
    unittest.main()
