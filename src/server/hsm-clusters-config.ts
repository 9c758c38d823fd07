import { accessSync, constants } from 'node:fs';
import { z } from 'zod';

/** AWS's CloudHSM cluster id pattern. */
export const CLUSTER_ID_PATTERN = /^cluster-[2-7a-zA-Z]{11,16}$/;

const clusterSchema = z
  .object({
    clusterId: z.string().regex(CLUSTER_ID_PATTERN, "must be a cluster id: 'cluster-' and 11 to 16 letters or digits 2-7 (cluster-234abcdefgh)"),
    /** Path of the PKCS#11 module. */
    module: z.string().min(1),
    /** The token by label, or `slot`: its index among the slots that hold a token (as `root.slot`). */
    tokenLabel: z.string().min(1).max(32).optional(),
    slot: z.number().int().min(0).optional(),
    /** Sessions per connection: how many operations run in the token at once (default 2). */
    sessions: z.number().int().min(1).max(32).optional(),
    /** Password limits checked before C_Login (no try of the token spent), on top of the token's own. */
    pinPolicy: z.object({ minLength: z.number().int().min(1).max(255).optional(), maxLength: z.number().int().min(1).max(255).optional() }).strict().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if ((c.tokenLabel === undefined) === (c.slot === undefined)) ctx.addIssue({ code: 'custom', message: 'give exactly one of tokenLabel and slot' });
  });

/**
 * arca.yaml's `hsmClusters:` (docs/hsm-key-stores.md): the PKCS#11 tokens that `AWS_CLOUDHSM`-shaped custom
 * key stores name by cluster id. Each cluster id and each token appears once.
 */
export const hsmClustersSchema = z
  .array(clusterSchema)
  .max(64)
  .superRefine((list, ctx) => {
    const ids = new Set<string>();
    const tokens = new Set<string>();
    list.forEach((c, i) => {
      if (ids.has(c.clusterId)) ctx.addIssue({ code: 'custom', path: [i, 'clusterId'], message: `${c.clusterId} is configured twice` });
      ids.add(c.clusterId);
      const token = `${c.module}#${c.tokenLabel ?? `slot ${c.slot}`}`;
      if (tokens.has(token)) ctx.addIssue({ code: 'custom', path: [i], message: 'this token already plays another cluster' });
      tokens.add(token);
    });
  });

export type HsmClustersConfig = z.infer<typeof hsmClustersSchema>;

const record = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/**
 * The checks that need more than the section: each module readable, and no cluster on the PKCS#11 root
 * of trust's token (PKCS#11 login is per token per process: the two would share, and log out, one login).
 */
export function hsmClustersConfigErrors(doc: Record<string, unknown>): string[] {
  const list = doc['hsmClusters'];
  if (!Array.isArray(list)) return [];
  const root = record(doc['root']);
  const errors: string[] = [];
  list.forEach((raw: unknown, i) => {
    const c = record(raw);
    if (typeof c['module'] === 'string') {
      try {
        accessSync(c['module'], constants.R_OK);
      } catch {
        errors.push(`hsmClusters.${i}.module: cannot read the PKCS#11 module ${c['module']}`);
      }
    }
    const sameToken = (c['tokenLabel'] !== undefined && c['tokenLabel'] === root['tokenLabel']) || (c['slot'] !== undefined && c['slot'] === root['slot']);
    if (root['type'] === 'pkcs11' && c['module'] === root['module'] && sameToken) {
      errors.push(`hsmClusters.${i}: uses the token of the PKCS#11 root of trust; an HSM key store needs a token of its own`);
    }
  });
  return errors;
}
