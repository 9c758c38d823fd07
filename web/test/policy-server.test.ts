import { describe, expect, it } from 'vitest';
import { checkPolicy } from '../src/lib/policy';

// Imported by a computed path: the console's type-check (DOM types, no Node's) must not follow it into src/.
const SERVER_PARSER = new URL('../../src/core/policy/document.ts', import.meta.url).href;
const { parsePolicy } = (await import(/* @vite-ignore */ SERVER_PARSER)) as { parsePolicy(text: string, kind: 'key'): unknown };

const ROOT = 'arn:aws:iam::111122223333:root';
const stmt = (extra: Record<string, unknown> = {}) => ({ Sid: 'a', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*', ...extra });
const doc = (...s: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: s });

/** Documents the console and the server must judge alike (accepted, or refused with the same message). */
const DOCUMENTS = [
  doc(stmt()),
  doc(stmt({ Effect: 'Maybe' })),
  doc(stmt({ Principal: { AWS: 'bob' } })),
  doc(stmt({ Principal: '*', Action: ['kms:Encrypt', 'kms:Decrypt*'] })),
  doc(stmt({ Action: 'Encrypt' })),
  doc(stmt({ NotPrincipal: { AWS: ROOT } })),
  doc({ Effect: 'Deny', NotPrincipal: { AWS: ROOT }, Action: 'kms:*' }),
  doc({ Effect: 'Allow', NotPrincipal: { AWS: ROOT }, Action: 'kms:*' }),
  doc(stmt({ Condition: { StringEquals: { 'kms:CallerAccount': '111122223333' } } })),
  doc(stmt({ Condition: { 'ForAnyValue:NullIfExists': { 'kms:CallerAccount': 'true' } } })),
  doc(stmt({ Condition: { Bool: { 'aws:SecureTransport': [true] } } })),
  doc(stmt({ Condition: { StringEquals: { 'kms:CallerAccount': [] } } })),
  doc(stmt(), stmt()),
  doc(),
  JSON.stringify({ Version: '2012-10-17' }),
  JSON.stringify({ Version: '2012-10-18', Statement: [stmt()] }),
  JSON.stringify({ Statement: stmt(), Extra: 1 }),
  doc(stmt({ Resource: [] })),
  doc(stmt({ Sid: 7 })),
  doc({ Effect: 'Allow', Action: 'kms:*' }),
];

describe('the console judges key policies as the server does (src/core/policy/document.ts)', () => {
  for (const [n, text] of DOCUMENTS.entries()) {
    it(`document ${n}`, () => {
      let server: string | undefined;
      try {
        parsePolicy(text, 'key');
      } catch (e) {
        server = e instanceof Error ? e.message : String(e);
      }
      const c = checkPolicy(text);
      expect(c.ok ? undefined : c.message).toBe(server);
    });
  }
});
