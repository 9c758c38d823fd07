import { assertNever } from '../../core/errors.js';

/**
 * How a SQLite column's value becomes a PostgreSQL parameter. `text`/`int`/`bytes` pass through (`int`
 * also for BIGINT columns; `bytes` is a Buffer, possibly `NULL`); `time` is epoch ms → `Date`
 * (timestamptz); `bool` is 0/1 → boolean; `intArray` is a JSON array of numbers (TEXT) → integer[];
 * `bytesOrEmpty` is a nullable BLOB → a NOT NULL bytea, `NULL` becoming zero bytes.
 */
export type ColumnKind = 'text' | 'int' | 'time' | 'bool' | 'bytes' | 'intArray' | 'bytesOrEmpty';

/** One copied table: the same column names on both sides, with how each value converts. */
export interface TableSpec {
  readonly table: string;
  readonly columns: Readonly<Record<string, ColumnKind>>;
  /** The SQLite column order to read in (a stable order keeps pages and comparisons reproducible). */
  readonly orderBy: string;
  /** A PostgreSQL identity column copied as is (`OVERRIDING SYSTEM VALUE`), its sequence moved past the copy. */
  readonly identity?: string;
  /** An audit table: every row gets the copied trail's chain id in PostgreSQL's `chain_id` column. */
  readonly chained?: true;
  /**
   * Trailing columns added after backups of this table were first made, with the value a row of an older
   * backup (which lacks them) is restored with.
   */
  readonly addedLater?: Readonly<Record<string, string | number | null>>;
  /**
   * A row of an older backup in another shape (a column added in the middle), rewritten into this one;
   * undefined when the row has no known older shape. Runs before `addedLater`.
   */
  readonly upgrade?: (values: readonly (string | number | boolean | readonly number[] | null)[]) => readonly (string | number | boolean | readonly number[] | null)[] | undefined;
  /** SQL run once every table is restored, finishing what `upgrade` could not know from one row. */
  readonly afterRestore?: string;
}

/**
 * The domain tables, parents before children (the order they are inserted in; PostgreSQL's foreign keys
 * are checked per statement). Not copied: `schema_migrations` (the target has its own), `read_generation`
 * (SQLite's read-cache counter) and `audit_meta` (its `chain_id` becomes the `audit_chains` row).
 */
