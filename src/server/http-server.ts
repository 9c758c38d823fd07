import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { awsEndpointTransport } from '../api/protocol-switch.js';
import type { TransportAdapter, TransportRequestHead, TransportResponse } from '../api/transport.js';
import { KmsError } from '../core/errors.js';
import type { Logger } from '../core/ports.js';
import { newRequestId, type Pipeline } from '../service/pipeline/pipeline.js';
import { sourceKey } from '../service/pipeline/unauthenticated-limiter.js';
import { peerCertificate } from './client-certificates.js';
import { secureContextOptions, trackHandshakes, verifiedUnderOldContext, type TlsOptions } from './tls-context.js';

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** Bounds on the listener's connections and on how long a client may take (docs/configuration.md). */
export interface ConnectionLimits {
  /** Open connections at most; node destroys a connection beyond it as soon as it is accepted. */
  readonly maxConnections: number;
  /** Open connections per source (an IPv4 address or an IPv6 /64); one beyond it is destroyed at once. */
  readonly maxConnectionsPerSource: number;
  /** Time from the connection (or from the first byte of a request) to its complete headers (408). */
  readonly headersTimeoutMs: number;
  /** Time to receive a whole request, body included (408). */
  readonly requestTimeoutMs: number;
  /** How long a keep-alive connection may stay idle between requests before it is closed. */
  readonly keepAliveTimeoutMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxConnections: 4096,
  maxConnectionsPerSource: 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 65_000,
};

/** An answer of an endpoint the listener serves itself (not a transport's). */
export interface EndpointResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string | Buffer;
}

/** A `GET` endpoint the listener serves beside the transports (`/metrics`). */
export interface HttpEndpoint {
  /** The exact path, or a test of the path for a family of paths (the console's `/ui/…`). */
  readonly path: string | ((path: string) => boolean);
  answer(req: IncomingMessage): Promise<EndpointResponse>;
}

/** A transport adapter and the method and path it serves. */
export interface TransportRoute {
  readonly method: string;
  /** The exact path, or a test of the path for a family of paths (the XKS API's `…/kms/xks/v1/…`). */
  readonly path: string | ((path: string) => boolean);
  readonly adapter: TransportAdapter;
}

export interface HttpServerOptions {
  readonly pipeline: Pipeline;
  /**
   * The adapters by method and path; the first also answers unknown endpoints and malformed requests.
   * Default: the AWS JSON protocol on `POST /` (the operation protocol of DESIGN.md §1).
   */
  readonly transports?: readonly TransportRoute[] | undefined;
  readonly logger: Logger;
  readonly maxBodyBytes?: number;
  /** Extra status for `/readyz` (audit sinks); reported, never making the service unready. */
  readonly status?: () => Record<string, unknown>;
  /** Serve HTTPS (node:https) instead of plain HTTP; with `ca`, client certificates are asked for (mTLS). */
  readonly tls?: TlsOptions | undefined;
  readonly limits?: Partial<ConnectionLimits> | undefined;
  /** `GET` endpoints served beside `/healthz` and `/readyz` (`/metrics`), before the transports. */
  readonly endpoints?: readonly HttpEndpoint[] | undefined;
}

export type { TlsOptions } from './tls-context.js';

function send(res: ServerResponse, r: TransportResponse, close = false): void {
  const { body } = r;
  res.writeHead(r.status, { ...r.headers, 'content-length': String(Buffer.byteLength(body)), ...(close ? { connection: 'close' } : {}) });
  res.end(body, () => {
    // The body held plaintext or data keys: zero the buffers once they are on the socket.
    if (r.secrets.length > 0) {
      if (typeof body !== 'string') body.fill(0);
      for (const s of r.secrets) s.dispose();
    }
  });
}

/**
 * The HTTP-level rejections (node's parser, its timeouts) as Arca errors; `undefined` for a client that
 * went away or a connection that never sent a byte (closed silently: there was no request to answer).
 */
