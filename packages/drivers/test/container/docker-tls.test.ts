/**
 * Docker over TLS with client certificates (a daemon started with `--tlsverify`): a throw-away CA, a server
 * certificate for 127.0.0.1 and a client certificate made with `openssl`, and an HTTPS server in a worker
 * thread (the sync style blocks this one) that requires and verifies a client certificate and answers
 * `GET /v1.41/containers/json` with a container named after the client certificate's CN. Options as PEM text
 * and as paths, Docker's environment (`DOCKER_HOST`, `DOCKER_TLS_VERIFY`, `DOCKER_CERT_PATH`), typed errors for
 * a refused handshake, and the client key in no printout.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { getDriver as getAsyncMode } from '@dualcloud/async-mode/container';
import { CloudError, CredentialsNotFoundError, InvalidArgumentError, NetworkError } from '@dualcloud/core';
import { DockerContainerDriver, Provider } from '@dualcloud/drivers/container';

type Pki = Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey' | 'otherCa' | 'otherClientCert' | 'otherClientKey', string>;

let dir: string;
let pki: Pki;
let worker: Worker;
let port: number;
/** A line from the middle of the client key: what must never print. */
let keyLine: string;

/** The HTTPS "daemon": verifies client certificates against the CA (the handshake fails without a valid one). */
const SERVER = `
const { parentPort, workerData } = require('node:worker_threads');
const https = require('node:https');
const { ca, serverCert, serverKey } = workerData;
const server = https.createServer({ key: serverKey, cert: serverCert, ca, requestCert: true, rejectUnauthorized: true }, (req, res) => {
  const cn = req.socket.getPeerCertificate().subject.CN;
  const json = (status, body) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
  if (req.method === 'GET' && req.url.startsWith('/v1.41/containers/json')) {
    return json(200, [{ Id: 'c0ffee' + '0'.repeat(58), Names: ['/' + cn], Image: 'nginx:latest', ImageID: 'sha256:' + 'a'.repeat(64), Status: 'Up 2 minutes', State: 'running', Created: 1700000000, Ports: [] }]);
  }
  if (req.method === 'GET' && req.url === '/v1.41/images/json') {
    return json(200, [{ Id: 'sha256:' + 'a'.repeat(64), RepoTags: ['nginx:latest'], Created: 1700000000, Size: 1 }]);
  }
  json(404, { message: 'page not found' });
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', (m) => { if (m === 'stop') { server.closeAllConnections(); server.close(() => process.exit(0)); } });
`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dualcloud-docker-tls-'));
  const ssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=fake-docker-ca');
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'other.key', '-out', 'other.crt', '-days', '2', '-subj', '/CN=other-ca');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'san.ext');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=docker-client');
  ssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '2');
  // A client certificate signed by another CA: the daemon refuses it.
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'stranger.key', '-out', 'stranger.csr', '-subj', '/CN=stranger');
  ssl('x509', '-req', '-in', 'stranger.csr', '-CA', 'other.crt', '-CAkey', 'other.key', '-CAcreateserial', '-out', 'stranger.crt', '-days', '2');
  const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
  pki = {
    ca: read('ca.crt'),
    serverCert: read('server.crt'),
    serverKey: read('server.key'),
    clientCert: read('client.crt'),
    clientKey: read('client.key'),
    otherCa: read('other.crt'),
    otherClientCert: read('stranger.crt'),
    otherClientKey: read('stranger.key'),
  };
  keyLine = pki.clientKey.split('\n')[5]!;
  expect(keyLine.length).toBeGreaterThan(40);
  worker = new Worker(SERVER, { eval: true, workerData: { ca: pki.ca, serverCert: pki.serverCert, serverKey: pki.serverKey } });
  port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}, 60_000);

afterAll(async () => {
  if (worker) {
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage('stop');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
    await worker.terminate();
  }
  rmSync(dir, { recursive: true, force: true });
});

