/**
 * Soak test: 1,000 transfers per seed (two seeds) of mixed sizes (0 B to four 64 KiB parts) and sources (bytes,
 * iterables and streams, files; downloads to a file and as a stream), 40 % through the sync style and 60 %
 * through Design 3 (8 at a time), S3 (80 %) and GCS, against the embedded fake cloud (its own worker thread) injecting
 * every fault kind at a 10 % rate, on a store that does not verify Content-MD5 (so a corrupted request body is
 * stored unless the client notices).
 *
 * Afterwards the store is read back directly (raw signed GETs) with faults off, and the library's promises are
 * checked:
 * - every upload that reported success stored exactly the bytes sent (nothing corrupted, nothing lost);
 * - every upload that failed left either no object or exactly the bytes sent;
 * - no key in the buckets that the test did not write;
 * - every successful download (file or stream) equals the source; every failed one left no file and no
 *   temporary file;
 * - every error is a typed `CloudError` subclass, nothing hangs, and at most 1 % of the transfers fail.
 * A streamed read in several ranges whose earlier range was damaged cannot be repaired (those bytes were
 * delivered): it must fail with `IntegrityError`, and counts as a failure.
 *
 * The fault decisions follow the seed in request order, and Design 3 runs transfers concurrently, so two runs
 * with one seed strike the same kinds at the same rate but not the same transfers.
 * Seeds: two fixed ones by default; `SOAK_SEEDS=11,12` or `SOAK_SEEDS=random` (printed) to change them,
 * `SOAK_VERBOSE=1` to print every failure with its retries. The summary table (transfers, requests, faults per
 * kind, failures per error and per transfer kind, retries per cause, duration) is printed once at the end.
 *
 * The second block injects, one at a time, the faults behind the failures the soak found.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { FAKE_CREDENTIALS, FAULT_KINDS, startFakeCloud, type FakeCloud } from '@dualcloud/fake-cloud';
import { getDriver as getDesign3Driver } from '@dualcloud/async-mode/storage';
import { getDriver, Provider, type Container, type S3CompatibleOptions, type StorageObject } from '@dualcloud/drivers/storage';
import { asArray, CloudError, DriverConnection, IntegrityError, sigV4Signer } from '@dualcloud/core';

/** Part size of the multipart uploads (the fake cloud's minimum is lowered to it). */
const PART = 64 * 1024;
/** Transfers per seed. */
const TRANSFERS = 1_000;
/** Concurrent Design 3 transfers. */
const DESIGN3_CONCURRENCY = 8;
/** A transfer that takes longer than this is reported as a hang (async); the sync bridge has its own deadline. */
const HANG_MS = 30_000;
const FAULT_RATE = 0.1;
/** Upload options: small parts, so objects over 64 KiB go multipart. */
const UPLOAD = { partSize: PART };
const RETRY = { maxAttempts: 6, baseDelayMs: 5, maxDelayMs: 50, retryAfterCapMs: 50 };
const TIMEOUT_MS = 1_500;
const SEEDS: number[] = (() => {
  const env = process.env.SOAK_SEEDS;
  if (env === 'random') return [Math.floor(Math.random() * 2 ** 31), Math.floor(Math.random() * 2 ** 31)];
  if (env) return env.split(',').map((s) => Number(s.trim()));
  return [20_240_611, 7];
})();

type ProviderName = 's3' | 'google_storage';
type Style = 'sync' | 'design3';
type Kind = 'upload-bytes' | 'upload-iterable' | 'upload-file' | 'download-file' | 'download-stream';

/** One planned transfer and, once run, its outcome. */
interface Transfer {
  readonly id: number;
  readonly provider: ProviderName;
  readonly style: Style;
  readonly kind: Kind;
  /** Uploads: the bytes sent, and the key written. Downloads: the pool object read. */
  readonly data: Buffer;
  readonly key: string;
  /** Streamed reads: the chunk size (several ranged GETs for larger objects). */
  readonly chunkSize?: number;
  /** Downloads to a file: the destination. */
  dest?: string;
  ok?: boolean;
  error?: unknown;
  /** Streamed downloads: what the caller received. */
  received?: Buffer;
  ms?: number;
}

