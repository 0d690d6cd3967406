/**
 * Azure Blob Batch (`POST /{container}?restype=container&comp=batch`): pure builders and parsers of its
 * multipart/mixed bodies. Each subrequest is an HTTP request of its own, signed on its own (SharedKey) and sent
 * without `x-ms-version`, which the batch request carries for all of them.
 * @see https://learn.microsoft.com/rest/api/storageservices/blob-batch
 * @module
 */
import type { Headers } from '@dualcloud/core';

/** The most subrequests one batch may hold. */
export const MAX_BATCH_SUBREQUESTS = 256;

const CRLF = '\r\n';

/** One subrequest: method, path (below the host, as signed) and headers (signed: date and Authorization). */
export interface BatchSubrequest {
  readonly method: 'DELETE';
  readonly path: string;
  readonly headers: Headers;
}

/** The multipart/mixed body of a batch; subrequest `i` gets `Content-ID: i`. */
export function batchBody(boundary: string, subrequests: readonly BatchSubrequest[]): string {
  const parts = subrequests.map((sub, i) => {
    const headers = Object.entries(sub.headers)
      .map(([name, value]) => `${name}: ${value}${CRLF}`)
      .join('');
    return `--${boundary}${CRLF}Content-Type: application/http${CRLF}Content-Transfer-Encoding: binary${CRLF}Content-ID: ${i}${CRLF}${CRLF}${sub.method} ${sub.path} HTTP/1.1${CRLF}${headers}${CRLF}`;
  });
  return `${parts.join('')}--${boundary}--${CRLF}`;
}

/** The outcome of one subrequest. */
export interface BatchSubresponse {
  readonly status: number;
  /** `x-ms-error-code`, on failures. */
  readonly code?: string;
  readonly message?: string;
}

/** What a batch reply says: the subresponses by Content-ID, and a batch-level failure (a part without Content-ID). */
export interface BatchReply {
  readonly byId: ReadonlyMap<number, BatchSubresponse>;
  readonly batchFailure?: BatchSubresponse;
}

/** The boundary of a `multipart/mixed; boundary=...` content type, if any. */
export function boundaryOf(contentType: string | undefined): string | undefined {
  const match = /boundary=("?)([^";]+)\1/i.exec(contentType ?? '');
  return match?.[2];
}

/** Parses a batch reply body. Parts it cannot read are left out (the caller checks every id is there). */
export function parseBatchReply(body: string, boundary: string): BatchReply {
  const byId = new Map<number, BatchSubresponse>();
  let batchFailure: BatchSubresponse | undefined;
  for (const raw of body.split(`--${boundary}`).slice(1)) {
    if (raw.startsWith('--')) break; // the closing delimiter
    const lines = raw.replace(/^\r?\n/, '').split(/\r?\n/);
    let i = 0;
    let id: number | undefined;
    for (; i < lines.length && lines[i] !== ''; i++) {
      const m = /^content-id:\s*(\d+)\s*$/i.exec(lines[i]!);
      if (m) id = Number(m[1]);
    }
    i++;
    const status = /^HTTP\/\d(?:\.\d)?\s+(\d{3})(?:\s+(.*))?$/.exec(lines[i] ?? '');
    if (!status) continue;
    let code: string | undefined;
    for (i++; i < lines.length && lines[i] !== ''; i++) {
      const m = /^x-ms-error-code:\s*(.+?)\s*$/i.exec(lines[i]!);
      if (m) code = m[1];
    }
    const text = lines.slice(i + 1).join('\n');
    const message = /<Message>([\s\S]*?)<\/Message>/.exec(text)?.[1]?.split('\n')[0];
    const sub: BatchSubresponse = { status: Number(status[1]), ...(code ? { code } : {}), ...(message ? { message } : status[2] ? { message: status[2] } : {}) };
    if (id === undefined) batchFailure ??= sub;
    else byId.set(id, sub);
  }
  return { byId, ...(batchFailure ? { batchFailure } : {}) };
}
