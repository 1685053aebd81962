/**
 * Registers the service worker (client/public/sw.js: the app shell offline, issue 13 item 12) in a built
 * app, and hands it the build files this page loaded before it took control, so a reload offline finds
 * every one of them.
 */
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !("serviceWorker" in navigator)) return;
  window.addEventListener("load", () => {
    navigator.serviceWorker
      .register("/sw.js")
      .then(() => navigator.serviceWorker.ready)
      .then((registration) => {
        const urls = performance
          .getEntriesByType("resource")
          .map((e) => e.name)
          .filter(
            (name) =>
              new URL(name).origin === location.origin && new URL(name).pathname.startsWith("/assets/"),
          );
        registration.active?.postMessage({ type: "cache-assets", urls: [location.origin + "/", ...urls] });
      })
      .catch((err: unknown) => console.warn("service worker not registered", err));
  });
}
