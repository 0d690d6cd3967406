import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  all,
  allSettled,
  AbortError,
  collectPages,
  detached,
  DriverConnection,
  iterateAsync,
  iterateSync,
  MalformedResponseError,
  NotFoundError,
  runAsync,
  runSync,
  sleep,
  type Operation,
  type Page,
} from '@dualcloud/core';
import { startEchoServer, type ChildServer } from './helpers/child-server.js';

let server: ChildServer;
let conn: DriverConnection;
beforeAll(async () => {
  server = await startEchoServer();
  conn = new DriverConnection({
    provider: 'test',
    host: '127.0.0.1',
    port: server.port,
    secure: false,
    retry: { baseDelayMs: 1 },
    parseError: (res) => {
      const doc = res.xml();
      return { code: doc.Error?.Code, message: doc.Error?.Message };
    },
  });
});
afterAll(() => server.close());

/** An operation mixing sequential requests, a concurrent fan-out, a caught error and a sleep. */
function* mixed(): Operation<unknown> {
  const first = (yield* conn.send({ method: 'GET', path: '/echo', query: { step: 1 } })).json<{ url: string }>();
  const fanOut = yield* all(
    [1, 2, 3, 4, 5].map(function* (i) {
      const res = yield* conn.send({ method: 'POST', path: '/echo', body: 'x'.repeat(i) });
      return res.json<{ bodyLength: number }>().bodyLength;
    }),
    2,
  );
  let caught = '';
  try {
    yield* conn.send({ method: 'GET', path: '/status/404' });
  } catch (e) {
    caught = e instanceof NotFoundError ? `NotFound ${e.code} ${e.status}` : 'other';
  }
  yield* sleep(5);
  return { first: first.url, fanOut, caught };
}

