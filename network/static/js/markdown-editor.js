/* Markdown text areas (textarea[data-markdown]): a formatting toolbar (bold, italic, heading, list, link,
   quote; Ctrl+B, Ctrl+I, Ctrl+K in the text) and a "Write / Preview" switch whose preview the server renders
   with the site's one sanitiser (POST /markdown/preview), as the page will show the text. Without this script
   the text area is there and works as it is. Words come from this script's data-msg-* attributes
   (templates/_writing_scripts.html), in the reader's language. */
(function () {
  "use strict";

  var script = document.currentScript;
  var probe = document.createElement("textarea");
  if (!script || !("setRangeText" in probe) || !window.FormData) {
    return;
  }
  var previewUrl = script.getAttribute("data-preview-url");
  var ACTIONS = [
    { name: "bold", wrap: "**", key: "b" },
    { name: "italic", wrap: "*", key: "i" },
    { name: "heading", prefix: "# ", documentsOnly: true },
    { name: "list", prefix: "- " },
    { name: "link", key: "k" },
    { name: "quote", prefix: "> " }
  ];
  var made = 0;

  function text(name) {
    return script.getAttribute("data-msg-" + name) || name;
  }

  function element(tag, attributes, content) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (content) { node.textContent = content; }
    return node;
  }

  // Replace a part of the text as typing would (the browser's undo keeps it), then select [from, to).
  function replace(area, start, end, value, from, to) {
    area.focus();
    area.setSelectionRange(start, end);
    var typed = false;
    try { typed = document.execCommand("insertText", false, value); } catch (e) { typed = false; }
    if (!typed || area.value.slice(start, start + value.length) !== value) {
      area.setRangeText(value, start, end, "end");
      area.dispatchEvent(new Event("input", { bubbles: true }));  // autosave and word counts listen
    }
    area.setSelectionRange(from, to);
  }

  // The chosen words without the spaces around them (those stay outside the markers: "**word** ", never
  // "**word **"), or the caret when nothing but spaces is chosen.
  function chosenWords(area) {
    var raw = area.value.slice(area.selectionStart, area.selectionEnd), words = raw.trim();
    var start = words ? area.selectionStart + raw.indexOf(words) : area.selectionEnd;
    return { start: start, end: start + words.length, words: words };
  }

  function wrap(area, marker, sample) {
    var chosen = chosenWords(area), inner = chosen.words || sample, from = chosen.start + marker.length;
    replace(area, chosen.start, chosen.end, marker + inner + marker, from, from + inner.length);
  }

  function prefixLines(area, prefix, sample) {
    var value = area.value, start = area.selectionStart, end = area.selectionEnd;
    var first = value.lastIndexOf("\n", start - 1) + 1;
    var last = value.indexOf("\n", end > start && value.charAt(end - 1) === "\n" ? end - 1 : end);
    if (last < 0) { last = value.length; }
    var block = value.slice(first, last);
    var before = value.slice(0, first).replace(/\n$/, "");
    var previous = before.slice(before.lastIndexOf("\n") + 1);
    // Markdown starts a list, a quote or a heading after an empty line, unless one of the same kind is above.
    var gap = previous.trim() && previous.indexOf(prefix) !== 0 ? "\n" : "";
    if (!block.trim()) {
      replace(area, first, last, gap + prefix + sample, first + gap.length + prefix.length,
              first + gap.length + prefix.length + sample.length);
      return;
    }
    var lines = block.split("\n").map(function (line) { return line.trim() ? prefix + line : line; }).join("\n");
    replace(area, first, last, gap + lines, first + gap.length, first + gap.length + lines.length);
  }

  function link(area, sample) {
    var chosen = chosenWords(area), start = chosen.start, words = chosen.words;
    if (/^https?:\/\/\S+$/.test(words)) {  // an address chosen: type the words that show it
      replace(area, start, chosen.end, "[" + sample + "](" + words + ")", start + 1, start + 1 + sample.length);
    } else if (words) {  // words chosen: type the address
      replace(area, start, chosen.end, "[" + words + "](https://)", start + words.length + 3, start + words.length + 11);
    } else {
      replace(area, start, start, "[" + sample + "](https://)", start + 1, start + 1 + sample.length);
    }
  }

  function act(area, action) {
    var sample = text(action.name + "-sample");
    if (action.wrap) { wrap(area, action.wrap, sample); } else if (action.prefix) {
      prefixLines(area, action.prefix, sample);
    } else { link(area, sample); }
  }

  // Arrow keys, Home and End move between the items of a toolbar or a tab list; one of them is in the Tab order.
  function roving(items, onMove) {
    items.forEach(function (item, n) {
      item.tabIndex = n === 0 ? 0 : -1;
      item.addEventListener("keydown", function (event) {
        var to = { ArrowRight: n + 1, ArrowLeft: n - 1, Home: 0, End: items.length - 1 }[event.key];
        if (to === undefined) { return; }
        event.preventDefault();
        to = (to + items.length) % items.length;
        items.forEach(function (other, m) { other.tabIndex = m === to ? 0 : -1; });
        items[to].focus();
        if (onMove) { onMove(items[to]); }
      });
    });
  }

  function enhance(area) {
    var kind = area.getAttribute("data-markdown") === "comment" ? "comment" : "document";
    var id = area.id || (area.id = "markdown-" + (made + 1));
    made += 1;
    var editor = element("div", { "class": "md-editor" });
    var write = element("div", { "class": "md-write" });
    var toolbar = element("div", { role: "toolbar", "class": "md-toolbar", "aria-label": text("toolbar"),
                                   "aria-controls": id });
    var buttons = ACTIONS.filter(function (action) { return kind === "document" || !action.documentsOnly; })
      .map(function (action) {
        var button = element("button", { type: "button", "class": "md-" + action.name }, text(action.name));
        if (action.key) { button.setAttribute("aria-keyshortcuts", "Control+" + action.key.toUpperCase()); }
        button.addEventListener("click", function () { act(area, action); });
        toolbar.appendChild(button);
        return button;
      });
    roving(buttons);
    area.parentNode.insertBefore(editor, area);
    write.appendChild(toolbar);
    write.appendChild(area);
    area.addEventListener("keydown", function (event) {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) { return; }
      var action = ACTIONS.filter(function (a) { return a.key === event.key.toLowerCase(); })[0];
      if (action) { event.preventDefault(); act(area, action); }
    });
    if (!previewUrl) {
      editor.appendChild(write);
      return;
    }
    var tabs = element("div", { role: "tablist", "class": "md-tabs", "aria-label": text("modes") });
    var preview = element("div", { "class": "md-preview prose", tabindex: "0", hidden: "" });
    var panels = [write, preview], shownText = null, request = null;
    var tabList = ["write", "preview"].map(function (mode, n) {
      var tab = element("button", { type: "button", role: "tab", id: id + "-" + mode + "-tab",
                                    "aria-controls": id + "-" + mode, "aria-selected": String(n === 0) }, text(mode));
      panels[n].id = id + "-" + mode;
      panels[n].setAttribute("role", "tabpanel");
      panels[n].setAttribute("aria-labelledby", tab.id);
      tab.addEventListener("click", function () { show(n); });
      tabs.appendChild(tab);
      return tab;
    });
    roving(tabList, function (tab) { show(tabList.indexOf(tab)); });
    editor.appendChild(tabs);
    editor.appendChild(write);
    editor.appendChild(preview);

    function say(words, problem) {
      preview.textContent = "";
      preview.appendChild(element("p", { "class": problem ? "error" : "hint" }, words));
    }

    function render() {
      if (!area.value.trim()) { shownText = null; say(text("empty")); return; }
      if (area.value === shownText) { return; }
      if (request) { request.abort(); }
      request = window.AbortController ? new AbortController() : null;
      var asked = area.value, form = area.form, data = new FormData();
      var token = form && form.querySelector("input[name=csrf_token]");
      data.append("text", asked);
      data.append("kind", kind);
      if (token) { data.append("csrf_token", token.value); }
      say(text("loading"));
      preview.setAttribute("aria-busy", "true");
      fetch(previewUrl, { method: "POST", body: data, credentials: "same-origin",
                          headers: token ? { "X-CSRFToken": token.value } : {}, signal: request && request.signal })
        .then(function (response) {
          if (!response.ok || response.redirected) { throw new Error(String(response.status)); }
          return response.text();
        })
        .then(function (html) {
          preview.innerHTML = html;  // sanitised by the server (network.sanitize)
          shownText = asked;
          preview.removeAttribute("aria-busy");
        })
        .catch(function (error) {
          if (error && error.name === "AbortError") { return; }
          shownText = null;
          preview.removeAttribute("aria-busy");
          say(text("failed"), true);
        });
    }

    function show(n) {
      tabList.forEach(function (tab, m) {
        tab.setAttribute("aria-selected", String(m === n));
        tab.tabIndex = m === n ? 0 : -1;
        panels[m].hidden = m !== n;
      });
      if (n === 1) { render(); }
    }

    // A browser that checks a required field before sending must find it shown.
    area.addEventListener("invalid", function () { show(0); });
  }

  Array.prototype.forEach.call(document.querySelectorAll("textarea[data-markdown]"), enhance);
}());
