/**
 * OpenStack identity, shared by the OpenStack compute and object-storage drivers: Keystone v3 (password,
 * application credentials, token), Keystone v2.0 (password, Rackspace's `RAX-KSKEY:apiKeyCredentials`) and
 * Swift's v1.0 auth, as the kit's token credentials (cached until shortly before `expires_at`, refreshed once
 * on 401, one request for concurrent callers). The service catalog comes with each token and picks endpoints
 * by service type, region and interface.
 * @module
 */
import {
  DriverConnection,
  InvalidArgumentError,
  InvalidCredentialsError,
  MalformedResponseError,
  NotFoundError,
  openStackFromEnvironment,
  TokenCredentials,
  type ConnectionRecipe,
  type DriverOptions,
  type ErrorCodeTable,
  type HttpResponse,
  type Operation,
  type ProviderErrorInfo,
  type Token,
} from '@dualcloud/core';

/** How to authenticate against an OpenStack cloud (names as openstacksdk's, camelCased). */
export interface OpenStackAuthOptions {
  /** Keystone (`…/v3`, `…/v2.0`) or Swift's v1.0 auth URL (`…/auth/v1.0`). Default: `OS_AUTH_URL` / `clouds.yaml`. */
  authUrl?: string;
  /** `3`, `2.0` or `1.0`; default from the end of `authUrl` (v3 when it names no version). */
  identityApiVersion?: string;
  username?: string;
  userId?: string;
  password?: string;
  userDomainName?: string;
  userDomainId?: string;
  projectName?: string;
  projectId?: string;
  projectDomainName?: string;
  projectDomainId?: string;
  /** Domain of a domain-scoped token (no project). */
  domainName?: string;
  domainId?: string;
  applicationCredentialId?: string;
  applicationCredentialName?: string;
  applicationCredentialSecret?: string;
  /** An existing token (v3 token auth: rescoped to the project when one is given). */
  token?: string;
  /** Rackspace API key (Keystone v2.0 `RAX-KSKEY:apiKeyCredentials`). */
  apiKey?: string;
  /** Region of the endpoints used (`OS_REGION_NAME`). */
  regionName?: string;
  /** Endpoint interface: `public` (default), `internal` or `admin`. */
  interface?: string;
  /** Cloud of `clouds.yaml` to read when `authUrl` is not given (default `OS_CLOUD`). */
  cloud?: string;
  /** The service's URL, skipping the catalog (e.g. a private endpoint). */
  endpointOverride?: string;
}

/** The option names of {@link OpenStackAuthOptions}, for drivers' `optionKeys`. */
export const OPENSTACK_AUTH_OPTION_KEYS: readonly string[] = [
  'authUrl',
  'identityApiVersion',
  'username',
  'userId',
  'password',
  'userDomainName',
  'userDomainId',
  'projectName',
  'projectId',
  'projectDomainName',
  'projectDomainId',
  'domainName',
  'domainId',
  'applicationCredentialId',
  'applicationCredentialName',
  'applicationCredentialSecret',
  'token',
  'apiKey',
  'regionName',
  'interface',
  'cloud',
  'endpointOverride',
];

/** One endpoint of the service catalog. */
export interface CatalogEndpoint {
  readonly type: string;
  readonly name: string;
  readonly region: string;
  /** `public`, `internal` or `admin`. */
  readonly interface: string;
  readonly url: string;
}

/** The service catalog of a token. */
export class ServiceCatalog {
  constructor(readonly endpoints: readonly CatalogEndpoint[]) {}

  /**
   * The URL of a service: by type (`compute`, `object-store`, `image`…), interface and region (any region when
   * none is asked and the service has one region). `NotFoundError` says what the catalog offers instead.
   */
  url(type: string, options: { region?: string; interface?: string; name?: string } = {}): string {
    const iface = normaliseInterface(options.interface);
    const candidates = this.endpoints.filter((e) => e.type === type && e.interface === iface && (!options.name || e.name === options.name));
    const inRegion = options.region ? candidates.filter((e) => e.region === options.region) : candidates;
    const regions = [...new Set(candidates.map((e) => e.region))];
    if (inRegion.length > 0 && (options.region || regions.length === 1)) return inRegion[0]!.url;
    const offered = [...new Set(this.endpoints.filter((e) => e.type === type).map((e) => `${e.region || '(no region)'}/${e.interface}`))];
    const why = !options.region && regions.length > 1 ? `it is offered in several regions (${regions.join(', ')}); give regionName` : `the catalog offers ${offered.length ? offered.join(', ') : 'no such service'}`;
    throw new NotFoundError(`openstack: no ${iface} ${type} endpoint${options.region ? ` in ${options.region}` : ''}: ${why}`, { code: 'EndpointNotFound', provider: 'openstack' });
  }
}

