/**
 * Signed URLs: the pure signing functions against the providers' published examples, and the signers'
 * `presign` as connections use it. Signatures are compared to constants, never printed: a failing assertion on
 * a whole URL would print its signature, so URLs are checked through `redactUrl` or field by field.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, test } from '@jest/globals';
import {
  azureBlobSas,
  azureSharedKeySigner,
  bearerSigner,
  DriverConnection,
  InvalidArgumentError,
  MAX_PRESIGN_SECONDS,
  presignV4,
  REDACTED,
  redactUrl,
  sha256Hex,
  sigV4Signer,
} from '@dualcloud/core';

// The S3 API reference's presigned URL example ("Authenticating Requests: Using Query Parameters").
const AWS_EXAMPLE = {
  credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  date: new Date('2013-05-24T00:00:00Z'),
};

describe('presignV4 reproduces the AWS presigned URL example exactly', () => {
  const result = presignV4({ method: 'GET', url: 'https://examplebucket.s3.amazonaws.com/test.txt' }, AWS_EXAMPLE.credentials, {
    region: 'us-east-1',
    service: 's3',
    expiresIn: 86400,
    date: AWS_EXAMPLE.date,
  });

  test('canonical request', () => {
    expect(result.canonicalRequest).toBe(
      [
        'GET',
        '/test.txt',
        'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host',
        'host:examplebucket.s3.amazonaws.com',
        '',
        'host',
        'UNSIGNED-PAYLOAD',
      ].join('\n'),
    );
    expect(sha256Hex(result.canonicalRequest)).toBe('3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04');
  });

  test('string to sign', () => {
    expect(result.stringToSign).toBe(
      ['AWS4-HMAC-SHA256', '20130524T000000Z', '20130524/us-east-1/s3/aws4_request', '3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04'].join('\n'),
    );
  });

  test('signature and URL', () => {
    const documented = 'aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404';
    expect(result.signature === documented).toBe(true);
    expect(result.url === `https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=${documented}`).toBe(true);
    // What a log would show.
    expect(redactUrl(result.url)).toBe(
      `https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${REDACTED}&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=${REDACTED}`,
    );
  });
});

describe('presignV4', () => {
  const base = { region: 'us-east-1', service: 's3', expiresIn: 600, date: AWS_EXAMPLE.date } as const;

  test('a session token is signed in X-Amz-Security-Token, and changes the signature', () => {
    const plain = presignV4({ method: 'GET', url: 'https://b.s3.amazonaws.com/k' }, AWS_EXAMPLE.credentials, base);
    const withToken = presignV4({ method: 'GET', url: 'https://b.s3.amazonaws.com/k' }, { ...AWS_EXAMPLE.credentials, sessionToken: 'SESSION/TOKEN+=' }, base);
    const q = new URL(withToken.url).searchParams;
    expect(q.get('X-Amz-Security-Token') === 'SESSION/TOKEN+=').toBe(true);
    expect(withToken.canonicalRequest).toContain('X-Amz-Security-Token=SESSION%2FTOKEN%2B%3D');
    expect(withToken.signature === plain.signature).toBe(false);
    expect(redactUrl(withToken.url)).not.toContain('SESSION');
  });

  test('headers a PUT must carry are signed (sorted), and an existing query is kept and signed', () => {
    const r = presignV4(
      { method: 'PUT', url: 'http://127.0.0.1:9000/bucket/a%20b.txt?response-content-type=text%2Fplain', headers: { 'Content-Type': 'text/plain' } },
      AWS_EXAMPLE.credentials,
      base,
    );
    const q = new URL(r.url).searchParams;
    expect(q.get('X-Amz-SignedHeaders')).toBe('content-type;host');
    expect(q.get('response-content-type')).toBe('text/plain');
    expect(r.canonicalRequest.split('\n').slice(0, 2)).toEqual(['PUT', '/bucket/a%20b.txt']);
    expect(r.canonicalRequest).toContain('content-type:text/plain\nhost:127.0.0.1:9000\n');
    expect(r.url.startsWith('http://127.0.0.1:9000/bucket/a%20b.txt?response-content-type=text%2Fplain&X-Amz-Algorithm=')).toBe(true);
  });

  test('GOOG4: the same algorithm with X-Goog-* parameters and a goog4_request scope', () => {
    const r = presignV4({ method: 'GET', url: 'https://storage.googleapis.com/bucket/obj' }, { accessKeyId: 'GOOGHMACID', secretAccessKey: 'hmac-secret' }, {
      region: 'auto',
      service: 'storage',
      expiresIn: 900,
      date: AWS_EXAMPLE.date,
      scheme: 'GOOG4',
    });
    const q = new URL(r.url).searchParams;
    expect([...q.keys()]).toEqual(['X-Goog-Algorithm', 'X-Goog-Credential', 'X-Goog-Date', 'X-Goog-Expires', 'X-Goog-SignedHeaders', 'X-Goog-Signature']);
    expect(q.get('X-Goog-Algorithm')).toBe('GOOG4-HMAC-SHA256');
    expect(q.get('X-Goog-Credential')).toBe('GOOGHMACID/20130524/auto/storage/goog4_request');
    expect(r.stringToSign.split('\n')[0]).toBe('GOOG4-HMAC-SHA256');
    // The signing key chain starts from "GOOG4" + secret and ends with "goog4_request".
    const h = (k: string | Buffer, d: string): Buffer => createHmac('sha256', k).update(d).digest();
    const key = h(h(h(h('GOOG4hmac-secret', '20130524'), 'auto'), 'storage'), 'goog4_request');
    expect(createHmac('sha256', key).update(r.stringToSign).digest('hex') === r.signature).toBe(true);
    expect(redactUrl(r.url)).toContain(`X-Goog-Signature=${REDACTED}`);
  });

  test.each([0, -1, 1.5, MAX_PRESIGN_SECONDS + 1, Number.NaN, '60' as unknown as number])('expiresIn %p is refused with InvalidArgumentError', (expiresIn) => {
    expect(() => presignV4({ method: 'GET', url: 'https://b.s3.amazonaws.com/k' }, AWS_EXAMPLE.credentials, { ...base, expiresIn })).toThrow(InvalidArgumentError);
  });
});

describe('azureBlobSas', () => {
  const key = Buffer.from('an azure account key for the tests').toString('base64');
  const sas = azureBlobSas({
    account: 'myaccount',
    accountKey: key,
    container: 'pictures',
    blob: 'dir/a b.png',
    permissions: 'r',
    startsOn: new Date('2026-03-01T10:00:00.123Z'),
    expiresOn: new Date('2026-03-01T11:00:00Z'),
    protocol: 'https',
    contentType: 'image/png',
  });

  test('the string to sign has the 16 fields of version 2020-12-06 and later, in order', () => {
    expect(sas.stringToSign.split('\n')).toEqual([
      'r',
      '2026-03-01T10:00:00Z',
      '2026-03-01T11:00:00Z',
      '/blob/myaccount/pictures/dir/a b.png',
      '',
      '',
      'https',
      '2021-08-06',
      'b',
      '',
      '',
      '',
      '',
      '',
      '',
      'image/png',
    ]);
  });

  test('sig is the base64 HMAC-SHA256 of it with the decoded account key, and the query carries every field', () => {
    const expected = createHmac('sha256', Buffer.from(key, 'base64')).update(sas.stringToSign).digest('base64');
    expect(sas.signature === expected).toBe(true);
    const q = new URLSearchParams(sas.query);
    expect(Object.fromEntries([...q.entries()].filter(([k]) => k !== 'sig'))).toEqual({
      sv: '2021-08-06',
      st: '2026-03-01T10:00:00Z',
      se: '2026-03-01T11:00:00Z',
      sr: 'b',
      sp: 'r',
      spr: 'https',
      rsct: 'image/png',
    });
    expect(q.get('sig') === expected).toBe(true);
    expect(redactUrl(`https://myaccount.blob.core.windows.net/pictures/x?${sas.query}`)).toContain(`sig=${REDACTED}`);
  });

  test('bad permissions or an old version are refused', () => {
    const good = { account: 'a', accountKey: key, container: 'c', blob: 'b', expiresOn: new Date() };
    expect(() => azureBlobSas({ ...good, permissions: 'wr' })).toThrow(InvalidArgumentError);
    expect(() => azureBlobSas({ ...good, permissions: '' })).toThrow(InvalidArgumentError);
    expect(() => azureBlobSas({ ...good, permissions: 'r', version: '2019-12-12' })).toThrow(InvalidArgumentError);
  });
});

describe('signers and connections', () => {
  const creds = { accessKeyId: 'AKIDPRESIGN0000001', secretAccessKey: 'presign/secret+0123456789' };

  test('a SigV4 connection signs URLs through its signer (same as presignV4), with response-content-type', () => {
    const connection = new DriverConnection({ provider: 's3', host: '127.0.0.1', port: 9000, secure: false, credentials: sigV4Signer(creds, 'eu-west-1', 's3') });
    const date = new Date('2026-01-02T03:04:05Z');
    const url = connection.presignUrl({ method: 'GET', path: '/bucket/key.txt' }, { expiresIn: 60, date, responseContentType: 'text/plain' });
    const direct = presignV4({ method: 'GET', url: 'http://127.0.0.1:9000/bucket/key.txt?response-content-type=text%2Fplain' }, creds, { region: 'eu-west-1', service: 's3', expiresIn: 60, date });
    expect(url === direct.url).toBe(true);
    // The secret never appears; the key id only inside the (redacted) credential.
    expect(url).not.toContain(creds.secretAccessKey);
    expect(redactUrl(url)).not.toContain(creds.accessKeyId);
  });

  test('an Azure connection signs a blob SAS below its base path (account in path), r for GET and cw for PUT', () => {
    const key = Buffer.from('azure key').toString('base64');
    const connection = new DriverConnection({ provider: 'azure_blobs', host: '127.0.0.1', port: 10000, secure: false, basePath: '/acct', credentials: azureSharedKeySigner('acct', key, undefined, '/acct') });
    const date = new Date('2026-01-02T03:04:05Z');
    const get = new URL(connection.presignUrl({ method: 'GET', path: '/box/a%2Bb.txt' }, { expiresIn: 3600, date }));
    expect(get.pathname).toBe('/acct/box/a%2Bb.txt');
    expect(get.searchParams.get('sp')).toBe('r');
    expect(get.searchParams.get('spr')).toBe('https,http');
    expect(get.searchParams.get('st')).toBe('2026-01-02T02:59:05Z');
    expect(get.searchParams.get('se')).toBe('2026-01-02T04:04:05Z');
    const expected = azureBlobSas({ account: 'acct', accountKey: key, container: 'box', blob: 'a+b.txt', permissions: 'r', startsOn: new Date('2026-01-02T02:59:05Z'), expiresOn: new Date('2026-01-02T04:04:05Z'), protocol: 'https,http' });
    expect(get.searchParams.get('sig') === expected.signature).toBe(true);
    const put = new URL(connection.presignUrl({ method: 'PUT', path: '/box/a%2Bb.txt' }, { expiresIn: 3600, date }));
    expect(put.searchParams.get('sp')).toBe('cw');
    expect(() => connection.presignUrl({ method: 'GET', path: '/box' }, { expiresIn: 60 })).toThrow(InvalidArgumentError);
    expect(() => connection.presignUrl({ method: 'GET', path: '/box/x' }, { expiresIn: 366 * 86400 })).toThrow(InvalidArgumentError);
  });

  test('credentials without URL signing are refused with NotSupported', () => {
    const connection = new DriverConnection({ provider: 'digitalocean', host: '127.0.0.1', credentials: bearerSigner('dop_v1_not_used') });
    let error: unknown;
    try {
      connection.presignUrl({ method: 'GET', path: '/x' }, { expiresIn: 60 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).code).toBe('NotSupported');
  });
});
