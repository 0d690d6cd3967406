/**
 * Amazon EC2 compute driver (Query API, XML, SigV4).
 * @module
 */
import { randomUUID } from 'node:crypto';
import {
  awsKeysFor,
  collectPages,
  InvalidArgumentError,
  InvalidCredentialsError,
  MalformedResponseError,
  Node,
  NodeDriver,
  NodeImage,
  NodeLocation,
  NodeNotFoundError,
  NodeSize,
  RateLimitError,
  sigV4Signer,
  type AwsKeyOptions,
  type CreateNodeOptions,
  type DriverOptions,
  type ErrorCodeTable,
  type MethodKind,
  type MethodOptionsSpec,
  type Operation,
  type Page,
  type PageOperation,
  type RequestSpec,
} from '@dualcloud/core';
import { Provider } from '../providers.js';
import { EC2_DEFAULT_REGION, EC2_INSTANCE_TYPES, EC2_REGION_COUNTRY } from './constants.js';
import {
  currentStateIs,
  items,
  nextToken,
  parseEC2Error,
  responseRoot,
  toImage,
  toLocations,
  toNodes,
  toRegions,
} from './parse.js';
import {
  describeAvailabilityZonesRequest,
  describeImagesRequest,
  describeInstancesRequest,
  describeRegionsRequest,
  instanceActionRequest,
  runInstancesRequest,
  type EC2CreateNodeExtras,
  type EC2ListImagesOptions,
} from './requests.js';

/** EC2 error codes with an exact error class (the rest follow the HTTP status). */
export const EC2_ERROR_CODES: ErrorCodeTable = {
  AuthFailure: InvalidCredentialsError,
  InvalidClientTokenId: InvalidCredentialsError,
  SignatureDoesNotMatch: InvalidCredentialsError,
  OptInRequired: InvalidCredentialsError,
  'InvalidInstanceID.NotFound': NodeNotFoundError,
  'InvalidInstanceID.Malformed': NodeNotFoundError,
  RequestLimitExceeded: RateLimitError,
};

/**
 * Options of {@link EC2NodeDriver}: `key` is the access key id, `secret` the secret access key (and `token` a
 * session token); give both, or neither to read `AWS_*` variables and the `profile`'s shared files.
 */
export interface EC2NodeDriverOptions extends DriverOptions, AwsKeyOptions {
  /** Region (default: the environment's or profile's, else `us-east-1`); one driver instance talks to one region. */
  region?: string;
  /** Instances per DescribeInstances page (`MaxResults`, 5 to 1000); by default EC2 decides (as Libcloud). */
  pageSize?: number;
}

/** `createNode` arguments on EC2; `ex` takes {@link EC2CreateNodeExtras}. */
export interface EC2CreateNodeOptions extends CreateNodeOptions {
  ex?: EC2CreateNodeExtras & Record<string, unknown>;
}

/**
 * Amazon EC2 driver, one region per instance (as in Libcloud).
 *
 * @example
 * ```ts
 * const ec2 = new EC2NodeDriver({ key, secret, region: 'eu-west-1' });
 * const nodes = ec2.listNodes();
 * ```
 */
export class EC2NodeDriver extends NodeDriver {
  /** The base compute methods plus the EC2-only `listRegions`, so design packages expose it too. */
  static override readonly methodKinds: Readonly<Record<string, MethodKind>> = { ...NodeDriver.methodKinds, listRegions: 'call' };
  static override readonly optionKeys: readonly string[] = [...NodeDriver.optionKeys, 'token', 'profile', 'pageSize'];
  static override readonly methodOptions: Readonly<Record<string, MethodOptionsSpec>> = {
    ...NodeDriver.methodOptions,
    listImages: { index: 0, keys: ['owners', 'imageIds', 'executableBy', 'filters'] },
  };

  /** Provider name. */
  readonly type = Provider.EC2;
  /** Driver name, as in Libcloud. */
  readonly name = 'Amazon EC2';
  /** The region this driver talks to. */
  readonly region: string;
  /** `MaxResults` of DescribeInstances, when set. */
  readonly pageSize: number | undefined;

