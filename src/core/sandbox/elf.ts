/**
 * Is an ELF executable statically linked? The guest's initramfs has no C library, so its busybox must
 * be (Debian's busybox-static is; plain busybox is not). An executable asks for a dynamic loader
 * through a PT_INTERP program header; a static one has none.
 */

const PT_INTERP = 3;

/** True for a 64-bit little-endian ELF with no PT_INTERP header; false otherwise (not ELF, 32-bit, dynamic). */
export function isStaticElf64(bytes: Uint8Array): boolean {
  if (bytes.length < 64 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46)
    return false;
  if (bytes[4] !== 2 || bytes[5] !== 1) return false; // ELFCLASS64, little-endian
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const phoff = Number(view.getBigUint64(32, true));
  const phentsize = view.getUint16(54, true);
  const phnum = view.getUint16(56, true);
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 4 > bytes.length) return false;
    if (view.getUint32(at, true) === PT_INTERP) return false;
  }
  return true;
}
