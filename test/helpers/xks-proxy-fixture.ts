/**
 * A small XKS proxy for tests (AWS's XKS proxy API, /work/shared/references/xks-proxy-api): a real HTTP
 * server on loopback that verifies SigV4 (service `kms-xks-proxy`) with Arca's own verifier pieces, holds
 * AES-256 keys in memory and answers GetHealthStatus, GetKeyMetadata, Encrypt and Decrypt with the spec's
 * AAD rule (2-byte AAD length ‖ AAD ‖ 1-byte metadata length ‖ metadata) and error names. Tests can
 * replace a key's bytes (`swapKey`), disable it, or make the proxy answer garbage or nothing.
 */
import { createCipheriv, createDecipheriv, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { canonicalRequest, headerMap, parseAuthorization, signingKey, stringToSign } from '../../src/auth/sigv4.js';
import { hmac } from '../../src/crypto/kdf.js';
import { SecretBytes } from '../../src/crypto/secret-bytes.js';

export interface XksProxyFixture {
  /** `http://127.0.0.1:<port>` (the store's XksProxyUriEndpoint). */
  readonly endpoint: string;
  /** The store's XksProxyUriPath. */
  readonly uriPath: string;
  readonly accessKeyId: string;
  readonly secret: string;
  /** An enabled AES-256 key with ENCRYPT and DECRYPT. */
  readonly keyId: string;
  /** Adds a key (`usage` default ENCRYPT and DECRYPT, `spec` default AES_256). */
  addKey(id: string, options?: { readonly usage?: readonly string[]; readonly spec?: string; readonly status?: 'ENABLED' | 'DISABLED' }): void;
  /** Replaces a key's bytes with fresh random ones: what it sealed before no longer opens. */
  swapKey(id: string): void;
  /** `ok` (default), `garbage` (HTTP 200 with a body that is not JSON), `silent` (never answers) or `deny` (AccessDeniedException to every signed request). */
  mode: 'ok' | 'garbage' | 'silent' | 'deny';
  /** Every request's `requestMetadata`, oldest first. */
  readonly requests: { readonly path: string; readonly metadata: Record<string, unknown> }[];
  stop(): Promise<void>;
}

interface FixtureKey {
  bytes: Buffer;
  usage: readonly string[];
  spec: string;
  status: string;
}

function aadOf(aad: Buffer, metadata: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(aad.length);
  return Buffer.concat([len, aad, Buffer.from([metadata.length]), metadata]);
}

/** Starts the proxy on a random loopback port. */
export async function startXksProxyFixture(options: { readonly uriPath?: string; readonly region?: string } = {}): Promise<XksProxyFixture> {
  const uriPath = options.uriPath ?? '/example/kms/xks/v1';
  // AWS's formats (CreateCustomKeyStore validates them): an access key id of [A-Z2-7], a 43-64 character secret.
  const accessKeyId = 'XKSFIXTURE' + [...randomBytes(10)].map((b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[b % 32]).join('');
  const secret = randomBytes(33).toString('base64');
  const keys = new Map<string, FixtureKey>();
  const requests: { path: string; metadata: Record<string, unknown> }[] = [];
  const fixture = { mode: 'ok' as XksProxyFixture['mode'] };

  const fail = (res: ServerResponse, status: number, errorName: string) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ errorName }));
  };

  const verified = (req: IncomingMessage, path: string, body: Buffer): boolean => {
    try {
      const headers = Object.entries(req.headers).flatMap(([k, v]) => (v === undefined ? [] : [[k, Array.isArray(v) ? v.join(',') : v] as const]));
      const auth = parseAuthorization(String(req.headers.authorization ?? ''));
      if (auth.accessKeyId !== accessKeyId || auth.service !== 'kms-xks-proxy') return false;
      const map = headerMap(headers);
      const canonical = canonicalRequest({ method: 'POST', path, query: '', headers, body }, map, auth.signedHeaders);
      const key = signingKey(SecretBytes.copyOf(Buffer.from(secret, 'utf8')), auth.date, auth.region, auth.service);
      const expected = hmac('sha256', key.expose(), Buffer.from(stringToSign(map.get('x-amz-date') ?? '', auth, canonical)));
      key.dispose();
      const given = Buffer.from(auth.signature, 'hex');
      return given.length === expected.length && timingSafeEqual(given, expected);
    } catch {
      return false;
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (fixture.mode === 'silent') return;
      if (fixture.mode === 'garbage') return void res.writeHead(200).end('<html>not json</html>');
      const body = Buffer.concat(chunks);
      const path = (req.url ?? '').split('?')[0] ?? '';
      if (req.method !== 'POST') return fail(res, 405, 'ValidationException');
      if (!path.startsWith(`${uriPath}/`)) return fail(res, 404, 'InvalidUriPathException');
      if (!verified(req, path, body)) return fail(res, 401, 'AuthenticationFailedException');
      if (fixture.mode === 'deny') return fail(res, 403, 'AccessDeniedException');
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      } catch {
        return fail(res, 400, 'ValidationException');
      }
      const rest = path.slice(uriPath.length);
      requests.push({ path: rest, metadata: (input['requestMetadata'] ?? {}) as Record<string, unknown> });
      const json = (o: object) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(o));
      if (rest === '/health') {
        return json({ xksProxyFleetSize: 1, xksProxyVendor: 'Arca tests', xksProxyModel: 'xks-proxy-fixture', ekmVendor: 'Arca tests', ekmFleetDetails: [{ id: 'ekm-1', model: 'memory', healthStatus: 'ACTIVE' }] });
      }
      const m = /^\/keys\/([^/]+)\/(metadata|encrypt|decrypt)$/.exec(rest);
      if (m === null) return fail(res, 404, 'InvalidUriPathException');
      const key = keys.get(decodeURIComponent(m[1] ?? ''));
      if (key === undefined) return fail(res, 404, 'KeyNotFoundException');
      if (m[2] === 'metadata') return json({ keySpec: key.spec, keyUsage: key.usage, keyStatus: key.status });
      if (key.status !== 'ENABLED') return fail(res, 400, 'InvalidStateException');
      const b = (name: string) => Buffer.from(typeof input[name] === 'string' ? (input[name] as string) : '', 'base64');
      if (m[2] === 'encrypt') {
        if (!key.usage.includes('ENCRYPT')) return fail(res, 400, 'InvalidKeyUsageException');
        const iv = randomBytes(12);
        const metadata = Buffer.from('fixture-v1');
        const cipher = createCipheriv('aes-256-gcm', key.bytes, iv);
        cipher.setAAD(aadOf(b('additionalAuthenticatedData'), metadata));
        const ciphertext = Buffer.concat([cipher.update(b('plaintext')), cipher.final()]);
        return json({ ciphertext: ciphertext.toString('base64'), ciphertextMetadata: metadata.toString('base64'), initializationVector: iv.toString('base64'), authenticationTag: cipher.getAuthTag().toString('base64') });
      }
      if (!key.usage.includes('DECRYPT')) return fail(res, 400, 'InvalidKeyUsageException');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key.bytes, b('initializationVector'));
        decipher.setAAD(aadOf(b('additionalAuthenticatedData'), b('ciphertextMetadata')));
        decipher.setAuthTag(b('authenticationTag'));
        const plaintext = Buffer.concat([decipher.update(b('ciphertext')), decipher.final()]);
        return json({ plaintext: plaintext.toString('base64') });
      } catch {
        return fail(res, 400, 'InvalidCiphertextException');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const addKey: XksProxyFixture['addKey'] = (id, o = {}) => void keys.set(id, { bytes: randomBytes(32), usage: o.usage ?? ['ENCRYPT', 'DECRYPT'], spec: o.spec ?? 'AES_256', status: o.status ?? 'ENABLED' });
  addKey('fixture-key-1');
  return {
    endpoint: `http://127.0.0.1:${port}`,
    uriPath,
    accessKeyId,
    secret,
    keyId: 'fixture-key-1',
    addKey,
    swapKey: (id) => {
      const k = keys.get(id);
      if (k !== undefined) k.bytes = randomBytes(32);
    },
    get mode() {
      return fixture.mode;
    },
    set mode(m) {
      fixture.mode = m;
    },
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
