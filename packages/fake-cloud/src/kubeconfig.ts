/**
 * A kubeconfig file for the fake cloud's Kubernetes API, so tests and examples can load a driver the way users
 * do (`KUBECONFIG`, `fromKubeconfig`).
 * @module
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAKE_CREDENTIALS } from './options.js';

/** Options of {@link writeFakeKubeconfig}. */
export interface FakeKubeconfigOptions {
  /** Where to write (default: `kubeconfig` in a new temporary directory). */
  readonly path?: string;
  /** The bearer token (default: the fake cloud's). */
  readonly token?: string;
  /** The context's name (default `fake-cloud`), also its cluster's and user's. */
  readonly context?: string;
  /** The context's namespace (default: none, i.e. `default`). */
  readonly namespace?: string;
  /** Write `token` as a `tokenFile` beside the kubeconfig instead of inline. */
  readonly tokenFile?: boolean;
}

/**
 * Writes a kubeconfig whose current context reaches the fake cloud's Kubernetes API on `port` (http, 127.0.0.1)
 * with a bearer token; returns its path.
 */
export function writeFakeKubeconfig(port: number, options: FakeKubeconfigOptions = {}): string {
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new TypeError(`fake-cloud: writeFakeKubeconfig needs the fake cloud's port (got ${String(port)})`);
  const path = options.path ?? join(mkdtempSync(join(tmpdir(), 'fake-kube-')), 'kubeconfig');
  const name = options.context ?? 'fake-cloud';
  const token = options.token ?? FAKE_CREDENTIALS.kubernetes.token;
  let user = `    token: ${JSON.stringify(token)}`;
  if (options.tokenFile) {
    const file = `${path}.token`;
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
    user = `    tokenFile: ${JSON.stringify(file)}`;
  }
  const text = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${JSON.stringify(name)}`,
    '  cluster:',
    `    server: http://127.0.0.1:${port}`,
    'users:',
    `- name: ${JSON.stringify(name)}`,
    '  user:',
    user,
    'contexts:',
    `- name: ${JSON.stringify(name)}`,
    '  context:',
    `    cluster: ${JSON.stringify(name)}`,
    `    user: ${JSON.stringify(name)}`,
    ...(options.namespace ? [`    namespace: ${JSON.stringify(options.namespace)}`] : []),
    `current-context: ${JSON.stringify(name)}`,
    '',
  ].join('\n');
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}