/** A deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` pseudo-random bytes from `random` (AES-CTR keyed by one draw: deterministic and fast). */
function bytes(random: () => number, n: number): Buffer {
  const key = Buffer.alloc(16);
  key.writeUInt32LE(Math.floor(random() * 2 ** 32), 0);
  key.writeUInt32LE(Math.floor(random() * 2 ** 32), 4);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(n));
}

/** A size class: 0 B, small, a few KiB, about one part, multipart (2–4 parts). */
function drawSize(random: () => number): number {
  const r = random();
  if (r < 0.08) return 0;
  if (r < 0.3) return 1 + Math.floor(random() * 300);
  if (r < 0.65) return 1024 + Math.floor(random() * 8 * 1024);
  if (r < 0.8) return 16 * 1024 + Math.floor(random() * (PART - 16 * 1024));
  return PART + 1 + Math.floor(random() * (3 * PART));
}

/** The size class of a transfer, for the summary. */
function sizeClass(n: number): string {
  if (n === 0) return '0B';
  if (n <= 300) return 'small';
  if (n < 16 * 1024) return 'KiB';
  if (n <= PART) return 'one-part';
  return 'multipart';
}

/** Splits bytes into chunks of random sizes (the iterable sources). */
function chunksOf(data: Buffer, random: () => number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; ) {
    const n = 1 + Math.floor(random() * 20_000);
    out.push(data.subarray(at, at + n));
    at += n;
  }
  return out;
}

const md5 = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');

/** What the error looks like in the summary: class and code. */
function errorKind(error: unknown): string {
  if (error instanceof CloudError) return `${error.name}${error.code ? `:${error.code}` : ''}`;
  if (error instanceof Error) return `UNTYPED ${error.constructor.name}: ${error.message.slice(0, 120)}`;
  return `UNTYPED ${typeof error}: ${String(error).slice(0, 120)}`;
}

/** One seed's measured figures, for the summary table. */
interface SeedReport {
  seed: number;
  transfers: number;
  byStyle: Record<string, number>;
  byKind: Record<string, number>;
  byProvider: Record<string, number>;
  bySize: Record<string, number>;
  requests: number;
  faults: Record<string, number>;
  failures: Record<string, number>;
  failedByKind: Record<string, number>;
  retries: Record<string, number>;
  failureDetails: string[];
  failed: number;
  openUploadsLeft: number;
  durationMs: number;
  setupMs: number;
  syncMs: number;
  design3Ms: number;
  checkMs: number;
  violations: number;
}
const reports: SeedReport[] = [];

let cloud: FakeCloud;
let scratchRoot: string;
const suiteStarted = Date.now();

beforeAll(async () => {
  cloud = await startFakeCloud({ minPartSize: PART, verifyContentMd5: false, faults: { rate: 0 } });
  scratchRoot = mkdtempSync(join(tmpdir(), 'dualcloud-soak-'));
});

afterAll(async () => {
  await cloud?.close();
  if (scratchRoot) rmSync(scratchRoot, { recursive: true, force: true });
  if (reports.length > 0) console.log(summaryTable(reports, Date.now() - suiteStarted));
});

/** Retries seen by the drivers' `beforeRetry` hook, by the failed attempt's error; and the sync transfer running. */
const retries = { byError: {} as Record<string, number>, current: undefined as Transfer | undefined, log: [] as string[] };
const hooks = {
  beforeRetry(info: { error: unknown; attempt: number; request: { method: string; action?: string } }): void {
    const kind = errorKind(info.error);
    retries.byError[kind] = (retries.byError[kind] ?? 0) + 1;
    if (retries.current && process.env.SOAK_VERBOSE) retries.log.push(`  #${retries.current.id} ${info.request.action ?? info.request.method} attempt ${info.attempt}: ${kind}`);
  },
};

