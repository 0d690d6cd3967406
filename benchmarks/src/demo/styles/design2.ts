/**
 * Design 2: drivers with an `*Async` twin of every method.
 * @module
 */
import { getDriver as getComputeDriver, Provider as ComputeProvider } from '@dualcloud/async-methods/compute';
import { getDriver as getStorageDriver, Provider as StorageProvider } from '@dualcloud/async-methods/storage';
import type { NodeImage, NodeSize } from '@dualcloud/drivers/compute';
import { BUCKET, regionOf, type DemoEndpoints, type Target } from '../cloud.js';
import { WAIT_OPTIONS, collectAsync, pickLaunch, warmDownloads, type AsyncStyle } from './types.js';

/** Design 2 over the fake cloud. */
export function design2Style(endpoints: DemoEndpoints, concurrency: number): AsyncStyle {
  const EC2 = getComputeDriver(ComputeProvider.EC2);
  const DigitalOcean = getComputeDriver(ComputeProvider.DIGITAL_OCEAN);
  const GCS = getStorageDriver(StorageProvider.GOOGLE_STORAGE);
  const east = new EC2(endpoints.ec2(regionOf('ec2 us-east-1')));
  const compute = {
    'ec2 us-east-1': east,
    'ec2 eu-west-1': new EC2(endpoints.ec2(regionOf('ec2 eu-west-1'))),
    digitalocean: new DigitalOcean(endpoints.digitalocean),
  } satisfies Record<Target, unknown>;
  const gcs = new GCS({ ...endpoints.gcs, concurrency });
  let launch: { size: NodeSize; image: NodeImage } | undefined;
  let bucket: ReturnType<typeof gcs.getContainerAsync> | undefined; // looked up once, like a real program would

  return {
    kind: 'async',
    mode: 'design2',
    async prepare() {
      await Promise.all([...Object.values(compute).map((d) => d.listNodesAsync()), gcs.listContainersAsync()]);
      const [sizes, images] = await Promise.all([east.listSizesAsync(), east.listImagesAsync()]);
      launch = pickLaunch(sizes, images);
      await warmDownloads(await this.listObjects(), concurrency);
    },
    listNodes: async (target) => (await compute[target].listNodesAsync()).length,
    listContainers: async () => (await gcs.listContainersAsync()).length,
    async listObjects() {
      const objects = await gcs.listContainerObjectsAsync(await (bucket ??= gcs.getContainerAsync(BUCKET)));
      return objects.map((obj) => ({ name: obj.name, size: obj.size, read: () => collectAsync(gcs.downloadObjectAsStreamAsync(obj)) }));
    },
    async createAndWait(name) {
      if (!launch) throw new Error('prepare() first');
      const node = await east.createNodeAsync({ name, ...launch });
      const [running] = await east.waitUntilRunningAsync([node], WAIT_OPTIONS);
      return running?.node.state ?? 'missing';
    },
    close: async () => undefined,
  };
}
