/**
 * Global setup of the `openstack` jest project (it runs only when a suite of that project is in the run): installs
 * Debian's Swift and Keystone when missing (one `apt-get`, as root), then starts, once for the whole run, Keystone
 * v3 and Swift with tempauth (in parallel), then Swift behind that Keystone, with the vendored `.ci/tools` scripts.
 * In parallel with those, a second, short-lived pair: a Keystone whose tokens expire after
 * {@link SHORT_TOKEN_EXPIRATION_S} seconds (`KEYSTONE_TOKEN_EXPIRATION`) and a Swift behind it, for the suite that
 * checks tokens are renewed mid-run; the other suites keep Keystone's default one-hour tokens.
 * Everything listens on 127.0.0.1. What started (or the one line saying what to install) goes to a JSON file
 * named by `DUALCLOUD_OPENSTACK_SERVERS`; a failure here never throws, so only the suites that need the servers
 * fail (the short-lived pair fails only its own suite). The teardown stops every process started here.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Self-contained (node modules only): jest loads global setup and teardown modules outside its module map.

/** The environment variable naming the JSON file the global setup writes. */
export const SERVERS_ENV = 'DUALCLOUD_OPENSTACK_SERVERS';

/** Token lifetime (seconds) of the short-lived Keystone. */
export const SHORT_TOKEN_EXPIRATION_S = 10;

/** The Debian packages the servers need (one `apt-get install`). */
export const OPENSTACK_PACKAGES: readonly string[] = [
  'swift',
  'swift-proxy',
  'swift-account',
  'swift-container',
  'swift-object',
  'memcached',
  'curl',
  'python3-keystone',
  'python3-keystonemiddleware',
  'uwsgi-core',
  'uwsgi-plugin-python3',
];

/** The one line printed when the servers are unavailable. */
export const INSTALL_HINT = `install Debian's OpenStack Swift and Keystone: apt-get install -y --no-install-recommends ${OPENSTACK_PACKAGES.join(' ')} (as root; the test run installs them itself when it runs as root)`;

/** The vendored start scripts (`.ci/tools`). */
export const TOOLS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../../.ci/tools');

/** What the global setup writes (see `servers.ts`). */
interface OpenStackServersFile {
  readonly root: string;
  readonly error?: string;
  readonly swift?: unknown;
  readonly keystone?: unknown;
  readonly swiftKeystone?: unknown;
  readonly shortLived?: { readonly keystone?: unknown; readonly swift?: unknown; readonly error?: string };
  readonly timings?: { readonly installMs: number; readonly startMs: number };
}

/** Runs a command; resolves to its stdout, rejects with its last stderr line. */
function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 600_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, [...args], { env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const last = String(stderr).trim().split('\n').filter(Boolean).slice(-1)[0] ?? error.message;
      reject(new Error(`${command.split('/').pop()} ${args[0] ?? ''} failed: ${last.slice(0, 300)}`));
    });
  });
}

async function has(command: string, args: string[]): Promise<boolean> {
  try {
    await run(command, args, {}, 30_000);
    return true;
  } catch {
    return false;
  }
}

/** Whether every program the scripts use is installed (the same checks as the scripts'). */
async function installed(): Promise<boolean> {
  const checks = await Promise.all([
    has('sh', ['-c', 'command -v swift-proxy-server && command -v memcached && command -v curl && command -v keystone-manage && command -v uwsgi']),
    Promise.resolve(existsSync('/usr/lib/uwsgi/plugins/python3_plugin.so')),
    has('/usr/bin/python3', ['-c', 'import keystonemiddleware, swift']),
  ]);
  return checks.every(Boolean);
}

/** One `apt-get install` of every package (postinst scripts kept from starting system services). */
async function install(): Promise<void> {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) throw new Error(`OpenStack Swift/Keystone are missing and this run is not root, so it cannot install them; ${INSTALL_HINT}`);
  if (!(await has('sh', ['-c', 'command -v apt-get']))) throw new Error(`OpenStack Swift/Keystone are missing and there is no apt-get here; ${INSTALL_HINT}`);
  const script = [
    'set -e',
    "if [ ! -e /usr/sbin/policy-rc.d ]; then trap 'rm -f /usr/sbin/policy-rc.d' EXIT; printf '#!/bin/sh\\nexit 101\\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; fi",
    'export DEBIAN_FRONTEND=noninteractive',
    'apt-get update -qq',
    `apt-get install -y -qq --no-install-recommends ${OPENSTACK_PACKAGES.join(' ')}`,
  ].join('\n');
  try {
    await run('sh', ['-c', script], {}, 1_200_000);
  } catch (error) {
    throw new Error(`installing OpenStack Swift/Keystone failed (${(error as Error).message}); ${INSTALL_HINT}`);
  }
}

