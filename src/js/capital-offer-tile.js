// <capital-offer-tile>: the custom element's lifecycle, and its first paint. Rendering, fetching,
// theming and events live in Rust (src/element.rs); this module connects the element's
// callbacks to it and makes sure that nothing waits on anything it does not need:
// - the element is defined as soon as this module runs, and paints its skeleton at once, in its
//   own stylesheet (written in here at build time by scripts/embed-styles.mjs);
// - the wasm-bindgen glue and the wasm (compiled while it streams in) are requested together,
//   right away, and `GET {api-base}/offer` starts beside them, for the elements in the page's
//   HTML before anything else the module does (for the others, at the end of the task that
//   connects them); Rust takes over the shadow root, the stylesheet and that response when the
//   wasm is ready;
// - elements that share `api-base` and `credentials` share one request while it is in flight;
// - with `fetchSessionToken` set, every request (this first one, Rust's, the live stream) carries
//   the platform's session token as `Authorization: Bearer …` (`authorizedFetch` below).
//
// All URLs are relative to this file, so the folder can be copied anywhere. Importing it twice is
// harmless.

const TAG = 'capital-offer-tile';
// The element's attributes. Rust has the same list (`model::options::Attribute`); a browser test
// holds the two equal.
const ATTRIBUTES = [
  'api-base',
  'layout',
  'brand-color',
  'accent-color',
  'theme',
  'locale',
  'link-target',
  'link-origins',
  'credentials',
  'delivery',
  'live',
];
const STYLES = '__CAPITAL_TILE_CSS__';
// As Rust's: `model::options::DEFAULT_API_BASE` and `runtime::api::TIMEOUT_MS`.
const DEFAULT_API_BASE = '/api/capital';
const TIMEOUT_MS = 15000;

const core = import('./capital-offer-tile-core.js');
const wasm = fetch(new URL('./capital-offer-tile-core_bg.wasm', import.meta.url));
const ready = core.then(async (glue) => {
  await glue.default({ module_or_path: wasm });
  return glue;
});
ready.catch((error) => console.error('capital-offer-tile: the element could not start', error));
// A renderer's first `Intl` formatter loads ICU's data: 68 to 106 ms of a slow phone's main thread
// (the next ones cost 0.1 to 24 ms). The wasm's first render would wait for it; it is done once the
// glue is in, while the wasm is still on its way, after a frame (so as not to hold back the tile
// a prerendered answer may just have painted).
core.then(() =>
  requestAnimationFrame(() =>
    setTimeout(() => {
      new Intl.NumberFormat().format(1);
      new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(0);
    }),
  ),
);

// Parsed when the first element connects, after the page's `GET /offer` has gone out.
let sheet;

function adoptStyles(shadow) {
  if (sheet === undefined) {
    try {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLES);
    } catch {
      sheet = null; // Constructable stylesheets are missing (very old engines): a <style> then.
    }
  }
  if (sheet) {
    shadow.adoptedStyleSheets = [sheet];
  } else if (!shadow.querySelector('style')) {
    const style = document.createElement('style');
    style.textContent = STYLES;
    shadow.prepend(style);
  }
}

const keyword = (value) => (value ?? '').trim().toLowerCase();
// As Rust's `model::options::api_base` and `route`.
const offerUrl = (apiBase) => `${(apiBase ?? '').trim().replace(/\/+$/, '') || DEFAULT_API_BASE}/offer`;
const credentialsMode = (value) => (keyword(value) === 'include' ? 'include' : 'same-origin');

// `GET /offer` started before the wasm is ready, by URL and credentials, while in flight: its
// answer as `[status, text]` (the protocol Rust reads), and how many elements wait for it.
const prefetches = new Map();

// Session tokens (`fetchSessionToken`), by `api-base`: elements sharing it share the token (a
// promise: one call of the platform's function at a time), kept until the backend answers 401.
const sessionTokens = new Map();

