import { describe, expect, test } from '@jest/globals';
import { ASYNC_MODE, checkOptionalOptions, checkOptions, CloudError, InvalidArgumentError } from '@dualcloud/core';

/** The options of a network driver with `ex` (as `createNode` takes it) and one storage flag. */
const DRIVER = ['key', 'secret', 'host', 'port', 'secure', 'region', 'timeoutMs', 'retry', 'transport', 'concurrency', 'ex', 'verifyHash'] as const;
/** The same without `retry`, `ex`, `transport` and the region: ecosystem mappings must not point at absent keys. */
const BARE = ['key', 'secret', 'host', 'timeoutMs'] as const;

function messageOf(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidArgumentError);
    return (e as Error).message;
  }
  throw new Error('expected a throw');
}

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as CloudError).code;
  }
  return 'no throw';
}

describe('checkOptions: suggestions', () => {
  test.each<[string, readonly string[], string]>([
    // Libcloud and vendor SDK spellings
    ['timeout', DRIVER, 'did you mean `timeoutMs`?'],
    ['retry_delay', DRIVER, 'did you mean `retry: { baseDelayMs }`?'],
    ['backoff', DRIVER, 'did you mean `retry: { maxDelayMs }`?'],
    ['max_retries', DRIVER, 'did you mean `retry: { maxAttempts }`? It counts the first try'],
    ['retries', DRIVER, 'did you mean `retry: { maxAttempts }`?'],
    ['maxRetries', DRIVER, 'did you mean `retry: { maxAttempts }`?'],
    ['secret_key', DRIVER, 'did you mean `secret`?'],
    ['secretKey', DRIVER, 'did you mean `secret`?'],
    ['aws_secret_access_key', DRIVER, 'did you mean `secret`?'],
    ['access_key', DRIVER, 'did you mean `key`?'],
    ['accessKeyId', DRIVER, 'did you mean `key`?'],
    ['api_key', DRIVER, 'did you mean `key`?'],
    ['region_name', DRIVER, 'did you mean `region`?'],
    ['endpoint_url', DRIVER, 'did you mean `host`? Set `port` and `secure` too'],
    ['proxy_url', DRIVER, 'dualcloud has no proxy option'],
    ['api_version', DRIVER, 'each driver speaks one API version of its provider'],
    // Libcloud's ex_* arguments → the key inside `ex`
    ['ex_keyname', DRIVER, 'did you mean `ex: { keyName }`?'],
    ['ex_userdata', DRIVER, 'did you mean `ex: { userData }`?'],
    ['ex_security_group_ids', DRIVER, 'did you mean `ex: { securityGroupIds }`?'],
    ['ex_subnet', DRIVER, 'did you mean `ex: { subnetId }`?'],
    ['ex_create_attr', DRIVER, 'put its fields directly in `ex`, camelCased'],
    ['ex_Odd-Name', DRIVER, 'pass provider extras in `ex`, camelCased'],
    ['ex_', DRIVER, 'pass provider extras in `ex`, camelCased'],
    // snake_case or another case of an allowed key
    ['verify_hash', DRIVER, 'did you mean `verifyHash`?'],
    ['VerifyHash', DRIVER, 'did you mean `verifyHash`?'],
    ['verify-hash', DRIVER, 'did you mean `verifyHash`?'],
    ['timeout_ms', BARE, 'did you mean `timeoutMs`?'],
    // typos (Damerau-Levenshtein)
    ['regoin', DRIVER, 'did you mean `region`?'],
    ['hots', DRIVER, 'did you mean `host`?'],
    ['concurrancy', DRIVER, 'did you mean `concurrency`?'],
    ['secrte', DRIVER, 'did you mean `secret`?'],
    ['transprot', DRIVER, 'did you mean `transport`?'],
    ['verifyHashes', DRIVER, 'did you mean `verifyHash`?'],
    // nothing near: the allowed keys
    ['foo', BARE, 'allowed: `key`, `secret`, `host`, `timeoutMs`'],
    ['colour', BARE, 'allowed: `key`, `secret`, `host`, `timeoutMs`'],
    // mappings whose target is not allowed fall through
    ['max_retries', BARE, 'allowed: `key`, `secret`, `host`, `timeoutMs`'],
    ['region_name', BARE, 'allowed:'],
    ['ex_keyname', BARE, 'allowed:'],
    ['proxy_url', BARE, 'dualcloud has no proxy option'],
    // keys that are also Object.prototype members never hit a table by accident
    ['constructor', BARE, 'allowed:'],
    ['toString', BARE, 'allowed:'],
    ['__proto__', BARE, 'allowed:'],
  ])('%s among %p suggests %s', (key, allowed, expected) => {
    // Through JSON, so `__proto__` is an own key as it would be in parsed configuration.
    const options = JSON.parse(JSON.stringify({ [key]: 1 })) as object;
    const message = messageOf(() => checkOptions('digitalocean', options, allowed));
    expect(message).toContain(`digitalocean: unknown option \`${key}\` (`);
    expect(message).toContain(expected);
  });

  test('the message of the brief, exactly', () => {
    expect(messageOf(() => checkOptions('digitalocean', { key: 'k', timeout: 5 }, DRIVER))).toBe(
      'digitalocean: unknown option `timeout` (did you mean `timeoutMs`?)',
    );
  });

  test('no options allowed', () => {
    expect(messageOf(() => checkOptions('dummy', { a: 1 }, []))).toBe('dummy: unknown option `a` (no options are accepted here)');
  });

  test('every unknown key is named, in order', () => {
    expect(messageOf(() => checkOptions('s3', { key: 'k', timeout: 1, foo: 2 }, BARE))).toBe(
      's3: unknown options `timeout` (did you mean `timeoutMs`?), `foo` (allowed: `key`, `secret`, `host`, `timeoutMs`)',
    );
  });

  test("the caller's hints come first", () => {
    const hints = { timeout: 'timeoutMs (milliseconds, per request)', bucket: 'container' };
    expect(messageOf(() => checkOptions('s3', { timeout: 1 }, DRIVER, hints))).toContain('did you mean `timeoutMs (milliseconds, per request)`?');
    expect(messageOf(() => checkOptions('s3', { bucket: 'b' }, DRIVER, hints))).toContain('did you mean `container`?');
    // hints are looked up as own keys only
    expect(messageOf(() => checkOptions('s3', { hasOwnProperty: 1 }, BARE, {}))).toContain('allowed:');
  });

  test('odd and long keys are quoted and cut', () => {
    expect(messageOf(() => checkOptions('x', { 'a`b\n': 1 }, BARE))).toContain('unknown option "a`b\\n"');
    const long = 'k'.repeat(200);
    const message = messageOf(() => checkOptions('x', { [long]: 1 }, BARE));
    expect(message).toContain(`\`${'k'.repeat(61)}...\``);
    expect(message).not.toContain('k'.repeat(62));
  });

  test('codes', () => {
    expect(codeOf(() => checkOptions('x', { a: 1 }, []))).toBe('UnknownOption');
    expect(codeOf(() => checkOptions('x', 'a', []))).toBe('InvalidOptions');
  });
});

