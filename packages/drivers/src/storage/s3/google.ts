/**
 * Google Cloud Storage through its S3-compatible XML API, with HMAC keys (GOOG4-HMAC-SHA256).
 * @module
 */
import { Provider } from '../providers.js';
import { InvalidArgumentError, sigV4Signer, type ExpectedDigest, type HttpResponse } from '@dualcloud/core';
import { S3CompatibleStorageDriver, type S3CompatibleOptions } from './driver.js';
import { isMd5Etag, unquote } from './xml.js';

/** Options of {@link GoogleStorageDriver}: `key`/`secret` are an HMAC access id and secret. */
export type GoogleStorageDriverOptions = S3CompatibleOptions;

/**
 * Google Cloud Storage (Libcloud's `GoogleStorageDriver`): the XML API, path-style, `x-goog-meta-*`
 * metadata; downloads are checked against `x-goog-hash` (md5) when present.
 */
export class GoogleStorageDriver extends S3CompatibleStorageDriver {
  readonly type = Provider.GOOGLE_STORAGE;
  readonly name: string = 'Google Cloud Storage';
  protected readonly metaPrefix = 'x-goog-meta-';
  /** The XML API has no UploadPartCopy; a copy of any size is one request (GCS rewrites it server-side). */
  protected override readonly partCopy: boolean = false;

  constructor(options: GoogleStorageDriverOptions) {
    super(
      { ...options, pathStyle: options?.pathStyle ?? true },
      {
        provider: 'google_storage',
        host: 'storage.googleapis.com',
        region: 'auto',
        pathStyle: true,
        // GCS keeps its own hashes (x-goog-hash): no x-amz-checksum-* headers.
        checksums: false,
        credentials: () => sigV4Signer(hmacKeys(options), 'auto', 'storage', undefined, 'GOOG4'),
      },
    );
  }

  /** GCS names the bucket location on creation only when asked; buckets default to the project's location. */
  protected override bucketLocation(): string | undefined {
    return undefined;
  }

  /** Prefers `x-goog-hash: md5=<base64>`; falls back to a plain-MD5 ETag. */
  protected override expectedDigest(response: HttpResponse): ExpectedDigest {
    const md5 = googleMd5(response);
    if (md5) return { md5 };
    const etag = unquote(response.header('etag'));
    return isMd5Etag(etag) ? { md5: etag.toLowerCase() } : {};
  }
}

/** The hex MD5 of `x-goog-hash: md5=<base64>`, if present. */
function googleMd5(response: HttpResponse): string | undefined {
  const md5 = response
    .header('x-goog-hash')
    ?.split(',')
    .map((h) => h.trim())
    .find((h) => h.startsWith('md5='));
  return md5 ? Buffer.from(md5.slice(4), 'base64').toString('hex') : undefined;
}

/** The HMAC key pair, both halves required. */
function hmacKeys(options: GoogleStorageDriverOptions): { accessKeyId: string; secretAccessKey: string } {
  if (!options || typeof options.key !== 'string' || options.key === '' || typeof options.secret !== 'string' || options.secret === '') {
    throw new InvalidArgumentError('google_storage: give key (HMAC access id) and secret (HMAC secret)', { provider: 'google_storage' });
  }
  return { accessKeyId: options.key, secretAccessKey: options.secret };
}
