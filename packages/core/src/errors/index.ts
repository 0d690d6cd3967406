export { CloudError } from './cloud-error.js';
export type { CloudErrorOptions, ErrorRequestInfo, ErrorResponseInfo } from './cloud-error.js';
export {
  AbortError,
  ClosedError,
  ContainerAlreadyExistsError,
  ContainerDoesNotExistError,
  ContainerIsNotEmptyError,
  IntegrityError,
  InvalidArgumentError,
  InvalidCredentialsError,
  MalformedResponseError,
  NetworkError,
  NodeNotFoundError,
  NotFoundError,
  ObjectDoesNotExistError,
  ProviderError,
  RateLimitError,
  RequestError,
  TimeoutError,
  UploadError,
  WorkerError,
} from './kinds.js';