function options(provider: ProviderName): S3CompatibleOptions {
  const creds = provider === 's3' ? FAKE_CREDENTIALS.aws : FAKE_CREDENTIALS.gcs;
  return {
    key: creds.accessKeyId,
    secret: creds.secretAccessKey,
    ...(provider === 's3' ? { region: 'us-east-1' } : {}),
    ...cloud.endpoint(provider),
    minPartSize: PART,
    timeoutMs: TIMEOUT_MS,
    retry: RETRY,
    hooks,
  };
}

const classes = { s3: Provider.S3, google_storage: Provider.GOOGLE_STORAGE } as const;

/** The sync-style driver of a provider. */
function syncDriver(provider: ProviderName) {
  return new (getDriver(classes[provider]))(options(provider));
}

/** The Design 3 driver of a provider: every method returns a Promise / AsyncIterable. */
function design3Driver(provider: ProviderName) {
  return new (getDesign3Driver(classes[provider]))({ ...options(provider), async: true });
}

/** A raw signed connection, to read the store with none of the drivers' logic in the way. */
function rawConnection(provider: ProviderName): DriverConnection {
  return new DriverConnection({
    provider,
    ...cloud.endpoint(provider),
    credentials:
      provider === 's3'
        ? sigV4Signer(FAKE_CREDENTIALS.aws, 'us-east-1', 's3')
        : sigV4Signer(FAKE_CREDENTIALS.gcs, 'auto', 'storage', undefined, 'GOOG4'),
  });
}

/** The stored bytes of a key, or undefined when it does not exist (faults must be off). */
async function stored(conn: DriverConnection, bucket: string, key: string): Promise<Buffer | undefined> {
  const res = await conn.requestAsync({ method: 'GET', path: `/${bucket}/${key}`, acceptStatus: [404] });
  if (res.status === 404) return undefined;
  return Buffer.from(res.body);
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/** Every key of a bucket (ListObjectsV2, raw). */
function listKeys(conn: DriverConnection, bucket: string): string[] {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const doc = conn.request({ method: 'GET', path: `/${bucket}`, query: { 'list-type': '2', ...(token ? { 'continuation-token': token } : {}) } }).xml();
    const result = doc.ListBucketResult ?? {};
    for (const c of asArray<Record<string, unknown>>(result.Contents)) keys.push(String(asArray(c.Key)[0]));
    token = result.NextContinuationToken ? String(asArray(result.NextContinuationToken)[0]) : undefined;
  } while (token);
  return keys;
}

/** Multipart uploads still open in a bucket. */
function openUploads(conn: DriverConnection, bucket: string): number {
  const doc = conn.request({ method: 'GET', path: `/${bucket}`, query: { uploads: '' } }).xml();
  return asArray(doc.ListMultipartUploadsResult?.Upload).length;
}

