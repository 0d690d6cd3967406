/**
 * Body parsers that turn bad input into {@link MalformedResponseError}, never a crash.
 * @module
 */
import { Parser } from 'xml2js';
import { MalformedResponseError } from '../errors/index.js';

/** Context used to label parse errors. */
export interface ParseContext {
  provider?: string;
  status?: number;
  requestId?: string;
}

/** A parsed XML document: xml2js output with `explicitArray: false` (a repeated element becomes an array). */
export type XmlDocument = Record<string, any>;

/** Parses JSON, throwing `MalformedResponseError` on invalid or empty input. */
export function parseJson<T = unknown>(text: string, ctx: ParseContext = {}): T {
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new MalformedResponseError(`${label(ctx)}response is not valid JSON: ${describe(text)}`, {
      ...ctx,
      code: 'MalformedJSON',
      retryable: true,
    });
  }
}

const xmlParser = new Parser({ explicitArray: false, explicitRoot: true, async: false, strict: true });

/** Parses XML with xml2js (synchronously), throwing `MalformedResponseError` on invalid, empty or non-XML input. */
export function parseXml(text: string, ctx: ParseContext = {}): XmlDocument {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('<') || /^<!doctype html|^<html/i.test(trimmed)) {
    throw new MalformedResponseError(`${label(ctx)}response is not XML: ${describe(text)}`, {
      ...ctx,
      code: 'MalformedXML',
      retryable: true,
    });
  }
  let result: XmlDocument | undefined;
  let failure: unknown;
  // With async: false xml2js calls back synchronously (or throws); reset() makes the shared parser reusable.
  xmlParser.reset();
  try {
    xmlParser.parseString(text, (err: unknown, doc: XmlDocument) => {
      failure = err;
      result = doc;
    });
  } catch (e) {
    failure = e;
  }
  if (failure || !result || typeof result !== 'object') {
    throw new MalformedResponseError(`${label(ctx)}response is malformed XML: ${describe(text)}`, {
      ...ctx,
      code: 'MalformedXML',
      retryable: true,
    });
  }
  return result;
}

/** Reads a value that xml2js gives as one element or an array, always as an array. */
export function asArray<T>(value: T | T[] | undefined | null): T[] {
  if (value === undefined || value === null || (value as unknown) === '') return [];
  return Array.isArray(value) ? value : [value];
}

/** The text of an xml2js node (`"x"` or `{ _: "x", $: {...} }`), or undefined. */
export function xmlText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && typeof (value as { _?: unknown })._ === 'string') return (value as { _: string })._;
  return undefined;
}

function label(ctx: ParseContext): string {
  return ctx.provider ? `${ctx.provider}: ` : '';
}

function describe(text: string): string {
  if (text.length === 0) return 'empty body';
  const excerpt = text.slice(0, 80).replace(/\s+/g, ' ');
  return `${text.length} bytes starting "${excerpt}"`;
}

/** A JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A `MalformedResponseError` of `provider` (code `UnexpectedDocument`) saying what was expected. */
export function unexpectedDocument(provider: string, message: string, status?: number): MalformedResponseError {
  return new MalformedResponseError(`${provider}: ${message}`, { provider, code: 'UnexpectedDocument', ...(status ? { status } : {}) });
}

/** The JSON object of a response body; `MalformedResponseError` when it is not one (HTML, truncated, an array). */
export function jsonObjectOf(response: { readonly status: number; json<T>(): T }, provider: string): Record<string, any> {
  const doc = response.json<unknown>();
  if (!isJsonObject(doc)) throw unexpectedDocument(provider, 'expected a JSON object', response.status);
  return doc;
}
