import { MIGRATIONS_SINCE_0013 } from './migrations-since-0013.js';

/** The SQLite schema: the migration list {@link openDatabase} (database.ts) applies, and the read-cached tables. */

/** The cached tables of migration 0007, which made their triggers (an applied migration never changes). */
const CACHED_TABLES_0007 = ['access_keys', 'principals', 'principal_tags', 'principal_policies', 'keys', 'aliases', 'tags', 'grants'] as const;

/** The tables whose rows the read cache keeps (each write to them bumps `read_generation`). */
export const CACHED_TABLES = [...CACHED_TABLES_0007, 'key_policy_principals'] as const;

/**
 * Schema migrations, applied once each in id order and recorded in `schema_migrations`. Each feature
 * adds its own entry with a new id; an applied migration is never edited.
 */
export const MIGRATIONS: readonly { readonly id: string; readonly sql: string }[] = [
  {
    id: '0001-foundation',
    sql: `
  CREATE TABLE domain_keys (
    version INTEGER PRIMARY KEY,
    wrapped BLOB NOT NULL
  );
  CREATE TABLE keys (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    description TEXT NOT NULL,
    key_spec TEXT NOT NULL,
    key_usage TEXT NOT NULL,
    origin TEXT NOT NULL,
    state TEXT NOT NULL,
    primary_version INTEGER NOT NULL,
    deletion_date INTEGER,
    policy TEXT NOT NULL
  );
  CREATE TABLE key_versions (
    key_id TEXT NOT NULL REFERENCES keys(id),
    version INTEGER NOT NULL,
    domain_key_version INTEGER NOT NULL REFERENCES domain_keys(version),
    wrapped_material BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (key_id, version)
  );
  CREATE TABLE aliases (
    name TEXT PRIMARY KEY,
    key_id TEXT NOT NULL REFERENCES keys(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX aliases_by_key ON aliases(key_id, name);
  CREATE TABLE tags (
    key_id TEXT NOT NULL REFERENCES keys(id),
    tag_key TEXT NOT NULL,
    tag_value TEXT NOT NULL,
    PRIMARY KEY (key_id, tag_key)
  );
  CREATE TABLE principals (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    name TEXT NOT NULL UNIQUE,
    arn TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE access_keys (
    access_key_id TEXT PRIMARY KEY,
    principal_id TEXT NOT NULL REFERENCES principals(id),
    status TEXT NOT NULL,
    wrapped_secret BLOB NOT NULL,
    domain_key_version INTEGER NOT NULL REFERENCES domain_keys(version),
    created_at INTEGER NOT NULL
  );
  CREATE TABLE audit_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    event_time TEXT NOT NULL,
    event_name TEXT NOT NULL,
    request_id TEXT NOT NULL,
    error_code TEXT,
    body TEXT NOT NULL
  );
  `,
  },
  {
    // The verifiable audit trail (issue 5): leaf hashes, filter columns, signed tree heads, the signing key.
    id: '0004-audit-trail',
    sql: `
  ALTER TABLE audit_events ADD COLUMN leaf_hash BLOB;
  ALTER TABLE audit_events ADD COLUMN principal_arn TEXT;
  ALTER TABLE audit_events ADD COLUMN source_ip TEXT;
  ALTER TABLE audit_events ADD COLUMN pruned INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX audit_events_by_time ON audit_events(event_time);
  CREATE TABLE audit_event_keys (
    key_arn TEXT NOT NULL,
    seq INTEGER NOT NULL,
    ok INTEGER NOT NULL,
    PRIMARY KEY (key_arn, seq)
  ) WITHOUT ROWID;
  CREATE TABLE audit_tree_heads (
    tree_size INTEGER PRIMARY KEY,
    root_hash BLOB NOT NULL,
    timestamp TEXT NOT NULL,
    signature BLOB NOT NULL
  );
  CREATE TABLE audit_meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  CREATE TABLE audit_signing_keys (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    public_key BLOB NOT NULL,
    domain_key_version INTEGER NOT NULL,
    wrapped_private BLOB NOT NULL
  );
  `,
  },
  {
    id: '0003-access-control',
    sql: `
  CREATE TABLE principal_tags (
    principal_id TEXT NOT NULL REFERENCES principals(id),
    tag_key TEXT NOT NULL,
    tag_value TEXT NOT NULL,
    PRIMARY KEY (principal_id, tag_key)
  );
  CREATE TABLE principal_policies (
    principal_id TEXT NOT NULL REFERENCES principals(id),
    name TEXT NOT NULL,
    document TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (principal_id, name)
  );
  CREATE TABLE grants (
    grant_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    key_id TEXT NOT NULL,
    name TEXT,
    grantee_principal TEXT NOT NULL,
    retiring_principal TEXT,
    issuing_principal TEXT NOT NULL,
    operations TEXT NOT NULL,
    constraints TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER
  );
  CREATE INDEX grants_by_key ON grants(key_id, seq);
  CREATE INDEX grants_by_retiring ON grants(retiring_principal, seq);
  `,
  },
  {
    // Key lifecycle (issue 6): how each version was made, rotation settings, tombstones of destroyed keys.
    id: '0005-key-lifecycle',
    sql: `
  ALTER TABLE key_versions ADD COLUMN rotation_type TEXT;
  ALTER TABLE keys ADD COLUMN destroyed_at INTEGER;
  CREATE INDEX keys_deletion_due ON keys(deletion_date) WHERE deletion_date IS NOT NULL AND destroyed_at IS NULL;
  CREATE TABLE key_rotation (
    key_id TEXT PRIMARY KEY REFERENCES keys(id),
    enabled INTEGER NOT NULL,
    period_days INTEGER NOT NULL,
    next_rotation_at INTEGER
  );
  CREATE INDEX key_rotation_due ON key_rotation(next_rotation_at) WHERE enabled = 1;
  CREATE TABLE key_destructions (
    key_id TEXT PRIMARY KEY REFERENCES keys(id),
    versions TEXT NOT NULL,
    destroyed_at INTEGER NOT NULL
  );
  `,
  },
  {
    id: '0006-asymmetric-byok',
    sql: `
  CREATE TABLE import_tokens (
    token_id TEXT PRIMARY KEY,
    key_id TEXT NOT NULL REFERENCES keys(id),
    wrapping_key_spec TEXT NOT NULL,
    wrapping_algorithm TEXT NOT NULL,
    domain_key_version INTEGER NOT NULL REFERENCES domain_keys(version),
    wrapped_private_key BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
  );
  CREATE TABLE key_imports (
    key_id TEXT PRIMARY KEY REFERENCES keys(id),
    fingerprint BLOB NOT NULL,
    expiration_model TEXT NOT NULL,
    valid_to INTEGER,
    imported_at INTEGER NOT NULL
  );
`,
  },
  {
    // A counter every write to the rows a request reads bumps (access control, keys, aliases, tags,
    // grants), whichever connection or process writes: the read cache (read-cache.ts) compares it.
    id: '0007-read-generation',
    sql: `
  CREATE TABLE read_generation (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
  INSERT INTO read_generation (id, n) VALUES (1, 0);
${CACHED_TABLES_0007.flatMap((t) => ['INSERT', 'UPDATE', 'DELETE'].map((w) => `  CREATE TRIGGER ${t}_${w.toLowerCase()}_generation AFTER ${w} ON ${t} BEGIN UPDATE read_generation SET n = n + 1 WHERE id = 1; END;`)).join('\n')}
`,
  },
  {
    id: '0002-sealing',
    sql: `
  CREATE TABLE seal_config (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    kind TEXT NOT NULL,
    shares INTEGER NOT NULL,
    threshold INTEGER NOT NULL,
    share_set_id BLOB NOT NULL,
    wrapped_root BLOB NOT NULL,
    initialized_at INTEGER NOT NULL
  );
  `,
  },
  {
    // Principal unique ids and grant chains (issue 12, ADR 0009): grants record the ids of their grantee
    // and retiring principal and the grant they were created under; key policies keep the ids of the
    // principals they name in key_policy_principals (null: no such principal yet). Existing rows are
    // resolved against the principals that exist now.
    id: '0008-principal-ids',
    sql: `
  ALTER TABLE grants ADD COLUMN grantee_principal_id TEXT;
  ALTER TABLE grants ADD COLUMN retiring_principal_id TEXT;
  ALTER TABLE grants ADD COLUMN parent_grant_id TEXT;
  -- A reference no principal holds at upgrade may name one deleted before it: it gets the id
  -- 'unresolved-0008', which no principal has and nothing re-binds, so a recreated namesake inherits
  -- nothing (ADR 0009). References stored after the upgrade bind as the ADR says.
  UPDATE grants SET
    grantee_principal_id = COALESCE((SELECT id FROM principals WHERE arn = grants.grantee_principal), 'unresolved-0008'),
    retiring_principal_id = CASE WHEN retiring_principal IS NULL THEN NULL
      ELSE COALESCE((SELECT id FROM principals WHERE arn = grants.retiring_principal), 'unresolved-0008') END;
  CREATE INDEX grants_by_parent ON grants(parent_grant_id) WHERE parent_grant_id IS NOT NULL;
  CREATE INDEX grants_unbound_grantee ON grants(grantee_principal) WHERE grantee_principal_id IS NULL;
  CREATE TABLE key_policy_principals (
    key_id TEXT NOT NULL REFERENCES keys(id),
    arn TEXT NOT NULL,
    principal_id TEXT,
    PRIMARY KEY (key_id, arn)
  ) WITHOUT ROWID;
  CREATE INDEX key_policy_principals_unbound ON key_policy_principals(arn) WHERE principal_id IS NULL;
  INSERT OR IGNORE INTO key_policy_principals (key_id, arn, principal_id)
    SELECT k.id, t.value, COALESCE((SELECT p.id FROM principals p WHERE p.arn = t.value), 'unresolved-0008')
    FROM keys k, json_tree(k.policy) t
    WHERE json_valid(k.policy) AND t.type = 'text' AND t.fullkey GLOB '*Principal.AWS*'
      AND (t.value GLOB 'arn:aws*:iam::*:user/*' OR t.value GLOB 'arn:aws*:iam::*:role/*') AND t.value NOT GLOB '*[*?]*';
${['INSERT', 'UPDATE', 'DELETE'].map((w) => `  CREATE TRIGGER key_policy_principals_${w.toLowerCase()}_generation AFTER ${w} ON key_policy_principals BEGIN UPDATE read_generation SET n = n + 1 WHERE id = 1; END;`).join('\n')}
`,
  },
  {
    // O(log n) audit proofs (issue 12): every complete subtree hash at level >= 1, written with its events
    // (sqlite-merkle-nodes.ts; existing trails are backfilled at open), and each tree head's C2SP checkpoint signature.
    id: '0009-audit-tiles',
    sql: `
  CREATE TABLE audit_tree_nodes (
    level INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (level, idx)
  ) WITHOUT ROWID;
  ALTER TABLE audit_tree_heads ADD COLUMN checkpoint_signature BLOB;
  `,
  },
  {
    // STS (issue 17, ADR 0018): roles' trust policies, and the sessions STS issued: the secret wrapped
    // (bound to the temporary access key id), the token only as its SHA-256.
    id: '0010-sts-sessions',
    sql: `
  CREATE TABLE role_trust (
    principal_id TEXT PRIMARY KEY REFERENCES principals(id),
    document TEXT NOT NULL,
    principal_refs TEXT NOT NULL,
    max_session_duration INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE sts_sessions (
    access_key_id TEXT PRIMARY KEY,
    principal_id TEXT NOT NULL REFERENCES principals(id),
    kind TEXT NOT NULL,
    session_name TEXT NOT NULL,
    token_hash BLOB NOT NULL,
    wrapped_secret BLOB NOT NULL,
    domain_key_version INTEGER NOT NULL,
    issued_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER,
    tags TEXT NOT NULL,
    transitive_tag_keys TEXT NOT NULL,
    source_arn TEXT NOT NULL
  );
  CREATE INDEX sts_sessions_by_principal ON sts_sessions(principal_id, issued_at);
  CREATE INDEX sts_sessions_by_expiry ON sts_sessions(expires_at);
  `,
  },
  {
    // MFA (issue 17): virtual TOTP devices, the seed wrapped (bound to the principal id), and when a
    // session's caller proved a code (aws:MultiFactorAuthAge).
    id: '0011-mfa-devices',
    sql: `
  CREATE TABLE mfa_devices (
    principal_id TEXT PRIMARY KEY REFERENCES principals(id),
    serial_number TEXT NOT NULL,
    wrapped_secret BLOB NOT NULL,
    domain_key_version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    last_time_step INTEGER NOT NULL
  );
  ALTER TABLE sts_sessions ADD COLUMN mfa_authenticated_at INTEGER;
  `,
  },
  {
    // Separation of duties (issue 18): approval rules, and the requests they hold with their decisions.
    // JSON columns are TEXT as written (store/approval-json.ts); no foreign key to the rule, since a
    // request outlives the rule that held it. Not read-cached: decisions are compare-and-set.
    id: '0012-approvals',
    sql: `
  CREATE TABLE approval_rules (
    name TEXT PRIMARY KEY,
    operations TEXT NOT NULL,
    keys TEXT NOT NULL,
    approvers TEXT NOT NULL,
    quorum INTEGER NOT NULL,
    require_mfa INTEGER NOT NULL,
    executor TEXT NOT NULL,
    expires_after_seconds INTEGER NOT NULL,
    description TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE approval_requests (
    approval_id TEXT PRIMARY KEY,
    rule_name TEXT NOT NULL,
    operation TEXT NOT NULL,
    input TEXT NOT NULL,
    summary TEXT NOT NULL,
    key_arns TEXT NOT NULL,
    requester_arn TEXT NOT NULL,
    requester_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    decisions TEXT NOT NULL,
    executed_at INTEGER,
    executor_arn TEXT
  );
  CREATE INDEX approval_requests_by_status ON approval_requests(status, created_at);
  CREATE INDEX approval_requests_by_time ON approval_requests(created_at);
  `,
  },
  ...MIGRATIONS_SINCE_0013,
];
