/**
 * DigitalOcean API v2 (JSON, bearer token): droplets, droplet actions, images, sizes, regions; volumes, volume
 * snapshots, SSH keys and private images in `digitalocean-resources.ts`.
 * @see https://docs.digitalocean.com/reference/api/api-reference/
 * @module
 */
import { AuthFailure, verifyBearer } from './auth.js';
import { DO_IMAGES, DO_REGIONS, DO_SIZES, imageJson, regionJson, sizeJson } from './digitalocean-catalog.js';
import { DoResources, type DoAction } from './digitalocean-resources.js';
import type { ResolvedOptions } from './options.js';
import { ApiError, header, type FakeRequest, type FakeResponse } from './wire.js';

type DropletStatus = 'new' | 'active' | 'off';

interface Droplet {
  readonly id: number;
  readonly name: string;
  readonly sizeSlug: string;
  readonly imageId: number;
  readonly regionSlug: string;
  readonly createdAt: string;
  readonly privateIp: string;
  readonly tags: string[];
  status: DropletStatus;
  /** The status reached when the pending event completes, and when. */
  pending?: { readonly status: DropletStatus; readonly at: number };
  publicIp?: string;
}

type Action = DoAction;

const ACTION_TYPES = new Set(['reboot', 'power_on', 'power_off', 'shutdown', 'power_cycle', 'snapshot']);

/** The DigitalOcean emulator. */
export class DigitalOceanApi {
  private readonly droplets = new Map<number, Droplet>();
  private readonly actions = new Map<number, Action>();
  private readonly limits = new Map<string, { remaining: number; resetAt: number }>();
  private nextDropletId = 300_000_001;
  private nextActionId = 2_000_000_001;
  private ipCounter = 0;
  /** Volumes, snapshots, SSH keys and private images. */
  private readonly resources: DoResources;

  constructor(private readonly options: () => ResolvedOptions) {
    this.resources = new DoResources({
      droplet: (id, now) => this.droplet(String(id), now),
      hasDroplet: (id) => this.droplets.has(id),
      startAction: (resourceType, resourceId, regionSlug, type, now) => this.newAction(resourceType, resourceId, regionSlug, type, now),
      actionJson: (a, now) => this.actionJson(a, now),
      actions: () => this.actions.values(),
      page: (req, key, items) => this.page(req, key, items),
      bootMs: () => this.options().nodeBootMs,
    });
  }

  /** Handles one request: checks the token and rate limit, routes, renders JSON. */
  handle(req: FakeRequest): FakeResponse {
    const token = verifyBearer(req, this.options().credentials.digitalocean);
    const limitHeaders = this.countRequest(token, req.now);
    let res: FakeResponse;
    try {
      res = this.route(req);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      res = this.error(e, req);
    }
    Object.assign(res.headers, limitHeaders);
    return res;
  }

  /** Renders an error the way DigitalOcean does. */
  error(e: ApiError, req: FakeRequest): FakeResponse {
    return { status: e.status, headers: { 'content-type': 'application/json; charset=utf-8', ...e.headers }, body: JSON.stringify({ id: e.code, message: e.message, request_id: req.requestId }) };
  }

  /** Maps an authentication failure to DigitalOcean's 401. */
  authError(e: AuthFailure): ApiError {
    return new ApiError(401, 'unauthorized', e.message);
  }

  private countRequest(token: string, now: number): Record<string, string> {
    const limit = this.options().doRateLimit;
    let state = this.limits.get(token);
    if (!state || now >= state.resetAt) this.limits.set(token, (state = { remaining: limit, resetAt: now + 3_600_000 }));
    const headers = { 'ratelimit-limit': String(limit), 'ratelimit-remaining': String(Math.max(0, state.remaining - 1)), 'ratelimit-reset': String(Math.ceil(state.resetAt / 1000)) };
    if (state.remaining <= 0) throw new ApiError(429, 'too_many_requests', 'API Rate limit exceeded.', {}, { ...headers, 'retry-after': String(Math.ceil((state.resetAt - now) / 1000)) });
    state.remaining -= 1;
    return headers;
  }

