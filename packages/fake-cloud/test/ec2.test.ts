import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { asArray } from '@dualcloud/core';
import { createFakeCloudServer, type FakeCloudServer } from '@dualcloud/fake-cloud';
import { ec2, send, sendSigned, sleep } from './helpers/http.js';

let server: FakeCloudServer;
let port: number;

beforeAll(async () => {
  server = createFakeCloudServer({ nodeBootMs: 60 });
  port = await server.listen();
});
afterAll(() => server.close());

const NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const UBUNTU = 'ami-0fa4e0c5a7b3d1001';

function instancesOf(doc: any): any[] {
  return asArray(doc.DescribeInstancesResponse.reservationSet?.item).flatMap((r: any) => asArray(r.instancesSet.item));
}

async function run(region = 'us-east-1', extra: Record<string, string | number> = {}): Promise<any[]> {
  const res = await ec2(port, 'RunInstances', { ImageId: UBUNTU, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, ...extra }, region);
  expect(res.status).toBe(200);
  return asArray(res.xml().RunInstancesResponse.instancesSet.item);
}

describe('EC2 Query API', () => {
  test('DescribeRegions answers in the 2016-11-15 namespace with a requestId', async () => {
    const res = await ec2(port, 'DescribeRegions');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/xml/);
    const root = res.xml().DescribeRegionsResponse;
    expect(root.$.xmlns).toBe(NS);
    expect(root.requestId).toMatch(/\S+/);
    expect(asArray(root.regionInfo.item).map((r: any) => r.regionName)).toContain('eu-west-1');
  });

  test('DescribeAvailabilityZones lists the signing region zones', async () => {
    const res = await ec2(port, 'DescribeAvailabilityZones', {}, 'eu-west-1');
    expect(asArray(res.xml().DescribeAvailabilityZonesResponse.availabilityZoneInfo.item).map((z: any) => z.zoneName)).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
  });

  test('RunInstances starts pending (0) with a Name tag, then running (16) with public and private IPs', async () => {
    const [created] = await run('us-east-1', { 'TagSpecification.1.ResourceType': 'instance', 'TagSpecification.1.Tag.1.Key': 'Name', 'TagSpecification.1.Tag.1.Value': 'web-1' });
    expect(created.instanceState).toEqual({ code: '0', name: 'pending' });
    expect(created.instanceId).toMatch(/^i-[0-9a-f]{17}$/);
    expect(created.tagSet.item).toEqual({ key: 'Name', value: 'web-1' });
    expect(created.ipAddress).toBeUndefined();
    await sleep(120);
    const res = await ec2(port, 'DescribeInstances', { 'InstanceId.1': created.instanceId });
    const [i] = instancesOf(res.xml());
    expect(i.instanceState).toEqual({ code: '16', name: 'running' });
    expect(i.ipAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(i.privateIpAddress).toMatch(/^10\./);
    expect(i.instanceType).toBe('t3.micro');
    expect(i.imageId).toBe(UBUNTU);
    expect(i.placement.availabilityZone).toBe('us-east-1a');
    expect(new Date(i.launchTime).getTime()).toBeGreaterThan(0);
  });

  test('ClientToken makes RunInstances idempotent', async () => {
    const before = instancesOf((await ec2(port, 'DescribeInstances', {}, 'ap-southeast-1')).xml()).length;
    const first = await ec2(port, 'RunInstances', { ImageId: UBUNTU, InstanceType: 't3.micro', MinCount: 1, MaxCount: 2, ClientToken: 'tok-1' }, 'ap-southeast-1');
    const second = await ec2(port, 'RunInstances', { ImageId: UBUNTU, InstanceType: 't3.micro', MinCount: 1, MaxCount: 2, ClientToken: 'tok-1' }, 'ap-southeast-1');
    const a = first.xml().RunInstancesResponse;
    const b = second.xml().RunInstancesResponse;
    expect(b.reservationId).toBe(a.reservationId);
    expect(asArray(b.instancesSet.item).map((i: any) => i.instanceId)).toEqual(asArray(a.instancesSet.item).map((i: any) => i.instanceId));
    expect(instancesOf((await ec2(port, 'DescribeInstances', {}, 'ap-southeast-1')).xml())).toHaveLength(before + 2);
  });

  test('regions are kept apart', async () => {
    await run('eu-central-1');
    const here = instancesOf((await ec2(port, 'DescribeInstances', {}, 'eu-central-1')).xml());
    const there = instancesOf((await ec2(port, 'DescribeInstances', {}, 'us-west-1')).xml());
    expect(here).toHaveLength(1);
    expect(there).toHaveLength(0);
    expect((await ec2(port, 'DescribeInstances', { 'InstanceId.1': here[0].instanceId }, 'us-west-1')).status).toBe(400);
  });

  test('DescribeInstances pages with MaxResults and NextToken', async () => {
    await run('us-west-2', { MinCount: 7, MaxCount: 7 });
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await ec2(port, 'DescribeInstances', { MaxResults: 5, ...(token ? { NextToken: token } : {}) }, 'us-west-2');
      const doc = res.xml();
      seen.push(...instancesOf(doc).map((i) => i.instanceId));
      token = doc.DescribeInstancesResponse.nextToken;
      pages += 1;
    } while (token && pages < 10);
    expect(pages).toBe(2);
    expect(new Set(seen).size).toBe(7);
    const bad = await ec2(port, 'DescribeInstances', { MaxResults: 5, NextToken: 'bogus' }, 'us-west-2');
    expect(bad.status).toBe(400);
    expect(bad.xml().Response.Errors.Error.Code).toBe('InvalidPaginationToken');
    const tooSmall = await ec2(port, 'DescribeInstances', { MaxResults: 2 }, 'us-west-2');
    expect(tooSmall.xml().Response.Errors.Error.Code).toBe('InvalidParameterValue');
  });

  test('stop, start and terminate report current and previous states', async () => {
    const [created] = await run('us-east-2');
    const id = created.instanceId;
    await sleep(100);
    const stop = (await ec2(port, 'StopInstances', { 'InstanceId.1': id }, 'us-east-2')).xml().StopInstancesResponse.instancesSet.item;
    expect(stop).toEqual({ instanceId: id, currentState: { code: '64', name: 'stopping' }, previousState: { code: '16', name: 'running' } });
    await sleep(100);
    const stopped = instancesOf((await ec2(port, 'DescribeInstances', { 'InstanceId.1': id }, 'us-east-2')).xml())[0];
    expect(stopped.instanceState.name).toBe('stopped');
    expect(stopped.ipAddress).toBeUndefined();
    const start = (await ec2(port, 'StartInstances', { 'InstanceId.1': id }, 'us-east-2')).xml().StartInstancesResponse.instancesSet.item;
    expect(start.currentState).toEqual({ code: '0', name: 'pending' });
    expect(start.previousState).toEqual({ code: '80', name: 'stopped' });
    await sleep(100);
    expect((await ec2(port, 'RebootInstances', { 'InstanceId.1': id }, 'us-east-2')).xml().RebootInstancesResponse.return).toBe('true');
    const term = (await ec2(port, 'TerminateInstances', { 'InstanceId.1': id }, 'us-east-2')).xml().TerminateInstancesResponse.instancesSet.item;
    expect(term.currentState).toEqual({ code: '32', name: 'shutting-down' });
    await sleep(100);
    const dead = instancesOf((await ec2(port, 'DescribeInstances', { 'Filter.1.Name': 'instance-state-name', 'Filter.1.Value.1': 'terminated' }, 'us-east-2')).xml());
    expect(dead.map((i) => i.instanceId)).toEqual([id]);
    const again = await ec2(port, 'StartInstances', { 'InstanceId.1': id }, 'us-east-2');
    expect(again.status).toBe(400);
    expect(again.xml().Response.Errors.Error.Code).toBe('IncorrectInstanceState');
  });

  test('an unknown instance is 400 InvalidInstanceID.NotFound in the EC2 error format', async () => {
    const res = await ec2(port, 'TerminateInstances', { 'InstanceId.1': 'i-0123456789abcdef0' });
    expect(res.status).toBe(400);
    const doc = res.xml().Response;
    expect(doc.Errors.Error.Code).toBe('InvalidInstanceID.NotFound');
    expect(doc.Errors.Error.Message).toContain('i-0123456789abcdef0');
    expect(doc.RequestID).toMatch(/\S+/);
    expect((await ec2(port, 'StopInstances', { 'InstanceId.1': 'nope' })).xml().Response.Errors.Error.Code).toBe('InvalidInstanceID.Malformed');
  });

  test('DescribeImages filters by owner and id; RunInstances checks image and type', async () => {
    const amazon = asArray((await ec2(port, 'DescribeImages', { 'Owner.1': 'amazon' })).xml().DescribeImagesResponse.imagesSet.item);
    expect(amazon.length).toBeGreaterThan(0);
    expect(amazon.every((i: any) => i.imageOwnerAlias === 'amazon')).toBe(true);
    const self = asArray((await ec2(port, 'DescribeImages', { 'Owner.1': 'self' })).xml().DescribeImagesResponse.imagesSet.item);
    expect(self.map((i: any) => i.imageOwnerId)).toEqual(['123456789012']);
    const one = (await ec2(port, 'DescribeImages', { 'ImageId.1': UBUNTU })).xml().DescribeImagesResponse.imagesSet.item;
    expect(one.imageId).toBe(UBUNTU);
    expect((await ec2(port, 'DescribeImages', { 'ImageId.1': 'ami-00000000000000000' })).xml().Response.Errors.Error.Code).toBe('InvalidAMIID.NotFound');
    expect((await ec2(port, 'RunInstances', { ImageId: 'ami-00000000000000000', MinCount: 1, MaxCount: 1 })).xml().Response.Errors.Error.Code).toBe('InvalidAMIID.NotFound');
    expect((await ec2(port, 'RunInstances', { ImageId: UBUNTU, InstanceType: 'x9.huge', MinCount: 1, MaxCount: 1 })).xml().Response.Errors.Error.Code).toBe('InvalidParameterValue');
    expect((await ec2(port, 'RunInstances', { InstanceType: 't3.micro' })).xml().Response.Errors.Error.Code).toBe('MissingParameter');
  });

  test('CreateTags tags an instance; tag filters find it', async () => {
    const [created] = await run('eu-west-1');
    expect((await ec2(port, 'CreateTags', { 'ResourceId.1': created.instanceId, 'Tag.1.Key': 'env', 'Tag.1.Value': 'test' }, 'eu-west-1')).status).toBe(200);
    const found = instancesOf((await ec2(port, 'DescribeInstances', { 'Filter.1.Name': 'tag:env', 'Filter.1.Value.1': 'test' }, 'eu-west-1')).xml());
    expect(found.map((i) => i.instanceId)).toEqual([created.instanceId]);
  });

  test('GET with the query string works like POST', async () => {
    const res = await sendSigned(port, { method: 'GET', path: '/?Action=DescribeAvailabilityZones&Version=2016-11-15', service: 'ec2', region: 'us-east-1' });
    expect(res.status).toBe(200);
    expect(res.xml().DescribeAvailabilityZonesResponse).toBeDefined();
  });

  test('an unknown action is 400 InvalidAction', async () => {
    const res = await ec2(port, 'LaunchRockets');
    expect(res.status).toBe(400);
    expect(res.xml().Response.Errors.Error.Code).toBe('InvalidAction');
  });

  test('unknown key is 401 AuthFailure, wrong secret is 403 SignatureDoesNotMatch, no auth is 401', async () => {
    const unknown = await ec2(port, 'DescribeRegions', {}, 'us-east-1', { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'x' });
    expect(unknown.status).toBe(401);
    expect(unknown.xml().Response.Errors.Error.Code).toBe('AuthFailure');
    const wrong = await ec2(port, 'DescribeRegions', {}, 'us-east-1', { accessKeyId: 'AKIAFAKECLOUD0000001', secretAccessKey: 'wrong' });
    expect(wrong.status).toBe(403);
    expect(wrong.xml().Response.Errors.Error.Code).toBe('SignatureDoesNotMatch');
    const none = await send(port, { method: 'POST', path: '/', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=DescribeRegions&Version=2016-11-15' });
    expect(none.status).toBe(401);
    expect(none.xml().Response.Errors.Error.Code).toBe('AuthFailure');
  });

  test('a body changed after signing fails the signature check', async () => {
    const { signV4 } = await import('@dualcloud/core');
    const { FAKE_CREDENTIALS } = await import('@dualcloud/fake-cloud');
    const body = 'Action=DescribeRegions&Version=2016-11-15';
    const signed = signV4({ method: 'POST', url: `http://127.0.0.1:${port}/`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }, FAKE_CREDENTIALS.aws, { region: 'us-east-1', service: 'ec2' });
    const res = await send(port, { method: 'POST', path: '/', headers: signed.headers, body: body.replace('DescribeRegions', 'DescribeImages') });
    expect(res.status).toBe(403);
  });

  test('a request signed too long ago is rejected', async () => {
    const res = await sendSigned(port, { method: 'GET', path: '/?Action=DescribeRegions&Version=2016-11-15', service: 'ec2', date: new Date(Date.now() - 3_600_000) });
    expect(res.status).toBe(400);
    expect(res.xml().Response.Errors.Error.Code).toBe('RequestExpired');
  });
});
