// <capital-offer-tile> in Angular. `CUSTOM_ELEMENTS_SCHEMA` lets the template use the tag; the
// package's declarations type the rest: with `strictTemplates`, Angular checks the
// `(capital-offer-…)` handlers against the element's own events (`HTMLElementTagNameMap`), and
// the template's `#tile` is the element itself, `reload()` typed.
import { CUSTOM_ELEMENTS_SCHEMA, Component, signal } from '@angular/core';
import 'capital-offer-tile';
import type {
  CapitalOfferErrorEvent,
  CapitalOfferLoadedDetail,
  CapitalOfferLoadedEvent,
  CapitalOfferStrings,
} from 'capital-offer-tile';

// The platform's backend mints a short-lived session token for its signed-in user (`--identity
// token`). One function for the app's life: a new function would be a new session to the element.
async function fetchSessionToken(): Promise<string> {
  const response = await fetch('/platform/session-token', { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`session token: ${response.status}`);
  const { token } = (await response.json()) as { token: string };
  return token;
}

@Component({
  selector: 'capital-section',
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  template: `
    <section>
      <h1>Financing</h1>
      <capital-offer-tile
        #tile
        api-base="/api/capital"
        layout="tile"
        brand-color="#dd0031"
        [strings]="strings"
        [fetchSessionToken]="fetchSessionToken"
        (capital-offer-loaded)="onLoaded($event)"
        (capital-offer-error)="onError($event)"
      ></capital-offer-tile>
      <p id="status" role="status">{{ status() }}</p>
      <button type="button" (click)="tile.reload()">Refresh</button>
    </section>
  `,
})
export class CapitalSection {
  protected readonly strings: CapitalOfferStrings = {
    'offer.cta': 'See your offer',
    fr: { 'offer.cta': 'Voir votre offre' },
  };
  protected readonly fetchSessionToken = fetchSessionToken;
  private readonly loaded = signal<CapitalOfferLoadedDetail | null>(null);
  private readonly problem = signal<string | null>(null);

  protected status(): string {
    const loaded = this.loaded();
    return this.problem() ?? (loaded ? `Offer status: ${loaded.status}` : 'Loading your financing…');
  }

  protected onLoaded(event: CapitalOfferLoadedEvent): void {
    this.loaded.set(event.detail);
    this.problem.set(null);
  }

  protected onError(event: CapitalOfferErrorEvent): void {
    this.problem.set(event.detail.message);
  }
}
