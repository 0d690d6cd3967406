/**
 * Amazon ECS requests: the JSON 1.1 protocol (`POST /`, `X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Action>`),
 * pure builders with no I/O.
 * @module
 */
import { InvalidArgumentError, type RequestSpec } from '@dualcloud/core';

/** The ECS API version Libcloud targets (`ECS_VERSION`). */
export const ECS_VERSION = '2014-11-13';
/** The `X-Amz-Target` prefix of every ECS action. */
export const ECS_TARGET_BASE = `AmazonEC2ContainerServiceV${ECS_VERSION.replace(/-/g, '')}`;
/** The content type of the AWS JSON 1.1 protocol. */
export const AWS_JSON_11 = 'application/x-amz-json-1.1';

/** Libcloud's container definition defaults (`ex_cpu=10`, `ex_memory=500`). */
export const ECS_DEFAULT_CPU = 10;
export const ECS_DEFAULT_MEMORY = 500;

/**
 * One AWS JSON 1.1 call: `POST /` with the target header and a JSON body. `idempotent` marks calls that are safe
 * to repeat (reads, and writes that carry a client token or that converge).
 */
export function awsJsonRequest(targetBase: string, action: string, body: Record<string, unknown>, idempotent: boolean): RequestSpec {
  return {
    method: 'POST',
    path: '/',
    headers: { 'content-type': AWS_JSON_11, 'x-amz-target': `${targetBase}.${action}` },
    body: JSON.stringify(body),
    idempotent,
    action,
  };
}

/** An ECS action. */
export function ecsRequest(action: string, body: Record<string, unknown>, idempotent = true): RequestSpec {
  return awsJsonRequest(ECS_TARGET_BASE, action, body, idempotent);
}

function page(token: string | undefined, maxResults: number | undefined): Record<string, unknown> {
  return { ...(token !== undefined ? { nextToken: token } : {}), ...(maxResults !== undefined ? { maxResults } : {}) };
}

/** ListClusters (Libcloud sends `{}`; a page size and a token are added when given). */
export function listClustersRequest(token?: string, maxResults?: number): RequestSpec {
  return ecsRequest('ListClusters', page(token, maxResults));
}

/** DescribeClusters of up to 100 ARNs or names. */
export function describeClustersRequest(clusters: readonly string[]): RequestSpec {
  return ecsRequest('DescribeClusters', { clusters: [...clusters] });
}

/** CreateCluster (ECS returns the existing cluster for a name already taken, so a repeat is harmless). */
export function createClusterRequest(name: string): RequestSpec {
  return ecsRequest('CreateCluster', { clusterName: name });
}

/** DeleteCluster. */
export function deleteClusterRequest(cluster: string): RequestSpec {
  return ecsRequest('DeleteCluster', { cluster });
}

/** ListTasks of a cluster (Libcloud's `{cluster, family}`), optionally by desired status. */
export function listTasksRequest(args: { cluster: string; family?: string; desiredStatus?: 'RUNNING' | 'STOPPED' | 'PENDING' }, token?: string, maxResults?: number): RequestSpec {
  return ecsRequest('ListTasks', {
    cluster: args.cluster,
    ...(args.family !== undefined ? { family: args.family } : {}),
    ...(args.desiredStatus !== undefined ? { desiredStatus: args.desiredStatus } : {}),
    ...page(token, maxResults),
  });
}

/** DescribeTasks of up to 100 task ARNs (or ids) in a cluster (Libcloud sends only `tasks`). */
export function describeTasksRequest(tasks: readonly string[], cluster?: string): RequestSpec {
  return ecsRequest('DescribeTasks', { ...(cluster !== undefined ? { cluster } : {}), tasks: [...tasks] });
}

/** A port mapping of a container definition. */
export interface EcsPortMapping {
  containerPort: number;
  hostPort?: number;
  protocol?: 'tcp' | 'udp';
}

/**
 * `deployContainer`'s `parameters` on ECS (Libcloud's `ex_cpu`, `ex_memory`, `ex_container_port`, `ex_host_port`,
 * plus what a container definition commonly needs).
 */
export interface EcsDeployParameters {
  /** CPU units of the container (default 10, as Libcloud). */
  cpu?: number;
  /** Memory of the container in MiB (default 500, as Libcloud). */
  memory?: number;
  /** Libcloud's `ex_container_port`: one port mapping with `hostPort`. */
  containerPort?: number;
  /** Libcloud's `ex_host_port`. */
  hostPort?: number;
  /** Port mappings (instead of `containerPort`/`hostPort`). */
  portMappings?: EcsPortMapping[];
  /** Environment variables. */
  environment?: Record<string, string>;
  /** The container's command. */
  command?: string[];
  /** Tasks RunTask starts (default 1, Libcloud's `count`). */
  count?: number;
  /** RunTask's `launchType` (`EC2`, `FARGATE`, `EXTERNAL`). */
  launchType?: string;
  /** RunTask's `clientToken` (default: a fresh UUID per call, so a retried RunTask starts no second task). */
  clientToken?: string;
}

/** The keys of {@link EcsDeployParameters}. */
export const ECS_DEPLOY_PARAMETER_KEYS: readonly string[] = ['cpu', 'memory', 'containerPort', 'hostPort', 'portMappings', 'environment', 'command', 'count', 'launchType', 'clientToken'];

function positiveInt(name: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new InvalidArgumentError(`ecs: deployContainer parameters.${name} must be an integer from 0 to ${max}`, { provider: 'ecs' });
  }
  return value;
}

