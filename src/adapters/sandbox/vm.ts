/**
 * Runs one command inside a fresh QEMU guest — a small VPS: the RAM asked for (the kernel, page cache
 * and swap all inside it), 1 vCPU under software emulation by default, optional swap (a disk or zram),
 * cgroup v2 with its controllers delegated, /dev/shm, loopback only — and brings back its output, its
 * exit status and the guest's facts. Host directories listed as writable appear read-write at the same
 * path in the guest (that is how output files come back); everything else of the host is read-only.
 * The guest, its disks and its temporary directory are always removed: on return, on exit, on Ctrl-C.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GwardenError } from "../../core/error.js";
import { parseExitCode, parseGuestFacts, type GuestFacts } from "../../core/sandbox/guest-report.js";
import { qemuArgv } from "../../core/sandbox/qemu-argv.js";
import { guestJob, type GuestSwap } from "../../core/sandbox/vm-init.js";
import { buildInitramfs, findGuestKernel, findStaticBusybox, VM_PACKAGES } from "./vm-initramfs.js";
import { processShutdown } from "../platform/shutdown.js";

export interface VmSwap {
  kind: "disk" | "zram";
  bytes: number;
}

export interface VmRunOptions {
  /** The guest's RAM: the whole box. */
  memoryBytes: number;
  /** vCPUs (default 1: one slow core). */
  vcpus?: number;
  /** Fixed vCPU speed: 2^shift ns per instruction on the guest's clock (QEMU icount); unset: as fast as emulation goes. */
  icountShift?: number;
  swap?: VmSwap | null;
  /** The command, run from `cwd` with `env` added to a small default environment (PATH, HOME, LANG). */
  argv: readonly string[];
  cwd: string;
  env?: Readonly<Record<string, string>>;
  /** Host directories (existing) the guest may write, mounted at the same path. */
  writable?: readonly string[];
  /** Kill the guest after this long (default 60 min). */
  timeoutMs?: number;
  /** Live output of the command, as it arrives. */
  onStdout?: (text: string) => void;
  onStderr?: (text: string) => void;
  /** Size of the sparse scratch disk that takes the guest's writes (default 16 GiB). */
  scratchBytes?: number;
}

export interface VmRunResult {
  /** The command's exit status; null when it never finished (guest crash, timeout). */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  guest: GuestFacts;
  /** What the guest's init could not do (a mount, a module), or null. */
  bootError: string | null;
  /** The last lines of the serial console (kernel messages, init's own lines). */
  console: string;
  wallSeconds: number;
  timedOut: boolean;
}

const GiB = 1024 ** 3;
const MAX_KEPT = 4 * 1024 * 1024;
const POLL_MS = 300;

/** Guests and directories still alive, removed on exit and on SIGINT/SIGTERM. */
const live = new Map<ChildProcess | null, string>();
let hooked = false;

