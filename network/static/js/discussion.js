/* A long discussion shows a page of threads at a time; a comment's address names it (?comment=<id>), so the
   server shows the page holding it. Addresses written before, with the comment in the fragment only
   (/practices/1#comment-9), reach this page: when that comment is on another page, ask for the right one. */
(function () {
  "use strict";

  function findPage() {
    var found = /^#comment-([0-9]{1,18})$/.exec(window.location.hash);
    if (!found || document.getElementById("comment-" + found[1]) || !window.URLSearchParams) {
      return;
    }
    var params = new URLSearchParams(window.location.search);
    if (params.get("comment") === found[1]) {
      return;  // asked already: the comment is gone, or hidden from this reader
    }
    params.delete("comments");
    params.set("comment", found[1]);
    window.location.replace(window.location.pathname + "?" + params.toString() + window.location.hash);
  }

  findPage();
  window.addEventListener("hashchange", findPage);
}());
