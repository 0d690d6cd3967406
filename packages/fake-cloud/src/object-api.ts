/**
 * The S3 REST API and the GCS XML API (the same semantics, two dialects, separate stores): routing of bucket and
 * object requests, headers, listings, multipart uploads.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/Welcome.html
 * @see https://cloud.google.com/storage/docs/xml-api/overview
 * @module
 */
import { AuthFailure, parseSigV4, verifySigV4 } from './auth.js';
import { CHECKSUM_ALGORITHMS, checksumBase64, checksumElement, checksumHeader, computeChecksum, crc32c, parseChecksumAlgorithm, type ObjectChecksum } from './checksums.js';
import { checkContentMd5, objectPayload, parseRange, type PayloadChecks } from './object-body.js';
import { compareKeys, ObjectStore, type ObjectMeta, type StoredObject, type Upload, type UploadChecksum } from './object-store.js';
import type { FakeProvider, KeyTable, ResolvedOptions } from './options.js';
import * as X from './s3-xml.js';
import { ApiError, header, type FakeRequest, type FakeResponse } from './wire.js';
import { escapeXml } from './xml.js';

/** What differs between S3 and GCS on the wire. */
export interface ObjectDialect extends X.XmlDialect {
  readonly provider: Extract<FakeProvider, 's3' | 'google_storage'>;
  readonly scheme: 'AWS4' | 'GOOG4';
  readonly service: string;
  readonly metaPrefix: string;
  readonly shaHeader: string;
  readonly shaMismatchCode: string;
  readonly defaultContentType: string;
  readonly keys: (o: ResolvedOptions) => KeyTable;
  readonly bucketName: RegExp;
}

/** Amazon S3. */
export const S3_DIALECT: ObjectDialect = {
  provider: 's3',
  scheme: 'AWS4',
  service: 's3',
  metaPrefix: 'x-amz-meta-',
  shaHeader: 'x-amz-content-sha256',
  shaMismatchCode: 'XAmzContentSHA256Mismatch',
  defaultContentType: 'binary/octet-stream',
  keys: (o) => o.credentials.aws,
  bucketName: /^(?!\d+\.\d+\.\d+\.\d+$)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/',
  gcs: false,
};

