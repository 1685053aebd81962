/** Who else is in this document now: their initials in their colour. */
import { initials } from "../collab/colors";
import type { PresenceUser } from "../collab/useLayerConnection";

/** The presence row (says "Only you" when nobody else is here). */
export function PresenceList({ users }: { users: readonly PresenceUser[] }) {
  return (
    <div className="presence">
      {users.length === 0 ? (
        <span className="muted">Only you here</span>
      ) : (
        <ul aria-label="Also in this document">
          {users.map((u) => (
            <li key={u.id} className="avatar" style={{ background: u.color }} title={`${u.name} is here`}>
              <span aria-hidden="true">{initials(u.name)}</span>
              <span className="visually-hidden">{u.name} is here</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
