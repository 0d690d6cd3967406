/**
 * Docker Engine API response parsers: pure functions over the JSON documents and byte streams (Libcloud's
 * `DockerContainerDriver._to_container` and `list_images`), the pull progress stream and the logs framing.
 * @module
 */
import {
  ContainerImage,
  ContainerImageNotFoundError,
  ContainerInstance as Container,
  ContainerState,
  MalformedResponseError,
  ProviderError,
  RequestError,
  type ContainerImageOps,
  type ContainerOps,
  type HttpResponse,
  type ProviderErrorInfo,
  isJsonObject,
  jsonObjectOf,
  unexpectedDocument,
} from '@dualcloud/core';

type Json = Record<string, any>;

function malformed(message: string, status?: number): MalformedResponseError {
  return unexpectedDocument('docker', message, status);
}

/** The JSON object of a response; `MalformedResponseError` when it is not one (HTML, truncated, an array). */
export function jsonObject(response: HttpResponse): Json {
  return jsonObjectOf(response, 'docker');
}

/** The JSON array of a response (a list call); `MalformedResponseError` when it is not an array of objects. */
export function jsonArray(response: HttpResponse): Json[] {
  const doc = response.json<unknown>();
  if (!Array.isArray(doc)) throw malformed('expected a JSON array', response.status);
  if (!doc.every(isJsonObject)) throw malformed('expected a JSON array of objects', response.status);
  return doc;
}

/**
 * Docker's error body, `{"message": "..."}`, with a code derived from it (the Engine API sends none): `NoSuchContainer`,
 * `NoSuchImage`, `NameConflict` (409 "is already in use"), otherwise the status's name (`NotFound`, `Conflict`,
 * `BadRequest`, `ServerError`). An HTML or empty error body gives only the status's name.
 */
export function parseDockerError(response: HttpResponse): ProviderErrorInfo | undefined {
  let message: string | undefined;
  try {
    const doc = JSON.parse(response.text()) as unknown;
    if (isJsonObject(doc) && typeof doc.message === 'string') message = doc.message;
  } catch {
    // not JSON: the status decides
  }
  return { code: errorCode(response.status, message), ...(message !== undefined ? { message } : {}), ...(response.requestId ? { requestId: response.requestId } : {}) };
}

function errorCode(status: number, message = ''): string {
  if (/^no such container/i.test(message)) return 'NoSuchContainer';
  if (/^no such image/i.test(message) || (status === 404 && /pull access denied|manifest unknown|repository does not exist/i.test(message))) return 'NoSuchImage';
  if (status === 409 && /is already in use/i.test(message)) return 'NameConflict';
  if (status === 404) return 'NotFound';
  if (status === 409) return 'Conflict';
  if (status === 400) return 'BadRequest';
  if (status === 401) return 'Unauthorized';
  if (status === 403) return 'Forbidden';
  if (status >= 500) return 'ServerError';
  return `HTTP${status}`;
}

/** What a pull's progress stream said: the manifest digest and the final status line. */
export interface PullOutcome {
  readonly digest?: string;
  readonly status?: string;
}

/**
 * Follows a pull's newline-delimited JSON progress stream (`POST /images/create`) to its end. An `error` /
 * `errorDetail` line is the pull's failure (the daemon answers 200 and reports it in the stream):
 * `ContainerImageNotFoundError` when the image or tag does not exist, `ProviderError` otherwise. A line that
 * is not JSON is `MalformedResponseError`.
 */