function sessionToken(base, fetchToken, refused) {
  let token = sessionTokens.get(base);
  // Only the refused token is replaced: another element may have a new one on the way already.
  if (!token || token === refused) {
    // Asked at once (a function that throws is a rejection, as one that rejects).
    token = new Promise((resolve) => resolve(fetchToken())).then((value) => value.trim() || Promise.reject());
    sessionTokens.set(base, token);
    token.catch((error) => {
      if (sessionTokens.get(base) === token) sessionTokens.delete(base);
      console.warn('capital-offer-tile: fetchSessionToken gave no token', error);
    });
  }
  return token;
}

// Rust reads this rejection as `ApiError::Auth` (`kind: auth`).
const auth = (token) =>
  token.catch(() => {
    throw 'auth';
  });

// `fetch` with the session token: a 401 fetches the token again once and retries once. One such
// function per api-base (for its latest token function), so that Rust shares answers only between
// the elements that use the same one.
const fetchers = new Map();
function fetcherFor(apiBase, fetchToken) {
  if (typeof fetchToken !== 'function') return undefined;
  const base = offerUrl(apiBase);
  let known = fetchers.get(base);
  if (known?.[0] !== fetchToken) {
    const send = async (url, init, token) =>
      fetch(url, { ...init, headers: { ...init?.headers, Authorization: `Bearer ${await auth(token)}` } });
    const fetcher = async (url, init) => {
      const first = sessionToken(base, fetchToken);
      const response = await send(url, init, first);
      return response.status === 401 ? send(url, init, sessionToken(base, fetchToken, first)) : response;
    };
    fetchers.set(base, (known = [fetchToken, fetcher]));
  }
  return known[1];
}

function prefetch(url, credentials, fetcher, query = '') {
  const key = `${credentials} ${url}${query}`;
  let entry = prefetches.get(key);
  if (entry && entry.fetcher !== fetcher) entry = undefined;
  if (!entry) {
    const controller = new AbortController();
    // Rust reads a rejection with "timeout" as a timeout, "auth" as the token function's
    // failure, anything else as a network failure.
    const timer = setTimeout(() => controller.abort('timeout'), TIMEOUT_MS);
    const answer = (fetcher ?? fetch)(url + query, {
      credentials,
      signal: controller.signal,
      headers: { Accept: 'application/json' },
    }).then(async (response) => [response.status, await response.text()]);
    entry = { url, query, credentials, fetcher, answer, controller, users: 0 };
    const settled = () => {
      clearTimeout(timer);
      if (prefetches.get(key) === entry) prefetches.delete(key);
    };
    answer.then(settled, settled);
    prefetches.set(key, entry);
  }
  entry.users++;
  return entry;
}

function release(entry) {
  if (entry && --entry.users === 0) entry.controller.abort();
}

// The live stream: one per stream URL, credentials and token function, shared by the page's
// elements (`GET {api-base}/offer/events`, the same JSON as `GET /offer` each time it changes),
// read with `fetch` (`EventSource` cannot send the session token) by the HTML standard's rules
// for `text/event-stream`. Open only while the page is visible. A stream that ends is reconnected
// after the server's `retry` with `Last-Event-ID`, a failure with backoff; one refused before it
// ever opened (the backend has no such route) is given up for this page, after which coming back
// to the page re-fetches `GET /offer` instead. A token that expires mid-stream ends it at the
// server: the reconnection gets a 401, then a fresh token.
const streams = new Map();
const MAX_RETRY_MS = 30000;
const visible = () => document.visibilityState !== 'hidden';

function follow(tile, apiBase, credentials, fetcher) {
  const url = `${offerUrl(apiBase)}/events`;
  let entry = [...streams.values()].find((e) => e.url === url && e.credentials === credentials && e.fetcher === fetcher);
  if (!entry) {
    entry = { url, credentials, fetcher, tiles: new Set(), source: null, timer: 0, delay: 1000, opened: false, none: false, last: null, lastId: '', retry: 2000 };
    streams.set(entry, entry);
  }
  entry.tiles.add(tile);
  if (entry.last !== null) tile.stateFromStream(entry.last);
  connect(entry);
  return entry;
}

function unfollow(tile, entry) {
  if (!entry) return;
  entry.tiles.delete(tile);
  if (entry.tiles.size === 0) {
    disconnect(entry);
    streams.delete(entry);
  }
}

