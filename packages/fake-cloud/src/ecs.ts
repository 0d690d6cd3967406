/**
 * Amazon ECS (API 2014-11-13) over the AWS JSON 1.1 protocol: `POST /` with
 * `X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Action>`, JSON in and out, SigV4 (service `ecs`) checked.
 * Clusters, task definitions (`family:revision`), tasks that go PROVISIONING → PENDING → RUNNING over the boot
 * delay and STOPPED after StopTask, `nextToken`/`maxResults` paging, `clientToken` idempotency on RunTask, and
 * errors as ECS sends them (`{"__type": "ClusterNotFoundException", "message": …}` with `x-amzn-ErrorType`).
 * @see https://docs.aws.amazon.com/AmazonECS/latest/APIReference/Welcome.html
 * @module
 */
import { createHash, randomUUID } from 'node:crypto';
import { AuthFailure, parseSigV4, verifySigV4 } from './auth.js';
import type { ResolvedOptions } from './options.js';
import { ApiError, header, type FakeRequest, type FakeResponse } from './wire.js';

/** The account every ARN names. */
export const ECS_ACCOUNT_ID = '123456789012';
/** The `X-Amz-Target` prefix of ECS actions. */
export const ECS_TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113.';

type Json = Record<string, unknown>;

interface Cluster {
  readonly arn: string;
  readonly name: string;
  status: 'ACTIVE' | 'INACTIVE';
  readonly seq: number;
}

interface TaskDefinition {
  readonly arn: string;
  readonly family: string;
  readonly revision: number;
  readonly containerDefinitions: Json[];
  readonly registeredAt: number;
}

interface Task {
  readonly arn: string;
  readonly id: string;
  readonly clusterArn: string;
  readonly definition: TaskDefinition;
  readonly createdAt: number;
  readonly seq: number;
  readonly launchType: string;
  readonly containers: { arn: string; name: string; image: string; ip: string }[];
  desiredStatus: 'RUNNING' | 'STOPPED';
  stoppedAt?: number;
  stoppedReason?: string;
}

interface Region {
  readonly name: string;
  readonly clusters: Map<string, Cluster>;
  readonly definitions: Map<string, TaskDefinition[]>;
  readonly tasks: Map<string, Task>;
  /** RunTask client tokens → the task ARNs they started. */
  readonly tokens: Map<string, string[]>;
}

const NAME = /^[A-Za-z0-9_-]{1,255}$/;
/** Most tasks one region holds (a bound, as `maxNodes` is for EC2). */
const MAX_TASKS_FACTOR = 10;

/** The ECS emulator. */
export class EcsApi {
  private readonly regions = new Map<string, Region>();
  private seq = 0;
  private ipCounter = 0;
  private readonly actions: Record<string, (body: Json, region: Region, now: number) => Json> = {
    ListClusters: (b, r) => this.listClusters(b, r),
    DescribeClusters: (b, r, n) => this.describeClusters(b, r, n),
    CreateCluster: (b, r, n) => ({ cluster: this.clusterJson(this.createCluster(b, r), r, n) }),
    DeleteCluster: (b, r, n) => this.deleteCluster(b, r, n),
    RegisterTaskDefinition: (b, r, n) => this.registerTaskDefinition(b, r, n),
    ListTasks: (b, r, n) => this.listTasks(b, r, n),
    DescribeTasks: (b, r, n) => this.describeTasks(b, r, n),
    RunTask: (b, r, n) => this.runTask(b, r, n),
    StopTask: (b, r, n) => this.stopTask(b, r, n),
  };

  constructor(private readonly options: () => ResolvedOptions) {}

