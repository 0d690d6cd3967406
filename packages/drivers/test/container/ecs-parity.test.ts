/**
 * Our parse of the ECS fixtures (ecs/*.json, in the ECS API's documented format) equals Apache Libcloud's (3.4.1)
 * `ElasticContainerDriver`, recorded by test/fixtures/container/ecs_parse.py into ecs_expected.json (the script is
 * also run here, with child_process, when python3-libcloud is installed, to check the recording is current).
 * Compared field by field, requests included.
 *
 * Known, intended differences (normalised below):
 * - Missing values: Libcloud's None is our '' for string fields (`image.id`, `image.version`).
 * - States: Libcloud's `status_map` has only RUNNING (None otherwise); we also map the states before running to
 *   `pending` and STOPPED to `stopped` (checked separately), so Libcloud's None is any of our non-running states.
 * - `ip_addresses`: Libcloud gives None; we read the containers' network interfaces (checked separately).
 * - `image.path`: Libcloud gives None; we give the container's `image` when DescribeTasks reports it.
 * - `extra`: ours holds Libcloud's `taskArn` and `taskDefinitionArn`, plus `clusterArn`, `lastStatus`,
 *   `desiredStatus` (compared on Libcloud's keys).
 * - deployContainer with start: false: Libcloud returns id None in state `running` although no task runs; we
 *   return id '' in state `stopped`.
 * - RunTask: we also send a `clientToken` (idempotent retries); stopContainer returns one container (Libcloud a
 *   list); requests to a cluster name it (`cluster`), which Libcloud leaves to ECS's default.
 * - supportsClusters: Libcloud says False; this driver's cluster calls work, so true.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { http, HttpResponse as MswResponse } from 'msw';
import { setupServer } from 'msw/node';
import { ASYNC_MODE, ContainerImage, ContainerInstance } from '@dualcloud/core';
import { ContainerState, ElasticContainerDriver, type ElasticContainerDriverOptions } from '@dualcloud/drivers/container';

const ROOT = new URL('../fixtures/container/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(`ecs/${name}`, ROOT), 'utf8');
const expected = JSON.parse(readFileSync(new URL('ecs_expected.json', ROOT), 'utf8'));

const FILES: Record<string, string> = {
  ListClusters: 'listclusters.json',
  DescribeClusters: 'describeclusters.json',
  CreateCluster: 'createcluster.json',
  DeleteCluster: 'deletecluster.json',
  ListTasks: 'listtasks.json',
  DescribeTasks: 'describetasks.json',
  RegisterTaskDefinition: 'registertaskdefinition.json',
  RunTask: 'runtask.json',
  StopTask: 'stoptask.json',
};

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

interface Sent {
  target: string | null;
  contentType: string | null;
  body: Record<string, unknown>;
}

/** Answers every ECS action from the same fixture files as the Python recorder; records the requests. */
function ecs(): { driver: ElasticContainerDriver; sent: Sent[] } {
  const sent: Sent[] = [];
  server.use(
    http.post('https://ecs.us-east-1.amazonaws.com/', async ({ request }) => {
      const target = request.headers.get('x-amz-target');
      const body = JSON.parse(await request.text()) as Record<string, unknown>;
      sent.push({ target, contentType: request.headers.get('content-type'), body });
      // Libcloud lists only the running tasks (no desiredStatus); the stopped listing is ours: empty here.
      if (target?.endsWith('.ListTasks') && body.desiredStatus === 'STOPPED') return MswResponse.json({ taskArns: [] });
      return new MswResponse(fixture(FILES[target!.split('.').pop()!]!), { headers: { 'content-type': 'application/x-amz-json-1.1' } });
    }),
  );
  const driver = new ElasticContainerDriver({ key: 'AKIDEXAMPLE', secret: 'secret', region: 'us-east-1', transport: { adapter: 'http' }, [ASYNC_MODE]: true } as ElasticContainerDriverOptions);
  return { driver, sent };
}
async function call<T>(value: T): Promise<T> {
  return await (value as unknown as Promise<T>);
}

type LibcloudContainer = { id: string | null; name: string; state: string | null; ip_addresses: string[] | null; image: { id: null; name: string; path: string | null; version: string | null }; extra: Record<string, string> };

/** Ours, normalised to Libcloud's shape per the differences above. */
function ours(c: ContainerInstance<any>, theirs: LibcloudContainer) {
  return {
    id: c.id,
    name: c.name,
    state: c.state === ContainerState.RUNNING ? c.state : null,
    ip_addresses: null,
    image: { id: c.image.id === '' ? null : c.image.id, name: c.image.name, path: theirs.image.path === null ? null : c.image.path, version: c.image.version === '' ? null : c.image.version },
    extra: Object.fromEntries(Object.keys(theirs.extra).map((k) => [k, c.extra[k]])),
  };
}

function expectContainers(got: ContainerInstance<any>[], theirs: LibcloudContainer[]): void {
  expect(got.length).toBe(theirs.length);
  got.forEach((c, i) => expect(ours(c, theirs[i]!)).toEqual(theirs[i]));
}