function port(name: string, value: unknown): number {
  const n = positiveInt(name, value, 65535);
  return n;
}

/** Checks `parameters` and returns them typed. */
export function checkDeployParameters(parameters: unknown): EcsDeployParameters {
  if (parameters === undefined) return {};
  if (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters)) {
    throw new InvalidArgumentError('ecs: deployContainer parameters must be an object', { provider: 'ecs' });
  }
  const p = parameters as Record<string, unknown>;
  for (const key of Object.keys(p)) {
    if (!ECS_DEPLOY_PARAMETER_KEYS.includes(key)) {
      throw new InvalidArgumentError(`ecs: unknown deployContainer parameter "${key}" (known: ${ECS_DEPLOY_PARAMETER_KEYS.join(', ')})`, { provider: 'ecs' });
    }
  }
  if (p.cpu !== undefined) positiveInt('cpu', p.cpu, 10240 * 4);
  if (p.memory !== undefined) positiveInt('memory', p.memory, 1024 * 1024);
  if (p.containerPort !== undefined) port('containerPort', p.containerPort);
  if (p.hostPort !== undefined) port('hostPort', p.hostPort);
  if (p.count !== undefined && (positiveInt('count', p.count, 10) < 1)) {
    throw new InvalidArgumentError('ecs: deployContainer parameters.count must be from 1 to 10', { provider: 'ecs' });
  }
  if (p.portMappings !== undefined) {
    if (!Array.isArray(p.portMappings)) throw new InvalidArgumentError('ecs: deployContainer parameters.portMappings must be an array', { provider: 'ecs' });
    if (p.containerPort !== undefined || p.hostPort !== undefined) {
      throw new InvalidArgumentError('ecs: give parameters.portMappings or containerPort/hostPort, not both', { provider: 'ecs' });
    }
    for (const m of p.portMappings as unknown[]) {
      if (!m || typeof m !== 'object') throw new InvalidArgumentError('ecs: each port mapping is an object { containerPort, hostPort?, protocol? }', { provider: 'ecs' });
      const mapping = m as Record<string, unknown>;
      port('portMappings[].containerPort', mapping.containerPort);
      if (mapping.hostPort !== undefined) port('portMappings[].hostPort', mapping.hostPort);
      if (mapping.protocol !== undefined && mapping.protocol !== 'tcp' && mapping.protocol !== 'udp') {
        throw new InvalidArgumentError('ecs: a port mapping protocol is "tcp" or "udp"', { provider: 'ecs' });
      }
    }
  }
  if (p.environment !== undefined) {
    if (!p.environment || typeof p.environment !== 'object' || Array.isArray(p.environment) || Object.values(p.environment).some((v) => typeof v !== 'string')) {
      throw new InvalidArgumentError('ecs: deployContainer parameters.environment must be an object of strings', { provider: 'ecs' });
    }
  }
  if (p.command !== undefined && (!Array.isArray(p.command) || p.command.some((c) => typeof c !== 'string'))) {
    throw new InvalidArgumentError('ecs: deployContainer parameters.command must be an array of strings', { provider: 'ecs' });
  }
  for (const key of ['launchType', 'clientToken'] as const) {
    if (p[key] !== undefined && (typeof p[key] !== 'string' || p[key] === '')) {
      throw new InvalidArgumentError(`ecs: deployContainer parameters.${key} must be a non-empty string`, { provider: 'ecs' });
    }
  }
  return p as EcsDeployParameters;
}

/**
 * RegisterTaskDefinition with one container definition, as Libcloud's `deploy_container` builds it (family = the
 * container's name). Not idempotent: each call registers a new revision.
 */
export function registerTaskDefinitionRequest(name: string, image: string, parameters: EcsDeployParameters): RequestSpec {
  let portMappings: EcsPortMapping[] = [];
  if (parameters.portMappings) portMappings = parameters.portMappings.map((m) => ({ ...m }));
  else if (parameters.containerPort !== undefined || parameters.hostPort !== undefined) {
    portMappings = [{ containerPort: parameters.containerPort as number, hostPort: parameters.hostPort as number }];
  }
  const containerDefinition = {
    mountPoints: [],
    name,
    image,
    cpu: parameters.cpu ?? ECS_DEFAULT_CPU,
    environment: Object.entries(parameters.environment ?? {}).map(([k, v]) => ({ name: k, value: v })),
    memory: parameters.memory ?? ECS_DEFAULT_MEMORY,
    portMappings,
    essential: true,
    volumesFrom: [],
    ...(parameters.command ? { command: [...parameters.command] } : {}),
  };
  return ecsRequest('RegisterTaskDefinition', { containerDefinitions: [containerDefinition], family: name }, false);
}

/** RunTask (Libcloud's `ex_start_task`); safe to repeat: ECS starts tasks once per `clientToken`. */
export function runTaskRequest(args: { taskDefinition: string; count: number; cluster?: string; launchType?: string; clientToken: string }): RequestSpec {
  return ecsRequest('RunTask', {
    ...(args.cluster !== undefined ? { cluster: args.cluster } : {}),
    count: args.count,
    taskDefinition: args.taskDefinition,
    ...(args.launchType !== undefined ? { launchType: args.launchType } : {}),
    clientToken: args.clientToken,
  });
}

/** StopTask (stopping a stopped task is harmless, so a repeat is too). */
export function stopTaskRequest(task: string, cluster?: string, reason?: string): RequestSpec {
  return ecsRequest('StopTask', { ...(cluster !== undefined ? { cluster } : {}), task, ...(reason !== undefined ? { reason } : {}) });
}
