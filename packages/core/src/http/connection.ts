/**
 * Connections: where a driver's requests are prepared (URL, signing), retried and turned into typed errors.
 * `Connection.request()` blocks; the {@link AsyncConnection} mixin adds `requestAsync()`.
 * @module
 */
import pLimit, { type LimitFunction } from 'p-limit';
import { noAuth, type Signer } from '../auth/signers.js';
import {
  CloudError,
  InvalidCredentialsError,
  MalformedResponseError,
  NotFoundError,
  ProviderError,
  RateLimitError,
  RequestError,
  type CloudErrorOptions,
} from '../errors/index.js';
import { SECRET_HEADERS, scrubSecrets } from '../redact.js';
import { DEFAULT_RETRY_POLICY, decideRetry, parseRetryAfter, type RetryPolicy } from '../retry.js';
import { http, sleep, type AsyncPerformer, type Operation } from '../runtime/effects.js';
import { runAsync, type RunAsyncOptions } from '../runtime/run-async.js';
import { runSync } from '../runtime/run-sync.js';
import { HttpResponse } from './response.js';
import { performRequest } from './transport.js';
import type { PreparedRequest, Query, RawResponse, RequestSpec, TransportOptions } from './types.js';

/** A provider's error as parsed from a response body. */
export interface ProviderErrorInfo {
  readonly code?: string;
  readonly message?: string;
  readonly requestId?: string;
}

/** Error classes chosen by exact provider error code. */
export type ErrorCodeTable = Readonly<Record<string, new (message: string, options?: CloudErrorOptions) => CloudError>>;

/** Everything a connection needs; drivers fill it from their own options. */
export interface ConnectionOptions {
  /** Provider name used in errors (`ec2`, `s3`, ...). */
  readonly provider: string;
  readonly host: string;
  readonly port?: number;
  /** HTTPS when true (default). */
  readonly secure?: boolean;
  /** Prefix for every path (e.g. `/v2`, `/devstoreaccount1`). */
  readonly basePath?: string;
  readonly signer?: Signer;
  /** Idle timeout per request (default 30 s). */
  readonly timeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  readonly transport?: TransportOptions;
  /** Source of jitter (tests inject a deterministic one). */
  readonly random?: () => number;
  /** Parses the provider's error body; may throw on malformed bodies (the status decides then). */
  readonly parseError?: (response: HttpResponse) => ProviderErrorInfo | undefined;
  /** Provider error codes with an exact error class. */
  readonly errorCodes?: ErrorCodeTable;
  /** Header names always sent. */
  readonly defaultHeaders?: Record<string, string>;
  /** Maximum concurrent in-process requests of this connection (async mode; default 50). */
  readonly concurrency?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const USER_AGENT = 'dualcloud/0.1 (+node)';

/** Encodes a query map with RFC 3986 rules, keys sorted (stable URLs for tests and signing). */
export function encodeQuery(query: Query | undefined): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const key of Object.keys(query).sort()) {
    const value = query[key];
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) parts.push(`${rfc3986(key)}=${rfc3986(String(v))}`);
  }
  return parts.join('&');
}

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * A sync-style connection: `request(spec)` blocks the calling thread and returns the response.
 * The HTTP runs in a persistent worker thread with keep-alive (see `SyncBridge`).
 */
export class Connection implements AsyncPerformer {
  readonly options: ConnectionOptions;
  /** Retry policy in force. */
  readonly retryPolicy: RetryPolicy;

  constructor(options: ConnectionOptions) {
    this.options = options;
    this.retryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  }

  /** Provider name. */
  get provider(): string {
    return this.options.provider;
  }

  /** Scheme, host and port, e.g. `http://127.0.0.1:9000`. */
  get origin(): string {
    const { secure = true, host, port } = this.options;
    const defaultPort = secure ? 443 : 80;
    return `${secure ? 'https' : 'http'}://${host}${port && port !== defaultPort ? `:${port}` : ''}`;
  }

  /** Builds the absolute URL of a request (path as given: drivers encode it). */
  url(spec: Pick<RequestSpec, 'path' | 'query'>): string {
    const qs = encodeQuery(spec.query);
    return `${this.origin}${this.options.basePath ?? ''}${spec.path}${qs ? `?${qs}` : ''}`;
  }

  /** Turns a spec into a signed, wire-ready request. Called once per attempt so signatures stay fresh. */
  prepare(spec: RequestSpec): PreparedRequest {
    const url = this.url(spec);
    const headers = { 'user-agent': USER_AGENT, ...this.options.defaultHeaders, ...lowerKeys(spec.headers ?? {}) };
    const signed = (this.options.signer ?? noAuth).sign({ method: spec.method, url, headers, body: spec.body });
    return {
      method: spec.method,
      url,
      headers: signed,
      body: spec.body,
      saveTo: spec.saveTo,
      timeoutMs: spec.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      transport: this.options.transport ?? {},
    };
  }

