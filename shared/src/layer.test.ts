import { describe, expect, it, vi } from "vitest";
import { MAX_RECORD_ID_CHARS, newId, validateRecordId } from "./layer";

describe("newId", () => {
  it("gives distinct, valid base36 ids within one process", () => {
    const ids = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      const id = newId();
      expect(id.length).toBeLessThanOrEqual(Math.min(20, MAX_RECORD_ID_CHARS));
      ids.add(id);
    }
    expect(ids.size).toBe(100_000);
    for (const id of [...ids].slice(0, 1000)) {
      expect(id).toMatch(/^[0-9a-z]{15,20}$/);
      expect(() => validateRecordId(id)).not.toThrow();
    }
  });

  it("draws a fresh random prefix per process (module instance), so restarts and other clients do not collide", async () => {
    const ids = new Set<string>();
    const prefixes = new Set<string>();
    for (let p = 0; p < 50; p++) {
      vi.resetModules();
      const mod = await import("./layer");
      for (let i = 0; i < 100; i++) {
        const id = mod.newId();
        ids.add(id);
        prefixes.add(id.slice(0, 14));
      }
    }
    expect(prefixes.size).toBe(50);
    expect(ids.size).toBe(5000);
  });
});