  constructor(options: EC2NodeDriverOptions = {}) {
    super(options);
    const { credentials, region: profileRegion } = awsKeysFor('ec2', options ?? {});
    const region = options?.region ?? profileRegion ?? EC2_DEFAULT_REGION;
    if (!/^[a-z]{2,4}(-[a-z]+)+-\d+$/.test(region)) throw new InvalidArgumentError(`ec2: invalid region "${region}"`, { provider: 'ec2' });
    this.region = region;
    const pageSize = options.pageSize;
    if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize >= 5 && pageSize <= 1000)) {
      throw new InvalidArgumentError('ec2: pageSize must be an integer from 5 to 1000', { provider: 'ec2' });
    }
    this.pageSize = pageSize;
    this.connect({
      provider: 'ec2',
      host: `ec2.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`,
      credentials: sigV4Signer(credentials, region, 'ec2'),
      parseError: parseEC2Error,
      errorCodes: EC2_ERROR_CODES,
    });
  }

  /** Lists images; `ex` narrows by owner, ids, launch permission or filters. */
  override listImages(ex?: EC2ListImagesOptions): NodeImage[] {
    return this.invoke('listImages', [ex]);
  }

  /** Lists the regions enabled for the account (DescribeRegions). */
  listRegions(): string[] {
    return this.invoke('listRegions', []);
  }

  /** Pages of DescribeInstances, following `nextToken`. */
  private nodePages(): PageOperation<Node> {
    const driver = this;
    return function* (token) {
      const root = responseRoot(yield* driver.connection.send(describeInstancesRequest(token, driver.pageSize)), 'DescribeInstances');
      return { items: toNodes(root, driver), next: nextToken(root) };
    };
  }

  /** Every page of DescribeInstances; elastic IPs come from the instances' network interfaces. */
  *listNodesOp(): Operation<Node[]> {
    return yield* collectPages(this.nodePages());
  }

  *listImagesOp(ex?: EC2ListImagesOptions): Operation<NodeImage[]> {
    const driver = this;
    return yield* collectPages(function* (token): Operation<Page<NodeImage>> {
      const root = responseRoot(yield* driver.connection.send(describeImagesRequest(ex, token)), 'DescribeImages');
      return { items: items(root.imagesSet).map((i) => toImage(i, driver)), next: nextToken(root) };
    });
  }

  /** The static instance type table (no request), as Libcloud. */
  *listSizesOp(): Operation<NodeSize[]> {
    return EC2_INSTANCE_TYPES.map(
      ([id, ram, disk, bandwidth, vcpus, family]) => new NodeSize(id, id, ram, disk, bandwidth, undefined, this, { vcpus, family }),
    );
  }

  *listLocationsOp(): Operation<NodeLocation[]> {
    const root = responseRoot(yield* this.connection.send(describeAvailabilityZonesRequest(this.region)), 'DescribeAvailabilityZones');
    return toLocations(root, EC2_REGION_COUNTRY[this.region] ?? '', this);
  }

  /** DescribeRegions. */
  *listRegionsOp(): Operation<string[]> {
    return toRegions(responseRoot(yield* this.connection.send(describeRegionsRequest()), 'DescribeRegions'));
  }

  /**
   * RunInstances. A ClientToken is generated once per call, so a retried request cannot start a second
   * instance.
   */
  *createNodeOp(options: EC2CreateNodeOptions): Operation<Node> {
    const spec = this.runInstancesSpec(options);
    const root = responseRoot(yield* this.connection.send(spec), 'RunInstances');
    const node = toNodes(root, this)[0];
    if (!node) throw new MalformedResponseError('ec2: RunInstances returned no instance', { provider: 'ec2', code: 'UnexpectedDocument' });
    // The response may omit the tags just applied; the name is known.
    return node.name === node.id ? new Node({ ...node, name: options.name }, this) : node;
  }

  /** The RunInstances request of a `createNode` call (exposed for tests and dry runs). */
  runInstancesSpec(options: EC2CreateNodeOptions): RequestSpec {
    if (!options || typeof options !== 'object') throw new InvalidArgumentError('ec2: createNode needs options');
    const location = options.location;
    const zoneRegion = location?.extra.regionName;
    if (location && typeof zoneRegion === 'string' && zoneRegion !== this.region) {
      throw new InvalidArgumentError(`ec2: location ${location.name} is in ${zoneRegion}, this driver is for ${this.region}`, { provider: 'ec2' });
    }
    return runInstancesRequest({
      name: options.name,
      imageId: options.image?.id,
      instanceType: options.size?.id,
      availabilityZone: location?.name || undefined,
      clientToken: options.ex?.clientToken ?? randomUUID(),
      ex: options.ex,
    });
  }

  *rebootNodeOp(node: Node): Operation<boolean> {
    const root = responseRoot(yield* this.connection.send(instanceActionRequest('RebootInstances', node?.id)), 'RebootInstances');
    return String(root.return) === 'true';
  }

  *destroyNodeOp(node: Node): Operation<boolean> {
    const root = responseRoot(yield* this.connection.send(instanceActionRequest('TerminateInstances', node?.id)), 'TerminateInstances');
    return currentStateIs(root, ['shutting-down', 'terminated']);
  }

  *startNodeOp(node: Node): Operation<boolean> {
    const root = responseRoot(yield* this.connection.send(instanceActionRequest('StartInstances', node?.id)), 'StartInstances');
    return currentStateIs(root, ['pending', 'running']);
  }

  *stopNodeOp(node: Node): Operation<boolean> {
    const root = responseRoot(yield* this.connection.send(instanceActionRequest('StopInstances', node?.id)), 'StopInstances');
    return currentStateIs(root, ['stopping', 'stopped']);
  }
}

