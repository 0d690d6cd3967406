/**
 * Kubernetes API request builders: arguments → `RequestSpec`, pure, no I/O. Paths are those Libcloud's
 * `KubernetesContainerDriver` requests (below `/api/v1`), plus `limit` / `continue` paging and the log call.
 * @module
 */
import { InvalidArgumentError, type Query, type RequestSpec } from '@dualcloud/core';

/** Items per page of list calls (`limit`), unless the driver's `pageSize` says otherwise. */
export const K8S_PAGE_SIZE = 500;

/** DNS-1123 label: what Kubernetes accepts as a namespace or pod name. */
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** DNS-1123 subdomain (pod names may have dots). */
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Checks a namespace name (a DNS-1123 label of at most 63 characters). */
export function checkNamespace(value: unknown, what = 'a namespace'): string {
  if (typeof value !== 'string' || value.length > 63 || !DNS1123_LABEL.test(value)) {
    throw new InvalidArgumentError(`kubernetes: ${what} must be a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters); got ${JSON.stringify(String(value)).slice(0, 80)}`, {
      provider: 'kubernetes',
    });
  }
  return value;
}

/** Checks a pod or container name (a DNS-1123 subdomain of at most 253 characters; a container name is a label). */
export function checkPodName(value: unknown, what = 'a pod name'): string {
  if (typeof value !== 'string' || value.length > 253 || !DNS1123_SUBDOMAIN.test(value)) {
    throw new InvalidArgumentError(`kubernetes: ${what} must be a DNS-1123 name (lower-case letters, digits, '-' and '.'); got ${JSON.stringify(String(value)).slice(0, 80)}`, {
      provider: 'kubernetes',
    });
  }
  return value;
}

const json = { 'content-type': 'application/json' };

/** One page of pods: of every namespace (`/api/v1/pods`, as Libcloud lists them) or of one. */
export function listPodsRequest(namespace: string | undefined, token: string | undefined, limit: number): RequestSpec {
  const query: Query = { limit, ...(token !== undefined ? { continue: token } : {}) };
  const path = namespace === undefined ? '/api/v1/pods' : `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`;
  return { method: 'GET', path, query, action: 'list pods' };
}

/** One page of namespaces. */
export function listNamespacesRequest(token: string | undefined, limit: number): RequestSpec {
  return { method: 'GET', path: '/api/v1/namespaces', query: { limit, ...(token !== undefined ? { continue: token } : {}) }, action: 'list namespaces' };
}

/** `GET /api/v1/namespaces/{name}`. */
export function getNamespaceRequest(name: string): RequestSpec {
  return { method: 'GET', path: `/api/v1/namespaces/${encodeURIComponent(name)}`, action: 'get namespace' };
}

/** `POST /api/v1/namespaces` with Libcloud's body `{ metadata: { name } }`. Not repeated: a second create is `AlreadyExists`. */
export function createNamespaceRequest(name: string): RequestSpec {
  return { method: 'POST', path: '/api/v1/namespaces', headers: json, body: JSON.stringify({ metadata: { name } }), action: 'create namespace' };
}

/** `DELETE /api/v1/namespaces/{name}`. */
export function deleteNamespaceRequest(name: string): RequestSpec {
  return { method: 'DELETE', path: `/api/v1/namespaces/${encodeURIComponent(name)}`, action: 'delete namespace' };
}

/** `GET /api/v1/namespaces/{ns}/pods/{name}`. */
export function getPodRequest(namespace: string, pod: string): RequestSpec {
  return { method: 'GET', path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}`, action: 'get pod' };
}

/**
 * `POST /api/v1/namespaces/{ns}/pods`: Libcloud's single-container pod `{ metadata: { name }, spec: { containers:
 * [{ name, image }] } }`; `container` adds fields to the container (`command`, `args`, `env`, `ports`, ...).
 */
export function createPodRequest(namespace: string, name: string, image: string, container: Record<string, unknown> = {}): RequestSpec {
  const body = { metadata: { name }, spec: { containers: [{ ...container, name, image }] } };
  return { method: 'POST', path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, headers: json, body: JSON.stringify(body), action: 'create pod' };
}

/** `DELETE /api/v1/namespaces/{ns}/pods/{name}` (Libcloud's `ex_destroy_pod`). */
export function deletePodRequest(namespace: string, pod: string): RequestSpec {
  return { method: 'DELETE', path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}`, action: 'delete pod' };
}

/** Options of {@link podLogRequest}. */
export interface PodLogQuery {
  readonly tail?: number;
  readonly since?: Date;
  readonly timestamps?: boolean;
}

/** `GET /api/v1/namespaces/{ns}/pods/{name}/log?container=&tailLines=&sinceTime=&timestamps=` (plain text). */
export function podLogRequest(namespace: string, pod: string, container: string, options: PodLogQuery = {}): RequestSpec {
  const query: Query = { container };
  if (options.tail !== undefined) {
    if (!Number.isSafeInteger(options.tail) || options.tail < 0) throw new InvalidArgumentError('kubernetes: containerLogs tail must be an integer >= 0', { provider: 'kubernetes' });
    query.tailLines = options.tail;
  }
  if (options.since !== undefined) {
    if (!(options.since instanceof Date) || Number.isNaN(options.since.getTime())) throw new InvalidArgumentError('kubernetes: containerLogs since must be a valid Date', { provider: 'kubernetes' });
    // RFC 3339 in seconds, as the API parses sinceTime.
    query.sinceTime = options.since.toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  if (options.timestamps !== undefined) query.timestamps = options.timestamps ? 'true' : 'false';
  return {
    method: 'GET',
    path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`,
    query,
    headers: { accept: 'text/plain, */*' },
    action: 'read pod log',
  };
}
