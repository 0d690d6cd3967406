/**
 * The HTTP transport: axios on top of a swappable adapter (undici, Node's http, or fetch).
 * The same code runs in-process for the async executor and in the worker thread for the sync one.
 * @module
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { createReadStream, createWriteStream, openSync, statSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import axios, { type AxiosInstance, type AxiosRequestConfig } from 'axios';
import type { AdapterName, FileBody, Headers, PreparedRequest, RawResponse, TransportOptions } from './types.js';
import { undiciAdapter, closeUndiciAgents } from './undici-adapter.js';
import { tlsConnectOptions } from './tls.js';

/**
 * Why a transport call failed, as plain data (it crosses the worker boundary).
 * The executors turn it into a typed error.
 */
export interface TransportFailure {
  readonly kind: 'timeout' | 'aborted' | 'network' | 'truncated' | 'local';
  readonly code: string;
  readonly message: string;
}

/** Thrown by {@link performRequest}; carries a {@link TransportFailure}. */
export class TransportFailureError extends Error {
  constructor(readonly failure: TransportFailure) {
    super(failure.message);
  }
}

const DEFAULT_ADAPTER: AdapterName = 'undici';

/** What the transport uses of an axios instance (`axios.create()` and `new axios.Axios()` both have it). */
type Client = Pick<AxiosInstance, 'request' | 'defaults'>;

const instances = new Map<string, Client>();
/** Instances by the transport options object a connection passes with every request (skips building the key). */
let byOptions = new WeakMap<TransportOptions, Map<AdapterName, Client>>();

function instanceFor(options: TransportOptions, adapter: AdapterName): Client {
  let perAdapter = byOptions.get(options);
  const cached = perAdapter?.get(adapter);
  if (cached) return cached;
  const maxSockets = options.maxSockets ?? 64;
  const tls = options.tls;
  const socketPath = options.socketPath;
  // TLS settings get pools of their own, keyed by a digest (the worker receives a fresh copy of the options
  // with every request, so the key must come from their content); so does each socket path.
  const tlsKey = tls ? `:tls:${createHash('sha256').update(JSON.stringify([tls.ca, tls.cert, tls.key, tls.rejectUnauthorized])).digest('hex')}` : '';
  const key = `${adapter}:${maxSockets}${tlsKey}${socketPath === undefined ? '' : `:${socketPath}`}`;
  let instance = instances.get(key);
  if (!instance) {
    if (adapter === 'undici') {
      // Prepared once, with nothing to merge: axios merges an instance's defaults into every request's config,
      // and `axios.create()` defaults carry ~25 keys and five header buckets that the undici adapter never reads
      // (it takes the method, URL, headers, body, signal and timeout, and never rejects on a status). A bare
      // `Axios` with only the adapter halves axios's own time per request.
      instance = new axios.Axios({ adapter: undiciAdapter({ connections: maxSockets, ...(tls ? { tls } : {}), ...(socketPath === undefined ? {} : { socketPath }) }) }) as unknown as Client;
    } else {
      const config: AxiosRequestConfig = {
        validateStatus: () => true,
        maxRedirects: 0,
        maxBodyLength: Infinity,
        maxContentLength: Infinity,
        decompress: false,
        // We send bytes and read streams ourselves; axios must not re-encode either.
        transformRequest: [(data: unknown) => data],
        transformResponse: [(data: unknown) => data],
        responseType: 'stream',
      };
      if (adapter === 'fetch') config.adapter = 'fetch';
      else {
        config.adapter = 'http';
        config.httpAgent = new http.Agent({ keepAlive: true, maxSockets });
        config.httpsAgent = new https.Agent({ keepAlive: true, maxSockets, ...(tls ? tlsConnectOptions(tls) : {}) });
        if (socketPath !== undefined) config.socketPath = socketPath;
      }
      instance = axios.create(config);
    }
    instances.set(key, instance);
  }
  if (!perAdapter) byOptions.set(options, (perAdapter = new Map()));
  perAdapter.set(adapter, instance);
  return instance;
}

