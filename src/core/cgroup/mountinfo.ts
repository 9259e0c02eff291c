/**
 * Parser for /proc/self/mountinfo (man 5 proc_pid_mountinfo), as cgroups.md §2 requires: the separator is
 * the standalone `-` token after the optional fields (there may be 0..n of them), the fields after it are
 * split into at most three (super options may contain unescaped spaces), and octal escapes in the root
 * and mount point are decoded. Malformed lines are skipped and counted, never thrown.
 */

export interface MountEntry {
  mountId: number;
  parentId: number;
  /** Field 4: the directory of the filesystem that is this mount's root (unescaped). */
  root: string;
  /** Field 5: where it is mounted (unescaped). */
  mountPoint: string;
  mountOptions: string;
  fsType: string;
  source: string;
  superOptions: string;
}

export interface MountInfo {
  mounts: MountEntry[];
  /** Lines that could not be parsed (kept for the warning that explains an unknown figure). */
  malformed: string[];
}

/** Decodes the kernel's `\ooo` octal escapes (`\040` space, `\011` tab, `\012` newline, `\134` backslash). */
export function unescapeOctal(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** Parses one mountinfo line; null when malformed. */
export function parseMountLine(line: string): MountEntry | null {
  const tokens = line.split(" ");
  if (tokens.length < 9) return null;
  // The separator is a standalone "-" token somewhere after the 6 fixed fields.
  let sep = -1;
  for (let i = 6; i < tokens.length; i++) {
    if (tokens[i] === "-") {
      sep = i;
      break;
    }
  }
  if (sep === -1 || tokens.length < sep + 3) return null;
  const [id, parent, , root, mountPoint, mountOptions] = tokens;
  const mountId = Number(id);
  const parentId = Number(parent);
  if (!/^\d+$/.test(id ?? "") || !/^\d+$/.test(parent ?? "")) return null;
  if (root === undefined || mountPoint === undefined || mountOptions === undefined) return null;
  const fsType = tokens[sep + 1] ?? "";
  const source = tokens[sep + 2] ?? "";
  const superOptions = tokens.slice(sep + 3).join(" ");
  if (fsType === "") return null;
  return {
    mountId,
    parentId,
    root: unescapeOctal(root),
    mountPoint: unescapeOctal(mountPoint),
    mountOptions,
    fsType: unescapeOctal(fsType),
    source: unescapeOctal(source),
    superOptions,
  };
}

/** Parses the whole file; skips empty lines, collects malformed ones. */
export function parseMountInfo(text: string): MountInfo {
  const mounts: MountEntry[] = [];
  const malformed: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") continue;
    const entry = parseMountLine(line);
    if (entry) mounts.push(entry);
    else malformed.push(line);
  }
  return { mounts, malformed };
}

/** The controllers a v1 `cgroup` mount carries, from its super options (`rw,cpu,cpuacct` → cpu, cpuacct). */
export function v1Controllers(mount: MountEntry): string[] {
  return mount.superOptions
    .split(",")
    .map((option) => option.trim())
    .filter((option) => option !== "" && !option.includes("="));
}