export const DOMAIN_TABLES: readonly TableSpec[] = [
  { table: 'domain_keys', columns: { version: 'int', wrapped: 'bytes' }, orderBy: 'version' },
  {
    table: 'keys',
    columns: {
      id: 'text', seq: 'int', created_at: 'time', description: 'text', key_spec: 'text', key_usage: 'text', origin: 'text',
      state: 'text', primary_version: 'int', deletion_date: 'time', policy: 'text', destroyed_at: 'time', region: 'text', primary_region: 'text',
    },
    orderBy: 'seq',
    identity: 'seq',
    // Regions (ADR 0022): '' is the home region, set when the store opens.
    addedLater: { region: '', primary_region: null },
  },
  {
    table: 'key_versions',
    columns: { key_id: 'text', version: 'int', domain_key_version: 'int', wrapped_material: 'bytes', created_at: 'time', rotation_type: 'text' },
    orderBy: 'key_id, version',
  },
  {
    table: 'custom_key_stores',
    columns: {
      id: 'text', region: 'text', name: 'text', type: 'text', created_at: 'time', connect: 'bool', settings: 'text',
      domain_key_version: 'int', wrapped_secret: 'bytes',
    },
    orderBy: 'id',
  },
  { table: 'custom_key_store_keys', columns: { key_id: 'text', store_id: 'text', external_key_id: 'text' }, orderBy: 'key_id' },
  { table: 'aliases', columns: { name: 'text', key_id: 'text', created_at: 'time', updated_at: 'time', region: 'text' }, orderBy: 'region, name', addedLater: { region: '' } },
  { table: 'tags', columns: { key_id: 'text', tag_key: 'text', tag_value: 'text' }, orderBy: 'key_id, tag_key' },
  { table: 'key_policy_principals', columns: { key_id: 'text', arn: 'text', principal_id: 'text' }, orderBy: 'key_id, arn' },
  { table: 'key_rotation', columns: { key_id: 'text', enabled: 'bool', period_days: 'int', next_rotation_at: 'time' }, orderBy: 'key_id' },
  { table: 'key_destructions', columns: { key_id: 'text', versions: 'intArray', destroyed_at: 'time' }, orderBy: 'key_id' },
  { table: 'principals', columns: { id: 'text', type: 'text', name: 'text', arn: 'text', created_at: 'time' }, orderBy: 'id' },
  {
    table: 'access_keys',
    columns: { access_key_id: 'text', principal_id: 'text', status: 'text', wrapped_secret: 'bytes', domain_key_version: 'int', created_at: 'time' },
    orderBy: 'access_key_id',
  },
  { table: 'principal_tags', columns: { principal_id: 'text', tag_key: 'text', tag_value: 'text' }, orderBy: 'principal_id, tag_key' },
  { table: 'principal_policies', columns: { principal_id: 'text', name: 'text', document: 'text', updated_at: 'time' }, orderBy: 'principal_id, name' },
  {
    table: 'role_trust',
    columns: { principal_id: 'text', document: 'text', principal_refs: 'text', max_session_duration: 'int', updated_at: 'time' },
    orderBy: 'principal_id',
  },
  {
    table: 'sts_sessions',
    columns: {
      access_key_id: 'text', principal_id: 'text', kind: 'text', session_name: 'text', token_hash: 'bytes', wrapped_secret: 'bytes',
      domain_key_version: 'int', issued_at: 'time', expires_at: 'time', revoked_at: 'time', tags: 'text', transitive_tag_keys: 'text', source_arn: 'text',
      mfa_authenticated_at: 'time',
    },
    orderBy: 'access_key_id',
  },
  {
    table: 'mfa_devices',
    columns: { principal_id: 'text', serial_number: 'text', wrapped_secret: 'bytes', domain_key_version: 'int', created_at: 'time', last_time_step: 'int' },
    orderBy: 'principal_id',
  },
  {
    table: 'grants',
    columns: {
      grant_id: 'text', seq: 'int', key_id: 'text', name: 'text', grantee_principal: 'text', grantee_principal_id: 'text',
      retiring_principal: 'text', retiring_principal_id: 'text', issuing_principal: 'text', operations: 'text', constraints: 'text',
      created_at: 'time', expires_at: 'time', parent_grant_id: 'text', grantee_service_principal: 'text', retiring_service_principal: 'text',
    },
    orderBy: 'seq',
    identity: 'seq',
    // Grants to service principals (issue 19): a grant of an older backup names none.
    addedLater: { grantee_service_principal: null, retiring_service_principal: null },
  },
  {
    table: 'approval_rules',
    columns: {
      name: 'text', operations: 'text', keys: 'text', approvers: 'text', quorum: 'int', require_mfa: 'bool', executor: 'text',
      expires_after_seconds: 'int', description: 'text', created_at: 'time', updated_at: 'time',
    },
    orderBy: 'name',
  },
  {
    table: 'approval_requests',
    columns: {
      approval_id: 'text', rule_name: 'text', operation: 'text', input: 'text', summary: 'text', key_arns: 'text', requester_arn: 'text',
      requester_id: 'text', reason: 'text', status: 'text', created_at: 'time', expires_at: 'time', decisions: 'text', executed_at: 'time',
      executor_arn: 'text',
    },
    orderBy: 'approval_id',
  },
  {
    table: 'import_tokens',
    columns: {
      token_id: 'text', key_id: 'text', wrapping_key_spec: 'text', wrapping_algorithm: 'text', domain_key_version: 'int',
      wrapped_private_key: 'bytes', created_at: 'time', expires_at: 'time', used_at: 'time',
    },
    orderBy: 'token_id',
  },
  {
    table: 'key_imports',
    columns: { key_id: 'text', version: 'int', fingerprint: 'bytes', expiration_model: 'text', valid_to: 'time', imported_at: 'time', material_description: 'text', rotated_at: 'time' },
    orderBy: 'key_id, version',
    // Backups from before migration 0014 hold one record per key (before 0013, without a description):
    // it is the record of the key's primary version, set once the keys are restored (version 0 until then).
    upgrade: (v) => (v.length === 5 || v.length === 6 ? [v[0] ?? null, 0, ...v.slice(1, 5), v[5] ?? null, null] : undefined),
    afterRestore: 'UPDATE key_imports SET version = (SELECT primary_version FROM keys WHERE keys.id = key_imports.key_id) WHERE version = 0',
  },
  {
    table: 'seal_config',
    columns: { id: 'int', kind: 'text', shares: 'int', threshold: 'int', share_set_id: 'bytes', wrapped_root: 'bytes', initialized_at: 'time' },
    orderBy: 'id',
  },
];

