/**
 * The base compute driver (Libcloud's `NodeDriver`), mode-agnostic.
 * @module
 */
import { InvalidArgumentError, TimeoutError } from '../errors/index.js';
import { Node, NodeImage, NodeLocation, NodeSize, NodeState } from '../models/compute.js';
import { sleep, type Operation } from '../runtime/effects.js';
import { BaseDriver, type MethodKind, type MethodOptionsSpec } from './base.js';

/** Arguments of `createNode`. */
export interface CreateNodeOptions {
  name: string;
  size: NodeSize;
  image: NodeImage;
  location?: NodeLocation;
  /** Provider-specific extras (Libcloud's `ex_*` arguments), e.g. `{ keyName, securityGroups }`. */
  ex?: Record<string, unknown>;
}

/** Options of `waitUntilRunning`. */
export interface WaitUntilRunningOptions {
  /** Give up after this many milliseconds (default 600 000). */
  timeout?: number;
  /** Poll every this many milliseconds (default 3 000). */
  pollInterval?: number;
}

/** A node paired with its IPs, as Libcloud's `wait_until_running` returns. */
export interface RunningNode {
  node: Node;
  ips: string[];
}

/**
 * Base of compute drivers. Subclasses implement the `*Op` operation builders; the public methods
 * below run them in the driver's mode.
 */
export abstract class NodeDriver extends BaseDriver {
  static override readonly methodKinds: Readonly<Record<string, MethodKind>> = {
    listNodes: 'call',
    listImages: 'call',
    listSizes: 'call',
    listLocations: 'call',
    createNode: 'call',
    rebootNode: 'call',
    destroyNode: 'call',
    startNode: 'call',
    stopNode: 'call',
    waitUntilRunning: 'call',
  };

  static override readonly methodOptions: Readonly<Record<string, MethodOptionsSpec>> = {
    createNode: { index: 0, keys: ['name', 'size', 'image', 'location', 'ex'] },
    waitUntilRunning: { index: 1, keys: ['timeout', 'pollInterval'] },
  };

  abstract listNodesOp(): Operation<Node[]>;
  abstract listImagesOp(): Operation<NodeImage[]>;
  abstract listSizesOp(): Operation<NodeSize[]>;
  abstract listLocationsOp(): Operation<NodeLocation[]>;
  abstract createNodeOp(options: CreateNodeOptions): Operation<Node>;
  abstract rebootNodeOp(node: Node): Operation<boolean>;
  abstract destroyNodeOp(node: Node): Operation<boolean>;
  abstract startNodeOp(node: Node): Operation<boolean>;
  abstract stopNodeOp(node: Node): Operation<boolean>;

  /** Lists nodes. */
  listNodes(): Node[] {
    return this.invoke('listNodes', []);
  }
  /** Lists images. */
  listImages(): NodeImage[] {
    return this.invoke('listImages', []);
  }
  /** Lists sizes. */
  listSizes(): NodeSize[] {
    return this.invoke('listSizes', []);
  }
  /** Lists locations. */
  listLocations(): NodeLocation[] {
    return this.invoke('listLocations', []);
  }
  /** Creates a node. */
  createNode(options: CreateNodeOptions): Node {
    return this.invoke('createNode', [options]);
  }
  /** Reboots a node. */
  rebootNode(node: Node): boolean {
    return this.invoke('rebootNode', [node]);
  }
  /** Destroys a node. */
  destroyNode(node: Node): boolean {
    return this.invoke('destroyNode', [node]);
  }
  /** Starts a stopped node. */
  startNode(node: Node): boolean {
    return this.invoke('startNode', [node]);
  }
  /** Stops a running node. */
  stopNode(node: Node): boolean {
    return this.invoke('stopNode', [node]);
  }
  /**
   * Waits until every node is running and has an IP; blocks in sync mode, awaits timers in async mode.
   * Fails with `TimeoutError` naming the nodes still not running.
   */
  waitUntilRunning(nodes: Node[], options?: WaitUntilRunningOptions): RunningNode[] {
    return this.invoke('waitUntilRunning', [nodes, options]);
  }

  /** The polling operation behind {@link NodeDriver.waitUntilRunning}. */
  *waitUntilRunningOp(nodes: Node[], options: WaitUntilRunningOptions = {}): Operation<RunningNode[]> {
    const timeout = options.timeout ?? 600_000;
    const pollInterval = options.pollInterval ?? 3_000;
    if (!Array.isArray(nodes) || nodes.length === 0) throw new InvalidArgumentError('waitUntilRunning: give at least one node');
    if (!(timeout > 0) || !(pollInterval > 0)) throw new InvalidArgumentError('waitUntilRunning: timeout and pollInterval must be positive');
    const wanted = new Set(nodes.map((n) => n.id));
    const deadline = Date.now() + timeout;
    let waiting: string[] = [...wanted];
    for (;;) {
      const current = (yield* this.listNodesOp()).filter((n) => wanted.has(n.id));
      const ready = current.filter((n) => n.state === NodeState.RUNNING && n.publicIps.length + n.privateIps.length > 0);
      if (ready.length === wanted.size) return ready.map((node) => ({ node, ips: [...node.publicIps, ...node.privateIps] }));
      const readyIds = new Set(ready.map((n) => n.id));
      waiting = [...wanted].filter((id) => !readyIds.has(id));
      const left = deadline - Date.now();
      if (left <= 0) break;
      yield* sleep(Math.min(pollInterval, left));
    }
    throw new TimeoutError(`waitUntilRunning: timed out after ${timeout} ms; still not running: ${waiting.join(', ')}`, {
      code: 'WaitTimeout',
      provider: this.type,
    });
  }
}
