/** Shows an error as text: the server's message, and the place (file, line, field) when it names one. */
import { ApiError, errorMessage } from "../api/client";

export interface DetailLine {
  /** "file, line 3, field" when the detail names a place. */
  place: string | null;
  what: string;
}

/** The lines of an error's details: `{ file, line, field, reason }`, `{ path, message }` (the message alone), or plain strings. */
export function detailLines(details: unknown): DetailLine[] {
  if (details == null) return [];
  const items = Array.isArray(details) ? details : [details];
  const out: DetailLine[] = [];
  for (const d of items) {
    if (typeof d === "string" || typeof d === "number") out.push({ place: null, what: String(d) });
    else if (d && typeof d === "object") {
      const o = d as Record<string, unknown>;
      const parts = [
        typeof o.file === "string" ? o.file : null,
        typeof o.line === "number" ? `line ${o.line}` : null,
        // a zod issue's `{ path, message }`: the message names its field in words (the server's
        // invalid_input, shared/validation.ts), so the machine path is never shown
        typeof o.field === "string" ? o.field : null,
      ].filter((p): p is string => !!p);
      const what = o.reason ?? o.message;
      if (typeof what === "string") out.push({ place: parts.length ? parts.join(", ") : null, what });
    }
  }
  return out;
}

/** How a detail line reads. */
export const detailText = (l: DetailLine) => (l.place ? `${l.place}: ${l.what}` : l.what);

/** An alert with the message and the details the server gave. */
export function ErrorMessage({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const message = errorMessage(error);
  // details the message already says (e.g. an import error's "file:line: reason") are not repeated
  const lines = (error instanceof ApiError ? detailLines(error.details) : []).filter(
    (l) => !message.includes(l.what),
  );
  return (
    <div className="g-error" role="alert">
      {title ? <strong>{title}: </strong> : null}
      {message}
      {lines.length > 0 ? (
        <ul>
          {lines.slice(0, 20).map((l, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: static list of lines
            <li key={i}>{detailText(l)}</li>
          ))}
          {lines.length > 20 ? <li>… and {lines.length - 20} more</li> : null}
        </ul>
      ) : null}
    </div>
  );
}
