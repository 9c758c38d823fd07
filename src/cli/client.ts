import { Sha256 } from '@aws-crypto/sha256-js';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/** Where and as whom the CLI talks to Arca (DESIGN.md §6 CLI conventions). */
export interface ClientConfig {
  readonly endpoint: string;
  readonly region: string;
  /** Absent for the few operations allowed unauthenticated (e.g. while uninitialized). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
  /** mTLS: the client certificate and key to present (PEM), and the CA to trust for the server's certificate. */
  readonly tls?: ClientTls | undefined;
}

/** What the CLI presents and trusts over HTTPS (`--cert`, `--key`, `--ca`). */
export interface ClientTls {
  readonly cert?: Buffer | undefined;
  readonly key?: Buffer | undefined;
  readonly ca?: Buffer | undefined;
}

/** `ARCA_CLIENT_CERT`, `ARCA_CLIENT_KEY` and `ARCA_CA` (set by `--cert`, `--key`, `--ca`): the files, read. */
function clientTlsFrom(env: NodeJS.ProcessEnv): ClientTls | undefined {
  const read = (name: string): Buffer | undefined => {
    const path = env[name];
    if (path === undefined || path === '') return undefined;
    try {
      return readFileSync(path);
    } catch (e) {
      throw new ArcaCallError('InvalidConfiguration', `cannot read ${path} (${name}): ${(e as NodeJS.ErrnoException).code ?? String(e)}`, 0);
    }
  };
  const tls = { cert: read('ARCA_CLIENT_CERT'), key: read('ARCA_CLIENT_KEY'), ca: read('ARCA_CA') };
  if ((tls.cert === undefined) !== (tls.key === undefined)) throw new ArcaCallError('InvalidConfiguration', 'give both --cert and --key (ARCA_CLIENT_CERT, ARCA_CLIENT_KEY), or neither', 0);
  return tls.cert === undefined && tls.ca === undefined ? undefined : tls;
}

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:8420';

/** `--endpoint`, then `ARCA_ENDPOINT`, then the default; credentials and region from the AWS variables. */
export function clientConfigFrom(env: NodeJS.ProcessEnv, endpointFlag: string | undefined): ClientConfig {
  const accessKeyId = env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
  return {
    endpoint: endpointFlag ?? env['ARCA_ENDPOINT'] ?? DEFAULT_ENDPOINT,
    region: env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'] ?? 'us-east-1',
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
    tls: clientTlsFrom(env),
  };
}

/** An error answer from the server, in the protocol's own shape. */
export class ArcaCallError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status: number,
    /** The `x-amzn-RequestId` of the answer, when the server sent one. */
    readonly requestId?: string | undefined,
  ) {
    super(message);
    this.name = type;
  }
}

/** One line: `arca: <Type>: <message> (request id <id>)`; no message part for an error sent without one, no id part without an id. */
export function callErrorLine(e: ArcaCallError): string {
  const id = e.requestId === undefined || e.requestId === '' ? '' : ` (request id ${e.requestId})`;
  return `arca: ${e.type}${e.message === '' ? '' : `: ${e.message}`}${id}\n`;
}

/**
 * Prints a server's error answer as one line (see {@link callErrorLine}; a failed decryption comes without
 * a message, as AWS sends it) and returns exit status 1; rethrows anything else.
 */
export function reportCallError(e: unknown): number {
  if (e instanceof ArcaCallError) {
    process.stderr.write(callErrorLine(e));
    return 1;
  }
  throw e;
}

/**
 * Calls one operation (`TrentService.Encrypt`, `ArcaService.GetSealStatus`, ...) over the AWS JSON 1.1
 * protocol, SigV4-signed with the real AWS signer when credentials are configured.
 */
export async function callOperation(config: ClientConfig, target: string, input: unknown): Promise<Record<string, unknown>> {
  const url = new URL('/', config.endpoint);
  const body = JSON.stringify(input ?? {});
  let headers: Record<string, string> = { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target };
  if (config.credentials !== undefined) {
    const signer = new SignatureV4({ service: 'kms', region: config.region, credentials: config.credentials, sha256: Sha256 });
    const request = new HttpRequest({ method: 'POST', protocol: url.protocol, hostname: url.hostname, port: Number(url.port) || undefined, path: '/', headers, body });
    headers = (await signer.sign(request)).headers;
  }
  const { host: _host, ...sendable } = headers;
  let res: Answer;
  try {
    res = config.tls !== undefined && url.protocol === 'https:' ? await postWithTls(url, sendable, body, config.tls) : await fetch(url, { method: 'POST', headers: sendable, body });
  } catch (e) {
    throw new ArcaCallError('ConnectionError', `cannot reach Arca at ${config.endpoint}: ${e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)}`, 0);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new ArcaCallError('InvalidResponse', `Arca answered HTTP ${res.status} with a body that is not JSON`, res.status);
  }
  const obj = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? Object.fromEntries(Object.entries(parsed)) : {};
  if (!res.ok) {
    const type = String(obj['__type'] ?? `HTTP${res.status}`);
    throw new ArcaCallError(type.slice(type.lastIndexOf('#') + 1), String(obj['message'] ?? obj['Message'] ?? ''), res.status, res.headers.get('x-amzn-requestid') ?? undefined);
  }
  return obj;
}

/** What the CLI reads of an HTTP answer (fetch's Response, or node:https's through {@link postWithTls}). */
interface Answer {
  readonly ok: boolean;
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** A POST over node:https presenting a client certificate and trusting `tls.ca` (fetch takes neither). */
function postWithTls(url: URL, headers: Record<string, string>, body: string, tls: ClientTls): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, cert: tls.cert, key: tls.key, ca: tls.ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const text = Buffer.concat(chunks).toString('utf8');
        const id = res.headers['x-amzn-requestid'];
        const requestId = typeof id === 'string' ? id : undefined;
        resolve({ ok: status >= 200 && status < 300, status, headers: { get: (name) => (name.toLowerCase() === 'x-amzn-requestid' ? (requestId ?? null) : null) }, text: () => Promise.resolve(text) });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
