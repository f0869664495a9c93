// Tocsin's charts: draws each <div class="chart" data-chart="..."> with uPlot. The numbers are also
// in the table next to each chart, so a page without JavaScript or a screen reader loses nothing.
(function () {
  if (!window.uPlot) {
    return;
  }
  var styles = getComputedStyle(document.documentElement);
  function colour(variable) {
    return styles.getPropertyValue(variable).trim() || '#888';
  }
  function size(element) {
    return { width: Math.max(200, element.clientWidth), height: 220 };
  }
  document.querySelectorAll('.chart[data-chart]').forEach(function (element) {
    var chart = JSON.parse(element.dataset.chart);
    if (chart.x.length === 0) {
      element.hidden = true;
      return;
    }
    // Nothing to draw: say so, rather than show empty axes and a legend of zeros. A count of 0
    // is nothing; a measured time of 0 (chart.unit) is a value.
    var anything = chart.series.some(function (s) {
      return s.values.some(function (v) { return v != null && (v !== 0 || !!chart.unit); });
    });
    if (!anything) {
      element.removeAttribute('role');
      element.removeAttribute('aria-label');
      element.classList.add('chart-empty');
      element.textContent = element.dataset.empty || 'Nothing in this period.';
      return;
    }
    var named = chart.kind === 'named-bars';
    // One series reads best as bars; several share an x value, so they are lines (over time) or
    // dots (per name) that do not hide each other.
    var barred = chart.series.length === 1 && chart.kind !== 'time';
    var series = [{ label: named ? 'Item' : chart.step >= 7 * 86400 ? 'Week of' : 'From',
                    value: named ? function (u, v) { return v == null ? '' : chart.names[v]; } : undefined }]
      .concat(chart.series.map(function (s) {
        var stroke = colour(s.colour);
        var item = { label: s.label, stroke: stroke, width: 2,
                     value: function (u, v) { return v == null ? '—' : v + (chart.unit ? ' ' + chart.unit : ''); } };
        if (barred) {
          item.fill = stroke;
          item.paths = uPlot.paths.bars({ size: [0.6, 48] });
          item.points = { show: false };
        } else if (named) {
          item.paths = function () { return null; };
          item.points = { show: true, size: 10, fill: stroke };
        }
        return item;
      }));
    var axes = [
      { stroke: colour('--fg'), grid: { stroke: colour('--line') } },
      { stroke: colour('--fg'), grid: { stroke: colour('--line') }, size: 50 }
    ];
    if (named) {
      axes[0].splits = function () { return chart.x; };
      // Labels never overlap: long names are cut, and when the names do not fit side by side
      // only every n-th is written (the table next to the chart has every one).
      axes[0].values = function (u, ticks) {
        var room = Math.max(1, Math.floor(u.bbox.width / devicePixelRatio / 90));
        var every = Math.ceil(ticks.length / room);
        return ticks.map(function (t, i) {
          var name = chart.names[t] || '';
          if (i % every !== 0) {
            return '';
          }
          return name.length > 12 ? name.slice(0, 11) + '…' : name;
        });
      };
    } else {
      // The 24-hour clock, in the zone the table names; a day or longer step shows the date.
      var clock = uPlot.fmtDate('{HH}:{mm}');
      var day = uPlot.fmtDate('{YYYY}-{MM}-{DD}');
      axes[0].space = chart.step >= 86400 ? 90 : 60;
      axes[0].values = function (u, ticks, axis, space, increment) {
        return ticks.map(function (t) {
          var date = uPlot.tzDate(new Date(t * 1000), chart.zone || 'UTC');
          return increment >= 86400 ? day(date) : clock(date);
        });
      };
    }
    var options = Object.assign(size(element), {
      // The zone of the table next to the chart: UTC for weekly reports, the viewer's elsewhere.
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), chart.zone || 'UTC'); },
      series: series,
      axes: axes,
      scales: {
        x: { time: !named, range: function (u, min, max) {
          var pad = chart.kind === 'time' ? 0 : chart.step / 2;
          return [min - pad, max + pad];
        } },
        y: { range: function (u, min, max) { return [0, Math.max(1, max) * 1.1]; } }
      }
    });
    var data = [chart.x].concat(chart.series.map(function (s) { return s.values; }));
    element.textContent = '';
    var plot = new uPlot(options, data, element);
    window.addEventListener('resize', function () { plot.setSize(size(element)); });
  });
})();
