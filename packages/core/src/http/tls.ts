/**
 * TLS connect options for the transports.
 * @module
 */
import type { TlsOptions } from './types.js';

/** Node TLS connect options of a {@link TlsOptions} (only the fields it sets). */
export function tlsConnectOptions(tls: TlsOptions): { ca?: string; cert?: string; key?: string; rejectUnauthorized?: boolean } {
  return {
    ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
    ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
    ...(tls.key !== undefined ? { key: tls.key } : {}),
    ...(tls.rejectUnauthorized !== undefined ? { rejectUnauthorized: tls.rejectUnauthorized } : {}),
  };
}
