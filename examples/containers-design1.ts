/**
 * Libcloud's container walkthrough in Design 1 (`AsyncSession`): one session over the three platforms' sync-style
 * drivers; `s.for(driver)` is that driver's async view, its models are session-bound (`image.deploy(...)`,
 * `container.destroy()` are Promises), and leaving the scope aborts whatever is still in flight.
 */
import { AsyncSession } from '@dualcloud/async-session';
import { getDriver, Provider, type ContainerDriver } from '@dualcloud/drivers/container';
import { unique, withCloud, type ExampleOptions } from './lib/common.js';
import { DOCKER_NAME, platformOptions, PORT_BINDINGS, TOMCAT, containersRun, type ContainersRun } from './lib/containers.js';

/** Runs the example on the fake cloud; resolves to what it saw. */
export async function main(options: ExampleOptions = {}): Promise<ContainersRun> {
  const log = options.log ?? console.log;
  return withCloud(options, { latency: 5, nodeBootMs: 50 }, async (cloud) => {
    const opts = platformOptions(cloud);
    const dockerDriver = new (getDriver(Provider.DOCKER))(opts.docker);
    const kubernetesDriver = new (getDriver(Provider.KUBERNETES))(opts.kubernetes);
    const ecsDriver = new (getDriver(Provider.ECS))(opts.ecs);
    const suffix = unique();

    await using s = new AsyncSession([dockerDriver, kubernetesDriver, ecsDriver] as [ContainerDriver, ...ContainerDriver[]]);
    const [docker, kubernetes, ecs] = [s.for(dockerDriver), s.for(kubernetesDriver), s.for(ecsDriver)];

    const [[inDocker], [namespace, inKubernetes], [cluster, inEcs]] = await Promise.all([
      docker.installImage(TOMCAT).then(async (image) => [await image.deploy(DOCKER_NAME, { parameters: { portBindings: PORT_BINDINGS } })] as const),
      kubernetes.createCluster(`tomcat-${suffix}`).then(async (ns) => [ns, await kubernetes.deployContainer('my-tomcat', kubernetesDriver.imageFor(TOMCAT), { cluster: ns })] as const),
      ecs.createCluster(`tomcat-${suffix}`).then(async (cl) => [cl, await ecs.deployContainer('my-tomcat', ecsDriver.imageFor(TOMCAT), { cluster: cl, parameters: { containerPort: 8080, hostPort: 8080 } })] as const),
    ]);
    log(`deployed: docker ${inDocker.name} ${inDocker.state}, kubernetes ${inKubernetes.name} ${inKubernetes.state}, ecs ${inEcs.name} ${inEcs.state}`);

    const mine = new Set([inDocker.id, inKubernetes.id, inEcs.id]);
    const count = (list: ReadonlyArray<{ id: string }>): number => list.filter((c) => mine.has(c.id)).length;
    const [d, k, e] = await Promise.all([docker.listContainers(), namespace.listContainers(), cluster.listContainers()]);
    const listed = { docker: count(d), kubernetes: count(k), ecs: count(e) };
    log(`listed: ${JSON.stringify(listed)}`);

    const results = await Promise.all([inDocker.destroy(), inKubernetes.destroy().then(() => namespace.destroy()), inEcs.destroy().then(() => cluster.destroy())]);
    const destroyed = results.every(Boolean);
    const left = count(await docker.listContainers());
    log(`destroyed: ${destroyed}; left in Docker: ${left}`);
    return containersRun('design1', { docker: inDocker, kubernetes: inKubernetes, ecs: inEcs }, { listed, destroyed, left });
  });
}
