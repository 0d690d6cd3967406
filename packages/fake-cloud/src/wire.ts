/**
 * The request and response shapes handlers work with, and the error they throw.
 * @module
 */
import type { IncomingHttpHeaders } from 'node:http';

/** A fully read request. */
export interface FakeRequest {
  readonly method: string;
  /** The request target as sent (path and query, still percent-encoded). */
  readonly rawUrl: string;
  /** The path as sent (percent-encoded). */
  readonly rawPath: string;
  readonly query: URLSearchParams;
  /** Lower-case header names. */
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /**
   * The body as received, when a `corrupt-request` fault changed `body`. Signatures and payload hashes are checked
   * on it: the corruption strikes behind the transport checks, where only Content-MD5 and checksums can see it.
   */
  readonly receivedBody?: Buffer;
  /** The Host header (or 127.0.0.1:port). */
  readonly host: string;
  readonly requestId: string;
  /** Server time of the request (ms since epoch). */
  readonly now: number;
}

/** A response to send. Header names lower-case. */
export interface FakeResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body?: Buffer | string;
}

/** A provider-level error: handlers throw it, the provider formats it in its wire format. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra fields some formats carry (S3 `Resource`, `Key`, `BucketName`...). */
    readonly extra: Readonly<Record<string, string>> = {},
    /** Extra response headers (e.g. `retry-after`). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A header's single value (first one, trimmed), or undefined. */
export function header(req: FakeRequest, name: string): string | undefined {
  const value = req.headers[name];
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value.join(',') : value).trim();
}
