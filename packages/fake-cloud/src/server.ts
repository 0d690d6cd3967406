/**
 * The HTTP server: one port for every provider. Routes each request by its authentication, reads the body within
 * limits, adds latency, injects faults, and turns any handler failure into the provider's error format.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { lstatSync, unlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { AuthFailure, sniffScheme } from './auth.js';
import { flipByte, payloadSpans } from './corruption.js';
import { DigitalOceanApi } from './digitalocean.js';
import { DockerApi, isDockerPath } from './docker.js';
import { Ec2Api } from './ec2.js';
import { EcsApi } from './ecs.js';
import { fakeEndpoint, type FakeEndpoint } from './endpoint.js';
import { drawLatency, FaultPlan } from './faults.js';
import { KEYSTONE_PREFIX, KeystoneApi } from './keystone.js';
import { isKubernetesPath, KubernetesApi } from './kubernetes.js';
import { NovaApi } from './nova.js';
import { COMPUTE_PREFIX, IMAGE_PREFIX, VOLUME_PREFIX } from './nova-catalog.js';
import { GCS_DIALECT, ObjectApi, S3_DIALECT } from './object-api.js';
import { FAKE_PROVIDERS, FAULT_KINDS, resolveOptions, type FakeCloudOptions, type FakeProvider, type FaultKind, type ResolvedOptions } from './options.js';
import { seededRandom } from './random.js';
import { isSwiftPath, SwiftApi } from './swift.js';
import { ApiError, type FakeRequest, type FakeResponse } from './wire.js';

export type { FakeEndpoint } from './endpoint.js';

/** Counters, for tests that check how many requests (retries) reached the server. */
export interface FakeCloudStats {
  /** Requests received (faulted ones included). */
  readonly requests: number;
  readonly byProvider: Readonly<Record<FakeProvider, number>>;
  /** Faults injected, by kind (a corruption fault that found no body is not counted: it did not strike). */
  readonly faults: Readonly<Record<FaultKind, number>>;
  /** Keystone: tokens issued (so tests can check that clients share one token). */
  readonly keystone: { readonly tokensIssued: number };
}

/**
 * Options that can change while the server runs (state is kept). Each given option replaces the previous value
 * whole: `{ faults: { sequence: ['503'] } }` also turns random faults off (rate 0).
 */
export type FakeCloudUpdate = Pick<
  FakeCloudOptions,
  'latency' | 'latencySeed' | 'faults' | 'nodeBootMs' | 'minPartSize' | 'maxObjectBytes' | 'maxTotalBytes' | 'maxNodes' | 'doRateLimit' | 'verifyContentMd5' | 's3ListV1Only' | 'tokenTtlMs'
>;

/** A provider emulator as the server sees it. */
interface ProviderApi {
  handle(req: FakeRequest): FakeResponse;
  error(e: ApiError, req: FakeRequest): FakeResponse;
  authError(e: AuthFailure): ApiError;
}

/** Error codes of server-made responses (faults, handler crashes, oversized bodies), per provider. */
const CODES: Record<FakeProvider, { 500: string; 503: string; 429: string; internalMessage: string }> = {
  ec2: { 500: 'InternalError', 503: 'Unavailable', 429: 'RequestLimitExceeded', internalMessage: 'An internal error has occurred.' },
  s3: { 500: 'InternalError', 503: 'SlowDown', 429: 'SlowDown', internalMessage: 'We encountered an internal error. Please try again.' },
  google_storage: { 500: 'InternalError', 503: 'ServiceUnavailable', 429: 'SlowDown', internalMessage: 'We encountered an internal error. Please try again.' },
  digitalocean: { 500: 'server_error', 503: 'service_unavailable', 429: 'too_many_requests', internalMessage: 'Server was unable to give you a response.' },
  keystone: { 500: 'Internal Server Error', 503: 'Service Unavailable', 429: 'Too Many Requests', internalMessage: 'An unexpected error prevented the server from fulfilling your request.' },
  nova: { 500: 'computeFault', 503: 'serviceUnavailable', 429: 'overLimit', internalMessage: 'Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible.' },
  ecs: { 500: 'ServerException', 503: 'ServiceUnavailableException', 429: 'ThrottlingException', internalMessage: 'An internal error occurred.' },
  docker: { 500: 'ServerError', 503: 'ServiceUnavailable', 429: 'TooManyRequests', internalMessage: 'An internal error occurred in the daemon' },
  swift: { 500: 'InternalError', 503: 'ServiceUnavailable', 429: 'TooManyRequests', internalMessage: 'The server has either erred or is incapable of performing the requested operation.' },
  kubernetes: { 500: 'InternalError', 503: 'ServiceUnavailable', 429: 'TooManyRequests', internalMessage: 'an error on the server ("Internal Server Error") has prevented the request from succeeding' },
};

