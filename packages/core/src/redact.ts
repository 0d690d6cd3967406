/**
 * Secret redaction. Always works on copies; the original request is untouched.
 * @module
 */

/** The mask put in place of a secret. */
export const REDACTED = '[REDACTED]';

/** Header names whose values are secrets (lower case). */
export const SECRET_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-amz-security-token',
  'x-amz-content-sha256-signature',
  'x-goog-api-key',
  'x-api-key',
  'x-auth-token',
  'x-subject-token',
  'x-ms-copy-source-authorization',
  // OpenStack Swift: v1.0 auth (password in, token out) and the temp URL keys of accounts and containers.
  'x-auth-key',
  'x-storage-pass',
  'x-storage-token',
  'x-account-meta-temp-url-key',
  'x-account-meta-temp-url-key-2',
  'x-container-meta-temp-url-key',
  'x-container-meta-temp-url-key-2',
]);

/** Query parameter names whose values are secrets (lower case). */
export const SECRET_QUERY_PARAMS: ReadonlySet<string> = new Set([
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
  'signature',
  'sig',
  'awsaccesskeyid',
  'x-goog-signature',
  'x-goog-credential',
  'googleaccessid',
  'access_token',
  'token',
  'key',
  'secret',
  'password',
  'client_secret',
  'temp_url_sig',
]);

/**
 * Headers whose value is a URL that may carry query-string authentication (a copy source with a SAS, a redirect
 * to a presigned URL): their secret query parameters are masked as in {@link redactUrl}.
 */
export const URL_HEADERS: ReadonlySet<string> = new Set(['x-ms-copy-source', 'location', 'content-location']);

/**
 * A copy of `headers` with secret values replaced by {@link REDACTED}, and the signatures in URL-valued headers
 * ({@link URL_HEADERS}) masked.
 */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    out[name] = SECRET_HEADERS.has(lower) ? REDACTED : URL_HEADERS.has(lower) && /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? redactUrl(value) : value;
  }
  return out;
}

/** `url` with secret query parameter values replaced by {@link REDACTED}. Unparseable input is masked whole. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return REDACTED;
  }
  parsed.username = '';
  parsed.password = '';
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_QUERY_PARAMS.has(name.toLowerCase())) parsed.searchParams.set(name, REDACTED);
  }
  return parsed.toString().replace(/%5BREDACTED%5D/g, REDACTED);
}

/** `text` with every occurrence of each secret (of 4+ characters) replaced by {@link REDACTED}. */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  // Longest first, so a whole header value is masked before the pieces inside it.
  const ordered = secrets.filter((s): s is string => typeof s === 'string').sort((a, b) => b.length - a.length);
  for (const secret of ordered) {
    if (secret && secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  return out;
}
