// Cross-checks the browser port (web/src/lib/audit-canonical.ts) against the server's own code.
import { describe, expect, it } from 'vitest';
import { canonicalEventText as serverEventText, canonicalJson as serverJson, checkpointOrigin, checkpointText, treeHeadSigningBytes, type AuditEvent as ServerEvent } from '../../src/core/audit.js';
import { ed25519Sign, generateEd25519 } from '../../src/crypto/ed25519.js';
import { leafHash as serverLeafHash } from '../../src/crypto/merkle.js';
import { signedNote } from '../../src/crypto/signed-note.js';
import { testAuditEvent } from '../../test/helpers/audit-events.js';
import { canonicalEventText, canonicalJson, checkCheckpoint, eventLeafHash, treeHeadSigningText, verifyTreeHead, type AuditEvent } from '../src/lib/audit-canonical';

/** A small seeded PRNG, so a failure can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 2246822519) + 0x9e3779b9) >>> 0) / 2 ** 32);
}

const ALPHABET = ['a', 'Z', '0', '_', 'é', '€', '𝄞', '"', '\\', '\n', '\u0001', '\u2028', ' ', 'ü'];

function randomValue(r: () => number, depth: number): unknown {
  const text = (): string => Array.from({ length: Math.floor(r() * 8) }, () => ALPHABET[Math.floor(r() * ALPHABET.length)]).join('');
  switch (Math.floor(r() * (depth > 2 ? 5 : 7))) {
    case 0: return text();
    case 1: return Math.floor(r() * 2e9) - 1e9;
    case 2: return r() < 0.5 ? r() * 1e6 : r() < 0.5;
    case 3: return null;
    case 4: return r() < 0.5 ? undefined : -r();
    case 5: return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    default: return Object.fromEntries(Array.from({ length: Math.floor(r() * 5) }, () => [text(), randomValue(r, depth + 1)]));
  }
}

function randomEvent(r: () => number, i: number): ServerEvent {
  return testAuditEvent(i, {
    eventName: ['Encrypt', 'Decrypt', 'CreateKey', 'ListAuditEvents'][i % 4] as string,
    eventTime: new Date(Date.UTC(2026, 0, 1) + Math.floor(r() * 1e10)).toISOString(),
    requestParameters: randomValue(r, 0) as Record<string, unknown>,
    responseElements: r() < 0.3 ? null : { keyId: `k-${i}`, extra: randomValue(r, 1) },
    ...(r() < 0.4 && { errorCode: 'AccessDenied', errorMessage: 'no ' + String(randomValue(r, 3)) }),
    arca: { sequence: i, chainId: `chain-${Math.floor(r() * 1000)}`, leafHash: 'f'.repeat(64) },
  });
}

describe('canonical JSON and leaf hashes, browser port vs the server (src/core/audit.ts)', () => {
  it('500 random events give the same canonical text and leaf hash, also after a JSON round trip (as the wire delivers them)', async () => {
    const r = prng(24);
    for (let i = 1; i <= 500; i++) {
      const ev = randomEvent(r, i);
      const wire = JSON.parse(JSON.stringify(ev)) as AuditEvent;
      expect(canonicalEventText(wire)).toBe(serverEventText(ev));
      expect(await eventLeafHash(wire)).toBe(serverLeafHash(Buffer.from(serverEventText(ev), 'utf8')).toString('hex'));
    }
  });

  it('random values canonicalize as the server does (member order by UTF-16 code units, undefined left out)', () => {
    const r = prng(7);
    for (let i = 0; i < 500; i++) {
      const v = randomValue(r, 0);
      if (v === undefined) continue;
      expect(canonicalJson(v)).toBe(serverJson(v));
    }
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(TypeError);
  });

  it('a tree head signature made by the server verifies in the browser; a changed head or signature does not', async () => {
    const pair = generateEd25519();
    const head = { chainId: 'c1', treeSize: 42, rootHash: 'ab'.repeat(32), timestamp: '2026-12-07T01:00:00.000Z' };
    expect(treeHeadSigningText(head)).toBe(treeHeadSigningBytes(head).toString('utf8'));
    const signature = ed25519Sign(pair.privateKeyDer, treeHeadSigningBytes(head)).toString('base64');
    expect(await verifyTreeHead(pair.publicKey, { ...head, signature })).toBe(true);
    expect(await verifyTreeHead(pair.publicKey, { ...head, treeSize: 43, signature })).toBe(false);
    expect(await verifyTreeHead(generateEd25519().publicKey, { ...head, signature })).toBe(false);
    expect(await verifyTreeHead(pair.publicKey, { ...head, signature: 'A' + signature.slice(1) })).toBe(false);
  });

  it("a C2SP checkpoint signed by the server's signed-note code verifies with the trail key, not with another", async () => {
    const pair = generateEd25519();
    const head = { chainId: 'c1', treeSize: 9, rootHash: 'cd'.repeat(32) };
    const text = checkpointText(head);
    const note = signedNote(text, checkpointOrigin('c1'), pair.publicKey, ed25519Sign(pair.privateKeyDer, Buffer.from(text, 'utf8')));
    expect(await checkCheckpoint(note, pair.publicKey)).toEqual({ origin: 'arca.local/audit/c1', treeSize: 9, rootHashHex: head.rootHash, signatureValid: true });
    expect((await checkCheckpoint(note, generateEd25519().publicKey))?.signatureValid).toBe(false);
    expect((await checkCheckpoint(note.replace('\n9\n', '\n10\n'), pair.publicKey))?.signatureValid).toBe(false);
  });
});
