import { z } from "zod";
import type { LabelInput } from "./api";
import { appearsTwice } from "./validation";

/**
 * The default label set for news discourse: what is asserted, denied, who says it, and what is only guessed.
 * Colours come from a colour-blind-safe palette (Okabe–Ito); labels also show their initial, so colour is never the only signal.
 */
export const DEFAULT_LABELS: Required<Pick<LabelInput, "name" | "color" | "hotkey" | "description">>[] = [
  {
    name: "claim",
    color: "#0072b2",
    hotkey: "1",
    description: "An assertion presented as fact that could be checked.",
  },
  {
    name: "denial",
    color: "#d55e00",
    hotkey: "2",
    description: "A statement that rejects or contradicts a claim.",
  },
  {
    name: "attribution",
    color: "#009e73",
    hotkey: "3",
    description: "Who says it: the source a claim or denial is attributed to.",
  },
  {
    name: "speculation",
    color: "#cc79a7",
    hotkey: "4",
    description: "A possibility, prediction or guess, hedged rather than asserted.",
  },
];

/** Colours handed to labels created without one, in turn. */
export const LABEL_PALETTE = [
  "#0072b2",
  "#d55e00",
  "#009e73",
  "#cc79a7",
  "#e69f00",
  "#56b4e9",
  "#f0e442",
  "#000000",
];

/** Relation types a new project gets: an attribution span → the claim or denial it attributes. */
export const DEFAULT_RELATION_TYPES = ["attributes"];

/** Labels one project may hold (its label list is never paginated: the editor's toolbar shows them all). */
export const MAX_LABELS_PER_PROJECT = 200;

/**
 * A project's relation types: the one schema for them, in request bodies and in the stored
 * `projects.relation_types` JSON column. Names are trimmed, 1–64 characters, at most 50, none repeated
 * (a repeat is reported at its index: "'a' appears twice among the relation types").
 */
export const RelationTypes = z
  .array(z.string().trim().min(1).max(64))
  .max(50)
  .superRefine((types, ctx) => {
    types.forEach((t, i) => {
      const first = types.indexOf(t);
      if (first < i) ctx.addIssue({ code: "custom", path: [i], message: appearsTwice(t, "relation types") });
    });
  });
export type RelationTypes = z.infer<typeof RelationTypes>;
