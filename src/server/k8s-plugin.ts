import { chmodSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { GRPC } from '../api/k8s/errors.js';
import { KmsV2Plugin, type PluginAnswer } from '../api/k8s/kms-v2.js';
import type { Logger } from '../core/ports.js';
import type { Pipeline } from '../service/pipeline/pipeline.js';

/** The Kubernetes KMS v2 API, a verbatim copy of upstream's (proto/k8s-kms-v2/README.md). */
export const KMS_V2_PROTO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'proto', 'k8s-kms-v2', 'api.proto');

/** Proto-loader options: field names as in the .proto (`key_id`), bytes as Buffer, absent fields as defaults. */
export const PROTO_OPTIONS = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true } as const;

/** The largest request accepted: a DEK, a ciphertext and up to 32 KiB of annotations fit many times over. */
const MAX_MESSAGE_BYTES = 256 * 1024;

/** `kubernetes:` in the server configuration (docs/kubernetes.md). */
export interface KubernetesPluginConfig {
  /** The UNIX socket kube-apiserver connects to (`unix://<socket>` in its EncryptionConfiguration). */
  readonly socket: string;
  /** The key DEKs are encrypted under: key id, key ARN, alias name or alias ARN. */
  readonly key: string;
  /** The principal (name or ARN) every call is authorized and audited as. */
  readonly principal: string;
}

/** The service definition of `v2.KeyManagementService`, loaded from {@link KMS_V2_PROTO}. */
export function kmsV2ServiceDefinition(): grpc.ServiceDefinition {
  const loaded = grpc.loadPackageDefinition(loadSync(KMS_V2_PROTO, PROTO_OPTIONS));
  const v2 = loaded['v2'] as grpc.GrpcObject;
  return (v2['KeyManagementService'] as grpc.ServiceClientConstructor).service;
}

/** The region whose pipeline serves the plugin: the key ARN's (ADR 0022), else `home`. */
export function pluginRegion(key: string, home: string): string {
  return key.startsWith('arn:') ? (key.split(':')[3] ?? home) : home;
}

/**
 * Removes a stale socket file left by a process that died; refuses a path that is not a socket, and a
 * socket another process still answers on (two plugins on one socket would be a misconfiguration).
 */
async function clearStaleSocket(path: string): Promise<void> {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return;
  }
  if (!stat.isSocket()) throw new Error(`kubernetes.socket: ${path} exists and is not a socket; refusing to replace it`);
  const live = await new Promise<boolean>((ok) => {
    const probe = connect(path);
    probe.once('connect', () => (probe.destroy(), ok(true)));
    probe.once('error', () => ok(false));
  });
  if (live) throw new Error(`kubernetes.socket: ${path} is in use by a running process`);
  unlinkSync(path);
}

/**
 * The Kubernetes KMS v2 plugin listener: `v2.KeyManagementService` over gRPC on a UNIX socket, each call
 * handed to {@link KmsV2Plugin} (and so to the pipeline, as the configured principal). The socket is
 * created with mode 0600 (its directory, when Arca creates it, 0700); a stale socket file is removed at
 * start, and the socket is removed at close. A handler never throws: an unexpected failure is logged and
 * answered INTERNAL without its cause.
 */
export class KubernetesPluginListener {
  readonly socket: string;
  readonly #plugin: KmsV2Plugin;
  readonly #logger: Logger;
  #server: grpc.Server | undefined;

  /** The socket's absolute path: what the listener binds and the authenticator maps to the principal. */
  static socketPath(config: Pick<KubernetesPluginConfig, 'socket'>): string {
    return resolve(config.socket);
  }

  /** `pipeline`: the request path of the key's region. */
  constructor(config: KubernetesPluginConfig, pipeline: Pick<Pipeline, 'handle'>, logger: Logger) {
    this.socket = KubernetesPluginListener.socketPath(config);
    this.#plugin = new KmsV2Plugin(pipeline, { key: config.key, socket: this.socket });
    this.#logger = logger;
  }

  /** Binds the socket (removing a stale one) and starts serving. */
  async listen(): Promise<void> {
    await clearStaleSocket(this.socket);
    mkdirSync(dirname(this.socket), { recursive: true, mode: 0o700 });
    const server = new grpc.Server({ 'grpc.max_receive_message_length': MAX_MESSAGE_BYTES });
    server.addService(kmsV2ServiceDefinition(), {
      Status: this.#unary('Status', async () => ({ ok: true, message: await this.#plugin.status(), secrets: [] })),
      Encrypt: this.#unary('Encrypt', (request) => this.#plugin.encrypt(request)),
      Decrypt: this.#unary('Decrypt', (request) => this.#plugin.decrypt(request)),
    });
    await new Promise<void>((ok, fail) => server.bindAsync(`unix://${this.socket}`, grpc.ServerCredentials.createInsecure(), (e) => (e ? fail(e) : ok())));
    // Connecting needs write permission on the socket: with the default umask it is created 0755 (owner
    // only already); 0600 makes it explicit before any request can be served.
    chmodSync(this.socket, 0o600);
    this.#server = server;
    this.#logger.info('kubernetes KMS v2 plugin listening', { socket: this.socket });
  }

  /** Stops accepting calls, lets the calls in flight finish (5 s at most), and removes the socket. */
  async close(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    this.#server = undefined;
    await new Promise<void>((ok) => {
      const force = setTimeout(() => server.forceShutdown(), 5_000);
      force.unref();
      server.tryShutdown(() => (clearTimeout(force), ok()));
    });
    try {
      unlinkSync(this.socket);
    } catch {
      // Already gone.
    }
  }

  #unary(name: string, handle: (request: unknown) => Promise<PluginAnswer<object>>): grpc.handleUnaryCall<unknown, object> {
    return (call, callback) => {
      handle(call.request).then(
        (answer) => {
          if (!answer.ok) return callback({ code: answer.code, details: answer.details });
          // The answer is serialized during the callback: its secrets (a decrypted DEK) are zeroed after.
          callback(null, answer.message);
          for (const secret of answer.secrets) secret.dispose();
        },
        (e: unknown) => {
          this.#logger.error('kubernetes plugin call failed', { call: name, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
          callback({ code: GRPC.INTERNAL, details: 'Internal: an internal error occurred' });
        },
      );
    };
  }
}
