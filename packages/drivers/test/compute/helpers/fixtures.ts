/** Reads the response fixtures under test/fixtures/compute. */
import { readFileSync } from 'node:fs';

const ROOT = new URL('../../fixtures/compute/', import.meta.url);

/** A fixture's text, e.g. `fixture('ec2/describe_instances.xml')`. */
export function fixture(path: string): string {
  return readFileSync(new URL(path, ROOT), 'utf8');
}

/** A JSON fixture, parsed. */
export function fixtureJson<T = any>(path: string): T {
  return JSON.parse(fixture(path)) as T;
}

/** The value an async-mode driver method returned, checked to be a Promise and typed as its sync result. */
export function promised<T>(value: T): Promise<T> {
  if (!(value instanceof Promise)) throw new Error('expected a Promise from an async-mode driver');
  return value as unknown as Promise<T>;
}