describe('ECS parity with Libcloud 3.4.1', () => {
  test('the recording is Libcloud 3.4.1', () => {
    expect(expected.libcloud).toBe('3.4.1');
    expect(expected.statusMap).toEqual({ RUNNING: ContainerState.RUNNING });
  });

  test('listClusters', async () => {
    const { driver } = ecs();
    const clusters = await call(driver.listClusters());
    expect(clusters.map((c) => ({ id: c.id, name: c.name }))).toEqual(expected.listClusters);
  });

  test('createCluster and destroyCluster', async () => {
    const { driver, sent } = ecs();
    const cluster = await call(driver.createCluster('my_cluster'));
    expect({ id: cluster.id, name: cluster.name }).toEqual(expected.createCluster);
    expect(await call(driver.destroyCluster(cluster))).toBe(expected.destroyCluster);
    expect(sent.map((s) => s.body)).toEqual([{ clusterName: 'my_cluster' }, { cluster: expected.createCluster.id }]);
  });

  test('listContainers: one container per task container, same ids, names, states and extras', async () => {
    const { driver } = ecs();
    const containers = await call(driver.listContainers());
    expectContainers(containers, expected.listContainers);
    // What Libcloud leaves None: the IPs from the network interfaces, the image from the task's container.
    expect(containers.map((c) => c.ipAddresses)).toEqual([['10.0.1.12'], [], []]);
    expect(containers.map((c) => c.state)).toEqual([ContainerState.RUNNING, ContainerState.PENDING, ContainerState.STOPPED]);
    expect(containers.map((c) => c.image.path)).toEqual(['tomcat:8.0', '', '']);
  });

  test('getContainer by task ARN (Libcloud: the first container DescribeTasks returns)', async () => {
    const { driver } = ecs();
    const container = await call(driver.getContainer('arn:aws:ecs:us-east-1:012345678910:task/default/0b69d5c0d7a04e9a8a3f4e2e0e5b8f3a'));
    expectContainers([container], [expected.getContainer]);
  });

  test('deployContainer: the same RegisterTaskDefinition and RunTask bodies, the same container', async () => {
    const { driver, sent } = ecs();
    const image = new ContainerImage({ id: '', name: 'tomcat:8.0', path: 'tomcat:8.0', version: '8.0' }, driver);
    const container = await call(driver.deployContainer('my-simple-app', image, { parameters: { containerPort: 8080, hostPort: 80 } }));
    expectContainers([container], [expected.deployContainer]);
    const [register, run] = expected.deployRequests;
    expect(sent[0]).toEqual(register);
    const { clientToken, ...runBody } = sent[1]!.body;
    expect(typeof clientToken).toBe('string');
    expect({ ...sent[1], body: runBody }).toEqual(run);
  });

  test('deployContainer with start: false: the same task definition (state and id differ, as documented)', async () => {
    const { driver, sent } = ecs();
    const image = new ContainerImage({ id: '', name: 'tomcat:8.0', path: 'tomcat:8.0', version: '8.0' }, driver);
    const deployed = await call(driver.deployContainer('my-simple-app', image, { start: false }));
    expect(deployed.name).toBe(expected.deployNoStart.name);
    expect(deployed.extra).toEqual(expected.deployNoStart.extra);
    expect(expected.deployNoStart).toMatchObject({ id: null, state: 'running' });
    expect(deployed).toMatchObject({ id: '', state: ContainerState.STOPPED });
    expect(sent.map((s) => s.body)).toEqual([expected.deployRequests[2].body]);
  });

  test('stopContainer: StopTask of the task ARN; the container as StopTask reports it', async () => {
    const { driver, sent } = ecs();
    const running = await call(driver.startContainer(new ContainerInstance({ id: '', name: 'my-simple-app', image: new ContainerImage({ id: '', name: 'x', path: 'x', version: '' }, driver), state: ContainerState.STOPPED, ipAddresses: [], extra: { taskDefinitionArn: 'arn:aws:ecs:us-east-1:012345678910:task-definition/my-simple-app:1' } }, driver)));
    const stopped = await call(driver.stopContainer(running));
    expectContainers([stopped], expected.stopContainer);
    expect(sent.at(-1)!.body).toEqual({ cluster: 'arn:aws:ecs:us-east-1:012345678910:cluster/default', ...expected.deployRequests[4].body });
  });

  const python = '/usr/bin/python3';
  const libcloudInstalled = existsSync('/usr/lib/python3/dist-packages/libcloud/container/drivers/ecs.py');
  test('the committed recording is what Libcloud answers today (ecs_parse.py run with child_process)', () => {
    expect(libcloudInstalled).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'ecs-parity-'));
    try {
      const out = join(dir, 'expected.json');
      execFileSync(python, [fileURLToPath(new URL('ecs_parse.py', ROOT)), out], { timeout: 60_000, stdio: ['ignore', 'ignore', 'pipe'] });
      expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
