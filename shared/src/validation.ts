/**
 * Zod issues as sentences a person can act on (issue 13 item 10): "Label 3's name is longer than 64
 * characters" instead of `labels.2.name: Too big: expected string to have <=64 characters`. One place: the
 * server's 400 `invalid_input` answers are built with it, and the client shows their message as is.
 *
 * A field is named from its path: a top-level key is "The <noun>", an index into a list is "<Item> n"
 * (counted from 1), a key inside one is possessive ("Label 3's colour"). Custom messages of a schema
 * (`regex(…, "a colour like #1f77b4")`) are what the value must be; a `custom` issue's message (a
 * superRefine's) is a whole sentence and is used as it is.
 */

/** The part of a zod issue this module reads (zod 4's issue shapes). */
export interface IssueLike {
  code: string;
  path: ReadonlyArray<PropertyKey>;
  message: string;
  origin?: string;
  maximum?: number | bigint;
  minimum?: number | bigint;
  inclusive?: boolean;
  expected?: string;
  values?: ReadonlyArray<unknown>;
  keys?: ReadonlyArray<string>;
}

/** One issue for the wire: the machine path (for a client to find the field) and the sentence. */
export interface HumanIssue {
  path: string;
  message: string;
}

/** How a key reads in a sentence; [noun, the noun of one item when the key holds a list]. */
const NOUNS: Record<string, [string, string?]> = {
  name: ["name"],
  displayName: ["display name"],
  description: ["description"],
  color: ["colour"],
  hotkey: ["hotkey"],
  username: ["username"],
  password: ["password"],
  mode: ["mode"],
  snapping: ["snapping"],
  annotatorsPerDocument: ["number of annotators per document"],
  relationTypes: ["relation types", "relation type"],
  labels: ["labels", "label"],
  order: ["order", "position"],
  role: ["role"],
  status: ["status"],
  isAdmin: ["administrator choice"],
  disabled: ["disabled choice"],
  documents: ["documents", "document"],
  documentIds: ["documents", "document"],
  userIds: ["users", "user"],
  text: ["text"],
};

/** `annotatorsPerDocument` → "annotators per document" for keys without a noun of their own. */
const words = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
const nounOf = (key: string) => NOUNS[key]?.[0] ?? words(key);
const itemOf = (key: string) => NOUNS[key]?.[1] ?? nounOf(key);
const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The human name of the field at `path`: `["labels", 2, "name"]` → "Label 3's name", `["password"]` →
 * "The password", `["relationTypes", 1]` → "Relation type 2", `[]` → `whole` ("The request").
 */
export function fieldName(path: ReadonlyArray<PropertyKey>, whole = "The request"): string {
  let name = "";
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    const next = path[i + 1];
    if (typeof key === "number") {
      // an index with no list key before it (a body that is a list)
      name = name ? `${name}, item ${key + 1}` : `Item ${key + 1}`;
      continue;
    }
    const k = String(key);
    if (typeof next === "number") {
      const item = `${itemOf(k)} ${next + 1}`;
      name = name ? `${name}'s ${item}` : capitalise(item);
      i++;
    } else {
      name = name ? `${name}'s ${nounOf(k)}` : `The ${nounOf(k)}`;
    }
  }
  return name || whole;
}

const plural = (n: number | bigint, one: string, many = `${one}s`) =>
  `${n} ${n === 1 || n === 1n ? one : many}`;

const TYPE_NAMES: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "an object",
};

/** What is wrong, as the rest of a sentence that starts with the field's name. */
function predicate(issue: IssueLike): string {
  const { origin } = issue;
  switch (issue.code) {
    case "too_big": {
      const max = issue.maximum ?? 0;
      if (origin === "string") return `is longer than ${plural(max, "character")}`;
      if (origin === "array" || origin === "set") return `may hold at most ${plural(max, "item")}`;
      return issue.inclusive === false ? `must be less than ${max}` : `must be at most ${max}`;
    }
    case "too_small": {
      const min = issue.minimum ?? 0;
      if (origin === "string") return min === 1 ? "is empty" : `is shorter than ${plural(min, "character")}`;
      if (origin === "array" || origin === "set") return `needs at least ${plural(min, "item")}`;
      return issue.inclusive === false ? `must be more than ${min}` : `must be at least ${min}`;
    }
    case "invalid_type":
      // zod's own message ends "received undefined" when the field is not there at all
      if (/received undefined$/.test(issue.message)) return "is missing";
      return `must be ${TYPE_NAMES[issue.expected ?? ""] ?? issue.expected ?? "something else"}`;
    case "invalid_value": {
      const values = (issue.values ?? []).map((v) => `'${String(v)}'`);
      return values.length === 1 ? `must be ${values[0]}` : `must be one of ${values.join(", ")}`;
    }
    case "invalid_format":
    case "invalid_string":
      // a schema's own message says what the value must be; zod's default starts "Invalid"
      if (!/^Invalid/.test(issue.message)) return `must be ${issue.message.replace(/^expected /, "")}`;
      return "is not in the expected form";
    case "unrecognized_keys":
      return `has ${(issue.keys ?? []).length === 1 ? "an unknown field" : "unknown fields"}: ${(issue.keys ?? []).map((k) => `'${k}'`).join(", ")}`;
    case "invalid_union":
      return "is not in a form this request accepts";
    default:
      return "is not valid";
  }
}

/** One issue as a sentence naming its field (`whole`: the name of the thing when the path is empty). */
export function humanMessage(issue: IssueLike, whole = "The request"): string {
  // a refinement's message is written as a whole sentence ("'claim' appears twice among the labels")
  if (issue.code === "custom") return issue.message;
  return `${fieldName(issue.path, whole)} ${predicate(issue)}`;
}

/** Every issue of a failed parse, as `{ path, message }` with the sentence. */
export function humanIssues(issues: ReadonlyArray<IssueLike>, whole = "The request"): HumanIssue[] {
  return issues.map((i) => ({ path: i.path.map(String).join("."), message: humanMessage(i, whole) }));
}

/** The sentence for a value given twice in a list: "'claim' appears twice among the labels". */
export const appearsTwice = (value: string, among: string) => `'${value}' appears twice among the ${among}`;
