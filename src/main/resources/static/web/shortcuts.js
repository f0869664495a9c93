// Keyboard shortcuts at a desktop (issue 24, item 2): j and k select the next and the previous
// incident of a list, Enter opens it, a and r acknowledge and resolve it (or the incident of the
// page), / searches and ? lists them. They post the console's own forms or press its own buttons,
// so the role check and the question before resolving an incident whose alerts still fire hold.
(function () {
  var help = document.getElementById('shortcuts');
  if (!help) {
    return;
  }
  var toggle = document.getElementById('shortcuts-on');
  var hint = document.querySelector('.shortcuts-hint');
  // WCAG 2.1.4: a speech-input user's words arrive as keys, so single-key shortcuts can be turned off.
  var OFF = 'tocsin.shortcuts';
  var selected = null;

  toggle.checked = localStorage.getItem(OFF) !== 'off';
  toggle.addEventListener('change', function () {
    if (toggle.checked) {
      localStorage.removeItem(OFF);
    } else {
      localStorage.setItem(OFF, 'off');
    }
  });
  hint.hidden = false;
  document.getElementById('shortcuts-open').addEventListener('click', function () {
    help.showModal();
  });

  function rows() {
    return Array.prototype.slice.call(
      document.querySelectorAll('main table.incidents tr[data-incident]'));
  }

  function current() {
    return rows().find(function (row) { return row.dataset.incident === selected; }) || null;
  }

  function mark(row) {
    selected = row ? row.dataset.incident : null;
    rows().forEach(function (r) {
      r.classList.toggle('selected', r === row);
      if (r === row) {
        r.setAttribute('aria-current', 'true');
      } else {
        r.removeAttribute('aria-current');
      }
    });
  }

  // The row's link takes the focus, so a screen reader reads the incident and Enter follows it.
  function move(step) {
    var all = rows();
    if (!all.length) {
      return;
    }
    var at = all.indexOf(current());
    var row = all[at < 0 ? 0 : Math.min(Math.max(at + step, 0), all.length - 1)];
    mark(row);
    row.querySelector('a').focus({ preventScroll: true });
    row.scrollIntoView({ block: 'nearest' });
  }

  // The dashboard's list is swapped whenever an incident changes: keep the same incident selected,
  // without scrolling the page back to it.
  document.addEventListener('htmx:afterSwap', function () {
    if (selected === null) {
      return;
    }
    var row = current();
    var focusLost = document.activeElement === null || document.activeElement === document.body;
    mark(row);
    if (row && focusLost) {
      row.querySelector('a').focus({ preventScroll: true });
    }
  });

  function post(path) {
    var form = document.createElement('form');
    form.method = 'post';
    form.action = path;
    form.hidden = true;
    var token = document.createElement('input');
    token.type = 'hidden';
    token.name = '_csrf';
    token.value = document.querySelector('input[name="_csrf"]').value;
    form.appendChild(token);
    document.body.appendChild(form);
    form.submit();
  }

  function act(key, action) {
    var row = current();
    if (row) {
      // A viewer's list offers no actions: posting would only be refused.
      if (!row.closest('table').dataset.canAct) {
        return false;
      }
      post('/incidents/' + row.dataset.incident + '/' + action);
      return true;
    }
    var button = document.querySelector('main button[aria-keyshortcuts="' + key + '"]');
    if (button) {
      button.click();
    }
    return Boolean(button);
  }

  function searchField() {
    return document.querySelector('main [aria-keyshortcuts="/"]');
  }

  // A page without a search of its own sends / to the incident list's, named in the address.
  var field = searchField();
  if (field && location.hash === '#' + field.id) {
    field.focus();
  }

  function search() {
    var own = searchField();
    if (own) {
      own.focus();
      own.select();
    } else {
      location.assign('/incidents#q');
    }
  }

  function typing(target) {
    if (target.isContentEditable || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT') {
      return true;
    }
    return target.tagName === 'INPUT' && !/^(checkbox|radio|button|submit|reset)$/.test(target.type);
  }

  document.addEventListener('keydown', function (event) {
    if (event.defaultPrevented || event.isComposing || event.ctrlKey || event.altKey
        || event.metaKey || help.open || !toggle.checked || typing(event.target)) {
      return;
    }
    switch (event.key) {
      case 'j':
        move(1);
        break;
      case 'k':
        move(-1);
        break;
      case 'Enter':
        // On a focused link or button Enter is the browser's; only a selection left unfocused is ours.
        if (event.target !== document.body || !current()) {
          return;
        }
        location.assign(current().querySelector('a').href);
        break;
      case 'a':
      case 'r':
        if (event.repeat || !act(event.key, event.key === 'a' ? 'acknowledge' : 'resolve')) {
          return;
        }
        break;
      case '/':
        search();
        break;
      case '?':
        help.showModal();
        break;
      default:
        return;
    }
    event.preventDefault();
  });
})();
