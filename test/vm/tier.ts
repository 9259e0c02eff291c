/**
 * CI's cgroup v2 tier: the test files that run inside ONE QEMU guest (cgroup v2 with its controllers
 * delegated at the root, 1 vCPU under TCG, no network device), started by
 * test/integration/vm-tier.test.ts on the host. Inside the guest vitest.config.ts runs exactly these
 * files (GWARDEN_IN_VM=1); on the host, files under test/vm/ never run by themselves.
 *
 * To add a check: write it under test/vm/ (or reuse an integration test whose code is version-neutral)
 * and add its path here with the reason it matters on v2. The guest is slow (~20x): keep each file to
 * what must be proven on v2. See test/vm/README.md for the budget and the hooks still open.
 */
export const VM_TIER_FILES: readonly string[] = [
  // detect in nested v2 groups: memory.max, memory.high and cpu.max at several levels, minimum over the chain
  "test/vm/detect-nested-v2.test.ts",
  // the lab's and tests' cgroup sandbox on v2 (cgroup-sandbox-v2.ts): limits, OOM count, peak, removal,
  // cleanup on exit and SIGTERM; the same file proves v1 on the host
  "test/integration/sandbox-detect.test.ts",
  // the sandbox of an unprivileged owner in a delegated subtree (systemd Delegate=yes)
  "test/vm/sandbox-delegated-v2.test.ts",
  // `monitor --pid` reading a bare gunicorn master's v2 group
  "test/vm/monitor-pid-v2.test.ts",
  // gwarden run's OOM confirmation from memory.events, gwarden inside the app's group (today's behaviour)
  "test/vm/run-oom-v2.test.ts",
  // the lab end to end on v2 sandboxes (planned config, startup and light load)
  "test/vm/lab-v2.test.ts",
  // gwarden run outside the app's group: OOM confirmation from the master's group (it moved itself there)
  "test/integration/run-oom-outside.test.ts",
  // the master's kernel-event watcher on v2: memory.high, the PSI trigger and memory.events, for real
  "test/vm/kernel-events-v2.test.ts",
  // adaptive control with memory.high set where gwarden owns the group: growth recycled, nothing OOM-killed
  "test/vm/adaptive-psi-v2.test.ts",
];

/** The host-side files that boot QEMU guests; they run one at a time beside the integration files. */
export const VM_HOST_FILES: readonly string[] = [
  "test/integration/vm-tier.test.ts",
  "test/integration/vm-worker-timeout.test.ts",
];
