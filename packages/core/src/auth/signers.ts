/**
 * Request signers: each adds authentication to a request draft, and lists the secrets to scrub from errors.
 * @module
 */
import { createHash, createHmac } from 'node:crypto';
import type { Headers, RequestBody } from '../http/types.js';
import { printAs } from '../hidden.js';
import { signV4, type AwsCredentials } from './sigv4.js';

/** A request about to be signed. `url` is absolute with the path already encoded. */
export interface RequestDraft {
  readonly method: string;
  readonly url: string;
  headers: Headers;
  readonly body?: RequestBody;
}

/** Adds authentication to requests. */
export interface Signer {
  /** Returns the headers to send (the draft's plus authentication). */
  sign(draft: RequestDraft): Headers;
  /** Strings that must never appear in errors or logs. */
  readonly secrets: readonly string[];
}

/**
 * A signer whose secrets stay out of every printout: `secrets` is a non-enumerable getter and the object
 * prints as `[<kind> signer]`.
 */
export function defineSigner(kind: string, sign: (draft: RequestDraft) => Headers, secrets: readonly string[]): Signer {
  const signer = { sign } as Signer;
  const list = Object.freeze(secrets.filter(Boolean));
  Object.defineProperty(signer, 'secrets', { get: () => list, enumerable: false });
  return printAs(signer, () => `[${kind} signer]`);
}

/** No authentication. */
export const noAuth: Signer = defineSigner('no-auth', (d) => d.headers, []);

/** `Authorization: Bearer <token>` (DigitalOcean and other OAuth-style APIs). */
export function bearerSigner(token: string): Signer {
  return defineSigner('bearer', (d) => ({ ...d.headers, authorization: `Bearer ${token}` }), [token]);
}

/** AWS SigV4 header signing; bodies streamed from files are signed as `UNSIGNED-PAYLOAD`. */
export function sigV4Signer(
  credentials: AwsCredentials,
  region: string,
  service: string,
  now: () => Date = () => new Date(),
  scheme: 'AWS4' | 'GOOG4' = 'AWS4',
): Signer {
  return defineSigner(
    scheme === 'GOOG4' ? 'GOOG4-HMAC' : 'SigV4',
    (d) => {
      const inMemory = d.body === undefined || typeof d.body === 'string' || d.body instanceof Uint8Array;
      return signV4(
        { method: d.method, url: d.url, headers: d.headers, body: inMemory ? (d.body as string | Uint8Array | undefined) : undefined },
        credentials,
        { region, service, date: now(), unsignedPayload: !inMemory, scheme },
      ).headers;
    },
    [credentials.secretAccessKey, credentials.sessionToken ?? '', credentials.accessKeyId],
  );
}

/**
 * Azure Storage SharedKey signing.
 * @see https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key
 */
export function azureSharedKeySigner(account: string, base64Key: string, now: () => Date = () => new Date()): Signer {
  const key = Buffer.from(base64Key, 'base64');
  return defineSigner(
    'Azure SharedKey',
    (d) => {
      const headers: Headers = {};
      for (const [n, v] of Object.entries(d.headers)) headers[n.toLowerCase()] = v;
      headers['x-ms-date'] = now().toUTCString();
      headers['x-ms-version'] ??= '2021-08-06';
      // An empty version means none: Blob Batch subrequests are signed and sent without it.
      if (headers['x-ms-version'] === '') delete headers['x-ms-version'];
      const match = /^[a-z]+:\/\/[^/]+([^?]*)(?:\?(.*))?$/i.exec(d.url);
      const path = match?.[1] || '/';
      const query = match?.[2] ?? '';
      const length = headers['content-length'];
      const canonicalHeaders = Object.keys(headers)
        .filter((n) => n.startsWith('x-ms-'))
        .sort()
        .map((n) => `${n}:${headers[n]!.trim().replace(/\s+/g, ' ')}\n`)
        .join('');
      const params = new Map<string, string[]>();
      for (const part of query.split('&').filter(Boolean)) {
        const eq = part.indexOf('=');
        const name = decodeURIComponent(eq < 0 ? part : part.slice(0, eq)).toLowerCase();
        const value = decodeURIComponent(eq < 0 ? '' : part.slice(eq + 1));
        params.set(name, [...(params.get(name) ?? []), value]);
      }
      const canonicalResource =
        `/${account}${path}` +
        [...params.keys()]
          .sort()
          .map((n) => `\n${n}:${params.get(n)!.sort().join(',')}`)
          .join('');
      const stringToSign = [
        d.method.toUpperCase(),
        headers['content-encoding'] ?? '',
        headers['content-language'] ?? '',
        length === undefined || length === '0' ? '' : length,
        headers['content-md5'] ?? '',
        headers['content-type'] ?? '',
        '', // Date: x-ms-date is used instead
        headers['if-modified-since'] ?? '',
        headers['if-match'] ?? '',
        headers['if-none-match'] ?? '',
        headers['if-unmodified-since'] ?? '',
        headers['range'] ?? '',
        canonicalHeaders + canonicalResource,
      ].join('\n');
      const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('base64');
      headers.authorization = `SharedKey ${account}:${signature}`;
      return headers;
    },
    [base64Key],
  );
}

/** Base64 MD5 of bytes (Content-MD5). */
export function md5Base64(data: string | Uint8Array): string {
  return createHash('md5').update(data).digest('base64');
}

/** Hex MD5 of bytes (S3 ETags). */
export function md5Hex(data: string | Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}