/** Largest body of a compute API request. */
const MAX_API_BODY = 1024 * 1024;

/** The fake cloud's HTTP server, in the current thread (use {@link startFakeCloud} for a worker thread). */
export class FakeCloudServer {
  private opts: ResolvedOptions;
  private readonly server: Server;
  /** The same handler on a Unix socket (`dockerSocketPath`), once listening. */
  private socketServer: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private faultPlan: FaultPlan;
  private latencyRandom: () => number;
  private apis!: Record<FakeProvider, ProviderApi>;
  private keystone!: KeystoneApi;
  private counters = emptyStats();
  private listeningPort = 0;
  private closed = false;
  private requestCounter = 0;

  constructor(options: FakeCloudOptions = {}) {
    this.opts = resolveOptions(options);
    this.faultPlan = new FaultPlan(this.opts.faults);
    this.latencyRandom = seededRandom(this.opts.latencySeed);
    this.reset();
    this.server = this.createHttpServer();
  }

  private createHttpServer(): Server {
    const server = createServer({ keepAliveTimeout: 5000 }, (req, res) => {
      this.onRequest(req, res).catch(() => {
        // Last resort: the connection is in an unknown state.
        res.socket?.destroy();
      });
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
    });
    return server;
  }

  /** The options in effect. */
  get options(): ResolvedOptions {
    return this.opts;
  }

  /** The port, once listening. */
  get port(): number {
    return this.listeningPort;
  }

