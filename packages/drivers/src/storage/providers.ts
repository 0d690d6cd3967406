/**
 * Storage provider names, spelled as Apache Libcloud spells them.
 * @module
 */

/**
 * Storage providers (Libcloud's `libcloud.storage.types.Provider`).
 * @example
 * ```ts
 * const S3 = getDriver(Provider.S3);
 * ```
 */
export const Provider = {
  /** Amazon S3 and S3-compatible stores. */
  S3: 's3',
  /** Google Cloud Storage (XML API, HMAC keys). */
  GOOGLE_STORAGE: 'google_storage',
  /** Microsoft Azure Blob Storage. */
  AZURE_BLOBS: 'azure_blobs',
  /** A local directory. */
  LOCAL: 'local',
  /** OpenStack Swift (Keystone v3/v2.0 or Swift's v1.0 auth). */
  OPENSTACK_SWIFT: 'openstack_swift',
  /** Rackspace Cloud Files (Swift behind Rackspace identity). */
  CLOUDFILES: 'cloudfiles',
} as const;

/** One of {@link Provider}'s values. */
export type Provider = (typeof Provider)[keyof typeof Provider];
