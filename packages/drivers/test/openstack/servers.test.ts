/**
 * How suites learn about the real OpenStack servers: unavailable servers are one line saying what to install,
 * thrown by every suite that needs them (never a skip).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from '@jest/globals';
import { INSTALL_HINT, OPENSTACK_PACKAGES, openStackServers, SERVERS_ENV, shortLivedServers } from './servers.js';

const saved = process.env[SERVERS_ENV];
const dirs: string[] = [];
afterEach(() => {
  if (saved === undefined) delete process.env[SERVERS_ENV];
  else process.env[SERVERS_ENV] = saved;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function withFile(doc: object): void {
  const dir = mkdtempSync(join(tmpdir(), 'dualcloud-servers-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'servers.json'), JSON.stringify(doc));
  process.env[SERVERS_ENV] = join(dir, 'servers.json');
}

test('the hint names every Debian package, on one line', () => {
  for (const pkg of ['swift', 'swift-proxy', 'python3-keystone', 'python3-keystonemiddleware', 'uwsgi-plugin-python3', 'memcached']) expect(OPENSTACK_PACKAGES).toContain(pkg);
  expect(INSTALL_HINT).toContain(`apt-get install -y --no-install-recommends ${OPENSTACK_PACKAGES.join(' ')}`);
  expect(INSTALL_HINT).not.toContain('\n');
});

test('outside the openstack project (no global setup): a one-line error saying how to get the servers', () => {
  delete process.env[SERVERS_ENV];
  expect(() => openStackServers()).toThrow(/run this suite through the jest project "openstack".*apt-get install/);
});

test("the global setup's failure line is what every suite throws", () => {
  withFile({ root: '/tmp/x', error: `installing failed; ${INSTALL_HINT}` });
  expect(() => openStackServers()).toThrow(`installing failed; ${INSTALL_HINT}`);
  withFile({ root: '/tmp/x', swift: { authUrl: 'http://127.0.0.1:1/auth/v1.0' } });
  expect(() => openStackServers()).toThrow(INSTALL_HINT);
});

test('started servers are handed over as written', () => {
  const doc = {
    root: '/tmp/x',
    swift: { authUrl: 'http://127.0.0.1:1/auth/v1.0', user: 'test:tester', key: 'testing', proxyUrl: 'http://127.0.0.1:1' },
    keystone: { authUrl: 'http://127.0.0.1:2/v3', user: 'admin', key: 'secret', project: 'admin', domain: 'default', region: 'RegionOne' },
    swiftKeystone: { authUrl: 'http://127.0.0.1:2/v3', user: 'admin', key: 'secret', project: 'admin', storageUrl: 'http://127.0.0.1:3/v1/AUTH_p', proxyUrl: 'http://127.0.0.1:3' },
    timings: { installMs: 0, startMs: 20_000 },
  };
  withFile(doc);
  const { root: _root, ...servers } = doc;
  expect(openStackServers()).toEqual(servers);
});

test('the short-lived Keystone + Swift: handed over when up, else one line (the setup failure, or why they did not start)', () => {
  const keystone = { authUrl: 'http://127.0.0.1:4/v3', user: 'admin', key: 'secret', project: 'admin', domain: 'default', region: 'RegionOne', tokenExpiration: 10 };
  const swift = { authUrl: 'http://127.0.0.1:4/v3', user: 'admin', key: 'secret', project: 'admin', storageUrl: 'http://127.0.0.1:5/v1/AUTH_p', proxyUrl: 'http://127.0.0.1:5' };
  withFile({ root: '/tmp/x', shortLived: { keystone, swift } });
  expect(shortLivedServers()).toEqual({ keystone, swift });
  withFile({ root: '/tmp/x', shortLived: { keystone, error: 'start-swift.sh /tmp/x/swift-short failed: boom' } });
  expect(() => shortLivedServers()).toThrow(`the short-lived Keystone + Swift did not start: start-swift.sh /tmp/x/swift-short failed: boom; ${INSTALL_HINT}`);
  // A Keystone without the expiration knob applied is not the short-lived one.
  const { tokenExpiration: _t, ...plain } = keystone;
  withFile({ root: '/tmp/x', shortLived: { keystone: plain, swift } });
  expect(() => shortLivedServers()).toThrow(INSTALL_HINT);
  withFile({ root: '/tmp/x', error: `installing failed; ${INSTALL_HINT}` });
  expect(() => shortLivedServers()).toThrow(`installing failed; ${INSTALL_HINT}`);
  delete process.env[SERVERS_ENV];
  expect(() => shortLivedServers()).toThrow(/jest project "openstack"/);
});
