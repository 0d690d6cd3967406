/**
 * The S3 request builders (`packages/drivers/src/storage/s3/requests.ts`) are pure: arguments in, a plain
 * request descriptor out. Each is pinned with `toEqual`, no network. A builder added to the module without a
 * case here fails the coverage test at the end.
 */
import { createHash } from 'node:crypto';
import { describe, expect, test } from '@jest/globals';
import * as requests from '../../src/storage/s3/requests.js';
import {
  abortMultipartUploadRequest,
  completeMultipartUploadRequest,
  copyObjectRequest,
  createBucketRequest,
  createMultipartUploadRequest,
  deleteBucketRequest,
  deleteObjectRequest,
  deleteObjectsRequest,
  getObjectRequest,
  MAX_DELETE_KEYS,
  headBucketRequest,
  headObjectRequest,
  listBucketsRequest,
  listObjectsRequest,
  putObjectRequest,
  uploadPartCopyRequest,
  uploadPartRequest,
} from '../../src/storage/s3/requests.js';

const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const tested = new Set<string>();
const builder = (name: string): string => {
  tested.add(name);
  return name;
};

describe(builder('listBucketsRequest'), () => {
  test('first page and a continuation', () => {
    expect(listBucketsRequest()).toEqual({ method: 'GET', query: {}, action: 'ListBuckets' });
    expect(listBucketsRequest('tok/1')).toEqual({ method: 'GET', query: { 'continuation-token': 'tok/1' }, action: 'ListBuckets' });
  });
});

describe(builder('headBucketRequest'), () => {
  test('accepts 404 for the caller to decide', () => {
    expect(headBucketRequest('photos')).toEqual({ bucket: 'photos', method: 'HEAD', acceptStatus: [404], action: 'HeadBucket' });
  });
});

describe(builder('createBucketRequest'), () => {
  test('no body in us-east-1; a LocationConstraint document elsewhere', () => {
    expect(createBucketRequest('photos', undefined)).toEqual({ bucket: 'photos', method: 'PUT', action: 'CreateBucket' });
    expect(createBucketRequest('photos', 'eu-west-1')).toEqual({
      bucket: 'photos',
      method: 'PUT',
      body: `<?xml version="1.0" encoding="UTF-8"?><CreateBucketConfiguration xmlns="${XMLNS}"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>`,
      headers: { 'content-type': 'application/xml' },
      action: 'CreateBucket',
    });
  });
});

describe(builder('deleteBucketRequest'), () => {
  test('DELETE on the bucket', () => {
    expect(deleteBucketRequest('photos')).toEqual({ bucket: 'photos', method: 'DELETE', action: 'DeleteBucket' });
  });
});

describe(builder('listObjectsRequest'), () => {
  const args = { prefix: 'p/', delimiter: '/', pageSize: 2 };

  test('V2: list-type=2, first page', () => {
    expect(listObjectsRequest('b', 2, args)).toEqual({
      bucket: 'b',
      method: 'GET',
      query: { prefix: 'p/', delimiter: '/', 'max-keys': 2, 'list-type': '2', 'continuation-token': undefined, 'start-after': undefined },
      action: 'ListObjectsV2',
    });
  });

  test('V2: a continuation token, or a V1 marker as start-after', () => {
    expect(listObjectsRequest('b', 2, {}, { token: 'opaque==' })).toEqual({
      bucket: 'b',
      method: 'GET',
      query: { prefix: undefined, delimiter: undefined, 'max-keys': undefined, 'list-type': '2', 'continuation-token': 'opaque==', 'start-after': undefined },
      action: 'ListObjectsV2',
    });
    expect(listObjectsRequest('b', 2, args, { marker: 'p/k9' })).toEqual({
      bucket: 'b',
      method: 'GET',
      query: { prefix: 'p/', delimiter: '/', 'max-keys': 2, 'list-type': '2', 'continuation-token': undefined, 'start-after': 'p/k9' },
      action: 'ListObjectsV2',
    });
  });

  test('V1: marker, never list-type; a token given to V1 is sent as the marker', () => {
    expect(listObjectsRequest('b', 1, args)).toEqual({
      bucket: 'b',
      method: 'GET',
      query: { prefix: 'p/', delimiter: '/', 'max-keys': 2, marker: undefined },
      action: 'ListObjects',
    });
    expect(listObjectsRequest('b', 1, args, { marker: 'p/k9' })).toEqual({
      bucket: 'b',
      method: 'GET',
      query: { prefix: 'p/', delimiter: '/', 'max-keys': 2, marker: 'p/k9' },
      action: 'ListObjects',
    });
    expect(listObjectsRequest('b', 1, {}, { token: 't' }).query).toEqual({ prefix: undefined, delimiter: undefined, 'max-keys': undefined, marker: 't' });
  });

  test('does not mutate the caller’s arguments', () => {
    const given = Object.freeze({ prefix: 'x', pageSize: 5 });
    const next = Object.freeze({ marker: 'm' });
    expect(() => listObjectsRequest('b', 1, given, next)).not.toThrow();
    expect(given).toEqual({ prefix: 'x', pageSize: 5 });
  });
});

