/** The application: API, query cache and session providers around the router (routeTree.tsx). */
import { QueryClientProvider } from "@tanstack/react-query";
import type { RouterHistory } from "@tanstack/react-router";
import { RouterProvider } from "@tanstack/react-router";
import { useEffect, useState } from "react";
import type { Fetcher } from "./api/client";
import { ApiProvider } from "./api/context";
import { createQueryClient } from "./api/queryClient";
import { ServerRecovery } from "./api/recovery";
import { CurrentProjectProvider } from "./components/CurrentProject";
import { createAppRouter } from "./routeTree";
import { SessionProvider, useSession } from "./session";

/** The router, re-validated (auth redirects run again) whenever the session changes. */
function Routes({ history }: { history?: RouterHistory }) {
  const session = useSession();
  const [router] = useState(() => createAppRouter({ history }));
  const status = session.status;
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-run the guards when the status changes
  useEffect(() => {
    void router.invalidate();
  }, [router, status]);
  return <RouterProvider router={router} context={{ session: { status } }} />;
}

/** The whole app; `fetcher` replaces fetch and `history` the browser's history in component tests. */
export function App({ fetcher, history }: { fetcher?: Fetcher; history?: RouterHistory }) {
  const [queryClient] = useState(createQueryClient);
  return (
    <ApiProvider fetcher={fetcher}>
      <QueryClientProvider client={queryClient}>
        <ServerRecovery />
        <SessionProvider>
          <CurrentProjectProvider>
            <Routes history={history} />
          </CurrentProjectProvider>
        </SessionProvider>
      </QueryClientProvider>
    </ApiProvider>
  );
}
