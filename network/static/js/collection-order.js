// Reordering a collection's practices by dragging, or from the keyboard (Alt + Up/Down on a focused
// practice), across chapters too. The page works without it: every item has Move up/down buttons.
// Once the order changes, the "Save the new order" form appears; it sends the whole order at once
// (order-<chapter id> = "item id,item id,..."), which the server checks against the collection.
(function () {
  "use strict";
  var form = document.getElementById("order-form");
  if (!form) { return; }
  var lists = Array.prototype.slice.call(document.querySelectorAll("ol.sortable"));
  var dragged = null;

  function changed(item) {
    form.hidden = false;
    var status = document.getElementById("order-status");
    if (status) { status.textContent = form.getAttribute("data-changed") || ""; }
    if (item) { item.focus(); }
  }

  function fill() {
    Array.prototype.slice.call(form.querySelectorAll("input.order-field")).forEach(function (el) { el.remove(); });
    lists.forEach(function (list) {
      var ids = Array.prototype.slice.call(list.querySelectorAll(":scope > li[data-item-id]"))
        .map(function (li) { return li.getAttribute("data-item-id"); });
      var input = document.createElement("input");
      input.type = "hidden";
      input.className = "order-field";
      input.name = "order-" + list.getAttribute("data-chapter");
      input.value = ids.join(",");
      form.appendChild(input);
    });
  }

  function allItems() {
    var items = [];
    lists.forEach(function (list) {
      Array.prototype.slice.call(list.querySelectorAll(":scope > li[data-item-id]")).forEach(function (li) { items.push(li); });
    });
    return items;
  }

  lists.forEach(function (list) {
    list.addEventListener("dragover", function (event) {
      if (!dragged) { return; }
      event.preventDefault();
      var target = event.target.closest ? event.target.closest("li[data-item-id]") : null;
      if (target && target !== dragged && target.parentNode === list) {
        var box = target.getBoundingClientRect();
        list.insertBefore(dragged, event.clientY > box.top + box.height / 2 ? target.nextSibling : target);
      } else if (!target) {
        list.appendChild(dragged);
      }
    });
    Array.prototype.slice.call(list.querySelectorAll(":scope > li[data-item-id]")).forEach(function (li) {
      li.setAttribute("draggable", "true");
      li.setAttribute("tabindex", "0");
      li.addEventListener("dragstart", function (event) {
        dragged = li;
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", li.getAttribute("data-item-id"));
      });
      li.addEventListener("dragend", function () { dragged = null; changed(li); });
      li.addEventListener("keydown", function (event) {
        if (!event.altKey || event.target !== li || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) { return; }
        event.preventDefault();
        var items = allItems();
        var index = items.indexOf(li);
        var neighbour = items[index + (event.key === "ArrowUp" ? -1 : 1)];
        if (!neighbour) { return; }
        if (event.key === "ArrowUp") {
          neighbour.parentNode.insertBefore(li, neighbour.parentNode === li.parentNode ? neighbour : neighbour.nextSibling);
        } else {
          neighbour.parentNode.insertBefore(li, neighbour.parentNode === li.parentNode ? neighbour.nextSibling : neighbour);
        }
        changed(li);
      });
    });
  });
  form.addEventListener("submit", fill);
})();
