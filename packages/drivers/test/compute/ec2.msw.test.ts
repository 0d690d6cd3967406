/**
 * EC2 driver in async mode against msw: request shapes, parsing of realistic responses, paging, errors.
 * msw intercepts Node's http module, so the drivers use the `http` adapter here.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { http, HttpResponse as MswResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  ASYNC_MODE,
  InvalidArgumentError,
  InvalidCredentialsError,
  MalformedResponseError,
  NodeNotFoundError,
  ProviderError,
  RateLimitError,
  RequestError,
  TimeoutError,
} from '@dualcloud/core';
import { EC2NodeDriver, getDriver, NodeState, Provider, type EC2NodeDriverOptions, type Node } from '@dualcloud/drivers/compute';
import { fixture, promised } from './helpers/fixtures.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const KEY = 'AKIDEXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const ENDPOINT = 'https://ec2.us-east-1.amazonaws.com/';

interface Seen {
  params: URLSearchParams;
  contentType: string | null;
  authorization: string | null;
  url: string;
}

/** Routes EC2 actions to fixture documents; records every request. */
function ec2(routes: Record<string, (params: URLSearchParams, n: number) => Response>, endpoint = ENDPOINT): Seen[] {
  const seen: Seen[] = [];
  const counts = new Map<string, number>();
  server.use(
    http.post(endpoint, async ({ request }) => {
      const params = new URLSearchParams(await request.text());
      seen.push({ params, contentType: request.headers.get('content-type'), authorization: request.headers.get('authorization'), url: request.url });
      const action = params.get('Action') ?? '';
      const n = (counts.get(action) ?? 0) + 1;
      counts.set(action, n);
      const route = routes[action];
      return route ? route(params, n) : xml(fixture('ec2/error_auth_failure.xml').replace('AuthFailure', 'InvalidAction'), 400);
    }),
  );
  return seen;
}

function xml(body: string, status = 200, headers: Record<string, string> = {}): Response {
  return new MswResponse(body, { status, headers: { 'content-type': 'text/xml;charset=UTF-8', ...headers } });
}
const file = (name: string, status = 200) => () => xml(fixture(`ec2/${name}`), status);

function driver(options: Partial<EC2NodeDriverOptions> = {}): EC2NodeDriver {
  const Driver = getDriver(Provider.EC2);
  return new Driver({
    key: KEY,
    secret: SECRET,
    region: 'us-east-1',
    transport: { adapter: 'http' },
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
    ...options,
    [ASYNC_MODE]: true,
  } as EC2NodeDriverOptions);
}

