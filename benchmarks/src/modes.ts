/**
 * The five ways the benchmarks perform the same work: raw axios (hand-signed requests, the baseline), the
 * sync-style API, and the three async designs — all over the same drivers and the same fake cloud.
 * @module
 */
import http from 'node:http';
import axios, { type AxiosInstance } from 'axios';
import { parseStringPromise } from 'xml2js';
import { signV4 } from '@dualcloud/core';
import { AsyncSession } from '@dualcloud/async-session';
import { getDriver as getD2Compute, Provider as D2ComputeProvider } from '@dualcloud/async-methods/compute';
import { getDriver as getD2Storage, Provider as D2StorageProvider } from '@dualcloud/async-methods/storage';
import { getDriver as getD3Compute, Provider as D3ComputeProvider } from '@dualcloud/async-mode/compute';
import { getDriver as getD3Storage, Provider as D3StorageProvider } from '@dualcloud/async-mode/storage';
import { getDriver as getComputeDriver, Provider as ComputeProvider } from '@dualcloud/drivers/compute';
import { getDriver as getStorageDriver, Provider as StorageProvider, type Container, type StorageObject } from '@dualcloud/drivers/storage';
import { FAKE_CREDENTIALS, type FakeCloud } from '@dualcloud/fake-cloud';

/** Mode names, as in the benchmarks contract. */
export type ModeName = 'raw-axios' | 'sync' | 'design1' | 'design2' | 'design3';

/** All modes, in report order. */
export const MODES: readonly ModeName[] = ['raw-axios', 'sync', 'design1', 'design2', 'design3'];

/** The operations a workload needs, in one mode. Sync-mode functions block and return plain values. */
export interface ModeRunner {
  readonly name: ModeName;
  /** False for the sync style: its calls run one after another. */
  readonly concurrent: boolean;
  /** EC2 DescribeInstances (XML), parsed; resolves to the number of nodes. */
  listNodes(): Promise<number> | number;
  /** DigitalOcean GET /v2/droplets (JSON), parsed; resolves to the number of nodes. */
  listDroplets(): Promise<number> | number;
  /** S3 PUT of `bytes` as `key` in the benchmark bucket; resolves to a handle for {@link ModeRunner.getObject}. */
  putObject(key: string, bytes: Buffer): Promise<unknown> | unknown;
  /** S3 GET of an object put by {@link ModeRunner.putObject}; resolves to its length. */
  getObject(handle: unknown): Promise<number> | number;
  /** EC2 waitUntilRunning for one new node (a long call, for the event-loop lag workload). */
  createAndWaitNode(name: string): Promise<void> | void;
  close(): Promise<void>;
}

/** Where and how the modes connect. */
export interface ModeContext {
  readonly cloud: FakeCloud;
  readonly region: string;
  readonly bucket: string;
  /** Requests in flight per driver instance (the async designs' p-limit). */
  readonly concurrency: number;
}

const aws = FAKE_CREDENTIALS.aws;

/** Options shared by every driver the benchmarks construct. */
interface EndpointOptions {
  key: string;
  secret: string;
  region: string;
  concurrency: number;
  host: string;
  port: number;
  secure: boolean;
}

function computeOptions(ctx: ModeContext): EndpointOptions {
  return { key: aws.accessKeyId, secret: aws.secretAccessKey, region: ctx.region, concurrency: ctx.concurrency, ...ctx.cloud.endpoint('ec2') };
}

function doOptions(ctx: ModeContext): { key: string; concurrency: number; host: string; port: number; secure: boolean } {
  return { key: FAKE_CREDENTIALS.digitalocean.token, concurrency: ctx.concurrency, ...ctx.cloud.endpoint('digitalocean') };
}

function storageOptions(ctx: ModeContext): EndpointOptions {
  return { key: aws.accessKeyId, secret: aws.secretAccessKey, region: 'us-east-1', concurrency: ctx.concurrency, ...ctx.cloud.endpoint('s3') };
}

