/**
 * CRC32 combination (zlib's `crc32_combine`): the CRC32 of `A ‖ B` from CRC32(A), CRC32(B) and B's length.
 * Parts of a multipart upload are hashed in whatever order the lanes finish; the full-object checksum is then
 * combined in part order without reading anything twice.
 * @module
 */

function gf2MatrixTimes(matrix: Uint32Array, vector: number): number {
  let sum = 0;
  for (let i = 0, v = vector >>> 0; v !== 0; i++, v >>>= 1) if (v & 1) sum ^= matrix[i]!;
  return sum >>> 0;
}

function gf2MatrixSquare(square: Uint32Array, matrix: Uint32Array): void {
  for (let n = 0; n < 32; n++) square[n] = gf2MatrixTimes(matrix, matrix[n]!);
}

/** CRC32 of the concatenation of two byte strings, given their CRC32s and the second one's length. */
export function crc32Combine(crc1: number, crc2: number, length2: number): number {
  if (length2 <= 0) return crc1 >>> 0;
  const even = new Uint32Array(32);
  const odd = new Uint32Array(32);
  odd[0] = 0xedb88320; // the CRC-32 polynomial, reflected
  for (let n = 1, row = 1; n < 32; n++, row <<= 1) odd[n] = row;
  gf2MatrixSquare(even, odd); // two zero bits
  gf2MatrixSquare(odd, even); // four zero bits
  let crc = crc1 >>> 0;
  let length = length2;
  // Apply length2 zero bytes to crc1, one bit of the length at a time.
  do {
    gf2MatrixSquare(even, odd);
    if (length % 2 === 1) crc = gf2MatrixTimes(even, crc);
    length = Math.floor(length / 2);
    if (length === 0) break;
    gf2MatrixSquare(odd, even);
    if (length % 2 === 1) crc = gf2MatrixTimes(odd, crc);
    length = Math.floor(length / 2);
  } while (length !== 0);
  return (crc ^ crc2) >>> 0;
}

/** The CRC32 as S3 sends it: base64 of the four big-endian bytes. */
export function crc32Base64(crc: number): string {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(crc >>> 0);
  return bytes.toString('base64');
}

/** Parses S3's base64 CRC32 header value; undefined when it is not one. */
export function parseCrc32Base64(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const bytes = Buffer.from(value, 'base64');
  return bytes.byteLength === 4 ? bytes.readUInt32BE(0) : undefined;
}
