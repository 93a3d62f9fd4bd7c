/* Keeps a deposit list's page live while the list is checked or collected.
 *
 * The page marks the progress box with data-progress-url (the list's JSON progress), data-text
 * (the sentence "{checked} of {total} rows checked ({percent}%)" in the page's language) and
 * data-reading (what to say before the rows are counted). Every couple of seconds this asks how
 * far the list got and moves the bar; once the list stops moving (checked, or settled by the
 * bank) it puts the page's new content in place, which then shows the preview, the problems or
 * the result.
 * A file of its own, not an inline script, so the page works under a strict Content-Security-Policy.
 */
(function () {
  "use strict";

  var box = document.querySelector("[data-progress-url]");
  if (!box || !window.fetch || !window.JSON) {
    return;
  }
  var url = box.getAttribute("data-progress-url");
  var sentence = box.getAttribute("data-text") || "";
  var reading = box.getAttribute("data-reading") || "";
  var bar = box.querySelector("progress");
  var text = box.querySelector("#progress-text");
  var statusBadge = document.getElementById("list-status");

  var QUICK = 1500;      // while the clerk watches
  var HIDDEN = 6000;     // a tab in the background asks less often
  var SLOWEST = 30000;   // after errors (network down, server restarting)
  var delay = QUICK;

  function grouped(n) {
    try {
      return Number(n).toLocaleString(document.documentElement.lang || undefined);
    } catch (e) {
      return String(n);
    }
  }

  function show(progress) {
    if (statusBadge && progress.status_label) {
      statusBadge.textContent = progress.status_label;
    }
    if (!text) {
      return;  // collecting: the bar stays indeterminate, the bank gives no row counts
    }
    if (progress.rows_total > 0) {
      bar.max = progress.rows_total;
      bar.value = progress.rows_checked;
      text.textContent = sentence
        .replace("{checked}", grouped(progress.rows_checked))
        .replace("{total}", grouped(progress.rows_total))
        .replace("{percent}", String(progress.percent));
    } else {
      bar.removeAttribute("value");
      text.textContent = reading;
    }
  }

  function later() {
    window.setTimeout(poll, document.hidden ? Math.max(delay, HIDDEN) : delay);
  }

  // The list has settled: show the page it now is (the preview, the problems or the bank's
  // result) in place. A reload would take the reader back to the top of the page and cut off
  // what a screen reader was saying; reloading stays the fallback when the page cannot be read.
  function settle() {
    window
      .fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok || response.redirected) {
          throw new Error("settled page: HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var main = fresh.getElementById("main");
        var current = document.getElementById("main");
        if (!main || !current) {
          throw new Error("settled page: no main");
        }
        current.replaceWith(document.adoptNode(main));
        document.title = fresh.title;
      })
      .catch(function () {
        window.location.reload();
      });
  }

  function poll() {
    window
      .fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.redirected) {
          // The session ended and the answer is the login page: reloading shows it.
          window.location.reload();
          return new Promise(function () {});
        }
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("application/json") !== 0) {
          throw new Error("progress: HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (progress) {
        if (!progress.moving) {
          settle();
          return;
        }
        delay = QUICK;
        show(progress);
        later();
      })
      .catch(function () {
        // The network or the server is down for a moment: ask again, less and less often.
        delay = Math.min(delay * 2, SLOWEST);
        later();
      });
  }

  later();
})();
