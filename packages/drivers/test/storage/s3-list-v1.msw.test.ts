/**
 * S3 listings answered in the ListObjects version 1 shape (documents shaped as AWS documents them: Name,
 * Prefix, Marker, NextMarker, MaxKeys, Delimiter, IsTruncated, Contents with Owner, CommonPrefixes), followed
 * by the driver with its default V2 requests (old Ceph and appliances answer `list-type=2` that way) and with
 * `listVersion: 1`. msw, Design 3 (`adapter: 'http'`).
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { Container, isCommonPrefix, type StorageObject } from '@dualcloud/drivers/storage';
import { MalformedResponseError } from '@dualcloud/core';
import type { ListVersion } from '../../src/storage/s3/requests.js';
import { drain, failure, run, s3In } from './helpers/styles.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

// A loopback origin: were msw to miss a request, it would go nowhere (port 9: nothing listens).
const ORIGIN = 'http://127.0.0.1:9';

/** When a V1 page carries NextMarker: always, never (clients resume after the last entry), or with a delimiter (as AWS). */
type NextMarkerMode = 'always' | 'never' | 'with-delimiter';

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * One ListObjects V1 page over `keys`, with S3's semantics: keys after the marker, under the prefix; keys
 * containing the delimiter after the prefix roll up into a common prefix; a common prefix not after the
 * marker is skipped (a marker equal to a prefix resumes after everything under it).
 */
function v1Page(keys: readonly string[], q: URLSearchParams, mode: NextMarkerMode): string {
  const marker = q.get('list-type') === '2' ? (q.get('continuation-token') ?? q.get('start-after') ?? '') : (q.get('marker') ?? '');
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const maxKeys = Number(q.get('max-keys') ?? 1000);
  type Entry = { key: string } | { prefix: string };
  const entries: Entry[] = [];
  let truncated = false;
  for (const key of [...keys].sort()) {
    if (!key.startsWith(prefix) || key <= marker) continue;
    const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    const entry: Entry = cut >= 0 ? { prefix: key.slice(0, cut + delimiter.length) } : { key };
    if ('prefix' in entry) {
      if (entry.prefix <= marker) continue;
      const last = entries.at(-1);
      if (last && 'prefix' in last && last.prefix === entry.prefix) continue;
    }
    if (entries.length === maxKeys) {
      truncated = true;
      break;
    }
    entries.push(entry);
  }
  const last = entries.at(-1);
  const lastName = last ? ('key' in last ? last.key : last.prefix) : undefined;
  const withNextMarker = truncated && lastName !== undefined && (mode === 'always' || (mode === 'with-delimiter' && delimiter !== ''));
  const contents = entries
    .filter((e): e is { key: string } => 'key' in e)
    .map(
      (e) =>
        `<Contents><Key>${escapeXml(e.key)}</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified><ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag><Size>${e.key.length}</Size><Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID><DisplayName>mtd@amazon.com</DisplayName></Owner><StorageClass>STANDARD</StorageClass></Contents>`,
    )
    .join('');
  const prefixes = entries
    .filter((e): e is { prefix: string } => 'prefix' in e)
    .map((e) => `<CommonPrefixes><Prefix>${escapeXml(e.prefix)}</Prefix></CommonPrefixes>`)
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    `<Name>bucket</Name><Prefix>${escapeXml(prefix)}</Prefix><Marker>${escapeXml(marker)}</Marker>` +
    (withNextMarker ? `<NextMarker>${escapeXml(lastName!)}</NextMarker>` : '') +
    `<MaxKeys>${maxKeys}</MaxKeys>${delimiter ? `<Delimiter>${escapeXml(delimiter)}</Delimiter>` : ''}<IsTruncated>${truncated}</IsTruncated>` +
    `${contents}${prefixes}</ListBucketResult>`
  );
}

/** Serves V1-shaped listings of `keys` (to V1 and V2 requests alike) and records each request's query. */
function serveV1(keys: readonly string[], mode: NextMarkerMode): Array<Record<string, string>> {
  const queries: Array<Record<string, string>> = [];
  server.use(
    http.get(`${ORIGIN}/bucket`, ({ request }) => {
      const q = new URL(request.url).searchParams;
      queries.push(Object.fromEntries(q));
      return new HttpResponse(v1Page(keys, q, mode), { headers: { 'content-type': 'application/xml' } });
    }),
  );
  return queries;
}

function driver(listVersion?: ListVersion) {
  return s3In('design3', {
    key: 'AKIDEXAMPLE',
    secret: 'not-a-secret',
    host: '127.0.0.1',
    port: 9,
    secure: false,
    transport: { adapter: 'http' },
    retry: { maxAttempts: 1 },
    ...(listVersion ? { listVersion } : {}),
  });
}

const names = (objects: StorageObject[]): Array<[string, boolean]> => objects.map((o) => [o.name, isCommonPrefix(o)]);

/** What each request names as the place to resume: V2 requests say start-after, V1 requests marker. */
function resumePoints(queries: Array<Record<string, string>>, version: ListVersion): Array<string | undefined> {
  for (const q of queries) {
    if (version === 2) {
      expect(q['list-type']).toBe('2');
      expect(q.marker).toBeUndefined();
    } else {
      expect(q['list-type']).toBeUndefined();
      expect(q['start-after']).toBeUndefined();
      expect(q['continuation-token']).toBeUndefined();
    }
  }
  return queries.map((q) => (version === 2 ? q['start-after'] : q.marker));
}

