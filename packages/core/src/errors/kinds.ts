import { CloudError, type CloudErrorOptions } from './cloud-error.js';

/** The credentials were refused (401, or a 403 that the provider reports as an authentication failure). */
export class InvalidCredentialsError extends CloudError {}

/** The named resource does not exist. */
export class NotFoundError extends CloudError {}

/** A node (instance, droplet) does not exist. */
export class NodeNotFoundError extends NotFoundError {}

/** A storage volume (EBS volume, block storage volume) does not exist. */
export class VolumeNotFoundError extends NotFoundError {}

/** A volume snapshot does not exist. */
export class VolumeSnapshotNotFoundError extends NotFoundError {}

/** An image (AMI, snapshot image) does not exist. */
export class ImageNotFoundError extends NotFoundError {}

/** A key pair does not exist (Libcloud's `KeyPairDoesNotExistError`). */
export class KeyPairDoesNotExistError extends NotFoundError {}

/** A key pair with that name (or that public key) already exists. */
export class KeyPairAlreadyExistsError extends CloudError {}

/**
 * The driver does not offer this operation (Libcloud raises `NotImplementedError`). Nothing was sent.
 * `code` is `NotImplemented`.
 */
export class NotImplementedError extends CloudError {}

/** A storage container (bucket) does not exist. */
export class ContainerDoesNotExistError extends NotFoundError {}

/** A deployed container (container family: a Docker container, a Kubernetes pod, an ECS task) does not exist. */
export class ContainerNotFoundError extends NotFoundError {}

/** A container image does not exist (not pulled, no such repository or tag). */
export class ContainerImageNotFoundError extends NotFoundError {}

/** A container cluster (ECS cluster, Kubernetes namespace) does not exist. */
export class ClusterNotFoundError extends NotFoundError {}

/** A storage object does not exist. */
export class ObjectDoesNotExistError extends NotFoundError {}

/** A container with that name already exists (owned by you or someone else). */
export class ContainerAlreadyExistsError extends CloudError {}

/** A container could not be deleted because it still holds objects. */
export class ContainerIsNotEmptyError extends CloudError {}

/** The provider throttled the request (429, `SlowDown`, `RequestLimitExceeded`, ...). */
export class RateLimitError extends CloudError {
  /** Seconds the provider asked us to wait, from Retry-After or a rate-limit reset header. */
  declare readonly retryAfter?: number;
  constructor(message: string, options: CloudErrorOptions & { retryAfter?: number } = {}) {
    super(message, { retryable: true, ...options });
    if (options.retryAfter !== undefined) this.retryAfter = options.retryAfter;
  }
}

/** The provider failed (5xx). */
export class ProviderError extends CloudError {}

/** Any other error status that has no more exact class (400, 409, ...). */
export class RequestError extends CloudError {}

/** The response body could not be parsed (malformed XML/JSON, HTML error page, truncated body). */
export class MalformedResponseError extends CloudError {}

/** The request did not complete within its timeout. */
export class TimeoutError extends CloudError {}

/** The connection failed (refused, reset, DNS, TLS). */
export class NetworkError extends CloudError {}

/** The caller passed an invalid argument; nothing was sent. */
export class InvalidArgumentError extends CloudError {}

/** Data failed an integrity check (MD5/ETag/length mismatch). */
export class IntegrityError extends CloudError {}

/** The operation was cancelled through its AbortSignal. */
export class AbortError extends CloudError {
  constructor(message = 'The operation was aborted', options: CloudErrorOptions = {}) {
    super(message, { code: 'ABORT_ERR', ...options });
  }
}

/** A call was made on something already closed (an ended AsyncSession, a closed connection). */
export class ClosedError extends CloudError {}

/** The sync bridge's worker thread died or stopped answering. */
export class WorkerError extends CloudError {}

/** A multipart or block upload could not finish and was aborted; nothing was left claimed as complete. */
export class UploadError extends CloudError {}

/**
 * No credentials were found where the provider's own tools look (environment variables, standard files).
 * Nothing was sent, so there is no `status`. The message and {@link CredentialsNotFoundError.searched} name
 * the variables and files looked at, never a value.
 */
export class CredentialsNotFoundError extends InvalidCredentialsError {
  /** What was looked for, in order: variable names and file paths. */
  readonly searched: readonly string[];
  constructor(message: string, options: CloudErrorOptions & { searched?: readonly string[] } = {}) {
    const { searched = [], ...rest } = options;
    super(message, { code: 'CredentialsNotFound', ...rest });
    this.searched = Object.freeze([...searched]);
  }
}
