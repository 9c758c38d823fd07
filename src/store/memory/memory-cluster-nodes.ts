import type { ClusterNodes, NodeHeartbeat, NodeRecord } from '../../core/cluster.js';
import type { Clock } from '../../core/ports.js';

/** The node registry of a store only one process serves (SQLite, memory): that process's last heartbeat. */
export class LocalClusterNodes implements ClusterNodes {
  readonly #clock: Clock;
  #last: { readonly status: NodeHeartbeat; readonly at: Date } | undefined;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  heartbeat(status: NodeHeartbeat): Promise<void> {
    this.#last = { status, at: this.#clock.now() };
    return Promise.resolve();
  }

  list(): Promise<readonly NodeRecord[]> {
    const last = this.#last;
    if (last === undefined) return Promise.resolve([]);
    return Promise.resolve([{ ...last.status, lastSeenAt: last.at, secondsSinceSeen: (this.#clock.now().getTime() - last.at.getTime()) / 1000 }]);
  }

  forget(node: string): Promise<boolean> {
    const had = this.#last?.status.node === node;
    if (had) this.#last = undefined;
    return Promise.resolve(had);
  }
}
