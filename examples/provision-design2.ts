/**
 * Design 2 (`*Async` twins): provision a DigitalOcean droplet with an SSH key and a data volume, then tear it
 * all down. Design 2's models are the sync driver's, so every call goes through the driver's twins.
 */
import { inspect } from 'node:util';
import { getDriver, Provider } from '@dualcloud/async-methods/compute';
import { StorageVolumeState } from '@dualcloud/drivers/compute';
import { digitalOcean, nodeGone, POLL, unique, withCloud, type ExampleOptions, type ProvisionResult } from './lib/common.js';

/** Runs the example on the fake cloud; resolves to what it saw. */
export async function main(options: ExampleOptions = {}): Promise<ProvisionResult> {
  const log = options.log ?? console.log;
  return withCloud(options, { latency: 5, nodeBootMs: 200 }, async (cloud) => {
    const d = new (getDriver(Provider.DIGITAL_OCEAN))({ ...digitalOcean(), ...cloud.endpoint('digitalocean') });
    const suffix = unique();

    // DigitalOcean only imports public keys: the driver generates an Ed25519 pair and imports its public half.
    const keyPair = await d.createKeyPairAsync(`deploy-${suffix}`);
    log(`key pair: ${inspect(keyPair)}`);

    const [locations, images, sizes] = await Promise.all([d.listLocationsAsync(), d.listImagesAsync(), d.listSizesAsync()]);
    const location = locations.find((l) => l.id === 'nyc3')!;
    const created = await d.createNodeAsync({ name: `app-${suffix}`, image: images[0]!, size: sizes[0]!, location, ex: { sshKeys: [keyPair.fingerprint] } });
    const node = (await d.waitUntilRunningAsync([created], POLL))[0]!.node;
    log(`droplet ${node.name} is ${node.state} in ${location.name}`);

    const volume = await d.createVolumeAsync({ size: 20, name: `data-${suffix}`, location });
    const states: string[] = [volume.state];
    states.push((await d.waitUntilVolumeStateAsync(volume, StorageVolumeState.AVAILABLE, POLL)).state);
    await d.attachVolumeAsync(node, volume); // waits for DigitalOcean's attach action to complete
    const inUse = await d.waitUntilVolumeStateAsync(volume, StorageVolumeState.INUSE, POLL);
    states.push(inUse.state);
    log(`volume ${inUse.name} (${inUse.size} GiB) is ${inUse.state}, attached to droplet ${String(inUse.extra.droplet_ids)}`);

    await d.detachVolumeAsync(inUse);
    states.push((await d.waitUntilVolumeStateAsync(volume, StorageVolumeState.AVAILABLE, POLL)).state);
    await d.destroyVolumeAsync(volume);
    await d.destroyNodeAsync(node);
    await d.deleteKeyPairAsync(keyPair);
    const [volumes, keys, nodeIsGone] = await Promise.all([d.listVolumesAsync(), d.listKeyPairsAsync(), nodeGone(() => d.listNodesAsync(), node.id)]);
    const left = { node: !nodeIsGone, volume: volumes.some((v) => v.id === volume.id), keyPair: keys.some((k) => k.name === keyPair.name) };
    log(`torn down: droplet left ${left.node}, volume left ${left.volume}, key left ${left.keyPair}`);
    return {
      style: 'design2',
      provider: 'digitalocean',
      node: node.name,
      keyPair: keyPair.name,
      gotPrivateKey: /^-----BEGIN OPENSSH PRIVATE KEY-----/.test(keyPair.privateKey ?? ''),
      volume: volume.name,
      volumeStates: states,
      left,
    };
  });
}
