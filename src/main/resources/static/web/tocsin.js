// Tocsin's console: sign-in over fetch, live pages from /web/events, browser notifications.
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
  // Live updates: one event stream per signed-in page. The dashboard's list has a fragment of its
  // own; other pages mark what changes with data-live-part, and <main data-live-on> names the
  // events that refresh those parts from the page's own address.
  var NOTIFY = 'tocsin.notify';
  var refreshing = false;
  var again = false;
  var main = document.querySelector('main');
  if (document.querySelector('header.top') && main && window.EventSource) {
    var dashboard = document.querySelector('[data-live]');
    var refreshOn = (main.dataset.liveOn || '').split(' ').filter(Boolean);
    var source = null;
    var connect = function () {
      if (source) {
        source.close();
      }
      var params = new URLSearchParams();
      if (main.dataset.liveIncident) {
        params.set('incident', main.dataset.liveIncident);
        params.set('stamp', main.dataset.liveStamp || '');
      }
      if (refreshOn.indexOf('alerts') >= 0) {
        params.set('alerts', 'true');
      }
      if (notifying()) {
        params.set('notify', 'true');
      }
      source = new EventSource('/web/events?' + params);
      if (dashboard) {
        source.addEventListener('incidents', function (event) {
          document.title = event.data + ' open · Tocsin';
          htmx.ajax('GET', dashboard.dataset.live, { target: dashboard, swap: 'innerHTML' });
        });
      }
      refreshOn.forEach(function (name) { source.addEventListener(name, refresh); });
      source.addEventListener('opened', announce);
    };
    connect();
    offerNotifications(connect);
    // A browser allows six connections to a server, and a stream left to the page's unloading may
    // hold its connection a while: close it on leaving, and open it again on coming back.
    window.addEventListener('pagehide', function () { source.close(); });
    window.addEventListener('pageshow', function (event) {
      if (event.persisted) {
        connect();
      }
    });
  }

  // One refresh at a time: events that come while one is under way make one more, not many.
  function refresh() {
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = true;
    // The header keeps a form's one-time notice for the page the browser is on its way to
    // (LiveRefreshFlash): this fetch asks for the same address.
    fetch(window.location.href, {
      credentials: 'same-origin',
      headers: { 'X-Tocsin-Live-Refresh': '1' }
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, 'text/html');
        document.querySelectorAll('[data-live-part]').forEach(function (part) {
          swap(part, fresh.getElementById(part.id));
        });
      })
      .catch(function () { /* The next event tries again; the page stays as it was. */ })
      .finally(function () {
        refreshing = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  // Replaces a part's content, keeping what the reader did to it: folds they opened or closed and
  // boxes they ticked. A part holding the focus is left alone, so a button is never pulled from
  // under a finger or a keyboard; the next change brings it up to date.
  function swap(part, next) {
    if (!next || next.innerHTML === part.innerHTML) {
      return;
    }
    if (document.activeElement && document.activeElement !== document.body
        && part.contains(document.activeElement)) {
      return;
    }
    var folds = {};
    part.querySelectorAll('details').forEach(function (fold) {
      folds[fold.id || fold.dataset.key] = fold.open;
    });
    var ticked = {};
    part.querySelectorAll('input[type=checkbox]').forEach(function (box) {
      ticked[box.name + '=' + box.value] = box.checked;
    });
    part.innerHTML = next.innerHTML;
    part.querySelectorAll('details').forEach(function (fold) {
      var open = folds[fold.id || fold.dataset.key];
      if (open !== undefined) {
        fold.open = open;
      }
    });
    part.querySelectorAll('input[type=checkbox]').forEach(function (box) {
      var checked = ticked[box.name + '=' + box.value];
      if (checked !== undefined) {
        box.checked = checked;
      }
    });
    if (window.htmx) {
      htmx.process(part);
    }
  }

  // Browser notifications of incidents opening for a service one is on call for: asked for only
  // when the person clicks, remembered per browser, and sent by the server only to such people.
  function notifying() {
    try {
      return 'Notification' in window && Notification.permission === 'granted'
        && window.localStorage.getItem(NOTIFY) === 'on';
    } catch (e) {
      return false;
    }
  }

  function announce(event) {
    var incident = JSON.parse(event.data);
    var words = { critical: 'Critical', error: 'Error', warning: 'Warning', info: 'Info' };
    // The tag makes the notifications of several open tabs one.
    var note = new window.Notification('#' + incident.number + ' ' + incident.title, {
      body: (words[incident.severity] || incident.severity) + ' · you are on call · Tocsin',
      tag: 'tocsin-incident-' + incident.number
    });
    note.addEventListener('click', function () {
      window.focus();
      window.location.assign('/incidents/' + incident.number);
    });
  }

  function offerNotifications(reconnect) {
    var offer = document.getElementById('notify-offer');
    if (!offer || !('Notification' in window)) {
      return;
    }
    var button = document.getElementById('notify-toggle');
    var state = document.getElementById('notify-state');
    var show = function () {
      button.textContent = notifying() ? 'Stop notifications in this browser'
        : 'Notify me in this browser';
      state.textContent = notifying()
        ? 'On: this browser tells you when an incident opens for a service you are on call for.'
        : (Notification.permission === 'denied'
          ? 'This browser blocks notifications from Tocsin; allow them in its site settings.'
          : 'When an incident opens for a service you are on call for.');
    };
    offer.hidden = false;
    show();
    button.addEventListener('click', function () {
      if (notifying()) {
        window.localStorage.setItem(NOTIFY, 'off');
        show();
        reconnect();
        return;
      }
      Notification.requestPermission().then(function (permission) {
        if (permission === 'granted') {
          window.localStorage.setItem(NOTIFY, 'on');
          reconnect();
        }
        show();
      });
    });
  }
})();
