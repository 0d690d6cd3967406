/**
 * Libcloud's Kubernetes walkthrough on the fake cloud: a driver loaded from a kubeconfig (as kubectl finds it),
 * a namespace as the cluster, a single-container tomcat pod deployed into it, listed, fetched, its log read, then
 * everything destroyed. Once in Design 3 (`async: true`), where the polling leaves the event loop free, then in the
 * sync style.
 */
import { getDriver as getMode, Provider as ModeProvider } from '@dualcloud/async-mode/container';
import { ContainerImage, ContainerState, KubernetesContainerDriver, type Container } from '@dualcloud/drivers/container';
import { writeFakeKubeconfig } from '@dualcloud/fake-cloud';
import { withCloud, type ExampleOptions } from './lib/common.js';

/** What each style did. */
export interface KubernetesRun {
  style: 'design3' | 'sync';
  namespace: string;
  /** The container's state as deployed, then once it runs. */
  states: string[];
  ip: string;
  logLines: number;
  destroyed: boolean;
}

const tomcat = (driver: { imageFor(path: string): ContainerImage }): ContainerImage => driver.imageFor('tomcat:8.0');

/** Runs the example; resolves to one entry per style. */
export async function main(options: ExampleOptions = {}): Promise<KubernetesRun[]> {
  const log = options.log ?? console.log;
  return withCloud(options, { nodeBootMs: 100 }, async (cloud) => {
    const kubeconfig = writeFakeKubeconfig(cloud.port);
    const runs: KubernetesRun[] = [];

    // Design 3: the same driver class with `async: true`; every call is a Promise, the log an AsyncIterable.
    {
      const Kubernetes = getMode(ModeProvider.KUBERNETES);
      const driver = (Kubernetes as unknown as typeof KubernetesContainerDriver).fromKubeconfig({ path: kubeconfig, async: true } as never) as unknown as InstanceType<typeof Kubernetes>;
      // Reads first (a GET, retried on a network failure, unlike the POSTs after it), as kubectl's users do.
      const before = await driver.listClusters();
      log(`design3  ${before.length} namespaces: ${before.map((c) => c.id).join(', ')}`);
      const cluster = await driver.createCluster('tomcat-design3');
      const deployed = await driver.deployContainer('my-tomcat', tomcat(driver), { cluster: cluster as never });
      let running = deployed;
      for (let i = 0; i < 100 && running.state !== ContainerState.RUNNING; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        running = await driver.getContainer(deployed.id);
      }
      let lines = 0;
      for await (const _line of running.logs()) lines += 1;
      log(`design3  ${running.id} ${deployed.state} → ${running.state} at ${running.ipAddresses.join(', ')}; ${lines} log lines`);
      const destroyed = (await running.destroy()) && (await driver.destroyCluster(cluster as never));
      runs.push({ style: 'design3', namespace: cluster.id, states: [deployed.state, running.state], ip: running.ipAddresses[0] ?? '', logLines: lines, destroyed });
    }
    // The sync style last: it blocks this thread, and with it the timers that retire idle pooled connections of the
    // async style.
    // Sync style: each call blocks until the API answers.
    {
      const driver = KubernetesContainerDriver.fromKubeconfig({ path: kubeconfig });
      const cluster = driver.createCluster('tomcat-sync');
      const deployed = driver.deployContainer('my-tomcat', tomcat(driver), { cluster });
      let running: Container = deployed;
      for (let i = 0; i < 100 && running.state !== ContainerState.RUNNING; i++) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20); // a blocking pause, as the sync style is
        running = driver.getContainer(deployed.id);
      }
      const lines = [...running.logs()];
      log(`sync     ${running.id} ${deployed.state} → ${running.state} at ${running.ipAddresses.join(', ')}; ${lines.length} log lines`);
      const destroyed = running.destroy() && cluster.destroy();
      runs.push({ style: 'sync', namespace: cluster.id, states: [deployed.state, running.state], ip: running.ipAddresses[0] ?? '', logLines: lines.length, destroyed });
    }

    return runs;
  });
}