function connect(entry) {
  if (entry.source || entry.timer || entry.none || !visible() || entry.tiles.size === 0) return;
  const source = new AbortController();
  entry.source = source;
  const headers = { Accept: 'text/event-stream' };
  if (entry.lastId) headers['Last-Event-ID'] = entry.lastId;
  const again = (wait) => {
    if (entry.source !== source) return; // closed here: a hidden page, or nobody follows it
    entry.source = null;
    entry.timer = setTimeout(() => {
      entry.timer = 0;
      connect(entry);
    }, wait);
  };
  (entry.fetcher ?? fetch)(entry.url, { credentials: entry.credentials, headers, signal: source.signal })
    .then(async (response) => {
      if (!response.ok || !response.headers.get('content-type')?.startsWith('text/event-stream')) {
        if (entry.opened) throw 0;
        if (entry.source === source) {
          entry.none = true;
          entry.source = null;
        }
        return;
      }
      entry.opened = true;
      entry.delay = 1000;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      let event = '';
      let data = [];
      for (let read; !(read = await reader.read()).done; ) {
        const lines = (buffer + read.value).split(/\r\n|\r|\n/);
        buffer = lines.pop();
        for (const line of lines) {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + (line[colon + 1] === ' ' ? 2 : 1));
          if (!line) {
            if (data.length && event === 'offer') {
              entry.last = data.join('\n');
              for (const tile of entry.tiles) tile.stateFromStream(entry.last);
            }
            event = '';
            data = [];
          } else if (field === 'event') event = value;
          else if (field === 'data') data.push(value);
          else if (field === 'id' && !value.includes('\0')) entry.lastId = value;
          else if (field === 'retry' && /^\d+$/.test(value)) entry.retry = +value;
        }
      }
      again(entry.retry);
    })
    .catch(() => {
      again(entry.delay);
      entry.delay = Math.min(entry.delay * 2, MAX_RETRY_MS);
    });
}

function disconnect(entry) {
  entry.source?.abort();
  entry.source = null;
  clearTimeout(entry.timer);
  entry.timer = 0;
}

// A hidden page holds no stream; back on the page, the state is brought up to date: the stream
// reconnects (and sends the current state), or without one, `GET /offer` is asked once. A page
// hidden for under a second (the blank tab a launch opens and closes when the link is refused)
// is not re-fetched: nothing changed, and a reload would clear the message the tile shows.
let hiddenAt = 0;
function pageShown() {
  const away = Date.now() - hiddenAt;
  for (const entry of streams.values()) {
    if (!entry.none) connect(entry);
    else if (away >= 1000) for (const tile of entry.tiles) tile.reload();
  }
}
document.addEventListener('visibilitychange', () => {
  if (visible()) return pageShown();
  hiddenAt = Date.now();
  for (const entry of streams.values()) disconnect(entry);
});
addEventListener('pageshow', (event) => {
  if (event.persisted) pageShown();
});

// The skeleton's copy by language (`model::card::ghost`, generated into src/js/skeleton-copy.json
// and written in here at build time).
const SKELETON_COPY = '__CAPITAL_SKELETON_COPY__';

// As Rust's `resolve_locale`: the attribute if `Intl` takes it, else the browser's language,
// else English. `Intl.NumberFormat` (Rust's check) refuses exactly the tags that
// `getCanonicalLocales` refuses, but a renderer's first one loads ICU's data (below), which the
// skeleton and `GET /offer` would otherwise wait for.
function localeTag(locale) {
  for (const candidate of [locale, navigator.language]) {
    const tag = (candidate ?? '').trim();
    if (!tag || tag.length > 64) continue;
    try {
      Intl.getCanonicalLocales(tag);
      return tag;
    } catch {}
  }
  return 'en';
}

// As Rust's `Lang::from_locale`: copy in English, French or German.
function language(locale) {
  const primary = localeTag(locale).split(/[-_]/)[0].toLowerCase();
  return primary === 'fr' || primary === 'de' ? primary : 'en';
}

const layoutOf = (value) => (keyword(value) === 'banner' ? 'banner' : 'tile');