/** Closes pooled keep-alive sockets of every adapter (used on shutdown). */
export async function closeTransports(): Promise<void> {
  for (const instance of instances.values()) {
    const agents = [instance.defaults.httpAgent, instance.defaults.httpsAgent] as Array<http.Agent | undefined>;
    for (const agent of agents) agent?.destroy();
  }
  instances.clear();
  byOptions = new WeakMap(); // forget the closed instances
  await closeUndiciAgents();
}

function isFileBody(body: unknown): body is FileBody {
  return typeof body === 'object' && body !== null && typeof (body as FileBody).file === 'string';
}

function requestData(body: PreparedRequest['body']): unknown {
  if (body === undefined) return undefined;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (isFileBody(body)) return createReadStream(body.file, { start: body.start ?? 0, end: body.end });
  // Structured clone turns Buffers into plain Uint8Arrays; axios needs a Buffer (it sends `.buffer` of other views).
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/** The byte length of a request body (file slices are measured on disk). */
export function bodyLength(body: PreparedRequest['body']): number {
  if (body === undefined) return 0;
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (isFileBody(body)) {
    const end = body.end ?? statSync(body.file).size - 1;
    return Math.max(0, end - (body.start ?? 0) + 1);
  }
  return body.byteLength;
}

/** Response headers as a plain object with lower-case names (axios gives an `AxiosHeaders`: its own keys are the names). */
function lowerCaseHeaders(raw: unknown): Headers {
  const out: Headers = {};
  if (raw === null || typeof raw !== 'object') return out;
  const source = raw as Record<string, unknown>;
  for (const name of Object.keys(source)) {
    const value = source[name];
    if (value === undefined || value === null || value === false) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

/**
 * Performs one HTTP exchange. Never rejects with anything but {@link TransportFailureError}.
 * `timeoutMs` is an idle timeout: the request fails when no progress happens for that long,
 * so large transfers are not cut off while a stalled server is.
 */
export async function performRequest(req: PreparedRequest, signal?: AbortSignal): Promise<RawResponse> {
  if (signal?.aborted) throw new TransportFailureError({ kind: 'aborted', code: 'ABORT_ERR', message: 'aborted' });
  // undici enforces idle timeouts itself (headersTimeout, bodyTimeout); the other adapters get our own idle
  // timer. Skipping the per-request AbortController on the undici path is worth ~30% throughput.
  const requested = req.transport.adapter ?? DEFAULT_ADAPTER;
  const adapter: AdapterName =
    (requested === 'undici' && !undiciSuits(req)) || (requested === 'fetch' && req.transport.socketPath !== undefined) ? 'http' : requested;
  const idle = adapter === 'undici' ? undefined : new IdleTimer(req.timeoutMs);
  const abortSignal = idle ? (signal ? AbortSignal.any([signal, idle.signal]) : idle.signal) : signal;
  try {
    const config: AxiosRequestConfig = { method: req.method, url: req.url, headers: withoutImplicitContentType(req) };
    if (req.body !== undefined) config.data = requestData(req.body);
    if (abortSignal) config.signal = abortSignal;
    config.timeout = req.timeoutMs;
    const client = instanceFor(req.transport, adapter);
    const response = await client.request<Readable>(config).catch((error: unknown) => {
      if (!onStaleSocket(error, adapter) || abortSignal?.aborted) throw error;
      // The server had closed a pooled keep-alive socket before this request was written (typically while a
      // sync-style call blocked this thread, so the close went unseen): send it once more, on a fresh socket.
      if (req.body !== undefined) config.data = requestData(req.body);
      return client.request<Readable>(config);
    });
    const headers = lowerCaseHeaders(response.headers);
    const expected = headers['content-length'] !== undefined && req.method !== 'HEAD' ? Number(headers['content-length']) : undefined;
    // The fetch adapter hands back a web ReadableStream; the others a Node Readable.
    const data = response.data as Readable | ReadableStream<Uint8Array>;
    const stream = data instanceof ReadableStream ? Readable.fromWeb(data as import('node:stream/web').ReadableStream<Uint8Array>) : data;
    if (idle) stream.on('data', idle.touch);
    if (req.saveTo && response.status >= 200 && response.status < 300) {
      const md5 = createHash('md5');
      let bytes = 0;
      let crc = 0;
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        md5.update(chunk);
        crc = crc32(chunk, crc);
      });
      // Opened synchronously: an asynchronous open could complete after a failed transfer was cleaned up,
      // recreating the file the caller just removed.
      const file = createWriteStream(req.saveTo, { fd: openSync(req.saveTo, 'w') });
      await pipeline(stream, file, abortSignal ? { signal: abortSignal } : {});
      checkLength(bytes, expected);
      return { status: response.status, headers, body: new Uint8Array(0), saved: { bytes, md5: md5.digest('hex'), crc32: crc >>> 0 } };
    }
    if (expected !== undefined && Number.isSafeInteger(expected) && expected > 65536) {
      // Known length: fill one buffer as chunks arrive, instead of holding the chunks and a concatenated copy.
      const body = Buffer.allocUnsafeSlow(expected);
      let bytes = 0;
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (bytes + chunk.length <= expected) chunk.copy(body, bytes);
        bytes += chunk.length;
      }
      checkLength(bytes, expected);
      return { status: response.status, headers, body };
    }
    // undici's body collects its chunks itself when asked for the bytes, without a 'data' event per chunk, and
    // hands back one buffer of exactly the body's size (which crosses to the sync caller without dragging the
    // socket's read buffer along).
    const body = adapter === 'undici' ? await undiciBytes(stream) : await readAll(stream);
    checkLength(body.byteLength, expected);
    return { status: response.status, headers, body };
  } catch (error) {
    throw toFailure(error, idle?.fired ?? false, signal);
  } finally {
    idle?.stop();
  }
}