/**
 * The audit tables, copied verbatim into one chain (after its `audit_chains` row): events with their
 * bodies and leaf hashes, the Merkle interior nodes, the signed tree heads and the wrapped signing key,
 * so every existing proof and signature still verifies. SQLite's single signing-key row (`id = 1`)
 * becomes the chain's row. A head signed before checkpoint signatures existed (migration 0009) has none
 * (`NULL`), but the column is NOT NULL on PostgreSQL: such a head gets zero bytes. Only the latest head's
 * checkpoint signature is ever served (`checkpointNote`), and SqliteSource refuses a source whose latest
 * head lacks one, so a zero-byte signature is never handed out.
 */
export const AUDIT_TABLES: readonly TableSpec[] = [
  {
    table: 'audit_events',
    columns: {
      seq: 'int', event_id: 'text', event_time: 'text', event_name: 'text', request_id: 'text', error_code: 'text', body: 'text',
      leaf_hash: 'bytes', principal_arn: 'text', source_ip: 'text', pruned: 'bool',
    },
    orderBy: 'seq',
    chained: true,
  },
  { table: 'audit_event_keys', columns: { key_arn: 'text', seq: 'int', ok: 'bool' }, orderBy: 'seq, key_arn', chained: true },
  { table: 'audit_tree_nodes', columns: { level: 'int', idx: 'int', hash: 'bytes' }, orderBy: 'level, idx', chained: true },
  {
    table: 'audit_tree_heads',
    columns: { tree_size: 'int', root_hash: 'bytes', timestamp: 'text', signature: 'bytes', checkpoint_signature: 'bytesOrEmpty' },
    orderBy: 'tree_size',
    chained: true,
  },
  { table: 'audit_signing_keys', columns: { public_key: 'bytes', domain_key_version: 'int', wrapped_private: 'bytes' }, orderBy: 'id', chained: true },
];

/** Converts one SQLite value to the PostgreSQL parameter for a column of `kind`. */
export function convert(kind: ColumnKind, value: unknown, where: string): unknown {
  if (value === null || value === undefined) return kind === 'bytesOrEmpty' ? Buffer.alloc(0) : null;
  switch (kind) {
    case 'text':
    case 'bytes':
    case 'bytesOrEmpty':
      return value;
    case 'int':
      return typeof value === 'bigint' ? value.toString() : value;
    case 'time':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${where}: not an epoch-millisecond time`);
      return new Date(value);
    case 'bool':
      return value === 1 || value === true;
    case 'intArray': {
      const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : undefined;
      if (!Array.isArray(parsed) || !parsed.every((v) => Number.isSafeInteger(v))) throw new Error(`${where}: not a JSON array of integers`);
      return parsed;
    }
    default:
      return assertNever(kind);
  }
}
