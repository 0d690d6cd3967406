/**
 * Whether the sync bridge's threads spin while they wait, decided from measurements of the calls themselves.
 *
 * A blocking call hands its request to the HTTP worker and the reply back: two thread wake-ups. On an idle
 * virtual machine a wake-up of a parked thread costs more than a whole loopback request (the idle vCPU halts and
 * the host has to schedule it again), so spinning briefly on a shared counter instead of parking pays: the caller
 * spins for the reply, the worker for the next request. On a machine whose cores are all busy the same spin is
 * harmful: a spinning caller holds a core that the worker or a co-located server needs, and the kernel lets it run
 * out its time slice first (a millisecond or more per call, measured here with another process keeping one of two
 * cores busy). Neither the machine's load nor the server's place is known to the bridge, so it measures: calls
 * run in one of two arms, `spin` or `park`, mostly the preferred one, and now and then a short block of calls in
 * the other; the arm whose calls are clearly shorter on average becomes the preferred one. A call's measure is
 * its round trip plus the caller's time until its next call, up to 1 ms (the bridge's `lastCall`: a spinning
 * worker slows the caller's own work too). The mean is the arithmetic one, tails included, because that is what
 * a caller pays per call: spinning makes most round trips shorter and some much longer (a spinning thread
 * descheduled), and a geometric mean, which discounts the tail, preferred spinning in runs where it cost 22 %
 * more per call than parking (bench (c): 537 vs 438 µs per call, geometric means 0.30 vs 0.48 ms). A single
 * sample counts at most {@link CLAMP}× an arm's mean, so a timeout does not swamp it. Spinning must win by a
 * margin: when it does not help (slow servers, busy machines) the threads park and spend no CPU waiting.
 * @module
 */

/** `auto` measures; `spin` and `park` force an arm (tests, benchmarks). */
export type SpinMode = 'auto' | 'spin' | 'park';

/** How long the caller spins for a reply, and the worker for the next request, in the `spin` arm. */
export const CALLER_SPIN_MS = 1;
export const WORKER_SPIN_MS = 0.25;
/**
 * A gap this long between two turns of a spin loop means the spinning thread was descheduled: something else
 * wanted its core. The spin then stops and the thread parks.
 */
export const PREEMPTED_GAP_MS = 0.05;

/** Calls of an exploration block run in the other arm (the first is not measured: see {@link SpinPolicy}). */
const BLOCK = 5;
/**
 * Probability that a call starts an exploration block once both arms are measured: about 3 % of calls run in
 * the arm not preferred (the price of noticing that the machine changed; that arm can be several times slower).
 */
const EXPLORE = 1 / 160;
/** Exploration becomes at most this much rarer when the other arm is much slower (see `SpinPolicy.#gapFactor`). */
const MAX_GAP_FACTOR = 4;
/**
 * Weight of a new call in an arm's running mean of call times: the preferred arm has many
 * samples and moves slowly; the other gets one now and then and must follow a change within a few of them.
 */
const ALPHA_PREFERRED = 1 / 16;
const ALPHA_OTHER = 1 / 4;
/** Samples each arm needs before the other is ever preferred over `park`. */
const MIN_SAMPLES = 8;
/** Spinning is preferred only when parked calls take at least this many times longer (10 %). */
const MARGIN = 1.1;
/** A sample counts at most this many times an arm's mean, or that many times less (a timeout counts as a 10× slower call). */
const CLAMP = 10;
/**
 * A switch of arms needs the other arm measured within this many calls. On a shared machine everything slows
 * down and speeds up by turns; the preferred arm's figure follows at once, and compared with the other arm's
 * figure from calmer minutes it looked worse, which flipped the preference for a few calls at a time (60 flips
 * in 8000 calls here). An old figure is measured again first (one exploration block), then compared.
 */
const FRESH_CALLS = 50;

interface Arm {
  mean: number;
  samples: number;
  /** The call count at its last sample. */
  at: number;
}

/** Chooses each call's arm and learns from its duration (see the module comment). */
export class SpinPolicy {
  readonly #arms: Record<'spin' | 'park', Arm> = { spin: { mean: 0, samples: 0, at: 0 }, park: { mean: 0, samples: 0, at: 0 } };
  /** Calls recorded in `auto` mode. */
  #calls = 0;
  #preferSpin = false;
  /** The arm of the calls in progress and how many more calls it lasts. */
  #blockSpin = false;
  #blockLeft = 0;
  /** The arm of the previous call: the first call after a switch is not measured. */
  #lastSpin: boolean | undefined;
  #mode: SpinMode;
  readonly #random: () => number;

