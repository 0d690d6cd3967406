/**
 * OpenStack Compute (Nova API v2.1) under `/compute` and the Image service (Glance v2) under `/image`,
 * authenticated by the `X-Auth-Token`s the fake Keystone issues: servers with their state machine (BUILD →
 * ACTIVE, reboot → REBOOT / HARD_REBOOT → ACTIVE, os-stop → SHUTOFF, os-start → ACTIVE, delete), flavors,
 * availability zones, the compute API's image proxy, `limit` / `marker` paging with `<collection>_links`,
 * microversion negotiation, and Nova's error documents (`{"itemNotFound": {"code": 404, "message": …}}`).
 * Servers are kept per project and region (Rackspace's regions have their own). Also key pairs (`os-keypairs`, per
 * user, generated with a private key or imported), volume attachments (`os-volume_attachments`), the `createImage`
 * action (a Glance image `queued` → `saving` → `active`, deletable), and Cinder v3 under `/volume/v3/<project>`
 * (volumes `creating` → `available` → `attaching` → `in-use` → `detaching` → `available`, snapshots).
 * @see https://docs.openstack.org/api-ref/block-storage/v3/
 * @see https://docs.openstack.org/api-ref/compute/
 * @see https://docs.openstack.org/api-ref/image/v2/
 * @module
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { generateSshKeyPair, parseSshPublicKey, sshFingerprint } from '@dualcloud/core';
import type { AuthFailure } from './auth.js';
import type { KeystoneApi, Token } from './keystone.js';
import { COMPUTE_PREFIX, FLAVORS, IMAGE_PREFIX, IMAGES, NETWORKS, OPENSTACK_REGION, RACKSPACE_REGIONS, VOLUME_PREFIX, VOLUME_TYPES, ZONES, type Flavor, type Image } from './nova-catalog.js';
import type { ResolvedOptions } from './options.js';
import { ApiError, header, type FakeRequest, type FakeResponse } from './wire.js';

/** The microversions this Nova speaks (as a 2024 Nova: 2.1 to 2.96). */
export const NOVA_MIN_MICROVERSION = 1;
export const NOVA_MAX_MICROVERSION = 96;
/** Nova's `max_limit`: the largest page. */
const MAX_LIMIT = 1000;
/** Glance's default and largest page. */
const GLANCE_DEFAULT_LIMIT = 25;

type Status = 'BUILD' | 'ACTIVE' | 'REBOOT' | 'HARD_REBOOT' | 'SHUTOFF';

interface Server {
  readonly id: string;
  readonly seq: number;
  readonly name: string;
  readonly region: string;
  readonly projectId: string;
  readonly userId: string;
  readonly flavor: Flavor;
  readonly image: Image;
  readonly zone: string;
  readonly keyName: string | null;
  readonly metadata: Record<string, string>;
  readonly securityGroups: readonly string[];
  readonly network: string;
  readonly diskConfig: 'AUTO' | 'MANUAL';
  readonly configDrive: boolean;
  readonly created: number;
  readonly hostNumber: number;
  updated: number;
  status: Status;
  taskState: string | null;
  /** The status reached when the current transition completes, and when. */
  pending?: { readonly status: Status; readonly at: number };
  launchedAt?: number;
}

type VolumeStatus = 'creating' | 'available' | 'attaching' | 'in-use' | 'detaching';

/** A Cinder volume, with its Nova attachment when attached. */
interface Volume {
  readonly id: string;
  readonly seq: number;
  readonly name: string;
  readonly description: string | null;
  readonly size: number;
  readonly zone: string;
  readonly projectId: string;
  readonly userId: string;
  readonly volumeType: string;
  readonly snapshotId: string | null;
  readonly metadata: Record<string, string>;
  readonly created: number;
  updated: number;
  status: VolumeStatus;
  pending?: { readonly status: VolumeStatus; readonly at: number };
  attachment?: { readonly serverId: string; readonly attachmentId: string; readonly device: string; readonly at: number };
}

/** A Cinder snapshot. */
interface Snapshot {
  readonly id: string;
  readonly seq: number;
  readonly volumeId: string;
  readonly name: string | null;
  readonly description: string | null;
  readonly size: number;
  readonly projectId: string;
  readonly created: number;
  status: 'creating' | 'available';
  readyAt: number;
}

/** A Nova key pair (per user). */
interface StoredKeyPair {
  readonly id: number;
  readonly name: string;
  readonly userId: string;
  readonly publicKey: string;
  readonly fingerprint: string;
  readonly type: string;
  readonly created: number;
}

/** An image made by a server's `createImage` action: Glance's `queued` → `saving` → `active`. */
interface ServerImage extends Image {
  readonly projectId: string;
  readonly serverId: string;
  readonly baseImageRef: string;
  readonly properties: Record<string, string>;
  readonly created: number;
  readonly savingAt: number;
  readonly activeAt: number;
}

/** Nova's name for an error status (`nova.api.openstack.wsgi.Fault._fault_names`). */
const FAULT_NAMES: Readonly<Record<number, string>> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'itemNotFound',
  405: 'badMethod',
  409: 'conflictingRequest',
  413: 'overLimit',
  415: 'badMediaType',
  429: 'overLimit',
  501: 'notImplemented',
  503: 'serviceUnavailable',
};

const STATUS_TEXT: Readonly<Record<number, string>> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 413: 'Request Entity Too Large', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' };

/** `vm_state` and `power_state` of each status when no task runs. */
const VM_STATE: Readonly<Record<Status, string>> = { BUILD: 'building', ACTIVE: 'active', REBOOT: 'active', HARD_REBOOT: 'active', SHUTOFF: 'stopped' };

function badRequest(message: string): ApiError {
  return new ApiError(400, 'badRequest', message);
}

function conflict(message: string): ApiError {
  return new ApiError(409, 'conflictingRequest', message);
}

