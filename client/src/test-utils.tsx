/** Component-test helpers (happy-dom): render into a fresh container with act(), find by text, click. */
import { act, type ReactNode } from "react";
import { createRoot, type Root } from "react-dom/client";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

export interface Rendered {
  container: HTMLElement;
  rerender(ui: ReactNode): Promise<void>;
  unmount(): Promise<void>;
}

/** Renders `ui` into a new element attached to the document. */
export async function render(ui: ReactNode): Promise<Rendered> {
  const container = document.createElement("div");
  document.body.appendChild(container);
  let root: Root | null = null;
  await act(async () => {
    root = createRoot(container);
    root.render(ui);
  });
  return {
    container,
    rerender: (next) => act(async () => root!.render(next)),
    unmount: async () => {
      await act(async () => root!.unmount());
      container.remove();
    },
  };
}

/** Clicks an element inside act(). */
export async function click(el: Element | null | undefined): Promise<void> {
  if (!el) throw new Error("click: no element");
  await act(async () => {
    (el as HTMLElement).click();
  });
}

/** Lets pending promises and effects settle. */
export async function flush(): Promise<void> {
  await act(async () => {
    await new Promise((r) => setTimeout(r, 0));
  });
}

/**
 * Lets promises and effects settle until `check` returns something truthy (until then it throws or returns a
 * falsy value: null, undefined, false); fails
 * with the last error after `timeout` ms. For what arrives asynchronously: lazily loaded pages, queries.
 */
export async function until(check: () => unknown, timeout = 5000): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    let failure: unknown;
    try {
      if (check()) return;
      failure = new Error(`until: still not true: ${check.toString()}`);
    } catch (err) {
      failure = err;
    }
    if (Date.now() > deadline) throw failure;
    await act(async () => {
      await new Promise((r) => setTimeout(r, 10));
    });
  }
}

/** The buttons (or links) whose text content contains `text`. */
export function byText<T extends Element = HTMLElement>(
  root: ParentNode,
  selector: string,
  text: string,
): T[] {
  return Array.from(root.querySelectorAll<T>(selector)).filter((el) => el.textContent?.includes(text));
}

/** A fetch stand-in answering from a table of `METHOD /path` → response; records every call. */
export function fakeFetch(routes: Record<string, (init: RequestInit) => Response | Promise<Response>>) {
  const calls: Array<{ method: string; url: string; init: RequestInit }> = [];
  const fetcher = async (url: string, init: RequestInit) => {
    const method = init.method ?? "GET";
    calls.push({ method, url, init });
    const handler = routes[`${method} ${url}`] ?? routes[`${method} ${url.split("?")[0]}`];
    if (!handler) return json(404, { error: { code: "not_found", message: `No route ${method} ${url}` } });
    return handler(init);
  };
  return { fetcher, calls };
}

/** A JSON response. */
export const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
