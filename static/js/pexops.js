// pexops browser glue: live clocks, connection state and feedback for htmx requests.
// Everything shown here is set with textContent, never innerHTML: server fragments are the only
// HTML, and they are escaped by templ on the server.
(function () {
  "use strict";

  // Reconnect quickly at first, never slower than every 10 s: a wall display must come back
  // by itself within seconds of the console returning.
  htmx.config.wsReconnectDelay = function (retry) {
    var max = Math.min(1000 * Math.pow(2, Math.min(retry, 4)), 10000);
    return max / 2 + (Math.random() * max) / 2;
  };

  function pad(n) { return n < 10 ? "0" + n : "" + n; }

  // duration formats a number of seconds as 42s, 12m 03s or 2h 05m.
  function duration(s) {
    s = Math.max(0, Math.floor(s));
    if (s < 60) return s + "s";
    var m = Math.floor(s / 60);
    if (m < 60) return m + "m " + pad(s % 60) + "s";
    return Math.floor(m / 60) + "h " + pad(m % 60) + "m";
  }

  // Times travel as Unix milliseconds, so every browser time zone computes the same elapsed
  // time; the server's own clock skew is corrected with the page's data-server-now.
  var skew = 0;
  function now() { return Date.now() + skew; }

  function tick() {
    var t = now();
    document.querySelectorAll("[data-since]").forEach(function (el) {
      var since = Number(el.getAttribute("data-since"));
      if (since > 0) el.textContent = duration((t - since) / 1000);
    });
    document.querySelectorAll("[data-age]").forEach(function (el) {
      var at = Number(el.getAttribute("data-age"));
      if (!(at > 0)) { el.textContent = "no data yet"; return; }
      var age = Math.max(0, Math.round((t - at) / 1000));
      el.textContent = "updated " + duration(age) + " ago";
      var limit = Number(el.getAttribute("data-stale-after") || 15);
      el.classList.toggle("old", age > limit);
    });
  }

  function banner(id, text) {
    var el = document.getElementById(id);
    if (!el) return;
    el.hidden = !text;
    if (text) el.textContent = text;
  }

  var toastTimer;
  function toast(text, kind) {
    var el = document.getElementById("toast");
    if (!el) return;
    el.textContent = text;
    el.className = "toast " + (kind || "info");
    el.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { el.hidden = true; }, 6000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var serverNow = Number(document.body.getAttribute("data-server-now"));
    if (serverNow > 0) skew = serverNow - Date.now();
    tick();
    setInterval(tick, 1000);
  });
  document.addEventListener("htmx:afterSwap", tick);
  document.addEventListener("htmx:oobAfterSwap", tick);

  document.addEventListener("htmx:wsOpen", function () {
    document.body.setAttribute("data-ws", "open");
    banner("conn-banner", "");
  });
  document.addEventListener("htmx:wsClose", function (e) {
    document.body.setAttribute("data-ws", "closed");
    var code = e.detail && e.detail.event ? e.detail.event.code : 0;
    if (code === 1008) {
      banner("conn-banner", "Your session has ended. Reload the page to sign in again.");
    } else {
      banner("conn-banner", "Connection to pexops lost — reconnecting…");
    }
  });

  // A request that fails without a fragment of its own still says so: a button never
  // silently does nothing (field report F13).
  document.addEventListener("htmx:afterRequest", function (e) {
    var xhr = e.detail.xhr;
    if (!xhr) return;
    if (xhr.status === 401 || xhr.status === 419) {
      banner("conn-banner", "Your session has expired. Reload the page to sign in again.");
    } else if (xhr.status === 0) {
      toast("pexops did not answer. Check the connection and try again.", "error");
    }
  });
  document.addEventListener("htmx:sendError", function () {
    toast("pexops did not answer. Check the connection and try again.", "error");
  });
  document.addEventListener("htmx:timeout", function () {
    toast("The request timed out. Nothing is known about its effect; check the live state.", "error");
  });
  document.body && document.body.addEventListener("toast", function (e) {
    toast(String(e.detail.value || e.detail.message || ""), e.detail.kind);
  });
  document.addEventListener("toast", function (e) {
    if (e.detail) toast(String(e.detail.message || e.detail.value || ""), e.detail.kind);
  });
})();
