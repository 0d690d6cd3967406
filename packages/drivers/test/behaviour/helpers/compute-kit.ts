/**
 * The compute behaviour suite's vocabulary (provider rows, capability flags) and its scenarios, written once.
 * `compute.behaviour.test.ts` holds the table and runs every scenario a row's capabilities allow, in each of
 * the four styles.
 */
import { randomBytes } from 'node:crypto';
import { expect } from '@jest/globals';
import { InvalidCredentialsError, NodeNotFoundError } from '@dualcloud/core';
import {
  Node,
  NodeImage,
  NodeLocation,
  NodeSize,
  NodeState,
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

/** Creates a node from the first image and size the provider lists. */
async function create(d: StyledCompute, name: string): Promise<Node> {
  const [images, sizes] = [await d.call('listImages'), await d.call('listSizes')];
  expect(images.length).toBeGreaterThan(0);
  expect(sizes.length).toBeGreaterThan(0);
  const node = await d.call('createNode', { name, image: images[0]!, size: sizes[0]! });
  expect(node).toBeInstanceOf(Node);
  expect(node.name).toBe(name);
  return node;
}

/** A node model for an id that does not exist. Drivers only read a model's data, never its `driver`. */
function missingNode(id: string): Node {
  return new Node({ id, name: 'missing', state: NodeState.RUNNING, publicIps: [], privateIps: [] }, {} as never);
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

/** The scenarios a row can run: those whose every needed capability it has. */
export function computeScenariosFor(backend: ComputeBackend): ComputeScenario[] {
  return COMPUTE_SCENARIOS.filter((s) => s.needs.every((flag) => backend.capabilities[flag]));
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
