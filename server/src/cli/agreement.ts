/**
 * `gloss agreement <projectId> [--json] [--labels …] [--annotators …] [--layers …] [--documents …] [--min-iou x]`:
 * the project's agreement straight from the database (the same service as the API): a table of the
 * overall figures, per label and per pair of layers, the most disputed documents; or the report as JSON.
 */
import { parseArgs } from "node:util";
import { AgreementQuery, type AgreementReport, type Figure } from "@gloss/shared";
import { ZodError } from "zod";
import { openDb } from "../db/client";
import { loadConfig } from "../env";
import { HttpError } from "../errors";
import { projectAgreement } from "../services/agreement";
import type { Command } from "./commands";

const USAGE =
  "agreement <projectId> [--json] [--labels a,b] [--annotators 3,5] [--layers user-3,gold] [--documents 1,2] [--min-iou 0.5]";

/** A figure as text: 3 decimals, or "n/a" (the reason is listed under the table). */
const fmt = (f: Figure | null | undefined, notes?: Set<string>) => {
  if (!f) return "";
  if (f.value === null) {
    if (f.reason) notes?.add(f.reason);
    return "n/a";
  }
  return f.value.toFixed(3);
};

/** Left-aligned first column, right-aligned numbers. */
function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** The human-readable report. */
export function formatAgreement(r: AgreementReport): string {
  const notes = new Set<string>();
  const o = r.overall;
  const out: string[] = [];
  out.push(
    `Agreement of project ${r.projectId}: ${r.annotators.length} layers (${r.annotators.map((a) => a.username ?? a.layer).join(", ")}), ` +
      `${o.documents.compared} documents compared (${o.documents.singleCoder} with a single layer), ${o.tokens} tokens, ${o.spans} spans` +
      `; overlap = ${r.options.minIou > 0 ? `IoU ≥ ${r.options.minIou}` : "any overlap"}`,
    "",
    table(
      ["overall", "value", "stands on"],
      [
        [
          "span F1, exact (micro)",
          fmt(o.f1Exact, notes),
          `tp ${o.f1Exact.tp}, fp ${o.f1Exact.fp}, fn ${o.f1Exact.fn}`,
        ],
        [
          "span F1, overlap (micro)",
          fmt(o.f1Overlap, notes),
          `tp ${o.f1Overlap.tp}, fp ${o.f1Overlap.fp}, fn ${o.f1Overlap.fn}`,
        ],
        ["span F1, exact (macro)", fmt(o.macroF1Exact, notes), plural(o.macroF1Exact.labels, "label")],
        ["span F1, overlap (macro)", fmt(o.macroF1Overlap, notes), plural(o.macroF1Overlap.labels, "label")],
        ["Cohen's kappa (mean of pairs)", fmt(o.cohenKappa, notes), plural(o.cohenKappa.pairs, "pair")],
        [
          "Fleiss' kappa",
          fmt(o.fleissKappa, notes),
          `${o.fleissKappa.items} tokens, ${o.fleissKappa.ratings} ratings`,
        ],
        [
          "Krippendorff's alpha (nominal)",
          fmt(o.krippendorffAlpha, notes),
          `${o.krippendorffAlpha.pairable} pairable values`,
        ],
        [
          "Krippendorff's alpha_U",
          fmt(o.unitizingAlpha, notes),
          `continuum ${o.unitizingAlpha.continuum} characters`,
        ],
      ],
    ),
    "",
    table(
      ["label", "spans", "F1 exact", "F1 overlap", "tp/fp/fn (overlap)", "alpha_U"],
      r.perLabel.map((l) => [
        l.name,
        String(l.spans),
        fmt(l.f1Exact, notes),
        fmt(l.f1Overlap, notes),
        `${l.f1Overlap.tp}/${l.f1Overlap.fp}/${l.f1Overlap.fn}`,
        fmt(l.unitizingAlpha, notes),
      ]),
    ),
    "",
    table(
      ["pair (a vs b)", "docs", "F1 exact", "F1 overlap", "Cohen", "alpha", "label mismatches"],
      r.perPair.map((p) => [
        `${name(r, p.a)} vs ${name(r, p.b)}`,
        String(p.documents),
        fmt(p.f1Exact, notes),
        fmt(p.f1Overlap, notes),
        fmt(p.cohenKappa, notes),
        fmt(p.krippendorffAlpha, notes),
        String(p.labelMismatches),
      ]),
    ),
  );
  const disputed = r.perDocument.slice(0, 10);
  if (disputed.length) {
    out.push(
      "",
      table(
        ["most disputed documents", "id", "disagreement", "spans", "F1 exact"],
        disputed.map((d) => [
          d.name,
          String(d.documentId),
          d.disagreement.toFixed(3),
          String(d.spans),
          fmt(d.f1Exact, notes),
        ]),
      ),
    );
  }
  if (r.confusion.top.length)
    out.push(
      "",
      `Most confused labels: ${r.confusion.top
        .slice(0, 5)
        .map((t) => `${t.a} / ${t.b} (${t.count})`)
        .join(", ")}`,
    );
  if (notes.size) out.push("", "n/a:", ...[...notes].map((n) => `  - ${n}`));
  out.push("", `computed in ${r.elapsedMs} ms`);
  return `${out.join("\n")}\n`;
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
const name = (r: AgreementReport, layer: string) =>
  r.annotators.find((a) => a.layer === layer)?.username ?? layer;

export const agreementCommands: Command[] = [
  {
    name: "agreement",
    usage: USAGE,
    summary: "Inter-annotator agreement of a project (table, or --json)",
    async run(args) {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
          json: { type: "boolean", default: false },
          labels: { type: "string" },
          annotators: { type: "string" },
          layers: { type: "string" },
          documents: { type: "string" },
          "min-iou": { type: "string" },
        },
      });
      const projectId = Number(positionals[0]);
      if (positionals.length !== 1 || !Number.isSafeInteger(projectId) || projectId < 1) {
        process.stderr.write(`Usage: pnpm gloss ${USAGE}\n`);
        return 2;
      }
      const db = openDb(loadConfig().dbFile, loadConfig().durability);
      try {
        const exists = db.$client.prepare("SELECT 1 FROM projects WHERE id = ?").get(projectId);
        if (!exists) {
          process.stderr.write(`No project ${projectId}\n`);
          return 1;
        }
        const { "min-iou": minIou, json, ...lists } = values;
        const query = AgreementQuery.parse({ ...lists, minIou });
        const report = projectAgreement(db, projectId, query);
        process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatAgreement(report));
        return 0;
      } catch (err) {
        if (err instanceof HttpError || err instanceof ZodError) {
          const msg =
            err instanceof ZodError
              ? err.issues
                  .map((i) => `--${i.path[0] === "minIou" ? "min-iou" : String(i.path[0])}: ${i.message}`)
                  .join("\n")
              : err.message;
          process.stderr.write(`${msg}\n`);
          return 2;
        }
        throw err;
      } finally {
        db.$client.close();
      }
    },
  },
];
