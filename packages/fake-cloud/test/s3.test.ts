import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { amzDate, asArray, md5Base64, sha256Hex, signingKey, signV4, uriEncode } from '@dualcloud/core';
import { createHmac } from 'node:crypto';
import { createFakeCloudServer, FAKE_CREDENTIALS, type FakeCloudServer } from '@dualcloud/fake-cloud';
import { s3, send } from './helpers/http.js';

let server: FakeCloudServer;
let port: number;

beforeAll(async () => {
  server = createFakeCloudServer({ minPartSize: 10 });
  port = await server.listen();
});
afterAll(() => server.close());

function errorCode(res: { xml(): any }): string {
  return res.xml().Error.Code;
}

describe('S3 buckets', () => {
  test('create, head, list, conflict, not empty, delete, no such bucket', async () => {
    expect((await s3(port, 'PUT', '/alpha')).status).toBe(200);
    const again = await s3(port, 'PUT', '/alpha');
    expect(again.status).toBe(409);
    expect(errorCode(again)).toBe('BucketAlreadyOwnedByYou');
    expect((await s3(port, 'HEAD', '/alpha')).status).toBe(200);
    const list = (await s3(port, 'GET', '/')).xml().ListAllMyBucketsResult;
    expect(list.$.xmlns).toBe('http://s3.amazonaws.com/doc/2006-03-01/');
    expect(asArray(list.Buckets.Bucket).map((b: any) => b.Name)).toContain('alpha');
    await s3(port, 'PUT', '/alpha/k', { body: 'x' });
    const notEmpty = await s3(port, 'DELETE', '/alpha');
    expect(notEmpty.status).toBe(409);
    expect(errorCode(notEmpty)).toBe('BucketNotEmpty');
    await s3(port, 'DELETE', '/alpha/k');
    expect((await s3(port, 'DELETE', '/alpha')).status).toBe(204);
    const missing = await s3(port, 'GET', '/alpha?list-type=2');
    expect(missing.status).toBe(404);
    expect(errorCode(missing)).toBe('NoSuchBucket');
    const head = await s3(port, 'HEAD', '/alpha');
    expect(head.status).toBe(404);
    expect(head.body.length).toBe(0);
    expect(errorCode(await s3(port, 'PUT', '/Bad_Name'))).toBe('InvalidBucketName');
  });

  test('errors are S3 XML with Code, Message, Resource, RequestId and the x-amz-request-id header', async () => {
    const res = await s3(port, 'GET', '/nowhere/some/key');
    expect(res.status).toBe(404);
    const e = res.xml().Error;
    expect(e).toMatchObject({ Code: 'NoSuchBucket', Resource: '/nowhere/some/key' });
    expect(e.Message).toMatch(/\S/);
    expect(e.RequestId).toBe(res.headers['x-amz-request-id']);
  });
});

