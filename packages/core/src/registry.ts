/**
 * Provider registries: `getDriver(Provider.X)` returns the driver class, `registerDriver` plugs in a user's own
 * provider (Libcloud's `set_driver`). Both families build theirs with {@link DriverRegistry}.
 * @module
 */
import { InvalidArgumentError } from './errors/index.js';

/**
 * Maps provider names to driver classes, with a clear error for unknown ones. `M` maps each built-in provider
 * to its precise class type; `D` is what any registered class must be.
 */
export class DriverRegistry<M extends { [K in keyof M]: D }, D> {
  private readonly drivers = new Map<string, D>();

  constructor(
    /** The family, for messages (`compute`, `storage`). */
    readonly family: string,
    builtIn: M,
  ) {
    for (const [name, driver] of Object.entries(builtIn) as Array<[string, D]>) this.drivers.set(name, driver);
  }

  /**
   * Registers (or replaces) the driver class of a provider, so `getDriver(name)` returns it and the design
   * packages wrap it like the built-in ones.
   */
  register(provider: string, driver: D): void {
    if (typeof provider !== 'string' || provider === '') throw new InvalidArgumentError(`${this.family}: a provider name is a non-empty string`);
    if (typeof driver !== 'function') throw new InvalidArgumentError(`${this.family}: the driver of ${provider} must be a class`);
    this.drivers.set(provider, driver);
  }

  /** The driver class of a provider; `InvalidArgumentError` for an unknown provider. */
  get<P extends keyof M & string>(provider: P): M[P];
  get(provider: string): D;
  get(provider: string): D {
    const driver = this.drivers.get(provider);
    if (driver === undefined) {
      throw new InvalidArgumentError(`unknown ${this.family} provider "${String(provider)}"; known: ${[...this.drivers.keys()].join(', ')}`);
    }
    return driver;
  }

  /** Registered provider names. */
  providers(): string[] {
    return [...this.drivers.keys()];
  }
}
