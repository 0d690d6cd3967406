/**
 * OpenStack compute driver: Nova API v2.1 (with a microversion header) for servers, flavors and availability
 * zones, Glance v2 for images, Keystone for identity (see `../../openstack/identity.ts`). The endpoints come
 * from the token's service catalog.
 * @module
 */
import {
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
  type CreateNodeOptions,
  type DriverConnection,
  type DriverOptions,
  type ErrorCodeTable,
  type HttpResponse,
  type MethodKind,
  type Operation,
  type Page,
  type PageOperation,
  type RequestSpec,
} from '@dualcloud/core';
import { OPENSTACK_AUTH_OPTION_KEYS, openStackIdentity, openStackRecipe, type OpenStackAuthOptions, type OpenStackIdentity } from '../../openstack/identity.js';
import { Provider } from '../providers.js';
import { glanceNextMarker, jsonObject, listOf, novaNextMarker, toImage, toLocation, toNode, toSize } from './parse.js';
import {
  checkMicroversion,
  createServerRequest,
  deleteServerRequest,
  getServerRequest,
  listAvailabilityZonesRequest,
  listComputeImagesRequest,
  listFlavorsRequest,
  listGlanceImagesRequest,
  listServersRequest,
  NOVA_DEFAULT_MICROVERSION,
  NOVA_MAX_PAGE_SIZE,
  rebootServerRequest,
  serverActionRequest,
  type OpenStackCreateNodeExtras,
} from './requests.js';

/**
 * Nova error names (the key of its error document, `{"itemNotFound": {"code": 404, "message": …}}`) with an
 * exact error class. `itemNotFound` is a node error: servers are the only resources this driver addresses by id.
 */
export const OPENSTACK_ERROR_CODES: ErrorCodeTable = {
  itemNotFound: NodeNotFoundError,
  overLimit: RateLimitError,
  unauthorized: InvalidCredentialsError,
  Unauthorized: InvalidCredentialsError,
};

/**
 * Options of {@link OpenStackNodeDriver}: the identity options (`authUrl`, `username`, `password`, `projectName`,
 * `userDomainName`, `regionName`…; default `OS_*` / `clouds.yaml`), plus paging and the compute microversion.
 * As in Libcloud, `key` and `secret` stand for `username` and `password` when those are not given, and
 * `region` for `regionName`.
 */
export interface OpenStackNodeDriverOptions extends DriverOptions, OpenStackAuthOptions {
  /** Items per page of list calls (`limit`, 1 to 1000); by default the services decide (as Libcloud). */
  pageSize?: number;
  /** Compute microversion asked for (default `2.1`, the documents Libcloud parses). */
  microversion?: string;
}

/** `createNode` arguments on OpenStack; `ex` takes {@link OpenStackCreateNodeExtras}. */
export interface OpenStackCreateNodeOptions extends CreateNodeOptions {
  ex?: OpenStackCreateNodeExtras & Record<string, unknown>;
}

/** Where a driver of the OpenStack family lists images and finds its compute endpoint. */
export interface OpenStackFlavour {
  /** Provider name in errors. */
  readonly provider: string;
  /** The resolved identity options. */
  readonly auth: OpenStackAuthOptions;
  /** The catalog's compute service name, when several compute services may be listed. */
  readonly computeServiceName?: string;
  /** `glance`: the image service's `/v2/images`; `compute`: the compute API's `/images/detail` (active only). */
  readonly images: 'glance' | 'compute';
}

/**
 * OpenStack Nova servers, as Libcloud's `OpenStack_2_NodeDriver`.
 *
 * @example
 * ```ts
 * const os = new OpenStackNodeDriver({ authUrl: 'https://keystone.example.com/v3', username: 'demo',
 *   password: process.env.OS_PASSWORD, projectName: 'demo', userDomainName: 'Default', regionName: 'RegionOne' });
 * const nodes = os.listNodes();
 * ```
 */
export class OpenStackNodeDriver extends NodeDriver {
  static override readonly optionKeys: readonly string[] = [...NodeDriver.optionKeys, ...OPENSTACK_AUTH_OPTION_KEYS, 'pageSize', 'microversion'];
  /** The base compute methods plus Libcloud's `ex_soft_reboot_node` / `ex_hard_reboot_node`. */
  static override readonly methodKinds: Readonly<Record<string, MethodKind>> = { ...NodeDriver.methodKinds, exSoftRebootNode: 'call', exHardRebootNode: 'call' };