function unauthorized(): ApiError {
  return new ApiError(401, 'unauthorized', 'The request you have made requires authentication.');
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Nova's timestamps: seconds, `Z`. */
function novaTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The parsed target of a compute request. */
interface ComputeTarget {
  readonly region: string;
  readonly project?: string;
  /** Path below the version root (`/servers/detail`), `''` for the root itself. */
  readonly route: string;
  /** `http://host/compute[/REGION]/v2.1[/project]`, for links. */
  readonly base: string;
}

/** The Nova and Glance emulator. */
export class NovaApi {
  private readonly servers = new Map<string, Server>();
  private seq = 0;
  private readonly volumes = new Map<string, Volume>();
  private readonly snapshots = new Map<string, Snapshot>();
  /** Key pairs by `userId/name`. */
  private readonly keyPairs = new Map<string, StoredKeyPair>();
  private keyPairSeq = 0;
  /** Images made by `createImage`, newest last. */
  private readonly serverImages = new Map<string, ServerImage>();

  constructor(
    private readonly options: () => ResolvedOptions,
    private readonly keystone: KeystoneApi,
  ) {}

  /** Handles one request under {@link COMPUTE_PREFIX} or {@link IMAGE_PREFIX}. */
  handle(req: FakeRequest): FakeResponse {
    if (req.rawPath === IMAGE_PREFIX || req.rawPath.startsWith(`${IMAGE_PREFIX}/`)) return this.glance(req);
    if (req.rawPath === VOLUME_PREFIX || req.rawPath.startsWith(`${VOLUME_PREFIX}/`)) return this.cinder(req);
    return this.compute(req);
  }

  /**
   * Renders an error: Nova's JSON document (`{"<faultName>": {"code", "message"}}`, with `retryAfter` for
   * `overLimit`), keystonemiddleware's for 401, and Glance's HTML page under `/image`.
   */
  error(e: ApiError, req: FakeRequest): FakeResponse {
    const headers: Record<string, string> = { ...e.headers };
    if (e.status === 401) {
      headers['www-authenticate'] = `Keystone uri="http://${req.host}/identity"`;
      return json(401, { error: { code: 401, title: 'Unauthorized', message: e.message } }, headers);
    }
    if (req.rawPath === IMAGE_PREFIX || req.rawPath.startsWith(`${IMAGE_PREFIX}/`)) {
      const title = `${e.status} ${STATUS_TEXT[e.status] ?? 'Error'}`;
      const page = `<html>\n <head>\n  <title>${title}</title>\n </head>\n <body>\n  <h1>${title}</h1>\n  ${escapeHtml(e.message)}<br /><br />\n\n\n\n </body>\n</html>`;
      return { status: e.status, headers: { 'content-type': 'text/html; charset=UTF-8', ...headers }, body: page };
    }
    const name = Object.values(FAULT_NAMES).includes(e.code) ? e.code : (FAULT_NAMES[e.status] ?? 'computeFault');
    const body: Record<string, unknown> = { code: e.status, message: e.message };
    if (name === 'overLimit') body.retryAfter = headers['retry-after'] ?? '0';
    return json(e.status, { [name]: body }, headers);
  }

  /** Every authentication failure is keystonemiddleware's 401. */
  authError(_e: AuthFailure): ApiError {
    return unauthorized();
  }

  // ---- authentication -----------------------------------------------------------------------------------

  /** The caller's token (`X-Auth-Token`), scoped to a project, or 401 / 403. */
  private caller(req: FakeRequest): Token & { project: NonNullable<Token['project']> } {
    const token = this.keystone.validate(header(req, 'x-auth-token'), req.now);
    if (!token) throw unauthorized();
    if (!token.project) throw new ApiError(403, 'forbidden', 'Policy does not allow this request to be performed: the token is not scoped to a project.');
    return token as Token & { project: NonNullable<Token['project']> };
  }

  // ---- compute ------------------------------------------------------------------------------------------

  private target(req: FakeRequest): ComputeTarget {
    const m = /^\/compute(?:\/([A-Z]{3}))?\/v2(\.1)?(?:\/([0-9a-f]{32}))?(\/.*)?$/.exec(req.rawPath);
    if (!m) throw new ApiError(404, 'itemNotFound', 'The resource could not be found.');
    const region = m[1] ?? OPENSTACK_REGION;
    if (m[1] !== undefined && !RACKSPACE_REGIONS.includes(m[1])) throw new ApiError(404, 'itemNotFound', 'The resource could not be found.');
    const route = (m[4] ?? '').replace(/\/+$/, '');
    const base = `http://${req.host}${COMPUTE_PREFIX}${m[1] ? `/${m[1]}` : ''}/v2${m[2] ?? ''}${m[3] ? `/${m[3]}` : ''}`;
    return { region, route, base, ...(m[3] ? { project: m[3] } : {}) };
  }

  /** The microversion asked for (`OpenStack-API-Version: compute 2.x` or `X-OpenStack-Nova-API-Version`). */
  private microversion(req: FakeRequest): number {
    const modern = header(req, 'openstack-api-version');
    const legacy = header(req, 'x-openstack-nova-api-version');
    let asked: string | undefined;
    if (modern !== undefined) {
      const m = /(?:^|,)\s*compute\s+([^\s,]+)/i.exec(modern);
      asked = m?.[1];
    } else asked = legacy;
    if (asked === undefined) return NOVA_MIN_MICROVERSION;
    if (asked.toLowerCase() === 'latest') return NOVA_MAX_MICROVERSION;
    const m = /^2\.(\d+)$/.exec(asked);
    const minor = m ? Number(m[1]) : NaN;
    if (!(minor >= NOVA_MIN_MICROVERSION && minor <= NOVA_MAX_MICROVERSION)) {
      throw new ApiError(406, 'computeFault', `Version ${asked.slice(0, 20)} is not supported by the API. Minimum is 2.${NOVA_MIN_MICROVERSION} and maximum is 2.${NOVA_MAX_MICROVERSION}.`);
    }
    return minor;
  }

  private compute(req: FakeRequest): FakeResponse {
    const target = this.target(req);
    const version = this.microversion(req);
    const versionHeaders = { 'openstack-api-version': `compute 2.${version}`, 'x-openstack-nova-api-version': `2.${version}`, vary: 'OpenStack-API-Version, X-OpenStack-Nova-API-Version' };
    if (target.route === '') {
      allow(req, 'GET', 'HEAD');
      return json(200, { version: { id: 'v2.1', status: 'CURRENT', version: `2.${NOVA_MAX_MICROVERSION}`, min_version: `2.${NOVA_MIN_MICROVERSION}`, updated: '2013-07-23T11:33:21Z', links: [{ rel: 'self', href: `${target.base}/` }] } }, versionHeaders);
    }
    const token = this.caller(req);
    if (target.project !== undefined && target.project !== token.project.id) {
      throw badRequest(`Malformed request URL: URL's project_id '${target.project}' doesn't match Context's project_id '${token.project.id}'`);
    }
    const response = this.route(req, target, token, version);
    Object.assign(response.headers, versionHeaders);
    return response;
  }

  private route(req: FakeRequest, target: ComputeTarget, token: Token & { project: NonNullable<Token['project']> }, version: number): FakeResponse {
    const { route } = target;
    const m = req.method;
    if (route === '/servers' || route === '/servers/detail') {
      if (m === 'POST' && route === '/servers') return this.create(req, target, token);
      allow(req, 'GET', 'HEAD');
      const mine = this.list(target.region, token.project.id, req.now);
      const detail = route === '/servers/detail';
      return this.page(req, 'servers', mine, (s) => s.id, (s) => (detail ? this.serverJson(s, target, version) : { id: s.id, name: s.name, links: this.links(target, 'servers', s.id) }), `${target.base}${route}`);
    }
    const attachments = /^\/servers\/([^/]+)\/os-volume_attachments(?:\/([^/]+))?$/.exec(route);
    if (attachments) return this.volumeAttachments(req, safeDecode(attachments[1]!), attachments[2] === undefined ? undefined : safeDecode(attachments[2]), target, token);
    if (route === '/os-keypairs' || route.startsWith('/os-keypairs/')) return this.keyPairRoute(req, route, token, version);
    const server = /^\/servers\/([^/]+)(\/action)?$/.exec(route);
    if (server) {
      const s = this.server(safeDecode(server[1]!), target.region, token.project.id, req.now);
      if (server[2]) {
        allow(req, 'POST');
        return this.action(req, s, target, token, version);
      }
      allow(req, 'GET', 'HEAD', 'DELETE');
      if (m === 'DELETE') {
        this.servers.delete(s.id);
        // Nova detaches the server's volumes when it is deleted.
        for (const v of this.volumes.values()) {
          if (v.attachment?.serverId === s.id) {
            v.attachment = undefined;
            v.status = 'available';
            v.pending = undefined;
            v.updated = req.now;
          }
        }
        return { status: 204, headers: {} };
      }
      return json(200, { server: this.serverJson(s, target, version) });
    }
    if (route === '/flavors' || route === '/flavors/detail') {
      allow(req, 'GET', 'HEAD');
      const detail = route === '/flavors/detail';
      return this.page(req, 'flavors', FLAVORS, (f) => f.id, (f) => (detail ? this.flavorJson(f, target) : { id: f.id, name: f.name, links: this.links(target, 'flavors', f.id) }), `${target.base}${route}`);
    }
    const flavor = /^\/flavors\/([^/]+)$/.exec(route);
    if (flavor) {
      allow(req, 'GET', 'HEAD');
      const f = FLAVORS.find((x) => x.id === safeDecode(flavor[1]!));
      if (!f) throw new ApiError(404, 'itemNotFound', `Flavor ${safeDecode(flavor[1]!).slice(0, 64)} could not be found.`);
      return json(200, { flavor: this.flavorJson(f, target) });
    }
    if (route === '/os-availability-zone') {
      allow(req, 'GET', 'HEAD');
      return json(200, { availabilityZoneInfo: ZONES.map((z) => ({ zoneName: z.name, zoneState: { available: z.available }, hosts: null })) });
    }
    if (route === '/images' || route === '/images/detail') {
      // The image proxy was removed in microversion 2.36.
      if (version >= 36) throw new ApiError(404, 'itemNotFound', 'The resource could not be found.');
      allow(req, 'GET', 'HEAD');
      return this.page(req, 'images', IMAGES, (i) => i.id, (i) => this.novaImageJson(i, target), `${target.base}${route}`);
    }
    throw new ApiError(404, 'itemNotFound', 'The resource could not be found.');
  }

  /** The project's servers in a region, newest first (Nova's default sort: `created_at` descending). */
  private list(region: string, projectId: string, now: number): Server[] {
    const mine = [...this.servers.values()].filter((s) => s.region === region && s.projectId === projectId);
    for (const s of mine) this.advance(s, now);
    return mine.sort((a, b) => b.seq - a.seq);
  }

  private server(id: string, region: string, projectId: string, now: number): Server {
    const s = this.servers.get(id);
    if (!s || s.region !== region || s.projectId !== projectId) throw new ApiError(404, 'itemNotFound', `Instance ${id.slice(0, 64)} could not be found.`);
    this.advance(s, now);
    return s;
  }

  private advance(s: Server, now: number): void {
    if (s.pending && now >= s.pending.at) {
      s.status = s.pending.status;
      s.updated = s.pending.at;
      s.taskState = null;
      if (s.status === 'ACTIVE' && s.launchedAt === undefined) s.launchedAt = s.pending.at;
      s.pending = undefined;
    }
  }

  /** One page: `limit` (≤ 1000) items after `marker`, and a next link when the page is full (as Nova does). */
  private page<T>(req: FakeRequest, key: string, items: readonly T[], idOf: (item: T) => string, render: (item: T) => unknown, base: string): FakeResponse {
    const limitText = req.query.get('limit');
    let limit = MAX_LIMIT;
    if (limitText !== null) {
      if (!/^\d+$/.test(limitText)) throw badRequest('limit param must be an integer');
      limit = Math.min(Number(limitText), MAX_LIMIT);
    }
    const marker = req.query.get('marker');
    let start = 0;
    if (marker !== null) {
      const at = items.findIndex((item) => idOf(item) === marker);
      if (at < 0) throw badRequest(`marker [${marker.slice(0, 64)}] not found`);
      start = at + 1;
    }
    const page = items.slice(start, start + limit);
    const body: Record<string, unknown> = { [key]: page.map(render) };
    if (page.length > 0 && page.length === limit) {
      const q = new URLSearchParams();
      if (limitText !== null) q.set('limit', String(limit));
      q.set('marker', idOf(page[page.length - 1]!));
      body[`${key}_links`] = [{ rel: 'next', href: `${base}?${q.toString()}` }];
    }
    return json(200, body);
  }

  private links(target: ComputeTarget, collection: string, id: string): object[] {
    const bookmark = target.base.replace(/\/v2(\.1)?/, '');
    return [
      { rel: 'self', href: `${target.base}/${collection}/${id}` },
      { rel: 'bookmark', href: `${bookmark}/${collection}/${id}` },
    ];
  }

  private addresses(s: Server): Record<string, object[]> {
    if (s.status === 'BUILD') return {};
    const n = s.hostNumber;
    const mac = `fa:16:3e:${((n >> 16) & 255).toString(16).padStart(2, '0')}:${((n >> 8) & 255).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}`;
    return {
      [s.network]: [
        { version: 4, addr: `10.0.${(n >> 8) & 255}.${(n & 255) || 1}`, 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': mac },
        { version: 6, addr: `fd5e:7a2b:c3d4::${n.toString(16)}`, 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': mac },
        { version: 4, addr: `203.0.113.${(n % 254) + 1}`, 'OS-EXT-IPS:type': 'floating', 'OS-EXT-IPS-MAC:mac_addr': mac },
      ],
    };
  }

  private serverJson(s: Server, target: ComputeTarget, version: number): Record<string, unknown> {
    const task = s.taskState;
    const vmState = s.status === 'BUILD' ? 'building' : VM_STATE[s.status];
    const powerState = s.status === 'BUILD' ? 0 : s.status === 'SHUTOFF' ? 4 : 1;
    const bookmark = target.base.replace(/\/v2(\.1)?/, '');
    const flavor =
      version >= 47
        ? { vcpus: s.flavor.vcpus, ram: s.flavor.ram, disk: s.flavor.disk, ephemeral: s.flavor.ephemeral, swap: 0, original_name: s.flavor.name, extra_specs: {} }
        : { id: s.flavor.id, links: [{ rel: 'bookmark', href: `${bookmark}/flavors/${s.flavor.id}` }] };
    return {
      id: s.id,
      name: s.name,
      status: s.status,
      tenant_id: s.projectId,
      user_id: s.userId,
      metadata: s.metadata,
      hostId: createHash('sha224').update(`${s.projectId}fake-compute-${s.hostNumber % 3}`).digest('hex'),
      image: { id: s.image.id, links: [{ rel: 'bookmark', href: `${bookmark}/images/${s.image.id}` }] },
      flavor,
      created: novaTime(s.created),
      updated: novaTime(s.updated),
      addresses: this.addresses(s),
      accessIPv4: '',
      accessIPv6: '',
      links: this.links(target, 'servers', s.id),
      'OS-DCF:diskConfig': s.diskConfig,
      progress: s.status === 'BUILD' ? 0 : 100,
      'OS-EXT-AZ:availability_zone': s.zone,
      config_drive: s.configDrive ? 'True' : '',
      key_name: s.keyName,
      'OS-SRV-USG:launched_at': s.launchedAt === undefined ? null : new Date(s.launchedAt).toISOString().replace('Z', '000'),
      'OS-SRV-USG:terminated_at': null,
      security_groups: s.securityGroups.map((name) => ({ name })),
      'OS-EXT-STS:task_state': task,
      'OS-EXT-STS:vm_state': vmState,
      'OS-EXT-STS:power_state': powerState,
      'os-extended-volumes:volumes_attached': [...this.volumes.values()].filter((v) => v.attachment?.serverId === s.id).map((v) => ({ id: v.id })),
    };
  }

  private flavorJson(f: Flavor, target: ComputeTarget): Record<string, unknown> {
    return {
      id: f.id,
      name: f.name,
      ram: f.ram,
      disk: f.disk,
      vcpus: f.vcpus,
      swap: '',
      'OS-FLV-EXT-DATA:ephemeral': f.ephemeral,
      'OS-FLV-DISABLED:disabled': false,
      'os-flavor-access:is_public': true,
      rxtx_factor: 1.0,
      links: this.links(target, 'flavors', f.id),
    };
  }

  private novaImageJson(i: Image, target: ComputeTarget): Record<string, unknown> {
    return {
      id: i.id,
      name: i.name,
      status: 'ACTIVE',
      progress: 100,
      minDisk: i.minDisk,
      minRam: i.minRam,
      created: i.createdAt,
      updated: i.createdAt,
      metadata: {},
      'OS-EXT-IMG-SIZE:size': i.size,
      links: this.links(target, 'images', i.id),
    };
  }

  /** `POST /servers`: validates like Nova (400 on a bad flavor, image, zone, network or user data; 403 over quota). */
  private create(req: FakeRequest, target: ComputeTarget, token: Token & { project: NonNullable<Token['project']> }): FakeResponse {
    const body = jsonBody(req);
    const spec = record(body.server);
    if (!spec) throw badRequest("Invalid input for field/attribute server. Value: None. 'server' is a required property");
    const name = spec.name;
    if (typeof name !== 'string' || name.trim() === '' || name.length > 255) throw badRequest("Invalid input for field/attribute name. Value must be a string of 1 to 255 characters, not only spaces.");
    const flavorRef = String(spec.flavorRef ?? '').replace(/^.*\//, '');
    const flavor = FLAVORS.find((f) => f.id === flavorRef);
    if (!flavor) throw badRequest(`Flavor ${flavorRef.slice(0, 64)} could not be found.`);
    const imageRef = String(spec.imageRef ?? '').replace(/^.*\//, '');
    const own = this.serverImages.get(imageRef);
    const image = IMAGES.find((i) => i.id === imageRef) ?? (own && own.projectId === token.project.id ? own : undefined);
    if (!image) throw badRequest('Can not find requested image');
    if (own && req.now < own.activeAt) throw badRequest(`Image ${own.id} is not active.`);
    const zone = spec.availability_zone === undefined || spec.availability_zone === null ? 'nova' : String(spec.availability_zone);
    if (!ZONES.some((z) => z.name === zone && z.available)) throw badRequest('The requested availability zone is not available');
    const metadata = spec.metadata === undefined ? {} : record(spec.metadata);
    if (!metadata || Object.keys(metadata).length > 128 || Object.entries(metadata).some(([k, v]) => typeof v !== 'string' || k.length === 0 || k.length > 255 || v.length > 255)) {
      throw badRequest('Invalid input for field/attribute metadata: keys and values must be strings of at most 255 characters, at most 128 items.');
    }
    if (spec.user_data !== undefined && spec.user_data !== null) {
      const data = spec.user_data;
      if (typeof data !== 'string' || data.length > 65_535 || !/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 !== 0) throw badRequest('User data needs to be valid base 64.');
    }
    let network = 'private';
    if (spec.networks !== undefined && spec.networks !== 'auto' && spec.networks !== 'none') {
      if (!Array.isArray(spec.networks)) throw badRequest('Invalid input for field/attribute networks.');
      for (const n of spec.networks) {
        const uuid = record(n)?.uuid;
        const found = NETWORKS.find((x) => x.id === uuid);
        if (!found) throw badRequest(`Network ${String(uuid).slice(0, 64)} could not be found.`);
        network = found.label;
      }
    }
    let securityGroups = ['default'];
    if (spec.security_groups !== undefined) {
      if (!Array.isArray(spec.security_groups) || spec.security_groups.some((g) => typeof record(g)?.name !== 'string')) throw badRequest('Invalid input for field/attribute security_groups.');
      securityGroups = spec.security_groups.map((g) => String(record(g)!.name));
    }
    if (spec.key_name !== undefined && spec.key_name !== null && (typeof spec.key_name !== 'string' || spec.key_name === '' || spec.key_name.length > 255)) throw badRequest('Invalid key_name provided.');
    const diskConfig = spec['OS-DCF:diskConfig'] ?? 'MANUAL';
    if (diskConfig !== 'AUTO' && diskConfig !== 'MANUAL') throw badRequest('OS-DCF:diskConfig must be either \'MANUAL\' or \'AUTO\'.');
    const used = [...this.servers.values()].filter((s) => s.region === target.region && s.projectId === token.project.id).length;
    const quota = this.options().maxNodes;
    if (used + 1 > quota) throw new ApiError(403, 'forbidden', `Quota exceeded for instances: Requested 1, but already used ${used} of ${quota} instances`);
    this.seq += 1;
    const now = req.now;
    const server: Server = {
      id: randomUUID(),
      seq: this.seq,
      name,
      region: target.region,
      projectId: token.project.id,
      userId: token.user.id,
      flavor,
      image,
      zone,
      keyName: typeof spec.key_name === 'string' ? spec.key_name : null,
      metadata: { ...(metadata as Record<string, string>) },
      securityGroups,
      network,
      diskConfig,
      configDrive: spec.config_drive === true || spec.config_drive === 'True' || spec.config_drive === 'true',
      created: now,
      updated: now,
      hostNumber: this.seq,
      status: 'BUILD',
      taskState: 'spawning',
      pending: { status: 'ACTIVE', at: now + this.options().nodeBootMs },
    };
    this.servers.set(server.id, server);
    const adminPass = typeof spec.adminPass === 'string' && spec.adminPass !== '' ? spec.adminPass : randomBytes(9).toString('base64url');
    const self = this.links(target, 'servers', server.id);
    return json(
      202,
      { server: { id: server.id, links: self, 'OS-DCF:diskConfig': diskConfig, security_groups: securityGroups.map((n) => ({ name: n })), adminPass } },
      { location: `${target.base}/servers/${server.id}` },
    );
  }

  /** `POST /servers/{id}/action`: `reboot`, `os-stop`, `os-start` (202), with Nova's state checks (409). */
  private action(req: FakeRequest, s: Server, target: ComputeTarget, token: Token & { project: NonNullable<Token['project']> }, version: number): FakeResponse {
    const body = jsonBody(req);
    const names = Object.keys(body);
    if (names.length !== 1) throw badRequest('Malformed request body: exactly one action is expected.');
    const action = names[0]!;
    const busy = (verb: string): ApiError =>
      conflict(s.taskState ? `Cannot '${verb}' instance ${s.id} while it is in task_state ${s.taskState}` : `Cannot '${verb}' instance ${s.id} while it is in vm_state ${VM_STATE[s.status]}`);
    const at = req.now + this.options().nodeBootMs;
    switch (action) {
      case 'reboot': {
        const type = record(body.reboot)?.type;
        if (type !== 'SOFT' && type !== 'HARD') throw badRequest("Invalid input for field/attribute type. Value must be one of 'SOFT', 'HARD'.");
        const allowed = type === 'SOFT' ? s.status === 'ACTIVE' : s.status === 'ACTIVE' || s.status === 'SHUTOFF';
        if (s.taskState || !allowed) throw busy('reboot');
        s.status = type === 'SOFT' ? 'REBOOT' : 'HARD_REBOOT';
        s.taskState = type === 'SOFT' ? 'rebooting' : 'rebooting_hard';
        s.pending = { status: 'ACTIVE', at };
        break;
      }
      case 'os-stop':
        if (s.taskState || s.status !== 'ACTIVE') throw busy('stop');
        s.taskState = 'powering-off';
        s.pending = { status: 'SHUTOFF', at };
        break;
      case 'os-start':
        if (s.taskState || s.status !== 'SHUTOFF') throw busy('start');
        s.taskState = 'powering-on';
        s.pending = { status: 'ACTIVE', at };
        break;
      case 'createImage':
        return this.createImage(req, s, record(body.createImage), target, token, version);
      default:
        throw badRequest(`There is no such action: ${action.slice(0, 40)}`);
    }
    s.updated = req.now;
    return { status: 202, headers: { 'content-type': 'text/html; charset=UTF-8' }, body: '' };
  }

  // ---- Glance v2 ----------------------------------------------------------------------------------------

  private glance(req: FakeRequest): FakeResponse {
    const route = req.rawPath.slice(IMAGE_PREFIX.length).replace(/\/+$/, '');
    if (route === '' || route === '/versions') {
      allow(req, 'GET', 'HEAD');
      const versions = [{ id: 'v2.16', status: 'CURRENT', links: [{ rel: 'self', href: `http://${req.host}${IMAGE_PREFIX}/v2/` }] }];
      return json(route === '' ? 300 : 200, { versions });
    }
    const token = this.caller(req);
    if (route === '/v2/images') {
      allow(req, 'GET', 'HEAD');
      return this.glancePage(req, token.project.id);
    }
    const one = /^\/v2\/images\/([^/]+)$/.exec(route);
    if (one) {
      allow(req, 'GET', 'HEAD', 'DELETE');
      const id = safeDecode(one[1]!);
      const mine = this.serverImages.get(id);
      const image = IMAGES.find((i) => i.id === id) ?? (mine && mine.projectId === token.project.id ? mine : undefined);
      if (!image) throw new ApiError(404, 'NotFound', `No image found with ID ${id.slice(0, 64)}`);
      if (req.method === 'DELETE') {
        if (!mine) throw new ApiError(403, 'Forbidden', 'You are not authorized to complete delete_image action.');
        this.serverImages.delete(id);
        return { status: 204, headers: {} };
      }
      return json(200, this.glanceJson(image, req.now));
    }
    throw new ApiError(404, 'NotFound', 'The resource could not be found.');
  }

  /** Glance's paging: `limit` (default 25, ≤ 1000) after `marker`, and `next` when the page is full. */
  private glancePage(req: FakeRequest, projectId: string): FakeResponse {
    const mine = [...this.serverImages.values()].filter((i) => i.projectId === projectId).reverse();
    const all: Image[] = [...mine, ...IMAGES];
    const limitText = req.query.get('limit');
    let limit = GLANCE_DEFAULT_LIMIT;
    if (limitText !== null) {
      if (!/^\d+$/.test(limitText)) throw new ApiError(400, 'BadRequest', 'limit param must be an integer');
      limit = Math.min(Number(limitText), MAX_LIMIT);
    }
    const marker = req.query.get('marker');
    let start = 0;
    if (marker !== null) {
      const at = all.findIndex((i) => i.id === marker);
      if (at < 0) throw new ApiError(400, 'BadRequest', `marker ${marker.slice(0, 64)} could not be found.`);
      start = at + 1;
    }
    const page = all.slice(start, start + limit);
    const body: Record<string, unknown> = { images: page.map((i) => this.glanceJson(i, req.now)), first: '/v2/images', schema: '/v2/schemas/images' };
    if (page.length > 0 && page.length === limit) {
      const q = new URLSearchParams();
      if (limitText !== null) q.set('limit', String(limit));
      q.set('marker', page[page.length - 1]!.id);
      body.next = `/v2/images?${q.toString()}`;
    }
    return json(200, body);
  }
  /** A Glance image document: a public image, or one made by `createImage` (in its current status). */
  private glanceJson(i: Image, now: number): Record<string, unknown> {
    const base = glanceImageJson(i);
    const mine = this.serverImages.get(i.id);
    if (!mine) return base;
    const status = now >= mine.activeAt ? 'active' : now >= mine.savingAt ? 'saving' : 'queued';
    return {
      ...base,
      ...mine.properties,
      status,
      visibility: 'private',
      owner: mine.projectId,
      ...(status === 'active' ? {} : { size: null, checksum: null, os_hash_algo: null, os_hash_value: null }),
      instance_uuid: mine.serverId,
      image_type: 'snapshot',
      base_image_ref: mine.baseImageRef,
      created_at: cinderTime(mine.created).replace(/\.\d+$/, 'Z'),
      updated_at: cinderTime(status === 'active' ? mine.activeAt : mine.created).replace(/\.\d+$/, 'Z'),
    };
  }

  /**
   * The `createImage` server action: 202 and the new image's URL in `Location` (below 2.45) or `{ image_id }`
   * (from 2.45); the image is `queued`, `saving`, then `active` after the boot delay. Only an ACTIVE or SHUTOFF
   * server with no task can be imaged (409 otherwise).
   */
  private createImage(req: FakeRequest, s: Server, spec: Record<string, unknown> | undefined, target: ComputeTarget, token: Token & { project: NonNullable<Token['project']> }, version: number): FakeResponse {
    if (!spec) throw badRequest("Invalid input for field/attribute createImage. Value: None. None is not of type 'object'");
    const name = spec.name;
    if (typeof name !== 'string' || name.trim() === '' || name.length > 255) throw badRequest('Invalid input for field/attribute name. Value must be a string of 1 to 255 characters, not only spaces.');
    const metadata = spec.metadata === undefined ? {} : record(spec.metadata);
    if (!metadata || Object.values(metadata).some((v) => typeof v !== 'string')) throw badRequest('Invalid input for field/attribute metadata.');
    if (s.taskState || (s.status !== 'ACTIVE' && s.status !== 'SHUTOFF')) {
      throw conflict(s.taskState ? `Cannot 'createImage' instance ${s.id} while it is in task_state ${s.taskState}` : `Cannot 'createImage' instance ${s.id} while it is in vm_state ${VM_STATE[s.status]}`);
    }
    const now = req.now;
    const boot = this.options().nodeBootMs;
    const image: ServerImage = {
      id: randomUUID(),
      name,
      createdAt: novaTime(now),
      size: s.image.size,
      minDisk: s.flavor.disk,
      minRam: s.image.minRam,
      diskFormat: s.image.diskFormat,
      projectId: token.project.id,
      serverId: s.id,
      baseImageRef: s.image.id,
      properties: { ...(metadata as Record<string, string>) },
      created: now,
      savingAt: now + Math.floor(boot / 2),
      activeAt: now + boot,
    };
    this.serverImages.set(image.id, image);
    const location = `http://${req.host}${IMAGE_PREFIX}/v2/images/${image.id}`;
    void target;
    if (version >= 45) return json(202, { image_id: image.id });
    return { status: 202, headers: { location, 'content-type': 'text/html; charset=UTF-8' }, body: '' };
  }

  // ---- key pairs (os-keypairs) ---------------------------------------------------------------------------

  private keyPairJson(k: StoredKeyPair, detail: boolean, version: number): Record<string, unknown> {
    const out: Record<string, unknown> = { name: k.name, public_key: k.publicKey, fingerprint: k.fingerprint };
    if (version >= 2) out.type = k.type;
    if (detail) Object.assign(out, { user_id: k.userId, deleted: false, created_at: cinderTime(k.created), updated_at: null, deleted_at: null, id: k.id });
    return out;
  }

  /**
   * `GET /os-keypairs`, `POST /os-keypairs` (import a public key, or generate a pair and return its private key
   * once — not from 2.92), `GET` / `DELETE /os-keypairs/{name}` (202 at 2.1, 204 later). Per user, as Nova.
   */
  private keyPairRoute(req: FakeRequest, route: string, token: Token & { project: NonNullable<Token['project']> }, version: number): FakeResponse {
    const userId = token.user.id;
    if (route === '/os-keypairs') {
      if (req.method === 'POST') {
        const spec = record(jsonBody(req).keypair);
        if (!spec) throw badRequest("Invalid input for field/attribute keypair. Value: None. 'keypair' is a required property");
        const name = spec.name;
        if (typeof name !== 'string' || name.length === 0 || name.length > 255) throw badRequest('Invalid input for field/attribute name. Value must be a string of 1 to 255 characters.');
        if (!/^[A-Za-z0-9 _.@-]+$/.test(name)) throw badRequest('Keypair data is invalid: Keypair name contains unsafe characters');
        if (this.keyPairs.has(`${userId}/${name}`)) throw conflict(`Key pair '${name}' already exists.`);
        let publicKey = spec.public_key;
        let privateKey: string | undefined;
        if (publicKey === undefined || publicKey === null) {
          if (version >= 92) throw badRequest("Invalid input for field/attribute keypair. Value: {'name': '" + name + "'}. 'public_key' is a required property");
          const generated = generateSshKeyPair(`Generated-by-Nova`);
          publicKey = generated.publicKey;
          privateKey = generated.privateKey;
        }
        if (typeof publicKey !== 'string') throw badRequest('Keypair data is invalid: failed to generate fingerprint');
        let parsed;
        try {
          parsed = parseSshPublicKey(publicKey);
        } catch {
          throw badRequest('Keypair data is invalid: failed to generate fingerprint');
        }
        this.keyPairSeq += 1;
        const stored: StoredKeyPair = { id: this.keyPairSeq, name, userId, publicKey: publicKey.trim(), fingerprint: sshFingerprint(parsed), type: 'ssh', created: req.now };
        this.keyPairs.set(`${userId}/${name}`, stored);
        const doc = { ...this.keyPairJson(stored, false, version), user_id: userId, ...(privateKey !== undefined ? { private_key: privateKey } : {}) };
        return json(version >= 2 ? 201 : 200, { keypair: doc });
      }
      allow(req, 'GET', 'HEAD');
      const mine = [...this.keyPairs.values()].filter((k) => k.userId === userId).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return json(200, { keypairs: mine.map((k) => ({ keypair: this.keyPairJson(k, false, version) })) });
    }
    const name = safeDecode(route.slice('/os-keypairs/'.length));
    allow(req, 'GET', 'HEAD', 'DELETE');
    const k = this.keyPairs.get(`${userId}/${name}`);
    if (!k) throw new ApiError(404, 'itemNotFound', `Keypair ${name.slice(0, 255)} not found for user ${userId}`);
    if (req.method === 'DELETE') {
      this.keyPairs.delete(`${userId}/${name}`);
      return { status: version >= 2 ? 204 : 202, headers: {}, body: '' };
    }
    return json(200, { keypair: this.keyPairJson(k, true, version) });
  }

  // ---- volume attachments (Nova) -------------------------------------------------------------------------

  private attachmentJson(v: Volume): Record<string, unknown> {
    return { id: v.id, serverId: v.attachment!.serverId, volumeId: v.id, device: v.attachment!.device };
  }

  /**
   * `GET` / `POST /servers/{id}/os-volume_attachments` and `GET` / `DELETE …/{volumeId}`. Attaching needs an
   * ACTIVE server with no task (409 otherwise, as Nova's state check) and an `available` volume (400); the volume
   * is `attaching`, then `in-use` after the boot delay; detaching makes it `detaching`, then `available`.
   */
  private volumeAttachments(req: FakeRequest, serverId: string, volumeId: string | undefined, target: ComputeTarget, token: Token & { project: NonNullable<Token['project']> }): FakeResponse {
    const s = this.server(serverId, target.region, token.project.id, req.now);
    const attachedHere = (): Volume[] => [...this.volumes.values()].filter((v) => (this.advanceVolume(v, req.now), v.attachment?.serverId === s.id));
    if (volumeId === undefined) {
      if (req.method === 'POST') {
        const spec = record(jsonBody(req).volumeAttachment);
        if (!spec || typeof spec.volumeId !== 'string') throw badRequest("Invalid input for field/attribute volumeAttachment. 'volumeId' is a required property");
        const v = this.volumes.get(spec.volumeId);
        if (!v || v.projectId !== token.project.id) throw new ApiError(404, 'itemNotFound', `Volume ${spec.volumeId.slice(0, 64)} could not be found.`);
        this.advanceVolume(v, req.now);
        if (s.taskState || s.status !== 'ACTIVE') {
          throw conflict(s.taskState ? `Cannot 'attach_volume' instance ${s.id} while it is in task_state ${s.taskState}` : `Cannot 'attach_volume' instance ${s.id} while it is in vm_state ${VM_STATE[s.status]}`);
        }
        if (v.status !== 'available') throw badRequest(`Invalid volume: volume ${v.id} status must be available, but current status is: ${v.status}`);
        const device = spec.device === undefined || spec.device === null ? `/dev/vd${String.fromCharCode(98 + attachedHere().length)}` : spec.device;
        if (typeof device !== 'string' || !/^\/dev\/[a-z]+[a-z0-9]*$/.test(device)) throw badRequest(`The supplied device path (${String(device).slice(0, 40)}) is invalid.`);
        if (attachedHere().some((x) => x.attachment!.device === device)) throw badRequest(`The supplied device path (${device}) is in use.`);
        v.attachment = { serverId: s.id, attachmentId: randomUUID(), device, at: req.now };
        v.status = 'attaching';
        v.pending = { status: 'in-use', at: req.now + this.options().nodeBootMs };
        v.updated = req.now;
        return json(200, { volumeAttachment: this.attachmentJson(v) });
      }
      allow(req, 'GET', 'HEAD');
      return json(200, { volumeAttachments: attachedHere().map((v) => this.attachmentJson(v)) });
    }
    allow(req, 'GET', 'HEAD', 'DELETE');
    const v = attachedHere().find((x) => x.id === volumeId);
    if (!v) throw new ApiError(404, 'itemNotFound', `volume_id not found: ${volumeId.slice(0, 64)}`);
    if (req.method === 'GET' || req.method === 'HEAD') return json(200, { volumeAttachment: this.attachmentJson(v) });
    if (v.status !== 'in-use') throw badRequest(`Invalid volume: Unable to detach volume. Volume status must be 'in-use' and attach_status must be 'attached' to detach.`);
    v.status = 'detaching';
    v.pending = { status: 'available', at: req.now + this.options().nodeBootMs };
    v.updated = req.now;
    return { status: 202, headers: {}, body: '' };
  }

  // ---- Cinder v3 -------------------------------------------------------------------------------------------

  private advanceVolume(v: Volume, now: number): void {
    if (v.pending && now >= v.pending.at) {
      v.status = v.pending.status;
      v.updated = v.pending.at;
      if (v.status === 'available') v.attachment = undefined;
      v.pending = undefined;
    }
  }

  private advanceSnapshot(s: Snapshot, now: number): void {
    if (s.status === 'creating' && now >= s.readyAt) s.status = 'available';
  }

  private volumeJson(v: Volume, base: string): Record<string, unknown> {
    const attachments = v.attachment && v.status !== 'attaching'
      ? [{ id: v.id, attachment_id: v.attachment.attachmentId, volume_id: v.id, server_id: v.attachment.serverId, host_name: null, device: v.attachment.device, attached_at: cinderTime(v.attachment.at) }]
      : [];
    return {
      id: v.id,
      name: v.name,
      description: v.description,
      size: v.size,
      status: v.status,
      availability_zone: v.zone,
      created_at: cinderTime(v.created),
      updated_at: cinderTime(v.updated),
      attachments,
      bootable: 'false',
      encrypted: false,
      multiattach: false,
      metadata: v.metadata,
      volume_type: v.volumeType,
      snapshot_id: v.snapshotId,
      source_volid: null,
      consistencygroup_id: null,
      replication_status: null,
      user_id: v.userId,
      'os-vol-tenant-attr:tenant_id': v.projectId,
      links: [
        { rel: 'self', href: `${base}/volumes/${v.id}` },
        { rel: 'bookmark', href: `${base.replace('/v3/', '/')}/volumes/${v.id}` },
      ],
    };
  }

  private snapshotJson(s: Snapshot): Record<string, unknown> {
    return {
      id: s.id,
      name: s.name,
      description: s.description,
      volume_id: s.volumeId,
      size: s.size,
      status: s.status,
      created_at: cinderTime(s.created),
      updated_at: cinderTime(s.status === 'available' ? s.readyAt : s.created),
      metadata: {},
      'os-extended-snapshot-attributes:progress': s.status === 'available' ? '100%' : '0%',
      'os-extended-snapshot-attributes:project_id': s.projectId,
    };
  }

  /**
   * Cinder v3 below `/volume/v3/<project id>`: volumes (`creating` → `available` after the boot delay, `in-use`
   * when attached through Nova), snapshots (`creating` → `available`), paging with `<collection>_links`, and
   * Cinder's error documents (Nova's format: `{"itemNotFound": {"code", "message"}}`).
   */
  private cinder(req: FakeRequest): FakeResponse {
    const m = /^\/volume\/v3(?:\/([0-9a-f]{32}))?(\/.*)?$/.exec(req.rawPath);
    if (!m) throw new ApiError(404, 'itemNotFound', 'The resource could not be found.');
    const route = (m[2] ?? '').replace(/\/+$/, '');
    if (route === '') {
      allow(req, 'GET', 'HEAD');
      return json(200, { versions: [{ id: 'v3.0', status: 'CURRENT', version: '3.70', min_version: '3.0', updated: '2023-08-31T00:00:00Z' }] });
    }
    const token = this.caller(req);
    if (m[1] === undefined || m[1] !== token.project.id) throw badRequest(`Malformed request url: project_id '${m[1] ?? ''}' does not match the token's`);
    const projectId = token.project.id;
    const base = `http://${req.host}${VOLUME_PREFIX}/v3/${projectId}`;
    const now = req.now;
    const myVolumes = (): Volume[] => [...this.volumes.values()].filter((v) => v.projectId === projectId).sort((a, b) => b.seq - a.seq).map((v) => (this.advanceVolume(v, now), v));
    const mySnapshots = (): Snapshot[] => [...this.snapshots.values()].filter((x) => x.projectId === projectId).sort((a, b) => b.seq - a.seq).map((x) => (this.advanceSnapshot(x, now), x));
    const volume = (id: string): Volume => {
      const v = this.volumes.get(id);
      if (!v || v.projectId !== projectId) throw new ApiError(404, 'itemNotFound', `Volume ${id.slice(0, 64)} could not be found.`);
      this.advanceVolume(v, now);
      return v;
    };
    const snapshot = (id: string): Snapshot => {
      const x = this.snapshots.get(id);
      if (!x || x.projectId !== projectId) throw new ApiError(404, 'itemNotFound', `Snapshot ${id.slice(0, 64)} could not be found.`);
      this.advanceSnapshot(x, now);
      return x;
    };
    if (route === '/volumes' || route === '/volumes/detail') {
      if (req.method === 'POST' && route === '/volumes') return this.createVolume(req, token, base, snapshot);
      allow(req, 'GET', 'HEAD');
      const detail = route === '/volumes/detail';
      return this.page(req, 'volumes', myVolumes(), (v) => v.id, (v) => (detail ? this.volumeJson(v, base) : { id: v.id, name: v.name, links: (this.volumeJson(v, base) as { links: unknown }).links }), `${base}${route}`);
    }
    const oneVolume = /^\/volumes\/([^/]+)$/.exec(route);
    if (oneVolume) {
      allow(req, 'GET', 'HEAD', 'DELETE');
      const v = volume(safeDecode(oneVolume[1]!));
      if (req.method === 'DELETE') {
        const hasSnapshots = [...this.snapshots.values()].some((x) => x.volumeId === v.id);
        if (v.status !== 'available' || hasSnapshots) {
          throw badRequest(
            `Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots or be disassociated from snapshots after volume transfer.`,
          );
        }
        this.volumes.delete(v.id);
        return { status: 202, headers: {}, body: '' };
      }
      return json(200, { volume: this.volumeJson(v, base) });
    }
    if (route === '/snapshots' || route === '/snapshots/detail') {
      if (req.method === 'POST' && route === '/snapshots') {
        const spec = record(jsonBody(req).snapshot);
        if (!spec || typeof spec.volume_id !== 'string') throw badRequest("Invalid input for field/attribute snapshot. 'volume_id' is a required property");
        const v = volume(spec.volume_id);
        const force = spec.force === true || spec.force === 'true' || spec.force === 'True';
        if (v.status !== 'available' && !(force && v.status === 'in-use')) throw badRequest(`Invalid volume: Volume ${v.id} status must be available, but current status is: ${v.status}.`);
        const name = spec.name ?? spec.display_name ?? null;
        if (name !== null && (typeof name !== 'string' || name.length > 255)) throw badRequest('Invalid input for field/attribute name.');
        const description = spec.description ?? spec.display_description ?? null;
        this.seq += 1;
        const x: Snapshot = { id: randomUUID(), seq: this.seq, volumeId: v.id, name, description: typeof description === 'string' ? description : null, size: v.size, projectId, created: now, status: 'creating', readyAt: now + this.options().nodeBootMs };
        this.snapshots.set(x.id, x);
        return json(202, { snapshot: this.snapshotJson(x) });
      }
      allow(req, 'GET', 'HEAD');
      const detail = route === '/snapshots/detail';
      return this.page(req, 'snapshots', mySnapshots(), (x) => x.id, (x) => (detail ? this.snapshotJson(x) : { id: x.id, name: x.name, volume_id: x.volumeId, size: x.size, status: x.status, created_at: cinderTime(x.created) }), `${base}${route}`);
    }
    const oneSnapshot = /^\/snapshots\/([^/]+)$/.exec(route);
    if (oneSnapshot) {
      allow(req, 'GET', 'HEAD', 'DELETE');
      const x = snapshot(safeDecode(oneSnapshot[1]!));
      if (req.method === 'DELETE') {
        if (x.status !== 'available') throw badRequest('Invalid snapshot: Snapshot status must be available or error or error_deleting.');
        this.snapshots.delete(x.id);
        return { status: 202, headers: {}, body: '' };
      }
      return json(200, { snapshot: this.snapshotJson(x) });
    }
    throw new ApiError(404, 'itemNotFound', 'The resource could not be found.');
  }

  /** Cinder's `POST /volumes` (202, `creating`): size, zone, volume type and source snapshot checked as Cinder does. */
  private createVolume(req: FakeRequest, token: Token & { project: NonNullable<Token['project']> }, base: string, snapshot: (id: string) => Snapshot): FakeResponse {
    const spec = record(jsonBody(req).volume);
    if (!spec) throw badRequest("Invalid input for field/attribute volume. Value: None. 'volume' is a required property");
    const size = typeof spec.size === 'string' && /^\d+$/.test(spec.size) ? Number(spec.size) : spec.size;
    const from = spec.snapshot_id === undefined || spec.snapshot_id === null ? undefined : snapshot(String(spec.snapshot_id));
    if (from && from.status !== 'available') throw badRequest(`Invalid snapshot: Originating snapshot status must be 'available'`);
    if (!(typeof size === 'number' && Number.isInteger(size) && size >= 1 && size <= 16_384)) throw badRequest(`Invalid input received: Volume size '${String(spec.size).slice(0, 20)}' must be an integer and greater than 0.`);
    if (from && size < from.size) throw badRequest(`Invalid input received: Volume size '${size}'GB cannot be smaller than the snapshot size ${from.size}GB. They must be >= original snapshot size.`);
    const name = spec.name ?? spec.display_name ?? '';
    if (typeof name !== 'string' || name.length > 255) throw badRequest('Invalid input for field/attribute name.');
    const zone = spec.availability_zone === undefined || spec.availability_zone === null ? 'nova' : String(spec.availability_zone);
    if (!ZONES.some((z) => z.name === zone && z.available)) throw badRequest(`Invalid input received: Availability zone '${zone.slice(0, 64)}' is invalid.`);
    const volumeType = spec.volume_type === undefined || spec.volume_type === null ? VOLUME_TYPES[0]! : String(spec.volume_type);
    if (!VOLUME_TYPES.includes(volumeType)) throw new ApiError(404, 'itemNotFound', `Volume type with name ${volumeType.slice(0, 64)} could not be found.`);
    const metadata = spec.metadata === undefined ? {} : record(spec.metadata);
    if (!metadata || Object.values(metadata).some((v) => typeof v !== 'string')) throw badRequest('Invalid input for field/attribute metadata.');
    const used = [...this.volumes.values()].filter((v) => v.projectId === token.project.id).length;
    const quota = this.options().maxNodes;
    if (used + 1 > quota) throw new ApiError(413, 'overLimit', `VolumeLimitExceeded: Maximum number of volumes allowed (${quota}) exceeded for quota 'volumes'.`, { 'retry-after': '0' });
    this.seq += 1;
    const now = req.now;
    const description = spec.description ?? spec.display_description ?? null;
    const v: Volume = {
      id: randomUUID(),
      seq: this.seq,
      name,
      description: typeof description === 'string' ? description : null,
      size,
      zone,
      projectId: token.project.id,
      userId: token.user.id,
      volumeType,
      snapshotId: from?.id ?? null,
      metadata: { ...(metadata as Record<string, string>) },
      created: now,
      updated: now,
      status: 'creating',
      pending: { status: 'available', at: now + this.options().nodeBootMs },
    };
    this.volumes.set(v.id, v);
    return json(202, { volume: this.volumeJson(v, base) });
  }
}

/** Cinder's timestamps: microseconds, no zone. */
function cinderTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000');
}

function glanceImageJson(i: Image): Record<string, unknown> {
  const hash = createHash('sha512').update(i.id).digest('hex');
  return {
    id: i.id,
    name: i.name,
    status: 'active',
    visibility: 'public',
    protected: false,
    os_hidden: false,
    tags: [],
    container_format: 'bare',
    disk_format: i.diskFormat,
    size: i.size,
    virtual_size: null,
    checksum: createHash('md5').update(i.id).digest('hex'),
    os_hash_algo: 'sha512',
    os_hash_value: hash,
    owner: 'b0e4a3a2c1d94f5e8a7b6c5d4e3f2a1b',
    min_disk: i.minDisk,
    min_ram: i.minRam,
    created_at: i.createdAt,
    updated_at: i.createdAt,
    self: `/v2/images/${i.id}`,
    file: `/v2/images/${i.id}/file`,
    schema: '/v2/schemas/image',
  };
}

function allow(req: FakeRequest, ...methods: string[]): void {
  if (!methods.includes(req.method)) throw new ApiError(405, 'badMethod', `The method ${req.method} is not supported for this resource.`);
}

function json(status: number, value: unknown, headers: Record<string, string> = {}): FakeResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) };
}

function jsonBody(req: FakeRequest): Record<string, unknown> {
  const type = header(req, 'content-type') ?? '';
  if (type && !/^application\/json/i.test(type)) throw new ApiError(415, 'badMediaType', `Unsupported Content-Type ${type.slice(0, 40)}`);
  let value: unknown;
  try {
    value = JSON.parse(req.body.toString('utf8'));
  } catch {
    throw badRequest('Malformed request body');
  }
  const doc = record(value);
  if (!doc) throw badRequest('Malformed request body');
  return doc;
}

/** A percent-decoded path segment; a malformed one is left as sent (it then names nothing). */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