const KEYS = ['k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7'];
// With delimiter '/': a.txt, b/, c.txt | d/, e.txt, f/ | g.txt  (pages of 3). The first page ends with a key
// greater than its last prefix, the second with a prefix greater than its last key.
const TREE = ['a.txt', 'b/1', 'b/2', 'c.txt', 'd/1', 'e.txt', 'f/1', 'f/2', 'g.txt'];
const TREE_LISTED: Array<[string, boolean]> = [
  ['a.txt', false],
  ['c.txt', false],
  ['b/', true],
  ['e.txt', false],
  ['d/', true],
  ['f/', true],
  ['g.txt', false],
];

describe.each([2, 1] as const)('requests of ListObjects version %i', (version) => {
  test('truncated pages with NextMarker are followed to the end', async () => {
    const queries = serveV1(KEYS, 'always');
    const d = driver(version === 1 ? 1 : undefined);
    const objects = await run(d, () => d.listContainerObjects(new Container('bucket', {}, d), { pageSize: 2 }));
    expect(objects.map((o) => o.name)).toEqual(KEYS);
    expect(objects[0]!.hash).toBe('fba9dede5f27731c9771645a39863328');
    expect(objects[0]!.size).toBe(2);
    expect(resumePoints(queries, version)).toEqual([undefined, 'k2', 'k4', 'k6']);
    for (const q of queries) expect(q['max-keys']).toBe('2');
  });

  test('truncated pages without NextMarker resume after the last key', async () => {
    const queries = serveV1(KEYS, 'never');
    const d = driver(version === 1 ? 1 : undefined);
    const objects = await run(d, () => d.listContainerObjects(new Container('bucket', {}, d), { pageSize: 3 }));
    expect(objects.map((o) => o.name)).toEqual(KEYS);
    expect(resumePoints(queries, version)).toEqual([undefined, 'k3', 'k6']);
  });

  test('with a delimiter and without NextMarker: the marker is the greater of the last key and the last common prefix', async () => {
    const queries = serveV1(TREE, 'never');
    const d = driver(version === 1 ? 1 : undefined);
    const objects = await run(d, () => d.listContainerObjects(new Container('bucket', {}, d), { delimiter: '/', pageSize: 3 }));
    expect(names(objects)).toEqual(TREE_LISTED);
    expect(resumePoints(queries, version)).toEqual([undefined, 'c.txt', 'f/']);
    for (const q of queries) expect(q.delimiter).toBe('/');
  });

  test('with a delimiter and NextMarker (as AWS answers), with a prefix, lazily through iterateContainerObjects', async () => {
    const queries = serveV1(['top', ...TREE.map((k) => `p/${k}`)], 'with-delimiter');
    const d = driver(version === 1 ? 1 : undefined);
    const objects = await drain(d, () => d.iterateContainerObjects(new Container('bucket', {}, d), { prefix: 'p/', delimiter: '/', pageSize: 3 }));
    expect(names(objects)).toEqual(TREE_LISTED.map(([n, p]) => [`p/${n}`, p]));
    expect(resumePoints(queries, version)).toEqual([undefined, 'p/c.txt', 'p/f/']);
    for (const q of queries) expect(q.prefix).toBe('p/');
  });

  test.each(['always', 'never'] as const)('a responder that repeats the same marker (NextMarker: %s) ends with the loop guard, not a loop', async (mode) => {
    let requests = 0;
    server.use(
      http.get(`${ORIGIN}/bucket`, () => {
        requests++;
        // Whatever the request says, the same first page comes back.
        return new HttpResponse(v1Page(KEYS, new URLSearchParams({ 'max-keys': '2' }), mode), { headers: { 'content-type': 'application/xml' } });
      }),
    );
    const d = driver(version === 1 ? 1 : undefined);
    const c = new Container('bucket', {}, d);
    const error = await failure(run(d, () => d.listContainerObjects(c, { pageSize: 2 })));
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect((error as MalformedResponseError).code).toBe('RepeatedToken');
    expect(requests).toBe(2);

    // Iterating lazily: the first page's items arrive, then the same guard stops it.
    requests = 0;
    const seen: string[] = [];
    const lazy = await failure(
      (async () => {
        for await (const o of d.iterateContainerObjects(c, { pageSize: 2 }) as unknown as AsyncIterable<StorageObject>) seen.push(o.name);
      })(),
    );
    expect(lazy).toBeInstanceOf(MalformedResponseError);
    expect((lazy as MalformedResponseError).code).toBe('RepeatedToken');
    expect(seen).toEqual(['k1', 'k2', 'k1', 'k2']);
    expect(requests).toBe(2);
  });
});

test('a V2-shaped answer (NextContinuationToken) is still followed by token when the driver speaks V2', async () => {
  const queries: Array<Record<string, string>> = [];
  server.use(
    http.get(`${ORIGIN}/bucket`, ({ request }) => {
      const q = Object.fromEntries(new URL(request.url).searchParams);
      queries.push(q);
      const body = q['continuation-token']
        ? '<Contents><Key>b</Key><Size>1</Size></Contents><IsTruncated>false</IsTruncated>'
        : '<Contents><Key>a</Key><Size>1</Size></Contents><IsTruncated>true</IsTruncated><NextContinuationToken>opaque/token==</NextContinuationToken><NextMarker>ignored</NextMarker>';
      return new HttpResponse(`<ListBucketResult>${body}</ListBucketResult>`);
    }),
  );
  const d = driver();
  const objects = await run(d, () => d.listContainerObjects(new Container('bucket', {}, d)));
  expect(objects.map((o) => o.name)).toEqual(['a', 'b']);
  expect(queries[1]).toEqual({ 'list-type': '2', 'continuation-token': 'opaque/token==' });
});