describe('checkOptions: what passes', () => {
  test.each<[string, unknown]>([
    ['an empty object', {}],
    ['allowed keys', { key: 'k', secret: 's', timeoutMs: 1 }],
    ['a key set to undefined that is allowed', { secret: undefined }],
    ['symbol keys (the async-mode marker)', { key: 'k', [ASYNC_MODE]: true }],
    ['inherited keys', Object.create({ inherited: 1 }) as object],
    ['non-enumerable keys', Object.defineProperty({}, 'hidden', { value: 1, enumerable: false })],
    ['a class instance with allowed fields', new (class { key = 'k'; })()],
  ])('%s', (_, value) => {
    expect(() => checkOptions('x', value, BARE)).not.toThrow();
  });

  test('an unknown key set to undefined is still refused', () => {
    expect(messageOf(() => checkOptions('x', { timeout: undefined }, BARE))).toContain('`timeout`');
  });
});

describe('checkOptions: not an object', () => {
  test.each<[unknown, string]>([
    [null, 'null'],
    [undefined, 'undefined'],
    ['key=abc', 'string'],
    [42, 'number'],
    [[1, 2], 'an array'],
    [() => 1, 'function'],
  ])('%p', (value, type) => {
    expect(messageOf(() => checkOptions('ec2', value, BARE))).toBe(`ec2: options must be an object (got ${type})`);
  });

  test('checkOptionalOptions lets null and undefined through, and checks the rest', () => {
    expect(() => checkOptionalOptions('x', undefined, BARE)).not.toThrow();
    expect(() => checkOptionalOptions('x', null, BARE)).not.toThrow();
    expect(() => checkOptionalOptions('x', { key: 'k' }, BARE)).not.toThrow();
    expect(messageOf(() => checkOptionalOptions('x', { timeout: 1 }, BARE))).toContain('did you mean `timeoutMs`?');
    expect(messageOf(() => checkOptionalOptions('x', 'str', BARE))).toBe('x: options must be an object (got string)');
  });
});

describe('checkOptions: never prints values', () => {
  const SECRET = 'sEcReT/value+0123456789';
  test.each<[string, object]>([
    ['an unknown key holding a secret', { secret_key: SECRET }],
    ['an unknown key next to a known secret', { secret: SECRET, timeout: SECRET }],
    ['a nested secret', { retry_delay: { token: SECRET } }],
  ])('%s', (_, options) => {
    try {
      checkOptions('x', options, BARE);
      throw new Error('expected a throw');
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidArgumentError);
      for (const text of [(e as Error).message, String(e), JSON.stringify(e), (e as Error).stack ?? '']) expect(text).not.toContain(SECRET);
    }
  });

  test('not even the value of a non-object', () => {
    expect(messageOf(() => checkOptions('x', SECRET, BARE))).not.toContain(SECRET);
  });
});
