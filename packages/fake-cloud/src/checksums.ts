/**
 * Checksums object stores use besides MD5: CRC32C (GCS's `x-goog-hash`, S3's `x-amz-checksum-crc32c`),
 * CRC32 (S3's `x-amz-checksum-crc32`) and S3's SHA-256 (`x-amz-checksum-sha256`).
 * @module
 */
import { createHash } from 'node:crypto';
import * as zlib from 'node:zlib';

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC32C (Castagnoli) of bytes, as an unsigned 32-bit number. */
export function crc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i += 1) crc = CRC32C_TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const CRC32_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC32 (IEEE) of bytes (zlib's when Node has it). */
export function crc32(data: Uint8Array): number {
  const native = (zlib as { crc32?: (d: Uint8Array) => number }).crc32;
  if (native) return native(data) >>> 0;
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i += 1) crc = CRC32_TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** A 32-bit checksum as the big-endian base64 the wire formats use. */
export function checksumBase64(value: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b.toString('base64');
}

/** An S3 additional-checksum algorithm. */
export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'SHA256';

/** The algorithms S3 requests may carry, in the order they are looked for. */
export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'SHA256'];

/** A checksum stored with an object: whole-object (`FULL_OBJECT`) values only. */
export interface ObjectChecksum {
  readonly algorithm: ChecksumAlgorithm;
  /** Base64, as on the wire. */
  readonly value: string;
  readonly type: 'FULL_OBJECT';
}

/** The header (or trailer) carrying an algorithm's value: `x-amz-checksum-crc32`... */
export function checksumHeader(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

/** The XML element carrying an algorithm's value: `ChecksumCRC32`... */
export function checksumElement(algorithm: ChecksumAlgorithm): string {
  return `Checksum${algorithm}`;
}

/** An algorithm's value of bytes, base64 as on the wire. */
export function computeChecksum(algorithm: ChecksumAlgorithm, data: Uint8Array): string {
  if (algorithm === 'CRC32') return checksumBase64(crc32(data));
  if (algorithm === 'CRC32C') return checksumBase64(crc32c(data));
  return createHash('sha256').update(data).digest('base64');
}

/** Parses an algorithm name (`x-amz-checksum-algorithm`, case-insensitive); undefined when unknown. */
export function parseChecksumAlgorithm(name: string | undefined): ChecksumAlgorithm | undefined {
  const upper = name?.toUpperCase();
  return CHECKSUM_ALGORITHMS.find((a) => a === upper);
}
