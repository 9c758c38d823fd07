import type { CallerFacts } from '../../core/custody.js';
import type { z } from 'zod';
import { SecretBytes } from '../../crypto/secret-bytes.js';
import { KmsError } from '../../core/errors.js';
import { encodeInput } from './input-codec.js';
import type { KeyRecord } from '../../core/key.js';
import type { ApprovalRequest } from '../../core/approval.js';
import type { AuditEventSource, AuditIdentity } from '../../core/audit.js';
import type { KeyAccess } from '../../core/key-state.js';
import type { OperationContextKeys, RequestInfo } from '../../core/policy/context.js';
import { CONDITION_BUILDER, conditionContext, type ConditionBuilder, type ConditionDeclaration } from './condition-keys.js';
import type { Principal } from '../../core/principal.js';
import type { ServiceDeps } from './deps.js';

/** A key the pipeline resolved, authorized and state-checked for the operation. */
export interface ResolvedKey {
  readonly record: KeyRecord;
  readonly arn: string;
}

export interface OperationContext<K = Readonly<Record<string, ResolvedKey | undefined>>> {
  readonly requestId: string;
  readonly principal: Principal;
  /** The key of each slot the operation declares, by slot name; `undefined` where an optional slot's reference was absent. */
  readonly keys: K;
  /** Transport facts of the request (for checks that evaluate policies, like the lockout check). */
  readonly request?: RequestInfo | undefined;
  /**
   * For an operation that authenticates from its input (`authentication: 'token'`): records who the caller
   * proved to be, as the request's audit identity, whether the request then succeeds or is refused.
   */
  readonly identify?: ((identity: AuditIdentity) => void) | undefined;
  /** In a replay of a held request (ExecuteApproved, issue 18): the approval request it runs. */
  readonly approval?: ApprovalRequest | undefined;
}

/** How an operation finds a key it acts on (one named key slot). */
interface KeySlotBase<I> {
  access: KeyAccess;
  /** Whether an alias name or alias ARN may name the key (AWS refuses them for some operations). */
  allowAlias: boolean;
  /** The IAM action checked for this key, when it differs from the operation's (ReEncryptFrom/To). */
  action?: string;
  /**
   * The reference was read from a ciphertext's header, which is not authenticated until the key it names
   * has opened it: a key id Arca never had then makes the ciphertext invalid (InvalidCiphertext, the one
   * opaque decryption failure), never NotFound (a deleted key's ciphertexts stay NotFound, as in AWS).
   * Authorization still comes first, so a caller without rights gets the same AccessDenied whether the
   * named key is missing or forbidden.
   */
  fromCiphertext?: boolean;
  /**
   * The encryption context that applies to this key, when it is not the input's `EncryptionContext`
   * (ReEncrypt: the source context for ReEncryptFrom, the destination context for ReEncryptTo). It
   * feeds `kms:EncryptionContext:*` and grant constraints for this key.
   */
  encryptionContext?(input: I): Readonly<Record<string, string>>;
}

/** A slot the validated input always names a key for: `execute` and `check` see a `ResolvedKey`. */
export interface RequiredKeySlot<I> extends KeySlotBase<I> {
  readonly required: true;
  /** The caller's reference (key id, ARN, alias). */
  ref(input: I): string;
}

/** A slot the input may leave empty this time: `execute` and `check` see `ResolvedKey | undefined`. */
export interface OptionalKeySlot<I> extends KeySlotBase<I> {
  readonly required: false;
  /** The caller's reference, or `undefined` when this slot names no key this time. */
  ref(input: I): string | undefined;
}

export type KeySlot<I> = RequiredKeySlot<I> | OptionalKeySlot<I>;

/**
 * An operation's key slots by name. The pipeline resolves, authorizes and state-checks them in the
 * record's declaration order, which decides which error a caller sees first.
 */
export type KeySlots<I> = Readonly<Record<string, KeySlot<I>>>;

/** What `execute` and `check` see of the slots `S`: a required slot's key is always there. */
export type ResolvedKeys<S> = { readonly [N in keyof S]: S[N] extends { readonly required: true } ? ResolvedKey : ResolvedKey | undefined };

