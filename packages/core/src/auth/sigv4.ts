/**
 * AWS Signature Version 4.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 * @module
 */
import { createHash, createHmac } from 'node:crypto';
import type { Headers } from '../http/types.js';

/** AWS credentials. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** What to sign: a method, an absolute URL (path already percent-encoded), headers and an in-memory body. */
export interface SignableRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
  readonly body?: string | Uint8Array;
}

/** Signing parameters. */
export interface SigV4Options {
  readonly region: string;
  readonly service: string;
  /** Signing time; defaults to now. */
  readonly date?: Date;
  /** Sign `UNSIGNED-PAYLOAD` instead of the body's SHA-256 (streamed bodies). */
  readonly unsignedPayload?: boolean;
  /** A precomputed payload hash (hex SHA-256). */
  readonly payloadHash?: string;
  /** Add `x-amz-content-sha256` (S3 requires it). Default: true for service `s3`. */
  readonly contentSha256Header?: boolean;
  /** Percent-encode each path segment again (all services but S3). Default: service !== 's3' && service !== 'storage'. */
  readonly doubleEncodePath?: boolean;
  /**
   * `AWS4` (default) or `GOOG4` for Google Cloud Storage's HMAC V4 signing, which is the same algorithm with
   * `GOOG4-HMAC-SHA256`, `x-goog-date`, `x-goog-content-sha256` and a `goog4_request` scope.
   */
  readonly scheme?: 'AWS4' | 'GOOG4';
  /**
   * Sign exactly these header names (lower case), as a verifier does with the `SignedHeaders` a client sent;
   * a listed header missing from the request signs as empty. Default: every header but the transport-owned ones.
   */
  readonly signedHeaders?: readonly string[];
}

/** The signed request and the intermediate strings (useful for debugging and tests). */
export interface SigV4Result {
  /** The request's headers plus `authorization`, `x-amz-date` and friends. */
  readonly headers: Headers;
  readonly canonicalRequest: string;
  readonly stringToSign: string;
  readonly signature: string;
  readonly signedHeaders: string;
  readonly credentialScope: string;
}

/** Headers never signed: transports and proxies may change them. */
const UNSIGNED_HEADERS = new Set(['authorization', 'user-agent', 'expect', 'connection', 'content-length', 'x-amzn-trace-id']);

/** Hex SHA-256 of a string or bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

const EMPTY_SHA256 = sha256Hex('');

/** RFC 3986 percent-encoding as AWS requires (unreserved characters kept). */
export function uriEncode(value: string, keepSlash = false): string {
  let out = encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  if (keepSlash) out = out.replace(/%2F/g, '/');
  return out;
}

/** `YYYYMMDDTHHMMSSZ`. */
export function amzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function splitUrl(url: string): { host: string; path: string; query: string } {
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]+)([^?#]*)(?:\?([^#]*))?/i.exec(url);
  if (!match) throw new TypeError('signV4: request url must be absolute');
  return { host: match[1]!, path: match[2] || '/', query: match[3] ?? '' };
}

function canonicalQuery(query: string): string {
  if (!query) return '';
  const pairs = query
    .split('&')
    .filter((p) => p.length > 0)
    .map((p) => {
      const eq = p.indexOf('=');
      const rawKey = eq < 0 ? p : p.slice(0, eq);
      const rawValue = eq < 0 ? '' : p.slice(eq + 1);
      const decode = (s: string): string => decodeURIComponent(s.replace(/\+/g, '%20'));
      return [uriEncode(decode(rawKey)), uriEncode(decode(rawValue))] as const;
    });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function canonicalPath(path: string, doubleEncode: boolean): string {
  if (!doubleEncode) return path;
  return path
    .split('/')
    .map((segment) => uriEncode(segment))
    .join('/');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

const signingKeys = new Map<string, Buffer>();

/** The derived signing key for a day, region and service (cached: it changes once a day). */
export function signingKey(secret: string, day: string, region: string, service: string, scheme: 'AWS4' | 'GOOG4' = 'AWS4'): Buffer {
  const cacheKey = `${scheme}/${sha256Hex(secret)}/${day}/${region}/${service}`;
  let key = signingKeys.get(cacheKey);
  if (!key) {
    key = hmac(hmac(hmac(hmac(`${scheme}${secret}`, day), region), service), `${scheme.toLowerCase()}_request`);
    if (signingKeys.size > 64) signingKeys.clear();
    signingKeys.set(cacheKey, key);
  }
  return key;
}

/**
 * Signs a request with AWS Signature Version 4 (header authentication). Pure: the input is not modified.
 *
 * @example
 * ```ts
 * const { headers } = signV4({ method: 'GET', url: 'https://ec2.us-east-1.amazonaws.com/?Action=DescribeRegions&Version=2016-11-15', headers: {} },
 *   { accessKeyId, secretAccessKey }, { region: 'us-east-1', service: 'ec2' });
 * ```
 */
export function signV4(request: SignableRequest, credentials: AwsCredentials, options: SigV4Options): SigV4Result {
  const { host, path, query } = splitUrl(request.url);
  const date = options.date ?? new Date();
  const stamp = amzDate(date);
  const day = stamp.slice(0, 8);
  const isS3 = options.service === 's3' || options.service === 'storage';
  const scheme = options.scheme ?? 'AWS4';
  const prefix = scheme === 'GOOG4' ? 'x-goog' : 'x-amz';
  const algorithm = `${scheme}-HMAC-SHA256`;
  const payloadHash =
    options.payloadHash ??
    (options.unsignedPayload ? 'UNSIGNED-PAYLOAD' : request.body === undefined ? EMPTY_SHA256 : sha256Hex(request.body));

  const headers: Headers = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  if (!('host' in headers)) headers.host = host;
  headers[`${prefix}-date`] = stamp;
  if (options.contentSha256Header ?? isS3) headers[`${prefix}-content-sha256`] = payloadHash;
  if (credentials.sessionToken) headers[`${prefix}-security-token`] = credentials.sessionToken;

  const names = options.signedHeaders
    ? [...options.signedHeaders].sort()
    : Object.keys(headers)
        .filter((n) => !UNSIGNED_HEADERS.has(n))
        .sort();
  const canonicalHeaders = names.map((n) => `${n}:${(headers[n] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalPath(path, options.doubleEncodePath ?? !isS3),
    canonicalQuery(query),
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join('\n');
  const credentialScope = `${day}/${options.region}/${options.service}/${scheme.toLowerCase()}_request`;
  const stringToSign = [algorithm, stamp, credentialScope, sha256Hex(canonicalRequest)].join('\n');
  const signature = createHmac('sha256', signingKey(credentials.secretAccessKey, day, options.region, options.service, scheme))
    .update(stringToSign, 'utf8')
    .digest('hex');
  headers.authorization = `${algorithm} Credential=${credentials.accessKeyId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { headers, canonicalRequest, stringToSign, signature, signedHeaders, credentialScope };
}
