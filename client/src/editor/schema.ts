/**
 * The editor's schema: a document of paragraphs (one per line of the text) holding plain text, no marks; a
 * long text's paragraphs are grouped into chunks (textLayout.ts). Nothing else can exist, so nothing the text
 * does not contain can be rendered.
 */
import { Node } from "@tiptap/core";

/** The top node: one or more lines, or one or more chunks of lines (the layout builds one or the other). */
export const TextDocument = Node.create({
  name: "doc",
  topNode: true,
  content: "(paragraph | chunk)+",
});

/** Characters per rendered row assumed before a chunk is first laid out (editor.css: content-visibility). */
const CHARS_PER_ROW = 80;

/**
 * A run of lines that the browser lays out and paints only near the screen. `--gl-rows` estimates its height
 * for the browser to reserve until it has been laid out once (then the browser remembers the real one).
 */
export const TextChunk = Node.create({
  name: "chunk",
  content: "paragraph+",
  parseHTML: () => [{ tag: "div.gl-chunk" }],
  renderHTML: ({ node }) => {
    let rows = 0;
    node.forEach((line) => {
      rows += Math.max(1, Math.ceil(line.content.size / CHARS_PER_ROW));
    });
    return ["div", { class: "gl-chunk", style: `--gl-rows:${rows}` }, 0];
  },
});

/** One line of the text; `dir="auto"` lets a right-to-left line lay out right to left. */
export const TextLine = Node.create({
  name: "paragraph",
  group: "block",
  content: "text*",
  marks: "",
  parseHTML: () => [{ tag: "p" }],
  renderHTML: () => ["p", { class: "gl-line", dir: "auto" }, 0],
});

/** Plain text. */
export const PlainText = Node.create({
  name: "text",
  group: "inline",
});

export const textSchemaExtensions = [TextDocument, TextChunk, TextLine, PlainText];
