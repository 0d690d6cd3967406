/**
 * Checking request authentication: AWS SigV4 / GCS GOOG4 (recomputed with core's `signV4` and compared)
 * and bearer tokens.
 * @module
 */
import { timingSafeEqual } from 'node:crypto';
import { sha256Hex, signV4 } from '@dualcloud/core';
import type { KeyTable } from './options.js';
import { header, type FakeRequest } from './wire.js';

/** Why authentication failed; each provider maps it to its own error code. */
export type AuthFailureKind = 'missing' | 'malformed' | 'unknown-key' | 'bad-signature' | 'skew' | 'expired';

/** Authentication failed. */
export class AuthFailure extends Error {
  constructor(
    readonly kind: AuthFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'AuthFailure';
  }
}

/** The parsed SigV4 (or GOOG4) authentication of a request. */
export interface SigV4Auth {
  readonly scheme: 'AWS4' | 'GOOG4';
  readonly accessKeyId: string;
  readonly day: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  /** Authentication in the query string (presigned URL) rather than the Authorization header. */
  readonly presigned: boolean;
}

const HEADER_AUTH = /^(AWS4|GOOG4)-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-f]+)\s*$/i;

/** The scheme and credential scope of a request, cheaply, for routing (no validation). */
export function sniffScheme(req: { headers: FakeRequest['headers']; query: URLSearchParams }): { scheme: 'AWS4' | 'GOOG4'; service: string } | undefined {
  const auth = req.headers.authorization;
  const match = typeof auth === 'string' ? /^(AWS4|GOOG4)-HMAC-SHA256\s+Credential=[^/]*\/[^/]*\/[^/]*\/([^/,\s]*)/i.exec(auth) : null;
  if (match) return { scheme: match[1]!.toUpperCase() as 'AWS4' | 'GOOG4', service: match[2]! };
  const q = req.query.get('X-Amz-Credential') ?? req.query.get('X-Goog-Credential');
  if (q) return { scheme: req.query.has('X-Goog-Credential') ? 'GOOG4' : 'AWS4', service: q.split('/')[3] ?? '' };
  return undefined;
}

/** Parses the SigV4 authentication, or returns undefined when the request carries none. */
export function parseSigV4(req: FakeRequest): SigV4Auth | undefined {
  const auth = header(req, 'authorization');
  let scheme: string;
  let credential: string;
  let signed: string;
  let signature: string;
  let presigned = false;
  if (auth !== undefined) {
    const m = HEADER_AUTH.exec(auth);
    if (!m) throw new AuthFailure('malformed', 'The authorization header is malformed.');
    [, scheme, credential, signed, signature] = m as unknown as [string, string, string, string, string];
  } else {
    const p = req.query.has('X-Goog-Algorithm') ? 'X-Goog' : 'X-Amz';
    const algorithm = req.query.get(`${p}-Algorithm`);
    if (!algorithm) return undefined;
    const m = /^(AWS4|GOOG4)-HMAC-SHA256$/.exec(algorithm);
    credential = req.query.get(`${p}-Credential`) ?? '';
    signed = req.query.get(`${p}-SignedHeaders`) ?? '';
    signature = req.query.get(`${p}-Signature`) ?? '';
    if (!m || !credential || !signed || !/^[0-9a-f]+$/.test(signature)) throw new AuthFailure('malformed', 'The query-string authentication is malformed.');
    scheme = m[1]!;
    presigned = true;
  }
  const parts = credential.split('/');
  scheme = scheme.toUpperCase();
  if (parts.length !== 5 || parts[4] !== `${scheme.toLowerCase()}_request` || !/^\d{8}$/.test(parts[1]!)) {
    throw new AuthFailure('malformed', `The credential scope is malformed: expected <key>/<yyyymmdd>/<region>/<service>/${scheme.toLowerCase()}_request.`);
  }
  return {
    scheme: scheme as 'AWS4' | 'GOOG4',
    accessKeyId: parts[0]!,
    day: parts[1]!,
    region: parts[2]!,
    service: parts[3]!,
    signedHeaders: signed.toLowerCase().split(';'),
    signature: signature.toLowerCase(),
    presigned,
  };
}

function parseStamp(stamp: string | undefined | null): Date | undefined {
  const m = stamp ? /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp) : null;
  if (!m) return undefined;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

