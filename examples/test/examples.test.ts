/** Runs every example's `main()` against one shared fake cloud and checks what each one reports. */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startFakeCloud, type FakeCloud } from '@dualcloud/fake-cloud';
import { main as bulkTransfer, progressBar } from '../bulk-transfer.js';
import { main as containersDesign1 } from '../containers-design1.js';
import { main as containersDesign2 } from '../containers-design2.js';
import { main as containersDesign3 } from '../containers-design3.js';
import { main as containersSync } from '../containers-sync.js';
import { main as createNode } from '../create-node.js';
import { main as design1Dummy } from '../design1-dummy.js';
import { main as design2Gcs } from '../design2-gcs.js';
import { main as design3Gcs } from '../design3-gcs.js';
import { main as kubernetesTomcat } from '../kubernetes-tomcat.js';
import { main as multiRegion } from '../multi-region.js';
import { main as parallelDownload } from '../parallel-download.js';
import { main as provisionDesign1 } from '../provision-design1.js';
import { main as provisionDesign2 } from '../provision-design2.js';
import { main as provisionDesign3 } from '../provision-design3.js';
import { main as rackspaceCreateNode } from '../rackspace-create-node.js';
import { main as waitUntilRunning } from '../wait-until-running.js';

let cloud: FakeCloud;
const lines: string[] = [];
const options = () => ({ cloud, log: (line: string) => void lines.push(line) });

beforeAll(async () => {
  cloud = await startFakeCloud({ latency: 10, nodeBootMs: 300 });
});
afterAll(() => cloud.close());

test('design1-dummy: a sync call, then the session; the session closes with its scope', async () => {
  const result = await design1Dummy(options());
  expect(result).toEqual({
    syncNodes: ['dummy-1', 'dummy-2'],
    sessionNodes: ['dummy-1', 'dummy-2'],
    created: 'from-a-session',
    rebooted: true,
    closedAfterScope: true,
  });
});

test('design2-gcs and design3-gcs: every object of every container, processed concurrently within the limit', async () => {
  const two = await design2Gcs(options());
  const three = await design3Gcs(options());
  for (const result of [two, three]) {
    expect(result.containers).toHaveLength(3);
    expect(result.objects).toHaveLength(15);
    expect(result.maxInFlight).toBeLessThanOrEqual(result.limit);
    expect(result.maxInFlight).toBeGreaterThan(1);
  }
  const digest = (r: typeof two) => r.objects.map((o) => [o.name, o.bytes, o.sha256]);
  expect(digest(three)).toEqual(digest(two)); // same data, same results, whatever the design
});

test('create-node: the sync call blocks the event loop, the three designs do not', async () => {
  const runs = await createNode(options());
  expect(runs.map((r) => r.style)).toEqual(['sync', 'design1', 'design2', 'design3']);
  expect(runs.map((r) => r.node)).toEqual(['twisted-sync', 'twisted-design1', 'twisted-design2', 'twisted-design3']);
  expect(runs[0]!.loopTurnsDuringCall).toBe(0);
  for (const run of runs.slice(1)) expect(run.loopTurnsDuringCall).toBeGreaterThan(0);
});

test('rackspace-create-node: images and sizes listed, a node created in each style; only the sync style blocks the loop', async () => {
  const runs = await rackspaceCreateNode(options());
  expect(runs.map((r) => r.style)).toEqual(['sync', 'design1', 'design2', 'design3']);
  expect(runs.map((r) => [r.node, r.state, r.images, r.sizes])).toEqual(
    ['sync', 'design1', 'design2', 'design3'].map((style) => [`twisted-rackspace-${style}`, 'pending', 3, 5]),
  );
  expect(runs[0]!.loopTurnsDuringCalls).toBe(0);
  for (const run of runs.slice(1)) expect(run.loopTurnsDuringCalls).toBeGreaterThan(0);
  expect(lines.some((line) => /^design3 +3 images, 5 sizes; created twisted-rackspace-design3 \(pending\)/.test(line))).toBe(true);
});

test('parallel-download: all objects, bounded, with a progress line per object', async () => {
  const result = await parallelDownload(options());
  expect(result).toMatchObject({ objects: 40, sizesMatch: true, progressLines: 40, limit: 8 });
  expect(result.maxInFlight).toBeLessThanOrEqual(8);
  expect(result.maxInFlight).toBeGreaterThan(1);
  expect(lines).toContain(`downloaded 40/40 objects, ${(result.bytes / 1024).toFixed(0)}/${(result.bytes / 1024).toFixed(0)} KiB`);
});

