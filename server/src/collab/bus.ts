/**
 * What crosses between Gloss servers that hold the same room: every committed update, with its log row id,
 * and every awareness change of a local client, published on the room's Redis channel
 * (`<prefix>:room:<room name>`) after the commit — so no instance hears of an update that is not durable.
 * Receivers apply an update as the external writer's (never stored again; a row id seen twice is applied
 * once) and relay it to their own clients.
 *
 * Redis carries speed, not truth: each instance still reads the shared log (the store's external poll),
 * which fills whatever a message missed — a room subscribing while it loads, Redis restarting, a publish
 * refused while the connection is down (publishes fail fast instead of queueing up in memory).
 *
 * Frame: one kind byte (1 update, 2 awareness), the sender's 16-byte instance id, then for an update its
 * log row id (a float64, big-endian) and the update; for awareness the y-protocols awareness update.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import type { Logger } from "../log";
import { REDIS_OPTIONS } from "../redis";

/** A room as the bus sees it. */
export interface BusRoom {
  readonly name: string;
  applyExternal(update: Uint8Array, id: number | null): void;
  applyRemoteAwareness(update: Uint8Array): void;
  /** The awareness of this server's own clients, encoded (null: none), for a server that just joined. */
  localAwareness(): Uint8Array | null;
}

export interface RoomBus {
  /** False for the single-server bus: rooms skip the bookkeeping of what to publish. */
  readonly enabled: boolean;
  /**
   * The room is loaded here: its channel is subscribed, resolving once Redis confirmed the subscription
   * (or after SUBSCRIBE_WAIT_MS without Redis: the shared log covers it) — the room reads its stored state
   * only then, so nothing published after the read is missed. Then the other servers are asked for their
   * clients' presence.
   */
  join(room: BusRoom): Promise<void>;
  /** The room is gone here. */
  leave(room: BusRoom): void;
  /** A committed update of `room` (log row `id`). */
  publishUpdate(room: string, id: number, update: Uint8Array): void;
  /** An awareness change of a client connected here. */
  publishAwareness(room: string, update: Uint8Array): void;
  /** Rights changed here (a member removed, a role changed…): every server re-checks its sockets in scope. */
  publishRights(scope: Record<string, number | undefined>): void;
  /** Set by the registry: what to do when another server says rights changed. */
  onRights: (scope: Record<string, number | undefined>) => void;
  close(): Promise<void>;
  /** Messages received and published (for tests and metrics). */
  readonly counters: { published: number; received: number; refused: number };
}

/** One server: nothing to tell anyone. */
export const NO_BUS: RoomBus = {
  enabled: false,
  join: async () => {},
  leave() {},
  publishUpdate() {},
  publishAwareness() {},
  publishRights() {},
  onRights() {},
  close: async () => {},
  counters: { published: 0, received: 0, refused: 0 },
};

const UPDATE = 1;
const AWARENESS = 2;
/** "Who is here?": each server answers with its own clients' awareness. */
const PRESENCE_QUERY = 3;
const RIGHTS = 4;
/** How long a room's load waits for Redis to confirm its subscription before reading anyway. */
const SUBSCRIBE_WAIT_MS = 1000;
const ID_BYTES = 16;
const HEAD = 1 + ID_BYTES;

