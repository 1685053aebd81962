/** Small parsing helpers shared by the JSON-based readers: line numbers, type checks, clear issues. */
import { type FormatIssue, issue, type SourcePosition } from "./types";

export interface JsonLine {
  value: unknown;
  line: number;
}

/** Drops a UTF-8 byte order mark, which editors on Windows like to add. */
export const stripBom = (s: string) => (s.charCodeAt(0) === 0xfeff ? s.slice(1) : s);

/**
 * Parses JSON Lines; every broken line becomes a `parse_error` naming its line number — except for a
 * pretty-printed JSON file (one document over several lines, or a first line that only opens an object or
 * array), which gets one error saying so instead of one per line (issue 13 item 18).
 */
export function readJsonLines(input: string, file?: string): { lines: JsonLine[]; issues: FormatIssue[] } {
  const lines: JsonLine[] = [];
  const issues: FormatIssue[] = [];
  const body = stripBom(input);
  const raw = body.split("\n");
  let firstLine: string | undefined;
  let firstBroken = false;
  raw.forEach((text, i) => {
    const t = text.endsWith("\r") ? text.slice(0, -1) : text;
    if (!t.trim()) return;
    const first = firstLine === undefined;
    if (first) firstLine = t.trim();
    try {
      lines.push({ value: JSON.parse(t), line: i + 1 });
    } catch (e) {
      if (first) firstBroken = true;
      issues.push(issue("parse_error", { file, line: i + 1 }, `not valid JSON (${(e as Error).message})`));
    }
  });
  if (firstBroken && issues.length > 1 && (firstLine === "{" || firstLine === "[" || parsesWhole(body))) {
    return { lines: [], issues: [issue("parse_error", { file }, PRETTY_PRINTED)] };
  }
  return { lines, issues };
}

const PRETTY_PRINTED =
  "this is pretty-printed JSON (one record spread over several lines), not JSON Lines: put each record " +
  "on a line of its own, e.g. with jq -c '.[]' for an array or jq -c . for single objects";

function parsesWhole(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

export interface JsonObjectLine {
  value: Record<string, unknown>;
  pos: { file?: string; line: number };
}

/** Parses JSON Lines whose every line must be an object; any other line becomes an `invalid_record` issue. */
export function readJsonObjectLines(
  input: string,
  file?: string,
): { records: JsonObjectLine[]; issues: FormatIssue[] } {
  const { lines, issues } = readJsonLines(input, file);
  const records: JsonObjectLine[] = [];
  for (const { value, line } of lines) {
    const pos = { file, line };
    if (isObject(value)) records.push({ value, pos });
    else issues.push(issue("invalid_record", pos, "each line must be a JSON object"));
  }
  return { records, issues };
}

/** Parses one JSON document; a syntax error becomes a `parse_error` for the file. */
export function readJson(input: string, file?: string): { value: unknown; issues: FormatIssue[] } {
  try {
    return { value: JSON.parse(stripBom(input)), issues: [] };
  } catch (e) {
    return {
      value: undefined,
      issues: [issue("parse_error", { file }, `not valid JSON (${(e as Error).message})`)],
    };
  }
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);

/** A string field, or undefined; pushes an `invalid_record` issue when present with another type. */
export function optString(
  o: Record<string, unknown>,
  key: string,
  pos: SourcePosition,
  issues: FormatIssue[],
): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") return v;
  issues.push(issue("invalid_record", { ...pos, field: key }, `must be a string`));
  return undefined;
}

/** Document id from a field that may hold a number or a numeric string. */
export function optDocId(v: unknown): number | undefined {
  if (isInt(v) && v > 0) return v;
  if (typeof v === "string" && /^[1-9][0-9]{0,15}$/.test(v)) return Number(v);
  return undefined;
}
