/**
 * Container image references (`tomcat:8.0`, `quay.io/org/app@sha256:…`, an ECR URI), parsed once for every
 * container driver.
 * @module
 */
import { InvalidArgumentError } from './errors/index.js';

/** A parsed image reference. */
export interface ImageReference {
  /** Registry host (and port), e.g. `quay.io`; undefined for Docker Hub's default. */
  registry?: string;
  /** Repository, e.g. `library/tomcat` is written `tomcat`: the name as the user wrote it, without registry. */
  repository: string;
  /** Tag, e.g. `8.0`; `latest` when neither a tag nor a digest is given. */
  tag: string;
  /** Digest, e.g. `sha256:…`, when the reference pins one. */
  digest?: string;
  /** The reference in canonical short form: `[registry/]repository(:tag|@digest)`. */
  reference: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;

/**
 * Parses an image reference as Docker does. Throws `InvalidArgumentError` naming what is wrong (empty,
 * upper-case repository, bad tag or digest) rather than letting the platform answer with a confusing error.
 */
export function parseImageReference(path: unknown): ImageReference {
  if (typeof path !== 'string' || path.trim() === '' || path.length > 512 || /\s/.test(path)) {
    throw new InvalidArgumentError(`an image reference is a non-empty string without spaces, e.g. "tomcat:8.0" (got ${JSON.stringify(String(path)).slice(0, 80)})`);
  }
  let rest = path;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new InvalidArgumentError(`image reference "${path}": "${digest}" is not a digest (algorithm:hex)`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new InvalidArgumentError(`image reference "${path}": "${tag}" is not a valid tag`);
  }
  const parts = rest.split('/');
  let registry: string | undefined;
  if (parts.length > 1 && (parts[0]!.includes('.') || parts[0]!.includes(':') || parts[0] === 'localhost')) registry = parts.shift();
  if (parts.length === 0 || parts.some((part) => !COMPONENT.test(part))) {
    throw new InvalidArgumentError(`image reference "${path}": the repository must be lower-case letters, digits and separators`);
  }
  const repository = parts.join('/');
  const name = registry ? `${registry}/${repository}` : repository;
  const reference = digest ? `${name}${tag ? `:${tag}` : ''}@${digest}` : `${name}:${tag ?? 'latest'}`;
  return { ...(registry ? { registry } : {}), repository, tag: tag ?? 'latest', ...(digest ? { digest } : {}), reference };
}
