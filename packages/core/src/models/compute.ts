/**
 * Compute models, named as in Apache Libcloud.
 * @module
 */

/** Node states, with Libcloud's string values. */
export const NodeState = {
  RUNNING: 'running',
  STARTING: 'starting',
  REBOOTING: 'rebooting',
  TERMINATED: 'terminated',
  PENDING: 'pending',
  UNKNOWN: 'unknown',
  STOPPING: 'stopping',
  STOPPED: 'stopped',
  SUSPENDED: 'suspended',
  ERROR: 'error',
  PAUSED: 'paused',
  RECONFIGURING: 'reconfiguring',
  MIGRATING: 'migrating',
  NORMAL: 'normal',
  UPDATING: 'updating',
} as const;
/** One of {@link NodeState}'s values. */
export type NodeState = (typeof NodeState)[keyof typeof NodeState];

/** What a model needs from its driver: the node lifecycle methods (sync or async per the driver's mode). */
export interface NodeLifecycle {
  rebootNode(node: Node): unknown;
  destroyNode(node: Node): unknown;
  startNode(node: Node): unknown;
  stopNode(node: Node): unknown;
}

/** An image nodes boot from. */
export class NodeImage {
  constructor(
    readonly id: string,
    readonly name: string,
    readonly driver: object,
    readonly extra: Record<string, unknown> = {},
  ) {}
}

/** An instance size (type, plan). RAM in MiB, disk in GiB, price per hour when known. */
export class NodeSize {
  constructor(
    readonly id: string,
    readonly name: string,
    readonly ram: number,
    readonly disk: number,
    readonly bandwidth: number | undefined,
    readonly price: number | undefined,
    readonly driver: object,
    readonly extra: Record<string, unknown> = {},
  ) {}
}

/** A location (availability zone, region). */
export class NodeLocation {
  constructor(
    readonly id: string,
    readonly name: string,
    readonly country: string,
    readonly driver: object,
    readonly extra: Record<string, unknown> = {},
  ) {}
}

/** Fields of a {@link Node}. */
export interface NodeFields {
  id: string;
  name: string;
  state: NodeState;
  publicIps: string[];
  privateIps: string[];
  size?: NodeSize | string;
  image?: NodeImage | string;
  createdAt?: Date;
  extra?: Record<string, unknown>;
}

/** A compute node. Its methods call the driver, so they block or return Promises as the driver does. */
export class Node<D extends NodeLifecycle = NodeLifecycle> {
  readonly id: string;
  readonly name: string;
  readonly state: NodeState;
  readonly publicIps: string[];
  readonly privateIps: string[];
  readonly size?: NodeSize | string;
  readonly image?: NodeImage | string;
  readonly createdAt?: Date;
  readonly extra: Record<string, unknown>;
  declare readonly driver: D;

  constructor(fields: NodeFields, driver: D) {
    this.id = fields.id;
    this.name = fields.name;
    this.state = fields.state;
    this.publicIps = fields.publicIps;
    this.privateIps = fields.privateIps;
    if (fields.size !== undefined) this.size = fields.size;
    if (fields.image !== undefined) this.image = fields.image;
    if (fields.createdAt !== undefined) this.createdAt = fields.createdAt;
    this.extra = fields.extra ?? {};
    Object.defineProperty(this, 'driver', { value: driver, enumerable: false });
  }

  /** Reboots this node. */
  reboot(): ReturnType<D['rebootNode']> {
    return this.driver.rebootNode(this) as ReturnType<D['rebootNode']>;
  }
  /** Destroys this node. */
  destroy(): ReturnType<D['destroyNode']> {
    return this.driver.destroyNode(this) as ReturnType<D['destroyNode']>;
  }
  /** Starts this node. */
  start(): ReturnType<D['startNode']> {
    return this.driver.startNode(this) as ReturnType<D['startNode']>;
  }
  /** Stops this node. */
  stop(): ReturnType<D['stopNode']> {
    return this.driver.stopNode(this) as ReturnType<D['stopNode']>;
  }
}