function removeAll(): void {
  for (const [child, dir] of live) {
    if (child !== null && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
  live.clear();
}

function track(child: ChildProcess | null, dir: string): void {
  live.set(child, dir);
  if (hooked) return;
  hooked = true;
  // On any exit: also a SIGINT/SIGTERM nobody handles, and after the lab wrote its partial results.
  processShutdown().atExit(removeAll);
}

function which(names: readonly string[]): string | null {
  const dirs = (process.env.PATH ?? "").split(":").concat(["/usr/bin", "/usr/sbin", "/sbin", "/bin"]);
  for (const name of names)
    for (const dir of dirs) if (dir !== "" && existsSync(join(dir, name))) return join(dir, name);
  return null;
}

/** A sparse raw disk file; `format` makes it an ext4 filesystem (no journal: it is scratch). */
function makeDisk(path: string, bytes: number, format: boolean): void {
  writeFileSync(path, "");
  truncateSync(path, bytes);
  if (!format) return;
  const mkfs = which(["mkfs.ext4"]);
  if (mkfs === null)
    throw new GwardenError("E_VM", "mkfs.ext4 is missing (the guest's scratch disk needs it)", {
      hint: "apt-get install e2fsprogs",
    });
  const made = spawnSync(mkfs, ["-q", "-F", "-O", "^has_journal", "-E", "lazy_itable_init=1", path], {
    encoding: "utf8",
  });
  if (made.status !== 0)
    throw new GwardenError("E_VM", `mkfs.ext4 failed on the scratch disk: ${made.stderr.trim()}`);
}

/** Reads what was appended to a file since `offset`. */
function readFrom(path: string, offset: number): { text: string; offset: number } {
  if (!existsSync(path)) return { text: "", offset };
  const size = statSync(path).size;
  if (size <= offset) return { text: "", offset };
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.alloc(size - offset);
    const n = readSync(fd, buffer, 0, buffer.length, offset);
    return { text: buffer.subarray(0, n).toString("utf8"), offset: offset + n };
  } finally {
    closeSync(fd);
  }
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** Why a guest cannot be booted here (QEMU, a kernel with modules or a static busybox missing), or null. */
export function vmMissing(): string | null {
  if (which(["qemu-system-x86_64"]) === null) return "qemu-system-x86_64 is not installed";
  try {
    findGuestKernel();
    findStaticBusybox();
  } catch (error) {
    return (error as Error).message;
  }
  return null;
}

/** Boots a guest, runs the command in it, and returns once the guest is gone and cleaned up. */
export async function runInVm(options: VmRunOptions): Promise<VmRunResult> {
  const qemu = which(["qemu-system-x86_64"]);
  if (qemu === null)
    throw new GwardenError("E_VM", "QEMU is not installed (qemu-system-x86_64)", {
      hint: `apt-get install --no-install-recommends ${VM_PACKAGES}`,
    });
  const kernel = findGuestKernel();
  const swap: GuestSwap = !options.swap
    ? { kind: "none" }
    : options.swap.kind === "disk"
      ? { kind: "disk" }
      : { kind: "zram", bytes: options.swap.bytes };
  const writable = options.writable ?? [];
  for (const dir of writable)
    if (!existsSync(dir)) throw new GwardenError("E_VM", `The writable directory ${dir} does not exist`);

  const dir = mkdtempSync(join(tmpdir(), "gwarden-vm-"));
  track(null, dir);
  const share = join(dir, "share");
  const started = performance.now();
  let child: ChildProcess | null = null;
  try {
    writeFileSync(join(dir, "initrd.cpio"), buildInitramfs(kernel, { swap, writable }));
    makeDisk(join(dir, "scratch.img"), options.scratchBytes ?? 16 * GiB, true);
    if (options.swap?.kind === "disk") makeDisk(join(dir, "swap.img"), options.swap.bytes, false);
    mkdirSync(share);
    const env = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/root",
      LANG: process.env.LANG ?? "C.UTF-8",
      GWARDEN_IN_VM: "1",
      ...options.env,
    };
    writeFileSync(join(share, "job.sh"), guestJob({ argv: options.argv, cwd: options.cwd, env }));

    const argv = qemuArgv({
      binary: qemu,
      kernel: kernel.kernel,
      initrd: join(dir, "initrd.cpio"),
      memoryBytes: options.memoryBytes,
      vcpus: options.vcpus ?? 1,
      shareDir: share,
      writable,
      scratchImage: join(dir, "scratch.img"),
      swapImage: options.swap?.kind === "disk" ? join(dir, "swap.img") : null,
      consoleLog: join(dir, "console.log"),
      ...(options.icountShift === undefined ? {} : { icountShift: options.icountShift }),
    });
    let qemuErr = "";
    const spawned = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "ignore", "pipe"] });
    child = spawned;
    track(spawned, dir);
    spawned.stderr.setEncoding("utf8").on("data", (t: string) => (qemuErr = (qemuErr + t).slice(-4000)));

    const streams = { stdout: { offset: 0, text: "" }, stderr: { offset: 0, text: "" } };
    const pump = (): void => {
      for (const name of ["stdout", "stderr"] as const) {
        const got = readFrom(join(share, name), streams[name].offset);
        if (got.text === "") continue;
        streams[name].offset = got.offset;
        streams[name].text = (streams[name].text + got.text).slice(-MAX_KEPT);
        (name === "stdout" ? options.onStdout : options.onStderr)?.(got.text);
      }
    };
    const poller = setInterval(pump, POLL_MS);
    let timedOut = false;
    const timeoutMs = options.timeoutMs ?? 60 * 60_000;
    const killer = setTimeout(() => {
      timedOut = true;
      spawned.kill("SIGKILL");
    }, timeoutMs);
    const exit = await new Promise<number | null>((resolve) => {
      spawned.on("error", () => resolve(null));
      spawned.on("close", (code) => resolve(code));
    });
    clearInterval(poller);
    clearTimeout(killer);
    pump();

    const exitCode = parseExitCode(readOrNull(join(share, "exit")));
    const consoleText = readOrNull(join(dir, "console.log")) ?? "";
    const bootError = readOrNull(join(share, "boot-error"))?.trim() ?? null;
    if (exitCode === null && !timedOut) {
      const why = bootError ?? (qemuErr || consoleText).trim().split("\n").slice(-5).join(" / ");
      throw new GwardenError(
        "E_VM",
        `The guest ${bootError === null ? `ended without finishing the command (QEMU exit ${exit})` : "could not set itself up"}: ${why}`,
        {
          hint: `the guest needs ${VM_PACKAGES}; GWARDEN_VM_KERNEL=/boot/vmlinuz-<version> chooses another kernel`,
        },
      );
    }
    return {
      exitCode,
      stdout: streams.stdout.text,
      stderr: streams.stderr.text,
      guest: parseGuestFacts(readOrNull(join(share, "guest.env")) ?? ""),
      bootError,
      console: consoleText.split("\n").slice(-60).join("\n"),
      wallSeconds: Math.round((performance.now() - started) / 100) / 10,
      timedOut,
    };
  } finally {
    if (child !== null && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    live.delete(child);
    live.delete(null);
    rmSync(dir, { recursive: true, force: true });
  }
}
