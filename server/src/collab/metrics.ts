/** Counters the collaboration server keeps (tests prove leaks are gone with them; the bench reads them). */
export interface CollabCounters {
  /** Y.Docs created for rooms and not yet destroyed. */
  liveDocs: number;
  /** Sockets refused at the upgrade (4401/4403/4404…). */
  refused: number;
  /** Sockets closed for a malformed frame (4400). */
  malformed: number;
  /** Sync step 2 / update frames from read-only connections, dropped unapplied. */
  readOnlyDropped: number;
  /** Connections closed because they stopped reading (4413). */
  slowConsumers: number;
  /** Client updates refused for breaking the layer model (4422): never applied, stored or relayed. */
  invalidUpdates: number;
  /** Awareness states dropped or sockets closed for awareness over its bounds. */
  awarenessRefused: number;
  /** Connections closed or narrowed because the user's rights changed while connected. */
  rightsRevoked: number;
  /** Updates another process appended to a loaded room's log, applied live. */
  externalUpdates: number;
}

export const newCounters = (): CollabCounters => ({
  liveDocs: 0,
  refused: 0,
  malformed: 0,
  readOnlyDropped: 0,
  slowConsumers: 0,
  invalidUpdates: 0,
  awarenessRefused: 0,
  rightsRevoked: 0,
  externalUpdates: 0,
});

/** A point-in-time view of the server. */
export interface CollabMetrics extends CollabCounters {
  rooms: number;
  connections: number;
  /** Timers scheduled by the collaboration server (including each room's Awareness interval). */
  timers: number;
  /** Updates committed to the log since start. */
  persisted: number;
  /** Updates queued and not yet committed. */
  pendingWrites: number;
  /** Messages to and from the other servers (all zero on a single server). */
  bus: { published: number; received: number; refused: number };
}
