/**
 * The Dummy compute driver: in memory, deterministic, no network (Libcloud's `DummyNodeDriver`).
 * @module
 */
import {
  InvalidArgumentError,
  Node,
  NodeDriver,
  NodeImage,
  NodeLocation,
  NodeNotFoundError,
  NodeSize,
  NodeState,
  sleep,
  type CreateNodeOptions,
  type DriverOptions,
  type NodeFields,
  type Operation,
} from '@dualcloud/core';
import { Provider } from './providers.js';

/** Options of {@link DummyNodeDriver}. Credentials are accepted and ignored. */
export interface DummyNodeDriverOptions extends Partial<DriverOptions> {
  /**
   * How many nodes exist at start (default 2: `dummy-1` and `dummy-2`). As in Libcloud, a numeric `key`
   * is read as the node count too.
   */
  nodeCount?: number;
  /** Simulated latency of every call in milliseconds (default 0), so examples can show concurrency. */
  latencyMs?: number;
}

/** What the driver stores per node; `Node` objects are immutable snapshots built from it. */
interface DummyRecord extends NodeFields {
  extra: Record<string, unknown>;
}

/**
 * An in-memory compute driver for docs, examples and tests. Nodes created here start `running` with an IP
 * `127.0.0.N`; reboot/start/stop/destroy change the in-memory state. Deterministic: ids count up from 1.
 *
 * @example
 * ```ts
 * const driver = new DummyNodeDriver({ key: 'any' });
 * driver.listNodes().map((n) => n.name); // ['dummy-1', 'dummy-2']
 * ```
 */
export class DummyNodeDriver extends NodeDriver {
  static override readonly optionKeys: readonly string[] = [...NodeDriver.optionKeys, 'nodeCount', 'latencyMs'];
  /** Provider name. */
  readonly type = Provider.DUMMY;
  /** Driver name, as in Libcloud. */
  readonly name = 'Dummy Node Provider';
  /** Simulated latency per call, in milliseconds. */
  readonly latencyMs: number;
  private readonly nodes = new Map<string, DummyRecord>();
  private nextId: number;

  constructor(options: DummyNodeDriverOptions = {}) {
    super(options);
    const fromKey = options.key !== undefined && /^\d+$/.test(options.key) ? Number(options.key) : undefined;
    const count = options.nodeCount ?? fromKey ?? 2;
    const latency = options.latencyMs ?? 0;
    if (!Number.isInteger(count) || count < 0 || count > 250) throw new InvalidArgumentError('dummy: nodeCount must be an integer from 0 to 250');
    if (!(latency >= 0) || !Number.isFinite(latency)) throw new InvalidArgumentError('dummy: latencyMs must be a finite number >= 0');
    this.latencyMs = latency;
    this.nextId = 1;
    for (let i = 0; i < count; i++) this.addRecord(`dummy-${this.nextId}`, undefined, undefined);
  }

  *listNodesOp(): Operation<Node[]> {
    yield* this.latency();
    return [...this.nodes.values()].map((record) => this.toNode(record));
  }

  *listImagesOp(): Operation<NodeImage[]> {
    yield* this.latency();
    return [
      new NodeImage('1', 'Ubuntu 9.10', this),
      new NodeImage('2', 'Ubuntu 9.04', this),
      new NodeImage('3', 'Slackware 4', this),
    ];
  }

  *listSizesOp(): Operation<NodeSize[]> {
    yield* this.latency();
    return [
      new NodeSize('1', 'Small', 128, 4, 500, 4, this),
      new NodeSize('2', 'Medium', 512, 16, 1500, 8, this),
      new NodeSize('3', 'Big', 4096, 32, 2500, 32, this),
      new NodeSize('4', 'XXL Big', 4096 * 2, 32 * 4, 2500 * 3, 32 * 2, this),
    ];
  }

  *listLocationsOp(): Operation<NodeLocation[]> {
    yield* this.latency();
    return [
      new NodeLocation('1', "Paul's Room", 'US', this),
      new NodeLocation('2', 'London Loft', 'GB', this),
      new NodeLocation('3', 'Island Datacenter', 'FJ', this),
    ];
  }

  *createNodeOp(options: CreateNodeOptions): Operation<Node> {
    if (!options || typeof options.name !== 'string' || options.name === '') {
      throw new InvalidArgumentError('dummy: createNode needs a name', { provider: this.type });
    }
    yield* this.latency();
    if (this.nextId > 254) throw new InvalidArgumentError('dummy: no more addresses in 127.0.0.0/24', { provider: this.type });
    return this.toNode(this.addRecord(options.name, options.size, options.image));
  }

  *rebootNodeOp(node: Node): Operation<boolean> {
    yield* this.latency();
    const record = this.find(node);
    // A dummy reboot is instantaneous: the node is running again when the call returns.
    record.state = NodeState.RUNNING;
    record.extra = { ...record.extra, reboots: Number(record.extra.reboots ?? 0) + 1 };
    return true;
  }

  *destroyNodeOp(node: Node): Operation<boolean> {
    yield* this.latency();
    this.find(node);
    this.nodes.delete(node.id);
    return true;
  }

  *startNodeOp(node: Node): Operation<boolean> {
    yield* this.latency();
    this.find(node).state = NodeState.RUNNING;
    return true;
  }

  *stopNodeOp(node: Node): Operation<boolean> {
    yield* this.latency();
    this.find(node).state = NodeState.STOPPED;
    return true;
  }

  private *latency(): Operation<void> {
    if (this.latencyMs > 0) yield* sleep(this.latencyMs);
  }

  private addRecord(name: string, size: NodeSize | string | undefined, image: NodeImage | string | undefined): DummyRecord {
    const id = this.nextId++;
    const record: DummyRecord = {
      id: String(id),
      name,
      state: NodeState.RUNNING,
      publicIps: [`127.0.0.${id}`],
      privateIps: [],
      extra: { foo: 'bar' },
    };
    if (size !== undefined) record.size = size;
    if (image !== undefined) record.image = image;
    this.nodes.set(record.id, record);
    return record;
  }

  private find(node: Node): DummyRecord {
    const record = node && this.nodes.get(node.id);
    if (!record) throw new NodeNotFoundError(`dummy: no node with id "${node?.id}"`, { provider: this.type, code: 'NodeNotFound', status: 404 });
    return record;
  }

  private toNode(record: DummyRecord): Node {
    return new Node({ ...record, publicIps: [...record.publicIps], privateIps: [...record.privateIps], extra: { ...record.extra } }, this);
  }
}
