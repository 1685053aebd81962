/** The benchmark's world, seeded straight into a fresh Gloss database file before its server starts. */
import path from "node:path";
import { openDb } from "../../server/src/db/client";
import { closePg, openPg } from "../../server/src/db/pg";
import { pgStore } from "../../server/src/db/store";
import {
  addDocument,
  addProject,
  addUser,
  seedDocument,
  seedProject,
  seedUser,
} from "../../test/helpers/seed";

export const BENCH_TEXT =
  "The minister said on Tuesday that the reform would cut waiting times by half, a claim the opposition " +
  "called fanciful. Hospital managers, speaking on condition of anonymity, said staffing, not rules, was the " +
  "problem. A spokesperson for the health service declined to comment, while independent analysts suggested " +
  "the figures might improve slightly if funding arrived before winter. Unions denied that any agreement had " +
  "been reached and warned of strikes in the spring.";

export type LatencyKey = "two" | "twenty" | "twoHundred" | "spread";

export interface BenchWorld {
  /** Credentials of each client (one annotator per client; half use a cookie, half a token). */
  auth: Array<{ cookie?: string; token?: string; userId: number }>;
  labelIds: number[];
  /**
   * Latency documents per run and workload. Each run has its own: the in-memory reference server drops a
   * document when its last client leaves, the persisting servers keep it, so reused documents would grow
   * on two servers of three and not on the third.
   */
  latency: Array<Record<LatencyKey, number[]>>;
  /** Documents of the other workloads, so no workload inherits another's state. */
  docs: Record<"durable" | "idle" | "kill", number[]>;
}

/** Seeds `users` annotators in a shared-mode project, each assigned to every document. */
export function seedBenchWorld(dataDir: string, users: number, latencyRuns = 1): BenchWorld {
  const db = openDb(path.join(dataDir, "gloss.db"));
  try {
    const people = Array.from({ length: users }, () => seedUser(db));
    const project = seedProject(db, {
      mode: "shared",
      members: people.map((user) => ({ user, role: "annotator" as const })),
    });
    let n = 0;
    const make = (count: number) =>
      Array.from({ length: count }, () => seedDocument(db, project.id, `${BENCH_TEXT} (${++n})`).id);
    const latency = Array.from({ length: latencyRuns }, () => ({
      two: make(1),
      twenty: make(1),
      twoHundred: make(1),
      spread: make(50),
    }));
    const docs = { durable: make(50), idle: make(50), kill: make(3) };
    const assign = db.$client.prepare("INSERT INTO assignments (document_id, user_id) VALUES (?, ?)");
    db.$client.transaction(() => {
      const all = [...latency.flatMap((run) => Object.values(run)), ...Object.values(docs)].flat();
      for (const id of all) for (const u of people) assign.run(id, u.id);
    })();
    return {
      auth: people.map((u, i) =>
        i % 2 ? { token: u.token, userId: u.id } : { cookie: u.cookie, userId: u.id },
      ),
      labelIds: project.labels.map((l) => l.id),
      latency,
      docs,
    };
  } finally {
    db.$client.close();
  }
}

/** `seedBenchWorld` in a (migrated on open) PostgreSQL database. */
export async function seedBenchWorldPg(url: string, users: number, latencyRuns = 1): Promise<BenchWorld> {
  const db = await openPg(url, { max: 4 });
  const store = pgStore(db);
  try {
    const people = [];
    for (let i = 0; i < users; i++) people.push(await addUser(store));
    const project = await addProject(store, {
      mode: "shared",
      members: people.map((user) => ({ user, role: "annotator" as const })),
    });
    let n = 0;
    const make = async (count: number) => {
      const ids: number[] = [];
      for (let i = 0; i < count; i++)
        ids.push((await addDocument(store, project.id, `${BENCH_TEXT} (${++n})`)).id);
      return ids;
    };
    const latency: BenchWorld["latency"] = [];
    for (let r = 0; r < latencyRuns; r++)
      latency.push({
        two: await make(1),
        twenty: await make(1),
        twoHundred: await make(1),
        spread: await make(50),
      });
    const docs = { durable: await make(50), idle: await make(50), kill: await make(3) };
    const all = [...latency.flatMap((run) => Object.values(run)), ...Object.values(docs)].flat();
    await db.$client.query(
      "INSERT INTO assignments (document_id, user_id) SELECT d, u FROM unnest($1::int[]) AS d, unnest($2::int[]) AS u",
      [all, people.map((u) => u.id)],
    );
    return {
      auth: people.map((u, i) =>
        i % 2 ? { token: u.token, userId: u.id } : { cookie: u.cookie, userId: u.id },
      ),
      labelIds: project.labels.map((l) => l.id),
      latency,
      docs,
    };
  } finally {
    await closePg(db);
  }
}
