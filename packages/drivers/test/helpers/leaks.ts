/**
 * Finding secrets in what a value prints. `secretForms` lists every spelling of a secret worth looking for
 * (the text, base64, hex, and the byte lists `util.inspect` / `JSON.stringify` print for a Buffer or
 * Uint8Array holding it); `reachable` walks what can be reached from a value through its own properties;
 * `CHANNELS` are the ways a value ends up in a log; `findLeaks` puts them together.
 */
import { inspect } from 'node:util';

/** A spelling of a secret. */
export interface SecretForm {
  /** e.g. `hex of "S3CR3T-…"`. */
  readonly label: string;
  readonly text: string;
}

const short = (s: string): string => (s.length > 24 ? `${s.slice(0, 24)}…` : s);

/**
 * The forms of a secret to look for: the text itself, base64 / base64url / hex of its bytes, and the starts
 * of the byte lists that `util.inspect` (`<Buffer 53 33 …>`, `Uint8Array(n) [ 83, 51, … ]`) and
 * `JSON.stringify` (`{"type":"Buffer","data":[83,51,…]}`) print (inspect shows only the first 50 bytes, so
 * the first 12 are checked). `bytes` adds byte strings that are secret too (e.g. a decoded base64 key).
 */
export function secretForms(secrets: readonly string[], bytes: readonly Uint8Array[] = []): SecretForm[] {
  const forms: SecretForm[] = [];
  const add = (label: string, text: string): void => {
    if (text.length >= 8 && !forms.some((f) => f.text === text)) forms.push({ label, text });
  };
  const byteForms = (name: string, b: Buffer): void => {
    add(`base64 of ${name}`, b.toString('base64'));
    add(`base64url of ${name}`, b.toString('base64url'));
    add(`hex of ${name}`, b.toString('hex'));
    const head = [...b.subarray(0, 12)];
    add(`inspected Buffer bytes of ${name}`, head.map((x) => x.toString(16).padStart(2, '0')).join(' '));
    add(`byte list of ${name}`, head.join(','));
    add(`inspected byte list of ${name}`, head.join(', '));
  };
  for (const s of secrets) {
    add(`"${short(s)}"`, s);
    byteForms(`"${short(s)}"`, Buffer.from(s, 'utf8'));
  }
  for (const b of bytes) {
    const buf = Buffer.from(b);
    add(`text of secret bytes "${short(buf.toString('latin1'))}"`, buf.toString('latin1'));
    byteForms(`secret bytes "${short(buf.toString('latin1'))}"`, buf);
  }
  return forms;
}

/** A value reached from a subject, with the path that reached it (`driver.connection.signer`). */
export interface Reached {
  readonly path: string;
  readonly value: object;
}

const keyText = (key: string | symbol): string => (typeof key === 'symbol' ? `[${String(key)}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`);

/**
 * Every object reachable from `root` through own properties (string and symbol keys, enumerable or not; data
 * properties only: getters are not run), array elements, and Map / Set entries, up to `maxDepth` steps, each
 * once, at most `limit` of them. Functions are not entered (their closures are out of reach anyway).
 */
export function reachable(root: object, rootPath: string, maxDepth = 4, limit = 400): Reached[] {
  const seen = new Set<object>([root]);
  const out: Reached[] = [{ path: rootPath, value: root }];
  let frontier: Reached[] = [...out];
  for (let depth = 0; depth < maxDepth && frontier.length > 0; depth++) {
    const next: Reached[] = [];
    const visit = (path: string, value: unknown): void => {
      if (typeof value !== 'object' || value === null || seen.has(value) || out.length >= limit) return;
      seen.add(value);
      const r = { path, value };
      out.push(r);
      next.push(r);
    };
    for (const { path, value } of frontier) {
      for (const key of Reflect.ownKeys(value)) {
        const descriptor = Object.getOwnPropertyDescriptor(value, key);
        if (descriptor && 'value' in descriptor) visit(`${path}${keyText(key)}`, descriptor.value);
      }
      if (value instanceof Map) {
        let i = 0;
        for (const [k, v] of value) {
          visit(`${path}.<map key ${i}>`, k);
          visit(`${path}.get(${typeof k === 'string' ? JSON.stringify(k) : `<key ${i}>`})`, v);
          i++;
        }
      } else if (value instanceof Set) {
        let i = 0;
        for (const v of value) visit(`${path}.<set item ${i++}>`, v);
      }
    }
    frontier = next;
  }
  return out;
}

