/**
 * Registers the service worker (client/public/sw.js: the app shell offline, issue 13 item 12) in a built
 * app, and hands it every build file this page loads — those loaded before it took control included (it
 * keeps what it does not have yet), so a reload offline finds each of them.
 */
const isBuildFile = (href: string) => {
  const url = new URL(href);
  return url.origin === location.origin && url.pathname.startsWith("/assets/");
};

export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !("serviceWorker" in navigator)) return;
  window.addEventListener("load", () => {
    navigator.serviceWorker
      .register("/sw.js")
      .then(() => navigator.serviceWorker.ready)
      .then((registration) => {
        const keep = (urls: string[]) => {
          if (urls.length) registration.active?.postMessage({ type: "cache-assets", urls });
        };
        keep([`${location.origin}/`]);
        // every resource entry, those before now (buffered) and each one to come (a page's chunk, loaded
        // when its route is entered)
        new PerformanceObserver((list) =>
          keep(
            list
              .getEntries()
              .map((e) => e.name)
              .filter(isBuildFile),
          ),
        ).observe({ type: "resource", buffered: true });
      })
      .catch((err: unknown) => console.warn("service worker not registered", err));
  });
}