export function followPull(response: HttpResponse, reference: string): PullOutcome {
  const text = response.text();
  let digest: string | undefined;
  let status: string | undefined;
  let lines = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    lines += 1;
    let doc: unknown;
    try {
      doc = JSON.parse(line);
    } catch {
      throw malformed(`the pull of ${reference} answered a progress line that is not JSON`, response.status);
    }
    if (!isJsonObject(doc)) throw malformed(`the pull of ${reference} answered a progress line that is not an object`, response.status);
    if (doc.error !== undefined || doc.errorDetail !== undefined) {
      const message = String(doc.errorDetail?.message ?? doc.error);
      throw pullError(reference, message, response.status);
    }
    if (typeof doc.status === 'string') {
      status = doc.status;
      const m = /^Digest: (sha256:[a-f0-9]{64})/.exec(doc.status);
      if (m) digest = m[1];
    }
  }
  if (lines === 0) throw malformed(`the pull of ${reference} answered an empty progress stream`, response.status);
  return { ...(digest ? { digest } : {}), ...(status !== undefined ? { status } : {}) };
}

function pullError(reference: string, message: string, status: number): Error {
  const options = { provider: 'docker', status, code: 'PullFailed' };
  if (/not found|manifest unknown|does not exist|pull access denied|no such image/i.test(message)) {
    return new ContainerImageNotFoundError(`docker: image ${reference} could not be pulled: ${message}`, { ...options, code: 'NoSuchImage' });
  }
  if (/unauthorized|authentication required/i.test(message)) return new RequestError(`docker: pulling ${reference} was refused: ${message}`, options);
  return new ProviderError(`docker: pulling ${reference} failed: ${message}`, options);
}

