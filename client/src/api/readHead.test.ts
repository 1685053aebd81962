import { describe, expect, it } from "vitest";
import { completeLines, jsonlRecords } from "./readHead";

describe("preview of a streamed export", () => {
  it("drops the cut-off last line of a truncated head, keeps the last line of a complete one", () => {
    expect(completeLines({ text: '{"a":1}\n{"b":', truncated: true, contentType: "" })).toEqual(['{"a":1}']);
    expect(completeLines({ text: "a\r\nb\n", truncated: false, contentType: "" })).toEqual(["a", "b"]);
    expect(completeLines({ text: "a\nb", truncated: false, contentType: "" })).toEqual(["a", "b"]);
  });

  it("pretty-prints the first JSONL records and leaves other lines as they are", () => {
    expect(jsonlRecords(['{"a":1}', "", "not json", '{"c":3}'], 2)).toEqual(['{\n  "a": 1\n}', "not json"]);
  });
});
