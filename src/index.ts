/**
 * gwarden as a library (the package's main export): detect what memory and CPU this process really has,
 * plan gunicorn for it, analyze a gunicorn log. The same functions the `gwarden` command uses, typed;
 * the CLI is the package's `bin`.
 *
 * @example
 * import { analyze, defaultPolicy, detect, plan, planResources } from "gwarden";
 * const resources = detect();
 * const config = plan({ resources: planResources(resources), profile: null, policy: defaultPolicy() });
 * const report = analyze(logText);
 */
export { detectResources as detect, type DetectResourcesOptions } from "./adapters/resources/resources.js";
export { planGunicorn as plan } from "./core/plan/plan.js";
export { defaultPolicy, planResources, type WhatIf } from "./core/plan/inputs.js";
export { analyzeText as analyze, type AnalysisReport } from "./core/analyze/analysis.js";
export type { Resources } from "./core/resources/types.js";
export type { Plan, PlanInput, PlanPolicy, PlanResources } from "./core/plan/types.js";
export type { Profile } from "./core/profile/types.js";
