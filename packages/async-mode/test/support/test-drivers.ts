/**
 * Small drivers over the test cloud (test-cloud-server.mjs), written only as operations like real drivers,
 * so the three designs can be exercised with real I/O before the provider drivers exist.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import {
  bearerSigner,
  Container,
  type ConnectionRecipe,
  Node,
  NodeDriver,
  NodeImage,
  NodeLocation,
  NodeNotFoundError,
  ContainerDoesNotExistError,
  ObjectDoesNotExistError,
  NodeSize,
  read,
  StorageDriver,
  StorageObject,
  toChunkSource,
  type CreateNodeOptions,
  type DownloadOptions,
  type ListObjectsOptions,
  type NodeState,
  type Operation,
  type PageOperation,
  type RequestSpec,
  type StreamOptions,
  type UploadOptions,
  type UploadSource,
} from '@dualcloud/core';

/** Options of the test drivers. */
export interface TestDriverOptions {
  key: string;
  port: number;
  /** Server-side latency of every request. */
  latencyMs?: number;
}

/** The test drivers' connection recipe (the base driver builds the connection). */
function recipe(options: TestDriverOptions): ConnectionRecipe {
  return {
    provider: 'test',
    host: '127.0.0.1',
    port: options.port,
    secure: false,
    credentials: bearerSigner(options.key),
    retry: { maxAttempts: 1 },
    defaultHeaders: options.latencyMs ? { 'x-latency-ms': String(options.latencyMs) } : {},
    errorCodes: {},
    parseError: (res) => res.json<{ code: string; message: string }>(),
  };
}

interface NodeJson {
  id: string;
  name: string;
  state: NodeState;
  ip: string;
}

/** A compute driver over the test cloud. */
export class TestNodeDriver extends NodeDriver {
  static override readonly optionKeys: readonly string[] = [...NodeDriver.optionKeys, 'latencyMs'];
  readonly type = 'test';
  readonly name = 'Test Compute';
  constructor(options: TestDriverOptions) {
    super(options);
    this.connect(recipe(options));
  }

  private *send(spec: RequestSpec) {
    return yield* this.connection.send(spec);
  }

  private toNode(n: NodeJson): Node {
    return new Node({ id: n.id, name: n.name, state: n.state, publicIps: n.state === 'running' ? [n.ip] : [], privateIps: [] }, this);
  }

  *listNodesOp(): Operation<Node[]> {
    const res = yield* this.send({ method: 'GET', path: '/nodes' });
    return res.json<{ nodes: NodeJson[] }>().nodes.map((n) => this.toNode(n));
  }
  *listImagesOp(): Operation<NodeImage[]> {
    return [new NodeImage('img-1', 'Test Linux', this)];
  }
  *listSizesOp(): Operation<NodeSize[]> {
    return [new NodeSize('small', 'Small', 512, 10, undefined, 0.01, this)];
  }
  *listLocationsOp(): Operation<NodeLocation[]> {
    return [new NodeLocation('here', 'Here', 'ZZ', this)];
  }
  *createNodeOp(options: CreateNodeOptions): Operation<Node> {
    const bootMs = Number(options.ex?.bootMs ?? 0);
    const res = yield* this.send({ method: 'POST', path: '/nodes', body: JSON.stringify({ name: options.name, bootMs }) });
    return this.toNode(res.json<NodeJson>());
  }
  *rebootNodeOp(node: Node): Operation<boolean> {
    yield* this.nodeCall('POST', `/nodes/${node.id}/reboot`);
    return true;
  }
  *destroyNodeOp(node: Node): Operation<boolean> {
    yield* this.nodeCall('DELETE', `/nodes/${node.id}`);
    return true;
  }
  *startNodeOp(): Operation<boolean> {
    return true;
  }
  *stopNodeOp(): Operation<boolean> {
    return true;
  }
  private *nodeCall(method: 'POST' | 'DELETE', path: string): Operation<void> {
    try {
      yield* this.send({ method, path, idempotent: true });
    } catch (error) {
      if (error instanceof Error && (error as { status?: number }).status === 404) throw new NodeNotFoundError(error.message, { provider: 'test', status: 404 });
      throw error;
    }
  }
}

/** A storage driver over the test cloud. */
export class TestStorageDriver extends StorageDriver {
  static override readonly optionKeys: readonly string[] = [...StorageDriver.optionKeys, 'latencyMs'];
  readonly type = 'test';
  readonly name = 'Test Storage';
  constructor(options: TestDriverOptions) {
    super(options);
    this.connect(recipe(options));
  }

