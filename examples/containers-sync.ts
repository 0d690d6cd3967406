/**
 * Libcloud's container walkthrough in the sync style: pull `tomcat:8.0` into Docker and deploy it as
 * `my_tomcat_container` with port bindings, deploy the same image to a Kubernetes namespace and to an ECS cluster,
 * list the containers of all three, then destroy them. Every call blocks until the platform answers, one platform
 * after another.
 */
import { getDriver, Provider, type Container } from '@dualcloud/drivers/container';
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

    const image = docker.installImage(TOMCAT); // follows the pull's progress stream to its end
    const inDocker = docker.deployContainer(DOCKER_NAME, image, { parameters: { portBindings: PORT_BINDINGS } });
    const namespace = kubernetes.createCluster(`tomcat-${suffix}`);
    const inKubernetes = kubernetes.deployContainer('my-tomcat', kubernetes.imageFor(TOMCAT), { cluster: namespace });
    const cluster = ecs.createCluster(`tomcat-${suffix}`);
    const inEcs = ecs.deployContainer('my-tomcat', ecs.imageFor(TOMCAT), { cluster, parameters: { containerPort: 8080, hostPort: 8080 } });
    log(`deployed: docker ${inDocker.name} ${inDocker.state}, kubernetes ${inKubernetes.name} ${inKubernetes.state}, ecs ${inEcs.name} ${inEcs.state}`);

    // The audit: one query per platform, one after another.
    const mine = new Set([inDocker.id, inKubernetes.id, inEcs.id]);
    const count = (list: Container[]): number => list.filter((c) => mine.has(c.id)).length;
    const listed = { docker: count(docker.listContainers()), kubernetes: count(namespace.listContainers()), ecs: count(cluster.listContainers()) };
    log(`listed: ${JSON.stringify(listed)}`);

    const destroyed = [inDocker.destroy(), inKubernetes.destroy(), inEcs.destroy(), namespace.destroy(), cluster.destroy()].every(Boolean);
    const left = count(docker.listContainers());
    log(`destroyed: ${destroyed}; left in Docker: ${left}`);
    return containersRun('sync', { docker: inDocker, kubernetes: inKubernetes, ecs: inEcs }, { listed, destroyed, left });
  });
}
