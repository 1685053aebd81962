import { describe, expect, it } from "vitest";
import { DEFAULT_EXPORT, exportProblem, exportUrl, uncuratedLeftOut } from "./exportQuery";

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

describe("documents a gold export leaves out", () => {
  const chosen = [
    { id: 4, curation: "done" },
    { id: 5, curation: "in_progress" },
    { id: 6, curation: "todo" },
  ];
  // a project of 100,000 documents, 99,000 curated: far more than any list the page holds
  const counts = { documents: 100_000, done: 99_000 };

  it("counts the whole project's from its curation counts when no document is chosen", () => {
    expect(uncuratedLeftOut(DEFAULT_EXPORT, [], counts)).toBe(1000);
    expect(uncuratedLeftOut(DEFAULT_EXPORT, [], { documents: 3, done: 3 })).toBe(0);
  });

  it("claims nothing while the project's counts are unknown", () => {
    expect(uncuratedLeftOut(DEFAULT_EXPORT, [], null)).toBe(0);
  });

  it("counts among the chosen documents only, whatever the project's counts", () => {
    expect(uncuratedLeftOut({ ...DEFAULT_EXPORT, documents: [4, 5, 6] }, chosen, counts)).toBe(2);
    expect(uncuratedLeftOut({ ...DEFAULT_EXPORT, documents: [4] }, chosen, counts)).toBe(0);
  });

  it("leaves nothing out outside a default gold export", () => {
    const some = { ...DEFAULT_EXPORT, documents: [5, 6] };
    expect(uncuratedLeftOut({ ...some, layer: "majority" }, chosen, counts)).toBe(0);
    expect(uncuratedLeftOut({ ...some, status: ["done"] }, chosen, counts)).toBe(0);
    expect(uncuratedLeftOut({ ...DEFAULT_EXPORT, includeUncurated: true }, [], counts)).toBe(0);
  });
});
