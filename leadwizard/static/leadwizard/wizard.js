/*
 * Progressive enhancement of the CRM-Auswahl wizard.
 *
 * Without JavaScript every step is a normal form POST that renders the page
 * again. With it, the same requests are sent with `X-LeadWizard: fragment`;
 * the server answers with just the wizard's HTML, which replaces the wizard in
 * place, and focus moves to the new step (or to the error summary).
 *
 * Each new place is put into the browser's history with the address the
 * server gives it (`data-leadwizard-url`), so Back, Forward and reload keep
 * the reader's place; the server renders that address without JavaScript too.
 */
(function () {
  "use strict";
  if (window.leadWizardEnhanced) {
    return;
  }
  window.leadWizardEnhanced = true;

  var FRAGMENT_HEADERS = { "X-LeadWizard": "fragment" };
  // The wizard's own query parameters are never part of where a reader landed.
  var WIZARD_PARAMETERS = ["leadwizard-block", "leadwizard-state", "leadwizard-done", "leadwizard-view"];

  function landingPath() {
    var url = new URL(window.location.href);
    for (var i = 0; i < WIZARD_PARAMETERS.length; i++) {
      url.searchParams.delete(WIZARD_PARAMETERS[i]);
    }
    return url.pathname + url.search;
  }

  function fillLanding(root) {
    // Pages may come from a cache: the landing URL and referrer are the reader's own.
    var landing = root.querySelector("[data-leadwizard-landing]");
    if (landing) {
      landing.value = landingPath();
    }
    var referrer = root.querySelector("[data-leadwizard-referrer]");
    if (referrer) {
      referrer.value = document.referrer || "";
    }
  }

  function focusStep(wizard) {
    var target =
      wizard.querySelector("[data-leadwizard-errors]") ||
      wizard.querySelector("[data-leadwizard-focus]") ||
      wizard.querySelector(".leadwizard__title");
    if (target) {
      target.focus();
      if (target.scrollIntoView) {
        target.scrollIntoView({ block: "start" });
      }
    }
  }

  function canUseHistory() {
    return !!(window.history && window.history.pushState && window.URL);
  }

  function rememberPlace(wizard, fallbackUrl) {
    // A new place gets its own history entry; errors on the same step replace it.
    if (!canUseHistory()) {
      return;
    }
    var url = wizard.getAttribute("data-leadwizard-url") || fallbackUrl;
    if (!url) {
      return;
    }
    var block = wizard.getAttribute("data-leadwizard-block");
    var place = wizard.getAttribute("data-leadwizard-place") || url;
    var current = window.history.state;
    if (!current || current.leadwizard !== block) {
      // The page's own entry becomes the first step with the reader's answers, for Back.
      var start = wizard.getAttribute("data-leadwizard-start-url");
      if (start) {
        window.history.replaceState({ leadwizard: block, place: "" }, "", start);
        current = window.history.state;
      }
    }
    var entry = { leadwizard: block, place: place };
    var target = new URL(url, window.location.href).href;
    if (current && current.leadwizard === block && current.place === place) {
      window.history.replaceState(entry, "", target);
    } else {
      window.history.pushState(entry, "", target);
    }
  }

  function fragmentUrl(href, block) {
    var url = new URL(href, window.location.href);
    url.hash = "";
    url.searchParams.set("leadwizard-block", block);
    return url.toString();
  }

  function replaceWizard(wizard, html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    var fresh = template.content.querySelector("[data-leadwizard]");
    if (!fresh) {
      throw new Error("The response holds no wizard.");
    }
    wizard.replaceWith(fresh);
    fillLanding(fresh);
    focusStep(fresh);
    document.dispatchEvent(new CustomEvent("leadwizard:swapped", { detail: { wizard: fresh } }));
    return fresh;
  }

  function isWizardResponse(response) {
    var type = response.headers.get("Content-Type") || "";
    return response.status < 500 && type.indexOf("text/html") === 0;
  }

  function submitNormally(form, submitter) {
    // Fall back to the plain form POST, keeping the button that was pressed.
    if (submitter && submitter.name) {
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = submitter.name;
      hidden.value = submitter.value;
      form.appendChild(hidden);
    }
    HTMLFormElement.prototype.submit.call(form);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-leadwizard-form]")) {
      return;
    }
    var wizard = form.closest("[data-leadwizard]");
    if (!wizard || !window.fetch) {
      return;
    }
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") {
      return;  // a second click while the first request is under way
    }
    var submitter = event.submitter || null;
    var data = new FormData(form);
    if (submitter && submitter.name) {
      data.append(submitter.name, submitter.value);
    }
    form.setAttribute("aria-busy", "true");
    fetch(form.action, { method: "POST", body: data, headers: FRAGMENT_HEADERS, credentials: "same-origin" })
      .then(function (response) {
        if (!isWizardResponse(response)) {
          throw new Error("Unexpected response " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        rememberPlace(replaceWizard(wizard, html));
      })
      .catch(function () {
        form.removeAttribute("aria-busy");
        submitNormally(form, submitter);
      });
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-leadwizard-link]") : null;
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) {
      return;
    }
    var wizard = link.closest("[data-leadwizard]");
    if (!wizard || !window.fetch) {
      return;
    }
    event.preventDefault();
    var block = wizard.getAttribute("data-leadwizard-block");
    fetch(fragmentUrl(link.href, block), { headers: FRAGMENT_HEADERS, credentials: "same-origin" })
      .then(function (response) {
        if (!isWizardResponse(response)) {
          throw new Error("Unexpected response " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        rememberPlace(replaceWizard(wizard, html), link.href);
      })
      .catch(function () {
        window.location.href = link.href;
      });
  });

  window.addEventListener("popstate", function (event) {
    // Back or Forward to one of the wizard's own entries: show that place again.
    var entry = event.state;
    if (!entry || !entry.leadwizard) {
      return;
    }
    var wizards = document.querySelectorAll("[data-leadwizard]");
    var wizard = null;
    for (var i = 0; i < wizards.length; i++) {
      if (wizards[i].getAttribute("data-leadwizard-block") === entry.leadwizard) {
        wizard = wizards[i];
      }
    }
    if (!wizard || !window.fetch) {
      window.location.reload();
      return;
    }
    fetch(fragmentUrl(window.location.href, entry.leadwizard), { headers: FRAGMENT_HEADERS, credentials: "same-origin" })
      .then(function (response) {
        if (!isWizardResponse(response)) {
          throw new Error("Unexpected response " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        replaceWizard(wizard, html);
      })
      .catch(function () {
        window.location.reload();
      });
  });

  function init() {
    var wizards = document.querySelectorAll("[data-leadwizard]");
    for (var i = 0; i < wizards.length; i++) {
      fillLanding(wizards[i]);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
