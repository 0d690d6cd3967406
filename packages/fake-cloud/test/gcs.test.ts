import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { asArray } from '@dualcloud/core';
import { crc32c, createFakeCloudServer, FAKE_CREDENTIALS, type FakeCloudServer } from '@dualcloud/fake-cloud';
import { gcs, s3 } from './helpers/http.js';

let server: FakeCloudServer;
let port: number;

beforeAll(async () => {
  server = createFakeCloudServer({ minPartSize: 4 });
  port = await server.listen();
});
afterAll(() => server.close());

describe('GCS XML API (HMAC, GOOG4)', () => {
  test('crc32c matches the standard check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  test('buckets and objects with x-goog-meta-*, x-goog-hash and x-goog-generation', async () => {
    expect((await gcs(port, 'PUT', '/gbucket')).status).toBe(200);
    const body = 'hello world';
    const put = await gcs(port, 'PUT', '/gbucket/greeting.txt', { body, headers: { 'content-type': 'text/plain', 'x-goog-meta-lang': 'en' } });
    expect(put.status).toBe(200);
    const get = await gcs(port, 'GET', '/gbucket/greeting.txt');
    expect(get.text).toBe(body);
    expect(get.headers['x-goog-meta-lang']).toBe('en');
    expect(get.headers['x-goog-hash']).toBe(`crc32c=yZRlqg==,md5=${createHash('md5').update(body).digest('base64')}`);
    expect(Number(get.headers['x-goog-generation'])).toBeGreaterThan(0);
    expect(get.headers.etag).toBe(`"${createHash('md5').update(body).digest('hex')}"`);
    const head = await gcs(port, 'HEAD', '/gbucket/greeting.txt');
    expect(head.headers['x-goog-hash']).toBe(get.headers['x-goog-hash']);
    const list = (await gcs(port, 'GET', '/gbucket?list-type=2')).xml().ListBucketResult;
    expect(list.Contents.Key).toBe('greeting.txt');
    expect(asArray((await gcs(port, 'GET', '/')).xml().ListAllMyBucketsResult.Buckets.Bucket).map((b: any) => b.Name)).toEqual(['gbucket']);
  });

  test('GCS state is kept apart from S3 state', async () => {
    await gcs(port, 'PUT', '/shared-name');
    expect((await s3(port, 'HEAD', '/shared-name')).status).toBe(404);
    expect((await s3(port, 'PUT', '/shared-name')).status).toBe(200);
    expect((await gcs(port, 'PUT', '/shared-name')).status).toBe(409);
  });

  test('errors are GCS XML; deleting a missing object is 404 NoSuchKey', async () => {
    await gcs(port, 'PUT', '/errs');
    const res = await gcs(port, 'DELETE', '/errs/missing');
    expect(res.status).toBe(404);
    const e = res.xml().Error;
    expect(e.Code).toBe('NoSuchKey');
    expect(e.Message).toMatch(/\S/);
    expect(e.Details).toBe('/errs/missing');
  });

  test('a wrong HMAC secret is 403 SignatureDoesNotMatch; an AWS key is unknown to GCS', async () => {
    const wrong = await gcs(port, 'GET', '/', { credentials: { accessKeyId: FAKE_CREDENTIALS.gcs.accessKeyId, secretAccessKey: 'bad' } });
    expect(wrong.status).toBe(403);
    expect(wrong.xml().Error.Code).toBe('SignatureDoesNotMatch');
    const aws = await gcs(port, 'GET', '/', { credentials: FAKE_CREDENTIALS.aws });
    expect(aws.status).toBe(403);
    expect(aws.xml().Error.Code).toBe('InvalidAccessKeyId');
  });

  test('multipart upload works the same way', async () => {
    await gcs(port, 'PUT', '/gmpu');
    const id = (await gcs(port, 'POST', '/gmpu/obj?uploads')).xml().InitiateMultipartUploadResult.UploadId;
    const e1 = (await gcs(port, 'PUT', `/gmpu/obj?partNumber=1&uploadId=${id}`, { body: 'first' })).headers.etag;
    const e2 = (await gcs(port, 'PUT', `/gmpu/obj?partNumber=2&uploadId=${id}`, { body: 'second' })).headers.etag;
    const body = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${e1}</ETag></Part><Part><PartNumber>2</PartNumber><ETag>${e2}</ETag></Part></CompleteMultipartUpload>`;
    expect((await gcs(port, 'POST', `/gmpu/obj?uploadId=${id}`, { body })).status).toBe(200);
    expect((await gcs(port, 'GET', '/gmpu/obj')).text).toBe('firstsecond');
  });
});
