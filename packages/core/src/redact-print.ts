/**
 * Objects that hold secrets but print without them.
 * @module
 */
import { inspect } from 'node:util';
import { REDACTED } from './redact.js';

/**
 * Gives `target` a non-enumerable `[util.inspect.custom]` and `toJSON` that show each of `secretKeys` as
 * {@link REDACTED} (when set), so `console.log`, `util.inspect`, `JSON.stringify` and loggers that use them
 * never print a secret, while the fields stay readable as ordinary properties. Returns `target` itself.
 *
 * Only printing is covered: a spread copy (`{ ...target }`) or `Object.entries(target)` still holds the
 * values, as it must for the fields to be usable.
 *
 * @example
 * ```ts
 * const creds = withRedactedPrint({ accessKeyId: 'AKID...', secretAccessKey: 's3cr3t' }, ['secretAccessKey']);
 * creds.secretAccessKey;        // 's3cr3t'
 * JSON.stringify(creds);        // '{"accessKeyId":"AKID...","secretAccessKey":"[REDACTED]"}'
 * ```
 */
export function withRedactedPrint<T extends object>(target: T, secretKeys: readonly PropertyKey[]): T {
  const secrets = new Set<PropertyKey>(secretKeys);
  const printable = (): Record<string, unknown> => {
    const copy: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(target)) {
      copy[name] = secrets.has(name) && value !== undefined && value !== null && value !== '' ? REDACTED : value;
    }
    return copy;
  };
  Object.defineProperty(target, 'toJSON', { value: printable, enumerable: false, configurable: true, writable: true });
  Object.defineProperty(target, inspect.custom, {
    value: (_depth: number, options: object, nested?: typeof inspect) => (nested ?? inspect)(printable(), options),
    enumerable: false,
    configurable: true,
    writable: true,
  });
  return target;
}
