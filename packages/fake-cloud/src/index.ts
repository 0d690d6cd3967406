/**
 * @dualcloud/fake-cloud: a stateful, in-memory emulator of the wire APIs the dualcloud drivers speak (EC2 Query API,
 * DigitalOcean v2, S3 REST, GCS XML API with HMAC, Keystone v3 and v2.0 tokens, Nova v2.1, Glance v2 and Cinder v3, OpenStack
 * Swift with its v1.0 auth and a Rackspace-style identity v2.0, the Kubernetes core/v1 API), on one port of 127.0.0.1, with latency and fault
 * injection.
 * @packageDocumentation
 */
export { startFakeCloud } from './start.js';
export type { FakeCloud, FakeCloudIsolation } from './start.js';
export { createFakeCloudServer, FakeCloudServer } from './server.js';
export type { FakeCloudStats, FakeCloudUpdate, FakeEndpoint } from './server.js';
export { KEYSTONE_BASE_PATH } from './endpoint.js';
export { RACKSPACE_IDENTITY_PATH, RACKSPACE_REGIONS, SWIFT_AUTH_PATH, SWIFT_PREFIX } from './swift.js';
export { KEYSTONE_REGION } from './catalog.js';
export { FAKE_CREDENTIALS, FAKE_PROVIDERS, FAULT_KINDS, DEFAULT_REGIONS, resolveOptions } from './options.js';
export type { FakeCloudOptions, FakeCredentials, FakeProvider, FaultKind, FaultOptions, KeyTable, KeystoneUser, LatencySpec, ResolvedOptions } from './options.js';
export { crc32c } from './checksums.js';
export { K8S_SYSTEM_NAMESPACES, isKubernetesPath } from './kubernetes.js';
export { writeFakeKubeconfig } from './kubeconfig.js';
export type { FakeKubeconfigOptions } from './kubeconfig.js';
export { DOCKER_CATALOG, DOCKER_MAX_API, DOCKER_MIN_API } from './docker.js';
export { seededRandom } from './random.js';
