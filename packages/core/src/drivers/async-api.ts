/**
 * What the three async designs share: running a public driver method through the async executor (by its
 * `methodKinds` entry), signal plumbing, and the type-level mapping from a sync method to its async form.
 * @module
 */
import { setMaxListeners } from 'node:events';
import { InvalidArgumentError } from '../errors/index.js';
import type { Container, StorageObject, StorageOps } from '../models/storage.js';
import type { KeyPair, KeyPairOps, Node, NodeLifecycle, StorageVolume, VolumeOps, VolumeSnapshot, VolumeSnapshotOps } from '../models/compute.js';
import type {
  Container as ContainerInstance,
  ContainerCluster,
  ContainerClusterOps,
  ContainerImage,
  ContainerImageOps,
  ContainerOps,
} from '../models/container.js';
import type { RunningNode } from './compute.js';
import type { BaseDriver, MethodKind } from './base.js';

/** What the design packages use of a driver (a structural view of `BaseDriver`). */
export type DriverLike = Pick<BaseDriver, 'type' | 'name' | 'mode' | 'callAsync' | 'iterateAsync' | 'methodKind'>;

/**
 * Calls `method` (a `call` or `iterate` method) through the async executor with an optional signal.
 * Every failure, even one thrown while building the operation, surfaces as a rejection (calls) or on the
 * first `next()` (iterations), never as a synchronous throw.
 */
export function invokeAsync(driver: DriverLike, method: string, kind: MethodKind, args: readonly unknown[], signal: AbortSignal | undefined): unknown {
  const options = signal ? { signal } : {};
  if (kind === 'call') {
    try {
      return driver.callAsync(method, args, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }
  try {
    return driver.iterateAsync(method, args, options);
  } catch (error) {
    return failingIterable(error);
  }
}

/** An AsyncIterable whose first `next()` rejects with `error`. */
export function failingIterable(error: unknown): AsyncIterable<never> {
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => Promise.reject(error),
      return: (value?: unknown) => Promise.resolve({ done: true as const, value: value as never }),
    }),
  };
}

/**
 * One signal that aborts when any of `signals` does (undefined when none is given). Many calls listen to it
 * at once, so the listener-count warning is turned off on it.
 */
export function linkSignals(...signals: ReadonlyArray<AbortSignal | undefined>): AbortSignal | undefined {
  const given = signals.filter((s): s is AbortSignal => s !== undefined);
  if (given.length === 0) return undefined;
  const linked = AbortSignal.any(given);
  setMaxListeners(0, linked);
  return linked;
}

/** Checks that `signal` is an AbortSignal (or absent) before it is stored. */
export function checkSignal(signal: unknown, where: string): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (!(signal instanceof AbortSignal)) throw new InvalidArgumentError(`${where}: signal must be an AbortSignal`);
  return signal;
}

/**
 * Names of a driver's public methods, by the drivers' rule: a public method `m` is backed by an operation
 * builder `mOp` (call) or `mPages` (iterate). Helpers without a builder are not part of the async API.
 */
export type MethodName<D> = {
  [K in keyof D & string]: D[K] extends (...args: never[]) => unknown
    ? `${K}Op` extends keyof D
      ? K
      : `${K}Pages` extends keyof D
        ? K
        : never
    : never;
}[keyof D & string];

/**
 * A returned value with its models re-typed as bound to `Self` (an async driver or view): `Node` becomes
 * `Node<NodeLifecycle & Self>` (and `StorageVolume`, `VolumeSnapshot`, `KeyPair`, the container family's
 * `Container`, `ContainerImage` and `ContainerCluster`, storage's `Container` and `StorageObject` likewise), so `node.reboot()` has `Self['rebootNode']`'s return type (the last signature
 * of the intersection wins). An intersection, not a conditional, keeps the recursion lazy.
 * With `Self = never` the models stay as they are (Design 2 returns the sync models).
 */
export type Bound<T, Self> = [Self] extends [never]
  ? T
  : T extends Node<any>
    ? Node<NodeLifecycle & Self>
    : T extends StorageVolume<any>
      ? StorageVolume<VolumeOps & Self>
      : T extends VolumeSnapshot<any>
        ? VolumeSnapshot<VolumeSnapshotOps & Self>
        : T extends KeyPair<any>
          ? KeyPair<KeyPairOps & Self>
          : T extends ContainerInstance<any>
            ? ContainerInstance<ContainerOps & Self>
            : T extends ContainerImage<any>
              ? ContainerImage<ContainerImageOps & Self>
              : T extends ContainerCluster<any>
                ? ContainerCluster<ContainerClusterOps & Self>
                : T extends StorageObject<any>
            ? StorageObject<StorageOps & Self>
            : T extends Container<any>
              ? Container<StorageOps & Self>
              : T extends RunningNode
                ? { node: Bound<Node, Self>; ips: string[] }
                : T extends readonly (infer E)[]
                  ? Bound<E, Self>[]
                  : T;

/** The async counterpart of a sync return type: `Iterable<T>` becomes `AsyncIterable<T>`, anything else a Promise. */
export type AsyncResult<R, Self = never> = [R] extends [string | Uint8Array | readonly unknown[]]
  ? Promise<Bound<R, Self>>
  : [R] extends [Iterable<infer T>]
    ? AsyncIterable<Bound<T, Self>>
    : Promise<Bound<R, Self>>;

/** The async signature of a sync method. */
export type AsyncMethod<F, Self = never> = F extends (...args: infer A) => infer R ? (...args: A) => AsyncResult<R, Self> : never;
