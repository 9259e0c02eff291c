/**
 * Where `gwarden monitor` gets its data: a running `gwarden run` (its HTTP API) or a bare gunicorn
 * master read through /proc. Both give the same reading, so the loop and the frame do not care.
 */
import type { GunicornEvent } from "../../core/events/types.js";
import type { MonitorView } from "../../core/monitor/view.js";
import type { SupervisorSnapshot } from "../../core/snapshot/snapshot.js";

export interface SourceReading {
  snapshot: SupervisorSnapshot;
  /** Events since the previous reading, oldest first. */
  events: GunicornEvent[];
  cpu: MonitorView["cpu"];
}

export interface MonitorSource {
  mode: MonitorView["mode"];
  /** `http://127.0.0.1:9191`, `pid 1234`. */
  target: string;
  /** One reading; rejects (GwardenError) when the target cannot be read at all. */
  read(): Promise<SourceReading>;
}
