/* Money screens.
 *
 * 1. The collection day (collection_day_detail.html): one row per member, keyboard first.
 *    Enter on an empty amount accepts what the member owes; typing an amount then Enter posts
 *    that amount; the focus moves on to the next member at once and the row posts in the
 *    background, one request at a time, each with the key the row got when the page was
 *    rendered (a retry or a second Enter never posts twice). ArrowDown/Tab skip a member,
 *    ArrowUp/Shift+Tab go back. A lost answer is retried with the same key; a row that still
 *    fails says so and Enter on it sends again. Without this script every row is a plain form.
 * 2. The payment form (payment_form.html): the quick amounts fill the amount field.
 */
(function () {
  "use strict";

  // ---- the payment form's quick amounts
  document.addEventListener("click", function (ev) {
    var a = ev.target && ev.target.closest ? ev.target.closest(".quick-amounts a[data-amount]") : null;
    var input = document.getElementById("id_amount");
    if (!a || !input) return;
    ev.preventDefault();
    input.value = a.getAttribute("data-amount");
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.focus();
  });

  // ---- the collection day
  function start() {
    var sheet = document.getElementById("collection-sheet");
    if (!sheet || sheet.getAttribute("data-open") !== "1") return;
    var payUrl = sheet.getAttribute("data-pay-url");
    var words = JSON.parse(document.getElementById("collection-messages").textContent);
    var methodPick = document.getElementById("pay-method");
    if (methodPick) methodPick.closest("label").hidden = false;
    var GUARD_MS = 350; // an Enter this soon after moving on is a bounce of the previous one
    var TIMEOUT_MS = 12000;
    var RETRY_WAIT = [1500, 4000];
    var queue = [];
    var busy = false;
    var lastAdvance = 0;

    function rows() { return Array.prototype.slice.call(sheet.querySelectorAll("tr.pay-row")); }
    function inputOf(row) { return row.querySelector("input.amount"); }
    function neighbour(row, step) {
      var all = rows();
      var k = all.indexOf(row) + step;
      return k >= 0 && k < all.length ? all[k] : null;
    }
    function focusRow(row, advanced) {
      var input = inputOf(row);
      if (!input) return;
      input.focus();
      input.select();
      if (advanced) lastAdvance = Date.now();
      if (row.scrollIntoView) row.scrollIntoView({ block: "nearest" });
    }
    function advance(row) {
      var next = neighbour(row, 1);
      if (next) focusRow(next, true);
      else lastAdvance = Date.now();
    }
    function baht(satang) {
      var neg = satang < 0;
      satang = Math.abs(satang);
      var b = Math.floor(satang / 100);
      var c = satang % 100;
      return (neg ? "-" : "") + String(b).replace(/\B(?=(\d{3})+(?!\d))/g, ",") + "." + (c < 10 ? "0" : "") + c;
    }
    function say(text, amount, receipt) {
      return String(text).replace("{amount}", amount || "").replace("{receipt}", receipt || "");
    }
    function setState(row, state, text) {
      row.setAttribute("data-state", state);
      row.classList.remove("pending", "failed", "error", "done");
      if (state) row.classList.add(state);
      var box = row.querySelector(".row-state");
      if (box) box.textContent = text || "";
    }
    function updateOutstanding() {
      var sum = 0, n = 0;
      rows().forEach(function (r) {
        var rem = parseInt(r.getAttribute("data-remaining") || "0", 10);
        if (rem > 0) { sum += rem; n += 1; }
      });
      var out = document.getElementById("t-outstanding");
      var outN = document.getElementById("t-outstanding-n");
      if (out) out.textContent = baht(sum);
      if (outN) outN.textContent = String(n);
    }
    function setTotals(t) {
      var map = { "t-total": t.total, "t-count": t.count, "t-cash": t.cash, "t-transfer": t.transfer };
      Object.keys(map).forEach(function (id) {
        var el = document.getElementById(id);
        if (el) el.textContent = map[id];
      });
    }

    function send(row, amount) {
      var input = inputOf(row);
      row.setAttribute("data-amount", amount);
      if (input) input.value = "";
      setState(row, "pending", say(words.pending, amount));
      queue.push({ row: row, amount: amount, key: row.getAttribute("data-key"), tries: 0 });
      pump();
    }
    function pump() {
      if (busy || !queue.length) return;
      busy = true;
      var job = queue.shift();
      post(job).then(function () { busy = false; pump(); });
    }
    function wait(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }
    function post(job) {
      var row = job.row;
      var data = new FormData(row.querySelector("form.pay-form"));
      data.set("amount", job.amount);
      data.set("idempotency_key", job.key);
      if (methodPick) data.set("method", methodPick.value);
      var ctrl = window.AbortController ? new AbortController() : null;
      var timer = setTimeout(function () { if (ctrl) ctrl.abort(); }, TIMEOUT_MS);
      return fetch(payUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "Accept": "application/json" },
        signal: ctrl ? ctrl.signal : undefined,
      }).then(function (resp) {
        clearTimeout(timer);
        var type = resp.headers.get("Content-Type") || "";
        if (resp.status >= 500) throw new Error("server " + resp.status);
        if (type.indexOf("application/json") === -1) {
          refused(row, job, resp.redirected ? words.login : words.refused.replace("{status}", resp.status));
          return null;
        }
        return resp.json().then(function (body) {
          if (body.ok) done(row, job, body);
          else refused(row, job, body.error);
        });
      }).catch(function () {
        clearTimeout(timer);
        if (job.tries < RETRY_WAIT.length) {
          job.tries += 1;
          setState(row, "pending", say(words.retrying, job.amount));
          return wait(RETRY_WAIT[job.tries - 1]).then(function () { return post(job); });
        }
        setState(row, "failed", say(words.failed, job.amount));
        return null;
      });
    }
    function refused(row, job, message) {
      // Nothing was recorded with this key: the row keeps it and shows the amount again.
      var input = inputOf(row);
      if (input && !input.value) input.value = job.amount;
      setState(row, "error", message);
    }
    function done(row, job, body) {
      var r = body.row;
      if (r) {
        row.setAttribute("data-remaining", String(r.remaining_satang));
        row.setAttribute("data-key", r.next_key);
        var key = row.querySelector("input[name=idempotency_key]");
        if (key) key.value = r.next_key;
        var cell = row.querySelector(".paid-cell");
        if (cell) cell.innerHTML = r.html;
        var input = inputOf(row);
        if (input) input.placeholder = r.remaining_satang > 0 ? r.remaining : "";
      }
      row.classList.add("paid");
      row.removeAttribute("data-amount");
      setState(row, "done", say(body.duplicate ? words.duplicate : words.saved, body.payment.amount, body.payment.receipt));
      setTotals(body.totals);
      updateOutstanding();
    }

    function accept(row, fromKeyboard) {
      var input = inputOf(row);
      var typed = input ? input.value.trim() : "";
      var state = row.getAttribute("data-state");
      if (state === "pending") return; // this row's payment is on its way: once only
      if (state === "failed" && !typed) {
        typed = row.getAttribute("data-amount") || "";
        setState(row, "pending", say(words.pending, typed));
        queue.push({ row: row, amount: typed, key: row.getAttribute("data-key"), tries: 0 });
        pump();
        if (fromKeyboard) advance(row);
        return;
      }
      if (!typed) {
        if (fromKeyboard && Date.now() - lastAdvance < GUARD_MS) return;
        var rem = parseInt(row.getAttribute("data-remaining") || "0", 10);
        if (rem <= 0) {
          if (fromKeyboard) advance(row);
          else setState(row, "", words.nothing);
          return;
        }
        typed = baht(rem);
      }
      send(row, typed);
      if (fromKeyboard) advance(row);
    }

    sheet.addEventListener("keydown", function (ev) {
      var input = ev.target;
      if (!input.classList || !input.classList.contains("amount")) return;
      var row = input.closest("tr.pay-row");
      var other = null;
      if (ev.key === "Enter") {
        ev.preventDefault();
        if (!ev.repeat) accept(row, true);
      } else if (ev.key === "ArrowDown" || (ev.key === "Tab" && !ev.shiftKey)) {
        other = neighbour(row, 1);
      } else if (ev.key === "ArrowUp" || (ev.key === "Tab" && ev.shiftKey)) {
        other = neighbour(row, -1);
      } else if (ev.key === "Escape") {
        input.value = "";
      }
      if (other) {
        ev.preventDefault();
        focusRow(other, false);
      }
    });
    sheet.addEventListener("submit", function (ev) {
      var row = ev.target.closest("tr.pay-row");
      if (!row) return;
      ev.preventDefault();
      accept(row, false);
    });
    var first = sheet.querySelector("input.amount[autofocus]") || sheet.querySelector("input.amount");
    if (first) focusRow(first.closest("tr.pay-row"), false);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
