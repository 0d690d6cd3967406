/**
 * Design 3 (`async: true`): provision an EC2 node with a key pair and a data volume, snapshot the volume, then
 * tear it all down. Models call back into the async driver, so `volume.attach(node)`, `volume.snapshot()`
 * and `keyPair.delete()` are Promises.
 */
import { inspect } from 'node:util';
import { getDriver, Provider } from '@dualcloud/async-mode/compute';
import { StorageVolumeState } from '@dualcloud/drivers/compute';
import { aws, nodeGone, POLL, unique, withCloud, type ExampleOptions, type ProvisionResult } from './lib/common.js';

/** Runs the example on the fake cloud; resolves to what it saw. */
export async function main(options: ExampleOptions = {}): Promise<ProvisionResult & { snapshot: string }> {
  const log = options.log ?? console.log;
  return withCloud(options, { latency: 5, nodeBootMs: 200 }, async (cloud) => {
    const EC2 = getDriver(Provider.EC2);
    const ec2 = new EC2({ ...aws('us-east-2'), ...cloud.endpoint('ec2'), async: true });
    const suffix = unique();

    const keyPair = await ec2.createKeyPair(`deploy-${suffix}`);
    log(`key pair: ${inspect(keyPair)}`);

    const [[location], images, sizes] = await Promise.all([ec2.listLocations(), ec2.listImages(), ec2.listSizes()]);
    const created = await ec2.createNode({ name: `app-${suffix}`, image: images[0]!, size: sizes.find((z) => z.id === 't3.micro')!, location: location!, ex: { keyName: keyPair.name } });
    const node = (await ec2.waitUntilRunning([created], POLL))[0]!.node;
    log(`node ${node.name} is ${node.state} in ${location!.name}`);

    const volume = await ec2.createVolume({ size: 20, name: `data-${suffix}`, location: location!, ex: { volumeType: 'gp3' } });
    const states: string[] = [volume.state];
    states.push((await ec2.waitUntilVolumeState(volume, StorageVolumeState.AVAILABLE, POLL)).state);
    await volume.attach(node, '/dev/sdf'); // the model calls back into the async driver
    const inUse = await ec2.waitUntilVolumeState(volume, StorageVolumeState.INUSE, POLL);
    states.push(inUse.state);
    const snapshot = await inUse.snapshot(`data-${suffix}-initial`);
    log(`volume ${inUse.name} is ${inUse.state} at ${String(inUse.extra.device)}; snapshot ${snapshot.name} is ${snapshot.state}`);

    await inUse.detach();
    states.push((await ec2.waitUntilVolumeState(volume, StorageVolumeState.AVAILABLE, POLL)).state);
    await snapshot.destroy();
    await inUse.destroy();
    await node.destroy();
    await keyPair.delete();
    const [volumes, keys, nodeIsGone] = await Promise.all([ec2.listVolumes(), ec2.listKeyPairs(), nodeGone(() => ec2.listNodes(), node.id)]);
    const left = {
      node: !nodeIsGone,
      volume: volumes.some((v) => v.id === volume.id),
      keyPair: keys.some((k) => k.name === keyPair.name),
    };
    log(`torn down: node left ${left.node}, volume left ${left.volume}, key pair left ${left.keyPair}`);
    return {
      style: 'design3',
      provider: 'ec2',
      node: node.name,
      keyPair: keyPair.name,
      gotPrivateKey: /^-----BEGIN RSA PRIVATE KEY-----/.test(keyPair.privateKey ?? ''),
      volume: volume.name,
      volumeStates: states,
      device: String(inUse.extra.device),
      snapshot: snapshot.name ?? '',
      left,
    };
  });
}
