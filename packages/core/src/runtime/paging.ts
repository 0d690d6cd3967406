/**
 * Paging: a page operation is turned into an `Iterable` (sync) or an `AsyncIterable` (async).
 * `list*` collects `iterate*`.
 * @module
 */
import { MalformedResponseError } from '../errors/index.js';
import type { Operation } from './effects.js';

/** One page of results and the provider's marker for the next page (undefined on the last). */
export interface Page<T> {
  readonly items: readonly T[];
  readonly next?: string | undefined;
}

/** Fetches the page that starts at `token` (undefined for the first page). */
export type PageOperation<T> = (token: string | undefined) => Operation<Page<T>>;

function guard(seen: Set<string>, next: string | undefined): string | undefined {
  if (next === undefined || next === '') return undefined;
  if (seen.has(next)) {
    throw new MalformedResponseError('the provider returned a continuation token it had already returned; stopping to avoid a loop', {
      code: 'RepeatedToken',
    });
  }
  seen.add(next);
  return next;
}

/** An operation collecting every item of every page. */
export function* collectPages<T>(pages: PageOperation<T>): Operation<T[]> {
  const out: T[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const page: Page<T> = yield* pages(token);
    out.push(...page.items);
    token = guard(seen, page.next);
  } while (token !== undefined);
  return out;
}

/** A lazy `Iterable` over every item, fetching pages with `run` (blocking) as it goes. */
export function iterateSync<T>(pages: PageOperation<T>, run: <R>(op: Operation<R>) => R): Iterable<T> {
  return {
    *[Symbol.iterator]() {
      const seen = new Set<string>();
      let token: string | undefined;
      do {
        const page = run(pages(token));
        yield* page.items;
        token = guard(seen, page.next);
      } while (token !== undefined);
    },
  };
}

/** A lazy `AsyncIterable` over every item, fetching pages with `run` as it goes. */
export function iterateAsync<T>(pages: PageOperation<T>, run: <R>(op: Operation<R>) => Promise<R>): AsyncIterable<T> {
  return {
    async *[Symbol.asyncIterator]() {
      const seen = new Set<string>();
      let token: string | undefined;
      do {
        const page = await run(pages(token));
        yield* page.items;
        token = guard(seen, page.next);
      } while (token !== undefined);
    },
  };
}
