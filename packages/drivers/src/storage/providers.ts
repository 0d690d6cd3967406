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
  // S3-compatible stores on the S3 base (Libcloud's names where Libcloud has the store).
  /** MinIO (self-hosted; `host` required). */
  MINIO: 'minio',
  /** DigitalOcean Spaces (`{region}.digitaloceanspaces.com`). */
  DIGITALOCEAN_SPACES: 'digitalocean_spaces',
  /** Wasabi (`s3.{region}.wasabisys.com`). Not in Libcloud. */
  WASABI: 'wasabi',
  /** Cloudflare R2 (`{account}.r2.cloudflarestorage.com`, region `auto`). Not in Libcloud. */
  CLOUDFLARE_R2: 'cloudflare_r2',
  /** Backblaze B2's S3-compatible API (`s3.{region}.backblazeb2.com`); Libcloud's `backblaze_b2` is the native API. */
  BACKBLAZE_B2_S3: 'backblaze_b2_s3',
  /** Scaleway Object Storage (`s3.{region}.scw.cloud`). */
  SCALEWAY: 'scaleway',
  /** OVHcloud Object Storage (`s3.{region}.io.cloud.ovh.net`). */
  OVH: 'ovh',
  /** Linode / Akamai Object Storage (`{region}.linodeobjects.com`). Not in Libcloud. */
  LINODE: 'linode',
} as const;

/** One of {@link Provider}'s values. */
export type Provider = (typeof Provider)[keyof typeof Provider];
