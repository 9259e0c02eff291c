/**
 * Which kernel module files to load, in which order, for a list of wanted modules: read from the
 * kernel's own `modules.dep` (`path: dep1 dep2 …`, paths relative to /lib/modules/<version>/) and
 * `modules.builtin` (modules compiled into the kernel need no file). A module's dependencies load
 * before it (virtio_ring before virtio before virtio_pci), each file once.
 */
import { GwardenError } from "../error.js";

export interface ModuleTable {
  /** Module name (dashes as underscores) → its path and the paths it depends on. */
  byName: Map<string, { path: string; deps: string[] }>;
  byPath: Map<string, string[]>;
  builtin: Set<string>;
}

/** `kernel/net/9p/9pnet_virtio.ko` → `9pnet_virtio`; compressed suffixes are stripped too. */
export function moduleName(path: string): string {
  const base = path.slice(path.lastIndexOf("/") + 1);
  return base.replace(/\.ko(\.(xz|zst|gz))?$/, "").replaceAll("-", "_");
}

/** Parses modules.dep (and modules.builtin, one path per line). */
export function parseModuleTable(modulesDep: string, modulesBuiltin = ""): ModuleTable {
  const byName = new Map<string, { path: string; deps: string[] }>();
  const byPath = new Map<string, string[]>();
  for (const line of modulesDep.split("\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const path = line.slice(0, colon).trim();
    const deps = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .filter((d) => d !== "");
    byName.set(moduleName(path), { path, deps });
    byPath.set(path, deps);
  }
  const builtin = new Set(
    modulesBuiltin
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => moduleName(l.trim())),
  );
  return { byName, byPath, builtin };
}

/**
 * The module files to insmod, dependencies first. A wanted module that is built in is skipped; one
 * that is neither built in nor in modules.dep is an E_VM error naming it.
 */
export function loadOrder(table: ModuleTable, wanted: readonly string[]): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    // modules.dep lists the full closure, last to load first; visiting each dep's own deps first gives
    // a valid order whatever the listing order.
    for (const dep of [...(table.byPath.get(path) ?? [])].reverse()) visit(dep);
    order.push(path);
  };
  for (const name of wanted) {
    const key = name.replaceAll("-", "_");
    const entry = table.byName.get(key);
    if (entry) visit(entry.path);
    else if (!table.builtin.has(key)) {
      throw new GwardenError(
        "E_VM",
        `The guest kernel has no module \`${name}\` (not in modules.dep, not built in)`,
        {
          hint: "use Debian's linux-image-amd64 kernel (apt-get install linux-image-amd64), or pass a kernel built with virtio, 9p and overlayfs",
        },
      );
    }
  }
  const compressed = order.find((p) => !p.endsWith(".ko"));
  if (compressed !== undefined) {
    throw new GwardenError(
      "E_VM",
      `The kernel module ${compressed} is compressed; the guest's busybox insmod needs plain .ko files`,
      {
        hint: "use Debian 12's linux-image-amd64, whose modules are not compressed",
      },
    );
  }
  return order;
}
