/**
 * The key usages the create wizard offers and the key specs each allows (src/core/key.ts KEY_SPEC_INFO,
 * available specs only; the console cannot import src/, so web/test/key-lib.test.ts pins the two together).
 */
export const KEY_USAGES = ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'] as const;
export type KeyUsage = (typeof KEY_USAGES)[number];

export const SPECS_BY_USAGE: Record<KeyUsage, readonly string[]> = {
  ENCRYPT_DECRYPT: ['SYMMETRIC_DEFAULT', 'RSA_2048', 'RSA_3072', 'RSA_4096'],
  SIGN_VERIFY: ['RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1', 'ECC_NIST_EDWARDS25519', 'ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87'],
  GENERATE_VERIFY_MAC: ['HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512'],
  KEY_AGREEMENT: ['ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521'],
};

export const USAGE_LABELS: Record<KeyUsage, string> = {
  ENCRYPT_DECRYPT: 'Encrypt and decrypt',
  SIGN_VERIFY: 'Sign and verify',
  GENERATE_VERIFY_MAC: 'Generate and verify MAC',
  KEY_AGREEMENT: 'Key agreement',
};

/** An alias name as CreateAlias accepts it: `alias/` then letters, digits, `/_-`, not `alias/aws/`. */
export function aliasProblem(name: string): string | undefined {
  if (name === '') return undefined;
  if (!name.startsWith('alias/')) return 'An alias name starts with alias/.';
  if (name.startsWith('alias/aws/')) return 'alias/aws/ is reserved for AWS managed keys.';
  if (!/^alias\/[a-zA-Z0-9/_-]+$/.test(name) || name.length > 256) return 'An alias name is alias/ then letters, digits, /, _ or - (256 characters at most).';
  return undefined;
}

/** Parses `key=value` lines (or comma-separated) into tags; a line without `=` is a problem. */
export function parseTags(text: string): { tags: { TagKey: string; TagValue: string }[]; problem?: string } {
  const tags: { TagKey: string; TagValue: string }[] = [];
  for (const part of text.split(/[\n,]/).map((s) => s.trim()).filter((s) => s !== '')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return { tags, problem: `"${part}" is not key=value.` };
    tags.push({ TagKey: part.slice(0, eq).trim(), TagValue: part.slice(eq + 1).trim() });
  }
  return { tags };
}