/**
 * The services Arca serves: AWS KMS's own (`TrentService`), Arca's operations AWS does not have, and
 * AWS STS's (`AWSSecurityTokenServiceV20110615`, served over the Query protocol by api/sts; ADR 0018).
 */
export type OperationService = 'TrentService' | 'ArcaService' | 'AWSSecurityTokenServiceV20110615';

/** The IAM action namespace of each service: `kms:` for AWS KMS operations, `arca:` for Arca's own, `sts:` for STS's. */
const ACTION_PREFIX: Record<OperationService, string> = { TrentService: 'kms', ArcaService: 'arca', AWSSecurityTokenServiceV20110615: 'sts' };

/** The audit event source of each service's operations. */
const EVENT_SOURCE: Record<OperationService, AuditEventSource> = { TrentService: 'kms', ArcaService: 'kms', AWSSecurityTokenServiceV20110615: 'sts' };

/** Where the audit events of a service's operations say they come from. */
export function eventSourceOf(service: OperationService): AuditEventSource {
  return EVENT_SOURCE[service];
}

/**
 * What an operation does to the system. `read`: describes or lists, no key material. `use`: a cryptographic
 * operation that uses key material but changes no stored state (its event goes through group commit).
 * `write`: changes stored state (it commits together with its audit event, ADR 0005).
 */
export type OperationEffect = 'read' | 'use' | 'write';

/** The IAM action an operation is authorized as: `kms:<Name>` or `arca:<Name>`, derived, never declared. */
export function operationAction(service: OperationService, name: string): string {
  return `${ACTION_PREFIX[service]}:${name}`;
}

/** A port (or setting) of {@link ServiceDeps} an operation may declare in `uses`. */
export type ServicePort = keyof ServiceDeps;

/** The ports an operation declared (`uses`): all that its `prepare`, `check` and `execute` receive. */
export type OperationPorts<U extends ServicePort> = Pick<ServiceDeps, U>;

/**
 * An operation: its name (its IAM action is derived from it), its input schema, how it finds its keys,
 * and what it does. Nothing here authenticates, authorizes or audits: the pipeline does that for every
 * operation alike.
 */