test('bulk-transfer: one blocking call per bulk operation, requests in flight together, a result per item, a progress bar', async () => {
  const before = lines.length;
  const result = await bulkTransfer(options());
  expect(result).toMatchObject({ uploaded: 48, failedUploads: ['reports/missing.csv'], downloaded: 48, sizesMatch: true, deleted: 48 });
  expect(result.maxInFlight).toBeGreaterThan(1);
  expect(result.maxInFlight).toBeLessThanOrEqual(12);
  const drawn = lines.slice(before);
  expect(drawn).toHaveLength(result.progressLines);
  expect(drawn.filter((l) => /^upload +\[#{20}\]  49\/49 objects \(1 failed\)/.test(l))).toHaveLength(1);
  expect(drawn.some((l) => /^download +\[#{20}\]  48\/48 objects  \d+\.\d\/\d+\.\d MiB  \d+\.\d MiB\/s  ETA 0\.0 s$/.test(l))).toBe(true);
  expect(
    progressBar({ objectsDone: 5, objectsFailed: 0, objectsTotal: 10, bytesDone: 1024 * 1024, bytesTotal: 4 * 1024 * 1024, inFlight: 2, elapsedMs: 500, bytesPerSecond: 2 * 1024 * 1024, objectsPerSecond: 10, etaMs: 1500 }, 8),
  ).toBe('[##------]   5/10 objects  1.0/4.0 MiB  2.0 MiB/s  ETA 1.5 s');
  expect(drawn.some((l) => /^delete +\[#{20}\]  48\/48 objects  \d+ objects\/s  ETA 0\.0 s$/.test(l))).toBe(true);
});

test('multi-region: the failing provider is reported, the others keep their results', async () => {
  const report = await multiRegion(options());
  expect(report.map((r) => r.provider)).toEqual(['ec2 us-east-1', 'ec2 eu-west-1', 'ec2 ap-southeast-1', 'digitalocean', 'digitalocean (wrong token)']);
  report.slice(0, 4).forEach((r, i) => {
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.nodes).toContain(`fleet-${i}`);
  });
  expect(report[4]).toMatchObject({ ok: false, error: 'InvalidCredentialsError' });
});

test('wait-until-running: the node comes up while timers and other calls keep running', async () => {
  const result = await waitUntilRunning(options());
  expect(result.state).toBe('running');
  expect(result.ips.length).toBeGreaterThan(0);
  expect(result.ticks).toBeGreaterThan(0);
  expect(result.otherCalls).toBeGreaterThan(0);
});

test('provision-design1/2/3: a node with a key pair and a data volume, in each design, then torn down', async () => {
  const from = lines.length;
  const three = { design1: await provisionDesign1(options()), design2: await provisionDesign2(options()), design3: await provisionDesign3(options()) };
  const runs = [three.design1, three.design2, three.design3];
  expect(runs.map((r) => [r.style, r.provider])).toEqual([
    ['design1', 'ec2'],
    ['design2', 'digitalocean'],
    ['design3', 'ec2'],
  ]);
  for (const run of runs) {
    expect(run.gotPrivateKey).toBe(true);
    expect(run.left).toEqual({ node: false, volume: false, keyPair: false });
  }
  // EC2 volumes are creating at first; DigitalOcean's exist at once.
  expect(runs.map((r) => r.volumeStates)).toEqual([
    ['creating', 'available', 'inuse', 'available'],
    ['available', 'available', 'inuse', 'available'],
    ['creating', 'available', 'inuse', 'available'],
  ]);
  expect([runs[0]!.device, runs[2]!.device]).toEqual(['/dev/sdf', '/dev/sdf']);
  expect(three.design3.snapshot).toMatch(/-initial$/);
  // The key pairs were logged: as [REDACTED], never the key.
  const logged = lines.slice(from);
  expect(logged.filter((l) => l.startsWith('key pair:'))).toHaveLength(3);
  for (const line of logged.filter((l) => l.startsWith('key pair:'))) expect(line).toContain("privateKey: '[REDACTED]'");
  expect(logged.some((l) => l.includes('PRIVATE KEY'))).toBe(false);
});

test('run.ts lists the examples when given no (or an unknown) name', () => {
  const tsx = createRequire(import.meta.url).resolve('tsx/cli');
  const runner = fileURLToPath(new URL('../run.ts', import.meta.url));
  const out = spawnSync(process.execPath, [tsx, runner, 'no-such-example'], { encoding: 'utf8', timeout: 30_000 });
  expect(out.status).toBe(1);
  for (const name of ['containers-design1', 'containers-design2', 'containers-design3', 'containers-sync', 'create-node', 'design1-dummy', 'design2-gcs', 'design3-gcs', 'multi-region', 'parallel-download', 'provision-design1', 'provision-design2', 'provision-design3', 'rackspace-create-node', 'wait-until-running']) {
    expect(out.stderr).toContain(name);
  }
});

test('kubernetes-tomcat: from a kubeconfig, a pod deployed pending, running with an IP, its log read, all destroyed, in Design 3 and the sync style', async () => {
  lines.length = 0;
  const runs = await kubernetesTomcat(options());
  expect(runs.map((r) => [r.style, r.namespace, r.states, r.logLines, r.destroyed])).toEqual([
    ['design3', 'tomcat-design3', ['pending', 'running'], 3, true],
    ['sync', 'tomcat-sync', ['pending', 'running'], 3, true],
  ]);
  expect(runs.every((r) => /^10\.244\.\d+\.\d+$/.test(r.ip))).toBe(true);
  expect(lines.filter((l) => /^(sync|design3) +tomcat-(sync|design3)\/my-tomcat\/my-tomcat pending → running at 10\.244\./.test(l))).toHaveLength(2);
});

test("containers-*: Libcloud's walkthrough (Docker, a Kubernetes namespace, an ECS cluster) in every style: deployed, listed by the audit, destroyed", async () => {
  // The async designs first: the sync style blocks this thread, and with it the timers of the async pools.
  const runs = [await containersDesign3(options()), await containersDesign2(options()), await containersDesign1(options()), await containersSync(options())];
  expect(runs.map((r) => r.style)).toEqual(['design3', 'design2', 'design1', 'sync']);
  for (const run of runs) {
    expect(run.deployed.docker).toEqual({ name: 'my_tomcat_container', state: 'running' });
    expect(run.deployed.kubernetes.name).toBe('my-tomcat');
    expect(run.deployed.ecs.name).toBe('my-tomcat');
    expect(['pending', 'running']).toContain(run.deployed.kubernetes.state);
    expect(['pending', 'running']).toContain(run.deployed.ecs.state);
    expect(run.listed).toEqual({ docker: 1, kubernetes: 1, ecs: 1 });
    expect(run.destroyed).toBe(true);
    expect(run.left).toBe(0);
  }
});