  /**
   * Starts listening on 127.0.0.1 (`options.port`, 0 = any free port), and on `options.dockerSocketPath` when
   * given; resolves to the port.
   */
  async listen(port = this.opts.port): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        const address = this.server.address();
        this.listeningPort = typeof address === 'object' && address ? address.port : port;
        resolve();
      });
    });
    const path = this.opts.dockerSocketPath;
    if (path !== undefined && !this.socketServer) {
      removeStaleSocket(path);
      const socketServer = this.createHttpServer();
      await new Promise<void>((resolve, reject) => {
        socketServer.once('error', reject);
        socketServer.listen(path, () => {
          socketServer.off('error', reject);
          resolve();
        });
      });
      this.socketServer = socketServer;
    }
    return this.listeningPort;
  }

  /** Where a driver reaches `provider`. */
  endpoint(provider: FakeProvider): FakeEndpoint {
    return fakeEndpoint(provider, this.listeningPort, this.socketServer ? this.opts.dockerSocketPath : undefined);
  }

  /** Changes latency, faults or limits; the fault and latency PRNGs restart from their seeds. */
  configure(update: FakeCloudUpdate): void {
    const next = resolveOptions({ ...this.rawOptions(), ...update });
    this.opts = next;
    if (update.faults !== undefined) this.faultPlan = new FaultPlan(next.faults);
    if (update.latency !== undefined || update.latencySeed !== undefined) this.latencyRandom = seededRandom(next.latencySeed);
  }

  /** Forgets every node, bucket, object and Keystone token, and zeroes the counters. */
  reset(): void {
    const options = (): ResolvedOptions => this.opts;
    this.keystone = new KeystoneApi(options);
    this.apis = {
      ec2: new Ec2Api(options),
      digitalocean: new DigitalOceanApi(options),
      s3: new ObjectApi(S3_DIALECT, options),
      google_storage: new ObjectApi(GCS_DIALECT, options),
      keystone: this.keystone,
      nova: new NovaApi(options, this.keystone),
      swift: new SwiftApi(options, this.keystone),
      ecs: new EcsApi(options),
      kubernetes: new KubernetesApi(options),
      docker: new DockerApi(options),
    };
    this.counters = emptyStats();
  }

  /** Request and fault counters since start (or the last reset). */
  stats(): FakeCloudStats {
    return { ...structuredClone(this.counters), keystone: { tokensIssued: this.keystone.tokensIssued } };
  }

  /** Stops listening, ends every connection (stalled ones too) and clears timers. */
  close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const socketServer = this.socketServer;
    this.socketServer = undefined;
    const closing = socketServer ? new Promise<void>((resolve) => socketServer.close(() => resolve())) : Promise.resolve();
    return new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
      this.server.closeAllConnections?.();
      socketServer?.closeAllConnections?.();
    }).then(() => closing);
  }

  private rawOptions(): FakeCloudOptions {
    return { ...this.opts };
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = this.nextRequestId();
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const rawPath = (q < 0 ? rawUrl : rawUrl.slice(0, q)) || '/';
    const query = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
    const provider = classify(req, rawPath, query);
    const api = this.apis[provider];
    this.counters.requests += 1;
    this.counters.byProvider[provider] += 1;
    const limit = provider === 's3' || provider === 'google_storage' || provider === 'swift' ? Math.ceil(this.opts.maxObjectBytes * 1.02) + 65_536 : MAX_API_BODY;
    const base = { method: (req.method ?? 'GET').toUpperCase(), rawUrl, rawPath, query, headers: req.headers, host: req.headers.host ?? `127.0.0.1:${this.listeningPort}`, requestId, now: Date.now() };
    const body = await readBody(req, limit);
    if (this.closed || body === 'aborted') return;
    if (body === 'too-large') {
      const tooLarge = new ApiError(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', { MaxSizeAllowed: String(limit) });
      const response = api.error(tooLarge, { ...base, body: Buffer.alloc(0) });
      response.headers.connection = 'close';
      this.send(res, provider, base.method, requestId, response);
      return;
    }
    const latency = drawLatency(this.opts.latency, this.latencyRandom);
    if (latency > 0) await this.delay(latency);
    if (this.closed) return;
    let fault = this.faultPlan.next(provider);
    let request: FakeRequest = { ...base, body, now: Date.now() };
    if (fault === 'corrupt-request') {
      const flipped = flipByte(body, payloadSpans(body, req.headers), this.faultPlan.corruptionPoint());
      if (flipped) request = { ...request, body: flipped.body, receivedBody: body };
      else fault = undefined; // no payload to corrupt: dropped, not deferred
    }
    if (fault && fault !== 'corrupt-response') this.counters.faults[fault] += 1;
    if (fault === 'reset' || (fault === 'truncated' && base.method === 'HEAD')) {
      resetSocket(req.socket);
      return;
    }
    if (fault === '500' || fault === '503' || fault === '429') {
      const headers: Record<string, string> = fault === '429' ? { 'retry-after': String(this.opts.faults.retryAfterSeconds) } : {};
      const message = fault === '500' ? CODES[provider].internalMessage : fault === '503' ? 'Please reduce your request rate.' : 'Rate exceeded.';
      this.send(res, provider, base.method, requestId, api.error(new ApiError(Number(fault), CODES[provider][fault], message, {}, headers), request));
      return;
    }
    const response = this.dispatch(api, provider, request);
    if (fault === 'corrupt-response') this.corruptResponse(base.method, response);
    if (fault === 'truncated') this.sendTruncated(res, provider, requestId, response);
    else if (fault === 'stall') this.sendStalled(res, provider, requestId, response);
    else this.send(res, provider, base.method, requestId, response);
  }

  private dispatch(api: ProviderApi, provider: FakeProvider, req: FakeRequest): FakeResponse {
    try {
      return api.handle(req);
    } catch (e) {
      try {
        if (e instanceof AuthFailure) return api.error(api.authError(e), req);
        if (e instanceof ApiError) return api.error(e, req);
        return api.error(new ApiError(500, CODES[provider][500], CODES[provider].internalMessage), req);
      } catch {
        return { status: 500, headers: { 'content-type': 'text/plain' }, body: 'internal error' };
      }
    }
  }

  /** Swaps the body for a copy with one flipped bit (never in place: bodies may be views of stored objects). */
  private corruptResponse(method: string, response: FakeResponse): void {
    if (method === 'HEAD' || response.status === 204 || response.status === 304 || response.body === undefined) return;
    const body = typeof response.body === 'string' ? Buffer.from(response.body) : response.body;
    const point = this.faultPlan.corruptionPoint();
    const flipped = flipByte(body, [[0, body.length]], point);
    if (!flipped) return;
    response.body = flipped.body;
    this.counters.faults['corrupt-response'] += 1;
  }

  private finalHeaders(provider: FakeProvider, requestId: string, response: FakeResponse): Record<string, string | string[]> {
    const headers: Record<string, string | string[]> = { ...response.headers };
    if (provider === 's3') {
      headers['x-amz-request-id'] = requestId;
      headers['x-amz-id-2'] = Buffer.from(requestId).toString('base64');
    } else if (provider === 'ec2' || provider === 'ecs') headers['x-amzn-requestid'] = requestId;
    else if (provider === 'google_storage') headers['x-guploader-uploadid'] = requestId;
    else if (provider === 'keystone' || provider === 'nova') headers['x-openstack-request-id'] = `req-${requestId.toLowerCase()}`;
    else if (provider === 'swift') headers['x-trans-id'] = headers['x-openstack-request-id'] = `tx${requestId.toLowerCase()}`;
    else if (provider === 'kubernetes') headers['audit-id'] = requestId.toLowerCase();
    else headers['x-request-id'] = requestId;
    return headers;
  }

  private send(res: ServerResponse, provider: FakeProvider, method: string, requestId: string, response: FakeResponse): void {
    const headers = this.finalHeaders(provider, requestId, response);
    const body = typeof response.body === 'string' ? Buffer.from(response.body) : response.body;
    const noBody = method === 'HEAD' || response.status === 204 || response.status === 304;
    if (!noBody) headers['content-length'] = String(body?.length ?? 0);
    else if (method !== 'HEAD') delete headers['content-length'];
    res.writeHead(response.status, headers);
    res.end(noBody ? undefined : body);
  }

  /** Sends the headers with a Content-Length larger than what follows, then closes the connection. */
  private sendTruncated(res: ServerResponse, provider: FakeProvider, requestId: string, response: FakeResponse): void {
    const headers = this.finalHeaders(provider, requestId, response);
    const body = typeof response.body === 'string' ? Buffer.from(response.body) : (response.body ?? Buffer.alloc(0));
    const declared = Math.max(body.length, 16);
    headers['content-length'] = String(declared);
    // No `Connection: close`: with it, undici reads until the socket ends and trips an assertion when its parser
    // is paused (a slow consumer). A cut keep-alive response is what a dropped connection looks like anyway.
    const status = response.status === 204 || response.status === 304 ? 200 : response.status;
    res.writeHead(status, headers);
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
  }

  /** Sends the headers and never the body; the connection is closed after `faults.stallMs`. */
  private sendStalled(res: ServerResponse, provider: FakeProvider, requestId: string, response: FakeResponse): void {
    const headers = this.finalHeaders(provider, requestId, response);
    const body = typeof response.body === 'string' ? Buffer.from(response.body) : (response.body ?? Buffer.alloc(0));
    headers['content-length'] = String(Math.max(body.length, 16));
    const status = response.status === 204 || response.status === 304 ? 200 : response.status;
    res.writeHead(status, headers);
    res.flushHeaders();
    const socket = res.socket;
    const t = setTimeout(() => {
      this.timers.delete(t);
      socket?.destroy();
    }, this.opts.faults.stallMs);
    this.timers.add(t);
    socket?.once('close', () => {
      clearTimeout(t);
      this.timers.delete(t);
    });
  }

  private nextRequestId(): string {
    this.requestCounter += 1;
    return `${randomUUID().slice(0, 8).toUpperCase()}${this.requestCounter.toString(16).toUpperCase().padStart(8, '0')}`;
  }
}