/** `ts_to_str` of Libcloud: a float timestamp as `dd/mm/YYYY HH:MM ` in local time. */
function tsToStr(seconds: number): string {
  const d = new Date(seconds * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getDate())}/${p(d.getMonth() + 1)}/${d.getFullYear()} ${p(d.getHours())}:${p(d.getMinutes())} `;
}

/**
 * The tag or digest of an image name, when it is a reference (`tomcat:8.0` → `8.0`); '' for an id and for a
 * dangling image's `<none>:<none>` (no tag).
 */
export function versionOf(name: string | undefined): string {
  if (!name || /^sha256:/.test(name) || name === '<none>:<none>' || name === '<none>@<none>') return '';
  const at = name.indexOf('@');
  if (at >= 0) return name.slice(at + 1);
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(colon + 1) : 'latest';
}

/** Libcloud's None is our undefined: extra keeps only what the document has. */
function defined(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined && v !== null));
}

/**
 * A container from `GET /containers/json` (a summary) or `GET /containers/{id}/json` (an inspect document), as
 * Libcloud's `_to_container`: the name from `Name` or `Names[0]` without slashes; the state from the status text
 * (`Exited…` → stopped, `Up …` or containing `running` → running, anything else → stopped); ip addresses from
 * `Ports[].IP`; `extra` with id, status, created, image, ports, command, sizerw, sizerootfs.
 */
export function toContainer(data: unknown, driver: ContainerOps & ContainerImageOps): Container {
  if (!isJsonObject(data) || typeof data.Id !== 'string' || data.Id === '') throw malformed('a container without an Id');
  const stripSlashes = (s: string): string => s.replace(/^\/+|\/+$/g, '');
  const name =
    typeof data.Name === 'string'
      ? stripSlashes(data.Name)
      : Array.isArray(data.Names) && typeof data.Names[0] === 'string'
        ? stripSlashes(data.Names[0])
        : data.Id;
  const stateDoc = data.State;
  const status: unknown = isJsonObject(stateDoc) ? (data.Status ?? stateDoc.Status) : data.Status;
  if (typeof status !== 'string') throw malformed(`container ${data.Id} has no status`);
  let state: ContainerState;
  if (status.includes('Exited')) state = ContainerState.STOPPED;
  else if (status.startsWith('Up ')) state = ContainerState.RUNNING;
  else if (status.includes('running')) state = ContainerState.RUNNING;
  else state = ContainerState.STOPPED;
  const image = typeof data.Image === 'string' ? data.Image : undefined;
  const ports: unknown = 'Ports' in data ? data.Ports : [];
  const created = typeof data.Created === 'number' && !Number.isInteger(data.Created) ? tsToStr(data.Created) : data.Created;
  const ips: string[] = [];
  if (ports !== null && ports !== undefined) {
    if (!Array.isArray(ports)) throw malformed(`container ${data.Id} has Ports that are not a list`);
    for (const port of ports) if (isJsonObject(port) && port.IP !== undefined && port.IP !== null) ips.push(String(port.IP));
  }
  const extra = defined({
    id: data.Id,
    status: data.Status,
    created,
    image,
    ports,
    command: data.Command,
    sizerw: data.SizeRw,
    sizerootfs: data.SizeRootFs,
  });
  const imageId = typeof data.ImageID === 'string' ? data.ImageID : '';
  const containerImage = new ContainerImage({ id: imageId, name: image ?? '', path: image ?? '', version: versionOf(image) }, driver);
  return new Container({ id: data.Id, name, image: containerImage, state, ipAddresses: ips, extra }, driver);
}

/** An image from `GET /images/json` or `GET /images/{name}/json`, as Libcloud's `list_images`: the name is the first tag, else the id. */
export function toImage(data: unknown, driver: ContainerImageOps): ContainerImage {
  if (!isJsonObject(data) || typeof data.Id !== 'string' || data.Id === '') throw malformed('an image without an Id');
  const tags = data.RepoTags;
  const name = Array.isArray(tags) && typeof tags[0] === 'string' ? tags[0] : data.Id;
  return new ContainerImage(
    { id: data.Id, name, path: name, version: versionOf(name), extra: defined({ created: data.Created, size: data.Size, virtual_size: data.VirtualSize }) },
    driver,
  );
}

/**
 * Log lines of `GET /containers/{id}/logs`. A container without a TTY sends Docker's multiplexed framing (an
 * 8-byte header per frame: stream type 0/1/2, three zero bytes, a big-endian payload length); with a TTY it
 * sends the raw text. A body declared `application/vnd.docker.multiplexed-stream` must be framed; a raw-stream
 * body is taken as framed only when it parses as frames to its end. Lines are split per stream, so a line cut
 * across frames is joined; a trailing `\r` is dropped.
 */
export function logLines(response: HttpResponse): string[] {
  const body = Buffer.from(response.body.buffer, response.body.byteOffset, response.body.byteLength);
  const type = (response.header('content-type') ?? '').toLowerCase();
  const frames = demultiplex(body);
  if (type.includes('multiplexed-stream') && frames === undefined) throw malformed('the logs stream is not in Docker\'s multiplexed framing', response.status);
  if (frames === undefined) return splitLines(body.toString('utf8'));
  const buffers = new Map<number, string>();
  const lines: string[] = [];
  for (const frame of frames) {
    const text = (buffers.get(frame.stream) ?? '') + frame.payload.toString('utf8');
    const parts = text.split('\n');
    buffers.set(frame.stream, parts.pop()!);
    lines.push(...parts.map((l) => l.replace(/\r$/, '')));
  }
  for (const rest of buffers.values()) if (rest !== '') lines.push(rest.replace(/\r$/, ''));
  return lines;
}

/** Frames of Docker's stream multiplexing, or undefined when the bytes are not such frames (to the end). */
export function demultiplex(body: Buffer): Array<{ stream: number; payload: Buffer }> | undefined {
  if (body.length === 0) return [];
  const frames: Array<{ stream: number; payload: Buffer }> = [];
  let at = 0;
  while (at < body.length) {
    if (at + 8 > body.length) return undefined;
    const stream = body[at]!;
    if (stream > 2 || body[at + 1] !== 0 || body[at + 2] !== 0 || body[at + 3] !== 0) return undefined;
    const size = body.readUInt32BE(at + 4);
    if (at + 8 + size > body.length) return undefined;
    frames.push({ stream, payload: body.subarray(at + 8, at + 8 + size) });
    at += 8 + size;
  }
  return frames;
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
