import { HEARTBEAT_INTERVAL_MS, type ClusterNodes } from '../core/cluster.js';
import type { Logger } from '../core/ports.js';
import { VERSION } from '../version.js';

/** A node's periodic report of itself to the cluster's registry (`arca operator status`). */
export interface Heartbeat {
  /** Reports now (after a seal, an unseal or a change of leadership); never rejects. */
  beat(): Promise<void>;
  stop(): void;
}

/**
 * Reports this node every {@link HEARTBEAT_INTERVAL_MS}: its seal state and whether it leads the
 * scheduler. A failed report (the database unreachable) is logged once per outage, not every beat.
 */
export function startHeartbeat(opts: { readonly nodes: ClusterNodes; readonly node: string; readonly sealed: () => boolean; readonly leader: () => boolean; readonly logger: Logger; readonly now: () => Date; readonly intervalMs?: number; readonly alsoEachBeat?: () => Promise<void> }): Heartbeat {
  const startedAt = opts.now();
  let failing = false;
  const beat = async (): Promise<void> => {
    try {
      await opts.nodes.heartbeat({ node: opts.node, sealed: opts.sealed(), leader: opts.leader(), version: VERSION, startedAt });
      if (failing) opts.logger.info('node heartbeat recorded again', { node: opts.node });
      failing = false;
    } catch (e) {
      if (!failing) opts.logger.warn('node heartbeat failed; retrying', { node: opts.node, error: String(e) });
      failing = true;
    }
  };
  const each = opts.alsoEachBeat;
  const tick = () => void Promise.all([beat(), each?.().catch((e: unknown) => opts.logger.warn('periodic cluster sync failed', { error: String(e) }))]);
  const timer = setInterval(tick, opts.intervalMs ?? HEARTBEAT_INTERVAL_MS);
  timer.unref();
  return { beat, stop: () => clearInterval(timer) };
}
