/**
 * The S3-compatible stores, by their request descriptors: for each store and region, the endpoint, the
 * addressing (virtual-hosted or path-style), the region SigV4 signs for, and the headers the store is sent (no
 * `x-amz-checksum-*` where stores reject them, no LocationConstraint where the endpoint fixes the region, the
 * Content-MD5 DeleteObjects needs). Operations are stepped by hand to their first `http` effect: the prepared,
 * signed request, with no network. Working against a server is the behaviour suite's part (one row per store).
 */
import { createHash } from 'node:crypto';
import { describe, expect, test } from '@jest/globals';
import {
  BackblazeB2S3StorageDriver,
  CloudflareR2StorageDriver,
  Container,
  DigitalOceanSpacesStorageDriver,
  getDriver,
  LinodeStorageDriver,
  MinIOStorageDriver,
  OvhStorageDriver,
  Provider,
  S3StorageDriver,
  ScalewayStorageDriver,
  StorageObject,
  WasabiStorageDriver,
  type S3CompatibleStorageDriver,
} from '@dualcloud/drivers/storage';
import { InvalidArgumentError, type Effect, type Operation, type PreparedRequest } from '@dualcloud/core';

const KEYS = { key: 'AKIDEXAMPLE', secret: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

/** The first request an operation sends (stepping into `all` effects), signed and ready, never sent. */
function firstRequest(op: Operation<unknown> | Generator<Effect, unknown, unknown>): PreparedRequest {
  for (let i = 0; i < 20; i++) {
    const step = op.next();
    if (step.done) throw new Error('the operation finished without a request');
    const effect = step.value;
    if (effect.type === 'http') return effect.request;
    if (effect.type === 'all') return firstRequest(effect.operations[0]!);
    if (effect.type !== 'read') throw new Error(`unexpected ${effect.type} effect before the first request`);
  }
  throw new Error('no request within 20 effects');
}

/** The signing scope of a SigV4 Authorization header. */
function scope(request: PreparedRequest): { region: string; service: string } {
  const m = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(request.headers.authorization ?? '');
  if (!m) throw new Error('not a SigV4 Authorization header');
  return { region: m[1]!, service: m[2]! };
}

interface Case {
  readonly provider: Provider;
  readonly options: object;
  /** Where HeadBucket of `photos` goes. */
  readonly url: string;
  readonly region: string;
}

/** Store × region → endpoint, addressing, signing region. */
const CASES: readonly Case[] = [
  { provider: Provider.MINIO, options: { host: 'minio.internal', port: 9000, secure: false }, url: 'http://minio.internal:9000/photos', region: 'us-east-1' },
  { provider: Provider.MINIO, options: { host: 'minio.internal', region: 'eu-south-9' }, url: 'https://minio.internal/photos', region: 'eu-south-9' },
  { provider: Provider.DIGITALOCEAN_SPACES, options: {}, url: 'https://photos.nyc3.digitaloceanspaces.com/', region: 'nyc3' },
  { provider: Provider.DIGITALOCEAN_SPACES, options: { region: 'fra1' }, url: 'https://photos.fra1.digitaloceanspaces.com/', region: 'fra1' },
  { provider: Provider.WASABI, options: {}, url: 'https://photos.s3.us-east-1.wasabisys.com/', region: 'us-east-1' },
  { provider: Provider.WASABI, options: { region: 'eu-central-2' }, url: 'https://photos.s3.eu-central-2.wasabisys.com/', region: 'eu-central-2' },
  { provider: Provider.CLOUDFLARE_R2, options: { accountId: '0123456789ABCDEF0123456789abcdef' }, url: 'https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com/photos', region: 'auto' },
  { provider: Provider.CLOUDFLARE_R2, options: { accountId: 'acc1', jurisdiction: 'eu' }, url: 'https://acc1.eu.r2.cloudflarestorage.com/photos', region: 'auto' },
  { provider: Provider.BACKBLAZE_B2_S3, options: { region: 'us-west-004' }, url: 'https://photos.s3.us-west-004.backblazeb2.com/', region: 'us-west-004' },
  { provider: Provider.BACKBLAZE_B2_S3, options: { region: 'eu-central-003' }, url: 'https://photos.s3.eu-central-003.backblazeb2.com/', region: 'eu-central-003' },
  { provider: Provider.SCALEWAY, options: {}, url: 'https://photos.s3.fr-par.scw.cloud/', region: 'fr-par' },
  { provider: Provider.SCALEWAY, options: { region: 'pl-waw' }, url: 'https://photos.s3.pl-waw.scw.cloud/', region: 'pl-waw' },
  { provider: Provider.OVH, options: {}, url: 'https://photos.s3.gra.io.cloud.ovh.net/', region: 'gra' },
  { provider: Provider.OVH, options: { region: 'SBG', tier: 'performance' }, url: 'https://photos.s3.sbg.perf.cloud.ovh.net/', region: 'sbg' },
  { provider: Provider.LINODE, options: {}, url: 'https://photos.us-east-1.linodeobjects.com/', region: 'us-east-1' },
  { provider: Provider.LINODE, options: { region: 'fr-par-1' }, url: 'https://photos.fr-par-1.linodeobjects.com/', region: 'fr-par-1' },
  // A store's endpoint overridden (a gateway, the fake cloud): path-style on that host, same signing region.
  { provider: Provider.WASABI, options: { region: 'ap-northeast-1', host: '127.0.0.1', port: 9000, secure: false }, url: 'http://127.0.0.1:9000/photos', region: 'ap-northeast-1' },
  { provider: Provider.DIGITALOCEAN_SPACES, options: { region: 'sgp1', host: 'cdn.example', pathStyle: false }, url: 'https://photos.cdn.example/', region: 'sgp1' },
  { provider: Provider.LINODE, options: { forcePathStyle: true }, url: 'https://us-east-1.linodeobjects.com/photos', region: 'us-east-1' },
];

const make = (c: Pick<Case, 'provider' | 'options'>): S3CompatibleStorageDriver => new (getDriver(c.provider) as new (o: object) => S3CompatibleStorageDriver)({ ...KEYS, ...c.options });

describe.each(CASES.map((c) => [`${c.provider} ${JSON.stringify(c.options)}`, c] as const))('%s', (_, c) => {
  test('endpoint, addressing and signing region', () => {
    const d = make(c);
    const head = firstRequest(d.getContainerOp('photos'));
    expect(head.method).toBe('HEAD');
    expect(head.url).toBe(c.url);
    expect(scope(head)).toEqual({ region: c.region, service: 's3' });
    expect(d.region).toBe(c.region);
    expect(d.pathStyle).toBe(new URL(c.url).pathname === '/photos');
  });

  test('headers the store accepts: Content-MD5, no x-amz-checksum-*, no LocationConstraint; DeleteObjects with its Content-MD5', () => {
    const d = make(c);
    const bucket = new Container('photos', {}, d);
    const put = firstRequest(d.uploadObjectViaStreamOp('hello', bucket, 'a b.txt'));
    expect(put.method).toBe('PUT');
    expect(put.headers['content-md5']).toBe(createHash('md5').update('hello').digest('base64'));
    expect(Object.keys(put.headers).filter((h) => h.startsWith('x-amz-checksum'))).toEqual([]);
    const create = firstRequest(d.createContainerOp('photos'));
    expect(create.body).toBeUndefined();
    const obj = new StorageObject({ name: 'a b.txt', size: 5, hash: '', extra: {} }, bucket, d);
    const get = firstRequest(d.downloadObjectOp(obj, '/tmp/never-written'));
    expect(get.headers['x-amz-checksum-mode']).toBeUndefined();
    const del = firstRequest(d.deleteObjectsOp([obj, obj]));
    expect([del.method, new URL(del.url).search]).toEqual(['POST', '?delete=']);
    expect(del.headers['content-md5']).toBe(createHash('md5').update(del.body as string).digest('base64'));
    expect(scope(del).region).toBe(c.region);
  });
});

describe('Amazon S3 keeps its own defaults', () => {
  test('virtual-hosted, full-object CRC32 checksums, a LocationConstraint outside us-east-1', () => {
    const d = new S3StorageDriver({ ...KEYS, region: 'eu-west-1' });
    const bucket = new Container('photos', {}, d);
    expect(firstRequest(d.getContainerOp('photos')).url).toBe('https://photos.s3.eu-west-1.amazonaws.com/');
    expect(firstRequest(d.uploadObjectViaStreamOp('hello', bucket, 'k')).headers['x-amz-checksum-crc32']).toBeDefined();
    expect(String(firstRequest(d.createContainerOp('photos')).body)).toContain('<LocationConstraint>eu-west-1</LocationConstraint>');
  });

  test('a store may turn checksums on; pathStyle and its alias forcePathStyle agree or are refused', () => {
    const minio = new MinIOStorageDriver({ ...KEYS, host: 'minio.internal', checksums: true });
    expect(firstRequest(minio.uploadObjectViaStreamOp('hello', new Container('b1', {}, minio), 'k')).headers['x-amz-checksum-crc32']).toBeDefined();
    expect(new WasabiStorageDriver({ ...KEYS, forcePathStyle: true, pathStyle: true }).pathStyle).toBe(true);
    expect(() => new WasabiStorageDriver({ ...KEYS, forcePathStyle: true, pathStyle: false })).toThrow(InvalidArgumentError);
  });
});

describe('what each store needs', () => {
  test.each([
    ['MinIO without a host', () => new MinIOStorageDriver({ ...KEYS })],
    ['B2 without a region', () => new BackblazeB2S3StorageDriver({ ...KEYS })],
    ['R2 without an account id or host', () => new CloudflareR2StorageDriver({ ...KEYS })],
    ['R2 with an unknown jurisdiction', () => new CloudflareR2StorageDriver({ ...KEYS, accountId: 'a', jurisdiction: 'mars' as never })],
    ['OVH with an unknown tier', () => new OvhStorageDriver({ ...KEYS, tier: 'cold' as never })],
    ['a region that is not a host label', () => new DigitalOceanSpacesStorageDriver({ ...KEYS, region: 'nyc3.evil.example/' })],
    ['an account id that is not a host label', () => new CloudflareR2StorageDriver({ ...KEYS, accountId: 'a.b' })],
    ['no keys', () => new ScalewayStorageDriver({})],
    ['a key without its secret', () => new LinodeStorageDriver({ key: 'k' })],
  ])('%s is refused with InvalidArgumentError', (_, build) => {
    expect(build).toThrow(InvalidArgumentError);
  });

  test('keys come from the options only, never from AWS_* variables (they belong to another provider)', () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'AKIAFROMENVIRONMENT0';
    process.env.AWS_SECRET_ACCESS_KEY = 'from-the-environment';
    try {
      expect(() => new WasabiStorageDriver({})).toThrow(/give key/);
    } finally {
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      else process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
  });

  test('Scaleway caps multipart uploads at 1,000 parts (S3: 10,000), so large objects get larger parts', () => {
    const hooks = (d: S3CompatibleStorageDriver): { maxParts: number } =>
      (d as unknown as { uploadHooks(c: Container, n: string, o: object): { maxParts: number } }).uploadHooks(new Container('b1', {}, d), 'k', {});
    expect(hooks(new ScalewayStorageDriver({ ...KEYS })).maxParts).toBe(1000);
    expect(hooks(new WasabiStorageDriver({ ...KEYS })).maxParts).toBe(10_000);
  });

  test('an upload that stayed corrupted is not deleted by these stores (no If-Match on DELETE to rely on); AWS deletes it guarded', () => {
    const written = (d: S3CompatibleStorageDriver): boolean =>
      typeof (d as unknown as { uploadHooks(c: Container, n: string, o: object): { deleteWritten?: unknown } }).uploadHooks(new Container('b1', {}, d), 'k', {}).deleteWritten === 'function';
    expect(written(new S3StorageDriver({ ...KEYS }))).toBe(true);
    expect(written(new OvhStorageDriver({ ...KEYS }))).toBe(false);
  });

  test('names and types are the registry\'s', () => {
    const expected: Array<[Provider, string]> = [
      [Provider.MINIO, 'minio'],
      [Provider.DIGITALOCEAN_SPACES, 'digitalocean_spaces'],
      [Provider.WASABI, 'wasabi'],
      [Provider.CLOUDFLARE_R2, 'cloudflare_r2'],
      [Provider.BACKBLAZE_B2_S3, 'backblaze_b2_s3'],
      [Provider.SCALEWAY, 'scaleway'],
      [Provider.OVH, 'ovh'],
      [Provider.LINODE, 'linode'],
    ];
    for (const [provider, name] of expected) {
      expect(provider).toBe(name);
      const d = make(CASES.find((c) => c.provider === provider)!);
      expect(d.type).toBe(provider);
      expect(d.connection.provider).toBe(provider);
    }
  });
});
