// Upload progress for forms that send files through htmx (the people import).
document.addEventListener("htmx:xhr:progress", function (event) {
  var bar = event.target.querySelector("[data-upload-progress]");
  if (!bar || !event.detail.lengthComputable) return;
  var percent = Math.round((event.detail.loaded / event.detail.total) * 100);
  bar.style.width = percent + "%";
  bar.setAttribute("aria-valuenow", String(percent));
  bar.textContent = percent < 100 ? percent + "% uploaded" : "Checking rows…";
});

// Behaviour that templates ask for with data- attributes: the Content-Security-Policy allows no
// inline script or on* handler attribute (tandem/core/csp.py).

// data-confirm="Question?" on a form or a submit button: ask before submitting. Runs in the
// capture phase, before htmx's own listeners, and stops the event when the answer is no.
function tandemConfirm(event, element) {
  if (element && !window.confirm(element.getAttribute("data-confirm"))) {
    event.preventDefault();
    event.stopPropagation();
  }
}
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-confirm], input[type=submit][data-confirm]");
  tandemConfirm(event, button);
}, true);
document.addEventListener("submit", function (event) {
  tandemConfirm(event, event.target.matches("form[data-confirm]") ? event.target : null);
}, true);

// data-submit-on-change on a field: submit its form when it changes (a checklist tick).
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field.hasAttribute("data-submit-on-change") && field.form) field.form.requestSubmit();
});

// data-select-on-focus on a read-only field: select its text to copy (a token, a feed URL).
document.addEventListener("focusin", function (event) {
  if (event.target.hasAttribute("data-select-on-focus")) event.target.select();
});

// --- The installable app (tandem/pwa) ------------------------------------------------------
// The service worker keeps the app's shell and the pair's pages a person opened (network
// first), so meeting mode opens with no signal. `window.tandemServiceWorker` is the promise of
// its registration, for the script that subscribes to web push.
window.tandemServiceWorker = (function () {
  var script = document.documentElement.getAttribute("data-service-worker");
  if (!("serviceWorker" in navigator) || !script) {
    var missing = Promise.reject(new Error("Service workers are not available here."));
    missing.catch(function () {});
    return missing;
  }
  var registered = navigator.serviceWorker.register(script, { scope: "/" });
  registered.catch(function () {});
  if (!navigator.serviceWorker.controller) {
    // This page loaded before the worker controlled it: ask the worker to keep it too.
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) registration.active.postMessage({ type: "remember", url: location.href });
    });
  }
  return registered;
})();

// Signing out forgets every kept page on this device (the worker also does when it sees the
// sign-in page), so the next person on a shared phone finds none of them.
document.addEventListener("submit", function (event) {
  if (!event.target.matches("form[data-forget-offline]")) return;
  if (navigator.serviceWorker && navigator.serviceWorker.controller) {
    navigator.serviceWorker.controller.postMessage({ type: "forget" });
  }
  if (window.caches) {
    caches.keys().then(function (names) {
      names.forEach(function (name) { if (name.indexOf("tandem-pages-") === 0) caches.delete(name); });
    });
  }
}, true);

