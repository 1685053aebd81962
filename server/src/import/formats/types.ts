import type { DocumentSink } from "../document";

/** A push parser for one file: chunks in, validated documents out through the sink; throws ImportError. */
export interface FormatParser {
  push(chunk: Uint8Array): void;
  end(): void;
}

/** What a parser needs to know about the file it reads. */
export interface ParserContext {
  /** Shown in errors and `source`: the path or upload name. */
  file: string;
  /** The file name without directory and extension: the document name for .txt, a name prefix otherwise. */
  stem: string;
  maxDocumentBytes: number;
  sink: DocumentSink;
}