  private *send(spec: RequestSpec, notFound?: new (message: string, options: object) => Error) {
    try {
      return yield* this.connection.send(spec);
    } catch (error) {
      if (notFound && (error as { status?: number }).status === 404) throw new notFound((error as Error).message, { provider: 'test', status: 404 });
      throw error;
    }
  }

  private objectPath(container: string, name: string): string {
    return `/buckets/${encodeURIComponent(container)}/objects/${name.split('/').map(encodeURIComponent).join('/')}`;
  }

  iterateContainersPages(): PageOperation<Container> {
    const self = this;
    return function* (token) {
      const res = yield* self.send({ method: 'GET', path: '/buckets', query: { token } });
      const page = res.json<{ items: { name: string }[]; next?: string }>();
      return { items: page.items.map((b) => new Container(b.name, {}, self)), next: page.next };
    };
  }
  *getContainerOp(name: string): Operation<Container> {
    yield* this.send({ method: 'GET', path: `/buckets/${encodeURIComponent(name)}` }, ContainerDoesNotExistError);
    return new Container(name, {}, this);
  }
  *createContainerOp(name: string): Operation<Container> {
    yield* this.send({ method: 'PUT', path: `/buckets/${encodeURIComponent(name)}` });
    return new Container(name, {}, this);
  }
  *deleteContainerOp(container: Container): Operation<boolean> {
    yield* this.send({ method: 'DELETE', path: `/buckets/${encodeURIComponent(container.name)}` }, ContainerDoesNotExistError);
    return true;
  }
  iterateContainerObjectsPages(container: Container, _options?: ListObjectsOptions): PageOperation<StorageObject> {
    const self = this;
    return function* (token) {
      const res = yield* self.send({ method: 'GET', path: `/buckets/${encodeURIComponent(container.name)}/objects`, query: { token } }, ContainerDoesNotExistError);
      const page = res.json<{ items: { name: string; size: number }[]; next?: string }>();
      return { items: page.items.map((o) => new StorageObject({ name: o.name, size: o.size, hash: '' }, container, self)), next: page.next };
    };
  }
  *getObjectOp(containerName: string, objectName: string): Operation<StorageObject> {
    const res = yield* this.send({ method: 'HEAD', path: this.objectPath(containerName, objectName) }, ObjectDoesNotExistError);
    const size = Number(res.header('x-size') ?? 0);
    return new StorageObject({ name: objectName, size, hash: '' }, new Container(containerName, {}, this), this);
  }
  *uploadObjectOp(filePath: string, container: Container, objectName: string, options?: UploadOptions): Operation<StorageObject> {
    return yield* this.uploadObjectViaStreamOp(readFileSync(filePath), container, objectName, options);
  }
  *uploadObjectViaStreamOp(source: UploadSource, container: Container, objectName: string, options?: UploadOptions): Operation<StorageObject> {
    const chunks = toChunkSource(source);
    const parts: Uint8Array[] = [];
    let done = 0;
    for (;;) {
      const chunk = yield* read(chunks, 64 * 1024);
      if (chunk === null) break;
      parts.push(chunk);
      done += chunk.byteLength;
      options?.onProgress?.(done, undefined);
    }
    const body = Buffer.concat(parts);
    yield* this.send({ method: 'PUT', path: this.objectPath(container.name, objectName), body }, ContainerDoesNotExistError);
    return new StorageObject({ name: objectName, size: body.byteLength, hash: '' }, container, this);
  }
  *downloadObjectOp(obj: StorageObject, destinationPath: string, options?: DownloadOptions): Operation<boolean> {
    const res = yield* this.send({ method: 'GET', path: this.objectPath(obj.container.name, obj.name) }, ObjectDoesNotExistError);
    options?.onProgress?.(res.body.byteLength, res.body.byteLength);
    writeFileSync(destinationPath, res.body);
    return true;
  }
  downloadObjectAsStreamPages(obj: StorageObject, options?: StreamOptions): PageOperation<Uint8Array> {
    const self = this;
    const chunkSize = options?.chunkSize ?? 8;
    return function* (token) {
      const offset = token ? Number(token) : 0;
      const res = yield* self.send(
        { method: 'GET', path: self.objectPath(obj.container.name, obj.name), query: { offset: String(offset), length: String(chunkSize) } },
        ObjectDoesNotExistError,
      );
      const next = offset + chunkSize < obj.size ? String(offset + chunkSize) : undefined;
      return { items: [res.body], next };
    };
  }
  *deleteObjectOp(obj: StorageObject): Operation<boolean> {
    yield* this.send({ method: 'DELETE', path: this.objectPath(obj.container.name, obj.name) }, ObjectDoesNotExistError);
    return true;
  }
}
