/**
 * The guest's kernel and initramfs, from what Debian packages installed on the host: the newest
 * /boot/vmlinuz-<version> that has /lib/modules/<version>/modules.dep (linux-image-amd64), its own
 * virtio, 9p, overlay and ext4 modules, and a static busybox (busybox-static). Built in memory at
 * each run (a few MB, milliseconds): no binary is committed or cached.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { cpioArchive, type CpioEntry } from "../../core/sandbox/cpio.js";
import { isStaticElf64 } from "../../core/sandbox/elf.js";
import { loadOrder, parseModuleTable } from "../../core/sandbox/kernel-modules.js";
import { guestInit, type GuestInitOptions } from "../../core/sandbox/vm-init.js";
import { GwardenError } from "../../core/error.js";

export const VM_PACKAGES = "qemu-system-x86 linux-image-amd64 busybox-static";
const INSTALL_HINT = `apt-get install --no-install-recommends ${VM_PACKAGES}`;

/** Modules every guest needs; zram is added when swap is compressed RAM. */
const BASE_MODULES = ["virtio_pci", "virtio_blk", "9pnet_virtio", "9p", "overlay", "crc32c_generic", "ext4"];

export interface GuestKernel {
  version: string;
  kernel: string;
  modulesDir: string;
}

/** The kernel to boot: GWARDEN_VM_KERNEL (a vmlinuz path) or the newest one in /boot with its modules. */
export function findGuestKernel(env: NodeJS.ProcessEnv = process.env): GuestKernel {
  const chosen = env.GWARDEN_VM_KERNEL;
  const candidates = chosen
    ? [chosen]
    : (existsSync("/boot") ? readdirSync("/boot") : [])
        .filter((f) => f.startsWith("vmlinuz-"))
        .sort((a, b) => b.localeCompare(a, "en", { numeric: true }))
        .map((f) => `/boot/${f}`);
  for (const kernel of candidates) {
    const version = kernel.slice(kernel.lastIndexOf("vmlinuz-") + "vmlinuz-".length);
    const modulesDir = `/lib/modules/${version}`;
    if (existsSync(kernel) && existsSync(`${modulesDir}/modules.dep`)) return { version, kernel, modulesDir };
  }
  throw new GwardenError(
    "E_VM",
    chosen
      ? `GWARDEN_VM_KERNEL=${chosen}: no such kernel with modules in /lib/modules`
      : "No guest kernel: /boot has no vmlinuz-* with its modules in /lib/modules",
    {
      hint: INSTALL_HINT,
    },
  );
}

/** A static busybox for the initramfs. */
export function findStaticBusybox(): string {
  for (const path of ["/bin/busybox", "/usr/bin/busybox"]) {
    if (!existsSync(path)) continue;
    if (isStaticElf64(new Uint8Array(readFileSync(path)))) return path;
    throw new GwardenError("E_VM", `${path} is linked dynamically: the guest's initramfs has no C library`, {
      hint: "apt-get install busybox-static",
    });
  }
  throw new GwardenError("E_VM", "No busybox for the guest's initramfs", { hint: INSTALL_HINT });
}

/** The initramfs bytes: /init, /bin/busybox and the modules in load order. */
export function buildInitramfs(kernel: GuestKernel, init: Omit<GuestInitOptions, "modules">): Uint8Array {
  const read = (name: string) =>
    existsSync(`${kernel.modulesDir}/${name}`) ? readFileSync(`${kernel.modulesDir}/${name}`, "utf8") : "";
  const table = parseModuleTable(read("modules.dep"), read("modules.builtin"));
  const wanted = init.swap.kind === "zram" ? [...BASE_MODULES, "zram"] : BASE_MODULES;
  const files = loadOrder(table, wanted);
  const inRamfs = files.map((f) => `lib/modules/${f.slice(f.lastIndexOf("/") + 1)}`);
  const entries: CpioEntry[] = [
    ...["bin", "dev", "proc", "sys", "lib", "lib/modules"].map((path) => ({ kind: "dir" as const, path })),
    {
      kind: "file",
      path: "bin/busybox",
      data: new Uint8Array(readFileSync(findStaticBusybox())),
      mode: 0o755,
    },
    ...files.map((f, i) => ({
      kind: "file" as const,
      path: inRamfs[i]!,
      data: new Uint8Array(readFileSync(`${kernel.modulesDir}/${f}`)),
    })),
    {
      kind: "file",
      path: "init",
      data: new TextEncoder().encode(guestInit({ ...init, modules: inRamfs })),
      mode: 0o755,
    },
  ];
  return cpioArchive(entries);
}
