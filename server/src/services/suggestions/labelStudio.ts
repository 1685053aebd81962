/**
 * A client of the Label Studio ML backend protocol (issue 14), as label-studio-ml-backend documents it:
 * `POST {url}/setup` (the labelling config; answers `{ model_version }`), `GET {url}/health`
 * (`{ status: "UP" }`), `POST {url}/predict` with `{ tasks: [{ id, data: { text } }], label_config }`,
 * answering `{ results: [{ result: [{ value: { start, end, text, labels }, score? }], score, model_version }] }`.
 *
 * Label Studio counts offsets in code points: they are converted exactly to UTF-16, and a region whose
 * `text` is not what the document holds at those offsets (or that names no label of the project) is dropped
 * and counted, never trusted.
 */
import { OffsetMap } from "@gloss/shared";
import { RetryableError } from "./resilience";

export interface LabelStudioLabel {
  id: number;
  name: string;
}

export interface ConvertedPrediction {
  /** UTF-16, end-exclusive. */
  start: number;
  end: number;
  label: number;
  score: number;
}

export interface PredictAnswer {
  modelVersion: string;
  suggestions: ConvertedPrediction[];
  dropped: number;
}

const xml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The Label Studio labelling config of a project's labels (a `<Labels>` over one `<Text>`). */
export function labelConfig(labels: readonly LabelStudioLabel[]): string {
  const items = labels.map((l) => `<Label value="${xml(l.name)}"/>`).join("");
  return `<View><Labels name="label" toName="text">${items}</Labels><Text name="text" value="$text"/></View>`;
}

/** Largest answer read from a backend (a broken or hostile one must not fill the server's memory). */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

/** The body as text, refused beyond MAX_ANSWER_BYTES; a failure while reading (the deadline) is retryable. */
async function readCapped(res: Response, timeoutMs: number): Promise<string> {
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > MAX_ANSWER_BYTES) {
    await res.body?.cancel().catch(() => undefined);
    throw new Error(`answered more than ${MAX_ANSWER_BYTES} bytes`);
  }
  const reader = res.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_ANSWER_BYTES) {
        await reader.cancel().catch(() => undefined);
        throw new Error(`answered more than ${MAX_ANSWER_BYTES} bytes`);
      }
      chunks.push(value);
    }
  } catch (err) {
    if ((err as Error).message?.startsWith("answered more")) throw err;
    throw new RetryableError(
      (err as Error).name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : "the answer broke off",
    );
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** One HTTP call with a deadline: a network error, a timeout, 5xx or 429 is retryable, other 4xx not. */
async function callJson(url: string, init: RequestInit, timeoutMs: number): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs), redirect: "error" });
  } catch (err) {
    const name = (err as Error).name;
    throw new RetryableError(
      name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : `unreachable: ${name}`,
    );
  }
  if (res.status >= 500 || res.status === 429) {
    await res.body?.cancel().catch(() => undefined);
    throw new RetryableError(`answered ${res.status}`);
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    throw new Error(`answered ${res.status}`);
  }
  const body = await readCapped(res, timeoutMs);
  try {
    return JSON.parse(body);
  } catch {
    throw new Error("answered something that is not JSON");
  }
}

const endpoint = (base: string, path: string) => `${base.replace(/\/+$/, "")}${path}`;
const post = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

/** GET /health: whether the backend says it is up. */
export async function health(url: string, timeoutMs: number): Promise<{ up: boolean; modelClass?: string }> {
  const answer = (await callJson(endpoint(url, "/health"), { method: "GET" }, timeoutMs)) as Record<
    string,
    unknown
  >;
  return {
    up: answer?.status === "UP",
    modelClass: typeof answer?.model_class === "string" ? answer.model_class : undefined,
  };
}

/** POST /setup with the project's labelling config; the model version it reports, if any. */
export async function setup(
  url: string,
  project: string,
  labels: readonly LabelStudioLabel[],
  timeoutMs: number,
): Promise<string | null> {
  const answer = (await callJson(
    endpoint(url, "/setup"),
    post({ project, schema: labelConfig(labels), hostname: "", access_token: "" }),
    timeoutMs,
  )) as Record<string, unknown>;
  return typeof answer?.model_version === "string" ? answer.model_version : null;
}

/** POST /predict for one document; its answer converted (see `convertPredictions`). */
export async function predict(
  url: string,
  task: { id: number; text: string },
  labels: readonly LabelStudioLabel[],
  timeoutMs: number,
): Promise<PredictAnswer> {
  const answer = await callJson(
    endpoint(url, "/predict"),
    post({ tasks: [{ id: task.id, data: { text: task.text } }], label_config: labelConfig(labels) }),
    timeoutMs,
  );
  return convertPredictions(answer, task.text, labels);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

/**
 * A /predict answer → suggestions in UTF-16 for `text`. Takes `{ results: [...] }` (the documented shape)
 * or a bare list (older backends); a malformed answer as a whole is an error, a malformed region is dropped.
 */
export function convertPredictions(
  answer: unknown,
  text: string,
  labels: readonly LabelStudioLabel[],
): PredictAnswer {
  const results = Array.isArray(answer) ? answer : isRecord(answer) ? answer.results : undefined;
  if (!Array.isArray(results)) throw new Error("answered without a `results` list");
  const byName = new Map(labels.map((l) => [l.name, l.id]));
  const offsets = new OffsetMap(text);
  const suggestions: ConvertedPrediction[] = [];
  let dropped = 0;
  let modelVersion = "";
  for (const prediction of results) {
    if (!isRecord(prediction) || !Array.isArray(prediction.result)) continue;
    if (typeof prediction.model_version === "string" && modelVersion === "")
      modelVersion = prediction.model_version;
    const predictionScore = typeof prediction.score === "number" ? prediction.score : 1;
    for (const region of prediction.result) {
      const converted = convertRegion(region, text, offsets, byName, predictionScore);
      if (converted) suggestions.push(...converted);
      else dropped++;
    }
  }
  return { modelVersion, suggestions, dropped };
}

function convertRegion(
  region: unknown,
  text: string,
  offsets: OffsetMap,
  byName: Map<string, number>,
  fallbackScore: number,
): ConvertedPrediction[] | null {
  if (!isRecord(region) || !isRecord(region.value)) return null;
  const { start, end, text: quoted, labels } = region.value;
  if (!Number.isInteger(start) || !Number.isInteger(end) || (start as number) >= (end as number)) return null;
  if (typeof quoted !== "string" || !Array.isArray(labels) || labels.length === 0) return null;
  let s: number;
  let e: number;
  try {
    s = offsets.toUtf16(start as number);
    e = offsets.toUtf16(end as number);
  } catch {
    return null;
  }
  if (text.slice(s, e) !== quoted) return null;
  const score =
    typeof region.score === "number" && Number.isFinite(region.score) ? region.score : fallbackScore;
  if (!Number.isFinite(score)) return null;
  const out: ConvertedPrediction[] = [];
  for (const name of labels) {
    const label = typeof name === "string" ? byName.get(name) : undefined;
    if (label === undefined) return null;
    out.push({ start: s, end: e, label, score });
  }
  return out;
}
