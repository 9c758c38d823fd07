import type { AddressInfo } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { TtlvFramer } from '../api/kmip/framing.js';
import { KmipSession } from '../api/kmip/session.js';
import type { KmipOptions } from '../api/kmip/context.js';
import { DEFAULT_TTLV_LIMITS } from '../api/kmip/ttlv.js';
import type { Logger } from '../core/ports.js';
import type { Pipeline } from '../service/pipeline/pipeline.js';
import { peerCertificate } from './client-certificates.js';

/** Messages a connection may have waiting for their answers; more and it is closed. */
const MAX_PENDING_MESSAGES = 64;

/** The KMIP listener's settings, resolved from `kmip:` (src/server/kmip-config.ts, docs/kmip.md). */
export interface KmipListenerConfig extends KmipOptions {
  readonly host: string;
  readonly port: number;
  readonly cert: Buffer;
  readonly key: Buffer;
  /** The CAs client certificates must chain to: every connection presents one (mutual TLS). */
  readonly clientCa: Buffer;
  readonly crl?: readonly Buffer[] | undefined;
  /** A connection with no complete message for this long is closed (ms). */
  readonly idleTimeoutMs: number;
  /** At most this many connections at once; more are closed at accept. */
  readonly maxConnections: number;
}

/**
 * The KMIP server (docs/kmip.md, issue 22): TTLV over mutual TLS (TLS 1.2+, default port 5696). Every
 * connection must present a client certificate that verifies against `clientCa`; a connection without
 * one never reaches Arca. Messages on a connection are answered in order, one at a time; a stream that
 * cannot be framed (a header that is not a Structure's, a declared length over 1 MiB) is closed, a framed
 * message that does not decode is answered Invalid Message. Responses may carry key material (Get): the
 * bytes are zeroed once written.
 */
export class KmipListener {
  readonly #server: Server;
  readonly #session: KmipSession;
  readonly #config: KmipListenerConfig;
  readonly #logger: Logger;
  readonly #sockets = new Set<TLSSocket>();

  constructor(config: KmipListenerConfig, pipeline: Pick<Pipeline, 'handle'>, deps: { readonly logger: Logger; readonly clock: { now(): Date } }) {
    this.#config = config;
    this.#logger = deps.logger;
    this.#session = new KmipSession({ pipeline, options: config, clock: deps.clock, logger: deps.logger });
    this.#server = createServer({
      cert: config.cert,
      key: config.key,
      ca: config.clientCa,
      ...(config.crl !== undefined && { crl: [...config.crl] }),
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      handshakeTimeout: 10_000,
    });
    this.#server.maxConnections = config.maxConnections;
    this.#server.on('secureConnection', (socket) => this.#serve(socket));
    this.#server.on('tlsClientError', () => undefined); // a refused handshake is the client's problem, not a server error
  }

  /** The bound address (after {@link listen}). */
  get address(): AddressInfo {
    return this.#server.address() as AddressInfo;
  }

  async listen(): Promise<void> {
    await new Promise<void>((ok, fail) => {
      this.#server.once('error', fail);
      this.#server.listen(this.#config.port, this.#config.host, () => (this.#server.off('error', fail), ok()));
    });
    this.#logger.info('KMIP listening', { host: this.#config.host, port: this.address.port });
  }

  /** Stops accepting, lets each connection finish the message it is answering, then closes them. */
  async close(): Promise<void> {
    if (!this.#server.listening) return;
    const closed = new Promise<void>((ok) => this.#server.close(() => ok()));
    for (const socket of this.#sockets) socket.end();
    const force = setTimeout(() => { for (const socket of this.#sockets) socket.destroy(); }, 5_000);
    force.unref();
    await closed;
    clearTimeout(force);
  }

  #serve(socket: TLSSocket): void {
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.setTimeout(this.#config.idleTimeoutMs, () => socket.destroy());
    const framer = new TtlvFramer(DEFAULT_TTLV_LIMITS);
    const peer = { sourceIp: socket.remoteAddress ?? 'unknown', clientCertificate: peerCertificate(socket) };
    let queue = Promise.resolve();
    let pending = 0;
    socket.on('data', (chunk: Buffer) => {
      let frames: Uint8Array[];
      try {
        frames = framer.push(chunk);
      } catch {
        // The stream cannot be cut into messages any more: nothing after this point can be answered.
        socket.destroy();
        return;
      } finally {
        chunk.fill(0);
      }
      pending += frames.length;
      // A client that sends without reading the answers is not served without bound.
      if (pending > MAX_PENDING_MESSAGES) {
        for (const frame of frames) frame.fill(0);
        socket.destroy();
        return;
      }
      for (const frame of frames) {
        queue = queue.then(async () => {
          pending--;
          const answer = await this.#session.answer(frame, peer);
          if (socket.destroyed) return answer.fill(0), undefined;
          await new Promise<void>((ok) => socket.write(answer, () => ok()));
          answer.fill(0);
        }).catch((e: unknown) => {
          // The session answers every failure itself; anything else ends this connection, not the server.
          this.#logger.error('KMIP connection failed', { error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
          socket.destroy();
        });
      }
    });
  }
}
