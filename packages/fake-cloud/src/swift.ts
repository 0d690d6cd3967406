/**
 * OpenStack Swift (object storage) for the fake cloud: accounts, containers and objects under `/swift/v1/<account>`,
 * JSON (or plain) listings with `marker`/`limit`/`prefix`/`delimiter`, ETag checks on PUT (422), ranges and
 * `If-Match`, Static Large Objects (`?multipart-manifest=put|get|delete`, assembled at read time), account
 * metadata and temp URLs signed with the account's `X-Account-Meta-Temp-URL-Key`.
 *
 * Tokens (`X-Auth-Token`) come from the fake Keystone (v3, project-scoped: account `AUTH_<project id>`), from
 * Swift's v1.0 auth at `/auth/v1.0` (`X-Auth-User: <project>:<user>`, `X-Auth-Key: <password>`, as tempauth; account
 * `AUTH_<project>`) or from a Rackspace-style identity v2.0 at `/rackspace/v2.0/tokens` (API key = the Keystone
 * user's password; account `MossoCloudFS_<project>`, catalog service `cloudFiles` in ORD and DFW). All three use
 * the Keystone users of the credentials table.
 * @see https://docs.openstack.org/api-ref/object-store/
 * @module
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AuthFailure } from './auth.js';
import type { KeystoneApi } from './keystone.js';
import { parseRange } from './object-body.js';
import { compareKeys, ObjectStore, type StoredObject } from './object-store.js';
import type { KeystoneUser, ResolvedOptions } from './options.js';
import { ApiError, header, type FakeRequest, type FakeResponse } from './wire.js';

/** Where the storage API answers: `/swift/v1/<account>/<container>/<object>`. */
export const SWIFT_PREFIX = '/swift';
/** Swift's v1.0 auth (tempauth style). */
export const SWIFT_AUTH_PATH = '/auth/v1.0';
/** The Rackspace-style identity v2.0 (`POST <this>/tokens`). */
export const RACKSPACE_IDENTITY_PATH = '/rackspace/v2.0';
/** Regions of the Rackspace catalog's `cloudFiles` service. */
export const RACKSPACE_REGIONS: readonly string[] = ['ORD', 'DFW'];

/** Whether a request path belongs to the Swift emulation (storage, v1.0 auth or Rackspace identity). */
export function isSwiftPath(rawPath: string): boolean {
  return rawPath === SWIFT_AUTH_PATH || rawPath.startsWith(`${SWIFT_PREFIX}/`) || rawPath.startsWith(`${RACKSPACE_IDENTITY_PATH}/`) || rawPath === RACKSPACE_IDENTITY_PATH;
}

/** Swift's largest listing page. */
const MAX_LISTING = 10_000;
/** Swift's default limit on the segments of a manifest. */
const MAX_SEGMENTS = 1000;
const MAX_TOKENS = 100_000;
const STATUS_TEXT: Readonly<Record<number, [string, string]>> = {
  400: ['Bad Request', 'The server could not comply with the request since it is either malformed or otherwise incorrect.'],
  401: ['Unauthorized', 'This server could not verify that you are authorized to access the document you requested.'],
  403: ['Forbidden', 'Access was denied to this resource.'],
  404: ['Not Found', 'The resource could not be found.'],
  405: ['Method Not Allowed', 'The method is not allowed for this resource.'],
  409: ['Conflict', 'There was a conflict when trying to complete your request.'],
  411: ['Length Required', 'Length Required'],
  412: ['Precondition Failed', 'A precondition for this request was not met.'],
  413: ['Request Entity Too Large', 'The body of your request was too large for this server.'],
  416: ['Requested Range Not Satisfiable', 'The Range requested is not available.'],
  422: ['Unprocessable Entity', 'Unable to process the contained instructions'],
  429: ['Too Many Requests', 'Too Many Requests'],
  500: ['Internal Error', 'The server has either erred or is incapable of performing the requested operation.'],
  503: ['Service Unavailable', 'The server is currently unavailable. Please try again at a later time.'],
};

/** Where S3-style store errors land in Swift's statuses. */
const STORE_STATUS: Readonly<Record<string, number>> = { EntityTooLarge: 413, TooManyBuckets: 403, InvalidRange: 416 };

interface SwiftToken {
  readonly account: string;
  readonly expiresAt: number;
}

