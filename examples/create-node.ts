/**
 * The Twisted-era example: create a node without blocking the event loop. The sync style blocks the thread
 * for the whole call (Libcloud users once reached for `deferToThread`); each async design lets the loop run.
 * `loopTurns` counts how many event-loop turns happened while each call was pending.
 */
import { getDriver as getMethods, Provider as MethodsProvider } from '@dualcloud/async-methods/compute';
import { getDriver as getMode, Provider as ModeProvider } from '@dualcloud/async-mode/compute';
import { AsyncSession } from '@dualcloud/async-session';
import { getDriver, Provider, type NodeImage, type NodeSize } from '@dualcloud/drivers/compute';
import { aws, loopTurns, withCloud, type ExampleOptions } from './lib/common.js';

/** One style's call. */
export interface CreateNodeRun {
  style: 'sync' | 'design1' | 'design2' | 'design3';
  node: string;
  state: string;
  /** Event-loop turns while the call was pending: 0 means the thread was blocked. */
  loopTurnsDuringCall: number;
}

async function measure(style: CreateNodeRun['style'], create: () => { name: string; state: string } | Promise<{ name: string; state: string }>): Promise<CreateNodeRun> {
  const turns = loopTurns();
  const node = await create();
  return { style, node: node.name, state: node.state, loopTurnsDuringCall: turns.stop() };
}

/** Runs the example on the fake cloud; resolves to one entry per style (sync, then Designs 1 to 3). */
export async function main(options: ExampleOptions = {}): Promise<CreateNodeRun[]> {
  const log = options.log ?? console.log;
  return withCloud(options, { latency: 10 }, async (cloud) => {
    const opts = { ...aws('us-west-2'), ...cloud.endpoint('ec2') };
    const EC2 = getDriver(Provider.EC2);
    const ec2 = new EC2(opts);
    const size: NodeSize = ec2.listSizes().find((s) => s.id === 't3.micro')!;
    const image: NodeImage = ec2.listImages()[0]!;
    const runs: CreateNodeRun[] = [];

    // Sync style: the thread is blocked until the node exists.
    runs.push(await measure('sync', () => ec2.createNode({ name: 'twisted-sync', size, image })));

    // Design 1: the same driver instance in a session.
    {
      await using s = new AsyncSession(ec2);
      runs.push(await measure('design1', () => s.createNode({ name: 'twisted-design1', size, image })));
    }

    // Design 2: the *Async twin.
    const ec2Methods = new (getMethods(MethodsProvider.EC2))(opts);
    runs.push(await measure('design2', () => ec2Methods.createNodeAsync({ name: 'twisted-design2', size, image })));

    // Design 3: a driver constructed with async: true.
    const ec2Async = new (getMode(ModeProvider.EC2))({ ...opts, async: true });
    runs.push(await measure('design3', () => ec2Async.createNode({ name: 'twisted-design3', size, image })));

    for (const r of runs) log(`${r.style.padEnd(8)} created ${r.node} (${r.state}); event-loop turns during the call: ${r.loopTurnsDuringCall}`);
    return runs;
  });
}