/** What a token brings besides its value. */
export interface OpenStackSession {
  readonly catalog: ServiceCatalog;
  readonly projectId?: string;
  readonly userId?: string;
}

/** Keystone's JSON error (`{"error": {"code", "title", "message"}}`) or Nova/Swift's equivalents. */
export function parseOpenStackError(response: HttpResponse): ProviderErrorInfo | undefined {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(response.body).toString('utf8'));
  } catch {
    const text = Buffer.from(response.body).toString('utf8').replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
    return text ? { message: text.slice(0, 200) } : undefined;
  }
  if (!body || typeof body !== 'object') return undefined;
  const first = Object.values(body as Record<string, unknown>)[0] as Record<string, unknown> | undefined;
  if (!first || typeof first !== 'object') return undefined;
  const message = typeof first.message === 'string' ? first.message : undefined;
  const code = typeof first.title === 'string' ? first.title : Object.keys(body as object)[0];
  // Nova's and Cinder's `overLimit` say how long to wait (seconds, a number or a numeric string).
  const wait = typeof first.retryAfter === 'string' && /^\d+(\.\d+)?$/.test(first.retryAfter.trim()) ? Number(first.retryAfter) : first.retryAfter;
  const retryAfter = typeof wait === 'number' && Number.isFinite(wait) && wait >= 0 ? wait : undefined;
  return { ...(code ? { code } : {}), ...(message ? { message } : {}), ...(retryAfter !== undefined ? { retryAfter } : {}) };
}

const IDENTITY_ERRORS: ErrorCodeTable = { Unauthorized: InvalidCredentialsError, unauthorized: InvalidCredentialsError };

/** The resolved identity settings: options over `OS_*` / `clouds.yaml`. */
function resolveAuth(options: OpenStackAuthOptions): OpenStackAuthOptions & { authUrl: string } {
  if (options.authUrl) return options as OpenStackAuthOptions & { authUrl: string };
  const found = openStackFromEnvironment(options.cloud ? { cloud: options.cloud } : {});
  const merged: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(found)) if (k !== 'source' && v !== undefined) merged[k] = v;
  for (const [k, v] of Object.entries(options)) if (v !== undefined) merged[k] = v;
  return merged as unknown as OpenStackAuthOptions & { authUrl: string };
}

function versionOf(auth: OpenStackAuthOptions & { authUrl: string }): '3' | '2.0' | '1.0' {
  const asked = auth.identityApiVersion?.replace(/^v/, '');
  if (asked === '3' || asked === '3.0') return '3';
  if (asked === '2' || asked === '2.0') return '2.0';
  if (asked === '1' || asked === '1.0') return '1.0';
  if (asked) throw new InvalidArgumentError(`openstack: identityApiVersion ${asked} is not supported (3, 2.0 or 1.0)`);
  if (/\/v1\.0\/?$/.test(auth.authUrl)) return '1.0';
  if (/\/v2\.0\/?$/.test(auth.authUrl)) return '2.0';
  return '3';
}

function normaliseInterface(value: string | undefined): string {
  const iface = (value ?? 'public').replace(/URL$/, '');
  if (!['public', 'internal', 'admin'].includes(iface)) throw new InvalidArgumentError(`openstack: interface must be public, internal or admin (got ${iface.slice(0, 20)})`);
  return iface;
}

/** The connection a token is requested on: the auth URL's origin, no credentials, the driver's settings. */
function authConnection(authUrl: string, settings: Partial<DriverOptions>): { connection: DriverConnection; basePath: string } {
  let url: URL;
  try {
    url = new URL(authUrl);
  } catch {
    throw new InvalidArgumentError('openstack: authUrl is not a URL');
  }
  const secure = url.protocol === 'https:';
  const basePath = url.pathname.replace(/\/+$/, '');
  const connection = new DriverConnection({
    provider: 'keystone',
    host: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    secure,
    parseError: parseOpenStackError,
    errorCodes: IDENTITY_ERRORS,
    ...(settings.timeoutMs !== undefined ? { timeoutMs: settings.timeoutMs } : {}),
    ...(settings.retry ? { retry: settings.retry } : {}),
    ...(settings.transport ? { transport: settings.transport } : {}),
    ...(settings.hooks ? { hooks: settings.hooks } : {}),
    ...(settings.debug !== undefined ? { debug: settings.debug } : {}),
    defaultHeaders: { accept: 'application/json' },
  });
  return { connection, basePath };
}

function jsonOf(response: HttpResponse): Record<string, any> {
  try {
    const doc = JSON.parse(Buffer.from(response.body).toString('utf8'));
    if (doc && typeof doc === 'object') return doc as Record<string, any>;
  } catch {
    /* below */
  }
  throw new MalformedResponseError('keystone: the token response is not a JSON object', { code: 'UnexpectedJSON', provider: 'keystone' });
}

