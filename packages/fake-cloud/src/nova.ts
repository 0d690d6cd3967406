/**
 * OpenStack Compute (Nova API v2.1) under `/compute` and the Image service (Glance v2) under `/image`,
 * authenticated by the `X-Auth-Token`s the fake Keystone issues: servers with their state machine (BUILD →
 * ACTIVE, reboot → REBOOT / HARD_REBOOT → ACTIVE, os-stop → SHUTOFF, os-start → ACTIVE, delete), flavors,
 * availability zones, the compute API's image proxy, `limit` / `marker` paging with `<collection>_links`,
 * microversion negotiation, and Nova's error documents (`{"itemNotFound": {"code": 404, "message": …}}`).
 * Servers are kept per project and region (Rackspace's regions have their own).
 * @see https://docs.openstack.org/api-ref/compute/
 * @see https://docs.openstack.org/api-ref/image/v2/
 * @module
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AuthFailure } from './auth.js';
import type { KeystoneApi, Token } from './keystone.js';
import { COMPUTE_PREFIX, FLAVORS, IMAGE_PREFIX, IMAGES, NETWORKS, OPENSTACK_REGION, RACKSPACE_REGIONS, ZONES, type Flavor, type Image } from './nova-catalog.js';
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

  constructor(
    private readonly options: () => ResolvedOptions,
    private readonly keystone: KeystoneApi,
  ) {}

  /** Handles one request under {@link COMPUTE_PREFIX} or {@link IMAGE_PREFIX}. */
  handle(req: FakeRequest): FakeResponse {
    if (req.rawPath === IMAGE_PREFIX || req.rawPath.startsWith(`${IMAGE_PREFIX}/`)) return this.glance(req);
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
    const server = /^\/servers\/([^/]+)(\/action)?$/.exec(route);
    if (server) {
      const s = this.server(safeDecode(server[1]!), target.region, token.project.id, req.now);
      if (server[2]) {
        allow(req, 'POST');
        return this.action(req, s);
      }
      allow(req, 'GET', 'HEAD', 'DELETE');
      if (m === 'DELETE') {
        this.servers.delete(s.id);
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
      'os-extended-volumes:volumes_attached': [],
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
    const image = IMAGES.find((i) => i.id === imageRef);
    if (!image) throw badRequest('Can not find requested image');
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
  private action(req: FakeRequest, s: Server): FakeResponse {
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
    this.caller(req);
    if (route === '/v2/images') {
      allow(req, 'GET', 'HEAD');
      return this.glancePage(req);
    }
    const one = /^\/v2\/images\/([^/]+)$/.exec(route);
    if (one) {
      allow(req, 'GET', 'HEAD');
      const id = safeDecode(one[1]!);
      const image = IMAGES.find((i) => i.id === id);
      if (!image) throw new ApiError(404, 'NotFound', `No image found with ID ${id.slice(0, 64)}`);
      return json(200, glanceImageJson(image));
    }
    throw new ApiError(404, 'NotFound', 'The resource could not be found.');
  }

  /** Glance's paging: `limit` (default 25, ≤ 1000) after `marker`, and `next` when the page is full. */
  private glancePage(req: FakeRequest): FakeResponse {
    const limitText = req.query.get('limit');
    let limit = GLANCE_DEFAULT_LIMIT;
    if (limitText !== null) {
      if (!/^\d+$/.test(limitText)) throw new ApiError(400, 'BadRequest', 'limit param must be an integer');
      limit = Math.min(Number(limitText), MAX_LIMIT);
    }
    const marker = req.query.get('marker');
    let start = 0;
    if (marker !== null) {
      const at = IMAGES.findIndex((i) => i.id === marker);
      if (at < 0) throw new ApiError(400, 'BadRequest', `marker ${marker.slice(0, 64)} could not be found.`);
      start = at + 1;
    }
    const page = IMAGES.slice(start, start + limit);
    const body: Record<string, unknown> = { images: page.map(glanceImageJson), first: '/v2/images', schema: '/v2/schemas/images' };
    if (page.length > 0 && page.length === limit) {
      const q = new URLSearchParams();
      if (limitText !== null) q.set('limit', String(limit));
      q.set('marker', page[page.length - 1]!.id);
      body.next = `/v2/images?${q.toString()}`;
    }
    return json(200, body);
  }
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