function clientErrorOf(err: Error & { code?: string }, socket: Duplex): KmsError | undefined {
  if (err.code === 'ECONNRESET' || !socket.writable) return undefined;
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    if ('bytesRead' in socket && socket.bytesRead === 0) return undefined;
    return new KmsError('RequestTimeout', 'The request was not received in time.');
  }
  if (err.code === 'HPE_HEADER_OVERFLOW') return new KmsError('RequestHeadersTooLarge', 'The request headers are too large.');
  return new KmsError('SerializationFailed', 'The request is not valid HTTP/1.1.');
}

/** Writes an adapter's error answer as a raw HTTP/1.1 response (no ServerResponse exists) and closes the socket. */
function sendRaw(socket: Duplex, r: TransportResponse): void {
  const headers = { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)), connection: 'close' };
  const head = `HTTP/1.1 ${r.status} ${STATUS_CODES[r.status] ?? 'Error'}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  socket.end(Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(r.body)]), () => socket.destroy());
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
    // A request cut short (the client left, or node timed it out and answered 408) never ends.
    req.on('error', (e) => reject(req.complete ? e : new RequestAborted()));
    req.on('close', () => (req.complete ? undefined : reject(new RequestAborted())));
  });
}

class RequestAborted extends Error {}

function rawHeaderPairs(req: IncomingMessage): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) pairs.push([req.rawHeaders[i] ?? '', req.rawHeaders[i + 1] ?? '']);
  return pairs;
}

type Connection = Duplex & { remoteAddress?: string | undefined; remotePort?: number | undefined };

/**
 * Connection limits: a new connection from a source that already holds `perSource` is destroyed at once.
 * At `total`, room is made by closing the oldest connection that has not sent a request yet (an idle
 * flood's), not by refusing the newcomer; only when every open connection has sent a request is the new
 * one refused. Connections are named by address and port, which the TLS socket a request arrives on
 * shares with the TCP socket 'connection' announced.
 */
function limitConnections(server: Server, total: number, perSource: number): void {
  const perSourceOpen = new Map<string, number>();
  /** Connections that have sent no request yet, oldest first: closing one releases its place. */
  const idle = new Map<string, () => void>();
  let open = 0;
  const nameOf = (s: { remoteAddress?: string | undefined; remotePort?: number | undefined }): string => `${s.remoteAddress ?? ''}|${s.remotePort ?? ''}`;
  server.on('request', (req: IncomingMessage) => void idle.delete(nameOf(req.socket)));
  // TLS servers emit 'connection' for the TCP socket, before the handshake.
  server.on('connection', (socket: Connection) => {
    const source = sourceKey(socket.remoteAddress ?? '');
    const fromSource = perSourceOpen.get(source) ?? 0;
    if (fromSource >= perSource) return void socket.destroy();
    if (open >= total) {
      const oldest = idle.values().next();
      if (oldest.done === true) return void socket.destroy();
      oldest.value();
    }
    open += 1;
    perSourceOpen.set(source, fromSource + 1);
    const name = nameOf(socket);
    let counted = true;
    const release = (): void => {
      if (!counted) return;
      counted = false;
      open -= 1;
      idle.delete(name);
      const left = (perSourceOpen.get(source) ?? 1) - 1;
      if (left === 0) perSourceOpen.delete(source);
      else perSourceOpen.set(source, left);
    };
    idle.set(name, () => {
      release();
      socket.destroy();
    });
    socket.once('close', release);
  });
}

/**
 * The one listener (DESIGN.md §1): the operation protocol's endpoints, each answered by its transport
 * adapter, `GET /healthz`, `GET /readyz` and the endpoints given (`GET /metrics`). The listener reads
 * bytes and routes by method and path; every answer on an operation endpoint, refusals before the
 * pipeline runs included, is the adapter's.
 */
export function createHttpServer(opts: HttpServerOptions): Server {
  const limit = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const routes = opts.transports ?? [{ method: 'POST', path: '/', adapter: awsEndpointTransport(opts.pipeline) }];
  const fallback = routes[0]?.adapter;
  if (fallback === undefined) throw new Error('the listener needs at least one transport adapter');
  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      if (tls?.ca !== undefined) {
        // A connection verified before the CRLs were replaced is closed once this answer is out (also when
        // the request was in flight at the reload), so its next request handshakes against the new CRLs.
        if (verifiedUnderOldContext(server, req.socket)) res.shouldKeepAlive = false;
        res.once('finish', () => (verifiedUnderOldContext(server, req.socket) ? req.socket.end() : undefined));
      }
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const path = q < 0 ? url : url.slice(0, q);
      if (req.method === 'GET' && path === '/healthz') return sendJson(res, 200, { status: 'ok' });
      if (req.method === 'GET' && path === '/readyz') {
        // Ready: unsealed, and the storage works (a failing disk makes every request fail closed).
        const { ready, status, storage } = await opts.pipeline.readiness(req.socket.remoteAddress ?? '');
        return sendJson(res, ready ? 200 : 503, { status, storage, ...opts.status?.() });
      }
      const endpoint = req.method === 'GET' ? opts.endpoints?.find((e) => (typeof e.path === 'string' ? e.path === path : e.path(path))) : undefined;
      if (endpoint !== undefined) {
        req.resume();
        const r = await endpoint.answer(req);
        return void res.writeHead(r.status, { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) }).end(r.body);
      }
      const head: TransportRequestHead = {
        method: req.method ?? '',
        path,
        query: q < 0 ? '' : url.slice(q + 1),
        headers: rawHeaderPairs(req),
        sourceIp: req.socket.remoteAddress ?? '',
        secureTransport: 'encrypted' in req.socket && req.socket.encrypted === true,
        requestId: newRequestId(),
        clientCertificate: tls?.ca === undefined ? undefined : peerCertificate(req.socket),
      };
      const route = routes.find((r) => r.method === req.method && (typeof r.path === 'string' ? r.path === path : r.path(path)));
      if (route === undefined) {
        req.resume();
        return send(res, await fallback.unknownEndpoint(head));
      }
      const body = await readBody(req, limit);
      if (body === undefined) return send(res, await route.adapter.refuse(head, new KmsError('RequestTooLarge', `The request body exceeds ${limit} bytes.`)), true);
      let response: TransportResponse;
      try {
        response = await route.adapter.handle({ ...head, body });
      } finally {
        // The body may carry plaintext: its bytes are not kept once the request is answered.
        body.fill(0);
      }
      send(res, response);
    } catch (e) {
      if (e instanceof RequestAborted) return void res.destroy();
      opts.logger.error('unhandled error in the HTTP layer', { error: e instanceof Error ? e.stack ?? e.message : String(e) });
      if (!res.headersSent) send(res, fallback.answerError(new KmsError('Internal', 'An internal error occurred.'), newRequestId()), true);
      else res.destroy();
    }
  };
  const limits = { ...DEFAULT_CONNECTION_LIMITS, ...opts.limits };
  const timeouts = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node checks the header and request timeouts on this period (default 30 s, which would let an idle
    // socket live up to 40 s instead of 10).
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
  };
  const tls = opts.tls;
  const mtls = tls?.ca === undefined ? {} : { requestCert: true, rejectUnauthorized: tls.clientCertificate !== 'optional' };
  const server: Server =
    tls === undefined
      ? createServer(timeouts, handler)
      : createTlsServer({ ...timeouts, ...secureContextOptions(tls), ...mtls }, handler);
  if (tls !== undefined) trackHandshakes(server);
  limitConnections(server, limits.maxConnections, limits.maxConnectionsPerSource);
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => {
    const error = clientErrorOf(err, socket);
    if (error === undefined) return void socket.destroy();
    const remote = 'remoteAddress' in socket && typeof socket.remoteAddress === 'string' ? socket.remoteAddress : '';
    const head = { method: '', path: '', query: '', headers: [], sourceIp: remote, secureTransport: tls !== undefined, requestId: newRequestId() };
    // Counted like any refusal before authentication: recorded, or tallied once the source is over its limit.
    void fallback.refuse(head, error).then(
      (answer) => (socket.writable ? sendRaw(socket, answer) : socket.destroy()),
      () => socket.destroy(),
    );
  });
  return server;
}
