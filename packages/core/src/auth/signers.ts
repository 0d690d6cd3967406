/**
 * Request signers: each adds authentication to a request draft, and lists the secrets to scrub from errors.
 * @module
 */
import { createHash, createHmac } from 'node:crypto';
import { InvalidArgumentError } from '../errors/index.js';
import type { Headers, RequestBody } from '../http/types.js';
import { printAs } from '../hidden.js';
import { azureBlobSas, checkExpiresIn, presignV4, type PresignRequest } from './presign.js';
import { signV4, type AwsCredentials } from './sigv4.js';

/** A request about to be signed. `url` is absolute with the path already encoded. */
export interface RequestDraft {
  readonly method: string;
  readonly url: string;
  headers: Headers;
  readonly body?: RequestBody;
}

/** What a signed URL is for, besides the request itself. */
export interface PresignOptions {
  /** Seconds the URL stays valid (a positive integer; each scheme has its maximum). */
  readonly expiresIn: number;
  /** Signing time (defaults to now). */
  readonly date?: Date;
  /** The Content-Type a GET's response carries (`response-content-type`, Azure's `rsct`). */
  readonly responseContentType?: string;
}

/** Adds authentication to requests. */
export interface Signer {
  /** Returns the headers to send (the draft's plus authentication). */
  sign(draft: RequestDraft): Headers;
  /**
   * Returns `request.url` with query-string authentication, valid for `options.expiresIn` seconds, for signers
   * whose scheme has one (SigV4, GOOG4, Azure SAS). The URL is a bearer credential: never log it.
   */
  presign?(request: PresignRequest, options: PresignOptions): string;
  /** Strings that must never appear in errors or logs. */
  readonly secrets: readonly string[];
}

/**
 * A signer whose secrets stay out of every printout: `secrets` is a non-enumerable getter and the object
 * prints as `[<kind> signer]`.
 */
export function defineSigner(
  kind: string,
  sign: (draft: RequestDraft) => Headers,
  secrets: readonly string[],
  presign?: (request: PresignRequest, options: PresignOptions) => string,
): Signer {
  const signer = (presign ? { sign, presign } : { sign }) as Signer;
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
    (request, options) => {
      const url = options.responseContentType === undefined ? request.url : withQuery(request.url, 'response-content-type', options.responseContentType);
      return presignV4({ ...request, url }, credentials, { region, service, scheme, expiresIn: options.expiresIn, date: options.date ?? now() }).url;
    },
  );
}

/** `url` with one more query parameter. */
function withQuery(url: string, name: string, value: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}${encodeURIComponent(name)}=${encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/** The longest validity of an Azure SAS made by {@link azureSharedKeySigner}: 365 days. */
export const MAX_AZURE_SAS_SECONDS = 365 * 86_400;
/** An Azure SAS starts this long before it is made, so a server whose clock is behind accepts it at once (as Libcloud does). */
const SAS_START_SKEW_MS = 5 * 60_000;

/**
 * Azure Storage SharedKey signing.
 * @see https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key
 */
export function azureSharedKeySigner(account: string, base64Key: string, now: () => Date = () => new Date(), basePath = ''): Signer {
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
    (request, options) => {
      // A service SAS for one blob: `<basePath>/<container>/<blob>` is what the URL names.
      const match = /^([a-z]+):\/\/[^/]+([^?#]*)(\?[^#]*)?/i.exec(request.url);
      const path = match?.[2] ?? '';
      const below = basePath && path.startsWith(`${basePath}/`) ? path.slice(basePath.length) : path;
      const slash = below.indexOf('/', 1);
      if (!match || slash < 0 || slash === below.length - 1) throw new InvalidArgumentError('azure: a SAS URL must name a container and a blob');
      const methods: Record<string, string> = { GET: 'r', HEAD: 'r', PUT: 'cw', DELETE: 'd' };
      const permissions = methods[request.method.toUpperCase()];
      if (!permissions) throw new InvalidArgumentError(`azure: no SAS permission for ${request.method}`);
      const date = options.date ?? now();
      const expiresIn = checkExpiresIn(options.expiresIn, MAX_AZURE_SAS_SECONDS, 'azure');
      const sas = azureBlobSas({
        account,
        accountKey: base64Key,
        container: decodeURIComponent(below.slice(1, slash)),
        blob: decodeURIComponent(below.slice(slash + 1)),
        permissions,
        startsOn: new Date(date.getTime() - SAS_START_SKEW_MS),
        expiresOn: new Date(date.getTime() + expiresIn * 1000),
        protocol: match[1]!.toLowerCase() === 'https' ? 'https' : 'https,http',
        ...(options.responseContentType !== undefined ? { contentType: options.responseContentType } : {}),
      });
      return `${request.url.replace(/#.*$/, '')}${match[3] ? '&' : '?'}${sas.query}`;
    },
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