/**
 * Verifies a SigV4/GOOG4 signature: finds the secret, checks the date, recomputes the signature and compares.
 * Throws {@link AuthFailure}.
 */
export function verifySigV4(req: FakeRequest, auth: SigV4Auth, keys: KeyTable, maxSkewMs: number): void {
  const secret = Object.prototype.hasOwnProperty.call(keys, auth.accessKeyId) ? keys[auth.accessKeyId] : undefined;
  if (secret === undefined) throw new AuthFailure('unknown-key', 'The access key id you provided does not exist in our records.');
  const prefix = auth.scheme === 'GOOG4' ? 'x-goog' : 'x-amz';
  const qp = auth.scheme === 'GOOG4' ? 'X-Goog' : 'X-Amz';
  const stamp = auth.presigned ? req.query.get(`${qp}-Date`) : header(req, `${prefix}-date`);
  const date = parseStamp(stamp);
  if (!date || stamp!.slice(0, 8) !== auth.day) throw new AuthFailure('malformed', `The ${prefix}-date is missing, malformed or does not match the credential scope.`);
  if (auth.presigned) {
    const expires = Number(req.query.get(`${qp}-Expires`) ?? '604800');
    if (!Number.isInteger(expires) || expires < 1 || expires > 604800) throw new AuthFailure('malformed', `${qp}-Expires must be within 1..604800 seconds.`);
    if (req.now > date.getTime() + expires * 1000) throw new AuthFailure('expired', 'Request has expired.');
  } else if (Math.abs(req.now - date.getTime()) > maxSkewMs) {
    throw new AuthFailure('skew', 'The difference between the request time and the current time is too large.');
  }
  const objectService = auth.service === 's3' || auth.service === 'storage';
  const shaHeader = header(req, `${prefix}-content-sha256`);
  const payloadHash = shaHeader ?? (auth.presigned && objectService ? 'UNSIGNED-PAYLOAD' : sha256Hex(req.receivedBody ?? req.body));
  let expected: string;
  try {
    expected = expectedSignature(req, auth, secret, date, payloadHash);
  } catch {
    // e.g. a malformed percent-encoding in the query string
    throw new AuthFailure('malformed', 'The request could not be canonicalized for signature verification.');
  }
  const a = Buffer.from(expected);
  const b = Buffer.from(auth.signature);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new AuthFailure('bad-signature', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
  }
}

/**
 * The signature core's `signV4` gives the request over exactly the headers the client listed (the AWS SDK also
 * signs `content-length`); for a presigned URL, over its URL without the signature parameter.
 */
function expectedSignature(req: FakeRequest, auth: SigV4Auth, secret: string, date: Date, payloadHash: string): string {
  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) headers[name] = header(req, name) ?? '';
  let url = `http://${req.host}${req.rawUrl}`;
  if (auth.presigned) {
    const signatureParam = auth.scheme === 'GOOG4' ? 'X-Goog-Signature' : 'X-Amz-Signature';
    url = url.replace(new RegExp(`([?&])${signatureParam}=[^&]*&?`), '$1').replace(/[?&]$/, '');
  }
  return signV4({ method: req.method, url, headers }, { accessKeyId: auth.accessKeyId, secretAccessKey: secret }, {
    region: auth.region,
    service: auth.service,
    date,
    payloadHash,
    contentSha256Header: false,
    scheme: auth.scheme,
    signedHeaders: auth.signedHeaders,
  }).signature;
}

/** Checks `Authorization: Bearer <token>` against the accepted tokens; returns the token. Throws {@link AuthFailure}. */
export function verifyBearer(req: FakeRequest, tokens: readonly string[]): string {
  const auth = header(req, 'authorization');
  if (!auth) throw new AuthFailure('missing', 'Unable to authenticate you.');
  const m = /^Bearer\s+(\S+)$/i.exec(auth);
  if (!m) throw new AuthFailure('malformed', 'Unable to authenticate you.');
  const given = Buffer.from(m[1]!);
  const ok = tokens.some((t) => {
    const want = Buffer.from(t);
    return want.length === given.length && timingSafeEqual(want, given);
  });
  if (!ok) throw new AuthFailure('unknown-key', 'Unable to authenticate you.');
  return m[1]!;
}