/**
 * Whether a request failed because the server had closed its pooled keep-alive socket before reading it, before
 * any response: Node's http client says so (`reusedSocket`, as Node's documentation advises checking). undici
 * needs no resend: before it reuses an idle socket it lets the event loop turn once and reads what arrived (its
 * idle-socket validation), so a socket the server ended while a sync call blocked the thread is not written to
 * (`sync-bridge.test.ts` covers both adapters; the `http` case fails without this resend).
 */
function onStaleSocket(error: unknown, adapter: AdapterName): boolean {
  if (adapter === 'undici') return false;
  const e = error as { code?: unknown; response?: unknown; request?: { reusedSocket?: unknown }; cause?: { code?: unknown } } | undefined;
  if (!e || e.response !== undefined) return false;
  const code = typeof e.code === 'string' ? e.code : e.cause?.code;
  return (code === 'ECONNRESET' || code === 'EPIPE') && e.request?.reusedSocket === true;
}

/**
 * Whether the undici adapter can carry a request safely and fast:
 * - undici closes the connection after every HEAD (to survive servers that send a body anyway), which costs
 *   a TCP handshake per metadata call; Node's http agent keeps it alive.
 * - undici 7's parser asserts (an uncaught exception) when a `Connection: close` response is cut while the
 *   parser is paused by backpressure, which a download into a slow file causes; Node's http client reports
 *   the cut as an error. Per-request overhead does not matter for downloads to files.
 */
function undiciSuits(req: PreparedRequest): boolean {
  return req.method !== 'HEAD' && req.saveTo === undefined;
}

