/**
 * Amazon ECS parsers: JSON documents to container-family models, as Libcloud's `ElasticContainerDriver` reads them
 * (`_to_cluster`, `_to_container`, `status_map`), and ECS's JSON error format.
 * @module
 */
import {
  ContainerCluster,
  ContainerImage,
  ContainerInstance as Container,
  ContainerState,
  MalformedResponseError,
  type ContainerClusterOps,
  type ContainerOps,
  type HttpResponse,
  type ProviderErrorInfo,
} from '@dualcloud/core';

type Json = Record<string, unknown>;

/**
 * ECS `lastStatus` to container states. Libcloud's `status_map` has only `RUNNING` (any other state is None
 * there, which is no `ContainerState`); the states a task passes through before running are `pending` and a
 * stopped task is `stopped` here. The transitional `DEACTIVATING`, `STOPPING` and `DEPROVISIONING`, and any other,
 * are `unknown`; the raw status is kept in `extra.lastStatus`.
 */
export const ECS_STATUS_MAP: Readonly<Record<string, ContainerState>> = {
  PROVISIONING: ContainerState.PENDING,
  PENDING: ContainerState.PENDING,
  ACTIVATING: ContainerState.PENDING,
  RUNNING: ContainerState.RUNNING,
  STOPPED: ContainerState.STOPPED,
  DELETED: ContainerState.STOPPED,
};

/**
 * The error of an AWS JSON-protocol response: `{"__type": "…#Code", "message": "…"}` (or `Message`), else the
 * `x-amzn-ErrorType` header (`Code:http://internal.amazon.com/…`). The namespace and URL suffix are dropped.
 */
export function parseAwsJsonError(response: HttpResponse): ProviderErrorInfo | undefined {
  const fromHeader = response.header('x-amzn-errortype');
  let doc: Json | undefined;
  try {
    const parsed = response.json<unknown>();
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) doc = parsed as Json;
  } catch (e) {
    if (!(e instanceof MalformedResponseError) || fromHeader === undefined) throw e;
  }
  const type = typeof doc?.__type === 'string' ? doc.__type : fromHeader;
  const message = typeof doc?.message === 'string' ? doc.message : typeof doc?.Message === 'string' ? doc.Message : undefined;
  const requestId = response.header('x-amzn-requestid');
  const code = type === undefined ? undefined : (type.split(':')[0]!.split('#').pop() ?? '').trim() || undefined;
  if (code === undefined && message === undefined) return undefined;
  return { ...(code !== undefined ? { code } : {}), ...(message !== undefined ? { message } : {}), ...(requestId !== undefined ? { requestId } : {}) };
}

function malformed(what: string): MalformedResponseError {
  return new MalformedResponseError(`ecs: ${what}`, { provider: 'ecs', code: 'UnexpectedDocument' });
}

/** The document of a successful response: a JSON object, else `MalformedResponseError`. */
export function documentOf(response: HttpResponse, action: string): Json {
  const doc = response.json<unknown>();
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw malformed(`${action} did not return a JSON object`);
  return doc as Json;
}

/** A required array field. */
export function arrayOf(doc: Json, key: string, action: string): unknown[] {
  const value = doc[key];
  if (!Array.isArray(value)) throw malformed(`${action} returned no "${key}" list`);
  return value;
}

/** A required object field. */
export function objectOf(doc: Json, key: string, action: string): Json {
  const value = doc[key];
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw malformed(`${action} returned no "${key}" object`);
  return value as Json;
}

/** A list of strings (ARNs). */
export function stringsOf(doc: Json, key: string, action: string): string[] {
  const list = arrayOf(doc, key, action);
  if (list.some((s) => typeof s !== 'string')) throw malformed(`${action}: "${key}" holds a non-string`);
  return list as string[];
}

/** `nextToken`, when the list goes on. */
export function nextTokenOf(doc: Json): string | undefined {
  return typeof doc.nextToken === 'string' && doc.nextToken !== '' ? doc.nextToken : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function requiredString(data: Json, key: string, what: string): string {
  const value = data[key];
  if (typeof value !== 'string') throw malformed(`${what} has no "${key}"`);
  return value;
}

/** Libcloud's `_to_cluster`: id = `clusterArn`, name = `clusterName`; the counters and status go in `extra`. */
export function toCluster(data: unknown, driver: ContainerClusterOps): ContainerCluster {
  if (!data || typeof data !== 'object') throw malformed('a cluster is not an object');
  const c = data as Json;
  const extra: Record<string, unknown> = {};
  for (const key of ['status', 'runningTasksCount', 'pendingTasksCount', 'activeServicesCount', 'registeredContainerInstancesCount']) {
    if (c[key] !== undefined) extra[key] = c[key];
  }
  return new ContainerCluster({ id: requiredString(c, 'clusterArn', 'a cluster'), name: requiredString(c, 'clusterName', 'a cluster'), extra }, driver);
}

/** The `failures` of a Describe* call. */
export function failuresOf(doc: Json): { arn: string; reason: string }[] {
  const list = Array.isArray(doc.failures) ? doc.failures : [];
  return list.filter((f): f is Json => !!f && typeof f === 'object').map((f) => ({ arn: str(f.arn) ?? '', reason: str(f.reason) ?? '' }));
}

/** The private IPv4 addresses of a task container's network interfaces (Libcloud reads none: `ip_addresses=None`). */
function ipsOf(container: Json): string[] {
  const ifaces = Array.isArray(container.networkInterfaces) ? container.networkInterfaces : [];
  return ifaces.flatMap((i) => {
    const ip = i && typeof i === 'object' ? str((i as Json).privateIpv4Address) : undefined;
    return ip ? [ip] : [];
  });
}

/**
 * Libcloud's `_to_container`, one per container of a task: id = `containerArn`, name = the container's name, an
 * image named after the container (path: the container's `image` when ECS reports it), state from
 * {@link ECS_STATUS_MAP} (a superset of Libcloud's), `extra.taskArn` and `extra.taskDefinitionArn`; also `extra.clusterArn`,
 * `extra.lastStatus`, `extra.desiredStatus` of the task and the container's IPs.
 */
export function toContainers(task: unknown, taskDefinitionArn: string | undefined, driver: ContainerOps): Container[] {
  if (!task || typeof task !== 'object') throw malformed('a task is not an object');
  const t = task as Json;
  const list = arrayOf(t, 'containers', 'a task');
  const definition = taskDefinitionArn ?? str(t.taskDefinitionArn);
  return list.map((item) => {
    if (!item || typeof item !== 'object') throw malformed('a task container is not an object');
    const c = item as Json;
    const name = requiredString(c, 'name', 'a task container');
    const lastStatus = str(c.lastStatus);
    const imagePath = str(c.image) ?? '';
    const image = new ContainerImage({ id: '', name, path: imagePath, version: '' }, driver as never);
    const extra: Record<string, unknown> = { taskArn: requiredString(c, 'taskArn', 'a task container'), taskDefinitionArn: definition };
    if (t.clusterArn !== undefined) extra.clusterArn = t.clusterArn;
    if (lastStatus !== undefined) extra.lastStatus = lastStatus;
    if (t.desiredStatus !== undefined) extra.desiredStatus = t.desiredStatus;
    return new Container(
      {
        id: requiredString(c, 'containerArn', 'a task container'),
        name,
        image,
        state: (lastStatus !== undefined ? ECS_STATUS_MAP[lastStatus] : undefined) ?? ContainerState.UNKNOWN,
        ipAddresses: ipsOf(c),
        extra,
      },
      driver,
    );
  });
}
