/**
 * Kubeconfig loading: files of `KUBECONFIG` merged as kubectl merges them, `~/.kube/config`, the current or a
 * named context, token / token file / client certificate (`*-data` or paths) / basic auth, the cluster's CA and
 * `insecure-skip-tls-verify`; typed errors naming the file and the field, never the secrets. Then the driver over
 * real TLS with a client certificate from a kubeconfig (an https server on 127.0.0.1 that requires one).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ASYNC_MODE, CredentialsNotFoundError, InvalidArgumentError, InvalidCredentialsError, kubernetesFromKubeconfig, NetworkError } from '@dualcloud/core';
import { KubernetesContainerDriver, type KubernetesContainerDriverOptions } from '@dualcloud/drivers/container';

const TOKEN_A = 'kubeconfig-secret-token-AAAA-0000';
const TOKEN_B = 'kubeconfig-secret-token-BBBB-0000';
const FAKE_KEY = '-----BEGIN PRIVATE KEY-----\nkubeconfig-secret-client-key-0000\n-----END PRIVATE KEY-----\n';
const FAKE_CERT = '-----BEGIN CERTIFICATE-----\nY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n';
const FAKE_CA = '-----BEGIN CERTIFICATE-----\nY2E=\n-----END CERTIFICATE-----\n';
const b64 = (text: string): string => Buffer.from(text).toString('base64');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dualcloud-kubeconfig-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function write(text: string, name = `config-${++counter}`): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A kubeconfig with one context named `name` (cluster and user of the same name). */
function kubeconfig(name: string, opts: { server?: string; user?: string; cluster?: string; current?: string | null; namespace?: string } = {}): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    ...(opts.current === null ? [] : [`current-context: ${opts.current ?? name}`]),
    'clusters:',
    `- name: ${name}`,
    '  cluster:',
    `    server: ${opts.server ?? `https://${name}.example.test:6443`}`,
    ...(opts.cluster ? [opts.cluster] : []),
    'users:',
    `- name: ${name}`,
    '  user:',
    opts.user ?? `    token: ${TOKEN_A}`,
    'contexts:',
    `- name: ${name}`,
    '  context:',
    `    cluster: ${name}`,
    `    user: ${name}`,
    ...(opts.namespace ? [`    namespace: ${opts.namespace}`] : []),
    '',
  ].join('\n');
}

describe('finding and merging kubeconfig files', () => {
  test('KUBECONFIG: the first file to set current-context, or to name a context, wins (kubectl merge); missing files are skipped', () => {
    const a = write(kubeconfig('alpha', { namespace: 'team-a' }));
    const b = write(kubeconfig('alpha', { server: 'https://shadowed.example.test', user: `    token: ${TOKEN_B}`, current: 'beta' }).replace(/alpha/g, 'alpha') + '');
    const c = write(kubeconfig('beta', { user: `    token: ${TOKEN_B}`, current: null }));
    const env = { KUBECONFIG: [join(dir, 'missing'), a, b, c].join(delimiter) };
    const current = kubernetesFromKubeconfig({ env, home: dir });
    expect(current.context).toBe('alpha');
    expect(current.server).toBe('https://alpha.example.test:6443');
    expect(current.token).toBe(TOKEN_A);
    expect(current.namespace).toBe('team-a');
    expect(current.files).toEqual([a, b, c]);
    const beta = kubernetesFromKubeconfig({ env, home: dir, context: 'beta' });
    expect([beta.server, beta.token, beta.namespace, beta.host, beta.port, beta.secure]).toEqual(['https://beta.example.test:6443', TOKEN_B, 'default', 'beta.example.test', 6443, true]);
    // b comes first with a current-context when a is dropped from the list.
    expect(kubernetesFromKubeconfig({ env: { KUBECONFIG: [b, c].join(delimiter) }, home: dir }).context).toBe('beta');
  });

  test('without KUBECONFIG: ~/.kube/config; without either: CredentialsNotFoundError naming where it looked', () => {
    const home = mkdtempSync(join(dir, 'home-'));
    expect(() => kubernetesFromKubeconfig({ env: {}, home })).toThrow(CredentialsNotFoundError);
    expect(() => kubernetesFromKubeconfig({ env: {}, home })).toThrow(join(home, '.kube', 'config'));
    mkdirSync(join(home, '.kube'));
    writeFileSync(join(home, '.kube', 'config'), kubeconfig('homecfg'));
    expect(kubernetesFromKubeconfig({ env: {}, home }).context).toBe('homecfg');
    expect(() => kubernetesFromKubeconfig({ env: { KUBECONFIG: join(dir, 'nope') }, home })).toThrow(CredentialsNotFoundError);
    expect(() => kubernetesFromKubeconfig({ path: join(dir, 'nope-either') })).toThrow(/cannot read kubeconfig .*nope-either/);
  });

  test('an explicit path, with ~ expanded', () => {
    const home = mkdtempSync(join(dir, 'home-'));
    writeFileSync(join(home, 'my-kubeconfig'), kubeconfig('tilde'));
    expect(kubernetesFromKubeconfig({ path: '~/my-kubeconfig', home }).context).toBe('tilde');
  });
});

