/**
 * Transient body buffers: response bodies transferred from the sync worker and the chunks an upload source
 * hands over are dead as soon as they are copied or consumed, but V8 counts them as external memory and lets
 * about 64 MiB of them pile up before it collects. Moving gigabytes would then grow RSS by ~100 MiB; a
 * young-generation collection (a scavenge, about a millisecond) every 4 MiB moved keeps it flat.
 *
 * Not after every body, though: a scavenge promotes to the old generation what survives two of them, and the
 * caller's loop still holds the previous chunk while it asks for the next (its loop variable is only replaced
 * once the next chunk arrives). Scavenging on each 4 MiB download chunk therefore promoted every chunk, and only
 * full collections freed them (a sawtooth up to ~58 MiB of dead chunks, 34–52 MiB of RSS growth per GiB read);
 * with at least three bodies between scavenges a chunk is alive at most at one of them and dies young.
 * @module
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Body bytes moved between two young-generation collections (see {@link collectTransferred}). */
const SCAVENGE_EVERY_BYTES = 4 * 1024 * 1024;
/** At least this many bodies between two collections (see the module comment). */
const SCAVENGE_EVERY_BODIES = 3;
let minorGc: (() => void) | null | undefined;
let bytesSinceScavenge = 0;
let bodiesSinceScavenge = 0;

/** Counts one transient body buffer of `bytes`; runs a scavenge every 4 MiB and 3 bodies (see the module comment). */
export function collectTransferred(bytes: number): void {
  bytesSinceScavenge += bytes;
  bodiesSinceScavenge++;
  if (bytesSinceScavenge < SCAVENGE_EVERY_BYTES || bodiesSinceScavenge < SCAVENGE_EVERY_BODIES) return;
  bytesSinceScavenge = 0;
  bodiesSinceScavenge = 0;
  if (minorGc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('gc') as (options?: { type: 'minor' | 'major' }) => void;
      minorGc = () => gc({ type: 'minor' });
    } catch {
      minorGc = null;
    }
  }
  minorGc?.();
}

