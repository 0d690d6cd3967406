/**
 * Design 1: one `AsyncSession` over the unchanged sync drivers; `s.for(driver)` is that driver's async view.
 * @module
 */
import { AsyncSession } from '@dualcloud/async-session';
import { getDriver as getComputeDriver, Provider as ComputeProvider, type NodeImage, type NodeSize } from '@dualcloud/drivers/compute';
import { getDriver as getStorageDriver, Provider as StorageProvider } from '@dualcloud/drivers/storage';
import { BUCKET, regionOf, type DemoEndpoints, type Target } from '../cloud.js';
import { WAIT_OPTIONS, collectAsync, pickLaunch, warmDownloads, type AsyncStyle } from './types.js';

/** Design 1 over the fake cloud. */
export function design1Style(endpoints: DemoEndpoints, concurrency: number): AsyncStyle {
  const EC2 = getComputeDriver(ComputeProvider.EC2);
  const DigitalOcean = getComputeDriver(ComputeProvider.DIGITAL_OCEAN);
  const GCS = getStorageDriver(StorageProvider.GOOGLE_STORAGE);
  const east = new EC2(endpoints.ec2(regionOf('ec2 us-east-1')));
  const west = new EC2(endpoints.ec2(regionOf('ec2 eu-west-1')));
  const digitalocean = new DigitalOcean(endpoints.digitalocean);
  const gcs = new GCS({ ...endpoints.gcs, concurrency });
  const session = new AsyncSession([east, west, digitalocean, gcs]);
  const storage = session.for(gcs);
  const views = {
    'ec2 us-east-1': session.for(east),
    'ec2 eu-west-1': session.for(west),
    digitalocean: session.for(digitalocean),
  } satisfies Record<Target, unknown>;
  let launch: { size: NodeSize; image: NodeImage } | undefined;
  let bucket: ReturnType<typeof storage.getContainer> | undefined; // looked up once, like a real program would

  return {
    kind: 'async',
    mode: 'design1',
    async prepare() {
      await Promise.all([...Object.values(views).map((v) => v.listNodes()), storage.listContainers()]);
      const [sizes, images] = await Promise.all([views['ec2 us-east-1'].listSizes(), views['ec2 us-east-1'].listImages()]);
      launch = pickLaunch(sizes, images);
      await warmDownloads(await this.listObjects(), concurrency);
    },
    listNodes: async (target) => (await views[target].listNodes()).length,
    listContainers: async () => (await storage.listContainers()).length,
    async listObjects() {
      const objects = await storage.listContainerObjects(await (bucket ??= storage.getContainer(BUCKET)));
      return objects.map((obj) => ({ name: obj.name, size: obj.size, read: () => collectAsync(storage.downloadObjectAsStream(obj)) }));
    },
    async createAndWait(name) {
      if (!launch) throw new Error('prepare() first');
      const ec2 = views['ec2 us-east-1'];
      const node = await ec2.createNode({ name, ...launch });
      const [running] = await ec2.waitUntilRunning([node], WAIT_OPTIONS);
      return running?.node.state ?? 'missing';
    },
    close: () => session.close(),
  };
}
