/**
 * What each style offers the use cases: the same few calls, blocking in the sync style and Promise-returning in
 * the designs. The use cases are written once per kind (see ../use-cases.ts), so the styles differ only in how
 * they call the drivers.
 * @module
 */
import type { BulkProgress } from '@dualcloud/drivers/storage';
import type { DemoMode } from '../config.js';
import type { Target } from '../cloud.js';

/** A listed object of the bucket, with a way to read it in the style's own API. */
export interface Listed<R> {
  readonly name: string;
  readonly size: number;
  /** Downloads the whole object (as a stream of chunks, collected). */
  read(): R;
}

/** An object a bulk download wrote. */
export interface Downloaded {
  readonly name: string;
  readonly size: number;
  readonly path: string;
}

/** Calls of the sync-style API: each one blocks the thread until the reply is in. */
export interface SyncStyle {
  readonly kind: 'sync';
  /** `sync-bulk` is the same API using its bulk call where a use case has one. */
  readonly mode: 'sync' | 'sync-bulk';
  /** Untimed setup: warms the connections and code paths, looks up the image and size of the long call's node. */
  prepare(): void;
  /** Lists the nodes of `target`; returns how many there are. */
  listNodes(target: Target): number;
  /** Lists the containers; returns how many there are. */
  listContainers(): number;
  /** Lists the bucket's objects. */
  listObjects(): Listed<Uint8Array>[];
  /** Creates a node and waits until it is running; returns its final state. */
  createAndWait(name: string): string;
  /**
   * `sync-bulk` only: lists the bucket and downloads every object into `dir` with one blocking `downloadObjects`
   * call (its requests in flight together); `onProgress` sees its progress reports.
   */
  downloadAllBulk?(dir: string, onProgress: (progress: BulkProgress) => void): Downloaded[];
  close(): Promise<void>;
}

/** The same calls in an async design: each returns a Promise and leaves the event loop free. */
export interface AsyncStyle {
  readonly kind: 'async';
  readonly mode: Exclude<DemoMode, 'sync' | 'sync-bulk'>;
  prepare(): Promise<void>;
  listNodes(target: Target): Promise<number>;
  listContainers(): Promise<number>;
  listObjects(): Promise<Listed<Promise<Uint8Array>>[]>;
  createAndWait(name: string): Promise<string>;
  close(): Promise<void>;
}

/** A style the demo runs. */
export type DemoStyle = SyncStyle | AsyncStyle;

/** How a waited node is polled, in every style. */
export const WAIT_OPTIONS = { pollInterval: 100, timeout: 30_000 } as const;

/** Collects a sync stream of chunks. */
export function collect(chunks: Iterable<Uint8Array>): Uint8Array {
  const parts = [...chunks];
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** Collects an async stream of chunks. */
export async function collectAsync(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** Reads a few objects at once, untimed: the first downloads of a style pay for compiling its code paths. */
export async function warmDownloads(objects: readonly Listed<Promise<Uint8Array>>[], concurrency: number): Promise<void> {
  await Promise.all(objects.slice(0, concurrency).map((obj) => obj.read()));
}

/** Picks the long call's size (t3.micro on EC2) and image from listings. */
export function pickLaunch<S extends { id: string }, I>(sizes: readonly S[], images: readonly I[]): { size: S; image: I } {
  const size = sizes.find((s) => s.id === 't3.micro') ?? sizes[0];
  const image = images[0];
  if (!size || image === undefined) throw new Error('the fake cloud lists no size or image to create a node with');
  return { size, image };
}
