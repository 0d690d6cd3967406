/**
 * Kubernetes credentials from kubeconfig files, found and merged as kubectl does: the files of `KUBECONFIG`
 * (a list separated by `:`, `;` on Windows; missing files skipped), else `~/.kube/config`. Reads synchronously,
 * sends nothing; errors name the file and the field, never a token or key.
 * @module
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { CredentialsNotFoundError, InvalidArgumentError } from '../errors/kinds.js';
import { withRedactedPrint } from '../redact-print.js';
import type { EnvironmentSource } from './environment.js';

/** Options of {@link kubernetesFromKubeconfig}. */
export interface KubeconfigOptions extends EnvironmentSource {
  /** A kubeconfig file (instead of `KUBECONFIG` / `~/.kube/config`). */
  path?: string;
  /** The context to use (default: the merged `current-context`). */
  context?: string;
}

/** What a kubeconfig context resolves to. Prints without `token`, `clientKey` and `password`. */
export interface KubeconfigCredentials {
  /** The files read, in merge order. */
  readonly files: string[];
  readonly context: string;
  /** `clusters[].cluster.server`, e.g. `https://127.0.0.1:6443`. */
  readonly server: string;
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  /** Path prefix of the server URL ('' when none). */
  readonly basePath: string;
  /** The context's namespace (default `default`). */
  readonly namespace: string;
  /** PEM of the cluster's CA (from `certificate-authority-data` or the `certificate-authority` file). */
  readonly caCert?: string;
  /** `insecure-skip-tls-verify`. */
  readonly insecure: boolean;
  /** Bearer token (`token` or the `tokenFile`). */
  readonly token?: string;
  /** PEM client certificate. */
  readonly clientCert?: string;
  /** PEM client key (a secret). */
  readonly clientKey?: string;
  readonly username?: string;
  readonly password?: string;
}

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A parsed kubeconfig file: its named entries and where they came from. */
interface KubeFile {
  readonly path: string;
  readonly doc: Obj;
}

function invalid(message: string): InvalidArgumentError {
  return new InvalidArgumentError(`kubernetes: ${message}`, { provider: 'kubernetes', code: 'InvalidKubeconfig' });
}

