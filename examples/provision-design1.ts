/**
 * Design 1 (`AsyncSession`): provision an EC2 node with a key pair and a data volume, then tear it all down.
 * The session's models are bound to it, so `volume.attach(node)` and `keyPair.delete()` return Promises.
 */
import { inspect } from 'node:util';
import { AsyncSession } from '@dualcloud/async-session';
import { getDriver, Provider, StorageVolumeState } from '@dualcloud/drivers/compute';
import { aws, nodeGone, POLL, unique, withCloud, type ExampleOptions, type ProvisionResult } from './lib/common.js';

/** Runs the example on the fake cloud; resolves to what it saw. */
export async function main(options: ExampleOptions = {}): Promise<ProvisionResult> {
  const log = options.log ?? console.log;
  return withCloud(options, { latency: 5, nodeBootMs: 200 }, async (cloud) => {
    const ec2 = new (getDriver(Provider.EC2))({ ...aws('eu-west-1'), ...cloud.endpoint('ec2') });
    await using s = new AsyncSession(ec2);
    const suffix = unique();

    // A key pair: the private key comes back once; it prints as [REDACTED].
    const keyPair = await s.createKeyPair(`deploy-${suffix}`);
    log(`key pair: ${inspect(keyPair)}`);

    const [location] = await s.listLocations();
    const [images, sizes] = await Promise.all([s.listImages(), s.listSizes()]);
    const created = await s.createNode({ name: `app-${suffix}`, image: images[0]!, size: sizes.find((z) => z.id === 't3.micro')!, location: location!, ex: { keyName: keyPair.name } });
    const node = (await s.waitUntilRunning([created], POLL))[0]!.node;
    log(`node ${node.name} is ${node.state} in ${location!.name}`);

    // A data volume next to it: creating → available → attached (in use).
    const volume = await s.createVolume({ size: 20, name: `data-${suffix}`, location: location! });
    const states: string[] = [volume.state];
    const available = await s.waitUntilVolumeState(volume, StorageVolumeState.AVAILABLE, POLL);
    states.push(available.state);
    await available.attach(node); // a session-bound model: a Promise
    const inUse = await s.waitUntilVolumeState(volume, StorageVolumeState.INUSE, POLL);
    states.push(inUse.state);
    log(`volume ${inUse.name} (${inUse.size} GiB) is ${inUse.state} at ${String(inUse.extra.device)}`);

    // Tear it all down.
    await inUse.detach();
    states.push((await s.waitUntilVolumeState(volume, StorageVolumeState.AVAILABLE, POLL)).state);
    await inUse.destroy();
    await node.destroy();
    await keyPair.delete();
    const [volumes, keys, nodeIsGone] = await Promise.all([s.listVolumes(), s.listKeyPairs(), nodeGone(() => s.listNodes(), node.id)]);
    const left = {
      node: !nodeIsGone,
      volume: volumes.some((v) => v.id === volume.id),
      keyPair: keys.some((k) => k.name === keyPair.name),
    };
    log(`torn down: node left ${left.node}, volume left ${left.volume}, key pair left ${left.keyPair}`);
    return {
      style: 'design1',
      provider: 'ec2',
      node: node.name,
      keyPair: keyPair.name,
      gotPrivateKey: /^-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(keyPair.privateKey ?? ''),
      volume: volume.name,
      volumeStates: states,
      device: String(inUse.extra.device),
      left,
    };
  });
}
