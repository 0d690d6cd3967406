/**
 * The `corrupt-request` / `corrupt-response` faults: which bytes are payload, and flipping one of them.
 * @module
 */
import type { IncomingHttpHeaders } from 'node:http';

/** A half-open byte span `[start, end)`. */
export type Span = readonly [start: number, end: number];

/**
 * The spans of a request body that carry payload: the chunk data of an `aws-chunked` body (so the corruption
 * lands in the object, not in the framing, which a real store would reject as malformed), else the whole body.
 */
export function payloadSpans(body: Buffer, headers: IncomingHttpHeaders): Span[] {
  const encoding = String(headers['content-encoding'] ?? '');
  const sha = String(headers['x-amz-content-sha256'] ?? '');
  if (!/(^|,)\s*aws-chunked\s*(,|$)/i.test(encoding) && !sha.startsWith('STREAMING-')) return body.length ? [[0, body.length]] : [];
  const spans: Span[] = [];
  let pos = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', pos);
    const size = eol < 0 ? NaN : parseInt(body.subarray(pos, eol).toString('latin1').split(';')[0]!.trim(), 16);
    if (!Number.isFinite(size) || eol + 2 + size > body.length) return body.length ? [[0, body.length]] : []; // not well-formed: any byte
    if (size === 0) return spans;
    spans.push([eol + 2, eol + 2 + size]);
    pos = eol + 2 + size + 2;
  }
}

/**
 * A copy of `body` with bit 0 of one byte flipped, at the `fraction` (0..1) of the bytes in `spans`; or
 * undefined when the spans are empty. The input is never changed (it may be a view of a stored object).
 */
export function flipByte(body: Buffer, spans: readonly Span[], fraction: number): { body: Buffer; offset: number } | undefined {
  const total = spans.reduce((n, [s, e]) => n + (e - s), 0);
  if (total === 0) return undefined;
  let k = Math.min(total - 1, Math.floor(fraction * total));
  for (const [s, e] of spans) {
    if (k < e - s) {
      const copy = Buffer.from(body);
      copy[s + k]! ^= 0x01;
      return { body: copy, offset: s + k };
    }
    k -= e - s;
  }
  return undefined;
}
