/*
 * Gloss's service worker (issue 13 item 12): the app shell offline, so reloading a page without a network
 * opens the app, which then shows what it keeps on this device (the layers in IndexedDB, the last reads
 * of the session and of each opened document: client/src/api/offlineCopy.ts).
 *
 * - The page (every navigation: the SPA's index.html) is network-first: the server's answer whenever there
 *   is one, so a deploy is picked up on the next load; the last good copy only when the network fails.
 * - Build files (/assets/*, content-hashed names that never change) are cache-first; the page sends the
 *   ones it loaded before this worker took control ("cache-assets"), later ones are kept as they load.
 * - The API (/api/*) and the collaboration socket (/collab/*) are never touched: always the network.
 */
const CACHE = "gloss-shell-v1";
const SHELL = "/";

const isAsset = (url) => url.origin === self.location.origin && url.pathname.startsWith("/assets/");

self.addEventListener("install", (event) => {
  self.skipWaiting();
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.add(new Request(SHELL, { cache: "reload" })))
      .catch(() => undefined),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  const data = event.data;
  if (data && data.type === "cache-assets" && Array.isArray(data.urls)) {
    event.waitUntil(cacheAssets(data.urls));
  }
});

async function cacheAssets(urls) {
  const cache = await caches.open(CACHE);
  for (const href of urls) {
    const url = new URL(href, self.location.origin);
    if (!isAsset(url) || (await cache.match(url.href))) continue;
    try {
      const res = await fetch(url.href);
      if (res.ok) await cache.put(url.href, res);
    } catch {
      // offline already: nothing to keep
    }
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/collab")) return;
  if (request.mode === "navigate") event.respondWith(page(request));
  else if (isAsset(url)) event.respondWith(asset(request));
});

/** Network-first: the server's page (kept as the shell when it is the app's), else the kept shell. */
async function page(request) {
  const cache = await caches.open(CACHE);
  try {
    const res = await fetch(request);
    const type = res.headers.get("content-type") || "";
    if (res.ok && type.includes("text/html")) await cache.put(SHELL, res.clone());
    return res;
  } catch (err) {
    const kept = await cache.match(SHELL);
    if (kept) return kept;
    throw err;
  }
}

/** Cache-first for content-hashed build files. */
async function asset(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request);
  if (kept) return kept;
  const res = await fetch(request);
  if (res.ok) await cache.put(request, res.clone());
  return res;
}
