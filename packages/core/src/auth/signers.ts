/**
 * Request signers: each adds authentication to a request draft, and lists the secrets to scrub from errors.
 * @module
 */
import { createHash, createHmac } from 'node:crypto';
import type { Headers, RequestBody } from '../http/types.js';
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

/** No authentication. */
export const noAuth: Signer = { sign: (d) => d.headers, secrets: [] };

/** `Authorization: Bearer <token>` (DigitalOcean and other OAuth-style APIs). */
export function bearerSigner(token: string): Signer {
  return { sign: (d) => ({ ...d.headers, authorization: `Bearer ${token}` }), secrets: [token] };
}

/** AWS SigV4 header signing; bodies streamed from files are signed as `UNSIGNED-PAYLOAD`. */
export function sigV4Signer(
  credentials: AwsCredentials,
  region: string,
  service: string,
  now: () => Date = () => new Date(),
  scheme: 'AWS4' | 'GOOG4' = 'AWS4',
): Signer {
  return {
    sign(d) {
      const inMemory = d.body === undefined || typeof d.body === 'string' || d.body instanceof Uint8Array;
      return signV4(
        { method: d.method, url: d.url, headers: d.headers, body: inMemory ? (d.body as string | Uint8Array | undefined) : undefined },
        credentials,
        { region, service, date: now(), unsignedPayload: !inMemory, scheme },
      ).headers;
    },
    secrets: [credentials.secretAccessKey, credentials.sessionToken ?? '', credentials.accessKeyId].filter(Boolean),
  };
}

/**
 * Azure Storage SharedKey signing.
 * @see https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key
 */
export function azureSharedKeySigner(account: string, base64Key: string, now: () => Date = () => new Date()): Signer {
  const key = Buffer.from(base64Key, 'base64');
  return {
    sign(d) {
      const headers: Headers = {};
      for (const [n, v] of Object.entries(d.headers)) headers[n.toLowerCase()] = v;
      headers['x-ms-date'] = now().toUTCString();
      headers['x-ms-version'] ??= '2021-08-06';
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
    secrets: [base64Key],
  };
}

/** Base64 MD5 of bytes (Content-MD5). */
export function md5Base64(data: string | Uint8Array): string {
  return createHash('md5').update(data).digest('base64');
}

/** Hex MD5 of bytes (S3 ETags). */
export function md5Hex(data: string | Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}
