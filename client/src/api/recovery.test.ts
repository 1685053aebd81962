import { QueryClient, QueryObserver } from "@tanstack/react-query";
import { expect, test, vi } from "vitest";
import { ApiError } from "./client";
import { isServerAway, watchServerRecovery } from "./recovery";

test("after a server-away failure the watcher probes until the server answers, then re-reads", async () => {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  let up = false;
  const queryFn = vi.fn(async () => {
    if (!up) throw new ApiError(0, "network", "Cannot reach the server.");
    return "data";
  });
  const probes: boolean[] = [];
  const stop = watchServerRecovery(
    client,
    async () => {
      probes.push(up);
      if (!up) throw new Error("still down");
    },
    { minDelayMs: 5, maxDelayMs: 20 },
  );
  const observer = new QueryObserver(client, { queryKey: ["page"], queryFn });
  const unsubscribe = observer.subscribe(() => {});
  await vi.waitFor(() => expect(observer.getCurrentResult().status).toBe("error"));
  await vi.waitFor(() => expect(probes.length).toBeGreaterThanOrEqual(2));
  up = true;
  await vi.waitFor(() => expect(observer.getCurrentResult().data).toBe("data"));
  expect(probes.at(-1)).toBe(true);
  unsubscribe();
  stop();
});

test("only a failure that says the server is away starts it (never a 4xx answer)", () => {
  expect(isServerAway(new ApiError(0, "network", "x"))).toBe(true);
  expect(isServerAway(new ApiError(503, "http_503", "x"))).toBe(true);
  expect(isServerAway(new ApiError(404, "not_found", "x"))).toBe(false);
  expect(isServerAway(new ApiError(401, "unauthorized", "x"))).toBe(false);
  expect(isServerAway(new Error("x"))).toBe(false);
});
