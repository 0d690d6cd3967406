/**
 * Libcloud's Twisted example, on Rackspace: list the images and sizes, then create a node from the first of each,
 * without blocking the event loop. Libcloud users ran the blocking calls in a thread (`deferToThread`); here the
 * sync style blocks the thread for the whole sequence, and each async design lets the loop run.
 * `loopTurns` counts the event-loop turns while each style's sequence was pending.
 */
import { getDriver as getMethods, Provider as MethodsProvider } from '@dualcloud/async-methods/compute';
import { getDriver as getMode, Provider as ModeProvider } from '@dualcloud/async-mode/compute';
import { AsyncSession } from '@dualcloud/async-session';
import { getDriver, Provider, type Node, type NodeImage, type NodeSize } from '@dualcloud/drivers/compute';
import { loopTurns, rackspace, withCloud, type ExampleOptions } from './lib/common.js';

/** One style's run. */
export interface RackspaceCreateNodeRun {
  style: 'sync' | 'design1' | 'design2' | 'design3';
  node: string;
  state: string;
  /** Images and sizes listed before creating the node. */
  images: number;
  sizes: number;
  /** Event-loop turns while the sequence was pending: 0 means the thread was blocked. */
  loopTurnsDuringCalls: number;
}

/** The listing and creation a style performs (Libcloud's `_thread_create_node`). */
interface Sequence {
  images: NodeImage[];
  sizes: NodeSize[];
  node: Node;
}

async function measure(style: RackspaceCreateNodeRun['style'], run: () => Sequence | Promise<Sequence>): Promise<RackspaceCreateNodeRun> {
  const turns = loopTurns();
  const { images, sizes, node } = await run();
  return { style, node: node.name, state: node.state, images: images.length, sizes: sizes.length, loopTurnsDuringCalls: turns.stop() };
}

/** Runs the example on the fake cloud; resolves to one entry per style (sync, then Designs 1 to 3). */
export async function main(options: ExampleOptions = {}): Promise<RackspaceCreateNodeRun[]> {
  const log = options.log ?? console.log;
  return withCloud(options, { latency: 10 }, async (cloud) => {
    const opts = rackspace(cloud, 'ORD');
    const Rackspace = getDriver(Provider.RACKSPACE);
    const driver = new Rackspace(opts);
    const runs: RackspaceCreateNodeRun[] = [];

    // Sync style: the thread is blocked while the images, the sizes and the node are fetched and created.
    runs.push(
      await measure('sync', () => {
        const images = driver.listImages();
        const sizes = driver.listSizes();
        const node = driver.createNode({ name: 'twisted-rackspace-sync', image: images[0]!, size: sizes[0]! });
        return { images, sizes, node };
      }),
    );

    // Design 1: the same driver instance in a session.
    {
      await using s = new AsyncSession(driver);
      runs.push(
        await measure('design1', async () => {
          const [images, sizes] = await Promise.all([s.listImages(), s.listSizes()]);
          const node = await s.createNode({ name: 'twisted-rackspace-design1', image: images[0]!, size: sizes[0]! });
          return { images, sizes, node };
        }),
      );
    }

    // Design 2: the *Async twins.
    const methods = new (getMethods(MethodsProvider.RACKSPACE))(opts);
    runs.push(
      await measure('design2', async () => {
        const [images, sizes] = await Promise.all([methods.listImagesAsync(), methods.listSizesAsync()]);
        const node = await methods.createNodeAsync({ name: 'twisted-rackspace-design2', image: images[0]!, size: sizes[0]! });
        return { images, sizes, node };
      }),
    );

    // Design 3: a driver constructed with async: true.
    const asyncDriver = new (getMode(ModeProvider.RACKSPACE))({ ...opts, async: true });
    runs.push(
      await measure('design3', async () => {
        const [images, sizes] = await Promise.all([asyncDriver.listImages(), asyncDriver.listSizes()]);
        const node = await asyncDriver.createNode({ name: 'twisted-rackspace-design3', image: images[0]!, size: sizes[0]! });
        return { images, sizes, node };
      }),
    );

    for (const r of runs) {
      log(`${r.style.padEnd(8)} ${r.images} images, ${r.sizes} sizes; created ${r.node} (${r.state}); event-loop turns meanwhile: ${r.loopTurnsDuringCalls}`);
    }
    return runs;
  });
}
