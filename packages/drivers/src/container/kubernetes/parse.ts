/**
 * Kubernetes API response parsers (Libcloud's `_to_pod`, `_to_container`, `_to_cluster`): pure functions over
 * the JSON documents. Bad documents are `MalformedResponseError`s, never `TypeError`s.
 * @module
 */
import {
  ContainerCluster,
  ContainerImage,
  ContainerInstance as Container,
  ContainerState,
  MalformedResponseError,
  parseImageReference,
  type ContainerClusterOps,
  type ContainerImageOps,
  type ContainerOps,
  type HttpResponse,
  type ProviderErrorInfo,
  isJsonObject,
  jsonObjectOf,
  unexpectedDocument,
} from '@dualcloud/core';

type Json = Record<string, any>;

function malformed(message: string, status?: number): MalformedResponseError {
  return unexpectedDocument('kubernetes', message, status);
}

/** The JSON object of a response; `MalformedResponseError` when it is not one (HTML, truncated, an array). */
export function jsonObject(response: HttpResponse): Json {
  return jsonObjectOf(response, 'kubernetes');
}

/** The `items` of a list document (`PodList`, `NamespaceList`). */
export function itemsOf(doc: Json, kind: string): Json[] {
  const items = doc.items;
  // The API server sends `"items": null` for an empty list of some kinds.
  if (items === null) return [];
  if (!Array.isArray(items)) throw malformed(`expected the "items" array of a ${kind}`);
  return items.map((item) => {
    if (!isJsonObject(item)) throw malformed(`an item of a ${kind} is not an object`);
    return item;
  });
}

/** The continue token of a list (`metadata.continue`); undefined on the last page. */
export function continueToken(doc: Json): string | undefined {
  const metadata = doc.metadata;
  if (metadata === undefined || metadata === null) return undefined;
  if (!isJsonObject(metadata)) throw malformed('list metadata is not an object');
  const token = metadata.continue;
  if (token === undefined || token === null || token === '') return undefined;
  if (typeof token !== 'string') throw malformed('metadata.continue is not a string');
  return token;
}

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw malformed(`${what} is not a string`);
  return value;
}

/** `metadata.name` and `metadata.namespace` of an object. */
function metadataOf(data: Json, kind: string): { name: string; namespace: string | undefined; raw: Json } {
  const metadata = data.metadata;
  if (!isJsonObject(metadata)) throw malformed(`${kind} has no metadata`);
  const name = str(metadata.name, `${kind} metadata.name`);
  const namespace = metadata.namespace === undefined ? undefined : str(metadata.namespace, `${kind} metadata.namespace`);
  return { name, namespace, raw: metadata };
}

/** A Kubernetes pod (Libcloud's `KubernetesPod`): its name, namespace and containers. */
export interface KubernetesPod {
  readonly name: string;
  readonly namespace: string;
  readonly containers: Container[];
}

/**
 * A container's state from its status (`state.running` / `waiting` / `terminated`). Libcloud 3.4.1 answers
 * `running` for every container; this reads the status the API reports, so a pod still pulling its image is
 * `pending` and a finished one `terminated`.
 */
export function containerState(status: Json | undefined, phase: unknown): ContainerState {
  const state = status?.state;
  if (isJsonObject(state)) {
    if (state.running !== undefined) return ContainerState.RUNNING;
    if (state.waiting !== undefined) return ContainerState.PENDING;
    if (state.terminated !== undefined) return ContainerState.TERMINATED;
  }
  switch (phase) {
    case 'Pending':
      return ContainerState.PENDING;
    case 'Running':
      return ContainerState.RUNNING;
    case 'Succeeded':
    case 'Failed':
      return ContainerState.TERMINATED;
    default:
      return ContainerState.UNKNOWN;
  }
}

/** The pod's IP addresses: `status.podIPs[].ip`, else `status.podIP` (Libcloud gives none). */
export function podIps(status: Json): string[] {
  if (Array.isArray(status.podIPs)) {
    const ips = status.podIPs.map((entry: unknown) => (isJsonObject(entry) && typeof entry.ip === 'string' ? entry.ip : undefined)).filter((ip: unknown): ip is string => typeof ip === 'string');
    if (ips.length > 0) return ips;
  }
  return typeof status.podIP === 'string' && status.podIP !== '' ? [status.podIP] : [];
}

