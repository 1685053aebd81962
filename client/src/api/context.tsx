/** The API endpoints through React context, so component tests can hand pages a fake fetcher. */
import { createContext, type ReactNode, useContext, useMemo } from "react";
import { createApi, type Fetcher } from "./client";
import { createEndpoints, type Endpoints } from "./endpoints";

const ApiContext = createContext<Endpoints | null>(null);

/** Provides the endpoints (built over `fetcher`, the browser's fetch by default). */
export function ApiProvider({ fetcher, children }: { fetcher?: Fetcher; children: ReactNode }) {
  const endpoints = useMemo(() => createEndpoints(createApi(fetcher)), [fetcher]);
  return <ApiContext.Provider value={endpoints}>{children}</ApiContext.Provider>;
}

/** The REST endpoints. */
export function useApi(): Endpoints {
  const api = useContext(ApiContext);
  if (!api) throw new Error("useApi outside <ApiProvider>");
  return api;
}
