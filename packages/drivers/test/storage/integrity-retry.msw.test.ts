/**
 * Integrity retries in the async executor over msw (which intercepts Node's http module, so drivers use
 * `transport: { adapter: 'http' }`): Azure's per-range MD5 (`x-ms-range-get-content-md5`) and Put Blob's
 * returned Content-MD5, and S3's returned ETag, in Design 3.
 */
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, expect, test } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { Container, IntegrityError, StorageObject } from '@dualcloud/drivers/storage';
import { azureIn, drain, failure, run, s3In } from './helpers/styles.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const md5b64 = (b: Uint8Array | string): string => createHash('md5').update(b).digest('base64');
const md5hex = (b: Uint8Array | string): string => createHash('md5').update(b).digest('hex');
const RETRY = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 };
// Loopback origins: were msw to miss a request, it would go nowhere (port 9: nothing listens).
const AZURE = 'http://127.0.0.1:9/acct';
const KEY = Buffer.from('a fake account key for tests').toString('base64');
const azure = () => azureIn('design3', { key: 'acct', secret: KEY, host: '127.0.0.1', port: 9, secure: false, transport: { adapter: 'http' }, retry: RETRY });

interface Seen {
  method: string;
  headers: Record<string, string>;
}
function headersOf(request: Request): Record<string, string> {
  const out: Record<string, string> = {};
  request.headers.forEach((v, k) => (out[k] = v));
  return out;
}

test('Azure: a range whose Content-MD5 mismatches is fetched again, that range only', async () => {
  const data = Buffer.from('0123456789abcdef');
  const seen: Seen[] = [];
  let corruptedOnce = false;
  server.use(
    http.get(`${AZURE}/box/blob`, ({ request }) => {
      const headers = headersOf(request);
      seen.push({ method: request.method, headers });
      const [, from, to] = /bytes=(\d+)-(\d+)/.exec(headers['x-ms-range'] ?? '')!.map(Number) as [number, number, number];
      const body = data.subarray(from, to + 1);
      const lie = from === 8 && !corruptedOnce;
      if (lie) corruptedOnce = true;
      return new HttpResponse(body, {
        status: 206,
        headers: { etag: '"0x8D9"', 'content-md5': lie ? md5b64('something else') : md5b64(body), 'content-range': `bytes ${from}-${to}/${data.length}` },
      });
    }),
  );
  const d = azure();
  const obj = new StorageObject({ name: 'blob', size: data.length, hash: md5hex(data), extra: { etag: '"0x8D9"' } }, new Container('box', {}, d), d);
  const chunks = await drain(d, () => d.downloadObjectAsStream(obj, { chunkSize: 4 }));
  expect(Buffer.concat(chunks)).toEqual(data);
  expect(seen.map((s) => s.headers['x-ms-range'])).toEqual(['bytes=0-3', 'bytes=4-7', 'bytes=8-11', 'bytes=8-11', 'bytes=12-15']);
  for (const s of seen) {
    expect(s.headers['x-ms-range-get-content-md5']).toBe('true');
    expect(s.headers['if-match']).toBe('"0x8D9"');
  }
});

test('Azure: a range whose Content-MD5 never matches fails with IntegrityError after the retry budget', async () => {
  const data = Buffer.from('0123456789abcdef');
  let gets = 0;
  server.use(
    http.get(`${AZURE}/box/blob`, () => {
      gets++;
      return new HttpResponse(data.subarray(0, 8), { status: 206, headers: { 'content-md5': md5b64('nope'), 'content-range': `bytes 0-7/${data.length}` } });
    }),
  );
  const d = azure();
  const obj = new StorageObject({ name: 'blob', size: data.length, hash: '', extra: {} }, new Container('box', {}, d), d);
  const error = await failure(drain(d, () => d.downloadObjectAsStream(obj, { chunkSize: 8 })));
  expect(error).toBeInstanceOf(IntegrityError);
  expect((error as IntegrityError).code).toBe('HashMismatch');
  expect(gets).toBe(RETRY.maxAttempts);
});

test('Azure Put Blob: a wrong Content-MD5 is retried; budget spent → DELETE with If-Match of the last ETag', async () => {
  const seen: Seen[] = [];
  let n = 0;
  server.use(
    http.all(`${AZURE}/box/blob`, ({ request }) => {
      seen.push({ method: request.method, headers: headersOf(request) });
      if (request.method === 'DELETE') return new HttpResponse(null, { status: 202 });
      n++;
      return new HttpResponse(null, { status: 201, headers: { etag: `"0x${n}"`, 'content-md5': md5b64(`not it ${n}`) } });
    }),
  );
  const d = azure();
  const error = await failure(run(d, () => d.uploadObjectViaStream('payload', new Container('box', {}, d), 'blob')));
  expect(error).toBeInstanceOf(IntegrityError);
  expect(error.message).toMatch(/was deleted/);
  expect(seen.map((s) => s.method)).toEqual(['PUT', 'PUT', 'PUT', 'DELETE']);
  expect(seen[3]!.headers['if-match']).toBe('"0x3"');
});

test('S3 PUT: a wrong ETag then the right one → one retry, no DELETE', async () => {
  const methods: string[] = [];
  let puts = 0;
  server.use(
    http.all('http://127.0.0.1:9/bkt/k', async ({ request }) => {
      methods.push(request.method);
      const body = Buffer.from(await request.arrayBuffer());
      puts++;
      return new HttpResponse(null, { status: 200, headers: { etag: puts === 1 ? `"${'0'.repeat(32)}"` : `"${md5hex(body)}"` } });
    }),
  );
  const d = s3In('design3', { key: 'AKIDEXAMPLE', secret: 'x', host: '127.0.0.1', port: 9, secure: false, transport: { adapter: 'http' }, retry: RETRY });
  const obj = await run(d, () => d.uploadObjectViaStream('hello', new Container('bkt', {}, d), 'k'));
  expect(obj.hash).toBe(md5hex('hello'));
  expect(methods).toEqual(['PUT', 'PUT']);
});
