/**
 * Credentials: what a connection asks to authenticate a request. Static keys wrap a {@link Signer}; token
 * credentials obtain a token with a request *operation*, so the same code runs in the sync style and every
 * async design. Tokens are cached until shortly before they expire, refreshed once when a provider refuses
 * one (401), and fetched once for any number of concurrent callers (single-flight).
 * @module
 */
import type { Headers } from '../http/types.js';
import { InvalidArgumentError } from '../errors/index.js';
import { printAs } from '../hidden.js';
import { Flight, joinFlight, type Operation } from '../runtime/effects.js';
import type { PresignRequest } from './presign.js';
import type { PresignOptions, RequestDraft, Signer } from './signers.js';

/** Authenticates requests for a connection. */
export interface Credentials {
  /** The headers to send for `draft` (its own plus authentication); may perform requests (token fetches). */
  authorize(draft: RequestDraft): Operation<Headers>;
  /** Strings that must never appear in errors or logs (keys, secrets, current and past tokens). */
  secrets(): readonly string[];
  /**
   * Called when the provider answered 401 to a request sent with `headers`. Returns true when a replay with
   * fresh credentials may succeed (the token used is dropped, unless a newer one already replaced it).
   */
  refused?(headers: Headers): boolean;
  /** Query-string authentication of `request` (signed URLs), when the credentials' scheme has one. */
  presign?(request: PresignRequest, options: PresignOptions): string;
}

/** Whether a value is {@link Credentials} (rather than a bare {@link Signer}). */
export function isCredentials(value: Credentials | Signer): value is Credentials {
  return typeof (value as Credentials).authorize === 'function';
}

/** Static keys: credentials that sign every request with a {@link Signer} and never perform a request. */
export class StaticCredentials implements Credentials {
  readonly #signer: Signer;
  constructor(signer: Signer) {
    this.#signer = signer;
    printAs(this, () => '[StaticCredentials]');
  }
  // eslint-disable-next-line require-yield
  *authorize(draft: RequestDraft): Operation<Headers> {
    return this.#signer.sign(draft);
  }
  secrets(): readonly string[] {
    return this.#signer.secrets;
  }
  presign(request: PresignRequest, options: PresignOptions): string {
    if (!this.#signer.presign) throw new InvalidArgumentError('these credentials cannot sign URLs', { code: 'NotSupported' });
    return this.#signer.presign(request, options);
  }
}

/** Credentials from a signer or credentials (a signer is wrapped as {@link StaticCredentials}). */
export function toCredentials(value: Credentials | Signer | undefined): Credentials | undefined {
  if (value === undefined) return undefined;
  return isCredentials(value) ? value : new StaticCredentials(value);
}

/** A token as a provider issued it. */
export interface Token<T = unknown> {
  /** The secret token value. */
  readonly value: string;
  /** When the provider says it expires; undefined for tokens that do not expire. */
  readonly expiresAt?: Date;
  /** What else came with it (a service catalog, a storage URL, ...). */
  readonly data?: T;
}

/** How {@link TokenCredentials} obtain and use a token. */
export interface TokenSource<T> {
  /** Requests a new token (an operation: runs in both executors, with the connection's retries). */
  fetch(): Operation<Token<T>>;
  /** Adds the token to a request's headers (default: `Authorization: Bearer <token>`). */
  apply?(headers: Headers, token: Token<T>): Headers;
  /** Other secrets to scrub from errors and logs (passwords, API keys used by `fetch`). */
  readonly secrets?: readonly string[];
}

/** Options of {@link TokenCredentials}. */
export interface TokenCredentialsOptions {
  /** Renew this long before `expiresAt` (default 60 s, at most half the token's lifetime). */
  readonly refreshBeforeMs?: number;
  /** Clock (tests inject one). */
  readonly now?: () => number;
}

/** Past tokens kept for scrubbing, so an error raised with an old token still hides it. */
const REMEMBERED_TOKENS = 8;

/**
 * Credentials backed by a token obtained with a request. Cached until `refreshBeforeMs` before expiry,
 * refreshed once on 401, single-flight for concurrent callers in both executors.
 */
export class TokenCredentials<T = unknown> implements Credentials {
  readonly #source: TokenSource<T>;
  readonly #refreshBeforeMs: number;
  readonly #now: () => number;
  readonly #flight: Flight<Token<T>>;
  #token: Token<T> | undefined;
  #issuedAt = 0;
  #past: string[] = [];
  #fetches = 0;

  constructor(source: TokenSource<T>, options: TokenCredentialsOptions = {}) {
    this.#source = source;
    this.#refreshBeforeMs = options.refreshBeforeMs ?? 60_000;
    this.#now = options.now ?? Date.now;
    this.#flight = new Flight(() => this.#fetch());
    printAs(this, () => ({ tokenCached: this.#token !== undefined, fetches: this.#fetches }));
  }

  /** How many tokens were requested so far (for tests and diagnostics). */
  get fetches(): number {
    return this.#fetches;
  }

  /** The current token, fetching one (once for all concurrent callers) when none is fresh. */
  *token(): Operation<Token<T>> {
    const cached = this.#token;
    if (cached && this.#fresh(cached)) return cached;
    return yield* joinFlight(this.#flight);
  }

  *authorize(draft: RequestDraft): Operation<Headers> {
    const token = yield* this.token();
    return this.#source.apply ? this.#source.apply(draft.headers, token) : { ...draft.headers, authorization: `Bearer ${token.value}` };
  }

  secrets(): readonly string[] {
    return [...(this.#source.secrets ?? []), ...(this.#token ? [this.#token.value] : []), ...this.#past];
  }

  refused(headers: Headers): boolean {
    const current = this.#token;
    if (!current) return true;
    const sent = Object.values(headers).some((value) => value.includes(current.value));
    // Only the token that was refused is dropped: fifty concurrent 401s cause one refresh, not fifty.
    if (sent) this.#drop();
    return true;
  }

  /** Drops the cached token (the next request fetches a new one). */
  invalidate(): void {
    this.#drop();
  }

  /** Forgets the current token, but keeps it among the secrets (errors in flight may still carry it). */
  #drop(): void {
    if (this.#token) this.#past = [this.#token.value, ...this.#past].slice(0, REMEMBERED_TOKENS);
    this.#token = undefined;
  }

  #fresh(token: Token<T>): boolean {
    if (!token.expiresAt) return true;
    const expires = token.expiresAt.getTime();
    const margin = Math.min(this.#refreshBeforeMs, Math.max(0, (expires - this.#issuedAt) / 2));
    return this.#now() < expires - margin;
  }

  *#fetch(): Operation<Token<T>> {
    // A caller that waited for this flight may find a token another flight just stored.
    const cached = this.#token;
    if (cached && this.#fresh(cached)) return cached;
    this.#fetches++;
    const issuedAt = this.#now();
    const token = yield* this.#source.fetch();
    if (typeof token?.value !== 'string' || token.value === '') throw new TypeError('token source returned no token');
    if (this.#token) this.#past = [this.#token.value, ...this.#past].slice(0, REMEMBERED_TOKENS);
    this.#token = token;
    this.#issuedAt = issuedAt;
    return token;
  }
}
