/** The administrator's account reads and writes (the Users page), over api/endpoints.ts. */
import type { CreateUserBody } from "@gloss/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../api/context";
import type { PageParams } from "../../api/endpoints";

const USERS = ["users"] as const;

/** A page of accounts; the previous page stays on screen while the next loads. */
export function useUsersQuery(filter: PageParams) {
  const api = useApi();
  return useQuery({
    queryKey: [...USERS, filter],
    queryFn: ({ signal }) => api.users.list(filter, { signal }),
    placeholderData: (previous) => previous,
  });
}

/** Creates an account: the list is stale. */
export function useCreateUser() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateUserBody) => api.users.create(body),
    onSuccess: () => client.invalidateQueries({ queryKey: USERS }),
  });
}

/** Disables or enables an account: the list is stale. */
export function useSetUserDisabled() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, disabled }: { id: number; disabled: boolean }) => api.users.setDisabled(id, disabled),
    onSuccess: () => client.invalidateQueries({ queryKey: USERS }),
  });
}

/** Resets an account's password (the new one is in the answer, once). */
export function useResetPassword() {
  const api = useApi();
  return useMutation({ mutationFn: (id: number) => api.users.resetPassword(id) });
}