/** A JSON.stringify replacer that prints a repeated object as `[Circular]` instead of throwing. */
function cycleSafeReplacer(): (this: unknown, key: string, value: unknown) => unknown {
  const seen = new WeakSet<object>();
  return function (_key, value) {
    if (typeof value === 'bigint') return `${value}n`;
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) return '[Circular]';
      seen.add(value);
    }
    return value;
  };
}

/** How a value can end up printed. Each returns the text (or the message of what it threw). */
export const CHANNELS: ReadonlyArray<{ readonly name: string; print(value: object): string }> = [
  { name: 'util.inspect(x, { depth: Infinity })', print: (x) => inspect(x, { depth: Infinity }) },
  { name: 'util.inspect(x, { showHidden: true, depth: Infinity })', print: (x) => inspect(x, { showHidden: true, depth: Infinity }) },
  { name: 'JSON.stringify(x)', print: (x) => String(JSON.stringify(x, cycleSafeReplacer())) },
  { name: 'String(x)', print: (x) => String(x) },
  { name: 'util.inspect(Object.entries(x))', print: (x) => inspect(Object.entries(x), { depth: Infinity }) },
  { name: 'util.inspect({ ...x })', print: (x) => inspect({ ...x }, { depth: Infinity }) },
];

function printed(channel: (typeof CHANNELS)[number], value: object): string {
  try {
    return channel.print(value);
  } catch (error) {
    // What a failed print throws can be logged too.
    return `<threw> ${error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error)}`;
  }
}

/** One leak: which channel printed which secret form, for which reached value. */
export interface Leak {
  readonly channel: string;
  readonly path: string;
  readonly form: string;
}

/**
 * Prints every value reachable from each subject through every channel and returns where a secret form shows.
 * One entry per (channel, path), naming the first form found.
 */
export function findLeaks(subjects: ReadonlyArray<{ readonly path: string; readonly value: object }>, forms: readonly SecretForm[]): Leak[] {
  const leaks: Leak[] = [];
  const done = new Set<object>();
  for (const subject of subjects) {
    for (const { path, value } of reachable(subject.value, subject.path)) {
      if (done.has(value)) continue;
      done.add(value);
      for (const channel of CHANNELS) {
        const text = printed(channel, value);
        const form = forms.find((f) => text.includes(f.text));
        if (form) leaks.push({ channel: channel.name, path, form: form.label });
      }
    }
  }
  return leaks;
}

/** Whether `path` is below `ancestor` (`a.b` is below `a`; `a.bc` is not). */
function isBelow(path: string, ancestor: string): boolean {
  return path.length > ancestor.length && path.startsWith(ancestor) && /^[.[]/.test(path.slice(ancestor.length));
}

/**
 * A readable summary of leaks: one line per channel, naming the outermost values that print a secret (a value
 * whose parent already prints it through the same channel is not repeated).
 */
export function describeLeaks(leaks: readonly Leak[]): string[] {
  const byChannel = new Map<string, Leak[]>();
  for (const l of leaks) byChannel.set(l.channel, [...(byChannel.get(l.channel) ?? []), l]);
  return [...byChannel].map(([channel, list]) => {
    const outermost = list.filter((l) => !list.some((other) => isBelow(l.path, other.path)));
    const shown = outermost.slice(0, 5).map((l) => `${l.path} (${l.form})`);
    return `${channel} shows a secret at ${shown.join(', ')}${outermost.length > 5 ? ` and ${outermost.length - 5} more` : ''}`;
  });
}
