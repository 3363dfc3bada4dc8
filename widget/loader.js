/* Sori loader: the only script a host page includes. It keeps a command
   queue in window.sori, and fetches the widget's engine (wasm and its glue,
   names filled in by `cargo xtask build`) only after the page's load event
   and an idle slot, or at once when a command needs the widget. The engine
   fetches the UI module through `ui` when something is to be shown. */
(function (w, d) {
  var s = d.currentScript, prev = w.sori;
  if (!s || (prev && prev.loaded)) return;
  var base = new URL('.', s.src).href, q = [], api, busy;
  if (prev && prev.q) for (var i = 0; i < prev.q.length; i++) q.push([].slice.call(prev.q[i]));
  function run(a) { api.command(String(a[0]), a[1], a[2]); }
  function ui() {
    return import(base + 'assets/__SORI_UI_GLUE__').then(function (m) {
      return m.default({ module_or_path: base + 'assets/__SORI_UI_WASM__' }).then(function () { return m; });
    });
  }
  function load() {
    if (busy) return;
    busy = 1;
    import(base + 'assets/__SORI_GLUE__').then(function (m) {
      return m.default({ module_or_path: base + 'assets/__SORI_WASM__' }).then(function () {
        m.start(base, s.getAttribute('data-site') || '', s.getAttribute('data-locale') || '',
          s.getAttribute('data-launcher') != 'none', ui);
        api = m;
        q.splice(0).forEach(run);
      });
    }).catch(function (e) { busy = 0; console.error('sori: widget failed to load', e); });
  }
  function needs(a) { return a[0] == 'open' || a[0] == 'survey'; }
  var sori = w.sori = function () {
    var a = [].slice.call(arguments);
    if (api) run(a); else { q.push(a); if (needs(a)) load(); }
  };
  sori.loaded = 1;
  if (q.some(needs)) load();
  function idle() { setTimeout(function () { (w.requestIdleCallback || setTimeout)(load, { timeout: 3000 }); }, 0); }
  d.readyState == 'complete' ? idle() : w.addEventListener('load', idle);
})(window, document);
