/**
 * OpenSSH keys: reading a public key line, fingerprints, and generating an Ed25519 key pair for providers
 * that only import public keys (DigitalOcean) and for the Dummy driver. Pure computation, no I/O.
 * @module
 */
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { InvalidArgumentError } from './errors/index.js';

/** A public key line (`ssh-ed25519 AAAA… comment`), read. */
export interface SshPublicKey {
  /** Key type: `ssh-rsa`, `ssh-ed25519`, `ecdsa-sha2-nistp256`, … */
  readonly type: string;
  /** The decoded key blob (what the base64 field holds). */
  readonly blob: Buffer;
  /** The comment after the key, if any (often `user@host`). */
  readonly comment: string;
}

/** Key types accepted in a public key line. */
export const SSH_PUBLIC_KEY_TYPES: readonly string[] = [
  'ssh-rsa',
  'ssh-ed25519',
  'ssh-dss',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
];

/** Largest public key line accepted (an RSA 16384-bit key is about 2.8 KB). */
const MAX_PUBLIC_KEY_LENGTH = 16 * 1024;

function invalid(message: string): InvalidArgumentError {
  return new InvalidArgumentError(message, { code: 'InvalidPublicKey' });
}

/** `uint32 length` + bytes, as the SSH wire format writes a string. */
function sshString(value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** Reads the first SSH string of `blob`, or undefined when it does not hold one. */
function firstSshString(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || 4 + length > blob.length) return undefined;
  return blob.subarray(4, 4 + length).toString('latin1');
}

/**
 * Reads an OpenSSH public key line (`<type> <base64> [comment]`, as in `id_ed25519.pub` or
 * `authorized_keys`). Throws `InvalidArgumentError` (code `InvalidPublicKey`) for anything else, including a
 * private key (whose text is never echoed).
 */
export function parseSshPublicKey(text: string): SshPublicKey {
  if (typeof text !== 'string') throw invalid('a public key must be a string');
  const line = text.trim();
  if (line === '') throw invalid('the public key is empty');
  if (/PRIVATE KEY/.test(line)) throw invalid('that is a private key: give the public key (the .pub file)');
  if (line.length > MAX_PUBLIC_KEY_LENGTH || /[\r\n]/.test(line)) throw invalid('a public key is one line of the form "<type> <base64> [comment]"');
  const match = /^(\S+)\s+([A-Za-z0-9+/]+={0,2})(?:\s+(.*))?$/.exec(line);
  if (!match) throw invalid('a public key is one line of the form "<type> <base64> [comment]"');
  const type = match[1]!;
  if (!SSH_PUBLIC_KEY_TYPES.includes(type)) throw invalid(`unsupported public key type "${type.slice(0, 40)}" (expected one of ${SSH_PUBLIC_KEY_TYPES.join(', ')})`);
  const blob = Buffer.from(match[2]!, 'base64');
  if (firstSshString(blob) !== type) throw invalid(`the key data does not hold a ${type} key`);
  return { type, blob, comment: match[3]?.trim() ?? '' };
}

/**
 * The fingerprint of a public key line: `md5` gives the colon-separated hex that DigitalOcean and older
 * OpenSSH print (`3b:16:bf:…`); `sha256` gives OpenSSH's `SHA256:<base64>`.
 */
export function sshFingerprint(publicKey: string | SshPublicKey, hash: 'md5' | 'sha256' = 'md5'): string {
  const key = typeof publicKey === 'string' ? parseSshPublicKey(publicKey) : publicKey;
  if (hash === 'sha256') return `SHA256:${createHash('sha256').update(key.blob).digest('base64').replace(/=+$/, '')}`;
  return createHash('md5').update(key.blob).digest('hex').replace(/(..)(?!$)/g, '$1:');
}

/** A key pair made by {@link generateSshKeyPair}. */
export interface GeneratedSshKeyPair {
  /** `ssh-ed25519 AAAA… <comment>`. */
  readonly publicKey: string;
  /** The private key in OpenSSH's format (`-----BEGIN OPENSSH PRIVATE KEY-----`), unencrypted. */
  readonly privateKey: string;
  /** MD5 fingerprint of the public key, colon-separated hex. */
  readonly fingerprint: string;
}

/**
 * Generates an Ed25519 key pair in OpenSSH's formats (what `ssh-keygen -t ed25519 -N ''` writes), for
 * providers that only import public keys. The private key is returned once and kept nowhere.
 */
export function generateSshKeyPair(comment = ''): GeneratedSshKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const pub = Buffer.from(String(publicKey.export({ format: 'jwk' }).x), 'base64url');
  const seed = Buffer.from(String(jwk.d), 'base64url');
  const type = 'ssh-ed25519';
  const blob = Buffer.concat([sshString(type), sshString(pub)]);
  const check = randomBytes(4);
  let secret = Buffer.concat([check, check, sshString(type), sshString(pub), sshString(Buffer.concat([seed, pub])), sshString(comment)]);
  const padding: number[] = [];
  for (let i = 1; (secret.length + padding.length) % 8 !== 0; i++) padding.push(i);
  secret = Buffer.concat([secret, Buffer.from(padding)]);
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    Buffer.from([0, 0, 0, 1]),
    sshString(blob),
    sshString(secret),
  ]);
  const lines = body.toString('base64').match(/.{1,70}/g) ?? [];
  const line = `${type} ${blob.toString('base64')}${comment ? ` ${comment}` : ''}`;
  return {
    publicKey: line,
    privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`,
    fingerprint: sshFingerprint({ type, blob, comment }),
  };
}
