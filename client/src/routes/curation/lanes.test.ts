import type { DocumentCurationDto } from "@gloss/shared";
import { describe, expect, it } from "vitest";
import { buildLanes, type Lane, type LaneSpan, layoutLanes, segmentText } from "./lanes";

const span = (start: number, end: number, label = 1, key = `s:${start}:${end}:${label}`): LaneSpan => ({
  key,
  spanId: key,
  start,
  end,
  label,
  labelName: `l${label}`,
  text: "",
});

describe("lane layout", () => {
  const text = "Critics denied it. Prices may fall.";
  //            0       8      15 19     26  30

  it("leaves untouched text plain and cuts regions at span edges and between words", () => {
    const lanes: Lane[] = [
      { id: "user-1", name: "A", userId: 1, spans: [span(0, 17, 2)] },
      { id: "user-2", name: "B", userId: 2, spans: [span(0, 14, 1)] },
      { id: "gold", name: "Gold", userId: null, spans: [] },
    ];
    const pieces = layoutLanes(text, lanes);
    expect(pieces.map((p) => p.kind)).toEqual(["region", "text"]);
    const region = pieces[0]!.kind === "region" ? pieces[0]!.region : null;
    expect(region).not.toBeNull();
    expect(region!.segments.map((s) => text.slice(s.start, s.end))).toEqual([
      "Critics ",
      "denied",
      " ",
      "it",
    ]);
    // A covers all three segments; B only the first two; gold nothing
    expect(region!.segments.map((s) => s.cells.map((lane) => lane[0]?.span.label ?? null))).toEqual([
      [2, 1, null],
      [2, 1, null],
      [2, null, null],
      [2, null, null],
    ]);
    expect(region!.segments[0]!.cells[0]![0]).toMatchObject({ first: true, last: false });
    expect(region!.segments[3]!.cells[0]![0]).toMatchObject({ first: false, last: true });
  });

  it("gives nested spans of one lane their own track, and separates touching spans into regions", () => {
    const lanes: Lane[] = [
      { id: "user-1", name: "A", userId: 1, spans: [span(0, 18, 1), span(0, 7, 3), span(19, 35, 4)] },
    ];
    const pieces = layoutLanes(text, lanes);
    expect(pieces.map((p) => p.kind)).toEqual(["region", "text", "region"]);
    const first = pieces[0]!.kind === "region" ? pieces[0]!.region : null;
    expect(first!.tracks).toEqual([2]);
    expect(first!.segments[0]!.cells[0]!.map((c) => c?.span.label ?? null)).toEqual([1, 3]);
    expect(first!.segments[1]!.cells[0]!.map((c) => c?.span.label ?? null)).toEqual([1, null]);
  });

  it("builds one lane per annotator from the candidates, then gold", () => {
    const view = {
      annotators: [
        { userId: 3, username: "ann", layer: "user-3", status: null, spans: 1 },
        { userId: 4, username: "bob", layer: "user-4", status: null, spans: 1 },
      ],
      sites: [
        {
          start: 0,
          end: 7,
          text: "Critics",
          candidates: [
            {
              key: "s:0:7:1",
              start: 0,
              end: 7,
              label: 1,
              labelName: "claim",
              text: "Critics",
              annotators: [
                { userId: 3, layer: "user-3", spanId: "a1" },
                { userId: 4, layer: "user-4", spanId: "b1" },
              ],
              support: 2,
              unanimous: true,
              agreed: true,
              goldSpanIds: [],
              rejected: false,
            },
          ],
          disagreements: [],
        },
      ],
      gold: {
        spans: [{ id: "g1", start: 0, end: 7, label: 1, labelName: "claim", text: "Critics" }],
        relations: [],
      },
    } as unknown as DocumentCurationDto;
    const lanes = buildLanes(view, new Map([[3, "Ann Example"]]));
    expect(lanes.map((l) => [l.id, l.name, l.spans.map((s) => s.spanId)])).toEqual([
      ["user-3", "Ann Example", ["a1"]],
      ["user-4", "bob", ["b1"]],
      ["gold", "Gold", ["g1"]],
    ]);
  });

  it("orders the annotator lanes by user id, whatever order the view lists them in (keys 1–9 name lanes)", () => {
    const view = {
      annotators: [
        { userId: 9, username: "zed", layer: "user-9" },
        { userId: 2, username: "amy", layer: "user-2" },
      ],
      sites: [],
      gold: { spans: [], relations: [] },
    } as unknown as DocumentCurationDto;
    expect(buildLanes(view).map((l) => l.id)).toEqual(["user-2", "user-9", "gold"]);
  });

  it("shows line breaks inside a column as a mark", () => {
    expect(segmentText("a\r\nb")).toBe("a ⏎ b");
  });
});
