/**
 * Fetch nodes from several EC2 regions and DigitalOcean at once, through one `AsyncSession` over all the
 * drivers (Design 1). One provider has wrong credentials: its failure is reported, the others' results kept
 * (the `Promise.allSettled` pattern).
 */
import { AsyncSession } from '@dualcloud/async-session';
import { CloudError } from '@dualcloud/core';
import { getDriver, Provider, type NodeDriver } from '@dualcloud/drivers/compute';
import { aws, digitalOcean, withCloud, type ExampleOptions } from './lib/common.js';

/** One provider's outcome. */
export type ProviderReport =
  | { provider: string; ok: true; nodes: string[] }
  | { provider: string; ok: false; error: string; code: string | undefined };

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-1'];

/** Runs the example on the fake cloud; resolves to one report per provider. */
export async function main(options: ExampleOptions = {}): Promise<ProviderReport[]> {
  const log = options.log ?? console.log;
  return withCloud(options, { latency: 10 }, async (cloud) => {
    const EC2 = getDriver(Provider.EC2);
    const DigitalOcean = getDriver(Provider.DIGITAL_OCEAN);
    const targets: { label: string; driver: NodeDriver }[] = [
      ...REGIONS.map((region) => ({ label: `ec2 ${region}`, driver: new EC2({ ...aws(region), ...cloud.endpoint('ec2') }) as NodeDriver })),
      { label: 'digitalocean', driver: new DigitalOcean({ ...digitalOcean(), ...cloud.endpoint('digitalocean') }) },
      { label: 'digitalocean (wrong token)', driver: new DigitalOcean({ key: 'dop_v1_not_a_valid_token', ...cloud.endpoint('digitalocean') }) },
    ];

    // Setup in sync style: one node per working target.
    for (const [i, { driver }] of targets.slice(0, 4).entries()) {
      const size = driver.listSizes().find((s) => s.id === 't3.micro') ?? driver.listSizes()[0]!;
      driver.createNode({ name: `fleet-${i}`, size, image: driver.listImages()[0]!, location: driver.listLocations()[0]! });
    }

    // Every provider at once; a failure does not lose the other results.
    await using s = new AsyncSession(targets.map((t) => t.driver) as [NodeDriver, ...NodeDriver[]]);
    const settled = await Promise.allSettled(targets.map((t) => s.for(t.driver).listNodes()));
    const report: ProviderReport[] = settled.map((outcome, i) => {
      const provider = targets[i]!.label;
      if (outcome.status === 'fulfilled') return { provider, ok: true, nodes: outcome.value.map((n) => n.name) };
      const error = outcome.reason as Error;
      return { provider, ok: false, error: error.name, code: CloudError.is(error) ? error.code : undefined };
    });
    for (const r of report) log(r.ok ? `${r.provider.padEnd(28)} ${r.nodes.length} node(s): ${r.nodes.join(', ')}` : `${r.provider.padEnd(28)} failed: ${r.error} (${r.code})`);
    return report;
  });
}
