/**
 * Parsers of OpenStack Swift's replies: JSON listings (`format=json`) of the account and of containers, the
 * object headers, SLO delete reports and error bodies. Pure functions over parsed bodies and header maps,
 * tested without a network.
 * @see https://docs.openstack.org/api-ref/object-store/
 * @module
 */
import { MalformedResponseError, type HttpResponse, type ProviderErrorInfo } from '@dualcloud/core';

/** One container of an account listing. */
export interface SwiftContainerEntry {
  readonly name: string;
  /** Objects in the container (as the account last heard; updated asynchronously by Swift). */
  readonly count: number;
  readonly bytes: number;
  /** ISO 8601 (UTC) when Swift gives it (since 2.x). */
  readonly lastModified?: string;
}

/** One object of a container listing. */
export interface SwiftObjectEntry {
  readonly kind: 'object';
  readonly name: string;
  readonly bytes: number;
  /** The `hash` field: the MD5 of a plain object; for an SLO, the MD5 of its manifest. */
  readonly hash: string;
  readonly contentType?: string;
  /** ISO 8601 without a zone (UTC), e.g. `2026-11-30T23:27:05.577210`. */
  readonly lastModified?: string;
  /** A Static Large Object's ETag (quoted: the MD5 of its segments' ETags), when the entry is one. */
  readonly sloEtag?: string;
}

/** A rolled-up "directory" of a delimited listing (`{"subdir": "photos/"}`). */
export interface SwiftSubdirEntry {
  readonly kind: 'subdir';
  readonly subdir: string;
}

/** An entry of a container listing. */
export type SwiftListEntry = SwiftObjectEntry | SwiftSubdirEntry;

/** A page of a listing: its entries and the marker of the next page (the last name, when the page was full). */
export interface SwiftPage<T> {
  readonly entries: T[];
  readonly next?: string;
}

function malformed(what: string): MalformedResponseError {
  return new MalformedResponseError(`swift: ${what}`, { code: 'UnexpectedJSON', provider: 'swift' });
}

