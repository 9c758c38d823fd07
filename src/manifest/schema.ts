import { z } from 'zod';

/**
 * The declarative file of `arca apply -f arca.yaml` and `arca dev --seed` (issue 23): one format, one schema.
 * It lives in its own layer (src/manifest/, zod only) so that both the CLI and the server may import it
 * (test/architecture/layers.ts). Reading the file (YAML, `policyFile:` relative to it) is the caller's.
 */

const tags = z.record(z.string(), z.string()).describe('Tags, key → value.');
/** A policy document: inline JSON text or a YAML/JSON object (stored as its JSON text). */
const policy = z
  .union([z.string(), z.record(z.string(), z.unknown())])
  .transform((p) => (typeof p === 'string' ? p : JSON.stringify(p)))
  .describe('A policy document, as JSON text or as an object.');

const grant = z
  .object({
    name: z.string().regex(/^[a-zA-Z0-9:/_-]+$/).describe('The grant name: how apply finds the grant again.'),
    granteePrincipal: z.string().describe('The principal ARN the grant gives permission to.'),
    retiringPrincipal: z.string().optional().describe('The principal ARN allowed to retire the grant.'),
    operations: z.array(z.string()).min(1).describe('The operations the grant allows (Encrypt, Decrypt, ...).'),
    encryptionContextSubset: tags.optional().describe('Constraint: the encryption context must contain these pairs.'),
    encryptionContextEquals: tags.optional().describe('Constraint: the encryption context must be exactly these pairs.'),
  })
  .strict();

export const manifestKey = z
  .object({
    /** A fixed key id (a lowercase UUID) for tests that name it (dev seeds only). */
    id: z.string().optional().describe('dev seeds only: a fixed key id (a lowercase UUID).'),
    region: z.string().optional().describe('The region of the key (default the home region, --region).'),
    alias: z.string().regex(/^alias\//, 'an alias name starts with alias/').optional().describe('The alias that names the key; arca apply finds the key by it.'),
    aliases: z.array(z.string().regex(/^alias\//, 'an alias name starts with alias/')).optional().describe('More aliases for the key.'),
    description: z.string().optional(),
    keySpec: z.string().optional().describe('SYMMETRIC_DEFAULT (default), RSA_2048, ECC_NIST_P256, HMAC_256, ...; a change replaces the key.'),
    keyUsage: z.string().optional().describe('ENCRYPT_DECRYPT (default), SIGN_VERIFY, GENERATE_VERIFY_MAC, ...; a change replaces the key.'),
    tags: tags.optional(),
    policy: policy.optional().describe('The key policy, inline.'),
    policyFile: z.string().optional().describe('The key policy, from a file relative to this one.'),
    rotationPeriodInDays: z.number().int().positive().optional().describe('Automatic rotation, every so many days.'),
    enabled: z.boolean().optional(),
    grants: z.array(grant).optional().describe('The key’s grants, by name; when given, grants not listed are revoked.'),
    /** INSECURE, dev only: known key material (base64), imported so that ciphertexts are reproducible. */
    insecureMaterial: z.string().base64().optional().describe('INSECURE, dev seeds only: known key material (base64).'),
  })
  .strict();

export const manifestPrincipal = z
  .object({
    name: z.string(),
    type: z.enum(['user', 'role', 'service']).optional(),
    tags: tags.optional(),
    policies: z.record(z.string(), policy).optional().describe('Identity policies by name.'),
  })
  .strict();

const tagPair = z.object({ key: z.string(), value: z.string() }).strict();

export const manifestApprovalRule = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]+$/),
    operations: z.array(z.string()).min(1).describe('The operations held for approval (ScheduleKeyDeletion, PutKeyPolicy, ...).'),
    keys: z.object({ keyArns: z.array(z.string()).optional(), aliases: z.array(z.string()).optional(), tags: z.array(tagPair).optional() }).strict().optional(),
    approvers: z.object({ principalArns: z.array(z.string()).optional(), tag: tagPair.optional(), breakGlassPrincipalArns: z.array(z.string()).optional() }).strict(),
    quorum: z.number().int().min(1).max(10),
    requireMfa: z.boolean().optional(),
    executor: z.enum(['Requester', 'Approver']).optional(),
    expiresAfterSeconds: z.number().int().min(1).optional(),
    description: z.string().optional(),
  })
  .strict();

export const manifestSchema = z
  .object({
    deletionWindowInDays: z.number().int().min(7).max(30).optional().describe('The waiting period of keys `arca apply --prune` schedules for deletion (default 30).'),
    keys: z.array(manifestKey).optional(),
    principals: z.array(manifestPrincipal).optional(),
    approvalRules: z.array(manifestApprovalRule).optional(),
  })
  .strict();

export type Manifest = z.output<typeof manifestSchema>;
export type ManifestKey = z.output<typeof manifestKey>;
export type ManifestGrant = z.output<typeof grant>;
export type ManifestPrincipal = z.output<typeof manifestPrincipal>;
export type ManifestApprovalRule = z.output<typeof manifestApprovalRule>;

/**
 * Validates a parsed file (`source` names it in errors) and reads each key's `policyFile` with `read`
 * (a path relative to the file). Throws an Error naming the file and the first problems.
 */
export function parseManifest(value: unknown, source: string, read: (relativePath: string) => string): Manifest {
  const parsed = manifestSchema.safeParse(value ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
    throw new Error(`${source}: ${problems.join('; ')}`);
  }
  const keys = (parsed.data.keys ?? []).map((k, i) => {
    if (k.policyFile === undefined) return k;
    if (k.policy !== undefined) throw new Error(`${source}: keys.${i}: give policy or policyFile, not both`);
    const { policyFile, ...rest } = k;
    return { ...rest, policy: read(policyFile) };
  });
  return { ...parsed.data, ...(parsed.data.keys !== undefined && { keys }) };
}

/** The JSON Schema of the file (docs/arca-apply.schema.json), for editors. */
export function manifestJsonSchema(): Record<string, unknown> {
  return { ...z.toJSONSchema(manifestSchema, { io: 'input' }), title: 'arca apply / arca dev --seed file', $id: 'https://arca.dev/schemas/arca-apply.schema.json' };
}

/** The text of docs/arca-apply.schema.json (scripts/apply-schema.mjs writes it; a test pins it). */
export function manifestJsonSchemaText(): string {
  return JSON.stringify(manifestJsonSchema(), null, 2) + '\n';
}
