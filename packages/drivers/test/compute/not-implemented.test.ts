/**
 * A compute driver that implements only the node calls (as a provider added with `registerDriver` may) has the
 * whole API, and each volume, snapshot, key pair and image call fails with `NotImplementedError` (Libcloud's
 * `NotImplementedError`), sending nothing: thrown in the sync style, a rejection in every design.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { AsyncSession } from '@dualcloud/async-session';
import { withAsyncMethods } from '@dualcloud/async-methods/compute';
import { withAsyncMode } from '@dualcloud/async-mode/compute';
import { generateSshKeyPair, Node, NodeDriver, NodeImage, NodeLocation, NodeSize, NodeState, NotImplementedError, type Operation } from '@dualcloud/core';
import { KeyPair, StorageVolume, StorageVolumeState, VolumeSnapshot, VolumeSnapshotState } from '@dualcloud/drivers/compute';

/** Nodes only. */
class NodesOnly extends NodeDriver {
  readonly type = 'nodes-only';
  readonly name = 'Nodes Only';
  *listNodesOp(): Operation<Node[]> {
    return [new Node({ id: '1', name: 'n', state: NodeState.RUNNING, publicIps: [], privateIps: [] }, this)];
  }
  *listImagesOp(): Operation<NodeImage[]> {
    return [];
  }
  *listSizesOp(): Operation<NodeSize[]> {
    return [];
  }
  *listLocationsOp(): Operation<NodeLocation[]> {
    return [];
  }
  *createNodeOp(): Operation<Node> {
    throw new Error('not used');
  }
  *rebootNodeOp(): Operation<boolean> {
    return true;
  }
  *destroyNodeOp(): Operation<boolean> {
    return true;
  }
  *startNodeOp(): Operation<boolean> {
    return true;
  }
  *stopNodeOp(): Operation<boolean> {
    return true;
  }
}

const node = new Node({ id: '1', name: 'n', state: NodeState.RUNNING, publicIps: [], privateIps: [] }, {} as never);
const volume = new StorageVolume({ id: 'v', name: 'v', size: 1, state: StorageVolumeState.AVAILABLE }, {} as never);
const snapshot = new VolumeSnapshot({ id: 's', state: VolumeSnapshotState.AVAILABLE }, {} as never);
const keyPair = new KeyPair({ name: 'k', fingerprint: 'f' }, {} as never);
const image = new NodeImage('i', 'i', {});

const CALLS: Array<[string, unknown[]]> = [
  ['listVolumes', []],
  ['createVolume', [{ size: 1, name: 'v' }]],
  ['attachVolume', [node, volume]],
  ['detachVolume', [volume]],
  ['destroyVolume', [volume]],
  ['listVolumeSnapshots', [volume]],
  ['createVolumeSnapshot', [volume, 's']],
  ['destroyVolumeSnapshot', [snapshot]],
  ['listKeyPairs', []],
  ['getKeyPair', ['k']],
  ['createKeyPair', ['k']],
  ['importKeyPairFromString', ['k', 'ssh-ed25519 AAAA']],
  ['deleteKeyPair', [keyPair]],
  ['getImage', ['i']],
  ['createImage', [node, 'i']],
  ['deleteImage', [image]],
  ['copyImage', ['us-east-1', image, 'c']],
  ['waitUntilVolumeState', [volume, StorageVolumeState.AVAILABLE, { timeout: 10, pollInterval: 5 }]],
];

describe.each(CALLS)('%s', (method, args) => {
  test('is NotImplementedError in the sync style and a rejection in every design', async () => {
    const sync = new NodesOnly();
    expect(NodesOnly.methodKinds[method]).toBe('call');
    expect(() => (sync as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!(...args)).toThrow(NotImplementedError);
    const session = new AsyncSession(sync);
    const design2 = new (withAsyncMethods(NodesOnly))();
    const design3 = new (withAsyncMode(NodesOnly))({ async: true });
    for (const call of [
      () => (session as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!(...args),
      () => (design2 as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[`${method}Async`]!(...args),
      () => (design3 as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!(...args),
    ]) {
      const error = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(NotImplementedError);
      expect(error).toMatchObject({ code: 'NotImplemented', provider: 'nodes-only' });
    }
    await session.close();
  });
});

test('importKeyPairFromFile reads and checks the file first, then calls importKeyPairFromString', () => {
  const d = new NodesOnly();
  const dir = mkdtempSync(join(tmpdir(), 'dualcloud-pub-'));
  try {
    expect(() => d.importKeyPairFromFile('k', join(dir, 'missing.pub'))).toThrow(expect.objectContaining({ name: 'InvalidArgumentError', code: 'ENOENT' }));
    writeFileSync(join(dir, 'notes.txt'), 'not a key\n');
    expect(() => d.importKeyPairFromFile('k', join(dir, 'notes.txt'))).toThrow(expect.objectContaining({ name: 'InvalidArgumentError', code: 'InvalidPublicKey' }));
    writeFileSync(join(dir, 'big.pub'), Buffer.alloc(65 * 1024, 'a'));
    expect(() => d.importKeyPairFromFile('k', join(dir, 'big.pub'))).toThrow(expect.objectContaining({ name: 'InvalidArgumentError', code: 'InvalidPublicKey' }));
    writeFileSync(join(dir, 'id.pub'), `${generateSshKeyPair('me').publicKey}\n`);
    expect(() => d.importKeyPairFromFile('k', join(dir, 'id.pub'))).toThrow(NotImplementedError); // read, checked, handed on
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
