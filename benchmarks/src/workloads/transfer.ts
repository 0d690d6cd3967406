/**
 * Workload (b): parallel upload then download of M objects of S bytes (S3 on the fake cloud) at concurrency C.
 * Uploads include dualcloud's integrity checks (Content-MD5 sent, ETag compared); raw axios does none.
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { FakeCloud } from '@dualcloud/fake-cloud';
import { createMode, type ModeContext, type ModeName } from '../modes.js';
import { round1, runPool, type PoolResult } from '../pool.js';

/** One mode's transfer result. */
export interface TransferResult {
  readonly mode: ModeName;
  readonly objects: number;
  readonly bytesEach: number;
  readonly uploadMs: number;
  readonly downloadMs: number;
  readonly uploadMBps: number;
  readonly downloadMBps: number;
  readonly truncated: boolean;
}

/**
 * Runs the transfer workload for each mode: three interleaved rounds for the concurrent modes (the best kept,
 * as in the fan-out), one for the sync style. Each download reuses the object its upload returned (no extra
 * metadata request), as raw axios reuses the key.
 */
export async function transfer(
  cloud: FakeCloud,
  ctx: ModeContext,
  modes: readonly ModeName[],
  cfg: { objects: number; size: number; concurrency: number; latency: number; deadlineMs: number },
): Promise<TransferResult[]> {
  await cloud.configure({ latency: cfg.latency });
  const payload = randomBytes(cfg.size);
  const runners = modes.map((name) => createMode(name, ctx));
  const best = new Map<ModeName, { up: PoolResult; down: PoolResult }>();
  try {
    for (let round = 0; round < 3; round++) {
      for (const mode of runners) {
        if (!mode.concurrent && round > 0) continue;
        const handles: unknown[] = new Array(cfg.objects);
        const key = (i: number): string => `transfer/${mode.name}/${round}/${i}`;
        const up = await runPool(cfg.objects, cfg.concurrency, mode.concurrent, cfg.deadlineMs, async (i) => {
          handles[i] = await mode.putObject(key(i), payload);
        });
        const down = await runPool(up.completed, cfg.concurrency, mode.concurrent, cfg.deadlineMs, async (i) => {
          const n = await mode.getObject(handles[i]);
          if (n !== cfg.size) throw new Error(`${mode.name}: downloaded ${n} bytes of ${cfg.size}`);
        });
        const previous = best.get(mode.name);
        if (!previous || up.wallMs + down.wallMs < previous.up.wallMs + previous.down.wallMs) best.set(mode.name, { up, down });
      }
    }
  } finally {
    for (const mode of runners) await mode.close();
  }
  const mb = (count: number): number => (count * cfg.size) / (1024 * 1024);
  return runners.map(({ name }) => {
    const { up, down } = best.get(name)!;
    return {
      mode: name,
      objects: down.completed,
      bytesEach: cfg.size,
      uploadMs: round1(up.wallMs),
      downloadMs: round1(down.wallMs),
      uploadMBps: round1(mb(up.completed) / (up.wallMs / 1000)),
      downloadMBps: round1(mb(down.completed) / (down.wallMs / 1000)),
      truncated: up.truncated || down.truncated,
    };
  });
}
