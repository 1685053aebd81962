import { describe, expect, it } from "vitest";
import { isTyping } from "./useCurationKeys";

describe("curation keys", () => {
  it("leave text fields and selects alone, but work from checkboxes and buttons", () => {
    const make = (html: string) => {
      document.body.innerHTML = html;
      return document.body.firstElementChild!;
    };
    expect(isTyping(make('<input type="text">'))).toBe(true);
    expect(isTyping(make('<input type="number">'))).toBe(true);
    expect(isTyping(make("<textarea></textarea>"))).toBe(true);
    expect(isTyping(make("<select></select>"))).toBe(true);
    expect(isTyping(make('<div contenteditable="true"><b>x</b></div>').firstElementChild)).toBe(true);
    expect(isTyping(make('<input type="checkbox">'))).toBe(false);
    expect(isTyping(make("<button>Next</button>"))).toBe(false);
    expect(isTyping(null)).toBe(false);
  });
});
