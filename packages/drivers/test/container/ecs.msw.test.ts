/**
 * ECS driver (Design 3 / async mode) against msw: the JSON 1.1 exchange of every call (POST /, X-Amz-Target,
 * Content-Type, SigV4 Authorization, the JSON bodies), parsing of documented responses, empty/single/multi-page
 * lists, each mapped error, and malformed bodies. msw intercepts Node's http module: the `http` adapter is used.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { http, HttpResponse as MswResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  ASYNC_MODE,
  ClusterNotFoundError,
  ContainerCluster,
  ContainerInstance,
  ContainerNotFoundError,
  InvalidArgumentError,
  InvalidCredentialsError,
  MalformedResponseError,
  NotImplementedError,
  ProviderError,
  RateLimitError,
} from '@dualcloud/core';
import { ContainerState, ElasticContainerDriver, type ElasticContainerDriverOptions } from '@dualcloud/drivers/container';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const KEY = 'AKIDEXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const ENDPOINT = 'https://ecs.us-east-1.amazonaws.com/';
const TARGET = 'AmazonEC2ContainerServiceV20141113';
const fixture = (name: string) => readFileSync(new URL(`../fixtures/container/ecs/${name}`, import.meta.url), 'utf8');

interface Seen {
  action: string;
  body: Record<string, unknown>;
  contentType: string | null;
  authorization: string | null;
  target: string | null;
  url: string;
  method: string;
}

type Route = (body: Record<string, any>, n: number) => Response;

/** Routes ECS actions (by X-Amz-Target) to responses; records every request. */
function ecs(routes: Record<string, Route>): Seen[] {
  const seen: Seen[] = [];
  const counts = new Map<string, number>();
  server.use(
    http.post(ENDPOINT, async ({ request }) => {
      const target = request.headers.get('x-amz-target');
      const action = (target ?? '').replace(`${TARGET}.`, '');
      const body = JSON.parse(await request.text()) as Record<string, unknown>;
      seen.push({ action, body, target, contentType: request.headers.get('content-type'), authorization: request.headers.get('authorization'), url: request.url, method: request.method });
      const n = (counts.get(action) ?? 0) + 1;
      counts.set(action, n);
      const route = routes[action];
      return route ? route(body, n) : awsError('UnknownOperationException', 'no route', 400);
    }),
  );
  return seen;
}

