/**
 * What an operation handler of the KMIP adapter gets: the request's protocol version, the server's KMIP
 * options, and `run`, which calls one of Arca's operations through the pipeline as the connection's
 * principal (authenticated by its client certificate, authorized by policy, audited).
 */
import type { KmsError } from '../../core/errors.js';
import type { SecretBytes } from '../../crypto/secret-bytes.js';
import { KmipError } from './errors.js';
import type { Fields } from './payload.js';
import type { ProtocolVersion } from './messages.js';
import { TAG } from './tags.js';
import type { TtlvItem } from './ttlv.js';

/** The `kmip:` options the adapter needs (docs/kmip.md). */
export interface KmipOptions {
  /** Whether keys made by Create and Register without an Extractable attribute are exportable (default false). */
  readonly exportableByDefault: boolean;
  /** Destroy schedules the key's deletion after this many days (7–30, as ScheduleKeyDeletion). */
  readonly destroyPendingDays: number;
}

/** A pipeline refusal, thrown by {@link KmipCall.run}; the session answers it with the code's Result Reason. */
export class PipelineRefusal extends Error {
  readonly error: KmsError;

  constructor(error: KmsError) {
    super(error.message);
    this.name = 'PipelineRefusal';
    this.error = error;
  }
}

export interface KmipCall {
  readonly version: ProtocolVersion;
  readonly options: KmipOptions;
  /** Runs `target` (`TrentService.Encrypt`, `ArcaService.CreateManagedKey`, ...) with `input`; throws {@link PipelineRefusal}. */
  run(target: string, input: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Zeroes `secret` once the response is written. */
  keep(secret: SecretBytes): void;
  /** The server's clock. */
  now(): Date;
  /** The ID Placeholder: the Unique Identifier an earlier batch item of this request answered. */
  placeholder: string | undefined;
}

/** A handler: the request payload's fields in, the response payload's children out. */
export type KmipHandler = (payload: Fields, call: KmipCall) => Promise<TtlvItem[]>;

/** Whether the request speaks KMIP 2.x (attributes in an `Attributes` structure). */
export const isV2 = (call: KmipCall): boolean => call.version.major >= 2;

/** The Unique Identifier the request names, or the ID Placeholder when it names none (1.4 §2.1.2). */
export function uniqueId(payload: Fields, call: KmipCall): string {
  const id = payload.text(TAG.UniqueIdentifier) ?? call.placeholder;
  if (id === undefined) throw new KmipError('MissingData', 'Unique Identifier is required (no earlier batch item set the ID Placeholder)');
  return id;
}

/** A string member of an operation's output (the adapter's reading of the registry's outputs). */
export function outText(output: Record<string, unknown>, name: string): string {
  const v = output[name];
  if (typeof v !== 'string') throw new Error(`the operation's output has no ${name}`);
  return v;
}

/** A bytes member of an operation's output. */
export function outBytes(output: Record<string, unknown>, name: string): Buffer {
  const v = output[name];
  if (!Buffer.isBuffer(v)) throw new Error(`the operation's output has no bytes ${name}`);
  return v;
}

/** An object member of an operation's output. */
export function outRecord(output: Record<string, unknown>, name: string): Record<string, unknown> {
  const v = output[name];
  if (typeof v !== 'object' || v === null) throw new Error(`the operation's output has no ${name}`);
  return v as Record<string, unknown>;
}
