// Tocsin's console: sign-in over fetch, and live updates from /web/events.
(function () {
  var form = document.getElementById('signin');
  if (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var message = document.getElementById('signin-error');
      message.textContent = '';
      fetch('/login', { method: 'POST', body: new URLSearchParams(new FormData(form)),
                        credentials: 'same-origin' })
        .then(function (response) {
          if (response.status === 204) {
            window.location.assign(form.dataset.next || '/');
            return;
          }
          return response.json().then(function (problem) {
            message.textContent = problem.detail || 'Signing in failed.';
          });
        })
        .catch(function () { message.textContent = 'Tocsin did not answer. Try again.'; });
    });
  }
  var setup = document.getElementById('setup');
  if (setup) {
    setup.addEventListener('submit', function (event) {
      event.preventDefault();
      var message = document.getElementById('setup-error');
      message.textContent = '';
      var body = {};
      new FormData(setup).forEach(function (value, key) { body[key] = value; });
      fetch('/api/v1/setup', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                               body: JSON.stringify(body) })
        .then(function (response) {
          if (response.status === 201) {
            window.location.assign('/login');
            return;
          }
          return response.json().then(function (problem) {
            var details = (problem.errors || []).map(function (e) { return e.field + ' ' + e.message; });
            message.textContent = [problem.detail].concat(details).join(' ');
          });
        })
        .catch(function () { message.textContent = 'Tocsin did not answer. Try again.'; });
    });
  }
  var live = document.querySelector('[data-live]');
  if (live && window.EventSource) {
    var source = new EventSource('/web/events');
    source.addEventListener('incidents', function (event) {
      document.title = event.data + ' open · Tocsin';
      htmx.ajax('GET', live.dataset.live, { target: live, swap: 'innerHTML' });
    });
  }
})();