/** Starts a script and parses the JSON line it prints. */
async function start<T>(script: string, dir: string, env: NodeJS.ProcessEnv = {}): Promise<T> {
  const out = await run(join(TOOLS_DIR, script), [dir], { SWIFT_NO_INSTALL: '1', KEYSTONE_NO_INSTALL: '1', ...env }, 180_000);
  const line = out.trim().split('\n').filter(Boolean).pop() ?? '';
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`${script} printed no JSON line`);
  }
}

/** Starts the Keystone with short-lived tokens and a Swift behind it; resolves to them or to the one-line error. */
async function startShortLived(root: string): Promise<NonNullable<OpenStackServersFile['shortLived']>> {
  let keystone: any;
  try {
    // A password of its own, unlike anything else in a printout, so the suite can look for it everywhere.
    const password = `kx-${randomBytes(12).toString('hex')}`;
    keystone = await start<any>('start-keystone.sh', join(root, 'keystone-short'), { KEYSTONE_TOKEN_EXPIRATION: String(SHORT_TOKEN_EXPIRATION_S), KEYSTONE_PASSWORD: password });
    const swift = await start<any>('start-swift.sh', join(root, 'swift-short'), { KEYSTONE_URL: keystone.authUrl, KEYSTONE_PASSWORD: password });
    return { keystone, swift };
  } catch (error) {
    return { ...(keystone ? { keystone } : {}), error: (error as Error).message.split('\n')[0]! };
  }
}

export default async function globalSetup(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'dualcloud-openstack-'));
  const file = join(root, 'servers.json');
  process.env[SERVERS_ENV] = file;
  let doc: OpenStackServersFile = { root };
  const t0 = Date.now();
  let installMs = 0;
  try {
    if (!(await installed())) {
      await install();
      installMs = Date.now() - t0;
      if (!(await installed())) throw new Error(`OpenStack Swift/Keystone are still missing after apt-get; ${INSTALL_HINT}`);
    }
    const t1 = Date.now();
    for (const d of ['keystone', 'swift', 'swift-keystone', 'keystone-short', 'swift-short']) mkdirSync(join(root, d));
    // The short-lived pair starts alongside (Keystone, then Swift behind it); it never fails the others.
    const shortLived = startShortLived(root);
    // Keystone and Swift with tempauth together; Swift behind Keystone needs Keystone up.
    const [keystone, swift] = await Promise.allSettled([start<any>('start-keystone.sh', join(root, 'keystone')), start<any>('start-swift.sh', join(root, 'swift'))]);
    doc = { root, ...(keystone.status === 'fulfilled' ? { keystone: keystone.value } : {}), ...(swift.status === 'fulfilled' ? { swift: swift.value } : {}) };
    const swiftKeystone = keystone.status === 'fulfilled' ? await start<any>('start-swift.sh', join(root, 'swift-keystone'), { KEYSTONE_URL: keystone.value.authUrl }).catch((error: Error) => error) : undefined;
    doc = { ...doc, ...(swiftKeystone && !(swiftKeystone instanceof Error) ? { swiftKeystone } : {}), shortLived: await shortLived };
    if (keystone.status === 'rejected') throw keystone.reason;
    if (swift.status === 'rejected') throw swift.reason;
    if (swiftKeystone instanceof Error) throw swiftKeystone;
    doc = { ...doc, timings: { installMs, startMs: Date.now() - t1 } };
    process.stderr.write(
      `\nopenstack: Swift (tempauth), Keystone v3, Swift behind Keystone${doc.shortLived?.error ? '' : ` and a Keystone with ${SHORT_TOKEN_EXPIRATION_S} s tokens + Swift behind it`} up on 127.0.0.1 (install ${(installMs / 1000).toFixed(1)} s, start ${((Date.now() - t1) / 1000).toFixed(1)} s)\n`,
    );
    if (doc.shortLived?.error) process.stderr.write(`openstack: the short-lived Keystone + Swift did not start: ${doc.shortLived.error}\n`);
  } catch (error) {
    const message = (error as Error).message.split('\n')[0]!;
    doc = { ...doc, error: message.includes('apt-get install') ? message : `${message}; ${INSTALL_HINT}` };
    process.stderr.write(`\nopenstack: ${doc.error}\n`);
  }
  writeFileSync(file, JSON.stringify(doc));
}
