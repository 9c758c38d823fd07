/**
 * A fixed set of open PKCS#11 sessions, each lent to one operation at a time. A PKCS#11 session holds at
 * most one active cryptographic operation (C_EncryptInit … C_Encrypt) and is not safe to use from two
 * threads at once; the HSM key store runs C_Encrypt/C_Decrypt on libuv's thread pool (pkcs11js's `…Async`
 * calls), so a session must not be handed to a second operation before the first one finished. Callers
 * wait in FIFO order for a free session. The pool neither opens nor closes sessions: its owner does.
 */
export class SessionPool {
  readonly #all: readonly Buffer[];
  readonly #free: Buffer[];
  readonly #waiting: Array<{ readonly resolve: (session: Buffer) => void; readonly reject: (e: Error) => void }> = [];
  readonly #closedError: () => Error;
  #running = 0;
  #closed = false;
  #idle: (() => void) | undefined;

  /** `closedError` makes the error thrown to callers once the pool is draining or drained. */
  constructor(sessions: readonly Buffer[], closedError: () => Error) {
    if (sessions.length === 0) throw new Error('a session pool needs at least one session');
    this.#all = [...sessions];
    this.#free = [...sessions];
    this.#closedError = closedError;
  }

  /** Every session of the pool, busy or not (for the owner's logout and close). */
  get sessions(): readonly Buffer[] {
    return this.#all;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Runs `fn` with a session that no other operation uses until `fn` settles. */
  async use<T>(fn: (session: Buffer) => Promise<T> | T): Promise<T> {
    const session = await this.#acquire();
    try {
      return await fn(session);
    } finally {
      this.#release(session);
    }
  }

  #acquire(): Promise<Buffer> {
    if (this.#closed) return Promise.reject(this.#closedError());
    const session = this.#free.pop();
    if (session !== undefined) {
      this.#running++;
      return Promise.resolve(session);
    }
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  /** Hands the session straight to the next waiter (it stays counted as running), or frees it. */
  #release(session: Buffer): void {
    const next = this.#closed ? undefined : this.#waiting.shift();
    if (next !== undefined) {
      next.resolve(session);
      return;
    }
    this.#running--;
    this.#free.push(session);
    if (this.#closed && this.#running === 0) this.#idle?.();
  }

  /** Refuses new work, fails the callers still waiting, and resolves once the running operations settled. */
  drain(): Promise<void> {
    this.#closed = true;
    for (const w of this.#waiting.splice(0)) w.reject(this.#closedError());
    if (this.#running === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#idle = resolve;
    });
  }
}
