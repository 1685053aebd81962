/**
 * Streams an export job into an HTTP response at the client's pace: each pull takes the next chunk from
 * the job (a synchronous page of reads), so nothing but one chunk waits in memory. The counts known only
 * at the end (documents, spans, dropped spans) go out as HTTP trailers, declared in the `Trailer` header.
 */
import type { ServerResponse } from "node:http";
import { skippedReasons, totalDropped } from "@gloss/shared";
import type { Context } from "hono";
import type { Logger } from "../../log";
import type { StreamedExport } from "../../services/exportStream";

export const EXPORT_TRAILERS = [
  "X-Gloss-Documents",
  "X-Gloss-Spans",
  "X-Gloss-Dropped-Spans",
  "X-Gloss-Dropped-Overlap",
  "X-Gloss-Dropped-No-Token",
  "X-Gloss-Skipped-Rows",
  "X-Gloss-Skipped-Reasons",
  "X-Gloss-Uncurated-Excluded",
] as const;

/** `attachment; filename="…"` with an ASCII fallback and the exact name in RFC 5987 form. */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/** The streamed response of an export. */
export function exportResponse(c: Context, job: StreamedExport, log: Logger): Response {
  // @hono/node-server passes the raw response as c.env.outgoing: trailers are only reachable there
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  let stopped = false;
  /** The client went away (or the server is shutting down): end the job now, not at the next pull. */
  const stop = () => {
    if (stopped) return;
    stopped = true;
    job.stop(); // counted as stopped, logged once
  };
  job.signal.addEventListener("abort", stop, { once: true });
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      // A turn of the event loop before each chunk: on loopback (or any fast reader) the socket never
      // pushes back, and the adapter's read–write loop would otherwise run the whole export as microtasks,
      // holding every live editor on this server until the last byte (≈1 s at 20,000 documents).
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (stopped || job.signal.aborted) {
        stop();
        controller.error(job.signal.reason ?? new Error("export stopped"));
        return;
      }
      try {
        const next = await job.next();
        if (next && !job.signal.aborted) return controller.enqueue(next);
        if (job.signal.aborted) {
          stop();
          controller.error(job.signal.reason ?? new Error("export stopped"));
          return;
        }
        job.signal.removeEventListener("abort", stop);
        const s = job.stats();
        outgoing?.addTrailers({
          "X-Gloss-Documents": String(s.work),
          "X-Gloss-Spans": String(s.spans),
          "X-Gloss-Dropped-Spans": String(totalDropped(s.drops)),
          "X-Gloss-Dropped-Overlap": String(s.drops.overlap),
          "X-Gloss-Dropped-No-Token": String(s.drops.noToken),
          "X-Gloss-Skipped-Rows": String(s.skipped.total),
          "X-Gloss-Skipped-Reasons": skippedReasons(s.skipped) || "none",
          "X-Gloss-Uncurated-Excluded": String(s.uncuratedExcluded),
        });
        controller.close();
      } catch (err) {
        // the headers are gone already: all we can do is cut the response short (the client sees an error)
        log.error("export failed mid-stream", {
          file: job.filename,
          err: String((err as Error)?.stack ?? err),
        });
        controller.error(err);
      }
    },
    cancel() {
      stop();
    },
  });
  return new Response(body, {
    status: 200,
    headers: {
      "Content-Type": job.contentType,
      "Content-Disposition": contentDisposition(job.filename),
      "Cache-Control": "no-store",
      // known before the first byte (the trailer repeats it): the export page shows it
      "X-Gloss-Uncurated-Excluded": String(job.stats().uncuratedExcluded),
      // chunked on purpose: trailers need it, and the adapter must not buffer a small export to measure it
      "Transfer-Encoding": "chunked",
      Trailer: EXPORT_TRAILERS.join(", "),
    },
  });
}