describe.each(SEEDS)('soak, seed %i', (seed) => {
  test(`${TRANSFERS} mixed transfers under ${FAULT_RATE * 100} % faults of every kind, sync style and Design 3`, async () => {
    const started = Date.now();
    const random = prng(seed);
    const bucketOf = (provider: ProviderName): string => `soak-${seed}-${provider === 's3' ? 's3' : 'gcs'}`;
    const dir = mkdtempSync(join(scratchRoot, `seed-${seed}-`));
    const sources = join(dir, 'sources');
    const downloads = join(dir, 'downloads');
    mkdirSync(sources);
    mkdirSync(downloads);

    // ---- setup, faults off: buckets, and a pool of objects to download ----------------------------------
    await cloud.configure({ faults: { rate: 0 } });
    const providerNames: ProviderName[] = ['s3', 'google_storage'];
    const setup = Object.fromEntries(providerNames.map((p) => [p, syncDriver(p)])) as Record<ProviderName, ReturnType<typeof syncDriver>>;
    const pool: Record<ProviderName, Array<{ key: string; data: Buffer }>> = { s3: [], google_storage: [] };
    for (const p of providerNames) {
      const c = setup[p].createContainer(bucketOf(p));
      const sizes = [0, 1, 17, 300, 1024, 4096, 8191, 20_000, PART - 1, PART, PART + 1, 2 * PART + 5, 3 * PART + 1234, 4 * PART - 7];
      sizes.forEach((size, i) => {
        const key = `pool/obj-${String(i).padStart(2, '0')}-${size}.bin`;
        const data = bytes(random, size);
        setup[p].uploadObjectViaStream(data, c, key, { partSize: PART });
        pool[p].push({ key, data });
      });
    }

    // ---- the plan ---------------------------------------------------------------------------------------
    const kinds: Kind[] = ['upload-bytes', 'upload-iterable', 'upload-file', 'download-file', 'download-stream'];
    const weights = [0.25, 0.2, 0.2, 0.175, 0.175];
    const transfers: Transfer[] = [];
    for (let id = 0; id < TRANSFERS; id++) {
      const provider: ProviderName = random() < 0.8 ? 's3' : 'google_storage';
      const style: Style = id % 5 < 2 ? 'sync' : 'design3'; // 40 % sync (one at a time), 60 % Design 3 (8 at a time)
      let r = random();
      let k = 0;
      while (k < kinds.length - 1 && r >= weights[k]!) r -= weights[k++]!;
      const kind = kinds[k]!;
      if (kind.startsWith('upload')) {
        const data = bytes(random, drawSize(random));
        transfers.push({ id, provider, style, kind, data, key: `up/${kind}/${style}/t-${String(id).padStart(4, '0')}.bin` });
      } else {
        const source = pool[provider][Math.floor(random() * pool[provider].length)]!;
        const chunkSize = kind === 'download-stream' && random() < 0.5 ? 16 * 1024 + Math.floor(random() * 32 * 1024) : undefined;
        transfers.push({ id, provider, style, kind, data: source.data, key: source.key, ...(chunkSize ? { chunkSize } : {}) });
      }
    }

    // Objects as the drivers see them (HEAD), per style, fetched with faults off.
    const syncDrivers = Object.fromEntries(providerNames.map((p) => [p, syncDriver(p)])) as Record<ProviderName, ReturnType<typeof syncDriver>>;
    const asyncDrivers = Object.fromEntries(providerNames.map((p) => [p, design3Driver(p)])) as Record<ProviderName, ReturnType<typeof design3Driver>>;
    const containers = {} as Record<ProviderName, { sync: Container; design3: Container }>;
    const heads = {} as Record<ProviderName, Map<string, { sync: StorageObject; design3: StorageObject }>>;
    for (const p of providerNames) {
      containers[p] = { sync: syncDrivers[p].getContainer(bucketOf(p)), design3: await asyncDrivers[p].getContainer(bucketOf(p)) };
      heads[p] = new Map();
      for (const { key } of pool[p]) {
        heads[p].set(key, { sync: syncDrivers[p].getObject(bucketOf(p), key), design3: await asyncDrivers[p].getObject(bucketOf(p), key) });
      }
    }
    const before = await cloud.stats();
    const setupMs = Date.now() - started;

    // ---- the soak, faults on ----------------------------------------------------------------------------
    await cloud.configure({
      faults: { rate: FAULT_RATE, kinds: [...FAULT_KINDS], seed, stallMs: 300, retryAfterSeconds: 0 },
    });
    retries.byError = {};
    retries.log = [];
    const sourceRandom = prng(seed ^ 0x9e3779b9);
    const fileOf = (t: Transfer): string => {
      const path = join(sources, `t-${t.id}.bin`);
      writeFileSync(path, t.data);
      return path;
    };

    const syncStarted = Date.now();
    for (const t of transfers.filter((x) => x.style === 'sync')) {
      const d = syncDrivers[t.provider];
      const c = containers[t.provider].sync;
      const t0 = Date.now();
      retries.current = t;
      try {
        switch (t.kind) {
          case 'upload-bytes':
            d.uploadObjectViaStream(t.data, c, t.key, UPLOAD);
            break;
          case 'upload-iterable': {
            const chunks = chunksOf(t.data, sourceRandom);
            d.uploadObjectViaStream((function* () { yield* chunks; })(), c, t.key, UPLOAD);
            break;
          }
          case 'upload-file':
            d.uploadObject(fileOf(t), c, t.key, UPLOAD);
            break;
          case 'download-file':
            t.dest = join(downloads, `t-${t.id}.bin`);
            if (d.downloadObject(heads[t.provider].get(t.key)!.sync, t.dest) !== true) throw new Error('downloadObject did not return true');
            break;
          case 'download-stream': {
            const parts: Uint8Array[] = [];
            for (const chunk of d.downloadObjectAsStream(heads[t.provider].get(t.key)!.sync, t.chunkSize ? { chunkSize: t.chunkSize } : {})) parts.push(chunk);
            t.received = Buffer.concat(parts);
            break;
          }
        }
        t.ok = true;
      } catch (error) {
        t.ok = false;
        t.error = error;
      }
      t.ms = Date.now() - t0;
    }
    retries.current = undefined;
    const syncMs = Date.now() - syncStarted;

    const design3Started = Date.now();
    const queue = transfers.filter((x) => x.style === 'design3');
    const runOne = async (t: Transfer): Promise<void> => {
      const d = asyncDrivers[t.provider];
      const c = containers[t.provider].design3;
      switch (t.kind) {
        case 'upload-bytes':
          await d.uploadObjectViaStream(t.data, c, t.key, UPLOAD);
          return;
        case 'upload-iterable': {
          const chunks = chunksOf(t.data, sourceRandom);
          const source =
            t.id % 2 === 1
              ? Readable.from(chunks)
              : (async function* () {
                  for (const chunk of chunks) {
                    await new Promise((resolve) => setImmediate(resolve));
                    yield chunk;
                  }
                })();
          await d.uploadObjectViaStream(source, c, t.key, UPLOAD);
          return;
        }
        case 'upload-file':
          await d.uploadObject(fileOf(t), c, t.key, UPLOAD);
          return;
        case 'download-file':
          t.dest = join(downloads, `t-${t.id}.bin`);
          if ((await d.downloadObject(heads[t.provider].get(t.key)!.design3, t.dest)) !== true) throw new Error('downloadObject did not resolve to true');
          return;
        case 'download-stream': {
          const parts: Uint8Array[] = [];
          for await (const chunk of d.downloadObjectAsStream(heads[t.provider].get(t.key)!.design3, t.chunkSize ? { chunkSize: t.chunkSize } : {})) parts.push(chunk);
          t.received = Buffer.concat(parts);
          return;
        }
      }
    };
    let next = 0;
    await Promise.all(
      Array.from({ length: DESIGN3_CONCURRENCY }, async () => {
        while (next < queue.length) {
          const t = queue[next++]!;
          const t0 = Date.now();
          let timer: NodeJS.Timeout | undefined;
          try {
            await Promise.race([
              runOne(t),
              new Promise((_, reject) => {
                timer = setTimeout(() => reject(new Error(`HANG: transfer ${t.id} (${t.kind}) still running after ${HANG_MS} ms`)), HANG_MS);
              }),
            ]);
            t.ok = true;
          } catch (error) {
            t.ok = false;
            t.error = error;
          } finally {
            clearTimeout(timer);
          }
          t.ms = Date.now() - t0;
        }
      }),
    );
    const design3Ms = Date.now() - design3Started;
    const after = await cloud.stats();

    // ---- read the store back, faults off ----------------------------------------------------------------
    await cloud.configure({ faults: { rate: 0 } });
    const checkStarted = Date.now();
    const violations: string[] = [];
    const raw = Object.fromEntries(providerNames.map((p) => [p, rawConnection(p)])) as Record<ProviderName, DriverConnection>;
    const describeT = (t: Transfer): string => `#${t.id} ${t.provider} ${t.style} ${t.kind} ${t.data.length} B ${t.key}`;
    const storedBytes = new Map<Transfer, Buffer | undefined>();
    await inParallel(
      transfers.filter((t) => t.kind.startsWith('upload')),
      16,
      async (t) => void storedBytes.set(t, await stored(raw[t.provider], bucketOf(t.provider), t.key)),
    );
    for (const t of transfers) {
      if (!t.ok && !(t.error instanceof CloudError && t.error.constructor !== CloudError)) {
        violations.push(`untyped error: ${describeT(t)}: ${errorKind(t.error)}`);
      }
      if (t.kind.startsWith('upload')) {
        const got = storedBytes.get(t);
        if (t.ok) {
          if (got === undefined) violations.push(`lost: ${describeT(t)} reported success but the key does not exist`);
          else if (!got.equals(t.data)) violations.push(`corrupted: ${describeT(t)} reported success but holds ${got.length} B, md5 ${md5(got)} != ${md5(t.data)}`);
        } else if (got !== undefined && !got.equals(t.data)) {
          violations.push(`foreign bytes: ${describeT(t)} failed (${errorKind(t.error)}) and the key holds ${got.length} B that were not sent`);
        }
      } else if (t.kind === 'download-file') {
        const leftovers = readdirSync(downloads).filter((f) => f.startsWith(`.t-${t.id}.bin.`));
        if (leftovers.length > 0) violations.push(`temporary file left: ${describeT(t)}: ${leftovers.join(', ')}`);
        if (t.ok) {
          if (!existsSync(t.dest!)) violations.push(`missing file: ${describeT(t)} reported success but ${t.dest} does not exist`);
          else if (!readFileSync(t.dest!).equals(t.data)) violations.push(`corrupted download: ${describeT(t)} wrote bytes that differ from the source`);
        } else if (t.dest && existsSync(t.dest)) {
          violations.push(`partial file: ${describeT(t)} failed (${errorKind(t.error)}) but left ${t.dest}`);
        }
      } else if (t.ok && !t.received!.equals(t.data)) {
        violations.push(`corrupted stream: ${describeT(t)} delivered ${t.received!.length} B, md5 ${md5(t.received!)} != ${md5(t.data)}`);
      }
    }
    // Nothing but what the test wrote, and no temporary download files at all.
    const expected = new Set(transfers.filter((t) => t.kind.startsWith('upload')).map((t) => `${t.provider} ${t.key}`));
    for (const p of providerNames) for (const { key } of pool[p]) expected.add(`${p} ${key}`);
    for (const p of providerNames) {
      for (const key of listKeys(raw[p], bucketOf(p))) if (!expected.has(`${p} ${key}`)) violations.push(`unexpected key ${p} ${key}`);
      for (const { key, data } of pool[p]) if (!(await stored(raw[p], bucketOf(p), key))?.equals(data)) violations.push(`pool object changed: ${p} ${key}`);
    }
    const temporaries = readdirSync(downloads).filter((f) => f.includes('dualcloud-part'));
    if (temporaries.length > 0) violations.push(`temporary download files left: ${temporaries.join(', ')}`);
    const openUploadsLeft = providerNames.reduce((n, p) => n + openUploads(raw[p], bucketOf(p)), 0);
    const checkMs = Date.now() - checkStarted;

    // ---- figures ----------------------------------------------------------------------------------------
    const count = <K extends string>(items: Transfer[], key: (t: Transfer) => K): Record<K, number> =>
      items.reduce((acc, t) => ((acc[key(t)] = (acc[key(t)] ?? 0) + 1), acc), {} as Record<K, number>);
    const failedTransfers = transfers.filter((t) => !t.ok);
    const faults: Record<string, number> = {};
    for (const kind of FAULT_KINDS) faults[kind] = (after.faults[kind] ?? 0) - (before.faults[kind] ?? 0);
    const report: SeedReport = {
      seed,
      transfers: transfers.length,
      byStyle: count(transfers, (t) => t.style),
      byKind: count(transfers, (t) => t.kind),
      byProvider: count(transfers, (t) => t.provider),
      bySize: count(transfers, (t) => sizeClass(t.data.length)),
      requests: after.requests - before.requests,
      faults,
      failures: count(failedTransfers, (t) => errorKind(t.error)),
      failedByKind: count(failedTransfers, (t) => `${t.style} ${t.kind}`),
      retries: { ...retries.byError },
      failureDetails: failedTransfers.map((t) => `#${t.id} ${t.provider} ${t.style} ${t.kind} ${t.data.length} B: ${errorKind(t.error)}: ${String((t.error as Error)?.message).slice(0, 160)}`),
      failed: failedTransfers.length,
      openUploadsLeft,
      durationMs: Date.now() - started,
      setupMs,
      syncMs,
      design3Ms,
      checkMs,
      violations: violations.length,
    };
    reports.push(report);
    if (process.env.SOAK_VERBOSE) {
      const slow = [...transfers].sort((a, b) => b.ms! - a.ms!).slice(0, 15);
      for (const t of slow) process.stderr.write(`slow ${t.ms} ms ${describeT(t)} ${t.ok ? 'ok' : errorKind(t.error)}\n`);
      for (const style of ['sync', 'design3'])
        for (const kind of kinds) {
          const xs = transfers.filter((t) => t.style === style && t.kind === kind);
          process.stderr.write(`time ${style} ${kind}: n=${xs.length} total=${xs.reduce((a, t) => a + t.ms!, 0)} ms\n`);
        }
      for (const t of failedTransfers) {
        process.stderr.write(`failed ${describeT(t)}: ${(t.error as Error)?.message}\n`);
        for (const line of retries.log.filter((l) => l.startsWith(`  #${t.id} `))) process.stderr.write(`${line}\n`);
      }
    }

    rmSync(dir, { recursive: true, force: true });
    expect(violations).toEqual([]);
    expect(failedTransfers.length).toBeLessThanOrEqual(Math.floor(transfers.length * 0.01));
    expect(report.requests).toBeGreaterThan(transfers.length);
    for (const kind of FAULT_KINDS) expect(faults[kind]).toBeGreaterThan(0);
  }, 120_000);
});

