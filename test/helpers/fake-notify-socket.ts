/**
 * A fake NOTIFY_SOCKET (test/fixtures/sd-notify/receiver.py, on Debian's python3): what systemd would
 * receive from a Type=notify service, with each sender's pid from the kernel's credentials.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { repoRoot, systemPython } from "./gunicorns.js";

export interface NotifyMessage {
  pid: number | null;
  /** The assignments, KEY → VALUE. */
  fields: Record<string, string>;
  raw: string;
}

export interface FakeNotifySocket {
  /** The value for NOTIFY_SOCKET. */
  address: string;
  messages(): NotifyMessage[];
  /** Resolves with the first message `match` accepts (already received or to come). */
  next(match: (m: NotifyMessage) => boolean, timeoutMs?: number): Promise<NotifyMessage>;
  close(): void;
}

/** Listens at a fresh path, or at a fresh abstract name (`@…`) with `abstract`. */
export async function startFakeNotifySocket(options: { abstract?: boolean } = {}): Promise<FakeNotifySocket> {
  const dir = mkdtempSync(join(tmpdir(), "gwarden-notify-"));
  const address = options.abstract ? `@gwarden-test-${process.pid}-${Date.now()}` : join(dir, "notify.sock");
  const child = spawn(
    systemPython,
    [join(repoRoot, "test", "fixtures", "sd-notify", "receiver.py"), address],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const received: NotifyMessage[] = [];
  const waiters = new Set<() => void>();
  const listening = new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`receiver.py exited with ${code}`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      const parsed = JSON.parse(line) as { listening?: boolean; pid?: number | null; message?: string };
      if (parsed.listening) return resolve();
      const raw = parsed.message ?? "";
      const fields = Object.fromEntries(
        raw
          .split("\n")
          .filter((l) => l.includes("="))
          .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
      );
      received.push({ pid: parsed.pid ?? null, fields, raw });
      for (const wake of waiters) wake();
    });
  });
  await listening;
  return {
    address,
    messages: () => [...received],
    next(match, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = received.find(match);
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
          return found !== undefined;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `no matching notification in ${timeoutMs} ms; received: ${JSON.stringify(received.map((m) => m.raw))}`,
            ),
          );
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    close() {
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
