/**
 * Unknown options are refused, for every registered provider (the registries' `providers()`, so a new provider
 * is covered as soon as it is registered — and fails here until it has a row of base options): constructors in
 * the sync style and in Design 3, and every method that takes options (each driver class's `methodOptions`),
 * in the sync style (a synchronous throw) and in Design 3 (a rejection, or a failing first `next()` for
 * iterables — never a synchronous throw). Nothing is sent: options are checked before any request.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { getDriver as syncCompute, providers as computeProviders, Node, NodeImage, NodeSize, NodeState, StorageVolume, StorageVolumeState } from '@dualcloud/drivers/compute';
import { getDriver as syncStorage, providers as storageProviders, Container, StorageObject } from '@dualcloud/drivers/storage';
import { getDriver as design3Compute } from '@dualcloud/async-mode/compute';
import { getDriver as design3Storage } from '@dualcloud/async-mode/storage';
import { getDriver as syncContainer, providers as containerProviders, Container as DeployedContainer, ContainerImage, ContainerState } from '@dualcloud/drivers/container';
import { getDriver as design3Container } from '@dualcloud/async-mode/container';
import { InvalidArgumentError, type BaseDriver, type Hooks, type MethodOptionsSpec } from '@dualcloud/core';

const localRoot = mkdtempSync(join(tmpdir(), 'dualcloud-options-'));
afterAll(() => rmSync(localRoot, { recursive: true, force: true }));

/** Loopback and a port nothing should listen on: were anything sent, it would not leave the machine. */
const OFFLINE = { host: '127.0.0.1', port: 9, secure: false, retry: { maxAttempts: 1 } };
const AZURE_KEY = Buffer.from('an account key that is never used').toString('base64');

/** A valid option set per registered provider, keyed `<kind>:<provider>`. */
const BASE: Readonly<Record<string, () => Record<string, unknown>>> = {
  'compute:dummy': () => ({ key: 'any' }),
  'compute:ec2': () => ({ key: 'AKIDEXAMPLE', secret: 'not-a-secret', region: 'eu-west-1', ...OFFLINE }),
  'compute:digitalocean': () => ({ key: 'do-token', ...OFFLINE }),
  // OpenStack drivers find their endpoints in the catalog: they take an auth URL, not host/port/secure.
  'compute:openstack': () => ({ authUrl: 'http://127.0.0.1:9/identity/v3', username: 'demo', password: 'not-a-secret', projectName: 'demo', userDomainName: 'Default', retry: { maxAttempts: 1 } }),
  'compute:rackspace': () => ({ authUrl: 'http://127.0.0.1:9/identity/v2.0', key: 'demo', secret: 'not-a-secret', region: 'lon', retry: { maxAttempts: 1 } }),
  'storage:openstack_swift': () => ({ authUrl: 'http://127.0.0.1:9/identity/v3', username: 'demo', password: 'not-a-secret', projectName: 'demo', retry: { maxAttempts: 1 } }),
  'storage:cloudfiles': () => ({ authUrl: 'http://127.0.0.1:9/rackspace/v2.0', key: 'demo', secret: 'not-a-secret', region: 'ord', retry: { maxAttempts: 1 } }),
  'storage:s3': () => ({ key: 'AKIDEXAMPLE', secret: 'not-a-secret', ...OFFLINE }),
  'storage:google_storage': () => ({ key: 'GOOGKEY', secret: 'not-a-secret', ...OFFLINE }),
  'storage:azure_blobs': () => ({ key: 'acct', secret: AZURE_KEY, ...OFFLINE }),
  'storage:local': () => ({ key: localRoot }),
  'storage:minio': () => ({ key: 'AKIDEXAMPLE', secret: 'not-a-secret', ...OFFLINE }),
  'storage:digitalocean_spaces': () => ({ key: 'DO00EXAMPLE', secret: 'not-a-secret', region: 'ams3', ...OFFLINE }),
  'storage:wasabi': () => ({ key: 'WASABIEXAMPLE', secret: 'not-a-secret', ...OFFLINE }),
  'storage:cloudflare_r2': () => ({ key: 'r2-key-id', secret: 'not-a-secret', accountId: 'abcdef0123456789abcdef0123456789', ...OFFLINE }),
  'storage:backblaze_b2_s3': () => ({ key: 'b2-key-id', secret: 'not-a-secret', region: 'us-west-004', ...OFFLINE }),
  'storage:scaleway': () => ({ key: 'SCWEXAMPLE', secret: 'not-a-secret', ...OFFLINE }),
  'storage:ovh': () => ({ key: 'ovh-key', secret: 'not-a-secret', ...OFFLINE }),
  'storage:linode': () => ({ key: 'linode-key', secret: 'not-a-secret', ...OFFLINE }),
  'container:dummy': () => ({}),
  'container:ecs': () => ({ key: 'AKIDEXAMPLE', secret: 'not-a-secret', region: 'eu-west-1', ...OFFLINE }),
  'container:kubernetes': () => ({ token: 'k8s-token', ...OFFLINE }),
  'container:docker': () => ({ host: '127.0.0.1', port: 9, retry: { maxAttempts: 1 } }),
};

