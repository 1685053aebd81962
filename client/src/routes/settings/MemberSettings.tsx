/** Members and roles: a page of them searched server-side; add by username, change role, remove. */
import type { Role } from "@gloss/shared";
import { type FormEvent, useState } from "react";
import { useAddMember, useRemoveMember, useSetMemberRole } from "../../api/mutations";
import { useMembersPageQuery } from "../../api/queries";
import { ErrorMessage } from "../../components/ErrorMessage";
import { SearchField } from "../../components/Filters";
import { latestMutation, MutationDone, MutationError } from "../../components/MutationStatus";
import { Pager } from "../../components/Pager";
import { useDebounced } from "../../components/useDebounced";

/** Members per page of the table (a course project has thousands). */
const PAGE = 50;

const ROLES: Array<{ value: Role; text: string }> = [
  { value: "annotator", text: "Annotator — labels their assigned documents" },
  { value: "curator", text: "Curator — reads every layer, adjudicates" },
  { value: "manager", text: "Manager — everything, including settings" },
];

/** The members section. */
export function MemberSettings(props: { projectId: number; selfId: number }) {
  const { projectId, selfId } = props;
  const [q, setQ] = useState("");
  const [offset, setOffset] = useState(0);
  const search = useDebounced(q.trim(), 250);
  const members = useMembersPageQuery(projectId, { q: search || undefined, limit: PAGE, offset });
  const add = useAddMember(projectId);
  const setRole = useSetMemberRole(projectId);
  const remove = useRemoveMember(projectId);
  const outcome = latestMutation(add, setRole, remove);
  const busy = outcome.status === "pending";
  const done =
    outcome === add
      ? `${add.variables?.username} added.`
      : outcome === setRole
        ? `${setRole.variables?.member.username} is now ${setRole.variables?.role}.`
        : `${remove.variables?.username} removed.`;
  const list = members.data?.members ?? [];

  const onAdd = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const username = String(f.get("username") ?? "").trim();
    const role = String(f.get("role")) as Role;
    add.mutate({ username, role }, { onSuccess: () => form.reset() });
  };

  return (
    <section id="members" className="panel" aria-labelledby="members-title">
      <h2 id="members-title">Members</h2>
      {members.error ? <ErrorMessage error={members.error} /> : <MutationError mutation={outcome} />}
      <MutationDone mutation={outcome}>{done}</MutationDone>
      <SearchField
        label="Search members"
        value={q}
        onChange={(v) => {
          setQ(v);
          setOffset(0);
        }}
      />
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
                  disabled={busy}
                  onChange={(e) => setRole.mutate({ member: m, role: e.target.value as Role })}
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
                  disabled={busy}
                  onClick={() => remove.mutate(m)}
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {members.data && members.data.total === 0 && search ? (
        <p className="muted">No member matches “{search}”.</p>
      ) : null}
      <Pager
        of="members"
        offset={offset}
        limit={PAGE}
        shown={list.length}
        total={members.data?.total ?? 0}
        onOffset={setOffset}
      />
      <form className="row wrap" aria-label="Add member" onSubmit={onAdd}>
        <label>
          Username
          <input name="username" required autoComplete="off" maxLength={64} />
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
        <button type="submit" disabled={busy}>
          Add member
        </button>
      </form>
    </section>
  );
}
