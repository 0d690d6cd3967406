/**
 * @dualcloud/core: request descriptors, the operation runtime (sync and async executors), connections,
 * typed errors, parsing, signing, retry policy, redaction, and the base models and drivers.
 * @packageDocumentation
 */
export type { AdapterName, FileBody, Headers, PreparedRequest, Query, RawResponse, RequestBody, RequestSpec, TlsOptions, TransportOptions } from './http/types.js';
export { HttpResponse } from './http/response.js';
export { performRequest, closeTransports, bodyLength, TransportFailureError } from './http/transport.js';
export type { TransportFailure } from './http/transport.js';
export { undiciAdapter } from './http/undici-adapter.js';
export type { UndiciAdapterOptions } from './http/undici-adapter.js';
export { Connection, AsyncConnection, DriverConnection, debugFromEnvironment, encodeQuery } from './http/connection.js';
export type {
  AsyncConnectionMethods,
  ConnectionOptions,
  ConnectionRecipe,
  Constructor,
  DebugOption,
  ErrorCodeTable,
  Hooks,
  ProviderErrorInfo,
  RequestInfo,
  ResponseInfo,
  RetryInfo,
} from './http/connection.js';
export { StaticCredentials, TokenCredentials, isCredentials, toCredentials } from './auth/credentials.js';
export type { Credentials, Token, TokenCredentialsOptions, TokenSource } from './auth/credentials.js';
export { printAs } from './hidden.js';

export { all, allSettled, detached, Flight, http, joinFlight, read, sleep } from './runtime/effects.js';
export type { AllEffect, AsyncPerformer, ChunkSource, DetachedEffect, Effect, HttpEffect, Operation, ReadEffect, Settled, SharedEffect, SleepEffect } from './runtime/effects.js';
export { runSync, sleepSync } from './runtime/run-sync.js';
export { runAsync, abortableSleep } from './runtime/run-async.js';
export type { RunAsyncOptions } from './runtime/run-async.js';
export { collectPages, iterateAsync, iterateSync } from './runtime/paging.js';
export type { Page, PageOperation } from './runtime/paging.js';
export { toChunkSource } from './runtime/sources.js';
export type { UploadSource } from './runtime/sources.js';
export { SyncBridge, syncBridge } from './sync/bridge.js';
export type { BridgeResult } from './sync/bridge.js';
export { SpinPolicy } from './sync/spin-policy.js';
export type { SpinMode } from './sync/spin-policy.js';

export * from './errors/index.js';
export { parseJson, parseXml, asArray, xmlText, isJsonObject, jsonObjectOf, unexpectedDocument } from './parse/index.js';
export type { ParseContext, XmlDocument } from './parse/index.js';
export { DEFAULT_RETRY_POLICY, RETRYABLE, decideRetry, isRetryableError, parseRetryAfter } from './retry.js';
export type { RetryDecision, RetryPolicy, RetryableTable } from './retry.js';
export { REDACTED, SECRET_HEADERS, SECRET_QUERY_PARAMS, URL_HEADERS, redactHeaders, redactUrl, scrubSecrets } from './redact.js';

export { signV4, sha256Hex, uriEncode, amzDate, signingKey } from './auth/sigv4.js';
export type { AwsCredentials, SignableRequest, SigV4Options, SigV4Result } from './auth/sigv4.js';
export { noAuth, bearerSigner, defineSigner, sigV4Signer, azureSharedKeySigner, md5Base64, md5Hex, MAX_AZURE_SAS_SECONDS } from './auth/signers.js';
export type { PresignOptions, RequestDraft, Signer } from './auth/signers.js';
export { presignV4, azureBlobSas, sasTime, checkExpiresIn, signedUrlSettings, MAX_PRESIGN_SECONDS, AZURE_SAS_VERSION, DEFAULT_SIGNED_URL_SECONDS } from './auth/presign.js';
export type { AzureBlobSasOptions, AzureSas, PresignedUrl, PresignRequest, PresignV4Options } from './auth/presign.js';