/** Reads an undici response body through its own collector (`bytes()`), as a Buffer. */
async function undiciBytes(stream: Readable): Promise<Buffer> {
  const bytes = await (stream as Readable & { bytes(): Promise<Uint8Array> }).bytes();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Reads a whole body in flowing mode: chunks are taken as they arrive, so the parser below is never paused
 * by backpressure (see {@link undiciSuits}).
 */
function readAll(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      bytes += chunk.length;
    });
    stream.once('error', reject);
    stream.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, bytes)));
  });
}

/**
 * axios gives every PUT/POST/PATCH without a Content-Type an `application/x-www-form-urlencoded` one, after
 * signing: that would break signatures that cover Content-Type (Azure SharedKey) and label uploaded objects
 * wrongly. `false` tells axios to send no Content-Type at all.
 */
function withoutImplicitContentType(req: PreparedRequest): Record<string, string | false> {
  const headers = req.headers;
  // axios adds its default only to POST, PUT and PATCH; other methods' headers go as they are, uncopied.
  if (req.body === undefined && req.method !== 'POST' && req.method !== 'PUT' && req.method !== 'PATCH') return headers;
  if ('content-type' in headers) return headers;
  for (const name of Object.keys(headers)) if (name.toLowerCase() === 'content-type') return headers;
  return { ...headers, 'content-type': false };
}

/** Aborts when `touch()` has not been called for `ms` milliseconds. */
class IdleTimer {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  fired = false;
  constructor(ms: number) {
    this.timer = setTimeout(this.fire, ms);
  }
  get signal(): AbortSignal {
    return this.controller.signal;
  }
  readonly touch = (): void => {
    this.timer.refresh();
  };
  stop(): void {
    clearTimeout(this.timer);
  }
  private readonly fire = (): void => {
    this.fired = true;
    this.controller.abort();
  };
}

function checkLength(bytes: number, expected: number | undefined): void {
  if (expected !== undefined && Number.isFinite(expected) && bytes !== expected) {
    throw new TransportFailureError({
      kind: 'truncated',
      code: 'ERR_TRUNCATED_BODY',
      message: `response body ended after ${bytes} of ${expected} bytes`,
    });
  }
}

function toFailure(error: unknown, timedOut: boolean, signal: AbortSignal | undefined): TransportFailureError {
  if (error instanceof TransportFailureError) return error;
  const errorCode = (error as { code?: unknown } | undefined)?.code;
  const timeoutCodes = ['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ECONNABORTED', 'ETIMEDOUT'];
  if (timedOut || (typeof errorCode === 'string' && timeoutCodes.includes(errorCode))) {
    return new TransportFailureError({ kind: 'timeout', code: 'ETIMEDOUT', message: 'no response progress before the timeout' });
  }
  if (signal?.aborted) return new TransportFailureError({ kind: 'aborted', code: 'ABORT_ERR', message: 'aborted' });
  const e = error as { code?: unknown; message?: unknown; syscall?: unknown; cause?: { code?: unknown; syscall?: unknown } };
  const code = typeof e.code === 'string' ? e.code : typeof e.cause?.code === 'string' ? e.cause.code : 'ENETWORK';
  // A Unix socket that is missing (ENOENT) or not ours to open (EACCES) fails in `connect`: a network failure.
  const connecting = e.syscall === 'connect' || e.cause?.syscall === 'connect';
  if (!connecting && (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'ENOSPC')) {
    return new TransportFailureError({ kind: 'local', code, message: `local file error (${code})` });
  }
  const truncated = code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' || /aborted|premature|other side closed/i.test(String(e.message));
  // Only the code and a generic phrase: axios messages can embed the URL, and the URL can carry a signature.
  return new TransportFailureError({
    kind: truncated ? 'truncated' : 'network',
    code: truncated ? 'ERR_TRUNCATED_BODY' : code,
    message: truncated
      ? 'connection closed before the response body was complete'
      : `connection failed (${code}${code === 'ENETWORK' && error instanceof Error ? `: ${error.name}` : ''})`,
  });
}
