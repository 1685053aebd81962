/** Projects: create (default or given labels), list with stats, read, settings; audit; CLI `project create`. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type ApiErrorBody, DEFAULT_LABELS, LABEL_PALETTE, type ProjectDto } from "@gloss/shared";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createProject, createTeam, registerUser, runCli, uniqueName, useServer } from "../helpers/factories";
import { ApiClient } from "../helpers/http";
import { exec, row, rows } from "../helpers/query";
import { addDocument } from "../helpers/seed";
import { startServer } from "../helpers/server";

const errorOf = async (res: Response) => ((await res.json()) as ApiErrorBody).error;

describe("POST /projects", () => {
  const ctx = useServer();

  it("creates a project with the default labels and settings; the creator becomes its manager", async () => {
    const { client, user } = await registerUser(ctx.server.url);
    const p = await client.json<ProjectDto>("POST", "/api/projects", { name: "  Election coverage  " }, 201);
    expect(p).toMatchObject({
      name: "Election coverage",
      description: "",
      mode: "independent",
      annotatorsPerDocument: 2,
      snapping: "word",
      relationTypes: ["attributes"],
      role: "manager",
      stats: { documents: 0, assignments: 0, done: 0, curated: 0 },
    });
    expect(
      p.labels.map(({ name, color, hotkey, description, order }) => ({
        name,
        color,
        hotkey,
        description,
        order,
      })),
    ).toEqual(DEFAULT_LABELS.map((l, order) => ({ ...l, order })));
    expect(p.labels.every((l) => l.projectId === p.id)).toBe(true);
    const member = await row(ctx.server.store, ({ q, t: { projectMembers } }) =>
      q
        .select()
        .from(projectMembers)
        .where(and(eq(projectMembers.projectId, p.id), eq(projectMembers.userId, user.id))),
    );
    expect(member?.role).toBe("manager");
    const entry = await row(ctx.server.store, ({ q, t: { auditLog } }) =>
      q.select().from(auditLog).where(eq(auditLog.action, "project.create")),
    );
    expect(entry).toMatchObject({ projectId: p.id, userId: user.id, target: `project:${p.id}` });
  });

  it("takes given settings and labels: palette colours in turn, hotkeys 1–9 for the first nine not given", async () => {
    const { client } = await registerUser(ctx.server.url);
    const given = [
      { name: "a" },
      { name: "b", hotkey: "1", color: "#123456", description: "bee" },
      { name: "c", hotkey: null },
      ...Array.from({ length: 9 }, (_, i) => ({ name: `l${i}` })),
    ];
    const p = await createProject(client, {
      name: "custom",
      mode: "shared",
      annotatorsPerDocument: 3,
      snapping: "character",
      relationTypes: ["supports", "cites"],
      description: "about",
      labels: given,
    });
    expect(p).toMatchObject({
      mode: "shared",
      annotatorsPerDocument: 3,
      snapping: "character",
      description: "about",
    });
    expect(p.relationTypes).toEqual(["supports", "cites"]);
    expect(p.labels.map((l) => l.name)).toEqual(given.map((l) => l.name));
    expect(p.labels.map((l) => l.hotkey)).toEqual([
      "2",
      "1",
      null,
      "3",
      "4",
      "5",
      "6",
      "7",
      "8",
      null,
      null,
      null,
    ]);
    expect(p.labels.map((l) => l.color)).toEqual(
      given.map((l, i) => ("color" in l ? l.color : LABEL_PALETTE[i % LABEL_PALETTE.length])),
    );
    expect(p.labels[1]!.description).toBe("bee");
    expect(p.labels.map((l) => l.order)).toEqual(given.map((_, i) => i));

    const empty = await createProject(client, { labels: [] });
    expect(empty.labels).toEqual([]);
  });

  it("refuses repeated label names or hotkeys with 400 naming the labels in words, storing nothing", async () => {
    const { client } = await registerUser(ctx.server.url);
    const cases: Array<[unknown[], RegExp]> = [
      [
        [{ name: "claim" }, { name: "other" }, { name: "Claim" }],
        /^'Claim' appears twice among the labels \(labels 1 and 3\)$/,
      ],
      [
        [
          { name: "x", hotkey: "q" },
          { name: "y", hotkey: "q" },
        ],
        /^The hotkey 'q' appears twice among the labels \(labels 1 and 2\)$/,
      ],
      [[{ name: "x", hotkey: "Q" }], /^Label 1's hotkey must be one digit or lower-case letter$/],
      [[{ name: "x", color: "red" }], /^Label 1's colour must be a colour like #1f77b4$/],
      [[{ name: " " }], /^Label 1's name is empty$/],
      [
        [{ name: "a" }, { name: "b" }, { name: "x".repeat(65) }],
        /^Label 3's name is longer than 64 characters$/,
      ],
    ];
    for (const [labelsBody, message] of cases) {
      const res = await client.request("POST", "/api/projects", { name: "p", labels: labelsBody });
      expect(res.status).toBe(400);
      expect((await errorOf(res)).message).toMatch(message);
    }
    for (const body of [
      {},
      { name: "" },
      { name: "p", mode: "solo" },
      { name: "p", annotatorsPerDocument: 0 },
      { name: "p", relationTypes: ["a", "a"] },
    ]) {
      expect((await client.request("POST", "/api/projects", body)).status).toBe(400);
    }
    const repeated = await client.request("POST", "/api/projects", {
      name: "p",
      relationTypes: ["a", "b", "a"],
    });
    expect((await errorOf(repeated)).message).toBe("'a' appears twice among the relation types");
    expect(await rows(ctx.server.store, (s) => s.q.select().from(s.t.projects))).toEqual([]);
    expect(await rows(ctx.server.store, (s) => s.q.select().from(s.t.labels))).toEqual([]);
  });

  it("needs a signed-in caller", async () => {
    expect((await new ApiClient(ctx.server.url).request("POST", "/api/projects", { name: "p" })).status).toBe(
      401,
    );
  });
});

describe("GET /projects and /projects/:id", () => {
  const ctx = useServer();

  it("lists the caller's projects with role, labels and stats; an admin sees all, as role null where not a member", async () => {
    const team = await createTeam(ctx.server.url);
    expect(team.admin.user.isAdmin).toBe(true);
    const other = await createProject(team.outsider.client, { name: "outsider's" });
    const store = ctx.server.store;
    const [d1, d2] = [
      await addDocument(store, team.project.id, "One.", {
        assignTo: [team.annotator.user, team.curator.user],
      }),
      await addDocument(store, team.project.id, "Two.", { assignTo: [team.annotator.user] }),
    ];
    await addDocument(store, team.project.id, "Three.");
    await exec(store, ({ q, t: { assignments } }) =>
      q.update(assignments).set({ status: "done" }).where(eq(assignments.documentId, d1!.id)),
    );
    await exec(store, ({ q, t: { curations } }) =>
      q.insert(curations).values([
        { documentId: d1!.id, status: "done" },
        { documentId: d2!.id, status: "in_progress" },
      ]),
    );

    const mine = await team.annotator.client.get<{ projects: ProjectDto[] }>("/api/projects");
    expect(mine.projects).toHaveLength(1);
    expect(mine.projects[0]).toMatchObject({
      id: team.project.id,
      role: "annotator",
      stats: { documents: 3, assignments: 3, done: 2, curated: 1 },
    });
    expect(mine.projects[0]!.labels.map((l) => l.name)).toEqual(DEFAULT_LABELS.map((l) => l.name));

    const outsider = await team.outsider.client.get<{ projects: ProjectDto[] }>("/api/projects");
    expect(outsider.projects.map((p) => [p.id, p.role])).toEqual([[other.id, "manager"]]);

    const all = await team.admin.client.get<{ projects: ProjectDto[] }>("/api/projects");
    expect(all.projects.map((p) => [p.id, p.role])).toEqual([
      [other.id, null],
      [team.project.id, null],
    ]);
    expect((await new ApiClient(ctx.server.url).request("GET", "/api/projects")).status).toBe(401);
  });

  it("pages the list newest first with the total of every match, ?q= in the name; only the caller's own", async () => {
    const { client } = await registerUser(ctx.server.url);
    const made: ProjectDto[] = [];
    for (const name of ["Alpha wire", "Beta desk", "Gamma wire", "Delta wire", "Epsilon desk"])
      made.push(await createProject(client, { name: `${name} ${uniqueName("p")}` }));
    const ids = made.map((p) => p.id).reverse();
    type Page = { projects: ProjectDto[]; total: number };
    const first = await client.get<Page>("/api/projects?limit=2");
    expect([first.projects.map((p) => p.id), first.total]).toEqual([ids.slice(0, 2), 5]);
    const last = await client.get<Page>("/api/projects?limit=2&offset=4");
    expect([last.projects.map((p) => p.id), last.total]).toEqual([ids.slice(4), 5]);
    const wire = await client.get<Page>("/api/projects?q=WIRE&limit=2");
    expect(wire.total).toBe(3);
    expect(wire.projects.map((p) => p.name.split(" ")[0])).toEqual(["Delta", "Gamma"]);
    // someone else's projects are neither listed nor counted
    const { client: stranger } = await registerUser(ctx.server.url);
    expect(await stranger.get<Page>("/api/projects?q=wire")).toEqual({ projects: [], total: 0 });
    const bad = await client.request("GET", "/api/projects?limit=1001");
    expect(bad.status).toBe(400);
  });

  it("shows a project to its members and to admins; to anyone else it does not exist (404)", async () => {
    const team = await createTeam(ctx.server.url);
    const path = `/api/projects/${team.project.id}`;
    for (const [who, role] of [
      [team.manager, "manager"],
      [team.curator, "curator"],
      [team.annotator, "annotator"],
      [team.admin, null],
    ] as const) {
      const p = await who.client.get<ProjectDto>(path);
      expect(p.role).toBe(role);
      expect(p.labels).toHaveLength(4);
      expect(p.stats).toEqual({ documents: 0, assignments: 0, done: 0, curated: 0 });
    }
    const hidden = await team.outsider.client.request("GET", path);
    const missing = await team.outsider.client.request("GET", "/api/projects/999999");
    expect(hidden.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(await hidden.json()).toEqual(await missing.json());
    // a malformed id is not "some project you may not see": a 400 naming the parameter
    for (const bad of ["abc", "0x1", "1.0", "0", "-1", "99999999999999999999"]) {
      const res = await team.manager.client.request("GET", `/api/projects/${bad}`);
      expect(res.status).toBe(400);
      const { error } = (await res.json()) as ApiErrorBody;
      expect(error.code).toBe("invalid_input");
      expect(error.message).toMatch(/^id: /);
    }
    expect((await new ApiClient(ctx.server.url).request("GET", path)).status).toBe(401);
  });
});

describe("PATCH /projects/:id", () => {
  const ctx = useServer();

  it("lets a manager (or admin) change settings, audited; others 403/404; bad input 400", async () => {
    const team = await createTeam(ctx.server.url);
    const path = `/api/projects/${team.project.id}`;
    const p = await team.manager.client.patch<ProjectDto>(path, {
      name: "Renamed",
      mode: "shared",
      snapping: "character",
      annotatorsPerDocument: 4,
      relationTypes: ["attributes", "contradicts"],
    });
    expect(p).toMatchObject({
      name: "Renamed",
      mode: "shared",
      snapping: "character",
      annotatorsPerDocument: 4,
      role: "manager",
    });
    expect(p.relationTypes).toEqual(["attributes", "contradicts"]);
    expect(p.labels).toHaveLength(4);
    expect((await team.annotator.client.get<ProjectDto>(path)).name).toBe("Renamed");
    const entry = (await row(ctx.server.store, ({ q, t: { auditLog } }) =>
      q.select().from(auditLog).where(eq(auditLog.action, "project.update")),
    ))!;
    expect(entry.details).toMatchObject({
      before: { name: team.project.name, mode: "independent" },
      patch: { name: "Renamed" },
    });

    expect((await team.admin.client.patch<ProjectDto>(path, { description: "by admin" })).description).toBe(
      "by admin",
    );
    for (const who of [team.annotator, team.curator]) {
      const res = await who.client.request("PATCH", path, { name: "nope" });
      expect(res.status).toBe(403);
      expect((await errorOf(res)).code).toBe("forbidden");
    }
    expect((await team.outsider.client.request("PATCH", path, { name: "nope" })).status).toBe(404);
    for (const body of [
      { name: "" },
      { mode: "solo" },
      { snapping: "line" },
      { relationTypes: ["x", "x"] },
    ]) {
      expect((await team.manager.client.request("PATCH", path, body)).status).toBe(400);
    }
    expect((await team.manager.client.get<ProjectDto>(path)).name).toBe("Renamed");
  });
});

// each CLI run starts a fresh Node + tsx process (1–3 s on a busy machine)
const CLI_TIMEOUT = { timeout: 120_000 };

describe("CLI: gloss project create", () => {
  it(
    "creates a project managed by the owner and prints only its id; checks its arguments",
    CLI_TIMEOUT,
    async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gloss-cli-"));
      expect((await runCli(["user", "add", "olga"], { dataDir })).code).toBe(0);
      const plain = await runCli(["project", "create", "Newsroom", "--owner", "olga"], { dataDir });
      expect(plain.code).toBe(0);
      expect(plain.stdout).toMatch(/^\d+\n$/);
      const custom = await runCli(
        [
          "project",
          "create",
          "Shared one",
          "--owner",
          "olga",
          "--mode",
          "shared",
          "--labels",
          "claim, denial,,source",
        ],
        { dataDir },
      );
      expect(custom.code).toBe(0);

      // a server on the same data directory (the same database) reads what the CLI wrote
      const server = await startServer({ dataDir });
      try {
        const store = server.store;
        const made = await rows(store, ({ q, t: { projects } }) =>
          q.select().from(projects).orderBy(projects.id),
        );
        expect(made.map((r) => [r.id, r.name, r.mode])).toEqual([
          [Number(plain.stdout), "Newsroom", "independent"],
          [Number(custom.stdout), "Shared one", "shared"],
        ]);
        const labelsOf = async (id: number) =>
          (
            await rows(store, ({ q, t: { labels } }) =>
              q.select().from(labels).where(eq(labels.projectId, id)).orderBy(labels.order),
            )
          ).map((l) => [l.name, l.hotkey]);
        expect(await labelsOf(Number(plain.stdout))).toEqual(DEFAULT_LABELS.map((l) => [l.name, l.hotkey]));
        expect(await labelsOf(Number(custom.stdout))).toEqual([
          ["claim", "1"],
          ["denial", "2"],
          ["source", "3"],
        ]);
        expect(
          (await rows(store, ({ q, t: { projectMembers } }) => q.select().from(projectMembers))).map(
            (m) => m.role,
          ),
        ).toEqual(["manager", "manager"]);
      } finally {
        await server.close();
      }

      const unknown = await runCli(["project", "create", "X", "--owner", uniqueName("ghost")], { dataDir });
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/No user named/);
      for (const args of [
        ["project", "create", "X"],
        ["project", "create", "--owner", "olga"],
        ["project", "create", "X", "--owner", "olga", "--mode", "solo"],
        ["project", "create", "X", "--owner", "olga", "--labels", "a,A"],
        ["project", "create", "X", "--owner", "olga", "--labels", ","],
      ]) {
        const r = await runCli(args, { dataDir });
        expect(r.code, args.join(" ")).toBe(2);
        expect(r.stderr).toMatch(/usage: pnpm gloss project create/);
        expect(r.stdout).toBe("");
      }
    },
  );
});