type Kind = 'compute' | 'storage' | 'container';
type AnyDriverClass = (abstract new (...args: any[]) => BaseDriver) & { readonly methodOptions: Readonly<Record<string, MethodOptionsSpec>>; readonly name: string };

interface Registered {
  readonly id: string;
  readonly kind: Kind;
  readonly provider: string;
  readonly Sync: AnyDriverClass;
  readonly Design3: new (options: Record<string, unknown>) => BaseDriver;
}

const REGISTERED: Registered[] = [
  ...computeProviders().map((provider) => ({
    id: `compute:${provider}`,
    kind: 'compute' as const,
    provider,
    Sync: syncCompute(provider) as unknown as AnyDriverClass,
    Design3: design3Compute(provider) as unknown as Registered['Design3'],
  })),
  ...storageProviders().map((provider) => ({
    id: `storage:${provider}`,
    kind: 'storage' as const,
    provider,
    Sync: syncStorage(provider) as unknown as AnyDriverClass,
    Design3: design3Storage(provider) as unknown as Registered['Design3'],
  })),
  ...containerProviders().map((provider) => ({
    id: `container:${provider}`,
    kind: 'container' as const,
    provider,
    Sync: syncContainer(provider) as unknown as AnyDriverClass,
    Design3: design3Container(provider) as unknown as Registered['Design3'],
  })),
];

/** The base options of a registered provider, with hooks counting requests; fails clearly without a row. */
function baseOptions(r: Registered, hooks: Hooks): Record<string, unknown> {
  const row = BASE[r.id];
  if (!row) throw new Error(`no base options for ${r.kind} provider "${r.provider}": add a "${r.id}" row to BASE in ${import.meta.url.split('/').pop()}`);
  return { ...row(), hooks };
}

/** Fresh drivers of a provider in both styles, and a count of the requests they send. */
function drivers(r: Registered): { sync: BaseDriver; design3: BaseDriver; sent: () => number } {
  let sent = 0;
  const hooks: Hooks = { beforeRequest: () => void sent++ };
  return { sync: new (r.Sync as unknown as new (o: object) => BaseDriver)(baseOptions(r, hooks)), design3: new r.Design3({ ...baseOptions(r, hooks), async: true }), sent: () => sent };
}

/** Catches a synchronous throw. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a synchronous throw');
}

/** Asserts an UnknownOption refusal naming `key` and, when given, suggesting `suggestion`. */
function expectRefusal(error: unknown, key: string, suggestion?: string): void {
  expect(error).toBeInstanceOf(InvalidArgumentError);
  expect((error as InvalidArgumentError).code).toBe('UnknownOption');
  expect((error as Error).message).toContain(`\`${key}\``);
  if (suggestion !== undefined) expect((error as Error).message).toContain(`did you mean \`${suggestion}\`?`);
}

// ---- the table ---------------------------------------------------------------------------------------------

test('the registries list providers, and every registered provider has a row of base options (and no row is stale)', () => {
  expect(computeProviders().length).toBeGreaterThan(0);
  expect(storageProviders().length).toBeGreaterThan(0);
  expect(containerProviders().length).toBeGreaterThan(0);
  const missing = REGISTERED.filter((r) => !BASE[r.id]).map((r) => r.id);
  expect(missing).toEqual([]);
  expect(Object.keys(BASE).sort()).toEqual(REGISTERED.map((r) => r.id).sort());
});

// ---- constructors ------------------------------------------------------------------------------------------

/** Constructor spellings from Libcloud and the vendor SDKs, and what they should point to. */
const CONSTRUCTOR_SPELLINGS: Array<[string, string]> = [
  ['timeout', 'timeoutMs'],
  ['retry_delay', 'retry: { baseDelayMs }'],
  ['max_retries', 'retry: { maxAttempts }'],
  ['secret_key', 'secret'],
  ['region_name', 'region'],
  ['endpoint', 'host'],
  ['use_ssl', 'secure'],
];

