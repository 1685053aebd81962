/**
 * The export/import options as one contract for the API, the CLI and the client: format names, what each
 * produces (extension, content type, zip or not), and the zod schema of the export query.
 */
import { z } from "zod";

export const EXPORT_FORMATS = [
  "gloss",
  "doccano",
  "doccano-relations",
  "labelstudio",
  "brat",
  "w3c",
  "huggingface",
  "conll",
  "spacy",
  "csv",
] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const IMPORT_FORMATS = ["gloss", "doccano", "labelstudio", "brat", "w3c"] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface FormatInfo {
  title: string;
  extension: string;
  contentType: string;
  /** A zip of several files (brat, Hugging Face). */
  zip: boolean;
  /** Tags tokens (one column): the overlap policy applies and dropped spans are counted. */
  tokens: boolean;
}

const JSONL = "application/x-ndjson; charset=utf-8";

export const FORMAT_INFO: Record<ExportFormat, FormatInfo> = {
  gloss: {
    title: "Gloss JSONL (lossless)",
    extension: "jsonl",
    contentType: JSONL,
    zip: false,
    tokens: false,
  },
  doccano: { title: "doccano JSONL", extension: "jsonl", contentType: JSONL, zip: false, tokens: false },
  "doccano-relations": {
    title: "doccano relation JSONL",
    extension: "jsonl",
    contentType: JSONL,
    zip: false,
    tokens: false,
  },
  labelstudio: {
    title: "Label Studio tasks JSON",
    extension: "json",
    contentType: "application/json; charset=utf-8",
    zip: false,
    tokens: false,
  },
  brat: {
    title: "brat standoff (zip)",
    extension: "zip",
    contentType: "application/zip",
    zip: true,
    tokens: false,
  },
  w3c: {
    title: "W3C Web Annotation JSON-LD",
    extension: "jsonld",
    contentType: 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"',
    zip: false,
    tokens: false,
  },
  huggingface: {
    title: "Hugging Face token classification (zip)",
    extension: "zip",
    contentType: "application/zip",
    zip: true,
    tokens: true,
  },
  conll: {
    title: "CoNLL-2003",
    extension: "conll",
    contentType: "text/plain; charset=utf-8",
    zip: false,
    tokens: true,
  },
  spacy: {
    title: "spaCy / Prodigy spans JSONL",
    extension: "jsonl",
    contentType: JSONL,
    zip: false,
    tokens: false,
  },
  csv: {
    title: "CSV (one row per span)",
    extension: "csv",
    contentType: "text/csv; charset=utf-8; header=present",
    zip: false,
    tokens: false,
  },
};

/** `gold` (default), `shared`, one annotator `user-<id>`, every annotator `all`, or `majority`. */
export const ExportLayer = z
  .string()
  .regex(/^(?:gold|shared|all|majority|user-[1-9][0-9]{0,15})$/, "gold, shared, all, majority or user-<id>");

const splitList = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);
const idList = z
  .string()
  .transform((s) => splitList(s).map(Number))
  .pipe(z.array(z.number().int().positive()).min(1));
const nameList = z
  .string()
  .transform(splitList)
  .pipe(z.array(z.string().min(1)).min(1));
const statusList = z
  .string()
  .transform(splitList)
  .pipe(z.array(z.enum(["todo", "in_progress", "done"])).min(1));

const ratios = z
  .string()
  .transform((s) => s.split(",").map(Number))
  .pipe(z.array(z.number().min(0).max(1)).length(3, "three ratios: train,validation,test"))
  .refine((r) => r.reduce((a, b) => a + b, 0) > 0, "the ratios must not all be 0");

/** The export query (`GET /api/projects/:id/export?…`), also used by `gloss export`. */
export const ExportQuery = z
  .object({
    format: z.enum(EXPORT_FORMATS),
    layer: ExportLayer.default("gold"),
    /** Document ids, comma separated. */
    documents: idList.optional(),
    /** Label names, comma separated. */
    labels: nameList.optional(),
    /** Curation status (gold, majority) or assignment status (annotator layers), comma separated. */
    status: statusList.optional(),
    offsets: z.enum(["codepoint", "utf16"]).default("codepoint"),
    /** Hugging Face: train,validation,test ratios. */
    split: ratios.default([0.8, 0.1, 0.1]),
    seed: z.coerce
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(42),
    /** Token formats: what to do with overlapping spans. */
    overlap: z.enum(["keep-longest", "keep-first", "per-label"]).default("keep-longest"),
    /**
     * Gold: also export documents whose curation is not done (by default a gold export without a status
     * filter holds curated documents only, and reports how many it left out).
     */
    includeUncurated: z
      .enum(["true", "false", "1", "0"])
      .transform((v) => v === "true" || v === "1")
      .default(false),
    /** Hugging Face: one example per sentence or per document. */
    granularity: z.enum(["sentence", "document"]).default("sentence"),
    /**
     * CSV: the cells exactly as stored. By default a cell that a spreadsheet would run as a formula (it
     * starts with =, +, -, @, tab or CR) is prefixed with a single quote (OWASP, CSV injection).
     */
    raw: z
      .enum(["true", "false", "1", "0"])
      .transform((v) => v === "true" || v === "1")
      .default(false),
  })
  .superRefine((q, ctx) => {
    if (q.overlap === "per-label" && q.format !== "huggingface") {
      ctx.addIssue({ code: "custom", path: ["overlap"], message: "per-label needs format=huggingface" });
    }
  });
export type ExportQuery = z.infer<typeof ExportQuery>;

/** The import query (`POST /api/projects/:id/annotations/import?…`), also used by `gloss import-annotations`. */
export const ImportQuery = z.object({
  format: z.enum(IMPORT_FORMATS),
  layer: z.string().regex(/^(?:gold|shared|user-[1-9][0-9]{0,15})$/, "gold, shared or user-<id>"),
  createLabels: z
    .enum(["true", "false", "1", "0"])
    .transform((v) => v === "true" || v === "1")
    .default(false),
  /** Declares the file's offset unit; by default it is detected per document from the covered text. */
  offsets: z.enum(["codepoint", "utf16"]).optional(),
});
export type ImportQuery = z.infer<typeof ImportQuery>;
