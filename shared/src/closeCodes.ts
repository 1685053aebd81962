/**
 * WebSocket close codes shared by the collaboration server and its clients.
 * The client decides from them whether to reconnect (never after 4401/4403).
 */
export const CloseCode = {
  /** Normal closure. */
  Normal: 1000,
  /** The server is shutting down; reconnect later. */
  GoingAway: 1001,
  /** A frame that cannot be decoded. */
  MalformedFrame: 4400,
  /** Not signed in (no or expired session/token). */
  Unauthorized: 4401,
  /** Signed in, but not allowed in this room. */
  Forbidden: 4403,
  /** The room (document or layer) does not exist. */
  NotFound: 4404,
  /** No pong in time / pre-auth deadline passed. */
  Timeout: 4408,
  /** The room is full (max connections per room). */
  RoomFull: 4429,
  /** The client could not keep up (send buffer over the limit); it resyncs on reconnect. */
  SlowConsumer: 4413,
  /**
   * An update that would make the layer invalid (offsets outside the text, an unknown label, wrong types,
   * a record over a size limit, too many spans…). Nothing of it was stored or relayed; the client's local
   * copy holds content the server will never accept, so it must drop its local state and resync.
   */
  InvalidUpdate: 4422,
  /** Awareness over its bounds (too many client ids for a connection or a user, or a state too large). */
  AwarenessLimit: 4430,
  /** The frame exceeds the maximum size. */
  TooBig: 1009,
  /** The server failed to load the room. */
  InternalError: 1011,
} as const;

export type CloseCodeName = keyof typeof CloseCode;

/** Close codes after which a client must not reconnect on its own. */
export const TERMINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.Unauthorized,
  CloseCode.Forbidden,
  CloseCode.NotFound,
  CloseCode.InvalidUpdate,
]);
