/** The page of an invite link: the invitee sets their own password, and is signed in (issue 13 item 9). */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate, useParams } from "@tanstack/react-router";
import type { FormEvent } from "react";
import { useApi } from "../../api/context";
import { becomeUser } from "../../api/mutations";
import { MutationError } from "../../components/MutationStatus";
import { NewPasswordField } from "../../components/NewPasswordField";
import { QueryView } from "../../components/QueryView";
import { usePageTitle } from "../../components/usePageTitle";

/** /invite/$token. */
export function InvitePage() {
  usePageTitle("Set your password");
  const { token } = useParams({ strict: false }) as { token: string };
  const api = useApi();
  const client = useQueryClient();
  const navigate = useNavigate();
  const invite = useQuery({
    queryKey: ["invite", token],
    queryFn: ({ signal }) => api.auth.invite(token, { signal }),
    retry: false,
  });
  const accept = useMutation({
    mutationFn: (password: string) => api.auth.acceptInvite(token, { password }),
    onSuccess: (user) => {
      becomeUser(client, user);
      void navigate({ to: "/", replace: true });
    },
  });
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    accept.mutate(String(new FormData(e.currentTarget).get("password") ?? ""));
  };
  return (
    <section className="auth-card" aria-labelledby="invite-title">
      <h1 id="invite-title">Set your password</h1>
      <QueryView query={invite} errorTitle="This link cannot be used">
        {(i) => (
          <form onSubmit={onSubmit} className="stack">
            <p>
              Welcome, <strong>{i.displayName}</strong>. Choose the password you will sign in with as{" "}
              <strong>{i.username}</strong>.
            </p>
            <NewPasswordField ruleId="invite-password-rule" />
            <MutationError mutation={accept} />
            <button type="submit" className="primary" disabled={accept.isPending || accept.isSuccess}>
              {accept.isPending ? "Saving…" : "Set password and sign in"}
            </button>
          </form>
        )}
      </QueryView>
    </section>
  );
}