describe('EC2 listNodes', () => {
  test('parses DescribeInstances: ids, Name tags, Libcloud states, public/private and elastic IPs', async () => {
    const seen = ec2({ DescribeInstances: file('describe_instances.xml') });
    const nodes = await promised(driver().listNodes());
    expect(nodes.map((n) => [n.id, n.name, n.state, n.publicIps, n.privateIps])).toEqual([
      ['i-0123456789abcdef0', 'web-1', NodeState.RUNNING, ['203.0.113.10', '198.51.100.88'], ['10.0.1.12']],
      ['i-0fedcba9876543210', 'i-0fedcba9876543210', NodeState.PENDING, [], []],
      ['i-0aaaabbbbccccdddd', 'batch & reports', NodeState.STOPPED, ['198.51.100.77'], ['10.0.2.7']],
      ['i-0eeeeffff00001111', 'old-worker', NodeState.TERMINATED, [], []],
    ]);
    const web = nodes[0]!;
    expect(web.size).toBe('t3.micro');
    expect(web.image).toBe('ami-0abcdef1234567890');
    expect(web.createdAt?.toISOString()).toBe('2026-11-20T09:15:42.000Z');
    expect(web.extra).toMatchObject({
      status: 'running',
      availability: 'us-east-1a',
      keyName: 'deploy-key',
      vpcId: 'vpc-0a1b2c3d',
      tags: { Name: 'web-1', team: 'platform' },
      groups: [{ groupId: 'sg-0a1b2c3d4e5f60001', groupName: 'web' }],
    });
    expect(web.driver).toBeInstanceOf(EC2NodeDriver);
    // One form-encoded, signed POST per page.
    expect(seen).toHaveLength(1);
    expect(seen[0]!.contentType).toBe('application/x-www-form-urlencoded; charset=utf-8');
    expect(Object.fromEntries(seen[0]!.params)).toEqual({ Action: 'DescribeInstances', Version: '2016-11-15' });
    expect(seen[0]!.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${KEY}/\\d{8}/us-east-1/ec2/aws4_request, SignedHeaders=`));
  });

  test('an empty reservation set is an empty list', async () => {
    ec2({ DescribeInstances: file('describe_instances_empty.xml') });
    await expect(promised(driver().listNodes())).resolves.toEqual([]);
  });

  test('follows nextToken across pages and sends MaxResults when pageSize is set', async () => {
    const seen = ec2({
      DescribeInstances: (p) => xml(fixture(p.get('NextToken') ? 'ec2/describe_instances_page2.xml' : 'ec2/describe_instances_page1.xml')),
    });
    const nodes = await promised(driver({ pageSize: 5 }).listNodes());
    expect(nodes.map((n) => n.name)).toEqual(['paged-1', 'paged-2']);
    expect(seen.map((s) => [s.params.get('MaxResults'), s.params.get('NextToken')])).toEqual([
      ['5', null],
      ['5', 'eyJ2IjoiMiIsImMiOiJwYWdlMiJ9'],
    ]);
  });

  test('a provider repeating its nextToken fails with MalformedResponseError instead of looping', async () => {
    const seen = ec2({ DescribeInstances: file('describe_instances_page1.xml') });
    await expect(promised(driver().listNodes())).rejects.toBeInstanceOf(MalformedResponseError);
    expect(seen).toHaveLength(2);
  });

  test('rejects an invalid pageSize or region, and missing credentials', () => {
    expect(() => driver({ pageSize: 2 })).toThrow(InvalidArgumentError);
    expect(() => driver({ region: 'not a region' })).toThrow(InvalidArgumentError);
    expect(() => new EC2NodeDriver({ key: KEY } as EC2NodeDriverOptions)).toThrow(InvalidArgumentError);
  });
});

describe('EC2 images, sizes, locations, regions', () => {
  test('listImages parses DescribeImages and sends the ex filters', async () => {
    const seen = ec2({ DescribeImages: file('describe_images.xml') });
    const images = await promised(
      driver().listImages({ owners: ['self', 'amazon'], imageIds: ['ami-0abcdef1234567890'], filters: { architecture: ['x86_64', 'arm64'], 'image-type': 'machine' } }),
    );
    expect(images.map((i) => [i.id, i.name])).toEqual([
      ['ami-0abcdef1234567890', 'al2023-ami-2023.6.20241121.0-kernel-6.1-x86_64'],
      ['ami-0fedcba9876543210', 'team-base-2026-11'],
    ]);
    expect(images[0]!.extra).toMatchObject({ ownerAlias: 'amazon', isPublic: 'true', architecture: 'x86_64', state: 'available' });
    expect(images[1]!.extra.tags).toEqual({ team: 'platform' });
    expect(Object.fromEntries(seen[0]!.params)).toEqual({
      Action: 'DescribeImages',
      Version: '2016-11-15',
      'Owner.1': 'self',
      'Owner.2': 'amazon',
      'ImageId.1': 'ami-0abcdef1234567890',
      'Filter.1.Name': 'architecture',
      'Filter.1.Value.1': 'x86_64',
      'Filter.1.Value.2': 'arm64',
      'Filter.2.Name': 'image-type',
      'Filter.2.Value.1': 'machine',
    });
  });

  test('listImages with no images is empty', async () => {
    ec2({ DescribeImages: file('describe_images_empty.xml') });
    await expect(promised(driver().listImages())).resolves.toEqual([]);
  });

  test('listSizes is the static instance type table and sends nothing', async () => {
    const sizes = await promised(driver().listSizes());
    expect(sizes.find((s) => s.id === 't3.micro')).toMatchObject({ name: 't3.micro', ram: 1024, disk: 0, bandwidth: 5, extra: { vcpus: 2 } });
    expect(sizes.length).toBeGreaterThanOrEqual(20);
  });

  test('listLocations asks for the available zones of the region', async () => {
    const seen = ec2({ DescribeAvailabilityZones: file('describe_availability_zones.xml') });
    const locations = await promised(driver().listLocations());
    expect(locations.map((l) => [l.id, l.name, l.country])).toEqual([
      ['0', 'us-east-1a', 'USA'],
      ['1', 'us-east-1b', 'USA'],
      ['2', 'us-east-1c', 'USA'],
    ]);
    expect(locations[0]!.extra).toMatchObject({ regionName: 'us-east-1', zoneId: 'use1-az4' });
    expect(Object.fromEntries(seen[0]!.params)).toMatchObject({
      'Filter.1.Name': 'region-name',
      'Filter.1.Value.1': 'us-east-1',
      'Filter.2.Name': 'state',
      'Filter.2.Value.1': 'available',
    });
  });

  test('listRegions is an extra call method, also reachable by design packages', async () => {
    ec2({ DescribeRegions: file('describe_regions.xml') });
    expect(EC2NodeDriver.methodKinds.listRegions).toBe('call');
    expect(EC2NodeDriver.methodKinds.listNodes).toBe('call');
    const d = driver();
    await expect(promised(d.listRegions())).resolves.toEqual(['eu-west-1', 'us-east-1', 'us-west-2']);
    await expect(d.callAsync('listRegions', [])).resolves.toEqual(['eu-west-1', 'us-east-1', 'us-west-2']);
  });

  test('honours host, port and secure', async () => {
    const seen = ec2({ DescribeRegions: file('describe_regions.xml') }, 'http://ec2.internal.test:8773/');
    await promised(driver({ host: 'ec2.internal.test', port: 8773, secure: false }).listRegions());
    expect(seen[0]!.url).toBe('http://ec2.internal.test:8773/');
  });
});

describe('EC2 node lifecycle', () => {
  test('createNode sends RunInstances with a per-call ClientToken, the Name tag and the zone', async () => {
    const seen = ec2({ RunInstances: file('run_instances.xml') });
    const d = driver();
    const sizes = await promised(d.listSizes());
    const t3 = sizes.find((s) => s.id === 't3.micro')!;
    const image = { id: 'ami-0abcdef1234567890', name: 'al2023', driver: d, extra: {} };
    const location = { id: '0', name: 'us-east-1a', country: 'USA', driver: d, extra: { regionName: 'us-east-1' } };
    const node = await promised(d.createNode({ name: 'web-2', size: t3, image, location, ex: { keyName: 'deploy-key', securityGroupIds: ['sg-1'], userData: '#!/bin/sh\necho hi' } }));
    await promised(d.createNode({ name: 'web-3', size: t3, image }));
    expect([node.id, node.name, node.state, node.privateIps]).toEqual(['i-0123456789abc0099', 'web-2', NodeState.PENDING, ['10.0.1.99']]);
    const [first, second] = seen.map((s) => Object.fromEntries(s.params));
    expect(first).toMatchObject({
      Action: 'RunInstances',
      ImageId: 'ami-0abcdef1234567890',
      InstanceType: 't3.micro',
      MinCount: '1',
      MaxCount: '1',
      'Placement.AvailabilityZone': 'us-east-1a',
      KeyName: 'deploy-key',
      'SecurityGroupId.1': 'sg-1',
      UserData: Buffer.from('#!/bin/sh\necho hi').toString('base64'),
      'TagSpecification.1.ResourceType': 'instance',
      'TagSpecification.1.Tag.1.Key': 'Name',
      'TagSpecification.1.Tag.1.Value': 'web-2',
    });
    expect(first!.ClientToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(second!.ClientToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(second!.ClientToken).not.toBe(first!.ClientToken);
  });

  test('a RunInstances that failed with 503 is retried with the same ClientToken (one instance)', async () => {
    const seen = ec2({
      RunInstances: (_p, n) => (n === 1 ? xml('<Response><Errors><Error><Code>Unavailable</Code><Message>busy</Message></Error></Errors></Response>', 503) : xml(fixture('ec2/run_instances.xml'))),
    });
    const d = driver();
    const node = await promised(d.createNode({ name: 'web-2', size: (await promised(d.listSizes()))[0]!, image: { id: 'ami-0abcdef1234567890', name: '', driver: d, extra: {} } }));
    expect(node.id).toBe('i-0123456789abc0099');
    expect(seen).toHaveLength(2);
    expect(seen[1]!.params.get('ClientToken')).toBe(seen[0]!.params.get('ClientToken'));
  });

  test('createNode refuses a zone of another region without sending anything', async () => {
    const d = driver();
    const sizes = await promised(d.listSizes());
    const location = { id: '0', name: 'eu-west-1a', country: '', driver: d, extra: { regionName: 'eu-west-1' } };
    await expect(promised(d.createNode({ name: 'x', size: sizes[0]!, image: { id: 'ami-1', name: '', driver: d, extra: {} }, location }))).rejects.toThrow(
      InvalidArgumentError,
    );
  });

  test('reboot, start, stop and destroy send the instance id and read the answer', async () => {
    const seen = ec2({
      DescribeInstances: file('describe_instances.xml'),
      RebootInstances: file('reboot_instances.xml'),
      StartInstances: file('start_instances.xml'),
      StopInstances: file('stop_instances.xml'),
      TerminateInstances: file('terminate_instances.xml'),
    });
    const d = driver();
    const [node] = await promised(d.listNodes());
    await expect(promised(d.rebootNode(node!))).resolves.toBe(true);
    await expect(promised(d.stopNode(node!))).resolves.toBe(true);
    await expect(promised(d.startNode(node!))).resolves.toBe(true);
    await expect(promised(node!.destroy())).resolves.toBe(true);
    expect(seen.slice(1).map((s) => [s.params.get('Action'), s.params.get('InstanceId.1')])).toEqual([
      ['RebootInstances', 'i-0123456789abcdef0'],
      ['StopInstances', 'i-0123456789abcdef0'],
      ['StartInstances', 'i-0123456789abcdef0'],
      ['TerminateInstances', 'i-0123456789abcdef0'],
    ]);
  });

  test('waitUntilRunning polls DescribeInstances until the node runs with an IP', async () => {
    const running = fixture('ec2/describe_instances.xml');
    const pending = running.replace('<code>16</code>\n                        <name>running</name>', '<code>0</code>\n                        <name>pending</name>');
    const seen = ec2({ DescribeInstances: (_p, n) => xml(n < 3 ? pending : running) });
    const d = driver();
    const node = { id: 'i-0123456789abcdef0' } as Node;
    const [ready] = await promised(d.waitUntilRunning([node], { timeout: 5_000, pollInterval: 5 }));
    expect(ready!.node.name).toBe('web-1');
    expect(ready!.ips).toEqual(['203.0.113.10', '198.51.100.88', '10.0.1.12']);
    expect(seen).toHaveLength(3);
  });

  test('waitUntilRunning fails with TimeoutError naming the nodes still not running', async () => {
    ec2({ DescribeInstances: file('describe_instances.xml') });
    const d = driver();
    const wanted = [{ id: 'i-0123456789abcdef0' }, { id: 'i-0fedcba9876543210' }, { id: 'i-0aaaabbbbccccdddd' }] as Node[];
    const error = await promised(d.waitUntilRunning(wanted, { timeout: 40, pollInterval: 10 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toMatch(/still not running: i-0fedcba9876543210, i-0aaaabbbbccccdddd$/);
  });
});

describe('EC2 errors', () => {
  const cases: Array<[string, number, new (...args: never[]) => Error, string]> = [
    ['error_auth_failure.xml', 401, InvalidCredentialsError, 'AuthFailure'],
    ['error_invalid_client_token_id.xml', 403, InvalidCredentialsError, 'InvalidClientTokenId'],
    ['error_signature_does_not_match.xml', 403, InvalidCredentialsError, 'SignatureDoesNotMatch'],
    ['error_instance_not_found.xml', 400, NodeNotFoundError, 'InvalidInstanceID.NotFound'],
    ['error_instance_malformed.xml', 400, NodeNotFoundError, 'InvalidInstanceID.Malformed'],
    ['error_request_limit_exceeded.xml', 503, RateLimitError, 'RequestLimitExceeded'],
    ['error_idempotent_mismatch.xml', 400, RequestError, 'IdempotentParameterMismatch'],
  ];
  test.each(cases)('%s (%i) becomes a typed error with the code and request id', async (name, status, ErrorClass, code) => {
    ec2({ RebootInstances: file(name, status) });
    const error = await promised(driver({ retry: { maxAttempts: 1 } }).rebootNode({ id: 'i-0123456789abcdef0' } as Node)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toMatchObject({ status, code, provider: 'ec2', requestId: expect.stringMatching(/-example$/) });
    expect(String(error)).not.toContain(SECRET);
  });

  test('RequestLimitExceeded is retried, then succeeds', async () => {
    const seen = ec2({ DescribeRegions: (_p, n) => (n === 1 ? xml(fixture('ec2/error_request_limit_exceeded.xml'), 503) : xml(fixture('ec2/describe_regions.xml'))) });
    await expect(promised(driver().listRegions())).resolves.toHaveLength(3);
    expect(seen).toHaveLength(2);
  });
});

describe('EC2 bad responses', () => {
  const bodies: Array<[string, () => Response, new (...args: never[]) => Error]> = [
    ['malformed XML', () => xml('<DescribeInstancesResponse><reservationSet><item>'), MalformedResponseError],
    ['an HTML page with 200', () => new MswResponse('<!DOCTYPE html><html><body>Sign in</body></html>', { headers: { 'content-type': 'text/html' } }), MalformedResponseError],
    ['an empty 200 body', () => xml(''), MalformedResponseError],
    ['JSON instead of XML', () => MswResponse.json({ ok: true }), MalformedResponseError],
    ['another action’s document', () => xml(fixture('ec2/describe_regions.xml')), MalformedResponseError],
    ['an instance without instanceId', () => xml(fixture('ec2/describe_instances_page2.xml').replace(/<instanceId>.*<\/instanceId>/, '')), MalformedResponseError],
    ['an HTML 502 page', () => new MswResponse('<html><body>Bad Gateway</body></html>', { status: 502, headers: { 'content-type': 'text/html' } }), ProviderError],
    ['a 400 with a non-XML body', () => new MswResponse('nope', { status: 400 }), RequestError],
  ];
  test.each(bodies)('%s gives a typed error', async (_name, reply, ErrorClass) => {
    ec2({ DescribeInstances: reply });
    const error = await promised(driver({ retry: { maxAttempts: 1 } }).listNodes()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErrorClass);
  });
});
