// Web push on the notification settings page: subscribe this browser with the installation's
// VAPID key and hand the subscription to Tandem's API, or take it back. Loaded as a file: the
// Content-Security-Policy forbids inline scripts. The service worker (/sw.js) belongs to the
// PWA: tandem.js exposes its registration as window.tandemServiceWorker.
(function () {
  "use strict";
  var controls = document.getElementById("push-controls");
  if (!controls) return;
  var subscribeButton = document.getElementById("push-subscribe");
  var unsubscribeButton = document.getElementById("push-unsubscribe");
  var status = document.getElementById("push-status");

  function say(text) { status.textContent = text; }

  if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
    subscribeButton.disabled = true;
    say("This browser does not support push notifications.");
    return;
  }

  function registration() {
    if (window.tandemServiceWorker) return Promise.resolve(window.tandemServiceWorker);
    return navigator.serviceWorker.register("/sw.js");
  }

  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body),
    }).then(function (response) {
      if (!response.ok) throw new Error("Tandem answered " + response.status);
      return response;
    });
  }

  function applicationServerKey(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var key = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) key[i] = raw.charCodeAt(i);
    return key;
  }

  function show(subscribed) {
    subscribeButton.classList.toggle("d-none", subscribed);
    unsubscribeButton.classList.toggle("d-none", !subscribed);
  }

  registration().then(function (reg) {
    return reg.pushManager.getSubscription();
  }).then(function (subscription) { show(Boolean(subscription)); }).catch(function () {});

  subscribeButton.addEventListener("click", function () {
    say("Asking this browser…");
    registration().then(function (reg) {
      return reg.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: applicationServerKey(controls.dataset.vapidKey),
      });
    }).then(function (subscription) {
      var json = subscription.toJSON();
      return post(controls.dataset.subscribeUrl, { endpoint: json.endpoint, keys: json.keys });
    }).then(function () {
      show(true);
      say("Push notifications are on for this device.");
    }).catch(function (error) {
      say("Push could not be turned on: " + error.message);
    });
  });

  unsubscribeButton.addEventListener("click", function () {
    registration().then(function (reg) {
      return reg.pushManager.getSubscription();
    }).then(function (subscription) {
      if (!subscription) return null;
      var endpoint = subscription.endpoint;
      return subscription.unsubscribe().then(function () {
        return post(controls.dataset.unsubscribeUrl, { endpoint: endpoint });
      });
    }).then(function () {
      show(false);
      say("Push notifications are off for this device.");
    }).catch(function (error) {
      say("Push could not be turned off: " + error.message);
    });
  });
})();
