/**
 * The Libcloud peer of `pnpm bench`: without a Python that has Apache Libcloud its rows are skipped with a note
 * saying what to install, never an error; with one (python3-libcloud installed), it lists the fake cloud's
 * droplets in both of the ways the bench measures.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { getDriver, Provider } from '@dualcloud/drivers/compute';
import { FAKE_CREDENTIALS, startFakeCloud, type FakeCloud } from '@dualcloud/fake-cloud';
import { findLibcloudPython, startLibcloudPeer } from '../src/workloads/libcloud.js';

describe('without Libcloud', () => {
  test('the finder says what to install', () => {
    const found = findLibcloudPython(['/nonexistent/python3']);
    expect(found).toEqual({ note: expect.stringContaining('apt-get install -y python3-libcloud') });
  });

  test('the peer is unavailable with that note, and starting it does not throw', async () => {
    const peer = await startLibcloudPeer({} as FakeCloud, { deadlineMs: 1000, candidates: ['/nonexistent/python3'] });
    expect(peer).toEqual({ available: false, note: expect.stringMatching(/^Libcloud rows skipped: .*python3-libcloud/) });
  });
});

const installed = !('note' in findLibcloudPython());

(installed ? describe : describe.skip)('with python3-libcloud installed', () => {
  let cloud: FakeCloud;
  beforeAll(async () => {
    cloud = await startFakeCloud({}, { isolation: 'process' });
    const DO = getDriver(Provider.DIGITAL_OCEAN);
    const d = new DO({ key: FAKE_CREDENTIALS.digitalocean.token, ...cloud.endpoint('digitalocean') });
    d.createNode({ name: 'peer-0', size: d.listSizes()[0]!, image: d.listImages()[0]! });
  }, 60_000);
  afterAll(() => cloud?.close());

  test('lists the droplets one call after another and on a thread pool', async () => {
    const peer = await startLibcloudPeer(cloud, { deadlineMs: 20_000 });
    if (!peer.available) throw new Error(peer.note);
    try {
      expect(peer.label).toMatch(/^Apache Libcloud \d/);
      const seq = await peer.sequential(5);
      expect(seq.completed).toBe(5);
      expect(seq.usPerCall).toBeGreaterThan(0);
      const pool = await peer.pool(20, 4);
      expect(pool).toMatchObject({ completed: 20, truncated: false });
    } finally {
      await peer.close();
    }
  }, 60_000);
});
