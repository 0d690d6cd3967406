/**
 * The three use cases, written once for the sync style (one call after another) and once for the async designs
 * (concurrently). Each returns what it did, so the run can check it against the seed.
 * @module
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BulkProgress } from '@dualcloud/drivers/storage';
import { TARGETS, sha256, type Seed, type Target } from './cloud.js';
import { mapLimit } from './limit.js';
import { round } from './numbers.js';
import type { TickProbe } from './probe.js';
import type { DemoStyle, Listed } from './styles/index.js';

/** Use case 1: how many nodes each target listed. */
export interface FetchNodesDetail {
  readonly nodes: Readonly<Record<Target, number>>;
}

/** Use case 2: what was downloaded and how much of it matched the seed. */
export interface DownloadDetail {
  readonly objects: number;
  readonly bytes: number;
  /** Objects whose size and SHA-256 match what was uploaded. */
  readonly verified: number;
  /** Most downloads in flight at once (1 in the sync style). */
  readonly maxInFlight: number;
}

/** Use case 3: the long call and the side work done around it. */
export interface LongCallDetail {
  /** createNode + waitUntilRunning (ms). */
  readonly callMs: number;
  /** The node's state when the wait returned. */
  readonly state: string;
  /** Side calls made (list containers, list the bucket), and how many of them finished while the long call was pending. */
  readonly sideCalls: number;
  readonly sideCallsDuringCall: number;
  /** Probe ticks (10 ms timer) that ran while the long call was pending. */
  readonly ticksDuringCall: number;
}

/** What a use case gets besides the style. */
export interface UseCaseContext {
  readonly seed: Seed;
  readonly probe: TickProbe;
  readonly downloadConcurrency: number;
  readonly sideRounds: number;
  /** Name of the node the long call creates. */
  readonly nodeName: string;
  /** Sees the progress reports of bulk calls (the demo draws them next to its spinner). */
  readonly onBulkProgress?: (progress: BulkProgress) => void;
}

/** Use case 1: list the nodes of two EC2 regions and DigitalOcean (the designs ask all three at once). */
export async function fetchNodes(style: DemoStyle): Promise<FetchNodesDetail> {
  const counts =
    style.kind === 'sync' ? TARGETS.map((target) => style.listNodes(target)) : await Promise.all(TARGETS.map((target) => style.listNodes(target)));
  return { nodes: Object.fromEntries(TARGETS.map((target, i) => [target, counts[i]!])) as Record<Target, number> };
}

/** Use case 2: list the bucket and download every object (the designs keep `downloadConcurrency` in flight). */
export async function downloadAll(style: DemoStyle, ctx: UseCaseContext): Promise<DownloadDetail> {
  let verified = 0;
  let bytes = 0;
  const check = (obj: Listed<unknown>, body: Uint8Array): void => {
    bytes += body.byteLength;
    if (body.byteLength === obj.size && sha256(body) === ctx.seed.digests.get(obj.name)) verified++;
  };
  if (style.kind === 'sync' && style.downloadAllBulk) {
    // One blocking call for the whole bucket; the files are read back to check them (their digests are part
    // of the check, not of the download, but cost microseconds next to the requests).
    const dir = mkdtempSync(join(tmpdir(), 'dualcloud-demo-bulk-'));
    let maxInFlight = 0;
    try {
      const files = style.downloadAllBulk(dir, (p) => {
        maxInFlight = Math.max(maxInFlight, p.inFlight);
        ctx.onBulkProgress?.(p);
      });
      for (const file of files) check({ name: file.name, size: file.size, read: () => undefined }, readFileSync(file.path));
      return { objects: files.length, bytes, verified, maxInFlight };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (style.kind === 'sync') {
    const objects = style.listObjects();
    for (const obj of objects) check(obj, obj.read());
    return { objects: objects.length, bytes, verified, maxInFlight: Math.min(1, objects.length) };
  }
  const objects = await style.listObjects();
  const { maxInFlight } = await mapLimit(objects, ctx.downloadConcurrency, async (obj) => check(obj, await obj.read()));
  return { objects: objects.length, bytes, verified, maxInFlight };
}

/**
 * Use case 3: create a node and wait until it runs (seconds of polling) while side work lists the containers
 * and the bucket, `sideRounds` times. The sync style can only do the side work before and after the call.
 */
export async function longCallWithSideWork(style: DemoStyle, ctx: UseCaseContext): Promise<LongCallDetail> {
  const done: number[] = []; // when each side call finished
  let callStart = 0;
  let callEnd = 0;
  let state: string;
  if (style.kind === 'sync') {
    const round = (): void => {
      style.listContainers();
      done.push(performance.now());
      style.listObjects();
      done.push(performance.now());
    };
    const before = Math.floor(ctx.sideRounds / 2);
    for (let i = 0; i < before; i++) round();
    callStart = performance.now();
    state = style.createAndWait(ctx.nodeName);
    callEnd = performance.now();
    for (let i = before; i < ctx.sideRounds; i++) round();
  } else {
    callStart = performance.now();
    const call = style.createAndWait(ctx.nodeName).finally(() => {
      callEnd = performance.now();
    });
    const side = (async () => {
      for (let i = 0; i < ctx.sideRounds; i++) {
        await style.listContainers();
        done.push(performance.now());
        await style.listObjects();
        done.push(performance.now());
      }
    })();
    // Both awaited together, so either failure surfaces at once (and neither is left unhandled).
    [state] = await Promise.all([call, side]);
  }
  return {
    callMs: round(callEnd - callStart, 1),
    state,
    sideCalls: done.length,
    sideCallsDuringCall: done.filter((t) => t > callStart && t < callEnd).length,
    ticksDuringCall: ctx.probe.ticksBetween(callStart, callEnd),
  };
}
