/**
 * The REST contract of the bulk routes: document import (POST /projects/:id/documents), annotation
 * import (POST /projects/:id/annotations/import) and export (GET /projects/:id/export). Their bodies
 * are streamed, so the request bodies are described as JSON Schema (nothing buffers them to validate);
 * the queries are the zod schemas the server validates with.
 */
import { z } from "zod";
import { ImportDocumentsBody } from "./api";
import { EXPORT_FORMATS, FORMAT_INFO } from "./formats/options";

/** A zod schema as plain JSON Schema (for a body the server reads as a stream, not through a validator). */
const jsonSchemaOf = (schema: z.ZodType) => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: "input" });
  return rest;
};

/** POST /projects/:id/annotations/import: what was added (and what was already there). */
export const AnnotationImportResultDto = z
  .object({
    documents: z.number().int(),
    spans: z.number().int(),
    relations: z.number().int(),
    /** Spans and relations already in the layer (same offsets and label / ends and type), not added twice. */
    skipped: z.number().int(),
    createdLabels: z.array(z.string()),
    /** Lines of the file Gloss cannot carry, by kind: brat `{events, attributes, normalizations, …}`; absent when none. */
    notImported: z.record(z.string(), z.number().int()).optional(),
  })
  .meta({ id: "AnnotationImportResult" });
export type AnnotationImportResultDto = z.infer<typeof AnnotationImportResultDto>;

const file = { type: "string", format: "binary" } as const;
const text = (description: string) => ({ schema: { type: "string", description } as const });

/** The request bodies POST /projects/:id/documents reads (one of them, by Content-Type). */
export const DOCUMENT_IMPORT_BODIES = {
  "application/json": { schema: jsonSchemaOf(ImportDocumentsBody) },
  "multipart/form-data": {
    schema: {
      type: "object",
      properties: {
        files: { type: "array", items: file, description: ".txt, .jsonl/.ndjson, .csv or .zip files" },
      },
    },
  },
  "application/x-ndjson": text("One JSON object per line: { text, name?, meta? }"),
  "text/csv": text("A header row with a `text` column (and optional name and meta columns)"),
  "text/plain": text("One document: the whole body (`?name=` names it)"),
} as const;

/** The request bodies POST /projects/:id/annotations/import reads: the file, raw or in a form. */
export const ANNOTATION_IMPORT_BODIES = {
  "application/octet-stream": { schema: file },
  "multipart/form-data": {
    schema: { type: "object", required: ["file"], properties: { file } },
  },
} as const;

/** The export's response, by content type (one per format; see FORMAT_INFO). */
export const EXPORT_CONTENT = Object.fromEntries(
  [...new Set(EXPORT_FORMATS.map((f) => FORMAT_INFO[f].contentType.split(";")[0]!))].map((type) => [
    type,
    {
      schema: {
        ...file,
        description: `Formats: ${EXPORT_FORMATS.filter((f) => FORMAT_INFO[f].contentType.startsWith(type)).join(", ")}`,
      },
    },
  ]),
);
