// A sealed site (issue #16): the contacts of each page are encrypted
// (AES-256-GCM) in `data-sealed` blocks; the exports are `<file>.sealed`.
// A State's access code opens the build's data key from its slot in
// `sealed-keys.js` (window.POCDIR_SEALED). WebCrypto only, no other
// script; nothing leaves the browser. The derivations are those of
// `src/site/sealed/access.rs`:
//
//   code bytes   = base32 of the code (24 characters, 15 bytes)
//   slot id      = hex(HMAC-SHA256(code bytes, "pocdir-site/1 slot"))[0..32]
//   wrapping key = HMAC-SHA256(code bytes, "pocdir-site/1 wrap")
//   data key     = AES-256-GCM-open(wrapping key, slots[slot id])
//   a blob       = nonce (12) . ciphertext . tag (16)
//
// The data key is kept for this tab only (sessionStorage), so the next
// page opens by itself; "Lock" forgets it.
(function () {
  "use strict";
  var STORE = "pocdir-sealed-key";
  var sealedInfo = window.POCDIR_SEALED;
  var section = document.getElementById("unlock");
  var form = document.getElementById("unlock-form");
  var input = document.getElementById("unlock-code");
  var error = document.getElementById("unlock-error");
  var status = document.getElementById("sealed-status");
  var lockButton = document.getElementById("sealed-lock");
  if (!section || !form || !input || !error) { return; }
  var subtle = window.crypto && window.crypto.subtle;
  var enc = new TextEncoder();
  var dataKey = null;

  function blocks() { return document.querySelectorAll("[data-sealed]"); }

  function say(kind) {
    error.textContent = kind ? error.getAttribute("data-" + kind) : "";
  }

  function showForm(kind) {
    section.hidden = false;
    if (status) { status.hidden = true; }
    say(kind);
  }

  function bytesOfBase64(s) {
    var bin = atob(s);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i += 1) { out[i] = bin.charCodeAt(i); }
    return out;
  }

  function base64OfBytes(b) {
    var s = "";
    for (var i = 0; i < b.length; i += 1) { s += String.fromCharCode(b[i]); }
    return btoa(s);
  }

  // RFC 4648 base32, as typed: case, spaces and hyphens do not matter.
  function codeBytes(text) {
    var A = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    var s = text.toUpperCase().replace(/[\s\-\u2010-\u2015]/g, "");
    if (s.length !== 24) { return null; }
    var out = new Uint8Array(15);
    var bits = 0;
    var value = 0;
    var n = 0;
    for (var i = 0; i < s.length; i += 1) {
      var v = A.indexOf(s.charAt(i));
      if (v < 0) { return null; }
      value = (value << 5) | v;
      bits += 5;
      if (bits >= 8) {
        bits -= 8;
        out[n] = (value >>> bits) & 0xff;
        n += 1;
      }
    }
    return out;
  }

  function hex(b) {
    return Array.prototype.map.call(b, function (x) { return (x < 16 ? "0" : "") + x.toString(16); }).join("");
  }

  function hmac(keyBytes, label) {
    return subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
      .then(function (k) { return subtle.sign("HMAC", k, enc.encode(label)); })
      .then(function (t) { return new Uint8Array(t); });
  }

  function aesKey(raw) {
    return subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["decrypt"]);
  }

  function open(key, blob) {
    return subtle.decrypt({ name: "AES-GCM", iv: blob.subarray(0, 12) }, key, blob.subarray(12))
      .then(function (p) { return new Uint8Array(p); });
  }

  // The data key a code opens, or a rejection naming why not.
  function unwrap(text) {
    var code = codeBytes(text);
    if (!code) { return Promise.reject("malformed"); }
    return Promise.all([hmac(code, "pocdir-site/1 slot"), hmac(code, "pocdir-site/1 wrap")])
      .then(function (r) {
        var slot = sealedInfo && sealedInfo.slots && sealedInfo.slots[hex(r[0].subarray(0, 16))];
        if (!slot) { throw "wrong"; }
        return aesKey(r[1]).then(function (wrap) {
          return open(wrap, bytesOfBase64(slot));
        }).catch(function () { throw "wrong"; });
      });
  }

  // Put every sealed block of the page back, in order; any block that
  // does not open under the key is a damaged (or altered) page.
  function reveal(raw) {
    return aesKey(raw).then(function (key) {
      var list = Array.prototype.slice.call(blocks());
      return Promise.all(list.map(function (el) {
        return open(key, bytesOfBase64(el.getAttribute("data-sealed")));
      })).then(function (plain) {
        var dec = new TextDecoder("utf-8", { fatal: true });
        list.forEach(function (el, i) {
          el.insertAdjacentHTML("beforebegin", dec.decode(plain[i]));
          el.parentNode.removeChild(el);
        });
        dataKey = key;
        section.hidden = true;
        if (status) { status.hidden = false; }
        document.dispatchEvent(new CustomEvent("pocdir:unlocked"));
      });
    });
  }

  // A sealed export: fetched, opened, and handed over as the download the
  // link names.
  function download(a) {
    var url = a.getAttribute("href");
    var name = a.getAttribute("download") || url.split("/").pop();
    return fetch(url + ".sealed", { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) { throw new Error(String(r.status)); }
        return r.arrayBuffer();
      })
      .then(function (buf) { return open(dataKey, new Uint8Array(buf)); })
      .then(function (plain) {
        var link = document.createElement("a");
        link.href = URL.createObjectURL(new Blob([plain], { type: "application/octet-stream" }));
        link.download = name;
        link.setAttribute("data-opened", "");
        document.body.appendChild(link);
        link.click();
        document.body.removeChild(link);
        setTimeout(function () { URL.revokeObjectURL(link.href); }, 10000);
      });
  }

  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a[download]");
    // Not the link made below to hand over an opened file.
    if (!a || a.hasAttribute("data-opened")) { return; }
    e.preventDefault();
    if (!dataKey) {
      showForm("");
      input.focus();
      return;
    }
    download(a).catch(function () {
      dataKey = null;
      try { sessionStorage.removeItem(STORE); } catch (ignored) { /* private mode */ }
      showForm("damaged");
    });
  });

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    say("");
    unwrap(input.value)
      .then(function (raw) {
        return reveal(raw).then(function () {
          try { sessionStorage.setItem(STORE, base64OfBytes(raw)); } catch (ignored) { /* private mode */ }
          input.value = "";
          var main = document.getElementById("main");
          if (main) { main.focus(); }
        }, function () { throw "damaged"; });
      })
      .catch(function (kind) {
        say(typeof kind === "string" ? kind : "wrong");
        input.focus();
      });
  });

  if (lockButton) {
    lockButton.addEventListener("click", function () {
      try { sessionStorage.removeItem(STORE); } catch (ignored) { /* private mode */ }
      location.reload();
    });
  }

  if (!subtle || !window.TextDecoder) {
    showForm("unsupported");
    form.hidden = true;
    return;
  }
  var stored = null;
  try { stored = sessionStorage.getItem(STORE); } catch (ignored) { /* private mode */ }
  if (stored) {
    // A key from an earlier page of this tab: a newer build has another
    // key, and then the code is asked again.
    reveal(bytesOfBase64(stored)).catch(function () {
      try { sessionStorage.removeItem(STORE); } catch (ignored) { /* private mode */ }
      if (blocks().length) { showForm(""); }
    });
  } else if (blocks().length) {
    showForm("");
  }
})();
