/**
 * One process's memory figures for the live views, from its smaps_rollup text: RSS, PSS, USS and swap
 * (parseSmapsRollup) plus `anon` = Private_Dirty + Swap, the memory nobody else shares and no file
 * backs (what the supervisor's own budget is counted in).
 */
import { parseSmapsFields, parseSmapsRollup } from "./smaps-rollup.js";
import type { MemoryFigures } from "../sample/figures.js";

/** Memory figures from smaps_rollup text; null when the text has no `Rss` line. */
export function memoryFromSmapsRollup(text: string): MemoryFigures | null {
  const memory = parseSmapsRollup(text);
  if (!memory) return null;
  const privateDirty = parseSmapsFields(text).get("Private_Dirty");
  return { ...memory, anon: privateDirty === undefined ? null : privateDirty + memory.swap };
}
