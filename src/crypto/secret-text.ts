import { inspect } from 'node:util';
import type { SecretBytes } from './secret-bytes.js';

const REDACTED = '[redacted]';

/**
 * A secret that is text (an access-key secret): its UTF-8 bytes in a {@link SecretBytes}, so that it can
 * be zeroed, unlike a string. It becomes a string only in the transport's writer, at the last moment;
 * every string conversion here prints `[redacted]`.
 */
export class SecretText {
  readonly #bytes: SecretBytes;

  private constructor(bytes: SecretBytes) {
    this.#bytes = bytes;
  }

  /** Takes ownership of `utf8` (the text's UTF-8 bytes): disposing this text disposes it. */
  static adopt(utf8: SecretBytes): SecretText {
    return new SecretText(utf8);
  }

  get disposed(): boolean {
    return this.#bytes.disposed;
  }

  /** The UTF-8 bytes, for the wire writer. Never log or persist them. */
  expose(): Buffer {
    return this.#bytes.expose();
  }

  /** Zeroes the bytes. Idempotent. */
  dispose(): void {
    this.#bytes.dispose();
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
    return `SecretText(${REDACTED})`;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }
}