describe('credentials of a context', () => {
  test('client certificate and key from *-data (base64), CA from certificate-authority-data', () => {
    const path = write(
      kubeconfig('certs', {
        user: `    client-certificate-data: ${b64(FAKE_CERT)}\n    client-key-data: ${b64(FAKE_KEY)}`,
        cluster: `    certificate-authority-data: ${b64(FAKE_CA)}`,
      }),
    );
    const c = kubernetesFromKubeconfig({ path });
    expect([c.clientCert, c.clientKey, c.caCert, c.token, c.insecure]).toEqual([FAKE_CERT, FAKE_KEY, FAKE_CA, undefined, false]);
  });

  test('client certificate, key, CA and token from files, relative to the kubeconfig', () => {
    const sub = mkdtempSync(join(dir, 'files-'));
    writeFileSync(join(sub, 'client.crt'), FAKE_CERT);
    writeFileSync(join(sub, 'client.key'), FAKE_KEY);
    writeFileSync(join(sub, 'ca.crt'), FAKE_CA);
    writeFileSync(join(sub, 'token'), `${TOKEN_B}\n`);
    const path = join(sub, 'config');
    writeFileSync(path, kubeconfig('files', { user: '    client-certificate: client.crt\n    client-key: client.key\n    tokenFile: token', cluster: `    certificate-authority: ${join(sub, 'ca.crt')}\n    insecure-skip-tls-verify: true` }));
    const c = kubernetesFromKubeconfig({ path });
    expect([c.clientCert, c.clientKey, c.caCert, c.token, c.insecure]).toEqual([FAKE_CERT, FAKE_KEY, FAKE_CA, TOKEN_B, true]);
  });

  test('basic auth (username / password); a server with a path prefix', () => {
    const path = write(kubeconfig('basic', { server: 'http://127.0.0.1:8001/prefix/', user: '    username: admin\n    password: kubeconfig-secret-password' }));
    const c = kubernetesFromKubeconfig({ path });
    expect([c.username, c.password, c.host, c.port, c.secure, c.basePath]).toEqual(['admin', 'kubeconfig-secret-password', '127.0.0.1', 8001, false, '/prefix']);
  });

  test('the secrets never print: inspect (showHidden too), JSON and String', () => {
    const path = write(kubeconfig('print', { user: `    token: ${TOKEN_A}\n    client-certificate-data: ${b64(FAKE_CERT)}\n    client-key-data: ${b64(FAKE_KEY)}\n    password: kubeconfig-secret-password\n    username: u` }));
    const c = kubernetesFromKubeconfig({ path });
    expect(c.token).toBe(TOKEN_A);
    for (const printed of [inspect(c), inspect(c, { showHidden: true, depth: 9 }), JSON.stringify(c), String(inspect([c]))]) {
      expect(printed).not.toContain(TOKEN_A);
      expect(printed).not.toContain('kubeconfig-secret-client-key');
      expect(printed).not.toContain('kubeconfig-secret-password');
      expect(printed).toContain('print');
    }
  });
});

