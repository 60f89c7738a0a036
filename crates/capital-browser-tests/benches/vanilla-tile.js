// The performance baseline: a hand-written vanilla JS custom element that does what
// <capital-offer-tile> does on load, minimally: fetch `{api-base}/offer`, render heading, amount,
// fee, withhold rate and expiry with Intl into an open shadow root, and report
// `capital-offer-loaded`. No theming, no states beyond the offer, no safety checks; it exists to
// be measured against (benches/element.rs), not to be used.
const STYLE = `
  :host { display: block; }
  .tile { font: 15px/1.45 system-ui, sans-serif; padding: 20px; border: 1px solid #e3e6ec; border-radius: 14px; }
  h2 { margin: 0 0 8px; font-size: 1.2em; } .amount { font-size: 2.1em; font-weight: 700; }
  dl { display: grid; grid-template-columns: 1fr auto; gap: 6px; } dd { margin: 0; font-weight: 600; }
  button { width: 100%; min-height: 44px; border: 0; border-radius: 10px; background: #0a7cff; color: #000; font: inherit; }`;

class VanillaTile extends HTMLElement {
  async connectedCallback() {
    // As a hand-written element would: its box is on screen at once, filled when the offer comes.
    const root = this.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = STYLE;
    const tile = document.createElement('div');
    tile.className = 'tile';
    root.append(style, tile);
    const base = this.getAttribute('api-base') ?? '/api/capital';
    const { offer } = await (await fetch(`${base}/offer`)).json();
    const terms = offer.offered_terms;
    const digits = ['jpy', 'krw'].includes(terms.currency) ? 0 : 2;
    const money = (amount) => new Intl.NumberFormat(undefined, { style: 'currency', currency: terms.currency.toUpperCase(), maximumFractionDigits: 0 }).format(amount / 10 ** digits);
    tile.dataset.status = offer.status;
    const heading = document.createElement('h2');
    heading.textContent = 'Your business is prequalified for financing';
    const amount = document.createElement('div');
    amount.className = 'amount';
    amount.textContent = money(terms.advance_amount);
    const list = document.createElement('dl');
    for (const [label, value] of [
      ['Fixed fee', money(terms.fee_amount)],
      ['Payment rate', new Intl.NumberFormat(undefined, { style: 'percent' }).format(terms.withhold_rate)],
      ['Offer expires', new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(new Date(offer.expires_after * 1000))],
    ]) {
      const dt = document.createElement('dt');
      dt.textContent = label;
      const dd = document.createElement('dd');
      dd.textContent = value;
      list.append(dt, dd);
    }
    const button = document.createElement('button');
    button.textContent = 'View offer';
    tile.append(heading, amount, list, button);
    this.dispatchEvent(new CustomEvent('capital-offer-loaded', { bubbles: true, composed: true, detail: { status: offer.status } }));
  }
}

if (!customElements.get('vanilla-tile')) customElements.define('vanilla-tile', VanillaTile);
