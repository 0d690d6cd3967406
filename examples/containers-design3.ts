/**
 * Libcloud's container walkthrough in Design 3 (`async: true`): the three platforms are deployed to at once, the
 * audit lists all three concurrently, and the models call back into the async drivers (`namespace.listContainers()`,
 * `container.destroy()` are Promises).
 */
import { getDriver, Provider } from '@dualcloud/async-mode/container';
import { unique, withCloud, type ExampleOptions } from './lib/common.js';
import { DOCKER_NAME, platformOptions, PORT_BINDINGS, TOMCAT, containersRun, type ContainersRun } from './lib/containers.js';

/** Runs the example on the fake cloud; resolves to what it saw. */
export async function main(options: ExampleOptions = {}): Promise<ContainersRun> {
  const log = options.log ?? console.log;
  return withCloud(options, { latency: 5, nodeBootMs: 50 }, async (cloud) => {
    const opts = platformOptions(cloud);
    const docker = new (getDriver(Provider.DOCKER))({ ...opts.docker, async: true });
    const kubernetes = new (getDriver(Provider.KUBERNETES))({ ...opts.kubernetes, async: true });
    const ecs = new (getDriver(Provider.ECS))({ ...opts.ecs, async: true });
    const suffix = unique();

    // Each platform's deployment is its own chain; the three run at once.
    const [[inDocker], [namespace, inKubernetes], [cluster, inEcs]] = await Promise.all([
      docker.installImage(TOMCAT).then(async (image) => [await image.deploy(DOCKER_NAME, { parameters: { portBindings: PORT_BINDINGS } })] as const),
      kubernetes.createCluster(`tomcat-${suffix}`).then(async (ns) => [ns, await kubernetes.deployContainer('my-tomcat', kubernetes.imageFor(TOMCAT), { cluster: ns })] as const),
      ecs.createCluster(`tomcat-${suffix}`).then(async (cl) => [cl, await ecs.deployContainer('my-tomcat', ecs.imageFor(TOMCAT), { cluster: cl, parameters: { containerPort: 8080, hostPort: 8080 } })] as const),
    ]);
    log(`deployed: docker ${inDocker.name} ${inDocker.state}, kubernetes ${inKubernetes.name} ${inKubernetes.state}, ecs ${inEcs.name} ${inEcs.state}`);

    // The audit: one query per platform, all three at once.
    const mine = new Set([inDocker.id, inKubernetes.id, inEcs.id]);
    const count = (list: ReadonlyArray<{ id: string }>): number => list.filter((c) => mine.has(c.id)).length;
    const [d, k, e] = await Promise.all([docker.listContainers(), namespace.listContainers(), cluster.listContainers()]);
    const listed = { docker: count(d), kubernetes: count(k), ecs: count(e) };
    log(`listed: ${JSON.stringify(listed)}`);

    const results = await Promise.all([inDocker.destroy(), inKubernetes.destroy().then(() => namespace.destroy()), inEcs.destroy().then(() => cluster.destroy())]);
    const destroyed = results.every(Boolean);
    const left = count(await docker.listContainers());
    log(`destroyed: ${destroyed}; left in Docker: ${left}`);
    return containersRun('design3', { docker: inDocker, kubernetes: inKubernetes, ecs: inEcs }, { listed, destroyed, left });
  });
}
