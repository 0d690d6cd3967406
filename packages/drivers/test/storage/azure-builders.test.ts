/**
 * The Azure request builders are pure: each argument set gives one descriptor, compared with `toEqual`, no network.
 */
import { describe, expect, test } from '@jest/globals';
import {
  abortCopyBlobRequest,
  anyBlobRequest,
  copyBlobRequest,
  blobPropertiesRequest,
  containerPropertiesRequest,
  createContainerRequest,
  deleteBlobRequest,
  deleteContainerRequest,
  getBlobRequest,
  listBlobsRequest,
  listContainersRequest,
  MAX_RANGE_MD5,
  putBlobRequest,
  putBlockListRequest,
  putBlockRequest,
} from '../../src/storage/azure/requests.js';

describe('Azure request builders', () => {
  test('containers', () => {
    expect(listContainersRequest()).toEqual({ method: 'GET', query: { comp: 'list', marker: undefined }, action: 'ListContainers' });
    expect(listContainersRequest('m1')).toEqual({ method: 'GET', query: { comp: 'list', marker: 'm1' }, action: 'ListContainers' });
    expect(containerPropertiesRequest('c')).toEqual({ container: 'c', method: 'HEAD', query: { restype: 'container' }, acceptStatus: [404], action: 'GetContainerProperties' });
    expect(createContainerRequest('c')).toEqual({ container: 'c', method: 'PUT', query: { restype: 'container' }, action: 'CreateContainer' });
    expect(deleteContainerRequest('c')).toEqual({ container: 'c', method: 'DELETE', query: { restype: 'container' }, action: 'DeleteContainer' });
    expect(anyBlobRequest('c')).toEqual({ container: 'c', method: 'GET', query: { restype: 'container', comp: 'list', maxresults: 1 }, action: 'ListBlobs' });
  });

  test('listings carry prefix, delimiter, page size and marker', () => {
    expect(listBlobsRequest('c', { prefix: 'a/', delimiter: '/', pageSize: 2 }, 'next')).toEqual({
      container: 'c',
      method: 'GET',
      query: { restype: 'container', comp: 'list', include: 'metadata', prefix: 'a/', delimiter: '/', maxresults: 2, marker: 'next' },
      action: 'ListBlobs',
    });
  });

  test('blobs: properties, guarded and plain deletes', () => {
    expect(blobPropertiesRequest('c', 'a b')).toEqual({ container: 'c', blob: 'a b', method: 'HEAD', acceptStatus: [404], action: 'GetBlobProperties' });
    expect(deleteBlobRequest('c', 'k')).toEqual({ container: 'c', blob: 'k', method: 'DELETE', action: 'DeleteBlob' });
    expect(deleteBlobRequest('c', 'k', '"0x1"')).toEqual({
      container: 'c',
      blob: 'k',
      method: 'DELETE',
      headers: { 'if-match': '"0x1"' },
      acceptStatus: [412, 404],
      action: 'DeleteBlob',
    });
  });

  test('uploads: Put Blob, Put Block, Put Block List', () => {
    expect(putBlobRequest('c', 'k', { 'content-type': 'text/plain', 'content-length': '2' }, 'hi')).toEqual({
      container: 'c',
      blob: 'k',
      method: 'PUT',
      headers: { 'content-type': 'text/plain', 'content-length': '2', 'x-ms-blob-type': 'BlockBlob' },
      body: 'hi',
      action: 'PutBlob',
    });
    expect(putBlockRequest('c', 'k', 'QUFB', { 'content-length': '3' }, 'abc')).toEqual({
      container: 'c',
      blob: 'k',
      method: 'PUT',
      query: { comp: 'block', blockid: 'QUFB' },
      headers: { 'content-length': '3', 'content-type': 'application/octet-stream' },
      body: 'abc',
      action: 'PutBlock',
    });
    const list = putBlockListRequest('c', 'k', ['b1', 'b2'], { 'x-ms-blob-content-type': 'image/png' });
    expect(list.body).toMatch(/^<\?xml[^>]*\?><BlockList><Latest>b1<\/Latest><Latest>b2<\/Latest><\/BlockList>$/);
    expect(list).toEqual({
      container: 'c',
      blob: 'k',
      method: 'PUT',
      query: { comp: 'blocklist' },
      headers: { 'x-ms-blob-content-type': 'image/png', 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(list.body as string)) },
      body: list.body,
      action: 'PutBlockList',
    });
  });

  test('reads: to a file, and ranges that ask for their MD5 only up to 4 MiB', () => {
    expect(getBlobRequest('c', 'k', { saveTo: '/tmp/x' })).toEqual({ container: 'c', blob: 'k', method: 'GET', saveTo: '/tmp/x', action: 'GetBlob' });
    expect(getBlobRequest('c', 'k', { range: [0, 9], ifMatch: '"e"' })).toEqual({
      container: 'c',
      blob: 'k',
      method: 'GET',
      headers: { 'x-ms-range': 'bytes=0-9', 'x-ms-range-get-content-md5': 'true', 'if-match': '"e"' },
      action: 'GetBlob',
    });
    expect(getBlobRequest('c', 'k', { range: [0, MAX_RANGE_MD5] }).headers).toEqual({ 'x-ms-range': `bytes=0-${MAX_RANGE_MD5}` });
  });

  test('copies: Copy Blob from a source URL with its guards, and its abort', () => {
    expect(copyBlobRequest('c', 'dst b', 'https://acct.blob.core.windows.net/c/src', { 'x-ms-source-if-match': '"0x1"', 'x-ms-meta-owner': 'bob' })).toEqual({
      container: 'c',
      blob: 'dst b',
      method: 'PUT',
      headers: { 'x-ms-source-if-match': '"0x1"', 'x-ms-meta-owner': 'bob', 'x-ms-copy-source': 'https://acct.blob.core.windows.net/c/src' },
      action: 'CopyBlob',
    });
    expect(abortCopyBlobRequest('c', 'k', 'copy-1')).toEqual({
      container: 'c',
      blob: 'k',
      method: 'PUT',
      query: { comp: 'copy', copyid: 'copy-1' },
      headers: { 'x-ms-copy-action': 'abort' },
      acceptStatus: [409],
      action: 'AbortCopyBlob',
    });
  });
});
