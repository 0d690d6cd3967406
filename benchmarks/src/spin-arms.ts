/**
 * Experiment: the sync style's per-call time with the caller's and the worker's spinning chosen separately
 * (caller spins for the reply / worker spins for the next request; `auto`: the bridge's measured policy), interleaved with Design 3, on the DigitalOcean
 * list (three droplets) against the fake cloud in a child process. Optionally with one busy core.
 *
 *   pnpm exec tsx benchmarks/src/spin-arms.ts [--calls 300] [--rounds 7] [--busy] [--arms park/park,auto,...]
 */
import { syncBridge, closeTransports, type SyncBridge } from '@dualcloud/core';
import { startFakeCloud } from '@dualcloud/fake-cloud';
import { createMode, type ModeContext } from './modes.js';
import { runPool } from './pool.js';
import { withBusyCore } from './support/busy-core.js';

const argv = process.argv.slice(2);
const opt = (name: string, d: number): number => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : d);
const calls = opt('--calls', 300);
const rounds = opt('--rounds', 7);
const busy = argv.includes('--busy');

type Arm = { name: string; caller: boolean; worker: boolean } | { name: string; auto: true };

const allArms: Arm[] = [
  { name: 'park/park', caller: false, worker: false },
  { name: 'park/worker-spin', caller: false, worker: true },
  { name: 'spin/park', caller: true, worker: false },
  { name: 'spin/spin', caller: true, worker: true },
  { name: 'auto', auto: true },
];
const only = argv.includes('--arms') ? argv[argv.indexOf('--arms') + 1]!.split(',') : undefined;
const arms = only ? allArms.filter((a) => only.includes(a.name)) : allArms;

const original = syncBridge.call.bind(syncBridge);
function force(arm: Arm): void {
  if ('auto' in arm) {
    (syncBridge as { call: SyncBridge['call'] }).call = original;
    return;
  }
  (syncBridge as { call: SyncBridge['call'] }).call = function (this: SyncBridge, request) {
    const id = this.submit(request, arm.worker);
    for (;;) {
      const r = this.take(id);
      if (r) return r;
      this.waitAny(Infinity, arm.caller);
    }
  };
}

const cloud = await startFakeCloud({ doRateLimit: 1_000_000 }, { isolation: 'process' });
const ctx: ModeContext = { cloud, region: 'us-east-1', bucket: 'bench', concurrency: 50 };
try {
  const { getDriver, Provider } = await import('@dualcloud/drivers/compute');
  const { getDriver: getStorage, Provider: StorageProvider } = await import('@dualcloud/drivers/storage');
  const { FAKE_CREDENTIALS } = await import('@dualcloud/fake-cloud');
  const aws = FAKE_CREDENTIALS.aws;
  new (getStorage(StorageProvider.S3))({ key: aws.accessKeyId, secret: aws.secretAccessKey, region: 'us-east-1', ...cloud.endpoint('s3') }).createContainer(ctx.bucket);
  const seed = createMode('sync', ctx);
  const drv = new (getDriver(Provider.DIGITAL_OCEAN))({ key: FAKE_CREDENTIALS.digitalocean.token, ...cloud.endpoint('digitalocean') });
  const [size] = drv.listSizes();
  const [image] = drv.listImages();
  for (let i = 0; i < 3; i++) drv.createNode({ name: `arms-${i}`, size: size!, image: image! });
  const d3 = createMode('design3', ctx);
  const samples = new Map<string, number[]>([...arms.map((a) => a.name), 'design3'].map((n) => [n, []]));
  const cpu = new Map<string, number[]>([...arms.map((a) => a.name), 'design3'].map((n) => [n, []]));
  const measure = async (): Promise<void> => {
    await runPool(500, 1, false, 60_000, () => seed.listDroplets());
    await runPool(500, 1, true, 60_000, () => d3.listDroplets());
    for (let r = 0; r < rounds; r++) {
      for (const arm of arms) {
        force(arm);
        runPool(20, 1, false, 60_000, () => seed.listDroplets()); // settle into the arm
        const c0 = process.cpuUsage();
        const run = await runPool(calls, 1, false, 60_000, () => seed.listDroplets());
        const c1 = process.cpuUsage(c0);
        samples.get(arm.name)!.push((run.wallMs * 1000) / run.completed);
        cpu.get(arm.name)!.push((c1.user + c1.system) / run.completed);
      }
      force({ name: 'auto', auto: true });
      const c0 = process.cpuUsage();
      const run = await runPool(calls, 1, true, 60_000, () => d3.listDroplets());
      const c1 = process.cpuUsage(c0);
      samples.get('design3')!.push((run.wallMs * 1000) / run.completed);
      cpu.get('design3')!.push((c1.user + c1.system) / run.completed);
    }
  };
  if (busy) await withBusyCore(measure);
  else await measure();
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const d3m = median(samples.get('design3')!);
  for (const [name, xs] of samples) console.log(`${name.padEnd(18)} ${median(xs).toFixed(1).padStart(7)} µs  ×d3 ${(median(xs) / d3m).toFixed(2)}  cpu ${median(cpu.get(name)!).toFixed(1)} µs  [${xs.map((x) => x.toFixed(0)).join(' ')}]`);
  console.log('policy', JSON.stringify(syncBridge.spin.snapshot()));
  await seed.close();
  await d3.close();
} finally {
  await cloud.close();
  await closeTransports();
}
