import type { Headers, RawResponse } from './types.js';
import { parseJson, parseXml, type XmlDocument } from '../parse/index.js';

/**
 * A response as drivers see it: status, headers, body bytes, and parsers that throw
 * {@link MalformedResponseError} on bad input instead of crashing.
 */
export class HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Uint8Array;
  readonly saved: RawResponse['saved'];
  private readonly provider: string;

  constructor(raw: RawResponse, provider: string) {
    this.status = raw.status;
    this.headers = raw.headers;
    this.body = raw.body;
    this.saved = raw.saved;
    this.provider = provider;
  }

  /** A header value by case-insensitive name. */
  header(name: string): string | undefined {
    return this.headers[name.toLowerCase()];
  }

  /** The body decoded as UTF-8. */
  text(): string {
    return Buffer.from(this.body.buffer, this.body.byteOffset, this.body.byteLength).toString('utf8');
  }

  /** The body parsed as JSON; throws `MalformedResponseError` when it is not JSON. */
  json<T = unknown>(): T {
    return parseJson<T>(this.text(), { provider: this.provider, status: this.status, requestId: this.requestId });
  }

  /** The body parsed as XML (xml2js, explicitArray off); throws `MalformedResponseError` when it is not XML. */
  xml(): XmlDocument {
    return parseXml(this.text(), { provider: this.provider, status: this.status, requestId: this.requestId });
  }

  /** The provider's request id, from the usual headers. */
  get requestId(): string | undefined {
    return (
      this.headers['x-amz-request-id'] ??
      this.headers['x-ms-request-id'] ??
      this.headers['x-request-id'] ??
      this.headers['x-guploader-uploadid']
    );
  }
}