/** The JSON array of a listing; a 204 (or an empty body) is an empty listing. */
function listing(response: HttpResponse): unknown[] {
  if (response.status === 204 || response.body.byteLength === 0) return [];
  const doc = response.json<unknown>();
  if (!Array.isArray(doc)) throw malformed('the listing is not a JSON array');
  return doc;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function num(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : 0;
}

/** A Swift timestamp (`2026-11-30T23:27:05.577210`, UTC without a zone) as a Date; undefined when absent or bad. */
export function swiftDate(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const text = /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`;
  const date = new Date(text.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Parses an account listing into containers; `limit` is what was asked (a full page has a next page). */
export function parseContainerList(doc: unknown[], limit: number): SwiftPage<SwiftContainerEntry> {
  const entries: SwiftContainerEntry[] = [];
  for (const item of doc) {
    const record = item as Record<string, unknown> | null;
    const name = str(record?.name);
    if (name === undefined) throw malformed('an account listing entry has no name');
    const lastModified = str(record!.last_modified);
    entries.push({ name, count: num(record!.count), bytes: num(record!.bytes), ...(lastModified ? { lastModified } : {}) });
  }
  return { entries, ...(doc.length >= limit && entries.length > 0 ? { next: entries[entries.length - 1]!.name } : {}) };
}

/** Parses a container listing into objects and subdirs, in Swift's order. */
export function parseObjectList(doc: unknown[], limit: number): SwiftPage<SwiftListEntry> {
  const entries: SwiftListEntry[] = [];
  for (const item of doc) {
    const record = item as Record<string, unknown> | null;
    const subdir = str(record?.subdir);
    if (subdir !== undefined) {
      entries.push({ kind: 'subdir', subdir });
      continue;
    }
    const name = str(record?.name);
    if (name === undefined) throw malformed('a container listing entry has neither name nor subdir');
    const contentType = str(record!.content_type);
    const lastModified = str(record!.last_modified);
    const sloEtag = str(record!.slo_etag);
    entries.push({
      kind: 'object',
      name,
      bytes: num(record!.bytes),
      hash: str(record!.hash) ?? '',
      ...(contentType !== undefined ? { contentType } : {}),
      ...(lastModified ? { lastModified } : {}),
      ...(sloEtag ? { sloEtag } : {}),
    });
  }
  const last = entries[entries.length - 1];
  const next = last === undefined ? undefined : last.kind === 'subdir' ? last.subdir : last.name;
  return { entries, ...(doc.length >= limit && next !== undefined ? { next } : {}) };
}

/** The entries of a listing response. */
export function listingOf(response: HttpResponse): unknown[] {
  return listing(response);
}

/** `"abc"` → `abc`. */
export function unquote(etag: string | undefined): string {
  return (etag ?? '').trim().replace(/^"(.*)"$/, '$1');
}

/** Whether a hash is a bare MD5 (32 hex digits). */
export function isMd5(value: string): boolean {
  return /^[0-9a-f]{32}$/i.test(value);
}

/** What an object's HEAD/GET headers say about it. */
export interface SwiftObjectHeaders {
  readonly size: number;
  /** The ETag without quotes. */
  readonly etag: string;
  /** The ETag as sent (quoted for large objects). */
  readonly rawEtag: string;
  readonly contentType?: string;
  readonly lastModified?: Date;
  /** User metadata: `X-Object-Meta-*`, names lower-case without the prefix. */
  readonly metaData: Record<string, string>;
  /** A Static Large Object (manifest with segments). */
  readonly staticLargeObject: boolean;
  /** A Dynamic Large Object's `X-Object-Manifest` (`container/prefix`). */
  readonly objectManifest?: string;
  readonly timestamp?: string;
}

/** The object fields of a HEAD (or GET) response. */
export function parseObjectHeaders(headers: Readonly<Record<string, string>>): SwiftObjectHeaders {
  const metaData: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-object-meta-')) metaData[lower.slice('x-object-meta-'.length)] = value;
  }
  const get = (name: string): string | undefined => headers[name] ?? Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
  const rawEtag = get('etag') ?? '';
  const lastModified = get('last-modified');
  const date = lastModified ? new Date(lastModified) : undefined;
  const contentType = get('content-type');
  const manifest = get('x-object-manifest');
  const timestamp = get('x-timestamp');
  return {
    size: num(get('content-length')),
    etag: unquote(rawEtag),
    rawEtag,
    ...(contentType ? { contentType } : {}),
    ...(date && !Number.isNaN(date.getTime()) ? { lastModified: date } : {}),
    metaData,
    staticLargeObject: /^true$/i.test(get('x-static-large-object') ?? ''),
    ...(manifest ? { objectManifest: manifest } : {}),
    ...(timestamp ? { timestamp } : {}),
  };
}

/** The report of a bulk or SLO delete (`?multipart-manifest=delete` with `Accept: application/json`). */
export interface SwiftDeleteReport {
  /** The status the operation would have had, e.g. `200 OK`, `400 Bad Request`. */
  readonly status: number;
  readonly statusText: string;
  readonly deleted: number;
  readonly notFound: number;
  /** `[path, reason]` pairs. */
  readonly errors: Array<readonly [string, string]>;
}

/** Parses an SLO delete report (Swift answers 200 and puts the real outcome in the body). */
export function parseDeleteReport(doc: unknown): SwiftDeleteReport {
  const record = doc as Record<string, unknown> | null;
  const statusLine = str(record?.['Response Status']);
  if (!record || statusLine === undefined) throw malformed('the delete report has no "Response Status"');
  const m = /^(\d{3})\s*(.*)$/.exec(statusLine.trim());
  const errors: Array<readonly [string, string]> = [];
  for (const e of Array.isArray(record.Errors) ? record.Errors : []) {
    if (Array.isArray(e)) errors.push([String(e[0] ?? ''), String(e[1] ?? '')]);
  }
  return {
    status: m ? Number(m[1]) : 0,
    statusText: m ? m[2]! : statusLine,
    deleted: num(record['Number Deleted']),
    notFound: num(record['Number Not Found']),
    errors,
  };
}

/** Swift's error codes by status (its error bodies are short HTML pages without a code). */
export const SWIFT_STATUS_CODES: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  408: 'RequestTimeout',
  409: 'Conflict',
  411: 'LengthRequired',
  412: 'PreconditionFailed',
  413: 'RequestEntityTooLarge',
  416: 'RequestedRangeNotSatisfiable',
  422: 'UnprocessableEntity',
  429: 'TooManyRequests',
  498: 'SlowDown',
  499: 'ClientDisconnect',
  500: 'InternalError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

/** Swift's error: a code named after the status, the text of the HTML body, the transaction id. */
export function parseSwiftError(response: HttpResponse): ProviderErrorInfo | undefined {
  const text = Buffer.from(response.body)
    .toString('utf8')
    .replace(/<h1>[^<]*<\/h1>/i, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const code = SWIFT_STATUS_CODES[response.status];
  const requestId = response.header('x-openstack-request-id') ?? response.header('x-trans-id');
  return { ...(code ? { code } : {}), ...(text ? { message: text.slice(0, 200) } : {}), ...(requestId ? { requestId } : {}) };
}