// `GET /offer`'s query asking for the tile prerendered as the presentation attributes
// (`ATTRIBUTES[2…6]`, read with `value(name)`) say.
function prerenderQuery(value) {
  const query = new URLSearchParams({ prerender: layoutOf(value('layout')), locale: localeTag(value('locale')) });
  for (const name of ATTRIBUTES.slice(2, 7)) if (value(name) != null && !query.has(name)) query.set(name, value(name));
  return `?${query}`;
}

// The prerendered tile (`prerendered` in `GET /offer?prerender=…`'s answer) is taken only through
// an allowlist of the element's own tags and attributes, node by node into new nodes: anything
// else (a script, a handler, a style, a URL) refuses it whole, and the skeleton stays. The call
// to action's link is rebuilt from the element's own refresh route (only its `type` is read); an
// icon only if it is the state's own, and `https:` or the page's (as the element loads icons).
const OWN_TAGS = /^(div|span|h2|p|dl|dt|dd|time|a|img|svg|path)$/;
// Read as `name=value`: the first names take any text (set as an attribute, never markup), the
// others one value each. (Only SVG's namespace ends in `/svg`.)
const OWN_ATTRIBUTES = /^(class|part|role|lang|datetime|alt|width|height|viewBox|d|aria-[a-z]+|data-(status|layout|theme)|stroke-[a-z]+|href|src)=|^(target=_blank|rel=noopener|loading=lazy|(fill|stroke)=(none|currentColor))$/;

function ownMarkup(html, refresh, icon) {
  const template = document.createElement('template');
  template.innerHTML = html;
  const copy = (parent, node) => {
    const { nodeType, localName: tag, namespaceURI } = node;
    // Text is copied as text; comments (Leptos's markers) are left out.
    if (nodeType !== 1) return nodeType === 3 && parent.append(node.data);
    if (!OWN_TAGS.test(tag) || namespaceURI.endsWith('/svg') !== /^(svg|path)$/.test(tag)) throw tag;
    const out = document.createElementNS(namespaceURI, tag);
    for (let { name, value } of node.attributes) {
      if (!OWN_ATTRIBUTES.test(`${name}=${value}`)) throw name;
      if (name === 'href') value = `${refresh}?type=${/[?&]type=([a-z_]+)$/.exec(value)[1]}`;
      if (name === 'src') {
        const url = new URL(value, document.baseURI);
        if (value !== icon || !(url.protocol === 'https:' || url.origin === location.origin)) throw name;
      }
      out.setAttribute(name, value);
    }
    node.childNodes.forEach((child) => copy(out, child));
    parent.append(out);
  };
  const root = element('div', 'root');
  template.content.childNodes.forEach((node) => copy(root, node));
  return root;
}

function element(tag, className, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.append(...children.filter((child) => child !== null));
  return node;
}

const hiddenText = (text) => element('span', '', text);
const bone = (text) => element('span', 'bone', hiddenText(text));
const hidden = (node) => {
  node.setAttribute('aria-hidden', 'true');
  return node;
};

// The skeleton, exactly as Rust's `views::Skeleton` renders it (a browser test compares the two),
// so that the hand-over changes nothing on screen.
function skeleton(lang) {
  const copy = SKELETON_COPY[lang];
  const tile = element('div', 'tile', element('div', 'visually-hidden'));
  tile.setAttribute('part', 'tile');
  tile.dataset.status = 'loading';
  tile.setAttribute('aria-busy', 'true');
  tile.firstChild.setAttribute('role', 'status');
  tile.firstChild.setAttribute('aria-live', 'polite');
  tile.append(
    hidden(
      element(
        'div',
        'main skeleton',
        element('div', 'brand', copy.chip === null ? null : element('span', 'chip', hiddenText(copy.chip))),
        element('h2', 'heading', bone(copy.heading)),
        copy.lede === null ? null : element('p', 'lede', bone(copy.lede)),
      ),
    ),
    hidden(
      element(
        'div',
        'figures skeleton',
        element(
          'div',
          'amount-block',
          copy.amountLabel === null ? null : element('span', 'amount-label', bone(copy.amountLabel)),
          element('span', 'amount', bone(copy.amount)),
        ),
        element(
          'dl',
          'terms',
          ...copy.terms.map(([label, value]) =>
            element('div', 'term', label === null ? null : element('dt', '', bone(label)), element('dd', '', bone(value))),
          ),
        ),
      ),
    ),
    hidden(element('div', 'actions skeleton', element('span', 'cta', hiddenText(copy.cta)))),
    copy.legal === null ? null : hidden(element('p', 'legal skeleton', bone(copy.legal))),
  );
  const root = element('div', 'root', tile);
  root.dataset.lang = lang;
  return root;
}