  /**
   * The request as an operation: prepare, send, map error statuses to typed errors, retry what the policy allows.
   * Written once, so retries behave identically in sync and async modes.
   */
  *send(spec: RequestSpec): Operation<HttpResponse> {
    const idempotent = spec.idempotent ?? !(spec.method === 'POST' || spec.method === 'PATCH');
    for (let attempt = 1; ; attempt++) {
      let error: unknown;
      let prepared: PreparedRequest | undefined;
      try {
        prepared = this.prepare(spec);
        const raw: RawResponse = yield* http({ request: prepared, via: this, provider: this.provider });
        const response = new HttpResponse(raw, this.provider);
        if (response.status < 300 || spec.acceptStatus?.includes(response.status)) return response;
        error = this.errorFor(response, spec, prepared);
      } catch (e) {
        error = e;
      }
      const decision = decideRetry(this.retryPolicy, error, attempt, idempotent, this.options.random);
      if (!decision.retry) throw this.scrub(error, prepared);
      yield* sleep(decision.delayMs);
    }
  }

  /** Performs a request, blocking until the response (after retries) or a typed error. */
  request(spec: RequestSpec): HttpResponse {
    return runSync(this.send(spec));
  }

  /** Async performer used by the async executor; the base class sends without a concurrency limit. */
  performAsync(request: PreparedRequest, signal?: AbortSignal): Promise<RawResponse> {
    return performRequest(request, signal);
  }

  /** The typed error for an error response. */
  errorFor(response: HttpResponse, spec: RequestSpec, prepared?: PreparedRequest): CloudError {
    let info: ProviderErrorInfo | undefined;
    try {
      info = response.body.byteLength > 0 ? this.options.parseError?.(response) : undefined;
    } catch (e) {
      if (!(e instanceof MalformedResponseError)) throw e;
    }
    const status = response.status;
    const code = info?.code;
    const what = spec.action ?? `${spec.method} ${spec.path.split('?')[0]}`;
    const message = `${this.provider}: ${what} failed with ${status}${code ? ` ${code}` : ''}${info?.message ? `: ${info.message}` : ''}`;
    const options: CloudErrorOptions = {
      status,
      code,
      requestId: info?.requestId ?? response.requestId,
      provider: this.provider,
      request: { method: spec.method, url: prepared?.url ?? this.url(spec), headers: prepared?.headers ?? spec.headers ?? {} },
      response: { status, headers: response.headers, body: response.body.subarray(0, 512) },
    };
    const exact = code ? this.options.errorCodes?.[code] : undefined;
    if (exact === RateLimitError || status === 429) {
      const retryAfter =
        parseRetryAfter(response.header('retry-after')) ?? resetHeaderSeconds(response.header('ratelimit-reset'));
      return new RateLimitError(message, { ...options, retryAfter });
    }
    if (exact) return new exact(message, { ...options, retryable: this.retryPolicy.table.codes.includes(code!) });
    if (status === 401 || (status === 403 && (!code || /auth|signature|credential|token|accesskey/i.test(code)))) {
      return new InvalidCredentialsError(message, options);
    }
    if (status === 404) return new NotFoundError(message, options);
    if (status >= 500) return new ProviderError(message, { ...options, retryable: this.retryPolicy.table.statuses.includes(status) });
    return new RequestError(message, options);
  }

  /**
   * Removes secrets from an error's message and stack (defence in depth against providers that echo them):
   * the signer's secrets and the pieces of the secret headers actually sent.
   */
  private scrub(error: unknown, prepared: PreparedRequest | undefined): unknown {
    if (!(error instanceof Error)) return error;
    const secrets = [...(this.options.signer?.secrets ?? [])];
    for (const [name, value] of Object.entries(prepared?.headers ?? {})) {
      if (SECRET_HEADERS.has(name)) secrets.push(value, ...value.split(/[\s,=:]+/).filter((piece) => piece.length >= 16));
    }
    if (secrets.length === 0) return error;
    for (const field of ['message', 'stack'] as const) {
      const text = error[field];
      if (typeof text !== 'string') continue;
      const clean = scrubSecrets(text, secrets);
      if (clean !== text) Object.defineProperty(error, field, { value: clean, writable: true, configurable: true, enumerable: false });
    }
    return error;
  }
}

function resetHeaderSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const epoch = Number(value);
  if (!Number.isFinite(epoch)) return undefined;
  return Math.max(0, epoch - Date.now() / 1000);
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}

/** Constructor type used by mixins. */
export type Constructor<T = object> = new (...args: any[]) => T;

/** What the {@link AsyncConnection} mixin adds. */
export interface AsyncConnectionMethods {
  /** Performs a request in-process; resolves to the response (after retries) or rejects with a typed error. */
  requestAsync(spec: RequestSpec, options?: RunAsyncOptions): Promise<HttpResponse>;
  /** In-process performer with this connection's concurrency limit. */
  performAsync(request: PreparedRequest, signal?: AbortSignal): Promise<RawResponse>;
}

/**
 * Adds in-process async requests to a connection class: axios with keep-alive pools, `AbortSignal`,
 * and a per-connection concurrency limit (p-limit).
 */
export function AsyncConnection<TBase extends Constructor<Connection>>(Base: TBase): TBase & Constructor<AsyncConnectionMethods> {
  return class extends Base implements AsyncConnectionMethods {
    #limit: LimitFunction | undefined;

    override performAsync(request: PreparedRequest, signal?: AbortSignal): Promise<RawResponse> {
      this.#limit ??= pLimit(this.options.concurrency ?? 50);
      return this.#limit(() => performRequest(request, signal));
    }

    requestAsync(spec: RequestSpec, options?: RunAsyncOptions): Promise<HttpResponse> {
      return runAsync(this.send(spec), options);
    }
  };
}

/** The connection class drivers use: sync `request()` and async `requestAsync()`. */
export class DriverConnection extends AsyncConnection(Connection) {}