  /** Handles one request: checks the signature, the target and the body, runs the action, renders JSON. */
  handle(req: FakeRequest): FakeResponse {
    const auth = parseSigV4(req);
    if (!auth) throw new AuthFailure('missing', 'Missing Authentication Token');
    verifySigV4(req, auth, this.options().credentials.aws, this.options().maxClockSkewMs);
    if (req.method !== 'POST' || req.rawPath !== '/') throw new ApiError(404, 'UnknownOperationException', 'Only POST / is served.');
    const target = header(req, 'x-amz-target') ?? '';
    const action = target.startsWith(ECS_TARGET_PREFIX) ? target.slice(ECS_TARGET_PREFIX.length) : '';
    const handler = Object.prototype.hasOwnProperty.call(this.actions, action) ? this.actions[action] : undefined;
    if (!handler) throw new ApiError(400, 'UnknownOperationException', `Unknown operation ${target || '(no X-Amz-Target)'}.`);
    if (!/^application\/x-amz-json-1\.1\b/i.test(header(req, 'content-type') ?? '')) {
      throw new ApiError(400, 'SerializationException', 'Expected Content-Type application/x-amz-json-1.1.');
    }
    let body: unknown;
    try {
      body = req.body.length === 0 ? {} : JSON.parse(req.body.toString('utf8'));
    } catch {
      throw new ApiError(400, 'SerializationException', 'Start of structure or map found where not expected.');
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ApiError(400, 'SerializationException', 'The request body must be a JSON object.');
    return jsonResponse(200, handler(body as Json, this.region(auth.region), req.now));
  }

  /** Renders an error as ECS does. */
  error(e: ApiError, _req: FakeRequest): FakeResponse {
    const res = jsonResponse(e.status, { __type: e.code, message: e.message });
    res.headers['x-amzn-errortype'] = `${e.code}:http://internal.amazon.com/coral/com.amazonaws.ecs/`;
    Object.assign(res.headers, e.headers);
    return res;
  }

  /** Maps an authentication failure to ECS's codes (all 400, as the JSON protocol's gateway answers). */
  authError(e: AuthFailure): ApiError {
    if (e.kind === 'bad-signature') return new ApiError(400, 'InvalidSignatureException', e.message);
    if (e.kind === 'unknown-key') return new ApiError(400, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    if (e.kind === 'missing') return new ApiError(400, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    if (e.kind === 'malformed') return new ApiError(400, 'IncompleteSignatureException', e.message);
    return new ApiError(400, 'InvalidSignatureException', 'Signature expired.');
  }

  private region(name: string): Region {
    let region = this.regions.get(name);
    if (!region) {
      region = { name, clusters: new Map(), definitions: new Map(), tasks: new Map(), tokens: new Map() };
      this.regions.set(name, region);
    }
    return region;
  }

  private arn(region: Region, resource: string): string {
    return `arn:aws:ecs:${region.name}:${ECS_ACCOUNT_ID}:${resource}`;
  }

  // ---- clusters -----------------------------------------------------------------------------------------------

  private findCluster(region: Region, ref: unknown, activeOnly = true): Cluster {
    const key = ref === undefined ? 'default' : ref;
    if (typeof key !== 'string' || key === '') throw new ApiError(400, 'InvalidParameterException', 'cluster must be a non-empty string.');
    const name = key.startsWith('arn:') ? (/:cluster\/([^/]+)$/.exec(key)?.[1] ?? '') : key;
    const cluster = region.clusters.get(name);
    if (!cluster || (key.startsWith('arn:') && cluster.arn !== key) || (activeOnly && cluster.status !== 'ACTIVE')) {
      throw new ApiError(400, 'ClusterNotFoundException', 'Cluster not found.');
    }
    return cluster;
  }

  private createCluster(body: Json, region: Region): Cluster {
    const name = body.clusterName === undefined ? 'default' : body.clusterName;
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new ApiError(400, 'InvalidParameterException', 'Cluster name should be up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores.');
    }
    const known = region.clusters.get(name);
    if (known) {
      known.status = 'ACTIVE';
      return known;
    }
    const cluster: Cluster = { arn: this.arn(region, `cluster/${name}`), name, status: 'ACTIVE', seq: ++this.seq };
    region.clusters.set(name, cluster);
    return cluster;
  }

  private clusterJson(cluster: Cluster, region: Region, now: number): Json {
    const tasks = [...region.tasks.values()].filter((t) => t.clusterArn === cluster.arn && t.desiredStatus === 'RUNNING');
    return {
      clusterArn: cluster.arn,
      clusterName: cluster.name,
      status: cluster.status,
      registeredContainerInstancesCount: 0,
      runningTasksCount: tasks.filter((t) => this.lastStatus(t, now) === 'RUNNING').length,
      pendingTasksCount: tasks.filter((t) => this.lastStatus(t, now) !== 'RUNNING').length,
      activeServicesCount: 0,
      statistics: [],
      tags: [],
      settings: [{ name: 'containerInsights', value: 'disabled' }],
      capacityProviders: [],
      defaultCapacityProviderStrategy: [],
    };
  }

  private listClusters(body: Json, region: Region): Json {
    const clusters = [...region.clusters.values()].filter((c) => c.status === 'ACTIVE').sort((a, b) => a.seq - b.seq);
    const { items, nextToken } = paginate(clusters, body, region.name, 'clusters');
    return { clusterArns: items.map((c) => c.arn), ...(nextToken ? { nextToken } : {}) };
  }

  private describeClusters(body: Json, region: Region, now: number): Json {
    const refs = body.clusters === undefined ? ['default'] : stringList(body.clusters, 'clusters');
    if (refs.length > 100) throw new ApiError(400, 'InvalidParameterException', 'clusters can have at most 100 items.');
    const clusters: Json[] = [];
    const failures: Json[] = [];
    for (const ref of refs) {
      try {
        clusters.push(this.clusterJson(this.findCluster(region, ref, false), region, now));
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        failures.push({ arn: ref.startsWith('arn:') ? ref : this.arn(region, `cluster/${ref}`), reason: 'MISSING' });
      }
    }
    return { clusters, failures };
  }

  private deleteCluster(body: Json, region: Region, now: number): Json {
    if (body.cluster === undefined) throw new ApiError(400, 'InvalidParameterException', 'cluster is required.');
    const cluster = this.findCluster(region, body.cluster);
    if ([...region.tasks.values()].some((t) => t.clusterArn === cluster.arn && this.lastStatus(t, now) !== 'STOPPED')) {
      throw new ApiError(400, 'ClusterContainsTasksException', 'The Cluster cannot be deleted while Tasks are active.');
    }
    cluster.status = 'INACTIVE';
    return { cluster: this.clusterJson(cluster, region, now) };
  }

  // ---- task definitions ---------------------------------------------------------------------------------------

  private registerTaskDefinition(body: Json, region: Region, now: number): Json {
    const family = body.family;
    if (typeof family !== 'string' || !NAME.test(family)) {
      throw new ApiError(400, 'ClientException', 'Family contains invalid characters, or is not between 1 and 255 characters.');
    }
    const defs = body.containerDefinitions;
    if (!Array.isArray(defs) || defs.length === 0 || defs.length > 10) throw new ApiError(400, 'ClientException', 'Container list cannot be empty.');
    for (const d of defs as unknown[]) {
      const def = d as Json;
      if (!def || typeof def !== 'object' || typeof def.name !== 'string' || !NAME.test(def.name)) {
        throw new ApiError(400, 'ClientException', 'Container.name contains invalid characters.');
      }
      if (typeof def.image !== 'string' || def.image === '' || /\s/.test(def.image)) throw new ApiError(400, 'ClientException', 'Container.image should not be null or empty.');
      for (const key of ['cpu', 'memory'] as const) {
        if (def[key] !== undefined && (!Number.isInteger(def[key]) || (def[key] as number) < 0)) {
          throw new ApiError(400, 'ClientException', `Invalid setting for container '${def.name}'. ${key} must be a non-negative integer.`);
        }
      }
    }
    const revisions = region.definitions.get(family) ?? [];
    const revision = revisions.length + 1;
    const definition: TaskDefinition = {
      arn: this.arn(region, `task-definition/${family}:${revision}`),
      family,
      revision,
      containerDefinitions: structuredClone(defs as Json[]),
      registeredAt: now,
    };
    region.definitions.set(family, [...revisions, definition]);
    return { taskDefinition: definitionJson(definition) };
  }

  private findDefinition(region: Region, ref: unknown): TaskDefinition {
    if (typeof ref !== 'string' || ref === '') throw new ApiError(400, 'InvalidParameterException', 'taskDefinition is required.');
    const m = /^(?:arn:aws:ecs:[^:]+:\d+:task-definition\/)?([A-Za-z0-9_-]+)(?::(\d+))?$/.exec(ref);
    const revisions = m ? region.definitions.get(m[1]!) : undefined;
    const found = revisions && (m![2] === undefined ? revisions[revisions.length - 1] : revisions[Number(m![2]) - 1]);
    if (!found || (ref.startsWith('arn:') && found.arn !== ref)) throw new ApiError(400, 'ClientException', 'Unable to describe task definition.');
    return found;
  }

  // ---- tasks --------------------------------------------------------------------------------------------------

  /** PROVISIONING for the first half of the boot delay, PENDING for the second, then RUNNING; STOPPED once stopped. */
  private lastStatus(task: Task, now: number): string {
    if (task.desiredStatus === 'STOPPED') return 'STOPPED';
    const age = now - task.createdAt;
    const boot = this.options().nodeBootMs;
    if (age < boot / 2) return 'PROVISIONING';
    if (age < boot) return 'PENDING';
    return 'RUNNING';
  }

  private taskJson(task: Task, now: number): Json {
    const last = this.lastStatus(task, now);
    const running = last === 'RUNNING' || (task.stoppedAt !== undefined && task.stoppedAt - task.createdAt >= this.options().nodeBootMs);
    const boot = this.options().nodeBootMs;
    return {
      taskArn: task.arn,
      clusterArn: task.clusterArn,
      taskDefinitionArn: task.definition.arn,
      lastStatus: last,
      desiredStatus: task.desiredStatus,
      launchType: task.launchType,
      group: `family:${task.definition.family}`,
      version: task.desiredStatus === 'STOPPED' ? 2 : 1,
      createdAt: task.createdAt / 1000,
      ...(running ? { startedAt: (task.createdAt + boot) / 1000 } : {}),
      ...(task.stoppedAt !== undefined ? { stoppedAt: task.stoppedAt / 1000, stoppingAt: task.stoppedAt / 1000, stoppedReason: task.stoppedReason, stopCode: 'UserInitiated' } : {}),
      overrides: { containerOverrides: task.containers.map((c) => ({ name: c.name })) },
      containers: task.containers.map((c) => ({
        containerArn: c.arn,
        taskArn: task.arn,
        name: c.name,
        image: c.image,
        lastStatus: last,
        ...(last === 'STOPPED' ? { exitCode: 0 } : {}),
        networkBindings: [],
        networkInterfaces: last === 'STOPPED' ? [] : [{ attachmentId: c.arn.split('/').pop(), privateIpv4Address: c.ip }],
        healthStatus: 'UNKNOWN',
      })),
    };
  }

  private findTask(region: Region, cluster: Cluster, ref: string): Task | undefined {
    const task = ref.startsWith('arn:') ? region.tasks.get(ref) : [...region.tasks.values()].find((t) => t.id === ref && t.clusterArn === cluster.arn);
    return task && task.clusterArn === cluster.arn ? task : undefined;
  }

  private listTasks(body: Json, region: Region, now: number): Json {
    const cluster = this.findCluster(region, body.cluster);
    const desired = body.desiredStatus ?? 'RUNNING';
    if (desired !== 'RUNNING' && desired !== 'STOPPED' && desired !== 'PENDING') throw new ApiError(400, 'InvalidParameterException', 'desiredStatus must be RUNNING, PENDING or STOPPED.');
    if (body.family !== undefined && typeof body.family !== 'string') throw new ApiError(400, 'InvalidParameterException', 'family must be a string.');
    const tasks = [...region.tasks.values()]
      .filter((t) => t.clusterArn === cluster.arn)
      .filter((t) => body.family === undefined || t.definition.family === body.family)
      .filter((t) => (desired === 'STOPPED' ? t.desiredStatus === 'STOPPED' : desired === 'PENDING' ? t.desiredStatus === 'RUNNING' && this.lastStatus(t, now) !== 'RUNNING' : t.desiredStatus === 'RUNNING'))
      .sort((a, b) => a.seq - b.seq);
    const { items, nextToken } = paginate(tasks, body, region.name, 'tasks');
    return { taskArns: items.map((t) => t.arn), ...(nextToken ? { nextToken } : {}) };
  }

  private describeTasks(body: Json, region: Region, now: number): Json {
    const cluster = this.findCluster(region, body.cluster);
    const refs = stringList(body.tasks, 'tasks');
    if (refs.length === 0) throw new ApiError(400, 'InvalidParameterException', 'Tasks cannot be empty.');
    if (refs.length > 100) throw new ApiError(400, 'InvalidParameterException', 'tasks can have at most 100 items.');
    const tasks: Json[] = [];
    const failures: Json[] = [];
    for (const ref of refs) {
      const task = this.findTask(region, cluster, ref);
      if (task) tasks.push(this.taskJson(task, now));
      else failures.push({ arn: ref.startsWith('arn:') ? ref : this.arn(region, `task/${cluster.name}/${ref}`), reason: 'MISSING' });
    }
    return { tasks, failures };
  }

  private runTask(body: Json, region: Region, now: number): Json {
    const cluster = this.findCluster(region, body.cluster);
    const token = body.clientToken;
    if (token !== undefined && (typeof token !== 'string' || token === '' || token.length > 64)) throw new ApiError(400, 'InvalidParameterException', 'clientToken must be 1 to 64 characters.');
    if (typeof token === 'string' && region.tokens.has(token)) {
      const tasks = region.tokens.get(token)!.flatMap((arn) => (region.tasks.has(arn) ? [this.taskJson(region.tasks.get(arn)!, now)] : []));
      return { tasks, failures: [] };
    }
    const definition = this.findDefinition(region, body.taskDefinition);
    const count = body.count ?? 1;
    if (!Number.isInteger(count) || (count as number) < 1 || (count as number) > 10) throw new ApiError(400, 'InvalidParameterException', 'count must be from 1 to 10.');
    const launchType = body.launchType ?? 'EC2';
    if (launchType !== 'EC2' && launchType !== 'FARGATE' && launchType !== 'EXTERNAL') throw new ApiError(400, 'InvalidParameterException', 'launchType must be EC2, FARGATE or EXTERNAL.');
    if (region.tasks.size + (count as number) > this.options().maxNodes * MAX_TASKS_FACTOR) {
      return { tasks: [], failures: [{ arn: cluster.arn, reason: 'RESOURCE:CPU' }] };
    }
    const made: Task[] = [];
    for (let i = 0; i < (count as number); i++) {
      const id = randomUUID().replace(/-/g, '');
      const arn = this.arn(region, `task/${cluster.name}/${id}`);
      const task: Task = {
        arn,
        id,
        clusterArn: cluster.arn,
        definition,
        createdAt: now,
        seq: ++this.seq,
        launchType: launchType as string,
        containers: definition.containerDefinitions.map((d) => ({
          arn: this.arn(region, `container/${cluster.name}/${id}/${randomUUID()}`),
          name: d.name as string,
          image: d.image as string,
          ip: this.nextIp(),
        })),
        desiredStatus: 'RUNNING',
      };
      region.tasks.set(arn, task);
      made.push(task);
    }
    if (typeof token === 'string') region.tokens.set(token, made.map((t) => t.arn));
    return { tasks: made.map((t) => this.taskJson(t, now)), failures: [] };
  }

  private stopTask(body: Json, region: Region, now: number): Json {
    const cluster = this.findCluster(region, body.cluster);
    if (typeof body.task !== 'string' || body.task === '') throw new ApiError(400, 'InvalidParameterException', 'task is required.');
    const task = this.findTask(region, cluster, body.task);
    if (!task) throw new ApiError(400, 'InvalidParameterException', 'The referenced task was not found.');
    if (task.desiredStatus !== 'STOPPED') {
      task.desiredStatus = 'STOPPED';
      task.stoppedAt = now;
      task.stoppedReason = typeof body.reason === 'string' ? body.reason : 'Task stopped by user';
    }
    return { task: this.taskJson(task, now) };
  }

  private nextIp(): string {
    const n = this.ipCounter++;
    return `10.0.${Math.floor(n / 250) % 250}.${(n % 250) + 2}`;
  }
}

function definitionJson(d: TaskDefinition): Json {
  return {
    taskDefinitionArn: d.arn,
    family: d.family,
    revision: d.revision,
    containerDefinitions: d.containerDefinitions,
    volumes: [],
    status: 'ACTIVE',
    requiresAttributes: [],
    placementConstraints: [],
    compatibilities: ['EC2'],
    registeredAt: d.registeredAt / 1000,
  };
}

function stringList(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new ApiError(400, 'InvalidParameterException', `${name} must be a list of strings.`);
  return value as string[];
}

/** `maxResults` (1..100, default 100) and an opaque `nextToken` naming the last sequence number returned. */
function paginate<T extends { seq: number }>(items: T[], body: Json, region: string, kind: string): { items: T[]; nextToken?: string } {
  const max = body.maxResults ?? 100;
  if (!Number.isInteger(max) || (max as number) < 1 || (max as number) > 100) throw new ApiError(400, 'InvalidParameterException', 'maxResults must be from 1 to 100.');
  let rest = items;
  if (body.nextToken !== undefined) {
    const after = decodeToken(body.nextToken, region, kind);
    rest = items.filter((i) => i.seq > after);
  }
  if (rest.length <= (max as number)) return { items: rest };
  const page = rest.slice(0, max as number);
  return { items: page, nextToken: encodeToken(region, kind, page[page.length - 1]!.seq) };
}

function tokenMac(payload: string): string {
  return createHash('sha256').update(`fake-ecs:${payload}`).digest('hex').slice(0, 16);
}

function encodeToken(region: string, kind: string, seq: number): string {
  const payload = `${region}|${kind}|${seq}`;
  return Buffer.from(`${payload}|${tokenMac(payload)}`).toString('base64');
}

function decodeToken(token: unknown, region: string, kind: string): number {
  if (typeof token === 'string') {
    const parts = Buffer.from(token, 'base64').toString('utf8').split('|');
    if (parts.length === 4 && parts[0] === region && parts[1] === kind && tokenMac(parts.slice(0, 3).join('|')) === parts[3] && /^\d+$/.test(parts[2]!)) return Number(parts[2]);
  }
  throw new ApiError(400, 'InvalidParameterException', 'Invalid nextToken.');
}

function jsonResponse(status: number, body: Json): FakeResponse {
  return { status, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(body) };
}