export interface Operation<I, O, P = undefined, S extends KeySlots<I> = KeySlots<I>, U extends ServicePort = never> {
  readonly service: OperationService;
  readonly name: string;
  /** One line (under 200 characters) saying what the operation does, for CLI help and the docs. */
  readonly description: string;
  readonly effect: OperationEffect;
  /**
   * The ports the operation uses (STYLE rule 5). Its `prepare`, `check` and `execute` receive an object
   * holding these and nothing else, picked once when the pipeline is built: an undeclared port is a type
   * error, and absent at run time too.
   */
  readonly uses: readonly U[];
  /**
   * A `use` operation that acts on a key counts as a use of that key (GetKeyLastUsage reports it) unless
   * it says `false` here. GetPublicKey does: it only hands out the public half, and Arca has never
   * reported it as a key's last use.
   */
  readonly countsAsKeyUse?: false;
  /**
   * `'none'`: the operation runs without authentication or authorization, and also while sealed (the
   * seal operations: a share or an uninitialized store is the credential). `'token'`: no request
   * signature, the operation authenticates its caller from its own input (AssumeRoleWithWebIdentity's
   * token) and authorizes it itself; it is refused while sealed, and a `write` commits with its audit
   * event like any authenticated write. Default `'required'`.
   */
  readonly authentication?: 'required' | 'none' | 'token';
  /** A zod object; each member carries a one-line `.describe()` (shared members carry theirs from schemas.ts), for help and docs. */
  readonly input: z.ZodType<I>;
  /** The keys the operation acts on, by slot name (`{}`: none). */
  readonly keys: S;
  /**
   * Slow work that reads and locks nothing (generating a key pair), for a mutating operation: the
   * pipeline runs it once the request is authenticated, validated and authorized, before the audit
   * transaction opens, so that other requests' events do not wait for it (ADR 0005), and hands its
   * result to `execute`. `undefined`: nothing prepared (execute then does the work itself). Secrets in
   * the result are zeroed when the request ends.
   */
  prepare?(input: I, deps: OperationPorts<U>, caller: CallerFacts): Promise<P | undefined>;
  /**
   * Validation that needs the resolved keys (key usage and spec, algorithms, IncorrectKey comparisons,
   * grant lookups) and changes nothing. The pipeline runs it after authorization and the state checks,
   * before `execute`; a DryRun request stops after it.
   */
  check?(input: I, ctx: OperationContext<ResolvedKeys<S>>, deps: OperationPorts<U>): Promise<void>;
  /**
   * Whether the request only asks whether it would succeed (AWS's `DryRun`): the pipeline then answers
   * `DryRunOperation` after authorization, the state checks and `check`, and never runs `execute`.
   */
  dryRun?(input: I): boolean;
  execute(input: I, ctx: OperationContext<ResolvedKeys<S>>, deps: OperationPorts<U>, prepared: P | undefined): Promise<O>;
  /** What the audit event records of the request: never plaintext, key material or secrets. */
  auditRequest(input: I): Record<string, unknown>;
  auditResponse?(output: O): Record<string, unknown>;
  /**
   * The alias this operation creates, repoints or deletes (`alias/<name>`, validated). The pipeline
   * authorizes the operation's action on the alias ARN (`arn:aws:kms:<region>:<account>:alias/<name>`)
   * before the keys, as AWS does: an alias has no key policy, so identity policies alone decide there.
   */
  alias?(input: I): string;
  /**
   * The policy condition keys the input supplies, each through a typed accessor (condition-keys.ts), so
   * that renaming a member breaks the build instead of silently dropping a condition key. A function of
   * the builder only so that TypeScript types the accessors' input; it is called once, at definition.
   */
  conditions?(c: ConditionBuilder<I>): readonly ConditionDeclaration<I>[];
  /** Condition keys that are not read from one member (`kms:RequestAlias`, constants). Optional: most operations need none. */
  authorizationContext?(input: I): OperationContextKeys;
  /**
   * For an operation on no key: the resource its action is authorized on, instead of `*` (AssumeRole:
   * the role ARN, whose trust policy then acts as the resource policy; ADR 0018).
   */
  resource?(input: I): string;
  /**
   * `false`: every authenticated caller may call the operation, and no policy (not even an explicit
   * Deny) refuses it, as AWS documents for `sts:GetCallerIdentity`. Default `true`.
   */
  readonly needsPermission?: false;
}

/** What authorization reads of a validated input. */
export interface AuthorizationFacts {
  readonly context: OperationContextKeys;
  readonly encryptionContext: Readonly<Record<string, string>> | undefined;
}

/** A key slot with the caller's reference already read from the input. */
export interface BoundKeyRequirement extends Omit<KeySlotBase<unknown>, 'encryptionContext'> {
  readonly slot: string;
  readonly refValue: string | undefined;
  readonly encryptionContextValue?: Readonly<Record<string, string>> | undefined;
}

export interface CallResult {
  readonly output: unknown;
  readonly auditResponse: Record<string, unknown> | null;
}

/** A validated call, its input type kept behind closures so that the registry needs no `any`. */
export interface BoundCall {
  readonly keys: readonly BoundKeyRequirement[];
  /** The alias the operation manages, authorized as a resource of its own (`Operation.alias`). */
  readonly alias: string | undefined;
  /** The resource a keyless operation is authorized on (`Operation.resource`); undefined: `*`. */
  readonly resource: string | undefined;
  /** Zeroes every secret (SecretBytes) of the parsed input and of what `prepare` made; the pipeline calls it once the request ends. */
  dispose(): void;
  /** Whether the request is a DryRun: the pipeline stops after `check` ({@link Operation.dryRun}). */
  readonly dryRun: boolean;
  /** Runs the operation's `check`, if any. */
  check(ctx: OperationContext): Promise<void>;
  /** Runs the operation's `prepare`, if any, keeping its result for `execute`. */
  prepare(caller: CallerFacts): Promise<void>;
  execute(ctx: OperationContext): Promise<CallResult>;
  auditRequest(): Record<string, unknown>;
  authorization(): AuthorizationFacts;
  /** The validated input as text ({@link encodeInput}): what an approval request stores to replay. */
  encodedInput(): string;
}

