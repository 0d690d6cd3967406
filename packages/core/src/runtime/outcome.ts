/** The value or error fed back into an operation. */
export type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** A successful outcome. */
export const ok = (value: unknown): Outcome => ({ ok: true, value });
/** A failed outcome. */
export const fail = (error: unknown): Outcome => ({ ok: false, error });

/** Resumes a generator with a value, or throws an error into it so the driver can catch it. */
export function stepOperation<T, E>(operation: Generator<E, T, unknown>, input: Outcome): IteratorResult<E, T> {
  return input.ok ? operation.next(input.value) : operation.throw(input.error);
}
