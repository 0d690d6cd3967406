/** Request descriptors are plain data: built by pure functions, compared with toEqual, no network. */
import { inspect } from 'node:util';
import { describe, expect, test } from '@jest/globals';
import { InvalidArgumentError } from '@dualcloud/core';
import {
  DigitalOceanNodeDriver,
  DummyNodeDriver,
  EC2NodeDriver,
  getDriver,
  NodeImage,
  NodeLocation,
  NodeSize,
  Provider,
} from '@dualcloud/drivers/compute';
import { createDropletRequest, deleteDropletRequest, dropletActionRequest, listRequest } from '../../src/compute/digitalocean/requests.js';
import { describeImagesRequest, describeInstancesRequest, instanceActionRequest, runInstancesRequest } from '../../src/compute/ec2/requests.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };

describe('EC2 request descriptors', () => {
  test('DescribeInstances is a signed-body POST with sorted RFC 3986 parameters, safe to retry', () => {
    expect(describeInstancesRequest('tok/en+1', 50)).toEqual({
      method: 'POST',
      path: '/',
      headers: FORM,
      body: 'Action=DescribeInstances&MaxResults=50&NextToken=tok%2Fen%2B1&Version=2016-11-15',
      idempotent: true,
      action: 'DescribeInstances',
    });
    expect(describeInstancesRequest().body).toBe('Action=DescribeInstances&Version=2016-11-15');
  });

  test('DescribeImages lists owners, ids and filters', () => {
    expect(describeImagesRequest({ owners: ['self'], executableBy: ['all'], filters: { name: 'ubuntu/*' } }).body).toBe(
      'Action=DescribeImages&ExecutableBy.1=all&Filter.1.Name=name&Filter.1.Value.1=ubuntu%2F%2A&Owner.1=self&Version=2016-11-15',
    );
  });

  test('RunInstances carries the client token, the Name tag and extra tags', () => {
    const spec = runInstancesRequest({ name: 'web 1', imageId: 'ami-1', instanceType: 't3.micro', clientToken: 'tok-1', ex: { tags: { env: 'prod' }, securityGroups: ['web'] } });
    expect(spec).toMatchObject({ method: 'POST', path: '/', idempotent: true, action: 'RunInstances' });
    expect(Object.fromEntries(new URLSearchParams(spec.body as string))).toEqual({
      Action: 'RunInstances',
      Version: '2016-11-15',
      ImageId: 'ami-1',
      InstanceType: 't3.micro',
      MinCount: '1',
      MaxCount: '1',
      ClientToken: 'tok-1',
      'SecurityGroup.1': 'web',
      'TagSpecification.1.ResourceType': 'instance',
      'TagSpecification.1.Tag.1.Key': 'env',
      'TagSpecification.1.Tag.1.Value': 'prod',
      'TagSpecification.1.Tag.2.Key': 'Name',
      'TagSpecification.1.Tag.2.Value': 'web 1',
    });
    expect(() => runInstancesRequest({ name: '', imageId: 'ami-1', instanceType: 't3.micro', clientToken: 't' })).toThrow(InvalidArgumentError);
  });

  test('instance actions name one instance and refuse an empty id', () => {
    expect(instanceActionRequest('TerminateInstances', 'i-1').body).toBe('Action=TerminateInstances&InstanceId.1=i-1&Version=2016-11-15');
    expect(() => instanceActionRequest('RebootInstances', '')).toThrow(InvalidArgumentError);
  });

  test('the driver builds a fresh ClientToken per createNode call unless one is given', () => {
    const d = new EC2NodeDriver({ key: 'AKID', secret: 's' });
    const opts = { name: 'n', size: new NodeSize('t3.micro', 't3.micro', 1024, 0, 5, undefined, d), image: new NodeImage('ami-1', 'a', d) };
    const token = (spec: { body?: unknown }) => new URLSearchParams(spec.body as string).get('ClientToken');
    const [a, b] = [token(d.runInstancesSpec(opts)), token(d.runInstancesSpec(opts))];
    expect(a).not.toBe(b);
    expect(token(d.runInstancesSpec({ ...opts, ex: { clientToken: 'mine' } }))).toBe('mine');
    expect(d.connection.url({ path: '/' })).toBe('https://ec2.us-east-1.amazonaws.com/');
    expect(new EC2NodeDriver({ key: 'AKID', secret: 's', region: 'eu-west-1' }).connection.url({ path: '/' })).toBe('https://ec2.eu-west-1.amazonaws.com/');
    expect(new EC2NodeDriver({ key: 'AKID', secret: 's', region: 'cn-north-1' }).connection.url({ path: '/' })).toBe('https://ec2.cn-north-1.amazonaws.com.cn/');
  });
});

