/** The app's sizes the lab computes with, from a profile. */
import type { Profile } from "../profile/types.js";
import type { AppSizes } from "./types.js";

/** Master RSS and per-worker private memory, with and without preload. */
export function appSizes(profile: Profile): AppSizes {
  return {
    importSeconds: profile.importSeconds,
    masterBytes: profile.master.rss,
    workerPrivateBytes: profile.worker.uss,
    preloadMasterBytes: profile.preload.master?.rss ?? null,
    preloadWorkerPrivateBytes: profile.preload.workerPrivateBytes,
  };
}
