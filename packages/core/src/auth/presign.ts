/**
 * Query-string authentication: URLs that carry their own signature, so anyone holding one can perform that one
 * request with a plain HTTP client until it expires (Libcloud's `get_object_cdn_url`). Pure functions, tested
 * against the providers' published examples:
 * - {@link presignV4}: AWS Signature Version 4 in the query (`X-Amz-*`), and Google Cloud Storage's V4 signing
 *   with an HMAC key (`GOOG4-HMAC-SHA256`, `X-Goog-*`), which is the same algorithm;
 * - {@link azureBlobSas}: an Azure Blob service SAS for one blob, signed with the account key.
 *
 * A signed URL is a bearer credential: never log it whole. `redactUrl` masks `X-Amz-Signature`,
 * `X-Goog-Signature`, `sig` and the credential parameters.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
 * @see https://cloud.google.com/storage/docs/access-control/signing-urls-manually
 * @see https://learn.microsoft.com/rest/api/storageservices/create-service-sas
 * @module
 */
import { createHmac } from 'node:crypto';
import { InvalidArgumentError } from '../errors/index.js';
import type { Headers } from '../http/types.js';
import { amzDate, signV4, uriEncode, type AwsCredentials } from './sigv4.js';

/** The longest validity SigV4 and GOOG4 query signatures accept: 7 days. */
export const MAX_PRESIGN_SECONDS = 604_800;

/** A request to presign: method, absolute URL (path already percent-encoded, optional query) and signed headers. */
export interface PresignRequest {
  readonly method: string;
  readonly url: string;
  /**
   * Headers the request must carry, signed (`host` is always signed). A PUT URL signed with a `content-type`
   * only accepts an upload sending exactly that Content-Type.
   */
  readonly headers?: Headers;
}

/** Parameters of {@link presignV4}. */
export interface PresignV4Options {
  readonly region: string;
  /** `s3`, or `storage` for Google Cloud Storage. */
  readonly service: string;
  /** Seconds the URL stays valid: an integer from 1 to 604800 (7 days). */
  readonly expiresIn: number;
  /** Signing time (defaults to now); the URL is valid from it until `expiresIn` seconds later. */
  readonly date?: Date;
  /** `AWS4` (default) or `GOOG4` (Google Cloud Storage HMAC keys: `X-Goog-*` parameters). */
  readonly scheme?: 'AWS4' | 'GOOG4';
}

/** A presigned URL and the strings it was computed from (for tests; never print them with the URL). */
export interface PresignedUrl {
  readonly url: string;
  readonly signature: string;
  readonly canonicalRequest: string;
  readonly stringToSign: string;
  /** `;`-separated, sorted. */
  readonly signedHeaders: string;
}

/** Checks a validity in seconds: a positive integer, at most `max`. */
export function checkExpiresIn(expiresIn: unknown, max: number, where: string): number {
  if (typeof expiresIn !== 'number' || !Number.isSafeInteger(expiresIn) || expiresIn < 1 || expiresIn > max) {
    throw new InvalidArgumentError(`${where}: expiresIn must be a whole number of seconds from 1 to ${max}`, { code: 'InvalidExpiry' });
  }
  return expiresIn;
}

/**
 * Presigns a request with AWS Signature Version 4 in the query string (or GOOG4 for Google Cloud Storage). The
 * payload is `UNSIGNED-PAYLOAD`, so a PUT URL accepts any body; a session token goes in `X-Amz-Security-Token`
 * (signed). Pure: the same inputs and date give the same URL.
 *
 * @example
 * ```ts
 * const { url } = presignV4({ method: 'GET', url: 'https://examplebucket.s3.amazonaws.com/test.txt' },
 *   { accessKeyId, secretAccessKey }, { region: 'us-east-1', service: 's3', expiresIn: 86400 });
 * await fetch(url); // no SDK, no headers
 * ```
 */
export function presignV4(request: PresignRequest, credentials: AwsCredentials, options: PresignV4Options): PresignedUrl {
  const expiresIn = checkExpiresIn(options.expiresIn, MAX_PRESIGN_SECONDS, 'presignV4');
  const scheme = options.scheme ?? 'AWS4';
  const prefix = scheme === 'GOOG4' ? 'X-Goog' : 'X-Amz';
  const date = options.date ?? new Date();
  const stamp = amzDate(date);
  const scope = `${stamp.slice(0, 8)}/${options.region}/${options.service}/${scheme.toLowerCase()}_request`;
  const hash = request.url.indexOf('#');
  const bare = hash < 0 ? request.url : request.url.slice(0, hash);
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]+)/i.exec(bare);
  if (!match) throw new InvalidArgumentError('presignV4: the url must be absolute');

  const headers: Headers = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  headers.host ??= match[1]!;
  const signedHeaders = Object.keys(headers).sort();

  const params: Array<[string, string]> = [
    [`${prefix}-Algorithm`, `${scheme}-HMAC-SHA256`],
    [`${prefix}-Credential`, `${credentials.accessKeyId}/${scope}`],
    [`${prefix}-Date`, stamp],
    [`${prefix}-Expires`, String(expiresIn)],
    [`${prefix}-SignedHeaders`, signedHeaders.join(';')],
  ];
  if (credentials.sessionToken && scheme === 'AWS4') params.push(['X-Amz-Security-Token', credentials.sessionToken]);
  const query = params.map(([k, v]) => `${k}=${uriEncode(v)}`).join('&');
  const unsigned = `${bare}${bare.includes('?') ? (bare.endsWith('?') || bare.endsWith('&') ? '' : '&') : '?'}${query}`;

  const signed = signV4(
    { method: request.method, url: unsigned, headers },
    { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
    { region: options.region, service: options.service, date, payloadHash: 'UNSIGNED-PAYLOAD', contentSha256Header: false, scheme, signedHeaders },
  );
  return {
    url: `${unsigned}&${prefix}-Signature=${signed.signature}`,
    signature: signed.signature,
    canonicalRequest: signed.canonicalRequest,
    stringToSign: signed.stringToSign,
    signedHeaders: signed.signedHeaders,
  };
}

