/**
 * `gloss agreement <projectId> [--json] [--labels …] [--annotators …] [--layers …] [--documents …] [--min-iou x]`:
 * the project's agreement straight from the database (the same service as the API): a table of the
 * overall figures, per label and per pair of layers, the most disputed documents; or the report as JSON.
 */
import { AgreementQuery, type AgreementReport, type Figure } from "@gloss/shared";
import { Command } from "commander";
import { eq } from "drizzle-orm";
import { call, get } from "../db/store";
import { agreementReport } from "../services/agreement";
import { CliError, parseOptions, positiveId, withStore } from "./common";

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

interface AgreementOptions {
  json?: boolean;
  labels?: string;
  annotators?: string;
  layers?: string;
  documents?: string;
  minIou?: string;
}

function agreement(projectId: number, opts: AgreementOptions): Promise<void> {
  const { json, ...query } = opts;
  const q = parseOptions(AgreementQuery, query);
  return withStore(async (store) => {
    const exists = await call(store, function* (s) {
      const { projects } = s.t;
      return yield* get(s.q.select({ id: projects.id }).from(projects).where(eq(projects.id, projectId)));
    });
    if (!exists) throw new CliError(`No project ${projectId}`);
    const report = await call(store, agreementReport, projectId, q);
    process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatAgreement(report));
  });
}

/** The `agreement` command. */
export const agreementCommand = () =>
  new Command("agreement")
    .description("inter-annotator agreement of a project, straight from the database (a table, or --json)")
    .argument("<projectId>", "the project", positiveId)
    .option("--json", "print the report as JSON (the same as GET /api/projects/:id/agreement)")
    .option("--labels <a,b>", "only these labels")
    .option("--annotators <3,5>", "only these annotators (user ids)")
    .option("--layers <user-3,gold>", "only these layers (instead of --annotators)")
    .option("--documents <1,2>", "only these documents")
    .option("--min-iou <x>", "least intersection over union for two spans to overlap (default: any overlap)")
    .action(agreement);
