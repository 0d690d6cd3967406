/**
 * A recording msw router for request-shape tests of JSON APIs: `METHOD /path` → reply, every request kept.
 */
import { http } from 'msw';
import type { SetupServer } from 'msw/node';

/** A request as the tests inspect it. */
export interface Seen {
  method: string;
  url: URL;
  authorization: string | null;
  accept: string | null;
  contentType: string | null;
  /** The body ('' for GET and DELETE). */
  body: string;
}

/** A reply to the `n`th request of its route. */
export type Reply = (request: Seen, n: number) => Response;

/**
 * A function that routes `METHOD /path` below `base` to replies (anything else gets `fallback`) and returns the list
 * every request is recorded in. Handlers are added to `server` (reset them after each test).
 */
export function recordingRouter(server: Pick<SetupServer, 'use'>, base: string, fallback: Reply): (routes: Record<string, Reply>) => Seen[] {
  return (routes) => {
    const seen: Seen[] = [];
    const counts = new Map<string, number>();
    server.use(
      http.all(`${base}/*`, async ({ request }) => {
        const url = new URL(request.url);
        const entry: Seen = {
          method: request.method,
          url,
          authorization: request.headers.get('authorization'),
          accept: request.headers.get('accept'),
          contentType: request.headers.get('content-type'),
          body: request.method === 'GET' || request.method === 'DELETE' ? '' : await request.text(),
        };
        seen.push(entry);
        const key = `${request.method} ${url.pathname}`;
        const n = (counts.get(key) ?? 0) + 1;
        counts.set(key, n);
        return (routes[key] ?? fallback)(entry, n);
      }),
    );
    return seen;
  };
}