/** The bus over Redis at `url` (channels under `prefix`). */
export function redisBus(url: string, prefix: string, log: Logger): RoomBus {
  const self = randomBytes(ID_BYTES);
  // a publish while disconnected fails at once (the log has the update; the poll delivers it)
  const pub = new Redis(url, REDIS_OPTIONS);
  // the subscriber queues its SUBSCRIBEs until connected, and re-subscribes by itself after a reconnect
  const sub = new Redis(url, { ...REDIS_OPTIONS, enableOfflineQueue: true, maxRetriesPerRequest: null });
  const rooms = new Map<string, BusRoom>();
  const channelPrefix = `${prefix}:room:`;
  const rightsChannel = `${prefix}:rights`;
  const counters = { published: 0, received: 0, refused: 0 };
  let warned = false;
  const onError = (which: string) => (err: Error) => {
    // reconnects are ioredis's job; say so once per outage, not per retry
    if (!warned)
      log.warn("collab: Redis unreachable, relying on the shared log", { which, err: err.message });
    warned = true;
  };
  pub.on("error", onError("publisher"));
  sub.on("error", onError("subscriber"));
  for (const c of [pub, sub])
    c.on("ready", () => {
      if (warned) log.info("collab: Redis reachable again");
      warned = false;
    });

  sub.subscribe(rightsChannel).catch(() => {});
  sub.on("messageBuffer", (channel: Buffer, message: Buffer) => {
    if (channel.toString("utf8") === rightsChannel) {
      if (message.length < HEAD || self.equals(message.subarray(1, HEAD))) return;
      counters.received++;
      try {
        bus.onRights(JSON.parse(message.subarray(HEAD).toString("utf8")));
      } catch (err) {
        log.warn("collab: a rights message did not apply", { err: String(err) });
      }
      return;
    }
    const name = channel.toString("utf8").slice(channelPrefix.length);
    const room = rooms.get(name);
    if (!room || message.length < HEAD || self.equals(message.subarray(1, HEAD))) return;
    counters.received++;
    try {
      if (message[0] === UPDATE && message.length >= HEAD + 8)
        room.applyExternal(message.subarray(HEAD + 8), message.readDoubleBE(HEAD));
      else if (message[0] === AWARENESS) room.applyRemoteAwareness(message.subarray(HEAD));
      else if (message[0] === PRESENCE_QUERY) {
        const mine = room.localAwareness();
        if (mine) publishAwareness(name, mine);
      }
    } catch (err) {
      // a frame another instance sent that does not apply: the log is the truth, so drop it
      log.warn("collab: a bus message did not apply", { room: name, err: String(err) });
    }
  });

  const publish = (room: string, frame: Buffer) => {
    counters.published++;
    pub.publish(channelPrefix + room, frame).catch(() => {
      counters.refused++;
    });
  };
  const frameOf = (kind: number, body: Uint8Array, extra = 0) => {
    const frame = Buffer.allocUnsafe(HEAD + extra + body.byteLength);
    frame[0] = kind;
    self.copy(frame, 1);
    frame.set(body, HEAD + extra);
    return frame;
  };
  const publishAwareness = (room: string, update: Uint8Array) => publish(room, frameOf(AWARENESS, update));

  const bus: RoomBus = {
    enabled: true,
    counters,
    async join(room) {
      rooms.set(room.name, room);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        sub.subscribe(channelPrefix + room.name).catch(() => {}),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, SUBSCRIBE_WAIT_MS);
        }),
      ]);
      clearTimeout(timer);
      if (rooms.get(room.name) === room) publish(room.name, frameOf(PRESENCE_QUERY, new Uint8Array(0)));
    },
    leave(room) {
      if (rooms.get(room.name) !== room) return;
      rooms.delete(room.name);
      sub.unsubscribe(channelPrefix + room.name).catch(() => {});
    },
    publishUpdate(room, id, update) {
      const frame = frameOf(UPDATE, update, 8);
      frame.writeDoubleBE(id, HEAD);
      publish(room, frame);
    },
    publishAwareness,
    publishRights(scope) {
      const body = Buffer.from(JSON.stringify(scope), "utf8");
      counters.published++;
      pub.publish(rightsChannel, frameOf(RIGHTS, body)).catch(() => {
        counters.refused++;
      });
    },
    onRights() {},
    async close() {
      rooms.clear();
      // no QUIT round trip: with Redis down it would wait for a reconnect that shutdown must not
      pub.disconnect();
      sub.disconnect();
    },
  };
  return bus;
}
