/**
 * Workload (b): parallel upload then download of M objects of S bytes (S3 on the fake cloud) at concurrency C.
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { FakeCloud } from '@dualcloud/fake-cloud';
import { createMode, type ModeContext, type ModeName } from '../modes.js';
import { round1, runPool } from '../pool.js';

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

/** Runs the transfer workload for each mode. */
export async function transfer(
  cloud: FakeCloud,
  ctx: ModeContext,
  modes: readonly ModeName[],
  cfg: { objects: number; size: number; concurrency: number; latency: number; deadlineMs: number },
): Promise<TransferResult[]> {
  await cloud.configure({ latency: cfg.latency });
  const payload = randomBytes(cfg.size);
  const results: TransferResult[] = [];
  for (const name of modes) {
    const mode = createMode(name, ctx);
    try {
      const key = (i: number): string => `transfer/${name}/${i}`;
      const up = await runPool(cfg.objects, cfg.concurrency, mode.concurrent, cfg.deadlineMs, (i) => mode.putObject(key(i), payload));
      const down = await runPool(up.completed, cfg.concurrency, mode.concurrent, cfg.deadlineMs, async (i) => {
        const n = await mode.getObject(key(i));
        if (n !== cfg.size) throw new Error(`${name}: downloaded ${n} bytes of ${cfg.size}`);
      });
      const mb = (count: number): number => (count * cfg.size) / (1024 * 1024);
      results.push({
        mode: name,
        objects: down.completed,
        bytesEach: cfg.size,
        uploadMs: round1(up.wallMs),
        downloadMs: round1(down.wallMs),
        uploadMBps: round1(mb(up.completed) / (up.wallMs / 1000)),
        downloadMBps: round1(mb(down.completed) / (down.wallMs / 1000)),
        truncated: up.truncated || down.truncated,
      });
    } finally {
      await mode.close();
    }
  }
  return results;
}