  /** Provider name. */
  readonly type: string = Provider.OPENSTACK;
  /** Driver name, as in Libcloud. */
  readonly name: string = 'OpenStack';
  /** `limit` of list calls, when set. */
  readonly pageSize: number | undefined;
  /** The compute microversion asked for. */
  readonly microversion: string;
  /** The region asked for, if any. */
  readonly regionName: string | undefined;
  readonly #images: 'glance' | 'compute';
  readonly #identity: OpenStackIdentity;

  constructor(options: OpenStackNodeDriverOptions = {}) {
    super(options);
    const flavour = this.flavour(options ?? {});
    const misplaced = (['host', 'port', 'secure'] as const).filter((k) => options?.[k] !== undefined);
    if (misplaced.length > 0) {
      throw new InvalidArgumentError(
        `${flavour.provider}: ${misplaced.join(', ')} ${misplaced.length > 1 ? 'are' : 'is'} not used: the endpoints come from the service catalog. Point the driver at a cloud with authUrl (the identity service), or at a compute API with endpointOverride`,
        { provider: flavour.provider },
      );
    }
    const pageSize = options?.pageSize;
    if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= NOVA_MAX_PAGE_SIZE)) {
      throw new InvalidArgumentError(`${flavour.provider}: pageSize must be an integer from 1 to ${NOVA_MAX_PAGE_SIZE}`, { provider: flavour.provider });
    }
    this.pageSize = pageSize;
    this.microversion = checkMicroversion(options?.microversion ?? NOVA_DEFAULT_MICROVERSION);
    this.#images = flavour.images;
    this.#identity = openStackIdentity(flavour.auth, options ?? {});
    this.regionName = this.#identity.regionName;
    this.connect({
      ...openStackRecipe(flavour.provider, 'compute', this.#identity, { errorCodes: OPENSTACK_ERROR_CODES }),
      endpoint: this.#identity.endpoint('compute', flavour.computeServiceName),
    });
  }

  /**
   * The identity options and catalog choices of this driver (subclasses such as Rackspace override it). Called
   * by the constructor before any field is set: it must use only `options`.
   */
  protected flavour(options: OpenStackNodeDriverOptions): OpenStackFlavour {
    const secretGiven = [options.password, options.apiKey, options.applicationCredentialSecret, options.token].some((v) => v !== undefined);
    return { provider: 'openstack', auth: authOptions(options, { username: options.key, ...(secretGiven ? {} : { password: options.secret }) }), images: 'glance' };
  }

  /** Reboots a node softly (`reboot` with `type: SOFT`: the guest is asked to restart). */
  exSoftRebootNode(node: Node): boolean {
    return this.invoke('exSoftRebootNode', [node]);
  }

  /** Reboots a node hard (`reboot` with `type: HARD`: power cycle), which is what `rebootNode` does (as Libcloud). */
  exHardRebootNode(node: Node): boolean {
    return this.invoke('exHardRebootNode', [node]);
  }

  /** The image service connection: same token and settings, requests below the catalog's `image` endpoint. */
  private imageConnection(): DriverConnection {
    return this.connection.forEndpoint('image', this.#identity.endpoint('image'));
  }

  /** Pages of a Nova collection, following `<collection>_links` by marker only (never the link's host). */
  private novaPages<T>(collection: 'servers' | 'flavors' | 'images', request: (marker: string | undefined) => RequestSpec, parse: (item: Record<string, any>) => T): PageOperation<T> {
    const { connection } = this;
    return function* (marker): Operation<Page<T>> {
      const doc = jsonObject(yield* connection.send(request(marker)));
      return { items: listOf(doc, collection).map(parse), next: novaNextMarker(doc, collection) };
    };
  }

  /** Every page of `GET /servers/detail`. */
  *listNodesOp(): Operation<Node[]> {
    return yield* collectPages(this.novaPages('servers', (m) => listServersRequest(m, this.pageSize, this.microversion), (s) => toNode(s, this)));
  }

  /** Every page of Glance's `GET /v2/images` (all statuses, as Libcloud); Rackspace: the compute image proxy. */
  *listImagesOp(): Operation<NodeImage[]> {
    if (this.#images === 'compute') {
      const images = yield* collectPages(this.novaPages('images', (m) => listComputeImagesRequest(m, this.pageSize, this.microversion), (i) => i));
      // Libcloud's v1.1 driver lists active images only (`ex_only_active=True`).
      return images.filter((i) => i.status === 'ACTIVE').map((i) => toImage(i, this));
    }
    const connection = this.imageConnection();
    const { pageSize } = this;
    const driver = this;
    return yield* collectPages(function* (marker): Operation<Page<NodeImage>> {
      const doc = jsonObject(yield* connection.send(listGlanceImagesRequest(marker, pageSize)));
      return { items: listOf(doc, 'images').map((i) => toImage(i, driver)), next: glanceNextMarker(doc) };
    });
  }

  /** Every page of `GET /flavors/detail`. */
  *listSizesOp(): Operation<NodeSize[]> {
    return yield* collectPages(this.novaPages('flavors', (m) => listFlavorsRequest(m, this.pageSize, this.microversion), (f) => toSize(f, this)));
  }

  /** The available availability zones (`GET /os-availability-zone`). Libcloud returns one placeholder location. */
  *listLocationsOp(): Operation<NodeLocation[]> {
    const doc = jsonObject(yield* this.connection.send(listAvailabilityZonesRequest(this.microversion)));
    return listOf(doc, 'availabilityZoneInfo')
      .filter((z) => z.zoneState?.available === true)
      .map((z) => toLocation(z, this));
  }

  /**
   * Creates a server (`POST /servers`, 202), then reads it back (`GET /servers/{id}`) as Libcloud does; the admin
   * password Nova generated is kept in `extra.password` (printed redacted). Not retried: Nova has no client token.
   */
  *createNodeOp(options: OpenStackCreateNodeOptions): Operation<Node> {
    if (!options || typeof options !== 'object') throw new InvalidArgumentError(`${this.type}: createNode needs options`);
    const spec = createServerRequest(
      {
        name: options.name,
        flavorRef: options.size?.id,
        imageRef: options.image?.id,
        ...(options.location ? { availabilityZone: options.location.id } : {}),
        ...(options.ex !== undefined ? { ex: options.ex } : {}),
      },
      this.microversion,
    );
    const created = jsonObject(yield* this.connection.send(spec)).server;
    if (!created || typeof created !== 'object' || typeof created.id !== 'string') throw new MalformedResponseError(`${this.type}: the create response has no server id`, { provider: this.type, code: 'UnexpectedDocument' });
    const server = jsonObject(yield* this.connection.send(getServerRequest(created.id, this.microversion))).server;
    if (!server || typeof server !== 'object') throw new MalformedResponseError(`${this.type}: the server document is missing`, { provider: this.type, code: 'UnexpectedDocument' });
    return toNode({ ...server, adminPass: created.adminPass }, this);
  }

  /** A hard reboot, as Libcloud's `reboot_node`; true on 202. */
  *rebootNodeOp(node: Node): Operation<boolean> {
    return accepted(yield* this.connection.send(rebootServerRequest(node?.id, 'HARD', this.microversion)));
  }

  *exSoftRebootNodeOp(node: Node): Operation<boolean> {
    return accepted(yield* this.connection.send(rebootServerRequest(node?.id, 'SOFT', this.microversion)));
  }

  *exHardRebootNodeOp(node: Node): Operation<boolean> {
    return yield* this.rebootNodeOp(node);
  }

  /** `os-start`; true on 202. */
  *startNodeOp(node: Node): Operation<boolean> {
    return accepted(yield* this.connection.send(serverActionRequest(node?.id, 'os-start', null, this.microversion)));
  }

  /** `os-stop`; true on 202. */
  *stopNodeOp(node: Node): Operation<boolean> {
    return accepted(yield* this.connection.send(serverActionRequest(node?.id, 'os-stop', null, this.microversion)));
  }

  /** `DELETE /servers/{id}`; true on 204 or 202 (Libcloud accepts either). */
  *destroyNodeOp(node: Node): Operation<boolean> {
    const response = yield* this.connection.send(deleteServerRequest(node?.id, this.microversion));
    return response.status === 204 || response.status === 202;
  }
}

function accepted(response: HttpResponse): boolean {
  return response.status === 202;
}

/**
 * The identity options of `options` (only the identity keys, so nothing else reaches the token source), with
 * Libcloud-style fallbacks: `key`/`secret` for the user and secret, `region` for `regionName`.
 */
export function authOptions(options: OpenStackNodeDriverOptions, fallbacks: Partial<OpenStackAuthOptions> = {}): OpenStackAuthOptions {
  const auth: Record<string, unknown> = {};
  for (const key of OPENSTACK_AUTH_OPTION_KEYS) {
    const value = (options as Record<string, unknown>)[key];
    if (value !== undefined) auth[key] = value;
  }
  for (const [key, value] of Object.entries(fallbacks)) if (auth[key] === undefined && value !== undefined) auth[key] = value;
  if (auth.regionName === undefined && options.region !== undefined) auth.regionName = options.region;
  return auth as OpenStackAuthOptions;
}