/**
 * Which provider a request is for: Kubernetes by its paths (unless AWS4/GOOG4-signed), then by its authentication
 * (AWS4 by the credential scope's service: `ec2`, `ecs`, else S3), then its shape for requests without
 * AWS4/GOOG4/Bearer authentication: Keystone (`/identity`), Nova (`/compute`), Glance (`/image`) and Cinder
 * (`/volume`) — tokens in `X-Auth-Token` —, so
 * an S3 bucket named `identity` still works.
 */
function classify(req: IncomingMessage, rawPath: string, query: URLSearchParams): FakeProvider {
  const auth = req.headers.authorization;
  const scheme = sniffScheme({ headers: req.headers, query });
  // Kubernetes (`/api`, `/apis`, `/version`) before DigitalOcean, which is also Bearer: DigitalOcean's paths
  // are all below `/v2/`. A signed S3 request to a bucket named `api` still goes to S3.
  if (!scheme && isKubernetesPath(rawPath)) return 'kubernetes';
  if (typeof auth === 'string' && /^Bearer\s/i.test(auth)) return 'digitalocean';
  if (scheme?.scheme === 'GOOG4') return 'google_storage';
  if (scheme) return scheme.service === 'ec2' ? 'ec2' : scheme.service === 'ecs' ? 'ecs' : 's3';
  if (isDockerPath(rawPath)) return 'docker';
  if (rawPath === KEYSTONE_PREFIX || rawPath.startsWith(`${KEYSTONE_PREFIX}/`)) return 'keystone';
  if ([COMPUTE_PREFIX, IMAGE_PREFIX, VOLUME_PREFIX].some((p) => rawPath === p || rawPath.startsWith(`${p}/`))) return 'nova';
  if (isSwiftPath(rawPath)) return 'swift';
  if (rawPath.startsWith('/v2/')) return 'digitalocean';
  const type = req.headers['content-type'] ?? '';
  if (query.has('Action') || (req.method === 'POST' && rawPath === '/' && /x-www-form-urlencoded/i.test(type))) return 'ec2';
  return 's3';
}

