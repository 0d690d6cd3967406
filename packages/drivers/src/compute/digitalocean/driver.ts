/**
 * DigitalOcean API v2 compute driver (JSON, bearer token).
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
  bearerSigner,
  digitalOceanTokenFor,
  type CreateNodeOptions,
  type DriverOptions,
  type ErrorCodeTable,
  type HttpResponse,
  type Operation,
  type Page,
  type PageOperation,
} from '@dualcloud/core';
import { Provider } from '../providers.js';
import { jsonObject, listOf, nextPage, parseDOError, toImage, toLocation, toNode, toSize } from './parse.js';
import {
  createDropletRequest,
  DO_PER_PAGE,
  deleteDropletRequest,
  dropletActionRequest,
  listRequest,
  type DigitalOceanCreateNodeExtras,
} from './requests.js';

/**
 * DigitalOcean error ids with an exact error class. `not_found` is a node error because droplets are the only
 * resources this driver addresses by id.
 */
export const DO_ERROR_CODES: ErrorCodeTable = {
  unauthorized: InvalidCredentialsError,
  not_found: NodeNotFoundError,
  too_many_requests: RateLimitError,
};

/** Options of {@link DigitalOceanNodeDriver}: `key` is the API token (default: `DIGITALOCEAN_TOKEN`). */
export interface DigitalOceanNodeDriverOptions extends DriverOptions {
  /** Items per page of list calls (`per_page`, 1 to 200; default 200). */
  pageSize?: number;
}

/** `createNode` arguments on DigitalOcean; `ex` takes {@link DigitalOceanCreateNodeExtras}. */
export interface DigitalOceanCreateNodeOptions extends CreateNodeOptions {
  ex?: DigitalOceanCreateNodeExtras & Record<string, unknown>;
}

/**
 * DigitalOcean droplets through API v2.
 *
 * @example
 * ```ts
 * const d = new DigitalOceanNodeDriver({ key: process.env.DIGITALOCEAN_TOKEN! });
 * const droplets = d.listNodes();
 * ```
 */
export class DigitalOceanNodeDriver extends NodeDriver {
  static override readonly optionKeys: readonly string[] = [...NodeDriver.optionKeys, 'pageSize'];
  /** Provider name. */
  readonly type = Provider.DIGITAL_OCEAN;
  /** Driver name, as in Libcloud. */
  readonly name = 'DigitalOcean';
  /** `per_page` of list calls. */
  readonly pageSize: number;

  constructor(options: DigitalOceanNodeDriverOptions = {}) {
    super(options);
    const token = digitalOceanTokenFor(options?.key);
    const pageSize = options?.pageSize ?? DO_PER_PAGE;
    if (!(Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= 200)) {
      throw new InvalidArgumentError('digitalocean: pageSize must be an integer from 1 to 200', { provider: 'digitalocean' });
    }
    this.pageSize = pageSize;
    this.connect({
      provider: 'digitalocean',
      host: 'api.digitalocean.com',
      credentials: bearerSigner(token),
      defaultHeaders: { accept: 'application/json' },
      parseError: parseDOError,
      errorCodes: DO_ERROR_CODES,
    });
  }

  /** Pages of a collection, following `links.pages.next`. */
  private pages<T>(collection: 'droplets' | 'images' | 'sizes' | 'regions', parse: (item: Record<string, any>) => T): PageOperation<T> {
    const { connection, pageSize } = this;
    return function* (token): Operation<Page<T>> {
      const doc = jsonObject(yield* connection.send(listRequest(collection, token, pageSize)));
      return { items: listOf(doc, collection).map(parse), next: nextPage(doc) };
    };
  }

  /** Every page of droplets (`GET /v2/droplets`). */
  *listNodesOp(): Operation<Node[]> {
    return yield* collectPages(this.pages('droplets', (d) => toNode(d, this)));
  }

  *listImagesOp(): Operation<NodeImage[]> {
    return yield* collectPages(this.pages('images', (i) => toImage(i, this)));
  }

  *listSizesOp(): Operation<NodeSize[]> {
    return yield* collectPages(this.pages('sizes', (s) => toSize(s, this)));
  }

  /** Available regions (Libcloud's `ex_available=True` default). */
  *listLocationsOp(): Operation<NodeLocation[]> {
    const regions = yield* collectPages(this.pages('regions', (r) => r));
    return regions.filter((r) => r.available).map((r) => toLocation(r, this));
  }

  /** Creates a droplet (POST /v2/droplets, 202). Not retried: the API has no idempotency token. */
  *createNodeOp(options: DigitalOceanCreateNodeOptions): Operation<Node> {
    if (!options || typeof options !== 'object') throw new InvalidArgumentError('digitalocean: createNode needs options');
    const spec = createDropletRequest({
      name: options.name,
      size: options.size?.id,
      image: options.image?.id,
      ...(options.location ? { region: options.location.id } : {}),
      ex: options.ex,
    });
    const doc = jsonObject(yield* this.connection.send(spec));
    if (!doc.droplet || typeof doc.droplet !== 'object') throw new MalformedResponseError('digitalocean: the create response has no droplet', { provider: 'digitalocean', code: 'UnexpectedDocument' });
    return toNode(doc.droplet, this);
  }

  *rebootNodeOp(node: Node): Operation<boolean> {
    return actionStarted(yield* this.connection.send(dropletActionRequest(node?.id, 'reboot')));
  }

  *startNodeOp(node: Node): Operation<boolean> {
    return actionStarted(yield* this.connection.send(dropletActionRequest(node?.id, 'power_on')));
  }

  *stopNodeOp(node: Node): Operation<boolean> {
    return actionStarted(yield* this.connection.send(dropletActionRequest(node?.id, 'power_off')));
  }

  /** DELETE /v2/droplets/{id}; true on 204 No Content (as Libcloud). */
  *destroyNodeOp(node: Node): Operation<boolean> {
    const response = yield* this.connection.send(deleteDropletRequest(node?.id));
    return response.status === 204;
  }
}

/** An action request succeeded when DigitalOcean answers 201 with an action document (as Libcloud checks). */
function actionStarted(response: HttpResponse): boolean {
  if (response.status !== 201) return false;
  const doc = jsonObject(response);
  return typeof doc.action === 'object' && doc.action !== null;
}
