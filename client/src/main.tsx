import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { config } from "zod/mini";
import { App } from "./App";
import { registerServiceWorker } from "./serviceWorker";
import "./styles/base.css";
import "./styles/pages.css";
import "./styles/workspace.css";

// zod would probe for eval (`new Function("")`) on first use to compile faster parsers; the app's CSP forbids
// eval, so the probe only logs a violation on every page. Parse without it.
config({ jitless: true });

registerServiceWorker();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
