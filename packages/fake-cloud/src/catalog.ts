/**
 * The service catalog the fake Keystone returns with project-scoped tokens: one entry per emulated OpenStack
 * service, each with public, internal and admin endpoints in `RegionOne` on the fake cloud's own port.
 * @module
 */
import { SWIFT_PREFIX } from './swift.js';

/** The region every catalog endpoint is in. */
export const KEYSTONE_REGION = 'RegionOne';

/** One catalog entry: the service at `url` for every interface. */
function service(type: string, name: string, url: string): object {
  const id = (s: string): string => Buffer.from(`${type}/${s}`).toString('hex').slice(0, 32).padEnd(32, '0');
  return {
    id: id('service'),
    type,
    name,
    endpoints: ['public', 'internal', 'admin'].map((iface) => ({ id: id(iface), interface: iface, region: KEYSTONE_REGION, region_id: KEYSTONE_REGION, url })),
  };
}

/** The catalog of a token scoped to `projectId`, with URLs on `host` (`127.0.0.1:<port>`). */
export function keystoneCatalog(host: string, projectId: string): object[] {
  return [
    // Swift: the project's account is AUTH_<project id>, as with keystoneauth's default reseller prefix.
    service('object-store', 'swift', `http://${host}${SWIFT_PREFIX}/v1/AUTH_${projectId}`),
  ];
}
