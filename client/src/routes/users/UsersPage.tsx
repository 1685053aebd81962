/**
 * The administrator's Users page (issue 13 item 9): the accounts, paged and searched on the server; a form
 * to create one (its generated password shown once); disable / enable an account (its sessions and tokens
 * stop at once) and reset a password (the new one shown once). With GLOSS_ALLOW_SIGNUP=false this is how
 * accounts are made without the CLI. Every action is checked and audited by the server.
 */
import type { AdminUserDto, CreateUserBody } from "@gloss/shared";
import { type FormEvent, useState } from "react";
import { SearchField } from "../../components/Filters";
import { MutationError } from "../../components/MutationStatus";
import { Pager } from "../../components/Pager";
import { QueryView } from "../../components/QueryView";
import { useDebounced } from "../../components/useDebounced";
import { usePageTitle } from "../../components/usePageTitle";
import { useUser } from "../../session";
import styles from "./UsersPage.module.css";
import { useCreateUser, useResetPassword, useSetUserDisabled, useUsersQuery } from "./userQueries";

const PAGE = 50;

/** A password the server generated, for the administrator to pass on: shown once, never again. */
interface OneTimeSecret {
  username: string;
  /** A generated password, or the invite link through which the user sets their own. */
  password?: string;
  inviteUrl?: string;
  why: "created" | "reset";
}

/** The Users page. */
export function UsersPage() {
  usePageTitle("Users");
  const me = useUser();
  const [secret, setSecret] = useState<OneTimeSecret | null>(null);
  if (!me.isAdmin) {
    return (
      <div className="page">
        <h1>Users</h1>
        <p role="alert">This page is for instance administrators.</p>
      </div>
    );
  }
  return (
    <div className="page">
      <h1>Users</h1>
      {secret ? <SecretNotice secret={secret} onDismiss={() => setSecret(null)} /> : null}
      <UserTable meId={me.id} onSecret={setSecret} />
      <CreateUserForm onSecret={setSecret} />
    </div>
  );
}

function SecretNotice({ secret, onDismiss }: { secret: OneTimeSecret; onDismiss(): void }) {
  const label = secret.inviteUrl ? "Invite link" : "One-time password";
  return (
    <section className={styles.secret} role="status" aria-label={label}>
      {secret.inviteUrl ? (
        <p>
          Account <strong>{secret.username}</strong> created. Send them this invite link (shown only now; it
          works once, for 7 days) to set their own password:
        </p>
      ) : (
        <p>
          {secret.why === "created" ? "Account " : "New password for "}
          <strong>{secret.username}</strong>
          {secret.why === "created" ? " created. Its password" : ""} (shown only now: pass it on, the user can
          sign in with it):
        </p>
      )}
      <p>
        <code data-testid="one-time-secret">{secret.inviteUrl ?? secret.password}</code>
      </p>
      <button type="button" onClick={onDismiss}>
        Done
      </button>
    </section>
  );
}

function UserTable({ meId, onSecret }: { meId: number; onSecret(s: OneTimeSecret): void }) {
  const [q, setQ] = useState("");
  const [offset, setOffset] = useState(0);
  const search = useDebounced(q.trim(), 250);
  const users = useUsersQuery({ q: search || undefined, limit: PAGE, offset });
  const setDisabled = useSetUserDisabled();
  const reset = useResetPassword();

  return (
    <section aria-labelledby="accounts">
      <h2 id="accounts">Accounts</h2>
      <search className="row wrap" aria-label="Search accounts">
        <SearchField
          label="Search accounts"
          value={q}
          onChange={(v) => {
            setQ(v);
            setOffset(0);
          }}
        />
      </search>
      <MutationError mutation={setDisabled} />
      <MutationError mutation={reset} />
      <QueryView query={users} errorTitle="Could not load the accounts">
        {({ users: list, total }) => (
          <>
            {list.length === 0 ? (
              <p className="muted">No account matches.</p>
            ) : (
              <table className={styles.table}>
                <thead>
                  <tr>
                    <th scope="col">Username</th>
                    <th scope="col">Name</th>
                    <th scope="col">Role</th>
                    <th scope="col">Status</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((u) => (
                    <UserRow
                      key={u.id}
                      user={u}
                      isMe={u.id === meId}
                      busy={setDisabled.isPending || reset.isPending}
                      onDisable={(disabled) => setDisabled.mutate({ id: u.id, disabled })}
                      onReset={() =>
                        reset.mutate(u.id, {
                          onSuccess: ({ password }) =>
                            onSecret({ username: u.username, password, why: "reset" }),
                        })
                      }
                    />
                  ))}
                </tbody>
              </table>
            )}
            <Pager
              of="accounts"
              offset={offset}
              limit={PAGE}
              shown={list.length}
              total={total}
              onOffset={setOffset}
            />
          </>
        )}
      </QueryView>
    </section>
  );
}

