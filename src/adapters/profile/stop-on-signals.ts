import { processShutdown } from "../platform/shutdown.js";
import type { GunicornProcess } from "../run/gunicorn-process.js";

/** Stops the running gunicorn on Ctrl-C / TERM, then dies by that signal; returns the release. */
export function stopOnSignals(current: () => GunicornProcess | null): () => void {
  const shutdown = processShutdown();
  return shutdown.onStop((signal) => {
    process.stderr.write(`gwarden: ${signal}, stopping gunicorn\n`);
    const running = current();
    if (!running) return shutdown.exitBy(signal);
    void running.stop(2_000).finally(() => shutdown.exitBy(signal));
  });
}
