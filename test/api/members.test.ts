/** Members and roles: list, add, change role, remove; a project always keeps a manager; audited. */
import type { ApiErrorBody, MemberDto, ProjectDto } from "@gloss/shared";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { addMember, createTeam, registerUser, uniqueName, useServer } from "../helpers/factories";
import { ApiClient } from "../helpers/http";
import { rows } from "../helpers/query";

const errorOf = async (res: Response) => ((await res.json()) as ApiErrorBody).error;

describe("/projects/:id/members", () => {
  const ctx = useServer();

  it("lists members (any member) by username with their roles", async () => {
    const team = await createTeam(ctx.server.url);
    const path = `/api/projects/${team.project.id}/members`;
    const expected = [team.manager, team.curator, team.annotator]
      .map((m) => ({ userId: m.user.id, username: m.username, displayName: m.user.displayName }))
      .map((m, i) => ({ ...m, role: (["manager", "curator", "annotator"] as const)[i]! }))
      .sort((a, b) => a.username.localeCompare(b.username));
    for (const who of [team.manager, team.curator, team.annotator, team.admin]) {
      expect((await who.client.get<{ members: MemberDto[] }>(path)).members).toEqual(expected);
    }
    expect((await team.outsider.client.request("GET", path)).status).toBe(404);
    expect((await new ApiClient(ctx.server.url).request("GET", path)).status).toBe(401);
  });

  it("adds a member (201): they see the project with that role; unknown user 404 naming them; twice 409", async () => {
    const team = await createTeam(ctx.server.url);
    const path = `/api/projects/${team.project.id}/members`;
    const m = await addMember(team.manager.client, team.project.id, team.outsider.username, "curator");
    expect(m).toEqual({
      userId: team.outsider.user.id,
      username: team.outsider.username,
      displayName: team.outsider.user.displayName,
      role: "curator",
    });
    expect((await team.outsider.client.get<ProjectDto>(`/api/projects/${team.project.id}`)).role).toBe(
      "curator",
    );

    const ghost = uniqueName("ghost");
    const unknown = await team.manager.client.request("POST", path, { username: ghost, role: "annotator" });
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).message).toContain(`'${ghost}'`);
    const again = await team.manager.client.request("POST", path, {
      username: team.annotator.username,
      role: "curator",
    });
    expect(again.status).toBe(409);
    expect(await errorOf(again)).toMatchObject({ code: "already_member", details: { role: "annotator" } });
    for (const body of [{ username: team.admin.username, role: "owner" }, { role: "annotator" }, {}]) {
      expect((await team.manager.client.request("POST", path, body)).status).toBe(400);
    }
    const late = await registerUser(ctx.server.url);
    for (const who of [team.curator, team.annotator]) {
      expect(
        (await who.client.request("POST", path, { username: late.username, role: "annotator" })).status,
      ).toBe(403);
    }
    const entry = await rows(ctx.server.store, (s) =>
      s.q.select().from(s.t.auditLog).where(eq(s.t.auditLog.action, "member.add")).orderBy(s.t.auditLog.id),
    );
    expect(entry.map((e) => e.details.role)).toEqual(["curator", "annotator", "curator"]);
  });

  it("changes a role (200) and removes a member (204), who then gets 404 for the project", async () => {
    const team = await createTeam(ctx.server.url);
    const base = `/api/projects/${team.project.id}/members`;
    const promoted = await team.manager.client.patch<MemberDto>(`${base}/${team.annotator.user.id}`, {
      role: "curator",
    });
    expect(promoted.role).toBe("curator");
    expect((await team.annotator.client.get<ProjectDto>(`/api/projects/${team.project.id}`)).role).toBe(
      "curator",
    );
    expect(
      (await team.manager.client.request("PATCH", `${base}/${team.outsider.user.id}`, { role: "curator" }))
        .status,
    ).toBe(404);
    expect(
      (await team.manager.client.request("PATCH", `${base}/${team.curator.user.id}`, { role: "boss" }))
        .status,
    ).toBe(400);
    expect(
      (await team.curator.client.request("PATCH", `${base}/${team.annotator.user.id}`, { role: "manager" }))
        .status,
    ).toBe(403);

    expect((await team.manager.client.request("DELETE", `${base}/${team.annotator.user.id}`)).status).toBe(
      204,
    );
    expect((await team.annotator.client.request("GET", `/api/projects/${team.project.id}`)).status).toBe(404);
    expect((await team.manager.client.request("DELETE", `${base}/${team.annotator.user.id}`)).status).toBe(
      404,
    );
    const malformed = await team.manager.client.request("DELETE", `${base}/abc`);
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as ApiErrorBody).error.message).toMatch(/^userId: /);
    expect((await team.curator.client.request("DELETE", `${base}/${team.manager.user.id}`)).status).toBe(403);

    const actions = (
      await rows(ctx.server.store, (s) => s.q.select().from(s.t.auditLog).orderBy(s.t.auditLog.id))
    ).map((a) => a.action);
    expect(actions.filter((a) => a.startsWith("member."))).toEqual([
      "member.add",
      "member.add",
      "member.role",
      "member.remove",
    ]);
  });

  it("refuses to remove or demote the last manager (409), but allows it once there is another", async () => {
    const team = await createTeam(ctx.server.url);
    const base = `/api/projects/${team.project.id}/members`;
    const self = `${base}/${team.manager.user.id}`;
    const demote = await team.manager.client.request("PATCH", self, { role: "annotator" });
    expect(demote.status).toBe(409);
    expect(await errorOf(demote)).toMatchObject({ code: "last_manager" });
    expect((await team.manager.client.request("DELETE", self)).status).toBe(409);
    // an admin cannot orphan the project either
    expect((await team.admin.client.request("DELETE", self)).status).toBe(409);
    // re-affirming the role is fine
    expect((await team.manager.client.patch<MemberDto>(self, { role: "manager" })).role).toBe("manager");

    await team.manager.client.patch(`${base}/${team.curator.user.id}`, { role: "manager" });
    expect((await team.manager.client.patch<MemberDto>(self, { role: "annotator" })).role).toBe("annotator");
    expect(
      (await team.manager.client.request("PATCH", `${base}/${team.curator.user.id}`, { role: "curator" }))
        .status,
    ).toBe(403);
    expect((await team.curator.client.request("DELETE", `${base}/${team.curator.user.id}`)).status).toBe(409);
    expect((await team.curator.client.request("DELETE", self)).status).toBe(204);
    const members = (await team.curator.client.get<{ members: MemberDto[] }>(base)).members;
    expect(members.map((m) => m.role).sort()).toEqual(["annotator", "manager"]);
  });
});