/**
 * Reads a body up to `limit` bytes: `'too-large'` beyond (the rest is drained, not stored), `'aborted'` when the
 * client went away before the end (a partial body must not be acted on).
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large' | 'aborted'> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) {
    req.resume();
    return Promise.resolve('too-large');
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      if (!over) chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', () => resolve('aborted'));
    req.on('close', () => resolve(req.complete ? (over ? 'too-large' : Buffer.concat(chunks)) : 'aborted'));
  });
}

/** Removes a socket file left by a server that did not close (never a regular file or directory). */
function removeStaleSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // nothing there
  }
}

function resetSocket(socket: Socket): void {
  const s = socket as Socket & { resetAndDestroy?: () => void };
  if (typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
  else socket.destroy();
}

function emptyStats(): { requests: number; byProvider: Record<FakeProvider, number>; faults: Record<FaultKind, number> } {
  return {
    requests: 0,
    byProvider: Object.fromEntries(FAKE_PROVIDERS.map((p) => [p, 0])) as Record<FakeProvider, number>,
    faults: Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>,
  };
}

/** Creates the fake cloud's server in this thread (not listening yet: call `listen()`). */
export function createFakeCloudServer(options: FakeCloudOptions = {}): FakeCloudServer {
  return new FakeCloudServer(options);
}
