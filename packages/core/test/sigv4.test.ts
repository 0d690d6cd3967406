import { describe, expect, test } from '@jest/globals';
import { signV4, sigV4Signer } from '@dualcloud/core';

// Vectors from the AWS Signature Version 4 test suite (AWS General Reference) and the S3 API reference's
// worked GET Object example.
const suiteCreds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const suiteDate = new Date('2015-08-30T12:36:00Z');
const scope = 'Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request';

const suite: Array<{ name: string; method: string; url: string; headers: Record<string, string>; signed: string; sig: string }> = [
  { name: 'get-vanilla', method: 'GET', url: 'https://example.amazonaws.com/', headers: {}, signed: 'host;x-amz-date', sig: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31' },
  { name: 'post-vanilla', method: 'POST', url: 'https://example.amazonaws.com/', headers: {}, signed: 'host;x-amz-date', sig: '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b' },
  { name: 'get-vanilla-query-order-key-case', method: 'GET', url: 'https://example.amazonaws.com/?Param2=value2&Param1=value1', headers: {}, signed: 'host;x-amz-date', sig: 'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500' },
  { name: 'post-header-value-case', method: 'POST', url: 'https://example.amazonaws.com/', headers: { 'My-Header1': 'VALUE1' }, signed: 'host;my-header1;x-amz-date', sig: 'cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d' },
  { name: 'get-unreserved', method: 'GET', url: 'https://example.amazonaws.com/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', headers: {}, signed: 'host;x-amz-date', sig: '07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f' },
  { name: 'get-header-value-trim', method: 'GET', url: 'https://example.amazonaws.com/', headers: { 'My-Header1': ' value1', 'My-Header2': '"a   b   c"' }, signed: 'host;my-header1;my-header2;x-amz-date', sig: 'acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736' },
];

describe('signV4 against the AWS Signature Version 4 test suite', () => {
  for (const v of suite) {
    test(v.name, () => {
      const result = signV4({ method: v.method, url: v.url, headers: v.headers }, suiteCreds, { region: 'us-east-1', service: 'service', date: suiteDate });
      expect(result.headers.authorization).toBe(`AWS4-HMAC-SHA256 ${scope}, SignedHeaders=${v.signed}, Signature=${v.sig}`);
      expect(result.headers['x-amz-date']).toBe('20150830T123600Z');
    });
  }

  test('get-vanilla intermediate strings', () => {
    const result = signV4({ method: 'GET', url: 'https://example.amazonaws.com/', headers: {} }, suiteCreds, { region: 'us-east-1', service: 'service', date: suiteDate });
    expect(result.canonicalRequest).toBe(
      ['GET', '/', '', 'host:example.amazonaws.com', 'x-amz-date:20150830T123600Z', '', 'host;x-amz-date', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'].join('\n'),
    );
    expect(result.stringToSign).toBe(
      ['AWS4-HMAC-SHA256', '20150830T123600Z', '20150830/us-east-1/service/aws4_request', 'bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63'].join('\n'),
    );
  });
});

test('signV4 reproduces the S3 GET Object example (Range header, empty payload hash)', () => {
  const result = signV4(
    { method: 'GET', url: 'https://examplebucket.s3.amazonaws.com/test.txt', headers: { Range: 'bytes=0-9' } },
    { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    { region: 'us-east-1', service: 's3', date: new Date('2013-05-24T00:00:00Z') },
  );
  expect(result.stringToSign.split('\n')[3]).toBe('7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972');
  expect(result.signature).toBe('f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41');
  expect(result.headers['x-amz-content-sha256']).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
});

test('signV4 does not modify its input and GOOG4 uses Google prefixes', () => {
  const headers = { 'Content-Type': 'text/plain' };
  const result = signV4({ method: 'PUT', url: 'https://storage.googleapis.com/b/k', headers, body: 'x' }, suiteCreds, {
    region: 'auto',
    service: 'storage',
    date: suiteDate,
    scheme: 'GOOG4',
  });
  expect(headers).toEqual({ 'Content-Type': 'text/plain' });
  expect(result.headers.authorization).toMatch(/^GOOG4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20150830\/auto\/storage\/goog4_request, SignedHeaders=content-type;host;x-goog-content-sha256;x-goog-date, Signature=[0-9a-f]{64}$/);
  expect(result.headers['x-goog-date']).toBe('20150830T123600Z');
  expect(result.headers['x-amz-date']).toBeUndefined();
});

test('sigV4Signer signs file bodies as UNSIGNED-PAYLOAD and lists its secrets', () => {
  const signer = sigV4Signer({ ...suiteCreds, sessionToken: 'TOKEN-123' }, 'us-east-1', 's3', () => suiteDate);
  const headers = signer.sign({ method: 'PUT', url: 'https://b.s3.amazonaws.com/k', headers: {}, body: { file: '/tmp/x' } });
  expect(headers['x-amz-content-sha256']).toBe('UNSIGNED-PAYLOAD');
  expect(headers['x-amz-security-token']).toBe('TOKEN-123');
  expect(signer.secrets).toEqual(expect.arrayContaining([suiteCreds.secretAccessKey, 'TOKEN-123']));
});

test('signedHeaders signs exactly the listed headers (as a verifier recomputes a client signature)', () => {
  const result = signV4(
    { method: 'GET', url: 'https://example.amazonaws.com/', headers: { 'My-Header1': 'not signed', 'content-length': '0' } },
    suiteCreds,
    { region: 'us-east-1', service: 'service', date: suiteDate, signedHeaders: ['x-amz-date', 'host'] },
  );
  expect(result.signedHeaders).toBe('host;x-amz-date');
  expect(result.signature).toBe('5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'); // get-vanilla
});
