/**
 * The compute behaviour suite's vocabulary (provider rows, capability flags) and its scenarios, written once.
 * `compute.behaviour.test.ts` holds the table and runs every scenario a row's capabilities allow, in each of
 * the four styles.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { expect } from '@jest/globals';
import {
  generateSshKeyPair,
  ImageNotFoundError,
  InvalidArgumentError,
  InvalidCredentialsError,
  KeyPairAlreadyExistsError,
  KeyPairDoesNotExistError,
  NodeNotFoundError,
  NotImplementedError,
  RequestError,
  TimeoutError,
  VolumeNotFoundError,
  VolumeSnapshotNotFoundError,
} from '@dualcloud/core';
import {
  KeyPair,
  Node,
  NodeImage,
  NodeLocation,
  NodeSize,
  NodeState,
  StorageVolume,
  StorageVolumeState,
  VolumeSnapshot,
  VolumeSnapshotState,
  type ComputeProvider,
  type EC2NodeDriver,
} from '@dualcloud/drivers/compute';
import type { Styled, StyledCompute } from './styles.js';

/**
 * What a compute provider can do. A scenario lists the flags it needs; a row without one of them does not get
 * that scenario at all (it is left out when the table is built, never skipped at run time).
 */
export interface ComputeCapabilities {
  /** Talks to an endpoint with credentials: wrong ones are refused with `InvalidCredentialsError`. */
  readonly network: boolean;
  /** A new node is `pending` first and becomes `running` later (the Dummy driver's nodes run at once). */
  readonly bootsPending: boolean;
  /** `stopNode` / `startNode`. */
  readonly stopStart: boolean;
  /** `listRegions()` (EC2's extra). */
  readonly regions: boolean;
  /** Volumes: create, attach to a running node (not to a stopped one), detach, destroy, `waitUntilVolumeState`. */
  readonly volumes?: boolean;
  /** A new volume is `creating` first and `available` later (EC2); otherwise `available` at once. */
  readonly volumesPending?: boolean;
  /** Volume snapshots: create, list, destroy. */
  readonly snapshots?: boolean;
  /** Key pairs: create (with the private key, once), import from a string and a file, get, list, delete. */
  readonly keyPairs?: boolean;
  /** Images: create from a node, get, copy (see `imageCopy`), delete. */
  readonly images?: boolean;
}

/** One flag of {@link ComputeCapabilities}. */
export type ComputeCapability = keyof ComputeCapabilities;

/** A provider's endpoint once started. */
export interface RunningComputeBackend {
  /** Driver constructor options (never `async`: the style adapter adds what each style needs). */
  readonly options: object;
  /** Options with a wrong credential (only used where `capabilities.network`). */
  readonly badOptions?: object;
  stop(): Promise<void>;
}

/** One row of the compute table. */
export interface ComputeBackend {
  /** Short id used in titles and node names: lower-case letters, digits and single hyphens. */
  readonly id: string;
  /** The provider, as registered in `@dualcloud/drivers/compute`. */
  readonly provider: ComputeProvider;
  /** Starts what the driver talks to, once for the file (another thread or process: the sync style blocks). */
  start(): Promise<RunningComputeBackend>;
  readonly capabilities: ComputeCapabilities;
  /** An id no node has, in the provider's own format. */
  readonly missingNodeId: string;
  /** Ids no volume, snapshot or image has, in the provider's formats (for rows with those capabilities). */
  readonly missingIds?: { readonly volume: string; readonly snapshot: string; readonly image: string };
  /** How this row calls `copyImage` (rows with `images`). */
  readonly imageCopy?: ImageCopyPlan;
}

/** How a row copies an image. */
export interface ImageCopyPlan {
  /** The region the image is in, given the row's options and the location the node was created in. */
  sourceRegion(options: object, location: NodeLocation): string;
  /** Options of the driver that copies (EC2 copies in the destination region); the same driver when absent. */
  destination?(options: object): object;
  /** `ex` of the `copyImage` call (DigitalOcean: the destination region). */
  readonly ex?: Record<string, unknown>;
  /** The copy is the same image, which keeps its name (DigitalOcean's transfer). */
  readonly sameImage?: boolean;
  /** The provider has no image copy (OpenStack, as Libcloud's driver): `copyImage` is `NotImplementedError`. */
  readonly notImplemented?: boolean;
}

