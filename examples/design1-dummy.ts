/**
 * Design 1 with the Dummy driver (the seed's first snippet): a plain sync call, then the same driver in an
 * `AsyncSession` — Python's `async with AsyncSession(driver) as s` is `await using s = new AsyncSession(driver)`.
 */
import { AsyncSession } from '@dualcloud/async-session';
import { getDriver, Provider } from '@dualcloud/drivers/compute';
import type { ExampleOptions } from './lib/common.js';

/** What the example found. */
export interface Design1DummyResult {
  syncNodes: string[];
  sessionNodes: string[];
  created: string;
  rebooted: boolean;
  closedAfterScope: boolean;
}

/** Runs the example (no fake cloud needed: Dummy is in memory); resolves to what it saw. */
export async function main(options: ExampleOptions = {}): Promise<Design1DummyResult> {
  const log = options.log ?? console.log;
  const Dummy = getDriver(Provider.DUMMY);
  const driver = new Dummy({ key: 'any', latencyMs: 20 });

  // The sync-style API, unchanged.
  const syncNodes = driver.listNodes().map((n) => n.name);
  log(`sync:    ${syncNodes.join(', ')}`);

  let session: AsyncSession<typeof driver>;
  let result: Omit<Design1DummyResult, 'closedAfterScope'>;
  {
    await using s = new AsyncSession(driver);
    session = s;
    // Three calls at once: about one latency, not three.
    const [nodes, sizes, images] = await Promise.all([s.listNodes(), s.listSizes(), s.listImages()]);
    log(`session: ${nodes.map((n) => n.name).join(', ')} (${sizes.length} sizes, ${images.length} images)`);
    const node = await s.createNode({ name: 'from-a-session', size: sizes[0]!, image: images[0]! });
    const rebooted = await node.reboot(); // a session-bound model: reboot() is a Promise
    log(`created ${node.name} and rebooted it: ${rebooted}`);
    result = { syncNodes, sessionNodes: nodes.map((n) => n.name), created: node.name, rebooted };
  } // the session closes here; the driver stays usable in sync style
  log(`after the scope: session closed = ${session.closed}; sync listNodes() still gives ${driver.listNodes().length} nodes`);
  return { ...result, closedAfterScope: session.closed };
}