/** An image reference string as a `ContainerImage` (Libcloud: `id` = the status's `imageID`, `name` = the spec's `image`). */
export function toImage(image: string, imageId: string | undefined, driver: ContainerImageOps): ContainerImage {
  let version = 'latest';
  try {
    const ref = parseImageReference(image);
    version = ref.digest ?? ref.tag;
  } catch {
    // Kubernetes accepts references this parser does not (they are the runtime's business): keep the default.
  }
  return new ContainerImage({ id: imageId !== undefined && imageId !== '' ? imageId : image, name: image, path: image, version }, driver);
}

/**
 * A pod's containers (Libcloud's `_to_pod` / `_to_container`): one `Container` per `spec.containers[]`, with the
 * status of the same name. `id` is `<namespace>/<pod>/<container>`, which stays the same from the pod's creation
 * (when the container has no runtime id yet) through restarts; Libcloud's id, the status's `containerID`
 * (`containerd://…`, new at every restart), is `extra.containerId`. `extra` holds Libcloud's `pod` and
 * `namespace`, plus the pod's `phase`, `uid` and `nodeName` and the container's `restartCount` and `ready`.
 */
export function toPod(data: Json, driver: ContainerOps & ContainerImageOps): KubernetesPod {
  const { name: podName, namespace, raw } = metadataOf(data, 'pod');
  if (namespace === undefined) throw malformed(`pod ${podName} has no metadata.namespace`);
  const spec = data.spec;
  if (!isJsonObject(spec) || !Array.isArray(spec.containers)) throw malformed(`pod ${podName} has no spec.containers`);
  const status = isJsonObject(data.status) ? data.status : {};
  const statuses: Json[] = Array.isArray(status.containerStatuses) ? status.containerStatuses.filter(isJsonObject) : [];
  const ips = podIps(status);
  const containers = spec.containers.map((container: unknown) => {
    if (!isJsonObject(container)) throw malformed(`a container of pod ${podName} is not an object`);
    const name = str(container.name, `a container name of pod ${podName}`);
    const image = str(container.image ?? '', `the image of container ${name}`);
    const containerStatus = statuses.find((s) => s.name === name);
    const imageId = typeof containerStatus?.imageID === 'string' ? containerStatus.imageID : undefined;
    const extra: Record<string, unknown> = { pod: podName, namespace };
    if (typeof containerStatus?.containerID === 'string' && containerStatus.containerID !== '') extra.containerId = containerStatus.containerID;
    if (typeof status.phase === 'string') extra.phase = status.phase;
    if (typeof raw.uid === 'string') extra.uid = raw.uid;
    if (typeof spec.nodeName === 'string') extra.nodeName = spec.nodeName;
    if (typeof containerStatus?.restartCount === 'number') extra.restartCount = containerStatus.restartCount;
    if (typeof containerStatus?.ready === 'boolean') extra.ready = containerStatus.ready;
    return new Container(
      { id: `${namespace}/${podName}/${name}`, name, image: toImage(image, imageId, driver), state: containerState(containerStatus, status.phase), ipAddresses: [...ips], extra },
      driver,
    );
  });
  return { name: podName, namespace, containers };
}

/** A namespace as a cluster (Libcloud's `_to_cluster`): `id` = `name` = `metadata.name`, `extra.phase` = `status.phase`. */
export function toCluster(data: Json, driver: ContainerClusterOps): ContainerCluster {
  const { name } = metadataOf(data, 'namespace');
  const status = isJsonObject(data.status) ? data.status : {};
  return new ContainerCluster({ id: name, name, extra: { phase: status.phase ?? null } }, driver);
}

/** Log text as lines (the trailing newline ends the last line; it does not start an empty one). */
export function logLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Parses a Kubernetes `Status` error document: `reason` is the code, `message` the message. */
export function parseKubernetesError(response: HttpResponse): ProviderErrorInfo | undefined {
  let doc: unknown;
  try {
    doc = response.json<unknown>();
  } catch {
    return undefined;
  }
  if (!isJsonObject(doc)) return undefined;
  const info: { code?: string; message?: string; requestId?: string } = {};
  if (typeof doc.reason === 'string' && doc.reason !== '') info.code = doc.reason;
  if (typeof doc.message === 'string') info.message = doc.message;
  const requestId = response.headers['audit-id'];
  if (typeof requestId === 'string' && requestId !== '') info.requestId = requestId;
  return info;
}
