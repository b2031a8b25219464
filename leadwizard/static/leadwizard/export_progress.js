// Keeps the lead export's progress page up to date without reloading it.
// Asks the status URL every few seconds, updates the progress bar and, when the
// percentage passes a tenth or the status changes, the live region; shows the
// download link when the export is ready. Without this script the page reloads
// itself (see the <noscript> refresh in export_progress.html).
(function () {
  'use strict';

  var section = document.querySelector('[data-leadwizard-export]');
  if (!section || section.dataset.finished === 'true' || !window.fetch) {
    return;
  }
  var bar = section.querySelector('[data-leadwizard-export-bar]');
  var message = section.querySelector('[data-leadwizard-export-message]');
  var download = section.querySelector('[data-leadwizard-export-download]');
  var link = section.querySelector('[data-leadwizard-export-link]');
  var expiry = section.querySelector('[data-leadwizard-export-expiry]');
  var interval = 2000;
  var lastStatus = null;
  var lastTenth = -1;

  function update(state) {
    if (state.status !== 'queued') {
      bar.value = state.percent;
    }
    bar.textContent = state.percent + ' %';
    var tenth = Math.floor(state.percent / 10);
    // Announce changes of status and every tenth, not every poll.
    if (state.status !== lastStatus || tenth !== lastTenth) {
      message.textContent = state.message;
      lastStatus = state.status;
      lastTenth = tenth;
    }
    if (state.download_url) {
      link.href = state.download_url;
      download.hidden = false;
      if (expiry) {
        expiry.textContent = state.expiry_message;
      }
    }
  }

  function poll() {
    fetch(section.dataset.statusUrl, {
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'X-Requested-With': 'XMLHttpRequest' },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (state) {
        update(state);
        if (!state.finished) {
          window.setTimeout(poll, interval);
        }
      })
      .catch(function () {
        // Try again later, more slowly.
        interval = Math.min(interval * 2, 30000);
        window.setTimeout(poll, interval);
      });
  }

  window.setTimeout(poll, interval);
})();