function readKubeFile(path: string, required: boolean): KubeFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    if (!required && (code === 'ENOENT' || code === 'ENOTDIR')) return undefined;
    throw new CredentialsNotFoundError(`kubernetes: cannot read kubeconfig ${path} (${code})`, { provider: 'kubernetes', code: 'KubeconfigNotFound' });
  }
  // Parse errors report the position only: these files hold tokens and keys.
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    const at = error.linePos ? ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}` : '';
    throw invalid(`cannot parse kubeconfig ${path}: ${error.code}${at}`);
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  if (data === null || data === undefined) return { path, doc: {} };
  if (!isObject(data)) throw invalid(`kubeconfig ${path} is not a mapping`);
  return { path, doc: data };
}

/** The files to read: `path`, else `KUBECONFIG`'s list, else `~/.kube/config`. */
function kubeconfigFiles(options: KubeconfigOptions): { files: KubeFile[]; looked: string[] } {
  const env = options.env ?? process.env;
  const home = options.home ?? homedir();
  const expand = (p: string): string => (p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : p);
  if (options.path !== undefined) {
    if (typeof options.path !== 'string' || options.path === '') throw invalid('path must be a non-empty string');
    const path = expand(options.path);
    return { files: [readKubeFile(path, true)!], looked: [path] };
  }
  const list = env.KUBECONFIG;
  if (list !== undefined && list !== '') {
    const paths = [...new Set(list.split(delimiter).filter((p) => p !== '').map(expand))];
    const files = paths.map((p) => readKubeFile(p, false)).filter((f): f is KubeFile => f !== undefined);
    return { files, looked: paths };
  }
  const path = join(home, '.kube', 'config');
  const file = readKubeFile(path, false);
  return { files: file ? [file] : [], looked: [path] };
}

/** A named entry (`clusters`, `contexts`, `users`) of the merged files: the first file naming it wins, as kubectl merges. */
function findNamed(files: KubeFile[], list: 'clusters' | 'contexts' | 'users', field: 'cluster' | 'context' | 'user', name: string): { value: Obj; file: KubeFile } | undefined {
  for (const file of files) {
    const entries = file.doc[list];
    if (entries === undefined || entries === null) continue;
    if (!Array.isArray(entries)) throw invalid(`${file.path}: ${list} must be a list`);
    for (const entry of entries) {
      if (!isObject(entry) || entry.name !== name) continue;
      const value = entry[field];
      if (!isObject(value)) throw invalid(`${file.path}: ${list} entry "${name}" has no ${field} mapping`);
      return { value, file };
    }
  }
  return undefined;
}

function stringField(entry: Obj, field: string, where: string): string | undefined {
  const value = entry[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw invalid(`${where}: ${field} must be a string`);
  return value;
}

/** A `*-data` field (base64 PEM) or its file counterpart (a path relative to the kubeconfig that names it). */
function pemField(entry: Obj, field: string, file: KubeFile, where: string): string | undefined {
  const data = stringField(entry, `${field}-data`, where);
  if (data !== undefined) {
    const compact = data.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) throw invalid(`${where}: ${field}-data is not base64`);
    const text = Buffer.from(compact, 'base64').toString('utf8');
    if (!text.includes('-----BEGIN')) throw invalid(`${where}: ${field}-data does not hold PEM`);
    return text;
  }
  const path = stringField(entry, field, where);
  if (path === undefined) return undefined;
  const full = isAbsolute(path) ? path : resolve(dirname(file.path), path);
  try {
    return readFileSync(full, 'utf8');
  } catch (e) {
    throw new CredentialsNotFoundError(`kubernetes: ${where}: cannot read ${field} file ${full} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, {
      provider: 'kubernetes',
      code: 'KubeconfigFileNotFound',
    });
  }
}

