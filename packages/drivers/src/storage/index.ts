/**
 * `@dualcloud/drivers/storage`: storage drivers (Amazon S3 and S3-compatible stores — MinIO, DigitalOcean Spaces,
 * Wasabi, Cloudflare R2, Backblaze B2, Scaleway, OVHcloud, Linode — Google Cloud Storage, Azure Blobs, OpenStack
 * Swift, Rackspace Cloud Files, a local directory) and `getDriver(Provider.X)`, named as in Apache Libcloud.
 *
 * @example
 * ```ts
 * import { getDriver, Provider } from '@dualcloud/drivers/storage';
 * const S3 = getDriver(Provider.S3);
 * const s3 = new S3({ key, secret, host: '127.0.0.1', port: 9000, secure: false });
 * const bucket = s3.createContainer('photos');
 * s3.uploadObject('./cat.jpg', bucket, 'cat.jpg');
 * ```
 * @packageDocumentation
 */
import { DriverRegistry, type StorageDriver } from '@dualcloud/core';
import { AzureBlobsStorageDriver } from './azure/driver.js';
import { LocalStorageDriver } from './local.js';
import { Provider } from './providers.js';
import { GoogleStorageDriver } from './s3/google.js';
import { S3StorageDriver } from './s3/s3.js';
import { CloudFilesStorageDriver, OpenStackSwiftStorageDriver } from './swift/driver.js';
import { BackblazeB2S3StorageDriver } from './s3/backblaze-b2.js';
import { CloudflareR2StorageDriver } from './s3/cloudflare-r2.js';
import { DigitalOceanSpacesStorageDriver } from './s3/digitalocean-spaces.js';
import { LinodeStorageDriver } from './s3/linode.js';
import { MinIOStorageDriver } from './s3/minio.js';
import { OvhStorageDriver } from './s3/ovh.js';
import { ScalewayStorageDriver } from './s3/scaleway.js';
import { WasabiStorageDriver } from './s3/wasabi.js';

export { Provider } from './providers.js';

/** The driver class of each built-in provider (what {@link getDriver} returns). */
export interface StorageDriverClasses {
  [Provider.S3]: typeof S3StorageDriver;
  [Provider.GOOGLE_STORAGE]: typeof GoogleStorageDriver;
  [Provider.AZURE_BLOBS]: typeof AzureBlobsStorageDriver;
  [Provider.LOCAL]: typeof LocalStorageDriver;
  [Provider.OPENSTACK_SWIFT]: typeof OpenStackSwiftStorageDriver;
  [Provider.CLOUDFILES]: typeof CloudFilesStorageDriver;
  [Provider.MINIO]: typeof MinIOStorageDriver;
  [Provider.DIGITALOCEAN_SPACES]: typeof DigitalOceanSpacesStorageDriver;
  [Provider.WASABI]: typeof WasabiStorageDriver;
  [Provider.CLOUDFLARE_R2]: typeof CloudflareR2StorageDriver;
  [Provider.BACKBLAZE_B2_S3]: typeof BackblazeB2S3StorageDriver;
  [Provider.SCALEWAY]: typeof ScalewayStorageDriver;
  [Provider.OVH]: typeof OvhStorageDriver;
  [Provider.LINODE]: typeof LinodeStorageDriver;
}

/** Every built-in storage driver class. */
export type AnyStorageDriverClass = StorageDriverClasses[Provider];

/** What a registered storage driver class must be. */
export type StorageDriverClass = (new (options: any) => StorageDriver) & Pick<typeof StorageDriver, 'methodKinds' | 'methodOptions' | 'optionKeys'>;

const registry = new DriverRegistry<StorageDriverClasses, StorageDriverClass>('storage', {
  [Provider.S3]: S3StorageDriver,
  [Provider.GOOGLE_STORAGE]: GoogleStorageDriver,
  [Provider.AZURE_BLOBS]: AzureBlobsStorageDriver,
  [Provider.LOCAL]: LocalStorageDriver,
  [Provider.OPENSTACK_SWIFT]: OpenStackSwiftStorageDriver,
  [Provider.CLOUDFILES]: CloudFilesStorageDriver,
  [Provider.MINIO]: MinIOStorageDriver,
  [Provider.DIGITALOCEAN_SPACES]: DigitalOceanSpacesStorageDriver,
  [Provider.WASABI]: WasabiStorageDriver,
  [Provider.CLOUDFLARE_R2]: CloudflareR2StorageDriver,
  [Provider.BACKBLAZE_B2_S3]: BackblazeB2S3StorageDriver,
  [Provider.SCALEWAY]: ScalewayStorageDriver,
  [Provider.OVH]: OvhStorageDriver,
  [Provider.LINODE]: LinodeStorageDriver,
});