describe('one operation, two executors', () => {
  test('gives the same result in sync and async modes', async () => {
    const syncResult = runSync(mixed());
    const asyncResult = await runAsync(mixed());
    expect(syncResult).toEqual({ first: '/echo?step=1', fanOut: [1, 2, 3, 4, 5], caught: 'NotFound Code404 404' });
    expect(asyncResult).toEqual(syncResult);
  });

  test('an error from a request is thrown into the generator at the yield', async () => {
    function* recover(): Operation<string> {
      try {
        yield* conn.send({ method: 'GET', path: '/status/400' });
        return 'no error';
      } catch (e) {
        return `recovered from ${(e as Error).name}`;
      }
    }
    expect(runSync(recover())).toBe('recovered from RequestError');
    await expect(runAsync(recover())).resolves.toBe('recovered from RequestError');
  });

  test('an uncaught error rejects/throws with the typed error', async () => {
    expect(() => conn.request({ method: 'GET', path: '/status/404' })).toThrow(NotFoundError);
    await expect(conn.requestAsync({ method: 'GET', path: '/status/404' })).rejects.toBeInstanceOf(NotFoundError);
  });

  test('allSettled reports every outcome; all fails with the first error after the running ones settle', async () => {
    const ops = (): Operation<number>[] => [
      (function* () {
        return (yield* conn.send({ method: 'GET', path: '/echo' })).status;
      })(),
      (function* () {
        return (yield* conn.send({ method: 'GET', path: '/status/404' })).status;
      })(),
    ];
    const settledSync = runSync(allSettled(ops()));
    const settledAsync = await runAsync(allSettled(ops()));
    for (const settled of [settledSync, settledAsync]) {
      expect(settled[0]).toEqual({ ok: true, value: 200 });
      expect(settled[1]!.ok).toBe(false);
    }
    expect(() => runSync(all(ops()))).toThrow(NotFoundError);
    await expect(runAsync(all(ops()))).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('nested fan-outs', () => {
  /** Three items, each with its own two-part `all` and a `detached` cleanup; the log shows the interleaving. */
  function items(log: string[]): Operation<string[]> {
    function* item(name: string): Operation<string> {
      log.push(`${name} start`);
      const parts = yield* all(
        [1, 2].map(function* (p) {
          yield* sleep(40);
          log.push(`${name}.${p}`);
          return p;
        }),
        2,
      );
      let failed = '';
      try {
        yield* all([(function* (): Operation<number> {
          yield* sleep(1);
          throw new NotFoundError('gone');
        })()]);
      } catch (e) {
        failed = (e as Error).name;
      }
      const cleanup = yield* detached((function* (): Operation<string> {
        yield* sleep(5);
        return 'cleaned';
      })());
      log.push(`${name} end`);
      return `${name}:${parts.join('+')}:${failed}:${cleanup}`;
    }
    return all(['a', 'b', 'c'].map(item), 3);
  }

  test('an all or detached inside a sub-operation runs alongside its siblings, in both executors', async () => {
    const syncLog: string[] = [];
    const asyncLog: string[] = [];
    const expected = ['a:1+2:NotFoundError:cleaned', 'b:1+2:NotFoundError:cleaned', 'c:1+2:NotFoundError:cleaned'];
    expect(runSync(items(syncLog))).toEqual(expected);
    await expect(runAsync(items(asyncLog))).resolves.toEqual(expected);
    for (const log of [syncLog, asyncLog]) {
      // Every item started before any part finished: a nested all does not hold the thread's other work.
      expect(log.slice(0, 3)).toEqual(['a start', 'b start', 'c start']);
      expect(log.filter((l) => l.endsWith(' end'))).toHaveLength(3);
    }
  });

  test('twenty thousand sub-operations that finish without I/O need no deep stack', () => {
    const ops = Array.from({ length: 20_000 }, (_, i) =>
      (function* (): Operation<number> {
        return i;
      })(),
    );
    const settled = runSync(allSettled(ops, 50));
    expect(settled).toHaveLength(20_000);
    expect(settled[19_999]).toEqual({ ok: true, value: 19_999 });
  });
});

describe('cancellation', () => {
  test('a cancelled operation gets AbortError at its next effect, and detached cleanup still runs', async () => {
    const controller = new AbortController();
    const log: string[] = [];
    function* upload(): Operation<string> {
      try {
        yield* conn.send({ method: 'GET', path: '/echo' });
        controller.abort();
        yield* conn.send({ method: 'GET', path: '/echo', query: { never: 1 } });
        return 'finished';
      } catch (e) {
        log.push((e as Error).name);
        const cleanup = yield* detached(conn.send({ method: 'DELETE', path: '/echo' }));
        log.push(`cleanup ${cleanup.json<{ method: string }>().method}`);
        throw e;
      }
    }
    await expect(runAsync(upload(), { signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
    expect(log).toEqual(['AbortError', 'cleanup DELETE']);
  });
});

describe('response parsing', () => {
  test('malformed XML and HTML pages become MalformedResponseError in both modes', async () => {
    const html = conn.request({ method: 'GET', path: '/echo' }); // JSON body, parse as XML
    expect(() => html.xml()).toThrow(MalformedResponseError);
    const res = await conn.requestAsync({ method: 'GET', path: '/echo' });
    expect(() => res.xml()).toThrow(MalformedResponseError);
    const notFound = (() => {
      try {
        conn.request({ method: 'GET', path: '/nowhere' });
      } catch (e) {
        return e as NotFoundError;
      }
    })();
    expect(notFound).toBeInstanceOf(NotFoundError); // plain-text 404 body still maps by status
  });
});

describe('paging', () => {
  const pages: Record<string, Page<number>> = { start: { items: [1, 2], next: 'a' }, a: { items: [3], next: 'b' }, b: { items: [4] } };
  const pageOp = (token: string | undefined): Operation<Page<number>> =>
    (function* () {
      yield* sleep(1);
      return pages[token ?? 'start']!;
    })();

  test('list collects iterate, in both modes', async () => {
    expect(runSync(collectPages(pageOp))).toEqual([1, 2, 3, 4]);
    expect([...iterateSync(pageOp, runSync)]).toEqual([1, 2, 3, 4]);
    const seen: number[] = [];
    for await (const n of iterateAsync(pageOp, runAsync)) seen.push(n);
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  test('iteration is lazy: stopping early fetches no further page', () => {
    const fetched: Array<string | undefined> = [];
    const counting = (token: string | undefined): Operation<Page<number>> => {
      fetched.push(token);
      return pageOp(token);
    };
    for (const n of iterateSync(counting, runSync)) if (n === 2) break;
    expect(fetched).toEqual([undefined]);
  });

  test('a repeated continuation token stops with MalformedResponseError instead of looping', async () => {
    const looping = (): Operation<Page<number>> =>
      (function* () {
        yield* sleep(0);
        return { items: [1], next: 'same' };
      })();
    expect(() => runSync(collectPages(looping))).toThrow(MalformedResponseError);
    await expect(runAsync(collectPages(looping))).rejects.toBeInstanceOf(MalformedResponseError);
  });
});