/** `https://host:port/prefix` → its parts; the port defaults by scheme. */
export function parseKubernetesServer(server: string, where: string): { host: string; port: number; secure: boolean; basePath: string } {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw invalid(`${where}: server is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid(`${where}: server must be an http(s) URL`);
  const secure = url.protocol === 'https:';
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { host, port: url.port ? Number(url.port) : secure ? 443 : 80, secure, basePath: url.pathname.replace(/\/+$/, '') };
}

/**
 * The credentials and endpoint of a kubeconfig context (default: `current-context`), from `path`, else the
 * files of `KUBECONFIG` merged as kubectl merges them (the first file to set a name or `current-context`
 * wins), else `~/.kube/config`. Token, token file, client certificate and key (`*-data` base64 or file paths,
 * relative to their kubeconfig), basic auth, the cluster's CA, `insecure-skip-tls-verify` and the context's
 * namespace are read; `exec` and `auth-provider` plugins are not run (`CredentialsNotFoundError`).
 *
 * @throws CredentialsNotFoundError when no file exists, a named file cannot be read or no context is chosen.
 * @throws InvalidArgumentError naming the file and field when an entry is missing or malformed.
 */
export function kubernetesFromKubeconfig(options: KubeconfigOptions = {}): KubeconfigCredentials {
  const { files, looked } = kubeconfigFiles(options);
  if (files.length === 0) {
    throw new CredentialsNotFoundError(`kubernetes: no kubeconfig found. Looked for ${looked.join(', ')}.`, { provider: 'kubernetes', code: 'KubeconfigNotFound' });
  }
  const names = files.map((f) => f.path).join(', ');
  let contextName = options.context;
  if (contextName === undefined) {
    for (const file of files) {
      const current = file.doc['current-context'];
      if (typeof current === 'string' && current !== '') {
        contextName = current;
        break;
      }
    }
  }
  if (contextName === undefined || contextName === '') {
    throw new CredentialsNotFoundError(`kubernetes: no context chosen: no current-context in ${names} and no context option`, { provider: 'kubernetes', code: 'KubeconfigNoContext' });
  }
  const context = findNamed(files, 'contexts', 'context', contextName);
  if (!context) throw invalid(`context "${contextName}" is not in ${names}`);
  const contextWhere = `${context.file.path}: context "${contextName}"`;
  const clusterName = stringField(context.value, 'cluster', contextWhere);
  if (clusterName === undefined) throw invalid(`${contextWhere} has no cluster`);
  const cluster = findNamed(files, 'clusters', 'cluster', clusterName);
  if (!cluster) throw invalid(`cluster "${clusterName}" of context "${contextName}" is not in ${names}`);
  const clusterWhere = `${cluster.file.path}: cluster "${clusterName}"`;
  const server = stringField(cluster.value, 'server', clusterWhere);
  if (server === undefined) throw invalid(`${clusterWhere} has no server`);
  const endpoint = parseKubernetesServer(server, clusterWhere);
  const insecure = cluster.value['insecure-skip-tls-verify'] === true;
  const caCert = pemField(cluster.value, 'certificate-authority', cluster.file, clusterWhere);

  const userName = stringField(context.value, 'user', contextWhere);
  const user = userName === undefined ? undefined : findNamed(files, 'users', 'user', userName);
  if (userName !== undefined && !user) throw invalid(`user "${userName}" of context "${contextName}" is not in ${names}`);
  const out: Record<string, unknown> = {
    files: files.map((f) => f.path),
    context: contextName,
    server,
    ...endpoint,
    namespace: stringField(context.value, 'namespace', contextWhere) ?? 'default',
    insecure,
  };
  if (caCert !== undefined) out.caCert = caCert;
  if (user) {
    const where = `${user.file.path}: user "${userName}"`;
    if (user.value.exec !== undefined || user.value['auth-provider'] !== undefined) {
      const kind = user.value.exec !== undefined ? 'exec' : 'auth-provider';
      const usable = ['token', 'tokenFile', 'client-certificate-data', 'client-certificate', 'username'].some((f) => user.value[f] !== undefined);
      if (!usable) throw new CredentialsNotFoundError(`kubernetes: ${where} authenticates with an ${kind} plugin, which dualcloud does not run; give a token or client certificate`, { provider: 'kubernetes', code: 'KubeconfigPlugin' });
    }
    let token = stringField(user.value, 'token', where);
    const tokenFile = stringField(user.value, 'tokenFile', where);
    if (token === undefined && tokenFile !== undefined) {
      const full = isAbsolute(tokenFile) ? tokenFile : resolve(dirname(user.file.path), tokenFile);
      try {
        token = readFileSync(full, 'utf8').trim();
      } catch (e) {
        throw new CredentialsNotFoundError(`kubernetes: ${where}: cannot read tokenFile ${full} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { provider: 'kubernetes', code: 'KubeconfigFileNotFound' });
      }
    }
    const clientCert = pemField(user.value, 'client-certificate', user.file, where);
    const clientKey = pemField(user.value, 'client-key', user.file, where);
    if ((clientCert === undefined) !== (clientKey === undefined)) throw invalid(`${where}: client-certificate and client-key go together (one is missing)`);
    const username = stringField(user.value, 'username', where);
    const password = stringField(user.value, 'password', where);
    if (token !== undefined) out.token = token;
    if (clientCert !== undefined) out.clientCert = clientCert;
    if (clientKey !== undefined) out.clientKey = clientKey;
    if (username !== undefined) out.username = username;
    if (password !== undefined) out.password = password;
  }
  return withRedactedPrint(out as unknown as KubeconfigCredentials, ['token', 'clientKey', 'password']);
}
