/**
 * Connections: where a driver's requests are prepared (URL, credentials), retried, verified and turned into
 * typed errors. `Connection.request()` blocks; the {@link AsyncConnection} mixin adds `requestAsync()`.
 * Drivers do not build connections themselves: they declare a {@link ConnectionRecipe} and the base driver
 * builds one (see `BaseDriver.connect`).
 * @module
 */
import { inspect } from 'node:util';
import { toCredentials, type Credentials } from '../auth/credentials.js';
import type { PresignOptions, Signer } from '../auth/signers.js';
import {
  CloudError,
  InvalidArgumentError,
  InvalidCredentialsError,
  MalformedResponseError,
  NotFoundError,
  ProviderError,
  RateLimitError,
  RequestError,
  type CloudErrorOptions,
} from '../errors/index.js';
import { redactHeaders, redactUrl, SECRET_HEADERS, scrubSecrets } from '../redact.js';
import { DEFAULT_RETRY_POLICY, decideRetry, parseRetryAfter, type RetryPolicy } from '../retry.js';
import { http, sleep, type AsyncPerformer, type Operation } from '../runtime/effects.js';
import pLimit, { type LimitFunction } from 'p-limit';
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
  /** Seconds to wait, when the error document says so (Nova's `overLimit.retryAfter`); a Retry-After header wins. */
  readonly retryAfter?: number;
}

/** Error classes chosen by exact provider error code. */
export type ErrorCodeTable = Readonly<Record<string, new (message: string, options?: CloudErrorOptions) => CloudError>>;

/** What hooks and the debug log see of a request: redacted copies, never the secrets. */
export interface RequestInfo {
  readonly method: string;
  /** Absolute URL with secret query parameters masked. */
  readonly url: string;
  /** Headers with Authorization and other secrets masked. */
  readonly headers: Readonly<Record<string, string>>;
  /** The provider name. */
  readonly provider: string;
  /** The operation name (`ListObjectsV2`, ...) when the driver gave one. */
  readonly action?: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
}

/** What `afterResponse` sees of a response. */
export interface ResponseInfo {
  readonly status: number;
  /** Response headers with secret ones masked. */
  readonly headers: Readonly<Record<string, string>>;
  /** Time from sending to the full response, in milliseconds. */
  readonly ms: number;
}

/** What `beforeRetry` sees. */
export interface RetryInfo {
  readonly request: RequestInfo;
  /** Why the attempt failed (a typed error). */
  readonly error: unknown;
  /** The attempt that failed (1-based). */
  readonly attempt: number;
  /** Backoff before the next attempt. */
  readonly delayMs: number;
}

/**
 * Request hooks (ky-style), called in the sync style and every design alike, with redacted requests. A hook
 * that throws fails the call with its error.
 */
export interface Hooks {
  beforeRequest?(request: RequestInfo): void;
  afterResponse?(request: RequestInfo, response: ResponseInfo): void;
  beforeRetry?(info: RetryInfo): void;
}

/** Where debug lines go: `true` prints to stderr; a function receives each line. */
export type DebugOption = boolean | ((line: string) => void);

/**
 * What a driver declares about its connection, as data: endpoint defaults, credentials, error table, default
 * headers and retry overrides. The base driver merges the user's options (host, port, secure, timeouts,
 * retries, transport, concurrency, hooks, debug) over it and builds the connection.
 */
export interface ConnectionRecipe {
  /** Provider name used in errors (`ec2`, `s3`, ...). */
  readonly provider: string;
  /** The provider's default host (the user's `host` option wins). */
  readonly host: string;
  /** Default port (the user's `port` option wins). */
  readonly port?: number;
  /** Default scheme: HTTPS unless false (the user's `secure` option wins). */
  readonly secure?: boolean;
  /** Prefix for every path (e.g. `/v2`, `/devstoreaccount1`). */
  readonly basePath?: string;
  /** How requests are authenticated. */
  readonly credentials?: Credentials | Signer;
  readonly parseError?: (response: HttpResponse) => ProviderErrorInfo | undefined;
  readonly errorCodes?: ErrorCodeTable;
  readonly defaultHeaders?: Record<string, string>;
  /** The provider's own retry defaults (the user's `retry` option is applied over them). */
  readonly retry?: Partial<RetryPolicy>;
  /**
   * Where requests go when that is only known after authentication (OpenStack's service catalog, Swift's
   * `X-Storage-Url`): an operation returning the endpoint URL (scheme, host, port and base path) that request
   * paths are appended to. Called for every request; cache inside (token credentials already do).
   */
  readonly endpoint?: () => Operation<string>;
  /** The provider's transport settings (a Kubernetes cluster's CA and client certificate, Docker's Unix socket path); the user's `transport` is applied over them. */
  readonly transport?: TransportOptions;
}

