/**
 * Session-bound models: copies of the driver's models whose `driver` is the session view, so
 * `node.reboot()` (and `volume.attach(node)`, `keyPair.delete()`, …) returns a Promise and is cancelled with
 * the session.
 * @module
 */
import { Container, ContainerCluster, ContainerImage, ContainerInstance, KeyPair, Node, StorageObject, StorageVolume, VolumeSnapshot } from '@dualcloud/core';

/** Returns `value` with every model (also in arrays and plain objects) re-bound to `view`. */
export function bindModels(value: unknown, view: object, seen: Map<object, object> = new Map()): unknown {
  if (isModel(value)) return rebind(value, view, seen);
  if (Array.isArray(value)) return value.map((item) => bindModels(item, view, seen));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = bindModels(item, view, seen);
    return out;
  }
  return value;
}

/** The models whose methods call back into their driver. */
const MODELS = [Node, StorageVolume, VolumeSnapshot, KeyPair, Container, StorageObject, ContainerInstance, ContainerImage, ContainerCluster] as const;

function isModel(value: unknown): value is object {
  return MODELS.some((Model) => value instanceof Model);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Fields holding a model of the same driver: a storage object's `container`, a deployed container's `image`. */
const NESTED_MODELS = new Set<PropertyKey>(['container', 'image']);

/** A copy of `model` with the same prototype and fields, `driver` = `view`, and its nested models re-bound too. */
function rebind(model: object, view: object, seen: Map<object, object>): object {
  const known = seen.get(model);
  if (known) return known;
  const copy = Object.create(Object.getPrototypeOf(model)) as object;
  seen.set(model, copy);
  for (const key of Reflect.ownKeys(model)) {
    if (key === 'driver') continue;
    const descriptor = Object.getOwnPropertyDescriptor(model, key)!;
    if (NESTED_MODELS.has(key) && 'value' in descriptor) descriptor.value = bindModels(descriptor.value, view, seen);
    Object.defineProperty(copy, key, descriptor);
  }
  Object.defineProperty(copy, 'driver', { value: view, enumerable: false });
  return copy;
}
