import { redactHeaders, redactUrl } from '../redact.js';

/** What an error remembers of the request that failed, already redacted. */
export interface ErrorRequestInfo {
  readonly method: string;
  /** URL with secret query parameters masked. */
  readonly url: string;
  /** Headers with Authorization and other secrets masked. */
  readonly headers: Record<string, string>;
}

/** What an error remembers of the response that failed. */
export interface ErrorResponseInfo {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** The first bytes of the body as text, for diagnosis. */
  readonly bodyExcerpt: string;
}

/** Fields accepted by every error constructor. */
export interface CloudErrorOptions {
  status?: number;
  code?: string;
  requestId?: string;
  provider?: string;
  retryable?: boolean;
  request?: { method: string; url: string; headers?: Record<string, string> };
  response?: { status: number; headers: Record<string, string>; body?: Uint8Array | string };
}

const BRAND = Symbol.for('dualcloud.CloudError');

/**
 * The base of every error dualcloud throws.
 *
 * The request and response hang off the error as non-enumerable properties (as AWS SDK v3 does), and are
 * redacted copies: no key, secret, token, signature or Authorization header ever reaches `message`,
 * `String(err)`, `JSON.stringify(err)` or `util.inspect(err)`.
 *
 * @example
 * ```ts
 * try { driver.listNodes(); } catch (e) {
 *   if (CloudError.is(e) && e.retryable) { ... }
 * }
 * ```
 */
export class CloudError extends Error {
  /** HTTP status, when the error came from a response. */
  declare readonly status?: number;
  /** The provider's error code (`NoSuchKey`, `AuthFailure`, ...) or a network code (`ECONNRESET`). */
  declare readonly code?: string;
  /** The provider's request id, for support tickets. */
  declare readonly requestId?: string;
  /** The provider name (`s3`, `ec2`, ...). */
  declare readonly provider?: string;
  /** Whether repeating the same request may succeed. */
  readonly retryable: boolean;
  /** Redacted request (non-enumerable). */
  declare readonly request?: ErrorRequestInfo;
  /** Response summary (non-enumerable). */
  declare readonly response?: ErrorResponseInfo;

  constructor(message: string, options: CloudErrorOptions = {}) {
    super(message);
    this.name = new.target.name;
    if (options.status !== undefined) this.status = options.status;
    if (options.code !== undefined) this.code = options.code;
    if (options.requestId !== undefined) this.requestId = options.requestId;
    if (options.provider !== undefined) this.provider = options.provider;
    this.retryable = options.retryable ?? false;
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
    if (options.request) {
      const info: ErrorRequestInfo = {
        method: options.request.method,
        url: redactUrl(options.request.url),
        headers: redactHeaders(options.request.headers ?? {}),
      };
      Object.defineProperty(this, 'request', { value: info, enumerable: false });
    }
    if (options.response) {
      const body = options.response.body;
      const text = body === undefined ? '' : typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
      const info: ErrorResponseInfo = {
        status: options.response.status,
        headers: redactHeaders(options.response.headers),
        bodyExcerpt: text.slice(0, 512),
      };
      Object.defineProperty(this, 'response', { value: info, enumerable: false });
    }
  }

  /** A type guard that works across realms and duplicate package copies. */
  static is(value: unknown): value is CloudError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** A plain summary for logs: no request or response details. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      status: this.status,
      code: this.code,
      requestId: this.requestId,
      provider: this.provider,
      retryable: this.retryable,
    };
  }
}
