/**
 * The Swift drivers' pure parts: request builders (compared with `toEqual`, no network), reply parsers and
 * temp URL signing (checked against an HMAC computed here from Swift's documented recipe).
 */
import { createHmac } from 'node:crypto';
import { describe, expect, test } from '@jest/globals';
import { HttpResponse, InvalidArgumentError, MalformedResponseError } from '@dualcloud/core';
import { tempUrl } from '@dualcloud/drivers/storage';
import {
  checkContainerName,
  checkObjectName,
  createContainerRequest,
  deleteContainerRequest,
  deleteObjectRequest,
  getObjectRequest,
  headAccountRequest,
  headContainerRequest,
  headObjectRequest,
  listContainersRequest,
  listObjectsRequest,
  postAccountRequest,
  putManifestRequest,
  putObjectRequest,
  sloManifestBody,
  swiftPath,
} from '../../src/storage/swift/requests.js';
import {
  listingOf,
  parseContainerList,
  parseDeleteReport,
  parseObjectHeaders,
  parseObjectList,
  parseSwiftError,
  swiftDate,
  unquote,
} from '../../src/storage/swift/parse.js';

const response = (status: number, body: string, headers: Record<string, string> = {}): HttpResponse =>
  new HttpResponse({ status, headers, body: Buffer.from(body) }, 'openstack_swift');

describe('request builders', () => {
  test('paths: the account is the storage URL itself; names are percent-encoded, object slashes kept', () => {
    expect(swiftPath()).toBe('');
    expect(swiftPath('c')).toBe('/c');
    expect(swiftPath('my container', 'a/b c/ü+%.txt')).toBe('/my%20container/a/b%20c/%C3%BC%2B%25.txt');
    expect(swiftPath('c', "it's(1)*!")).toBe('/c/it%27s%281%29%2A%21');
  });

  test('account, container and listing requests', () => {
    expect(listContainersRequest(100)).toEqual({ method: 'GET', path: '', query: { format: 'json', limit: 100, marker: undefined }, action: 'ListContainers' });
    expect(listContainersRequest(100, 'c9')).toEqual({ method: 'GET', path: '', query: { format: 'json', limit: 100, marker: 'c9' }, action: 'ListContainers' });
    expect(headAccountRequest()).toEqual({ method: 'HEAD', path: '', action: 'HeadAccount' });
    expect(postAccountRequest({ 'x-account-meta-temp-url-key': 'k' })).toEqual({ method: 'POST', path: '', headers: { 'x-account-meta-temp-url-key': 'k' }, idempotent: true, action: 'PostAccount' });
    expect(headContainerRequest('c')).toEqual({ method: 'HEAD', path: '/c', acceptStatus: [404], action: 'HeadContainer' });
    expect(createContainerRequest('c')).toEqual({ method: 'PUT', path: '/c', headers: { 'content-length': '0' }, action: 'CreateContainer' });
    expect(deleteContainerRequest('c')).toEqual({ method: 'DELETE', path: '/c', acceptStatus: [404, 409], action: 'DeleteContainer' });
    expect(listObjectsRequest('c', { limit: 2, prefix: 'p/', delimiter: '/', marker: 'p/a' })).toEqual({
      method: 'GET',
      path: '/c',
      query: { format: 'json', limit: 2, marker: 'p/a', prefix: 'p/', delimiter: '/' },
      acceptStatus: [404],
      action: 'ListObjects',
    });
    expect(listObjectsRequest('c', { limit: 10_000, prefix: '', delimiter: '' }).query).toEqual({ format: 'json', limit: 10_000, marker: undefined, prefix: undefined, delimiter: undefined });
  });

  test('object requests', () => {
    expect(headObjectRequest('c', 'o')).toEqual({ method: 'HEAD', path: '/c/o', acceptStatus: [404], action: 'HeadObject' });
    expect(getObjectRequest('c', 'o', { saveTo: '/tmp/x' })).toEqual({ method: 'GET', path: '/c/o', saveTo: '/tmp/x', action: 'GetObject' });
    expect(getObjectRequest('c', 'o', { range: [0, 9], ifMatch: '"e"' })).toEqual({ method: 'GET', path: '/c/o', headers: { range: 'bytes=0-9', 'if-match': '"e"' }, action: 'GetObject' });
    expect(putObjectRequest('c', 'o', { etag: 'e' }, 'body')).toEqual({ method: 'PUT', path: '/c/o', headers: { etag: 'e' }, body: 'body', action: 'PutObject' });
    expect(deleteObjectRequest('c', 'o')).toEqual({ method: 'DELETE', path: '/c/o', acceptStatus: [404], action: 'DeleteObject' });
    expect(deleteObjectRequest('c', 'o', true)).toEqual({
      method: 'DELETE',
      path: '/c/o',
      query: { 'multipart-manifest': 'delete' },
      headers: { accept: 'application/json' },
      action: 'DeleteSloObject',
    });
  });

  test('SLO manifest PUT: JSON segments (paths not encoded), ETag of the whole, idempotent', () => {
    const segments = [
      { path: '/c_segments/big o/slo/1/00000001', etag: 'a'.repeat(32), size_bytes: 8192 },
      { path: '/c_segments/big o/slo/1/00000002', etag: 'b'.repeat(32), size_bytes: 17 },
    ];
    const body = sloManifestBody(segments);
    expect(JSON.parse(body)).toEqual(segments);
    expect(putManifestRequest('c', 'big o', { 'content-type': 'text/plain', 'x-object-meta-a': 'b', etag: 'f'.repeat(32) }, segments)).toEqual({
      method: 'PUT',
      path: '/c/big%20o',
      query: { 'multipart-manifest': 'put' },
      headers: { 'content-type': 'text/plain', 'x-object-meta-a': 'b', etag: 'f'.repeat(32), 'content-length': String(Buffer.byteLength(body)) },
      body,
      idempotent: true,
      action: 'PutSloManifest',
    });
  });

  test('name checks', () => {
    for (const bad of ['', 'a/b', 'x'.repeat(257), 'nul\0']) expect(() => checkContainerName(bad)).toThrow(InvalidArgumentError);
    expect(() => checkContainerName('ok name ü')).not.toThrow();
    for (const bad of ['', 'x'.repeat(1025), 'nul\0']) expect(() => checkObjectName(bad)).toThrow(InvalidArgumentError);
    expect(() => checkObjectName('a/b/c')).not.toThrow();
  });
});

