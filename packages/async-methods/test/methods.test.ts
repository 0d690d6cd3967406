/** Design 2 specifics: generated twins, the same instance in both styles, getDriver per provider. */
import { describe, expect, test } from '@jest/globals';
import { ASYNC_SUFFIX, getDriver, Provider, withAsyncMethods } from '@dualcloud/async-methods/compute';
import { getDriver as getStorageDriver, Provider as StorageProvider } from '@dualcloud/async-methods/storage';
import { InvalidArgumentError, NodeNotFoundError } from '@dualcloud/core';
import { DummyNodeDriver, EC2NodeDriver } from '@dualcloud/drivers/compute';
import { LocalStorageDriver } from '@dualcloud/drivers/storage';

describe('generated classes', () => {
  test('every public method of methodKinds has an *Async twin; the class subclasses the driver', () => {
    const EC2 = getDriver(Provider.EC2);
    expect(EC2).toBe(withAsyncMethods(EC2NodeDriver)); // cached
    const ec2 = new EC2({ key: 'AKID', secret: 'secret', region: 'us-east-1' });
    expect(ec2).toBeInstanceOf(EC2NodeDriver);
    for (const method of Object.keys(EC2NodeDriver.methodKinds)) expect(typeof (ec2 as unknown as Record<string, unknown>)[`${method}${ASYNC_SUFFIX}`]).toBe('function');
    expect(typeof ec2.listRegionsAsync).toBe('function'); // provider extras too
    const Local = getStorageDriver(StorageProvider.LOCAL);
    expect(new Local({ key: '/tmp/unused-dualcloud-root' })).toBeInstanceOf(LocalStorageDriver);
  });

  test('unknown providers and bad signals are typed errors', () => {
    expect(() => getDriver('nope' as never)).toThrow(InvalidArgumentError);
    expect(() => new (getDriver(Provider.DUMMY))({ signal: 'x' as never })).toThrow(InvalidArgumentError);
    expect(() => new (getDriver(Provider.DUMMY))().withSignal(undefined as never)).toThrow(InvalidArgumentError);
  });
});

describe('one instance, both styles', () => {
  test('sync methods and async twins share the instance state', async () => {
    const Dummy = getDriver(Provider.DUMMY);
    const d = new Dummy({ key: 'any' });
    const created = d.createNode({ name: 'sync-made', size: d.listSizes()[0]!, image: d.listImages()[0]! });
    const listed = await d.listNodesAsync();
    expect(listed.map((n) => n.name)).toContain('sync-made');
    await expect(d.destroyNodeAsync(created)).resolves.toBe(true);
    expect(d.listNodes().map((n) => n.name)).not.toContain('sync-made');
    await expect(d.rebootNodeAsync(created)).rejects.toBeInstanceOf(NodeNotFoundError);
  });

  test('models keep the sync driver: their methods block, the twins are the async path', async () => {
    const d = new (getDriver(Provider.DUMMY))();
    const [node] = await d.listNodesAsync();
    expect(node!.driver).toBe(d);
    expect(node!.reboot()).toBe(true); // a plain value: the model's method is sync
    expect(d.mode).toBe('sync');
    expect(new DummyNodeDriver()).not.toHaveProperty('listNodesAsync'); // the base class is untouched
  });
});
