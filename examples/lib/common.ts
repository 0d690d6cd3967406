/**
 * What the examples share: the fake cloud (started in-process unless one is given), credentials,
 * bounded concurrency and an event-loop probe.
 * @module
 */
import { FAKE_CREDENTIALS, startFakeCloud, type FakeCloud, type FakeCloudOptions } from '@dualcloud/fake-cloud';

/** Options every example's `main()` accepts. */
export interface ExampleOptions {
  /** A running fake cloud to use; by default the example starts its own and closes it at the end. */
  cloud?: FakeCloud;
  /** Where the example writes its lines (default `console.log`). */
  log?: (line: string) => void;
}

/** Runs `fn` with `options.cloud`, or with a fake cloud started for it (closed afterwards). */
export async function withCloud<R>(options: ExampleOptions, cloudOptions: FakeCloudOptions, fn: (cloud: FakeCloud) => Promise<R>): Promise<R> {
  if (options.cloud) return fn(options.cloud);
  const cloud = await startFakeCloud(cloudOptions);
  try {
    return await fn(cloud);
  } finally {
    await cloud.close();
  }
}

/** AWS credentials the fake cloud accepts, for a region. */
export const aws = (region = 'us-east-1') => ({
  key: FAKE_CREDENTIALS.aws.accessKeyId,
  secret: FAKE_CREDENTIALS.aws.secretAccessKey,
  region,
});

/** Google Storage HMAC credentials the fake cloud accepts. */
export const gcs = () => ({ key: FAKE_CREDENTIALS.gcs.accessKeyId, secret: FAKE_CREDENTIALS.gcs.secretAccessKey });

/** A DigitalOcean token the fake cloud accepts. */
export const digitalOcean = () => ({ key: FAKE_CREDENTIALS.digitalocean.token });

/**
 * Rackspace options for the fake cloud: its Keystone v2.0 stands in for Rackspace's identity service (the
 * `authUrl` override), with the API key it accepts; Rackspace's regional compute endpoints come from its catalog.
 */
export const rackspace = (cloud: FakeCloud, regionName = 'DFW') => ({
  authUrl: `http://127.0.0.1:${cloud.port}/identity/v2.0`,
  username: FAKE_CREDENTIALS.keystone.username,
  apiKey: FAKE_CREDENTIALS.keystone.apiKey,
  regionName,
});

/** A unique suffix, so examples sharing one fake cloud do not collide. */
export const unique = (): string => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

/** The result of {@link mapConcurrent}: results in input order, and the most tasks seen running at once. */
export interface Mapped<R> {
  results: R[];
  maxInFlight: number;
}

/**
 * Applies `fn` to every item of a (possibly lazy, async) source with at most `limit` calls running at once.
 * The source is pulled only when a slot is free, so a lazy listing is not read ahead of the work.
 * The first failure rejects (after the running calls settle); nothing new starts after it.
 */
export async function mapConcurrent<T, R>(source: Iterable<T> | AsyncIterable<T>, limit: number, fn: (item: T, index: number) => Promise<R>): Promise<Mapped<R>> {
  const iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : (source as Iterable<T>)[Symbol.iterator]();
  const results: R[] = [];
  let index = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let failed: { error: unknown } | undefined;
  let pulling = Promise.resolve();
  // One pull at a time: iterators must not be advanced concurrently.
  const pull = (): Promise<IteratorResult<T>> => {
    const next = pulling.then(() => iterator.next());
    pulling = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  };
  const lane = async (): Promise<void> => {
    while (!failed) {
      const step = await pull();
      if (step.done) return;
      const at = index++;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        results[at] = await fn(step.value, at);
      } catch (error) {
        failed ??= { error };
      } finally {
        inFlight--;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, lane));
  if (failed) {
    await iterator.return?.(); // stop a lazy listing early
    throw failed.error;
  }
  return { results, maxInFlight };
}

/**
 * Counts event-loop turns (a chain of `setImmediate`) until stopped: zero turns while a sync call blocks the
 * thread, many while an async call waits for the network.
 */
export function loopTurns(): { stop(): number } {
  let turns = 0;
  let running = true;
  const tick = (): void => {
    if (!running) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  return {
    stop() {
      running = false;
      return turns;
    },
  };
}

/** Reads an AsyncIterable of byte chunks into one Buffer. */
export async function readAll(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}

/** What the provisioning examples (`provision-design1/2/3.ts`) report. */
export interface ProvisionResult {
  style: 'design1' | 'design2' | 'design3';
  provider: string;
  node: string;
  keyPair: string;
  /** The private key came back once, in the key pair's `privateKey` (never printed). */
  gotPrivateKey: boolean;
  volume: string;
  /** The volume's states, in order: as created, once available, once attached, once detached. */
  volumeStates: string[];
  /** Where the volume was attached (EC2 gives a device name; DigitalOcean chooses it). */
  device?: string;
  /** After the teardown: whether the node, the volume and the key pair are still listed. */
  left: { node: boolean; volume: boolean; keyPair: boolean };
}

/** Fast polling: the examples' fake cloud boots nodes in a few hundred milliseconds. */
export const POLL = { timeout: 30_000, pollInterval: 50 } as const;

/**
 * Polls `listNodes` until the node is gone or `terminated` (EC2 shows a destroyed instance `shutting-down`
 * for a while first); true once it is, false if it is still there after `timeoutMs`.
 */
export async function nodeGone(listNodes: () => Promise<ReadonlyArray<{ id: string; state: string }>>, id: string, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const node = (await listNodes()).find((n) => n.id === id);
    if (node === undefined || node.state === 'terminated') return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}
