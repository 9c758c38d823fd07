import type { Clock, StorageHealth, StorageStatus } from '../core/ports.js';

/**
 * A store's health as the audit writer sees its commits (every request commits an audit event, so a
 * failing store shows on the next request): failing from the first error `isFailure` recognizes as the
 * storage's own (a full disk, an unreachable database) until a write succeeds again. Each engine gives
 * its predicate.
 */
export class StorageHealthTracker implements StorageHealth {
  readonly #clock: Clock;
  readonly #isFailure: (e: unknown) => boolean;
  #failingSince: Date | undefined;

  constructor(clock: Clock, isFailure: (e: unknown) => boolean) {
    this.#clock = clock;
    this.#isFailure = isFailure;
  }

  noteFailure(e: unknown): boolean {
    if (!this.#isFailure(e)) return false;
    this.#failingSince ??= this.#clock.now();
    return true;
  }

  noteSuccess(): void {
    this.#failingSince = undefined;
  }

  get status(): StorageStatus {
    const since = this.#failingSince;
    return since === undefined ? { healthy: true } : { healthy: false, failingSince: since.toISOString() };
  }
}