function summaryTable(rows: SeedReport[], totalMs: number): string {
  const fmt = (o: Record<string, number>): string =>
    Object.entries(o)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${v}`)
      .join(', ') || '-';
  const lines = [`dualcloud soak summary (fault rate ${FAULT_RATE}, kinds ${FAULT_KINDS.join(',')}, part ${PART} B, retry ${JSON.stringify(RETRY)}, timeout ${TIMEOUT_MS} ms)`];
  for (const r of rows) {
    lines.push(
      `seed ${r.seed}`,
      `  transfers        ${r.transfers} (${fmt(r.byStyle)}; ${fmt(r.byProvider)})`,
      `  by kind          ${fmt(r.byKind)}`,
      `  by size          ${fmt(r.bySize)}`,
      `  requests         ${r.requests}`,
      `  faults injected  ${Object.values(r.faults).reduce((a, b) => a + b, 0)}: ${fmt(r.faults)}`,
      `  failed           ${r.failed} (${((100 * r.failed) / r.transfers).toFixed(2)} %)`,
      `  failures by error ${fmt(r.failures)}`,
      `  failures by transfer ${fmt(r.failedByKind)}`,
      ...r.failureDetails.map((d) => `    ${d}`),
      `  retries by cause ${Object.values(r.retries).reduce((a, b) => a + b, 0)}: ${fmt(r.retries)}`,
      `  violations       ${r.violations} (corrupted / foreign bytes / lost / partial files / untyped errors)`,
      `  open multipart uploads left ${r.openUploadsLeft}`,
      `  duration         ${r.durationMs} ms (setup ${r.setupMs} ms, sync ${r.syncMs} ms, Design 3 ${r.design3Ms} ms, read-back ${r.checkMs} ms)`,
    );
  }
  lines.push(`total ${totalMs} ms`);
  return lines.join('\n');
}

/** The faults behind the failures the soak found, injected one at a time (sync style; the designs share the code). */
describe('faults the soak found, one at a time', () => {
  const bucket = 'soak-single-faults';
  let d: ReturnType<typeof syncDriver>;
  let c: Container;
  let raw: DriverConnection;
  beforeAll(async () => {
    await cloud.configure({ faults: { rate: 0 } });
    d = syncDriver('s3');
    c = d.createContainer(bucket);
    raw = rawConnection('s3');
  });
  afterAll(() => cloud.configure({ faults: { rate: 0 } }));

  const data = (n: number, seed: number): Buffer => bytes(prng(seed), n);
  const read = (obj: StorageObject, chunkSize?: number): Buffer => Buffer.concat([...d.downloadObjectAsStream(obj, chunkSize ? { chunkSize } : {})]);
  /** Runs `fn` with `sequence` as the next requests' faults; returns how many requests it made and the faults that struck. */
  async function withFaults<T>(sequence: Array<(typeof FAULT_KINDS)[number] | null>, fn: () => T): Promise<{ value?: T; error?: unknown; requests: number; struck: number }> {
    await cloud.configure({ faults: { sequence, stallMs: 300 } });
    const before = await cloud.stats();
    let value: T | undefined;
    let error: unknown;
    try {
      value = fn();
    } catch (e) {
      error = e;
    }
    const after = await cloud.stats();
    await cloud.configure({ faults: { rate: 0 } });
    const struck = FAULT_KINDS.reduce((n, k) => n + after.faults[k] - before.faults[k], 0);
    return { ...(error === undefined ? { value } : { error }), requests: after.requests - before.requests, struck };
  }

  test('a damaged range of a one-range streamed read is fetched again', async () => {
    const bytes1 = data(1000, 1);
    const obj = d.uploadObjectViaStream(bytes1, c, 'one-range.bin');
    const run = await withFaults(['corrupt-response'], () => read(obj));
    expect(run.error).toBeUndefined();
    expect(run.value!.equals(bytes1)).toBe(true);
    expect(run).toMatchObject({ requests: 2, struck: 1 });
  });

  test.each([
    ['a single-PUT object (MD5 ETag)', { partSize: 4 * PART }, 3],
    ['a multipart object (full-object CRC32, read with a HEAD)', { partSize: PART }, 4],
  ])('%s read in ranges: a damaged earlier range fails the read, a damaged last range is read again', async (_, upload, requests) => {
    const sent = data(3 * PART, 2);
    const obj = d.uploadObjectViaStream(sent, c, `ranges-${upload.partSize}.bin`, upload);
    const early = await withFaults(['corrupt-response'], () => read(obj, PART));
    expect(early.error).toBeInstanceOf(IntegrityError);
    expect(early.error).toMatchObject({ code: 'HashMismatch' });
    expect(early.requests).toBe(requests + 1); // the last range twice, then the read fails at once
    const late = await withFaults([...Array<null>(requests - 1).fill(null), 'corrupt-response'], () => read(obj, PART));
    expect(late.error).toBeUndefined();
    expect(late.value!.equals(sent)).toBe(true);
    expect(late).toMatchObject({ requests: requests + 1, struck: 1 });
  });

  // Requests of a two-part upload with one lane: 1 CreateMultipartUpload, 2-3 UploadPart, 4 CompleteMultipartUpload.
  test.each([
    ['CreateMultipartUpload fails before it takes effect', ['503', 'reset', '429']],
    ['the reply to CreateMultipartUpload is lost', ['truncated']],
    ['the reply to CompleteMultipartUpload is lost', [null, null, null, 'truncated']],
    ['the reply to CompleteMultipartUpload stalls', [null, null, null, 'stall']],
    ['the CompleteMultipartUpload body is damaged', [null, null, null, 'corrupt-request']],
    ['an UploadPart body is damaged (stored: the store does not check Content-MD5)', [null, 'corrupt-request']],
  ] as const)('a multipart upload completes when %s', async (_, sequence) => {
    const sent = data(PART + 1000, 3);
    const key = `mp-${sequence.join('-')}.bin`;
    const run = await withFaults([...sequence], () => d.uploadObjectViaStream(sent, c, key, { partSize: PART, concurrency: 1 }));
    expect(run.error).toBeUndefined();
    expect(run.struck).toBe(sequence.filter((f) => f !== null).length);
    expect((await stored(raw, bucket, key))?.equals(sent)).toBe(true);
  });
});
