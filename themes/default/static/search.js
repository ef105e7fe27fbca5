// Search and filters for the directory's home page. Progressive
// enhancement: without JavaScript the whole list is shown.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var list = document.getElementById("states");
  if (!form || !list) { return; }
  form.hidden = false;
  var q = document.getElementById("search");
  var group = document.getElementById("filter-group");
  var type = document.getElementById("filter-type");
  var lang = document.getElementById("filter-lang");
  var network = document.getElementById("filter-network");
  var h24 = document.getElementById("filter-247");
  var count = document.getElementById("results-count");
  var none = document.getElementById("no-results");
  var states = Array.prototype.slice.call(list.querySelectorAll("li.state"));

  function fold(s) {
    return s.toLocaleLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }
  states.forEach(function (li) { li.dataset.folded = fold(li.dataset.search || "") + " " + fold(li.textContent); });

  function pocMatches(poc) {
    if (type.value && poc.dataset.type !== type.value) { return false; }
    if (lang.value && (" " + poc.dataset.langs + " ").indexOf(" " + lang.value + " ") < 0) { return false; }
    if (h24.checked && poc.dataset["247"] !== "true") { return false; }
    return true;
  }

  function apply() {
    var terms = fold(q.value).split(/\s+/).filter(Boolean);
    var shown = 0;
    states.forEach(function (li) {
      var ok = (!group.value || li.dataset.group === group.value) &&
        (!network.value || (" " + li.dataset.networks + " ").indexOf(" " + network.value + " ") >= 0) &&
        terms.every(function (t) { return li.dataset.folded.indexOf(t) >= 0; });
      var anyPoc = false;
      li.querySelectorAll(".poc").forEach(function (poc) {
        var m = pocMatches(poc);
        poc.hidden = !m;
        anyPoc = anyPoc || m;
      });
      ok = ok && anyPoc;
      li.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = count.dataset.template.replace("{n}", String(shown));
    none.hidden = shown !== 0;
  }

  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  form.addEventListener("reset", function () { setTimeout(apply, 0); });
  apply();
})();
