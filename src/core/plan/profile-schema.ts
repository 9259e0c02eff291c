/** Validates a profile file at the boundary (valibot): a malformed one is an E_PROFILE naming the bad field. */
import * as v from "valibot";
import { GwardenError } from "../error.js";
import type { Profile } from "../profile/types.js";

const bytes = v.pipe(v.number(), v.finite(), v.minValue(0));
const memory = v.object({ rss: bytes, pss: bytes, uss: bytes, swap: bytes });

const ms = v.pipe(v.number(), v.finite(), v.minValue(0));
const timing = v.looseObject({ request: v.string(), cpuMs: ms, blockedMs: ms, runqueueMs: ms });
const cpu = v.looseObject({
  single: v.array(timing),
  concurrent: v.nullable(timing),
  share: v.pipe(v.number(), v.finite(), v.minValue(0.001), v.maxValue(1)),
});
const exitSpike = v.looseObject({
  bytes,
  method: v.picklist(["cgroup", "pss"]),
  beforeBytes: bytes,
  peakBytes: bytes,
});
const request = v.object({
  method: v.string(),
  path: v.string(),
  headers: v.array(v.tuple([v.string(), v.string()])),
  body: v.nullable(v.string()),
});

/** Schema 1 (memory and import only) and 2 (+ requests, CPU timing, the measured exit spike) both load. */
const ProfileSchema = v.looseObject({
  schema: v.picklist([1, 2]),
  createdAt: v.string(),
  app: v.looseObject({
    argv: v.array(v.string()),
    spec: v.string(),
    chdir: v.nullable(v.string()),
    where: v.optional(v.string()),
    fingerprint: v.string(),
  }),
  gunicorn: v.looseObject({ version: v.string(), python: v.string(), workerClass: v.string() }),
  importSeconds: v.pipe(v.number(), v.finite(), v.minValue(0)),
  master: memory,
  worker: v.object({ ...memory.entries, uss: v.pipe(v.number(), v.finite(), v.minValue(1)) }),
  preload: v.looseObject({
    safe: v.boolean(),
    reason: v.string(),
    masterImportSeconds: v.nullable(v.number()),
    master: v.nullable(memory),
    workerPrivateBytes: v.nullable(bytes),
    exitSpike: v.optional(v.nullable(exitSpike)),
  }),
  urls: v.array(v.string()),
  requests: v.optional(v.array(request)),
  cpu: v.optional(v.nullable(cpu)),
  runs: v.array(v.unknown()),
  host: v.looseObject({ cpus: v.number(), memoryLimitBytes: v.nullable(v.number()) }),
});

/** Parses and validates profile JSON text; `where` names the file in errors. */
export function parseProfile(text: string, where: string): Profile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new GwardenError("E_PROFILE", `The profile ${where} is not JSON: ${(cause as Error).message}`, {
      hint: "re-create it with `gwarden profile -- <app>`",
      cause,
    });
  }
  const result = v.safeParse(ProfileSchema, data);
  if (!result.success) {
    const issue = result.issues[0];
    const path = issue ? v.getDotPath(issue) : null;
    throw new GwardenError(
      "E_PROFILE",
      `The profile ${where} is malformed: ${path ?? "(root)"}: ${issue?.message ?? "invalid"}`,
      {
        hint: "re-create it with `gwarden profile -- <app>`",
      },
    );
  }
  return result.output as unknown as Profile;
}
