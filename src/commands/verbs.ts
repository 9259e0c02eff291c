/**
 * The verbs, each imported only when used (so `gwarden run`, the daemon, never loads what `lab` or
 * `monitor` need), in the order `gwarden --help` lists them.
 */
import { didYouMean } from "../core/cli/did-you-mean.js";
import type { VerbDef } from "../core/cli/verb.js";
import { GwardenError } from "../core/error.js";

type Module = Promise<{ default: VerbDef }>;

export const VERBS: Readonly<Record<string, () => Module>> = {
  detect: () => import("./detect.js") as Module,
  profile: () => import("./profile.js") as Module,
  plan: () => import("./plan.js") as Module,
  doctor: () => import("./doctor.js") as Module,
  analyze: () => import("./analyze.js") as Module,
  run: () => import("./run.js") as Module,
  lab: () => import("./lab.js") as Module,
  monitor: () => import("./monitor.js") as Module,
};

/** The verb's declaration; an unknown name is an E_USAGE that says which verb was meant. */
export async function loadVerb(name: string): Promise<VerbDef> {
  const load = VERBS[name];
  if (load === undefined) {
    const near = didYouMean(name, Object.keys(VERBS));
    throw new GwardenError("E_USAGE", `Unknown verb \`${name}\``, {
      hint: `${near === null ? "" : `did you mean \`gwarden ${near}\`? `}the verbs are ${Object.keys(VERBS).join(", ")}`,
    });
  }
  return (await load()).default;
}

/** Every verb's declaration (for `gwarden --help`). */
export function loadAllVerbs(): Promise<VerbDef[]> {
  return Promise.all(Object.keys(VERBS).map((name) => loadVerb(name)));
}
