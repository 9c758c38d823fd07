import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * Key material or plaintext. The bytes are reachable only through {@link SecretBytes.expose}, a name that
 * is easy to grep for; every string conversion (toString, toJSON, util.inspect, template literals) prints
 * `[redacted]`. {@link SecretBytes.dispose} zeroes the buffer; a disposed value refuses to expose.
 */
export class SecretBytes {
  readonly #bytes: Buffer;
  #disposed = false;

  private constructor(bytes: Buffer) {
    this.#bytes = bytes;
  }

  /** Takes ownership of `bytes`: the caller must not keep or reuse the buffer. */
  static adopt(bytes: Buffer): SecretBytes {
    return new SecretBytes(bytes);
  }

  /** Copies `bytes`; the caller keeps its own buffer (and should wipe it). */
  static copyOf(bytes: Uint8Array): SecretBytes {
    return new SecretBytes(Buffer.from(bytes));
  }

  get length(): number {
    return this.#bytes.length;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** The raw bytes, for the crypto layer and for serializing a response. Never log or persist them. */
  expose(): Buffer {
    if (this.#disposed) throw new Error('SecretBytes used after dispose');
    return this.#bytes;
  }

  /** Zeroes the bytes. Idempotent. */
  dispose(): void {
    this.#bytes.fill(0);
    this.#disposed = true;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return `SecretBytes(${REDACTED})`;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }
}
