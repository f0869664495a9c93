// The schedule page: dragging across the final row of the timeline chooses the start and end of an
// override and fills them into the override form, in the viewer's zone as the form states. The form
// itself is the path for keyboards and for browsers without script.
(function () {
  var timeline = document.getElementById('timeline');
  var track = document.getElementById('track-final');
  var start = document.getElementById('override-start');
  var end = document.getElementById('override-end');
  if (!timeline || !track || !start || !end) {
    return;
  }
  var from = Number(timeline.dataset.from);
  var to = Number(timeline.dataset.to);
  var zone = timeline.dataset.zone;
  var snap = 30 * 60 * 1000;
  var parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23'
  });
  var svg = 'http://www.w3.org/2000/svg';
  var selection = null;
  var anchor = null;

  // datetime-local wants the wall-clock time of the viewer's zone, which need not be the browser's.
  function local(millis) {
    var p = {};
    parts.formatToParts(new Date(millis)).forEach(function (part) { p[part.type] = part.value; });
    return p.year + '-' + p.month + '-' + p.day + 'T' + p.hour + ':' + p.minute;
  }

  function fraction(event) {
    var box = track.getBoundingClientRect();
    return Math.max(0, Math.min(1, (event.clientX - box.left) / box.width));
  }

  // Outward to the half hour, so the override covers all that was dragged across.
  function floor(f) {
    return Math.floor((from + f * (to - from)) / snap) * snap;
  }

  function ceil(f) {
    return Math.ceil((from + f * (to - from)) / snap) * snap;
  }

  function draw(a, b) {
    if (!selection) {
      selection = document.createElementNS(svg, 'rect');
      selection.setAttribute('class', 'tl-selection');
      selection.setAttribute('y', '0');
      selection.setAttribute('height', '100%');
      track.appendChild(selection);
    }
    selection.setAttribute('x', (Math.min(a, b) * 100) + '%');
    selection.setAttribute('width', (Math.abs(b - a) * 100) + '%');
  }

  track.addEventListener('pointerdown', function (event) {
    anchor = fraction(event);
    track.setPointerCapture(event.pointerId);
    draw(anchor, anchor);
    event.preventDefault();
  });
  track.addEventListener('pointermove', function (event) {
    if (anchor !== null) {
      draw(anchor, fraction(event));
    }
  });
  track.addEventListener('pointerup', function (event) {
    if (anchor === null) {
      return;
    }
    var a = floor(Math.min(anchor, fraction(event)));
    var b = ceil(Math.max(anchor, fraction(event)));
    anchor = null;
    if (b <= a) {
      b = a + snap;
    }
    start.value = local(a);
    end.value = local(b);
    var said = document.getElementById('selection');
    if (said) {
      said.textContent = 'Chosen on the timeline: ' + start.value.replace('T', ' ') + ' to '
        + end.value.replace('T', ' ') + ' (' + zone + '). Pick the person and create the override.';
    }
    document.getElementById('override-user').focus();
  });
})();