/** What a scenario gets. */
export interface ComputeContext {
  readonly d: StyledCompute;
  readonly backend: ComputeBackend;
  readonly running: RunningComputeBackend;
  /** Opens the same provider in the same style with other options (closed after the scenario). */
  open(options: object): StyledCompute;
  /** A unique node name (valid as a hostname). */
  uniqueName(): string;
}

/** A scenario, written once for every row and style. */
export interface ComputeScenario {
  readonly title: string;
  readonly needs: readonly ComputeCapability[];
  run(ctx: ComputeContext): Promise<void>;
}

/** Fast polling: the rows' nodes boot in tens of milliseconds. */
export const WAIT = { timeout: 10_000, pollInterval: 10 } as const;

const STATES = new Set<string>(Object.values(NodeState));

/** Polls `listNodes` until the node is in one of `states` or gone (bounded). */
async function until(d: StyledCompute, id: string, states: readonly string[]): Promise<Node | undefined> {
  for (let i = 0; i < 500; i++) {
    const node = (await d.call('listNodes')).find((n) => n.id === id);
    if (node === undefined || states.includes(node.state)) return node;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`node ${id} never reached ${states.join(' / ')}`);
}

/** Creates a node from the first image and size the provider lists (in `location` when given). */
async function create(d: StyledCompute, name: string, location?: NodeLocation): Promise<Node> {
  const [images, sizes] = [await d.call('listImages'), await d.call('listSizes')];
  expect(images.length).toBeGreaterThan(0);
  expect(sizes.length).toBeGreaterThan(0);
  const node = await d.call('createNode', { name, image: images[0]!, size: sizes[0]!, ...(location ? { location } : {}) });
  expect(node).toBeInstanceOf(Node);
  expect(node.name).toBe(name);
  return node;
}

/** A node model for an id that does not exist. Drivers only read a model's data, never its `driver`. */
function missingNode(id: string): Node {
  return new Node({ id, name: 'missing', state: NodeState.RUNNING, publicIps: [], privateIps: [] }, {} as never);
}

/** A running node in the first location, with that location (volumes are made next to it). */
async function runningNode(d: StyledCompute, name: string): Promise<{ node: Node; location: NodeLocation }> {
  const location = (await d.call('listLocations'))[0]!;
  const created = await create(d, name, location);
  const [ready] = await d.call('waitUntilRunning', [created], WAIT);
  return { node: ready!.node, location };
}

/**
 * The result of a model's method (`volume.attach(node)`), which calls back into the model's driver: a Promise
 * in Designs 1 and 3, a plain value in the sync style and Design 2 (whose models are the sync driver's).
 */
async function modelCall<R>(d: StyledCompute, value: unknown): Promise<R> {
  const promised = d.style === 'design1' || d.style === 'design3';
  expect(value instanceof Promise).toBe(promised);
  return (await value) as R;
}

/** Polls `listVolumeSnapshots` until the snapshot is in `state` (bounded). */
async function untilSnapshot(d: StyledCompute, volume: StorageVolume, id: string, state: string): Promise<VolumeSnapshot> {
  for (let i = 0; i < 500; i++) {
    const found = (await d.call('listVolumeSnapshots', volume)).find((s) => s.id === id);
    if (found?.state === state) return found;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`snapshot ${id} never reached ${state}`);
}

/** Polls `getImage` until the image is usable (EC2's `pending` images are not; others give no state). */
async function untilImageAvailable(d: StyledCompute, id: string): Promise<NodeImage> {
  for (let i = 0; i < 500; i++) {
    const image = await d.call('getImage', id);
    if ((image.extra.state ?? 'available') === 'available') return image;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`image ${id} never became available`);
}

/** The texts a value prints as through the usual channels. */
function printouts(value: object): string[] {
  return [inspect(value, { depth: Infinity }), inspect(value, { showHidden: true, depth: Infinity }), JSON.stringify(value), String(value), inspect({ ...value }), inspect(Object.entries(value))];
}