/** Raw axios: requests signed by hand with `signV4`, sent with axios's default adapter and keep-alive, XML parsed with xml2js. */
function rawAxios(ctx: ModeContext): ModeRunner {
  const { port } = ctx.cloud.endpoint('ec2');
  const origin = `http://127.0.0.1:${port}`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: ctx.concurrency });
  const client: AxiosInstance = axios.create({ httpAgent: agent, responseType: 'arraybuffer', validateStatus: (s) => s < 300 });
  const creds = { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey };
  const send = async (method: string, url: string, service: string, region: string, headers: Record<string, string>, body?: Buffer | string): Promise<Buffer> => {
    const signed = signV4({ method, url, headers, body }, creds, { region, service });
    const res = await client.request({ method, url, headers: signed.headers, data: body });
    return Buffer.from(res.data as ArrayBuffer);
  };
  const form = 'Action=DescribeInstances&Version=2016-11-15';
  return {
    name: 'raw-axios',
    concurrent: true,
    async listNodes() {
      const xml = await send('POST', `${origin}/`, 'ec2', ctx.region, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, form);
      const doc = await parseStringPromise(xml.toString('utf8'), { explicitArray: false });
      const reservations = doc.DescribeInstancesResponse?.reservationSet?.item;
      return reservations ? [reservations].flat().length : 0;
    },
    async listDroplets() {
      const res = await client.get(`${origin}/v2/droplets`, { headers: { authorization: `Bearer ${FAKE_CREDENTIALS.digitalocean.token}` } });
      return (JSON.parse(Buffer.from(res.data as ArrayBuffer).toString('utf8')) as { droplets: unknown[] }).droplets.length;
    },
    async putObject(key, bytes) {
      await send('PUT', `${origin}/${ctx.bucket}/${key}`, 's3', 'us-east-1', { 'content-length': String(bytes.length) }, bytes);
      return key;
    },
    async getObject(key) {
      return (await send('GET', `${origin}/${ctx.bucket}/${String(key)}`, 's3', 'us-east-1', {})).length;
    },
    async createAndWaitNode() {
      throw new Error('raw-axios has no waitUntilRunning');
    },
    async close() {
      agent.destroy();
    },
  };
}

/** The sync-style API: every call blocks. */
function syncStyle(ctx: ModeContext): ModeRunner {
  const EC2 = getComputeDriver(ComputeProvider.EC2);
  const DO = getComputeDriver(ComputeProvider.DIGITAL_OCEAN);
  const S3 = getStorageDriver(StorageProvider.S3);
  const ec2 = new EC2(computeOptions(ctx));
  const digitalocean = new DO(doOptions(ctx));
  const s3 = new S3(storageOptions(ctx));
  const bucket = s3.getContainer(ctx.bucket);
  return {
    name: 'sync',
    concurrent: false,
    listNodes: () => ec2.listNodes().length,
    listDroplets: () => digitalocean.listNodes().length,
    putObject: (key, bytes) => s3.uploadObjectViaStream(bytes, bucket, key),
    getObject: (obj) => {
      let n = 0;
      for (const chunk of s3.downloadObjectAsStream(obj as StorageObject)) n += chunk.byteLength;
      return n;
    },
    createAndWaitNode: (name) => {
      const [image] = ec2.listImages();
      const size = ec2.listSizes().find((s) => s.id === 't3.micro') ?? ec2.listSizes()[0]!;
      const node = ec2.createNode({ name, image: image!, size });
      ec2.waitUntilRunning([node], { pollInterval: 100, timeout: 30_000 });
    },
    close: async () => undefined,
  };
}

/** Design 1: one AsyncSession over sync drivers. */
function design1(ctx: ModeContext): ModeRunner {
  const EC2 = getComputeDriver(ComputeProvider.EC2);
  const S3 = getStorageDriver(StorageProvider.S3);
  const ec2 = new EC2(computeOptions(ctx));
  const s3 = new S3(storageOptions(ctx));
  const compute = new AsyncSession(ec2);
  const droplets = new AsyncSession(new (getComputeDriver(ComputeProvider.DIGITAL_OCEAN))(doOptions(ctx)));
  const storage = new AsyncSession(s3);
  let bucket: Promise<Container> | undefined;
  return {
    name: 'design1',
    concurrent: true,
    listNodes: async () => (await compute.listNodes()).length,
    listDroplets: async () => (await droplets.listNodes()).length,
    putObject: async (key, bytes) => storage.uploadObjectViaStream(bytes, await (bucket ??= storage.getContainer(ctx.bucket)), key),
    getObject: async (obj) => {
      let n = 0;
      for await (const chunk of storage.downloadObjectAsStream(obj as StorageObject)) n += chunk.byteLength;
      return n;
    },
    createAndWaitNode: async (name) => {
      const [image] = await compute.listImages();
      const sizes = await compute.listSizes();
      const node = await compute.createNode({ name, image: image!, size: sizes.find((s) => s.id === 't3.micro') ?? sizes[0]! });
      await compute.waitUntilRunning([node], { pollInterval: 100, timeout: 30_000 });
    },
    close: async () => {
      await compute[Symbol.asyncDispose]();
      await droplets[Symbol.asyncDispose]();
      await storage[Symbol.asyncDispose]();
    },
  };
}

