/**
 * msw handlers for the Swift driver tests (async mode; msw intercepts Node's http module, so drivers use
 * `adapter: 'http'`): Swift's v1.0 auth at `http://swift.test/auth/v1.0`, and a storage URL whose requests are
 * recorded and answered by per-test routes (method + path pattern), first match wins.
 */
import { http, HttpResponse } from 'msw';

export const ORIGIN = 'http://swift.test';
export const ACCOUNT_PATH = '/v1/AUTH_test';
export const STORAGE_URL = `${ORIGIN}${ACCOUNT_PATH}`;
export const AUTH_URL = `${ORIGIN}/auth/v1.0`;
export const USER = 'test:tester';
export const KEY = 'testing-key-0001';

/** A request as the mock saw it. */
export interface SeenRequest {
  readonly method: string;
  /** The path below the account, decoded (`''` for the account, `/c`, `/c/o`). */
  readonly path: string;
  /** The path as sent (still encoded). */
  readonly rawPath: string;
  readonly query: URLSearchParams;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** Answers a request (or returns undefined to fall through to the next route). */
export type Route = (req: SeenRequest) => Response | undefined | Promise<Response | undefined>;

/** The mock's state. */
export interface SwiftMock {
  readonly seen: SeenRequest[];
  /** Tokens issued by the v1.0 auth so far. */
  readonly tokens: string[];
  /** Requests to the storage URL only (auth excluded). */
  storage(): SeenRequest[];
  /** Adds a route; earlier routes win. */
  on(method: string, path: string | RegExp, answer: Route): SwiftMock;
  readonly handlers: ReturnType<typeof http.all>[];
}

/** A Swift-style HTML error page. */
export function swiftError(status: number, title: string, text = title, headers: Record<string, string> = {}): Response {
  return new HttpResponse(`<html><h1>${title}</h1><p>${text}</p></html>`, { status, headers: { 'content-type': 'text/html; charset=UTF-8', 'x-trans-id': `tx-${status}`, ...headers } });
}

/** A Swift mock: v1.0 auth issuing `AUTH_tk<n>` tokens, storage requests answered by routes (404 otherwise). */
export function swiftMock(): SwiftMock {
  const routes: Array<{ method: string; path: string | RegExp; answer: Route }> = [];
  const state: SwiftMock = {
    seen: [],
    tokens: [],
    storage: () => state.seen.filter((r) => r.rawPath !== '/auth/v1.0'),
    on(method, path, answer) {
      routes.push({ method, path, answer });
      return state;
    },
    handlers: [],
  };
  state.handlers.push(
    http.all(`${ORIGIN}/*`, async ({ request }) => {
      const url = new URL(request.url);
      const headers: Record<string, string> = {};
      request.headers.forEach((v, k) => (headers[k] = v));
      const body = Buffer.from(await request.arrayBuffer());
      if (url.pathname === '/auth/v1.0') {
        state.seen.push({ method: request.method, path: '', rawPath: url.pathname, query: url.searchParams, headers, body });
        if (headers['x-auth-user'] !== USER || headers['x-auth-key'] !== KEY) return swiftError(401, 'Unauthorized', 'This server could not verify that you are authorized');
        const token = `AUTH_tk${state.tokens.length + 1}`;
        state.tokens.push(token);
        return new HttpResponse(null, { status: 200, headers: { 'x-auth-token': token, 'x-storage-token': token, 'x-storage-url': STORAGE_URL, 'x-auth-token-expires': '86400' } });
      }
      if (!url.pathname.startsWith(ACCOUNT_PATH)) return swiftError(404, 'Not Found');
      const rawPath = url.pathname.slice(ACCOUNT_PATH.length);
      const seen: SeenRequest = { method: request.method, path: decodeURIComponent(rawPath), rawPath, query: url.searchParams, headers, body };
      state.seen.push(seen);
      if (!state.tokens.includes(headers['x-auth-token'] ?? '')) return swiftError(401, 'Unauthorized');
      for (const route of routes) {
        if (route.method !== '*' && route.method !== request.method) continue;
        if (typeof route.path === 'string' ? route.path !== seen.path : !route.path.test(seen.path)) continue;
        const answer = await route.answer(seen);
        if (answer) return answer;
      }
      return swiftError(404, 'Not Found', 'The resource could not be found.');
    }),
  );
  return state;
}