/** Everything a connection needs (a recipe plus the user's settings). */
export interface ConnectionOptions extends ConnectionRecipe {
  readonly port?: number;
  /** Idle timeout per request (default 30 s). */
  readonly timeoutMs?: number;
  readonly transport?: TransportOptions;
  /** Source of jitter (tests inject a deterministic one). */
  readonly random?: () => number;
  /** Maximum concurrent in-process requests of this connection (async mode; default 50). */
  readonly concurrency?: number;
  readonly hooks?: Hooks;
  /** One redacted line per request (method, host, path, status, attempt, ms). Default: on when `DEBUG` names `dualcloud`. */
  readonly debug?: DebugOption;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const USER_AGENT = 'dualcloud/0.1 (+node)';

/** Whether the `DEBUG` environment variable asks for dualcloud's log (`dualcloud`, `dualcloud*`, `*`). */
export function debugFromEnvironment(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.DEBUG ?? '')
    .split(/[\s,]+/)
    .some((name) => name === '*' || name === 'dualcloud' || name === 'dualcloud*' || name === 'dualcloud:*');
}

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

const SUB_DELIMS = /[!'()*]/;

function rfc3986(value: string): string {
  const encoded = encodeURIComponent(value);
  return SUB_DELIMS.test(encoded) ? encoded.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) : encoded;
}

/** The transport options of a connection that sets none (one object, so the transport's lookups hit). */
const NO_TRANSPORT_OPTIONS: TransportOptions = Object.freeze({});

/**
 * A sync-style connection: `request(spec)` blocks the calling thread and returns the response.
 * The HTTP runs in a persistent worker thread with keep-alive (see `SyncBridge`).
 *
 * Credentials live in a private field: printing, spreading or serialising a connection shows only its
 * provider and origin.
 */
export class Connection implements AsyncPerformer {
  readonly #options: ConnectionOptions;
  readonly #credentials: Credentials | undefined;
  readonly #log: ((line: string) => void) | undefined;
  readonly #derived = new Map<string, Connection>();
  readonly #endpoints = new Map<string, Connection>();
  /** `origin` + `basePath` without a trailing slash, and the headers every request starts from: built once. */
  readonly #base: string;
  readonly #baseHeaders: Readonly<Record<string, string>>;
  /** Retry policy in force. */
  readonly retryPolicy: RetryPolicy;

  constructor(options: ConnectionOptions) {
    const { credentials, ...rest } = options;
    this.#options = rest;
    this.#credentials = toCredentials(credentials);
    this.retryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.#base = `${this.origin}${rest.basePath ?? ''}`.replace(/\/+$/, '');
    this.#baseHeaders = { 'user-agent': USER_AGENT, ...rest.defaultHeaders };
    const debug = options.debug ?? debugFromEnvironment();
    this.#log = typeof debug === 'function' ? debug : debug ? (line) => process.stderr.write(`${line}\n`) : undefined;
  }

  /** The connection's settings, without its credentials. */
  get options(): Omit<ConnectionOptions, 'credentials'> {
    return this.#options;
  }

  /** Provider name. */
  get provider(): string {
    return this.#options.provider;
  }

  /** Scheme, host and port, e.g. `http://127.0.0.1:9000`. */
  get origin(): string {
    const { secure = true, host, port } = this.#options;
    const defaultPort = secure ? 443 : 80;
    return `${secure ? 'https' : 'http'}://${host}${port && port !== defaultPort ? `:${port}` : ''}`;
  }

