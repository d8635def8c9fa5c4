// Kundenportal: moving between the signed-in pages inside one loaded
// document. A click on a link to one of those pages, a form sent from one,
// and back and forward fetch the next page's HTML and put its body in place
// of the current one — keeping the islands that are on both pages (their
// state, and the focus in them) and the screen-reader announcer — then do
// what a page load would have done: title, history, focus on the new page's
// heading, scroll (top for a new page, where it was for back and forward),
// and an announcement. Whatever this cannot do well becomes a normal page
// load: a failed or slow fetch, an answer that is no signed-in page, a link
// or form marked `data-kp-reload` (sign-out), PDFs and exports (no pages).
//
// Written for this portal instead of Leptos' `islands_routing.js`, whose
// lock-step DOM diff leaves removed attributes and rows behind, and which
// has no error, scroll or focus handling and drops the clicked button, file
// inputs and the query string of a form's action.
(() => {
  "use strict";
  const pagesMeta = document.querySelector('meta[name="kp-pages"]');
  if (!pagesMeta || !window.fetch || !window.DOMParser || !history.pushState || !window.AbortController) return;
  const PAGES = new Set(pagesMeta.content.split(",").filter(Boolean));
  const TIMEOUT_MS = 10000;
  const isPage = (url) => url.origin === location.origin && PAGES.has(url.pathname);
  const here = () => location.pathname + location.search;
  let shown = here();
  let inFlight = null;
  // When the user last typed, and when a page change they asked for began.
  let lastInputAt = 0;
  let lastNavigationAt = 0;
  addEventListener("input", () => { lastInputAt = performance.now(); }, true);

  // Scroll positions live in the history entries (the browser's own
  // restoring cannot know when a swapped-in page is ready).
  history.scrollRestoration = "manual";
  const remember = () => history.replaceState({ ...(history.state || {}), kp: true, x: scrollX, y: scrollY }, "");
  let scrollTimer;
  addEventListener("scroll", () => { clearTimeout(scrollTimer); scrollTimer = setTimeout(remember, 100); }, { passive: true });
  addEventListener("pagehide", remember);
  remember();
  for (const island of document.querySelectorAll("leptos-island")) island.dataset.kpKnown = "";

  // ---- what leads to another page --------------------------------------------------

  addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
    if (!link || link.target || link.hasAttribute("download") || link.hasAttribute("data-kp-reload")) return;
    if ((link.getAttribute("rel") || "").split(/\s+/).includes("external")) return;
    const url = new URL(link.href, location.href);
    if (!isPage(new URL(location.href)) || !isPage(url)) return;
    // Only the #fragment differs: a link within this page, the browser's own.
    if (url.hash && url.pathname + url.search === here()) return;
    event.preventDefault();
    navigate(new Request(url), { push: true });
  });

  addEventListener("submit", (event) => {
    const form = event.target;
    const submitter = event.submitter || null;
    if (event.defaultPrevented || !(form instanceof HTMLFormElement)) return;
    if (form.hasAttribute("data-kp-reload") || form.dataset.kpNative || (submitter && submitter.hasAttribute("data-kp-reload"))) return;
    if (!isPage(new URL(location.href)) || (submitter && submitter.formTarget) || form.target) return;
    const method = ((submitter && submitter.getAttribute("formmethod")) || form.getAttribute("method") || "get").toLowerCase();
    const action = new URL((submitter && submitter.getAttribute("formaction")) || form.getAttribute("action") || location.href, location.href);
    if (action.origin !== location.origin) return;
    let data;
    try {
      data = new FormData(form, submitter);
    } catch {
      data = new FormData(form);
      if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    }
    const asText = () => new URLSearchParams([...data].map(([key, value]) => [key, typeof value === "string" ? value : value.name]));
    let request;
    if (method === "get") {
      if (!isPage(action)) return;
      action.search = asText().toString();
      request = new Request(action);
    } else if (method === "post") {
      // The action's own query string stays; files go as multipart, as the browser sends them.
      const enctype = ((submitter && submitter.getAttribute("formenctype")) || form.getAttribute("enctype") || "").toLowerCase();
      const body = enctype === "multipart/form-data" ? data : asText();
      request = new Request(action, { method: "POST", body, headers: { Accept: "text/html" } });
    } else {
      return;
    }
    event.preventDefault();
    // Sent by a script rather than a button (the search as you type): the
    // address follows without a new history entry, focus and scroll stay —
    // unless the user has moved on since the last key (a button, a link).
    const scripted = !submitter;
    if (scripted && lastNavigationAt > lastInputAt) { event.preventDefault(); return; }
    const typing = scripted && form.contains(document.activeElement);
    navigate(request, typing ? { replace: true, quiet: true, form } : { push: true, form, submitter });
  });

  addEventListener("popstate", (event) => {
    // Only the #fragment changed: the browser scrolls there by itself.
    if (here() === shown) return;
    const url = new URL(location.href);
    if (!isPage(url)) { location.reload(); return; }
    navigate(new Request(url), { pop: event.state || {} });
  });

  // An island asks for another page: `kp:navigate` with `{ url, replace }`
  // when it changed what the page shows (a search as you type: focus and
  // scroll stay where they are), with `{ url, settle: true }` when a form
  // it sent to its server function succeeded (the page it names comes as
  // after a click). Taking it, this cancels the event; the island loads the
  // page itself otherwise.
  addEventListener("kp:navigate", (event) => {
    const url = new URL(event.detail.url, location.href);
    event.preventDefault();
    if (!isPage(url) || !isPage(new URL(location.href))) { location.assign(url); return; }
    if (event.detail.settle) {
      navigate(new Request(url), url.pathname + url.search === here() ? { replace: true } : { push: true });
      return;
    }
    navigate(new Request(url), event.detail.replace ? { replace: true, quiet: true } : { push: true, quiet: true });
  });

  // An island showed another state of this page by itself (the document
  // list after its server function answered): `kp:shown` with `{ url,
  // replace }`. The address follows — a new history entry, or the same one
  // while the user types — and back and forward fetch that address's page.
  addEventListener("kp:shown", (event) => {
    const url = new URL(event.detail.url, location.href);
    if (url.origin !== location.origin) return;
    event.preventDefault();
    if (event.detail.replace) {
      history.replaceState({ ...(history.state || {}), kp: true }, "", url);
    } else {
      remember();
      history.pushState({ kp: true, x: scrollX, y: scrollY }, "", url);
    }
    shown = here();
  });

  // ---- fetching it -------------------------------------------------------------------

  async function navigate(request, how) {
    // A page change the user asked for is not cancelled by one an island
    // asks for in the background (a search sent a moment after the last key).
    if (how.quiet && inFlight && !inFlight.quiet) return;
    if (inFlight) inFlight.abort();
    const control = (inFlight = new AbortController());
    control.quiet = Boolean(how.quiet);
    if (!how.quiet) lastNavigationAt = performance.now();
    const timer = setTimeout(() => control.abort(), TIMEOUT_MS);
    if (!how.pop) remember();
    const busy = document.querySelector("main");
    if (busy) busy.setAttribute("aria-busy", "true");
    let response, html;
    try {
      response = await fetch(request, { signal: control.signal, cache: "no-store", credentials: "same-origin" });
      if (!(response.headers.get("content-type") || "").startsWith("text/html")) throw new Error("no page");
      const landed = new URL(response.url);
      if (!isPage(landed)) {
        // Somewhere else (the login page once a session has ended): a page load of its own.
        if (control === inFlight) location.assign(landed);
        return;
      }
      html = await response.text();
    } catch {
      if (control === inFlight) fallBack(request, how);
      return;
    } finally {
      clearTimeout(timer);
      if (busy) busy.removeAttribute("aria-busy");
    }
    if (control !== inFlight) return; // a newer navigation took over
    inFlight = null;
    const next = new DOMParser().parseFromString(html, "text/html");
    if (!next.querySelector("main")) { fallBack(request, how); return; }
    const refused = Boolean(how.form) && new URL(response.url).searchParams.has("fehler");
    const typed = refused ? typedValues(how.form) : null;
    const address = new URL(response.url);
    if (!response.redirected) address.hash = new URL(request.url).hash;
    // A refused form's islands start afresh: they may show the refusal (the password fields do).
    swap(next, !refused);
    if (typed) restoreTyped(typed);
    // After a form was sent no password stays typed in, not even in an island that lives on.
    if (how.form) for (const field of document.querySelectorAll('input[type="password"]')) field.value = "";
    if (how.push) history.pushState({ kp: true, x: 0, y: 0 }, "", address);
    else if (how.replace) history.replaceState({ kp: true, x: scrollX, y: scrollY }, "", address);
    shown = here();
    settle(how, refused);
  }

  // A fetch that failed is never a dead click: the browser does it itself.
  function fallBack(request, how) {
    inFlight = null;
    if (how.form && request.method === "POST") {
      how.form.dataset.kpNative = "1";
      if (how.form.requestSubmit) how.form.requestSubmit(how.submitter || undefined);
      else how.form.submit();
    } else {
      location.assign(request.url);
    }
  }

  // ---- putting it in place -------------------------------------------------------------

  function swap(next, keepIslands) {
    document.title = next.title;
    const lang = next.documentElement.getAttribute("lang");
    if (lang) document.documentElement.setAttribute("lang", lang);
    const focused = document.activeElement;
    const selection = focused && typeof focused.selectionStart === "number" ? [focused.selectionStart, focused.selectionEnd] : null;

    const incoming = document.createDocumentFragment();
    for (const node of [...next.body.childNodes]) incoming.append(document.adoptNode(node));

    // Islands on both pages live on: the n-th of a kind takes the place of
    // the n-th of that kind on the new page and gets its server HTML
    // (`leptos-children`, e.g. the user's name in the menu, the document
    // list's results) — if the server gave it the same props; otherwise the
    // new page's copy starts afresh.
    const living = new Map();
    for (const island of keepIslands ? topIslands(document.body) : []) {
      const kind = island.dataset.component;
      living.set(kind, [...(living.get(kind) || []), island]);
    }
    const counted = new Map();
    for (const island of topIslands(incoming)) {
      const kind = island.dataset.component;
      const n = counted.get(kind) || 0;
      counted.set(kind, n + 1);
      const old = (living.get(kind) || [])[n];
      if (!old || old.dataset.props !== island.dataset.props) continue;
      const oldChildren = old.querySelector("leptos-children");
      const newChildren = island.querySelector("leptos-children");
      if (oldChildren && newChildren) oldChildren.replaceChildren(...newChildren.childNodes);
      island.replaceWith(old);
    }
    const announcer = document.getElementById("kp-announcer");
    const itsPlace = incoming.getElementById ? incoming.getElementById("kp-announcer") : incoming.querySelector("#kp-announcer");
    if (announcer && itsPlace) itsPlace.replaceWith(announcer);

    document.body.replaceChildren(incoming);
    if (focused && focused !== document.body && focused.isConnected) {
      focused.focus({ preventScroll: true });
      if (selection) {
        try { focused.setSelectionRange(selection[0], selection[1]); } catch { /* no text field */ }
      }
    }
    // New islands get their WASM; before it runs, its first pass over the page takes them along.
    const ready = document.documentElement.hasAttribute("data-hydrated") && window.__hydrateIsland;
    for (const island of topIslands(document.body)) {
      if (island.dataset.kpKnown !== undefined) continue;
      island.dataset.kpKnown = "";
      if (ready) window.__hydrateIsland(island, island.dataset.component);
    }
  }

  function topIslands(root) {
    return [...root.querySelectorAll("leptos-island")].filter((island) => !island.parentElement || !island.parentElement.closest("leptos-island"));
  }

  // A refused form comes back as a new page: what was typed goes back in,
  // passwords and files excepted.
  function typedValues(form) {
    const values = [];
    for (const field of form.elements) {
      if (!field.name || ["password", "file", "hidden", "submit", "button"].includes(field.type)) continue;
      values.push({ name: field.name, type: field.type, value: field.value, checked: field.checked });
    }
    return { action: form.getAttribute("action"), values };
  }

  function restoreTyped({ action, values }) {
    const form = [...document.forms].find((candidate) => candidate.getAttribute("action") === action);
    if (!form) return;
    for (const { name, type, value, checked } of values) {
      for (const field of form.elements) {
        if (field.name !== name || field.type !== type) continue;
        if (type === "checkbox" || type === "radio") {
          if (field.value === value) field.checked = checked;
        } else {
          field.value = value;
        }
      }
    }
  }

  // ---- what a page load would have done ----------------------------------------------

  function settle(how, refused) {
    if (how.quiet) return;
    const fragment = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (how.pop && typeof how.pop.x === "number") scrollTo(how.pop.x, how.pop.y);
    else if (fragment) fragment.scrollIntoView();
    else scrollTo(0, 0);
    const wrong = refused ? document.querySelector('main [aria-invalid="true"], main [role="alert"]') : null;
    const target = wrong || document.querySelector("main h1") || document.querySelector("h1");
    if (target) {
      if (!target.matches("a[href], button, input, select, textarea, [tabindex]")) target.setAttribute("tabindex", "-1");
      target.focus({ preventScroll: true });
    }
    const announcer = document.getElementById("kp-announcer");
    if (announcer) {
      // Emptied first, so that a page of the same title is announced again.
      announcer.textContent = "";
      setTimeout(() => { announcer.textContent = document.title; }, 50);
    }
    document.dispatchEvent(new CustomEvent("kp:navigated"));
  }
})();