describe('S3 objects', () => {
  beforeAll(() => s3(port, 'PUT', '/objects'));

  test('PUT/GET/HEAD/DELETE with metadata, Content-Type and an MD5 ETag', async () => {
    const body = 'hello fake cloud';
    const put = await s3(port, 'PUT', '/objects/dir/hello.txt', { body, headers: { 'content-type': 'text/plain', 'x-amz-meta-color': 'blue' } });
    expect(put.status).toBe(200);
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;
    expect(put.headers.etag).toBe(etag);
    const get = await s3(port, 'GET', '/objects/dir/hello.txt');
    expect(get.text).toBe(body);
    expect(get.headers['content-type']).toBe('text/plain');
    expect(get.headers['x-amz-meta-color']).toBe('blue');
    expect(get.headers.etag).toBe(etag);
    expect(new Date(get.headers['last-modified']!).getTime()).toBeGreaterThan(0);
    const head = await s3(port, 'HEAD', '/objects/dir/hello.txt');
    expect(head.headers['content-length']).toBe(String(body.length));
    expect(head.body.length).toBe(0);
    expect((await s3(port, 'DELETE', '/objects/dir/hello.txt')).status).toBe(204);
    const gone = await s3(port, 'GET', '/objects/dir/hello.txt');
    expect(gone.status).toBe(404);
    expect(errorCode(gone)).toBe('NoSuchKey');
    expect((await s3(port, 'DELETE', '/objects/dir/hello.txt')).status).toBe(204);
  });

  test('keys with spaces and unicode round-trip', async () => {
    const path = `/objects/${encodeURIComponent('a b/é €.txt').replace(/%2F/g, '/')}`;
    expect((await s3(port, 'PUT', path, { body: 'u' })).status).toBe(200);
    const list = (await s3(port, 'GET', '/objects?list-type=2&prefix=a%20b')).xml().ListBucketResult;
    expect(asArray(list.Contents).map((c: any) => c.Key)).toEqual(['a b/é €.txt']);
    expect((await s3(port, 'GET', path)).text).toBe('u');
  });

  test('Content-MD5 is checked: BadDigest when different, InvalidDigest when malformed', async () => {
    expect((await s3(port, 'PUT', '/objects/md5', { body: 'abc', headers: { 'content-md5': md5Base64('abc') } })).status).toBe(200);
    const bad = await s3(port, 'PUT', '/objects/md5', { body: 'abc', headers: { 'content-md5': md5Base64('abd') } });
    expect(bad.status).toBe(400);
    expect(errorCode(bad)).toBe('BadDigest');
    const invalid = await s3(port, 'PUT', '/objects/md5', { body: 'abc', headers: { 'content-md5': 'not-base64' } });
    expect(invalid.status).toBe(400);
    expect(errorCode(invalid)).toBe('InvalidDigest');
  });

  test('Range gives 206 with Content-Range; an unsatisfiable range is 416 InvalidRange', async () => {
    await s3(port, 'PUT', '/objects/digits', { body: '0123456789' });
    const mid = await s3(port, 'GET', '/objects/digits', { headers: { range: 'bytes=2-5' } });
    expect(mid.status).toBe(206);
    expect(mid.text).toBe('2345');
    expect(mid.headers['content-range']).toBe('bytes 2-5/10');
    const tail = await s3(port, 'GET', '/objects/digits', { headers: { range: 'bytes=-3' } });
    expect(tail.text).toBe('789');
    const open = await s3(port, 'GET', '/objects/digits', { headers: { range: 'bytes=7-' } });
    expect(open.text).toBe('789');
    const clipped = await s3(port, 'GET', '/objects/digits', { headers: { range: 'bytes=8-100' } });
    expect(clipped.headers['content-range']).toBe('bytes 8-9/10');
    const bad = await s3(port, 'GET', '/objects/digits', { headers: { range: 'bytes=10-20' } });
    expect(bad.status).toBe(416);
    expect(errorCode(bad)).toBe('InvalidRange');
    expect(bad.headers['content-range']).toBe('bytes */10');
  });

  test('UNSIGNED-PAYLOAD is accepted; a body that does not match x-amz-content-sha256 is rejected', async () => {
    expect((await s3(port, 'PUT', '/objects/unsigned', { body: 'free', unsignedPayload: true })).status).toBe(200);
    const signed = signV4({ method: 'PUT', url: `http://127.0.0.1:${port}/objects/tampered`, headers: {}, body: 'original' }, FAKE_CREDENTIALS.aws, { region: 'us-east-1', service: 's3' });
    const res = await send(port, { method: 'PUT', path: '/objects/tampered', headers: signed.headers, body: 'tampered' });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('XAmzContentSHA256Mismatch');
  });

  test('aws-chunked bodies (STREAMING-UNSIGNED-PAYLOAD-TRAILER) are decoded', async () => {
    const body = Buffer.from('5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n');
    const res = await s3(port, 'PUT', '/objects/chunked', {
      body,
      headers: { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '11', 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' },
      unsignedPayload: true,
    });
    expect(res.status).toBe(200);
    expect((await s3(port, 'GET', '/objects/chunked')).text).toBe('hello world');
    const badTrailer = await s3(port, 'PUT', '/objects/chunked2', {
      body: Buffer.from('5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n'),
      headers: { 'content-encoding': 'aws-chunked', 'x-amz-trailer': 'x-amz-checksum-crc32', 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' },
      unsignedPayload: true,
    });
    expect(badTrailer.status).toBe(400);
    expect(errorCode(badTrailer)).toBe('BadDigest');
  });

  test('virtual-hosted addressing via the Host header', async () => {
    await s3(port, 'PUT', '/vhost');
    const host = `vhost.localhost:${port}`;
    expect((await s3(port, 'PUT', '/obj.txt', { host, body: 'vh' })).status).toBe(200);
    expect((await s3(port, 'GET', '/vhost/obj.txt')).text).toBe('vh');
    const list = (await s3(port, 'GET', '/?list-type=2', { host })).xml().ListBucketResult;
    expect(list.Name).toBe('vhost');
    expect(list.Contents.Key).toBe('obj.txt');
  });

  test('auth: unknown key 403 InvalidAccessKeyId, wrong secret 403 SignatureDoesNotMatch, anonymous 403 AccessDenied', async () => {
    const unknown = await s3(port, 'GET', '/', { credentials: { accessKeyId: 'AKIANOBODY', secretAccessKey: 'x' } });
    expect(unknown.status).toBe(403);
    expect(errorCode(unknown)).toBe('InvalidAccessKeyId');
    const wrong = await s3(port, 'GET', '/', { credentials: { accessKeyId: FAKE_CREDENTIALS.aws.accessKeyId, secretAccessKey: 'nope' } });
    expect(wrong.status).toBe(403);
    expect(errorCode(wrong)).toBe('SignatureDoesNotMatch');
    const anonymous = await send(port, { method: 'GET', path: '/objects' });
    expect(anonymous.status).toBe(403);
    expect(errorCode(anonymous)).toBe('AccessDenied');
  });
});

/** A presigned GET URL path, built by the steps of the AWS documentation (query-string authentication). */
function presign(path: string, expires: number, date = new Date(), secret: string = FAKE_CREDENTIALS.aws.secretAccessKey): string {
  const stamp = amzDate(date);
  const scope = `${stamp.slice(0, 8)}/us-east-1/s3/aws4_request`;
  const params: Record<string, string> = {
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `${FAKE_CREDENTIALS.aws.accessKeyId}/${scope}`,
    'X-Amz-Date': stamp,
    'X-Amz-Expires': String(expires),
    'X-Amz-SignedHeaders': 'host',
  };
  const query = Object.keys(params).sort().map((k) => `${uriEncode(k)}=${uriEncode(params[k]!)}`).join('&');
  const canonical = ['GET', path, query, `host:127.0.0.1:${port}\n`, 'host', 'UNSIGNED-PAYLOAD'].join('\n');
  const toSign = ['AWS4-HMAC-SHA256', stamp, scope, sha256Hex(canonical)].join('\n');
  const signature = createHmac('sha256', signingKey(secret, stamp.slice(0, 8), 'us-east-1', 's3')).update(toSign).digest('hex');
  return `${path}?${query}&X-Amz-Signature=${signature}`;
}

describe('S3 presigned URLs', () => {
  test('a presigned GET works without headers; an expired or tampered one is 403', async () => {
    await s3(port, 'PUT', '/presigned');
    await s3(port, 'PUT', '/presigned/file.txt', { body: 'shared' });
    const ok = await send(port, { method: 'GET', path: presign('/presigned/file.txt', 60) });
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('shared');
    const expired = await send(port, { method: 'GET', path: presign('/presigned/file.txt', 60, new Date(Date.now() - 120_000)) });
    expect(expired.status).toBe(403);
    expect(errorCode(expired)).toBe('AccessDenied');
    const wrong = await send(port, { method: 'GET', path: presign('/presigned/file.txt', 60, new Date(), 'not-the-secret') });
    expect(errorCode(wrong)).toBe('SignatureDoesNotMatch');
  });
});

describe('S3 listing', () => {
  beforeAll(async () => {
    await s3(port, 'PUT', '/listing');
    for (const key of ['a/1', 'a/2', 'b/1', 'c', 'd', 'e/x/y', 'f']) await s3(port, 'PUT', `/listing/${key}`, { body: key });
  });

  test('ListObjectsV2 with delimiter gives CommonPrefixes and KeyCount', async () => {
    const doc = (await s3(port, 'GET', '/listing?list-type=2&delimiter=%2F')).xml().ListBucketResult;
    expect(asArray(doc.Contents).map((c: any) => c.Key)).toEqual(['c', 'd', 'f']);
    expect(asArray(doc.CommonPrefixes).map((p: any) => p.Prefix)).toEqual(['a/', 'b/', 'e/']);
    expect(doc.KeyCount).toBe('6');
    expect(doc.IsTruncated).toBe('false');
    expect(asArray(doc.Contents)[0]).toMatchObject({ Size: '1', StorageClass: 'STANDARD', ETag: `"${createHash('md5').update('c').digest('hex')}"` });
  });

  test('continuation tokens walk every entry exactly once, with and without a delimiter', async () => {
    for (const delimiter of ['', '/']) {
      const seen: string[] = [];
      let token: string | undefined;
      for (let page = 0; page < 20; page += 1) {
        const q = `list-type=2&max-keys=2${delimiter ? '&delimiter=%2F' : ''}${token ? `&continuation-token=${encodeURIComponent(token)}` : ''}`;
        const doc = (await s3(port, 'GET', `/listing?${q}`)).xml().ListBucketResult;
        seen.push(...asArray(doc.Contents).map((c: any) => c.Key), ...asArray(doc.CommonPrefixes).map((p: any) => p.Prefix));
        expect(Number(doc.KeyCount)).toBeLessThanOrEqual(2);
        token = doc.NextContinuationToken;
        if (doc.IsTruncated !== 'true') break;
      }
      expect(token).toBeUndefined();
      expect(seen.sort()).toEqual(delimiter ? ['a/', 'b/', 'c', 'd', 'e/', 'f'] : ['a/1', 'a/2', 'b/1', 'c', 'd', 'e/x/y', 'f']);
    }
  });

  test('prefix and start-after narrow the listing; ListObjects v1 pages with NextMarker', async () => {
    const pref = (await s3(port, 'GET', '/listing?list-type=2&prefix=a%2F')).xml().ListBucketResult;
    expect(asArray(pref.Contents).map((c: any) => c.Key)).toEqual(['a/1', 'a/2']);
    const after = (await s3(port, 'GET', '/listing?list-type=2&start-after=d')).xml().ListBucketResult;
    expect(asArray(after.Contents).map((c: any) => c.Key)).toEqual(['e/x/y', 'f']);
    const v1 = (await s3(port, 'GET', '/listing?delimiter=%2F&max-keys=2')).xml().ListBucketResult;
    expect(v1.IsTruncated).toBe('true');
    expect(v1.NextMarker).toBe('b/');
    const v1next = (await s3(port, 'GET', `/listing?delimiter=%2F&max-keys=10&marker=${v1.NextMarker}`)).xml().ListBucketResult;
    expect([...asArray(v1next.Contents).map((c: any) => c.Key), ...asArray(v1next.CommonPrefixes).map((p: any) => p.Prefix)].sort()).toEqual(['c', 'd', 'e/', 'f']);
    const badToken = await s3(port, 'GET', '/listing?list-type=2&continuation-token=garbage');
    expect(badToken.status).toBe(400);
    expect(errorCode(badToken)).toBe('InvalidArgument');
  });
});

describe('S3 multipart uploads', () => {
  beforeAll(() => s3(port, 'PUT', '/mpu'));

  async function initiate(key: string): Promise<string> {
    const res = await s3(port, 'POST', `/mpu/${key}?uploads`, { headers: { 'content-type': 'text/csv', 'x-amz-meta-origin': 'mpu' } });
    expect(res.status).toBe(200);
    return res.xml().InitiateMultipartUploadResult.UploadId;
  }

  function completeBody(parts: { n: number; etag: string }[]): string {
    return `<CompleteMultipartUpload>${parts.map((p) => `<Part><PartNumber>${p.n}</PartNumber><ETag>${p.etag}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
  }

  test('initiate, upload parts, list parts and uploads, complete with the "<md5 of md5s>-N" ETag', async () => {
    const id = await initiate('big.csv');
    const chunks = ['a'.repeat(12), 'b'.repeat(15), 'tail'];
    const etags: string[] = [];
    for (const [k, c] of chunks.entries()) {
      const res = await s3(port, 'PUT', `/mpu/big.csv?partNumber=${k + 1}&uploadId=${encodeURIComponent(id)}`, { body: c });
      expect(res.status).toBe(200);
      etags.push(res.headers.etag as string);
    }
    const uploads = (await s3(port, 'GET', '/mpu?uploads')).xml().ListMultipartUploadsResult;
    expect(asArray(uploads.Upload).map((u: any) => u.UploadId)).toContain(id);
    const parts = (await s3(port, 'GET', `/mpu/big.csv?uploadId=${encodeURIComponent(id)}`)).xml().ListPartsResult;
    expect(asArray(parts.Part).map((p: any) => [p.PartNumber, p.ETag, p.Size])).toEqual(chunks.map((c, k) => [String(k + 1), etags[k], String(c.length)]));
    const done = await s3(port, 'POST', `/mpu/big.csv?uploadId=${encodeURIComponent(id)}`, { body: completeBody(etags.map((etag, k) => ({ n: k + 1, etag }))) });
    expect(done.status).toBe(200);
    const md5s = Buffer.concat(chunks.map((c) => createHash('md5').update(c).digest()));
    const expected = `"${createHash('md5').update(md5s).digest('hex')}-3"`;
    expect(done.xml().CompleteMultipartUploadResult.ETag).toBe(expected);
    const get = await s3(port, 'GET', '/mpu/big.csv');
    expect(get.text).toBe(chunks.join(''));
    expect(get.headers.etag).toBe(expected);
    expect(get.headers['content-type']).toBe('text/csv');
    expect(get.headers['x-amz-meta-origin']).toBe('mpu');
    const again = await s3(port, 'POST', `/mpu/big.csv?uploadId=${encodeURIComponent(id)}`, { body: completeBody([{ n: 1, etag: etags[0]! }]) });
    expect(again.status).toBe(404);
    expect(errorCode(again)).toBe('NoSuchUpload');
  });

  test('complete checks part order, ETags, minimum part size and the XML', async () => {
    const id = await initiate('checked');
    const small = await s3(port, 'PUT', `/mpu/checked?partNumber=1&uploadId=${id}`, { body: 'tiny' });
    const second = await s3(port, 'PUT', `/mpu/checked?partNumber=2&uploadId=${id}`, { body: 'x'.repeat(20) });
    const e1 = small.headers.etag as string;
    const e2 = second.headers.etag as string;
    const order = await s3(port, 'POST', `/mpu/checked?uploadId=${id}`, { body: completeBody([{ n: 2, etag: e2 }, { n: 1, etag: e1 }]) });
    expect(errorCode(order)).toBe('InvalidPartOrder');
    const wrongEtag = await s3(port, 'POST', `/mpu/checked?uploadId=${id}`, { body: completeBody([{ n: 1, etag: '"00000000000000000000000000000000"' }]) });
    expect(errorCode(wrongEtag)).toBe('InvalidPart');
    const tooSmall = await s3(port, 'POST', `/mpu/checked?uploadId=${id}`, { body: completeBody([{ n: 1, etag: e1 }, { n: 2, etag: e2 }]) });
    expect(tooSmall.status).toBe(400);
    expect(errorCode(tooSmall)).toBe('EntityTooSmall');
    const badXml = await s3(port, 'POST', `/mpu/checked?uploadId=${id}`, { body: '<CompleteMultipartUpload><Part>' });
    expect(badXml.status).toBe(400);
    expect(errorCode(badXml)).toBe('MalformedXML');
    expect((await s3(port, 'DELETE', `/mpu/checked?uploadId=${id}`)).status).toBe(204);
    const aborted = await s3(port, 'PUT', `/mpu/checked?partNumber=3&uploadId=${id}`, { body: 'late' });
    expect(aborted.status).toBe(404);
    expect(errorCode(aborted)).toBe('NoSuchUpload');
  });
});

describe('S3 limits', () => {
  test('an object larger than maxObjectBytes is 400 EntityTooLarge; total storage is bounded too', async () => {
    const small = createFakeCloudServer({ maxObjectBytes: 1000, maxTotalBytes: 2000 });
    const p = await small.listen();
    try {
      expect((await s3(p, 'PUT', '/limited')).status).toBe(200);
      const big = await s3(p, 'PUT', '/limited/big', { body: Buffer.alloc(1001) });
      expect(big.status).toBe(400);
      expect(errorCode(big)).toBe('EntityTooLarge');
      expect((await s3(p, 'PUT', '/limited/one', { body: Buffer.alloc(1000) })).status).toBe(200);
      const full = await s3(p, 'PUT', '/limited/two', { body: Buffer.alloc(900) });
      expect(errorCode(full)).toBe('EntityTooLarge');
      expect((await s3(p, 'PUT', '/limited/one', { body: Buffer.alloc(1000) })).status).toBe(200);
    } finally {
      await small.close();
    }
  });
});
