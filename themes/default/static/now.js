// Each Point of Contact's local time and whether it is within its hours
// now, computed in the reader's browser with Intl from the IANA zone, the
// hours and the days of the PoC's `.now` line (data-zone, data-hours,
// data-days), in the words of the page (data-now-* on the list of PoCs).
// Progressive enhancement: without JavaScript the line stays hidden and
// the hours with their UTC offset (written at build time) are shown.
// The rule is the one of `src/site/now.rs`: the days are the local days,
// the hours HH:MM-HH:MM with the end excluded.
(function () {
  "use strict";
  var lines = document.querySelectorAll(".now[data-zone]");
  if (typeof Intl === "undefined") { return; }
  // A sealed site (issue #16): the PoCs appear once the page is unlocked.
  document.addEventListener("pocdir:unlocked", function () {
    lines = document.querySelectorAll(".now[data-zone]");
    update();
  });
  var lang = document.documentElement.lang || "en";
  var DAYS = { Mon: "mon", Tue: "tue", Wed: "wed", Thu: "thu", Fri: "fri", Sat: "sat", Sun: "sun" };

  // The local weekday, hour, minute and UTC offset of `date` in `zone`.
  function local(zone, date) {
    var f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone, weekday: "short", hour: "2-digit", minute: "2-digit",
      hourCycle: "h23", timeZoneName: "longOffset"
    });
    var p = {};
    f.formatToParts(date).forEach(function (x) { p[x.type] = x.value; });
    var hour = parseInt(p.hour, 10) % 24;
    var minute = parseInt(p.minute, 10);
    return {
      day: DAYS[p.weekday],
      minutes: hour * 60 + minute,
      hhmm: (hour < 10 ? "0" : "") + hour + ":" + p.minute,
      offset: offsetLabel(p.timeZoneName)
    };
  }

  // "GMT+05:45" / "GMT-03:00" / "GMT" as "UTC+05:45" (as now.rs writes it).
  function offsetLabel(name) {
    var m = /([+\-\u2212])(\d{1,2})(?::(\d{2}))?/.exec(name || "");
    if (!m) { return "UTC+00:00"; }
    var h = m[2].length < 2 ? "0" + m[2] : m[2];
    return "UTC" + (m[1] === "+" ? "+" : "-") + h + ":" + (m[3] || "00");
  }

  function minutesOf(hhmm) {
    var m = /^(\d{2}):(\d{2})$/.exec(hhmm);
    return m ? parseInt(m[1], 10) * 60 + parseInt(m[2], 10) : null;
  }

  function span(text, dir, cls) {
    var s = document.createElement(dir ? "span" : "bdi");
    if (dir) { s.dir = dir; }
    if (cls) { s.className = cls; }
    s.textContent = text;
    return s;
  }

  // `template` with {time} and {offset} replaced by nodes.
  function fill(el, template, nodes) {
    template.split(/(\{[a-z]+\})/).forEach(function (part) {
      var key = /^\{([a-z]+)\}$/.exec(part);
      if (key && nodes[key[1]]) {
        el.appendChild(nodes[key[1]]);
      } else if (part) {
        el.appendChild(document.createTextNode(part));
      }
    });
  }

  function update() {
    var now = new Date();
    Array.prototype.forEach.call(lines, function (line) {
      var words = line.closest("[data-now-local]");
      var zone = line.getAttribute("data-zone");
      if (!words || !zone) { return; }
      var l;
      try { l = local(zone, now); } catch (e) { return; }
      var hours = (line.getAttribute("data-hours") || "").split("-");
      var days = (line.getAttribute("data-days") || "").split(",");
      while (line.firstChild) { line.removeChild(line.firstChild); }
      if (hours.length === 2) {
        var start = minutesOf(hours[0]);
        var end = minutesOf(hours[1]);
        if (start !== null && end !== null) {
          var open = days.indexOf(l.day) >= 0 && l.minutes >= start && l.minutes < end;
          line.setAttribute("data-state", open ? "open" : "closed");
          line.appendChild(span(words.getAttribute(open ? "data-now-open" : "data-now-closed"), null,
            "badge now-status " + (open ? "now-open" : "now-closed")));
          line.appendChild(document.createTextNode(" "));
        }
      } else {
        line.setAttribute("data-state", "always");
      }
      var weekday = new Intl.DateTimeFormat(lang, { timeZone: zone, weekday: "short" }).format(now);
      var time = document.createElement("span");
      time.className = "now-time";
      time.appendChild(span(weekday));
      time.appendChild(document.createTextNode(" "));
      time.appendChild(span(l.hhmm, "ltr"));
      var text = document.createElement("span");
      text.className = "now-local";
      fill(text, words.getAttribute("data-now-local"), { time: time, offset: span(l.offset, "ltr", "now-offset") });
      line.appendChild(text);
      line.hidden = false;
    });
  }

  update();
  setInterval(update, 30000);
})();
