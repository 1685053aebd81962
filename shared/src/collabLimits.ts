/**
 * Every resource the collaboration server bounds, in one object (STYLE 11; hocuspocus `defaultConfiguration`,
 * advisory GHSA-xwhh-v746-pj9m: unbounded buffering before authentication). The client may read the same
 * numbers, e.g. to refuse a frame the server would close the socket over.
 */
export interface CollabLimits {
  /** Largest WebSocket frame accepted; a bigger one closes the socket with 1009 (TooBig). */
  maxFrameBytes: number;
  /** Connections per room; the next one is closed with 4429 (RoomFull). */
  maxConnectionsPerRoom: number;
  /**
   * Deadline from the upgrade request to a ready connection (authorised, room loaded); after it the socket
   * is closed with 4408 (Timeout). Authentication itself happens on the upgrade request's headers, so the
   * only pre-ready state a client can hold open is this window.
   */
  preAuthDeadlineMs: number;
  /** Frames buffered per connection while its room loads (count and bytes); more closes with 1009. */
  maxPendingFrames: number;
  maxPendingBytes: number;
  /** Bytes queued for a socket that has not read them; above it the client is closed with 4413 (SlowConsumer). */
  maxBufferedBytes: number;
  /** A ping every interval; a connection that has not answered the previous one is closed with 4408. */
  pingIntervalMs: number;
  /** After the server closes a socket, how long the peer has to answer the close frame before it is cut. */
  closeGraceMs: number;
  /** Awareness client ids one connection may control (a tab normally has one). */
  maxAwarenessClientsPerConnection: number;
  /** Awareness client ids one user may control in one room, over all their connections. */
  maxAwarenessClientsPerUser: number;
  /** Largest awareness state (JSON bytes) of one client id; a bigger one closes the socket with 4413. */
  maxAwarenessStateBytes: number;
  /** Spans one layer may hold; an update that would exceed it is refused (4422). */
  maxSpansPerLayer: number;
  /** Relations one layer may hold. */
  maxRelationsPerLayer: number;
  /**
   * The storage quota of one layer: the bytes of its spans and relations (their ids and JSON records). A
   * write that would pass it is refused: a socket update with 4422, a REST write with 409 quota_exceeded.
   */
  maxLayerBytes: number;
  /** Longest span note, in UTF-16 code units. */
  maxNoteChars: number;
  /** Compact a room's update log into its snapshot once it holds this many rows… */
  compactAfterUpdates: number;
  /** …or this many bytes; at the first pause in writing (see below), or at ten times either, regardless. */
  compactAfterBytes: number;
  /** A room over the threshold compacts once it has had no write for this long (compaction stalls the loop). */
  compactWhenQuietMs: number;
  /** The projection of a changed layer is written at most this long after the change. */
  projectionDelayMs: number;
  /** How long an empty room stays loaded before it is flushed and destroyed (0: at once). */
  unloadDelayMs: number;
  /** How often a server with loaded rooms looks for what other processes (the CLI) wrote to the store. */
  externalPollMs: number;
  /**
   * How often open sockets' credentials are checked again without any rights change: a session that
   * expires while its socket is open is closed (4401) within this long.
   */
  credentialSweepMs: number;
  /** How long a socket ticket (POST /api/socket-ticket) stays valid; it opens one socket, once. */
  socketTicketTtlMs: number;
}

/** The defaults; the server accepts overrides per instance. */
export const DEFAULT_COLLAB_LIMITS: Readonly<CollabLimits> = Object.freeze({
  maxFrameBytes: 4 * 1024 * 1024,
  maxConnectionsPerRoom: 1000,
  preAuthDeadlineMs: 10_000,
  maxPendingFrames: 64,
  maxPendingBytes: 4 * 1024 * 1024,
  maxBufferedBytes: 8 * 1024 * 1024,
  pingIntervalMs: 30_000,
  closeGraceMs: 2_000,
  maxAwarenessClientsPerConnection: 8,
  maxAwarenessClientsPerUser: 32,
  maxAwarenessStateBytes: 8 * 1024,
  maxSpansPerLayer: 200_000,
  maxRelationsPerLayer: 200_000,
  maxLayerBytes: 64 * 1024 * 1024,
  maxNoteChars: 10_000,
  compactAfterUpdates: 1000,
  compactAfterBytes: 1024 * 1024,
  compactWhenQuietMs: 250,
  projectionDelayMs: 150,
  unloadDelayMs: 0,
  externalPollMs: 200,
  credentialSweepMs: 60_000,
  socketTicketTtlMs: 15_000,
});
