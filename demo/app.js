// The host page's own script. It talks to Sori only through window.sori,
// the one entry point the widget defines.
document.addEventListener('DOMContentLoaded', function () {
  var toast = document.getElementById('toast');
  function say(text) {
    toast.textContent = text;
    toast.hidden = false;
    clearTimeout(say.timer);
    say.timer = setTimeout(function () { toast.hidden = true; }, 4000);
  }
  document.querySelectorAll('button.send').forEach(function (button) {
    button.addEventListener('click', function () {
      var row = button.closest('tr');
      say(button.textContent + ' — ' + row.cells[0].textContent + ' to ' + row.cells[1].textContent + ': done.');
    });
  });
  document.getElementById('new-invoice').addEventListener('click', function () {
    say('A new draft invoice was created.');
  });
  document.getElementById('help-button').addEventListener('click', function () {
    if (window.sori) window.sori('open');
  });
  document.getElementById('language').addEventListener('change', function (e) {
    document.documentElement.lang = e.target.value;
    if (window.sori) window.sori('locale', e.target.value);
  });
});
