import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  bearerSigner,
  CloudError,
  DriverConnection,
  redactHeaders,
  redactUrl,
  REDACTED,
  RequestError,
  sigV4Signer,
} from '@dualcloud/core';
import { startEchoServer, type ChildServer } from './helpers/child-server.js';

let server: ChildServer;
beforeAll(async () => {
  server = await startEchoServer();
});
afterAll(() => server.close());

const KEY_ID = 'AKIDLEAKCHECK0000001';
const SECRET = 'sEcReT/LeakCheck+0123456789abcdefghij';
const TOKEN = 'dop_v1_tokenLeakCheck0123456789';

function allRenderings(error: unknown): string[] {
  return [
    (error as Error).message,
    String(error),
    JSON.stringify(error),
    inspect(error),
    inspect(error, { depth: 10 }),
    (error as Error).stack ?? '',
  ];
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('secrets never appear in errors', () => {
  const s3Like = (): DriverConnection =>
    new DriverConnection({
      provider: 's3',
      host: '127.0.0.1',
      port: server.port,
      secure: false,
      retry: { maxAttempts: 1 },
      credentials: sigV4Signer({ accessKeyId: KEY_ID, secretAccessKey: SECRET }, 'us-east-1', 's3'),
      parseError: (res) => {
        const doc = res.xml();
        return { code: doc.Error?.Code, message: doc.Error?.Message };
      },
    });

  test('an error whose provider message echoes the Authorization header is scrubbed (sync and async)', async () => {
    const syncError = caught(() => s3Like().request({ method: 'GET', path: '/leak', query: { 'X-Amz-Signature': 'deadbeefdeadbeef' } }));
    const asyncError = await s3Like()
      .requestAsync({ method: 'GET', path: '/leak', query: { 'X-Amz-Signature': 'deadbeefdeadbeef' } })
      .catch((e: unknown) => e);
    for (const error of [syncError, asyncError]) {
      expect(error).toBeInstanceOf(RequestError);
      expect((error as Error).message).toContain('Leak');
      for (const text of allRenderings(error)) {
        expect(text).not.toContain(SECRET);
        expect(text).not.toContain(KEY_ID);
        expect(text).not.toContain('Signature=');
        expect(text).not.toContain('deadbeefdeadbeef');
      }
      const request = (error as CloudError).request!;
      expect(request.headers.authorization).toBe(REDACTED);
      expect(request.url).toContain(`X-Amz-Signature=${REDACTED}`);
      expect(inspect(error, { showHidden: true, depth: 10 })).not.toContain(SECRET);
    }
  });

  test('network failures (wrapped axios/undici errors) carry no Authorization header', async () => {
    const conn = new DriverConnection({ provider: 'do', host: '127.0.0.1', port: 1, secure: false, retry: { maxAttempts: 1 }, credentials: bearerSigner(TOKEN) });
    for (const adapter of ['undici', 'http'] as const) {
      const c = new DriverConnection({ ...conn.options, transport: { adapter } });
      const syncError = caught(() => c.request({ method: 'GET', path: '/v2/droplets' }));
      const asyncError = await c.requestAsync({ method: 'GET', path: '/v2/droplets' }).catch((e: unknown) => e);
      for (const error of [syncError, asyncError]) {
        expect(CloudError.is(error)).toBe(true);
        for (const text of [...allRenderings(error), inspect(error, { showHidden: true, depth: 10 })]) {
          expect(text).not.toContain(TOKEN);
        }
      }
    }
  });

  test('redactHeaders and redactUrl work on copies', () => {
    const headers = { Authorization: 'Bearer x', 'X-Amz-Security-Token': 't', 'Content-Type': 'text/plain' };
    expect(redactHeaders(headers)).toEqual({ Authorization: REDACTED, 'X-Amz-Security-Token': REDACTED, 'Content-Type': 'text/plain' });
    expect(headers.Authorization).toBe('Bearer x');
    expect(redactUrl('https://u:p@h/p?X-Amz-Credential=a&X-Amz-Signature=b&prefix=c')).toBe(
      `https://h/p?X-Amz-Credential=${REDACTED}&X-Amz-Signature=${REDACTED}&prefix=c`,
    );
    expect(redactUrl('not a url')).toBe(REDACTED);
  });

  test("OpenStack Swift's secret headers and temp URL signatures are redacted", () => {
    const swift = {
      'X-Auth-User': 'test:tester',
      'X-Auth-Key': 'k',
      'X-Storage-Pass': 'p',
      'X-Auth-Token': 't',
      'X-Storage-Token': 't',
      'X-Account-Meta-Temp-URL-Key': 'a',
      'X-Account-Meta-Temp-URL-Key-2': 'b',
      'X-Container-Meta-Temp-URL-Key': 'c',
      'X-Container-Meta-Temp-URL-Key-2': 'd',
      'X-Object-Meta-Owner': 'tests',
    };
    const redacted = redactHeaders(swift);
    expect(Object.entries(redacted).filter(([, v]) => v !== REDACTED).map(([k]) => k)).toEqual(['X-Auth-User', 'X-Object-Meta-Owner']);
    expect(redactUrl('https://h/v1/AUTH_a/c/o?temp_url_sig=abc&temp_url_expires=1')).toBe(`https://h/v1/AUTH_a/c/o?temp_url_sig=${REDACTED}&temp_url_expires=1`);
  });

  test('signed URLs of every kind are masked by redactUrl, also inside URL-valued headers', () => {
    const signature = 'f00dfeedf00dfeedf00dfeedf00dfeed';
    const urls = [
      `https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Security-Token=${signature}tok&X-Amz-Signature=${signature}`,
      `https://storage.googleapis.com/b/k?X-Goog-Algorithm=GOOG4-HMAC-SHA256&X-Goog-Credential=GOOG1ID%2F20260101%2Fauto%2Fstorage%2Fgoog4_request&X-Goog-Signature=${signature}`,
      `https://acct.blob.core.windows.net/c/b?sv=2021-08-06&se=2026-01-01T00%3A00%3A00Z&sr=b&sp=r&sig=${signature}%3D`,
    ];
    for (const url of urls) {
      const masked = redactUrl(url);
      expect(masked).not.toContain(signature);
      expect(masked).not.toMatch(/AKID|GOOG1ID/);
      expect(masked).toContain(REDACTED);
    }
    const headers = redactHeaders({ 'x-ms-copy-source': urls[2]!, Location: urls[0]!, 'x-amz-copy-source': '/b/k%3Fsig' });
    expect(JSON.stringify(headers)).not.toContain(signature);
    expect(headers['x-ms-copy-source']).toContain(`sig=${REDACTED}`);
    expect(headers['x-amz-copy-source']).toBe('/b/k%3Fsig'); // a path, not a URL: kept
  });

  test('hooks and errors see a SAS-bearing copy source masked', async () => {
    const signature = 'c0ffeec0ffeec0ffeec0ffeec0ffee';
    const seen: Array<Record<string, string>> = [];
    const conn = new DriverConnection({
      provider: 'azure_blobs',
      host: '127.0.0.1',
      port: server.port,
      secure: false,
      retry: { maxAttempts: 1 },
      hooks: { beforeRequest: (info) => void seen.push({ ...info.headers }) },
    });
    const error = await conn
      .requestAsync({ method: 'PUT', path: '/status/403', headers: { 'x-ms-copy-source': `https://acct.blob.core.windows.net/c/b?sv=2021-08-06&sig=${signature}` } })
      .catch((e: unknown) => e);
    expect(CloudError.is(error)).toBe(true);
    expect(JSON.stringify(seen)).not.toContain(signature);
    for (const text of [...allRenderings(error), inspect(error, { showHidden: true, depth: 10 }), JSON.stringify((error as CloudError).request)]) {
      expect(text).not.toContain(signature);
    }
  });

  test('CloudError.is works across copies and toJSON has no request details', () => {
    const e = new RequestError('boom', { status: 400, request: { method: 'GET', url: 'https://h/?sig=1', headers: { authorization: 'secret' } } });
    expect(CloudError.is(e)).toBe(true);
    expect(CloudError.is({ ...e })).toBe(false);
    expect(JSON.parse(JSON.stringify(e))).toEqual({ name: 'RequestError', message: 'boom', status: 400, retryable: false });
  });
});
