/**
 * A minimal Keystone (OpenStack Identity v3) under `/identity/`, for token-credential tests: password
 * authentication issuing tokens, token validation and revocation, and the projects of a token's user; and
 * v2.0 tokens (password, or Rackspace's `RAX-KSKEY:apiKeyCredentials`). The catalog of a project-scoped token
 * lists the OpenStack services the fake cloud emulates: Nova and Glance (`nova-catalog.ts`) and Swift (`catalog.ts`).
 * @see https://docs.openstack.org/api-ref/identity/v3/
 * @module
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AuthFailure } from './auth.js';
import { catalogV2, catalogV3 } from './nova-catalog.js';
import { keystoneCatalog } from './catalog.js';
import type { KeystoneUser, ResolvedOptions } from './options.js';
import { ApiError, header, type FakeRequest, type FakeResponse } from './wire.js';

/** The path prefix Keystone answers under. */
export const KEYSTONE_PREFIX = '/identity';

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Request Entity Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const UNAUTHORIZED = 'The request you have made requires authentication.';

/** Tokens kept at most; beyond, expired then oldest tokens are forgotten (memory stays bounded). */
const MAX_TOKENS = 100_000;

const VERSION = { id: 'v3.14', status: 'stable', updated: '2020-04-07T00:00:00Z' };
const ROLES = [
  { id: 'f1a5c4e0b2d84c7e9a3b6d0e1f2a3b4c', name: 'member' },
  { id: 'a9b8c7d6e5f44a3b8c2d1e0f9a8b7c6d', name: 'reader' },
];

interface Named {
  readonly id: string;
  readonly name: string;
}

interface Project extends Named {
  readonly domain: Named;
}

interface User extends Named {
  readonly domain: Named;
  readonly password: string;
  /** Rackspace-style API key (Keystone v2.0 `RAX-KSKEY:apiKeyCredentials`). */
  readonly apiKey?: string;
  readonly projects: readonly Project[];
}

/** An issued token (Nova and the other services check the ones they are sent). */
export interface Token {
  readonly id: string;
  readonly user: User;
  readonly project?: Project;
  readonly methods: readonly string[];
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly auditId: string;
}

/** A stable Keystone-style id (32 hex digits) for a name. */
function stableId(kind: string, ...names: string[]): string {
  return createHash('sha256').update(`${kind}:${names.join('/')}`).digest('hex').slice(0, 32);
}

function domainOf(name: string): Named {
  return { id: name === 'Default' ? 'default' : stableId('domain', name), name };
}

/** Users from the credentials table: entries with the same user and domain add projects. */
function usersOf(table: readonly KeystoneUser[]): User[] {
  const users = new Map<string, User & { projects: Project[] }>();
  for (const entry of table) {
    const domain = domainOf(entry.domain);
    const key = `${domain.id}/${entry.username}`;
    let user = users.get(key);
    if (!user) {
      user = { id: stableId('user', domain.id, entry.username), name: entry.username, domain, password: entry.password, ...(entry.apiKey ? { apiKey: entry.apiKey } : {}), projects: [] };
      users.set(key, user);
    }
    if (!user.projects.some((p) => p.name === entry.project)) user.projects.push({ id: stableId('project', domain.id, entry.project), name: entry.project, domain });
  }
  return [...users.values()];
}

/** Keystone's timestamps: ISO 8601 with microseconds. */
function keystoneTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function invalid(message: string): ApiError {
  return new ApiError(400, 'Bad Request', message);
}

function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', UNAUTHORIZED);
}