describe('typed errors naming the file and the field, never a secret', () => {
  const cases: Array<[string, string, typeof InvalidArgumentError, RegExp]> = [
    ['a missing context', kubeconfig('x', { current: 'nope' }), InvalidArgumentError, /context "nope" is not in .*config-/],
    ['no current-context', kubeconfig('x', { current: null }), CredentialsNotFoundError, /no current-context in /],
    ['a context without its cluster', kubeconfig('x').replace('    cluster: x', '    cluster: gone'), InvalidArgumentError, /cluster "gone" of context "x" is not in/],
    ['a context without its user', kubeconfig('x').replace('    user: x', '    user: gone'), InvalidArgumentError, /user "gone" of context "x" is not in/],
    ['a cluster without server', kubeconfig('x').replace(/    server: .*\n/, '    insecure-skip-tls-verify: false\n'), InvalidArgumentError, /cluster "x" has no server/],
    ['a server that is not a URL', kubeconfig('x', { server: 'not a url' }), InvalidArgumentError, /cluster "x": server is not a URL/],
    ['bad base64', kubeconfig('x', { user: `    client-certificate-data: ${b64(FAKE_CERT)}\n    client-key-data: "!!not base64!!"` }), InvalidArgumentError, /user "x": client-key-data is not base64/],
    ['a certificate without key', kubeconfig('x', { user: `    client-certificate-data: ${b64(FAKE_CERT)}` }), InvalidArgumentError, /client-certificate and client-key go together/],
    ['a missing key file', kubeconfig('x', { user: `    client-certificate-data: ${b64(FAKE_CERT)}\n    client-key: /nonexistent/client.key` }), CredentialsNotFoundError, /cannot read client-key file \/nonexistent\/client.key/],
    ['an exec plugin', kubeconfig('x', { user: '    exec:\n      command: aws\n      apiVersion: client.authentication.k8s.io/v1' }), CredentialsNotFoundError, /exec plugin/],
    ['contexts not a list', `current-context: x\ncontexts: {}\n`, InvalidArgumentError, /contexts must be a list/],
    ['a YAML error on a line with a token', `current-context: x\nusers:\n- name: x\n  user:\n    token: "${TOKEN_A}\n  bad: [\n`, InvalidArgumentError, /cannot parse kubeconfig .* at line \d+/],
    ['not a mapping', '- a\n- b\n', InvalidArgumentError, /is not a mapping/],
  ];
  test.each(cases)('%s', (_what, text, type, message) => {
    const path = write(text);
    let error: unknown;
    try {
      kubernetesFromKubeconfig({ path });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(type);
    const printed = `${String(error)} ${(error as Error).stack} ${inspect(error, { showHidden: true })}`;
    expect((error as Error).message).toMatch(message);
    if (!/no current-context|contexts must be/.test(message.source)) expect((error as Error).message).toContain(path.replace(/.*\//, ''));
    expect(printed).not.toContain(TOKEN_A);
    expect(printed).not.toContain('kubeconfig-secret-client-key');
  });
});

describe('the driver from a kubeconfig over TLS with a client certificate', () => {
  let server: Server;
  let port: number;
  let pki: Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey' | 'otherCa', string>;
  const seen: Array<{ path: string; cn: string | undefined; authorization: string | undefined }> = [];

  beforeAll(async () => {
    const p = mkdtempSync(join(dir, 'pki-'));
    const ssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: p, stdio: 'ignore' });
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=fake-kube-ca');
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'other.key', '-out', 'other.crt', '-days', '2', '-subj', '/CN=other-ca');
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=kube-apiserver');
    writeFileSync(join(p, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
    ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'san.ext');
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=kube-admin/O=system:masters');
    ssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '2');
    const read = (name: string): string => readFileSync(join(p, name), 'utf8');
    pki = { ca: read('ca.crt'), serverCert: read('server.crt'), serverKey: read('server.key'), clientCert: read('client.crt'), clientKey: read('client.key'), otherCa: read('other.crt') };
    server = createServer({ key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, requestCert: true, rejectUnauthorized: false }, (req, res) => {
      const socket = req.socket as TLSSocket;
      const peer = socket.authorized ? socket.getPeerCertificate() : undefined;
      seen.push({ path: req.url ?? '', cn: peer?.subject?.CN as string | undefined, authorization: req.headers.authorization });
      if (!peer?.subject && !req.headers.authorization) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'NamespaceList', metadata: {}, items: [{ metadata: { name: 'default' }, status: { phase: 'Active' } }] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  }, 60_000);
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const asyncDriver = (options: Record<string, unknown>): KubernetesContainerDriver => KubernetesContainerDriver.fromKubeconfig({ ...options, retry: { maxAttempts: 1 }, [ASYNC_MODE]: true } as never);

  test('client-certificate-data / client-key-data and the cluster CA: the server sees the client certificate', async () => {
    const path = write(
      kubeconfig('tls', {
        server: `https://127.0.0.1:${port}`,
        user: `    client-certificate-data: ${b64(pki.clientCert)}\n    client-key-data: ${b64(pki.clientKey)}`,
        cluster: `    certificate-authority-data: ${b64(pki.ca)}`,
      }),
    );
    const d = asyncDriver({ path });
    const clusters = await (d.listClusters() as unknown as Promise<Array<{ id: string }>>);
    expect(clusters.map((c) => c.id)).toEqual(['default']);
    expect(seen.at(-1)).toEqual({ path: '/api/v1/namespaces?limit=500', cn: 'kube-admin', authorization: undefined });
    for (const printed of [inspect(d, { showHidden: true, depth: 20 }), JSON.stringify(d)]) expect(printed).not.toContain(pki.clientKey.split('\n')[1]);
  });

  test('a server certificate not signed by the kubeconfig CA is refused (NetworkError), unless insecure-skip-tls-verify', async () => {
    const wrongCa = write(kubeconfig('wrongca', { server: `https://127.0.0.1:${port}`, user: `    token: ${TOKEN_A}`, cluster: `    certificate-authority-data: ${b64(pki.otherCa)}` }));
    await expect(asyncDriver({ path: wrongCa }).listClusters() as unknown as Promise<unknown>).rejects.toBeInstanceOf(NetworkError);
    const insecure = write(kubeconfig('insecure', { server: `https://127.0.0.1:${port}`, user: `    token: ${TOKEN_A}`, cluster: '    insecure-skip-tls-verify: true' }));
    await expect(asyncDriver({ path: insecure }).listClusters() as unknown as Promise<unknown>).resolves.toHaveLength(1);
    expect(seen.at(-1)!.authorization).toBe(`Bearer ${TOKEN_A}`);
  });

  test('without a client certificate or token the server answers 401: InvalidCredentialsError', async () => {
    const none = write(kubeconfig('anon', { server: `https://127.0.0.1:${port}`, user: '    {}', cluster: `    certificate-authority-data: ${b64(pki.ca)}` }).replace('  user:\n    {}', '  user: {}'));
    await expect(asyncDriver({ path: none }).listClusters() as unknown as Promise<unknown>).rejects.toBeInstanceOf(InvalidCredentialsError);
  });

  test('the constructor options clientCert / clientKey / caCert take PEM text or paths', async () => {
    const p = mkdtempSync(join(dir, 'opts-'));
    writeFileSync(join(p, 'client.key'), pki.clientKey);
    const options: KubernetesContainerDriverOptions = { server: `https://127.0.0.1:${port}`, clientCert: pki.clientCert, clientKey: join(p, 'client.key'), caCert: pki.ca, retry: { maxAttempts: 1 } };
    const d = new KubernetesContainerDriver({ ...options, [ASYNC_MODE]: true } as never);
    await expect(d.listClusters() as unknown as Promise<unknown>).resolves.toHaveLength(1);
    expect(seen.at(-1)!.cn).toBe('kube-admin');
    expect(() => new KubernetesContainerDriver({ ...options, clientKey: join(p, 'missing.key') })).toThrow(CredentialsNotFoundError);
  });
});
