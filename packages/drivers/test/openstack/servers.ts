/**
 * The real OpenStack servers of a test run (Debian's Swift and Keystone), started once by the `openstack` jest
 * project's global setup (`global-setup.ts`) and stopped by its teardown. Suites read them with
 * {@link openStackServers}; when they could not be installed or started, that throws the one line saying why
 * (what to install), so every suite that needs them FAILS — nothing is skipped.
 */
import { readFileSync } from 'node:fs';
import { INSTALL_HINT, SERVERS_ENV } from './global-setup.js';

export { INSTALL_HINT, OPENSTACK_PACKAGES, SERVERS_ENV, SHORT_TOKEN_EXPIRATION_S } from './global-setup.js';

/** Swift with tempauth (v1.0 auth), as `start-swift.sh` prints it. */
export interface SwiftTempauth {
  readonly authUrl: string;
  readonly user: string;
  readonly key: string;
  readonly proxyUrl: string;
}

/** Keystone v3, as `start-keystone.sh` prints it. */
export interface KeystoneServer {
  readonly authUrl: string;
  readonly user: string;
  readonly key: string;
  readonly project: string;
  readonly domain: string;
  readonly region: string;
}

/** Swift behind Keystone, as `KEYSTONE_URL=… start-swift.sh` prints it. */
export interface SwiftKeystone {
  readonly authUrl: string;
  readonly user: string;
  readonly key: string;
  readonly project: string;
  readonly storageUrl: string;
  readonly proxyUrl: string;
}

/** A Keystone started with `KEYSTONE_TOKEN_EXPIRATION`, as `start-keystone.sh` prints it. */
export interface ShortLivedKeystone extends KeystoneServer {
  /** Token lifetime in seconds. */
  readonly tokenExpiration: number;
}

/** The short-lived pair: a Keystone whose tokens expire within seconds and a Swift behind it. */
export interface ShortLivedServers {
  readonly keystone: ShortLivedKeystone;
  readonly swift: SwiftKeystone;
}

/** What the global setup wrote. */
export interface OpenStackServersFile {
  /** Scratch directory holding the servers' state (removed by the teardown). */
  readonly root: string;
  /** One line: why the servers are not available. */
  readonly error?: string;
  readonly swift?: SwiftTempauth;
  readonly keystone?: KeystoneServer;
  readonly swiftKeystone?: SwiftKeystone;
  /** The short-lived pair, or the one line saying why it did not start. */
  readonly shortLived?: Partial<ShortLivedServers> & { readonly error?: string };
  /** Milliseconds spent installing (0 when already installed) and starting. */
  readonly timings?: { readonly installMs: number; readonly startMs: number };
}

/** The servers when they are up. */
export interface OpenStackServers {
  readonly swift: SwiftTempauth;
  readonly keystone: KeystoneServer;
  readonly swiftKeystone: SwiftKeystone;
  readonly timings: { readonly installMs: number; readonly startMs: number };
}

function readServersFile(): OpenStackServersFile {
  const file = process.env[SERVERS_ENV];
  if (!file) throw new Error(`no OpenStack servers: run this suite through the jest project "openstack" (its global setup starts them); else ${INSTALL_HINT}`);
  return JSON.parse(readFileSync(file, 'utf8')) as OpenStackServersFile;
}

/** The servers of this run; throws one line when they are unavailable (or the run has no global setup). */
export function openStackServers(): OpenStackServers {
  const doc = readServersFile();
  if (doc.error || !doc.swift || !doc.keystone || !doc.swiftKeystone || !doc.timings) throw new Error(doc.error ?? `the OpenStack servers did not start; ${INSTALL_HINT}`);
  return { swift: doc.swift, keystone: doc.keystone, swiftKeystone: doc.swiftKeystone, timings: doc.timings };
}

/**
 * The short-lived Keystone (tokens expire after `tokenExpiration` seconds) and the Swift behind it; throws one line
 * when they are unavailable (as {@link openStackServers} does).
 */
export function shortLivedServers(): ShortLivedServers {
  const doc = readServersFile();
  const pair = doc.shortLived;
  if (pair?.keystone && pair.swift && typeof pair.keystone.tokenExpiration === 'number' && !pair.error) return { keystone: pair.keystone, swift: pair.swift };
  if (doc.error) throw new Error(doc.error);
  throw new Error(`the short-lived Keystone + Swift did not start${pair?.error ? `: ${pair.error}` : ''}; ${INSTALL_HINT}`);
}
