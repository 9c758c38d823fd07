/**
 * The PostgreSQL migrations from 0007-key-material-description on (issues 19 and 20), after those of migrations.ts: in a module
 * of their own so that neither passes the 400-line limit. Applied in id order like the others; an applied
 * migration is never edited.
 */
export const MIGRATIONS_SINCE_0007: readonly { readonly id: string; readonly sql: string }[] = [
  {
    // Imported key material generations (issue 19): the KeyMaterialDescription of the imported material.
    id: '0007-key-material-description',
    sql: `
  ALTER TABLE key_imports ADD COLUMN material_description TEXT;
  `,
  },
  {
    // Several generations of imported key material (issue 19): one import record per key version, with
    // when RotateKeyOnDemand made it current. An existing record is the key's primary version's.
    id: '0008-key-material-generations',
    sql: `
  ALTER TABLE key_imports ADD COLUMN version INTEGER;
  UPDATE key_imports i SET version = k.primary_version FROM keys k WHERE k.id = i.key_id;
  ALTER TABLE key_imports ALTER COLUMN version SET NOT NULL;
  ALTER TABLE key_imports ADD COLUMN rotated_at TIMESTAMPTZ;
  ALTER TABLE key_imports DROP CONSTRAINT key_imports_pkey;
  ALTER TABLE key_imports ADD PRIMARY KEY (key_id, version);
  `,
  },
  {
    // Grants to service principals (issue 19, ADR 0021), as SQLite's 0015.
    id: '0009-grant-service-principals',
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
    id: '0010-regions',
    sql: `
  ALTER TABLE keys ADD COLUMN region TEXT COLLATE "C" NOT NULL DEFAULT '';
  ALTER TABLE keys ADD COLUMN primary_region TEXT COLLATE "C";
  CREATE INDEX keys_by_region ON keys(region, seq);
  ALTER TABLE aliases ADD COLUMN region TEXT COLLATE "C" NOT NULL DEFAULT '';
  ALTER TABLE aliases DROP CONSTRAINT aliases_pkey;
  ALTER TABLE aliases ADD PRIMARY KEY (region, name);
  `,
  },
  {
    // Custom key stores (issue 21 part 2, ADR 0024), as SQLite's 0017.
    id: '0011-custom-key-stores',
    sql: `
  CREATE TABLE custom_key_stores (
    id TEXT COLLATE "C" PRIMARY KEY,
    region TEXT COLLATE "C" NOT NULL,
    name TEXT COLLATE "C" NOT NULL,
    type TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    connect BOOLEAN NOT NULL,
    settings TEXT NOT NULL,
    domain_key_version INTEGER NOT NULL,
    wrapped_secret BYTEA NOT NULL,
    UNIQUE (region, name)
  );
  CREATE TABLE custom_key_store_keys (
    key_id TEXT COLLATE "C" PRIMARY KEY REFERENCES keys(id),
    store_id TEXT COLLATE "C" NOT NULL REFERENCES custom_key_stores(id),
    external_key_id TEXT COLLATE "C" NOT NULL
  );
  CREATE INDEX custom_key_store_keys_by_store ON custom_key_store_keys(store_id, external_key_id);
  `,
  },
];
