import type { CandidateDto, DisagreementDto, DocumentCurationDto } from "@gloss/shared";
import { describe, expect, it } from "vitest";
import { acceptBody, kindsText, listDisagreements, stepDisagreement } from "./disagreements";

const cand = (key: string, start: number, end: number, label: number, layer: string): CandidateDto =>
  ({
    key,
    start,
    end,
    label,
    labelName: `l${label}`,
    text: "",
    annotators: [{ userId: Number(layer.slice(5)), layer, spanId: `${layer}-${key}` }],
    support: 1,
    unanimous: false,
    agreed: false,
    goldSpanIds: [],
    rejected: false,
  }) as CandidateDto;

const dis = (
  key: string,
  resolution: DisagreementDto["resolution"],
  candidates: string[],
  goldSpanIds: string[] = [],
) =>
  ({
    key,
    start: 0,
    end: 1,
    text: "",
    kinds: ["label"],
    candidates,
    missingIn: [],
    resolution,
    goldSpanIds,
  }) as DisagreementDto;

const view = {
  sites: [
    {
      start: 0,
      end: 5,
      text: "",
      candidates: [cand("s:0:5:1", 0, 5, 1, "user-1"), cand("s:0:5:2", 0, 5, 2, "user-2")],
      disagreements: [dis("d:a", "open", ["s:0:5:1", "s:0:5:2"], ["g1"])],
    },
    { start: 8, end: 9, text: "", candidates: [], disagreements: [dis("d:b", "gold", [])] },
    { start: 12, end: 14, text: "", candidates: [], disagreements: [dis("d:c", "open", [])] },
  ],
} as unknown as DocumentCurationDto;

describe("disagreement navigation", () => {
  const items = listDisagreements(view);

  it("lists disagreements in reading order with their candidates", () => {
    expect(items.map((i) => [i.index, i.disagreement.key, i.candidates.length])).toEqual([
      [0, "d:a", 2],
      [1, "d:b", 0],
      [2, "d:c", 0],
    ]);
  });

  it("steps forward and back, wrapping, optionally over open ones only", () => {
    expect(stepDisagreement(items, null, 1, false)).toBe("d:a");
    expect(stepDisagreement(items, null, -1, false)).toBe("d:c");
    expect(stepDisagreement(items, "d:a", 1, false)).toBe("d:b");
    expect(stepDisagreement(items, "d:a", 1, true)).toBe("d:c");
    expect(stepDisagreement(items, "d:c", 1, true)).toBe("d:a");
    expect(stepDisagreement(items, "d:a", -1, true)).toBe("d:c");
    expect(stepDisagreement([], null, 1, false)).toBeNull();
    expect(stepDisagreement(items.slice(1, 2), "d:b", 1, true)).toBeNull();
  });

  it("accepts a candidate from its first annotator, replacing the gold answer that differs", () => {
    const item = items[0]!;
    const gold = [{ id: "g1", start: 0, end: 5, label: 1 }];
    expect(acceptBody(item, item.candidates[1]!, gold)).toEqual({
      action: "accept",
      layer: "user-2",
      spanId: "user-2-s:0:5:2",
      replaces: "g1",
    });
    // gold already holds this version: nothing to replace
    expect(acceptBody(item, item.candidates[0]!, gold)).toEqual({
      action: "accept",
      layer: "user-1",
      spanId: "user-1-s:0:5:1",
    });
    expect(kindsText(["boundary", "label"])).toBe("boundary + label");
  });
});
