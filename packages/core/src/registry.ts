/**
 * A provider registry: `getDriver(Provider.X)` returns the driver class.
 * @module
 */
import { InvalidArgumentError } from './errors/index.js';

/** Maps provider names to driver classes, with a clear error for unknown ones. */
export class DriverRegistry<P extends string, D> {
  private readonly drivers = new Map<P, D>();

  /** Registers (or replaces) the driver of a provider. */
  register(provider: P, driver: D): this {
    this.drivers.set(provider, driver);
    return this;
  }

  /** The driver class of a provider; `InvalidArgumentError` for an unknown provider. */
  get(provider: P): D {
    const driver = this.drivers.get(provider);
    if (driver === undefined) {
      throw new InvalidArgumentError(`unknown provider "${String(provider)}"; known: ${[...this.drivers.keys()].join(', ')}`);
    }
    return driver;
  }

  /** Registered provider names. */
  providers(): P[] {
    return [...this.drivers.keys()];
  }
}
