/*! CivicDesk site analytics: no cookies, no storage, no fingerprinting. docs/site-analytics-tracker.md
Options: data-domain (comma list), data-api, data-hash, data-allow-localhost, data-allow-automation.
civicdesk(name, {props, revenue, interactive, url, callback}); window.civicdeskIgnore = true opts out. */
(function (w, d, l) {
  'use strict';
  var el = d.currentScript;
  if (!el) return;
  var at = function (a) { return el.getAttribute('data-' + a); };
  var api = at('api') || new URL(el.src).origin + '/api/event';
  var hash = at('hash') !== null;
  var queued = (w.civicdesk && w.civicdesk.q) || [];
  var hiding = false;
  var lastPath;

  /* Transport (docs/site-analytics-tracker.md): fetch+keepalive while the page is visible (adblockers block beacons);
  sendBeacon once it hides or without keepalive; fetch if the beacon is refused. text/plain: no CORS preflight. */
  var keepalive = w.Request && 'keepalive' in Request.prototype;

  function send(body, callback, again) {
    if ((hiding || d.visibilityState === 'hidden' || !keepalive) && navigator.sendBeacon &&
        navigator.sendBeacon(api, body)) {
      return callback && callback();
    }
    fetch(api, { method: 'POST', body: body, keepalive: true, credentials: 'omit', headers: { 'Content-Type': 'text/plain' } })
      .then(function (r) {
        var wait = r.status === 503 && !again && +r.headers.get('Retry-After');
        if (wait) return setTimeout(function () { send(body, callback, 1); }, Math.min(wait, 60) * 1e3);
        callback && callback({ status: r.status });
      }, function (e) { callback && callback({ error: e }); });
  }

  function ignored() {
    return (at('allow-localhost') === null && (l.protocol === 'file:' ||
        /^localhost$|^127(\.\d+){0,2}\.\d+$|^\[::1?\]$/.test(l.hostname))) ||
      (at('allow-automation') === null && (navigator.webdriver || w._phantom || w.__nightmare || w.Cypress)) ||
      w.civicdeskIgnore === true;
  }

  function track(name, o) {
    o = o || {};
    if (ignored()) return o.callback && o.callback();
    var e = { name: name, url: o.url || l.href, domain: at('domain'), referrer: d.referrer || null };
    if (o.props) e.props = o.props;
    if (o.revenue) e.revenue = o.revenue;
    if (o.interactive === false) e.interactive = false;
    if (hash) e.hashMode = 1;
    send(JSON.stringify(e), o.callback);
  }

  // Pageviews: on load (or first show), new path (or any hash change with data-hash), back/forward cache.
  function page(force) {
    if (!force && !hash && lastPath === l.pathname) return;
    lastPath = l.pathname;
    track('pageview');
  }

  if (hash) {
    w.addEventListener('hashchange', function () { page(true); });
  } else {
    var push = history.pushState;
    history.pushState = function () {
      push.apply(this, arguments);
      page();
    };
    w.addEventListener('popstate', function () { page(); });
  }
  w.addEventListener('pageshow', function (e) { if (e.persisted) page(true); });
  w.addEventListener('pagehide', function () { hiding = true; });
  w.addEventListener('pageshow', function () { hiding = false; });

  // Link clicks are recorded, never delayed or cancelled: navigation, new tabs and modifier keys work as always.
  var files = /\.(pdf|docx?|xlsx?|pptx?|odt|ods|odp|rtf|csv|txt|zip|rar|7z|gz|tar|exe|msi|dmg|apk|mp4|mov|avi|wmv|mp3|wav)$/i;

  function click(e) {
    if (e.type === 'auxclick' && e.button !== 1) return;
    var a = e.target.closest && e.target.closest('a[href]');
    if (!a || !/^https?:$/.test(a.protocol)) return;
    var href = a.href.split(/[?#]/)[0];
    if (files.test(a.pathname)) track('File Download', { props: { url: href } });
    else if (a.host !== l.host) track('Outbound Link: Click', { props: { url: a.href } });
  }
  d.addEventListener('click', click);
  d.addEventListener('auxclick', click);

  w.civicdesk = track;

  if (d.visibilityState === 'prerender' || d.visibilityState === 'hidden') {
    d.addEventListener('visibilitychange', function shown() {
      if (d.visibilityState === 'visible') {
        d.removeEventListener('visibilitychange', shown);
        if (lastPath === undefined) page();
      }
    });
  } else {
    page();
  }
  // Calls made before the script loaded, after the pageview that starts the visit.
  for (var i = 0; i < queued.length; i++) track.apply(null, queued[i]);
})(window, document, location);
