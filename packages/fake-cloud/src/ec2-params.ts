/**
 * Reading EC2 Query API parameters: lists (`Name.N`), filters (`Filter.N.Name` / `Filter.N.Value.M`), required
 * and numeric parameters, and page tokens.
 * @module
 */
import { ApiError, header, type FakeRequest } from './wire.js';

/** The parameters of a request. */
export type Params = URLSearchParams;

/** One `Filter.N`. */
export interface Filter {
  readonly name: string;
  readonly values: string[];
}

/** The request's `Filter.N` parameters. */
export function filterParams(p: Params): Filter[] {
  const filters: Filter[] = [];
  for (let n = 1; p.has(`Filter.${n}.Name`); n += 1) filters.push({ name: p.get(`Filter.${n}.Name`)!, values: listParam(p, `Filter.${n}.Value`) });
  return filters;
}

/** EC2 filter wildcards: `*` and `?`. */
export function wildcard(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(value);
}

/** Whether `value` matches any of the filter's values. */
export function matchAny(f: Filter, value: string | undefined): boolean {
  return value !== undefined && f.values.some((v) => wildcard(v, value));
}

/** Query and form parameters together (the Query API accepts both). */
export function formParams(req: FakeRequest): Params {
  const params = new URLSearchParams(req.query);
  const type = header(req, 'content-type') ?? '';
  if (req.body.length > 0) {
    if (!/^application\/x-www-form-urlencoded/i.test(type) && type !== '') throw new ApiError(400, 'InvalidParameterValue', `Unsupported content type: ${type}`);
    for (const [k, v] of new URLSearchParams(req.body.toString('utf8'))) params.append(k, v);
  }
  return params;
}

/** `Name.1`, `Name.2`, ... in index order. */
export function listParam(p: Params, name: string): string[] {
  const values: string[] = [];
  for (const [k, v] of p) {
    if (k.startsWith(`${name}.`) && /^\d+$/.test(k.slice(name.length + 1))) values.push(v);
  }
  return values;
}

/** A parameter that must be present and non-empty. */
export function required(p: Params, name: string): string {
  const v = p.get(name);
  if (!v) throw new ApiError(400, 'MissingParameter', `The request must contain the parameter ${name}`);
  return v;
}

/** A whole-number parameter within `min..max`. */
export function intParam(p: Params, name: string, min: number, max: number): number {
  const raw = p.get(name);
  if (raw === null) throw new ApiError(400, 'MissingParameter', `The request must contain the parameter ${name}`);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ApiError(400, 'InvalidParameterValue', `Value (${raw}) for parameter ${name} is invalid. Expected an integer within ${min}..${max}.`);
  return n;
}

/** The position a page token (made by {@link encodeToken}) resumes after; `kind` tells lists apart. */
export function decodeToken(token: string, region: string, kind = ''): number {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const m = /^([a-z0-9-]+):(?:([a-z]+):)?(\d+)$/.exec(text);
  if (!m || m[1] !== region || (m[2] ?? '') !== kind) throw new ApiError(400, 'InvalidPaginationToken', 'The specified pagination token is not valid or is expired.');
  return Number(m[3]);
}

/** A page token resuming after position `seq` of list `kind` in `region`. */
export function encodeToken(region: string, seq: number, kind = ''): string {
  return Buffer.from(kind ? `${region}:${kind}:${seq}` : `${region}:${seq}`).toString('base64url');
}

/**
 * One page of `items` (sorted by `seq`) by `MaxResults` (`min..max`) and `NextToken`, or everything when no
 * `MaxResults` is given. `MaxResults` together with explicit ids is refused, as EC2 does.
 */
export function pageOf<T extends { readonly seq: number }>(p: Params, items: T[], region: string, kind: string, min: number, max: number, idsGiven: boolean): { items: T[]; nextToken?: string } {
  const raw = p.get('MaxResults');
  if (raw === null) return { items };
  if (idsGiven) throw new ApiError(400, 'InvalidParameterCombination', `The parameter ${kind}Ids cannot be used with the parameter maxResults`);
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < min || limit > max) throw new ApiError(400, 'InvalidParameterValue', `Value ( ${raw} ) for parameter maxResults is invalid. Expecting a value between ${min} and ${max}.`);
  const token = p.get('NextToken');
  let rest = items;
  if (token) {
    const after = decodeToken(token, region, kind);
    rest = items.filter((i) => i.seq > after);
  }
  if (rest.length <= limit) return { items: rest };
  const page = rest.slice(0, limit);
  return { items: page, nextToken: encodeToken(region, page[limit - 1]!.seq, kind) };
}

