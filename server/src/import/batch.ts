import { documentFromRecord, type ParsedDocument } from "./document";
import { fail } from "./errors";
import { createParser, type FormatParser, formatOf, type ImportFormat, stemOf } from "./formats";
import { Spool } from "./spool";

/**
 * One import: any number of files (or JSON records) validated into a spool. Nothing reaches the
 * database until services/documents `commitImport` stores the whole batch in one transaction, so a bad
 * line anywhere means nothing is stored. Always `dispose()` it (it owns a temporary file).
 */
export class ImportBatch {
  private readonly spool = new Spool();
  /** The files read, in order (for the audit log). */
  readonly files: string[] = [];

  constructor(readonly maxDocumentBytes: number) {}

  /** Documents validated so far. */
  get count(): number {
    return this.spool.count;
  }

  /**
   * A push parser for one file whose documents go into this batch. The format comes from the file name
   * unless given; an unknown extension is a 400 naming the file.
   */
  openFile(file: string, given: ImportFormat | null = null): FormatParser {
    const format = given ?? formatOf(file);
    if (!format) {
      fail({ file, line: null }, "unsupported file type: use .txt, .jsonl, .ndjson or .csv");
    }
    this.files.push(file);
    return createParser(format, {
      file,
      stem: stemOf(file),
      maxDocumentBytes: this.maxDocumentBytes,
      sink: (doc) => this.spool.write(doc),
    });
  }

  /** Streams one file through its parser; `onBytes` reports progress. */
  async addStream(
    file: string,
    format: ImportFormat | null,
    chunks: AsyncIterable<Uint8Array>,
    onBytes?: (n: number) => void,
  ): Promise<void> {
    const parser = this.openFile(file, format);
    for await (const chunk of chunks) {
      parser.push(chunk);
      onBytes?.(chunk.length);
    }
    parser.end();
  }

  /** Adds the items of a JSON body `{ documents: [...] }`; errors name `documents.<i>.<field>`. */
  addRecords(items: readonly unknown[], file = "body"): void {
    this.files.push(file);
    items.forEach((item, i) => {
      const doc = documentFromRecord(
        item,
        { file, line: null },
        this.maxDocumentBytes,
        `document-${i + 1}`,
        `documents.${i}.`,
      );
      this.spool.write(doc);
    });
  }

  /** Reads the validated documents back synchronously (inside the insert transaction). */
  readSync(onDoc: Parameters<Spool["readSync"]>[0]): void {
    this.spool.readSync(onDoc);
  }

  /** The validated documents, one at a time as they are pulled (for an insert that awaits between them). */
  documents(): Iterable<ParsedDocument> {
    return this.spool.documents();
  }

  dispose(): void {
    this.spool.dispose();
  }
}
