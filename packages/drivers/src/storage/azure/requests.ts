/**
 * Request builders of the Azure Blob service: pure functions from arguments to request descriptors, tested
 * with `toEqual` and no network. The driver adds the path (account, container, blob) and, where a response
 * must be checked, the kit's `verify`.
 * @module
 */
import type { Headers, Query, RequestBody, RequestSpec } from '@dualcloud/core';
import { blockListBody } from './xml.js';

/** An Azure request: a descriptor without its path, plus the container and blob it targets. */
export type AzureRequest = Omit<RequestSpec, 'path'> & { readonly container?: string; readonly blob?: string };

/** Azure gives a range's MD5 for ranges up to 4 MiB. */
export const MAX_RANGE_MD5 = 4 * 1024 * 1024;

/** List Containers, one page. */
export function listContainersRequest(marker?: string): AzureRequest {
  return { method: 'GET', query: { comp: 'list', marker }, action: 'ListContainers' };
}

/** Get Container Properties (404 handled by the caller). */
export function containerPropertiesRequest(container: string): AzureRequest {
  return { container, method: 'HEAD', query: { restype: 'container' }, acceptStatus: [404], action: 'GetContainerProperties' };
}

/** Create Container. */
export function createContainerRequest(container: string): AzureRequest {
  return { container, method: 'PUT', query: { restype: 'container' }, action: 'CreateContainer' };
}

/** Delete Container. */
export function deleteContainerRequest(container: string): AzureRequest {
  return { container, method: 'DELETE', query: { restype: 'container' }, action: 'DeleteContainer' };
}

/** List Blobs, one page, with metadata. */
export function listBlobsRequest(container: string, args: { prefix?: string; delimiter?: string; pageSize?: number }, marker?: string): AzureRequest {
  const query: Query = { restype: 'container', comp: 'list', include: 'metadata', prefix: args.prefix, delimiter: args.delimiter, maxresults: args.pageSize, marker };
  return { container, method: 'GET', query, action: 'ListBlobs' };
}

/** One blob of a container, to tell whether it is empty. */
export function anyBlobRequest(container: string): AzureRequest {
  return { container, method: 'GET', query: { restype: 'container', comp: 'list', maxresults: 1 }, action: 'ListBlobs' };
}

/** Get Blob Properties (404 handled by the caller). */
export function blobPropertiesRequest(container: string, blob: string): AzureRequest {
  return { container, blob, method: 'HEAD', acceptStatus: [404], action: 'GetBlobProperties' };
}

/** Delete Blob; with `ifMatch`, only while the blob still has that ETag (412 and 404 handled by the caller). */
export function deleteBlobRequest(container: string, blob: string, ifMatch?: string): AzureRequest {
  return ifMatch
    ? { container, blob, method: 'DELETE', headers: { 'if-match': ifMatch }, acceptStatus: [412, 404], action: 'DeleteBlob' }
    : { container, blob, method: 'DELETE', action: 'DeleteBlob' };
}

/** Blob Batch scoped to a container (version 2020-04-08 and later): `body` from `batch.ts`. Repeating it is harmless. */
export function blobBatchRequest(container: string, boundary: string, body: string): AzureRequest {
  return {
    container,
    method: 'POST',
    query: { restype: 'container', comp: 'batch' },
    headers: { 'content-type': `multipart/mixed; boundary=${boundary}`, 'content-length': String(Buffer.byteLength(body)) },
    body,
    idempotent: true,
    action: 'BlobBatch',
  };
}

/** Put Blob (a block blob in one request). */
export function putBlobRequest(container: string, blob: string, headers: Headers, body: RequestBody): AzureRequest {
  return { container, blob, method: 'PUT', headers: { ...headers, 'x-ms-blob-type': 'BlockBlob' }, body, action: 'PutBlob' };
}

/** Put Block. */
export function putBlockRequest(container: string, blob: string, blockId: string, headers: Headers, body: RequestBody): AzureRequest {
  return { container, blob, method: 'PUT', query: { comp: 'block', blockid: blockId }, headers: { ...headers, 'content-type': 'application/octet-stream' }, body, action: 'PutBlock' };
}

/** Put Block List: commits the blocks in order, with the blob's content type and metadata headers. */
export function putBlockListRequest(container: string, blob: string, blockIds: readonly string[], headers: Headers): AzureRequest {
  const body = blockListBody(blockIds);
  return {
    container,
    blob,
    method: 'PUT',
    query: { comp: 'blocklist' },
    headers: { ...headers, 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)) },
    body,
    action: 'PutBlockList',
  };
}

/** Get Blob: the whole blob saved to a file, or a range (asking for the range's MD5 when Azure gives one). */
export function getBlobRequest(container: string, blob: string, options: { saveTo?: string; range?: [number, number]; ifMatch?: string } = {}): AzureRequest {
  const headers: Headers = {};
  if (options.range) {
    const [start, end] = options.range;
    headers['x-ms-range'] = `bytes=${start}-${end}`;
    if (end - start + 1 <= MAX_RANGE_MD5) headers['x-ms-range-get-content-md5'] = 'true';
  }
  if (options.ifMatch) headers['if-match'] = options.ifMatch;
  return { container, blob, method: 'GET', ...(Object.keys(headers).length ? { headers } : {}), ...(options.saveTo ? { saveTo: options.saveTo } : {}), action: 'GetBlob' };
}

/**
 * Copy Blob from `sourceUrl` (in the same account the request's SharedKey authorises the source).
 * `headers`: `x-ms-source-if-match` guards the source's version, `x-ms-meta-*` replace the metadata.
 */
export function copyBlobRequest(container: string, blob: string, sourceUrl: string, headers: Headers): AzureRequest {
  return { container, blob, method: 'PUT', headers: { ...headers, 'x-ms-copy-source': sourceUrl }, action: 'CopyBlob' };
}

/** Abort Copy Blob (409: the copy is no longer pending). */
export function abortCopyBlobRequest(container: string, blob: string, copyId: string): AzureRequest {
  return { container, blob, method: 'PUT', query: { comp: 'copy', copyid: copyId }, headers: { 'x-ms-copy-action': 'abort' }, acceptStatus: [409], action: 'AbortCopyBlob' };
}
