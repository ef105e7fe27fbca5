// Search and filters for the directory's home page. Progressive
// enhancement: without JavaScript the whole list is shown.
//
// The home page lists States only (the PoCs are on each State's page);
// each State's item carries what the filters need: data-group,
// data-networks, data-search (names in every language, codes, entities,
// contact persons, emails) and data-pocs, one `type:lang,lang:0|1` per PoC
// (the type, language and 24/7 filters must hold for one same PoC).
// Everything is read once; a keystroke only compares strings and flips
// `hidden` on the items whose state changes. The live count is announced
// once typing pauses, not on every keystroke.
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
  var ANNOUNCE_AFTER_MS = 500;

  // One form for searching, in every script: compatibility forms folded
  // (full-width Latin, half-width kana, Arabic presentation forms: NFKD),
  // case ignored, and every combining mark dropped (Latin accents, Arabic
  // vowel marks and shadda, the superscript alif); Arabic hamza forms of
  // alif, waw and ya, alif maqsura and the tatweel folded too, so that
  // "عمان" finds "عُمان" and "اثيوبيا" finds "إثيوبيا".
  function fold(s) {
    return s.normalize("NFKD").toLowerCase()
      .replace(/\p{M}/gu, "")
      .replace(/[\u0622\u0623\u0625\u0671]/g, "\u0627")
      .replace(/\u0624/g, "\u0648")
      .replace(/[\u0626\u0649]/g, "\u064a")
      .replace(/\u0640/g, "");
  }
  var states = Array.prototype.map.call(list.querySelectorAll("li.state"), function (li) {
    var d = li.dataset;
    return {
      li: li,
      shown: !li.hidden,
      group: d.group || "",
      networks: " " + (d.networks || "") + " ",
      text: fold((d.search || "") + " " + li.textContent),
      pocs: (d.pocs || "").split(" ").filter(Boolean).map(function (p) {
        var f = p.split(":");
        return { type: f[0], langs: "," + (f[1] || "") + ",", h24: f[2] === "1" };
      })
    };
  });

  function pocMatches(p) {
    if (type.value && p.type !== type.value) { return false; }
    if (lang.value && p.langs.indexOf("," + lang.value + ",") < 0) { return false; }
    if (h24.checked && !p.h24) { return false; }
    return true;
  }

  var shownCount = states.length;
  var timer = 0;
  function announce() {
    timer = 0;
    count.textContent = count.dataset.template.replace("{n}", String(shownCount));
  }

  function apply(now) {
    var terms = fold(q.value).split(/\s+/).filter(Boolean);
    var anyPocFilter = type.value || lang.value || h24.checked;
    var shown = 0;
    for (var i = 0; i < states.length; i += 1) {
      var s = states[i];
      var ok = (!group.value || s.group === group.value) &&
        (!network.value || s.networks.indexOf(" " + network.value + " ") >= 0) &&
        terms.every(function (t) { return s.text.indexOf(t) >= 0; }) &&
        (!anyPocFilter || s.pocs.some(pocMatches));
      if (ok !== s.shown) {
        s.li.hidden = !ok;
        s.shown = ok;
      }
      if (ok) { shown += 1; }
    }
    shownCount = shown;
    none.hidden = shown !== 0;
    if (timer) { clearTimeout(timer); }
    if (now) { announce(); } else { timer = setTimeout(announce, ANNOUNCE_AFTER_MS); }
  }

  // A sealed site (issue #16): the contact terms (entities, persons,
  // emails) arrive once the page is unlocked, in #search-contacts.
  document.addEventListener("pocdir:unlocked", function () {
    var extra = document.getElementById("search-contacts");
    if (!extra) { return; }
    var byCode = {};
    Array.prototype.forEach.call(extra.querySelectorAll("[data-code]"), function (el) {
      byCode[el.getAttribute("data-code")] = el.getAttribute("data-search") || "";
    });
    states.forEach(function (s) {
      var more = byCode[s.li.getAttribute("data-code")];
      if (more) { s.text += " " + fold(more); }
    });
    apply(true);
  });

  form.addEventListener("input", function () { apply(false); });
  form.addEventListener("change", function () { apply(false); });
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  form.addEventListener("reset", function () { setTimeout(function () { apply(false); }, 0); });
  apply(true);
})();
