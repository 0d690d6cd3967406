/**
 * `pnpm fake-cloud`: runs the fake cloud in this process until interrupted, printing where it listens and the
 * credentials to use.
 *
 * Flags: `--port N`, `--latency MS | MIN-MAX | MEAN~JITTER`, `--fault-rate R`, `--fault-kinds 500,503,...`,
 * `--seed N`, `--node-boot-ms N`, `--min-part-size BYTES`, `--max-object-bytes BYTES`,
 * `--verify-content-md5 true|false`, `--s3-list-v1-only`, `--token-ttl-ms N`, `--json`.
 * @module
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FAKE_CREDENTIALS, FAULT_KINDS, type FakeCloudOptions, type FaultKind, type LatencySpec } from './options.js';
import { createFakeCloudServer } from './server.js';

/** Parses `50`, `20-80` (uniform) or `50~10` (mean and jitter). */
export function parseLatency(text: string): LatencySpec {
  const range = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(text);
  if (range) return { min: Number(range[1]), max: Number(range[2]) };
  const jitter = /^(\d+(?:\.\d+)?)~(\d+(?:\.\d+)?)$/.exec(text);
  if (jitter) return { mean: Number(jitter[1]), jitter: Number(jitter[2]) };
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text);
  throw new RangeError(`--latency: expected MS, MIN-MAX or MEAN~JITTER, got ${text}`);
}

/** Turns command-line flags into options. */
export function optionsFromArgs(args: string[]): { options: FakeCloudOptions; json: boolean } {
  const { values } = parseArgs({
    // `pnpm fake-cloud -- --port 9000` passes the `--` through.
    args: args[0] === '--' ? args.slice(1) : args,
    options: {
      port: { type: 'string' },
      latency: { type: 'string' },
      'fault-rate': { type: 'string' },
      'fault-kinds': { type: 'string' },
      seed: { type: 'string' },
      'node-boot-ms': { type: 'string' },
      'min-part-size': { type: 'string' },
      'max-object-bytes': { type: 'string' },
      'verify-content-md5': { type: 'string' },
      's3-list-v1-only': { type: 'boolean' },
      'token-ttl-ms': { type: 'string' },
      json: { type: 'boolean' },
    },
    strict: true,
  });
  const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
  const kinds = values['fault-kinds']?.split(',').map((k) => k.trim()) as FaultKind[] | undefined;
  for (const k of kinds ?? []) if (!FAULT_KINDS.includes(k)) throw new RangeError(`--fault-kinds: unknown kind ${k} (known: ${FAULT_KINDS.join(', ')})`);
  const verify = values['verify-content-md5'];
  if (verify !== undefined && verify !== 'true' && verify !== 'false') throw new RangeError(`--verify-content-md5: expected true or false, got ${verify}`);
  const options: FakeCloudOptions = {
    port: num(values.port) ?? 9000,
    latency: values.latency ? parseLatency(values.latency) : undefined,
    faults: { rate: num(values['fault-rate']) ?? 0, kinds, seed: num(values.seed) },
    nodeBootMs: num(values['node-boot-ms']),
    minPartSize: num(values['min-part-size']),
    maxObjectBytes: num(values['max-object-bytes']),
    verifyContentMd5: verify === undefined ? undefined : verify === 'true',
    s3ListV1Only: values['s3-list-v1-only'],
    tokenTtlMs: num(values['token-ttl-ms']),
  };
  return { options, json: values.json ?? false };
}

async function main(): Promise<void> {
  const { options, json } = optionsFromArgs(process.argv.slice(2));
  const server = createFakeCloudServer(options);
  const port = await server.listen();
  const c = FAKE_CREDENTIALS;
  if (json) {
    process.stdout.write(`${JSON.stringify({ host: '127.0.0.1', port, secure: false, credentials: c })}\n`);
  } else {
    process.stdout.write(
      [
        `fake-cloud listening on http://127.0.0.1:${port} (host 127.0.0.1, port ${port}, secure false) for every provider`,
        `  ec2, s3          key ${c.aws.accessKeyId}  secret ${c.aws.secretAccessKey}  (region from the signature, e.g. us-east-1)`,
        `  digitalocean     token ${c.digitalocean.token}`,
        `  google_storage   HMAC key ${c.gcs.accessKeyId}  secret ${c.gcs.secretAccessKey}`,
        `  keystone         auth URL http://127.0.0.1:${port}/identity/v3  user ${c.keystone.username}  password ${c.keystone.password}  project ${c.keystone.project}  domain ${c.keystone.domain}`,
        `  openstack        compute and images through the keystone catalog; rackspace: auth URL http://127.0.0.1:${port}/identity/v2.0  user ${c.keystone.username}  apiKey ${c.keystone.apiKey}`,
        `  swift            via Keystone (catalog: object-store), or v1.0 auth http://127.0.0.1:${port}/auth/v1.0  user ${c.keystone.project}:${c.keystone.username}  key ${c.keystone.password}`,
        `  kubernetes       server http://127.0.0.1:${port}  token ${c.kubernetes.token}`,
        `  cloudfiles       identity http://127.0.0.1:${port}/rackspace/v2.0  user ${c.keystone.username}  API key ${c.keystone.password}  regions ORD, DFW`,
        `  latency ${JSON.stringify(server.options.latency)} ms, fault rate ${server.options.faults.rate}, node boot ${server.options.nodeBootMs} ms`,
        'Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
  }
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function isMain(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  main().catch((e: unknown) => {
    process.stderr.write(`fake-cloud: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