describe('reply parsers', () => {
  test('account listing: containers; a full page has a next marker', () => {
    const doc = listingOf(response(200, JSON.stringify([{ name: 'a', count: 2, bytes: 30, last_modified: '2026-11-30T23:27:05.577210' }, { name: 'b', count: 0, bytes: 0 }])));
    expect(parseContainerList(doc, 2)).toEqual({ entries: [{ name: 'a', count: 2, bytes: 30, lastModified: '2026-11-30T23:27:05.577210' }, { name: 'b', count: 0, bytes: 0 }], next: 'b' });
    expect(parseContainerList(doc, 3).next).toBeUndefined();
    expect(parseContainerList([], 3)).toEqual({ entries: [] });
  });

  test('container listing: objects, SLO entries and subdirs; the next marker may be a subdir', () => {
    const doc = [
      { name: 'a.txt', hash: '5d41402abc4b2a76b9719d911017c592', bytes: 5, content_type: 'text/plain', last_modified: '2026-11-30T23:27:05.577210' },
      { name: 'big', hash: '6af88c78e03896752c79422db8494a16', bytes: 4000, content_type: 'application/x-test', last_modified: '2026-11-30T23:27:05.5', slo_etag: '"d43fcee8a7628cec5f030e6fc104058f"' },
      { subdir: 'p/' },
    ];
    expect(parseObjectList(doc, 3)).toEqual({
      entries: [
        { kind: 'object', name: 'a.txt', bytes: 5, hash: '5d41402abc4b2a76b9719d911017c592', contentType: 'text/plain', lastModified: '2026-11-30T23:27:05.577210' },
        { kind: 'object', name: 'big', bytes: 4000, hash: '6af88c78e03896752c79422db8494a16', contentType: 'application/x-test', lastModified: '2026-11-30T23:27:05.5', sloEtag: '"d43fcee8a7628cec5f030e6fc104058f"' },
        { kind: 'subdir', subdir: 'p/' },
      ],
      next: 'p/',
    });
    expect(parseObjectList(doc, 4).next).toBeUndefined();
  });

  test('a 204 or an empty body is an empty listing; anything but a JSON array is MalformedResponseError', () => {
    expect(listingOf(response(204, ''))).toEqual([]);
    expect(listingOf(response(200, ''))).toEqual([]);
    expect(() => listingOf(response(200, '{"a":1}'))).toThrow(MalformedResponseError);
    expect(() => listingOf(response(200, '<html>'))).toThrow(MalformedResponseError);
    expect(() => parseObjectList([{ bytes: 1 }], 10)).toThrow(MalformedResponseError);
    expect(() => parseContainerList([{ count: 1 }], 10)).toThrow(MalformedResponseError);
  });

  test('timestamps: listings are UTC without a zone', () => {
    expect(swiftDate('2026-11-30T23:27:05.577210')?.toISOString()).toBe('2026-11-30T23:27:05.577Z');
    expect(swiftDate('2026-11-30T23:27:05Z')?.toISOString()).toBe('2026-11-30T23:27:05.000Z');
    expect(swiftDate('not a date')).toBeUndefined();
    expect(swiftDate(undefined)).toBeUndefined();
  });

  test('object headers: size, ETag, type, metadata, SLO and DLO markers', () => {
    const plain = parseObjectHeaders({
      'content-length': '5',
      etag: '5d41402abc4b2a76b9719d911017c592',
      'content-type': 'text/plain',
      'last-modified': 'Mon, 30 Nov 2026 23:26:58 GMT',
      'x-object-meta-owner': 'me',
      'X-Object-Meta-Purpose': 'Tests',
      'x-timestamp': '1796081225.57721',
    });
    expect(plain).toEqual({
      size: 5,
      etag: '5d41402abc4b2a76b9719d911017c592',
      rawEtag: '5d41402abc4b2a76b9719d911017c592',
      contentType: 'text/plain',
      lastModified: new Date('2026-11-30T23:26:58Z'),
      metaData: { owner: 'me', purpose: 'Tests' },
      staticLargeObject: false,
      timestamp: '1796081225.57721',
    });
    const slo = parseObjectHeaders({ 'content-length': '4000', etag: '"d43fcee8a7628cec5f030e6fc104058f"', 'x-static-large-object': 'True' });
    expect([slo.etag, slo.rawEtag, slo.staticLargeObject]).toEqual(['d43fcee8a7628cec5f030e6fc104058f', '"d43fcee8a7628cec5f030e6fc104058f"', true]);
    expect(parseObjectHeaders({ etag: '"x"', 'x-object-manifest': 'c_segments/o/' }).objectManifest).toBe('c_segments/o/');
    expect(unquote('"abc"')).toBe('abc');
  });

  test('SLO delete reports: the outcome is in the body', () => {
    expect(parseDeleteReport({ 'Response Status': '200 OK', 'Response Body': '', 'Number Deleted': 3, 'Number Not Found': 0, Errors: [] })).toEqual({
      status: 200,
      statusText: 'OK',
      deleted: 3,
      notFound: 0,
      errors: [],
    });
    expect(parseDeleteReport({ 'Response Status': '400 Bad Request', 'Number Deleted': 0, 'Number Not Found': 0, Errors: [['/c/o', 'Not an SLO manifest']] })).toEqual({
      status: 400,
      statusText: 'Bad Request',
      deleted: 0,
      notFound: 0,
      errors: [['/c/o', 'Not an SLO manifest']],
    });
    expect(() => parseDeleteReport({ deleted: 1 })).toThrow(MalformedResponseError);
  });

  test("errors: a code named after the status, the HTML page's text, the transaction id", () => {
    expect(parseSwiftError(response(404, '<html><h1>Not Found</h1><p>The resource could not be found.</p></html>', { 'x-trans-id': 'tx1' }))).toEqual({
      code: 'NotFound',
      message: 'The resource could not be found.',
      requestId: 'tx1',
    });
    expect(parseSwiftError(response(422, '<html><h1>Unprocessable Entity</h1><p>Unable to process the contained instructions</p></html>'))).toEqual({
      code: 'UnprocessableEntity',
      message: 'Unable to process the contained instructions',
    });
    expect(parseSwiftError(response(498, 'Slow down', { 'x-openstack-request-id': 'tx2' }))).toEqual({ code: 'SlowDown', message: 'Slow down', requestId: 'tx2' });
  });
});

describe('temp URLs', () => {
  test("the HMAC covers method, expiry and the decoded path; the URL carries the encoded path", () => {
    const url = tempUrl('http://127.0.0.1:8080/v1/AUTH_test/', 'my c', 'dir/a b.txt', 'GET', 1_800_000_000, 'k3y', 'sha256');
    const expected = createHmac('sha256', 'k3y').update('GET\n1800000000\n/v1/AUTH_test/my c/dir/a b.txt').digest('hex');
    expect(url).toBe(`http://127.0.0.1:8080/v1/AUTH_test/my%20c/dir/a%20b.txt?temp_url_sig=${expected}&temp_url_expires=1800000000`);
    const sha1 = tempUrl('https://swift.example/v1/AUTH_a', 'c', 'o', 'PUT', 1, 'key', 'sha1');
    expect(new URL(sha1).searchParams.get('temp_url_sig')).toBe(createHmac('sha1', 'key').update('PUT\n1\n/v1/AUTH_a/c/o').digest('hex'));
    expect(new URL(tempUrl('https://swift.example/v1/AUTH_a', 'c', 'o', 'GET', 1, 'key', 'sha512')).searchParams.get('temp_url_sig')).toHaveLength(128);
  });
});