export { KeyPair, Node, NodeImage, NodeLocation, NodeSize, NodeState, StorageVolume, StorageVolumeState, VolumeSnapshot, VolumeSnapshotState } from './models/compute.js';
export type { KeyPairFields, KeyPairOps, NodeFields, NodeLifecycle, StorageVolumeFields, VolumeOps, VolumeSnapshotFields, VolumeSnapshotOps } from './models/compute.js';
export { generateSshKeyPair, parseSshPublicKey, sshFingerprint, SSH_PUBLIC_KEY_TYPES } from './ssh-keys.js';
export type { GeneratedSshKeyPair, SshPublicKey } from './ssh-keys.js';
export { Container, StorageObject, commonPrefixEntry, isCommonPrefix } from './models/storage.js';
export type { StorageObjectFields, StorageOps } from './models/storage.js';
export {
  ClusterLocation,
  Container as ContainerInstance,
  ContainerCluster,
  ContainerImage,
  ContainerState,
} from './models/container.js';
export type {
  ContainerClusterFields,
  ContainerClusterOps,
  ContainerFields,
  ContainerImageFields,
  ContainerImageOps,
  ContainerLogsOptions,
  ContainerOps,
  DeployContainerOptions,
  ListContainersOptions,
} from './models/container.js';
export { parseImageReference } from './image-reference.js';
export type { ImageReference } from './image-reference.js';
export { BaseDriver, ASYNC_MODE, DRIVER_OPTION_KEYS, UNDERLYING_DRIVER, driverOf } from './drivers/base.js';
export type { ConnectSettings, DriverOptions, ExecutionMode, MethodKind, MethodOptionsSpec } from './drivers/base.js';
export { NodeDriver } from './drivers/compute.js';
export type { CopyImageOptions, CreateImageOptions, CreateNodeOptions, CreateVolumeOptions, RunningNode, WaitUntilRunningOptions, WaitUntilVolumeStateOptions } from './drivers/compute.js';
export { ContainerDriver } from './drivers/container.js';
export { PipelineStorageDriver, StorageDriver } from './drivers/storage.js';
export type { CopyOptions, DownloadOptions, ListObjectsOptions, ProgressCallback, RangeDownloadOptions, SignedUrlOptions, StreamOptions, UploadOptions } from './drivers/storage.js';
export { DriverRegistry } from './registry.js';
export { startModuleWorker, siblingModule } from './sync/module-worker.js';
export { invokeAsync, failingIterable, linkSignals, checkSignal } from './drivers/async-api.js';
export type { AsyncMethod, AsyncResult, Bound, DriverLike, MethodName } from './drivers/async-api.js';

// The driver kit's transfers: one upload pipeline with provider hooks, ranged reads, downloads to files.
export { uploadFile, uploadSource, uploadPages, uploadFailure } from './transfer/upload.js';
export type { BodyDigest, UploadHooks, UploadSettings, UploadSummary } from './transfer/upload.js';
export { copyAcross, libcloudRange, rangeToFile } from './transfer/copy.js';
export { integrityMismatch, rangedReadPages, downloadToFile } from './transfer/ranged.js';
export type { DownloadHooks, ExpectedDigest, RangeFetch, RangedReadHooks } from './transfer/ranged.js';
export { MiB, planPartSize, bytesFeed, fileFeed, streamFeed, sendParts, digestBytes, PartPool, PartReader } from './transfer/parts.js';
export type { PartData, PartDigests, PartFeed, SendPart } from './transfer/parts.js';
export { digestOfFile, md5OfFile, fileSize, fileChunkSource, downloadViaTemporary, prepareDownload, finishDownload, discardDownload } from './transfer/files.js';
export { reportProgress, ProgressCallbackError } from './transfer/progress.js';
export {
  BulkError,
  BulkSkippedError,
  DEFAULT_BULK_CONCURRENCY,
  alreadyGone,
  batchesByContainer,
  deleteLabels,
  deleteObjectsOneByOne,
  downloadObjectsOp,
  downloadPath,
  runBulk,
  singleUnit,
  uploadObjectsOp,
} from './transfer/bulk.js';
export type {
  BulkDriverOps,
  BulkItemResult,
  BulkLabel,
  BulkOptions,
  BulkProgress,
  BulkProgressCallback,
  BulkResult,
  BulkUnit,
  DeleteObjectsOptions,
  DownloadObjectsOptions,
  UploadItem,
  UploadObjectsOptions,
} from './transfer/bulk.js';
export { crc32Combine, crc32Base64, parseCrc32Base64 } from './transfer/crc32.js';
export { checkOptions, checkOptionalOptions } from './options.js';
export { withRedactedPrint } from './redact-print.js';
export { CredentialsNotFoundError } from './errors/kinds.js';
export { parseIni } from './auth/ini.js';
export type { IniSections } from './auth/ini.js';
export {
  awsCredentialsFromEnvironment,
  azureStorageFromEnvironment,
  digitalOceanTokenFromEnvironment,
  openStackFromEnvironment,
  parseAzureStorageConnectionString,
} from './auth/environment.js';
export type {
  AwsEnvironmentCredentials,
  AwsEnvironmentOptions,
  AzureBlobEndpoint,
  AzureStorageCredentials,
  DigitalOceanEnvironmentToken,
  EnvironmentSource,
  OpenStackEnvironmentCredentials,
  OpenStackEnvironmentOptions,
} from './auth/environment.js';
export { awsKeysFor, azureAccountFor, digitalOceanTokenFor } from './auth/chain.js';
export { awsRegionalService, AWS_REGION_NAME } from './auth/aws-service.js';
export type { AwsRegionalService } from './auth/aws-service.js';
export type { AwsKeyOptions } from './auth/chain.js';
export { kubernetesFromKubeconfig, parseKubernetesServer } from './auth/kubeconfig.js';
export { readPemOption } from './auth/pem.js';
export type { KubeconfigCredentials, KubeconfigOptions } from './auth/kubeconfig.js';
