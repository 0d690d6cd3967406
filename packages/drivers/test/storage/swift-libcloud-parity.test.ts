/**
 * Our parse of Swift's documented JSON listings and object headers equals Apache Libcloud's (3.4.1,
 * `OpenStackSwiftStorageDriver`), recorded by test/fixtures/storage/swift/libcloud_parse.py into
 * libcloud_expected.json; and our temp URLs carry the signature Libcloud computes (HMAC-SHA1, same clock).
 *
 * Known, intended differences (normalised below):
 * - A Static Large Object's `hash`: Libcloud takes the listing's `hash` (the MD5 of the manifest) and, from HEAD,
 *   the quoted ETag; ours is the SLO ETag without quotes in both (the MD5 of the segments' ETags, what Swift
 *   answers GETs with), the manifest's MD5 in `extra.manifestEtag` and the ETag as sent in `extra.etag`.
 * - Paging: Libcloud asks for one more (empty) page; we stop at a page shorter than the limit.
 * - `last_modified`: Libcloud keeps Swift's string; ours is a Date (compared as instants).
 * - Temp URLs: Libcloud puts the object name in the URL unencoded; ours is percent-encoded (same decoded path).
 */
import { afterAll, afterEach, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { ASYNC_MODE, Container, type StorageObject } from '@dualcloud/core';
import { OpenStackSwiftStorageDriver, type OpenStackSwiftStorageDriverOptions } from '@dualcloud/drivers/storage';

const DIR = new URL('../fixtures/storage/swift/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, DIR), 'utf8');
const expected = JSON.parse(fixture('libcloud_expected.json'));

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const STORAGE = 'https://swift.test/v1/AUTH_test';
const listRequests: Array<Record<string, string>> = [];

function driver(): OpenStackSwiftStorageDriver {
  server.use(
    http.get('http://swift.test/auth/v1.0', () => new HttpResponse(null, { headers: { 'x-auth-token': 'AUTH_tk1', 'x-storage-url': STORAGE } })),
    http.head(STORAGE, () => new HttpResponse(null, { status: 204, headers: JSON.parse(fixture('head_account.json')) })),
    http.get(STORAGE, () => new HttpResponse(fixture('list_containers.json'), { headers: { 'content-type': 'application/json' } })),
    http.head(`${STORAGE}/marktwain`, () => new HttpResponse(null, { status: 204, headers: { 'x-container-object-count': '5', 'x-container-bytes-used': '4069' } })),
    http.get(`${STORAGE}/marktwain`, ({ request }) => {
      const query = Object.fromEntries(new URL(request.url).searchParams);
      listRequests.push(query);
      const page = query.marker === undefined ? 'list_objects_page1.json' : query.marker === 'photos/empty marker' ? 'list_objects_page2.json' : undefined;
      return new HttpResponse(page ? fixture(page) : '[]', { headers: { 'content-type': 'application/json' } });
    }),
    http.head(`${STORAGE}/marktwain/goodbye`, () => new HttpResponse(null, { headers: JSON.parse(fixture('head_object.json')) })),
    http.head(`${STORAGE}/marktwain/videos/big%20movie.mp4`, () => new HttpResponse(null, { headers: JSON.parse(fixture('head_slo.json')) })),
  );
  return new OpenStackSwiftStorageDriver({ authUrl: 'http://swift.test/auth/v1.0', username: 'test:tester', password: 'testing', transport: { adapter: 'http' }, [ASYNC_MODE]: true } as OpenStackSwiftStorageDriverOptions);
}

function p<T>(value: T): Promise<T> {
  return value as unknown as Promise<T>;
}

type LibcloudObject = { name: string; size: number; hash: string; meta_data: Record<string, string>; extra: { content_type: string; last_modified: string }; container: string };

/** Libcloud's listing timestamp (UTC without a zone) or HEAD date, as an instant (milliseconds). */
const instant = (text: string): number => new Date(/GMT$/.test(text) ? text : `${text.replace(/(\.\d{3})\d*$/, '$1')}Z`).getTime();

function ours(o: StorageObject, fromListing: boolean) {
  const slo = o.extra.staticLargeObject === true;
  return {
    name: o.name,
    size: o.size,
    // Libcloud's hash: the listing's `hash` (an SLO's manifest MD5), or HEAD's ETag as sent.
    hash: fromListing ? (slo ? o.extra.manifestEtag : o.hash) : o.extra.etag,
    meta_data: o.metaData,
    content_type: o.contentType,
    last_modified: o.lastModified?.getTime(),
    container: o.container.name,
  };
}

function theirs(o: LibcloudObject) {
  return { name: o.name, size: o.size, hash: o.hash, meta_data: o.meta_data, content_type: o.extra.content_type, last_modified: instant(o.extra.last_modified), container: o.container };
}

test('the recorded output comes from Libcloud', () => {
  expect(expected.libcloud_version).toMatch(/^3\./);
});

describe('Swift parsing agrees with Libcloud', () => {
  test('listContainers and getContainer: names, object counts and bytes', async () => {
    const d = driver();
    const containers = await p(d.listContainers());
    expect(containers.map((c) => ({ name: c.name, extra: { object_count: c.extra.objectCount, size: c.extra.bytesUsed } }))).toEqual(expected.list_containers);
    const c = await p(d.getContainer('marktwain'));
    expect({ name: c.name, extra: { object_count: c.extra.objectCount, size: c.extra.bytesUsed } }).toEqual(expected.get_container);
  });

  test('listContainerObjects across pages: names, sizes, hashes, content types, dates; the markers', async () => {
    const d = driver();
    listRequests.length = 0;
    const objects = await p(d.listContainerObjects(new Container('marktwain', {}, d), { pageSize: 3 }));
    expect(objects.map((o) => ours(o, true))).toEqual(expected.list_container_objects.map(theirs));
    const theirMarkers = (expected.list_requests as Array<{ params: { marker?: string } }>).map((r) => r.params.marker);
    expect(listRequests.map((q) => q.marker)).toEqual(theirMarkers.slice(0, 2)); // Libcloud also asks for the empty third page
    expect(listRequests.every((q) => q.format === 'json' && q.limit === '3')).toBe(true);
    const slo = objects.find((o) => o.name === 'videos/big movie.mp4')!;
    expect([slo.hash, slo.extra.etag]).toEqual(['d43fcee8a7628cec5f030e6fc104058f', '"d43fcee8a7628cec5f030e6fc104058f"']);
  });

  test('getObject (HEAD): size, ETag, metadata, content type, date — plain and SLO', async () => {
    const d = driver();
    expect(ours(await p(d.getObject('marktwain', 'goodbye')), false)).toEqual(theirs(expected.get_object));
    const slo = await p(d.getObject('marktwain', 'videos/big movie.mp4'));
    expect(ours(slo, false)).toEqual(theirs(expected.get_object_slo));
    expect(slo.hash).toBe(expected.get_object_slo.hash.replace(/"/g, ''));
  });

  test('temp URLs: the same signature and expiry as Libcloud (HMAC-SHA1, same clock), the same decoded path', async () => {
    const d = driver();
    const head = await p(d.getObject('marktwain', 'goodbye'));
    const last = (await p(d.listContainerObjects(new Container('marktwain', {}, d), { pageSize: 3 }))).at(-1)!;
    const now = jest.spyOn(Date, 'now').mockReturnValue(expected.temp_url.time * 1000);
    let get: string;
    let put: string;
    try {
      get = await p(d.getObjectCdnUrl(head, { method: 'GET', expiresIn: expected.temp_url.timeout, digest: 'sha1' }));
      put = await p(d.getObjectCdnUrl(last, { method: 'PUT', expiresIn: expected.temp_url.timeout, digest: 'sha1' }));
    } finally {
      now.mockRestore();
    }
    for (const [mine, libcloud] of [
      [get, expected.temp_url.get as string],
      [put, expected.temp_url.put as string],
    ] as const) {
      const a = new URL(mine);
      const b = new URL(libcloud.replace(/\?.*$/, '').replace(/[^/:]+/g, (s) => encodeURIComponent(s)) + libcloud.slice(libcloud.indexOf('?')));
      expect(decodeURIComponent(a.pathname)).toBe(decodeURIComponent(b.pathname));
      expect(a.origin).toBe(b.origin);
      expect(a.searchParams.get('temp_url_sig')).toBe(b.searchParams.get('temp_url_sig'));
      expect(a.searchParams.get('temp_url_expires')).toBe(b.searchParams.get('temp_url_expires'));
    }
  });
});