/** Google Cloud Storage's XML API with HMAC keys. */
export const GCS_DIALECT: ObjectDialect = {
  provider: 'google_storage',
  scheme: 'GOOG4',
  service: 'storage',
  metaPrefix: 'x-goog-meta-',
  shaHeader: 'x-goog-content-sha256',
  shaMismatchCode: 'BadDigest',
  defaultContentType: 'application/octet-stream',
  keys: (o) => o.credentials.gcs,
  bucketName: /^(?!goog)(?!.*\.\.)[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/,
  xmlns: 'http://doc.s3.amazonaws.com/2006-03-01',
  gcs: true,
};

const STORED_HEADERS = ['content-encoding', 'content-disposition', 'cache-control', 'content-language', 'expires'];
/** Headers a GET may override with `response-<name>` query parameters. */
const RESPONSE_OVERRIDES = ['content-type', 'content-language', 'expires', 'cache-control', 'content-disposition', 'content-encoding'];
const VIRTUAL_HOST_SUFFIXES = ['.localhost', '.127.0.0.1', '.s3.amazonaws.com', '.storage.googleapis.com'];

interface Target {
  readonly bucket: string;
  readonly key: string;
  /** The resource named in errors: `/bucket/key`. */
  readonly resource: string;
}

/** An S3 or GCS emulator. */
export class ObjectApi {
  readonly store: ObjectStore;

  constructor(
    private readonly d: ObjectDialect,
    private readonly options: () => ResolvedOptions,
  ) {
    this.store = new ObjectStore(() => options());
  }

  /** Handles one request: checks the signature and payload hash, routes to the operation. */
  handle(req: FakeRequest): FakeResponse {
    const auth = parseSigV4(req);
    if (!auth) throw new AuthFailure('missing', 'Access Denied');
    if (auth.scheme !== this.d.scheme || auth.service !== this.d.service) {
      throw new ApiError(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; expected scheme ${this.d.scheme} and service '${this.d.service}'.`);
    }
    verifySigV4(req, auth, this.d.keys(this.options()), this.options().maxClockSkewMs);
    const t = target(req);
    const q = req.query;
    const m = req.method;
    if (!t.bucket) {
      if (m === 'GET') return this.listBuckets(req);
      throw methodNotAllowed(m);
    }
    if (!t.key) {
      if (m === 'PUT' && !hasAny(q, ['acl', 'policy', 'versioning', 'cors', 'lifecycle', 'tagging'])) return this.createBucket(req, t, auth.region);
      if (m === 'HEAD') return this.headBucket(t);
      if (m === 'DELETE' && q.size === 0) return this.deleteBucket(t);
      if (m === 'GET' && q.has('location')) return this.location(t);
      if (m === 'GET' && q.has('uploads')) return this.listUploads(req, t);
      if (m === 'GET' && !hasAny(q, ['acl', 'policy', 'versioning', 'cors', 'lifecycle', 'tagging', 'website', 'logging'])) {
        const v1Only = !this.d.gcs && this.options().s3ListV1Only;
        return q.get('list-type') === '2' && !v1Only ? this.listV2(req, t) : this.listV1(req, t);
      }
      if (m === 'POST' && q.has('delete')) return this.deleteObjects(req, t);
      throw notImplemented();
    }
    if (Buffer.byteLength(t.key) > 1024) throw new ApiError(400, 'KeyTooLongError', 'Your key is too long', { Key: t.key.slice(0, 64) });
    const uploadId = q.get('uploadId');
    const copying = header(req, 'x-amz-copy-source') !== undefined || header(req, 'x-goog-copy-source') !== undefined;
    if (m === 'PUT' && uploadId !== null) return copying ? this.uploadPartCopy(req, t, uploadId) : this.uploadPart(req, t, uploadId);
    if (m === 'PUT' && !copying) return this.putObject(req, t);
    if (m === 'PUT') return this.copyObject(req, t);
    if (m === 'GET' && uploadId !== null) return this.listParts(req, t, uploadId);
    if (m === 'GET' || m === 'HEAD') return this.getObject(req, t);
    if (m === 'DELETE' && uploadId !== null) {
      this.store.abort(t.bucket, t.key, uploadId);
      return { status: 204, headers: {} };
    }
    if (m === 'DELETE') return this.deleteObject(req, t);
    if (m === 'POST' && q.has('uploads')) return this.initiate(req, t);
    if (m === 'POST' && uploadId !== null) return this.complete(req, t, uploadId);
    throw methodNotAllowed(m);
  }

  /** Renders an error as S3 (`Resource`, `RequestId`) or GCS (`Details`) does; HEAD errors have no body. */
  error(e: ApiError, req: FakeRequest): FakeResponse {
    const headers: Record<string, string> = { 'content-type': 'application/xml', ...e.headers };
    if (req.method === 'HEAD') return { status: e.status, headers };
    let resource = req.rawPath;
    try {
      resource = target(req).resource;
    } catch {
      // keep the raw path
    }
    const extra = Object.entries(e.extra)
      .map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`)
      .join('');
    const tail = this.d.gcs
      ? `<Details>${escapeXml(resource)}</Details>`
      : `<Resource>${escapeXml(resource)}</Resource><RequestId>${req.requestId}</RequestId><HostId>${Buffer.from(req.requestId).toString('base64')}</HostId>`;
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(e.code)}</Code><Message>${escapeXml(e.message)}</Message>${extra}${tail}</Error>`;
    return { status: e.status, headers, body };
  }

  /** Maps an authentication failure to S3's / GCS's status and code. */
  authError(e: AuthFailure): ApiError {
    switch (e.kind) {
      case 'missing':
        return new ApiError(403, 'AccessDenied', 'Access Denied');
      case 'malformed':
        return new ApiError(400, 'AuthorizationHeaderMalformed', e.message);
      case 'unknown-key':
        return new ApiError(403, 'InvalidAccessKeyId', 'The access key Id you provided does not exist in our records.');
      case 'bad-signature':
        return new ApiError(403, 'SignatureDoesNotMatch', e.message);
      case 'skew':
        return new ApiError(403, 'RequestTimeTooSkewed', e.message);
      case 'expired':
        return new ApiError(403, 'AccessDenied', 'Request has expired');
    }
  }

  private listBuckets(req: FakeRequest): FakeResponse {
    const all = [...this.store.buckets.values()].sort((a, b) => compareKeys(a.name, b.name));
    const max = intQuery(req, 'max-buckets', 10_000, 1, 10_000);
    const token = req.query.get('continuation-token');
    const after = token ? decodeToken(token) : '';
    const rest = all.filter((b) => compareKeys(b.name, after) > 0);
    const page = rest.slice(0, max);
    const next = rest.length > max ? encodeToken(page[page.length - 1]!.name) : undefined;
    return xml(200, X.listBucketsXml(this.d, page, next));
  }

  private createBucket(req: FakeRequest, t: Target, signingRegion: string): FakeResponse {
    if (!this.d.bucketName.test(t.bucket)) throw new ApiError(400, 'InvalidBucketName', 'The specified bucket is not valid.', { BucketName: t.bucket });
    const location = X.parseCreateBucketBody(req.body);
    this.store.createBucket(t.bucket, location ?? signingRegion, req.now);
    return { status: 200, headers: { location: `/${t.bucket}` } };
  }

  private headBucket(t: Target): FakeResponse {
    const b = this.store.bucket(t.bucket);
    return { status: 200, headers: this.d.gcs ? {} : { 'x-amz-bucket-region': b.region } };
  }

  private deleteBucket(t: Target): FakeResponse {
    this.store.deleteBucket(t.bucket);
    return { status: 204, headers: {} };
  }

  private location(t: Target): FakeResponse {
    const b = this.store.bucket(t.bucket);
    const region = b.region === 'us-east-1' && !this.d.gcs ? '' : b.region;
    return xml(200, `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="${this.d.xmlns}">${escapeXml(region)}</LocationConstraint>`);
  }

  private listing(req: FakeRequest, t: Target, after: string) {
    const prefix = req.query.get('prefix') ?? '';
    const delimiter = req.query.get('delimiter') ?? '';
    const maxKeys = intQuery(req, 'max-keys', 1000, 0, 1000);
    const encodingType = req.query.get('encoding-type') ?? undefined;
    if (encodingType !== undefined && encodingType !== 'url') throw new ApiError(400, 'InvalidArgument', 'Invalid Encoding Method specified in Request', { ArgumentName: 'encoding-type' });
    const { entries, truncated } = this.store.list(t.bucket, { prefix, delimiter, maxKeys, after });
    return { bucket: t.bucket, prefix, delimiter, maxKeys, encodingType, entries, truncated, fetchOwner: req.query.get('fetch-owner') === 'true' };
  }

  private listV2(req: FakeRequest, t: Target): FakeResponse {
    const token = req.query.get('continuation-token') ?? undefined;
    const startAfter = req.query.get('start-after') ?? undefined;
    const after = token !== undefined ? decodeToken(token) : (startAfter ?? '');
    const info = this.listing(req, t, after);
    const last = info.entries[info.entries.length - 1];
    const next = info.truncated && last ? encodeToken(last.kind === 'object' ? last.object.key : last.prefix) : undefined;
    return xml(200, X.listV2Xml(this.d, info, { continuationToken: token, nextContinuationToken: next, startAfter }));
  }

  /**
   * ListObjects version 1. `NextMarker` only comes with a delimiter (as AWS documents: clients resume after the
   * last key otherwise). Answering a V2 request (`s3ListV1Only`), a continuation token or start-after is the marker.
   */
  private listV1(req: FakeRequest, t: Target): FakeResponse {
    const q = req.query;
    const marker = (q.get('list-type') === '2' ? (q.get('continuation-token') ?? q.get('marker') ?? q.get('start-after')) : q.get('marker')) ?? '';
    const info = this.listing(req, t, marker);
    const last = info.entries[info.entries.length - 1];
    const nextMarker = info.truncated && info.delimiter && last ? (last.kind === 'object' ? last.object.key : last.prefix) : undefined;
    return xml(200, X.listV1Xml(this.d, info, marker, nextMarker));
  }

  private meta(req: FakeRequest): ObjectMeta {
    const metadata: Record<string, string> = {};
    let size = 0;
    for (const [name, value] of Object.entries(req.headers)) {
      if (!name.startsWith(this.d.metaPrefix) || value === undefined) continue;
      const v = Array.isArray(value) ? value.join(',') : value;
      metadata[name.slice(this.d.metaPrefix.length)] = v;
      size += name.length - this.d.metaPrefix.length + v.length;
    }
    if (size > 2048) throw new ApiError(400, 'MetadataTooLarge', 'Your metadata headers exceed the maximum allowed metadata size.', { Size: String(size), MaxSizeAllowed: '2048' });
    const headers: Record<string, string> = {};
    for (const name of STORED_HEADERS) {
      const v = header(req, name);
      if (v !== undefined && !(name === 'content-encoding' && /^aws-chunked$/i.test(v))) headers[name] = v.replace(/(^|,)\s*aws-chunked\s*(,|$)/i, '$1').replace(/^,|,$/g, '');
    }
    return { contentType: header(req, 'content-type') || this.d.defaultContentType, headers, metadata };
  }

  private checks(): PayloadChecks {
    return { shaHeader: this.d.shaHeader, shaMismatchCode: this.d.shaMismatchCode, verify: this.options().verifyContentMd5 };
  }

  private putObject(req: FakeRequest, t: Target): FakeResponse {
    const { data, checksum } = objectPayload(req, this.checks());
    const o = this.store.putObject(t.bucket, t.key, data, this.meta(req), req.now, checksum);
    return { status: 200, headers: { etag: o.etag, ...this.gcsHeaders(o), ...checksumHeaders(checksum) } };
  }

  /**
   * The source object of a copy (`x-amz-copy-source` / `x-goog-copy-source`: `[/]bucket/key`, URL-encoded, a
   * `?versionId` ignored), checked against `*-copy-source-if-match` (412 `PreconditionFailed`) and
   * `*-copy-source-if-none-match` (412).
   */
  private copySource(req: FakeRequest): StoredObject {
    const source = header(req, 'x-amz-copy-source') ?? header(req, 'x-goog-copy-source')!;
    let decoded: string;
    try {
      decoded = decodeURIComponent(source.split('?')[0]!).replace(/^\//, '');
    } catch {
      throw new ApiError(400, 'InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey');
    }
    const slash = decoded.indexOf('/');
    if (slash <= 0 || slash === decoded.length - 1) throw new ApiError(400, 'InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey');
    const src = this.store.object(decoded.slice(0, slash), decoded.slice(slash + 1));
    const ifMatch = header(req, 'x-amz-copy-source-if-match') ?? header(req, 'x-goog-copy-source-if-match');
    if (ifMatch !== undefined && !etagListMatches(ifMatch, src.etag)) {
      throw new ApiError(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'x-amz-copy-source-If-Match' });
    }
    const ifNoneMatch = header(req, 'x-amz-copy-source-if-none-match') ?? header(req, 'x-goog-copy-source-if-none-match');
    if (ifNoneMatch !== undefined && etagListMatches(ifNoneMatch, src.etag)) {
      throw new ApiError(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'x-amz-copy-source-If-None-Match' });
    }
    return src;
  }

  /** CopyObject: the source's bytes (and checksum), with its metadata unless the directive is REPLACE. */
  private copyObject(req: FakeRequest, t: Target): FakeResponse {
    const src = this.copySource(req);
    const replace = (header(req, 'x-amz-metadata-directive') ?? header(req, 'x-goog-metadata-directive')) === 'REPLACE';
    const o = this.store.putObject(t.bucket, t.key, src.data, replace ? this.meta(req) : src, req.now, src.checksum);
    return xml(200, `<?xml version="1.0" encoding="UTF-8"?>\n<CopyObjectResult><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${escapeXml(o.etag)}</ETag></CopyObjectResult>`);
  }

  /**
   * UploadPartCopy: bytes `x-amz-copy-source-range: bytes=first-last` (inclusive; the whole source without it)
   * of the source become a part. A range outside the source is 400 `InvalidArgument`. The part's checksum is
   * computed when the upload was created with an algorithm, and returned in `<CopyPartResult>`.
   */
  private uploadPartCopy(req: FakeRequest, t: Target, uploadId: string): FakeResponse {
    if (this.d.gcs) throw notImplemented();
    const u = this.store.upload(t.bucket, t.key, uploadId);
    const src = this.copySource(req);
    const range = header(req, 'x-amz-copy-source-range');
    let data = src.data;
    if (range !== undefined) {
      const m = /^bytes=(\d+)-(\d+)$/.exec(range);
      const first = m ? Number(m[1]) : NaN;
      const last = m ? Number(m[2]) : NaN;
      if (!m || last < first || last >= src.data.length) {
        throw new ApiError(400, 'InvalidArgument', 'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy', {
          ArgumentName: 'x-amz-copy-source-range',
          ArgumentValue: range,
        });
      }
      data = src.data.subarray(first, last + 1);
    }
    const algorithm = u.checksum?.algorithm;
    const checksum = algorithm ? { algorithm, value: computeChecksum(algorithm, data), type: 'FULL_OBJECT' as const } : undefined;
    const part = this.store.uploadPart(t.bucket, t.key, uploadId, Number(req.query.get('partNumber')), data, req.now, checksum);
    const sum = checksum ? `<${checksumElement(checksum.algorithm)}>${checksum.value}</${checksumElement(checksum.algorithm)}>` : '';
    return xml(200, `<?xml version="1.0" encoding="UTF-8"?>\n<CopyPartResult><LastModified>${part.lastModified.toISOString()}</LastModified><ETag>${escapeXml(part.etag)}</ETag>${sum}</CopyPartResult>`);
  }

  private getObject(req: FakeRequest, t: Target): FakeResponse {
    const o = this.store.object(t.bucket, t.key);
    const headers: Record<string, string> = {
      'content-type': o.contentType,
      etag: o.etag,
      'last-modified': o.lastModified.toUTCString(),
      'accept-ranges': 'bytes',
      ...o.headers,
      ...this.gcsHeaders(o),
    };
    if (o.partsCount && !this.d.gcs) headers['x-amz-mp-parts-count'] = String(o.partsCount);
    for (const [k, v] of Object.entries(o.metadata)) headers[`${this.d.metaPrefix}${k}`] = v;
    const ifMatch = header(req, 'if-match');
    if (ifMatch !== undefined && !etagListMatches(ifMatch, o.etag)) throw new ApiError(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-Match' });
    const ifNoneMatch = header(req, 'if-none-match');
    if (ifNoneMatch !== undefined && etagListMatches(ifNoneMatch, o.etag)) return { status: 304, headers: { etag: o.etag, 'last-modified': headers['last-modified']! } };
    const range = parseRange(header(req, 'range'), o.data.length);
    // Whole-object checksums describe whole-object reads only.
    const checksumMode = header(req, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED';
    if (!range && checksumMode) Object.assign(headers, checksumHeaders(o.checksum));
    // Response header overrides of a signed GET (`response-content-type` and friends), as S3 and GCS take them.
    for (const name of RESPONSE_OVERRIDES) {
      const value = req.query.get(`response-${name}`);
      if (value !== null) headers[name] = value;
    }
    if (!range) return { status: 200, headers: { ...headers, 'content-length': String(o.data.length) }, body: req.method === 'HEAD' ? undefined : o.data };
    const slice = o.data.subarray(range.start, range.end + 1);
    return {
      status: 206,
      headers: { ...headers, 'content-length': String(slice.length), 'content-range': `bytes ${range.start}-${range.end}/${o.data.length}` },
      body: req.method === 'HEAD' ? undefined : slice,
    };
  }

  private deleteObject(req: FakeRequest, t: Target): FakeResponse {
    const ifMatch = this.d.gcs ? undefined : header(req, 'if-match');
    // Conditional delete (S3, 2024): the object must exist and match.
    if (ifMatch !== undefined && !etagListMatches(ifMatch, this.store.object(t.bucket, t.key).etag)) {
      throw new ApiError(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-Match' });
    }
    const existed = this.store.deleteObject(t.bucket, t.key);
    if (!existed && this.d.gcs) throw new ApiError(404, 'NoSuchKey', 'The specified key does not exist.', { Key: t.key });
    return { status: 204, headers: {} };
  }

  /**
   * DeleteObjects: S3 requires Content-MD5 (or an `x-amz-checksum-*` header) on it, verifying or not; GCS's XML
   * API does not. Every key is reported `Deleted` (a missing key too, as S3 does) unless the body is quiet.
   */
  private deleteObjects(req: FakeRequest, t: Target): FakeResponse {
    const checksummed = header(req, 'content-md5') !== undefined || CHECKSUM_ALGORITHMS.some((a) => header(req, checksumHeader(a)) !== undefined);
    if (!this.d.gcs && !checksummed) throw new ApiError(400, 'InvalidRequest', 'Missing required header for this request: Content-Md5.');
    if (this.options().verifyContentMd5) checkContentMd5(req, req.body);
    this.store.bucket(t.bucket);
    const { keys, quiet } = X.parseDeleteBody(req.body);
    for (const key of keys) this.store.deleteObject(t.bucket, key);
    return xml(200, X.deleteResultXml(this.d, keys, quiet));
  }

  private initiate(req: FakeRequest, t: Target): FakeResponse {
    const checksum = uploadChecksum(req);
    const u = this.store.initiate(t.bucket, t.key, this.meta(req), req.now, checksum);
    const response = xml(200, X.initiateXml(this.d, t.bucket, u));
    if (checksum) Object.assign(response.headers, { 'x-amz-checksum-algorithm': checksum.algorithm, 'x-amz-checksum-type': checksum.type });
    return response;
  }

  private uploadPart(req: FakeRequest, t: Target, uploadId: string): FakeResponse {
    const n = Number(req.query.get('partNumber'));
    const u = this.store.upload(t.bucket, t.key, uploadId);
    const payload = objectPayload(req, this.checks());
    const algorithm = u.checksum?.algorithm;
    if (algorithm && payload.checksum && payload.checksum.algorithm !== algorithm) {
      throw new ApiError(400, 'InvalidRequest', `Checksum Type mismatch occurred, expected checksum Type: ${algorithm.toLowerCase()}, actual checksum Type: ${payload.checksum.algorithm.toLowerCase()}`);
    }
    // S3 computes the part checksum of an upload created with an algorithm when the client sent none.
    const checksum = payload.checksum ?? (algorithm ? { algorithm, value: computeChecksum(algorithm, payload.data), type: 'FULL_OBJECT' as const } : undefined);
    const part = this.store.uploadPart(t.bucket, t.key, uploadId, n, payload.data, req.now, checksum);
    return { status: 200, headers: { etag: part.etag, ...(checksum ? { [checksumHeader(checksum.algorithm)]: checksum.value } : {}) } };
  }

  private complete(req: FakeRequest, t: Target, uploadId: string): FakeResponse {
    const u = this.store.upload(t.bucket, t.key, uploadId);
    const parts = X.parseCompleteBody(req.body);
    const o = this.store.complete(t.bucket, t.key, uploadId, parts, req.now, this.fullObjectChecksum(req, u));
    return xml(200, X.completeXml(this.d, `http://${req.host}${t.resource}`, t.bucket, o));
  }

  /**
   * The full-object checksum of a completed upload (created with `x-amz-checksum-type: FULL_OBJECT`, or completed
   * with it): the client's value, checked against the assembled bytes when verifying, else the computed one.
   * COMPOSITE checksums (checksums of part checksums) are not emulated: none is stored.
   */
  private fullObjectChecksum(req: FakeRequest, u: Upload): (data: Buffer) => ObjectChecksum | undefined {
    const type = header(req, 'x-amz-checksum-type')?.toUpperCase();
    if (u.checksum && type !== undefined && type !== u.checksum.type) {
      throw new ApiError(400, 'InvalidRequest', `The upload was created using the ${u.checksum.type} checksum mode. The complete request must use the same checksum mode.`);
    }
    const fullObject = (u.checksum?.type ?? type) === 'FULL_OBJECT';
    const algorithm = u.checksum?.algorithm ?? CHECKSUM_ALGORITHMS.find((a) => header(req, checksumHeader(a)) !== undefined);
    if (!fullObject || !algorithm) return () => undefined;
    if (algorithm === 'SHA256') throw new ApiError(400, 'InvalidRequest', 'The FULL_OBJECT checksum type cannot be used with the sha256 checksum algorithm.');
    const value = header(req, checksumHeader(algorithm));
    const verify = this.options().verifyContentMd5;
    return (data) => {
      const computed = computeChecksum(algorithm, data);
      if (verify && value !== undefined && value !== computed) throw new ApiError(400, 'BadDigest', `The ${algorithm} you specified did not match the calculated checksum.`);
      return { algorithm, value: value ?? computed, type: 'FULL_OBJECT' };
    };
  }

  private listParts(req: FakeRequest, t: Target, uploadId: string): FakeResponse {
    const u = this.store.upload(t.bucket, t.key, uploadId);
    const marker = intQuery(req, 'part-number-marker', 0, 0, 10_000);
    const max = intQuery(req, 'max-parts', 1000, 1, 1000);
    const parts = [...u.parts.values()].filter((p) => p.number > marker).sort((a, b) => a.number - b.number);
    return xml(200, X.listPartsXml(this.d, t.bucket, u, parts.slice(0, max), marker, max, parts.length > max));
  }

  private listUploads(req: FakeRequest, t: Target): FakeResponse {
    const b = this.store.bucket(t.bucket);
    const prefix = req.query.get('prefix') ?? '';
    const keyMarker = req.query.get('key-marker') ?? '';
    const uploadIdMarker = req.query.get('upload-id-marker') ?? '';
    const maxUploads = intQuery(req, 'max-uploads', 1000, 1, 1000);
    const all = [...b.uploads.values()]
      .filter((u) => u.key.startsWith(prefix))
      .sort((a, c) => compareKeys(a.key, c.key) || (a.initiated.getTime() - c.initiated.getTime()) || compareKeys(a.id, c.id));
    let start = 0;
    if (keyMarker) {
      const at = uploadIdMarker ? all.findIndex((u) => u.key === keyMarker && u.id === uploadIdMarker) : -1;
      start = at >= 0 ? at + 1 : all.findIndex((u) => compareKeys(u.key, keyMarker) > 0);
      if (start < 0) start = all.length;
    }
    const page = all.slice(start, start + maxUploads);
    return xml(200, X.listUploadsXml(this.d, t.bucket, page, { keyMarker, uploadIdMarker, prefix, maxUploads, truncated: start + maxUploads < all.length }));
  }

  private gcsHeaders(o: StoredObject): Record<string, string> {
    if (!this.d.gcs) return {};
    return {
      'x-goog-hash': `crc32c=${checksumBase64(crc32c(o.data))},md5=${o.md5.toString('base64')}`,
      'x-goog-generation': String(o.generation),
      'x-goog-metageneration': '1',
      'x-goog-stored-content-length': String(o.data.length),
      'x-goog-stored-content-encoding': o.headers['content-encoding'] ?? 'identity',
      'x-goog-storage-class': 'STANDARD',
    };
  }
}

/** The bucket and key a request addresses: virtual-hosted (`bucket.<host>`) or path-style. */
function target(req: FakeRequest): Target {
  const hostname = req.host.replace(/:\d+$/, '').toLowerCase();
  const suffix = VIRTUAL_HOST_SUFFIXES.find((s) => hostname.endsWith(s) && hostname.length > s.length);
  const decode = (s: string): string => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new ApiError(400, 'InvalidURI', "Couldn't parse the specified URI.");
    }
  };
  if (suffix) {
    const bucket = hostname.slice(0, -suffix.length);
    const key = decode(req.rawPath.slice(1));
    return { bucket, key, resource: `/${bucket}/${key}` };
  }
  const path = req.rawPath.slice(1);
  const slash = path.indexOf('/');
  const bucket = decode(slash < 0 ? path : path.slice(0, slash));
  const key = slash < 0 ? '' : decode(path.slice(slash + 1));
  return { bucket, key, resource: key ? `/${bucket}/${key}` : `/${bucket}` };
}

