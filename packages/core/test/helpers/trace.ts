import type { Effect, Operation } from '@dualcloud/core';

/** A readable record of one effect, for comparing what two executors were asked to do. */
export function describeEffect(effect: Effect): string {
  switch (effect.type) {
    case 'http':
      return `http ${effect.request.method} ${new URL(effect.request.url).pathname}`;
    case 'sleep':
      return `sleep ${effect.ms}`;
    case 'all':
      return `all ${effect.operations.length}`;
    default:
      return effect.type;
  }
}

/** Wraps an operation, recording every effect it yields (and passing results and errors through). */
export function* traced<T>(operation: Operation<T>, log: string[]): Operation<T> {
  let input: { ok: boolean; value?: unknown; error?: unknown } = { ok: true };
  for (;;) {
    const step = input.ok ? operation.next(input.value) : operation.throw(input.error);
    if (step.done) return step.value;
    log.push(describeEffect(step.value));
    try {
      input = { ok: true, value: yield step.value };
    } catch (error) {
      input = { ok: false, error };
    }
  }
}

/** A deterministic "random" source: the same sequence each time. */
export function seeded(seed = 42): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}