function expiry(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const date = new Date(value.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** The v3 request body for the configured method. */
export function keystoneV3Body(auth: OpenStackAuthOptions): Record<string, unknown> {
  const domain = (name?: string, id?: string): Record<string, string> | undefined => (id ? { id } : name ? { name } : undefined);
  let identity: Record<string, unknown>;
  if (auth.applicationCredentialSecret) {
    const credential = auth.applicationCredentialId
      ? { id: auth.applicationCredentialId, secret: auth.applicationCredentialSecret }
      : { name: auth.applicationCredentialName, secret: auth.applicationCredentialSecret, user: auth.userId ? { id: auth.userId } : { name: auth.username, domain: domain(auth.userDomainName ?? 'Default', auth.userDomainId) } };
    // Application credentials carry their own scope: Keystone refuses one in the request.
    return { auth: { identity: { methods: ['application_credential'], application_credential: credential } } };
  }
  if (auth.password) {
    const user = auth.userId ? { id: auth.userId, password: auth.password } : { name: auth.username, domain: domain(auth.userDomainName ?? 'Default', auth.userDomainId), password: auth.password };
    if (!auth.userId && !auth.username) throw new InvalidArgumentError('openstack: give username (or userId) with the password');
    identity = { methods: ['password'], password: { user } };
  } else if (auth.token) {
    identity = { methods: ['token'], token: { id: auth.token } };
  } else {
    throw new InvalidArgumentError('openstack: give password, applicationCredentialSecret or token for Keystone v3');
  }
  const scope = auth.projectId
    ? { project: { id: auth.projectId } }
    : auth.projectName
      ? { project: { name: auth.projectName, domain: domain(auth.projectDomainName ?? auth.userDomainName ?? 'Default', auth.projectDomainId) } }
      : auth.domainId || auth.domainName
        ? { domain: domain(auth.domainName, auth.domainId) }
        : undefined;
  return { auth: { identity, ...(scope ? { scope } : {}) } };
}

/** The v2.0 request body (password, or Rackspace's API key). */
export function keystoneV2Body(auth: OpenStackAuthOptions): Record<string, unknown> {
  const tenant = auth.projectId ? { tenantId: auth.projectId } : auth.projectName ? { tenantName: auth.projectName } : {};
  if (auth.apiKey) return { auth: { 'RAX-KSKEY:apiKeyCredentials': { username: auth.username, apiKey: auth.apiKey }, ...tenant } };
  if (auth.password) return { auth: { passwordCredentials: { username: auth.username, password: auth.password }, ...tenant } };
  if (auth.token) return { auth: { token: { id: auth.token }, ...tenant } };
  throw new InvalidArgumentError('openstack: give password, apiKey or token for Keystone v2.0');
}

/** Parses a v3 token response's catalog. */
export function parseV3Catalog(token: Record<string, any>): ServiceCatalog {
  const endpoints: CatalogEndpoint[] = [];
  for (const service of Array.isArray(token.catalog) ? token.catalog : []) {
    for (const e of Array.isArray(service?.endpoints) ? service.endpoints : []) {
      if (typeof e?.url !== 'string') continue;
      endpoints.push({ type: String(service.type ?? ''), name: String(service.name ?? ''), region: String(e.region_id ?? e.region ?? ''), interface: String(e.interface ?? 'public'), url: e.url });
    }
  }
  return new ServiceCatalog(endpoints);
}

/** Parses a v2.0 `access.serviceCatalog`. */
export function parseV2Catalog(access: Record<string, any>): ServiceCatalog {
  const endpoints: CatalogEndpoint[] = [];
  for (const service of Array.isArray(access.serviceCatalog) ? access.serviceCatalog : []) {
    for (const e of Array.isArray(service?.endpoints) ? service.endpoints : []) {
      for (const iface of ['public', 'internal', 'admin']) {
        const url = e?.[`${iface}URL`];
        if (typeof url === 'string') endpoints.push({ type: String(service.type ?? ''), name: String(service.name ?? ''), region: String(e.region ?? ''), interface: iface, url });
      }
    }
  }
  return new ServiceCatalog(endpoints);
}

/** Token credentials for an OpenStack cloud, and how to find a service's endpoint with them. */
export interface OpenStackIdentity {
  readonly credentials: TokenCredentials<OpenStackSession>;
  /**
   * An operation returning the endpoint URL of a service type (from the catalog, or the override); `name`
   * narrows the catalog to one service name (Rackspace's `cloudServersOpenStack`).
   */
  endpoint(type: string, name?: string): () => Operation<string>;
  /** The region asked for, if any. */
  readonly regionName?: string;
}

/**
 * Builds the identity of a driver: resolves the options (or `OS_*` / `clouds.yaml`), picks the auth version,
 * and returns token credentials whose token source posts to Keystone (or Swift's v1.0 auth).
 */
export function openStackIdentity(options: OpenStackAuthOptions, settings: Partial<DriverOptions> = {}): OpenStackIdentity {
  const auth = resolveAuth(options);
  const version = versionOf(auth);
  const { connection, basePath } = authConnection(auth.authUrl, settings);
  const secrets = [auth.password, auth.apiKey, auth.applicationCredentialSecret, auth.token].filter((s): s is string => typeof s === 'string' && s !== '');
  const iface = normaliseInterface(auth.interface);
  const fetch = function* (): Operation<Token<OpenStackSession>> {
    if (version === '1.0') {
      const res = yield* connection.send({
        method: 'GET',
        path: basePath,
        headers: { 'x-auth-user': auth.username ?? '', 'x-auth-key': auth.password ?? auth.apiKey ?? '' },
        action: 'SwiftAuthV1',
      });
      const token = res.header('x-auth-token') ?? res.header('x-storage-token');
      const storageUrl = res.header('x-storage-url');
      if (!token || !storageUrl) throw new MalformedResponseError('swift: v1.0 auth answered without X-Auth-Token and X-Storage-Url', { code: 'UnexpectedAuthReply', provider: 'swift' });
      const ttl = Number(res.header('x-auth-token-expires'));
      return {
        value: token,
        ...(Number.isFinite(ttl) && ttl > 0 ? { expiresAt: new Date(Date.now() + ttl * 1000) } : {}),
        data: { catalog: new ServiceCatalog([{ type: 'object-store', name: 'swift', region: '', interface: iface, url: storageUrl }]) },
      };
    }
    if (version === '2.0') {
      const res = yield* connection.send({ method: 'POST', path: `${basePath}/tokens`, headers: { 'content-type': 'application/json' }, body: JSON.stringify(keystoneV2Body(auth)), idempotent: true, action: 'KeystoneV2Tokens' });
      const access = jsonOf(res).access as Record<string, any> | undefined;
      const id = access?.token?.id;
      if (typeof id !== 'string') throw new MalformedResponseError('keystone: v2.0 token response without access.token.id', { code: 'UnexpectedJSON', provider: 'keystone' });
      const expiresAt = expiry(access!.token.expires);
      return { value: id, ...(expiresAt ? { expiresAt } : {}), data: { catalog: parseV2Catalog(access!), ...(access!.token.tenant?.id ? { projectId: String(access!.token.tenant.id) } : {}) } };
    }
    const res = yield* connection.send({ method: 'POST', path: `${basePath}/auth/tokens`, headers: { 'content-type': 'application/json' }, body: JSON.stringify(keystoneV3Body(auth)), idempotent: true, action: 'KeystoneV3Tokens' });
    const value = res.header('x-subject-token');
    const token = jsonOf(res).token as Record<string, any> | undefined;
    if (!value || !token) throw new MalformedResponseError('keystone: token response without X-Subject-Token or token body', { code: 'UnexpectedJSON', provider: 'keystone' });
    const expiresAt = expiry(token.expires_at);
    return {
      value,
      ...(expiresAt ? { expiresAt } : {}),
      data: { catalog: parseV3Catalog(token), ...(token.project?.id ? { projectId: String(token.project.id) } : {}), ...(token.user?.id ? { userId: String(token.user.id) } : {}) },
    };
  };
  const credentials = new TokenCredentials<OpenStackSession>({ fetch, apply: (headers, token) => ({ ...headers, 'x-auth-token': token.value }), secrets });
  return {
    credentials,
    ...(auth.regionName ? { regionName: auth.regionName } : {}),
    endpoint(type, name) {
      return function* () {
        if (auth.endpointOverride) return auth.endpointOverride;
        const token = yield* credentials.token();
        return token.data!.catalog.url(type, { ...(auth.regionName ? { region: auth.regionName } : {}), interface: iface, ...(name ? { name } : {}) });
      };
    },
  };
}

/**
 * The connection recipe of an OpenStack service: requests go to the service's catalog endpoint, with the
 * token in `X-Auth-Token`. `host` only names the identity service in messages until a token is fetched.
 */
export function openStackRecipe(provider: string, serviceType: string, identity: OpenStackIdentity, extra: Partial<ConnectionRecipe> = {}): ConnectionRecipe {
  return {
    provider,
    host: 'openstack',
    credentials: identity.credentials,
    endpoint: identity.endpoint(serviceType),
    parseError: parseOpenStackError,
    defaultHeaders: { accept: 'application/json' },
    ...extra,
  };
}
