// Progressive enhancement only: every page works without JavaScript.
import { initAll as initGovuk } from "./govuk-frontend.min.js";
import { initAll as initMoj } from "./moj-frontend.min.js";

initGovuk();
initMoj();

// Warn before the idle sign-out and let the person stay signed in (WCAG 2.2.1).
function initSessionTimeout() {
  const body = document.body;
  const dialog = document.getElementById("session-timeout");
  const idleSeconds = Number(body.dataset.sessionIdleSeconds);
  const warningSeconds = Number(body.dataset.sessionWarningSeconds);
  if (!dialog || !idleSeconds || typeof dialog.showModal !== "function") {
    return;
  }
  const countdown = dialog.querySelector("[data-countdown]");
  const stay = dialog.querySelector("[data-stay-signed-in]");
  const token = document.querySelector("meta[name='csrf-token']").content;
  let warnTimer;
  let tick;
  let signOutAt;

  function describe(seconds) {
    if (seconds > 60) {
      const minutes = Math.ceil(seconds / 60);
      return `${minutes} minutes`;
    }
    return seconds === 1 ? "1 second" : `${seconds} seconds`;
  }

  function showWarning() {
    signOutAt = Date.now() + warningSeconds * 1000;
    countdown.textContent = describe(warningSeconds);
    dialog.showModal();
    tick = setInterval(() => {
      const left = Math.round((signOutAt - Date.now()) / 1000);
      if (left <= 0) {
        clearInterval(tick);
        signedOut();
        return;
      }
      countdown.textContent = describe(left);
    }, 1000);
  }

  // Forms someone has typed into since the page was drawn.
  const typedInto = new Set();
  document.querySelectorAll("main form[method='post']").forEach((form) => {
    form.addEventListener("input", () => typedInto.add(form));
    form.addEventListener("submit", () => typedInto.clear());
  });

  // At the idle limit the screen is cleared, but typed text is not lost: a form typed into is
  // sent, marked, and the server answers with the sign-in page carrying it (never a save;
  // caseflow/security/kept_input.py). Anything else goes to the sign-in page.
  function signedOut() {
    const form = typedInto.values().next().value;
    if (!form) {
      window.location.href = "/sign-in";
      return;
    }
    const marker = document.createElement("input");
    marker.type = "hidden";
    marker.name = "session_ended";
    marker.value = "1";
    form.append(marker);
    // A few seconds past the limit, so the server has surely ended the session too.
    setTimeout(() => HTMLFormElement.prototype.submit.call(form), 5000);
  }

  function restart() {
    clearTimeout(warnTimer);
    clearInterval(tick);
    warnTimer = setTimeout(showWarning, (idleSeconds - warningSeconds) * 1000);
  }

  stay.addEventListener("click", async () => {
    const response = await fetch("/session/keep-alive", {
      method: "POST",
      headers: { "X-CSRFToken": token },
      credentials: "same-origin",
    });
    if (response.ok) {
      dialog.close();
      restart();
    } else {
      window.location.href = "/sign-in";
    }
  });
  dialog.addEventListener("cancel", (event) => {
    // Escape means "stay": it must not leave the person to be signed out unseen.
    event.preventDefault();
    stay.click();
  });
  restart();
  body.dataset.sessionTimeoutReady = "true";
}

initSessionTimeout();

// A follow-up question that applies to only some answers of a select (GOV.UK's conditional
// reveal is for radios and checkboxes): shown without JavaScript; with it, hidden while the
// select's answer is one it does not apply to. The group names its select and those answers:
// data-reveal-for="opioid_substitution" data-reveal-unless="none".
function initSelectReveals() {
  document.querySelectorAll("[data-reveal-for]").forEach((group) => {
    const select = document.getElementById(group.dataset.revealFor);
    if (!select) {
      return;
    }
    const notFor = ["", ...(group.dataset.revealUnless || "").split(" ")];
    const update = () => {
      const applies = !notFor.includes(select.value);
      group.hidden = !applies;
    };
    select.setAttribute("aria-controls", group.id);
    select.addEventListener("change", update);
    update();
  });
}

initSelectReveals();

// GOV.UK Frontend's conditional reveal marks each radio with aria-expanded, which ARIA 1.2 does
// not allow on a radio (axe reports it: aria-allowed-attr), and sets it again on every click.
// The revealed question follows its radio directly and aria-controls stays, so the attribute is
// taken off whenever it is put on.
function initRadioReveals() {
  const radios = () => document.querySelectorAll('input[type="radio"][aria-expanded]');
  const strip = () => radios().forEach((radio) => radio.removeAttribute("aria-expanded"));
  strip();
  new MutationObserver(strip).observe(document.body, {
    attributes: true,
    attributeFilter: ["aria-expanded"],
    subtree: true,
  });
}

initRadioReveals();

// Long selects (marked by caseflow/forms.py SelectInput) become GOV.UK's accessible
// autocomplete: type a few letters of a local authority or provider instead of scrolling past
// 150. The select stays in the page, hidden, and is what the form sends; without JavaScript (or
// if the script did not load) it is a plain select.
function initAutocompletes() {
  const autocomplete = window.accessibleAutocomplete;
  if (!autocomplete) {
    return;
  }
  document.querySelectorAll("select[data-caseflow-autocomplete]").forEach((select) => {
    autocomplete.enhanceSelectElement({
      selectElement: select,
      defaultValue: "",
      showAllValues: true,
      // No typed-ahead hint: it is an unlabelled second input, which axe rightly reports.
      autoselect: false,
    });
  });
}

initAutocompletes();
