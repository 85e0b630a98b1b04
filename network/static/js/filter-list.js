/* Long lists of choices ([data-filter-list]: a select, or a group of checkboxes such as a fieldset holding a
   ul.checkbox-list) get a "Filter" box above them: typing hides the choices whose words do not match (accents
   and case aside), chosen ones stay in sight, and a live region says how many are shown. Without this script
   the whole list is there, as it is. Words come from this script's data-msg-* attributes
   (templates/_writing_scripts.html), in the reader's language. */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !document.querySelectorAll) {
    return;
  }
  var made = 0;
  var locale = document.documentElement.lang || undefined;

  function text(name) {
    return script.getAttribute("data-msg-" + name) || "";
  }

  function fold(words) {
    words = (words || "").toLowerCase();
    return words.normalize ? words.normalize("NFD").replace(/[\u0300-\u036f]/g, "") : words;
  }

  // Each choice: the element to hide, its words, whether it is chosen. A select's empty first option
  // ("Choose…", "All events") is not a choice: it always stays.
  function choicesOf(list) {
    if (list.tagName === "SELECT") {
      return Array.prototype.filter.call(list.options, function (option) { return option.value !== ""; })
        .map(function (option) {
          return { node: option, words: fold(option.textContent),
                   chosen: function () { return option.selected; } };
        });
    }
    return Array.prototype.map.call(list.querySelectorAll("li"), function (item) {
      var box = item.querySelector("input");
      return { node: item, words: fold(item.textContent), chosen: function () { return box && box.checked; } };
    });
  }

  // The list's own label (or legend): the filter box is described by it, so that two filters on a page
  // are told apart without repeating the list's name in the box's own.
  function nameOf(list, id) {
    var label = list.tagName === "SELECT" ? (list.labels && list.labels[0]) : list.querySelector("legend");
    if (!label) { return ""; }
    if (!label.id) { label.id = id + "-name"; }
    return label.id;
  }

  function enhance(list) {
    var choices = choicesOf(list);
    if (!choices.length) { return; }
    made += 1;
    var id = (list.id || "filter-list-" + made) + "-filter";
    var box = document.createElement("div");
    box.className = "filter-list";
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = text("filter");
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.autocomplete = "off";
    input.spellcheck = false;
    var status = document.createElement("p");
    status.id = id + "-status";
    status.className = "hint filter-list-status";
    status.setAttribute("role", "status");
    if (list.id) { input.setAttribute("aria-controls", list.id); }
    input.setAttribute("aria-describedby", (nameOf(list, id) + " " + status.id).trim());
    box.appendChild(label);
    box.appendChild(input);
    box.appendChild(status);
    if (list.tagName === "SELECT") {
      list.parentNode.insertBefore(box, list);
    } else {
      var legend = list.querySelector("legend");
      list.insertBefore(box, legend ? legend.nextSibling : list.firstChild);
    }

    var pending = null;
    function apply() {
      var wanted = fold(input.value).trim().split(/\s+/).filter(Boolean), shown = 0;
      choices.forEach(function (choice) {
        var match = choice.chosen() || wanted.every(function (word) { return choice.words.indexOf(word) !== -1; });
        choice.node.hidden = !match;
        if (match) { shown += 1; }
      });
      // Said once typing pauses, not at every key.
      clearTimeout(pending);
      pending = setTimeout(function () {
        status.textContent = input.value.trim() ? text("shown").replace("{shown}", shown.toLocaleString(locale))
          .replace("{total}", choices.length.toLocaleString(locale)) : "";
      }, 400);
    }

    input.addEventListener("input", apply);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();  // a filter box never sends the form it stands in
      } else if (event.key === "ArrowDown") {  // on to the list
        var first = list.tagName === "SELECT" ? list : list.querySelector("li:not([hidden]) input");
        if (first) { event.preventDefault(); first.focus(); }
      }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-filter-list]"), enhance);
}());
