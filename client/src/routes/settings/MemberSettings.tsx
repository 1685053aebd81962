/** Members and roles: add by username, change role, remove. */
import type { MemberDto, Role } from "@gloss/shared";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useApi } from "../../api/context";
import { invalidate, queryKeys } from "../../api/queries";
import { ErrorMessage } from "../../components/ErrorMessage";

const ROLES: Array<{ value: Role; text: string }> = [
  { value: "annotator", text: "Annotator — labels their assigned documents" },
  { value: "curator", text: "Curator — reads every layer, adjudicates" },
  { value: "manager", text: "Manager — everything, including settings" },
];

/** The members section. */
export function MemberSettings(props: {
  projectId: number;
  selfId: number;
  members: MemberDto[] | undefined;
  loadError: unknown;
}) {
  const { projectId, selfId } = props;
  const api = useApi();
  const client = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState("");
  const list = props.members ?? [];
  /** Shows the new list at once, then re-reads it and what depends on the team (queues, documents). */
  const replace = (next: MemberDto[]) => {
    client.setQueryData(queryKeys.members(projectId), next);
    void invalidate(client, queryKeys.projectScope(projectId), ["document"]);
  };

  const run = async (what: string, fn: () => Promise<void>) => {
    setError(null);
    setStatus("");
    try {
      await fn();
      setStatus(what);
    } catch (err) {
      setError(err);
    }
  };

  const add = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const username = String(f.get("username") ?? "").trim();
    const role = String(f.get("role")) as Role;
    void run(`${username} added.`, async () => {
      const m = await api.members.add(projectId, { username, role });
      replace([...list, m].sort((a, b) => a.username.localeCompare(b.username)));
      form.reset();
    });
  };

  return (
    <section id="members" className="panel" aria-labelledby="members-title">
      <h2 id="members-title">Members</h2>
      <ErrorMessage error={props.loadError ?? error} />
      {status ? (
        <p role="status" className="ok">
          {status}
        </p>
      ) : null}
      <table className="member-table">
        <thead>
          <tr>
            <th scope="col">Member</th>
            <th scope="col">Role</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list.map((m) => (
            <tr key={m.userId}>
              <td>
                {m.displayName || m.username}
                {m.displayName && m.displayName !== m.username ? (
                  <span className="muted"> ({m.username})</span>
                ) : null}
                {m.userId === selfId ? <span className="muted"> — you</span> : null}
              </td>
              <td>
                <select
                  aria-label={`Role of ${m.username}`}
                  value={m.role}
                  onChange={(e) => {
                    const role = e.target.value as Role;
                    void run(`${m.username} is now ${role}.`, async () => {
                      const updated = await api.members.setRole(projectId, m.userId, role);
                      replace(list.map((x) => (x.userId === m.userId ? { ...x, ...updated } : x)));
                    });
                  }}
                >
                  {ROLES.map((r) => (
                    <option key={r.value} value={r.value}>
                      {r.value}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <button
                  type="button"
                  className="danger"
                  aria-label={`Remove ${m.username}`}
                  onClick={() =>
                    void run(`${m.username} removed.`, async () => {
                      await api.members.remove(projectId, m.userId);
                      replace(list.filter((x) => x.userId !== m.userId));
                    })
                  }
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="row wrap" aria-label="Add member" onSubmit={add}>
        <label>
          Username
          <input name="username" required autoComplete="off" />
        </label>
        <label>
          Role
          <select name="role" defaultValue="annotator">
            {ROLES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.text}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Add member</button>
      </form>
    </section>
  );
}
