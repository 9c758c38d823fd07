import type { Server } from 'node:http';
import type { Logger } from '../core/ports.js';

/**
 * The order in which a composed app shuts down (src/server/app.ts): first the listeners stop taking
 * requests and those in flight finish with their audit events committed, then the background work
 * (backups, lifecycle jobs, detection, audit) drains, and only then the store closes and every secret
 * in memory is forgotten. Each step is a callback so this module owns the order, not the parts.
 */
export interface ShutdownSteps {
  readonly server: Server;
  readonly metricsServer?: Server | undefined;
  /** Listeners that close before the HTTP server (kube-apiserver's calls in flight finish before the store closes). */
  readonly listenersFirst: readonly (() => Promise<void> | undefined)[];
  /** Stop the timers that start work (heartbeat, summaries). */
  readonly stopTimers: () => void;
  /** Background work that finishes in this order before the store closes. */
  readonly drain: readonly (() => Promise<unknown> | unknown)[];
  /** Releases and forgets, after the drain: the store, the hierarchy, the root, the close steps. */
  readonly forget: () => Promise<void>;
  readonly logger: Logger;
}

/** Closes in the order above; resolves once everything is closed. Connections still busy after 10 s are cut: their requests were not acknowledged. */
export function closeInOrder(steps: ShutdownSteps): Promise<void> {
  steps.metricsServer?.close();
  steps.metricsServer?.closeAllConnections();
  return new Promise<void>((resolve) => {
    const first = Promise.all(steps.listenersFirst.map((close) => close()));
    steps.server.close(() => {
      steps.stopTimers();
      let chain: Promise<unknown> = first;
      for (const step of steps.drain) chain = chain.then(step);
      void chain.then(() =>
        setImmediate(async () => {
          await steps.forget().catch((e: unknown) => steps.logger.error('closing failed', { error: String(e) }));
          resolve();
        }),
      );
    });
    steps.server.closeIdleConnections();
    setTimeout(() => steps.server.closeAllConnections(), 10_000).unref();
  });
}
