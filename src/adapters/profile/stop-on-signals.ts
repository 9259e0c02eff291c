import { processShutdown } from "../platform/shutdown.js";
import type { GunicornProcess } from "../run/gunicorn-process.js";

/** Stops the running gunicorn on Ctrl-C / TERM, then exits with 128 + signal; returns the release. */
export function stopOnSignals(current: () => GunicornProcess | null): () => void {
  return processShutdown().onStop((signal) => {
    process.stderr.write(`gwarden: ${signal}, stopping gunicorn\n`);
    const running = current();
    const code = signal === "SIGINT" ? 130 : 143;
    if (!running) process.exit(code);
    void running.stop(2_000).finally(() => process.exit(code));
  });
}
