// bettermatch progressive enhancement. Every page works without this file;
// it only adds live search, moves focus to an error summary, and asks before
// destructive actions. No inline handlers: the Content-Security-Policy allows
// scripts from this site only.
(function () {
  "use strict";

  // Focus the error summary so screen-reader users hear the problems first.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }

  // Ask before cancelling, deleting or removing.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        e.preventDefault();
      }
    });
  });

  // Live search: as the visitor types or changes a filter, fetch the same
  // page the form would load and swap in its results, keeping the address in
  // step so the back button and shared links still work.
  document.querySelectorAll("form[data-live-search]").forEach(function (form) {
    var target = document.querySelector(form.getAttribute("data-live-search"));
    if (!target || !window.fetch || !window.DOMParser) {
      return;
    }
    var timer = null;
    var seq = 0;
    function run() {
      var params = new URLSearchParams(new FormData(form));
      Array.from(params.keys()).forEach(function (k) {
        if (params.get(k) === "") {
          params.delete(k);
        }
      });
      var qs = params.toString();
      var url = form.getAttribute("action") + (qs ? "?" + qs : "");
      var mine = ++seq;
      target.setAttribute("aria-busy", "true");
      fetch(url, { headers: { "Accept": "text/html" }, credentials: "same-origin" })
        .then(function (res) { return res.text(); })
        .then(function (html) {
          if (mine !== seq) {
            return; // a newer search is on its way
          }
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.querySelector(form.getAttribute("data-live-search"));
          if (fresh) {
            target.innerHTML = fresh.innerHTML;
            history.replaceState(null, "", url);
          }
        })
        .catch(function () { /* the submit button still works */ })
        .then(function () { target.removeAttribute("aria-busy"); });
    }
    function later() {
      clearTimeout(timer);
      timer = setTimeout(run, 300);
    }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
  });
})();
