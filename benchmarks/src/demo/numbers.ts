/**
 * Number helpers shared by the figures and the report.
 * @module
 */

/** Rounds to `digits` decimals. */
export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Seconds with two decimals, from milliseconds: `1620` → `"1.62"`. */
export function seconds(ms: number): string {
  return (ms / 1000).toFixed(2);
}

/** `"2.9–3.1"` or `"3.0"` when both ends print the same. */
export function range(values: readonly number[], digits: number): string {
  const lo = Math.min(...values).toFixed(digits);
  const hi = Math.max(...values).toFixed(digits);
  return lo === hi ? lo : `${lo}–${hi}`;
}
