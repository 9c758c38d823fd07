import { DEFAULT_TTLV_LIMITS, TTLV_HEADER_BYTES, TTLV_TYPE_CODES, TtlvDecodeError, type TtlvLimits } from './ttlv.js';

/**
 * Incremental framing of a byte stream into whole messages. A message is an 8-byte header followed by the
 * length it declares; a declared length above `maxMessageBytes` (or a header that is not a Structure's) is
 * refused as soon as the header arrives, before anything is buffered for it. After a refusal the stream is
 * unusable (the listener closes the connection): every later `push` throws the same error.
 */
export class TtlvFramer {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private failed: TtlvDecodeError | undefined;

  constructor(private readonly limits: TtlvLimits = DEFAULT_TTLV_LIMITS) {}

  /** Bytes received but not yet part of a returned message. */
  get pending(): number {
    return this.buffered;
  }

  /** Adds received bytes; returns every message now complete (each a fresh copy), in order. */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.failed !== undefined) throw this.failed;
    if (chunk.length > 0) {
      this.chunks.push(Uint8Array.from(chunk)); // a copy (a Buffer's slice would be a view of memory the caller may zero)
      this.buffered += chunk.length;
    }
    const out: Uint8Array[] = [];
    for (;;) {
      if (this.buffered < TTLV_HEADER_BYTES) return out;
      const head = this.peek(TTLV_HEADER_BYTES);
      const declared = new DataView(head.buffer, head.byteOffset, TTLV_HEADER_BYTES).getUint32(4);
      const total = TTLV_HEADER_BYTES + declared;
      if (head[3] !== TTLV_TYPE_CODES.Structure || declared % 8 !== 0) {
        this.failed = new TtlvDecodeError('NotAStructure', 'a message must start with a Structure header', 0);
      } else if (total > this.limits.maxMessageBytes) {
        this.failed = new TtlvDecodeError('MessageTooLarge', `declared length ${declared} exceeds ${this.limits.maxMessageBytes}`, 4);
      }
      if (this.failed !== undefined) {
        this.chunks = [];
        this.buffered = 0;
        throw this.failed;
      }
      if (this.buffered < total) return out;
      out.push(this.take(total));
    }
  }

  private peek(n: number): Uint8Array {
    const first = this.chunks[0];
    if (first !== undefined && first.length >= n) return first.subarray(0, n);
    return this.concat().subarray(0, n);
  }

  private take(n: number): Uint8Array {
    const all = this.concat();
    const msg = all.slice(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return msg;
  }

  private concat(): Uint8Array {
    if (this.chunks.length === 1) return this.chunks[0]!;
    const all = new Uint8Array(this.buffered);
    let p = 0;
    for (const c of this.chunks) {
      all.set(c, p);
      p += c.length;
    }
    this.chunks = [all];
    return all;
  }
}