const NO_RETRY = { maxAttempts: 1 };
const good = (): Record<string, unknown> => ({ host: `https://127.0.0.1:${port}`, caCert: pki.ca, clientCert: pki.clientCert, clientKey: pki.clientKey, retry: NO_RETRY });

/** Every way the driver or an error could be printed. */
function printouts(value: unknown): string[] {
  const out = [inspect(value), inspect(value, { showHidden: true, depth: 20 }), String(value), JSON.stringify(value) ?? ''];
  if (value instanceof Error) out.push(value.message, value.stack ?? '', JSON.stringify({ ...value }), inspect((value as { cause?: unknown }).cause, { showHidden: true, depth: 20 }));
  return out;
}
function expectNoKey(value: unknown): void {
  for (const printed of printouts(value)) {
    expect(printed).not.toContain(keyLine);
    expect(printed).not.toContain('PRIVATE KEY');
  }
}

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (e) {
    return e;
  }
  throw new Error('expected a failure');
}
async function rejected(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('the sync style over TLS with a client certificate', () => {
  test('the right CA and client certificate (PEM text): containers and images are listed; the daemon saw the certificate', () => {
    const docker = new DockerContainerDriver(good());
    const containers = docker.listContainers();
    expect(containers.map((c) => [c.name, c.state, c.image.name])).toEqual([['docker-client', 'running', 'nginx:latest']]);
    expect(docker.listImages().map((i) => i.name)).toEqual(['nginx:latest']);
    expectNoKey(docker);
    expectNoKey(containers[0]);
  });

  test('paths instead of PEM text, and a tcp:// host with TLS options is TLS (port 2376 convention, as the CLI)', () => {
    const docker = new DockerContainerDriver({ host: `tcp://127.0.0.1:${port}`, caCert: join(dir, 'ca.crt'), clientCert: join(dir, 'client.crt'), clientKey: join(dir, 'client.key'), retry: NO_RETRY });
    expect(docker.listContainers().map((c) => c.name)).toEqual(['docker-client']);
    expectNoKey(docker);
    // A bare host with secure: true, through Node's http adapter too.
    const bare = new DockerContainerDriver({ host: '127.0.0.1', port, secure: true, caCert: pki.ca, clientCert: pki.clientCert, clientKey: pki.clientKey, transport: { adapter: 'http' }, retry: NO_RETRY });
    expect(bare.listContainers()).toHaveLength(1);
  });

  test('without a client certificate the daemon refuses the handshake: a typed error', () => {
    const error = caught(() => new DockerContainerDriver({ host: `https://127.0.0.1:${port}`, caCert: pki.ca, retry: NO_RETRY }).listContainers());
    expect(error).toBeInstanceOf(NetworkError);
  });

  test('a client certificate from another CA is refused: a typed error that does not carry the key', () => {
    const docker = new DockerContainerDriver({ host: `https://127.0.0.1:${port}`, caCert: pki.ca, clientCert: pki.otherClientCert, clientKey: pki.otherClientKey, retry: NO_RETRY });
    const error = caught(() => docker.listContainers());
    expect(error).toBeInstanceOf(NetworkError);
    for (const printed of printouts(error)) expect(printed).not.toContain(pki.otherClientKey.split('\n')[5]!);
  });

  test('a wrong CA: the daemon certificate is not trusted, a typed error without the client key', () => {
    const docker = new DockerContainerDriver({ ...good(), caCert: pki.otherCa });
    const error = caught(() => docker.listContainers());
    expect(error).toBeInstanceOf(NetworkError);
    expectNoKey(error);
    expectNoKey(docker);
  });
});

describe('Design 3 (async: true) over TLS', () => {
  const AsyncDocker = (): any => getAsyncMode(Provider.DOCKER);

  test('lists containers with the right CA and client certificate', async () => {
    const docker = new (AsyncDocker())({ async: true, ...good() });
    const containers = await docker.listContainers();
    expect(containers.map((c: { name: string }) => c.name)).toEqual(['docker-client']);
    expect((await docker.listImages()).map((i: { name: string }) => i.name)).toEqual(['nginx:latest']);
    expectNoKey(docker);
  });

  test('without the client certificate, and with a wrong CA: typed errors without the key', async () => {
    const noCert = await rejected(new (AsyncDocker())({ async: true, host: `https://127.0.0.1:${port}`, caCert: pki.ca, retry: NO_RETRY }).listContainers());
    expect(noCert).toBeInstanceOf(NetworkError);
    const wrongCa = await rejected(new (AsyncDocker())({ async: true, ...good(), caCert: pki.otherCa }).listContainers());
    expect(wrongCa).toBeInstanceOf(NetworkError);
    expectNoKey(wrongCa);
  });
});

describe("Docker's environment: DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH", () => {
  test('ca.pem, cert.pem and key.pem from DOCKER_CERT_PATH', () => {
    const certs = mkdtempSync(join(dir, 'certs-'));
    writeFileSync(join(certs, 'ca.pem'), pki.ca);
    writeFileSync(join(certs, 'cert.pem'), pki.clientCert);
    writeFileSync(join(certs, 'key.pem'), pki.clientKey);
    const env = { DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs };
    const docker = DockerContainerDriver.fromEnv({ env, retry: NO_RETRY });
    expect(docker.listContainers().map((c) => c.name)).toEqual(['docker-client']);
    expectNoKey(docker);
  });

  test('~/.docker by default; a missing certificate file is CredentialsNotFoundError naming it', () => {
    const home = mkdtempSync(join(dir, 'home-'));
    const error = caught(() => DockerContainerDriver.fromEnv({ env: { DOCKER_HOST: 'tcp://127.0.0.1:1', DOCKER_TLS_VERIFY: '1' }, home }));
    expect(error).toBeInstanceOf(CredentialsNotFoundError);
    expect((error as Error).message).toContain(join(home, '.docker', 'ca.pem'));
  });

  test('without DOCKER_TLS_VERIFY: plain TCP, no certificates read', () => {
    const docker = DockerContainerDriver.fromEnv({ env: { DOCKER_HOST: 'tcp://127.0.0.1:1', DOCKER_CERT_PATH: '/nonexistent' } });
    expect(docker.socketPath).toBeUndefined();
    const error = caught(() => docker.listImages());
    expect(error).toBeInstanceOf(CloudError);
  });
});

describe('bad TLS options: clear typed errors, never the key', () => {
  const cases: Array<[string, Record<string, unknown>, typeof InvalidArgumentError]> = [
    ['a client certificate without its key', { host: 'https://127.0.0.1:2376', clientCert: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n' }, InvalidArgumentError],
    ['a key without its certificate', { host: 'https://127.0.0.1:2376', clientKey: '-----BEGIN PRIVATE KEY-----\nsecret-line\n-----END PRIVATE KEY-----\n' }, InvalidArgumentError],
    ['TLS options over http://', { host: 'http://127.0.0.1:2375', caCert: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n' }, InvalidArgumentError],
    ['TLS options with secure: false', { host: '127.0.0.1', secure: false, caCert: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n' }, InvalidArgumentError],
    ['TLS options over a Unix socket', { caCert: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n' }, InvalidArgumentError],
    ['a caCert that is not a string', { host: 'https://127.0.0.1:2376', caCert: 42 }, InvalidArgumentError],
    ['a clientKey file that does not exist', { host: 'https://127.0.0.1:2376', clientCert: '/nonexistent/cert.pem', clientKey: '/nonexistent/key.pem' }, CredentialsNotFoundError],
  ];
  test.each(cases)('%s', (_what, options, type) => {
    const error = caught(() => new DockerContainerDriver(options as never));
    expect(error).toBeInstanceOf(type);
    for (const printed of printouts(error)) expect(printed).not.toContain('secret-line');
  });
});
