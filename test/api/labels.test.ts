/** Labels: list in order, create, rename/recolour/hotkey/move, reorder, delete (refused while in use); audited. */
import {
  type ApiErrorBody,
  DEFAULT_LABELS,
  LABEL_PALETTE,
  type LabelDto,
  MAX_LABELS_PER_PROJECT,
} from "@gloss/shared";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createProject, createTeam, useServer } from "../helpers/factories";
import { ApiClient } from "../helpers/http";
import { exec, row, rows } from "../helpers/query";
import { addDocument } from "../helpers/seed";

const errorOf = async (res: Response) => ((await res.json()) as ApiErrorBody).error;
type LabelList = { labels: LabelDto[] };

describe("/projects/:id/labels", () => {
  const ctx = useServer();

  it("lists labels in order to any member; 404 to outsiders, 401 anonymous", async () => {
    const team = await createTeam(ctx.server.url);
    const path = `/api/projects/${team.project.id}/labels`;
    for (const who of [team.manager, team.curator, team.annotator, team.admin]) {
      const { labels: list } = await who.client.get<LabelList>(path);
      expect(list.map((l) => l.name)).toEqual(DEFAULT_LABELS.map((l) => l.name));
      expect(list.map((l) => l.order)).toEqual([0, 1, 2, 3]);
    }
    expect((await team.outsider.client.request("GET", path)).status).toBe(404);
    expect((await new ApiClient(ctx.server.url).request("GET", path)).status).toBe(401);
  });

  it("creates labels at the end with the next palette colour and the first free hotkey; 409 on a taken name or hotkey", async () => {
    const team = await createTeam(ctx.server.url);
    const path = `/api/projects/${team.project.id}/labels`;
    const c = team.manager.client;
    const quote = await c.json<LabelDto>("POST", path, { name: "quote", description: "Direct speech" }, 201);
    expect(quote).toMatchObject({
      projectId: team.project.id,
      name: "quote",
      color: LABEL_PALETTE[4],
      hotkey: "5",
      description: "Direct speech",
      order: 4,
    });
    const explicit = await c.json<LabelDto>(
      "POST",
      path,
      { name: "hedge", color: "#AbCdEf", hotkey: "h" },
      201,
    );
    expect(explicit).toMatchObject({ color: "#AbCdEf", hotkey: "h", order: 5 });
    const none = await c.json<LabelDto>("POST", path, { name: "other", hotkey: null }, 201);
    expect(none.hotkey).toBeNull();

    const byName = await c.request("POST", path, { name: "CLAIM" });
    expect(byName.status).toBe(409);
    expect(await errorOf(byName)).toMatchObject({ code: "label_name_taken", details: { field: "name" } });
    const byKey = await c.request("POST", path, { name: "fresh", hotkey: "h" });
    expect(byKey.status).toBe(409);
    const keyErr = await errorOf(byKey);
    expect(keyErr).toMatchObject({ code: "hotkey_taken" });
    expect(keyErr.message).toContain("hedge");
    for (const body of [{}, { name: "" }, { name: "x", hotkey: "F1" }, { name: "x", color: "#fff" }]) {
      expect((await c.request("POST", path, body)).status).toBe(400);
    }
    for (const who of [team.curator, team.annotator]) {
      expect((await who.client.request("POST", path, { name: "nope" })).status).toBe(403);
    }
    expect((await team.outsider.client.request("POST", path, { name: "nope" })).status).toBe(404);
    expect((await c.get<LabelList>(path)).labels.map((l) => l.name)).toEqual([
      ...DEFAULT_LABELS.map((l) => l.name),
      "quote",
      "hedge",
      "other",
    ]);
    const audited = await rows(ctx.server.store, (s) =>
      s.q.select().from(s.t.auditLog).where(eq(s.t.auditLog.action, "label.create")),
    );
    expect(audited).toHaveLength(3);
  });

  it("holds at most MAX_LABELS_PER_PROJECT labels: one more is a 409 that stores nothing", async () => {
    const team = await createTeam(ctx.server.url);
    const path = `/api/projects/${team.project.id}/labels`;
    const c = team.manager.client;
    for (let i = DEFAULT_LABELS.length; i < MAX_LABELS_PER_PROJECT; i++)
      await c.json<LabelDto>("POST", path, { name: `label ${i}`, hotkey: null }, 201);
    const over = await c.request("POST", path, { name: "one too many", hotkey: null });
    expect(over.status).toBe(409);
    expect(await errorOf(over)).toMatchObject({ code: "too_many_labels" });
    expect((await c.get<LabelList>(path)).labels).toHaveLength(MAX_LABELS_PER_PROJECT);
  });

  it("renames, recolours, rekeys, describes and moves a label; refuses clashes (409) and unknown ids (404)", async () => {
    const team = await createTeam(ctx.server.url);
    const base = `/api/projects/${team.project.id}/labels`;
    const c = team.manager.client;
    const [claim, denial, attribution, speculation] = team.project.labels;
    const edited = await c.patch<LabelDto>(`${base}/${claim!.id}`, {
      name: "assertion",
      color: "#111111",
      hotkey: "a",
      description: "Checkable statement",
    });
    expect(edited).toMatchObject({
      id: claim!.id,
      name: "assertion",
      color: "#111111",
      hotkey: "a",
      description: "Checkable statement",
      order: 0,
    });
    // renaming to its own name with different case is not a clash with itself
    expect((await c.patch<LabelDto>(`${base}/${claim!.id}`, { name: "Assertion" })).name).toBe("Assertion");

    const moved = await c.patch<LabelDto>(`${base}/${speculation!.id}`, { order: 0 });
    expect(moved.order).toBe(0);
    const ids = (await c.get<LabelList>(base)).labels.map((l) => [l.id, l.order]);
    expect(ids).toEqual([
      [speculation!.id, 0],
      [claim!.id, 1],
      [denial!.id, 2],
      [attribution!.id, 3],
    ]);
    await c.patch(`${base}/${speculation!.id}`, { order: 99 }); // past the end → last
    expect((await c.get<LabelList>(base)).labels.map((l) => l.id)).toEqual([
      claim!.id,
      denial!.id,
      attribution!.id,
      speculation!.id,
    ]);

    const clashName = await c.request("PATCH", `${base}/${denial!.id}`, { name: "ASSERTION" });
    expect(clashName.status).toBe(409);
    const clashKey = await c.request("PATCH", `${base}/${denial!.id}`, { hotkey: "a" });
    expect(clashKey.status).toBe(409);
    expect((await c.patch<LabelDto>(`${base}/${denial!.id}`, { hotkey: null })).hotkey).toBeNull();
    expect((await c.request("PATCH", `${base}/${denial!.id}`, { order: -1 })).status).toBe(400);

    const other = await createProject(team.outsider.client);
    expect((await c.request("PATCH", `${base}/${other.labels[0]!.id}`, { name: "stolen" })).status).toBe(404);
    expect((await c.request("PATCH", `${base}/999999`, { name: "x" })).status).toBe(404);
    expect(
      (await team.annotator.client.request("PATCH", `${base}/${denial!.id}`, { name: "x" })).status,
    ).toBe(403);
    expect(other.labels[0]!.name).toBe("claim");
    expect(
      (await team.outsider.client.get<LabelList>(`/api/projects/${other.id}/labels`)).labels[0]!.name,
    ).toBe("claim");
    expect(
      await rows(ctx.server.store, (s) =>
        s.q.select().from(s.t.auditLog).where(eq(s.t.auditLog.action, "label.update")),
      ),
    ).toHaveLength(5);
  });

  it("reorders with PUT …/labels/order, which must be a permutation of the project's label ids", async () => {
    const team = await createTeam(ctx.server.url);
    const path = `/api/projects/${team.project.id}/labels/order`;
    const c = team.manager.client;
    const ids = team.project.labels.map((l) => l.id);
    const reversed = [...ids].reverse();
    const res = await c.json<LabelList>("PUT", path, { order: reversed });
    expect(res.labels.map((l) => [l.id, l.order])).toEqual(reversed.map((id, i) => [id, i]));

    const foreign = (await createProject(team.outsider.client)).labels[0]!.id;
    const cases: Array<[number[], RegExp]> = [
      [ids.slice(1), /missing: /],
      [[...ids, ids[0]!], /appears twice/],
      [[...ids.slice(1), foreign], new RegExp(`order\\.3: ${foreign} is not a label of this project`)],
    ];
    for (const [order, message] of cases) {
      const bad = await c.request("PUT", path, { order });
      expect(bad.status).toBe(400);
      expect((await errorOf(bad)).message).toMatch(message);
    }
    expect((await c.request("PUT", path, { order: "1,2" })).status).toBe(400);
    expect(
      (await c.get<LabelList>(`/api/projects/${team.project.id}/labels`)).labels.map((l) => l.id),
    ).toEqual(reversed);
    expect((await team.curator.client.request("PUT", path, { order: ids })).status).toBe(403);
    expect((await team.outsider.client.request("PUT", path, { order: ids })).status).toBe(404);
  });

  it("deletes an unused label (204, orders closed up) and refuses one in use with 409 and the count", async () => {
    const team = await createTeam(ctx.server.url);
    const base = `/api/projects/${team.project.id}/labels`;
    const c = team.manager.client;
    const [claim, denial] = team.project.labels;
    const store = ctx.server.store;
    const doc = await addDocument(store, team.project.id, "The minister denied it.");
    const span = (layer: string, spanId: string) => ({
      projectId: team.project.id,
      documentId: doc.id,
      layer,
      spanId,
      start: 4,
      end: 12,
      labelId: claim!.id,
      createdAt: Date.now(),
    });
    await exec(store, (s) =>
      s.q
        .insert(s.t.annotations)
        .values([span(`user-${team.annotator.user.id}`, "s1"), span("gold", "s2"), span("gold", "s3")]),
    );

    const refused = await c.request("DELETE", `${base}/${claim!.id}`);
    expect(refused.status).toBe(409);
    const err = await errorOf(refused);
    expect(err).toMatchObject({ code: "label_in_use", details: { count: 3 } });
    expect(err.message).toMatch(/claim.*3 annotations/);
    expect(
      await row(store, (s) => s.q.select().from(s.t.labels).where(eq(s.t.labels.id, claim!.id))),
    ).toBeDefined();

    expect((await team.annotator.client.request("DELETE", `${base}/${denial!.id}`)).status).toBe(403);
    expect((await c.request("DELETE", `${base}/${denial!.id}`)).status).toBe(204);
    const left = (await c.get<LabelList>(base)).labels;
    expect(left.map((l) => [l.name, l.order])).toEqual([
      ["claim", 0],
      ["attribution", 1],
      ["speculation", 2],
    ]);
    expect((await c.request("DELETE", `${base}/${denial!.id}`)).status).toBe(404);
    const deleted = await rows(store, (s) =>
      s.q.select().from(s.t.auditLog).where(eq(s.t.auditLog.action, "label.delete")),
    );
    expect(deleted.map((d) => d.target)).toEqual([`label:${denial!.id}`]);
  });
});
