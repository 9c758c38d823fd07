/**
 * The in-memory pipeline harness for operation specs (STYLE.md rule 12, issue 13 item 4): the real
 * {@link Pipeline}, registry, authorizer and SQLite adapters on an in-memory database, a Shamir root of
 * trust (1 of 1) whose seal store is in that database too, and a fixed test clock. No HTTP, no socket, no
 * file: a spec file runs in milliseconds.
 *
 * What differs from a served request, on purpose:
 * - Authentication: the caller is named, not signed (SigV4 has its own tests); the authenticator looks
 *   the named principal up in the principal store, so policies and grants see its real id.
 * - Inputs are typed (`Buffer`, `SecretBytes`, `Date`); {@link toPipelineBody} is the one place that turns
 *   them into AWS JSON, which the harness then reads with the AWS adapter's own parser, so each spec also
 *   runs the wire decoding and AWS's validation wording.
 * - No read cache, no rate limiter for unauthenticated sources, no scheduler: each request reads the
 *   store directly, every failure is recorded, and lifecycle jobs run only when a spec asks for them.
 */
import { awsInvalidInput, parseAwsInput } from '../../src/api/aws/input.js';
import { SecretBytes } from '../../src/crypto/secret-bytes.js';
import type { AuditEvent } from '../../src/core/audit.js';
import { KmsError } from '../../src/core/errors.js';
import type { AuditLog, AuthenticationRequest, Authenticator, Clock, Logger, PrincipalStore } from '../../src/core/ports.js';
import type { Principal } from '../../src/core/principal.js';
import { ROTATION_PERIOD } from '../../src/core/lifecycle.js';
import { ShamirRootOfTrust } from '../../src/root/shamir/shamir-root.js';
import { wireAudit } from '../../src/server/audit-wiring.js';
import { sqliteStoreBundle } from '../../src/server/store-bundle.js';
import type { LifecycleDeps } from '../../src/service/pipeline/deps.js';
import { KeyHierarchy } from '../../src/custody/key-hierarchy.js';
import { CustodyKeyPrimitives } from '../../src/custody/key-primitives.js';
import { CustodyKeyImporter } from '../../src/custody/importer.js';
import { CustodyKeyProvisioner } from '../../src/custody/provisioner.js';
import type { RegisteredOperation } from '../../src/service/pipeline/operation.js';
import { Pipeline, type PipelineResult } from '../../src/service/pipeline/pipeline.js';
import { PolicyAuthorizer } from '../../src/service/access/policy-authorizer.js';
import { operationRegistry } from '../../src/service/pipeline/registry.js';
import { ApprovalGate } from '../../src/service/approvals/approval-gate.js';
import { SealController } from '../../src/custody/sealing.js';
import { ensureAdmin } from '../../src/service/identity/bootstrap.js';
import { ensureAdminPolicy } from '../../src/service/identity/bootstrap-policy.js';
import { openDatabase } from '../../src/store/sqlite/database.js';
import { BreakerGate, CircuitBreakers } from '../../src/service/detection/breakers.js';
import { CustomKeyStoreWiring, type CustomKeyStoresAppConfig } from '../../src/server/custom-key-store-wiring.js';

/** The fixed time of the harness clock (moved only by {@link Harness.advance}). */
export const HARNESS_TIME = new Date('2026-06-01T12:00:00Z');

/** A typed operation input: blobs as `Buffer` or `SecretBytes`, never base64. */
export type TypedInput = Readonly<Record<string, unknown>>;

/** A principal of the harness, by name (the authenticator looks it up by name). */
export interface HarnessPrincipal {
  readonly name: string;
  readonly id: string;
  readonly arn: string;
}

export type CallResult = { readonly output: Record<string, unknown>; readonly error?: undefined } | { readonly output?: undefined; readonly error: KmsError };

export interface CallOptions {
  /** The caller (default the bootstrap administrator). */
  readonly as?: HarnessPrincipal;
  /** `TrentService` (default) or `ArcaService`. */
  readonly service?: 'TrentService' | 'ArcaService';
  /** The `aws:SourceArn` the request claims, as a transport hands it over (ADR 0021). */
  readonly sourceArn?: string;
}

