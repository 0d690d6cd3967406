import { afterEach, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { md5Base64 } from '@dualcloud/core';
import { createFakeCloudServer, FAULT_KINDS, resolveOptions, type FakeCloudOptions, type FakeCloudServer } from '@dualcloud/fake-cloud';
import { optionsFromArgs } from '../src/cli.js';
import { flipByte, payloadSpans } from '../src/corruption.js';
import { digitalocean, ec2, gcs, s3 } from './helpers/http.js';

const servers: FakeCloudServer[] = [];

async function start(options: FakeCloudOptions = {}): Promise<{ server: FakeCloudServer; port: number }> {
  const server = createFakeCloudServer(options);
  servers.push(server);
  return { server, port: await server.listen() };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** The offsets where two equally long buffers differ. */
function differences(a: Buffer, b: Buffer): number[] {
  expect(a.length).toBe(b.length);
  const at: number[] = [];
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) at.push(i);
  return at;
}

const md5hex = (data: Buffer | string): string => createHash('md5').update(data).digest('hex');
const DATA = Buffer.from('The quick brown fox jumps over the lazy dog, again and again.');

describe('corruption fault kinds', () => {
  test('are fault kinds, drawn by default, and accepted by the CLI', () => {
    expect(FAULT_KINDS).toEqual(expect.arrayContaining(['corrupt-request', 'corrupt-response']));
    expect(resolveOptions({ faults: { rate: 0.5 } }).faults.kinds).toContain('corrupt-request');
    expect(optionsFromArgs(['--fault-kinds', 'corrupt-request,corrupt-response']).options.faults?.kinds).toEqual(['corrupt-request', 'corrupt-response']);
  });

  test('payloadSpans keeps aws-chunked framing intact; flipByte flips one bit of a copy', () => {
    const chunked = Buffer.from('5;chunk-signature=ab\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n');
    const spans = payloadSpans(chunked, { 'content-encoding': 'aws-chunked' });
    expect(spans.map(([s, e]) => chunked.subarray(s, e).toString())).toEqual(['hello', 'abc']);
    expect(payloadSpans(Buffer.from('plain'), {})).toEqual([[0, 5]]);
    expect(payloadSpans(Buffer.alloc(0), {})).toEqual([]);
    const original = Buffer.from('abcdef');
    const last = flipByte(original, [[0, 6]], 0.999)!;
    expect(original.toString()).toBe('abcdef');
    expect(last.offset).toBe(5);
    expect(last.body.toString()).toBe('abcdeg');
    expect(flipByte(chunked, spans, 0.9)!.body.toString()).toBe('5;chunk-signature=ab\r\nhello\r\n3\r\nabb\r\n0\r\n\r\n');
    expect(flipByte(original, [], 0.5)).toBeUndefined();
  });

  test('corrupt-request: a PUT with Content-MD5 is refused with BadDigest (the signature still holds)', async () => {
    const { server, port } = await start();
    await s3(port, 'PUT', '/corrupt');
    server.configure({ faults: { sequence: ['corrupt-request'] } });
    const res = await s3(port, 'PUT', '/corrupt/k', { body: DATA, headers: { 'content-md5': md5Base64(DATA) } });
    expect(res.status).toBe(400);
    expect(res.xml().Error.Code).toBe('BadDigest');
    expect((await s3(port, 'HEAD', '/corrupt/k')).status).toBe(404);
    expect(server.stats().faults['corrupt-request']).toBe(1);
  });

  test('corrupt-request with verifyContentMd5 false: the corrupted bytes land; the ETag is their MD5', async () => {
    const { server, port } = await start({ verifyContentMd5: false });
    await s3(port, 'PUT', '/corrupt');
    server.configure({ verifyContentMd5: false, faults: { sequence: ['corrupt-request'] } });
    // Signed with the sha256 of the bytes sent: the payload hash is checked on those, not on the corrupted ones.
    const put = await s3(port, 'PUT', '/corrupt/k', { body: DATA, headers: { 'content-md5': md5Base64(DATA) } });
    expect(put.status).toBe(200);
    const stored = (await s3(port, 'GET', '/corrupt/k')).body;
    const at = differences(stored, DATA);
    expect(at).toHaveLength(1);
    expect(stored[at[0]!]! ^ DATA[at[0]!]!).toBe(0x01);
    expect(put.headers.etag).toBe(`"${md5hex(stored)}"`);
    expect(put.headers.etag).not.toBe(`"${md5hex(DATA)}"`);
    // UNSIGNED-PAYLOAD too
    server.configure({ verifyContentMd5: false, faults: { sequence: ['corrupt-request'] } });
    expect((await s3(port, 'PUT', '/corrupt/u', { body: DATA, unsignedPayload: true })).status).toBe(200);
    expect(differences((await s3(port, 'GET', '/corrupt/u')).body, DATA)).toHaveLength(1);
  });

  test('corrupt-request on GCS and on an aws-chunked body lands in the payload', async () => {
    const { server, port } = await start({ verifyContentMd5: false, faults: { sequence: ['corrupt-request'] } });
    await gcs(port, 'PUT', '/gbucket');
    expect(server.stats().faults['corrupt-request']).toBe(0); // dropped: no body
    server.configure({ verifyContentMd5: false, faults: { sequence: ['corrupt-request'] } });
    expect((await gcs(port, 'PUT', '/gbucket/k', { body: DATA, headers: { 'content-md5': md5Base64(DATA) } })).status).toBe(200);
    expect(differences((await gcs(port, 'GET', '/gbucket/k')).body, DATA)).toHaveLength(1);
    await s3(port, 'PUT', '/corrupt');
    server.configure({ verifyContentMd5: false, faults: { sequence: ['corrupt-request'] } });
    const chunked = await s3(port, 'PUT', '/corrupt/chunked', {
      body: Buffer.from('5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n'),
      headers: { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '11', 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' },
      unsignedPayload: true,
    });
    expect(chunked.status).toBe(200);
    expect(differences((await s3(port, 'GET', '/corrupt/chunked')).body, Buffer.from('hello world'))).toHaveLength(1);
  });

  test('corrupt-request on a multipart part: BadDigest with Content-MD5; stored when not verifying', async () => {
    const { server, port } = await start({ minPartSize: 1 });
    await s3(port, 'PUT', '/multi');
    const id = (await s3(port, 'POST', '/multi/obj?uploads')).xml().InitiateMultipartUploadResult.UploadId;
    server.configure({ faults: { sequence: ['corrupt-request'] } });
    const refused = await s3(port, 'PUT', `/multi/obj?partNumber=1&uploadId=${id}`, { body: DATA, headers: { 'content-md5': md5Base64(DATA) } });
    expect(refused.xml().Error.Code).toBe('BadDigest');
    server.configure({ verifyContentMd5: false, faults: { sequence: ['corrupt-request'] } });
    const part = await s3(port, 'PUT', `/multi/obj?partNumber=1&uploadId=${id}`, { body: DATA, headers: { 'content-md5': md5Base64(DATA) } });
    expect(part.status).toBe(200);
    expect(part.headers.etag).not.toBe(`"${md5hex(DATA)}"`);
  });

  test('corrupt-request reaches EC2 and DigitalOcean handlers (signatures are checked on the bytes sent)', async () => {
    const { server, port } = await start({ faults: { sequence: ['corrupt-request', 'corrupt-request'] } });
    // EC2's payload hash is computed by the server: it must be the one of the bytes sent, or this would be a 403.
    const e = await ec2(port, 'DescribeRegions');
    expect(e.status).not.toBe(403);
    const d = await digitalocean(port, 'POST', '/v2/droplets', { name: 'x', region: 'nyc1', size: 's-1vcpu-1gb', image: 'ubuntu-22-04-x64' });
    expect(d.status).not.toBe(401);
    expect(server.stats().faults['corrupt-request']).toBe(2);
  });

  test('a request without a body is left alone (the fault is dropped, not counted)', async () => {
    const { server, port } = await start({ faults: { sequence: ['corrupt-request'] } });
    expect((await s3(port, 'GET', '/')).status).toBe(200);
    expect((await s3(port, 'PUT', '/after')).status).toBe(200);
    expect(server.stats().faults['corrupt-request']).toBe(0);
  });

  test('corrupt-response: one bit of the body flips, Content-Length unchanged, the request took effect', async () => {
    const { server, port } = await start();
    await s3(port, 'PUT', '/respond');
    await s3(port, 'PUT', '/respond/k', { body: DATA });
    server.configure({ faults: { sequence: ['corrupt-response'] } });
    const got = await s3(port, 'GET', '/respond/k');
    expect(got.status).toBe(200);
    expect(got.headers['content-length']).toBe(String(DATA.length));
    expect(differences(got.body, DATA)).toHaveLength(1);
    expect((await s3(port, 'GET', '/respond/k')).body.equals(DATA)).toBe(true); // the stored object is intact
    server.configure({ faults: { sequence: ['corrupt-response'] } });
    const put = await s3(port, 'PUT', '/respond/k2', { body: 'kept' }); // empty response body: left alone
    expect(put.status).toBe(200);
    expect((await s3(port, 'GET', '/respond/k2')).text).toBe('kept');
    server.configure({ faults: { sequence: ['corrupt-response'] } });
    const listing = await s3(port, 'GET', '/respond?list-type=2');
    const clean = await s3(port, 'GET', '/respond?list-type=2');
    expect(listing.headers['content-length']).toBe(clean.headers['content-length']);
    expect(clean.xml().ListBucketResult.Name).toBe('respond');
    expect(server.stats().faults['corrupt-response']).toBe(2);
    server.configure({ faults: { sequence: ['corrupt-response'] } });
    expect((await s3(port, 'HEAD', '/respond/k')).status).toBe(200);
    expect(server.stats().faults['corrupt-response']).toBe(2); // HEAD has no body
  });

  test('random corruption offsets repeat for a seed and do not shift the fault decisions', async () => {
    const run = async (faults: FakeCloudOptions['faults']): Promise<string[]> => {
      const { server, port } = await start({ faults });
      const seen: string[] = [];
      for (let i = 0; i < 16; i += 1) {
        const r = await digitalocean(port, 'GET', '/v2/sizes');
        seen.push(r.status === 200 ? md5hex(r.body) : String(r.status));
      }
      await server.close();
      return seen;
    };
    const a = await run({ rate: 0.5, kinds: ['corrupt-response', '500'], seed: 9 });
    expect(await run({ rate: 0.5, kinds: ['corrupt-response', '500'], seed: 9 })).toEqual(a);
    const clean = (await run({}))[0];
    const outcome = (x: string): string => (x === clean ? 'ok' : x === '503' || /^[0-9a-f]{32}$/.test(x) ? 'second kind' : x);
    // The same decisions as with another kind in its place: corruption offsets come from their own stream.
    const b = await run({ rate: 0.5, kinds: ['503', '500'], seed: 9 });
    expect(a.map(outcome)).toEqual(b.map(outcome));
    expect(a.map(outcome)).toContain('second kind');
    expect(a.map(outcome)).toContain('500');
    expect(a.map(outcome)).toContain('ok');
  });
});

describe('verifyContentMd5', () => {
  test('defaults to true; false skips Content-MD5 and checksum checks on S3 and GCS (CLI and configure too)', async () => {
    expect(resolveOptions().verifyContentMd5).toBe(true);
    expect(optionsFromArgs(['--verify-content-md5', 'false']).options.verifyContentMd5).toBe(false);
    expect(() => optionsFromArgs(['--verify-content-md5', 'maybe'])).toThrow(RangeError);
    expect(() => resolveOptions({ verifyContentMd5: 'no' as never })).toThrow(TypeError);
    const { server, port } = await start();
    await s3(port, 'PUT', '/verify');
    await gcs(port, 'PUT', '/verify');
    const wrong = { 'content-md5': md5Base64('something else') };
    expect((await s3(port, 'PUT', '/verify/k', { body: 'abc', headers: wrong })).xml().Error.Code).toBe('BadDigest');
    server.configure({ verifyContentMd5: false });
    const put = await s3(port, 'PUT', '/verify/k', { body: 'abc', headers: wrong });
    expect(put.status).toBe(200);
    expect(put.headers.etag).toBe(`"${md5hex('abc')}"`);
    expect((await gcs(port, 'PUT', '/verify/k', { body: 'abc', headers: wrong })).status).toBe(200);
    expect((await s3(port, 'PUT', '/verify/c', { body: 'abc', headers: { 'x-amz-checksum-crc32': 'AAAAAA==' } })).status).toBe(200);
    const del = await s3(port, 'POST', '/verify?delete', { body: '<Delete><Object><Key>k</Key></Object></Delete>', headers: wrong });
    expect(del.status).toBe(200);
    server.configure({ verifyContentMd5: true });
    expect((await gcs(port, 'PUT', '/verify/k', { body: 'abc', headers: wrong })).xml().Error.Code).toBe('BadDigest');
  });
});
