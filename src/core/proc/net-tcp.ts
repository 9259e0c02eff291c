/**
 * `/proc/net/tcp` and `/proc/net/tcp6` (get_tcp4_sock / get_tcp6_sock). For a LISTEN socket (state
 * `0A`) the `rx_queue` half of `tx_queue:rx_queue` is sk_ack_backlog: connections fully established and
 * waiting for accept(), i.e. the requests no worker has picked up yet. `tx_queue` of a listener is the
 * backlog limit only on kernels with that patch (0 on others, this machine's 6.18 included): treat 0 as
 * unknown. Addresses are hex in host byte order (little-endian words on x86 and arm64).
 */

export const TCP_LISTEN = 0x0a;

export interface TcpSocket {
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /** Kernel TCP state number (0x0A = LISTEN, 0x01 = ESTABLISHED). */
  state: number;
  txQueue: number;
  rxQueue: number;
  inode: number;
}

/** Parses a whole /proc/net/tcp or tcp6 file; the header and malformed lines are skipped. */
export function parseNetTcp(text: string): TcpSocket[] {
  const sockets: TcpSocket[] = [];
  for (const line of text.split("\n")) {
    const socket = parseNetTcpLine(line);
    if (socket) sockets.push(socket);
  }
  return sockets;
}

/** Parses one socket line (`  1: 0100007F:4959 00000000:0000 0A 00000000:00000004 ...`); null if not one. */
export function parseNetTcpLine(line: string): TcpSocket | null {
  const f = line.trim().split(/\s+/);
  if (f.length < 10 || !/^\d+:$/.test(f[0] ?? "")) return null;
  const local = splitEndpoint(f[1]);
  const remote = splitEndpoint(f[2]);
  const queues = /^([0-9A-Fa-f]{1,8}):([0-9A-Fa-f]{1,8})$/.exec(f[4] ?? "");
  const state = /^[0-9A-Fa-f]{2}$/.test(f[3] ?? "") ? parseInt(f[3]!, 16) : NaN;
  const inode = /^\d+$/.test(f[9] ?? "") ? Number(f[9]) : NaN;
  if (!local || !remote || !queues || Number.isNaN(state) || Number.isNaN(inode)) return null;
  return {
    localAddress: local.address,
    localPort: local.port,
    remoteAddress: remote.address,
    remotePort: remote.port,
    state,
    txQueue: parseInt(queues[1]!, 16),
    rxQueue: parseInt(queues[2]!, 16),
    inode,
  };
}

export interface ListenBacklog {
  /** Connections waiting for accept(), summed over the matching listeners. */
  queued: number;
  /** Backlog limit when the kernel reports it in tx_queue (sum over listeners), else null. */
  max: number | null;
  /** How many LISTEN sockets matched. */
  listeners: number;
}

/**
 * The accept backlog of the LISTEN sockets on any of `ports`, from the texts of /proc/net/tcp and tcp6.
 * Cheap on big tables: only lines mentioning one of the ports in hex are split.
 */
export function listenBacklog(texts: readonly string[], ports: readonly number[]): ListenBacklog {
  const needles = ports.map((port) => `:${port.toString(16).toUpperCase().padStart(4, "0")} `);
  let queued = 0;
  let max = 0;
  let listeners = 0;
  for (const text of texts) {
    for (const line of text.split("\n")) {
      if (!needles.some((needle) => line.includes(needle))) continue;
      const socket = parseNetTcpLine(line);
      if (!socket || socket.state !== TCP_LISTEN || !ports.includes(socket.localPort)) continue;
      listeners++;
      queued += socket.rxQueue;
      max += socket.txQueue;
    }
  }
  return { queued, max: max > 0 ? max : null, listeners };
}

function splitEndpoint(field: string | undefined): { address: string; port: number } | null {
  const m = /^([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})$/.exec(field ?? "");
  if (!m) return null;
  return { address: decodeAddress(m[1]!), port: parseInt(m[2]!, 16) };
}

/** `0100007F` → `127.0.0.1`; 32 hex digits (four little-endian words) → compressed IPv6 text. */
export function decodeAddress(hex: string): string {
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    for (let i = 6; i >= 0; i -= 2) bytes.push(parseInt(hex.slice(word + i, word + i + 2), 16));
  }
  if (bytes.length === 4) return bytes.join(".");
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes[i]! * 256 + bytes[i + 1]!);
  return formatIpv6(groups);
}

function formatIpv6(groups: number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}