  constructor(mode: SpinMode = 'auto', random: () => number = Math.random) {
    this.#mode = mode;
    this.#random = random;
  }

  get mode(): SpinMode {
    return this.#mode;
  }

  set mode(mode: SpinMode) {
    this.#mode = mode;
  }

  /** The arm currently preferred (used for waits that are not measured). */
  get preferSpin(): boolean {
    return this.#mode === 'auto' ? this.#preferSpin : this.#mode === 'spin';
  }

  /** The arm of the next measured call. */
  next(): boolean {
    if (this.#mode !== 'auto') return this.#mode === 'spin';
    if (this.#blockLeft > 0) {
      this.#blockLeft--;
      return this.#blockSpin;
    }
    const { spin, park } = this.#arms;
    // Until both arms have their samples, alternate blocks; then explore the other arm now and then.
    const warming = spin.samples < MIN_SAMPLES || park.samples < MIN_SAMPLES;
    const explore = warming || this.#random() < EXPLORE / this.#gapFactor();
    this.#blockSpin = explore ? (warming ? spin.samples <= park.samples : !this.#preferSpin) : this.#preferSpin;
    this.#blockLeft = explore ? BLOCK - 1 : 0;
    return this.#blockSpin;
  }

  /**
   * How much rarer exploration is when the arm not preferred was clearly slower at its last measurement: 1 when the
   * arms are within 2× of each other, up to {@link MAX_GAP_FACTOR} (2× slower: 2; 4× and beyond: 4). On a busy
   * machine a spin-arm call can take several times a parked one, and 3 % of the calls spent there added ~5 % to
   * the mean; a change of the machine is still noticed within a few exploration blocks (tests: spin-policy.test.ts).
   */
  #gapFactor(): number {
    const { spin, park } = this.#arms;
    const other = this.#preferSpin ? park : spin;
    const preferred = this.#preferSpin ? spin : park;
    const ratio = other.mean / preferred.mean;
    return ratio > 2 ? Math.min(MAX_GAP_FACTOR, ratio) : 1;
  }

  /** Records the measure of a call made in arm `spin` (its round trip and the caller's time after it). */
  record(spin: boolean, ms: number): void {
    const switched = this.#lastSpin !== undefined && this.#lastSpin !== spin;
    this.#lastSpin = spin;
    // The first call after a switch is not representative: whether the worker spun for it was decided by the
    // call before, in the other arm.
    if (this.#mode !== 'auto' || switched || !(ms > 0)) return;
    this.#calls++;
    const arm = this.#arms[spin ? 'spin' : 'park'];
    arm.at = this.#calls;
    if (arm.samples === 0) arm.mean = ms;
    else {
      const clamped = Math.min(arm.mean * CLAMP, Math.max(arm.mean / CLAMP, ms));
      const alpha = arm.samples < MIN_SAMPLES ? 1 / (arm.samples + 1) : spin === this.#preferSpin ? ALPHA_PREFERRED : ALPHA_OTHER;
      arm.mean += alpha * (clamped - arm.mean);
    }
    arm.samples++;
    const { spin: s, park: p } = this.#arms;
    const preferSpin = s.samples >= MIN_SAMPLES && p.samples >= MIN_SAMPLES && s.mean * MARGIN < p.mean;
    if (preferSpin !== this.#preferSpin && this.#calls - (preferSpin ? s : p).at > FRESH_CALLS) {
      // The arm that now looks better was measured long ago: measure it again before switching (FRESH_CALLS).
      if (this.#blockLeft === 0) {
        this.#blockSpin = preferSpin;
        this.#blockLeft = BLOCK;
      }
      return;
    }
    this.#preferSpin = preferSpin;
  }

  /** The measured state (benchmarks and tests): mean call times in ms and sample counts. */
  snapshot(): { preferSpin: boolean; spinMs: number; parkMs: number; spinSamples: number; parkSamples: number } {
    const { spin, park } = this.#arms;
    return { preferSpin: this.preferSpin, spinMs: spin.mean, parkMs: park.mean, spinSamples: spin.samples, parkSamples: park.samples };
  }
}
