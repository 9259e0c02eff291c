/**
 * Recall over every fixture: each line that carries a boot, timeout, exit or signal message yields an
 * event of that kind from that line (the evaluation asks for ≥ 95 %; the fixtures must give 100 %).
 */
import { describe, expect, it } from "vitest";
import { parseLog } from "../../../../src/core/log/log-parser.js";
import { fixtureNames, readFixture } from "./fixture-files.js";

const WANTED: Array<[RegExp, string[]]> = [
  [/Booting worker with pid/, ["worker_boot"]],
  [/WORKER TIMEOUT/, ["worker_timeout"]],
  [/Worker exiting \(pid/, ["worker_exit"]],
  [/exited with code \d+$/, ["worker_exit_code"]],
  [/was sent (SIG|code|signal)|terminated due to signal/, ["worker_signal"]],
  [/Starting gunicorn/, ["start"]],
];

describe("recall of lifecycle lines", () => {
  it("finds every boot, timeout, exit and signal line of every fixture", () => {
    let wanted = 0;
    let found = 0;
    const missed: string[] = [];
    for (const name of fixtureNames()) {
      const text = readFixture(name);
      const events = parseLog(text);
      const byLine = new Map<number, string[]>();
      for (const e of events)
        if (e.lineNo !== undefined) byLine.set(e.lineNo, [...(byLine.get(e.lineNo) ?? []), e.kind]);
      text.split("\n").forEach((raw, i) => {
        for (const [re, kinds] of WANTED) {
          if (!re.test(raw.replace(/\\n"/, "").replace(/",.*$/, ""))) continue;
          wanted++;
          if (kinds.some((k) => byLine.get(i + 1)?.includes(k))) found++;
          else missed.push(`${name}:${i + 1}: ${raw}`);
        }
      });
    }
    expect(wanted).toBeGreaterThan(500);
    expect(missed).toEqual([]);
    expect(found / wanted).toBe(1);
  });
});
