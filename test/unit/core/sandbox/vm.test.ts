import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { cpioArchive } from "../../../../src/core/sandbox/cpio.js";
import { isStaticElf64 } from "../../../../src/core/sandbox/elf.js";
import { parseExitCode, parseGuestFacts } from "../../../../src/core/sandbox/guest-report.js";
import { loadOrder, parseModuleTable } from "../../../../src/core/sandbox/kernel-modules.js";
import { icountFor, qemuArgv } from "../../../../src/core/sandbox/qemu-argv.js";
import { guestInit, guestJob } from "../../../../src/core/sandbox/vm-init.js";

const fixtures = join(import.meta.dirname, "../../../fixtures/vm");
const table = parseModuleTable(
  readFileSync(join(fixtures, "modules.dep"), "utf8"),
  readFileSync(join(fixtures, "modules.builtin"), "utf8"),
);

/** Reads a newc archive back: [name, mode, data] per entry. */
function readCpio(bytes: Uint8Array): Array<{ name: string; mode: number; data: string }> {
  const text = new TextDecoder("latin1").decode(bytes);
  const out: Array<{ name: string; mode: number; data: string }> = [];
  let at = 0;
  for (;;) {
    expect(text.slice(at, at + 6)).toBe("070701");
    const field = (i: number) => parseInt(text.slice(at + 6 + i * 8, at + 14 + i * 8), 16);
    const mode = field(1);
    const size = field(6);
    const nameSize = field(11);
    const name = text.slice(at + 110, at + 110 + nameSize - 1);
    const dataAt = Math.ceil((at + 110 + nameSize) / 4) * 4;
    at = Math.ceil((dataAt + size) / 4) * 4;
    if (name === "TRAILER!!!") return out;
    out.push({ name, mode, data: text.slice(dataAt, dataAt + size) });
  }
}

describe("cpio newc", () => {
  test("entries come back with their names, types, modes and data, 4-byte aligned", () => {
    const bytes = cpioArchive([
      { kind: "dir", path: "bin" },
      { kind: "file", path: "/bin/busybox", data: new TextEncoder().encode("ELF!x"), mode: 0o755 },
      { kind: "symlink", path: "bin/sh", target: "busybox" },
    ]);
    expect(bytes.length % 4).toBe(0);
    expect(readCpio(bytes)).toEqual([
      { name: "bin", mode: 0o040755, data: "" },
      { name: "bin/busybox", mode: 0o100755, data: "ELF!x" },
      { name: "bin/sh", mode: 0o120777, data: "busybox" },
    ]);
  });
});

describe("kernel modules (Debian 12's modules.dep)", () => {
  test("dependencies load first, each once: virtio_ring before virtio before virtio_pci", () => {
    const order = loadOrder(table, [
      "virtio_pci",
      "virtio_blk",
      "9pnet_virtio",
      "9p",
      "overlay",
      "crc32c_generic",
      "ext4",
    ]).map((p) => p.slice(p.lastIndexOf("/") + 1));
    expect(order.indexOf("virtio_ring.ko")).toBeLessThan(order.indexOf("virtio.ko"));
    expect(order.indexOf("virtio.ko")).toBeLessThan(order.indexOf("virtio_pci.ko"));
    expect(order.indexOf("9pnet.ko")).toBeLessThan(order.indexOf("9pnet_virtio.ko"));
    expect(order.indexOf("netfs.ko")).toBeLessThan(order.indexOf("fscache.ko"));
    expect(order.indexOf("jbd2.ko")).toBeLessThan(order.indexOf("ext4.ko"));
    expect(new Set(order).size).toBe(order.length);
    expect(order).toHaveLength(17);
  });

  test("a built-in module needs no file; an unknown one is E_VM naming it", () => {
    expect(loadOrder(parseModuleTable("", "kernel/fs/overlayfs/overlay.ko\n"), ["overlay"])).toEqual([]);
    expect(() => loadOrder(table, ["virtiofs"])).toThrow(/no module `virtiofs`/);
  });
});

