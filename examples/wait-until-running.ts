/**
 * A long-running call (`waitUntilRunning`, which polls until the node is up) while other work keeps running
 * (Design 2). A timer keeps ticking and other API calls complete while the wait is pending.
 */
import { getDriver, Provider } from '@dualcloud/async-methods/compute';
import { aws, digitalOcean, withCloud, type ExampleOptions } from './lib/common.js';

/** What happened while waiting. */
export interface WaitResult {
  node: string;
  state: string;
  ips: string[];
  /** 10 ms timer ticks while waiting. */
  ticks: number;
  /** Other API calls completed while waiting. */
  otherCalls: number;
}

/** Runs the example on the fake cloud; resolves to the running node and what happened meanwhile. */
export async function main(options: ExampleOptions = {}): Promise<WaitResult> {
  const log = options.log ?? console.log;
  return withCloud(options, { latency: 10, nodeBootMs: 400 }, async (cloud) => {
    const EC2 = getDriver(Provider.EC2);
    const DigitalOcean = getDriver(Provider.DIGITAL_OCEAN);
    const ec2 = new EC2({ ...aws('eu-central-1'), ...cloud.endpoint('ec2') });
    const digitalocean = new DigitalOcean({ ...digitalOcean(), ...cloud.endpoint('digitalocean') });
    const size = (await ec2.listSizesAsync()).find((s) => s.id === 't3.micro')!;
    const [image] = await ec2.listImagesAsync();

    const node = await ec2.createNodeAsync({ name: 'patience', size, image: image! });
    log(`created ${node.name}: ${node.state}`);

    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    let waiting = true;
    let otherCalls = 0;
    const stop = new AbortController(); // ends the wait early if the other work fails
    const waited = ec2.withSignal(stop.signal).waitUntilRunningAsync([node], { pollInterval: 50, timeout: 30_000 }).finally(() => {
      waiting = false;
    });
    const otherWork = (async () => {
      while (waiting) {
        await Promise.all([digitalocean.listSizesAsync(), ec2.listNodesAsync()]);
        otherCalls += 2;
      }
    })();
    try {
      // Both awaited together, so a failure of either is handled at once.
      const [[running]] = await Promise.all([waited, otherWork]);
      log(`${running!.node.name} is ${running!.node.state} at ${running!.ips.join(', ')}; meanwhile ${ticks} timer ticks and ${otherCalls} other calls`);
      return { node: running!.node.name, state: running!.node.state, ips: running!.ips, ticks, otherCalls };
    } finally {
      waiting = false;
      stop.abort();
      clearInterval(timer);
    }
  });
}
