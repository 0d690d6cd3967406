/**
 * The designs' types list a driver's methods by the `mOp` / `mPages` rule, their runtime by `methodKinds`.
 * This keeps the two in step for every registered driver.
 */
import { expect, test } from '@jest/globals';
import * as compute from '@dualcloud/drivers/compute';
import * as storage from '@dualcloud/drivers/storage';
import * as container from '@dualcloud/drivers/container';

function backedMethods(Driver: { prototype: object }): string[] {
  const names = new Set<string>();
  for (let proto = Driver.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) names.add(name);
  }
  const has = (n: string) => names.has(n) && typeof (Driver.prototype as Record<string, unknown>)[n] === 'function';
  return [...names].filter((n) => has(n) && (has(`${n}Op`) || has(`${n}Pages`))).sort();
}

test.each([
  ...compute.providers().map((p) => [p, compute.getDriver(p)] as const),
  ...storage.providers().map((p) => [p, storage.getDriver(p)] as const),
  ...container.providers().map((p) => [`container:${p}`, container.getDriver(p)] as const),
])('%s: methodKinds lists exactly the methods backed by an operation', (_, Driver) => {
  expect(Object.keys(Driver.methodKinds).sort()).toEqual(backedMethods(Driver));
});
