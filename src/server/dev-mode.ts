import type { AdminCredentials } from '../core/custody.js';
import type { Logger } from '../core/ports.js';
import type { TransportAdapter, TransportResponse } from '../api/transport.js';
import { applySeed, type SeedDocument, type SeedSummary } from './dev-seed.js';
import { DevSelfClient } from '../api/aws/self-client.js';

/**
 * What `arca dev` adds for test suites (issue 20); `arca server` never sets it. See docs/testing-with-arca.md.
 */
export interface DevModeOptions {
  /** INSECURE: an unknown access key acts as the bootstrap administrator, its signature not verified. */
  readonly acceptAnyCredentials?: boolean | undefined;
  /** Keys and principals created at start and after each `POST /moto-api/reset`. */
  readonly seed?: SeedDocument | undefined;
}

/** The path moto's server mode resets its state on, which test harnesses written for moto call. */
export const MOTO_RESET_PATH = '/moto-api/reset';

/** Whether `ip` is a loopback address (IPv4, IPv6 or IPv4-mapped). */
export function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}

function json(status: number, body: Record<string, unknown>): TransportResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), secrets: [] };
}

/** Dev mode's state once the bootstrap administrator exists: the administrator and the self client. */
export class DevModeRuntime {
  readonly options: DevModeOptions;
  #admin: AdminCredentials | undefined;
  #adminId: string | undefined;
  #client: DevSelfClient | undefined;

  constructor(options: DevModeOptions) {
    this.options = options;
  }

  /** The bootstrap administrator's principal id, once known. */
  get adminId(): string | undefined {
    return this.#adminId;
  }

  /** Binds the transport the self client calls through (composition) and, once made, the administrator. */
  attach(transport: TransportAdapter, region: string): void {
    this.#client = new DevSelfClient(transport, () => this.#admin, region);
  }

  setAdmin(admin: AdminCredentials, principalId: string): void {
    this.#admin = admin;
    this.#adminId = principalId;
  }

  /** Applies the seed file, if any (at start, and after a moto reset). */
  async seed(cause?: { sourceIp: string; secureTransport: boolean }): Promise<SeedSummary | undefined> {
    if (this.options.seed === undefined || this.#client === undefined) return undefined;
    return applySeed(this.#client, this.options.seed, cause);
  }

  /**
   * `POST /moto-api/reset`, for loopback callers only (moto's harness sends no signature): runs
   * `ArcaService.Reset` as the bootstrap administrator (audited with the caller's address), then the seed
   * file again, and answers moto's `{"status": "ok"}`. Other methods and paths go to `fallback`.
   */
  motoResetTransport(fallback: TransportAdapter, logger: Logger): TransportAdapter {
    return {
      handle: async (req) => {
        if (!isLoopback(req.sourceIp)) return json(403, { status: 'refused', message: `${MOTO_RESET_PATH} answers loopback callers only; call ArcaService.Reset with credentials instead.` });
        const client = this.#client;
        if (client === undefined) return json(503, { status: 'starting' });
        const reset = await client.call('ArcaService.Reset', {}, req);
        if (!reset.ok) return json(reset.status, { status: 'failed', __type: reset.code, message: reset.message });
        try {
          await this.seed(req);
        } catch (e) {
          logger.error('seeding after a reset failed', { error: (e as Error).message });
          return json(500, { status: 'failed', message: (e as Error).message });
        }
        return json(200, { status: 'ok' });
      },
      refuse: (head, error) => fallback.refuse(head, error),
      unknownEndpoint: (head) => fallback.unknownEndpoint(head),
      answerError: (error, requestId) => fallback.answerError(error, requestId),
    };
  }
}
