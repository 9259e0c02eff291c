/**
 * `monitor --pid MASTER`: a gunicorn master watched through /proc alone, no gwarden in front. Workers
 * are the master's children (the sampler's reading: stat for CPU, smaps_rollup for RSS/PSS/USS, every
 * tick); the cgroup figures come from the core detection with a reader that maps /proc/self/ to
 * /proc/<pid>/, so the limit is the master's, not the monitor's; the accept backlog is read on the
 * master's own listening sockets, against the backlog the master was configured with (its command
 * line, GUNICORN_CMD_ARGS and config file, as gunicorn resolves them); events are derived from the
 * changes between looks.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { GwardenError } from "../../core/error.js";
import type { EventKind } from "../../core/events/types.js";
import { procEvents, type ProcLook } from "../../core/monitor/proc-events.js";
import { parseNetTcp, TCP_LISTEN } from "../../core/proc/net-tcp.js";
import { hasEnded } from "../../core/proc/proc-stat.js";
import type { Resources } from "../../core/resources/types.js";
import { type ProcessSample } from "../../core/sample/sample.js";
import { type WorkerState } from "../../core/snapshot/snapshot.js";
import type { MonitorSource, SourceReading } from "./source.js";
import { procTextReader, readListenBacklog } from "../resources/proc-reader.js";
import { groupDetector } from "../resources/resources.js";
import { createSampler } from "../run/sampler.js";
import { buildSnapshot, type MasterLife, type WorkerLife } from "../../core/snapshot/build.js";
import { cgroupFigures } from "../../core/sample/figures.js";
import { configPath, masterBacklog, type MasterProcess } from "../../core/monitor/master-backlog.js";

const HZ = 100;

/** TCP ports the process listens on (its own socket fds that are LISTEN rows in its namespace). */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<number>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(Number(m[1]));
      } catch {
        // the fd closed meanwhile
      }
    }
  } catch {
    return [];
  }
  const read = procTextReader(`/proc/${pid}`);
  const ports = new Set<number>();
  for (const file of ["net/tcp", "net/tcp6"]) {
    for (const s of parseNetTcp(read(file) ?? ""))
      if (s.state === TCP_LISTEN && inodes.has(s.inode)) ports.add(s.localPort);
  }
  return [...ports].sort((a, b) => a - b);
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** The listen backlog the master was started with (gunicorn's default 2048 when nothing sets it). */
export function configuredBacklog(pid: number): number {
  let cwd: string | null = null;
  try {
    cwd = readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    // another user's process: a relative config path stays unknown
  }
  const master: MasterProcess = {
    cmdline: readOrNull(`/proc/${pid}/cmdline`) ?? "",
    environ: readOrNull(`/proc/${pid}/environ`),
    cwd,
  };
  const path = configPath(master);
  return masterBacklog(master, path === null ? null : readOrNull(path));
}

function stateOf(procState: string | null): WorkerState {
  if (procState === "R" || procState === "D") return "busy";
  if (hasEnded(procState)) return "exiting";
  return "ready";
}

/** Creates the /proc source for one master pid; throws E_USAGE when there is no such process. */
export function createPidSource(masterPid: number): MonitorSource {
  const text = procTextReader("/proc");
  if (text(`${masterPid}/stat`) === null) {
    throw new GwardenError("E_USAGE", `No process with pid ${masterPid}`, {
      hint: "give the pid of the gunicorn master (the parent of the workers): pgrep -o -f gunicorn",
    });
  }
  const btime = Number(/^btime (\d+)$/m.exec(text("stat") ?? "")?.[1] ?? NaN);
  const isoOfStart = (ticks: number | null): string | null =>
    ticks === null || !Number.isFinite(btime) ? null : new Date((btime + ticks / HZ) * 1000).toISOString();
  const ports = listeningPorts(masterPid);
  let resources: Resources | null = null;
  // The master's group as read while it lived: a dead master's zombie reads as the root group.
  const group = groupDetector(masterPid);
  const sampler = createSampler({
    masterPid,
    ports,
    configuredBacklog: configuredBacklog(masterPid),
    memoryIntervalMs: 0,
    readCgroup: () => {
      resources = group();
      return cgroupFigures(resources);
    },
    readBacklog: (file, wanted, expected) =>
      readListenBacklog(`/proc/${masterPid}/${file}`, wanted, expected),
  });
  let previous: ProcLook | null = null;
  let masterStart: string | null = null;
  const counts: Partial<Record<EventKind, number>> = {};

  return {
    mode: "proc",
    target: `pid ${masterPid}`,
    read(): Promise<SourceReading> {
      const sample = sampler.sampleOnce();
      const m = sample.master;
      masterStart ??= isoOfStart(m?.startTimeTicks ?? null);
      const live = sample.workers.filter((w) => w.procState !== "Z");
      const look: ProcLook = {
        time: sample.time,
        masterAlive: m !== null,
        workers: new Map(live.map((w) => [w.pid, w.startTimeTicks])),
        oomKills: sample.cgroup?.oomKills ?? null,
      };
      const events = procEvents(previous, look);
      previous = look;
      for (const e of events) counts[e.kind] = (counts[e.kind] ?? 0) + 1;
      const master: MasterLife = m
        ? { state: "running", pid: masterPid, startedAt: masterStart }
        : {
            state: "down",
            pid: masterPid,
            startedAt: masterStart,
            reason: "the master process is gone",
            exitCode: null,
          };
      const workers = new Map<number, WorkerLife>(
        sample.workers.map((w: ProcessSample) => [
          w.pid,
          {
            state: stateOf(w.procState),
            bootedAt: isoOfStart(w.startTimeTicks),
            readyAt: null,
            requests: null,
          },
        ]),
      );
      const snapshot = buildSnapshot({ sample, master, workers, plan: null, eventsByKind: counts });
      const r = resources as Resources | null;
      return Promise.resolve({
        snapshot,
        events,
        cpu: r ? { quota: r.cpu.quota, effective: r.cpu.effective } : null,
      });
    },
  };
}
