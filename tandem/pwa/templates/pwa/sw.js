// Tandem's service worker, rendered by tandem/pwa/views.py (version, shell list, paths).
"use strict";
const VERSION = "__VERSION__";
const SHELL = {{ shell_json|safe }};
const LOGIN_PATH = {{ login_path_json|safe }};
const OFFLINE_PATH = {{ offline_path_json|safe }};
const ICON = {{ icon_json|safe }};
{% verbatim %}
const SHELL_CACHE = "tandem-shell-" + VERSION;
// One cache of pages per person (named by their offline key, tandem/pwa/offline.py): a
// different person, or signing out, drops every other person's pages.
const PAGES_PREFIX = "tandem-pages-";
const META_CACHE = "tandem-meta";
const KEY_ENTRY = "/__tandem-offline-key";
const KEEP_HEADER = "Tandem-Offline";

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL_CACHE)
      .then(function (cache) { return cache.addAll(SHELL); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (names) {
        return Promise.all(names
          .filter(function (name) { return name.startsWith("tandem-shell-") && name !== SHELL_CACHE; })
          .map(function (name) { return caches.delete(name); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

async function currentKey() {
  const meta = await caches.open(META_CACHE);
  const entry = await meta.match(KEY_ENTRY);
  return entry ? entry.text() : null;
}

async function forgetPages(exceptKey) {
  const names = await caches.keys();
  await Promise.all(names
    .filter(function (name) { return name.startsWith(PAGES_PREFIX) && name !== PAGES_PREFIX + exceptKey; })
    .map(function (name) { return caches.delete(name); }));
}

async function forgetEveryone() {
  await forgetPages(null);
  const meta = await caches.open(META_CACHE);
  await meta.delete(KEY_ENTRY);
}

// Stores a page the server marked as kept offline, under its person's key.
async function keep(url, response) {
  const key = response.headers.get(KEEP_HEADER);
  if (!response.ok || !key) return;
  if ((await currentKey()) !== key) {
    await forgetPages(key);
    const meta = await caches.open(META_CACHE);
    await meta.put(KEY_ENTRY, new Response(key));
  }
  const pages = await caches.open(PAGES_PREFIX + key);
  await pages.put(url, response);
}

async function kept(url) {
  const key = await currentKey();
  if (!key || !(await caches.has(PAGES_PREFIX + key))) return undefined;
  const pages = await caches.open(PAGES_PREFIX + key);
  // Django varies pages on the cookie, which a worker's requests never show: ignore it.
  return pages.match(url, { ignoreVary: true });
}

// Pages: the network first, so a person always sees the latest; their kept copy, or the
// offline page, when there is no signal.
async function navigate(request) {
  const url = request.url.split("#")[0];
  try {
    const response = await fetch(request);
    if (new URL(response.url || url).pathname === LOGIN_PATH) {
      await forgetEveryone(); // signed out (or the session ended): nobody's pages stay
    } else {
      await keep(url, response.clone());
    }
    return response;
  } catch (error) {
    const copy = await kept(url);
    if (copy) return copy;
    const offline = await caches.match(OFFLINE_PATH, { ignoreVary: true });
    return offline || Response.error();
  }
}

self.addEventListener("fetch", function (event) {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(navigate(request));
  } else if (SHELL.indexOf(url.pathname) !== -1) {
    event.respondWith(
      caches.match(request, { ignoreVary: true }).then(function (hit) { return hit || fetch(request); })
    );
  }
});

self.addEventListener("message", function (event) {
  const message = event.data || {};
  if (message.type === "remember" && typeof message.url === "string") {
    // The first page a person opens loads before the worker controls it: fetch it again so
    // the page they are on is kept too.
    const url = new URL(message.url, self.location.origin);
    if (url.origin !== self.location.origin) return;
    const address = url.href.split("#")[0];
    event.waitUntil(
      fetch(address, { credentials: "same-origin" })
        .then(function (response) { return keep(address, response); })
        .catch(function () { return undefined; })
    );
  } else if (message.type === "forget") {
    event.waitUntil(forgetEveryone());
  }
});

// Web push (the notifications' channel owns subscribing): show what the server sent.
self.addEventListener("push", function (event) {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = { title: "Tandem", body: event.data.text() };
  }
  event.waitUntil(self.registration.showNotification(data.title || "Tandem", {
    body: data.body,
    data: { url: data.url },
    tag: data.tag,
    icon: ICON,
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  const wanted = (event.notification.data && event.notification.data.url) || "/";
  let target = new URL(wanted, self.location.origin);
  if (target.origin !== self.location.origin) target = new URL("/", self.location.origin);
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
      for (const client of windows) {
        if (client.url === target.href && "focus" in client) return client.focus();
      }
      return self.clients.openWindow(target.href);
    })
  );
});
{% endverbatim %}