/** The checksum algorithm and type a CreateMultipartUpload asks for (S3 defaults the type to COMPOSITE). */
function uploadChecksum(req: FakeRequest): UploadChecksum | undefined {
  const name = header(req, 'x-amz-checksum-algorithm');
  const type = header(req, 'x-amz-checksum-type')?.toUpperCase();
  if (name === undefined) {
    if (type !== undefined) throw new ApiError(400, 'InvalidRequest', 'The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.');
    return undefined;
  }
  const algorithm = parseChecksumAlgorithm(name);
  if (!algorithm) {
    if (/^(CRC64NVME|SHA1)$/i.test(name)) throw notImplemented();
    throw new ApiError(400, 'InvalidRequest', 'Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]');
  }
  if (type !== undefined && type !== 'FULL_OBJECT' && type !== 'COMPOSITE') throw new ApiError(400, 'InvalidRequest', `Value for x-amz-checksum-type header is invalid.`);
  if (type === 'FULL_OBJECT' && algorithm === 'SHA256') throw new ApiError(400, 'InvalidRequest', 'The FULL_OBJECT checksum type cannot be used with the sha256 checksum algorithm.');
  return { algorithm, type: type ?? 'COMPOSITE' };
}

/** `x-amz-checksum-<algorithm>` and `x-amz-checksum-type` of a stored checksum. */
function checksumHeaders(checksum: ObjectChecksum | undefined): Record<string, string> {
  return checksum ? { [checksumHeader(checksum.algorithm)]: checksum.value, 'x-amz-checksum-type': checksum.type } : {};
}

