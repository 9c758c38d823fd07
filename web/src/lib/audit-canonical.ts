/**
 * The audit trail's byte-exact encodings, ported from the server's src/core/audit.ts (web/ imports nothing
 * from src/): the canonical JSON a leaf hash covers and the bytes a tree head signature covers.
 * web/test/audit-canonical.test.ts checks them against the server's own functions.
 */
import { fromBase64, leafHash, toHex } from './merkle';

/** The `arca` member of a recorded event: where it sits in the verifiable trail. */
export interface AuditChainFields {
  readonly sequence: number;
  readonly chainId: string;
  readonly leafHash: string;
}

/** An audit event as ListAuditEvents and ExportAuditLog answer it (CloudTrail-shaped; docs/audit.md). */
export interface AuditEvent {
  readonly eventTime: string;
  readonly eventName: string;
  readonly eventSource?: string;
  readonly sourceIPAddress?: string;
  readonly userAgent?: string;
  readonly userIdentity?: { readonly type?: string; readonly arn?: string; readonly accessKeyId?: string };
  readonly requestParameters?: Readonly<Record<string, unknown>> | null;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly requestID?: string;
  readonly eventID: string;
  readonly resources?: readonly { readonly ARN: string; readonly type?: string }[];
  readonly arca?: AuditChainFields;
  readonly [member: string]: unknown;
}

/** A signed tree head as the export carries it (lower-case members, as stored). */
export interface TreeHead {
  readonly chainId: string;
  readonly treeSize: number;
  readonly rootHash: string;
  readonly timestamp: string;
  readonly signature: string;
}

/**
 * JSON with object members sorted by name (UTF-16 code units) at every level, no whitespace, `undefined`
 * members left out: the same text the server hashed.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('non-finite number in canonical JSON');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return '[' + value.map((v: unknown) => (v === undefined ? 'null' : canonicalJson(v))).join(',') + ']';
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const name of Object.keys(record).sort()) {
    const v = record[name];
    if (v !== undefined) parts.push(JSON.stringify(name) + ':' + canonicalJson(v));
  }
  return '{' + parts.join(',') + '}';
}

/** The text a leaf hash covers: the canonical event with `arca.sequence` and `arca.chainId` but not `arca.leafHash`. */
export function canonicalEventText(event: AuditEvent): string {
  const { arca } = event;
  return canonicalJson(arca === undefined ? event : { ...event, arca: { sequence: arca.sequence, chainId: arca.chainId } });
}

/** Hex SHA-256(0x00 || UTF-8 canonical event text): the event's Merkle leaf hash. */
export async function eventLeafHash(event: AuditEvent): Promise<string> {
  return toHex(await leafHash(new TextEncoder().encode(canonicalEventText(event))));
}

/** The bytes an `arca-tree-head-v1` signature covers. */
export function treeHeadSigningText(head: Omit<TreeHead, 'signature'>): string {
  return canonicalJson({ format: 'arca-tree-head-v1', chainId: head.chainId, treeSize: head.treeSize, rootHash: head.rootHash, timestamp: head.timestamp });
}

/** The C2SP checkpoint origin (and signed-note key name) of a trail. */
export const checkpointOrigin = (chainId: string): string => `arca.local/audit/${chainId}`;

/** Whether an Ed25519 signature verifies (WebCrypto); false, never a throw, for a malformed key or signature. */
export async function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    const key = await crypto.subtle.importKey('raw', publicKey as Uint8Array<ArrayBuffer>, { name: 'Ed25519' }, false, ['verify']);
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, signature as Uint8Array<ArrayBuffer>, message as Uint8Array<ArrayBuffer>);
  } catch {
    return false;
  }
}

/** Whether a tree head carries a valid `arca-tree-head-v1` signature by `publicKey`. */
export async function verifyTreeHead(publicKey: Uint8Array, head: TreeHead): Promise<boolean> {
  const sig = fromBase64(head.signature);
  return sig !== undefined && (await ed25519Verify(publicKey, new TextEncoder().encode(treeHeadSigningText(head)), sig));
}

/** A C2SP signed-note checkpoint, parsed and its signature checked against the trail's key. */
export interface CheckedCheckpoint {
  readonly origin: string;
  readonly treeSize: number;
  readonly rootHashHex: string;
  /** Whether a signature line by this key name, with this key's id, verifies over the note's body. */
  readonly signatureValid: boolean;
}

/**
 * Parses a checkpoint note (origin, size, base64 root, blank line, `— <name> <base64(key id || sig)>`
 * lines) and verifies its signature: the key id is the first 4 bytes of SHA-256(name || 0x0A || 0x01 || key).
 */
export async function checkCheckpoint(note: string, publicKey: Uint8Array): Promise<CheckedCheckpoint | undefined> {
  const split = note.indexOf('\n\n');
  if (split < 0) return undefined;
  const body = note.slice(0, split + 1);
  const [origin, size, root] = body.split('\n');
  const rootBytes = fromBase64(root ?? '');
  if (origin === undefined || size === undefined || !/^[0-9]+$/.test(size) || rootBytes === undefined) return undefined;
  const enc = new TextEncoder();
  const name = enc.encode(origin);
  const idInput = new Uint8Array(name.length + 2 + publicKey.length);
  idInput.set(name);
  idInput.set([0x0a, 0x01], name.length);
  idInput.set(publicKey, name.length + 2);
  const keyId = new Uint8Array(await crypto.subtle.digest('SHA-256', idInput)).slice(0, 4);
  let signatureValid = false;
  for (const line of note.slice(split + 2).split('\n')) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    const blob = m !== null && m[1] === origin ? fromBase64(m[2] ?? '') : undefined;
    if (blob === undefined || blob.length !== 68 || !blob.slice(0, 4).every((b, i) => b === keyId[i])) continue;
    if (await ed25519Verify(publicKey, enc.encode(body), blob.slice(4))) signatureValid = true;
  }
  return { origin, treeSize: Number(size), rootHashHex: toHex(rootBytes), signatureValid };
}
