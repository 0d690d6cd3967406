import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { connect } from 'node:net';
import { amzDate } from '@dualcloud/core';
import { createFakeCloudServer, FAKE_CREDENTIALS, type FakeCloudServer } from '@dualcloud/fake-cloud';
import { optionsFromArgs, parseLatency } from '../src/cli.js';
import { digitalocean, ec2, s3, send } from './helpers/http.js';

let server: FakeCloudServer;
let port: number;

beforeAll(async () => {
  server = createFakeCloudServer({ maxObjectBytes: 4096 });
  port = await server.listen();
});
afterAll(() => server.close());

describe('robustness', () => {
  test('a handler exception becomes a 500 in the provider format and the server keeps serving', async () => {
    const apis = (server as unknown as { apis: Record<string, { handle: () => never }> }).apis;
    const original = apis.ec2!.handle;
    apis.ec2!.handle = () => {
      throw new Error('boom');
    };
    try {
      const res = await ec2(port, 'DescribeRegions');
      expect(res.status).toBe(500);
      expect(res.xml().Response.Errors.Error.Code).toBe('InternalError');
      expect(res.text).not.toContain('boom');
    } finally {
      apis.ec2!.handle = original;
    }
    expect((await ec2(port, 'DescribeRegions')).status).toBe(200);
  });

  test('a body over the limit is 400 EntityTooLarge without being stored', async () => {
    await s3(port, 'PUT', '/robust');
    const res = await s3(port, 'PUT', '/robust/huge', { body: Buffer.alloc(20_000) });
    expect(res.status).toBe(400);
    expect(res.xml().Error.Code).toBe('EntityTooLarge');
    expect((await s3(port, 'HEAD', '/robust/huge')).status).toBe(404);
    const api = await digitalocean(port, 'POST', '/v2/droplets', { name: 'x'.repeat(2 * 1024 * 1024) });
    expect(api.status).toBe(400);
  });

  test('malformed input gets 400s, never a crash', async () => {
    expect((await digitalocean(port, 'POST', '/v2/droplets', '[1,2')).status).toBe(400);
    expect((await digitalocean(port, 'POST', '/v2/droplets', '"just a string"')).status).toBe(400);
    expect((await ec2(port, 'RunInstances', { ImageId: 'ami-0fa4e0c5a7b3d1001', MinCount: 'many', MaxCount: 1 })).status).toBe(400);
    const badBucketXml = await s3(port, 'PUT', '/robust2', { body: '<CreateBucketConfiguration><' });
    expect(badBucketXml.status).toBe(400);
    expect(badBucketXml.xml().Error.Code).toBe('MalformedXML');
    const badPercent = await s3(port, 'GET', '/robust/%E0%A4%A');
    expect(badPercent.status).toBe(400);
    const stamp = amzDate(new Date());
    const credential = `${FAKE_CREDENTIALS.aws.accessKeyId}/${stamp.slice(0, 8)}/us-east-1/s3/aws4_request`;
    const badQuery = await send(port, { method: 'GET', path: '/robust?prefix=%zz', headers: { authorization: `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=host;x-amz-date, Signature=00`, 'x-amz-date': stamp } });
    expect(badQuery.status).toBe(400);
    expect(badQuery.xml().Error.Code).toBe('AuthorizationHeaderMalformed');
    const badAuth = await send(port, { method: 'GET', path: '/', headers: { authorization: 'AWS4-HMAC-SHA256 garbage' } });
    expect(badAuth.status).toBe(400);
    const badPart = await s3(port, 'POST', '/robust/k?uploads');
    const id = badPart.xml().InitiateMultipartUploadResult.UploadId;
    const zero = await s3(port, 'PUT', `/robust/k?partNumber=0&uploadId=${id}`, { body: 'x' });
    expect(zero.status).toBe(400);
    expect(zero.xml().Error.Code).toBe('InvalidArgument');
    const badChunks = await s3(port, 'PUT', '/robust/chunky', { body: 'zz\r\nnot chunked', headers: { 'content-encoding': 'aws-chunked' } });
    expect(badChunks.status).toBe(400);
    expect((await ec2(port, 'DescribeRegions')).status).toBe(200);
  });

  test('garbage on the socket gets 400 and the server survives', async () => {
    const reply = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.write('THIS IS NOT HTTP\r\n\r\n'));
      let data = '';
      socket.on('data', (d) => (data += d.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', () => resolve(data));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect((await digitalocean(port, 'GET', '/v2/regions')).status).toBe(200);
  });

  test('a client that goes away mid-upload does not store a partial object', async () => {
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(`PUT /robust/partial HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\nonly a little`);
        setTimeout(() => socket.destroy(), 50);
      });
      socket.on('close', () => resolve());
      socket.on('error', () => undefined);
    });
    expect((await s3(port, 'HEAD', '/robust/partial')).status).toBe(404);
  });
});

describe('cli options', () => {
  test('latency forms and flags', () => {
    expect(parseLatency('50')).toBe(50);
    expect(parseLatency('20-80')).toEqual({ min: 20, max: 80 });
    expect(parseLatency('50~10')).toEqual({ mean: 50, jitter: 10 });
    expect(() => parseLatency('fast')).toThrow(RangeError);
    const { options, json } = optionsFromArgs(['--port', '0', '--latency', '5-9', '--fault-rate', '0.1', '--fault-kinds', '500,reset', '--seed', '7', '--json']);
    expect(options).toMatchObject({ port: 0, latency: { min: 5, max: 9 }, faults: { rate: 0.1, kinds: ['500', 'reset'], seed: 7 } });
    expect(json).toBe(true);
    expect(() => optionsFromArgs(['--fault-kinds', 'meteor'])).toThrow(RangeError);
    expect(optionsFromArgs(['--', '--port', '9100']).options.port).toBe(9100);
  });
});
