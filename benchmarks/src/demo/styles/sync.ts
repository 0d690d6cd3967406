/**
 * The sync-style API: plain drivers, every call blocks until its reply is in.
 * @module
 */
import { getDriver as getComputeDriver, Provider as ComputeProvider, type NodeDriver, type NodeImage, type NodeSize } from '@dualcloud/drivers/compute';
import { getDriver as getStorageDriver, Provider as StorageProvider, type Container } from '@dualcloud/drivers/storage';
import { BUCKET, LONG_CALL_TARGET, TARGETS, regionOf, type DemoEndpoints, type Target } from '../cloud.js';
import { WAIT_OPTIONS, collect, pickLaunch, type SyncStyle } from './types.js';

/** The sync style over the fake cloud. */
export function syncStyle(endpoints: DemoEndpoints): SyncStyle {
  const EC2 = getComputeDriver(ComputeProvider.EC2);
  const DigitalOcean = getComputeDriver(ComputeProvider.DIGITAL_OCEAN);
  const GCS = getStorageDriver(StorageProvider.GOOGLE_STORAGE);
  const compute = new Map<Target, NodeDriver>(
    TARGETS.map((t) => [t, t === 'digitalocean' ? new DigitalOcean(endpoints.digitalocean) : new EC2(endpoints.ec2(regionOf(t)))]),
  );
  const ec2 = compute.get(LONG_CALL_TARGET)!;
  const gcs = new GCS(endpoints.gcs);
  let launch: { size: NodeSize; image: NodeImage } | undefined;
  let bucket: Container | undefined; // looked up once, like a real program would

  return {
    kind: 'sync',
    mode: 'sync',
    prepare() {
      for (const driver of compute.values()) driver.listNodes();
      bucket = gcs.getContainer(BUCKET);
      launch = pickLaunch(ec2.listSizes(), ec2.listImages());
      for (const obj of this.listObjects().slice(0, 2)) obj.read();
    },
    listNodes: (target) => compute.get(target)!.listNodes().length,
    listContainers: () => gcs.listContainers().length,
    listObjects: () =>
      gcs.listContainerObjects((bucket ??= gcs.getContainer(BUCKET))).map((obj) => ({
        name: obj.name,
        size: obj.size,
        read: () => collect(gcs.downloadObjectAsStream(obj)),
      })),
    createAndWait(name) {
      if (!launch) throw new Error('prepare() first');
      const node = ec2.createNode({ name, ...launch });
      const [running] = ec2.waitUntilRunning([node], WAIT_OPTIONS);
      return running?.node.state ?? 'missing';
    },
    close: async () => undefined,
  };
}
