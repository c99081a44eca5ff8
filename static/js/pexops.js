// pexops browser glue: live clocks, connection state, list sorting and filtering, and
// feedback for htmx requests. Everything shown here is set with textContent, never innerHTML:
// server fragments are the only HTML, and they are escaped by templ on the server.
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
    watchdog();
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

  // ---- Lists: sorting and filtering survive live pushes ----

  // A container with data-sort-key keeps its children ordered by their data-k-<key>
  // attribute; a control with data-sort-for="<container id>" chooses the key, one with
  // data-filter-for hides children whose data-filter does not contain the typed text.
  var descending = { participants: true, quality: true, size: true };

  function sortValue(el, key) {
    var v = el.getAttribute("data-k-" + key) || "";
    return key === "name" ? v.toLowerCase() : Number(v) || 0;
  }

  function arrange(container) {
    var key = container.getAttribute("data-sort-key");
    var ctl = document.querySelector('[data-sort-for="' + container.id + '"]');
    if (ctl && ctl.value) key = ctl.value;
    var items = Array.prototype.slice.call(container.children);
    if (key) {
      var dir = descending[key] ? -1 : 1;
      items.sort(function (a, b) {
        var x = sortValue(a, key), y = sortValue(b, key);
        if (x < y) return -dir;
        if (x > y) return dir;
        var na = sortValue(a, "name"), nb = sortValue(b, "name");
        return na < nb ? -1 : na > nb ? 1 : 0;
      });
      var inOrder = items.every(function (el, i) { return container.children[i] === el; });
      if (!inOrder) items.forEach(function (el) { container.appendChild(el); });
    }
    var filter = document.querySelector('[data-filter-for="' + container.id + '"]');
    var q = filter ? filter.value.trim().toLowerCase() : "";
    var shown = 0;
    items.forEach(function (el) {
      var hide = q !== "" && (el.getAttribute("data-filter") || "").indexOf(q) < 0;
      el.hidden = hide;
      if (!hide) shown++;
    });
    var count = document.querySelector('[data-count-for="' + container.id + '"]');
    if (count) count.textContent = q ? shown + " of " + items.length + " shown" : "";
  }

  function arrangeAll() {
    document.querySelectorAll("[data-sort-key]").forEach(arrange);
  }

  document.addEventListener("input", function (e) {
    var id = e.target.getAttribute && (e.target.getAttribute("data-filter-for") || e.target.getAttribute("data-sort-for"));
    if (id) { var c = document.getElementById(id); if (c) arrange(c); }
  });
  document.addEventListener("change", function (e) {
    var id = e.target.getAttribute && e.target.getAttribute("data-sort-for");
    if (id) { var c = document.getElementById(id); if (c) arrange(c); }
  });

  // ---- The page's one websocket ----

  // The server pushes at least every 10 s (a heartbeat of the data age); a socket silent for
  // much longer is dead even if the browser has not noticed (a laptop woke from sleep, a
  // NAT forgot the flow), so it is replaced.
  var SILENT_LIMIT = 35000;
  var current = null;   // the socket that last opened
  var wrapper = null;   // the ws extension's public interface for it
  var lastMessage = 0;

  function reconnect() {
    if (!wrapper) return;
    lastMessage = Date.now();
    banner("conn-banner", "Connection to pexops lost — reconnecting…");
    document.body.setAttribute("data-ws", "reconnecting");
    wrapper.reconnect();
  }

  function watchdog() {
    if (document.body.getAttribute("data-ws") === "open" && Date.now() - lastMessage > SILENT_LIMIT) {
      reconnect();
    }
  }

  document.addEventListener("htmx:wsOpen", function (e) {
    current = e.detail.event ? e.detail.event.target : null;
    wrapper = e.detail.socketWrapper || wrapper;
    lastMessage = Date.now();
    document.body.setAttribute("data-ws", "open");
    banner("conn-banner", "");
  });
  document.addEventListener("htmx:wsAfterMessage", function () {
    lastMessage = Date.now();
    arrangeAll();
    tick();
  });
  document.addEventListener("htmx:wsClose", function (e) {
    var ev = e.detail && e.detail.event;
    // A socket replaced by reconnect() closes after its successor opened: ignore it.
    if (ev && current && ev.target !== current) return;
    var code = ev ? ev.code : 0;
    document.body.setAttribute("data-ws", "closed");
    if (code === 1008) {
      var board = document.body.classList.contains("board");
      banner("conn-banner", board ? "This board link has been revoked. Ask an administrator for a new one."
        : "Your session has ended. Reload the page to sign in again.");
    } else {
      banner("conn-banner", "Connection to pexops lost — reconnecting…");
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") watchdog();
  });
  window.addEventListener("online", function () {
    if (document.body.getAttribute("data-ws") !== "open") reconnect();
  });

  document.addEventListener("DOMContentLoaded", function () {
    var serverNow = Number(document.body.getAttribute("data-server-now"));
    if (serverNow > 0) skew = serverNow - Date.now();
    arrangeAll();
    tick();
    setInterval(tick, 1000);
  });
  document.addEventListener("htmx:afterSwap", tick);
  document.addEventListener("htmx:oobAfterSwap", tick);

  // ---- Feedback for htmx requests ----

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
  document.addEventListener("toast", function (e) {
    if (e.detail) toast(String(e.detail.message || e.detail.value || ""), e.detail.kind);
  });
})();
