/**
 * The provider drivers on the embedded fake cloud (its own worker thread), through each design: one S3 and
 * one EC2 instance serve 200 concurrent mixed calls, while the same instances still answer sync calls.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { EC2NodeDriver } from '@dualcloud/drivers/compute';
import { S3StorageDriver } from '@dualcloud/drivers/storage';
import { FAKE_CREDENTIALS, startFakeCloud, type FakeCloud } from '@dualcloud/fake-cloud';
import { designs } from './support/designs.js';

let cloud: FakeCloud;
const aws = () => ({ key: FAKE_CREDENTIALS.aws.accessKeyId, secret: FAKE_CREDENTIALS.aws.secretAccessKey, region: 'us-east-1' });

beforeAll(async () => {
  cloud = await startFakeCloud({ latency: 2, nodeBootMs: 0 });
  const s3 = new S3StorageDriver({ ...aws(), ...cloud.endpoint('s3') });
  const bucket = s3.createContainer('concurrency');
  for (let i = 0; i < 10; i++) s3.uploadObjectViaStream(`payload ${i}`, bucket, `k${i}`);
});
afterAll(() => cloud.close());

const text = async (chunks: AsyncIterable<Uint8Array>): Promise<string> => {
  const out: Uint8Array[] = [];
  for await (const c of chunks) out.push(c);
  return Buffer.concat(out).toString();
};

describe.each(designs)('$name on the fake cloud', (design) => {
  test('200 concurrent mixed S3 and EC2 calls through one instance each', async () => {
    const s3 = design.open(S3StorageDriver, { ...aws(), ...cloud.endpoint('s3') });
    const ec2 = design.open(EC2NodeDriver, { ...aws(), ...cloud.endpoint('ec2') });
    const bucket = await s3.api.getContainer('concurrency');
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 200; i++) {
      const k = `k${i % 10}`;
      if (i % 4 === 0) calls.push(s3.api.getObject('concurrency', k).then((o: { size: number }) => o.size));
      else if (i % 4 === 1) calls.push(s3.api.getObject('concurrency', k).then((o: object) => text(s3.api.downloadObjectAsStream(o))));
      else if (i % 4 === 2) calls.push(ec2.api.listSizes().then((sizes: unknown[]) => sizes.length > 0));
      else calls.push(s3.api.uploadObjectViaStream(`new ${i}`, bucket, `n${i}`).then((o: { name: string }) => o.name));
    }
    const results = await Promise.all(calls);
    results.forEach((r, i) => expect(r).toEqual([`payload ${i % 10}`.length, `payload ${i % 10}`, true, `n${i}`][i % 4]));
    const listed = s3.sync.listContainerObjects(s3.sync.getContainer('concurrency')) as unknown[];
    expect(listed.length).toBeGreaterThanOrEqual(60);
    await s3.close();
    await ec2.close();
  });
});