// The state a server rendered the tile for (`GET {api-base}/offer/fragment`, a Declarative Shadow
// DOM): the first load takes it instead of asking again, and the server's tile stays until the
// wasm renders the same in its place.
const served = (shadow) => shadow?.querySelector('.root[data-state]')?.dataset.state;

// Moves focus from the server's call to action to the wasm's once it renders it (the tile is
// replaced whole, and a user who tabbed to it should not lose their place).
function keepFocus(shadow) {
  const observer = new MutationObserver(() => {
    const cta = shadow.querySelector('[part~="cta"]');
    if (cta) {
      observer.disconnect();
      cta.focus();
    }
  });
  observer.observe(shadow, { childList: true, subtree: true });
  setTimeout(() => observer.disconnect(), TIMEOUT_MS);
}

// Properties that change presentation reflect to their attributes, so that a page can select on
// them (`capital-offer-tile[theme=dark]`) and devtools show what is in effect.
const REFLECTED = ['layout', 'theme'];

const camelCase = (name) => name.replace(/-([a-z])/g, (_, letter) => letter.toUpperCase());

export class CapitalOfferTile extends HTMLElement {
  static observedAttributes = ATTRIBUTES;

  #internals;
  #handle = null;
  /** Values set as JS properties; a property wins over its attribute. */
  #properties = new Map();
  /** Bumped on every connect and disconnect, so a late wasm start never mounts a removed element. */
  #generation = 0;
  /** This element's share of a `GET /offer` started before the wasm was ready. */
  #prefetch = null;
  /** A `GET /offer` is to start at the end of the current task (`#schedulePrefetch`). */
  #prefetchQueued = false;
  /** The `strings` property: the platform's approved copy, as an object (see the README). */
  #strings = undefined;
  /** The shared live stream this element follows (`live="auto"`), if any. */
  #stream = null;
  /** The `fetchSessionToken` property: the platform's function returning a promise of a token. */
  #fetchSessionToken = undefined;

  constructor() {
    super();
    try {
      this.#internals = this.attachInternals();
    } catch {
      this.#internals = undefined;
    }
  }

