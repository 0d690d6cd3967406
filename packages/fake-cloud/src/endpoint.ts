/**
 * Where a driver reaches each provider of the fake cloud (one port for all).
 * @module
 */
import { FAKE_PROVIDERS, type FakeProvider } from './options.js';
import { SWIFT_AUTH_PATH } from './swift.js';

/** The path under which Keystone (OpenStack Identity v3) answers. */
export const KEYSTONE_BASE_PATH = '/identity/v3';

/**
 * Where a driver reaches a provider: spread it into the driver's options. Keystone's also carries the path of
 * the Identity v3 API and the full auth URL OpenStack clients ask for.
 */
export interface FakeEndpoint {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  /** Keystone only: `/identity/v3`. */
  readonly basePath?: string;
  /** Keystone: `http://127.0.0.1:<port>/identity/v3`; Swift: its v1.0 auth, `http://127.0.0.1:<port>/auth/v1.0`. */
  readonly authUrl?: string;
  /** Docker only, when the fake cloud was started with `dockerSocketPath`: the Unix socket it also listens on. */
  readonly socketPath?: string;
}

/** The endpoint of `provider` on `port` (throws `TypeError` for an unknown provider). */
export function fakeEndpoint(provider: FakeProvider, port: number, dockerSocketPath?: string): FakeEndpoint {
  if (!FAKE_PROVIDERS.includes(provider)) throw new TypeError(`fake-cloud: unknown provider ${String(provider)}`);
  const endpoint = { host: '127.0.0.1', port, secure: false };
  if (provider === 'docker') return dockerSocketPath ? { ...endpoint, socketPath: dockerSocketPath } : endpoint;
  if (provider === 'swift') return { ...endpoint, authUrl: `http://127.0.0.1:${port}${SWIFT_AUTH_PATH}` };
  if (provider !== 'keystone') return endpoint;
  return { ...endpoint, basePath: KEYSTONE_BASE_PATH, authUrl: `http://127.0.0.1:${port}${KEYSTONE_BASE_PATH}` };
}
