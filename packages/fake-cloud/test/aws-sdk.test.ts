/**
 * A real third-party client, @aws-sdk/client-s3, against the fake cloud's S3.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { createFakeCloudServer, FAKE_CREDENTIALS, type FakeCloudServer } from '@dualcloud/fake-cloud';

let server: FakeCloudServer;
let client: S3Client;

beforeAll(async () => {
  server = createFakeCloudServer({ minPartSize: 1024 });
  const port = await server.listen();
  client = new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: FAKE_CREDENTIALS.aws,
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client.destroy();
  await server.close();
});

describe('@aws-sdk/client-s3 against the fake cloud', () => {
  test('create a bucket, put, list with continuation, get, delete', async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'sdk-bucket' }));
    for (let i = 0; i < 5; i += 1) {
      const put = await client.send(new PutObjectCommand({ Bucket: 'sdk-bucket', Key: `item-${i}.txt`, Body: `body ${i}`, ContentType: 'text/plain', Metadata: { index: String(i) } }));
      expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    }
    const keys: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: 'sdk-bucket', MaxKeys: 2, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((c) => c.Key!));
      token = page.NextContinuationToken;
      pages += 1;
    } while (token && pages < 10);
    expect(pages).toBe(3);
    expect(keys).toEqual(['item-0.txt', 'item-1.txt', 'item-2.txt', 'item-3.txt', 'item-4.txt']);
    const got = await client.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'item-3.txt' }));
    expect(await got.Body!.transformToString()).toBe('body 3');
    expect(got.ContentType).toBe('text/plain');
    expect(got.Metadata).toEqual({ index: '3' });
    const range = await client.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'item-3.txt', Range: 'bytes=0-3' }));
    expect(await range.Body!.transformToString()).toBe('body');
    for (const key of keys) await client.send(new DeleteObjectCommand({ Bucket: 'sdk-bucket', Key: key }));
    await expect(client.send(new HeadObjectCommand({ Bucket: 'sdk-bucket', Key: 'item-0.txt' }))).rejects.toMatchObject({ name: 'NotFound' });
    await expect(client.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'item-0.txt' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
    await client.send(new DeleteBucketCommand({ Bucket: 'sdk-bucket' }));
    await expect(client.send(new ListObjectsV2Command({ Bucket: 'sdk-bucket' }))).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });

  test('a streamed body (aws-chunked with a CRC32 trailer) and a checksum header are verified and stored', async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'sdk-stream' }));
    const data = Buffer.alloc(100_000, 'z');
    await client.send(new PutObjectCommand({ Bucket: 'sdk-stream', Key: 'streamed', Body: Readable.from([data.subarray(0, 60_000), data.subarray(60_000)]), ContentLength: data.length }));
    const got = await client.send(new GetObjectCommand({ Bucket: 'sdk-stream', Key: 'streamed' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(data)).toBe(true);
    await client.send(new PutObjectCommand({ Bucket: 'sdk-stream', Key: 'crc', Body: 'abc', ChecksumAlgorithm: 'CRC32C' }));
    expect(await (await client.send(new GetObjectCommand({ Bucket: 'sdk-stream', Key: 'crc' }))).Body!.transformToString()).toBe('abc');
  });

  test('multipart upload: CreateMultipartUpload, UploadPart, CompleteMultipartUpload', async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'sdk-mpu' }));
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: 'sdk-mpu', Key: 'big.bin' }));
    const parts = [Buffer.alloc(1500, 1), Buffer.alloc(1024, 2), Buffer.alloc(10, 3)];
    const etags: string[] = [];
    for (const [k, body] of parts.entries()) {
      const res = await client.send(new UploadPartCommand({ Bucket: 'sdk-mpu', Key: 'big.bin', UploadId, PartNumber: k + 1, Body: body }));
      etags.push(res.ETag!);
    }
    const done = await client.send(
      new CompleteMultipartUploadCommand({ Bucket: 'sdk-mpu', Key: 'big.bin', UploadId, MultipartUpload: { Parts: etags.map((ETag, k) => ({ ETag, PartNumber: k + 1 })) } }),
    );
    expect(done.ETag).toMatch(/^"[0-9a-f]{32}-3"$/);
    const got = await client.send(new GetObjectCommand({ Bucket: 'sdk-mpu', Key: 'big.bin' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat(parts))).toBe(true);
  });

  test('CopyObject with CopySourceIfMatch, and a multipart copy with UploadPartCopy ranges', async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'sdk-copies' }));
    const body = Buffer.alloc(3000, 7);
    body.write('distinct start');
    const put = await client.send(new PutObjectCommand({ Bucket: 'sdk-copies', Key: 'src key+.bin', Body: body, Metadata: { origin: 'sdk' } }));
    const copied = await client.send(new CopyObjectCommand({ Bucket: 'sdk-copies', Key: 'copy.bin', CopySource: `sdk-copies/${encodeURIComponent('src key+.bin')}`, CopySourceIfMatch: put.ETag }));
    expect(copied.CopyObjectResult?.ETag).toBe(put.ETag);
    expect((await client.send(new HeadObjectCommand({ Bucket: 'sdk-copies', Key: 'copy.bin' }))).Metadata).toEqual({ origin: 'sdk' });
    await expect(client.send(new CopyObjectCommand({ Bucket: 'sdk-copies', Key: 'x', CopySource: 'sdk-copies/copy.bin', CopySourceIfMatch: '"0"' }))).rejects.toMatchObject({ name: 'PreconditionFailed' });
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: 'sdk-copies', Key: 'parts.bin' }));
    const ranges = ['bytes=0-1999', 'bytes=2000-2999'];
    const parts = [];
    for (const [i, range] of ranges.entries()) {
      const res = await client.send(new UploadPartCopyCommand({ Bucket: 'sdk-copies', Key: 'parts.bin', UploadId, PartNumber: i + 1, CopySource: 'sdk-copies/copy.bin', CopySourceRange: range }));
      parts.push({ PartNumber: i + 1, ETag: res.CopyPartResult?.ETag });
    }
    await client.send(new CompleteMultipartUploadCommand({ Bucket: 'sdk-copies', Key: 'parts.bin', UploadId, MultipartUpload: { Parts: parts } }));
    const got = await client.send(new GetObjectCommand({ Bucket: 'sdk-copies', Key: 'parts.bin' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
  });
});
