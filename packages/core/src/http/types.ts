/**
 * Plain-data request and response types shared by drivers, executors and transports.
 * Everything here is structured-clonable so it can cross to the sync worker thread.
 * @module
 */

/** Query-string values; arrays repeat the key. */
export type Query = Record<string, string | number | boolean | undefined | Array<string | number>>;

/** Header map. Names are compared case-insensitively by the transport. */
export type Headers = Record<string, string>;

/** A byte range of a file on disk, read by the transport (in the worker thread in sync mode). */
export interface FileBody {
  readonly file: string;
  /** First byte (inclusive); default 0. */
  readonly start?: number;
  /** Last byte (inclusive); default end of file. */
  readonly end?: number;
}

/** A request body: text, bytes, or a slice of a file streamed by the transport. */
export type RequestBody = string | Uint8Array | FileBody;

/**
 * A request as a driver describes it: relative to the connection's endpoint, unsigned.
 * Building one is a pure function; tests compare them with `toEqual`.
 */
export interface RequestSpec {
  readonly method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE' | 'PATCH';
  /** Path below the endpoint, starting with `/`; already percent-encoded where needed. */
  readonly path: string;
  readonly query?: Query;
  readonly headers?: Headers;
  readonly body?: RequestBody;
  /**
   * Whether repeating the request is harmless. Defaults to true for GET, HEAD, PUT and DELETE,
   * false for POST and PATCH; a driver marks a POST safe when it carries a client token.
   */
  readonly idempotent?: boolean;
  /** Stream the response body into this file instead of returning it (downloads). */
  readonly saveTo?: string;
  /** Per-request timeout in milliseconds (overrides the connection's). */
  readonly timeoutMs?: number;
  /** Statuses the caller handles itself instead of receiving an error (e.g. 404 on a HEAD probe). */
  readonly acceptStatus?: readonly number[];
  /** Operation name for error messages, e.g. `ListObjectsV2`. */
  readonly action?: string;
  /**
   * Error classes by provider code for this request, tried before the connection's table: a provider whose
   * `not_found` can mean a droplet, a volume or an image says which one the request addresses.
   */
  readonly errorCodes?: import('./connection.js').ErrorCodeTable;
  /**
   * Checks a successful response (ETag against the MD5 sent, a download's hash, a range's length) and throws
   * a retryable `IntegrityError` when it does not hold: the connection then repeats the request within the
   * same retry budget as network errors. Only for idempotent requests.
   */
  readonly verify?: (response: import('./response.js').HttpResponse) => void;
}

/** A request ready for the wire: absolute URL and signed headers. Plain data. */
export interface PreparedRequest {
  readonly method: RequestSpec['method'];
  readonly url: string;
  readonly headers: Headers;
  readonly body?: RequestBody;
  readonly saveTo?: string;
  readonly timeoutMs: number;
  /** Options for the HTTP transport (adapter choice, agent sizes). */
  readonly transport: TransportOptions;
}

/** The raw reply from a transport: plain data. */
export interface RawResponse {
  readonly status: number;
  /** Lower-cased header names. */
  readonly headers: Headers;
  readonly body: Uint8Array;
  /** Set when the body was streamed to `saveTo`. */
  readonly saved?: { readonly bytes: number; readonly md5: string; readonly crc32: number };
}

/** Which HTTP client sits under axios. */
export type AdapterName = 'undici' | 'http' | 'fetch';

/** Transport settings; plain data so the sync worker can apply them too. */
export interface TransportOptions {
  /** Adapter under axios: `undici` (default, fastest measured), Node's `http`, or `fetch`. */
  readonly adapter?: AdapterName;
  /** Maximum sockets per origin for keep-alive pools. */
  readonly maxSockets?: number;
  /**
   * TLS settings of the connections (a Kubernetes API server's own CA, client certificates). PEM text. The key
   * is a secret: it stays in the connection's private options and in this object, which no printout reaches.
   */
  readonly tls?: TlsOptions;
  /**
   * Connect to this Unix domain socket (or Windows named pipe) instead of the URL's host and port, as Docker's
   * `/var/run/docker.sock`; the URL's path and Host header are sent as they are. The `fetch` adapter cannot
   * do this, so such requests go through Node's `http`.
   */
  readonly socketPath?: string;
}

/** TLS settings for {@link TransportOptions.tls}: PEM strings, plain data so the sync worker can apply them. */
export interface TlsOptions {
  /** CA certificate(s) trusted for the server, instead of the system's. */
  readonly ca?: string;
  /** Client certificate chain. */
  readonly cert?: string;
  /** Client private key (a secret). */
  readonly key?: string;
  /** Verify the server's certificate (default true). */
  readonly rejectUnauthorized?: boolean;
}
