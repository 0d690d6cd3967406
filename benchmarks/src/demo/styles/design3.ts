/**
 * Design 3: drivers constructed with `async: true`; every method returns a Promise or an AsyncIterable.
 * @module
 */
import { getDriver as getComputeDriver, Provider as ComputeProvider } from '@dualcloud/async-mode/compute';
import { getDriver as getStorageDriver, Provider as StorageProvider } from '@dualcloud/async-mode/storage';
import type { NodeImage, NodeSize } from '@dualcloud/drivers/compute';
import { BUCKET, regionOf, type DemoEndpoints, type Target } from '../cloud.js';
import { WAIT_OPTIONS, collectAsync, pickLaunch, warmDownloads, type AsyncStyle } from './types.js';

/** Design 3 over the fake cloud. */
export function design3Style(endpoints: DemoEndpoints, concurrency: number): AsyncStyle {
  const EC2 = getComputeDriver(ComputeProvider.EC2);
  const DigitalOcean = getComputeDriver(ComputeProvider.DIGITAL_OCEAN);
  const GCS = getStorageDriver(StorageProvider.GOOGLE_STORAGE);
  const east = new EC2({ ...endpoints.ec2(regionOf('ec2 us-east-1')), async: true });
  const compute = {
    'ec2 us-east-1': east,
    'ec2 eu-west-1': new EC2({ ...endpoints.ec2(regionOf('ec2 eu-west-1')), async: true }),
    digitalocean: new DigitalOcean({ ...endpoints.digitalocean, async: true }),
  } satisfies Record<Target, unknown>;
  const gcs = new GCS({ ...endpoints.gcs, concurrency, async: true });
  let launch: { size: NodeSize; image: NodeImage } | undefined;
  let bucket: ReturnType<typeof gcs.getContainer> | undefined; // looked up once, like a real program would

  return {
    kind: 'async',
    mode: 'design3',
    async prepare() {
      await Promise.all([...Object.values(compute).map((d) => d.listNodes()), gcs.listContainers()]);
      const [sizes, images] = await Promise.all([east.listSizes(), east.listImages()]);
      launch = pickLaunch(sizes, images);
      await warmDownloads(await this.listObjects(), concurrency);
    },
    listNodes: async (target) => (await compute[target].listNodes()).length,
    listContainers: async () => (await gcs.listContainers()).length,
    async listObjects() {
      const objects = await gcs.listContainerObjects(await (bucket ??= gcs.getContainer(BUCKET)));
      return objects.map((obj) => ({ name: obj.name, size: obj.size, read: () => collectAsync(gcs.downloadObjectAsStream(obj)) }));
    },
    async createAndWait(name) {
      if (!launch) throw new Error('prepare() first');
      const node = await east.createNode({ name, ...launch });
      const [running] = await east.waitUntilRunning([node], WAIT_OPTIONS);
      return running?.node.state ?? 'missing';
    },
    close: async () => undefined,
  };
}