describe.each(REGISTERED.map((r) => [r.id, r] as const))('%s constructor', (_, r) => {
  test('the base options are valid, and constructing sends nothing', () => {
    const { sync, design3, sent } = drivers(r);
    expect(sync.mode).toBe('sync');
    expect(design3.mode).toBe('async');
    expect(sent()).toBe(0);
  });

  test.each(CONSTRUCTOR_SPELLINGS)('`%s` is refused with a pointer to `%s`, in the sync style and Design 3', (key, suggestion) => {
    const hooks: Hooks = {};
    const value = 'VALUE-THAT-MUST-NOT-BE-ECHOED';
    const sync = thrown(() => new (r.Sync as unknown as new (o: object) => BaseDriver)({ ...baseOptions(r, hooks), [key]: value }));
    expectRefusal(sync, key, suggestion);
    expect((sync as Error).message).not.toContain(value);
    const design3 = thrown(() => new r.Design3({ ...baseOptions(r, hooks), [key]: value, async: true }));
    expectRefusal(design3, key, suggestion);
    expect((design3 as Error).message).not.toContain(value);
  });

  test('`timeout` is refused and names `timeoutMs` (the message starts with the driver class)', () => {
    const error = thrown(() => new (r.Sync as unknown as new (o: object) => BaseDriver)({ ...baseOptions(r, {}), timeout: 5000 }));
    expectRefusal(error, 'timeout', 'timeoutMs');
    expect((error as Error).message.startsWith(`${r.Sync.name}: unknown option`)).toBe(true);
  });
});

// ---- methods -----------------------------------------------------------------------------------------------

/** Methods the brief names, per kind (each must be in the class's methodOptions table). */
const REQUIRED_METHODS: Record<Kind, string[]> = {
  compute: ['createNode', 'waitUntilRunning', 'createVolume', 'waitUntilVolumeState', 'createImage', 'copyImage'],
  storage: [
    'listContainerObjects',
    'iterateContainerObjects',
    'uploadObject',
    'uploadObjectViaStream',
    'downloadObject',
    'downloadObjectAsStream',
    'getObjectCdnUrl',
    'copyObject',
    'downloadObjectRange',
    'downloadObjectRangeAsStream',
    'uploadObjects',
    'downloadObjects',
    'deleteObjects',
  ],
  container: ['listContainers', 'deployContainer', 'containerLogs'],
};
const REQUIRED_BY_PROVIDER: Record<string, string[]> = { 'compute:ec2': ['listImages', 'listVolumes'] };

/** Libcloud spellings of method arguments and what they should point to (tried where the method takes them). */
const METHOD_SPELLINGS: Record<string, Array<[string, string]>> = {
  createNode: [['ex_keyname', 'ex: { keyName }'], ['ex_security_groups', 'ex: { securityGroups }'], ['ex_userdata', 'ex: { userData }']],
  waitUntilRunning: [['wait_period', 'pollInterval'], ['poll_interval', 'pollInterval'], ['timeoutMs', 'timeout']],
  listContainerObjects: [['ex_prefix', 'prefix'], ['page_size', 'pageSize']],
  iterateContainerObjects: [['ex_prefix', 'prefix']],
  uploadObject: [['verify_hash', 'verifyHash'], ['content_type', 'contentType'], ['meta_data', 'metaData']],
  uploadObjectViaStream: [['verify_hash', 'verifyHash'], ['content_type', 'contentType'], ['meta_data', 'metaData']],
  downloadObject: [['verify_hash', 'verifyHash'], ['overwrite_existing', 'overwriteExisting']],
  downloadObjectAsStream: [['chunk_size', 'chunkSize'], ['start_bytes', 'start'], ['end_bytes', 'end']],
  getObjectCdnUrl: [['ex_expiry', 'expiresIn'], ['expires_in', 'expiresIn'], ['ex_method', 'method'], ['content_type', 'contentType']],
  copyObject: [['meta_data', 'metaData'], ['part_size', 'partSize'], ['wait_period', 'pollInterval']],
  downloadObjectRange: [['overwrite_existing', 'overwriteExisting'], ['chunk_size', 'chunkSize']],
  downloadObjectRangeAsStream: [['chunk_size', 'chunkSize']],
  uploadObjects: [['fail_fast', 'failFast'], ['max_workers', 'concurrency']],
  downloadObjects: [['overwrite_existing', 'overwriteExisting'], ['fail_fast', 'failFast']],
  deleteObjects: [['fail_fast', 'failFast']],
  listImages: [['ex_owner', 'owners'], ['ex_image_ids', 'imageIds'], ['ex_filters', 'filters'], ['ex_executableby', 'executableBy']],
  createVolume: [['ex_volume_type', 'ex: { volumeType }'], ['ex_iops', 'ex: { iops }'], ['ex_encrypted', 'ex: { encrypted }'], ['ex_kms_key_id', 'ex: { kmsKeyId }']],
  waitUntilVolumeState: [['wait_period', 'pollInterval'], ['poll_interval', 'pollInterval'], ['timeoutMs', 'timeout']],
  createImage: [['ex_description', 'description'], ['ex_reboot', 'ex: { reboot }']],
  copyImage: [['ex_description', 'description']],
  listVolumes: [['ex_filters', 'filters'], ['ex_node', 'node']],
  deployContainer: [['ex_start', 'start']],
};