  /**
   * The same connection for another host (S3 virtual-hosted buckets): same credentials, settings and hooks;
   * created once per host and kept.
   */
  forHost(host: string): this {
    if (host === this.#options.host) return this;
    let derived = this.#derived.get(host);
    if (!derived) {
      const Self = this.constructor as new (options: ConnectionOptions) => Connection;
      derived = new Self({ ...this.#options, host, ...(this.#credentials ? { credentials: this.#credentials } : {}) });
      this.#derived.set(host, derived);
    }
    return derived as this;
  }

  /**
   * The same connection for another service endpoint resolved after authentication (OpenStack's image service
   * beside compute): same credentials (one token cache, one refresh), settings and hooks; requests go below
   * the URL `endpoint` returns. Created once per `key` and kept.
   */
  forEndpoint(key: string, endpoint: () => Operation<string>): this {
    let derived = this.#endpoints.get(key);
    if (!derived) {
      const Self = this.constructor as new (options: ConnectionOptions) => Connection;
      derived = new Self({ ...this.#options, endpoint, ...(this.#credentials ? { credentials: this.#credentials } : {}) });
      this.#endpoints.set(key, derived);
    }
    return derived as this;
  }

  /** Builds the absolute URL of a request (path as given: drivers encode it), below `base` when given. */
  url(spec: Pick<RequestSpec, 'path' | 'query'>, base?: string): string {
    const qs = encodeQuery(spec.query);
    const root = base === undefined ? this.#base : base.replace(/\/+$/, '');
    return qs ? `${root}${spec.path}?${qs}` : `${root}${spec.path}`;
  }

  /**
   * A URL that performs `spec` (method, path, query, and the headers it must carry) with query-string
   * authentication, valid for `options.expiresIn` seconds, for anyone holding it: no SDK and no credentials
   * needed. The URL is a bearer credential; `redactUrl` masks its signature. `InvalidArgumentError`
   * (`NotSupported`) when the connection's credentials have no URL signing (tokens).
   */
  presignUrl(spec: Pick<RequestSpec, 'method' | 'path' | 'query' | 'headers'>, options: PresignOptions): string {
    if (!this.#credentials?.presign || this.#options.endpoint) {
      throw new InvalidArgumentError(`${this.provider}: these credentials cannot sign URLs`, { code: 'NotSupported', provider: this.provider });
    }
    return this.#credentials.presign({ method: spec.method, url: this.url(spec), headers: lowerKeys(spec.headers ?? {}) }, options);
  }

  /**
   * Turns a spec into an authenticated, wire-ready request. An operation, because token credentials may
   * need a request first; run once per attempt so signatures stay fresh.
   */
  *prepareOp(spec: RequestSpec): Operation<PreparedRequest> {
    const url = this.#options.endpoint ? this.url(spec, yield* this.#options.endpoint()) : this.url(spec);
    const headers: Record<string, string> = { ...this.#baseHeaders };
    if (spec.headers) for (const name of Object.keys(spec.headers)) headers[name.toLowerCase()] = spec.headers[name]!;
    const draft = { method: spec.method, url, headers, body: spec.body };
    const signed = this.#credentials ? yield* this.#credentials.authorize(draft) : headers;
    return {
      method: spec.method,
      url,
      headers: signed,
      body: spec.body,
      saveTo: spec.saveTo,
      timeoutMs: spec.timeoutMs ?? this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      transport: this.#options.transport ?? NO_TRANSPORT_OPTIONS,
    };
  }

  /** {@link Connection.prepareOp}, blocking (static credentials never block). */
  prepare(spec: RequestSpec): PreparedRequest {
    return runSync(this.prepareOp(spec));
  }

  /**
   * The request as an operation: prepare, send, verify, map error statuses to typed errors, retry what the
   * policy allows, and replay once with fresh credentials when a token is refused. Written once, so retries
   * behave identically in sync and async modes.
   */
  *send(spec: RequestSpec): Operation<HttpResponse> {
    const idempotent = spec.idempotent ?? !(spec.method === 'POST' || spec.method === 'PATCH');
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      let error: unknown;
      let prepared: PreparedRequest | undefined;
      let info: RequestInfo | undefined;
      let responded = false;
      const started = Date.now();
      try {
        prepared = yield* this.prepareOp(spec);
        info = this.#observe(prepared, spec, attempt);
        const raw: RawResponse = yield* http({ request: prepared, via: this, provider: this.provider });
        const response = new HttpResponse(raw, this.provider);
        responded = true;
        this.#observed(info, response, started);
        if (response.status < 300 || spec.acceptStatus?.includes(response.status)) {
          spec.verify?.(response);
          return response;
        }
        error = this.errorFor(response, spec, prepared);
      } catch (e) {
        error = e;
        if (info && !responded) this.#observedFailure(info, e, started);
      }
      // A refused token is replaced and the request replayed once, outside the retry budget.
      if (!refreshed && prepared && error instanceof InvalidCredentialsError && error.status === 401 && this.#credentials?.refused?.(prepared.headers)) {
        refreshed = true;
        attempt--;
        continue;
      }
      const decision = decideRetry(this.retryPolicy, error, attempt, idempotent, this.#options.random);
      if (!decision.retry) throw this.scrub(error, prepared);
      if (info) this.#options.hooks?.beforeRetry?.({ request: info, error: this.scrub(error, prepared), attempt, delayMs: decision.delayMs });
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
      info = response.body.byteLength > 0 ? this.#options.parseError?.(response) : undefined;
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
    const exact = code ? (spec.errorCodes?.[code] ?? this.#options.errorCodes?.[code]) : undefined;
    if (exact === RateLimitError || status === 429) {
      const retryAfter =
        parseRetryAfter(response.header('retry-after')) ?? resetHeaderSeconds(response.header('ratelimit-reset')) ?? info?.retryAfter;
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

  /** Every secret this connection knows of (credentials' keys and tokens), for scrubbing. */
  secrets(): readonly string[] {
    return this.#credentials?.secrets() ?? [];
  }

  /**
   * Removes secrets from an error's message and stack (defence in depth against providers that echo them):
   * the credentials' secrets and the pieces of the secret headers actually sent.
   */
  scrub<E>(error: E, prepared?: PreparedRequest): E {
    if (!(error instanceof Error)) return error;
    const secrets = [...this.secrets()];
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

  /** Prints as its provider and origin only. */
  [inspect.custom](): string {
    return `${this.constructor.name} { provider: '${this.provider}', origin: '${this.origin}' }`;
  }

  /** Serialises as its provider and origin only. */
  toJSON(): Record<string, string> {
    return { provider: this.provider, origin: this.origin };
  }

  /** The connection's provider and origin. */
  toString(): string {
    return `${this.provider} ${this.origin}`;
  }

  #observe(prepared: PreparedRequest, spec: RequestSpec, attempt: number): RequestInfo | undefined {
    const hooks = this.#options.hooks;
    if (!hooks && !this.#log) return undefined;
    const info: RequestInfo = {
      method: prepared.method,
      url: redactUrl(prepared.url),
      headers: redactHeaders(prepared.headers),
      provider: this.provider,
      ...(spec.action ? { action: spec.action } : {}),
      attempt,
    };
    hooks?.beforeRequest?.(info);
    return info;
  }

  #observed(info: RequestInfo | undefined, response: HttpResponse, started: number): void {
    if (!info) return;
    const ms = Date.now() - started;
    this.#options.hooks?.afterResponse?.(info, { status: response.status, headers: redactHeaders(response.headers), ms });
    this.#debug(info, String(response.status), ms);
  }

  #observedFailure(info: RequestInfo, error: unknown, started: number): void {
    const code = CloudError.is(error) ? (error.code ?? error.name) : error instanceof Error ? error.name : 'error';
    this.#debug(info, code, Date.now() - started);
  }

  #debug(info: RequestInfo, outcome: string, ms: number): void {
    if (!this.#log) return;
    let where = info.url;
    try {
      const url = new URL(info.url);
      where = `${url.host}${url.pathname}`;
    } catch {
      /* already redacted */
    }
    this.#log(`dualcloud ${info.provider} ${info.method} ${where} ${outcome} attempt=${info.attempt} ${ms}ms`);
  }
}

function resetHeaderSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const epoch = Number(value);
  if (!Number.isFinite(epoch)) return undefined;
  return Math.max(0, epoch - Date.now() / 1000);
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
 * and a per-connection concurrency limit.
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

/** The connection class the base driver builds: operations use `send()`; `request()` blocks and `requestAsync()` returns a Promise. */
export class DriverConnection extends AsyncConnection(Connection) {}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}
