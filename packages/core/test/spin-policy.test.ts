/**
 * The sync bridge's spin policy: it spins only where spinning measurably shortens the calls, and stays with
 * parking when spinning does not help or hurts (a busy machine, a slow server).
 */
import { describe, expect, test } from '@jest/globals';
import { SpinPolicy } from '@dualcloud/core';

/** Runs `calls` calls whose round trip is `spinMs` when spinning and `parkMs` when parked; returns the arms used. */
function drive(policy: SpinPolicy, calls: number, spinMs: number, parkMs: number): boolean[] {
  const arms: boolean[] = [];
  for (let i = 0; i < calls; i++) {
    const spin = policy.next();
    arms.push(spin);
    policy.record(spin, spin ? spinMs : parkMs);
  }
  return arms;
}

/** A deterministic stand-in for Math.random. */
function lcg(seed = 1): () => number {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

describe('SpinPolicy', () => {
  test('prefers spinning when it clearly shortens the round trips (an idle machine)', () => {
    const policy = new SpinPolicy('auto', lcg());
    const arms = drive(policy, 2000, 0.1, 0.25);
    expect(policy.preferSpin).toBe(true);
    const late = arms.slice(1000);
    expect(late.filter(Boolean).length / late.length).toBeGreaterThan(0.9);
  });

  test('parks when spinning makes calls slower (busy cores), exploring the other arm only now and then', () => {
    const policy = new SpinPolicy('auto', lcg());
    const arms = drive(policy, 2000, 1.2, 0.5);
    expect(policy.preferSpin).toBe(false);
    const late = arms.slice(1000);
    expect(late.filter(Boolean).length / late.length).toBeLessThan(0.1);
  });

  test('explores a much slower arm more rarely (at most 4× more rarely), and still follows a change', () => {
    const near = new SpinPolicy('auto', lcg(5));
    drive(near, 1000, 0.6, 0.5);
    const far = new SpinPolicy('auto', lcg(5));
    drive(far, 1000, 3, 0.5);
    const nearSpins = drive(near, 40_000, 0.6, 0.5).filter(Boolean).length;
    const farSpins = drive(far, 40_000, 3, 0.5).filter(Boolean).length;
    expect(near.preferSpin).toBe(false);
    expect(far.preferSpin).toBe(false);
    expect(nearSpins / 40_000).toBeGreaterThan(0.02);
    expect(farSpins / 40_000).toBeLessThan(0.015);
    expect(farSpins).toBeGreaterThan(0);
    drive(far, 6000, 0.1, 0.5);
    expect(far.preferSpin).toBe(true);
  });

  test('a slowdown seen in the preferred arm does not switch to an arm measured long before: that arm is measured again first', () => {
    const policy = new SpinPolicy('auto', lcg(9));
    drive(policy, 3000, 0.5, 0.3);
    expect(policy.preferSpin).toBe(false);
    // Everything gets slower (another job starts); spinning stays the worse arm.
    let flipped = 0;
    for (let i = 0; i < 400; i++) {
      const spin = policy.next();
      policy.record(spin, spin ? 1.5 : 0.7);
      if (policy.preferSpin) flipped++;
    }
    expect(flipped).toBe(0);
    expect(policy.snapshot().spinMs).toBeGreaterThan(1);
  });

  test('parks when spinning makes no clear difference (a slow server: the spin would only burn CPU)', () => {
    const policy = new SpinPolicy('auto', lcg());
    drive(policy, 2000, 20, 20.5);
    expect(policy.preferSpin).toBe(false);
  });

  test('follows a change of the machine', () => {
    const policy = new SpinPolicy('auto', lcg(7));
    drive(policy, 3000, 1.5, 0.5);
    expect(policy.preferSpin).toBe(false);
    drive(policy, 6000, 0.1, 0.3);
    expect(policy.preferSpin).toBe(true);
    drive(policy, 6000, 2, 0.4);
    expect(policy.preferSpin).toBe(false);
  });

  test('after a slow server (no arm better), a fast one is recognised within a few hundred calls', () => {
    const policy = new SpinPolicy('auto', lcg(11));
    drive(policy, 3000, 20, 20);
    expect(policy.preferSpin).toBe(false);
    drive(policy, 600, 0.1, 0.3);
    expect(policy.preferSpin).toBe(true);
  });

  test('one slow call (a timeout) does not flip the preference', () => {
    const policy = new SpinPolicy('auto', lcg(3));
    drive(policy, 2000, 0.1, 0.3);
    expect(policy.preferSpin).toBe(true);
    const spin = policy.next();
    policy.record(spin, 30_000);
    expect(policy.preferSpin).toBe(true);
  });

  test('a forced mode is used as given and learns nothing', () => {
    const spin = new SpinPolicy('spin');
    expect(drive(spin, 50, 5, 0.1).every(Boolean)).toBe(true);
    const park = new SpinPolicy('park');
    expect(drive(park, 50, 0.1, 5).some(Boolean)).toBe(false);
    expect(park.snapshot().spinSamples + park.snapshot().parkSamples).toBe(0);
  });
});
