/*
 * Session time-out warning and form drafts (docs/security.md).
 *
 * Drafts: every form marked data-draft, and every POST form with a textarea (unless marked
 * data-no-draft), is saved to sessionStorage as it is typed, under the page's path and the
 * form's id.  It is restored when the page is shown again (after signing in again, say), and
 * cleared once the form was submitted and a signed-in page followed.  Explicit sign-out
 * clears every draft.  Passwords, hidden fields, files and one-time codes are never saved.
 *
 * Time-out: the server signs a session out after data-idle-seconds without a request
 * (accounts/session_middleware.py).  data-warning-seconds before that, the page asks the
 * server how long is really left (other tabs count too; the check itself does not), and
 * shows a dialog with a countdown and "Stay signed in".  When the time is up the page reloads,
 * and the server sends it to sign-in with ?next= back here.
 */
(function () {
  "use strict";

  var DRAFT_PREFIX = "wraparound-draft:";
  var SUBMITTED = "wraparound-draft-submitted";
  var SKIPPED_TYPES = ["password", "hidden", "file", "submit", "button", "reset", "image"];

  var dialog = document.getElementById("session-timeout");
  var signedIn = dialog !== null;

  function storage() {
    try {
      return window.sessionStorage;
    } catch (error) {
      return null;
    }
  }

  // ---- Drafts ------------------------------------------------------------------------------

  function draftForms() {
    return Array.prototype.filter.call(document.forms, function (form) {
      if (form.hasAttribute("data-no-draft")) return false;
      if (form.hasAttribute("data-draft")) return true;
      return (form.getAttribute("method") || "get").toLowerCase() === "post" && form.querySelector("textarea") !== null;
    });
  }

  function draftKey(form) {
    var index = Array.prototype.indexOf.call(document.forms, form);
    return DRAFT_PREFIX + window.location.pathname + "#" + (form.id || "form-" + index);
  }

  function savable(field) {
    if (!field.name || field.disabled) return false;
    if (field.hasAttribute("data-draft-ignore") || field.getAttribute("autocomplete") === "one-time-code") return false;
    if (field.name === "csrfmiddlewaretoken") return false;
    return SKIPPED_TYPES.indexOf((field.type || "").toLowerCase()) === -1;
  }

  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, savable);
  }

  function collect(form) {
    return fieldsOf(form).map(function (field) {
      if (field.type === "checkbox" || field.type === "radio") return { name: field.name, checked: field.checked };
      if (field.tagName === "SELECT" && field.multiple) {
        return {
          name: field.name,
          selected: Array.prototype.filter.call(field.options, function (o) { return o.selected; })
            .map(function (o) { return o.value; })
        };
      }
      return { name: field.name, value: field.value };
    });
  }

  function hasContent(values) {
    return values.some(function (entry) {
      return (entry.value && entry.value.trim() !== "") || entry.checked === true ||
        (entry.selected && entry.selected.length > 0);
    });
  }

  function save(form) {
    var store = storage();
    if (!store) return;
    var values = collect(form);
    try {
      if (hasContent(values)) store.setItem(draftKey(form), JSON.stringify({ fields: values }));
      else store.removeItem(draftKey(form));
    } catch (error) {
      /* storage full or refused: the form still works */
    }
  }

  function apply(form, values) {
    var fields = fieldsOf(form);
    var changed = false;
    values.forEach(function (entry, position) {
      var field = fields[position];
      if (!field || field.name !== entry.name) return;
      if ("checked" in entry) {
        if (field.checked !== entry.checked) { field.checked = entry.checked; changed = true; }
      } else if (entry.selected) {
        Array.prototype.forEach.call(field.options, function (option) {
          option.selected = entry.selected.indexOf(option.value) !== -1;
        });
        changed = true;
      } else if (field.value !== entry.value) {
        field.value = entry.value;
        changed = true;
      }
    });
    return changed;
  }

  function showRestored(form) {
    var template = document.getElementById("draft-restored");
    if (!template || !template.content) return;
    var notice = template.content.firstElementChild.cloneNode(true);
    var discard = notice.querySelector("[data-draft-discard]");
    if (discard) {
      discard.addEventListener("click", function () {
        var store = storage();
        if (store) store.removeItem(draftKey(form));
        form.reset();
        notice.remove();
      });
    }
    form.parentNode.insertBefore(notice, form);
  }

  function restore(form) {
    var store = storage();
    if (!store) return;
    var saved = store.getItem(draftKey(form));
    if (!saved) return;
    try {
      var draft = JSON.parse(saved);
      if (draft && Array.isArray(draft.fields) && apply(form, draft.fields)) showRestored(form);
    } catch (error) {
      store.removeItem(draftKey(form));
    }
  }

  function clearAllDrafts() {
    var store = storage();
    if (!store) return;
    for (var i = store.length - 1; i >= 0; i--) {
      var key = store.key(i);
      if (key && (key.indexOf(DRAFT_PREFIX) === 0 || key === SUBMITTED)) store.removeItem(key);
    }
  }

  // A form was submitted on the page before this one.  If this page is signed in, the
  // submission reached the server: its draft is done.  If it is the sign-in page, the
  // session had ended: keep the draft for when the form's page is shown again.
  function settleSubmitted() {
    var store = storage();
    if (!store) return;
    var submitted = store.getItem(SUBMITTED);
    if (!submitted) return;
    store.removeItem(SUBMITTED);
    if (signedIn) store.removeItem(submitted);
  }

  function isSignOut(form) {
    var logoutUrl = dialog ? dialog.getAttribute("data-logout-url") : null;
    var action = form.getAttribute("action") || "";
    return form.classList.contains("topbar__signout") || (logoutUrl !== null && action === logoutUrl);
  }

  function watchDrafts() {
    settleSubmitted();
    draftForms().forEach(function (form) {
      restore(form);
      form.addEventListener("input", function () { save(form); });
      form.addEventListener("change", function () { save(form); });
      form.addEventListener("submit", function () {
        save(form);
        var store = storage();
        if (store) store.setItem(SUBMITTED, draftKey(form));
      });
    });
    Array.prototype.forEach.call(document.forms, function (form) {
      if (isSignOut(form)) form.addEventListener("submit", clearAllDrafts);
    });
  }

  // ---- Time-out warning --------------------------------------------------------------------

  function watchSession() {
    if (!dialog) return;
    var idleSeconds = Number(dialog.getAttribute("data-idle-seconds")) || 900;
    var warningSeconds = Number(dialog.getAttribute("data-warning-seconds")) || 120;
    var statusUrl = dialog.getAttribute("data-status-url");
    var keepAliveUrl = dialog.getAttribute("data-keep-alive-url");
    var stayForm = dialog.querySelector(".session-timeout__stay");
    var countdown = dialog.querySelector("[data-countdown]");
    // Typing or clicking this recently before the warning counts as being here.
    var presentWithinMs = Math.min(60, warningSeconds / 4) * 1000;
    var lastInput = 0;
    var timer = null;
    var ticker = null;
    var deadline = 0;

    function schedule(seconds) {
      window.clearTimeout(timer);
      timer = window.setTimeout(check, Math.max(0, seconds) * 1000);
    }

    function fromServerContact() {
      schedule(idleSeconds - warningSeconds);
    }

    function expire() {
      window.clearTimeout(timer);
      window.clearInterval(ticker);
      // A plain GET of this page: the server sends it to sign-in with ?next= back here.
      window.location.assign(window.location.href);
    }

    function status() {
      return fetch(statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (response.status === 401) return { signed_in: false };
          return response.json();
        });
    }

    function check() {
      status().then(function (state) {
        if (!state.signed_in) return expire();
        var remaining = Number(state.idle_remaining);
        if (remaining > warningSeconds + 1) {
          hideWarning();
          return schedule(remaining - warningSeconds);
        }
        if (Date.now() - lastInput < presentWithinMs) return keepAlive();
        showWarning(remaining);
      }).catch(function () {
        schedule(5);
      });
    }

    function format(seconds) {
      var minutes = Math.floor(seconds / 60);
      var rest = seconds % 60;
      return minutes + ":" + (rest < 10 ? "0" : "") + rest;
    }

    function tick() {
      var left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      if (countdown) countdown.textContent = format(left);
      if (left <= 0) {
        window.clearInterval(ticker);
        // One last look: another tab may have kept the session alive.
        window.setTimeout(check, 1000);
      }
    }

    function showWarning(remaining) {
      deadline = Date.now() + remaining * 1000;
      window.clearInterval(ticker);
      ticker = window.setInterval(tick, 1000);
      tick();
      if (!dialog.open) {
        if (typeof dialog.showModal === "function") dialog.showModal();
        else dialog.setAttribute("open", "");
      }
    }

    function hideWarning() {
      window.clearInterval(ticker);
      if (dialog.open) {
        if (typeof dialog.close === "function") dialog.close();
        else dialog.removeAttribute("open");
      }
    }

    function keepAlive() {
      return fetch(keepAliveUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        body: new FormData(stayForm)
      }).then(function (response) {
        if (response.status === 401) return expire();
        if (!response.ok) throw new Error("keep-alive failed");
        hideWarning();
        fromServerContact();
      }).catch(function () {
        schedule(5);
      });
    }

    stayForm.addEventListener("submit", function (event) {
      event.preventDefault();
      keepAlive();
    });
    dialog.addEventListener("cancel", function (event) {
      // Escape means "I am here".
      event.preventDefault();
      keepAlive();
    });
    ["keydown", "pointerdown", "input"].forEach(function (name) {
      document.addEventListener(name, function () { lastInput = Date.now(); }, { passive: true, capture: true });
    });
    // htmx requests reach the server, which counts them as activity.
    document.addEventListener("htmx:afterRequest", function () {
      if (!dialog.open) fromServerContact();
    });
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) check();
    });
    fromServerContact();
  }

  function start() {
    watchDrafts();
    watchSession();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
