/**
 * The QEMU command line of a guest: software emulation (TCG; a nested KVM guest hangs at boot on the
 * machines this was built on, and TCG's slow vCPU is the point: it is a starved VPS core), RAM and
 * vCPUs as asked, no network device at all, the host's root read-only over 9p, the share and the
 * writable directories over 9p, a scratch disk and an optional swap disk. The serial console goes to a
 * file; the guest powers itself off, and -no-reboot turns a guest panic into QEMU's exit.
 */
import { GUEST } from "./vm-init.js";

export interface QemuOptions {
  binary: string;
  kernel: string;
  initrd: string;
  memoryBytes: number;
  vcpus: number;
  /** Host directory the guest sees as its share (job in, results out). */
  shareDir: string;
  /** Host directories mounted read-write at the same path in the guest. */
  writable: readonly string[];
  scratchImage: string;
  /** A raw file the guest uses as its swap disk, or null. */
  swapImage: string | null;
  consoleLog: string;
  /** Extra kernel command-line words. */
  kernelArgs?: readonly string[];
  /**
   * A vCPU of fixed speed: each guest instruction takes 2^shift ns of the guest's clock (QEMU's icount),
   * whatever the host's speed or load. Unset: the guest's clock is the host's, its speed the emulator's.
   */
  icountShift?: number;
}

const MiB = 1024 * 1024;

function ninePDevice(id: string, path: string, tag: string, readonly: boolean): string[] {
  const fsdev = [
    `local`,
    `id=${id}`,
    `path=${path}`,
    `security_model=none`,
    ...(readonly ? ["readonly=on", "multidevs=remap"] : []),
  ];
  return ["-fsdev", fsdev.join(","), "-device", `virtio-9p-pci,fsdev=${id},mount_tag=${tag}`];
}

function checkPath(path: string): string {
  // QEMU's option parser splits on commas (a doubled comma escapes one): refuse them rather than guess.
  if (path.includes(",") || !path.startsWith("/")) throw new Error(`QEMU cannot take this path: ${path}`);
  return path;
}

/**
 * The icount shift for a vCPU of about `mips` million instructions per second: QEMU's steps are powers
 * of two (1000, 500, 250, 125, 62.5, 31.25 ... MIPS). Returns the shift and the speed it gives.
 */
export function icountFor(mips: number): { shift: number; mips: number } {
  if (!Number.isFinite(mips) || mips <= 0)
    throw new Error(`a vCPU speed must be a positive number, got ${mips}`);
  const shift = Math.min(10, Math.max(0, Math.round(Math.log2(1000 / mips))));
  return { shift, mips: 1000 / 2 ** shift };
}

/** argv for spawn: the binary first. */
export function qemuArgv(o: QemuOptions): string[] {
  if (!Number.isInteger(o.vcpus) || o.vcpus < 1)
    throw new Error(`vcpus must be a positive integer, got ${o.vcpus}`);
  const mib = Math.floor(o.memoryBytes / MiB);
  const argv = [
    o.binary,
    "-accel",
    // icount runs every vCPU in one thread.
    o.vcpus > 1 && o.icountShift === undefined ? "tcg,thread=multi" : "tcg",
    "-cpu",
    "max",
    "-smp",
    String(o.vcpus),
    "-m",
    `${mib}M`,
    "-nodefaults",
    "-no-user-config",
    "-display",
    "none",
    "-no-reboot",
    "-nic",
    "none",
    "-serial",
    `file:${checkPath(o.consoleLog)}`,
    "-kernel",
    checkPath(o.kernel),
    "-initrd",
    checkPath(o.initrd),
    "-append",
    ["console=ttyS0", "panic=-1", "quiet", ...(o.kernelArgs ?? [])].join(" "),
    ...ninePDevice("hostroot", "/", GUEST.rootTag, true),
    ...ninePDevice("share", checkPath(o.shareDir), GUEST.shareTag, false),
    ...o.writable.flatMap((dir, i) => ninePDevice(`w${i}`, checkPath(dir), GUEST.writableTag(i), false)),
    "-drive",
    `file=${checkPath(o.scratchImage)},format=raw,if=virtio,cache=unsafe`,
  ];
  if (o.icountShift !== undefined) {
    if (!Number.isInteger(o.icountShift) || o.icountShift < 0 || o.icountShift > 10)
      throw new Error(`icount shift must be an integer in 0..10, got ${o.icountShift}`);
    argv.push("-icount", `shift=${o.icountShift},sleep=on`);
  }
  if (o.swapImage !== null)
    argv.push("-drive", `file=${checkPath(o.swapImage)},format=raw,if=virtio,cache=unsafe`);
  return argv;
}
