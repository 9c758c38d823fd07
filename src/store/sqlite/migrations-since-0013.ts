/**
 * The SQLite migrations from 0013-key-material-description on (issues 19 and 20), after those of migrations.ts: in a module
 * of their own so that neither passes the 400-line limit. Applied in id order like the others; an applied
 * migration is never edited.
 */
export const MIGRATIONS_SINCE_0013: readonly { readonly id: string; readonly sql: string }[] = [
  {
    // Imported key material generations (issue 19): the KeyMaterialDescription of the imported material.
    id: '0013-key-material-description',
    sql: `
  ALTER TABLE key_imports ADD COLUMN material_description TEXT;
  `,
  },
  {
    // Several generations of imported key material (issue 19): one import record per key version, with
    // when RotateKeyOnDemand made it current. An existing record is the key's primary version's.
    id: '0014-key-material-generations',
    sql: `
  CREATE TABLE key_imports_by_version (
    key_id TEXT NOT NULL REFERENCES keys(id),
    version INTEGER NOT NULL,
    fingerprint BLOB NOT NULL,
    expiration_model TEXT NOT NULL,
    valid_to INTEGER,
    imported_at INTEGER NOT NULL,
    material_description TEXT,
    rotated_at INTEGER,
    PRIMARY KEY (key_id, version)
  );
  INSERT INTO key_imports_by_version (key_id, version, fingerprint, expiration_model, valid_to, imported_at, material_description, rotated_at)
    SELECT i.key_id, k.primary_version, i.fingerprint, i.expiration_model, i.valid_to, i.imported_at, i.material_description, NULL
    FROM key_imports i JOIN keys k ON k.id = i.key_id;
  DROP TABLE key_imports;
  ALTER TABLE key_imports_by_version RENAME TO key_imports;
  `,
  },
  {
    // Grants to service principals (issue 19, ADR 0021): GranteeServicePrincipal (grantee_principal then
    // holds the same name) and RetiringServicePrincipal. The SourceArn constraint is in constraints' JSON.
    id: '0015-grant-service-principals',
    sql: `
  ALTER TABLE grants ADD COLUMN grantee_service_principal TEXT;
  ALTER TABLE grants ADD COLUMN retiring_service_principal TEXT;
  CREATE INDEX grants_by_retiring_service ON grants(retiring_service_principal, seq) WHERE retiring_service_principal IS NOT NULL;
  `,
  },
  {
    // Regions (issue 20, ADR 0022): keys and aliases belong to a region; alias names are unique per
    // region. Rows from before belong to the home region: '' here, set to the configured region when the
    // store opens (adoptHomeRegion).
    id: '0016-regions',
    sql: `
  ALTER TABLE keys ADD COLUMN region TEXT NOT NULL DEFAULT '';
  ALTER TABLE keys ADD COLUMN primary_region TEXT;
  CREATE INDEX keys_by_region ON keys(region, seq);
  CREATE TABLE aliases_by_region (
    region TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL,
    key_id TEXT NOT NULL REFERENCES keys(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (region, name)
  );
  INSERT INTO aliases_by_region (region, name, key_id, created_at, updated_at) SELECT '', name, key_id, created_at, updated_at FROM aliases;
  DROP TABLE aliases;
  ALTER TABLE aliases_by_region RENAME TO aliases;
  CREATE INDEX aliases_by_key ON aliases(key_id, name);
${['INSERT', 'UPDATE', 'DELETE'].map((w) => `  CREATE TRIGGER aliases_${w.toLowerCase()}_generation AFTER ${w} ON aliases BEGIN UPDATE read_generation SET n = n + 1 WHERE id = 1; END;`).join('\n')}
  `,
  },
  {
    // Custom key stores (issue 21 part 2, ADR 0024): the stores (settings as JSON, the XKS secret or HSM
    // password wrapped under a domain key) and, in a side table, which key lives in which store.
    id: '0017-custom-key-stores',
    sql: `
  CREATE TABLE custom_key_stores (
    id TEXT PRIMARY KEY,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    connect INTEGER NOT NULL,
    settings TEXT NOT NULL,
    domain_key_version INTEGER NOT NULL,
    wrapped_secret BLOB NOT NULL,
    UNIQUE (region, name)
  );
  CREATE TABLE custom_key_store_keys (
    key_id TEXT PRIMARY KEY REFERENCES keys(id),
    store_id TEXT NOT NULL REFERENCES custom_key_stores(id),
    external_key_id TEXT NOT NULL
  );
  CREATE INDEX custom_key_store_keys_by_store ON custom_key_store_keys(store_id, external_key_id);
  `,
  },
];
