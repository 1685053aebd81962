import { describe, expect, it } from "vitest";
import { keyExtents, siteRejectedKeys, siteVersion, UNDECIDED_SITE } from "./siteState";

const span = (id: string, start: number, end: number, label = 1) => ({ id, start, end, label });

describe("siteVersion", () => {
  const site = { start: 10, end: 20 };

  it("is UNDECIDED_SITE while gold holds nothing over the site", () => {
    expect(siteVersion(site, { spans: [], rejected: [] })).toBe(UNDECIDED_SITE);
    // spans and keys elsewhere, or only touching its ends, do not count
    expect(
      siteVersion(site, { spans: [span("a", 0, 10), span("b", 20, 30)], rejected: ["s:0:5:1", "r:x"] }),
    ).toBe(UNDECIDED_SITE);
  });

  it("changes with any gold span or rejection over the site, and does not depend on order", () => {
    const one = siteVersion(site, { spans: [span("a", 12, 18)] });
    expect(one).not.toBe(UNDECIDED_SITE);
    expect(siteVersion(site, { spans: [span("b", 12, 18)] })).not.toBe(one); // another id: another decision
    expect(siteVersion(site, { spans: [span("a", 12, 18, 2)] })).not.toBe(one);
    expect(siteVersion(site, { spans: [span("a", 12, 18)], rejected: ["d:12:18:1|12:18:2"] })).not.toBe(one);
    const two = [span("a", 12, 18), span("c", 15, 25)];
    expect(siteVersion(site, { spans: two })).toBe(siteVersion(site, { spans: [...two].reverse() }));
  });

  it("reads the extents of span and disagreement keys", () => {
    expect(keyExtents("s:1:4:7")).toEqual([{ start: 1, end: 4 }]);
    expect(keyExtents("d:1:4:7|2:6:7")).toEqual([
      { start: 1, end: 4 },
      { start: 2, end: 6 },
    ]);
    expect(keyExtents("r:1:4:7>5:9:2:attributes")).toEqual([]);
    expect(siteRejectedKeys(site, ["s:19:25:1", "s:0:3:1", "d:0:2:1|5:11:1"])).toEqual([
      "d:0:2:1|5:11:1",
      "s:19:25:1",
    ]);
  });
});
