// The element from the npm package, as a platform's dashboard built with Vite and TypeScript
// would use it: typed properties, typed events.
import 'capital-offer-tile';
import type { CapitalOfferLoadedDetail, CapitalOfferSessionTokenFetcher } from 'capital-offer-tile';

const status = document.querySelector<HTMLParagraphElement>('#status')!;

function describe({ status, financingType }: CapitalOfferLoadedDetail): string {
  if (status === 'none') return 'No Capital offer right now.';
  return financingType ? `Offer status: ${status} (${financingType})` : `Offer status: ${status}`;
}

// The platform's own backend mints a short-lived session token for its signed-in user
// (`--identity token`); the element asks for it before its first request and again after a 401.
const fetchSessionToken: CapitalOfferSessionTokenFetcher = async () => {
  const response = await fetch('/platform/session-token', { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`session token: ${response.status}`);
  const { token } = (await response.json()) as { token: string };
  return token;
};

// `createElement` knows the tag (HTMLElementTagNameMap): `tile` is a CapitalOfferTile.
const tile = document.createElement('capital-offer-tile');
// Set before the element is connected, so that its very first request carries the token.
tile.fetchSessionToken = fetchSessionToken;
tile.apiBase = '/api/capital';
tile.layout = 'tile';
tile.brandColor = '#635bff';
tile.strings = { 'offer.cta': 'See your offer' };

tile.addEventListener('capital-offer-loaded', (event) => {
  status.textContent = describe(event.detail);
});
tile.addEventListener('capital-offer-error', (event) => {
  const { kind, status: httpStatus } = event.detail;
  status.textContent = kind === 'http' ? `The backend answered ${httpStatus}.` : `Could not load (${kind}).`;
});
tile.addEventListener('capital-offer-launch', (event) => {
  // The element opens the link itself; a dashboard may log it or take over.
  console.info('Opening Stripe', event.detail.type, 'until', event.detail.expiresAt);
});

document.querySelector('#capital')!.append(tile);
