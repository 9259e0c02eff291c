/**
 * `gwarden monitor --pid` on cgroup v2 (runs in the VM tier's guest): attached to a bare gunicorn
 * master in a 256 MiB v2 group, it finds the group's limit and every worker, and calls it healthy.
 */
import { execFileSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import {
  childrenOf,
  cli,
  MiB,
  masterOf,
  startBoxed,
  until,
  type Boxed,
} from "../integration/monitor-harness.js";
import { v2Delegated } from "./v2-groups.js";

const boxes: Boxed[] = [];
afterEach(async () => {
  for (const box of boxes.splice(0)) await box.close();
});

describe.skipIf(!v2Delegated())("monitor --pid on cgroup v2", () => {
  it("reads the master's v2 group: its limit, its workers, a verdict", async () => {
    const box = await startBoxed({ memoryBytes: 256 * MiB, workers: 2, run: false, name: "monitor-v2" });
    boxes.push(box);
    expect(box.sandbox.version).toBe("v2");
    const master = await masterOf(box, false);
    await until("2 workers", () => childrenOf(master).length === 2, 180_000);
    const json = JSON.parse(
      execFileSync(process.execPath, [cli, "monitor", "--pid", String(master), "--json"], {
        encoding: "utf8",
      }),
    ) as {
      mode: string;
      snapshot: { workers: Array<{ pid: number }>; cgroup: { limitBytes: number } };
      verdict: { level: string };
    };
    expect(json).toMatchObject({
      mode: "proc",
      snapshot: { cgroup: { limitBytes: 256 * MiB } },
      verdict: { level: "healthy" },
    });
    expect(json.snapshot.workers.map((w) => w.pid).sort((a, b) => a - b)).toEqual(childrenOf(master));
  });
});