/** A parsed storage path. */
interface Target {
  readonly account: string;
  readonly container?: string;
  readonly object?: string;
}

/** One segment of a stored SLO manifest. */
interface ManifestSegment {
  readonly name: string;
  readonly hash: string;
  readonly bytes: number;
}

const SLO_FLAG = 'x-static-large-object';
const SLO_ETAG = 'x-object-sysmeta-slo-etag';
const SLO_SIZE = 'x-object-sysmeta-slo-size';
const DIGEST_LENGTHS: Readonly<Record<number, 'sha1' | 'sha256' | 'sha512'>> = { 40: 'sha1', 64: 'sha256', 128: 'sha512' };

function md5Hex(data: Buffer | string): string {
  return createHash('md5').update(data).digest('hex');
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function unquote(etag: string): string {
  return etag.trim().replace(/^"(.*)"$/, '$1');
}

/** Swift's listing timestamp: ISO 8601 with microseconds and no zone. */
function listingTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000');
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError(400, 'BadRequest', 'Invalid UTF8 or contains NULL');
  }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): FakeResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) };
}

/** The Swift emulator. */
export class SwiftApi {
  /** One object store per account. */
  private readonly accounts = new Map<string, ObjectStore>();
  private readonly accountMeta = new Map<string, Record<string, string>>();
  private readonly tokens = new Map<string, SwiftToken>();

  constructor(
    private readonly options: () => ResolvedOptions,
    private readonly keystone: KeystoneApi,
  ) {}

  /** Handles a request under `/swift/`, `/auth/v1.0` or `/rackspace/v2.0`. */
  handle(req: FakeRequest): FakeResponse {
    if (req.rawPath === SWIFT_AUTH_PATH) return this.authV1(req);
    if (req.rawPath.startsWith(RACKSPACE_IDENTITY_PATH)) return this.rackspaceTokens(req);
    const t = this.target(req.rawPath);
    const tempUrl = t.object !== undefined && req.query.has('temp_url_sig') && req.query.has('temp_url_expires');
    if (tempUrl) this.checkTempUrl(req, t);
    else this.authorize(req, t);
    if (t.container === undefined) return this.account(req, t);
    if (t.object === undefined) return this.container(req, t);
    return this.object(req, t);
  }

  /** Swift's error: a short HTML page (none for HEAD) with the status. */
  error(e: ApiError, req: FakeRequest): FakeResponse {
    const status = STORE_STATUS[e.code] ?? e.status;
    const [title, text] = STATUS_TEXT[status] ?? [e.code, e.message];
    const headers: Record<string, string> = { 'content-type': 'text/html; charset=UTF-8', ...e.headers };
    if (status === 401) headers['www-authenticate'] = `Swift realm="${encodeURIComponent(this.safeAccount(req.rawPath) ?? 'unknown')}"`;
    if (req.method === 'HEAD') return { status, headers };
    const detail = e.message && e.message !== text && status < 500 ? `<p>${escapeHtml(e.message)}</p>` : '';
    return { status, headers, body: `<html><h1>${title}</h1><p>${text}</p>${detail}</html>` };
  }

  /** Every authentication failure is a 401. */
  authError(_e: AuthFailure): ApiError {
    return new ApiError(401, 'Unauthorized', 'Unauthorized');
  }

  /** Forgets every account, object and token. */
  clear(): void {
    this.accounts.clear();
    this.accountMeta.clear();
    this.tokens.clear();
  }

  // ---- authentication ---------------------------------------------------------------------------------

  private users(): readonly KeystoneUser[] {
    return this.options().credentials.keystone;
  }

  private issue(account: string, now: number): { id: string; expiresAt: number } {
    if (this.tokens.size >= MAX_TOKENS) {
      for (const [id, t] of this.tokens) if (t.expiresAt <= now || this.tokens.size >= MAX_TOKENS) this.tokens.delete(id);
    }
    const id = `AUTH_tk${randomBytes(16).toString('hex')}`;
    const expiresAt = now + this.options().tokenTtlMs;
    this.tokens.set(id, { account, expiresAt });
    return { id, expiresAt };
  }

