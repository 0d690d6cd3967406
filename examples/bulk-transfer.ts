/**
 * Bulk transfers in the sync style: `uploadObjects`, `downloadObjects` and `deleteObjects` are one blocking call
 * each, yet their requests are in flight together (in the sync style's HTTP worker), every item gets its own
 * settled result, and `onProgress` draws a progress bar (objects, bytes, rate, ETA) on the terminal while the
 * call runs — the callback runs on this thread between the call's steps.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getDriver, Provider, type BulkProgress, type UploadItem } from '@dualcloud/drivers/storage';
import { aws, unique, withCloud, type ExampleOptions } from './lib/common.js';

/** What the example did. */
export interface BulkTransferResult {
  uploaded: number;
  /** Upload items that failed (one file was missing on purpose), by name. */
  failedUploads: string[];
  downloaded: number;
  /** Every downloaded file has its object's size. */
  sizesMatch: boolean;
  deleted: number;
  /** Most requests the sync-style upload call had in flight at once. */
  maxInFlight: number;
  /** Progress lines drawn (one per redraw, throttled, and the last). */
  progressLines: number;
}

const FILES = 48;
const CONCURRENCY = 12;

/** `[##########----------]  24/48 objects  1.2/2.4 MiB  3.1 MiB/s  ETA 0.4 s` (deletes: `... 480 objects/s ...`) */
export function progressBar(p: BulkProgress, width = 20): string {
  const share = p.bytesTotal ? p.bytesDone / p.bytesTotal : p.objectsDone / Math.max(1, p.objectsTotal);
  const filled = Math.round(Math.min(1, share) * width);
  const mib = (n: number): string => (n / 1024 / 1024).toFixed(1);
  // Deletes move no bytes: their rate is in objects.
  const bytes =
    p.bytesTotal === 0
      ? `${p.objectsPerSecond.toFixed(0)} objects/s`
      : `${p.bytesTotal !== undefined ? `${mib(p.bytesDone)}/${mib(p.bytesTotal)}` : mib(p.bytesDone)} MiB  ${mib(p.bytesPerSecond)} MiB/s`;
  const eta = p.etaMs !== undefined ? `  ETA ${(p.etaMs / 1000).toFixed(1)} s` : '';
  const failed = p.objectsFailed ? ` (${p.objectsFailed} failed)` : '';
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(p.objectsDone).padStart(3)}/${p.objectsTotal} objects${failed}  ${bytes}${eta}`;
}

/**
 * A progress callback drawing `progressBar` on one terminal line (at most every 50 ms, and the final state),
 * or handing the lines to `log`. Returns the callback and the number of lines drawn.
 */
function drawer(title: string, log: ExampleOptions['log']): { onProgress: (p: BulkProgress) => void; lines: () => number; maxInFlight: () => number } {
  let last = 0;
  let lines = 0;
  let maxInFlight = 0;
  const tty = !log && process.stdout.isTTY === true;
  return {
    onProgress(p) {
      maxInFlight = Math.max(maxInFlight, p.inFlight);
      const done = p.objectsDone === p.objectsTotal;
      const now = performance.now();
      if (!done && now - last < 50) return;
      last = now;
      lines++;
      const line = `${title.padEnd(9)} ${progressBar(p)}`;
      if (log) log(line);
      else if (tty) process.stdout.write(`\r\x1b[2K${line}${done ? '\n' : ''}`);
      else if (done) console.log(line);
    },
    lines: () => lines,
    maxInFlight: () => maxInFlight,
  };
}

/** Runs the example on the fake cloud (20 ms per request); resolves to what it did. */
export async function main(options: ExampleOptions = {}): Promise<BulkTransferResult> {
  return withCloud(options, { latency: 20 }, async (cloud) => {
    const S3 = getDriver(Provider.S3);
    const s3 = new S3({ ...aws(), ...cloud.endpoint('s3') }); // the sync style: every call blocks
    const bucket = s3.createContainer(`bulk-${unique()}`);
    const dir = mkdtempSync(join(tmpdir(), 'dualcloud-bulk-example-'));
    try {
      const items: UploadItem[] = Array.from({ length: FILES }, (_, i) => {
        const file = join(dir, `report-${i}.csv`);
        writeFileSync(file, `row,${i}\n`.repeat(500 + i * 40));
        return { container: bucket, objectName: `reports/${i % 4}/report-${i}.csv`, filePath: file, options: { contentType: 'text/csv' } };
      });
      // One item fails (its file is missing): the others go on, and its result says why.
      items.push({ container: bucket, objectName: 'reports/missing.csv', filePath: join(dir, 'missing.csv') });

      const up = drawer('upload', options.log);
      const uploaded = s3.uploadObjects(items, { concurrency: CONCURRENCY, onProgress: up.onProgress });
      const failedUploads = uploaded.results.filter((r) => !r.ok).map((r) => r.name);
      const objects = uploaded.results.flatMap((r) => (r.ok ? [r.value] : []));

      const down = drawer('download', options.log);
      const out = join(dir, 'downloaded');
      const downloaded = s3.downloadObjects(objects, out, { concurrency: CONCURRENCY, onProgress: down.onProgress });
      const sizesMatch = objects.every((o) => statSync(join(out, o.name)).size === o.size);

      const del = drawer('delete', options.log);
      const deleted = s3.deleteObjects(objects, { onProgress: del.onProgress }); // DeleteObjects: one request here
      s3.deleteContainer(bucket);
      return {
        uploaded: uploaded.succeeded,
        failedUploads,
        downloaded: downloaded.succeeded,
        sizesMatch,
        deleted: deleted.succeeded,
        maxInFlight: up.maxInFlight(),
        progressLines: up.lines() + down.lines() + del.lines(),
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
