/**
 * A small stateful S3 (and GCS XML) endpoint as msw handlers, for request-shape, error-mapping and
 * multipart-failure tests in async mode (msw intercepts Node's http module: drivers use `adapter: 'http'`).
 */
import { createHash } from 'node:crypto';
import { http, HttpResponse } from 'msw';

/** A request as the fake saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** Fault hooks: return a Response to answer instead of the normal behaviour. */
export type Fault = (req: SeenRequest) => Response | undefined;

/** State of the fake. */
export interface FakeS3 {
  readonly seen: SeenRequest[];
  readonly objects: Map<string, Buffer>;
  readonly uploads: Map<string, Map<number, Buffer>>;
  faults: Fault[];
  readonly handlers: ReturnType<typeof http.all>[];
}

const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');

/** An S3 `<Error>` response. */
export function s3Error(status: number, code: string, message = code): Response {
  return new HttpResponse(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>req-1</RequestId></Error>`, {
    status,
    headers: { 'content-type': 'application/xml' },
  });
}

/** Builds the fake for requests to `origin` (path-style: /bucket/key). */
export function fakeS3(origin: string): FakeS3 {
  const state: FakeS3 = { seen: [], objects: new Map(), uploads: new Map(), faults: [], handlers: [] };
  let nextUpload = 1;
  state.handlers.push(
    http.all(`${origin}/*`, async ({ request }) => {
      const url = new URL(request.url);
      const headers: Record<string, string> = {};
      request.headers.forEach((v, k) => (headers[k] = v));
      const seen: SeenRequest = { method: request.method, url, headers, body: Buffer.from(await request.arrayBuffer()) };
      state.seen.push(seen);
      for (const fault of state.faults) {
        const res = fault(seen);
        if (res) return res;
      }
      const [, bucket = '', ...rest] = url.pathname.split('/');
      const key = decodeURIComponent(rest.join('/'));
      const q = url.searchParams;
      const id = `${bucket}/${key}`;
      if (request.method === 'POST' && q.has('uploads')) {
        const uploadId = `up-${nextUpload++}`;
        state.uploads.set(uploadId, new Map());
        return xml(`<InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${key}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`);
      }
      if (request.method === 'PUT' && q.has('partNumber')) {
        const parts = state.uploads.get(q.get('uploadId')!);
        if (!parts) return s3Error(404, 'NoSuchUpload');
        parts.set(Number(q.get('partNumber')), seen.body);
        return new HttpResponse(null, { status: 200, headers: { etag: `"${md5(seen.body)}"` } });
      }
      if (request.method === 'POST' && q.has('uploadId')) {
        const parts = state.uploads.get(q.get('uploadId')!);
        if (!parts) return s3Error(404, 'NoSuchUpload');
        const numbers = [...seen.body.toString().matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) => Number(m[1]));
        const data = Buffer.concat(numbers.map((n) => parts.get(n)!));
        state.objects.set(id, data);
        state.uploads.delete(q.get('uploadId')!);
        return xml(`<CompleteMultipartUploadResult><Key>${key}</Key><ETag>"${md5(data)}-${numbers.length}"</ETag></CompleteMultipartUploadResult>`);
      }
      if (request.method === 'DELETE' && q.has('uploadId')) {
        state.uploads.delete(q.get('uploadId')!);
        return new HttpResponse(null, { status: 204 });
      }
      if (request.method === 'PUT' && key) {
        state.objects.set(id, seen.body);
        return new HttpResponse(null, { status: 200, headers: { etag: `"${md5(seen.body)}"` } });
      }
      if (request.method === 'PUT') return new HttpResponse(null, { status: 200 });
      if ((request.method === 'GET' || request.method === 'HEAD') && key) {
        const data = state.objects.get(id);
        if (!data) return request.method === 'HEAD' ? new HttpResponse(null, { status: 404 }) : s3Error(404, 'NoSuchKey');
        const range = /bytes=(\d+)-(\d+)/.exec(headers.range ?? '');
        const body = range ? data.subarray(Number(range[1]), Number(range[2]) + 1) : data;
        const h = { etag: `"${md5(data)}"`, 'content-length': String(body.length) };
        return new HttpResponse(request.method === 'HEAD' ? null : body, { status: range ? 206 : 200, headers: h });
      }
      return s3Error(400, 'NotImplementedInFake');
    }),
  );
  return state;
}

function xml(body: string): Response {
  return new HttpResponse(`<?xml version="1.0" encoding="UTF-8"?>${body}`, { status: 200, headers: { 'content-type': 'application/xml' } });
}
