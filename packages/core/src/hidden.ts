/**
 * Objects that hold secrets print as a short summary: `util.inspect` (also with `showHidden`), `console.log`,
 * `JSON.stringify` and `String` all see only what {@link printAs} returns. Secrets themselves live in private
 * `#fields` or closures, out of reach of enumeration, spread and `Object.entries`.
 * @module
 */
import { inspect } from 'node:util';

/**
 * Makes `target` print as `summary()` everywhere. The hooks are non-enumerable own properties, so a spread or
 * `Object.entries` copies nothing of them (and nothing secret either, if secrets are kept private).
 */
export function printAs<T extends object>(target: T, summary: () => Record<string, unknown> | string): T {
  const text = (): string => {
    const s = summary();
    return typeof s === 'string' ? s : `${target.constructor?.name ?? 'Object'} ${JSON.stringify(s)}`;
  };
  Object.defineProperties(target, {
    [inspect.custom]: { value: text, enumerable: false, configurable: true },
    toJSON: { value: summary, enumerable: false, configurable: true },
    toString: { value: text, enumerable: false, configurable: true },
  });
  return target;
}
