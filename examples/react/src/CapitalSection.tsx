// <capital-offer-tile> in React 19, which passes properties and event listeners to custom
// elements itself: attributes by their names in markup, `strings` as an object, events as
// `on` + the event's name. `capital-offer-tile/react` registers the element and types all of it.
import { useRef, useState } from 'react';
import 'capital-offer-tile/react';
import type { CapitalOfferLoadedDetail, CapitalOfferTile } from 'capital-offer-tile/react';

const strings = { 'offer.cta': 'See your offer', fr: { 'offer.cta': 'Voir votre offre' } };

// The platform's backend mints a short-lived session token for its signed-in user (`--identity
// token`). A stable function (module scope): a new function would be a new session to the element.
async function fetchSessionToken(): Promise<string> {
  const response = await fetch('/platform/session-token', { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`session token: ${response.status}`);
  const { token } = (await response.json()) as { token: string };
  return token;
}

export function CapitalSection() {
  const tile = useRef<CapitalOfferTile>(null);
  const [loaded, setLoaded] = useState<CapitalOfferLoadedDetail | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  return (
    <section>
      <h1>Financing</h1>
      <capital-offer-tile
        ref={tile}
        api-base="/api/capital"
        layout="banner"
        brand-color="#635bff"
        strings={strings}
        fetchSessionToken={fetchSessionToken}
        oncapital-offer-loaded={(event) => {
          setLoaded(event.detail);
          setProblem(null);
        }}
        oncapital-offer-error={(event) => setProblem(event.detail.message)}
      />
      <p id="status" role="status">
        {problem ?? (loaded ? `Offer status: ${loaded.status}` : 'Loading your financing…')}
      </p>
      <button type="button" onClick={() => tile.current?.reload()}>
        Refresh
      </button>
    </section>
  );
}
