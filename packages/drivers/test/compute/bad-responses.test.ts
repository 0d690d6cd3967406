/**
 * Bad responses give typed errors in both modes, never a crash: a scripted server in a worker thread (sync mode
 * blocks this thread) answers with malformed XML/JSON, HTML pages, truncated bodies and resets.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ASYNC_MODE, MalformedResponseError, NetworkError, ProviderError } from '@dualcloud/core';
import {
  DigitalOceanNodeDriver,
  EC2NodeDriver,
  NodeState,
  type DigitalOceanNodeDriverOptions,
  type EC2NodeDriverOptions,
  type NodeDriver,
} from '@dualcloud/drivers/compute';
import { fixture } from './helpers/fixtures.js';
import { startScriptedServer, type ScriptedRoute, type ScriptedServer } from './helpers/scripted-server.js';

let server: ScriptedServer;
beforeAll(async () => {
  server = await startScriptedServer();
});
afterAll(async () => {
  await server?.close();
});

type Mode = 'sync' | 'async';
const endpoint = () => ({ host: '127.0.0.1', port: server.port, secure: false, retry: { maxAttempts: 1 } });
const ec2 = (mode: Mode) =>
  new EC2NodeDriver({ key: 'AKIDEXAMPLE', secret: 'secret', region: 'us-east-1', ...endpoint(), [ASYNC_MODE]: mode === 'async' } as EC2NodeDriverOptions);
const digitalocean = (mode: Mode) => new DigitalOceanNodeDriver({ key: 'token', ...endpoint(), [ASYNC_MODE]: mode === 'async' } as DigitalOceanNodeDriverOptions);

/** Calls `listNodes` and returns what it produced or threw, in either mode. */
async function listNodes(driver: NodeDriver): Promise<unknown> {
  try {
    return await driver.listNodes();
  } catch (e) {
    return e;
  }
}

const XML = { 'content-type': 'text/xml;charset=UTF-8' };
const JSON_TYPE = { 'content-type': 'application/json' };
const HTML = { 'content-type': 'text/html' };

const EC2_CASES: Array<[string, ScriptedRoute, new (...a: never[]) => Error]> = [
  ['malformed XML', { headers: XML, body: '<DescribeInstancesResponse><reservationSet>' }, MalformedResponseError],
  ['an HTML sign-in page', { headers: HTML, body: '<!DOCTYPE html><html><body>Sign in</body></html>' }, MalformedResponseError],
  ['an empty body', { headers: XML, body: '' }, MalformedResponseError],
  ['a truncated body', { headers: XML, body: fixture('ec2/describe_instances.xml').slice(0, 400), mode: 'truncate' }, NetworkError],
  ['a connection reset', { mode: 'reset' }, NetworkError],
  ['an HTML 502', { status: 502, headers: HTML, body: '<html>Bad Gateway</html>' }, ProviderError],
];
const DO_CASES: Array<[string, ScriptedRoute, new (...a: never[]) => Error]> = [
  ['malformed JSON', { headers: JSON_TYPE, body: '{"droplets": [' }, MalformedResponseError],
  ['an HTML page', { headers: HTML, body: '<html><body>Cloudflare</body></html>' }, MalformedResponseError],
  ['a truncated body', { headers: JSON_TYPE, body: fixture('digitalocean/list_droplets.json').slice(0, 300), mode: 'truncate' }, NetworkError],
  ['a connection reset', { mode: 'reset' }, NetworkError],
  ['a JSON null', { headers: JSON_TYPE, body: 'null' }, MalformedResponseError],
];

describe.each(['sync', 'async'] as const)('%s mode', (mode) => {
  test('parses good documents from the same server (baseline)', async () => {
    await server.setRoutes({
      'ec2:DescribeInstances': { headers: XML, body: fixture('ec2/describe_instances.xml') },
      'GET /v2/droplets': { headers: JSON_TYPE, body: fixture('digitalocean/list_droplets.json') },
    });
    expect(ec2(mode).mode).toBe(mode);
    const [ec2Nodes, doNodes] = [await listNodes(ec2(mode)), await listNodes(digitalocean(mode))];
    expect((ec2Nodes as { state: string }[]).map((n) => n.state)).toEqual([NodeState.RUNNING, NodeState.PENDING, NodeState.STOPPED, NodeState.TERMINATED]);
    expect((doNodes as { name: string }[]).map((n) => n.name)).toEqual(['example.com', 'worker-1', 'archive-me', 'gone']);
    const seen = await server.requests();
    expect(seen.map((r) => r.key)).toEqual(['ec2:DescribeInstances', 'GET /v2/droplets']);
    expect(seen[0]!.authorization).toMatch(/^AWS4-HMAC-SHA256 /);
    expect(seen[1]!.authorization).toBe('Bearer token');
  });

  test.each(EC2_CASES)('EC2: %s gives a typed error', async (_name, route, ErrorClass) => {
    await server.setRoutes({ 'ec2:DescribeInstances': route });
    const result = await listNodes(ec2(mode));
    expect(result).toBeInstanceOf(ErrorClass);
    expect(result).toMatchObject({ provider: 'ec2' });
  });

  test.each(DO_CASES)('DigitalOcean: %s gives a typed error', async (_name, route, ErrorClass) => {
    await server.setRoutes({ 'GET /v2/droplets': route });
    const result = await listNodes(digitalocean(mode));
    expect(result).toBeInstanceOf(ErrorClass);
    expect(result).toMatchObject({ provider: 'digitalocean' });
  });
});
