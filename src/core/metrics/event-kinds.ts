/** Every lifecycle event kind, so `gwarden_events_total` has a series (at 0) for each from the start. */
import type { EventKind } from "../events/types.js";

export const EVENT_KINDS = [
  "start",
  "listening",
  "worker_boot",
  "worker_ready",
  "worker_exit",
  "worker_timeout",
  "worker_exit_code",
  "worker_signal",
  "master_signal",
  "max_requests_restart",
  "app_load_error",
  "worker_boot_error",
  "request_error",
  "bind_error",
  "halt",
  "master_crash",
  "logging_error",
  "scale_up",
  "scale_down",
  "recycle",
  "boot_deadline_kill",
  "restart",
] as const satisfies readonly EventKind[];

// Fails to compile when a kind is added to the vocabulary but not to the list above.
const everyKindListed: [Exclude<EventKind, (typeof EVENT_KINDS)[number]>] extends [never] ? true : false =
  true;
void everyKindListed;
