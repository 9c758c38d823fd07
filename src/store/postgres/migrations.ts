import type { Pool } from 'pg';

import { MIGRATIONS_SINCE_0007 } from './migrations-since-0007.js';

/**
 * The advisory lock (two-int form) under which migrations run: class 'ARCA' (0x41524341), object 1. Every
 * node of a cluster migrates at start; the lock makes them take turns, so each migration runs once.
 */
export const MIGRATION_LOCK = [0x41524341, 1] as const;

/**
 * Schema migrations, applied once each in id order and recorded in `schema_migrations`; an applied one is
 * never edited. Times are `timestamptz` (node-postgres maps them to and from `Date`, millisecond-exact),
 * secrets `bytea` (`Buffer`). Text that the ports order or page by is `COLLATE "C"`: byte order, as SQLite
 * and the memory store compare, whatever the database's default collation. JSON is kept as TEXT, byte for byte
 * as written (JSONB would reorder the keys of an encryption context). Creation order is an identity
 * column (`seq`), so concurrent inserts never compute the same number. The audit tables (0002) key
 * every row by its chain id: one chain per node.
 */
export const MIGRATIONS: readonly { readonly id: string; readonly sql: string }[] = [
  {
    id: '0001-domain-store',
    sql: `
  CREATE TABLE domain_keys (
    version INTEGER PRIMARY KEY,
    wrapped BYTEA NOT NULL
  );
  CREATE TABLE keys (
    id TEXT COLLATE "C" PRIMARY KEY,
    seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    description TEXT NOT NULL,
    key_spec TEXT NOT NULL,
    key_usage TEXT NOT NULL,
    origin TEXT NOT NULL,
    state TEXT NOT NULL,
    primary_version INTEGER NOT NULL,
    deletion_date TIMESTAMPTZ,
    policy TEXT NOT NULL,
    destroyed_at TIMESTAMPTZ
  );
  CREATE INDEX keys_deletion_due ON keys(deletion_date) WHERE deletion_date IS NOT NULL AND destroyed_at IS NULL;
  CREATE TABLE key_versions (
    key_id TEXT COLLATE "C" NOT NULL REFERENCES keys(id),
    version INTEGER NOT NULL,
    domain_key_version INTEGER NOT NULL REFERENCES domain_keys(version),
    wrapped_material BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    rotation_type TEXT,
    PRIMARY KEY (key_id, version)
  );
  CREATE TABLE aliases (
    name TEXT COLLATE "C" PRIMARY KEY,
    key_id TEXT COLLATE "C" NOT NULL REFERENCES keys(id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
  );
  CREATE INDEX aliases_by_key ON aliases(key_id, name);
  CREATE TABLE tags (
    key_id TEXT COLLATE "C" NOT NULL REFERENCES keys(id),
    tag_key TEXT COLLATE "C" NOT NULL,
    tag_value TEXT NOT NULL,
    PRIMARY KEY (key_id, tag_key)
  );
  CREATE TABLE key_policy_principals (
    key_id TEXT COLLATE "C" NOT NULL REFERENCES keys(id),
    arn TEXT COLLATE "C" NOT NULL,
    principal_id TEXT,
    PRIMARY KEY (key_id, arn)
  );
  CREATE INDEX key_policy_principals_unbound ON key_policy_principals(arn) WHERE principal_id IS NULL;
  CREATE TABLE key_rotation (
    key_id TEXT COLLATE "C" PRIMARY KEY REFERENCES keys(id),
    enabled BOOLEAN NOT NULL,
    period_days INTEGER NOT NULL,
    next_rotation_at TIMESTAMPTZ
  );
  CREATE INDEX key_rotation_due ON key_rotation(next_rotation_at) WHERE enabled;
  CREATE TABLE key_destructions (
    key_id TEXT COLLATE "C" PRIMARY KEY REFERENCES keys(id),
    versions INTEGER[] NOT NULL,
    destroyed_at TIMESTAMPTZ NOT NULL
  );
  CREATE TABLE principals (
    id TEXT COLLATE "C" PRIMARY KEY,
    type TEXT NOT NULL,
    name TEXT COLLATE "C" NOT NULL UNIQUE,
    arn TEXT COLLATE "C" NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
  );
  CREATE TABLE access_keys (
    access_key_id TEXT COLLATE "C" PRIMARY KEY,
    principal_id TEXT COLLATE "C" NOT NULL REFERENCES principals(id),
    status TEXT NOT NULL,
    wrapped_secret BYTEA NOT NULL,
    domain_key_version INTEGER NOT NULL REFERENCES domain_keys(version),
    created_at TIMESTAMPTZ NOT NULL
  );
  CREATE INDEX access_keys_by_principal ON access_keys(principal_id, created_at);
  CREATE TABLE principal_tags (
    principal_id TEXT COLLATE "C" NOT NULL REFERENCES principals(id),
    tag_key TEXT COLLATE "C" NOT NULL,
    tag_value TEXT NOT NULL,
    PRIMARY KEY (principal_id, tag_key)
  );
  CREATE TABLE principal_policies (
    principal_id TEXT COLLATE "C" NOT NULL REFERENCES principals(id),
    name TEXT COLLATE "C" NOT NULL,
    document TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (principal_id, name)
  );
  CREATE TABLE grants (
    grant_id TEXT COLLATE "C" PRIMARY KEY,
    seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    key_id TEXT COLLATE "C" NOT NULL,
    name TEXT,
    grantee_principal TEXT COLLATE "C" NOT NULL,
    grantee_principal_id TEXT,
    retiring_principal TEXT COLLATE "C",
    retiring_principal_id TEXT,
    issuing_principal TEXT NOT NULL,
    operations TEXT NOT NULL,
    constraints TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ,
    parent_grant_id TEXT COLLATE "C"
  );
  CREATE INDEX grants_by_key ON grants(key_id, seq);
  CREATE INDEX grants_by_retiring ON grants(retiring_principal, seq);
  CREATE INDEX grants_by_parent ON grants(parent_grant_id) WHERE parent_grant_id IS NOT NULL;
  CREATE INDEX grants_unbound_grantee ON grants(grantee_principal) WHERE grantee_principal_id IS NULL;
  CREATE TABLE import_tokens (
    token_id TEXT COLLATE "C" PRIMARY KEY,
    key_id TEXT COLLATE "C" NOT NULL REFERENCES keys(id),
    wrapping_key_spec TEXT NOT NULL,
    wrapping_algorithm TEXT NOT NULL,
    domain_key_version INTEGER NOT NULL REFERENCES domain_keys(version),
    wrapped_private_key BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
  );
  CREATE TABLE key_imports (
    key_id TEXT COLLATE "C" PRIMARY KEY REFERENCES keys(id),
    fingerprint BYTEA NOT NULL,
    expiration_model TEXT NOT NULL,
    valid_to TIMESTAMPTZ,
    imported_at TIMESTAMPTZ NOT NULL
  );
  CREATE TABLE seal_config (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    kind TEXT NOT NULL,
    shares INTEGER NOT NULL,
    threshold INTEGER NOT NULL,
    share_set_id BYTEA NOT NULL,
    wrapped_root BYTEA NOT NULL,
    initialized_at TIMESTAMPTZ NOT NULL
  );
  `,
  },
  {
    // The audit trail (issue 14): every node writes its own chain (one writer per chain, so no
    // cross-node lock on the trail); every row is keyed by its chain id.
    id: '0002-audit-chains',
    sql: `
  CREATE TABLE audit_chains (
    node TEXT COLLATE "C" PRIMARY KEY,
    chain_id TEXT COLLATE "C" NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
  );
  CREATE TABLE audit_events (
    chain_id TEXT COLLATE "C" NOT NULL REFERENCES audit_chains(chain_id),
    seq BIGINT NOT NULL,
    event_id TEXT COLLATE "C" NOT NULL,
    event_time TEXT COLLATE "C" NOT NULL,
    event_name TEXT NOT NULL,
    request_id TEXT NOT NULL,
    error_code TEXT,
    body TEXT NOT NULL,
    leaf_hash BYTEA NOT NULL,
    principal_arn TEXT,
    source_ip TEXT,
    pruned BOOLEAN NOT NULL DEFAULT false,
    PRIMARY KEY (chain_id, seq),
    UNIQUE (chain_id, event_id)
  );
  CREATE INDEX audit_events_by_time ON audit_events(chain_id, event_time);
  CREATE TABLE audit_event_keys (
    chain_id TEXT COLLATE "C" NOT NULL,
    key_arn TEXT COLLATE "C" NOT NULL,
    seq BIGINT NOT NULL,
    ok BOOLEAN NOT NULL,
    PRIMARY KEY (chain_id, key_arn, seq),
    FOREIGN KEY (chain_id, seq) REFERENCES audit_events(chain_id, seq)
  );
  CREATE TABLE audit_tree_nodes (
    chain_id TEXT COLLATE "C" NOT NULL REFERENCES audit_chains(chain_id),
    level INTEGER NOT NULL,
    idx BIGINT NOT NULL,
    hash BYTEA NOT NULL,
    PRIMARY KEY (chain_id, level, idx)
  );
  CREATE TABLE audit_tree_heads (
    chain_id TEXT COLLATE "C" NOT NULL REFERENCES audit_chains(chain_id),
    tree_size BIGINT NOT NULL,
    root_hash BYTEA NOT NULL,
    timestamp TEXT NOT NULL,
    signature BYTEA NOT NULL,
    checkpoint_signature BYTEA NOT NULL,
    PRIMARY KEY (chain_id, tree_size)
  );
  CREATE TABLE audit_signing_keys (
    chain_id TEXT COLLATE "C" PRIMARY KEY REFERENCES audit_chains(chain_id),
    public_key BYTEA NOT NULL,
    domain_key_version INTEGER NOT NULL,
    wrapped_private BYTEA NOT NULL
  );
  `,
  },
  {
    id: '0003-cluster-nodes',
    sql: `
  CREATE TABLE cluster_nodes (
    node TEXT COLLATE "C" PRIMARY KEY,
    sealed BOOLEAN NOT NULL,
    leader BOOLEAN NOT NULL,
    version TEXT NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL
  );
  `,
  },
  {
    // STS (issue 17, ADR 0018): roles' trust policies, and the sessions STS issued (secret wrapped, token hashed).
    id: '0004-sts-sessions',
    sql: `
  CREATE TABLE role_trust (
    principal_id TEXT COLLATE "C" PRIMARY KEY REFERENCES principals(id),
    document TEXT NOT NULL,
    principal_refs TEXT NOT NULL,
    max_session_duration INTEGER NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
  );
  CREATE TABLE sts_sessions (
    access_key_id TEXT COLLATE "C" PRIMARY KEY,
    principal_id TEXT COLLATE "C" NOT NULL REFERENCES principals(id),
    kind TEXT NOT NULL,
    session_name TEXT NOT NULL,
    token_hash BYTEA NOT NULL,
    wrapped_secret BYTEA NOT NULL,
    domain_key_version INTEGER NOT NULL,
    issued_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ,
    tags TEXT NOT NULL,
    transitive_tag_keys TEXT NOT NULL,
    source_arn TEXT NOT NULL
  );
  CREATE INDEX sts_sessions_by_principal ON sts_sessions(principal_id, issued_at);
  CREATE INDEX sts_sessions_by_expiry ON sts_sessions(expires_at);
  `,
  },
  {
    // MFA (issue 17): virtual TOTP devices (seed wrapped), and when a session's caller proved a code.
    id: '0005-mfa-devices',
    sql: `
  CREATE TABLE mfa_devices (
    principal_id TEXT COLLATE "C" PRIMARY KEY REFERENCES principals(id),
    serial_number TEXT NOT NULL,
    wrapped_secret BYTEA NOT NULL,
    domain_key_version INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_time_step BIGINT NOT NULL
  );
  ALTER TABLE sts_sessions ADD COLUMN mfa_authenticated_at TIMESTAMPTZ;
  `,
  },
  {
    // Separation of duties (issue 18): approval rules and the requests they hold. JSON is TEXT as written
    // (store/approval-json.ts); decisions are appended by one compare-and-set UPDATE.
    id: '0006-approvals',
    sql: `
  CREATE TABLE approval_rules (
    name TEXT COLLATE "C" PRIMARY KEY,
    operations TEXT NOT NULL,
    keys TEXT NOT NULL,
    approvers TEXT NOT NULL,
    quorum INTEGER NOT NULL,
    require_mfa BOOLEAN NOT NULL,
    executor TEXT NOT NULL,
    expires_after_seconds INTEGER NOT NULL,
    description TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
  );
  CREATE TABLE approval_requests (
    approval_id TEXT COLLATE "C" PRIMARY KEY,
    rule_name TEXT NOT NULL,
    operation TEXT NOT NULL,
    input TEXT NOT NULL,
    summary TEXT NOT NULL,
    key_arns TEXT NOT NULL,
    requester_arn TEXT NOT NULL,
    requester_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    decisions TEXT NOT NULL,
    executed_at TIMESTAMPTZ,
    executor_arn TEXT
  );
  CREATE INDEX approval_requests_by_status ON approval_requests(status, created_at);
  CREATE INDEX approval_requests_by_time ON approval_requests(created_at);
  `,
  },
  ...MIGRATIONS_SINCE_0007,
];