/** Realistic arguments of a method, with `options` at the options position. */
function argsFor(driver: BaseDriver, method: string, spec: MethodOptionsSpec, options: Record<string, unknown>): unknown[] {
  const container = new Container('bucket', {}, driver as never);
  const object = new StorageObject({ name: 'k', size: 10, hash: '', extra: {} }, container, driver as never);
  const node = new Node({ id: 'i-1', name: 'n', state: NodeState.RUNNING, publicIps: [], privateIps: [] }, driver as never);
  const size = new NodeSize('s', 's', 1, 1, undefined, undefined, driver);
  const image = new NodeImage('img', 'img', driver);
  const volume = new StorageVolume({ id: 'vol-1', name: 'v', size: 1, state: StorageVolumeState.AVAILABLE }, driver as never);
  const containerImage = new ContainerImage({ id: 'sha256:1', name: 'tomcat', path: 'tomcat:8.0', version: '8.0' }, driver as never);
  const deployed = new DeployedContainer({ id: 'c-1', name: 'c', image: containerImage, state: ContainerState.RUNNING, ipAddresses: [] }, driver as never);
  const known: Record<string, unknown[]> = {
    createNode: [{ name: 'n', size, image, ...options }],
    waitUntilRunning: [[node], options],
    listContainerObjects: [container, options],
    iterateContainerObjects: [container, options],
    uploadObject: [join(localRoot, 'missing-file'), container, 'k', options],
    uploadObjectViaStream: ['data', container, 'k', options],
    downloadObject: [object, join(localRoot, 'out'), options],
    downloadObjectAsStream: [object, options],
    getObjectCdnUrl: [object, options],
    copyObject: [object, container, 'copy', options],
    downloadObjectRange: [object, join(localRoot, 'range-out'), 0, 5, options],
    downloadObjectRangeAsStream: [object, 0, 5, options],
    uploadObjects: [[{ container, objectName: 'k', source: 'data' }], options],
    downloadObjects: [[object], join(localRoot, 'bulk-out'), options],
    deleteObjects: [[object], options],
    listImages: [options],
    createVolume: [{ size: 1, name: 'v', ...options }],
    waitUntilVolumeState: [volume, 'available', options],
    createImage: [node, 'image', options],
    copyImage: ['us-east-1', image, 'copy', options],
    listVolumes: [options],
    listContainers: [options],
    deployContainer: ['c', containerImage, options],
    containerLogs: [deployed, options],
  };
  const args = known[method] ?? Array.from({ length: spec.index + 1 }, () => undefined);
  if (!known[method]) args[spec.index] = options;
  expect(args[spec.index]).toBe(method === 'createNode' || method === 'createVolume' ? args[0] : options);
  return args;
}

/** Whether a method is an iterable one (by the class's methodKinds). */
const isIterate = (driver: BaseDriver, method: string): boolean => driver.methodKind(method) === 'iterate';

