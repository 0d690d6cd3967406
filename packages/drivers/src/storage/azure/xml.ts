/**
 * Pure parsers and builders for the Azure Blob service XML.
 * @module
 */
import { asArray, MalformedResponseError, xmlText, type HttpResponse, type ProviderErrorInfo, type XmlDocument } from '@dualcloud/core';

/** A container from List Containers. */
export interface AzureContainerEntry {
  readonly name: string;
  readonly etag?: string;
  readonly lastModified?: string;
}

/** A blob from List Blobs. */
export interface AzureBlobEntry {
  readonly name: string;
  readonly size: number;
  readonly etag: string;
  readonly contentMd5?: string;
  readonly contentType?: string;
  readonly lastModified?: string;
  readonly metadata: Record<string, string>;
}

function enumeration(doc: XmlDocument, provider: string): Record<string, any> {
  const node = doc.EnumerationResults;
  if (node === undefined) {
    throw new MalformedResponseError(`${provider}: expected <EnumerationResults>, got <${Object.keys(doc)[0] ?? 'nothing'}>`, { code: 'UnexpectedXML', provider });
  }
  return typeof node === 'object' && node !== null ? node : {};
}

function nameOf(node: Record<string, unknown>, provider: string): string {
  const name = xmlText(node.Name);
  if (!name) throw new MalformedResponseError(`${provider}: listing entry without a Name`, { code: 'UnexpectedXML', provider });
  return name;
}

/** Parses List Containers. */
export function parseContainerList(doc: XmlDocument, provider: string): { containers: AzureContainerEntry[]; next?: string } {
  const result = enumeration(doc, provider);
  const containers = asArray<Record<string, any>>(result.Containers?.Container).map((c) => {
    const etag = xmlText(c.Properties?.Etag);
    const lastModified = xmlText(c.Properties?.['Last-Modified']);
    return { name: nameOf(c, provider), ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) };
  });
  const next = xmlText(result.NextMarker);
  return { containers, ...(next ? { next } : {}) };
}

/** Parses List Blobs. */
export function parseBlobList(doc: XmlDocument, provider: string): { blobs: AzureBlobEntry[]; prefixes: string[]; next?: string } {
  const result = enumeration(doc, provider);
  const blobs = asArray<Record<string, any>>(result.Blobs?.Blob).map((b) => {
    const p = (b.Properties ?? {}) as Record<string, unknown>;
    const size = Number(xmlText(p['Content-Length']) ?? 'NaN');
    if (!Number.isSafeInteger(size) || size < 0) throw new MalformedResponseError(`${provider}: blob listing has an invalid Content-Length`, { code: 'UnexpectedXML', provider });
    const metadata: Record<string, string> = {};
    if (b.Metadata && typeof b.Metadata === 'object') {
      for (const [k, v] of Object.entries(b.Metadata as Record<string, unknown>)) {
        const text = xmlText(v);
        if (text !== undefined) metadata[k.toLowerCase()] = text;
      }
    }
    const contentMd5 = xmlText(p['Content-MD5']);
    const contentType = xmlText(p['Content-Type']);
    const lastModified = xmlText(p['Last-Modified']);
    return {
      name: nameOf(b, provider),
      size,
      etag: xmlText(p.Etag) ?? '',
      ...(contentMd5 ? { contentMd5 } : {}),
      ...(contentType ? { contentType } : {}),
      ...(lastModified ? { lastModified } : {}),
      metadata,
    };
  });
  const prefixes = asArray<Record<string, unknown>>(result.Blobs?.BlobPrefix)
    .map((p) => xmlText(p.Name))
    .filter((p): p is string => p !== undefined);
  const next = xmlText(result.NextMarker);
  return { blobs, prefixes, ...(next ? { next } : {}) };
}

/** The Put Block List body. */
export function blockListBody(blockIds: readonly string[]): string {
  return `<?xml version="1.0" encoding="utf-8"?><BlockList>${blockIds.map((id) => `<Latest>${id}</Latest>`).join('')}</BlockList>`;
}

/** A block id for part `n`: base64 of a fixed-width string (Azure requires equal lengths within a blob). */
export function blockId(n: number): string {
  return Buffer.from(`block-${String(n).padStart(6, '0')}`).toString('base64');
}

/** Reads an Azure `<Error>` document. */
export function parseAzureError(response: HttpResponse): ProviderErrorInfo | undefined {
  const headerCode = response.header('x-ms-error-code');
  let code = headerCode;
  let message: string | undefined;
  try {
    const error = response.xml().Error as Record<string, unknown> | undefined;
    if (error && typeof error === 'object') {
      code = xmlText(error.Code) ?? code;
      message = xmlText(error.Message)?.split('\n')[0];
    }
  } catch (e) {
    if (!code) throw e;
  }
  const requestId = response.header('x-ms-request-id');
  return { ...(code ? { code } : {}), ...(message ? { message } : {}), ...(requestId ? { requestId } : {}) };
}
