/**
 * Container provider names, spelled as Apache Libcloud spells them.
 * @module
 */

/**
 * Container providers (Libcloud's `libcloud.container.types.Provider`).
 * @example
 * ```ts
 * const Docker = getDriver(Provider.DOCKER);
 * ```
 */
export const Provider = {
  /** In-memory driver for docs, examples and tests. */
  DUMMY: 'dummy',
  /** Amazon Elastic Container Service (JSON 1.1 API, SigV4). */
  ECS: 'ecs',
  /** Kubernetes: pods in namespaces (Libcloud's `KUBERNETES`). */
  KUBERNETES: 'kubernetes',
  /** Docker Engine API v1.41+, over a Unix socket or TCP. */
  DOCKER: 'docker',
} as const;

/** One of {@link Provider}'s values. */
export type Provider = (typeof Provider)[keyof typeof Provider];
