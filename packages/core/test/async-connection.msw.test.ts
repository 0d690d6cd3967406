import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { http, HttpResponse as MswResponse } from 'msw';
import { setupServer } from 'msw/node';
import { AbortError, bearerSigner, DriverConnection, InvalidCredentialsError, MalformedResponseError, RateLimitError } from '@dualcloud/core';

// msw intercepts Node's http module (and fetch), not undici's own dispatcher: use the `http` adapter here.
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const conn = (): DriverConnection =>
  new DriverConnection({
    provider: 'digitalocean',
    host: 'api.example.test',
    secure: true,
    transport: { adapter: 'http' },
    credentials: bearerSigner('tok-123'),
    retry: { baseDelayMs: 1 },
    parseError: (res) => {
      const body = res.json<{ id?: string; message?: string }>();
      return { code: body.id, message: body.message };
    },
  });

describe('AsyncConnection over msw', () => {
  test('sends the prepared request (URL, query, headers, body) and parses the reply', async () => {
    let seen: { url: string; auth: string | null; ua: string | null; body: string } | undefined;
    server.use(
      http.post('https://api.example.test/v2/droplets', async ({ request }) => {
        seen = { url: request.url, auth: request.headers.get('authorization'), ua: request.headers.get('user-agent'), body: await request.text() };
        return MswResponse.json({ droplet: { id: 1 } }, { status: 202 });
      }),
    );
    const res = await conn().requestAsync({ method: 'POST', path: '/v2/droplets', query: { tag: 'a b' }, body: '{"name":"n"}', headers: { 'Content-Type': 'application/json' } });
    expect(res.status).toBe(202);
    expect(res.json()).toEqual({ droplet: { id: 1 } });
    expect(seen).toEqual({ url: 'https://api.example.test/v2/droplets?tag=a%20b', auth: 'Bearer tok-123', ua: expect.stringMatching(/^dualcloud\//), body: '{"name":"n"}' });
  });

  test('maps 401 and 429 (with ratelimit-reset) to typed errors', async () => {
    server.use(
      http.get('https://api.example.test/v2/account', () => MswResponse.json({ id: 'unauthorized', message: 'Unable to authenticate you' }, { status: 401 })),
      http.get('https://api.example.test/v2/regions', () =>
        MswResponse.json({ id: 'too_many_requests', message: 'slow down' }, { status: 429, headers: { 'retry-after': '0' } }),
      ),
    );
    await expect(conn().requestAsync({ method: 'GET', path: '/v2/account' })).rejects.toMatchObject({
      constructor: InvalidCredentialsError,
      status: 401,
      code: 'unauthorized',
    });
    const limited = await conn().requestAsync({ method: 'GET', path: '/v2/regions' }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RateLimitError);
    expect((limited as RateLimitError).retryAfter).toBe(0);
  });

  test('retries a 503 and succeeds', async () => {
    let calls = 0;
    server.use(
      http.get('https://api.example.test/v2/sizes', () => {
        calls++;
        return calls < 3 ? new MswResponse('busy', { status: 503 }) : MswResponse.json({ sizes: [] });
      }),
    );
    const res = await conn().requestAsync({ method: 'GET', path: '/v2/sizes' });
    expect(res.json()).toEqual({ sizes: [] });
    expect(calls).toBe(3);
  });

  test('an HTML error page with status 200 fails parsing with MalformedResponseError', async () => {
    server.use(http.get('https://api.example.test/v2/images', () => new MswResponse('<html><body>Gateway</body></html>', { headers: { 'content-type': 'text/html' } })));
    const res = await conn().requestAsync({ method: 'GET', path: '/v2/images' });
    expect(() => res.json()).toThrow(MalformedResponseError);
  });

  test('an AbortSignal cancels the request with AbortError', async () => {
    server.use(http.get('https://api.example.test/v2/slow', () => new Promise<never>(() => undefined)));
    const controller = new AbortController();
    const pending = conn().requestAsync({ method: 'GET', path: '/v2/slow' }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toBeInstanceOf(AbortError);
  });

  test('the per-connection concurrency limit bounds requests in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    server.use(
      http.get('https://api.example.test/v2/limited', async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 10));
        inFlight--;
        return MswResponse.json({});
      }),
    );
    const limited = new DriverConnection({ ...conn().options, concurrency: 3 });
    await Promise.all(Array.from({ length: 12 }, () => limited.requestAsync({ method: 'GET', path: '/v2/limited' })));
    expect(peak).toBe(3);
  });
});