/** The Blob service version a SAS is signed for when none is given (its string-to-sign has 16 fields). */
export const AZURE_SAS_VERSION = '2021-08-06';

/** Parameters of {@link azureBlobSas}. */
export interface AzureBlobSasOptions {
  readonly account: string;
  /** The base64 account key. */
  readonly accountKey: string;
  readonly container: string;
  /** The blob name, not encoded. */
  readonly blob: string;
  /** `sp`: permission letters in Azure's order (`r` read, `a` add, `c` create, `w` write, `d` delete). */
  readonly permissions: string;
  /** `se`: when the SAS stops working. */
  readonly expiresOn: Date;
  /** `st`: when it starts working (omitted: at once). */
  readonly startsOn?: Date;
  /** `spr`: `https`, or `https,http` (omitted: both). */
  readonly protocol?: 'https' | 'https,http';
  /** `sv` (default {@link AZURE_SAS_VERSION}; 2020-12-06 or later). */
  readonly version?: string;
  /** `rsct`: the Content-Type the response carries (reads). */
  readonly contentType?: string;
}

/** A SAS: the query string to append to the blob's URL, and what it was computed from. */
export interface AzureSas {
  /** `sv=...&st=...&se=...&sr=b&sp=...&spr=...&rsct=...&sig=...`, percent-encoded. */
  readonly query: string;
  readonly signature: string;
  readonly stringToSign: string;
}

/** `YYYY-MM-DDTHH:MM:SSZ`, the SAS time format. */
export function sasTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * An Azure Blob service SAS for one blob (`sr=b`), signed with the account key (version 2020-12-06 and later:
 * permissions, start, expiry, `/blob/<account>/<container>/<blob>`, identifier, IP, protocol, version,
 * resource, snapshot time, encryption scope, then the five response header overrides).
 *
 * @example
 * ```ts
 * const { query } = azureBlobSas({ account, accountKey, container: 'photos', blob: 'cat.jpg', permissions: 'r',
 *   expiresOn: new Date(Date.now() + 3600_000) });
 * await fetch(`https://${account}.blob.core.windows.net/photos/cat.jpg?${query}`);
 * ```
 */
export function azureBlobSas(options: AzureBlobSasOptions): AzureSas {
  const version = options.version ?? AZURE_SAS_VERSION;
  if (version < '2020-12-06') throw new InvalidArgumentError('azureBlobSas: version must be 2020-12-06 or later');
  if (!/^r?a?c?w?d?$/.test(options.permissions) || options.permissions === '') {
    throw new InvalidArgumentError('azureBlobSas: permissions must be letters of "racwd", in that order');
  }
  const start = options.startsOn ? sasTime(options.startsOn) : '';
  const expiry = sasTime(options.expiresOn);
  const stringToSign = [
    options.permissions,
    start,
    expiry,
    `/blob/${options.account}/${options.container}/${options.blob}`,
    '', // signed identifier (stored access policy)
    '', // signed IP range
    options.protocol ?? '',
    version,
    'b',
    '', // snapshot time
    '', // encryption scope
    '', // rscc
    '', // rscd
    '', // rsce
    '', // rscl
    options.contentType ?? '',
  ].join('\n');
  const signature = createHmac('sha256', Buffer.from(options.accountKey, 'base64')).update(stringToSign, 'utf8').digest('base64');
  const params: Array<[string, string | undefined]> = [
    ['sv', version],
    ['st', start || undefined],
    ['se', expiry],
    ['sr', 'b'],
    ['sp', options.permissions],
    ['spr', options.protocol],
    ['rsct', options.contentType],
    ['sig', signature],
  ];
  const query = params
    .filter((p): p is [string, string] => p[1] !== undefined)
    .map(([k, v]) => `${k}=${uriEncode(v)}`)
    .join('&');
  return { query, signature, stringToSign };
}

/** Libcloud's default validity of a signed URL: 24 hours. */
export const DEFAULT_SIGNED_URL_SECONDS = 86_400;

/**
 * The settings of one `getObjectCdnUrl` call, checked: `expiresIn` (default 24 hours, at most `max`), `method`
 * (`GET` default, or `PUT`), `contentType` (a string without line breaks). `InvalidArgumentError` otherwise.
 */
export function signedUrlSettings(
  provider: string,
  options: { expiresIn?: number; method?: string; contentType?: string } | undefined,
  max: number,
): { expiresIn: number; method: 'GET' | 'PUT'; contentType?: string } {
  const o = options ?? {};
  const expiresIn = checkExpiresIn(o.expiresIn ?? Math.min(DEFAULT_SIGNED_URL_SECONDS, max), max, provider);
  const method = o.method ?? 'GET';
  if (method !== 'GET' && method !== 'PUT') throw new InvalidArgumentError(`${provider}: method must be 'GET' or 'PUT'`, { code: 'InvalidMethod', provider });
  if (o.contentType !== undefined && (typeof o.contentType !== 'string' || o.contentType === '' || /[\r\n]/.test(o.contentType))) {
    throw new InvalidArgumentError(`${provider}: contentType must be a non-empty string without line breaks`, { code: 'InvalidContentType', provider });
  }
  return { expiresIn, method, ...(o.contentType !== undefined ? { contentType: o.contentType } : {}) };
}