/** Calls `method` in the sync style: it must throw synchronously (for iterables, when called or at the first item). */
function syncRefusal(driver: BaseDriver, method: string, args: unknown[]): unknown {
  const fn = (driver as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!;
  return thrown(() => {
    const result = fn.apply(driver, args);
    if (isIterate(driver, method)) for (const _ of result as Iterable<unknown>) void _;
  });
}

/**
 * Calls `method` in Design 3 (on the driver, or on `via`, e.g. a `withSignal` view): no synchronous throw; a
 * rejection (calls) or a failing first `next()` (iterables).
 */
async function design3Refusal(driver: BaseDriver, method: string, args: unknown[], via: object = driver): Promise<unknown> {
  const fn = (via as Record<string, (...a: unknown[]) => unknown>)[method]!;
  let result: unknown;
  expect(() => {
    result = fn.apply(via, args);
  }).not.toThrow();
  if (isIterate(driver, method)) {
    expect(typeof (result as AsyncIterable<unknown>)[Symbol.asyncIterator]).toBe('function');
    return (result as AsyncIterable<unknown>)[Symbol.asyncIterator]().next().then(
      () => {
        throw new Error(`${method}: the first next() resolved`);
      },
      (error: unknown) => error,
    );
  }
  expect(result).toBeInstanceOf(Promise);
  return (result as Promise<unknown>).then(
    () => {
      throw new Error(`${method}: resolved`);
    },
    (error: unknown) => error,
  );
}

/** A typo of `key`: two adjacent letters swapped (one edit). */
function typo(key: string): string {
  const i = Math.max(1, Math.floor(key.length / 2) - 1);
  return key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2);
}

describe.each(REGISTERED.map((r) => [r.id, r] as const))('%s methods', (_, r) => {
  const table = Object.entries(r.Sync.methodOptions);

  test('the methods that take options are in the methodOptions table', () => {
    const names = table.map(([name]) => name);
    expect(names).toEqual(expect.arrayContaining([...REQUIRED_METHODS[r.kind], ...(REQUIRED_BY_PROVIDER[r.id] ?? [])]));
  });

  describe.each(table.map(([method, spec]) => [method, spec] as const))('%s', (method, spec) => {
    const cases: Array<[string, string | undefined]> = [
      ['bogus_option_xyz', undefined],
      [typo([...spec.keys].sort((a, b) => b.length - a.length)[0]!), [...spec.keys].sort((a, b) => b.length - a.length)[0]!],
      ...(METHOD_SPELLINGS[method] ?? []).filter(([, to]) => spec.keys.some((k) => to === k || to.startsWith(`${k}:`))),
    ];

    test.each(cases)('`%s` is refused (pointer: %p) in the sync style by a throw, in Design 3 (and its withSignal view) by a rejection; nothing is sent', async (key, suggestion) => {
      const { sync, design3, sent } = drivers(r);
      const syncError = syncRefusal(sync, method, argsFor(sync, method, spec, { [key]: 1 }));
      expectRefusal(syncError, key, suggestion);
      expect((syncError as Error).message).toContain(method);
      const asyncError = await design3Refusal(design3, method, argsFor(design3, method, spec, { [key]: 1 }));
      expectRefusal(asyncError, key, suggestion);
      // The same through a per-call signal view.
      const view = (design3 as unknown as { withSignal(signal: AbortSignal): object }).withSignal(new AbortController().signal);
      expectRefusal(await design3Refusal(design3, method, argsFor(design3, method, spec, { [key]: 1 }), view), key, suggestion);
      expect(sent()).toBe(0);
    });
  });
});

test("pointers carry what differs from Libcloud: wait_period is in milliseconds here, end is inclusive, ex_expiry is in seconds", () => {
  for (const r of REGISTERED) {
    const { sync } = drivers(r);
    const table = r.Sync.methodOptions;
    if (table.waitUntilRunning) {
      const error = syncRefusal(sync, 'waitUntilRunning', argsFor(sync, 'waitUntilRunning', table.waitUntilRunning, { wait_period: 5 }));
      expect((error as Error).message).toMatch(/did you mean `pollInterval`\? In milliseconds \(Libcloud's is in seconds\)/);
    }
    if (table.downloadObjectAsStream) {
      const error = syncRefusal(sync, 'downloadObjectAsStream', argsFor(sync, 'downloadObjectAsStream', table.downloadObjectAsStream, { end_bytes: 5 }));
      expect((error as Error).message).toMatch(/did you mean `end`\? It is inclusive/);
    }
    if (table.getObjectCdnUrl) {
      const error = syncRefusal(sync, 'getObjectCdnUrl', argsFor(sync, 'getObjectCdnUrl', table.getObjectCdnUrl, { ex_expiry: 24 }));
      expect((error as Error).message).toMatch(/did you mean `expiresIn`\? In seconds \(Libcloud's ex_expiry is in hours\)/);
    }
  }
});
