// Live updates, and an optional script: without it a page shows changes
// when reloaded. An element with data-live="/events?class=12" (and an id)
// is a region that follows that event stream: when the server says what
// it shows changed, the page is fetched again and the region's content
// swapped for the new one, keeping focus, scroll and open details. Bursts
// of changes make one fetch; a hidden tab waits until it is seen again.
"use strict";
(function () {
  var regions = document.querySelectorAll("[data-live][id]");
  if (!regions.length || !window.EventSource || !window.fetch || !window.DOMParser) return;
  var byURL = {};
  Array.prototype.forEach.call(regions, function (el) {
    var u = el.getAttribute("data-live");
    (byURL[u] = byURL[u] || []).push(el);
  });
  var QUIET = 120, MOST = 400, HIDDEN_CLOSE = 5 * 60 * 1000;
  var dirty = false, timer = 0, first = 0, busy = false, again = false, stopped = false, said = 0;
  var status = document.createElement("p");
  status.className = "vh";
  status.setAttribute("role", "status");
  status.id = "live-status";
  document.body.appendChild(status);

  function schedule() {
    if (stopped) return;
    if (document.hidden) { dirty = true; return; }
    var now = Date.now();
    if (!timer) first = now;
    clearTimeout(timer);
    timer = setTimeout(refresh, now - first >= MOST ? 0 : Math.min(QUIET, MOST - (now - first)));
  }

  function editing(region) {
    var a = document.activeElement;
    return a && region.contains(a) && /^(INPUT|TEXTAREA|SELECT)$/.test(a.tagName);
  }

  function refresh() {
    timer = 0;
    if (busy) { again = true; return; }
    busy = true; dirty = false;
    fetch(location.href, { credentials: "same-origin", cache: "no-store", headers: { "X-Cairn-Live": "1" } })
      .then(function (res) {
        var u = new URL(res.url);
        if (!res.ok || u.pathname !== location.pathname) { stop(); return null; }
        return res.text();
      })
      .then(function (html) {
        if (html == null) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        var changed = false;
        Array.prototype.forEach.call(regions, function (region) {
          var fresh = doc.getElementById(region.id);
          if (!fresh || fresh.innerHTML === region.innerHTML) return;
          if (editing(region)) {
            region.addEventListener("focusout", schedule, { once: true });
            return;
          }
          swap(region, fresh);
          changed = true;
        });
        if (changed && Date.now() - said > 10000) {
          said = Date.now();
          status.textContent = regions[0].getAttribute("data-live-updated") || "";
        }
      })
      .catch(function () { dirty = true; })
      .then(function () {
        busy = false;
        if (again) { again = false; schedule(); }
      });
  }

  // swap puts fresh's content in region, keeping what the person did
  // with it: the element focused, scrolled boxes, open details.
  function swap(region, fresh) {
    var focusables = "a[href],button,input,select,textarea,summary,[tabindex]";
    var a = document.activeElement, focusID = null, focusAt = -1;
    if (a && region.contains(a)) {
      if (a.id) focusID = a.id;
      else focusAt = Array.prototype.indexOf.call(region.querySelectorAll(focusables), a);
    }
    var scrolled = [], open = {};
    Array.prototype.forEach.call(region.querySelectorAll("[id]"), function (el) {
      if (el.scrollLeft || el.scrollTop) scrolled.push([el.id, el.scrollLeft, el.scrollTop]);
      if (el.tagName === "DETAILS") open[el.id] = el.open;
    });
    var x = window.scrollX, y = window.scrollY;
    region.innerHTML = fresh.innerHTML;
    Object.keys(open).forEach(function (id) {
      var d = document.getElementById(id);
      if (d && d.tagName === "DETAILS") d.open = open[id];
    });
    scrolled.forEach(function (s) {
      var el = document.getElementById(s[0]);
      if (el) { el.scrollLeft = s[1]; el.scrollTop = s[2]; }
    });
    var f = focusID ? document.getElementById(focusID) : focusAt >= 0 ? region.querySelectorAll(focusables)[focusAt] : null;
    if (f) f.focus({ preventScroll: true });
    window.scrollTo(x, y);
  }

  var streams = {}, closeTimer = 0;
  function open(u, delay) {
    var failed = false, es = new EventSource(u);
    streams[u] = es;
    es.addEventListener("ready", function () {
      // Changes made while the stream was down are not known: look.
      if (failed || delay) schedule();
      failed = false; delay = 0;
    });
    es.addEventListener("change", schedule);
    es.onerror = function () {
      failed = true;
      if (es.readyState === EventSource.CLOSED && !stopped) {
        // Refused (a limit, a signed-out person) or the server is gone:
        // try again later, slower each time.
        var next = Math.min((delay || 2000) * 2, 60000);
        setTimeout(function () { if (streams[u] === es && !stopped) open(u, next); }, next * (0.5 + Math.random()));
      }
    };
  }
  function openAll() { Object.keys(byURL).forEach(function (u) { if (!streams[u]) open(u, 0); }); }
  function closeAll() {
    Object.keys(streams).forEach(function (u) { streams[u].close(); });
    streams = {};
  }
  function stop() { stopped = true; closeAll(); }

  document.addEventListener("visibilitychange", function () {
    clearTimeout(closeTimer);
    if (document.hidden) {
      // A tab left hidden gives its streams back to the server.
      closeTimer = setTimeout(function () { closeAll(); dirty = true; }, HIDDEN_CLOSE);
      return;
    }
    if (stopped) return;
    openAll();
    if (dirty) schedule();
  });
  window.addEventListener("pagehide", closeAll);
  window.addEventListener("pageshow", function (e) { if (e.persisted && !stopped) { openAll(); schedule(); } });
  openAll();
})();