function xml(status: number, body: string): FakeResponse {
  return { status, headers: { 'content-type': 'application/xml' }, body };
}

function hasAny(q: URLSearchParams, names: string[]): boolean {
  return names.some((n) => q.has(n));
}

function methodNotAllowed(method: string): ApiError {
  return new ApiError(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', { Method: method });
}

function notImplemented(): ApiError {
  return new ApiError(501, 'NotImplemented', 'A header or query you provided implies functionality that is not implemented.');
}

function etagListMatches(list: string, etag: string): boolean {
  return list.split(',').some((e) => e.trim() === '*' || e.trim().replace(/^W\//, '') === etag);
}

function intQuery(req: FakeRequest, name: string, fallback: number, min: number, max: number): number {
  const raw = req.query.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new ApiError(400, 'InvalidArgument', `Provided ${name} not an integer or within integer range`, { ArgumentName: name, ArgumentValue: raw });
  return Math.min(n, max);
}

function encodeToken(after: string): string {
  return Buffer.from(`ct1:${after}`, 'utf8').toString('base64');
}

function decodeToken(token: string): string {
  const text = Buffer.from(token, 'base64').toString('utf8');
  if (!text.startsWith('ct1:')) throw new ApiError(400, 'InvalidArgument', 'The continuation token provided is incorrect', { ArgumentName: 'continuation-token' });
  return text.slice(4);
}