describe('DigitalOcean request descriptors', () => {
  test('list pages ask for page and per_page', () => {
    expect(listRequest('droplets', '3', 50)).toEqual({ method: 'GET', path: '/v2/droplets', query: { page: '3', per_page: 50 }, action: 'list droplets' });
    expect(listRequest('regions', undefined).query).toEqual({ page: '1', per_page: 200 });
  });

  test('create sends JSON, numeric image ids as numbers and slugs as strings', () => {
    const spec = createDropletRequest({ name: 'web', size: 's-1vcpu-1gb', image: 'ubuntu-22-04-x64', region: 'nyc3', ex: { userData: '#cloud-config', vpcUuid: 'v-1', monitoring: true } });
    expect(spec).toEqual({
      method: 'POST',
      path: '/v2/droplets',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'web', size: 's-1vcpu-1gb', image: 'ubuntu-22-04-x64', region: 'nyc3', monitoring: true, user_data: '#cloud-config', vpc_uuid: 'v-1' }),
      action: 'create droplet',
    });
    expect(JSON.parse(createDropletRequest({ name: 'web', size: 's', image: '42' }).body as string).image).toBe(42);
    expect(spec.idempotent).toBeUndefined(); // POST without a token: never retried
  });

  test('actions and delete address a numeric droplet id only', () => {
    expect(dropletActionRequest('7', 'power_on')).toEqual({
      method: 'POST',
      path: '/v2/droplets/7/actions',
      headers: { 'content-type': 'application/json' },
      body: '{"type":"power_on"}',
      action: 'droplet power_on',
    });
    expect(deleteDropletRequest('7')).toEqual({ method: 'DELETE', path: '/v2/droplets/7', action: 'delete droplet' });
    expect(() => deleteDropletRequest('7/../../account')).toThrow(InvalidArgumentError);
  });

  test('the default endpoint is api.digitalocean.com over HTTPS', () => {
    expect(new DigitalOceanNodeDriver({ key: 't' }).connection.url(listRequest('sizes', '2'))).toBe('https://api.digitalocean.com/v2/sizes?page=2&per_page=200');
    expect(() => new DigitalOceanNodeDriver({ key: 't', pageSize: 500 })).toThrow(InvalidArgumentError);
  });
});

describe('secrets stay out of logs', () => {
  test('inspecting or serialising a driver or its models never shows the secret or token', () => {
    const ec2 = new EC2NodeDriver({ key: 'AKIDSECRETLESS', secret: 'wJalr-very-secret', token: 'session-token-xyz' });
    const droplets = new DigitalOceanNodeDriver({ key: 'dop_v1_very_secret_token' });
    const models = [new NodeImage('ami-1', 'a', ec2), new NodeSize('s', 's', 1, 1, 1, 1, droplets), new NodeLocation('l', 'l', '', droplets)];
    for (const value of [ec2, droplets, ...models]) {
      const shown = inspect(value, { depth: 20, showHidden: false }) + JSON.stringify(value);
      expect(shown).not.toMatch(/very-secret|very_secret|session-token-xyz/);
    }
    expect(ec2.connection.options.host).toBe('ec2.us-east-1.amazonaws.com');
  });
});

describe('getDriver typing', () => {
  test('the return type is precise per provider', () => {
    const ec2 = new (getDriver(Provider.EC2))({ key: 'AKID', secret: 's', region: 'eu-west-1' });
    const typed: EC2NodeDriver = ec2;
    expect(typed.region).toBe('eu-west-1');
    const dummy: DummyNodeDriver = new (getDriver(Provider.DUMMY))({ key: 'any' });
    expect(dummy.listNodes()).toHaveLength(2);
    const droplets = new (getDriver(Provider.DIGITAL_OCEAN))({ key: 't' });
    // @ts-expect-error listRegions exists only on EC2
    expect(droplets.listRegions).toBeUndefined();
    // Half a key pair is a mistake, never completed from the environment.
    expect(() => new (getDriver(Provider.EC2))({ key: 'AKID' })).toThrow(/give key \(access key id\) and secret/);
    expect(() => getDriver('azure')).toThrow(InvalidArgumentError);
    const location = new NodeLocation('nyc3', 'New York 3', '', droplets);
    expect(location.driver).toBe(droplets);
  });
});
