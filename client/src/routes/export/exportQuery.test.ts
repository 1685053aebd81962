import { describe, expect, it } from "vitest";
import { DEFAULT_EXPORT, exportProblem, exportUrl } from "./exportQuery";

describe("export URL", () => {
  it("sends the format and layer, and leaves defaults out", () => {
    expect(exportUrl(7, DEFAULT_EXPORT)).toBe("/api/projects/7/export?format=gloss&layer=gold");
  });

  it("sends filters as comma lists and utf16 only when asked", () => {
    const url = exportUrl(7, {
      ...DEFAULT_EXPORT,
      layer: "user-3",
      offsets: "utf16",
      documents: [4, 5],
      labels: ["claim", "denial"],
      status: ["done"],
    });
    expect(new URL(url, "http://x").searchParams.toString()).toBe(
      "format=gloss&layer=user-3&offsets=utf16&documents=4%2C5&labels=claim%2Cdenial&status=done",
    );
  });

  it("sends Hugging Face options only for Hugging Face, and per-label never elsewhere", () => {
    const hf = new URL(
      exportUrl(1, {
        ...DEFAULT_EXPORT,
        format: "huggingface",
        overlap: "per-label",
        split: [0.7, 0.2, 0.1],
        seed: 9,
      }),
      "http://x",
    ).searchParams;
    expect([...hf.keys()]).toEqual(["format", "layer", "overlap", "split", "seed"]);
    expect(hf.get("split")).toBe("0.7,0.2,0.1");
    const conll = new URL(
      exportUrl(1, { ...DEFAULT_EXPORT, format: "conll", overlap: "per-label" }),
      "http://x",
    ).searchParams;
    expect(conll.has("overlap")).toBe(false);
    expect(conll.has("split")).toBe(false);
    expect(
      new URL(
        exportUrl(1, { ...DEFAULT_EXPORT, format: "conll", overlap: "keep-first" }),
        "http://x",
      ).searchParams.get("overlap"),
    ).toBe("keep-first");
  });

  it("names what the server would refuse", () => {
    expect(exportProblem({ ...DEFAULT_EXPORT, format: "huggingface", split: [0, 0, 0] })).toMatch(
      /not all be 0/,
    );
    expect(exportProblem({ ...DEFAULT_EXPORT, format: "huggingface", seed: -1 })).toMatch(/seed/);
    expect(exportProblem({ ...DEFAULT_EXPORT, split: [0, 0, 0] })).toBeNull();
  });
});