  connectedCallback() {
    // Properties assigned before this class was defined sit on the instance and hide the
    // accessors; move them onto the accessors.
    for (const name of [...ATTRIBUTES, 'strings', 'fetchSessionToken']) {
      const property = camelCase(name);
      if (Object.prototype.hasOwnProperty.call(this, property)) {
        const value = this[property];
        delete this[property];
        this[property] = value;
      }
    }
    const generation = ++this.#generation;
    if (this.#handle) return;
    const shadow = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
    adoptStyles(shadow);
    this.#paintSkeleton();
    this.#schedulePrefetch();
    ready.then(
      (glue) => {
        if (!this.isConnected || generation !== this.#generation || this.#handle) return;
        if (shadow.activeElement?.matches('[part~="cta"]')) keepFocus(shadow);
        const handle = new glue.TileHandle(this, this.#internals);
        handle.setFetch(this.#fetcher(), false);
        const first = this.#prefetch;
        if (first) handle.firstLoad(first.url, first.credentials, first.answer);
        this.#handle = handle;
        for (const name of ATTRIBUTES) this.#push(name);
        this.#pushStrings();
        this.#follow();
      },
      () => {},
    );
  }

  disconnectedCallback() {
    this.#generation++;
    release(this.#prefetch);
    this.#prefetch = null;
    unfollow(this, this.#stream);
    this.#stream = null;
    if (this.#handle) {
      this.#handle.dispose();
      this.#handle.free();
      this.#handle = null;
    }
  }

  attributeChangedCallback(name) {
    if (this.#properties.has(name)) return;
    this.#changed(name);
  }

  /** Loads the offer state again, e.g. after the user comes back from a Stripe page. */
  reload() {
    this.#handle?.reload();
  }

  /** A state from the shared live stream (not part of the public API). */
  stateFromStream(text) {
    this.#handle?.set('state', text);
  }

  /** Follows the live stream of the current `api-base` and `credentials`, unless `live="off"`. */
  #follow() {
    unfollow(this, this.#stream);
    this.#stream = null;
    if (!this.#handle || keyword(this.#effective('live')) === 'off') return;
    this.#stream = follow(this, this.#effective('api-base'), credentialsMode(this.#effective('credentials')), this.#fetcher());
  }

  /**
   * A function returning a promise of a session token from the platform's backend (`--identity
   * token`): every request then carries `Authorization: Bearer …`. Set it before the element is
   * connected, or in the same task (as frameworks do), so that the first request carries it too.
   */
  get fetchSessionToken() {
    return this.#fetchSessionToken;
  }

  set fetchSessionToken(value) {
    const next = typeof value === 'function' ? value : undefined;
    if (value !== null && value !== undefined && next === undefined) {
      console.warn('capital-offer-tile: fetchSessionToken must be a function; it was ignored');
    }
    if (next === this.#fetchSessionToken) return;
    // A new function is a new session (another user, or signed in again): the shared token of the
    // old one is not reused.
    if (this.#fetchSessionToken) sessionTokens.delete(offerUrl(this.#effective('api-base')));
    this.#fetchSessionToken = next;
    if (this.#handle) {
      this.#handle.setFetch(this.#fetcher(), true);
      this.#follow();
    } else if (this.isConnected && this.shadowRoot) {
      this.#schedulePrefetch();
    }
  }

  /** The authorising `fetch` for the current `api-base` and token function, if one is set. */
  #fetcher() {
    return fetcherFor(this.#effective('api-base'), this.#fetchSessionToken);
  }

  /**
   * The platform's copy replacing the built-in copy, key by key: `{"offer.cta": "…", "fr": {…}}`.
   * Text only, never markup; unknown keys are ignored. Assign a new object to change it.
   */
  get strings() {
    return this.#strings;
  }

  set strings(value) {
    this.#strings = value ?? undefined;
    this.#pushStrings();
  }

  #pushStrings() {
    if (!this.#handle) return;
    let json;
    try {
      json = this.#strings === undefined ? undefined : JSON.stringify(this.#strings);
    } catch (error) {
      console.warn('capital-offer-tile: `strings` is not JSON-serialisable and was ignored', error);
    }
    this.#handle.set('strings', json);
  }

  #effective(name) {
    return this.#properties.has(name) ? this.#properties.get(name) : this.getAttribute(name);
  }

  #push(name) {
    this.#handle?.set(name, this.#effective(name) ?? undefined);
  }

  #changed(name) {
    if (this.#handle) {
      if (name === 'api-base') this.#handle.setFetch(this.#fetcher(), false);
      this.#push(name);
      if (name === 'api-base' || name === 'credentials' || name === 'live') this.#follow();
    } else if (this.isConnected && this.shadowRoot) {
      this.#paintSkeleton();
      if (name === 'api-base' || name === 'credentials') this.#schedulePrefetch();
    }
  }

  /** The skeleton, in the language, layout and theme of the attributes, until Rust takes over. */
  #paintSkeleton() {
    const shadow = this.shadowRoot;
    if (served(shadow) !== undefined) return;
    const lang = language(this.#effective('locale'));
    const layout = layoutOf(this.#effective('layout'));
    const painted = shadow.querySelector('.root');
    // A prerendered tile stays while it is in the language and layout asked for.
    if (painted?.dataset.lang !== lang || (painted.dataset.prerendered ?? layout) !== layout) {
      painted?.remove();
      shadow.append(skeleton(lang));
    }
    const tile = shadow.querySelector('.root > .tile');
    tile.dataset.layout = layout;
    const theme = keyword(this.#effective('theme'));
    tile.dataset.theme = theme === 'light' || theme === 'dark' ? theme : 'auto';
  }

  /**
   * Starts `GET /offer` at the end of the current task: frameworks that insert the element before
   * setting its properties (Angular sets bindings after insertion, in the same task) still get one
   * request, carrying the session token and the `api-base` they set.
   */
  #schedulePrefetch() {
    if (this.#prefetchQueued) return;
    this.#prefetchQueued = true;
    queueMicrotask(() => {
      this.#prefetchQueued = false;
      if (this.isConnected && !this.#handle) this.#startPrefetch();
    });
  }

  /** Starts (or joins) `GET /offer` for the current `api-base` and `credentials`. */
  #startPrefetch() {
    const url = offerUrl(this.#effective('api-base'));
    const credentials = credentialsMode(this.#effective('credentials'));
    const fetcher = this.#fetcher();
    const current = this.#prefetch;
    const state = served(this.shadowRoot);
    if (state !== undefined) {
      release(current);
      this.#prefetch = { url, credentials, fetcher, answer: Promise.resolve([200, state]), controller: new AbortController(), users: 1 };
      return;
    }
    const query = prerenderQuery((name) => this.#effective(name));
    if (current && current.url === url && current.query === query && current.credentials === credentials && current.fetcher === fetcher) return;
    release(current);
    const entry = (this.#prefetch = prefetch(url, credentials, fetcher, query));
    entry.answer.then(([status, text]) => {
      if (status === 200 && this.#prefetch === entry && !this.#handle) this.#paintPrerendered(text);
    }, () => {});
  }

  /** The backend's prerendered tile in place of the skeleton, if it is the one asked for. */
  #paintPrerendered(text) {
    try {
      const state = JSON.parse(text);
      const { layout, lang, html, properties } = state.prerendered;
      if (layout !== layoutOf(this.#effective('layout')) || lang !== language(this.#effective('locale'))) return;
      const root = ownMarkup(html, offerUrl(this.#effective('api-base')).replace(/offer$/, 'account_links/refresh'), state.branding?.icon?.trim());
      const tile = root.firstChild;
      if (root.childNodes.length !== 1 || !tile.matches('div.tile[part="tile"]')) return;
      for (const declaration of properties.split(';')) {
        if (!/^--_[a-z-]+:(#[0-9a-f]{6}|[\d.]+%)$/.test(declaration)) return;
        tile.style.setProperty(...declaration.split(':'));
      }
      root.dataset.lang = lang;
      root.dataset.prerendered = layout;
      this.shadowRoot.querySelector('.root').replaceWith(root);
    } catch {
      // No `prerendered`, or not the element's own markup: the skeleton stays.
    }
  }

  static {
    for (const name of ATTRIBUTES) {
      Object.defineProperty(this.prototype, camelCase(name), {
        configurable: true,
        enumerable: true,
        get() {
          return this.#effective(name);
        },
        set(value) {
          if (REFLECTED.includes(name)) {
            // The attribute is the value: attributeChangedCallback passes it on.
            if (value === null || value === undefined) this.removeAttribute(name);
            else this.setAttribute(name, String(value));
            return;
          }
          if (value === null || value === undefined) this.#properties.delete(name);
          else this.#properties.set(name, String(value));
          this.#changed(name);
        },
      });
    }
  }
}

if (!customElements.get(TAG)) {
  // The elements the page's HTML already holds have their attributes (and any property a script
  // set on them before this module ran): their `GET /offer` goes out now, before the stylesheet
  // is parsed and the skeletons are built; each joins its request when it connects, and this
  // module lets go of them once they have.
  const early = [...document.querySelectorAll(TAG)].filter((element) => served(element.shadowRoot) === undefined).map((element) => {
    const own = (name) => (Object.prototype.hasOwnProperty.call(element, name) ? element[name] : undefined);
    const value = (name) => own(camelCase(name)) ?? element.getAttribute(name);
    const apiBase = value('api-base');
    return prefetch(offerUrl(apiBase), credentialsMode(value('credentials')), fetcherFor(apiBase, own('fetchSessionToken')), prerenderQuery(value));
  });
  customElements.define(TAG, CapitalOfferTile);
  queueMicrotask(() => early.forEach(release));
}
