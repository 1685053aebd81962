/**
 * The one way a page shows the outcome of a write, as QueryView does for reads: the server's error inline
 * (with the place it names: file, line, field), or a line saying it was done. A section with several
 * writes (labels, members, curation) shows the outcome of the one submitted last (`latestMutation`).
 */
import type { ReactNode } from "react";
import { ErrorMessage } from "./ErrorMessage";

/** What these components need of a write (a TanStack `useMutation` result fits). */
export interface MutationLike {
  status: "idle" | "pending" | "success" | "error";
  error: unknown;
  /** When it was last sent (0: never). */
  submittedAt: number;
}

/** The write of `mutations` sent last (the first when none was sent): its outcome is the section's. */
export function latestMutation<const M extends readonly [MutationLike, ...MutationLike[]]>(
  ...mutations: M
): M[number] {
  return mutations.reduce((a, b) => (b.submittedAt > a.submittedAt ? b : a));
}

/** The error of a failed write (nothing while it is idle, pending or done). */
export function MutationError(props: {
  mutation: MutationLike;
  /** The error's title (e.g. "Nothing was imported"). */
  title?: string;
  /** Errors the caller shows itself (e.g. a conflict with its own prompt). */
  ignoreError?(err: unknown): boolean;
}) {
  const { status, error } = props.mutation;
  if (status !== "error" || props.ignoreError?.(error)) return null;
  return <ErrorMessage error={error} title={props.title} />;
}

/** `children` once the write succeeded, as a status line (`inline`: beside a button). */
export function MutationDone(props: { mutation: MutationLike; inline?: boolean; children: ReactNode }) {
  if (props.mutation.status !== "success") return null;
  return props.inline ? (
    <span role="status" className="g-ok">
      {props.children}
    </span>
  ) : (
    <p role="status" className="g-ok">
      {props.children}
    </p>
  );
}