describe(builder('headObjectRequest'), () => {
  test('without and with checksum mode', () => {
    expect(headObjectRequest('b', 'a/k')).toEqual({ bucket: 'b', key: 'a/k', method: 'HEAD', acceptStatus: [404], action: 'HeadObject' });
    expect(headObjectRequest('b', 'a/k', true)).toEqual({
      bucket: 'b',
      key: 'a/k',
      method: 'HEAD',
      acceptStatus: [404],
      headers: { 'x-amz-checksum-mode': 'ENABLED' },
      action: 'HeadObject',
    });
  });
});

describe(builder('deleteObjectRequest'), () => {
  test('plain, and guarded by If-Match', () => {
    expect(deleteObjectRequest('b', 'k')).toEqual({ bucket: 'b', key: 'k', method: 'DELETE', action: 'DeleteObject' });
    expect(deleteObjectRequest('b', 'k', '"abc"')).toEqual({ bucket: 'b', key: 'k', method: 'DELETE', headers: { 'if-match': '"abc"' }, action: 'DeleteObject' });
  });
});

describe(builder('putObjectRequest'), () => {
  test('headers and body as given', () => {
    const body = Buffer.from('x');
    expect(putObjectRequest('b', 'k', { 'content-md5': 'md5==', 'content-length': '1' }, body)).toEqual({
      bucket: 'b',
      key: 'k',
      method: 'PUT',
      headers: { 'content-md5': 'md5==', 'content-length': '1' },
      body,
      action: 'PutObject',
    });
    expect(putObjectRequest('b', 'k', {}, { file: '/tmp/f' }).body).toEqual({ file: '/tmp/f' });
  });
});

describe(builder('createMultipartUploadRequest'), () => {
  test('without and with a full-object CRC32', () => {
    expect(createMultipartUploadRequest('b', 'k', { 'content-type': 'text/plain' }, false)).toEqual({
      bucket: 'b',
      key: 'k',
      method: 'POST',
      query: { uploads: '' },
      headers: { 'content-type': 'text/plain' },
      idempotent: true,
      action: 'CreateMultipartUpload',
    });
    expect(createMultipartUploadRequest('b', 'k', { 'content-type': 'text/plain' }, true)).toEqual({
      bucket: 'b',
      key: 'k',
      method: 'POST',
      query: { uploads: '' },
      headers: { 'content-type': 'text/plain', 'x-amz-checksum-algorithm': 'CRC32', 'x-amz-checksum-type': 'FULL_OBJECT' },
      idempotent: true,
      action: 'CreateMultipartUpload',
    });
  });
});

describe(builder('uploadPartRequest'), () => {
  test('part number and upload id in the query', () => {
    const body = Buffer.alloc(3);
    expect(uploadPartRequest('b', 'k', 'up-1', 7, { 'content-length': '3' }, body)).toEqual({
      bucket: 'b',
      key: 'k',
      method: 'PUT',
      query: { partNumber: 7, uploadId: 'up-1' },
      headers: { 'content-length': '3' },
      body,
      action: 'UploadPart',
    });
  });
});

describe(builder('completeMultipartUploadRequest'), () => {
  test('parts in order, ETags escaped as XML, quotes kept', () => {
    expect(completeMultipartUploadRequest('b', 'k', 'up-1', [{ etag: '"e1"' }, { etag: '"e&2"' }])).toEqual({
      bucket: 'b',
      key: 'k',
      method: 'POST',
      query: { uploadId: 'up-1' },
      headers: { 'content-type': 'application/xml' },
      body:
        `<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload xmlns="${XMLNS}">` +
        '<Part><PartNumber>1</PartNumber><ETag>"e1"</ETag></Part><Part><PartNumber>2</PartNumber><ETag>"e&amp;2"</ETag></Part>' +
        '</CompleteMultipartUpload>',
      idempotent: true,
      action: 'CompleteMultipartUpload',
    });
  });

  test('with per-part and full-object CRC32 checksums', () => {
    expect(completeMultipartUploadRequest('b', 'k', 'up-1', [{ etag: '"e1"', checksumCrc32: 'AAAAAQ==' }], 'AAAAAg==')).toEqual({
      bucket: 'b',
      key: 'k',
      method: 'POST',
      query: { uploadId: 'up-1' },
      headers: { 'content-type': 'application/xml', 'x-amz-checksum-crc32': 'AAAAAg==', 'x-amz-checksum-type': 'FULL_OBJECT' },
      body: `<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload xmlns="${XMLNS}"><Part><PartNumber>1</PartNumber><ETag>"e1"</ETag><ChecksumCRC32>AAAAAQ==</ChecksumCRC32></Part></CompleteMultipartUpload>`,
      idempotent: true,
      action: 'CompleteMultipartUpload',
    });
  });
});

