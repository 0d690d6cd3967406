/**
 * Plain-HTTP clients for the fake cloud's tests: requests signed with core's signV4 (AWS4 and GOOG4),
 * bearer-token JSON requests, and EC2 form posts.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { parseXml, signV4, type XmlDocument } from '@dualcloud/core';
import { FAKE_CREDENTIALS } from '@dualcloud/fake-cloud';

/** A response as the tests see it. */
export interface TestResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly text: string;
  xml(): XmlDocument;
  json(): any;
}

/** What to send. */
export interface TestRequest {
  readonly method: string;
  /** Path and query, already encoded. */
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  readonly timeoutMs?: number;
}

/** Sends one request on a fresh connection. */
export function send(port: number, req: TestRequest): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const r = httpRequest({ host: '127.0.0.1', port, method: req.method, path: req.path, headers: req.headers, agent: false, timeout: req.timeoutMs ?? 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('response aborted')));
      res.on('end', () => {
        if (!res.complete) return reject(new Error('response incomplete'));
        const body = Buffer.concat(chunks);
        const text = body.toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text, xml: () => parseXml(text), json: () => JSON.parse(text) });
      });
    });
    r.on('timeout', () => r.destroy(new Error('client timeout')));
    r.on('error', reject);
    r.end(req.body);
  });
}

/** Credentials for signing. */
export interface SignCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Signs a request with AWS4 (service s3 or ec2) or GOOG4 (service storage) and sends it. */
export function sendSigned(
  port: number,
  req: TestRequest & { service: 's3' | 'ec2' | 'ecs' | 'storage'; region?: string; credentials?: SignCredentials; unsignedPayload?: boolean; host?: string; date?: Date },
): Promise<TestResponse> {
  const goog = req.service === 'storage';
  const credentials = req.credentials ?? (goog ? FAKE_CREDENTIALS.gcs : FAKE_CREDENTIALS.aws);
  const host = req.host ?? `127.0.0.1:${port}`;
  const signed = signV4(
    { method: req.method, url: `http://${host}${req.path}`, headers: { ...req.headers, host }, body: req.body },
    credentials,
    { region: req.region ?? (goog ? 'auto' : 'us-east-1'), service: req.service, unsignedPayload: req.unsignedPayload, scheme: goog ? 'GOOG4' : 'AWS4', date: req.date },
  );
  return send(port, { ...req, headers: signed.headers });
}

/** S3 request helper. */
export function s3(port: number, method: string, path: string, extra: Partial<Parameters<typeof sendSigned>[1]> = {}): Promise<TestResponse> {
  return sendSigned(port, { method, path, service: 's3', ...extra });
}

/** GCS (XML API, HMAC) request helper. */
export function gcs(port: number, method: string, path: string, extra: Partial<Parameters<typeof sendSigned>[1]> = {}): Promise<TestResponse> {
  return sendSigned(port, { method, path, service: 'storage', ...extra });
}

/** An EC2 Query API call (POST form), signed for `region`. */
export function ec2(port: number, action: string, params: Record<string, string | number> = {}, region = 'us-east-1', credentials?: SignCredentials): Promise<TestResponse> {
  const form = new URLSearchParams({ Action: action, Version: '2016-11-15' });
  for (const [k, v] of Object.entries(params)) form.set(k, String(v));
  return sendSigned(port, {
    method: 'POST',
    path: '/',
    service: 'ec2',
    region,
    credentials,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: form.toString(),
  });
}

/** An ECS JSON 1.1 call (POST / with X-Amz-Target), signed for `region` with service `ecs`. */
export function ecs(port: number, action: string, body: unknown = {}, region = 'us-east-1', credentials?: SignCredentials): Promise<TestResponse> {
  return sendSigned(port, {
    method: 'POST',
    path: '/',
    service: 'ecs',
    region,
    credentials,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AmazonEC2ContainerServiceV20141113.${action}` },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** A DigitalOcean API call. */
export function digitalocean(port: number, method: string, path: string, body?: unknown, token: string = FAKE_CREDENTIALS.digitalocean.token): Promise<TestResponse> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return send(port, { method, path, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
}

/** Waits `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** What a client saw of a possibly broken exchange. */
export interface RawOutcome {
  status?: number;
  declaredLength?: number;
  received: number;
  error?: string;
}

/** Sends signed-or-not headers and records how far the response got (for fault tests). */
export function rawExchange(port: number, req: TestRequest, timeoutMs: number): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const outcome: RawOutcome = { received: 0 };
    const r = httpRequest({ host: '127.0.0.1', port, method: req.method, path: req.path, headers: req.headers, agent: false, timeout: timeoutMs }, (res) => {
      outcome.status = res.statusCode;
      outcome.declaredLength = Number(res.headers['content-length']);
      res.on('data', (c: Buffer) => (outcome.received += c.length));
      res.on('end', () => resolve(outcome));
      res.on('error', (e) => resolve({ ...outcome, error: e.message }));
      res.on('aborted', () => resolve({ ...outcome, error: 'aborted' }));
      res.on('close', () => resolve({ ...outcome, error: outcome.error ?? (res.complete ? undefined : 'incomplete') }));
    });
    r.on('timeout', () => r.destroy(new Error('client timeout')));
    r.on('error', (e) => resolve({ ...outcome, error: e.message }));
    r.end(req.body);
  });
}
