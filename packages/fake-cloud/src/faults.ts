/**
 * Latency and fault decisions (pure: the server applies them).
 * @module
 */
import type { FakeProvider, FaultKind, LatencySpec, ResolvedOptions } from './options.js';
import { seededRandom } from './random.js';

/** Draws a latency in ms from a spec. */
export function drawLatency(spec: LatencySpec, random: () => number): number {
  if (typeof spec === 'number') return spec;
  if ('min' in spec) return spec.min + (spec.max - spec.min) * random();
  const jitter = spec.jitter ?? 0;
  return Math.max(0, spec.mean - jitter + 2 * jitter * random());
}

/** Decides, request by request, which fault (if any) strikes. Deterministic for a given seed and request order. */
export class FaultPlan {
  private readonly random: () => number;
  /** A second stream from the same seed, so corruption offsets do not shift the fault decisions. */
  private readonly offsets: () => number;
  private sequence: (FaultKind | null)[];

  constructor(private readonly faults: ResolvedOptions['faults']) {
    this.random = seededRandom(faults.seed);
    this.offsets = seededRandom((faults.seed ^ 0x5bd1e995) >>> 0);
    this.sequence = [...faults.sequence];
  }

  /** Where a corruption fault strikes: a fraction in [0, 1) of the bytes it may corrupt. */
  corruptionPoint(): number {
    return this.offsets();
  }

  /** The fault for the next request to `provider`, or undefined. */
  next(provider: FakeProvider): FaultKind | undefined {
    if (this.faults.providers && !this.faults.providers.includes(provider)) return undefined;
    if (this.sequence.length > 0) return this.sequence.shift() ?? undefined;
    if (this.faults.rate <= 0) return undefined;
    // Two draws per request whatever the outcome, so one request's result does not shift the next ones'.
    const hit = this.random() < this.faults.rate;
    const pick = this.random();
    if (!hit) return undefined;
    return this.faults.kinds[Math.min(this.faults.kinds.length - 1, Math.floor(pick * this.faults.kinds.length))];
  }
}
