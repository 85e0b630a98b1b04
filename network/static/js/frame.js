// What every page's frame adds when JavaScript runs; everything works without it.
// The header's menus are <details>. This adds what people expect of menus: Escape closes the menu holding
// the focus and gives the focus back to its button; a click elsewhere, or the focus moving elsewhere, closes
// a dropdown; and in a browser that cannot style ::details-content the wide row holds the site menu open (and
// a narrow screen opens "More", which is then part of the list).
// A data table wider than the screen scrolls inside a box of its own (site.css), never the page: the box
// takes the keyboard focus and the table's caption as its name, so that it can be scrolled without a mouse.
(function () {
  "use strict";
  scrollingTables();
  var header = document.querySelector(".site-header");
  if (!header) return;
  var siteMenu = header.querySelector("details.site-menu");
  var dropdowns = Array.prototype.slice.call(header.querySelectorAll("details.dropdown"));

  function folded(details) {
    // A disclosure whose button is not shown is a plain part of the page at this width.
    var summary = details.querySelector(":scope > summary");
    return !summary || summary.getClientRects().length === 0;
  }

  header.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" && event.key !== "Esc") return;
    var details = event.target.closest("details[open]");
    while (details && folded(details)) details = details.parentElement.closest("details[open]");
    if (!details) return;
    details.open = false;
    details.querySelector(":scope > summary").focus();
    event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    dropdowns.forEach(function (details) {
      if (details.open && !folded(details) && !details.contains(event.target)) details.open = false;
    });
  });

  header.addEventListener("focusout", function (event) {
    var next = event.relatedTarget;
    if (!next) return;
    dropdowns.forEach(function (details) {
      if (details.open && !folded(details) && details.contains(event.target) && !details.contains(next)) {
        details.open = false;
      }
    });
  });

  var styled = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
  if (!styled && window.matchMedia) {
    var wide = window.matchMedia("(min-width: 64rem)");
    var more = header.querySelector(".nav-more > details");
    if (more) more.removeAttribute("name");  // held open on a narrow screen: the account menu must not close it
    var fit = function () {
      if (siteMenu) siteMenu.open = wide.matches;
      if (more) more.open = !wide.matches;
    };
    fit();
    if (wide.addEventListener) wide.addEventListener("change", fit);
  }
})();

function scrollingTables() {
  "use strict";
  var boxes = [];
  Array.prototype.forEach.call(document.querySelectorAll("main table.table"), function (table, n) {
    if (table.parentElement.classList.contains("table-scroll")) return;
    var box = document.createElement("div");
    box.className = "table-scroll";
    var caption = table.querySelector(":scope > caption");
    if (caption) {
      if (!caption.id) caption.id = "table-caption-" + (n + 1);
      box.setAttribute("aria-labelledby", caption.id);
    }
    table.parentNode.insertBefore(box, table);
    box.appendChild(table);
    boxes.push(box);
  });
  if (!boxes.length) return;
  var mark = function () {
    boxes.forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        if (box.hasAttribute("aria-labelledby")) box.setAttribute("role", "region");
      } else if (!scrolls && box.hasAttribute("tabindex")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
      }
    });
  };
  mark();
  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) window.cancelAnimationFrame(pending);
    pending = window.requestAnimationFrame(mark);
  });
}