export interface Harness {
  readonly admin: HarnessPrincipal;
  readonly clock: Clock;
  readonly realm: { readonly partition: 'aws'; readonly region: string; readonly account: string };
  /** Every registered operation by name, as the pipeline serves them. */
  readonly operations: ReadonlyMap<string, RegisteredOperation>;
  /** Runs one request through the pipeline. */
  call(operation: string, input: TypedInput, options?: CallOptions): Promise<CallResult>;
  /** Like {@link call}, but throws unless it succeeded; returns the output. */
  ok(operation: string, input: TypedInput, options?: CallOptions): Promise<Record<string, unknown>>;
  /** Like {@link call}, but throws unless it failed; returns the error. */
  fails(operation: string, input: TypedInput, options?: CallOptions): Promise<KmsError>;
  /** Creates a principal (through CreatePrincipal as the administrator), with an identity policy when given. */
  principal(name: string, policy?: object): Promise<HarnessPrincipal>;
  /** Creates a key as the administrator (CreateKey members) and returns its id. */
  key(members?: TypedInput): Promise<string>;
  /** The audit events recorded so far, oldest first (the harness's own set-up calls included). */
  events(): readonly AuditEvent[];
  /** The last audit event recorded; throws when there is none. */
  lastEvent(): AuditEvent;
  /** Seals the service (zeroes the root and domain keys), as the Seal operation does. */
  seal(): void;
  /** Unseals it again with the harness's share (nothing when it is unsealed). */
  unseal(): Promise<void>;
  /** A copy of the root's one unseal share (the Unseal operation's input); the caller disposes it. */
  share(): SecretBytes;
  /** Whether the service is sealed. */
  readonly sealed: boolean;
  /** Moves the clock forward by `ms`. */
  advance(ms: number): void;
  /** The pipeline's circuit breakers (ReleaseBreaker, ListBreakers, the quota gate). */
  readonly breakers: CircuitBreakers;
  /** Appends an event to the trail as the server does for one it makes itself (an alert). */
  appendEvent(event: AuditEvent): Promise<void>;
  close(): Promise<void>;
}

/**
 * THE conversion of a typed input into what the pipeline parses today (base64 strings in a JSON-shaped
 * body). When the transport-neutral inputs land (api/aws owns base64), this becomes the identity.
 */
export function toPipelineBody(value: unknown): unknown {
  if (value instanceof SecretBytes) return value.expose().toString('base64');
  if (value instanceof Date) return value.getTime() / 1000; // AWS JSON timestamps: seconds since the epoch
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(toPipelineBody);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPipelineBody(v)]));
  return value;
}

const PRINCIPAL_HEADER = 'x-arca-harness-principal';

/** Authenticates the principal a harness request names (test-only: nothing is signed). */
class NamedPrincipalAuthenticator implements Authenticator {
  constructor(
    private readonly principals: Pick<PrincipalStore, 'findPrincipalByName'>,
    private readonly account: string,
  ) {}

  async authenticate(req: AuthenticationRequest): Promise<Principal> {
    const name = req.headers.find(([h]) => h === PRINCIPAL_HEADER)?.[1];
    const record = name === undefined ? undefined : await this.principals.findPrincipalByName(name);
    if (record === undefined) throw new KmsError('UnrecognizedClient', 'The security token included in the request is invalid.');
    return { id: record.id, type: record.type, name: record.name, arn: record.arn, account: this.account };
  }
}

