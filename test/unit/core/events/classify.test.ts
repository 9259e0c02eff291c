/**
 * Cause classification. The hard rule of issue 3: a timeout escalation, a shutdown kill or a SIGTERM false
 * alarm is never called an OOM.
 */
import { describe, expect, it } from "vitest";
import { createClassifier, decideCause } from "../../../../src/core/events/classify.js";
import type { EventDraft, GunicornEvent } from "../../../../src/core/events/types.js";
import { analyzeText } from "../../../../src/core/analyze/analysis.js";
import { fixtureNames, readFixture } from "../analyze/fixture-files.js";

const log = (e: EventDraft): GunicornEvent => ({ ...e, source: "log" }) as GunicornEvent;
const kill = (pid: number, signal = "SIGKILL"): GunicornEvent =>
  log({ kind: "worker_signal", pid, signal, cause: "unknown" });

function causes(events: GunicornEvent[], keys?: number[]): string[] {
  const c = createClassifier();
  return events.flatMap((e, i) => {
    const out = c.classify(e, keys?.[i]);
    return out.kind === "worker_signal" ? [out.cause] : [];
  });
}

describe("classify", () => {
  it("calls a SIGKILL after WORKER TIMEOUT for the same pid a timeout escalation, not OOM", () => {
    expect(causes([log({ kind: "worker_timeout", pid: 5 }), kill(5)])).toEqual(["timeout-escalation"]);
    expect(causes([log({ kind: "worker_timeout", pid: 5 }), kill(5, "SIGABRT")])).toEqual([
      "timeout-escalation",
    ]);
  });

  it("reaches back 62 s (a stalled master) but not across a pid's new life", () => {
    expect(causes([log({ kind: "worker_timeout", pid: 5 }), kill(5)], [0, 62_000])).toEqual([
      "timeout-escalation",
    ]);
    expect(
      causes([log({ kind: "worker_timeout", pid: 5 }), log({ kind: "worker_boot", pid: 5 }), kill(5)]),
    ).toEqual(["oom-suspected"]);
  });

  it("calls kills after TERM/INT/QUIT shutdown kills", () => {
    for (const signal of ["term", "int", "quit"] as const) {
      expect(causes([log({ kind: "master_signal", signal }), kill(5), kill(6, "SIGTERM")])).toEqual([
        "shutdown",
        "shutdown",
      ]);
    }
  });

  it("calls SIGTERM deaths during TTOU or HUP scale-down", () => {
    expect(causes([log({ kind: "master_signal", signal: "ttou" }), kill(5, "SIGTERM")])).toEqual([
      "scale-down",
    ]);
    expect(causes([log({ kind: "master_signal", signal: "hup" }), kill(5, "SIGTERM")])).toEqual([
      "scale-down",
    ]);
    expect(causes([log({ kind: "worker_exit", pid: 5 }), kill(5, "SIGTERM")])).toEqual(["scale-down"]);
  });

  it("does not call a SIGKILL of a worker that already logged its exit an OOM", () => {
    expect(
      causes([log({ kind: "master_signal", signal: "hup" }), log({ kind: "worker_exit", pid: 5 }), kill(5)]),
    ).toEqual(["scale-down"]);
    expect(causes([log({ kind: "worker_exit", pid: 5 }), kill(5)])).toEqual(["unknown"]);
  });

  it("calls a lone SIGKILL oom-suspected, and oom-confirmed only with kernel or cgroup evidence", () => {
    expect(causes([kill(5)])).toEqual(["oom-suspected"]);
    const cgroup: GunicornEvent = {
      kind: "worker_signal",
      signal: "SIGKILL",
      cause: "oom-confirmed",
      source: "cgroup",
    };
    expect(causes([cgroup, kill(5)])).toEqual(["oom-confirmed", "oom-confirmed"]);
    expect(
      causes([log({ kind: "worker_signal", pid: 7, signal: "SIGKILL", cause: "oom-confirmed" }), kill(5)]),
    ).toEqual(["oom-confirmed", "oom-suspected"]);
  });

  it("resets on Starting gunicorn", () => {
    expect(causes([log({ kind: "master_signal", signal: "term" }), log({ kind: "start" }), kill(5)])).toEqual(
      ["oom-suspected"],
    );
  });

  it("never decides OOM for a SIGTERM, whatever the context", () => {
    for (const bits of Array.from({ length: 128 }, (_, i) => i)) {
      const [afterTimeout, stopping, halting, retiring, oomEvidence, exitedCleanly, oomNamed] = [
        0, 1, 2, 3, 4, 5, 6,
      ].map((b) => Boolean(bits & (1 << b))) as [
        boolean,
        boolean,
        boolean,
        boolean,
        boolean,
        boolean,
        boolean,
      ];
      const ctx = { afterTimeout, stopping, halting, retiring, oomEvidence, exitedCleanly, oomNamed };
      expect(decideCause("SIGTERM", ctx)).not.toMatch(/^oom/);
      // while stopping only evidence that names the worker makes a SIGKILL an OOM kill
      if (afterTimeout || (stopping && !oomNamed)) expect(decideCause("SIGKILL", ctx)).not.toMatch(/^oom/);
    }
  });

  it("never calls an escalation, a shutdown kill or a SIGTERM in any fixture an OOM without saying why", () => {
    for (const name of fixtureNames()) {
      const { events } = analyzeText(readFixture(name));
      const timedOut = new Set<number>();
      let stopping = false;
      for (const e of events) {
        if (e.kind === "start") {
          timedOut.clear();
          stopping = false;
        }
        if (e.kind === "worker_timeout" && e.pid !== undefined) timedOut.add(e.pid);
        if (e.kind === "master_signal" && ["term", "int", "quit"].includes(e.signal)) stopping = true;
        if (e.kind !== "worker_signal" || !e.cause.startsWith("oom")) continue;
        expect(e.signal, `${name}: ${e.line}`).toBe("SIGKILL");
        expect(timedOut.has(e.pid ?? -1), `${name}: ${e.line}`).toBe(false);
        // during a stop: the kernel confirmed it, or the stop pass said why it was not the stop's kill
        if (stopping) expect(e.detail, `${name}: ${e.line}`).toMatch(/^not the stop's kill: |kernel/);
      }
    }
  });
});
