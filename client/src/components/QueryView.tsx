/**
 * The one way a page shows data it reads: the loading line until the first answer, the server's error
 * when there is nothing to show, else the data. Data already on screen stays there when a re-read fails
 * (offline, session gone): the page keeps working and says why elsewhere (the connection badge).
 */
import type { ReactNode } from "react";
import { ErrorMessage } from "./ErrorMessage";

/** What QueryView needs of a query (a TanStack `useQuery` result fits). */
export interface QueryLike<T> {
  data: T | undefined;
  error: unknown;
}

/** Renders `children(data)`, or the loading text, or the error (as a page with a heading when `heading`). */
export function QueryView<T>(props: {
  query: QueryLike<T>;
  children(data: T): ReactNode;
  /** A whole page: the error under this heading, the loading line as a page. */
  heading?: string;
  /** The error's title (e.g. "Could not load documents"). */
  errorTitle?: string;
  /** The loading line ("" for none). */
  loading?: string;
  /** Errors the caller shows itself, or hides (e.g. 404 for "no queue here"). */
  ignoreError?(err: unknown): boolean;
}) {
  const { data, error } = props.query;
  if (data !== undefined) return <>{props.children(data)}</>;
  if (error) {
    if (props.ignoreError?.(error)) return null;
    const message = <ErrorMessage error={error} title={props.errorTitle} />;
    return props.heading !== undefined ? (
      <div className="page">
        <h1>{props.heading}</h1>
        {message}
      </div>
    ) : (
      message
    );
  }
  const text = props.loading ?? "Loading…";
  if (!text) return null;
  return <p className={props.heading !== undefined ? "page muted" : "muted"}>{text}</p>;
}
