/**
 * What the container walkthroughs (`examples/containers-*.ts`) share: the three platforms' options on the fake
 * cloud, and the shape of a run's result.
 * @module
 */
import { FAKE_CREDENTIALS, type FakeCloud } from '@dualcloud/fake-cloud';

/** The platforms of Libcloud's container walkthrough. */
export const PLATFORMS = ['docker', 'kubernetes', 'ecs'] as const;
/** One of {@link PLATFORMS}. */
export type Platform = (typeof PLATFORMS)[number];

/** Driver options for each platform on the fake cloud (Docker over TCP, Kubernetes with a bearer token, ECS with SigV4). */
export function platformOptions(cloud: FakeCloud): Record<Platform, Record<string, unknown>> {
  const docker = cloud.endpoint('docker');
  return {
    docker: { host: docker.host, port: docker.port },
    kubernetes: { token: FAKE_CREDENTIALS.kubernetes.token, ...cloud.endpoint('kubernetes') },
    ecs: { key: FAKE_CREDENTIALS.aws.accessKeyId, secret: FAKE_CREDENTIALS.aws.secretAccessKey, region: 'us-east-1', ...cloud.endpoint('ecs') },
  };
}

/** The image every platform deploys, and Docker's container name and port bindings (Libcloud's walkthrough). */
export const TOMCAT = 'tomcat:8.0';
export const DOCKER_NAME = 'my_tomcat_container';
export const PORT_BINDINGS = { 8080: 8080 };

/** What one run of the walkthrough saw. */
export interface ContainersRun {
  style: 'sync' | 'design1' | 'design2' | 'design3';
  /** The container each platform deployed: its name and state as deployed. */
  deployed: Record<Platform, { name: string; state: string }>;
  /** How many of the run's containers each platform listed (the audit query). */
  listed: Record<Platform, number>;
  /** Whether every container (and the cluster / namespace it was in) was destroyed. */
  destroyed: boolean;
  /** Containers of the run still listed after the teardown. */
  left: number;
}

/** A run's result from what it deployed and saw. */
export function containersRun(
  style: ContainersRun['style'],
  deployed: Record<Platform, { readonly name: string; readonly state: string }>,
  seen: Pick<ContainersRun, 'listed' | 'destroyed' | 'left'>,
): ContainersRun {
  const summary = (c: { readonly name: string; readonly state: string }) => ({ name: c.name, state: c.state });
  return { style, deployed: { docker: summary(deployed.docker), kubernetes: summary(deployed.kubernetes), ecs: summary(deployed.ecs) }, ...seen };
}