  /** `GET /auth/v1.0` with `X-Auth-User: <project>:<user>` and `X-Auth-Key` (also `X-Storage-User` / `-Pass`). */
  private authV1(req: FakeRequest): FakeResponse {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new ApiError(405, 'MethodNotAllowed', 'The method is not allowed for this resource.');
    const who = header(req, 'x-auth-user') ?? header(req, 'x-storage-user') ?? '';
    const key = header(req, 'x-auth-key') ?? header(req, 'x-storage-pass') ?? '';
    const colon = who.indexOf(':');
    const project = colon < 0 ? '' : who.slice(0, colon);
    const username = colon < 0 ? who : who.slice(colon + 1);
    const user = this.users().find((u) => u.project === project && u.username === username && sameSecret(u.password, key));
    if (!user) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
    const account = `AUTH_${project}`;
    const token = this.issue(account, req.now);
    return {
      status: 200,
      headers: {
        'content-type': 'text/html; charset=UTF-8',
        'x-auth-token': token.id,
        'x-storage-token': token.id,
        'x-auth-token-expires': String(Math.max(0, Math.floor((token.expiresAt - req.now) / 1000))),
        'x-storage-url': `http://${req.host}${SWIFT_PREFIX}/v1/${account}`,
      },
      body: '',
    };
  }

  /** `POST /rackspace/v2.0/tokens` with `RAX-KSKEY:apiKeyCredentials` (or `passwordCredentials`). */
  private rackspaceTokens(req: FakeRequest): FakeResponse {
    if (req.rawPath.replace(/\/+$/, '') !== `${RACKSPACE_IDENTITY_PATH}/tokens`) throw new ApiError(404, 'NotFound', 'The resource could not be found.');
    if (req.method !== 'POST') throw new ApiError(405, 'MethodNotAllowed', 'The method is not allowed for this resource.');
    let doc: any;
    try {
      doc = JSON.parse(req.body.toString('utf8'));
    } catch {
      return json(400, { badRequest: { code: 400, message: 'Invalid json request body' } });
    }
    const apiKey = doc?.auth?.['RAX-KSKEY:apiKeyCredentials'];
    const password = doc?.auth?.passwordCredentials;
    const username = apiKey?.username ?? password?.username;
    const secret = apiKey?.apiKey ?? password?.password;
    const user = typeof username === 'string' && typeof secret === 'string' ? this.users().find((u) => u.username === username && sameSecret(u.password, secret)) : undefined;
    if (!user) return json(401, { unauthorized: { code: 401, message: 'Username or api key is invalid.' } });
    const tenant = `MossoCloudFS_${user.project}`;
    const token = this.issue(tenant, req.now);
    const storage = `http://${req.host}${SWIFT_PREFIX}/v1/${tenant}`;
    const endpoints = RACKSPACE_REGIONS.map((region) => ({ region, tenantId: tenant, publicURL: storage, internalURL: storage }));
    return json(200, {
      access: {
        token: { id: token.id, expires: new Date(token.expiresAt).toISOString(), tenant: { id: user.project, name: user.project }, 'RAX-AUTH:authenticatedBy': [apiKey ? 'APIKEY' : 'PASSWORD'] },
        serviceCatalog: [
          { name: 'cloudFiles', type: 'object-store', endpoints },
          { name: 'cloudFilesCDN', type: 'rax:object-cdn', endpoints: RACKSPACE_REGIONS.map((region) => ({ region, tenantId: tenant, publicURL: `http://${req.host}/cdn/v1/${tenant}` })) },
        ],
        user: { id: createHash('sha256').update(user.username).digest('hex').slice(0, 6), name: user.username, 'RAX-AUTH:defaultRegion': RACKSPACE_REGIONS[0], roles: [{ id: '3', name: 'identity:user-admin' }] },
      },
    });
  }

  /** The account a valid `X-Auth-Token` may use (Keystone v3 project tokens or the tokens issued here). */
  private tokenAccount(id: string | undefined, now: number): string | undefined {
    if (!id) return undefined;
    const own = this.tokens.get(id);
    if (own) {
      if (own.expiresAt > now) return own.account;
      this.tokens.delete(id);
      return undefined;
    }
    const project = this.keystone.projectOf(id, now);
    return project ? `AUTH_${project}` : undefined;
  }

  private authorize(req: FakeRequest, t: Target): void {
    const account = this.tokenAccount(header(req, 'x-auth-token') ?? header(req, 'x-storage-token'), req.now);
    if (!account) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
    if (account !== t.account) throw new ApiError(403, 'Forbidden', 'Access was denied to this resource.');
  }