/** Every scenario of the compute suite. */
export const COMPUTE_SCENARIOS: readonly ComputeScenario[] = [
  {
    title: 'lists nodes, images, sizes and locations as models',
    needs: [],
    async run({ d }) {
      const nodes = await d.call('listNodes');
      expect(Array.isArray(nodes)).toBe(true);
      for (const n of nodes) {
        expect(n).toBeInstanceOf(Node);
        expect(STATES.has(n.state)).toBe(true);
      }
      const images = await d.call('listImages');
      expect(images.length).toBeGreaterThan(0);
      for (const i of images) {
        expect(i).toBeInstanceOf(NodeImage);
        expect([i.id, i.name].every((v) => typeof v === 'string' && v !== '')).toBe(true);
      }
      const sizes = await d.call('listSizes');
      expect(sizes.length).toBeGreaterThan(0);
      for (const s of sizes) {
        expect(s).toBeInstanceOf(NodeSize);
        expect(s.ram).toBeGreaterThan(0);
      }
      expect(new Set(sizes.map((s) => s.id)).size).toBe(sizes.length);
      const locations = await d.call('listLocations');
      expect(locations.length).toBeGreaterThan(0);
      for (const l of locations) {
        expect(l).toBeInstanceOf(NodeLocation);
        expect([l.id, l.name].every((v) => typeof v === 'string' && v !== '')).toBe(true);
        expect(typeof l.country).toBe('string'); // empty where the provider gives none (DigitalOcean)
      }
    },
  },
  {
    title: 'creates a node, waits until it runs, reboots it and destroys it',
    needs: [],
    async run({ d, backend, uniqueName }) {
      const name = uniqueName();
      const created = await create(d, name);
      expect(created.state).toBe(backend.capabilities.bootsPending ? NodeState.PENDING : NodeState.RUNNING);
      expect((await d.call('listNodes')).map((n) => n.id)).toContain(created.id);

      const [ready, ...more] = await d.call('waitUntilRunning', [created], WAIT);
      expect(more).toEqual([]);
      expect(ready!.node.id).toBe(created.id);
      expect(ready!.node.state).toBe(NodeState.RUNNING);
      expect(ready!.ips.length).toBeGreaterThan(0);
      expect(ready!.ips).toEqual([...ready!.node.publicIps, ...ready!.node.privateIps]);

      expect(await d.call('rebootNode', ready!.node)).toBe(true);
      const [again] = await d.call('waitUntilRunning', [created], WAIT);
      expect(again!.node.state).toBe(NodeState.RUNNING);

      expect(await d.call('destroyNode', again!.node)).toBe(true);
      const gone = await until(d, created.id, [NodeState.TERMINATED]);
      expect(gone === undefined || gone.state === NodeState.TERMINATED).toBe(true);
    },
  },
  {
    title: 'stops and starts a node',
    needs: ['stopStart'],
    async run({ d, uniqueName }) {
      const created = await create(d, uniqueName());
      const [ready] = await d.call('waitUntilRunning', [created], WAIT);
      expect(await d.call('stopNode', ready!.node)).toBe(true);
      expect((await until(d, created.id, [NodeState.STOPPED]))?.state).toBe(NodeState.STOPPED);
      expect(await d.call('startNode', ready!.node)).toBe(true);
      const [restarted] = await d.call('waitUntilRunning', [created], WAIT);
      expect(restarted!.node.state).toBe(NodeState.RUNNING);
      expect(await d.call('destroyNode', restarted!.node)).toBe(true);
    },
  },
  {
    title: 'waits for several nodes at once, in the order given',
    needs: [],
    async run({ d, uniqueName }) {
      const a = await create(d, uniqueName());
      const b = await create(d, uniqueName());
      const ready = await d.call('waitUntilRunning', [b, a], WAIT);
      expect(ready.map((r) => r.node.id).sort()).toEqual([a.id, b.id].sort());
      expect(ready.every((r) => r.node.state === NodeState.RUNNING)).toBe(true);
      for (const r of ready) expect(await d.call('destroyNode', r.node)).toBe(true);
    },
  },
  {
    title: 'acting on a missing node is NodeNotFoundError',
    needs: [],
    async run({ d, backend }) {
      const ghost = missingNode(backend.missingNodeId);
      expect((await d.call('listNodes')).map((n) => n.id)).not.toContain(ghost.id);
      await expect(d.call('rebootNode', ghost)).rejects.toBeInstanceOf(NodeNotFoundError);
      await expect(d.call('destroyNode', ghost)).rejects.toBeInstanceOf(NodeNotFoundError);
    },
  },
  {
    title: 'wrong credentials are InvalidCredentialsError',
    needs: ['network'],
    async run({ open, running }) {
      if (!running.badOptions) throw new Error('a network row needs badOptions');
      const bad = open(running.badOptions);
      await expect(bad.call('listNodes')).rejects.toBeInstanceOf(InvalidCredentialsError);
      await expect(bad.call('listImages')).rejects.toBeInstanceOf(InvalidCredentialsError);
    },
  },
  {
    title: 'lists regions',
    needs: ['regions'],
    async run({ d, running }) {
      const ec2 = d as unknown as Styled<EC2NodeDriver>;
      const regions = await ec2.call('listRegions');
      const own = (running.options as { region?: string }).region;
      expect(regions.length).toBeGreaterThan(0);
      expect(regions.every((r) => /^[a-z]{2,4}(-[a-z]+)+-\d+$/.test(r))).toBe(true);
      if (own !== undefined) expect(regions).toContain(own);
    },
  },
];

