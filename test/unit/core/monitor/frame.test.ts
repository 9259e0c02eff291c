import { describe, expect, it } from "vitest";
import { renderFrame, type Painter } from "../../../../src/core/monitor/frame.js";
import { killEvents, view } from "./example-view.js";

const fake: Painter = (style, text) => `«${style}:${text}»`;

function check(frame: string, columns: number, rows: number): void {
  const lines = frame.split("\n");
  expect(lines.length).toBeLessThanOrEqual(rows);
  for (const line of lines) expect([...line].length).toBeLessThanOrEqual(columns);
}

describe("renderFrame", () => {
  it("fits 80×24: header, memory bar, workers, events, verdict", () => {
    const frame = renderFrame(view({}, killEvents), { columns: 80, rows: 24 });
    check(frame, 80, 24);
    expect(frame).toMatchInlineSnapshot(`
      "gwarden monitor · http://127.0.0.1:9191 · 04:00:05                    ● DEGRADED
      master 100 up 6s · workers 3 (1 ready, 1 busy, 1 booting) · plan 3×sync timeout…
      memory [██████████████▒▒▒▒▒░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░] 150 MiB / 512 MiB 29%
      limit 512 MiB · usage 200 MiB · working set 150 MiB
      PSI mem some 1.5% full 0.3% · CPU quota 1.00 · backlog 3/64 · OOM kills 1
           PID STATE       AGE   REQS   CPU%        RSS        USS                    
           101 ready        5s     12    3.5   40.0 MiB   18.0 MiB
           102 busy         5s     40   97.2   40.0 MiB   18.0 MiB
           104 booting      2s      —      —   40.0 MiB   18.0 MiB
      events, last 60 s (2)
        04:00:02     103 proc       worker killed by SIGKILL: unknown (gone from the …
        04:00:03     104 proc       worker booting
      verdict: degraded
        ! 2 of 3 planned workers up
        ! 1 worker died in the last minute
        → if nobody killed it, look for the OOM killer (dmesg, the cgroup's
          memory.events) or a crash in the app's log (gwarden analyze <log>)
      q quit · gwarden run API"
    `);
  });

  it("scales up to 120×40 with more columns", () => {
    const frame = renderFrame(view({}, killEvents), { columns: 120, rows: 40 });
    check(frame, 120, 40);
    expect(frame).toMatchInlineSnapshot(`
      "gwarden monitor · http://127.0.0.1:9191 · 04:00:05                                                            ● DEGRADED
      master 100 up 6s · workers 3 (1 ready, 1 busy, 1 booting) · plan 3×sync timeout 30s
      memory [██████████████████████████▒▒▒▒▒▒▒▒▒░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░] 150 MiB / 512 MiB 29%
      limit 512 MiB · usage 200 MiB · working set 150 MiB
      PSI mem some 1.5% full 0.3% · CPU quota 1.00 · backlog 3/64 · OOM kills 1
           PID STATE       AGE   REQS   CPU%        RSS        USS        PSS      SWAP    CPU s                              
           101 ready        5s     12    3.5   40.0 MiB   18.0 MiB   22.0 MiB     0 KiB      1.3
           102 busy         5s     40   97.2   40.0 MiB   18.0 MiB   22.0 MiB     0 KiB      1.3
           104 booting      2s      —      —   40.0 MiB   18.0 MiB   22.0 MiB     0 KiB      1.3
      events, last 60 s (2)
        04:00:02     103 proc       worker killed by SIGKILL: unknown (gone from the master's children)
        04:00:03     104 proc       worker booting
      verdict: degraded
        ! 2 of 3 planned workers up
        ! 1 worker died in the last minute
        → if nobody killed it, look for the OOM killer (dmesg, the cgroup's memory.events) or a crash in the app's log
          (gwarden analyze <log>)
      q quit · gwarden run API"
    `);
  });

  it("paints only through the painter, after measuring", () => {
    const frame = renderFrame(view({}, killEvents), { columns: 80, rows: 24, color: fake });
    expect(frame).toContain("«green:█");
    expect(frame).toContain("«red:");
    const plain = renderFrame(view({}, killEvents), { columns: 80, rows: 24, color: null });
    expect(plain).not.toContain("\u001b");
    expect(frame.replace(/«[a-z]+:|»/g, "")).toBe(plain);
  });

  it("keeps the newest events and says how many workers are hidden on a small screen", () => {
    const many = Array.from({ length: 30 }, (_, i) => ({
      kind: "worker_boot" as const,
      pid: 200 + i,
      source: "proc" as const,
      time: "2026-11-27T04:00:04.000Z",
    }));
    const frame = renderFrame(view({}, many), { columns: 80, rows: 12 });
    check(frame, 80, 12);
    expect(frame).toMatch(/more worker/);
    expect(frame).toContain("229");
  });

  it("scrubs control characters from log-derived text", () => {
    const evil = [
      {
        kind: "request_error" as const,
        path: "/\u001b[2J<script>",
        source: "log" as const,
        time: "2026-11-27T04:00:04.000Z",
      },
    ];
    const frame = renderFrame(view({}, evil), { columns: 100, rows: 30 });
    expect(frame).not.toContain("\u001b");
    expect(frame).toContain("/?[2J<script>");
  });

  it("says when the master is down and there is no limit", () => {
    const frame = renderFrame(
      view({
        master: {
          state: "down",
          pid: null,
          startedAt: null,
          reason: "exit 3",
          exitCode: 3,
          memory: { rss: null, pss: null, uss: null, swap: null, anon: null },
          cpuSeconds: null,
          cpuPercent: null,
        },
        workers: [],
        cgroup: null,
        backlog: null,
      }),
      { columns: 80, rows: 24 },
    );
    expect(frame).toMatchInlineSnapshot(`
      "gwarden monitor · http://127.0.0.1:9191 · 04:00:05                     ● FAILING
      master DOWN: exit 3 · workers 0 (0 ready, 0 busy, 0 booting) · plan 3×sync time…
      memory  no cgroup limit · usage —
      limit none · usage — · working set —
      PSI — · CPU quota 1.00
           PID STATE       AGE   REQS   CPU%        RSS        USS                    
        no workers
      events, last 60 s (0)
        none
      verdict: failing
        ! master is down: exit 3
        → read the app's last error above the halt (gwarden analyze <log>)
      q quit · gwarden run API"
    `);
  });

  it("offers `q quit` only on a live screen, and names the group the memory figures cover", () => {
    const cgroup = { ...view().snapshot.cgroup!, path: "/sys/fs/cgroup/memory/system.slice/app.service" };
    const plain = renderFrame(view({ cgroup }), { columns: 80, rows: 24, interactive: false });
    const lines = plain.split("\n");
    expect(lines.at(-1)).toBe("gwarden run API");
    expect(plain).not.toContain("q quit");
    expect(lines[3]).toBe("limit 512 MiB · usage 200 MiB · working set 150 MiB · cgroup …/app.service");
    check(plain, 80, 24);
    const wide = renderFrame(view({ cgroup }), { columns: 200, rows: 40 });
    expect(wide).toContain(" · cgroup /sys/fs/cgroup/memory/system.slice/app.service");
    const host = renderFrame(view({ cgroup: { ...cgroup, path: null } }), { columns: 100, rows: 30 });
    expect(host).toContain(" · host memory (no cgroup)");
  });

  it("wraps a long verdict into the free rows instead of cutting it", () => {
    const long = "a worker died and nobody says why: " + "word ".repeat(30).trim();
    const v = view({}, []);
    const frame = renderFrame(
      { ...v, verdict: { ...v.verdict, level: "degraded", reasons: [long] } },
      {
        columns: 80,
        rows: 24,
      },
    );
    check(frame, 80, 24);
    const verdict = frame.slice(frame.indexOf("verdict: degraded"));
    expect(verdict).not.toContain("…");
    expect(verdict.replace(/\n {4}/g, " ")).toContain(`! ${long}`);
  });
});