/**
 * The driver class of a storage provider, precisely typed for the built-in ones.
 * An unknown name throws `InvalidArgumentError`.
 */
export function getDriver<P extends Provider>(provider: P): StorageDriverClasses[P];
export function getDriver(provider: string): StorageDriverClass;
export function getDriver(provider: string): StorageDriverClass {
  return registry.get(provider);
}

/** Plugs in a storage driver of your own, as Libcloud's `set_driver` does: `getDriver(name)` then returns it. */
export function registerDriver(provider: string, driver: StorageDriverClass): void {
  registry.register(provider, driver);
}

/** Libcloud's name for {@link registerDriver}. */
export const setDriver = registerDriver;

/** Registered storage providers (built-in and registered). */
export function providers(): string[] {
  return registry.providers();
}

export { S3StorageDriver } from './s3/s3.js';
export type { S3StorageDriverOptions } from './s3/s3.js';
export { GoogleStorageDriver } from './s3/google.js';
export type { GoogleStorageDriverOptions } from './s3/google.js';
export { S3CompatibleStorageDriver, S3_ERROR_CODES, DEFAULT_PART_SIZE, DEFAULT_PART_CONCURRENCY, DEFAULT_CHUNK_SIZE, MAX_PARTS } from './s3/driver.js';
export type { S3CompatibleOptions } from './s3/driver.js';
export { MinIOStorageDriver } from './s3/minio.js';
export type { MinIOStorageDriverOptions } from './s3/minio.js';
export { DigitalOceanSpacesStorageDriver, DO_SPACES_DEFAULT_REGION } from './s3/digitalocean-spaces.js';
export type { DigitalOceanSpacesStorageDriverOptions } from './s3/digitalocean-spaces.js';
export { WasabiStorageDriver } from './s3/wasabi.js';
export type { WasabiStorageDriverOptions } from './s3/wasabi.js';
export { CloudflareR2StorageDriver } from './s3/cloudflare-r2.js';
export type { CloudflareR2StorageDriverOptions } from './s3/cloudflare-r2.js';
export { BackblazeB2S3StorageDriver } from './s3/backblaze-b2.js';
export type { BackblazeB2S3StorageDriverOptions } from './s3/backblaze-b2.js';
export { ScalewayStorageDriver } from './s3/scaleway.js';
export type { ScalewayStorageDriverOptions } from './s3/scaleway.js';
export { OvhStorageDriver } from './s3/ovh.js';
export type { OvhStorageDriverOptions } from './s3/ovh.js';
export { LinodeStorageDriver } from './s3/linode.js';
export type { LinodeStorageDriverOptions } from './s3/linode.js';
export { AzureBlobsStorageDriver, AZURE_ERROR_CODES, AZURE_STORAGE_VERSION, MAX_BLOCKS } from './azure/driver.js';
export type { AzureBlobsStorageDriverOptions } from './azure/driver.js';
export { LocalStorageDriver } from './local.js';
export {
  CloudFilesStorageDriver,
  OpenStackSwiftStorageDriver,
  SwiftCompatibleStorageDriver,
  RACKSPACE_AUTH_URL,
  SWIFT_DEFAULT_PART_SIZE,
  SWIFT_ERROR_CODES,
  SWIFT_MAX_OBJECT_SIZE,
  SWIFT_MAX_SEGMENTS,
  tempUrl,
} from './swift/driver.js';
export type { CloudFilesStorageDriverOptions, OpenStackSwiftStorageDriverOptions, SwiftDefaults, TempUrlOptions } from './swift/driver.js';
export type { OpenStackAuthOptions } from '../openstack/identity.js';
export type { LocalStorageDriverOptions } from './local.js';
export { ProgressCallbackError, BulkError, BulkSkippedError } from '@dualcloud/core';

export { Container, StorageObject, StorageDriver, ASYNC_MODE, isCommonPrefix } from '@dualcloud/core';
export type {
  BulkItemResult,
  BulkOptions,
  BulkProgress,
  BulkProgressCallback,
  BulkResult,
  DeleteObjectsOptions,
  DownloadObjectsOptions,
  UploadItem,
  UploadObjectsOptions,
  DownloadOptions,
  DriverOptions,
  ListObjectsOptions,
  ProgressCallback,
  StorageObjectFields,
  StorageOps,
  StreamOptions,
  UploadOptions,
  UploadSource,
} from '@dualcloud/core';
export {
  ContainerAlreadyExistsError,
  ContainerDoesNotExistError,
  ContainerIsNotEmptyError,
  IntegrityError,
  ObjectDoesNotExistError,
  UploadError,
} from '@dualcloud/core';
