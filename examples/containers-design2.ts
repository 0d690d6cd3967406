/**
 * Libcloud's container walkthrough in Design 2 (`*Async` twins): the same drivers, the twins awaited, the three
 * platforms deployed to and listed concurrently. The models stay sync-style (`container.destroy()` would block),
 * so the teardown uses the twins too.
 */
import { getDriver, Provider } from '@dualcloud/async-methods/container';
import { unique, withCloud, type ExampleOptions } from './lib/common.js';
import { DOCKER_NAME, platformOptions, PORT_BINDINGS, TOMCAT, containersRun, type ContainersRun } from './lib/containers.js';

/** Runs the example on the fake cloud; resolves to what it saw. */
export async function main(options: ExampleOptions = {}): Promise<ContainersRun> {
  const log = options.log ?? console.log;
  return withCloud(options, { latency: 5, nodeBootMs: 50 }, async (cloud) => {
    const opts = platformOptions(cloud);
    const docker = new (getDriver(Provider.DOCKER))(opts.docker);
    const kubernetes = new (getDriver(Provider.KUBERNETES))(opts.kubernetes);
    const ecs = new (getDriver(Provider.ECS))(opts.ecs);
    const suffix = unique();

    const [[inDocker], [namespace, inKubernetes], [cluster, inEcs]] = await Promise.all([
      docker.installImageAsync(TOMCAT).then(async (image) => [await docker.deployContainerAsync(DOCKER_NAME, image, { parameters: { portBindings: PORT_BINDINGS } })] as const),
      kubernetes.createClusterAsync(`tomcat-${suffix}`).then(async (ns) => [ns, await kubernetes.deployContainerAsync('my-tomcat', kubernetes.imageFor(TOMCAT), { cluster: ns })] as const),
      ecs.createClusterAsync(`tomcat-${suffix}`).then(async (cl) => [cl, await ecs.deployContainerAsync('my-tomcat', ecs.imageFor(TOMCAT), { cluster: cl, parameters: { containerPort: 8080, hostPort: 8080 } })] as const),
    ]);
    log(`deployed: docker ${inDocker.name} ${inDocker.state}, kubernetes ${inKubernetes.name} ${inKubernetes.state}, ecs ${inEcs.name} ${inEcs.state}`);

    const mine = new Set([inDocker.id, inKubernetes.id, inEcs.id]);
    const count = (list: ReadonlyArray<{ id: string }>): number => list.filter((c) => mine.has(c.id)).length;
    const [d, k, e] = await Promise.all([docker.listContainersAsync(), kubernetes.listContainersAsync({ cluster: namespace }), ecs.listContainersAsync({ cluster })]);
    const listed = { docker: count(d), kubernetes: count(k), ecs: count(e) };
    log(`listed: ${JSON.stringify(listed)}`);

    const results = await Promise.all([
      docker.destroyContainerAsync(inDocker),
      kubernetes.destroyContainerAsync(inKubernetes).then(() => kubernetes.destroyClusterAsync(namespace)),
      ecs.destroyContainerAsync(inEcs).then(() => ecs.destroyClusterAsync(cluster)),
    ]);
    const destroyed = results.every(Boolean);
    const left = count(await docker.listContainersAsync());
    log(`destroyed: ${destroyed}; left in Docker: ${left}`);
    return containersRun('design2', { docker: inDocker, kubernetes: inKubernetes, ecs: inEcs }, { listed, destroyed, left });
  });
}