/** The scenarios of volumes, snapshots, key pairs and images. */
export const RESOURCE_SCENARIOS: readonly ComputeScenario[] = [
  {
    title: 'creates a volume, attaches it to a running node, snapshots it, detaches and destroys it',
    needs: ['volumes', 'snapshots'],
    async run({ d, backend, uniqueName }) {
      const { node, location } = await runningNode(d, uniqueName());
      const name = uniqueName();
      const volume = await d.call('createVolume', { size: 2, name, location });
      expect(volume).toBeInstanceOf(StorageVolume);
      expect([volume.name, volume.size]).toEqual([name, 2]);
      expect(volume.state).toBe(backend.capabilities.volumesPending ? StorageVolumeState.CREATING : StorageVolumeState.AVAILABLE);
      const available = await d.call('waitUntilVolumeState', volume, StorageVolumeState.AVAILABLE, WAIT);
      expect(available.id).toBe(volume.id);
      expect((await d.call('listVolumes')).map((v) => v.id)).toContain(volume.id);

      // Through the model: it calls back into its driver (a Promise where the driver is async).
      expect(await modelCall(d, available.attach(node))).toBe(true);
      const inUse = await d.call('waitUntilVolumeState', volume, StorageVolumeState.INUSE, WAIT);
      expect(inUse.state).toBe(StorageVolumeState.INUSE);

      const snapshotName = uniqueName();
      const snapshot = await modelCall<VolumeSnapshot>(d, inUse.snapshot(snapshotName));
      expect(snapshot).toBeInstanceOf(VolumeSnapshot);
      expect(snapshot.name).toBe(snapshotName);
      const done = await untilSnapshot(d, volume, snapshot.id, VolumeSnapshotState.AVAILABLE);
      expect((await modelCall<VolumeSnapshot[]>(d, inUse.listSnapshots())).map((s) => s.id)).toEqual([snapshot.id]);
      expect(await modelCall(d, done.destroy())).toBe(true);
      expect(await d.call('listVolumeSnapshots', volume)).toEqual([]);
      await expect(d.call('destroyVolumeSnapshot', done)).rejects.toBeInstanceOf(VolumeSnapshotNotFoundError);

      expect(await modelCall(d, inUse.detach())).toBe(true);
      const detached = await d.call('waitUntilVolumeState', volume, StorageVolumeState.AVAILABLE, WAIT);
      expect(await modelCall(d, detached.destroy())).toBe(true);
      expect((await d.call('listVolumes')).map((v) => v.id)).not.toContain(volume.id);
      expect(await d.call('destroyNode', node)).toBe(true);
    },
  },
  {
    title: "attaching a volume to a stopped or missing node fails with the provider's error",
    needs: ['volumes', 'stopStart'],
    async run({ d, backend, uniqueName }) {
      const { node, location } = await runningNode(d, uniqueName());
      expect(await d.call('stopNode', node)).toBe(true);
      const stopped = await until(d, node.id, [NodeState.STOPPED]);
      expect(stopped?.state).toBe(NodeState.STOPPED);
      const volume = await d.call('createVolume', { size: 1, name: uniqueName(), location });
      await d.call('waitUntilVolumeState', volume, StorageVolumeState.AVAILABLE, WAIT);
      await expect(d.call('attachVolume', stopped!, volume)).rejects.toBeInstanceOf(RequestError);
      await expect(d.call('attachVolume', missingNode(backend.missingNodeId), volume)).rejects.toBeInstanceOf(NodeNotFoundError);
      // Neither attempt attached it.
      expect((await d.call('listVolumes')).find((v) => v.id === volume.id)?.state).toBe(StorageVolumeState.AVAILABLE);
      expect(await d.call('destroyVolume', volume)).toBe(true);
      expect(await d.call('destroyNode', stopped!)).toBe(true);
    },
  },
  {
    title: 'waiting for a volume state times out, refuses a state that is not one, and a missing volume is VolumeNotFoundError',
    needs: ['volumes'],
    async run({ d, backend, uniqueName }) {
      const location = (await d.call('listLocations'))[0]!;
      const volume = await d.call('createVolume', { size: 1, name: uniqueName(), location });
      await d.call('waitUntilVolumeState', volume, StorageVolumeState.AVAILABLE, WAIT);
      await expect(d.call('waitUntilVolumeState', volume, StorageVolumeState.INUSE, { timeout: 60, pollInterval: 10 })).rejects.toBeInstanceOf(TimeoutError);
      await expect(d.call('waitUntilVolumeState', volume, 'in-use' as StorageVolumeState)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(d.call('createVolume', { size: 0, name: uniqueName(), location })).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(await d.call('destroyVolume', volume)).toBe(true);
      await expect(d.call('waitUntilVolumeState', volume, StorageVolumeState.AVAILABLE, WAIT)).rejects.toBeInstanceOf(VolumeNotFoundError);
      const ghost = new StorageVolume({ id: backend.missingIds!.volume, name: 'missing', size: 1, state: StorageVolumeState.AVAILABLE }, {} as never);
      await expect(d.call('destroyVolume', ghost)).rejects.toBeInstanceOf(VolumeNotFoundError);
      const ghostSnapshot = new VolumeSnapshot({ id: backend.missingIds!.snapshot, state: VolumeSnapshotState.AVAILABLE }, {} as never);
      await expect(d.call('destroyVolumeSnapshot', ghostSnapshot)).rejects.toBeInstanceOf(VolumeSnapshotNotFoundError);
    },
  },
  {
    title: 'creates a key pair (its private key given once, never printed), imports keys from a string and a file, gets, lists and deletes them',
    needs: ['keyPairs'],
    async run({ d, uniqueName }) {
      const name = uniqueName();
      const created = await d.call('createKeyPair', name);
      expect(created).toBeInstanceOf(KeyPair);
      expect(created.name).toBe(name);
      expect(created.fingerprint).not.toBe('');
      const privateKey = created.privateKey!;
      expect(privateKey).toMatch(/^-----BEGIN (RSA |OPENSSH )?PRIVATE KEY-----\n/);
      const body = privateKey.split('\n')[1]!;
      for (const text of printouts(created)) expect(text).not.toContain(body);
      expect(inspect(created)).toContain('[REDACTED]');
      expect(JSON.parse(JSON.stringify(created)).privateKey).toBe('[REDACTED]');

      const fetched = await d.call('getKeyPair', name);
      expect([fetched.name, fetched.fingerprint, fetched.privateKey]).toEqual([name, created.fingerprint, undefined]);
      await expect(d.call('createKeyPair', name)).rejects.toBeInstanceOf(KeyPairAlreadyExistsError);

      const fromString = uniqueName();
      const imported = await d.call('importKeyPairFromString', fromString, generateSshKeyPair('behaviour@string').publicKey);
      expect([imported.name, imported.privateKey]).toEqual([fromString, undefined]);
      expect(imported.fingerprint).not.toBe('');
      const dir = mkdtempSync(join(tmpdir(), 'dualcloud-keys-'));
      let fromFile: KeyPair;
      try {
        const path = join(dir, 'id_ed25519.pub');
        writeFileSync(path, `${generateSshKeyPair('behaviour@file').publicKey}\n`);
        fromFile = await d.call('importKeyPairFromFile', uniqueName(), path);
        await expect(d.call('importKeyPairFromFile', uniqueName(), join(dir, 'missing.pub'))).rejects.toBeInstanceOf(InvalidArgumentError);
        writeFileSync(join(dir, 'id_ed25519'), privateKey);
        await expect(d.call('importKeyPairFromFile', uniqueName(), join(dir, 'id_ed25519'))).rejects.toBeInstanceOf(InvalidArgumentError);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      await expect(d.call('importKeyPairFromString', uniqueName(), 'not a public key')).rejects.toBeInstanceOf(InvalidArgumentError);

      const listed = await d.call('listKeyPairs');
      expect(listed.map((k) => k.name)).toEqual(expect.arrayContaining([name, fromString, fromFile.name]));
      expect(listed.every((k) => k.privateKey === undefined)).toBe(true);
      await expect(d.call('getKeyPair', `${name}-missing`)).rejects.toBeInstanceOf(KeyPairDoesNotExistError);

      expect(await modelCall(d, created.delete())).toBe(true);
      expect(await d.call('deleteKeyPair', imported)).toBe(true);
      expect(await d.call('deleteKeyPair', fromFile)).toBe(true);
      expect((await d.call('listKeyPairs')).map((k) => k.name)).not.toEqual(expect.arrayContaining([name]));
      await expect(d.call('getKeyPair', name)).rejects.toBeInstanceOf(KeyPairDoesNotExistError);
    },
  },
  {
    title: 'creates an image of a node, gets it, copies it to another region and deletes both',
    needs: ['images'],
    async run({ d, backend, running, open, uniqueName }) {
      const plan = backend.imageCopy!;
      const { node, location } = await runningNode(d, uniqueName());
      const name = uniqueName();
      const image = await d.call('createImage', node, name, { description: 'made by the behaviour suite' });
      expect(image).toBeInstanceOf(NodeImage);
      expect(image.name).toBe(name);
      const ready = await untilImageAvailable(d, image.id);
      expect([ready.id, ready.name]).toEqual([image.id, name]);
      expect((await d.call('listImages')).map((i) => i.id)).toContain(image.id);

      const destination = plan.destination ? open(plan.destination(running.options)) : d;
      if (plan.notImplemented) {
        await expect(destination.call('copyImage', plan.sourceRegion(running.options, location), ready, uniqueName(), {})).rejects.toBeInstanceOf(NotImplementedError);
      }
      const copy = plan.notImplemented
        ? undefined
        : await destination.call('copyImage', plan.sourceRegion(running.options, location), ready, plan.sameImage ? ready.name : uniqueName(), plan.ex ? { ex: plan.ex } : {});
      if (copy !== undefined) {
        expect(copy).toBeInstanceOf(NodeImage);
        expect((await destination.call('getImage', copy.id)).id).toBe(copy.id);
        if (plan.sameImage) {
          expect(copy.id).toBe(image.id);
          expect(copy.extra.regions).toEqual(expect.arrayContaining([location.id, plan.ex?.region]));
        } else {
          expect(copy.id).not.toBe(image.id);
          await untilImageAvailable(destination, copy.id);
          expect(await destination.call('deleteImage', copy)).toBe(true);
          await expect(destination.call('getImage', copy.id)).rejects.toBeInstanceOf(ImageNotFoundError);
        }
      }
      expect(await d.call('deleteImage', ready)).toBe(true);
      await expect(d.call('getImage', image.id)).rejects.toBeInstanceOf(ImageNotFoundError);
      await expect(d.call('getImage', backend.missingIds!.image)).rejects.toBeInstanceOf(ImageNotFoundError);
      expect(await d.call('destroyNode', node)).toBe(true);
    },
  },
];

/** The scenarios a row can run: those whose every needed capability it has. */
export function computeScenariosFor(backend: ComputeBackend): ComputeScenario[] {
  return [...COMPUTE_SCENARIOS, ...RESOURCE_SCENARIOS].filter((s) => s.needs.every((flag) => backend.capabilities[flag] === true));
}

let sequence = 0;

/** Runs one scenario; extra drivers it opened are closed afterwards. */
export async function runComputeScenario(
  scenario: ComputeScenario,
  backend: ComputeBackend,
  running: RunningComputeBackend,
  d: StyledCompute,
  open: (options: object) => StyledCompute,
): Promise<void> {
  const opened: StyledCompute[] = [];
  try {
    await scenario.run({
      d,
      backend,
      running,
      uniqueName: () => `bh-${backend.id}-${d.style}-${++sequence}-${randomBytes(3).toString('hex')}`,
      open: (options) => {
        const extra = open(options);
        opened.push(extra);
        return extra;
      },
    });
  } finally {
    for (const o of opened) await o.close();
  }
}
