// pexops moderation: feedback for command buttons, the confirmation dialog, the selection of
// participants for bulk actions and the highlight of a dialled participant.
//
// A command's answer only says whether Pexip took it. The effect is confirmed when the live
// state shows it: the server names, in its answer, the element (a participant row, the
// conference head) and the data-* state to wait for, and every websocket push is checked
// against it. Rows are re-rendered by those pushes, so everything shown here is kept in a
// map by status key and applied again to the new elements. Text is set with textContent only.
(function () {
  "use strict";

  var cfg = window.pexopsModeration = window.pexopsModeration || {};
  // How long the live state may take to show a command's effect before the page says it
  // does not know. Tests lower it.
  if (!cfg.confirmMs) cfg.confirmMs = 10000;
  var keepMs = 6000; // how long "confirmed" stays on screen

  var states = {}; // status key -> {phase, text, el, expect, done, deadline, clearAt}
  var selected = {}; // participant id -> true, for bulk actions
  var highlight = new URLSearchParams(location.search).get("highlight");
  var highlightScrolled = false;

  function now() { return Date.now(); }

  // byKey finds the elements matching any of the comma-separated selectors for one key.
  function byKey(key, sel) {
    var attr = '[data-status-key="' + CSS.escape(key) + '"]';
    return document.querySelectorAll(sel.split(",").map(function (x) { return x.trim() + attr; }).join(","));
  }

  // apply shows one key's state on every element that displays it and sets its buttons.
  function apply(key) {
    var s = states[key];
    var busy = !!s && (s.phase === "pending" || s.phase === "sent");
    byKey(key, ".cmd-status, .cmd-result").forEach(function (el) {
      var base = el.classList.contains("cmd-result") ? "cmd-result" : "cmd-status";
      if (!s && base === "cmd-result") return; // an answer in the dialog keeps its last word
      el.textContent = s ? s.text : "";
      el.className = base + (s ? " " + s.phase : "");
      el.setAttribute("data-phase", s ? s.phase : "");
      if (s && (s.phase === "failed" || s.phase === "timeout")) el.setAttribute("role", "alert");
      else el.removeAttribute("role");
    });
    byKey(key, "button[data-cmd]").forEach(function (b) { b.disabled = busy; });
  }

  function set(key, s) {
    if (s) states[key] = s; else delete states[key];
    apply(key);
  }

  // matches reports whether the live page shows the expected state.
  function matches(s) {
    if (!s.expect) return true;
    var el = s.el ? document.getElementById(s.el) : null;
    if (s.expect === "gone") return !el;
    var i = s.expect.indexOf("=");
    return !!el && el.getAttribute(s.expect.slice(0, i)) === s.expect.slice(i + 1);
  }

  // check moves every waiting key on: confirmed when the state shows the effect, timed out
  // when it has not after confirmMs, cleared when "confirmed" has been read.
  function check() {
    var t = now();
    Object.keys(states).forEach(function (key) {
      var s = states[key];
      if (s.phase === "sent" && t > s.deadline) {
        // Only a state seen within the deadline confirms; later, the operator must look.
        set(key, { phase: "timeout", text: "Timed out — state unknown. Pexip took the command, but the live view did not show it in time; check before trying again." });
        return;
      }
      if ((s.phase === "sent" || s.phase === "uncertain") && s.expect && matches(s)) {
        var text = s.phase === "sent" ? "✓ " + (s.done || "Done")
          : "Pexip answered with an error, but the live state shows the change: " + (s.done || "done");
        set(key, { phase: "confirmed", text: text, confirmedIn: t - s.started, clearAt: t + keepMs });
        if (s.el && s.expect === "gone" && s.name) toast(s.done + ": " + s.name, "info");
        return;
      }
      if (s.phase === "confirmed" && t > s.clearAt) {
        set(key, null);
      } else {
        apply(key);
      }
    });
    applySelection();
    applyHighlight();
  }

  function toast(text, kind) {
    var el = document.getElementById("toast");
    if (!el) return;
    el.textContent = text;
    el.className = "toast " + (kind || "info");
    el.hidden = false;
    setTimeout(function () { el.hidden = true; }, 6000);
  }

  // parse reads a response without running anything in it (DOMParser documents are inert).
  function parse(html) {
    return html ? new DOMParser().parseFromString(html, "text/html") : null;
  }

  function record(o, started) {
    var key = o.getAttribute("data-status-key");
    var kind = o.getAttribute("data-outcome");
    if (!key) return;
    var s = {
      phase: kind, text: o.textContent.trim(), el: o.getAttribute("data-expect-el"),
      expect: o.getAttribute("data-expect"), done: o.getAttribute("data-done"),
      name: o.getAttribute("data-name"),
      started: started, deadline: now() + cfg.confirmMs
    };
    if (kind === "invalid") s = null; // the form says what to fix; nothing was sent
    else if (kind === "sent" && !s.expect) s = { phase: "confirmed", text: s.done || s.text, clearAt: now() + keepMs };
    set(key, s);
  }

  // Requests are followed by their XMLHttpRequest: when a push re-renders a row while its
  // command is in flight, htmx reports the answer on a parent, not on the (gone) button.
  var inflight = new WeakMap();

  document.addEventListener("htmx:beforeRequest", function (e) {
    var elt = e.detail.elt;
    if (!elt || !elt.hasAttribute("data-cmd") || !e.detail.xhr) return;
    var key = elt.getAttribute("data-status-key");
    inflight.set(e.detail.xhr, { key: key, started: now() });
    set(key, { phase: "pending", text: "Sending…", started: now(), deadline: Infinity });
  });

  document.addEventListener("htmx:afterRequest", function (e) {
    var xhr = e.detail.xhr;
    var req = xhr && inflight.get(xhr);
    if (!req) return;
    inflight.delete(xhr); // htmx repeats the event on a parent when the button is gone
    var doc = parse(xhr.responseText);
    var found = doc ? Array.prototype.slice.call(doc.querySelectorAll("[data-outcome]")) : [];
    found.forEach(function (o) { record(o, req.started); });
    if (!found.length) {
      // No command answer: the error page's message (a call that has ended, a role that does
      // not allow it, an expired session), or pexops did not answer at all.
      var msg = doc && doc.querySelector("[data-test=error-fragment], [role=alert]");
      var text = msg && msg.textContent.trim() ? msg.textContent.trim()
        : xhr.status ? "pexops refused the request (HTTP " + xhr.status + ")." : "pexops did not answer.";
      set(req.key, { phase: "failed", text: text });
    } else if (states[req.key] && states[req.key].phase === "pending") {
      set(req.key, null);
    }
    check();
  });

  document.addEventListener("htmx:timeout", function (e) {
    var req = e.detail.xhr && inflight.get(e.detail.xhr);
    if (!req) return;
    inflight.delete(e.detail.xhr);
    set(req.key, { phase: "timeout", text: "Timed out — state unknown; check before trying again." });
  });

  // The confirmation dialog: one <dialog> for the page, filled by the server's fragments.
  function dialog() {
    var d = document.getElementById("mod-dialog");
    if (d) return d;
    d = document.createElement("dialog");
    d.id = "mod-dialog";
    d.className = "panel";
    d.setAttribute("data-test", "mod-dialog");
    var close = document.createElement("button");
    close.type = "button";
    close.className = "dialog-close";
    close.setAttribute("data-mod-close", "");
    close.setAttribute("data-test", "dialog-close");
    close.setAttribute("aria-label", "Close");
    close.textContent = "×";
    d.appendChild(close);
    var body = document.createElement("div");
    body.id = "mod-dialog-body";
    d.appendChild(body);
    document.body.appendChild(d);
    return d;
  }

  document.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail.target && e.detail.target.id === "mod-dialog-body") {
      var d = dialog();
      if (!d.open) d.showModal();
      var first = d.querySelector("input[type=text]");
      if (first) first.focus();
    }
    check();
  });

  document.addEventListener("click", function (e) {
    var t = e.target;
    if (t.closest && t.closest("[data-mod-close]")) {
      dialog().close();
      return;
    }
    if (t.matches && t.matches("input.pick")) {
      if (t.checked) selected[t.value] = true; else delete selected[t.value];
    }
  });

  // The selection survives the re-rendering of rows.
  function applySelection() {
    document.querySelectorAll("input.pick").forEach(function (cb) {
      cb.checked = !!selected[cb.value];
    });
  }

  function applyHighlight() {
    if (!highlight) return;
    var row = document.querySelector('tr[data-participant-id="' + CSS.escape(highlight) + '"]');
    if (!row || row.getAttribute("data-highlighted") === "true") return;
    row.setAttribute("data-highlighted", "true");
    row.style.outline = "3px solid #e0a800";
    if (!highlightScrolled) {
      highlightScrolled = true;
      row.scrollIntoView({ block: "center" });
    }
  }

  // A dialog form submitted before htmx has processed the freshly swapped fragment would be
  // submitted natively, navigating away: hand it to htmx instead.
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (!f.hasAttribute || !f.hasAttribute("hx-post") || e.defaultPrevented) return;
    e.preventDefault();
    if (f.__handedOver) return; // htmx still did not take it: never loop
    f.__handedOver = true;
    htmx.process(f);
    htmx.trigger(f, "submit");
  });

  // A dial form is sent once: the submit button is disabled at the first submit.
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (!f.hasAttribute || !f.hasAttribute("data-once")) return;
    if (f.__sent) { e.preventDefault(); return; }
    f.__sent = true;
    f.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
  });

  document.addEventListener("htmx:wsAfterMessage", check);
  document.addEventListener("htmx:oobAfterSwap", function () { setTimeout(check, 0); });
  document.addEventListener("DOMContentLoaded", function () {
    dialog();
    check();
    setInterval(check, 250);
    // A dialled call that has not answered in two minutes is not coming: stop asking.
    var wait = document.querySelector("[data-wait-participant]");
    if (wait) {
      var since = Number(wait.getAttribute("data-wait-since"));
      var text = wait.querySelector("[data-test=dial-wait-text]");
      if (since > 0 && Date.now() - since > 120000) {
        if (text) text.textContent = "The call has not answered in two minutes. It may have been declined or failed; the call history has its record once it ends.";
      } else {
        setTimeout(function () { location.reload(); }, 2000);
      }
    }
  });

  // For tests and the measurement of click-to-confirmed times.
  cfg.state = function (key) { return states[key] || null; };
})();
