/**
 * The editor's schema: a document of paragraphs (one per line of the text) holding plain text, no marks.
 * Nothing else can exist, so nothing the text does not contain can be rendered.
 */
import { Node } from "@tiptap/core";

/** The top node: one or more lines. */
export const TextDocument = Node.create({
  name: "doc",
  topNode: true,
  content: "paragraph+",
});

/** Characters per rendered row assumed before a line is first laid out (editor.css: content-visibility). */
const CHARS_PER_ROW = 75;

/**
 * One line of the text; `dir="auto"` lets a right-to-left line lay out right to left. `--gl-rows` estimates
 * its height for the browser to reserve while the line is off screen and not yet laid out.
 */
export const TextLine = Node.create({
  name: "paragraph",
  group: "block",
  content: "text*",
  marks: "",
  parseHTML: () => [{ tag: "p" }],
  renderHTML: ({ node }) => [
    "p",
    {
      class: "gl-line",
      dir: "auto",
      style: `--gl-rows:${Math.max(1, Math.ceil(node.content.size / CHARS_PER_ROW))}`,
    },
    0,
  ],
});

/** Plain text. */
export const PlainText = Node.create({
  name: "text",
  group: "inline",
});

export const textSchemaExtensions = [TextDocument, TextLine, PlainText];