export interface RegisteredOperation {
  readonly service: OperationService;
  readonly name: string;
  /** The IAM action, `kms:<Name>` or `arca:<Name>` ({@link operationAction}). */
  readonly action: string;
  readonly description: string;
  readonly effect: OperationEffect;
  /** Whether a successful call is a use of the key it acts on (GetKeyLastUsage): a `use` operation on a key, unless it opts out. */
  readonly countsAsKeyUse: boolean;
  readonly authentication: 'required' | 'none' | 'token';
  /** False when any authenticated caller may call it, whatever the policies say ({@link Operation.needsPermission}). */
  readonly needsPermission: boolean;
  /** Whether the operation takes DryRun requests (`Operation.dryRun`): the pipeline stops them after `check`. */
  readonly acceptsDryRun: boolean;
  /** Whether the operation has slow work to prepare before its transaction (`Operation.prepare`). */
  readonly prepares: boolean;
  /** How each key requirement reaches its key, in declaration order (empty: the operation acts on no key). */
  readonly keyAccess: readonly KeyAccess[];
  /** The ports the operation declared ({@link Operation.uses}), in declaration order. */
  readonly uses: readonly ServicePort[];
  /** The condition keys (and key prefixes) its input can supply ({@link Operation.conditions}). */
  readonly conditionKeys: readonly string[];
  /** The input schema (a zod object for every registered operation; {@link describeOperation} reads its members). */
  readonly input: z.ZodType;
  /**
   * The operation wired to the ports it declared, picked from `deps` now (once per operation, when the
   * pipeline is built): its calls can reach no other port.
   */
  connect(deps: ServiceDeps): ConnectedOperation;
}

/**
 * Reads a request's input validated by `schema`, decoding the transport's wire form first (throws a
 * ZodError or a KmsError). The transport knows its encoding; the schema knows the members' types.
 */
export type InputReader = <T>(schema: z.ZodType<T>) => T;

/** An operation holding its declared ports: what the pipeline binds each request's input to. */
export interface ConnectedOperation {
  /** Reads the input through `read` (which throws a ZodError on invalid input) and binds it to the operation. */
  bind(read: InputReader): BoundCall;
}

export function defineOperation<I, O, P = undefined, S extends KeySlots<I> = KeySlots<I>, U extends ServicePort = never>(op: Operation<I, O, P, S, U>): RegisteredOperation {
  const slots = Object.entries(op.keys);
  // An unauthenticated operation has no principal to authorize against a key: it may act on none.
  if ((op.authentication ?? 'required') !== 'required' && slots.length > 0) throw new Error(`${op.service}.${op.name}: an unauthenticated operation cannot act on keys`);
  // Preparation runs after authorization, which an unauthenticated operation does not have.
  if ((op.authentication ?? 'required') !== 'required' && op.prepare !== undefined) throw new Error(`${op.service}.${op.name}: an unauthenticated operation cannot prepare`);
  // A key operation is authorized on its keys; a resource of its own is for operations on none.
  if (op.resource !== undefined && slots.length > 0) throw new Error(`${op.service}.${op.name}: an operation on keys cannot name another resource`);
  const conditions = op.conditions?.(CONDITION_BUILDER) ?? [];
  return {
    service: op.service,
    name: op.name,
    action: operationAction(op.service, op.name),
    description: op.description,
    effect: op.effect,
    countsAsKeyUse: op.effect === 'use' && slots.length > 0 && op.countsAsKeyUse !== false,
    authentication: op.authentication ?? 'required',
    needsPermission: op.needsPermission !== false,
    acceptsDryRun: op.dryRun !== undefined,
    prepares: op.prepare !== undefined,
    keyAccess: slots.map(([, k]) => k.access),
    uses: [...op.uses],
    conditionKeys: conditions.flatMap((c) => c.keys),
    input: op.input,
    connect: (deps) => ({ bind: bindTo(op, slots, conditions, pickPorts(deps, op.uses)) }),
  };
}

