import { relative, sep } from 'node:path';

/**
 * AWS wire words (DESIGN.md §1, "Transports are adapters"): AWS's header names, its base64 encoding of
 * blobs and its ValidationException wording live in src/api/aws. The layers below and the listener must
 * not use them, so that another transport sees typed values and domain errors only.
 */
export const WIRE_WORDS: readonly { readonly word: string; readonly pattern: RegExp }[] = [
  { word: 'x-amz-', pattern: /x-amzn?-/i },
  // `base64url` (opaque markers and grant tokens Arca makes for itself) is not AWS's blob encoding.
  { word: 'base64', pattern: /base64(?!url)/i },
  { word: '1 validation error', pattern: /\d+ validation errors? detected/i },
];

/** Where the rule is checked, relative to src/. */
export const WIRE_FREE_DIRS: readonly string[] = ['service/', 'core/', 'server/'];

/** Modules that may use a wire word for something other than the AWS wire, with the reason. */
export const WIRE_WORDS_ALLOWED: Readonly<Record<string, string>> = {
  'server/xks-client.ts': "the XKS proxy API (not AWS's KMS wire) carries its bytes as base64 JSON members (ADR 0024)",
  'core/audit.ts': 'the C2SP checkpoint text (a signed-note format) carries its root hash in base64',
  'service/identity/bootstrap.ts': 'an access-key secret is text: the base64 of random bytes, as AWS secrets look',
  'server/dev-announce.ts': 'prints an example aws CLI command line for the developer',
  'core/backup-file.ts': "the backup file's own JSON header (ADR 0016) carries its signer key in base64, not AWS's blob encoding",
  'server/backup.ts': 'backup payload rows and headers are Arca\'s own file format (ADR 0016), base64 for bytes',
  'server/backup-root.ts': 'the seal record in a backup header, and unseal shares as arca operator init prints them, are base64 text',
  'server/backup-command.ts': '--public-key takes the audit trail key as base64, as arca audit verify prints it',
  'core/destruction-ledger.ts': "the destruction ledger is Arca's own signed file (issue 15): its signer key and signature in base64",
  'server/destruction-ledger.ts': 'writes the signer key of the destruction ledger, base64 as in backup headers',
  'server/restore-ledger.ts': 'reads the trail keys of a backup payload (base64 bytes, ADR 0016) to check a ledger signer',
  'server/dev-seed.ts': "a seed file's insecureMaterial is base64 text, and the seed is applied through the AWS JSON protocol (api/aws/self-client.ts)",
  'server/recovery-command.ts': 'unseal share files (as arca operator init writes them) and --public-key are base64 text (ADR 0017)',
};

/** `file: word` for each wire word used where it must not be (files relative to `srcRoot`, `/`-separated; tests excluded). */
export function wireWordViolations(srcRoot: string, files: readonly string[], read: (file: string) => string): string[] {
  const out: string[] = [];
  for (const file of files) {
    const rel = relative(srcRoot, file).split(sep).join('/');
    if (!WIRE_FREE_DIRS.some((d) => rel.startsWith(d)) || rel.endsWith('.test.ts') || rel in WIRE_WORDS_ALLOWED) continue;
    const text = read(file);
    for (const { word, pattern } of WIRE_WORDS) if (pattern.test(text)) out.push(`${rel}: ${word}`);
  }
  return out.sort();
}
