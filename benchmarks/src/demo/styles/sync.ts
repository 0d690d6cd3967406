/**
 * The sync-style API: plain drivers, every call blocks until its reply is in.
 * @module
 */
import { getDriver as getComputeDriver, Provider as ComputeProvider, type NodeDriver, type NodeImage, type NodeSize } from '@dualcloud/drivers/compute';
import { getDriver as getStorageDriver, Provider as StorageProvider, type Container } from '@dualcloud/drivers/storage';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUCKET, LONG_CALL_TARGET, TARGETS, regionOf, type DemoEndpoints, type Target } from '../cloud.js';
import { WAIT_OPTIONS, collect, pickLaunch, type SyncStyle } from './types.js';

/**
 * The sync style over the fake cloud. As `sync-bulk` it also downloads with one bulk call, `concurrency`
 * objects in flight, the same limit the designs get.
 */
export function syncStyle(endpoints: DemoEndpoints, mode: SyncStyle['mode'] = 'sync', concurrency = 1): SyncStyle {
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

  const style: SyncStyle = {
    kind: 'sync',
    mode,
    prepare() {
      for (const driver of compute.values()) driver.listNodes();
      bucket = gcs.getContainer(BUCKET);
      launch = pickLaunch(ec2.listSizes(), ec2.listImages());
      for (const obj of this.listObjects().slice(0, 2)) obj.read();
      if (this.downloadAllBulk) {
        // The bulk call's connections and code paths, as the designs warm theirs: not measured.
        const dir = mkdtempSync(join(tmpdir(), 'dualcloud-demo-warm-'));
        try {
          this.downloadAllBulk(dir, () => undefined);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
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
  if (mode === 'sync-bulk') {
    style.downloadAllBulk = (dir, onProgress) => {
      const objects = gcs.listContainerObjects((bucket ??= gcs.getContainer(BUCKET)));
      const result = gcs.downloadObjects(objects, dir, { concurrency, onProgress });
      const failed = result.results.find((r) => !r.ok);
      if (failed && !failed.ok) throw failed.error;
      return result.results.map((r, i) => ({ name: objects[i]!.name, size: objects[i]!.size, path: r.ok ? r.value : '' }));
    };
  }
  return style;
}
