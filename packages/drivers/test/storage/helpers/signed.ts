/**
 * Using signed URLs as their receivers do: plain `fetch`, no SDK, no credentials. Signed URLs are bearer
 * credentials, so nothing here prints one: checks go through `redactUrl` or compare fields.
 */
import { redactUrl } from '@dualcloud/core';

/** What a plain `fetch` of a signed URL got. */
export interface Fetched {
  readonly status: number;
  readonly body: Buffer;
  readonly headers: Headers;
}

/**
 * Fetches a URL with Node's built-in `fetch`, as a browser or `curl` would: no SDK, no credentials. With
 * `Connection: close`, so no keep-alive socket of fetch's global pool outlives the test.
 */
export async function plainFetch(url: string, init: RequestInit = {}): Promise<Fetched> {
  const res = await fetch(url, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), connection: 'close' } });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

const SIGNATURE_PARAMS = ['X-Amz-Signature', 'X-Goog-Signature', 'sig'];

/** The URL with one character of its signature changed (hex or base64). */
export function tamperSignature(url: string): string {
  const parsed = new URL(url);
  const name = SIGNATURE_PARAMS.find((n) => parsed.searchParams.has(n));
  if (!name) throw new Error(`no signature parameter in ${redactUrl(url)}`);
  const value = parsed.searchParams.get(name)!;
  const last = value.at(name === 'sig' ? -2 : -1)!; // base64 ends with '=' padding
  const swapped = last === 'a' ? 'b' : 'a';
  const tampered = name === 'sig' ? `${value.slice(0, -2)}${swapped}${value.slice(-1)}` : `${value.slice(0, -1)}${swapped}`;
  parsed.searchParams.set(name, tampered);
  return parsed.toString();
}

/** The URL pointing at another object name (same signature). */
export function otherObject(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `${parsed.pathname.slice(0, parsed.pathname.lastIndexOf('/') + 1)}${encodeURIComponent(name)}`;
  return parsed.toString();
}

/** The query parameter names of a signed URL (values stay out of test output). */
export function paramNames(url: string): string[] {
  return [...new URL(url).searchParams.keys()];
}
