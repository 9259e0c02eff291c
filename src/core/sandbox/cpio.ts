/**
 * A cpio archive in the "newc" format, the one the Linux kernel unpacks as an initramfs
 * (Documentation/driver-api/early-userspace/buffer-format.rst): per entry a 110-byte ASCII header of
 * hexadecimal fields, the NUL-terminated name and the data, each padded to 4 bytes; a TRAILER!!! entry
 * ends it. Written here so the guest's initramfs needs no cpio binary and no staging directory.
 */

export type CpioEntry =
  | { kind: "dir"; path: string; mode?: number }
  | { kind: "file"; path: string; data: Uint8Array; mode?: number }
  | { kind: "symlink"; path: string; target: string };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

const encoder = new TextEncoder();

function hex8(n: number): string {
  return n.toString(16).padStart(8, "0");
}

function pad4(length: number): number {
  return (4 - (length % 4)) % 4;
}

function header(fields: {
  ino: number;
  mode: number;
  nlink: number;
  size: number;
  nameSize: number;
}): string {
  // magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check
  const values = [
    fields.ino,
    fields.mode,
    0,
    0,
    fields.nlink,
    0,
    fields.size,
    0,
    0,
    0,
    0,
    fields.nameSize,
    0,
  ];
  return `070701${values.map(hex8).join("")}`;
}

function entryParts(entry: CpioEntry | { kind: "trailer" }, ino: number): Uint8Array[] {
  const name = entry.kind === "trailer" ? "TRAILER!!!" : entry.path.replace(/^\/+/, "");
  if (name === "") throw new Error("cpio: an entry needs a path below /");
  let mode = 0;
  let data: Uint8Array = new Uint8Array(0);
  if (entry.kind === "dir") mode = S_IFDIR | (entry.mode ?? 0o755);
  else if (entry.kind === "file") {
    mode = S_IFREG | (entry.mode ?? 0o644);
    data = entry.data;
  } else if (entry.kind === "symlink") {
    mode = S_IFLNK | 0o777;
    data = encoder.encode(entry.target);
  }
  const nameBytes = encoder.encode(`${name}\0`);
  const head = encoder.encode(
    header({ ino, mode, nlink: entry.kind === "dir" ? 2 : 1, size: data.length, nameSize: nameBytes.length }),
  );
  return [
    head,
    nameBytes,
    new Uint8Array(pad4(head.length + nameBytes.length)),
    data,
    new Uint8Array(pad4(data.length)),
  ];
}

/** The archive's bytes. Parent directories must come before their contents, as the kernel creates them in order. */
export function cpioArchive(entries: readonly CpioEntry[]): Uint8Array {
  const parts = [...entries, { kind: "trailer" as const }].flatMap((entry, i) =>
    entryParts(entry, entry.kind === "trailer" ? 0 : i + 1),
  );
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
