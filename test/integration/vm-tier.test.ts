/**
 * CI's cgroup v2 tier: boots ONE QEMU guest (cgroup v2, controllers delegated at its root, 1 vCPU under
 * TCG, 2 GiB, no network device) and runs inside it the test files listed in test/vm/tier.ts through
 * vitest (GWARDEN_IN_VM=1 selects them in vitest.config.ts). Their JSON report comes back through a
 * writable share; this test fails with every failing guest test's name and message.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runInVm, vmMissing } from "../../src/adapters/sandbox/vm.js";
import { repoRoot } from "../helpers/gunicorns.js";
import { VM_TIER_FILES } from "../vm/tier.js";

const GiB = 1024 ** 3;
const missing = vmMissing();
const out = mkdtempSync(join(tmpdir(), "gwarden-vm-tier-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

interface VitestJson {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  testResults: Array<{
    name: string;
    status: string;
    message: string;
    assertionResults: Array<{ fullName: string; status: string; failureMessages: string[] }>;
  }>;
}

// CI installs the guest's packages (scripts/setup.sh): there a missing one fails instead of skipping.
describe.skipIf(missing !== null && process.env.CI !== "true")("cgroup v2 tier in a VM", () => {
  it(
    "runs every file of test/vm/tier.ts inside the guest, all passing",
    async () => {
      expect(missing, "the VM tier needs qemu-system-x86, linux-image-amd64 and busybox-static").toBeNull();
      const report = join(out, "vm-tier.json");
      const vitest = join(repoRoot, "node_modules", "vitest", "vitest.mjs");
      const result = await runInVm({
        memoryBytes: 2 * GiB,
        vcpus: 1,
        argv: [
          process.execPath,
          vitest,
          "run",
          "--reporter=default",
          "--reporter=json",
          `--outputFile=${report}`,
        ],
        cwd: repoRoot,
        env: { CI: process.env.CI ?? "", NO_COLOR: "1" },
        writable: [out],
        timeoutMs: 20 * 60_000,
        // Progress in the host test's output: the guest is slow, and ten silent minutes look hung.
        onStdout: (text) => process.stderr.write(text),
      });
      const tail = `${result.stdout.slice(-4000)}\n${result.stderr.slice(-2000)}\nconsole:\n${result.console}`;
      expect(result.guest.controllers, tail).toEqual(expect.arrayContaining(["cpu", "memory"]));
      const json = JSON.parse(readFileSync(report, "utf8")) as VitestJson;
      const failures = json.testResults.flatMap((file) => [
        ...(file.status === "failed" && file.assertionResults.length === 0
          ? [`${file.name}: ${file.message}`]
          : []),
        ...file.assertionResults
          .filter((a) => a.status === "failed")
          .map((a) => `${a.fullName}: ${a.failureMessages.join(" / ").slice(0, 1500)}`),
      ]);
      expect(failures, tail).toEqual([]);
      expect(result.exitCode, tail).toBe(0);
      const ran = json.testResults.map((f) => f.name.slice(repoRoot.length + 1)).sort();
      expect(ran).toEqual([...VM_TIER_FILES].sort());
      // Every tier file must really run in the guest: a skipped file proves nothing about v2.
      expect(json.numPendingTests, tail).toBe(0);
      expect(json.numPassedTests).toBeGreaterThan(0);
      console.log(
        `VM tier: ${json.numPassedTests} passed in the guest; guest boot ${result.guest.bootSeconds} s, job ${result.guest.jobSeconds} s, wall ${result.wallSeconds} s`,
      );
    },
    25 * 60_000,
  );
});