/** Design 2: drivers with `*Async` twins. */
function design2(ctx: ModeContext): ModeRunner {
  const EC2 = getD2Compute(D2ComputeProvider.EC2);
  const S3 = getD2Storage(D2StorageProvider.S3);
  const ec2 = new EC2(computeOptions(ctx));
  const digitalocean = new (getD2Compute(D2ComputeProvider.DIGITAL_OCEAN))(doOptions(ctx));
  const s3 = new S3(storageOptions(ctx));
  let bucket: Promise<Container> | undefined;
  return {
    name: 'design2',
    concurrent: true,
    listNodes: async () => (await ec2.listNodesAsync()).length,
    listDroplets: async () => (await digitalocean.listNodesAsync()).length,
    putObject: async (key, bytes) => s3.uploadObjectViaStreamAsync(bytes, await (bucket ??= s3.getContainerAsync(ctx.bucket)), key),
    getObject: async (obj) => {
      let n = 0;
      for await (const chunk of s3.downloadObjectAsStreamAsync(obj as StorageObject)) n += chunk.byteLength;
      return n;
    },
    createAndWaitNode: async (name) => {
      const [image] = await ec2.listImagesAsync();
      const sizes = await ec2.listSizesAsync();
      const node = await ec2.createNodeAsync({ name, image: image!, size: sizes.find((s) => s.id === 't3.micro') ?? sizes[0]! });
      await ec2.waitUntilRunningAsync([node], { pollInterval: 100, timeout: 30_000 });
    },
    close: async () => undefined,
  };
}

/** Design 3: drivers constructed with `async: true`. */
function design3(ctx: ModeContext): ModeRunner {
  const EC2 = getD3Compute(D3ComputeProvider.EC2);
  const S3 = getD3Storage(D3StorageProvider.S3);
  const ec2 = new EC2({ ...computeOptions(ctx), async: true });
  const digitalocean = new (getD3Compute(D3ComputeProvider.DIGITAL_OCEAN))({ ...doOptions(ctx), async: true });
  const s3 = new S3({ ...storageOptions(ctx), async: true });
  let bucket: Promise<Awaited<ReturnType<typeof s3.getContainer>>> | undefined;
  return {
    name: 'design3',
    concurrent: true,
    listNodes: async () => (await ec2.listNodes()).length,
    listDroplets: async () => (await digitalocean.listNodes()).length,
    putObject: async (key, bytes) => s3.uploadObjectViaStream(bytes, await (bucket ??= s3.getContainer(ctx.bucket)), key),
    getObject: async (obj) => {
      let n = 0;
      for await (const chunk of s3.downloadObjectAsStream(obj as Parameters<typeof s3.downloadObjectAsStream>[0])) n += chunk.byteLength;
      return n;
    },
    createAndWaitNode: async (name) => {
      const [image] = await ec2.listImages();
      const sizes = await ec2.listSizes();
      const node = await ec2.createNode({ name, image: image!, size: sizes.find((s) => s.id === 't3.micro') ?? sizes[0]! });
      await ec2.waitUntilRunning([node], { pollInterval: 100, timeout: 30_000 });
    },
    close: async () => undefined,
  };
}

/** Builds the runner of a mode. */
export function createMode(name: ModeName, ctx: ModeContext): ModeRunner {
  switch (name) {
    case 'raw-axios':
      return rawAxios(ctx);
    case 'sync':
      return syncStyle(ctx);
    case 'design1':
      return design1(ctx);
    case 'design2':
      return design2(ctx);
    case 'design3':
      return design3(ctx);
  }
}