/**
 * Applies every migration `pool`'s database lacks, each in its own transaction, holding the cluster-wide
 * advisory lock {@link MIGRATION_LOCK} for the whole run: concurrent starters wait, then find the work
 * done. Idempotent. The lock is session-level, so a starter that dies mid-way releases it with its
 * connection and the next one resumes after the last committed migration. Returns the ids it applied.
 */
export async function migrate(pool: Pool, migrations = MIGRATIONS): Promise<string[]> {
  const client = await pool.connect();
  // Checked out, the client has no listener of the pool's: a connection failing between statements would crash the process.
  let broken: Error | undefined;
  const onError = (e: Error): void => {
    broken ??= e;
  };
  client.on('error', onError);
  try {
    await client.query('SELECT pg_advisory_lock($1, $2)', [...MIGRATION_LOCK]);
    try {
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
      const applied = new Set((await client.query<{ id: string }>('SELECT id FROM schema_migrations')).rows.map((r) => r.id));
      const done: string[] = [];
      for (const m of [...migrations].sort((a, b) => (a.id < b.id ? -1 : 1))) {
        if (applied.has(m.id)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (id) VALUES ($1)', [m.id]);
          await client.query('COMMIT');
        } catch (e) {
          await client.query('ROLLBACK');
          throw e;
        }
        done.push(m.id);
      }
      return done;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, $2)', [...MIGRATION_LOCK]);
    }
  } catch (e) {
    broken = e instanceof Error ? e : new Error(String(e));
    throw e;
  } finally {
    // A connection that failed mid-migration is dropped, which also frees the advisory lock if unlock failed.
    client.removeListener('error', onError);
    client.release(broken);
  }
}