function notFound(message = 'The resource could not be found.'): ApiError {
  return new ApiError(404, 'Not Found', message);
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Does a `{ id }` or `{ name }` reference (a domain) name `named`? */
function refers(ref: Record<string, unknown> | undefined, named: Named): boolean {
  if (!ref) return false;
  return typeof ref.id === 'string' ? ref.id === named.id : ref.name === named.name;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): FakeResponse {
  return { status, headers: { 'content-type': 'application/json', vary: 'X-Auth-Token', ...headers }, body: JSON.stringify(body) };
}

/** The Keystone emulator. */
export class KeystoneApi {
  private readonly tokens = new Map<string, Token>();
  private issued = 0;

  constructor(private readonly options: () => ResolvedOptions) {}

  /** Tokens issued since start (or the last reset). */
  get tokensIssued(): number {
    return this.issued;
  }

  /** Handles one request under {@link KEYSTONE_PREFIX}. */
  handle(req: FakeRequest): FakeResponse {
    const path = req.rawPath.replace(/\/+$/, '');
    const route = path.startsWith(KEYSTONE_PREFIX) ? path.slice(KEYSTONE_PREFIX.length) : undefined;
    const m = req.method;
    const allow = (...methods: string[]): void => {
      if (!methods.includes(m)) throw new ApiError(405, 'Method Not Allowed', `The method ${m} is not supported for this resource.`);
    };
    switch (route) {
      case '':
        allow('GET', 'HEAD');
        return json(300, { versions: { values: [this.version(req)] } });
      case '/v3':
        allow('GET', 'HEAD');
        return json(200, { version: this.version(req) });
      case '/v3/auth/tokens':
        allow('POST', 'GET', 'HEAD', 'DELETE');
        if (m === 'POST') return this.issue(req);
        return this.subject(req);
      case '/v3/auth/projects':
        allow('GET', 'HEAD');
        return this.projects(req);
      case '/v2.0/tokens':
        allow('POST');
        return this.issueV2(req);
      default:
        throw notFound();
    }
  }

  /** Renders an error as Keystone does: `{ error: { code, title, message } }`; a 401 names the auth URI. */
  error(e: ApiError, req: FakeRequest): FakeResponse {
    const headers: Record<string, string> = { ...e.headers };
    if (e.status === 401) headers['www-authenticate'] = `Keystone uri="http://${req.host}${KEYSTONE_PREFIX}"`;
    const body = { error: { code: e.status, title: TITLES[e.status] ?? e.code, message: e.message } };
    return req.method === 'HEAD' ? { status: e.status, headers: { 'content-type': 'application/json', ...headers } } : json(e.status, body, headers);
  }

  /** Every authentication failure is Keystone's 401. */
  authError(_e: AuthFailure): ApiError {
    return unauthorized();
  }

  /** The project of a valid, project-scoped token (for the services that accept Keystone tokens: Swift). */
  projectOf(id: string | undefined, now: number): string | undefined {
    return this.valid(id, now)?.project?.id;
  }

  /** Forgets every token. */
  clear(): void {
    this.tokens.clear();
  }

  /** The token with this id if it exists and has not expired (services check `X-Auth-Token` with it). */
  validate(id: string | undefined, now: number): Token | undefined {
    return this.valid(id, now);
  }

  private version(req: FakeRequest): object {
    return {
      ...VERSION,
      links: [{ rel: 'self', href: `http://${req.host}${KEYSTONE_PREFIX}/v3/` }],
      'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
    };
  }

  /** `POST /v3/auth/tokens` with the password method: 201, `X-Subject-Token` and the token. */
  private issue(req: FakeRequest): FakeResponse {
    let doc: unknown;
    try {
      doc = JSON.parse(req.body.toString('utf8'));
    } catch {
      throw invalid('Expecting to find valid JSON in request body. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.');
    }
    const auth = record(record(doc)?.auth);
    const identity = record(auth?.identity);
    if (!auth) throw invalid("Invalid input for field '/': 'auth' is a required property");
    if (!identity || !Array.isArray(identity.methods)) throw invalid("Invalid input for field 'identity': 'methods' is a required property");
    if (!identity.methods.includes('password') || identity.methods.some((x) => x !== 'password')) {
      throw new ApiError(401, 'Unauthorized', 'Attempted to authenticate with an unsupported method.');
    }
    const user = this.passwordUser(record(identity.password));
    const project = this.scope(record(auth.scope), user);
    const now = req.now;
    const token: Token = {
      id: `gAAAAA${randomBytes(138).toString('base64url')}`,
      user,
      project,
      methods: ['password'],
      issuedAt: now,
      expiresAt: now + this.options().tokenTtlMs,
      auditId: randomBytes(16).toString('base64url').slice(0, 22),
    };
    this.remember(token, now);
    this.issued += 1;
    return json(201, this.tokenBody(req, token), { 'x-subject-token': token.id });
  }

  /** The user a password identity names, if the password is right (else 401, as for an unknown user). */
  private passwordUser(password: Record<string, unknown> | undefined): User {
    const given = record(password?.user);
    if (!given) throw invalid("Invalid input for field 'identity/password': 'user' is a required property");
    if (typeof given.password !== 'string') throw invalid("Invalid input for field 'identity/password/user': 'password' is a required property");
    const users = usersOf(this.options().credentials.keystone);
    let user: User | undefined;
    if (typeof given.id === 'string') user = users.find((u) => u.id === given.id);
    else if (typeof given.name === 'string') {
      const domain = record(given.domain);
      if (!domain) throw invalid('Expecting to find domain in user. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.');
      user = users.find((u) => u.name === given.name && refers(domain, u.domain));
    } else throw invalid("Invalid input for field 'identity/password/user': 'id' or 'name' is required");
    if (!user || !sameSecret(user.password, given.password)) throw unauthorized();
    return user;
  }

  /** The project a scope names, among the user's (else 401); undefined for an unscoped token. */
  private scope(scope: Record<string, unknown> | undefined, user: User): Project | undefined {
    if (!scope) return undefined;
    const project = record(scope.project);
    if (!project) throw unauthorized(); // domain and system scopes: this user has no role there
    if (typeof project.id !== 'string' && !record(project.domain)) {
      throw invalid('Expecting to find domain in project. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.');
    }
    const found =
      typeof project.id === 'string'
        ? user.projects.find((p) => p.id === project.id)
        : user.projects.find((p) => p.name === project.name && refers(record(project.domain), p.domain));
    if (!found) throw unauthorized();
    return found;
  }

  /**
   * `POST /v2.0/tokens` with `passwordCredentials` (+ `tenantName` / `tenantId`; without one the token is
   * unscoped and has no catalog) or Rackspace's `RAX-KSKEY:apiKeyCredentials` (scoped to the user's first
   * project, with Rackspace's regional catalog). Users are looked up in the Default domain, as v2.0 does.
   */
  private issueV2(req: FakeRequest): FakeResponse {
    let doc: unknown;
    try {
      doc = JSON.parse(req.body.toString('utf8'));
    } catch {
      throw invalid('Expecting to find valid JSON in request body.');
    }
    const auth = record(record(doc)?.auth);
    if (!auth) throw invalid("Expecting to find auth in request body.");
    const byPassword = record(auth.passwordCredentials);
    const byApiKey = record(auth['RAX-KSKEY:apiKeyCredentials']);
    if (!byPassword && !byApiKey) throw new ApiError(401, 'Unauthorized', 'Attempted to authenticate with an unsupported method.');
    const given = (byPassword ?? byApiKey)!;
    const secret = byPassword ? given.password : given.apiKey;
    if (typeof given.username !== 'string' || typeof secret !== 'string') throw invalid(byPassword ? 'Expecting to find username and password in passwordCredentials.' : 'Expecting to find username and apiKey in apiKeyCredentials.');
    const user = usersOf(this.options().credentials.keystone).find((u) => u.name === given.username && u.domain.id === 'default');
    const expected = byPassword ? user?.password : user?.apiKey;
    if (!user || expected === undefined || !sameSecret(expected, secret)) throw unauthorized();
    let project: Project | undefined;
    if (byApiKey) project = user.projects[0];
    else if (typeof auth.tenantId === 'string') project = user.projects.find((p) => p.id === auth.tenantId);
    else if (typeof auth.tenantName === 'string') project = user.projects.find((p) => p.name === auth.tenantName);
    if ((auth.tenantId !== undefined || auth.tenantName !== undefined || byApiKey) && !project) throw unauthorized();
    const now = req.now;
    const token: Token = {
      id: `gAAAAA${randomBytes(138).toString('base64url')}`,
      user,
      project,
      methods: [byPassword ? 'password' : 'apikey'],
      issuedAt: now,
      expiresAt: now + this.options().tokenTtlMs,
      auditId: randomBytes(16).toString('base64url').slice(0, 22),
    };
    this.remember(token, now);
    this.issued += 1;
    const access = {
      token: {
        id: token.id,
        issued_at: keystoneTime(token.issuedAt),
        expires: new Date(token.expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        audit_ids: [token.auditId],
        ...(project ? { tenant: { id: project.id, name: project.name, enabled: true, description: null } } : {}),
      },
      serviceCatalog: project ? catalogV2(`http://${req.host}`, project.id, byApiKey ? 'rackspace' : 'openstack') : [],
      user: {
        id: user.id,
        name: user.name,
        username: user.name,
        roles: project ? ROLES.map((r) => ({ name: r.name })) : [],
        roles_links: [],
        ...(byApiKey ? { 'RAX-AUTH:defaultRegion': 'DFW' } : {}),
      },
      metadata: { is_admin: 0, roles: project ? ROLES.map((r) => r.id) : [] },
    };
    return json(200, { access });
  }

  private remember(token: Token, now: number): void {
    if (this.tokens.size >= MAX_TOKENS) {
      for (const [id, t] of this.tokens) if (t.expiresAt <= now) this.tokens.delete(id);
      for (const id of this.tokens.keys()) {
        if (this.tokens.size < MAX_TOKENS) break;
        this.tokens.delete(id);
      }
    }
    this.tokens.set(token.id, token);
  }

  /** A token that exists and has not expired, or undefined. */
  private valid(id: string | undefined, now: number): Token | undefined {
    const token = id === undefined ? undefined : this.tokens.get(id);
    if (token && token.expiresAt <= now) {
      this.tokens.delete(token.id);
      return undefined;
    }
    return token;
  }

  /** The caller's token (`X-Auth-Token`), or 401. */
  private caller(req: FakeRequest): Token {
    const token = this.valid(header(req, 'x-auth-token'), req.now);
    if (!token) throw unauthorized();
    return token;
  }

  /** `GET` (validate), `HEAD` (check) and `DELETE` (revoke) `/v3/auth/tokens` of `X-Subject-Token`. */
  private subject(req: FakeRequest): FakeResponse {
    this.caller(req);
    const id = header(req, 'x-subject-token');
    if (!id) throw invalid('X-Subject-Token is required.');
    const token = this.valid(id, req.now);
    if (!token) throw notFound(`Could not find token: ${id}.`);
    if (req.method === 'DELETE') {
      this.tokens.delete(id);
      return { status: 204, headers: {} };
    }
    return json(200, this.tokenBody(req, token), { 'x-subject-token': token.id });
  }

  /** `GET /v3/auth/projects`: the projects the caller's user can scope to. */
  private projects(req: FakeRequest): FakeResponse {
    const token = this.caller(req);
    const base = `http://${req.host}${KEYSTONE_PREFIX}/v3`;
    const projects = token.user.projects.map((p) => ({
      id: p.id,
      name: p.name,
      domain_id: p.domain.id,
      description: '',
      enabled: true,
      is_domain: false,
      parent_id: p.domain.id,
      tags: [],
      options: {},
      links: { self: `${base}/projects/${p.id}` },
    }));
    return json(200, { projects, links: { self: `${base}/auth/projects`, previous: null, next: null } });
  }

  private tokenBody(req: FakeRequest, t: Token): object {
    const named = (n: Named): Named => ({ id: n.id, name: n.name });
    const scoped = t.project
      ? {
          project: { domain: named(t.project.domain), id: t.project.id, name: t.project.name },
          is_domain: false,
          roles: ROLES,
          ...(req.query.has('nocatalog') ? {} : { catalog: [...catalogV3(`http://${req.host}`, t.project.id), ...keystoneCatalog(req.host, t.project.id)] }),
        }
      : {};
    return {
      token: {
        methods: t.methods,
        user: { domain: named(t.user.domain), id: t.user.id, name: t.user.name, password_expires_at: null },
        audit_ids: [t.auditId],
        expires_at: keystoneTime(t.expiresAt),
        issued_at: keystoneTime(t.issuedAt),
        ...scoped,
      },
    };
  }
}