describe("the guest's init and job", () => {
  const init = guestInit({
    modules: ["lib/modules/virtio_ring.ko"],
    swap: { kind: "disk" },
    writable: ["/tmp/out dir"],
  });

  test("mounts what a VPS has: cgroup v2 with controllers delegated, /dev/shm, loopback only", () => {
    expect(init).toMatch(/^#!\/bin\/busybox sh\n/);
    expect(init).toContain("mount -t cgroup2 -o nsdelegate cgroup2 /newroot/sys/fs/cgroup");
    expect(init).toContain('echo "+cpu +io +memory +pids" > /newroot/sys/fs/cgroup/cgroup.subtree_control');
    expect(init).toContain("mount -t tmpfs -o mode=1777,nosuid,nodev shm /newroot/dev/shm");
    expect(init).toContain("ip link set lo up");
    expect(init).toContain("mkswap /dev/vdb");
    expect(init).toContain(
      "mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,ro,cache=loose hostroot /lower",
    );
    expect(init).toContain("w0 '/newroot/tmp/out dir'");
    expect(init).toMatch(/poweroff -f\nsleep 60\n$/);
  });

  test("zram swap has its size; no swap mounts nothing", () => {
    expect(guestInit({ modules: [], swap: { kind: "zram", bytes: 268435456 }, writable: [] })).toContain(
      "echo 268435456 > /sys/block/zram0/disksize",
    );
    expect(guestInit({ modules: [], swap: { kind: "none" }, writable: [] })).not.toMatch(/swapon/);
  });

  test("the job quotes every word and refuses a bad variable name", () => {
    expect(
      guestJob({ argv: ["gunicorn", "-b", "127.0.0.1:0", "it's"], cwd: "/srv/app", env: { A: "x y" } }),
    ).toBe(
      "# gwarden's guest job (generated)\nexport A='x y'\ncd /srv/app || exit 125\nexec gunicorn -b 127.0.0.1:0 'it'\\''s'\n",
    );
    expect(() => guestJob({ argv: ["true"], cwd: "/", env: { "A;B": "x" } })).toThrow(
      /not an environment variable name/,
    );
  });
});

describe("QEMU's command line", () => {
  const base = {
    binary: "qemu-system-x86_64",
    kernel: "/boot/vmlinuz",
    initrd: "/t/initrd",
    memoryBytes: 512 * 1024 * 1024,
    vcpus: 1,
    shareDir: "/t/share",
    writable: ["/out"],
    scratchImage: "/t/scratch.img",
    swapImage: null,
    consoleLog: "/t/console.log",
  };

  test("software emulation, the RAM asked, no network device, the host root read-only", () => {
    const argv = qemuArgv(base);
    expect(argv.join(" ")).toContain("-accel tcg -cpu max -smp 1 -m 512M");
    expect(argv).toContain("-nodefaults");
    expect(argv.join(" ")).toContain("-nic none");
    expect(argv.join(" ")).not.toMatch(/netdev|virtio-net|user,/);
    expect(argv).toContain("local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap");
    expect(argv).toContain("local,id=w0,path=/out,security_model=none");
    expect(argv.filter((a) => a.startsWith("file="))).toEqual([
      "file=/t/scratch.img,format=raw,if=virtio,cache=unsafe",
    ]);
  });

  test("2 vCPUs use multi-threaded TCG; a swap disk is the second drive; commas in paths are refused", () => {
    const argv = qemuArgv({ ...base, vcpus: 2, swapImage: "/t/swap.img" });
    expect(argv.join(" ")).toContain("-accel tcg,thread=multi");
    expect(argv.filter((a) => a.startsWith("file="))[1]).toBe(
      "file=/t/swap.img,format=raw,if=virtio,cache=unsafe",
    );
    expect(() => qemuArgv({ ...base, writable: ["/a,b"] })).toThrow(/cannot take this path/);
  });

  test("a fixed-speed vCPU: icount at the nearest power-of-two step, one TCG thread", () => {
    expect(icountFor(62)).toEqual({ shift: 4, mips: 62.5 });
    expect(icountFor(100)).toEqual({ shift: 3, mips: 125 });
    expect(icountFor(5000)).toEqual({ shift: 0, mips: 1000 });
    expect(() => icountFor(0)).toThrow(/positive/);
    const argv = qemuArgv({ ...base, vcpus: 2, icountShift: 4 }).join(" ");
    expect(argv).toContain("-icount shift=4,sleep=on");
    expect(argv).toContain("-accel tcg ");
    expect(qemuArgv(base).join(" ")).not.toContain("-icount");
  });
});

describe("what the guest reports", () => {
  test("guest.env as the init writes it", () => {
    expect(parseGuestFacts(readFileSync(join(fixtures, "guest.env"), "utf8"))).toEqual({
      kernel: "6.1.0-57-amd64",
      cpus: 1,
      memTotalBytes: 466384 * 1024,
      swapTotalBytes: 262140 * 1024,
      controllers: ["cpu", "io", "memory", "pids"],
      bootSeconds: 4.43,
      jobSeconds: 1.33,
    });
  });

  test("garbled or missing figures are null; the exit file gives the job's status", () => {
    expect(parseGuestFacts("MemTotal=lots\n").memTotalBytes).toBeNull();
    expect(parseGuestFacts("").controllers).toEqual([]);
    expect(parseExitCode("137\n")).toBe(137);
    expect(parseExitCode("")).toBeNull();
    expect(parseExitCode(null)).toBeNull();
  });
});

describe("static ELF check", () => {
  function elf(interp: boolean): Uint8Array {
    const b = new Uint8Array(64 + 56 * 2);
    b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1], 0);
    const v = new DataView(b.buffer);
    v.setBigUint64(32, 64n, true);
    v.setUint16(54, 56, true);
    v.setUint16(56, 2, true);
    v.setUint32(64, 1, true); // PT_LOAD
    v.setUint32(64 + 56, interp ? 3 : 4, true); // PT_INTERP or PT_NOTE
    return b;
  }
  test("no PT_INTERP header means static; one means dynamic; not ELF is not static", () => {
    expect(isStaticElf64(elf(false))).toBe(true);
    expect(isStaticElf64(elf(true))).toBe(false);
    expect(isStaticElf64(new TextEncoder().encode("#!/bin/sh\n".padEnd(80)))).toBe(false);
  });
});