function json(body: string | object, status = 200, headers: Record<string, string> = {}): Response {
  return new MswResponse(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': 'application/x-amz-json-1.1', ...headers } });
}
const file = (name: string) => () => json(fixture(name));
function awsError(type: string, message: string, status: number, headers: Record<string, string> = {}): Response {
  return json({ __type: type, message }, status, { 'x-amzn-requestid': 'req-1', ...headers });
}

function driver(options: Partial<ElasticContainerDriverOptions> = {}): ElasticContainerDriver {
  return new ElasticContainerDriver({ key: KEY, secret: SECRET, region: 'us-east-1', transport: { adapter: 'http' }, retry: { baseDelayMs: 1, maxDelayMs: 2 }, ...options, [ASYNC_MODE]: true } as ElasticContainerDriverOptions);
}
/** A Design 3 driver's call, awaited and typed as the sync result. */
async function call<T>(value: T): Promise<T> {
  expect(value).toBeInstanceOf(Promise);
  return await (value as unknown as Promise<T>);
}

function expectEcsRequest(seen: Seen, action: string): void {
  expect(seen.method).toBe('POST');
  expect(seen.url).toBe(ENDPOINT);
  expect(seen.target).toBe(`${TARGET}.${action}`);
  expect(seen.contentType).toBe('application/x-amz-json-1.1');
  expect(seen.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${KEY}/\\d{8}/us-east-1/ecs/aws4_request, SignedHeaders=[a-z0-9;-]*x-amz-target[a-z0-9;-]*, Signature=[0-9a-f]{64}$`));
}

const CLUSTER_ARN = 'arn:aws:ecs:us-east-1:012345678910:cluster/default';

describe('clusters', () => {
  test('listClusters: ListClusters then DescribeClusters of the ARNs', async () => {
    const seen = ecs({ ListClusters: file('listclusters.json'), DescribeClusters: file('describeclusters.json') });
    const clusters = await call(driver().listClusters());
    expect(seen.map((s) => s.action)).toEqual(['ListClusters', 'DescribeClusters']);
    expectEcsRequest(seen[0]!, 'ListClusters');
    expect(seen[0]!.body).toEqual({});
    expect(seen[1]!.body).toEqual({ clusters: [CLUSTER_ARN, 'arn:aws:ecs:us-east-1:012345678910:cluster/jenkins'] });
    expect(clusters.map((c) => [c.id, c.name])).toEqual([
      [CLUSTER_ARN, 'default'],
      ['arn:aws:ecs:us-east-1:012345678910:cluster/jenkins', 'jenkins'],
    ]);
    expect(clusters[1]!.extra).toEqual({ status: 'ACTIVE', runningTasksCount: 3, pendingTasksCount: 1, activeServicesCount: 0, registeredContainerInstancesCount: 2 });
  });

  test('listClusters: empty list sends no DescribeClusters', async () => {
    const seen = ecs({ ListClusters: () => json({ clusterArns: [] }) });
    expect(await call(driver().listClusters())).toEqual([]);
    expect(seen.map((s) => s.action)).toEqual(['ListClusters']);
  });

  test('listClusters: follows nextToken with maxResults = pageSize', async () => {
    const arn = (n: number) => `arn:aws:ecs:us-east-1:012345678910:cluster/c${n}`;
    const seen = ecs({
      ListClusters: (b) => (b.nextToken === undefined ? json({ clusterArns: [arn(1), arn(2)], nextToken: 'page2' }) : b.nextToken === 'page2' ? json({ clusterArns: [arn(3)], nextToken: '' }) : json({}, 500)),
      DescribeClusters: (b) => json({ clusters: (b.clusters as string[]).map((c) => ({ clusterArn: c, clusterName: c.split('/').pop() })), failures: [] }),
    });
    const clusters = await call(driver({ pageSize: 2 }).listClusters());
    expect(clusters.map((c) => c.name)).toEqual(['c1', 'c2', 'c3']);
    expect(seen.map((s) => s.body)).toEqual([{ maxResults: 2 }, { nextToken: 'page2', maxResults: 2 }, { clusters: [arn(1), arn(2), arn(3)] }]);
  });

  test('listClusters: a repeated nextToken stops with MalformedResponseError', async () => {
    ecs({ ListClusters: () => json({ clusterArns: ['a'], nextToken: 'same' }) });
    await expect(call(driver().listClusters())).rejects.toBeInstanceOf(MalformedResponseError);
  });

  test('createCluster, getCluster, destroyCluster', async () => {
    const seen = ecs({
      CreateCluster: file('createcluster.json'),
      DescribeClusters: (b) => (b.clusters[0] === 'my_cluster' ? json({ clusters: [JSON.parse(fixture('createcluster.json')).cluster], failures: [] }) : json({ clusters: [], failures: [{ arn: b.clusters[0], reason: 'MISSING' }] })),
      DeleteCluster: file('deletecluster.json'),
    });
    const d = driver();
    const cluster = await call(d.createCluster('my_cluster'));
    expect(cluster).toMatchObject({ id: 'arn:aws:ecs:us-east-1:012345678910:cluster/my_cluster', name: 'my_cluster' });
    expect(seen[0]!.body).toEqual({ clusterName: 'my_cluster' });
    expectEcsRequest(seen[0]!, 'CreateCluster');
    expect((await call(d.getCluster('my_cluster'))).id).toBe(cluster.id);
    await expect(call(d.getCluster('nope'))).rejects.toBeInstanceOf(ClusterNotFoundError);
    expect(await call(d.destroyCluster(cluster))).toBe(true);
    expect(seen.at(-1)!.body).toEqual({ cluster: cluster.id });
    expectEcsRequest(seen.at(-1)!, 'DeleteCluster');
  });

  test('bad arguments are refused before sending', async () => {
    const seen = ecs({});
    const d = driver();
    await expect(call(d.createCluster('bad name!'))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(call(d.destroyCluster({ id: 'x' } as never))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(call(d.getCluster(''))).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(seen).toEqual([]);
  });
});

describe('containers', () => {
  test('listContainers: ListTasks (running, then stopped) and DescribeTasks; one Container per task container', async () => {
    const seen = ecs({
      ListTasks: (b) => (b.desiredStatus === 'STOPPED' ? json({ taskArns: [] }) : file('listtasks.json')()),
      DescribeTasks: file('describetasks.json'),
    });
    const containers = await call(driver().listContainers());
    expect(seen.map((s) => [s.action, s.body])).toEqual([
      ['ListTasks', { cluster: 'default' }],
      ['ListTasks', { cluster: 'default', desiredStatus: 'STOPPED' }],
      ['DescribeTasks', { cluster: 'default', tasks: JSON.parse(fixture('listtasks.json')).taskArns }],
    ]);
    expectEcsRequest(seen[2]!, 'DescribeTasks');
    expect(containers.map((c) => [c.name, c.state])).toEqual([
      ['simple-app', ContainerState.RUNNING],
      ['busybox', ContainerState.PENDING],
      ['web', ContainerState.STOPPED],
    ]);
    const [first] = containers;
    expect(first!.id).toBe('arn:aws:ecs:us-east-1:012345678910:container/default/0b69d5c0d7a04e9a8a3f4e2e0e5b8f3a/76c980a8-2454-4a9c-acc4-9eb103117273');
    expect(first!.ipAddresses).toEqual(['10.0.1.12']);
    expect(first!.image).toMatchObject({ id: '', name: 'simple-app', path: 'tomcat:8.0', version: '' });
    expect(first!.extra).toEqual({
      taskArn: 'arn:aws:ecs:us-east-1:012345678910:task/default/0b69d5c0d7a04e9a8a3f4e2e0e5b8f3a',
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:012345678910:task-definition/console-sample-app-static:6',
      clusterArn: CLUSTER_ARN,
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
    });
  });

  test('listContainers: empty cluster, family filter, all: false, paging', async () => {
    const arn = (n: number) => `arn:aws:ecs:us-east-1:012345678910:task/web/${String(n).padStart(32, '0')}`;
    const seen = ecs({
      ListTasks: (b) => (b.nextToken === undefined ? json({ taskArns: [arn(1)], nextToken: 't2' }) : json({ taskArns: [arn(2)] })),
      DescribeTasks: (b) => json({ tasks: (b.tasks as string[]).map((t) => ({ taskArn: t, taskDefinitionArn: 'td', desiredStatus: 'RUNNING', containers: [{ containerArn: `${t}-c`, taskArn: t, name: 'app', lastStatus: 'RUNNING' }] })), failures: [] }),
    });
    const d = driver({ pageSize: 1 });
    const web = new ContainerCluster({ id: 'arn:aws:ecs:us-east-1:012345678910:cluster/web', name: 'web' }, d as never);
    const containers = await call(d.listContainers({ cluster: web, all: false, image: d.imageFor('app') }));
    expect(containers.map((c) => c.extra.taskArn)).toEqual([arn(1), arn(2)]);
    expect(seen.map((s) => s.body)).toEqual([
      { cluster: web.id, family: 'app', maxResults: 1 },
      { cluster: web.id, family: 'app', nextToken: 't2', maxResults: 1 },
      { cluster: web.id, tasks: [arn(1), arn(2)] },
    ]);
    server.resetHandlers();
    const empty = ecs({ ListTasks: () => json({ taskArns: [] }) });
    expect(await call(driver().listContainers())).toEqual([]);
    expect(empty.map((s) => s.action)).toEqual(['ListTasks', 'ListTasks']);
  });

  test('deployContainer: RegisterTaskDefinition as Libcloud builds it, then RunTask with a clientToken', async () => {
    const seen = ecs({ RegisterTaskDefinition: file('registertaskdefinition.json'), RunTask: file('runtask.json') });
    const d = driver();
    const container = await call(d.deployContainer('my-simple-app', d.imageFor('tomcat:8.0'), { parameters: { containerPort: 8080, hostPort: 80 } }));
    expect(seen.map((s) => s.action)).toEqual(['RegisterTaskDefinition', 'RunTask']);
    expectEcsRequest(seen[0]!, 'RegisterTaskDefinition');
    expect(seen[0]!.body).toEqual({
      containerDefinitions: [
        { mountPoints: [], name: 'my-simple-app', image: 'tomcat:8.0', cpu: 10, environment: [], memory: 500, portMappings: [{ containerPort: 8080, hostPort: 80 }], essential: true, volumesFrom: [] },
      ],
      family: 'my-simple-app',
    });
    expectEcsRequest(seen[1]!, 'RunTask');
    expect(seen[1]!.body).toEqual({ count: 1, taskDefinition: 'arn:aws:ecs:us-east-1:012345678910:task-definition/my-simple-app:1', clientToken: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(container).toMatchObject({
      id: 'arn:aws:ecs:us-east-1:012345678910:container/default/a9f21ea7c9024ae9a4e6b6d7e1d5e5f8/e76594d4-27e1-4c74-98b5-46a6435eb769',
      name: 'my-simple-app',
      state: ContainerState.PENDING,
      extra: { taskDefinitionArn: 'arn:aws:ecs:us-east-1:012345678910:task-definition/my-simple-app:1', lastStatus: 'PENDING' },
    });
  });

  test('deployContainer: cluster, parameters (ECR image, env, command, portMappings, cpu, memory, count) and start: false', async () => {
    const seen = ecs({ RegisterTaskDefinition: file('registertaskdefinition.json'), RunTask: file('runtask.json') });
    const d = driver();
    const cluster = new ContainerCluster({ id: CLUSTER_ARN, name: 'default' }, d as never);
    const ecr = '123456789012.dkr.ecr.us-east-1.amazonaws.com/repo:tag';
    await call(
      d.deployContainer('app', d.imageFor(ecr), {
        cluster,
        parameters: { cpu: 256, memory: 512, portMappings: [{ containerPort: 80, protocol: 'tcp' }], environment: { A: '1' }, command: ['run'], count: 2, launchType: 'FARGATE', clientToken: 'tok-1' },
      }),
    );
    expect(seen[0]!.body.containerDefinitions).toEqual([
      { mountPoints: [], name: 'app', image: ecr, cpu: 256, environment: [{ name: 'A', value: '1' }], memory: 512, portMappings: [{ containerPort: 80, protocol: 'tcp' }], essential: true, volumesFrom: [], command: ['run'] },
    ]);
    expect(seen[1]!.body).toEqual({ cluster: CLUSTER_ARN, count: 2, taskDefinition: 'arn:aws:ecs:us-east-1:012345678910:task-definition/my-simple-app:1', launchType: 'FARGATE', clientToken: 'tok-1' });
    seen.length = 0;
    const idle = await call(d.deployContainer('app', d.imageFor('nginx'), { start: false }));
    expect(seen.map((s) => s.action)).toEqual(['RegisterTaskDefinition']);
    expect(idle).toMatchObject({ id: '', state: ContainerState.STOPPED, extra: { taskDefinitionArn: 'arn:aws:ecs:us-east-1:012345678910:task-definition/my-simple-app:1' } });
    seen.length = 0;
    await expect(call(d.deployContainer('app', d.imageFor('nginx'), { parameters: { memory: 'lots' } as never }))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(call(d.deployContainer('bad name', d.imageFor('nginx')))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(call(d.deployContainer('app', 'nginx' as never))).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(seen).toEqual([]);
  });

  test('deployContainer: RunTask failures without tasks are a ProviderError naming the reason', async () => {
    ecs({ RegisterTaskDefinition: file('registertaskdefinition.json'), RunTask: () => json({ tasks: [], failures: [{ arn: CLUSTER_ARN, reason: 'RESOURCE:MEMORY' }] }) });
    const d = driver();
    await expect(call(d.deployContainer('app', d.imageFor('nginx')))).rejects.toThrow(/RESOURCE:MEMORY/);
  });

  test('getContainer: by container ARN (task and cluster derived), by task ARN; missing → ContainerNotFoundError', async () => {
    const seen = ecs({ DescribeTasks: (b) => (b.tasks[0].endsWith('0b69d5c0d7a04e9a8a3f4e2e0e5b8f3a') ? json({ tasks: [JSON.parse(fixture('describetasks.json')).tasks[0]], failures: [] }) : json({ tasks: [], failures: [{ arn: b.tasks[0], reason: 'MISSING' }] })) });
    const d = driver();
    const busybox = 'arn:aws:ecs:us-east-1:012345678910:container/default/0b69d5c0d7a04e9a8a3f4e2e0e5b8f3a/e443d1c6-0b35-4d5b-bf6a-6a2b5b6e4e4c';
    expect((await call(d.getContainer(busybox))).name).toBe('busybox');
    expect(seen[0]!.body).toEqual({ cluster: 'default', tasks: ['arn:aws:ecs:us-east-1:012345678910:task/default/0b69d5c0d7a04e9a8a3f4e2e0e5b8f3a'] });
    expect((await call(d.getContainer('arn:aws:ecs:us-east-1:012345678910:task/default/0b69d5c0d7a04e9a8a3f4e2e0e5b8f3a'))).name).toBe('simple-app');
    await expect(call(d.getContainer('arn:aws:ecs:us-east-1:012345678910:task/default/ffff'))).rejects.toBeInstanceOf(ContainerNotFoundError);
    await expect(call(d.getContainer('0123'))).rejects.toBeInstanceOf(ContainerNotFoundError);
    expect(seen.at(-1)!.body).toEqual({ tasks: ['0123'] });
  });

  test('getContainer in a cluster that does not exist is ContainerNotFoundError; an INACTIVE cluster is ClusterNotFoundError', async () => {
    ecs({
      DescribeTasks: () => awsError('ClusterNotFoundException', 'Cluster not found.', 400),
      DescribeClusters: () => json({ clusters: [JSON.parse(fixture('deletecluster.json')).cluster], failures: [] }),
    });
    const d = driver();
    const error = await call(d.getContainer('arn:aws:ecs:us-east-1:012345678910:task/gone/0123')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContainerNotFoundError);
    expect(error).toMatchObject({ code: 'ClusterNotFoundException', status: 400 });
    await expect(call(d.getCluster('my_cluster'))).rejects.toMatchObject({ code: 'INACTIVE' });
    await expect(call(d.getCluster('my_cluster'))).rejects.toBeInstanceOf(ClusterNotFoundError);
  });

  test('stop, destroy, start and restart', async () => {
    const seen = ecs({ StopTask: file('stoptask.json'), RunTask: file('runtask.json') });
    const d = driver();
    const container = new ContainerInstance(
      {
        id: 'arn:aws:ecs:us-east-1:012345678910:container/default/a9f21ea7c9024ae9a4e6b6d7e1d5e5f8/e76594d4-27e1-4c74-98b5-46a6435eb769',
        name: 'my-simple-app',
        image: d.imageFor('tomcat:8.0'),
        state: ContainerState.RUNNING,
        ipAddresses: [],
        extra: { taskArn: 'arn:aws:ecs:us-east-1:012345678910:task/default/a9f21ea7c9024ae9a4e6b6d7e1d5e5f8', taskDefinitionArn: 'arn:aws:ecs:us-east-1:012345678910:task-definition/my-simple-app:1', clusterArn: CLUSTER_ARN },
      },
      d,
    );
    const stopped = await call(d.stopContainer(container));
    expect(stopped.id).toBe(container.id);
    expect(stopped.extra.desiredStatus).toBe('STOPPED');
    expectEcsRequest(seen[0]!, 'StopTask');
    expect(seen[0]!.body).toEqual({ cluster: CLUSTER_ARN, task: container.extra.taskArn });
    expect(await call(d.destroyContainer(container))).toBe(true);
    expect(seen[1]!.action).toBe('StopTask');
    seen.length = 0;
    await call(d.startContainer(container));
    expect(seen.map((s) => [s.action, s.body.cluster, s.body.taskDefinition])).toEqual([['RunTask', CLUSTER_ARN, container.extra.taskDefinitionArn]]);
    seen.length = 0;
    await call(d.restartContainer(container));
    expect(seen.map((s) => s.action)).toEqual(['StopTask', 'RunTask']);
  });

  test('installImage and listImages are not implemented (nothing sent); listLocations lists regions without a request', async () => {
    const seen = ecs({});
    const d = driver();
    await expect(call(d.installImage('tomcat:8.0'))).rejects.toBeInstanceOf(NotImplementedError);
    await expect(call(d.listImages())).rejects.toBeInstanceOf(NotImplementedError);
    const locations = await call(d.listLocations());
    expect(locations.find((l) => l.id === 'eu-west-1')).toMatchObject({ id: 'eu-west-1', name: 'eu-west-1', country: 'Ireland' });
    expect(seen).toEqual([]);
  });
});

describe('errors', () => {
  const cases: [string, number, new (...args: any[]) => Error, boolean][] = [
    ['ClusterNotFoundException', 400, ClusterNotFoundError, false],
    ['InvalidParameterException', 400, InvalidArgumentError, false],
    ['ClientException', 400, ProviderError, false],
    ['UnrecognizedClientException', 400, InvalidCredentialsError, false],
    ['InvalidSignatureException', 400, InvalidCredentialsError, false],
    ['AccessDeniedException', 400, InvalidCredentialsError, false],
    ['ThrottlingException', 400, RateLimitError, true],
    ['ServerException', 500, ProviderError, true],
  ];
  test.each(cases)('%s (%d) → %p', async (type, status, cls, retried) => {
    const seen = ecs({ ListClusters: () => awsError(type, `a ${type}`, status) });
    const error = await call(driver({ retry: { baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 2 } }).listClusters()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(cls);
    expect(error).toMatchObject({ code: type, status, requestId: 'req-1' });
    expect(String((error as Error).message)).toContain(`a ${type}`);
    expect(seen.length).toBe(retried ? 2 : 1);
  });

  test('the namespace of __type and the x-amzn-ErrorType header give the code too', async () => {
    ecs({ ListClusters: () => json({ __type: 'com.amazonaws.ecs#ClusterNotFoundException', Message: 'gone' }, 400) });
    await expect(call(driver().listClusters())).rejects.toMatchObject({ code: 'ClusterNotFoundException', message: expect.stringContaining('gone') });
    server.resetHandlers();
    ecs({ ListClusters: () => new MswResponse('{}', { status: 400, headers: { 'x-amzn-errortype': 'ClusterNotFoundException:http://internal.amazon.com/coral/com.amazonaws.ecs/' } }) });
    await expect(call(driver().listClusters())).rejects.toBeInstanceOf(ClusterNotFoundError);
    server.resetHandlers();
    ecs({ ListClusters: () => new MswResponse('<html>bad gateway</html>', { status: 400, headers: { 'x-amzn-errortype': 'ThrottlingException' } }) });
    await expect(call(driver({ retry: { maxAttempts: 1 } }).listClusters())).rejects.toBeInstanceOf(RateLimitError);
  });

  test.each([
    ['HTML', '<html><body>502 Bad Gateway</body></html>'],
    ['truncated JSON', '{"clusterArns": ["arn:aws:ecs:us-east-1:0'],
    ['a JSON array', '[]'],
    ['no clusterArns', '{}'],
    ['non-string ARNs', '{"clusterArns": [1]}'],
  ])('a 200 with %s is a MalformedResponseError', async (_what, body) => {
    ecs({ ListClusters: () => new MswResponse(body, { status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' } }) });
    await expect(call(driver().listClusters())).rejects.toBeInstanceOf(MalformedResponseError);
  });

  test('malformed task documents are MalformedResponseError, not TypeError', async () => {
    for (const doc of [{ tasks: [{ containers: 'x' }] }, { tasks: [null] }, { tasks: [{ containers: [{ name: 'a' }] }] }, { failures: [] }]) {
      server.resetHandlers();
      ecs({ ListTasks: (b) => json({ taskArns: b.desiredStatus ? [] : ['t'] }), DescribeTasks: () => json(doc) });
      await expect(call(driver().listContainers())).rejects.toBeInstanceOf(MalformedResponseError);
    }
  });

  test('an HTML error page without an ECS code follows the status', async () => {
    ecs({ ListClusters: () => new MswResponse('<html>oops</html>', { status: 503, headers: { 'content-type': 'text/html' } }) });
    await expect(call(driver({ retry: { maxAttempts: 1 } }).listClusters())).rejects.toBeInstanceOf(ProviderError);
  });
});