/** The ports named in `uses`, and only those, taken from `deps` (a port `deps` lacks is present as `undefined`). */
export function pickPorts<U extends ServicePort>(deps: ServiceDeps, uses: readonly U[]): OperationPorts<U> {
  const picked: Partial<OperationPorts<U>> = {};
  for (const port of uses) picked[port] = deps[port];
  // Every declared port was copied above; the cast only forgets that `picked` was filled one member at a time.
  return Object.freeze(picked) as OperationPorts<U>;
}

/** Binds a request's input to `op`, whose `prepare`, `check` and `execute` receive `ports`. */
function bindTo<I, O, P, S extends KeySlots<I>, U extends ServicePort>(op: Operation<I, O, P, S, U>, slots: readonly [string, KeySlot<I>][], conditions: readonly ConditionDeclaration<I>[], ports: OperationPorts<U>) {
  return (read: InputReader): BoundCall => {
    const input = read(op.input);
    let keys: BoundKeyRequirement[];
    let alias: string | undefined;
    let resource: string | undefined;
    let dryRun: boolean;
    try {
      keys = slots.map(([slot, k]) => ({
        slot,
        access: k.access,
        allowAlias: k.allowAlias,
        action: k.action,
        fromCiphertext: k.fromCiphertext,
        refValue: k.ref(input),
        encryptionContextValue: k.encryptionContext?.(input),
      }));
      alias = op.alias?.(input);
      resource = op.resource?.(input);
      dryRun = op.dryRun?.(input) === true;
    } catch (e) {
      disposeSecrets(input);
      throw e;
    }
    let prepared: P | undefined;
    return {
      keys,
      alias,
      resource,
      dryRun,
      async check(ctx) {
        await op.check?.(input, { ...ctx, keys: slotKeys(op.keys, ctx.keys) }, ports);
      },
      dispose: () => {
        disposeSecrets(input);
        disposeSecrets(prepared);
      },
      async prepare(caller) {
        prepared = await op.prepare?.(input, ports, caller);
      },
      async execute(ctx) {
        const output = await op.execute(input, { ...ctx, keys: slotKeys(op.keys, ctx.keys) }, ports, prepared);
        return { output, auditResponse: op.auditResponse ? op.auditResponse(output) : null };
      },
      auditRequest: () => op.auditRequest(input),
      encodedInput: () => encodeInput(input),
      authorization: () => {
        const { context, encryptionContext } = conditionContext(conditions, input);
        return { context: { ...context, ...op.authorizationContext?.(input) }, encryptionContext };
      },
    };
  };
}

/**
 * The resolved keys typed by the operation's slots. The pipeline resolves every slot whose reference is
 * present or fails the request, and a required slot's reference is always present (its `ref` returns a
 * string), so a missing required key here is a pipeline defect: it fails the request as `Internal`.
 * The cast is the one place where the slots' static types meet the pipeline's untyped record.
 */
function slotKeys<S extends KeySlots<never>>(slots: S, resolved: Readonly<Record<string, ResolvedKey | undefined>>): ResolvedKeys<S> {
  for (const [name, slot] of Object.entries(slots)) {
    if (slot.required && resolved[name] === undefined) throw new KmsError('Internal', `the required key slot '${name}' was not resolved`);
  }
  return resolved as ResolvedKeys<S>;
}

/** Zeroes the SecretBytes found in a parsed input (its members, and members of nested arrays and objects). */
function disposeSecrets(value: unknown, depth = 0): void {
  if (value instanceof SecretBytes) return value.dispose();
  if (depth > 4 || typeof value !== 'object' || value === null || Buffer.isBuffer(value)) return;
  for (const v of Array.isArray(value) ? value : Object.values(value)) disposeSecrets(v, depth + 1);
}
