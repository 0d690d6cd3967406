/**
 * Download many objects in parallel with a concurrency limit and a progress line (Design 3: S3 driver
 * constructed with `async: true`; `obj.download(path)` is a Promise because the model calls its async driver).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getDriver, Provider } from '@dualcloud/async-mode/storage';
import { aws, mapConcurrent, unique, withCloud, type ExampleOptions } from './lib/common.js';

/** What was downloaded. */
export interface DownloadResult {
  objects: number;
  bytes: number;
  /** Every downloaded file has the object's size. */
  sizesMatch: boolean;
  maxInFlight: number;
  limit: number;
  progressLines: number;
}

const OBJECTS = 40;
const LIMIT = 8;

/** Runs the example on the fake cloud; resolves to what was downloaded. */
export async function main(options: ExampleOptions = {}): Promise<DownloadResult> {
  const log = options.log;
  return withCloud(options, { latency: 10 }, async (cloud) => {
    const S3 = getDriver(Provider.S3);
    const endpoint = { ...aws(), ...cloud.endpoint('s3') };

    const seeder = new S3(endpoint); // sync mode, for setup
    const bucket = seeder.createContainer(`downloads-${unique()}`);
    for (let i = 0; i < OBJECTS; i++) seeder.uploadObjectViaStream(Buffer.alloc(16 * 1024 + i * 512, i), bucket, `file-${String(i).padStart(2, '0')}.bin`);

    const s3 = new S3({ ...endpoint, async: true });
    const container = await s3.getContainer(bucket.name);
    const objects = await container.listObjects();
    const total = objects.reduce((sum, o) => sum + o.size, 0);
    const dir = mkdtempSync(join(tmpdir(), 'dualcloud-downloads-'));
    let done = 0;
    let bytes = 0;
    let progressLines = 0;
    const progress = (): void => {
      progressLines++;
      const line = `downloaded ${done}/${objects.length} objects, ${(bytes / 1024).toFixed(0)}/${(total / 1024).toFixed(0)} KiB`;
      if (log) log(line);
      else if (process.stdout.isTTY) process.stdout.write(`\r${line}${done === objects.length ? '\n' : ''}`);
      else if (done === objects.length) console.log(line);
    };
    try {
      const { maxInFlight } = await mapConcurrent(objects, LIMIT, async (obj) => {
        await obj.download(join(dir, obj.name));
        done++;
        bytes += obj.size;
        progress();
      });
      const sizesMatch = objects.every((o) => statSync(join(dir, o.name)).size === o.size);
      return { objects: done, bytes, sizesMatch, maxInFlight, limit: LIMIT, progressLines };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