function UserRow(props: {
  user: AdminUserDto;
  isMe: boolean;
  busy: boolean;
  onDisable(disabled: boolean): void;
  onReset(): void;
}) {
  const { user: u, isMe, busy } = props;
  const disabled = u.disabledAt !== null;
  return (
    <tr aria-label={u.username}>
      <td>{u.username}</td>
      <td>{u.displayName}</td>
      <td>{u.isAdmin ? "Administrator" : "User"}</td>
      <td>
        {disabled ? (
          <span className={styles.disabled}>Disabled</span>
        ) : (
          <span>Active{isMe ? " (you)" : ""}</span>
        )}
      </td>
      <td>
        <div className={styles.actions}>
          {isMe ? null : (
            <button
              type="button"
              disabled={busy}
              aria-label={`${disabled ? "Enable" : "Disable"} ${u.username}`}
              onClick={() => props.onDisable(!disabled)}
            >
              {disabled ? "Enable" : "Disable"}
            </button>
          )}
          <button
            type="button"
            disabled={busy}
            aria-label={`Reset the password of ${u.username}`}
            onClick={() => {
              if (window.confirm(`Give ${u.username} a new password? Their sessions end.`)) props.onReset();
            }}
          >
            Reset password
          </button>
        </div>
      </td>
    </tr>
  );
}

function CreateUserForm({ onSecret }: { onSecret(s: OneTimeSecret): void }) {
  const create = useCreateUser();
  const [how, setHow] = useState<"password" | "invite">("password");
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    const body: CreateUserBody = { username: String(form.get("username") ?? "").trim() };
    const displayName = String(form.get("displayName") ?? "").trim();
    if (displayName) body.displayName = displayName;
    if (form.get("isAdmin") === "on") body.isAdmin = true;
    if (how === "invite") body.invite = true;
    create.mutate(body, {
      onSuccess: (user) => {
        formEl.reset();
        const inviteUrl = user.invite ? `${location.origin}/invite/${user.invite.token}` : undefined;
        if (user.password || inviteUrl) {
          onSecret({ username: user.username, password: user.password, inviteUrl, why: "created" });
        }
      },
    });
  };
  return (
    <section className="panel" aria-labelledby="new-account">
      <h2 id="new-account">New account</h2>
      <form onSubmit={onSubmit} className="stack">
        <label>
          Username
          <input name="username" required minLength={2} maxLength={64} autoComplete="off" />
        </label>
        <label>
          <span>
            Display name <span className="muted">(optional)</span>
          </span>
          <input name="displayName" maxLength={128} autoComplete="off" />
        </label>
        <label className="inline">
          <input type="checkbox" name="isAdmin" /> Administrator
        </label>
        <fieldset>
          <legend>Password</legend>
          <label className="inline">
            <input type="radio" name="how" checked={how === "password"} onChange={() => setHow("password")} />{" "}
            Generate one (shown once, for you to pass on)
          </label>
          <label className="inline">
            <input type="radio" name="how" checked={how === "invite"} onChange={() => setHow("invite")} />{" "}
            Invite link (the user sets their own)
          </label>
        </fieldset>
        <MutationError mutation={create} />
        <div>
          <button type="submit" className="primary" disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create account"}
          </button>
        </div>
      </form>
    </section>
  );
}
