/**
 * The demo's world on the fake cloud: where each driver connects, and the seed (nodes in two EC2 regions and
 * DigitalOcean, a Google Cloud Storage bucket of small objects whose contents the downloads are checked against).
 * @module
 */
import { createHash } from 'node:crypto';
import { getDriver as getComputeDriver, Provider as ComputeProvider, type NodeDriver } from '@dualcloud/drivers/compute';
import { getDriver as getStorageDriver, Provider as StorageProvider } from '@dualcloud/drivers/storage';
import { FAKE_CREDENTIALS, type FakeCloud, type FakeEndpoint } from '@dualcloud/fake-cloud';

/** The compute targets of use case 1, each listed by every style. */
export const TARGETS = ['ec2 us-east-1', 'ec2 eu-west-1', 'digitalocean'] as const;

/** One compute target. */
export type Target = (typeof TARGETS)[number];

/** The bucket of use cases 2 and 3. */
export const BUCKET = 'dualcloud-demo';

/** Where the long call's node is created. */
export const LONG_CALL_TARGET: Target = 'ec2 us-east-1';

/** Driver options that work against the fake cloud (every request to 127.0.0.1). */
export interface DemoEndpoints {
  readonly ec2: (region: string) => { key: string; secret: string; region: string } & FakeEndpoint;
  readonly digitalocean: { key: string } & FakeEndpoint;
  readonly gcs: { key: string; secret: string } & FakeEndpoint;
}

/** The options of every driver the demo builds, for `cloud`. */
export function demoEndpoints(cloud: FakeCloud): DemoEndpoints {
  const { aws, digitalocean, gcs } = FAKE_CREDENTIALS;
  return {
    ec2: (region) => ({ key: aws.accessKeyId, secret: aws.secretAccessKey, region, ...cloud.endpoint('ec2') }),
    digitalocean: { key: digitalocean.token, ...cloud.endpoint('digitalocean') },
    gcs: { key: gcs.accessKeyId, secret: gcs.secretAccessKey, ...cloud.endpoint('google_storage') },
  };
}

/** The EC2 region of an EC2 target. */
export function regionOf(target: Target): string {
  return target.slice('ec2 '.length);
}

/** The name of seeded object `i`. */
export function objectName(i: number): string {
  return `reports/day-${String(i + 1).padStart(3, '0')}.csv`;
}

/** The content of seeded object `i`: 1 to 8 KiB of deterministic text, so downloads can be checked byte for byte. */
export function objectBody(i: number): Buffer {
  const size = 1024 + ((i * 1637) % (7 * 1024));
  return Buffer.alloc(size, `${objectName(i)},row,${i}\n`);
}

/** SHA-256 (hex) of some bytes. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** What was seeded; the use cases check their results against it. */
export interface Seed {
  /** Nodes per compute target. */
  readonly nodes: Readonly<Record<Target, number>>;
  readonly bucket: string;
  readonly objects: number;
  readonly bytes: number;
  /** Object name → SHA-256 of its content. */
  readonly digests: ReadonlyMap<string, string>;
}

/**
 * Seeds the fake cloud with the sync-style drivers (setup, not measured): `nodesPerTarget` nodes in each
 * target and `objects` objects in {@link BUCKET}. Run it at zero latency, then turn the latency on.
 */
export function seedCloud(cloud: FakeCloud, counts: { nodesPerTarget: number; objects: number }): Seed {
  const endpoints = demoEndpoints(cloud);
  const EC2 = getComputeDriver(ComputeProvider.EC2);
  const DigitalOcean = getComputeDriver(ComputeProvider.DIGITAL_OCEAN);
  const nodes = {} as Record<Target, number>;
  for (const target of TARGETS) {
    const driver: NodeDriver = target === 'digitalocean' ? new DigitalOcean(endpoints.digitalocean) : new EC2(endpoints.ec2(regionOf(target)));
    const sizes = driver.listSizes();
    const size = sizes.find((s) => s.id === 't3.micro') ?? sizes[0];
    const image = driver.listImages()[0];
    const location = driver.listLocations()[0];
    if (!size || !image || !location) throw new Error(`seeding ${target}: the fake cloud lists no size, image or location`);
    for (let i = 0; i < counts.nodesPerTarget; i++) driver.createNode({ name: `web-${target.replace(/\W+/g, '-')}-${i + 1}`, size, image, location });
    nodes[target] = counts.nodesPerTarget;
  }

  const GCS = getStorageDriver(StorageProvider.GOOGLE_STORAGE);
  const gcs = new GCS(endpoints.gcs);
  const bucket = gcs.createContainer(BUCKET);
  const digests = new Map<string, string>();
  let bytes = 0;
  for (let i = 0; i < counts.objects; i++) {
    const body = objectBody(i);
    gcs.uploadObjectViaStream(body, bucket, objectName(i));
    digests.set(objectName(i), sha256(body));
    bytes += body.length;
  }
  return { nodes, bucket: BUCKET, objects: counts.objects, bytes, digests };
}
