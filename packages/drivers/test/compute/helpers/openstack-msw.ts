/**
 * An msw stand-in for an OpenStack cloud (Keystone v3, Nova, Glance) and for Rackspace (Keystone v2.0, regional
 * Nova), answering from test/fixtures/compute/openstack/*.json and recording every request.
 */
import { http, HttpResponse as MswResponse } from 'msw';
import type { SetupServer } from 'msw/node';
import { ASYNC_MODE } from '@dualcloud/core';
import { OpenStackNodeDriver, RackspaceNodeDriver, type OpenStackNodeDriverOptions, type RackspaceNodeDriverOptions } from '@dualcloud/drivers/compute';
import { fixture } from './fixtures.js';

export const KEYSTONE = 'https://keystone.example.com/v3';
export const PROJECT_ID = '8e8fad79486c1308d0fe0fde65db31e1';
export const NOVA = `https://nova.example.com:8774/v2.1/${PROJECT_ID}`;
export const GLANCE = 'https://glance.example.com:9292';
export const RACKSPACE_IDENTITY = 'https://identity.api.rackspacecloud.com/v2.0';
export const RACKSPACE_ORD = 'https://ord.servers.api.rackspacecloud.com/v2/123456';
export const TOKEN = 'gAAAAABmsgTokenForTheMswTests0000000000000000000000000000000000000000';
export const PASSWORD = 'os-password-for-msw-tests-0000';
export const API_KEY = 'rackspace-api-key-for-msw-tests-0000';

/** One request as the fake saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly url: URL;
  /** `host + path` without the query. */
  readonly where: string;
  readonly headers: Headers;
  readonly body: string;
}

/** A reply: a fixture name (200 JSON), or a function. */
export type Reply = string | ((request: SeenRequest, n: number) => Response | Promise<Response>);

/** A JSON fixture reply with a status and headers. */
export function json(name: string, status = 200, headers: Record<string, string> = {}): (request: SeenRequest, n: number) => Response {
  return () => new MswResponse(fixture(`openstack/${name}`), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/** An empty reply (Nova's 202 to an action, 204 to a delete). */
export function empty(status: number): () => Response {
  return () => new MswResponse(null, { status });
}

/**
 * Routes `METHOD https://host/path` (no query) to replies; Keystone v3 and v2.0 answer with the token fixtures
 * unless routed otherwise. Unrouted requests are 404 with Nova's itemNotFound document.
 */
export function openstackCloud(server: SetupServer, routes: Record<string, Reply>): SeenRequest[] {
  const seen: SeenRequest[] = [];
  const counts = new Map<string, number>();
  const defaults: Record<string, Reply> = {
    [`POST ${KEYSTONE}/auth/tokens`]: () =>
      new MswResponse(fixture('openstack/keystone_v3_token.json'), { status: 201, headers: { 'content-type': 'application/json', 'x-subject-token': TOKEN } }),
    [`POST ${RACKSPACE_IDENTITY}/tokens`]: json('rackspace_v2_token.json'),
  };
  server.use(
    http.all('*', async ({ request }) => {
      const url = new URL(request.url);
      const entry: SeenRequest = {
        method: request.method,
        url,
        where: `${url.origin}${url.pathname}`,
        headers: request.headers,
        body: request.method === 'GET' || request.method === 'HEAD' || request.method === 'DELETE' ? '' : await request.text(),
      };
      seen.push(entry);
      const key = `${request.method} ${entry.where}`;
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      const route = routes[key] ?? defaults[key];
      if (route === undefined) return json('error_item_not_found.json', 404)(entry, n);
      return typeof route === 'string' ? json(route)(entry, n) : route(entry, n);
    }),
  );
  return seen;
}

/** The requests that reached Nova, Glance or Rackspace's compute API (not the identity service). */
export function serviceRequests(seen: readonly SeenRequest[]): SeenRequest[] {
  return seen.filter((s) => !s.where.startsWith(KEYSTONE) && !s.where.startsWith(RACKSPACE_IDENTITY));
}

/** An OpenStack driver in async mode (msw intercepts Node's http: the `http` adapter). */
export function openstackDriver(options: Partial<OpenStackNodeDriverOptions> = {}): OpenStackNodeDriver {
  return new OpenStackNodeDriver({
    authUrl: KEYSTONE,
    username: 'demo',
    password: PASSWORD,
    projectName: 'demo',
    userDomainName: 'Default',
    transport: { adapter: 'http' },
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
    ...options,
    [ASYNC_MODE]: true,
  } as OpenStackNodeDriverOptions);
}

/** A Rackspace driver (region ORD) in async mode. */
export function rackspaceDriver(options: Partial<RackspaceNodeDriverOptions> = {}): RackspaceNodeDriver {
  return new RackspaceNodeDriver({
    username: 'demo',
    apiKey: API_KEY,
    regionName: 'ORD',
    transport: { adapter: 'http' },
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
    ...options,
    [ASYNC_MODE]: true,
  } as RackspaceNodeDriverOptions);
}
