/**
 * Whether gwarden owns its memory cgroup, and so may set memory.high on it: cgroup v2, the group has a
 * limit, its memory.high is writable, and nothing runs in it but gwarden itself (it is the entrypoint of
 * a container or the main process of a service; gunicorn starts in it afterwards). A group shared with
 * other programs is left alone: throttling them is not gwarden's call.
 */
import { accessSync, constants } from "node:fs";
import type { Resources } from "../../core/resources/types.js";
import type { Platform } from "../platform/platform.js";

export function ownsMemoryGroup(resources: Resources, platform: Platform): boolean {
  const dir = resources.cgroup.memoryDir;
  if (resources.cgroup.memoryController !== "v2" || dir === null || resources.memory.limitBytes === null)
    return false;
  const procs = platform.readText(`${dir}/cgroup.procs`);
  if (procs === null) return false;
  const pids = procs.split("\n").filter((line) => line.trim() !== "");
  if (pids.length !== 1 || Number(pids[0]) !== platform.pid) return false;
  try {
    accessSync(`${dir}/memory.high`, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
