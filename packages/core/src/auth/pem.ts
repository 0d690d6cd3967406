/**
 * PEM options (certificates, CA bundles, client keys) given as PEM text or as a file path.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { CredentialsNotFoundError, InvalidArgumentError } from '../errors/kinds.js';

/**
 * PEM text as given (a value holding `-----BEGIN`), or the text of the file a path names. `undefined` stays
 * undefined. The value (which may be a private key) never appears in an error: only the option's name and,
 * for a path, the path.
 *
 * @throws InvalidArgumentError when the value is not a non-empty string.
 * @throws CredentialsNotFoundError (code `CertificateFileNotFound`) when the file is missing or unreadable.
 */
export function readPemOption(value: unknown, option: string, provider: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new InvalidArgumentError(`${provider}: ${option} must be PEM text or a file path`, { provider });
  if (value.includes('-----BEGIN')) return value;
  if (!existsSync(value)) throw new CredentialsNotFoundError(`${provider}: ${option} file ${value} does not exist`, { provider, code: 'CertificateFileNotFound' });
  try {
    return readFileSync(value, 'utf8');
  } catch (e) {
    throw new CredentialsNotFoundError(`${provider}: cannot read ${option} file ${value} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { provider, code: 'CertificateFileNotFound' });
  }
}
