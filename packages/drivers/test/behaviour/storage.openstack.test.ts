/**
 * The storage behaviour suite (every scenario of `helpers/storage-kit.ts`, in the sync style and Designs 1-3)
 * against real OpenStack Swift, Debian's packages started once for the run by the `openstack` jest project's
 * global setup (see `../openstack/global-setup.ts`):
 *   - `swift-tempauth`: Swift with tempauth, through Swift's v1.0 auth (`X-Auth-User` / `X-Auth-Key`);
 *   - `swift-keystone`: Swift behind a real Keystone v3 (password auth, storage URL from the service catalog).
 * When the servers could not be installed or started, every test here fails with the one line saying what to
 * install.
 */
import { Provider } from '@dualcloud/drivers/storage';
import { describeStorageBackends, type StorageBackend } from './helpers/storage-kit.js';
import { openStackServers } from '../openstack/servers.js';

const PART = 8 * 1024;
const RETRY = { baseDelayMs: 1, maxDelayMs: 5 };
const FULL = { multipart: true, rangedReads: true, delimiter: true, metadata: true, contentType: true, paging: true, hashOnDownload: true, checksNotEmpty: true, firstByteRange: true, signedUrls: false, checksSignatures: false, serverSideCopy: false, copyChecksSource: false, multipartCopy: false } as const;
const idle = async (): Promise<void> => {}; // the global teardown stops the servers

const BACKENDS: readonly StorageBackend[] = [
  {
    id: 'swift-tempauth',
    provider: Provider.OPENSTACK_SWIFT,
    async start() {
      const { swift } = openStackServers();
      return { options: { authUrl: swift.authUrl, username: swift.user, password: swift.key, retry: RETRY }, stop: idle };
    },
    capabilities: FULL,
    partSize: PART,
  },
  {
    id: 'swift-keystone',
    provider: Provider.OPENSTACK_SWIFT,
    async start() {
      const { swiftKeystone: s, keystone } = openStackServers();
      return {
        options: { authUrl: s.authUrl, username: s.user, password: s.key, projectName: s.project, userDomainName: 'Default', regionName: keystone.region, retry: RETRY },
        stop: idle,
      };
    },
    capabilities: FULL,
    partSize: PART,
  },
];

describeStorageBackends(BACKENDS);
