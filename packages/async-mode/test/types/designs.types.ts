/**
 * Type tests of the three designs, compiled (not run) by types.test.ts: every line must type-check and
 * every `@ts-expect-error` must hit a real error.
 */
import { AsyncSession } from '@dualcloud/async-session';
import { getDriver as getMethodsCompute, Provider as MethodsCompute } from '@dualcloud/async-methods/compute';
import { getDriver as getMethodsStorage, Provider as MethodsStorage } from '@dualcloud/async-methods/storage';
import { getDriver as getModeCompute, Provider as ModeCompute, type Asyncify } from '@dualcloud/async-mode/compute';
import { getDriver as getModeStorage, Provider as ModeStorage } from '@dualcloud/async-mode/storage';
import { getDriver as getCompute, Provider as Compute, type DummyNodeDriver, type EC2NodeDriver } from '@dualcloud/drivers/compute';
import { getDriver as getStorage, Provider as Storage } from '@dualcloud/drivers/storage';
import type { BulkResult, Container, KeyPair, KeyPairOps, Node, NodeLifecycle, RunningNode, StorageObject, StorageVolume, VolumeOps, VolumeSnapshot } from '@dualcloud/core';

/** True when A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only for `true`. */
function assert<T extends true>(): T | void {}

const gcsOptions = { key: 'GOOG1EXAMPLE', secret: 'secret', host: '127.0.0.1', port: 9000, secure: false };

// ---------------------------------------------------------------------------------------------------------
// Design 1: AsyncSession
export async function design1(): Promise<void> {
  const dummy = new (getCompute(Compute.DUMMY))({ key: 'any' });
  const syncNodes: Node[] = dummy.listNodes(); // the driver stays sync
  {
    await using s = new AsyncSession(dummy);
    const nodes = await s.listNodes();
    const first = nodes[0]!;
    assert<Equal<ReturnType<typeof first.reboot>, Promise<boolean>>>(); // session-bound models
    const running: { node: Node<any>; ips: string[] }[] = await s.waitUntilRunning([first]);
    // @ts-expect-error the session has no sync methods: listNodes() is a Promise
    const notSync: Node[] = s.listNodes();
    // @ts-expect-error no *Async names on a session
    void s.listNodesAsync();
    // @ts-expect-error operation builders are not part of the session
    void s.listNodesOp();
    // @ts-expect-error arguments are checked: createNode needs options
    void s.createNode();
    void [running, notSync, syncNodes];
  }
  const gcs = new (getStorage(Storage.GOOGLE_STORAGE))(gcsOptions);
  const multi = new AsyncSession([dummy, gcs]);
  const nodes: Promise<Node<any>[]> = multi.driver(0).listNodes();
  const containers = multi.for(gcs).iterateContainers();
  assert<Equal<typeof containers extends AsyncIterable<infer C> ? (C extends Container<any> ? true : false) : false, true>>();
  // @ts-expect-error several drivers: address them with driver(i) or for(d)
  void multi.listNodes();
  // @ts-expect-error driver 0 is a compute driver
  void multi.driver(0).iterateContainers();
  const count: Promise<number> = AsyncSession.run(dummy, async (s) => (await s.listNodes()).length);
  void [nodes, count, multi.close()];
}

// ---------------------------------------------------------------------------------------------------------
// Design 2: *Async twins
export async function design2(): Promise<void> {
  const Dummy = getMethodsCompute(MethodsCompute.DUMMY);
  const d = new Dummy({ key: 'any' });
  const syncNodes: Node[] = d.listNodes();
  const asyncNodes: Promise<Node[]> = d.listNodesAsync();
  const waited: Promise<RunningNode[]> = d.waitUntilRunningAsync(syncNodes);
  // @ts-expect-error a twin returns a Promise
  const notSync: Node[] = d.listNodesAsync();
  // @ts-expect-error builders have no twins
  void d.listNodesOpAsync();
  const EC2 = getMethodsCompute(MethodsCompute.EC2);
  const ec2 = new EC2({ key: 'AKID', secret: 's', region: 'us-east-1' });
  const regions: Promise<string[]> = ec2.listRegionsAsync(); // provider extras get twins too
  // @ts-expect-error helpers that are not backed by an operation get no twin
  void ec2.runInstancesSpecAsync;
  const GCS = getMethodsStorage(MethodsStorage.GOOGLE_STORAGE);
  const gcs = new GCS(gcsOptions);
  for await (const c of gcs.iterateContainersAsync()) {
    const objects: StorageObject[] = await gcs.listContainerObjectsAsync(c);
    const bytes: AsyncIterable<Uint8Array> = gcs.downloadObjectAsStreamAsync(objects[0]!);
    const url: Promise<string> = gcs.getObjectCdnUrlAsync(objects[0]!, { expiresIn: 60 });
    const copy: Promise<StorageObject> = gcs.copyObjectAsync(objects[0]!, c, 'copy');
    const range: AsyncIterable<Uint8Array> = gcs.downloadObjectRangeAsStreamAsync(objects[0]!, 0, 10);
    const saved: Promise<boolean> = gcs.downloadObjectRangeAsync(objects[0]!, '/tmp/x', 0);
    // @ts-expect-error only GET and PUT URLs
    void gcs.getObjectCdnUrlAsync(objects[0]!, { method: 'DELETE' });
    void [bytes, url, copy, range, saved];
  }
  const viaSignal: Promise<Container[]> = gcs.withSignal(new AbortController().signal).listContainersAsync();
  // Bulk calls get twins like every operation: a Promise of the per-item results.
  const c = gcs.getContainer('b1');
  const syncBulk: BulkResult<StorageObject> = gcs.uploadObjects([{ container: c, objectName: 'k', source: 'v' }], { concurrency: 4 });
  const bulk: Promise<BulkResult<string>> = gcs.downloadObjectsAsync([], '/tmp', { failFast: true });
  // @ts-expect-error bulk options are checked
  void gcs.deleteObjectsAsync([], { parallelism: 4 });
  void [asyncNodes, waited, notSync, regions, viaSignal, syncBulk, bulk];
}