  /** Validates a temp URL against the account's keys (401 when expired, tampered or for another method). */
  private checkTempUrl(req: FakeRequest, t: Target): void {
    const refuse = (why: string): never => {
      throw new ApiError(401, 'Unauthorized', `Temp URL invalid: ${why}`);
    };
    const expiresText = req.query.get('temp_url_expires') ?? '';
    const expires = /^\d+$/.test(expiresText) ? Number(expiresText) : NaN;
    if (!Number.isFinite(expires)) refuse('bad temp_url_expires');
    if (expires * 1000 < req.now) refuse('expired');
    let signature = req.query.get('temp_url_sig') ?? '';
    let digest: 'sha1' | 'sha256' | 'sha512' | undefined;
    const prefixed = /^(sha1|sha256|sha512):(.+)$/.exec(signature);
    if (prefixed) {
      digest = prefixed[1] as 'sha1' | 'sha256' | 'sha512';
      signature = Buffer.from(prefixed[2]!.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('hex');
    } else digest = DIGEST_LENGTHS[signature.length];
    if (!digest || !/^[0-9a-f]+$/i.test(signature)) refuse('unsupported signature');
    const method = req.method === 'HEAD' ? ['HEAD', 'GET', 'PUT'] : [req.method];
    // The whole request path, as clients sign it (Libcloud and dualcloud sign the storage URL's path plus the
    // object's; the fake serves Swift below /swift, so that prefix is part of it).
    const path = decode(req.rawPath);
    const meta = this.accountMeta.get(t.account) ?? {};
    const keys = [meta['x-account-meta-temp-url-key'], meta['x-account-meta-temp-url-key-2']].filter((k): k is string => !!k);
    const ok = keys.some((key) =>
      method.some((m) => sameSecret(createHmac(digest!, key).update(`${m}\n${expiresText}\n${path}`).digest('hex'), signature.toLowerCase())),
    );
    if (!ok) refuse('signature does not match');
  }

  // ---- paths --------------------------------------------------------------------------------------------

  private target(rawPath: string): Target {
    const rest = rawPath.slice(SWIFT_PREFIX.length + 1); // after "/swift/"
    const m = /^v1\/([^/]+)(?:\/([^/]*)(?:\/(.*))?)?$/.exec(rest);
    if (!m) throw new ApiError(404, 'NotFound', 'The resource could not be found.');
    const account = decode(m[1]!);
    const container = m[2] === undefined || m[2] === '' ? undefined : decode(m[2]);
    const object = container === undefined || m[3] === undefined || m[3] === '' ? undefined : decode(m[3]);
    if (container !== undefined && (Buffer.byteLength(container) > 256 || container.includes('\0'))) throw new ApiError(400, 'BadRequest', 'Container name length of 257 longer than 256');
    if (object !== undefined && (Buffer.byteLength(object) > 1024 || object.includes('\0'))) throw new ApiError(400, 'BadRequest', 'Object name length of 1025 longer than 1024');
    return { account, ...(container !== undefined ? { container } : {}), ...(object !== undefined ? { object } : {}) };
  }

  private safeAccount(rawPath: string): string | undefined {
    return /^\/swift\/v1\/([^/]+)/.exec(rawPath)?.[1];
  }

  private store(account: string): ObjectStore {
    let store = this.accounts.get(account);
    if (!store) {
      store = new ObjectStore(() => this.options());
      this.accounts.set(account, store);
    }
    return store;
  }

  // ---- account ------------------------------------------------------------------------------------------

  private account(req: FakeRequest, t: Target): FakeResponse {
    const store = this.store(t.account);
    const meta = this.accountMeta.get(t.account) ?? {};
    const stats = (): Record<string, string> => {
      let objects = 0;
      let bytes = 0;
      for (const b of store.buckets.values()) for (const o of b.objects.values()) (objects += 1), (bytes += this.sizeOf(o));
      return {
        'x-account-container-count': String(store.buckets.size),
        'x-account-object-count': String(objects),
        'x-account-bytes-used': String(bytes),
        'x-timestamp': (req.now / 1000).toFixed(5),
        ...meta,
      };
    };
    switch (req.method) {
      case 'HEAD':
        return { status: 204, headers: { 'content-type': 'text/plain; charset=utf-8', ...stats() } };
      case 'GET': {
        const names = [...store.buckets.values()].sort((a, b) => compareKeys(a.name, b.name));
        const { limit, marker, prefix } = this.listingArgs(req);
        const page = names.filter((b) => compareKeys(b.name, marker) > 0 && b.name.startsWith(prefix)).slice(0, limit);
        const entries = page.map((b) => {
          let bytes = 0;
          for (const o of b.objects.values()) bytes += this.sizeOf(o);
          return { name: b.name, count: b.objects.size, bytes, last_modified: listingTime(b.created) };
        });
        return this.listingResponse(req, entries, entries.map((e) => e.name), stats());
      }
      case 'POST': {
        const next = { ...meta };
        for (const [name, value] of Object.entries(req.headers)) {
          if (!name.startsWith('x-account-meta-') && !name.startsWith('x-remove-account-meta-')) continue;
          const v = Array.isArray(value) ? value.join(',') : (value ?? '');
          if (name.startsWith('x-remove-')) delete next[`x-account-meta-${name.slice('x-remove-account-meta-'.length)}`];
          else if (v === '') delete next[name];
          else next[name] = v;
        }
        this.accountMeta.set(t.account, next);
        return { status: 204, headers: {} };
      }
      default:
        throw new ApiError(405, 'MethodNotAllowed', 'The method is not allowed for this resource.');
    }
  }

  private listingArgs(req: FakeRequest): { limit: number; marker: string; prefix: string; delimiter: string } {
    const limitText = req.query.get('limit');
    const limit = limitText === null ? MAX_LISTING : Number(limitText);
    if (!Number.isInteger(limit) || limit < 0) throw new ApiError(400, 'BadRequest', 'Value of limit must be a positive integer');
    if (limit > MAX_LISTING) throw new ApiError(412, 'PreconditionFailed', `Maximum limit is ${MAX_LISTING}`);
    const delimiter = req.query.get('delimiter') ?? '';
    if (delimiter.length > 1) throw new ApiError(412, 'PreconditionFailed', 'Bad delimiter');
    return { limit, marker: req.query.get('marker') ?? '', prefix: req.query.get('prefix') ?? '', delimiter };
  }

  /** JSON with `format=json` (or `Accept: application/json`), else one name per line; 204 when plain and empty. */
  private listingResponse(req: FakeRequest, entries: unknown[], names: string[], headers: Record<string, string>): FakeResponse {
    const wantsJson = req.query.get('format') === 'json' || /application\/json/.test(header(req, 'accept') ?? '');
    if (wantsJson) return { ...json(200, entries, headers), ...(req.method === 'HEAD' ? { body: undefined } : {}) };
    if (names.length === 0) return { status: 204, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers } };
    return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body: names.map((n) => `${n}\n`).join('') };
  }

  // ---- containers ---------------------------------------------------------------------------------------

  private container(req: FakeRequest, t: Target): FakeResponse {
    const store = this.store(t.account);
    const name = t.container!;
    switch (req.method) {
      case 'PUT': {
        if (store.buckets.has(name)) return { status: 202, headers: { 'content-type': 'text/html; charset=UTF-8' }, body: '<html><h1>Accepted</h1><p>The request is accepted for processing.</p></html>' };
        store.createBucket(name, 'RegionOne', req.now);
        return { status: 201, headers: { 'content-type': 'text/html; charset=UTF-8' }, body: '' };
      }
      case 'HEAD':
      case 'GET': {
        const bucket = store.buckets.get(name);
        if (!bucket) throw new ApiError(404, 'NotFound', 'The resource could not be found.');
        let bytes = 0;
        for (const o of bucket.objects.values()) bytes += this.sizeOf(o);
        const headers = {
          'x-container-object-count': String(bucket.objects.size),
          'x-container-bytes-used': String(bytes),
          'x-storage-policy': 'Policy-0',
          'x-timestamp': (bucket.created.getTime() / 1000).toFixed(5),
        };
        if (req.method === 'HEAD') return { status: 204, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers } };
        const { limit, marker, prefix, delimiter } = this.listingArgs(req);
        const { entries } = store.list(name, { prefix, delimiter, maxKeys: limit, after: marker });
        const listed = entries.map((e) => (e.kind === 'prefix' ? { subdir: e.prefix } : this.listingEntry(e.object)));
        return this.listingResponse(req, listed, entries.map((e) => (e.kind === 'prefix' ? e.prefix : e.object.key)), headers);
      }
      case 'DELETE': {
        if (!store.buckets.has(name)) throw new ApiError(404, 'NotFound', 'The resource could not be found.');
        store.deleteBucket(name); // 409 when not empty
        return { status: 204, headers: {} };
      }
      case 'POST':
        if (!store.buckets.has(name)) throw new ApiError(404, 'NotFound', 'The resource could not be found.');
        return { status: 204, headers: {} };
      default:
        throw new ApiError(405, 'MethodNotAllowed', 'The method is not allowed for this resource.');
    }
  }

  private isSlo(o: StoredObject): boolean {
    return o.headers[SLO_FLAG] === 'True';
  }

  /** The size an object reads as (an SLO's is the sum of its segments). */
  private sizeOf(o: StoredObject): number {
    return this.isSlo(o) ? Number(o.headers[SLO_SIZE]) : o.data.length;
  }

  /** The ETag an object reads with: a plain object's MD5; an SLO's quoted MD5 of its segments' ETags. */
  private etagOf(o: StoredObject): string {
    return this.isSlo(o) ? `"${o.headers[SLO_ETAG]}"` : unquote(o.etag);
  }

  private listingEntry(o: StoredObject): Record<string, unknown> {
    const entry: Record<string, unknown> = { bytes: this.sizeOf(o), hash: unquote(o.etag), name: o.key, content_type: o.contentType, last_modified: listingTime(o.lastModified) };
    if (this.isSlo(o)) entry.slo_etag = this.etagOf(o);
    return entry;
  }

  // ---- objects ------------------------------------------------------------------------------------------

  private object(req: FakeRequest, t: Target): FakeResponse {
    switch (req.method) {
      case 'PUT':
        return req.query.get('multipart-manifest') === 'put' ? this.putManifest(req, t) : this.putObject(req, t);
      case 'GET':
      case 'HEAD':
        return this.getObject(req, t);
      case 'DELETE':
        return req.query.get('multipart-manifest') === 'delete' ? this.deleteSlo(req, t) : this.deleteObject(t);
      case 'POST': {
        const o = this.stored(t);
        const meta: Record<string, string> = {};
        for (const [name, value] of Object.entries(req.headers)) if (name.startsWith('x-object-meta-')) meta[name.slice('x-object-meta-'.length)] = String(value);
        this.store(t.account).putObject(t.container!, t.object!, o.data, { contentType: header(req, 'content-type') ?? o.contentType, headers: o.headers, metadata: meta }, req.now);
        return { status: 202, headers: {} };
      }
      default:
        throw new ApiError(405, 'MethodNotAllowed', 'The method is not allowed for this resource.');
    }
  }

  private stored(t: Target): StoredObject {
    const bucket = this.store(t.account).buckets.get(t.container!);
    const o = bucket?.objects.get(t.object!);
    if (!o) throw new ApiError(404, 'NotFound', 'The resource could not be found.');
    return o;
  }

  private meta(req: FakeRequest, extra: Record<string, string> = {}): { contentType: string; headers: Record<string, string>; metadata: Record<string, string> } {
    const metadata: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (name.startsWith('x-object-meta-') && value !== undefined) metadata[name.slice('x-object-meta-'.length)] = Array.isArray(value) ? value.join(',') : value;
    }
    return { contentType: header(req, 'content-type') ?? 'application/octet-stream', headers: extra, metadata };
  }

  private requireContainer(t: Target): void {
    if (!this.store(t.account).buckets.has(t.container!)) throw new ApiError(404, 'NotFound', 'The resource could not be found.');
  }

  /** PUT: 422 when `ETag` is not the MD5 of the bytes received (unless `verifyContentMd5` is off), 201 with the MD5. */
  private putObject(req: FakeRequest, t: Target): FakeResponse {
    this.requireContainer(t);
    const declared = header(req, 'content-length');
    if (declared === undefined && !/chunked/i.test(header(req, 'transfer-encoding') ?? '')) throw new ApiError(411, 'LengthRequired', 'Missing Content-Length header.');
    const md5 = md5Hex(req.body);
    const etag = header(req, 'etag');
    if (etag !== undefined && this.options().verifyContentMd5 && unquote(etag).toLowerCase() !== md5) throw new ApiError(422, 'UnprocessableEntity', 'Unable to process the contained instructions');
    const o = this.store(t.account).putObject(t.container!, t.object!, req.body, this.meta(req), req.now);
    return { status: 201, headers: { 'content-type': 'text/html; charset=UTF-8', etag: md5, 'last-modified': o.lastModified.toUTCString() }, body: '' };
  }

  /** `?multipart-manifest=put`: checks every segment (exists, ETag, size), the `ETag` of the whole, then stores. */
  private putManifest(req: FakeRequest, t: Target): FakeResponse {
    this.requireContainer(t);
    let doc: unknown;
    try {
      doc = JSON.parse(req.body.toString('utf8'));
    } catch {
      throw new ApiError(400, 'BadRequest', 'Manifest must be valid JSON.');
    }
    if (!Array.isArray(doc) || doc.length === 0) throw new ApiError(400, 'BadRequest', 'Manifest must be a list of at least one segment.');
    if (doc.length > MAX_SEGMENTS) throw new ApiError(413, 'EntityTooLarge', `Number of segments must be <= ${MAX_SEGMENTS}`);
    const errors: string[] = [];
    const segments: ManifestSegment[] = [];
    for (const [i, item] of doc.entries()) {
      const seg = item as Record<string, unknown> | null;
      const path = typeof seg?.path === 'string' ? seg.path : undefined;
      const m = path ? /^\/?([^/]+)\/(.+)$/.exec(path) : null;
      if (!m) {
        errors.push(`Index ${i}: path does not refer to an object.`);
        continue;
      }
      const o = this.store(t.account).buckets.get(m[1]!)?.objects.get(m[2]!);
      if (!o) {
        errors.push(`${path}: 404 Not Found`);
        continue;
      }
      const hash = this.isSlo(o) ? o.headers[SLO_ETAG]! : unquote(o.etag);
      const size = this.sizeOf(o);
      if (seg!.etag !== undefined && seg!.etag !== null && unquote(String(seg!.etag)).toLowerCase() !== hash) errors.push(`${path}: Etag Mismatch`);
      if (seg!.size_bytes !== undefined && seg!.size_bytes !== null && Number(seg!.size_bytes) !== size) errors.push(`${path}: Size Mismatch`);
      segments.push({ name: `/${m[1]}/${m[2]}`, hash, bytes: size });
    }
    if (errors.length > 0) throw new ApiError(400, 'BadRequest', `Errors: ${errors.join(', ')}`);
    const sloEtag = md5Hex(segments.map((s) => s.hash).join(''));
    const given = header(req, 'etag');
    if (given !== undefined && unquote(given).toLowerCase() !== sloEtag) throw new ApiError(422, 'UnprocessableEntity', 'Unable to process the contained instructions');
    const total = segments.reduce((n, s) => n + s.bytes, 0);
    const manifest = Buffer.from(JSON.stringify(segments));
    const o = this.store(t.account).putObject(t.container!, t.object!, manifest, this.meta(req, { [SLO_FLAG]: 'True', [SLO_ETAG]: sloEtag, [SLO_SIZE]: String(total) }), req.now);
    return { status: 201, headers: { 'content-type': 'text/html; charset=UTF-8', etag: `"${sloEtag}"`, 'last-modified': o.lastModified.toUTCString() }, body: '' };
  }

  /** An SLO's bytes, assembled from its segments now (409 when one is gone or changed). */
  private assemble(account: string, o: StoredObject): Buffer {
    const segments = JSON.parse(o.data.toString('utf8')) as ManifestSegment[];
    const parts: Buffer[] = [];
    for (const s of segments) {
      const m = /^\/([^/]+)\/(.+)$/.exec(s.name)!;
      const seg = this.store(account).buckets.get(m[1]!)?.objects.get(m[2]!);
      if (!seg || (this.isSlo(seg) ? seg.headers[SLO_ETAG] : unquote(seg.etag)) !== s.hash) throw new ApiError(409, 'Conflict', `Object segment no longer valid: ${s.name}`);
      parts.push(this.isSlo(seg) ? this.assemble(account, seg) : seg.data);
    }
    return Buffer.concat(parts);
  }

  private getObject(req: FakeRequest, t: Target): FakeResponse {
    const o = this.stored(t);
    const slo = this.isSlo(o);
    const asManifest = slo && req.query.get('multipart-manifest') === 'get';
    const etag = asManifest ? unquote(o.etag) : this.etagOf(o);
    const headers: Record<string, string> = {
      'content-type': asManifest ? 'application/json; charset=utf-8' : o.contentType,
      etag,
      'last-modified': o.lastModified.toUTCString(),
      'x-timestamp': (o.lastModified.getTime() / 1000).toFixed(5),
      'accept-ranges': 'bytes',
    };
    if (slo) {
      headers['x-static-large-object'] = 'True';
      if (!asManifest) headers['x-manifest-etag'] = unquote(o.etag);
    }
    for (const [k, v] of Object.entries(o.metadata)) headers[`x-object-meta-${k}`] = v;
    const ifMatch = header(req, 'if-match');
    if (ifMatch !== undefined && !matches(ifMatch, etag)) throw new ApiError(412, 'PreconditionFailed', 'A precondition for this request was not met.');
    const ifNoneMatch = header(req, 'if-none-match');
    if (ifNoneMatch !== undefined && matches(ifNoneMatch, etag)) return { status: 304, headers: { etag, 'last-modified': headers['last-modified']! } };
    const size = asManifest ? o.data.length : this.sizeOf(o);
    if (req.method === 'HEAD') return { status: 200, headers: { ...headers, 'content-length': String(size) } };
    const data = slo && !asManifest ? this.assemble(t.account, o) : o.data;
    const range = parseRange(header(req, 'range'), data.length);
    if (!range) return { status: 200, headers: { ...headers, 'content-length': String(data.length) }, body: data };
    const slice = data.subarray(range.start, range.end + 1);
    return { status: 206, headers: { ...headers, 'content-length': String(slice.length), 'content-range': `bytes ${range.start}-${range.end}/${data.length}` }, body: slice };
  }

  private deleteObject(t: Target): FakeResponse {
    this.requireContainer(t);
    if (!this.store(t.account).deleteObject(t.container!, t.object!)) throw new ApiError(404, 'NotFound', 'The resource could not be found.');
    return { status: 204, headers: { 'content-type': 'text/html; charset=UTF-8' } };
  }

  /** `?multipart-manifest=delete`: the manifest and its segments; a report (JSON or text) with status 200. */
  private deleteSlo(req: FakeRequest, t: Target): FakeResponse {
    const report = { status: '200 OK', deleted: 0, notFound: 0, errors: [] as Array<[string, string]> };
    const store = this.store(t.account);
    const o = store.buckets.get(t.container!)?.objects.get(t.object!);
    if (!o) report.notFound += 1;
    else if (!this.isSlo(o)) {
      report.status = '400 Bad Request';
      report.errors.push([`/${t.container}/${t.object}`, 'Not an SLO manifest']);
    } else {
      for (const s of JSON.parse(o.data.toString('utf8')) as ManifestSegment[]) {
        const m = /^\/([^/]+)\/(.+)$/.exec(s.name)!;
        if (store.buckets.has(m[1]!) && store.deleteObject(m[1]!, m[2]!)) report.deleted += 1;
        else report.notFound += 1;
      }
      store.deleteObject(t.container!, t.object!);
      report.deleted += 1;
    }
    const body = { 'Response Status': report.status, 'Response Body': '', 'Number Deleted': report.deleted, 'Number Not Found': report.notFound, Errors: report.errors };
    if (/application\/json/.test(header(req, 'accept') ?? '')) return json(200, body);
    const text = `Number Deleted: ${report.deleted}\nNumber Not Found: ${report.notFound}\nResponse Body: \nResponse Status: ${report.status}\nErrors:\n${report.errors.map(([p, e]) => `${p}, ${e}\n`).join('')}`;
    return { status: 200, headers: { 'content-type': 'text/plain' }, body: text };
  }
}

/** Whether an `If-Match` / `If-None-Match` list names `etag` (quotes optional, `*` matches anything). */
function matches(list: string, etag: string): boolean {
  const bare = unquote(etag);
  return list.split(',').some((tag) => {
    const t = unquote(tag.trim().replace(/^W\//, ''));
    return t === '*' || t === bare;
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
