/**
 * `Connection.forEndpoint`: a second service endpoint resolved after authentication (OpenStack's image service
 * beside compute) shares the first connection's credentials — one token for both, one refresh on a 401 — and
 * its settings, while its requests go below its own endpoint.
 */
import { afterAll, afterEach, beforeAll, expect, test } from '@jest/globals';
import { http, HttpResponse as MswResponse } from 'msw';
import { setupServer } from 'msw/node';
import { DriverConnection, TokenCredentials, type Operation, type RequestInfo, type Token } from '@dualcloud/core';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

interface Catalog {
  readonly compute: string;
  readonly image: string;
}

function setup(): { compute: DriverConnection; image: DriverConnection; credentials: TokenCredentials<Catalog>; seen: RequestInfo[] } {
  let issued = 0;
  const credentials = new TokenCredentials<Catalog>({
    // eslint-disable-next-line require-yield
    *fetch(): Operation<Token<Catalog>> {
      issued += 1;
      return { value: `token-${issued}`, data: { compute: 'https://compute.example.test/v2.1', image: 'https://image.example.test:9292' } };
    },
    apply: (headers, token) => ({ ...headers, 'x-auth-token': token.value }),
  });
  const endpoint = (service: keyof Catalog) =>
    function* (): Operation<string> {
      return (yield* credentials.token()).data![service];
    };
  const seen: RequestInfo[] = [];
  const compute = new DriverConnection({
    provider: 'openstack',
    host: 'openstack',
    credentials,
    endpoint: endpoint('compute'),
    transport: { adapter: 'http' },
    retry: { baseDelayMs: 1 },
    defaultHeaders: { accept: 'application/json' },
    hooks: { beforeRequest: (r) => void seen.push(r) },
  });
  return { compute, image: compute.forEndpoint('image', endpoint('image')), credentials, seen };
}

test('requests go below each endpoint, with the same token, settings and hooks', async () => {
  const tokens: Array<[string, string | null, string | null]> = [];
  server.use(
    http.get('https://compute.example.test/v2.1/servers/detail', ({ request }) => {
      tokens.push([request.url, request.headers.get('x-auth-token'), request.headers.get('accept')]);
      return MswResponse.json({ servers: [] });
    }),
    http.get('https://image.example.test:9292/v2/images', ({ request }) => {
      tokens.push([request.url, request.headers.get('x-auth-token'), request.headers.get('accept')]);
      return MswResponse.json({ images: [] });
    }),
  );
  const { compute, image, credentials, seen } = setup();
  await compute.requestAsync({ method: 'GET', path: '/servers/detail' });
  await image.requestAsync({ method: 'GET', path: '/v2/images', query: { limit: 2 } });
  expect(tokens).toEqual([
    ['https://compute.example.test/v2.1/servers/detail', 'token-1', 'application/json'],
    ['https://image.example.test:9292/v2/images?limit=2', 'token-1', 'application/json'],
  ]);
  expect(credentials.fetches).toBe(1);
  expect(seen.map((r) => r.url)).toEqual(['https://compute.example.test/v2.1/servers/detail', 'https://image.example.test:9292/v2/images?limit=2']);
  expect(compute.forEndpoint('image', () => undefined as never)).toBe(image); // kept per key
  expect(image.forEndpoint('image', () => undefined as never)).not.toBe(compute);
});

test('a token refused by the second service is refreshed once for both', async () => {
  let imageCalls = 0;
  server.use(
    http.get('https://image.example.test:9292/v2/images', ({ request }) => {
      imageCalls += 1;
      return request.headers.get('x-auth-token') === 'token-1' ? MswResponse.json({ error: { code: 401, title: 'Unauthorized' } }, { status: 401 }) : MswResponse.json({ images: [] });
    }),
    http.get('https://compute.example.test/v2.1/servers/detail', ({ request }) => MswResponse.json({ token: request.headers.get('x-auth-token') })),
  );
  const { compute, image, credentials } = setup();
  await compute.requestAsync({ method: 'GET', path: '/servers/detail' });
  const res = await image.requestAsync({ method: 'GET', path: '/v2/images' });
  expect(res.json()).toEqual({ images: [] });
  expect(imageCalls).toBe(2);
  expect(credentials.fetches).toBe(2);
  expect((await compute.requestAsync({ method: 'GET', path: '/servers/detail' })).json()).toEqual({ token: 'token-2' });
});
