/**
 * /api/health tells anonymous callers only that the server is up (issue 17); the figures (rooms and
 * sockets open, counters) are at GET /api/metrics in the Prometheus text format, for an instance admin or a
 * scraper holding GLOSS_METRICS_TOKEN.
 */
import { userLayer } from "@gloss/shared";
import { afterEach, describe, expect, it } from "vitest";
import { connectClient } from "../helpers/collab";
import { addDocument, addProject, addUser } from "../helpers/seed";
import { startServer, type TestServer } from "../helpers/server";

let server: TestServer;
afterEach(async () => {
  await server.close();
});

const SCRAPER_SECRET = "a-metrics-secret-of-at-least-32-characters";

describe("health and metrics", () => {
  it("health says up and nothing else; metrics need an admin or the metrics token", async () => {
    server = await startServer({ config: { metricsToken: SCRAPER_SECRET } });
    const admin = await addUser(server.store, { admin: true });
    const ann = await addUser(server.store);
    const project = await addProject(server.store, { members: [{ user: ann, role: "annotator" }] });
    const doc = await addDocument(server.store, project.id, "Two rooms are open now.", { assignTo: [ann] });
    const client = connectClient(server, {
      documentId: doc.id,
      layer: userLayer(ann.id),
      auth: { cookie: ann.cookie },
    });
    await client.synced();
    try {
      const health = await fetch(`${server.url}/api/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ ok: true });

      const get = (headers: Record<string, string>) => fetch(`${server.url}/api/metrics`, { headers });
      expect((await get({})).status).toBe(401);
      expect((await get({ cookie: ann.cookie })).status).toBe(403);
      expect((await get({ authorization: `Bearer ${ann.token}` })).status).toBe(403);
      expect((await get({ authorization: "Bearer not-the-metrics-secret-but-as-long-as-it" })).status).toBe(
        401,
      );
      for (const headers of [
        { cookie: admin.cookie },
        { authorization: `Bearer ${SCRAPER_SECRET}` },
      ] as Array<Record<string, string>>) {
        const res = await get(headers);
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
        const text = await res.text();
        expect(text).toMatch(/^# HELP gloss_rooms .+\n# TYPE gloss_rooms gauge\ngloss_rooms 1$/m);
        expect(text).toMatch(/^gloss_connections 1$/m);
        expect(text).toMatch(/^# TYPE gloss_updates_persisted_total counter$/m);
        // every sample line is `name value`
        for (const line of text.trimEnd().split("\n"))
          expect(line).toMatch(/^(# (HELP|TYPE) gloss_\w+ .+|gloss_\w+ \d+(\.\d+)?)$/);
      }
    } finally {
      client.destroy();
    }
  });

  it("without GLOSS_METRICS_TOKEN, no bearer secret opens the metrics", async () => {
    server = await startServer();
    const res = await fetch(`${server.url}/api/metrics`, { headers: { authorization: "Bearer " } });
    expect(res.status).toBe(401);
  });
});