// --- Meeting mode offline: captures wait in IndexedDB and are sent when the signal returns ---
// A form marked data-offline-queue="action" or "notes" is queued instead of sent when the
// device is offline (or the request cannot reach the server). Each queued capture carries
// the person's offline key (only they sync it), the form's address and fields; an action has
// a client key, so sending it twice saves it once; notes carry the version they started from,
// so a change the partner made meanwhile is shown beside them rather than overwritten.
var tandemOffline = (function () {
  var STORE = "captures";

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open("tandem-offline", 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(STORE, mode);
        var result = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () { resolve(result && result.result); };
        transaction.onerror = function () { reject(transaction.error); };
      });
    });
  }

  function all() { return run("readonly", function (store) { return store.getAll(); }); }
  function add(entry) { return run("readwrite", function (store) { return store.add(entry); }); }
  function remove(id) { return run("readwrite", function (store) { return store.delete(id); }); }

  function pageKey() {
    var holder = document.querySelector("[data-offline-key]");
    return holder ? holder.getAttribute("data-offline-key") : null;
  }

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (error) { return ""; }
  }

  function formFor(url) {
    return document.querySelector("form[data-offline-queue][action='" + url + "']");
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
      return (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16);
    });
  }

  function fields(form) {
    var values = {};
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken") values[name] = String(value);
    });
    return values;
  }

  // Shows this page's waiting captures: actions in the list, notes in their box.
  function show() {
    var key = pageKey();
    if (!key) return Promise.resolve();
    return all().then(function (entries) {
      document.querySelectorAll("[data-pending-capture]").forEach(function (item) { item.remove(); });
      entries.forEach(function (entry) {
        var form = entry.key === key && formFor(entry.url);
        if (!form) return;
        var section = form.closest("section");
        if (entry.kind === "action") {
          var item = document.createElement("li");
          item.className = "py-1 border-bottom";
          item.setAttribute("data-pending-capture", "");
          item.textContent = entry.fields.title + " ";
          var badge = document.createElement("span");
          badge.className = "badge text-bg-warning";
          badge.textContent = "waiting to sync";
          item.appendChild(badge);
          section.querySelector("[data-offline-list]").appendChild(item);
        } else {
          form.querySelector("textarea[name=notes]").value = entry.fields.notes;
          var note = section.querySelector("[data-offline-pending]");
          note.hidden = false;
          note.textContent = "Your notes are kept on this device, waiting to sync.";
        }
      });
    });
  }

  function queue(form) {
    var key = pageKey();
    if (!key) return Promise.resolve();
    var entry = { kind: form.getAttribute("data-offline-queue"), url: form.getAttribute("action"), key: key, fields: fields(form) };
    var replaced = Promise.resolve();
    if (entry.kind === "notes") {
      // Only the latest text of a meeting's notes waits (from the version the page showed).
      replaced = all().then(function (entries) {
        return Promise.all(entries.filter(function (old) {
          return old.kind === "notes" && old.url === entry.url && old.key === key;
        }).map(function (old) { return remove(old.id); }));
      });
    } else {
      form.querySelector("input[name=title]").value = "";
      form.querySelector("input[name=client_key]").value = "";
    }
    return replaced.then(function () { return add(entry); }).then(show);
  }

  var syncing = false;
  // Sends this person's waiting captures for the forms on this page, oldest first; each answer
  // replaces its section, as an online capture's does. Stops at the first that cannot be sent.
  function sync() {
    var key = pageKey();
    if (!key || syncing || !navigator.onLine) return Promise.resolve();
    syncing = true;
    return all().then(function (entries) {
      var mine = entries.filter(function (entry) { return entry.key === key && formFor(entry.url); });
      return mine.reduce(function (previous, entry) {
        return previous.then(function (going) {
          if (!going) return false;
          var body = new FormData();
          Object.keys(entry.fields).forEach(function (name) { body.append(name, entry.fields[name]); });
          return fetch(entry.url, {
            method: "POST",
            body: body,
            credentials: "same-origin",
            headers: { "HX-Request": "true", "X-CSRFToken": csrfToken() },
          }).then(function (response) {
            if (!response.ok) return false;
            return response.text().then(function (html) {
              var target = formFor(entry.url).closest("section").parentElement;
              target.innerHTML = html;
              if (window.htmx) htmx.process(target);
              return remove(entry.id).then(function () { return true; });
            });
          });
        });
      }, Promise.resolve(true));
    }).catch(function () {}).then(function () {
      syncing = false;
      return show();
    });
  }

  return { queue: queue, show: show, sync: sync, newKey: newKey };
})();

// Every capture gets its client key before htmx reads the form.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches("form[data-offline-queue=action]")) return;
  var key = form.querySelector("input[name=client_key]");
  if (key && !key.value) key.value = tandemOffline.newKey();
}, true);

// Offline: queue instead of sending. Also when a request could not reach the server.
document.addEventListener("htmx:beforeRequest", function (event) {
  var form = event.detail.elt;
  if (navigator.onLine || !form.matches || !form.matches("form[data-offline-queue]")) return;
  event.preventDefault();
  tandemOffline.queue(form);
});
document.addEventListener("htmx:sendError", function (event) {
  var form = event.detail.elt;
  if (form.matches && form.matches("form[data-offline-queue]")) tandemOffline.queue(form);
});
document.addEventListener("htmx:afterSwap", function () { tandemOffline.show(); });
window.addEventListener("online", function () { tandemOffline.sync(); });
document.addEventListener("DOMContentLoaded", function () {
  tandemOffline.show().then(tandemOffline.sync);
});

// SAML: the identity provider's response arrived cross-site (without the session cookie);
// post it again from Tandem's own page, where the cookie travels (tandem/sso/views.py).
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-auto-submit]");
  if (form) form.submit();
});

// A table wider than the screen scrolls sideways inside its .table-responsive wrapper; keyboard
// users can scroll it only once the wrapper takes the focus (WCAG 2.1.1), so a wrapper that
// overflows gets a tab stop and one that fits has none (no empty stops on a laptop).
function tandemScrollers(root) {
  (root || document).querySelectorAll(".table-responsive").forEach(function (wrapper) {
    if (wrapper.scrollWidth > wrapper.clientWidth) wrapper.setAttribute("tabindex", "0");
    else wrapper.removeAttribute("tabindex");
  });
}
document.addEventListener("DOMContentLoaded", function () { tandemScrollers(); });
document.addEventListener("htmx:afterSettle", function () { tandemScrollers(); });
window.addEventListener("resize", function () { tandemScrollers(); });
