/**
 * Temp URLs against real OpenStack Swift (Debian's packages, started once for the run by the `openstack` jest
 * project's global setup): URLs made by `getObjectCdnUrl` in every style fetched with plain `fetch`, expired and
 * tampered ones refused — with tempauth (v1.0 auth) and behind Keystone v3.
 */
import { describe } from '@jest/globals';
import { Provider } from '@dualcloud/drivers/storage';
import { openStackServers } from '../openstack/servers.js';
import { describeTempUrls } from './helpers/swift-tempurl.js';

const RETRY = { baseDelayMs: 1, maxDelayMs: 5 };

describe('temp URLs, real Swift with tempauth (v1.0 auth)', () => {
  describeTempUrls(() => {
    const { swift } = openStackServers();
    return { provider: Provider.OPENSTACK_SWIFT, options: () => ({ authUrl: swift.authUrl, username: swift.user, password: swift.key, retry: RETRY }) };
  });
});

describe('temp URLs, real Swift behind real Keystone v3', () => {
  describeTempUrls(() => {
    const { swiftKeystone: s, keystone } = openStackServers();
    return {
      provider: Provider.OPENSTACK_SWIFT,
      options: () => ({ authUrl: s.authUrl, username: s.user, password: s.key, projectName: s.project, regionName: keystone.region, retry: RETRY }),
    };
  });
});
