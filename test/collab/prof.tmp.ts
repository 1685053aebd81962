import { collabPath, rawSocket } from "../helpers/collab";
import { seedDocument, seedProject, seedUser } from "../helpers/seed";
import { startServer } from "../helpers/server";

const server = await startServer();
const curator = seedUser(server.db);
const project = seedProject(server.db, { mode: "shared", members: [{ user: curator, role: "curator" }] });
const docIds = server.db.$client.transaction(() =>
  Array.from({ length: 500 }, (_, i) => seedDocument(server.db, project.id, `Document number ${i}.`).id),
)();
const rooms = docIds.flatMap((id) => [collabPath(id, "shared"), collabPath(id, "gold")]);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
for (let i = 0; i < rooms.length; i += 50) {
  const batch = rooms
    .slice(i, i + 50)
    .map((path) => rawSocket(server, path, { auth: { token: curator.token } }));
  await Promise.all(batch.map((s) => s.next()));
  for (const s of batch) s.close();
  await Promise.all(batch.map((s) => s.closed));
}
const cpu = process.cpuUsage(cpu0);
console.log(
  "ms per room",
  ((performance.now() - t0) / rooms.length).toFixed(2),
  "cpu ms per room",
  ((cpu.user + cpu.system) / 1000 / rooms.length).toFixed(2),
);
await server.close();
