import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CreateProjectBody, RegisterBody } from "./api";
import { fieldName, humanIssues } from "./validation";

const messages = (schema: z.ZodType, value: unknown) => {
  const r = schema.safeParse(value);
  if (r.success) throw new Error("parsed");
  return humanIssues(r.error.issues).map((i) => i.message);
};

describe("human validation messages", () => {
  it("names a field as a person would", () => {
    expect(fieldName(["labels", 2, "name"])).toBe("Label 3's name");
    expect(fieldName(["relationTypes", 0])).toBe("Relation type 1");
    expect(fieldName(["password"])).toBe("The password");
    expect(fieldName(["annotatorsPerDocument"])).toBe("The number of annotators per document");
    expect(fieldName(["someNewField"])).toBe("The some new field");
    expect(fieldName([], "The request body")).toBe("The request body");
  });

  it("turns the project and account schemas' issues into sentences", () => {
    const labels = [{ name: "claim" }, { name: "denial" }, { name: "x".repeat(65), color: "red" }];
    expect(messages(CreateProjectBody, { name: "p", labels })).toEqual([
      "Label 3's name is longer than 64 characters",
      "Label 3's colour must be a colour like #1f77b4",
    ]);
    expect(messages(CreateProjectBody, { name: "", mode: "solo", annotatorsPerDocument: 0 })).toEqual([
      "The name is empty",
      "The mode must be one of 'independent', 'shared'",
      "The number of annotators per document must be at least 1",
    ]);
    expect(messages(CreateProjectBody, { name: "p", relationTypes: ["a", "b", "a"] })).toEqual([
      "'a' appears twice among the relation types",
    ]);
    expect(messages(RegisterBody, { password: "short" })).toEqual([
      "The username is missing",
      "The password is shorter than 12 characters",
    ]);
    expect(
      messages(RegisterBody, { username: "bad name!", password: "long enough pw", displayName: 3 }),
    ).toEqual(["The username must be letters, digits, '_', '.', '-' only", "The display name must be text"]);
    expect(messages(z.object({ n: z.number().max(5) }).strict(), { n: 6, extra: 1 })).toEqual([
      "The n must be at most 5",
      "The request has an unknown field: 'extra'",
    ]);
  });
});