  private route(req: FakeRequest): FakeResponse {
    const path = req.rawPath.replace(/\/+$/, '');
    this.resources.settle(req.now);
    const handled = this.resources.route(req, path, () => jsonBody(req));
    if (handled) return handled;
    const m = /^\/v2\/droplets\/(\d+)(?:\/actions(?:\/(\d+))?)?$/.exec(path);
    const method = req.method;
    if (path === '/v2/droplets' && method === 'GET') return this.listDroplets(req);
    if (path === '/v2/droplets' && method === 'POST') return this.createDroplets(req);
    if (path === '/v2/droplets' && method === 'DELETE') return this.deleteByTag(req);
    if (m && !path.includes('/actions')) {
      if (method === 'GET') return json(200, { droplet: this.dropletJson(this.droplet(m[1]!, req.now), req.now) });
      if (method === 'DELETE') {
        this.droplet(m[1]!, req.now);
        this.droplets.delete(Number(m[1]));
        this.resources.onDropletDeleted(Number(m[1]));
        return { status: 204, headers: {} };
      }
    }
    if (m && path.endsWith('/actions') && method === 'POST') return this.dropletAction(m[1]!, req);
    if (m && path.endsWith('/actions') && method === 'GET') {
      const d = this.droplet(m[1]!, req.now);
      return this.page(req, 'actions', [...this.actions.values()].filter((a) => a.resourceType === 'droplet' && a.resourceId === d.id).map((a) => this.actionJson(a, req.now)));
    }
    if (m?.[2] && method === 'GET') return json(200, { action: this.actionJson(this.action(m[2]), req.now) });
    const am = /^\/v2\/actions\/(\d+)$/.exec(path);
    if (am && method === 'GET') return json(200, { action: this.actionJson(this.action(am[1]!), req.now) });
    if (path === '/v2/actions' && method === 'GET') return this.page(req, 'actions', [...this.actions.values()].map((a) => this.actionJson(a, req.now)));
    if (method === 'GET') {
      if (path === '/v2/images') {
        // Public distribution images, then the account's own (droplet snapshots); `private=true` or
        // `type=snapshot` lists only the latter, `type=distribution` only the former.
        const type = req.query.get('type');
        const own = req.query.get('private') === 'true' || type === 'snapshot';
        const images = [...(own || type === 'application' ? [] : DO_IMAGES.map(imageJson)), ...(type === 'distribution' || type === 'application' ? [] : this.resources.privateImages())];
        return this.page(req, 'images', images);
      }
      const im = /^\/v2\/images\/([\w.-]+)$/.exec(path);
      if (im) {
        const image = DO_IMAGES.find((i) => i.slug === im[1] || String(i.id) === im[1]);
        const own = image ? undefined : this.resources.privateImage(im[1]!);
        if (!image && !own) throw notFound();
        return json(200, { image: image ? imageJson(image) : own });
      }
      if (path === '/v2/sizes') return this.page(req, 'sizes', DO_SIZES.map(sizeJson));
      if (path === '/v2/regions') return this.page(req, 'regions', DO_REGIONS.map(regionJson));
      if (path === '/v2/account') {
        return json(200, { account: { droplet_limit: this.options().maxNodes, floating_ip_limit: 3, email: 'fake@example.com', uuid: 'b6fr89dbf6d9156cace5f3c78dc9851d957381ef', email_verified: true, status: 'active', status_message: '' } });
      }
    }
    throw notFound();
  }

  private listDroplets(req: FakeRequest): FakeResponse {
    const tag = req.query.get('tag_name');
    const list = [...this.droplets.values()].filter((d) => !tag || d.tags.includes(tag));
    return this.page(req, 'droplets', list.map((d) => this.dropletJson(d, req.now)));
  }