// ---------------------------------------------------------------------------------------------------------
// Design 3: async: true
export async function design3(): Promise<void> {
  const Dummy = getModeCompute(ModeCompute.DUMMY);
  const plain = new Dummy({ key: 'any' });
  const plainNodes: Node[] = plain.listNodes(); // no flag: plain values
  // @ts-expect-error without async: true, results are plain values, not Promises
  const notAsync: Promise<Node[]> = plain.listNodes();
  const d = new Dummy({ key: 'any', async: true });
  assert<Equal<typeof d, Asyncify<DummyNodeDriver>>>();
  const nodes = await d.listNodes();
  assert<Equal<typeof nodes, Node<NodeLifecycle & Asyncify<DummyNodeDriver>>[]>>();
  assert<Equal<ReturnType<(typeof nodes)[0]['reboot']>, Promise<boolean>>>(); // model methods follow the flag
  const rebooted: Promise<boolean> = (await d.listNodes())[0]!.reboot();
  // @ts-expect-error async mode results must be awaited
  const notSync: Node[] = d.listNodes();
  // @ts-expect-error `async` is a boolean
  void new Dummy({ key: 'any', async: 'yes' });
  // @ts-expect-error a signal needs async: true (sync calls cannot be cancelled)
  void new Dummy({ key: 'any', signal: new AbortController().signal });
  const flag = Math.random() > 2;
  const either = new Dummy({ key: 'any', async: flag });
  assert<Equal<typeof either, DummyNodeDriver | Asyncify<DummyNodeDriver>>>();
  const EC2 = getModeCompute(ModeCompute.EC2);
  // @ts-expect-error the driver's own options are still type-checked
  void new EC2({ region: 42, async: true });
  const ec2: Asyncify<EC2NodeDriver> = new EC2({ key: 'AKID', secret: 's', async: true });
  const regions: Promise<string[]> = ec2.listRegions();
  const GCS = getModeStorage(ModeStorage.GOOGLE_STORAGE);
  const gcs = new GCS({ ...gcsOptions, async: true });
  for await (const container of gcs.iterateContainers()) {
    const objects = await container.listObjects(); // the model's method is async too
    for (const obj of objects) {
      const stream: AsyncIterable<Uint8Array> = obj.asStream();
      const deleted: Promise<boolean> = obj.delete();
      const url: Promise<string> = obj.getCdnUrl({ expiresIn: 60 }); // Libcloud's get_cdn_url, async too
      const range: AsyncIterable<Uint8Array> = obj.rangeAsStream(0, 10);
      const saved: Promise<boolean> = obj.downloadRange('/tmp/x', 0, 10);
      const copied: Promise<StorageObject<any>> = gcs.copyObject(obj, container, 'copy');
      // @ts-expect-error async mode results must be awaited
      const notSyncUrl: string = gcs.getObjectCdnUrl(obj);
      void [stream, deleted, url, range, saved, copied, notSyncUrl];
    }
  }
  const cancellable: Promise<Container<any>[]> = gcs.withSignal(new AbortController().signal).listContainers();
  const deleted = await gcs.deleteObjects([]);
  assert<Equal<typeof deleted, BulkResult<boolean>>>();
  // @ts-expect-error async mode results must be awaited
  const notAwaited: BulkResult<boolean> = gcs.deleteObjects([]);
  void [plainNodes, notAsync, rebooted, notSync, regions, cancellable, notAwaited];
}