describe(builder('abortMultipartUploadRequest'), () => {
  test('DELETE with the upload id; 404 means already gone', () => {
    expect(abortMultipartUploadRequest('b', 'k', 'up-1')).toEqual({
      bucket: 'b',
      key: 'k',
      method: 'DELETE',
      query: { uploadId: 'up-1' },
      action: 'AbortMultipartUpload',
      acceptStatus: [404],
    });
  });
});

describe(builder('getObjectRequest'), () => {
  test('the whole object, no headers', () => {
    expect(getObjectRequest('b', 'k')).toEqual({ bucket: 'b', key: 'k', method: 'GET', action: 'GetObject' });
  });

  test('saved to a file with checksum mode', () => {
    expect(getObjectRequest('b', 'k', { saveTo: '/tmp/.k.part', checksums: true })).toEqual({
      bucket: 'b',
      key: 'k',
      method: 'GET',
      headers: { 'x-amz-checksum-mode': 'ENABLED' },
      saveTo: '/tmp/.k.part',
      action: 'GetObject',
    });
  });

  test('a range guarded by If-Match', () => {
    expect(getObjectRequest('b', 'k', { range: [4, 7], ifMatch: '"abc"' })).toEqual({
      bucket: 'b',
      key: 'k',
      method: 'GET',
      headers: { range: 'bytes=4-7', 'if-match': '"abc"' },
      action: 'GetObject',
    });
  });
});

describe(builder('copyObjectRequest'), () => {
  test('keeps the metadata: copy source (key percent-encoded, slashes kept) and its ETag guard only', () => {
    expect(copyObjectRequest('dst', 'new/key', 'x-amz-', { bucket: 'src', key: 'a b/c+d%é.txt', ifMatch: '"abc"' })).toEqual({
      bucket: 'dst',
      key: 'new/key',
      method: 'PUT',
      headers: { 'x-amz-copy-source': '/src/a%20b/c%2Bd%25%C3%A9.txt', 'x-amz-copy-source-if-match': '"abc"' },
      action: 'CopyObject',
    });
  });

  test('REPLACE with the given headers; GCS speaks x-goog-', () => {
    expect(copyObjectRequest('dst', 'k', 'x-goog-', { bucket: 'src', key: 'k' }, { 'content-type': 'text/plain', 'x-goog-meta-owner': 'bob' })).toEqual({
      bucket: 'dst',
      key: 'k',
      method: 'PUT',
      headers: { 'x-goog-copy-source': '/src/k', 'x-goog-metadata-directive': 'REPLACE', 'content-type': 'text/plain', 'x-goog-meta-owner': 'bob' },
      action: 'CopyObject',
    });
  });
});

describe(builder('uploadPartCopyRequest'), () => {
  test('a range of the source (inclusive), guarded by its ETag, as part N of an upload', () => {
    expect(uploadPartCopyRequest('dst', 'k', 'up-1', 3, { bucket: 'src', key: 'big.bin', ifMatch: '"e-2"' }, [100, 199])).toEqual({
      bucket: 'dst',
      key: 'k',
      method: 'PUT',
      query: { partNumber: 3, uploadId: 'up-1' },
      headers: { 'x-amz-copy-source': '/src/big.bin', 'x-amz-copy-source-if-match': '"e-2"', 'x-amz-copy-source-range': 'bytes=100-199' },
      action: 'UploadPartCopy',
    });
  });
});

describe(builder('deleteObjectsRequest'), () => {
  test('POST ?delete, verbose, with the Content-MD5 S3 requires; keys escaped; idempotent', () => {
    const body = `<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="${XMLNS}"><Quiet>false</Quiet><Object><Key>a&amp;b</Key></Object><Object><Key>dir/&lt;c&gt; d</Key></Object></Delete>`;
    expect(deleteObjectsRequest('photos', ['a&b', 'dir/<c> d'])).toEqual({
      bucket: 'photos',
      method: 'POST',
      query: { delete: '' },
      headers: { 'content-type': 'application/xml', 'content-md5': createHash('md5').update(body).digest('base64'), 'content-length': String(Buffer.byteLength(body)) },
      body,
      idempotent: true,
      action: 'DeleteObjects',
    });
    expect(MAX_DELETE_KEYS).toBe(1000);
  });
});

test('every builder exported by requests.ts has a case here', () => {
  const exported = Object.entries(requests)
    .filter(([, value]) => typeof value === 'function')
    .map(([name]) => name)
    .sort();
  expect(exported).toEqual([...tested].sort());
});
