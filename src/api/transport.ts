import type { ClientCertificate } from '../core/client-certificate.js';
import type { KmsError } from '../core/errors.js';

/**
 * The protocol-neutral boundary between the listener and a transport adapter (DESIGN.md §1): the server
 * reads bytes off a connection and hands them over; the adapter parses its wire format, calls the
 * pipeline and writes its own answer. The server knows no protocol's header names or error shapes.
 */

/** What the listener knows of a request before reading its body. */
export interface TransportRequestHead {
  readonly method: string;
  /** The path without the query string. */
  readonly path: string;
  readonly query: string;
  /** The headers as received, in order, names as the client spelled them. */
  readonly headers: readonly [string, string][];
  /** The peer's address. */
  readonly sourceIp: string;
  /** Whether the request arrived over TLS. */
  readonly secureTransport: boolean;
  /** Arca's id for this request, in its answer and its audit event. */
  readonly requestId: string;
  /** The client certificate of the connection (mTLS), verified or not; absent when none was presented. */
  readonly clientCertificate?: ClientCertificate | undefined;
}

/** A whole request: the head and its body, which the listener zeroes once the answer is written. */
export interface TransportRequest extends TransportRequestHead {
  readonly body: Buffer;
}

/** An answer as the adapter wrote it, for the listener to send. */
export interface TransportResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** A Buffer when it carries secrets (zeroed once sent), otherwise the text itself. */
  readonly body: Buffer | string;
  /** Secrets serialized into `body`: disposed once it is sent. */
  readonly secrets: readonly { dispose(): void }[];
}

/** One protocol, served on the paths the listener routes to it. */
export interface TransportAdapter {
  /** Parses, runs and answers a request. */
  handle(req: TransportRequest): Promise<TransportResponse>;
  /**
   * Answers (and records) a request the listener refused before `handle` (body too large, malformed
   * HTTP, timeouts): `error` says why. A request with no head (malformed HTTP) has empty headers.
   */
  refuse(head: TransportRequestHead, error: KmsError): Promise<TransportResponse>;
  /** Answers (and records) a request for a method or path no adapter serves, in this protocol's words. */
  unknownEndpoint(head: TransportRequestHead): Promise<TransportResponse>;
  /** An error answer that is not recorded: for a failure of the listener itself, after which the connection closes. */
  answerError(error: KmsError, requestId: string): TransportResponse;
}
