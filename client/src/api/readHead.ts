/**
 * Reads the first few kilobytes of a streamed response and cancels the rest: the export has no "limit"
 * parameter, and a preview must not pull a whole dataset into the tab. The server stops producing when
 * the stream is cancelled (its ReadableStream's cancel ends the export generator).
 */
import { errorFromResponse } from "./client";

export interface Head {
  text: string;
  /** More followed (the stream was cancelled). */
  truncated: boolean;
  contentType: string;
}

/** The first `maxBytes` (about) of `url`, decoded as UTF-8 (a character cut at the end is dropped). */
export async function readHead(url: string, signal: AbortSignal, maxBytes = 16_384): Promise<Head> {
  const res = await fetch(url, { signal, credentials: "same-origin", headers: { accept: "*/*" } });
  if (!res.ok) throw await errorFromResponse(res);
  const contentType = res.headers.get("content-type") ?? "";
  if (!res.body) return { text: await res.text(), truncated: false, contentType };
  const reader = res.body.getReader();
  const decoder = new TextDecoder("utf-8");
  let text = "";
  let bytes = 0;
  let truncated = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        text += decoder.decode();
        break;
      }
      bytes += value.byteLength;
      text += decoder.decode(value, { stream: true });
      if (bytes >= maxBytes) {
        truncated = true;
        break;
      }
    }
  } finally {
    if (truncated) await reader.cancel().catch(() => undefined);
    else reader.releaseLock();
  }
  return { text, truncated, contentType };
}

/** The complete lines of a head (a line cut off by the truncation is left out). */
export function completeLines(head: Head): string[] {
  const lines = head.text.split(/\r?\n/);
  if (head.truncated || lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** The first `n` JSONL records, pretty-printed (a line that is not JSON is shown as it is). */
export function jsonlRecords(lines: readonly string[], n: number): string[] {
  return lines
    .filter((l) => l.trim())
    .slice(0, n)
    .map((l) => {
      try {
        return JSON.stringify(JSON.parse(l), null, 2);
      } catch {
        return l;
      }
    });
}
