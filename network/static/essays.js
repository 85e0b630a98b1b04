/* The essay editor: a live word count, an autosave every few seconds while the text changes, and a copy
   of the text in this browser (localStorage) as a last resort. Without this script the editor still works:
   every press of "Save draft" or "Submit" saves on the server. */
(function () {
  "use strict";

  var form = document.getElementById("essay-form");
  if (!form || !form.getAttribute("data-autosave-url")) {
    return;
  }
  var url = form.getAttribute("data-autosave-url");
  var body = form.querySelector("textarea[name=body]");
  var title = form.querySelector("input[name=title]");
  var counter = document.getElementById("word-count");
  var status = document.getElementById("save-status");
  var storageKey = "peer-network-essay-" + form.getAttribute("data-essay-id");
  var locale = document.documentElement.lang || undefined;
  var INTERVAL = 5000;
  var changed = false;
  var saving = false;
  var stopped = false;
  var leaving = false;

  function message(name) {
    return form.getAttribute("data-msg-" + name) || "";
  }

  // The same rule as the server's count_words: runs of letters, digits and "_", joined by - or '.
  var wordPattern;
  try {
    wordPattern = new RegExp("[\\p{L}\\p{N}_]+(?:[-'][\\p{L}\\p{N}_]+)*", "gu");
  } catch (e) {
    wordPattern = /[A-Za-z0-9_\u00C0-\uFFFF]+(?:[-'][A-Za-z0-9_\u00C0-\uFFFF]+)*/g;
  }

  function countWords(text) {
    var found = text.match(wordPattern);
    return found ? found.length : 0;
  }

  function showCount() {
    if (!counter || !body) {
      return;
    }
    var n = countWords(body.value);
    // The page holds the text for each plural category of its language (data-one, data-few, data-other...).
    var category = n === 1 ? "one" : "other";
    try {
      category = new Intl.PluralRules(locale).select(n);
    } catch (e) { /* an old browser: one and other */ }
    var template = counter.getAttribute("data-" + category) || counter.getAttribute("data-other");
    if (template) {
      counter.textContent = template.replace("{n}", n.toLocaleString(locale));
    }
  }

  function setStatus(text, isProblem) {
    if (!status) {
      return;
    }
    status.textContent = text;
    status.classList.toggle("save-problem", Boolean(isProblem));
  }

  // --- the copy kept in this browser ---------------------------------------------------------------

  function keepLocally() {
    try {
      window.localStorage.setItem(storageKey, JSON.stringify({
        title: title ? title.value : "", body: body ? body.value : "", at: Date.now()
      }));
    } catch (e) { /* storage full or disabled: the server copy is all there is */ }
  }

  function forgetLocally() {
    try {
      window.localStorage.removeItem(storageKey);
    } catch (e) { /* nothing to forget */ }
  }

  function keptLocally() {
    try {
      var kept = JSON.parse(window.localStorage.getItem(storageKey) || "null");
      return kept && typeof kept.body === "string" ? kept : null;
    } catch (e) {
      return null;
    }
  }

  function offerLocalCopy() {
    var kept = keptLocally();
    if (!kept || !body) {
      return;
    }
    if (kept.body === body.value && (!title || kept.title === title.value)) {
      forgetLocally();
      return;
    }
    var box = document.createElement("div");
    box.className = "notice local-copy";
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", message("local"));
    var text = document.createElement("p");
    text.textContent = message("local");
    var restore = document.createElement("button");
    restore.type = "button";
    restore.className = "button";
    restore.textContent = message("restore");
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "button button-secondary";
    discard.textContent = message("discard");
    var actions = document.createElement("div");
    actions.className = "actions";
    actions.appendChild(restore);
    actions.appendChild(discard);
    box.appendChild(text);
    box.appendChild(actions);
    form.parentNode.insertBefore(box, form);
    restore.addEventListener("click", function () {
      body.value = kept.body;
      if (title && typeof kept.title === "string") {
        title.value = kept.title;
      }
      box.parentNode.removeChild(box);
      changed = true;
      showCount();
      body.focus();
    });
    discard.addEventListener("click", function () {
      forgetLocally();
      box.parentNode.removeChild(box);
      body.focus();
    });
  }

  // --- autosave ------------------------------------------------------------------------------------

  function showExpired(text, loginUrl) {
    setStatus(text || message("expired"), true);
    if (loginUrl && status && !status.querySelector("a")) {
      var link = document.createElement("a");
      link.href = loginUrl;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = message("login");
      status.appendChild(document.createTextNode(" "));
      status.appendChild(link);
    }
  }

  function save() {
    if (saving || stopped || !changed) {
      return;
    }
    saving = true;
    changed = false;
    keepLocally();
    var sent = body ? body.value : "";
    fetch(url, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: {"Accept": "application/json"}
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return {ok: response.ok, code: response.status, data: data};
      });
    }).then(function (result) {
      saving = false;
      if (result.ok) {
        setStatus(result.data.saved_label || "", false);
        if (!changed && body && body.value === sent) {
          forgetLocally();
        }
        return;
      }
      changed = true;  // not saved: try again, and keep the local copy
      keepLocally();
      if (result.code === 400 || result.code === 401) {
        stopped = true;  // the form's token or the session is gone: saving again cannot work
        showExpired(result.data.error, result.data.login_url);
      } else if (result.code === 403 || result.code === 404 || result.code === 409) {
        stopped = true;
        setStatus(result.data.error || message("failed"), true);
      } else {
        setStatus(result.data.error || message("failed"), true);
      }
    }).catch(function () {
      saving = false;
      changed = true;
      keepLocally();
      setStatus(message("offline"), true);
    });
  }

  form.addEventListener("input", function () {
    changed = true;
    showCount();
    keepLocally();
  });
  form.addEventListener("change", function () {
    changed = true;
  });
  form.addEventListener("submit", function () {
    leaving = true;  // the page's own buttons save; no second save, no warning
    stopped = true;
    keepLocally();
  });
  window.addEventListener("beforeunload", function (event) {
    if (changed && !leaving) {
      keepLocally();
      event.preventDefault();
      event.returnValue = "";
    }
  });

  window.setInterval(save, INTERVAL);
  showCount();
  offerLocalCopy();
})();
