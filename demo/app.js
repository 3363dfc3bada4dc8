// The host page's own script. It talks to Sori only through window.sori,
// the one entry point the widget defines.

// The queue stub from the README: calls made before the loader has run are
// kept, and the loader runs them once the widget is in.
window.sori = window.sori || function () { (window.sori.q = window.sori.q || []).push(arguments); };

document.addEventListener('DOMContentLoaded', function () {
  var toast = document.getElementById('toast');
  function say(text) {
    toast.textContent = text;
    toast.hidden = false;
    clearTimeout(say.timer);
    say.timer = setTimeout(function () { toast.hidden = true; }, 4000);
  }
  // Sori calls: track what the user just did; the collector's survey
  // definitions decide which survey, if any, that should show.
  function sori() { if (window.sori) window.sori.apply(null, arguments); }
  document.querySelectorAll('button.send').forEach(function (button) {
    button.addEventListener('click', function () {
      var row = button.closest('tr');
      say(button.textContent + ' — ' + row.cells[0].textContent + ' to ' + row.cells[1].textContent + ': done.');
      sori('track', 'invoice_sent');
    });
  });
  var checkout = document.getElementById('checkout');
  document.getElementById('upgrade').addEventListener('click', function () {
    checkout.hidden = false;
    document.getElementById('checkout-pay').focus();
  });
  document.getElementById('checkout-cancel').addEventListener('click', function () {
    checkout.hidden = true;
  });
  document.getElementById('checkout-pay').addEventListener('click', function () {
    checkout.hidden = true;
    say('Payment received. Welcome to Ledgerly Pro!');
    sori('identify', 'demo-user-17', { plan: 'pro' });
    sori('track', 'checkout_done');
  });
  document.getElementById('export').addEventListener('click', function () {
    say('invoices-2026-11.csv is downloading.');
    sori('track', 'report_exported');
  });
  document.getElementById('rate-page').addEventListener('click', function () {
    sori('survey', 'page-rating');
  });
  document.getElementById('new-invoice').addEventListener('click', function () {
    say('A new draft invoice was created.');
  });
  document.getElementById('help-button').addEventListener('click', function () {
    sori('open');
  });
  // Links into the app may carry the language (?lang=ko), a survey to ask
  // (?survey=page-rating), as an e-mail's "rate this page" link would, or
  // the help center to open (?open=faq), as a "need help?" link would.
  var params = new URLSearchParams(location.search);
  if (params.get('lang')) {
    document.getElementById('language').value = params.get('lang');
    sori('locale', params.get('lang'));
  }
  if (params.get('survey')) sori('survey', params.get('survey'));
  if (params.get('open')) sori('open', params.get('open'));
  document.getElementById('language').addEventListener('change', function (e) {
    document.documentElement.lang = e.target.value;
    sori('locale', e.target.value);
  });
});
