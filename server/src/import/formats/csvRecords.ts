import { fail } from "../errors";

type Mode = "start" | "unquoted" | "quoted" | "closed";

/**
 * An incremental RFC 4180 record reader over decoded lines. Quoted fields may span lines and keep their
 * line breaks exactly (a "\r\n" inside quotes stays "\r\n"); outside quotes "\n" or "\r\n" ends a record.
 * Records are reported with the line they start on; blank lines between records are skipped.
 * (Written here rather than with csv-parse because csv-parse's synchronous incremental API is internal,
 * and the import needs start lines and a push interface.)
 */
export class CsvRecordReader {
  private fields: string[] = [];
  private field = "";
  private mode: Mode = "start";
  /** Line the current record started on; 0 between records. */
  private startLine = 0;
  private quoteLine = 0;
  private chars = 0;

  constructor(
    private readonly file: string,
    private readonly maxRecordChars: number,
    private readonly onRecord: (fields: string[], line: number) => void,
  ) {}

  /** One decoded physical line without its "\n"; `terminated` is false for a last line without one. */
  line(text: string, line: number, terminated: boolean): void {
    if (this.startLine === 0) {
      if (text === "" || text === "\r") return;
      this.startLine = line;
    }
    const cr = text.endsWith("\r");
    const body = cr ? text.slice(0, -1) : text;
    this.chars += text.length + 1;
    if (this.chars > this.maxRecordChars) {
      fail(
        { file: this.file, line: this.startLine },
        `the record is longer than ${this.maxRecordChars} characters`,
      );
    }
    this.scan(body, line);
    if (this.mode === "quoted") {
      // the line break belongs to the quoted field, exactly as written
      this.field += (cr ? "\r" : "") + (terminated ? "\n" : "");
      return;
    }
    this.endRecord();
  }

  /** Call at end of input: an open quote is an error. */
  finish(): void {
    if (this.startLine === 0) return;
    if (this.mode === "quoted") {
      fail({ file: this.file, line: this.quoteLine }, "this quoted field is never closed");
    }
    this.endRecord();
  }

  private scan(body: string, line: number) {
    const place = { file: this.file, line };
    let i = 0;
    while (i < body.length) {
      switch (this.mode) {
        case "start":
          if (body[i] === '"') {
            this.mode = "quoted";
            this.quoteLine = line;
            i++;
          } else this.mode = "unquoted";
          break;
        case "unquoted": {
          const comma = body.indexOf(",", i);
          const quote = body.indexOf('"', i);
          if (quote >= 0 && (comma < 0 || quote < comma)) {
            fail(
              place,
              'a quote (") inside an unquoted field: quote the whole field and double inner quotes',
            );
          }
          if (comma < 0) {
            this.field += body.slice(i);
            i = body.length;
          } else {
            this.field += body.slice(i, comma);
            this.pushField();
            i = comma + 1;
          }
          break;
        }
        case "quoted": {
          const q = body.indexOf('"', i);
          if (q < 0) {
            this.field += body.slice(i);
            i = body.length;
          } else {
            this.field += body.slice(i, q);
            this.mode = "closed";
            i = q + 1;
          }
          break;
        }
        case "closed": {
          const c = body[i];
          if (c === '"') {
            this.field += '"';
            this.mode = "quoted";
            i++;
          } else if (c === ",") {
            this.pushField();
            i++;
          } else fail(place, `unexpected ${JSON.stringify(c)} after a closing quote`);
          break;
        }
      }
    }
  }

  private pushField() {
    this.fields.push(this.field);
    this.field = "";
    this.mode = "start";
  }

  private endRecord() {
    this.pushField();
    const fields = this.fields;
    const line = this.startLine;
    this.fields = [];
    this.startLine = 0;
    this.chars = 0;
    this.onRecord(fields, line);
  }
}
