/**
 * Documents that do not hold what a volume, snapshot, key pair, image or action needs give
 * `MalformedResponseError` (never a TypeError or a half-built model), on EC2 and DigitalOcean.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { http, HttpResponse as MswResponse } from 'msw';
import { setupServer } from 'msw/node';
import { ASYNC_MODE, MalformedResponseError } from '@dualcloud/core';
import { DigitalOceanNodeDriver, EC2NodeDriver, NodeImage, StorageVolume, StorageVolumeState, type DigitalOceanNodeDriverOptions, type EC2NodeDriverOptions } from '@dualcloud/drivers/compute';
import { fixture, promised } from './helpers/fixtures.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const opts = { transport: { adapter: 'http' as const }, retry: { maxAttempts: 1 }, [ASYNC_MODE]: true };
const ec2 = () => new EC2NodeDriver({ key: 'AKIDEXAMPLE', secret: 'secret', region: 'us-east-1', ...opts } as EC2NodeDriverOptions);
const digitalocean = () => new DigitalOceanNodeDriver({ key: 'token', ...opts } as DigitalOceanNodeDriverOptions);
const volume = new StorageVolume({ id: '506f78a4-e098-11e5-ad9f-000f53306ae1', name: 'v', size: 1, state: StorageVolumeState.AVAILABLE, extra: { region_slug: 'nyc1' } }, {} as never);

function ec2Answers(body: string): void {
  server.use(http.post('https://ec2.us-east-1.amazonaws.com/', () => new MswResponse(body, { headers: { 'content-type': 'text/xml' } })));
}
function doAnswers(body: unknown, status = 200): void {
  server.use(http.all('https://api.digitalocean.com/*', () => MswResponse.json(body as never, { status })));
}

describe('EC2', () => {
  const cases: Array<[string, string, (d: EC2NodeDriver) => unknown]> = [
    ['a volume without volumeId', fixture('ec2/describe_volumes.xml').replace('<volumeId>vol-0a1b2c3d4e5f60002</volumeId>', ''), (d) => d.listVolumes()],
    ['a volume without size', fixture('ec2/describe_volumes.xml').replace('<size>8</size>', ''), (d) => d.listVolumes()],
    ['a snapshot without snapshotId', fixture('ec2/describe_snapshots.xml').replace('<snapshotId>snap-0a1b2c3d4e5f60011</snapshotId>', ''), (d) => d.listVolumeSnapshots(volume)],
    ['a key pair without keyName', fixture('ec2/describe_key_pairs.xml').replace('<keyName>deploy-key</keyName>', ''), (d) => d.listKeyPairs()],
    ['a CreateImage answer without imageId', fixture('ec2/create_image.xml').replace(/<imageId>.*<\/imageId>/, ''), (d) => d.createImage({ id: 'i-1' } as never, 'x')],
    ['another action’s document', fixture('ec2/describe_volumes.xml'), (d) => d.listVolumeSnapshots(volume)],
  ];
  test.each(cases)('%s is MalformedResponseError', async (_what, body, call) => {
    ec2Answers(body);
    await expect(promised(call(ec2()) as Promise<unknown>)).rejects.toMatchObject({ constructor: MalformedResponseError, provider: 'ec2' });
  });
});

describe('DigitalOcean', () => {
  const cases: Array<[string, unknown, (d: DigitalOceanNodeDriver) => unknown]> = [
    ['volumes that are not an array', { volumes: {}, links: {} }, (d) => d.listVolumes()],
    ['a volume without an id', { volumes: [{ name: 'v', size_gigabytes: 1 }], links: {} }, (d) => d.listVolumes()],
    ['a volume without size_gigabytes', { volume: { id: 'v-1', name: 'v' } }, (d) => d.createVolume({ size: 1, name: 'v', location: { id: 'nyc1' } as never })],
    ['a create answer without its volume', { message: 'ok' }, (d) => d.createVolume({ size: 1, name: 'v', location: { id: 'nyc1' } as never })],
    ['a snapshot without size_gigabytes', { snapshots: [{ id: 's-1', name: 's' }], links: {} }, (d) => d.listVolumeSnapshots(volume)],
    ['a key without a fingerprint', { ssh_keys: [{ id: 1, name: 'k' }], links: {} }, (d) => d.listKeyPairs()],
    ['an action without a status', { action: { id: 7 } }, (d) => d.attachVolume({ id: '42' } as never, volume)],
    ['an image answer without its image', { images: [] }, (d) => d.getImage('7')],
    ['a next page link without a page number', { volumes: [], links: { pages: { next: 'https://api.digitalocean.com/v2/volumes?cursor=x' } } }, (d) => d.listVolumes()],
  ];
  test.each(cases)('%s is MalformedResponseError', async (_what, body, call) => {
    doAnswers(body);
    await expect(promised(call(digitalocean()) as Promise<unknown>)).rejects.toMatchObject({ constructor: MalformedResponseError, provider: 'digitalocean' });
  });

  test('a transfer of an image whose document names no regions is refused before transferring', async () => {
    doAnswers({ image: { id: 7, name: 'x' } });
    await expect(promised(digitalocean().copyImage('nyc1', new NodeImage('7', 'x', {}), 'x', { ex: { region: 'ams3' } }))).rejects.toMatchObject({ name: 'InvalidArgumentError' });
  });
});
