// <capital-offer-tile>: the custom element's lifecycle. Rendering, fetching, theming and events
// live in Rust (src/runtime/element.rs); this shim only connects the element's callbacks to it.
//
// Self-initialising: importing this module loads the wasm next to it (URLs relative to this file,
// so the folder can be copied anywhere) and defines the element. Importing it twice is harmless.
import init, { TileHandle } from './capital-offer-tile-core.js';

const TAG = 'capital-offer-tile';
// The attribute names come from Rust so that the two lists can never drift apart.
const ready = init({ module_or_path: new URL('./capital-offer-tile-core_bg.wasm', import.meta.url) });
const ATTRIBUTES = await ready.then(() => TileHandle.observedAttributes(), () => []);

const camelCase = (name) => name.replace(/-([a-z])/g, (_, letter) => letter.toUpperCase());

export class CapitalOfferTile extends HTMLElement {
  static observedAttributes = ATTRIBUTES;

  #internals;
  #handle = null;
  /** Values set as JS properties; a property wins over its attribute. */
  #properties = new Map();
  /** Bumped on every connect and disconnect, so a late wasm start never mounts a removed element. */
  #generation = 0;

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
    for (const name of ATTRIBUTES) {
      const property = camelCase(name);
      if (Object.prototype.hasOwnProperty.call(this, property)) {
        const value = this[property];
        delete this[property];
        this[property] = value;
      }
    }
    const generation = ++this.#generation;
    ready.then(
      () => {
        if (!this.isConnected || generation !== this.#generation || this.#handle) return;
        this.#handle = new TileHandle(this, this.#internals);
        for (const name of ATTRIBUTES) this.#push(name);
      },
      (error) => console.error('capital-offer-tile: the element could not start', error),
    );
  }

  disconnectedCallback() {
    this.#generation++;
    if (this.#handle) {
      this.#handle.dispose();
      this.#handle.free();
      this.#handle = null;
    }
  }

  attributeChangedCallback(name) {
    if (!this.#properties.has(name)) this.#push(name);
  }

  /** Loads the offer state again, e.g. after the user comes back from a Stripe page. */
  reload() {
    this.#handle?.reload();
  }

  #effective(name) {
    return this.#properties.has(name) ? this.#properties.get(name) : this.getAttribute(name);
  }

  #push(name) {
    this.#handle?.set(name, this.#effective(name) ?? undefined);
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
          if (value === null || value === undefined) this.#properties.delete(name);
          else this.#properties.set(name, String(value));
          this.#push(name);
        },
      });
    }
  }
}

if (!customElements.get(TAG)) customElements.define(TAG, CapitalOfferTile);