// ---------------------------------------------------------------------------------------------------------
// Volumes, snapshots, key pairs and images: the models' methods follow the driver they are bound to.
export async function resources(): Promise<void> {
  // Sync style: plain values, from the driver and from the models.
  const dummy = new (getCompute(Compute.DUMMY))({ key: 'any' });
  const [node] = dummy.listNodes();
  const volume: StorageVolume = dummy.createVolume({ size: 1, name: 'v' });
  const attached: boolean = volume.attach(node!);
  const snapshot: VolumeSnapshot = volume.snapshot('s');
  const removed: boolean = snapshot.destroy();
  const key: KeyPair = dummy.createKeyPair('k');
  const privateKey: string | undefined = key.privateKey;
  // @ts-expect-error the sync style returns plain values
  const notAsync: Promise<boolean> = key.delete();
  // @ts-expect-error createVolume needs a size and a name
  void dummy.createVolume({ name: 'v' });
  // @ts-expect-error waitUntilVolumeState takes a StorageVolumeState
  void dummy.waitUntilVolumeState(volume, 'in-use');
  void [attached, removed, privateKey, notAsync];

  // Design 1: session-bound models.
  {
    await using s = new AsyncSession(dummy);
    const v = await s.createVolume({ size: 1, name: 'v' });
    assert<Equal<ReturnType<typeof v.attach>, Promise<boolean>>>();
    const snap = await v.snapshot('s');
    assert<Equal<ReturnType<typeof snap.destroy>, Promise<boolean>>>();
    const k = await s.createKeyPair('k');
    assert<Equal<ReturnType<typeof k.delete>, Promise<boolean>>>();
    const listed: Promise<VolumeSnapshot<any>[]> = s.listVolumeSnapshots(v);
    const image: Promise<unknown> = s.copyImage('us-east-1', (await s.listImages())[0]!, 'copy', { description: 'd' });
    // @ts-expect-error a session has no sync methods
    const notSync: StorageVolume[] = s.listVolumes();
    void [listed, image, notSync];
  }

  // Design 2: *Async twins; the models stay sync.
  const D2 = new (getMethodsCompute(MethodsCompute.DUMMY))({ key: 'any' });
  const v2: StorageVolume = await D2.createVolumeAsync({ size: 1, name: 'v' });
  const blocking: boolean = v2.attach(node!);
  const keys: Promise<KeyPair[]> = D2.listKeyPairsAsync();
  // @ts-expect-error Design 2's models are the sync models: attach() is not a Promise
  const notPromise: Promise<boolean> = v2.attach(node!);
  void [blocking, keys, notPromise];

  // Design 3: models bound to the async driver.
  const D3 = getModeCompute(ModeCompute.DUMMY);
  const d3 = new D3({ key: 'any', async: true });
  const v3 = await d3.createVolume({ size: 1, name: 'v' });
  assert<Equal<typeof v3, StorageVolume<VolumeOps & Asyncify<DummyNodeDriver>>>>();
  assert<Equal<ReturnType<typeof v3.attach>, Promise<boolean>>>();
  const snap3 = await v3.snapshot();
  assert<Equal<ReturnType<typeof snap3.destroy>, Promise<boolean>>>();
  const k3 = await d3.createKeyPair('k');
  assert<Equal<typeof k3, KeyPair<KeyPairOps & Asyncify<DummyNodeDriver>>>>();
  const waited: Promise<StorageVolume<any>> = d3.waitUntilVolumeState(v3, 'available', { timeout: 10 });
  const EC2 = getModeCompute(ModeCompute.EC2);
  const ec2 = new EC2({ key: 'AKID', secret: 's', async: true });
  const ec2Volumes: Promise<StorageVolume<any>[]> = ec2.listVolumes({ filters: { status: 'available' } });
  // @ts-expect-error EC2's listVolumes filters are typed
  void ec2.listVolumes({ filters: 42 });
  void [waited, ec2Volumes];
}

// Provider extras of the Swift drivers (temp URLs, the account's temp URL key) in every design
export async function swiftExtras(obj: StorageObject): Promise<void> {
  const swiftOptions = { authUrl: 'http://127.0.0.1:8080/auth/v1.0', username: 'test:tester', password: 'testing' };
  const swift = new (getStorage(Storage.OPENSTACK_SWIFT))(swiftOptions);
  const url: string = swift.getObjectCdnUrl(obj, { expiresIn: 60, method: 'PUT', digest: 'sha1' });
  const set: boolean = swift.exSetAccountMetadataTempUrlKey('key');
  // @ts-expect-error temp URL methods are GET, HEAD, PUT, POST or DELETE
  void swift.getObjectCdnUrl(obj, { method: 'PATCH' });
  {
    await using s = new AsyncSession(swift);
    const viaSession: Promise<string> = s.getObjectCdnUrl(obj, { expiresIn: 60 });
    void viaSession;
  }
  const Files = getMethodsStorage(MethodsStorage.CLOUDFILES);
  const files = new Files({ key: 'user', secret: 'api key', region: 'dfw' });
  const viaTwin: Promise<string> = files.getObjectCdnUrlAsync(obj);
  const keySet: Promise<boolean> = files.exSetAccountMetadataTempUrlKeyAsync('key');
  const Swift3 = getModeStorage(ModeStorage.OPENSTACK_SWIFT);
  const viaMode: Promise<string> = new Swift3({ ...swiftOptions, async: true }).getObjectCdnUrl(obj);
  const plainUrl: string = new Swift3(swiftOptions).getObjectCdnUrl(obj);
  void [url, set, viaTwin, keySet, viaMode, plainUrl];
}