  private createDroplets(req: FakeRequest): FakeResponse {
    const body = jsonBody(req);
    const names = body.names !== undefined ? body.names : body.name !== undefined ? [body.name] : undefined;
    if (!Array.isArray(names) || names.length === 0 || names.length > 10) throw unprocessable('You must specify a name (or 1 to 10 names).');
    for (const n of names) if (typeof n !== 'string' || !/^[a-zA-Z0-9][a-zA-Z0-9.-]{0,254}$/.test(n)) throw unprocessable('Name is invalid: only valid hostname characters are allowed. (a-z, A-Z, 0-9, . and -)');
    const region = DO_REGIONS.find((r) => r.slug === body.region);
    if (body.region !== undefined && !region) throw unprocessable('Region is not available');
    const size = DO_SIZES.find((s) => s.slug === body.size);
    if (!size) throw unprocessable('Size is not available in this region.');
    const image = DO_IMAGES.find((i) => i.slug === body.image || i.id === body.image || String(i.id) === body.image) ?? this.resources.launchable(body.image, region?.slug ?? 'nyc3');
    if (!image) throw unprocessable('You specified an invalid image for Droplet creation.');
    const tags = Array.isArray(body.tags) ? body.tags.filter((t): t is string => typeof t === 'string') : [];
    if (this.droplets.size + names.length > this.options().maxNodes) throw unprocessable('creating this/these droplet(s) will exceed your droplet limit');
    const created = (names as string[]).map((name) => {
      const id = this.nextDropletId++;
      this.ipCounter += 1;
      const droplet: Droplet = {
        id,
        name,
        sizeSlug: size.slug,
        imageId: image.id,
        regionSlug: region?.slug ?? 'nyc3',
        createdAt: new Date(req.now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        privateIp: `10.108.${(this.ipCounter >> 8) & 255}.${this.ipCounter & 255}`,
        tags,
        status: 'new',
        pending: { status: 'active', at: req.now + this.options().nodeBootMs },
      };
      this.droplets.set(id, droplet);
      return { droplet, action: this.startAction(droplet, 'create', req.now) };
    });
    const actions = created.map(({ action }) => ({ id: action.id, rel: 'create', href: `http://${req.host}/v2/actions/${action.id}` }));
    if (body.names !== undefined) return json(202, { droplets: created.map(({ droplet }) => this.dropletJson(droplet, req.now)), links: { actions } });
    return json(202, { droplet: this.dropletJson(created[0]!.droplet, req.now), links: { actions } });
  }

  private deleteByTag(req: FakeRequest): FakeResponse {
    const tag = req.query.get('tag_name');
    if (!tag) throw new ApiError(400, 'bad_request', 'tag_name is required');
    for (const d of [...this.droplets.values()]) if (d.tags.includes(tag)) this.droplets.delete(d.id);
    return { status: 204, headers: {} };
  }

  private dropletAction(id: string, req: FakeRequest): FakeResponse {
    const droplet = this.droplet(id, req.now);
    const body = jsonBody(req);
    const type = body.type;
    if (typeof type !== 'string' || !ACTION_TYPES.has(type)) throw unprocessable(`Invalid action type: ${String(type)}`);
    if (droplet.pending) throw unprocessable('Droplet already has a pending event.');
    if (type === 'snapshot') return json(201, { action: this.resources.snapshotDroplet(droplet, body, req.now) });
    const target: DropletStatus = type === 'power_off' || type === 'shutdown' ? 'off' : 'active';
    const action = this.startAction(droplet, type, req.now);
    droplet.pending = { status: target, at: action.completesAt };
    return json(201, { action: this.actionJson(action, req.now) });
  }

  private startAction(droplet: Droplet, type: string, now: number): Action {
    return this.newAction('droplet', droplet.id, droplet.regionSlug, type, now);
  }

  /** An action on any resource, completing after the boot delay. */
  private newAction(resourceType: Action['resourceType'], resourceId: number | string, regionSlug: string, type: string, now: number): Action {
    const action: Action = { id: this.nextActionId++, type, resourceType, resourceId, regionSlug, startedAt: now, completesAt: now + this.options().nodeBootMs };
    this.actions.set(action.id, action);
    if (this.actions.size > 10_000) this.actions.delete(this.actions.keys().next().value!);
    return action;
  }

  private droplet(id: string, now: number): Droplet {
    const d = this.droplets.get(Number(id));
    if (!d) throw notFound();
    this.advance(d, now);
    return d;
  }

  private action(id: string): Action {
    const a = this.actions.get(Number(id));
    if (!a) throw notFound();
    return a;
  }

  private advance(d: Droplet, now: number): void {
    if (d.pending && now >= d.pending.at) {
      d.status = d.pending.status;
      d.pending = undefined;
      if (d.status === 'active' && !d.publicIp) d.publicIp = `203.0.113.${(d.id % 254) + 1}`;
    }
  }

  private dropletJson(d: Droplet, now: number): Record<string, unknown> {
    this.advance(d, now);
    const size = DO_SIZES.find((s) => s.slug === d.sizeSlug)!;
    const region = DO_REGIONS.find((r) => r.slug === d.regionSlug)!;
    const v4 = d.publicIp
      ? [
          { ip_address: d.publicIp, netmask: '255.255.255.0', gateway: '203.0.113.1', type: 'public' },
          { ip_address: d.privateIp, netmask: '255.255.240.0', gateway: '10.108.0.1', type: 'private' },
        ]
      : [];
    return {
      id: d.id,
      name: d.name,
      memory: size.memory,
      vcpus: size.vcpus,
      disk: size.disk,
      locked: false,
      status: d.status,
      kernel: null,
      created_at: d.createdAt,
      features: ['droplet_agent', 'private_networking'],
      backup_ids: [],
      next_backup_window: null,
      snapshot_ids: [],
      image: this.resources.imageJsonFor(d.imageId),
      volume_ids: this.resources.volumeIdsOf(d.id),
      size: sizeJson(size),
      size_slug: size.slug,
      networks: { v4, v6: [] },
      region: regionJson(region),
      tags: d.tags,
      vpc_uuid: '5a4981aa-9653-4bd1-bef5-d6bff52042e4',
    };
  }

  private actionJson(a: Action, now: number): Record<string, unknown> {
    const done = now >= a.completesAt;
    const region = DO_REGIONS.find((r) => r.slug === a.regionSlug)!;
    return {
      id: a.id,
      status: done ? 'completed' : 'in-progress',
      type: a.type,
      started_at: new Date(a.startedAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      completed_at: done ? new Date(a.completesAt).toISOString().replace(/\.\d{3}Z$/, 'Z') : null,
      resource_id: a.resourceId,
      resource_type: a.resourceType,
      region: regionJson(region),
      region_slug: a.regionSlug,
    };
  }

  /** One page of a collection, with DigitalOcean's `links.pages` (absolute URLs) and `meta.total`. */
  private page(req: FakeRequest, key: string, items: unknown[]): FakeResponse {
    const page = intQuery(req, 'page', 1, 1, Number.MAX_SAFE_INTEGER);
    const perPage = intQuery(req, 'per_page', 20, 1, 200);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const url = (p: number): string => {
      const q = new URLSearchParams(req.query);
      q.set('page', String(p));
      q.set('per_page', String(perPage));
      return `http://${req.host}${req.rawPath}?${q.toString()}`;
    };
    const pages: Record<string, string> = {};
    if (page > 1) Object.assign(pages, { first: url(1), prev: url(Math.min(page - 1, last)) });
    if (page < last) Object.assign(pages, { next: url(page + 1), last: url(last) });
    return json(200, { [key]: items.slice((page - 1) * perPage, page * perPage), links: { pages }, meta: { total: items.length } });
  }
}

function json(status: number, value: unknown): FakeResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(value) };
}

function notFound(): ApiError {
  return new ApiError(404, 'not_found', 'The resource you were accessing could not be found.');
}

function unprocessable(message: string): ApiError {
  return new ApiError(422, 'unprocessable_entity', message);
}

function jsonBody(req: FakeRequest): Record<string, unknown> {
  const type = header(req, 'content-type') ?? '';
  if (type && !/^application\/json/i.test(type)) throw new ApiError(400, 'bad_request', `Content-Type must be application/json, got ${type}`);
  let value: unknown;
  try {
    value = JSON.parse(req.body.toString('utf8'));
  } catch {
    throw new ApiError(400, 'bad_request', 'The request body is not valid JSON.');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ApiError(400, 'bad_request', 'The request body must be a JSON object.');
  return value as Record<string, unknown>;
}

function intQuery(req: FakeRequest, name: string, fallback: number, min: number, max: number): number {
  const raw = req.query.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new ApiError(400, 'bad_request', `${name} must be an integer >= ${min}`);
  return Math.min(n, max);
}
