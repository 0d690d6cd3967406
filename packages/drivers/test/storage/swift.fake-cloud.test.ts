/**
 * The Swift drivers end to end against the fake cloud (a worker thread, so the sync style can block this one):
 * temp URLs fetched with plain `fetch` (Keystone v3 and v1.0 auth), and what injected faults do to transfers —
 * a corrupted PUT is refused (422) or caught by the reply's ETag and sent again, a failed SLO leaves no segment
 * behind, a corrupted download is read again.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { FAKE_CREDENTIALS, startFakeCloud, type FakeCloud } from '@dualcloud/fake-cloud';
import { OpenStackSwiftStorageDriver, Provider, UploadError, type OpenStackSwiftStorageDriverOptions } from '@dualcloud/drivers/storage';
import { describeTempUrls } from './helpers/swift-tempurl.js';

const { username, password, project } = FAKE_CREDENTIALS.keystone;
let cloud: FakeCloud;
let dir: string;
beforeAll(async () => {
  cloud = await startFakeCloud();
  dir = mkdtempSync(join(tmpdir(), 'dualcloud-swift-fake-'));
});
afterAll(async () => {
  await cloud.close();
  rmSync(dir, { recursive: true, force: true });
});

const RETRY = { baseDelayMs: 1, maxDelayMs: 2 };
const keystoneOptions = (): OpenStackSwiftStorageDriverOptions => ({ authUrl: cloud.endpoint('keystone').authUrl, username, password, projectName: project, retry: RETRY });
const v1Options = (): OpenStackSwiftStorageDriverOptions => ({ authUrl: cloud.endpoint('swift').authUrl, username: `${project}:${username}`, password, retry: RETRY });
const md5 = (b: Uint8Array | string): string => createHash('md5').update(b).digest('hex');

describe('temp URLs, Keystone v3 account', () => {
  describeTempUrls(() => ({ provider: Provider.OPENSTACK_SWIFT, options: keystoneOptions }));
});

describe('temp URLs, v1.0 auth account', () => {
  describeTempUrls(() => ({ provider: Provider.OPENSTACK_SWIFT, options: v1Options }));
});

describe('faults', () => {
  /** A sync driver with a token already fetched, so the next Swift request is the one the test means. */
  function ready(options: Partial<OpenStackSwiftStorageDriverOptions> = {}): { d: OpenStackSwiftStorageDriver; container: string } {
    const d = new OpenStackSwiftStorageDriver({ ...v1Options(), ...options });
    const container = `faults-${randomBytes(4).toString('hex')}`;
    d.createContainer(container);
    return { d, container };
  }

  test('a PUT corrupted on the way is refused by Swift (422) and sent again; the stored bytes are the ones sent', async () => {
    const { d, container } = ready();
    const data = randomBytes(5000);
    const c = d.getContainer(container);
    const before = await cloud.stats();
    await cloud.configure({ faults: { providers: ['swift'], sequence: ['corrupt-request'] } });
    const o = d.uploadObjectViaStream(data, c, 'o.bin');
    const after = await cloud.stats();
    expect(after.faults['corrupt-request']).toBe(before.faults['corrupt-request'] + 1);
    expect(after.byProvider.swift - before.byProvider.swift).toBe(2); // refused, then sent again
    expect(o.hash).toBe(md5(data));
    expect(Buffer.concat([...d.downloadObjectAsStream(d.getObject(container, 'o.bin'))]).equals(data)).toBe(true);
  });

  test('a store that does not check the ETag keeps the corrupted bytes: the reply ETag gives it away, the PUT is sent again', async () => {
    await cloud.configure({ verifyContentMd5: false, faults: { rate: 0 } });
    try {
      const { d, container } = ready();
      const data = randomBytes(5000);
      const c = d.getContainer(container);
      const before = await cloud.stats();
      await cloud.configure({ verifyContentMd5: false, faults: { providers: ['swift'], sequence: ['corrupt-request'] } });
      expect(d.uploadObjectViaStream(data, c, 'o.bin').hash).toBe(md5(data));
      const after = await cloud.stats();
      expect(after.faults['corrupt-request']).toBe(before.faults['corrupt-request'] + 1);
      expect(after.byProvider.swift - before.byProvider.swift).toBe(2); // stored corrupted, caught by the ETag, sent again
      expect(d.getObject(container, 'o.bin').hash).toBe(md5(data));
    } finally {
      await cloud.configure({ verifyContentMd5: true, faults: { rate: 0 } });
    }
  });

  test('an SLO whose segment keeps failing: UploadError, and neither segments nor a manifest are left', async () => {
    const { d, container } = ready({ retry: { ...RETRY, maxAttempts: 2 } });
    const c = d.getContainer(container);
    // HEAD container, PUT segment container, segment 1, then segment 2 fails on both attempts.
    await cloud.configure({ faults: { providers: ['swift'], sequence: [null, null, null, '500', '500'] } });
    let error: unknown;
    try {
      d.uploadObjectViaStream(randomBytes(30_000), c, 'big.bin', { partSize: 10_000, concurrency: 1 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UploadError);
    expect((error as UploadError & { aborted: boolean }).aborted).toBe(true);
    expect(d.listContainerObjects(c)).toEqual([]);
    expect(d.listContainerObjects(d.getContainer(`${container}_segments`))).toEqual([]);
  });

  test('a download corrupted on the way is read again; the file appears only once verified', async () => {
    const { d, container } = ready();
    const data = randomBytes(20_000);
    d.uploadObjectViaStream(data, d.getContainer(container), 'dl.bin');
    const obj = d.getObject(container, 'dl.bin');
    await cloud.configure({ faults: { providers: ['swift'], sequence: ['corrupt-response'] } });
    const dest = join(dir, 'dl.bin');
    expect(d.downloadObject(obj, dest)).toBe(true);
    expect(md5(readFileSync(dest))).toBe(md5(data));
    expect((await cloud.stats()).faults['corrupt-response']).toBeGreaterThanOrEqual(1);
    expect(readdirSync(dir)).toEqual(['dl.bin']);
  });
});
