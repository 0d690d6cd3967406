/**
 * Paging over the fake cloud with `s3ListV1Only: true` (it answers `list-type=2` requests in the ListObjects
 * V1 shape, as old Ceph and appliances do), in the sync style and Design 3, with the driver's default V2
 * requests and with `listVersion: 1`. The listing requests are recorded through the `hooks` option.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { FAKE_CREDENTIALS, startFakeCloud, type FakeCloud } from '@dualcloud/fake-cloud';
import { Container, isCommonPrefix, type S3StorageDriver } from '@dualcloud/drivers/storage';
import type { Hooks } from '@dualcloud/core';
import type { ListVersion } from '../../src/storage/s3/requests.js';
import { drain, run, s3In, STYLES, type Style } from './helpers/styles.js';

let cloud: FakeCloud;
beforeAll(async () => {
  cloud = await startFakeCloud({ s3ListV1Only: true });
});
afterAll(() => cloud.close());

const KEYS = ['dir/a', 'dir/b', 'k1', 'k2', 'k3', 'k4', 'k5'];
const BUCKET = 'listing-v1';

function s3(style: Style, listVersion: ListVersion | undefined, hooks?: Hooks): S3StorageDriver {
  return s3In(style, {
    key: FAKE_CREDENTIALS.aws.accessKeyId,
    secret: FAKE_CREDENTIALS.aws.secretAccessKey,
    ...cloud.endpoint('s3'),
    ...(listVersion ? { listVersion } : {}),
    ...(hooks ? { hooks } : {}),
  });
}

/** Hooks recording the query of every listing request. */
function listingQueries(): { queries: Array<Record<string, string>>; hooks: Hooks } {
  const queries: Array<Record<string, string>> = [];
  return {
    queries,
    hooks: {
      beforeRequest(info) {
        const url = new URL(info.url);
        if (info.method === 'GET' && url.pathname === `/${BUCKET}`) queries.push(Object.fromEntries(url.searchParams));
      },
    },
  };
}

beforeAll(async () => {
  const d = s3('sync', undefined);
  const c = d.createContainer(BUCKET);
  for (const key of KEYS) d.uploadObjectViaStream(`body of ${key}`, c, key);
});

describe.each(STYLES)('%s style', (style) => {
  describe.each([
    ['default (V2 requests)', undefined],
    ['listVersion: 1', 1],
  ] as const)('%s', (_, listVersion) => {
    const resumeParam = listVersion === 1 ? 'marker' : 'start-after';

    test('pages of 2 over 7 keys without a delimiter: every key once, resuming after the last key', async () => {
      const { queries, hooks } = listingQueries();
      const d = s3(style, listVersion, hooks);
      const objects = await run(d, () => d.listContainerObjects(new Container(BUCKET, {}, d), { pageSize: 2 }));
      expect(objects.map((o) => o.name)).toEqual(KEYS);
      expect(objects.map((o) => o.size)).toEqual(KEYS.map((k) => `body of ${k}`.length));
      expect(queries.map((q) => q[resumeParam])).toEqual([undefined, 'dir/b', 'k2', 'k4']);
      for (const q of queries) {
        expect(q['max-keys']).toBe('2');
        expect(q['list-type']).toBe(listVersion === 1 ? undefined : '2');
        expect(q['continuation-token']).toBeUndefined();
      }
    });

    test('pages of 2 with delimiter "/": the common prefix once, then the keys, following NextMarker', async () => {
      const { queries, hooks } = listingQueries();
      const d = s3(style, listVersion, hooks);
      const objects = await drain(d, () => d.iterateContainerObjects(new Container(BUCKET, {}, d), { delimiter: '/', pageSize: 2 }));
      expect(objects.map((o) => [o.name, isCommonPrefix(o)])).toEqual([
        ['k1', false],
        ['dir/', true],
        ['k2', false],
        ['k3', false],
        ['k4', false],
        ['k5', false],
      ]);
      expect(queries.map((q) => q[resumeParam])).toEqual([undefined, 'k1', 'k3']);
      for (const q of queries) expect(q.delimiter).toBe('/');
    });

    test('a prefix with a delimiter lists only what is under it', async () => {
      const d = s3(style, listVersion);
      const objects = await run(d, () => d.listContainerObjects(new Container(BUCKET, {}, d), { prefix: 'dir/', delimiter: '/', pageSize: 1 }));
      expect(objects.map((o) => o.name)).toEqual(['dir/a', 'dir/b']);
    });
  });
});
