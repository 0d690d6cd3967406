/**
 * Request body checks for object stores: `aws-chunked` decoding, Content-MD5, payload SHA-256 and CRC checksums;
 * and Range parsing.
 * @module
 */
import { createHash } from 'node:crypto';
import { sha256Hex } from '@dualcloud/core';
import { CHECKSUM_ALGORITHMS, checksumHeader, computeChecksum, type ObjectChecksum } from './checksums.js';
import { ApiError, header, type FakeRequest } from './wire.js';

/**
 * Decodes an `aws-chunked` body (`<hex size>[;chunk-signature=...]\r\n<data>\r\n ... 0\r\n<trailers>\r\n`),
 * returning the data and the trailing headers. Chunk signatures are not checked.
 */
export function decodeAwsChunked(body: Buffer): { data: Buffer; trailers: Record<string, string> } {
  const chunks: Buffer[] = [];
  const trailers: Record<string, string> = {};
  let pos = 0;
  const bad = (): never => {
    throw new ApiError(400, 'IncompleteBody', 'The aws-chunked request body is malformed.');
  };
  for (;;) {
    const eol = body.indexOf('\r\n', pos);
    if (eol < 0) bad();
    const sizeText = body.subarray(pos, eol).toString('latin1').split(';')[0]!.trim();
    if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) bad();
    const size = parseInt(sizeText, 16);
    pos = eol + 2;
    if (size === 0) break;
    if (pos + size + 2 > body.length || body[pos + size] !== 13 || body[pos + size + 1] !== 10) bad();
    chunks.push(body.subarray(pos, pos + size));
    pos += size + 2;
  }
  for (const line of body.subarray(pos).toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { data: Buffer.concat(chunks), trailers };
}

/** How a store checks a payload. */
export interface PayloadChecks {
  /** `x-amz-content-sha256` or `x-goog-content-sha256`, checked against the bytes as sent. */
  readonly shaHeader: string;
  /** The error code of a payload hash mismatch. */
  readonly shaMismatchCode: string;
  /** Whether Content-MD5 and `x-amz-checksum-*` are checked (`verifyContentMd5`). */
  readonly verify: boolean;
}

/** The object bytes of a PUT / UploadPart and the checksum the client gave, after the checks the request asks for. */
export function objectPayload(req: FakeRequest, checks: PayloadChecks): { data: Buffer; checksum?: ObjectChecksum } {
  const declared = header(req, checks.shaHeader);
  // The payload hash is part of the signature: it covers the bytes as sent, not a later corruption.
  if (declared && /^[0-9a-f]{64}$/i.test(declared) && sha256Hex(req.receivedBody ?? req.body) !== declared.toLowerCase()) {
    throw new ApiError(400, checks.shaMismatchCode, 'The provided x-amz-content-sha256 header does not match what was computed.');
  }
  let data = req.body;
  let trailers: Record<string, string> = {};
  const encoding = header(req, 'content-encoding') ?? '';
  if (declared?.startsWith('STREAMING-') || /(^|,)\s*aws-chunked\s*(,|$)/i.test(encoding)) {
    ({ data, trailers } = decodeAwsChunked(req.body));
    const decodedLength = header(req, 'x-amz-decoded-content-length');
    if (decodedLength !== undefined && Number(decodedLength) !== data.length) {
      throw new ApiError(400, 'IncompleteBody', 'You did not provide the number of bytes specified by the x-amz-decoded-content-length header.');
    }
  }
  if (checks.verify) checkContentMd5(req, data);
  let checksum: ObjectChecksum | undefined;
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const name = checksumHeader(algorithm);
    const want = header(req, name) ?? trailers[name];
    if (want === undefined) continue;
    if (checks.verify && want !== computeChecksum(algorithm, data)) throw new ApiError(400, 'BadDigest', `The ${algorithm} you specified did not match the calculated checksum.`);
    checksum ??= { algorithm, value: want, type: 'FULL_OBJECT' };
  }
  return { data, checksum };
}

/** Checks `Content-MD5` (400 `InvalidDigest` when malformed, 400 `BadDigest` when different). */
export function checkContentMd5(req: FakeRequest, data: Buffer): void {
  const md5 = header(req, 'content-md5');
  if (md5 === undefined) return;
  const decoded = /^[A-Za-z0-9+/]{22}==$/.test(md5) ? Buffer.from(md5, 'base64') : undefined;
  if (!decoded || decoded.length !== 16) throw new ApiError(400, 'InvalidDigest', 'The Content-MD5 you specified was invalid.', { 'Content-MD5': md5 });
  if (!createHash('md5').update(data).digest().equals(decoded)) {
    throw new ApiError(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.', { ExpectedDigest: decoded.toString('hex'), CalculatedDigest: createHash('md5').update(data).digest('base64') });
  }
}

/** A satisfiable byte range (inclusive end). */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Parses a `Range` header against an object size: a range, `undefined` (absent, malformed or multi-range:
 * the whole object is sent, as S3 does) or throws 416 `InvalidRange`.
 */
export function parseRange(value: string | undefined, size: number): ByteRange | undefined {
  if (value === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  const unsatisfiable = (): never => {
    throw new ApiError(416, 'InvalidRange', 'The requested range is not satisfiable', { RangeRequested: value, ActualObjectSize: String(size) }, { 'content-range': `bytes */${size}` });
  };
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) unsatisfiable();
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) unsatisfiable();
  return { start, end };
}
