#!/usr/bin/env node
/**
 * What `gwarden run` itself costs: the whole daemon (hook channel, log parsing, lifecycle, event log,
 * sampler at 1 Hz, HTTP scraped like Prometheus) in front of gunicorn with 4 sync workers for 60 s,
 * gwarden's anonymous memory (Private_Dirty + Swap) and CPU printed next to the gunicorn master's.
 * The measurement lives in bench/supervisor-cost.mjs (its --run mode); this is the named entry.
 *
 *   npx tsc -p tsconfig.build.json --noEmitOnError false
 *   node bench/run-cost.mjs [--duration 60] [--workers 4] [--interval 1000] [--node-flags="..."] [--json]
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const script = join(dirname(fileURLToPath(import.meta.url)), "supervisor-cost.mjs");
const child = spawn(process.execPath, [script, "--run", ...process.argv.slice(2)], { stdio: "inherit" });
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
