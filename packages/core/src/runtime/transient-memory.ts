/**
 * Transient body buffers: response bodies transferred from the sync worker and the chunks an upload source
 * hands over are dead as soon as they are copied or consumed, but V8 counts them as external memory and lets
 * about 64 MiB of them pile up before it collects. Moving gigabytes would then grow RSS by ~100 MiB; a
 * young-generation collection (a scavenge, about a millisecond) every 4 MiB moved keeps it flat.
 * @module
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Body bytes moved between two young-generation collections (see {@link collectTransferred}). */
const SCAVENGE_EVERY_BYTES = 4 * 1024 * 1024;
let minorGc: (() => void) | null | undefined;
let bytesSinceScavenge = 0;

/** Counts `bytes` of transient body buffers and runs a scavenge every 4 MiB (see the module comment). */
export function collectTransferred(bytes: number): void {
  bytesSinceScavenge += bytes;
  if (bytesSinceScavenge < SCAVENGE_EVERY_BYTES) return;
  bytesSinceScavenge = 0;
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

