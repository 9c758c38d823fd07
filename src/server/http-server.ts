import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { awsErrorResponse, handleAwsJson, type AwsHttpResponse } from '../api/aws/handler.js';
import { KmsError } from '../core/errors.js';
import type { Logger } from '../core/ports.js';
import { newRequestId, type Pipeline } from '../service/pipeline.js';

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export interface HttpServerOptions {
  readonly pipeline: Pipeline;
  readonly logger: Logger;
  readonly maxBodyBytes?: number;
  /** Extra status for `/readyz` (audit sinks); reported, never making the service unready. */
  readonly status?: () => Record<string, unknown>;
  /** Serve HTTPS (node:https) instead of plain HTTP; with `ca`, client certificates are required (mTLS). */
  readonly tls?: TlsOptions | undefined;
}

/** PEM server certificate and key, and the CA that client certificates must chain to for mTLS. */
export interface TlsOptions {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca?: Buffer | undefined;
}

function send(res: ServerResponse, r: AwsHttpResponse, close = false): void {
  const { body } = r;
  res.writeHead(r.status, { ...r.headers, 'content-length': String(Buffer.byteLength(body)), ...(close ? { connection: 'close' } : {}) });
  res.end(body, () => {
    // The body held base64 plaintext or data keys: zero the buffers once they are on the socket.
    if (r.secrets.length > 0) {
      if (typeof body !== 'string') body.fill(0);
      for (const s of r.secrets) s.dispose();
    }
  });
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

/** Reads the body, or `undefined` once it exceeds `limit` bytes (the rest is discarded). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      req.resume();
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      if (!over) chunks.push(c);
    });
    // A body that arrived in one chunk is used as it is (no copy).
    req.on('end', () => resolve(over ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

function rawHeaderPairs(req: IncomingMessage): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) pairs.push([req.rawHeaders[i] ?? '', req.rawHeaders[i + 1] ?? '']);
  return pairs;
}

/**
 * The one listener (DESIGN.md §1): `POST /` for the operation protocol, `GET /healthz` and `GET /readyz`.
 * Every answer on `/` — including refusals before the pipeline runs — is AWS-shaped and audited.
 */
export function createHttpServer(opts: HttpServerOptions): Server {
  const limit = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const path = q < 0 ? url : url.slice(0, q);
      if (req.method === 'GET' && path === '/healthz') return sendJson(res, 200, { status: 'ok' });
      if (req.method === 'GET' && path === '/readyz') {
        // Ready: unsealed, and the storage works (a failing disk makes every request fail closed).
        const { ready, status, storage } = await opts.pipeline.readiness(req.socket.remoteAddress ?? '');
        return sendJson(res, ready ? 200 : 503, { status, storage, ...opts.status?.() });
      }
      const meta = {
        target: String(req.headers['x-amz-target'] ?? '').slice(0, 256),
        sourceIp: req.socket.remoteAddress ?? '',
        userAgent: String(req.headers['user-agent'] ?? '').slice(0, 1024),
        requestId: newRequestId(),
        secureTransport: 'encrypted' in req.socket && req.socket.encrypted === true,
      };
      if (req.method !== 'POST' || path !== '/') {
        req.resume();
        const r = await opts.pipeline.refuse(meta, new KmsError('UnknownOperation', `${req.method ?? ''} ${path.slice(0, 256)} is not an operation endpoint: send POST / with X-Amz-Target.`));
        return send(res, awsErrorResponse(r, meta.requestId));
      }
      const body = await readBody(req, limit);
      if (body === undefined) {
        const r = await opts.pipeline.refuse(meta, new KmsError('RequestTooLarge', `The request body exceeds ${limit} bytes.`));
        return send(res, awsErrorResponse(r, meta.requestId), true);
      }
      let response: AwsHttpResponse;
      try {
        response = await handleAwsJson(opts.pipeline, { ...meta, method: 'POST', path, query: q < 0 ? '' : url.slice(q + 1), headers: rawHeaderPairs(req), body });
      } finally {
        // The body may carry plaintext (base64): its bytes are not kept once the request is answered.
        body.fill(0);
      }
      send(res, response);
    } catch (e) {
      opts.logger.error('unhandled error in the HTTP layer', { error: e instanceof Error ? e.stack ?? e.message : String(e) });
      if (!res.headersSent) send(res, awsErrorResponse(new KmsError('Internal', 'An internal error occurred.'), newRequestId()), true);
      else res.destroy();
    }
  };
  const tls = opts.tls;
  const server: Server =
    tls === undefined
      ? createServer(handler)
      : createTlsServer({ cert: tls.cert, key: tls.key, ...(tls.ca ? { ca: tls.ca, requestCert: true, rejectUnauthorized: true } : {}) }, handler);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;
  return server;
}