/** Records every event the audit log accepted (an atomic one once its transaction committed). */
function recording(audit: AuditLog, events: AuditEvent[]): AuditLog {
  return {
    append: async (event) => {
      await audit.append(event);
      events.push(event);
    },
    runAudited: async (work) => {
      let recorded: AuditEvent | undefined;
      await audit.runAudited(async (tx) => {
        const out = await work(tx);
        recorded = out.event;
        return out;
      });
      if (recorded !== undefined) events.push(recorded);
    },
  };
}

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** A fresh service, unsealed, with the bootstrap administrator (and its policy) in place; `options`: custom key stores' HSM clusters and XKS client settings. */
export async function harness(options: CustomKeyStoresAppConfig = {}): Promise<Harness> {
  let now = HARNESS_TIME.getTime();
  const clock: Clock = { now: () => new Date(now) };
  const realm = { partition: 'aws' as const, region: 'us-east-1', account: '111122223333' };
  const store = sqliteStoreBundle(openDatabase(':memory:'), clock);
  const root = await ShamirRootOfTrust.open(store.seal, clock);
  const { keys, principals, requestStores, imports } = store;
  const hierarchy = new KeyHierarchy(root, keys);
  const trail = await wireAudit({ dataDir: '(in memory)' }, store, hierarchy, clock, silent);
  const authorizer = new PolicyAuthorizer({ keys: requestStores.keyFacts, identities: requestStores.principals, grants: requestStores.grants, realm, timeZone: 'UTC' });
  const lifecycle: LifecycleDeps = { store: store.lifecycle, minRotationPeriodDays: ROTATION_PERIOD.awsMin };
  const sealing = new SealController({
    root,
    hierarchy,
    keys,
    bootstrapAdmin: async (keyring) => {
      const admin = await ensureAdmin({ principals, keyring, realm, clock });
      await ensureAdminPolicy({ principals, clock });
      return admin;
    },
    logger: silent,
    onSeal: [() => trail.detachSigner(), () => void cks.seal()],
    onUnseal: [() => trail.attachSigner(), () => cks.reconnectAll()],
    rewrap: store.rewrap,
  });
  const events: AuditEvent[] = [];
  const registry = operationRegistry();
  const cks = new CustomKeyStoreWiring(options, { store: store.customKeyStores, keyring: hierarchy, logger: silent, isOpen: () => hierarchy.isOpen });
  const breakers = new CircuitBreakers(clock);
  const audit = recording(trail.audit, events);
  const pipeline = new Pipeline({
    keys: requestStores.keys,
    principals: requestStores.principals,
    grants: requestStores.grants,
    reads: store.reads,
    imports,
    hierarchy,
    primitives: new CustodyKeyPrimitives({ keys: requestStores.keys, hierarchy, imports, clock, customKeyStores: cks.forRegion(realm.region) }),
    provisioner: new CustodyKeyProvisioner(hierarchy),
    importer: new CustodyKeyImporter(hierarchy),
    clock,
    realm,
    logger: silent,
    lifecycle,
    authenticator: new NamedPrincipalAuthenticator(principals, realm.account),
    authorizer,
    keyring: hierarchy,
    policyChecks: authorizer,
    audit,
    storage: store.health,
    auditTrail: trail.trail,
    auditChains: trail.chains,
    operations: registry,
    sealing,
    cluster: { node: store.nodeName, nodes: store.nodes },
    breakers,
    quotas: new BreakerGate(breakers, undefined),
    // The in-memory store cannot be snapshotted from a second connection; the e2e tests make real backups.
    backups: { create: async () => { throw new KmsError('Internal', 'no backups in the operation harness'); } },
    ledger: { exportLedger: async () => { throw new KmsError('Internal', 'no destruction ledger in the operation harness'); } },
    webIdentity: undefined,
    approvals: requestStores.approvals,
    dev: undefined,
    regions: { home: realm.region, others: [] },
    xks: undefined,
    customKeyStores: cks.forRegion(realm.region),
    approvalGate: new ApprovalGate({ store: requestStores.approvals, keyFacts: requestStores.keyFacts, clock, operations: registry }),
  });

  const initialized = await sealing.initialize(1, 1);
  initialized.admin.secretAccessKey.dispose();
  const share = initialized.shares[0];
  if (share === undefined) throw new Error('the root gave no share');
  const unseal = async () => {
    if (hierarchy.isOpen) return;
    await sealing.unseal(share.expose());
    if (!hierarchy.isOpen) throw new Error('the harness did not unseal');
  };
  await unseal();
  const adminRecord = await principals.findPrincipalByName('admin');
  if (adminRecord === undefined) throw new Error('no bootstrap administrator');
  const admin: HarnessPrincipal = { name: adminRecord.name, id: adminRecord.id, arn: adminRecord.arn };
  let requests = 0;

  const call = async (operation: string, input: TypedInput, options: CallOptions = {}): Promise<CallResult> => {
    const as = options.as ?? admin;
    const result: PipelineResult = await pipeline.handle({
      target: `${options.service ?? serviceOf(registry, operation)}.${operation}`,
      sourceIp: '192.0.2.10',
      userAgent: 'operation-harness',
      requestId: `harness-${++requests}`,
      auth: { method: 'POST', path: '/', query: '', headers: [[PRINCIPAL_HEADER, as.name]], body: Buffer.alloc(0) },
      parseBody: (schema) => parseAwsInput(schema, toPipelineBody(input)),
      invalidInput: awsInvalidInput,
      sourceArn: options.sourceArn,
    });
    return result.ok ? { output: (result.output ?? {}) as Record<string, unknown> } : { error: result.error };
  };
  const ok = async (operation: string, input: TypedInput, options?: CallOptions) => {
    const r = await call(operation, input, options);
    if (r.error !== undefined) throw new Error(`${operation} failed: ${r.error.code}: ${r.error.message}`);
    return r.output;
  };
  const h: Harness = {
    admin,
    clock,
    realm,
    operations: new Map([...registry.values()].map((op) => [op.name, op])),
    call,
    ok,
    async fails(operation, input, options) {
      const r = await call(operation, input, options);
      if (r.error === undefined) throw new Error(`${operation} succeeded, expected a failure`);
      return r.error;
    },
    async principal(name, policy) {
      const out = await ok('CreatePrincipal', { PrincipalName: name }, { service: 'ArcaService' });
      if (policy !== undefined) await ok('PutPrincipalPolicy', { PrincipalName: name, PolicyName: 'harness', PolicyDocument: JSON.stringify(policy) }, { service: 'ArcaService' });
      const p = out['Principal'] as { Arn: string; PrincipalId: string };
      return { name, id: p.PrincipalId, arn: p.Arn };
    },
    async key(members = {}) {
      const out = await ok('CreateKey', members);
      return (out['KeyMetadata'] as { KeyId: string }).KeyId;
    },
    events: () => events,
    lastEvent() {
      const e = events.at(-1);
      if (e === undefined) throw new Error('no audit event was recorded');
      return e;
    },
    seal: () => sealing.seal(),
    unseal,
    share: () => SecretBytes.copyOf(share.expose()),
    get sealed() {
      return !hierarchy.isOpen;
    },
    advance(ms) {
      now += ms;
    },
    breakers,
    appendEvent: (event) => audit.append(event),
    async close() {
      sealing.seal();
      share.dispose();
      await trail.drain();
      trail.release();
      await store.close();
    },
  };
  return h;
}

function serviceOf(registry: ReadonlyMap<string, RegisteredOperation>, name: string): string {
  for (const op of registry.values()) if (op.name === name) return op.service;
  return 'TrentService';
}
