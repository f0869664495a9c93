// The service page: a Copy button beside each setup snippet (without JavaScript the text is
// still there to select).
(function () {
  if (!navigator.clipboard) {
    return;
  }
  document.querySelectorAll('figure.snippet button.copy').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      var code = button.parentElement.querySelector('pre');
      navigator.clipboard.writeText(code.textContent).then(function () {
        button.textContent = 'Copied';
        setTimeout(function () { button.textContent = 'Copy'; }, 2000);
      });
    });
  });
})();
