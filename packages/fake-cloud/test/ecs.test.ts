/**
 * The fake cloud's ECS over plain HTTP: JSON 1.1 actions signed with SigV4 (service `ecs`), clusters, task
 * definitions, the task lifecycle, paging, client tokens, errors in ECS's format, and routing beside EC2 and S3.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createFakeCloudServer, type FakeCloudServer } from '@dualcloud/fake-cloud';
import { ec2, ecs, s3, send, sendSigned, sleep } from './helpers/http.js';

let server: FakeCloudServer;
let port: number;

beforeAll(async () => {
  server = createFakeCloudServer({ nodeBootMs: 60 });
  port = await server.listen();
});
afterAll(() => server.close());

const ACCOUNT = '123456789012';
const tomcat = { family: 'my-tomcat', containerDefinitions: [{ name: 'my-tomcat', image: 'tomcat:8.0', cpu: 10, memory: 500, essential: true }] };

async function ok(action: string, body: unknown = {}, region = 'us-east-1'): Promise<any> {
  const res = await ecs(port, action, body, region);
  expect(res.headers['content-type']).toBe('application/x-amz-json-1.1');
  if (res.status !== 200) throw new Error(`${action}: ${res.status} ${res.text}`);
  return res.json();
}

async function fails(action: string, body: unknown, status: number, type: string, region = 'us-east-1'): Promise<any> {
  const res = await ecs(port, action, body, region);
  expect(res.status).toBe(status);
  expect(res.json().__type).toBe(type);
  expect(typeof res.json().message).toBe('string');
  expect(res.headers['x-amzn-errortype']).toMatch(new RegExp(`^${type}:`));
  expect(res.headers['x-amzn-requestid']).toMatch(/\S+/);
  return res.json();
}

describe('ECS clusters', () => {
  test('CreateCluster, ListClusters, DescribeClusters (with MISSING failures), DeleteCluster → INACTIVE', async () => {
    const created = (await ok('CreateCluster', { clusterName: 'alpha' }, 'eu-west-1')).cluster;
    expect(created).toMatchObject({ clusterArn: `arn:aws:ecs:eu-west-1:${ACCOUNT}:cluster/alpha`, clusterName: 'alpha', status: 'ACTIVE', runningTasksCount: 0 });
    expect((await ok('CreateCluster', { clusterName: 'alpha' }, 'eu-west-1')).cluster.clusterArn).toBe(created.clusterArn); // idempotent
    expect((await ok('ListClusters', {}, 'eu-west-1')).clusterArns).toEqual([created.clusterArn]);
    expect((await ok('ListClusters', {}, 'eu-west-2')).clusterArns).toEqual([]); // regions are separate
    const described = await ok('DescribeClusters', { clusters: ['alpha', 'ghost'] }, 'eu-west-1');
    expect(described.clusters.map((c: any) => c.clusterName)).toEqual(['alpha']);
    expect(described.failures).toEqual([{ arn: `arn:aws:ecs:eu-west-1:${ACCOUNT}:cluster/ghost`, reason: 'MISSING' }]);
    expect((await ok('DeleteCluster', { cluster: created.clusterArn }, 'eu-west-1')).cluster.status).toBe('INACTIVE');
    expect((await ok('ListClusters', {}, 'eu-west-1')).clusterArns).toEqual([]);
    expect((await ok('DescribeClusters', { clusters: ['alpha'] }, 'eu-west-1')).clusters[0].status).toBe('INACTIVE');
    await fails('DeleteCluster', { cluster: 'alpha' }, 400, 'ClusterNotFoundException', 'eu-west-1');
    await fails('CreateCluster', { clusterName: 'bad name' }, 400, 'InvalidParameterException', 'eu-west-1');
  });

  test('ListClusters pages with maxResults and an opaque nextToken', async () => {
    for (let i = 1; i <= 5; i++) await ok('CreateCluster', { clusterName: `p${i}` }, 'ap-northeast-1');
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await ok('ListClusters', { maxResults: 2, ...(token ? { nextToken: token } : {}) }, 'ap-northeast-1');
      expect(page.clusterArns.length).toBeLessThanOrEqual(2);
      names.push(...page.clusterArns.map((a: string) => a.split('/').pop()));
      token = page.nextToken;
      pages++;
    } while (token && pages < 10);
    expect(pages).toBe(3);
    expect(names).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
    await fails('ListClusters', { maxResults: 0 }, 400, 'InvalidParameterException', 'ap-northeast-1');
    await fails('ListClusters', { nextToken: 'forged' }, 400, 'InvalidParameterException', 'ap-northeast-1');
  });
});

describe('ECS tasks', () => {
  test('RegisterTaskDefinition revisions, RunTask → PROVISIONING → PENDING → RUNNING, StopTask → STOPPED', async () => {
    await ok('CreateCluster', { clusterName: 'default' });
    const first = (await ok('RegisterTaskDefinition', tomcat)).taskDefinition;
    expect(first).toMatchObject({ taskDefinitionArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/my-tomcat:1`, family: 'my-tomcat', revision: 1, status: 'ACTIVE' });
    expect((await ok('RegisterTaskDefinition', tomcat)).taskDefinition.revision).toBe(2);
    const run = await ok('RunTask', { taskDefinition: 'my-tomcat:1', count: 1 });
    expect(run.failures).toEqual([]);
    const [task] = run.tasks;
    expect(task.taskArn).toMatch(new RegExp(`^arn:aws:ecs:us-east-1:${ACCOUNT}:task/default/[0-9a-f]{32}$`));
    expect(task).toMatchObject({ clusterArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/default`, taskDefinitionArn: first.taskDefinitionArn, lastStatus: 'PROVISIONING', desiredStatus: 'RUNNING' });
    expect(task.containers).toHaveLength(1);
    expect(task.containers[0]).toMatchObject({ name: 'my-tomcat', image: 'tomcat:8.0', taskArn: task.taskArn, lastStatus: 'PROVISIONING' });
    expect(task.containers[0].containerArn).toMatch(new RegExp(`:container/default/${task.taskArn.split('/').pop()}/[0-9a-f-]{36}$`));
    // Poll (bounded): the observed statuses only move forward, through PENDING, to RUNNING.
    const order = ['PROVISIONING', 'PENDING', 'RUNNING'];
    const seen: string[] = ['PROVISIONING'];
    for (let i = 0; i < 200 && seen.at(-1) !== 'RUNNING'; i++) {
      await sleep(5);
      const status = (await ok('DescribeTasks', { tasks: [task.taskArn] })).tasks[0].lastStatus;
      if (status !== seen.at(-1)) seen.push(status);
    }
    expect(seen.at(-1)).toBe('RUNNING');
    expect(seen.map((s) => order.indexOf(s))).toEqual([...seen.map((s) => order.indexOf(s))].sort());
    expect(seen.every((s) => order.includes(s))).toBe(true);
    const running = (await ok('DescribeTasks', { tasks: [task.taskArn] })).tasks[0];
    expect(running.lastStatus).toBe('RUNNING');
    expect(running.containers[0].networkInterfaces[0].privateIpv4Address).toMatch(/^10\.0\.\d+\.\d+$/);
    expect(typeof running.startedAt).toBe('number');
    expect((await ok('ListTasks', {})).taskArns).toEqual([task.taskArn]);
    expect((await ok('ListTasks', { family: 'other' })).taskArns).toEqual([]);
    await fails('DeleteCluster', { cluster: 'default' }, 400, 'ClusterContainsTasksException');
    const stopped = (await ok('StopTask', { task: task.taskArn, reason: 'done' })).task;
    expect(stopped).toMatchObject({ lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stoppedReason: 'done' });
    expect((await ok('ListTasks', {})).taskArns).toEqual([]);
    expect((await ok('ListTasks', { desiredStatus: 'STOPPED' })).taskArns).toEqual([task.taskArn]);
    expect((await ok('StopTask', { task: task.taskArn.split('/').pop() })).task.stoppedReason).toBe('done'); // by id; repeat harmless
  });

  test('RunTask: clientToken starts tasks once; count; unknown definitions and clusters', async () => {
    await ok('CreateCluster', { clusterName: 'batch' }, 'us-west-1');
    await ok('RegisterTaskDefinition', tomcat, 'us-west-1');
    const once = await ok('RunTask', { cluster: 'batch', taskDefinition: 'my-tomcat', count: 3, clientToken: 'tok-1' }, 'us-west-1');
    const again = await ok('RunTask', { cluster: 'batch', taskDefinition: 'my-tomcat', count: 3, clientToken: 'tok-1' }, 'us-west-1');
    expect(once.tasks).toHaveLength(3);
    expect(again.tasks.map((t: any) => t.taskArn)).toEqual(once.tasks.map((t: any) => t.taskArn));
    const listed = await ok('ListTasks', { cluster: 'batch', maxResults: 2 }, 'us-west-1');
    expect(listed.taskArns).toHaveLength(2);
    const rest = await ok('ListTasks', { cluster: 'batch', maxResults: 2, nextToken: listed.nextToken }, 'us-west-1');
    expect([...listed.taskArns, ...rest.taskArns]).toEqual(once.tasks.map((t: any) => t.taskArn));
    expect(rest.nextToken).toBeUndefined();
    await fails('RunTask', { cluster: 'batch', taskDefinition: 'nope:1' }, 400, 'ClientException', 'us-west-1');
    await fails('RunTask', { cluster: 'nope', taskDefinition: 'my-tomcat' }, 400, 'ClusterNotFoundException', 'us-west-1');
    await fails('RunTask', { cluster: 'batch', taskDefinition: 'my-tomcat', count: 11 }, 400, 'InvalidParameterException', 'us-west-1');
    await fails('StopTask', { cluster: 'batch', task: 'ffff' }, 400, 'InvalidParameterException', 'us-west-1');
    await fails('DescribeTasks', { cluster: 'batch', tasks: [] }, 400, 'InvalidParameterException', 'us-west-1');
    const missing = await ok('DescribeTasks', { cluster: 'batch', tasks: ['ffff'] }, 'us-west-1');
    expect(missing).toEqual({ tasks: [], failures: [{ arn: `arn:aws:ecs:us-west-1:${ACCOUNT}:task/batch/ffff`, reason: 'MISSING' }] });
    await fails('RegisterTaskDefinition', { family: 'x', containerDefinitions: [] }, 400, 'ClientException', 'us-west-1');
    await fails('RegisterTaskDefinition', { family: 'x', containerDefinitions: [{ name: 'x' }] }, 400, 'ClientException', 'us-west-1');
  });
});

describe('ECS wire', () => {
  test('authentication: unsigned, unknown key, bad signature', async () => {
    const unsigned = await send(port, { method: 'POST', path: '/', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters' }, body: '{}' });
    expect(unsigned.status).not.toBe(200); // no SigV4 scope: not routed to ECS at all
    const unknown = await ecs(port, 'ListClusters', {}, 'us-east-1', { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' });
    expect(unknown.status).toBe(400);
    expect(unknown.json().__type).toBe('UnrecognizedClientException');
    const bad = await ecs(port, 'ListClusters', {}, 'us-east-1', { accessKeyId: 'AKIAFAKECLOUD0000001', secretAccessKey: 'wrong' });
    expect(bad.json().__type).toBe('InvalidSignatureException');
  });

  test('unknown targets, bad content types and bodies are refused in ECS format', async () => {
    await fails('Nope', {}, 400, 'UnknownOperationException');
    await fails('ListClusters', '{not json', 400, 'SerializationException');
    await fails('ListClusters', '[]', 400, 'SerializationException');
    const wrongType = await sendSigned(port, { method: 'POST', path: '/', service: 'ecs', headers: { 'content-type': 'application/json', 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters' }, body: '{}' });
    expect(wrongType.json().__type).toBe('SerializationException');
  });

  test('routing: EC2 and S3 still answer beside ECS; stats count ECS apart', async () => {
    const before = server.stats().byProvider;
    expect((await ec2(port, 'DescribeRegions')).status).toBe(200);
    expect((await s3(port, 'GET', '/')).status).toBe(200);
    await ok('ListClusters');
    const after = server.stats().byProvider;
    expect(after.ecs - before.ecs).toBe(1);
    expect(after.ec2 - before.ec2).toBe(1);
    expect(after.s3 - before.s3).toBe(1);
  });

  test('injected faults answer in ECS format (ServerException, ThrottlingException)', async () => {
    server.configure({ faults: { sequence: ['500', '429'], providers: ['ecs'] } });
    try {
      const e500 = await ecs(port, 'ListClusters');
      expect(e500.status).toBe(500);
      expect(e500.json().__type).toBe('ServerException');
      const e429 = await ecs(port, 'ListClusters');
      expect(e429.status).toBe(429);
      expect(e429.json().__type).toBe('ThrottlingException');
      expect(e429.headers['retry-after']).toBe('1');
    } finally {
      server.configure({ faults: { rate: 0 } });
    }
    expect((await ecs(port, 'ListClusters')).status).toBe(200);
  });
});
