/**
 * A project of annotated documents for the project-scale benchmarks (agreement, curation): news-like texts of
 * 1–2 KB, annotators whose spans mostly agree, with boundary shifts, label changes, misses and extras, written
 * straight into the projection of a fresh database file (as the live rooms would have projected them).
 */
import { createHash } from "node:crypto";
import { createSession, SESSION_COOKIE } from "../../server/src/auth/sessions";
import { openDb } from "../../server/src/db/client";
import { callSync } from "../../server/src/db/store";
import { seededRandom } from "../../shared/src/formats/split";
import { tokenize } from "../../shared/src/tokenize";

export interface AnnotatedProjectSize {
  documents: number;
  annotators: number;
  /** Spans per annotator per document. */
  spans: number;
}

// deterministic, so every run measures the same data
const rand = seededRandom(0x9e3779b9);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;

const WORDS = (
  "the minister said that government would not raise taxes next year but critics argued plan could fail " +
  "according to officials economy may grow slowly while prices remain high analysts expect inflation fall " +
  "spokesperson denied reports company was under investigation sources close talks suggested agreement " +
  "possibly reached before summit opposition leader claimed figures were misleading experts warned " +
  "unemployment might rise again health ministry confirmed new cases region hospitals stretched thin " +
  "residents told reporters they feared further flooding police declined comment on incident witnesses " +
  "described chaotic scenes prime minister's office insisted policy unchanged central bank's decision " +
  "surprised markets investors U.S. COVID-19 don't it's percent million billion Tuesday Wednesday report"
).split(/\s+/);

/** A news-like paragraph of 1–2 KB: sentences of 8–25 words with commas and full stops. */
function makeText(): string {
  const target = 1000 + Math.floor(rand() * 1000);
  const sentences: string[] = [];
  let length = 0;
  while (length < target) {
    const n = 8 + Math.floor(rand() * 18);
    const words = Array.from({ length: n }, (_, i) =>
      i > 2 && rand() < 0.08 ? `${pick(WORDS)},` : pick(WORDS),
    );
    words[0] = words[0]!.charAt(0).toUpperCase() + words[0]!.slice(1);
    const s = `${words.join(" ")}.`;
    sentences.push(s);
    length += s.length + 1;
  }
  return sentences.join(" ");
}

/** The first annotator's spans: SPANS token-aligned spans of 1–6 tokens, mostly disjoint. */
function baseSpans(text: string, labels: number[], SPANS: number): Array<[number, number, number]> {
  const toks = tokenize(text);
  const out: Array<[number, number, number]> = [];
  const stride = Math.max(1, Math.floor(toks.length / SPANS));
  for (let i = 0; i < SPANS; i++) {
    const a = Math.min(toks.length - 1, i * stride + Math.floor(rand() * Math.max(1, stride - 6)));
    const b = Math.min(toks.length - 1, a + Math.floor(rand() * 6));
    out.push([toks[a]!.start, toks[b]!.end, pick(labels)]);
  }
  return out;
}

/** Another annotator's version: mostly the same, some boundary shifts, label changes, misses and extras. */
function perturb(spans: Array<[number, number, number]>, text: string, labels: number[]) {
  return spans.map(([s, e, l]): [number, number, number] => {
    const r = rand();
    if (r < 0.65) return [s, e, l];
    if (r < 0.8) return [s, Math.min(text.length, e + 1 + Math.floor(rand() * 8)), l];
    if (r < 0.92) return [s, e, pick(labels)];
    const start = Math.floor(rand() * (text.length - 20));
    return [start, start + 5 + Math.floor(rand() * 15), pick(labels)];
  });
}

/** Seeds the project (id 1) and an admin who may read it; returns the admin's session cookie. */
export function seedAnnotatedProject(file: string, size: AnnotatedProjectSize): string {
  const { documents: DOCUMENTS, annotators: ANNOTATORS, spans: SPANS } = size;
  const db = openDb(file);
  const sqlite = db.$client;
  const started = performance.now();
  sqlite.transaction(() => {
    const users = Array.from({ length: ANNOTATORS }, (_, i) =>
      Number(
        sqlite
          .prepare("INSERT INTO users (username, display_name, password_hash) VALUES (?, ?, 'x')")
          .run(`annotator${i + 1}`, `Annotator ${i + 1}`).lastInsertRowid,
      ),
    );
    const projectId = Number(
      sqlite.prepare("INSERT INTO projects (name) VALUES ('bench')").run().lastInsertRowid,
    );
    const labels = ["claim", "denial", "attribution", "speculation"].map((name, order) =>
      Number(
        sqlite
          .prepare('INSERT INTO labels (project_id, name, color, "order") VALUES (?, ?, ?, ?)')
          .run(projectId, name, "#0072b2", order).lastInsertRowid,
      ),
    );
    const insertDoc = sqlite.prepare(
      "INSERT INTO documents (project_id, name, text, sha256, length) VALUES (?, ?, ?, ?, ?)",
    );
    const insertSpan = sqlite.prepare(
      'INSERT INTO annotations (project_id, document_id, layer, span_id, start, "end", label_id, author, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    for (let d = 0; d < DOCUMENTS; d++) {
      const text = makeText();
      const sha = createHash("sha256").update(text).digest("hex");
      const docId = Number(insertDoc.run(projectId, `doc-${d + 1}`, text, sha, text.length).lastInsertRowid);
      const base = baseSpans(text, labels, SPANS);
      users.forEach((userId, u) => {
        const spans = u === 0 ? base : perturb(base, text, labels);
        spans.forEach(([s, e, l], i) => {
          insertSpan.run(projectId, docId, `user-${userId}`, `s${i}`, s, e, l, userId, 0);
        });
      });
    }
  })();
  console.log(
    `seeded ${DOCUMENTS} documents × ${ANNOTATORS} annotators × ${SPANS} spans in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  const admin = Number(
    sqlite
      .prepare(
        "INSERT INTO users (username, display_name, password_hash, is_admin) VALUES ('admin', 'Admin', 'x', 1)",
      )
      .run().lastInsertRowid,
  );
  const cookie = `${SESSION_COOKIE}=${callSync(db, createSession, admin).value}`;
  sqlite.close();
  return cookie;
}
