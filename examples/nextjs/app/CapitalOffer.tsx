'use client';
// The server's tile, taken over by the npm package in the browser. The fragment is the backend's
// HTML, included as it is; the package is imported only here, after hydration (it defines a
// custom element, which the server cannot). Properties set on the element before the import are
// kept when it upgrades, so the token function is in place before the element's first request.
import { useEffect, useRef, useState } from 'react';
// Types only (the JSX element, the class, the events): the module itself is imported below.
import type { CapitalOfferLoadedDetail, CapitalOfferTile } from 'capital-offer-tile/react';
import { API_BASE } from '../lib/backend';
import type { TileAttributes } from '../lib/capital';

const strings = { 'offer.cta': 'See your offer', fr: { 'offer.cta': 'Voir votre offre' } };

// The platform's own route mints a short-lived token for its signed-in user (app/platform/…).
// Module scope: a new function would be a new session to the element.
async function fetchSessionToken(): Promise<string> {
  const response = await fetch('/platform/session-token', { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`session token: ${response.status}`);
  const { token } = (await response.json()) as { token: string };
  return token;
}

export function CapitalOffer({
  fragment,
  attributes,
}: {
  /** The element with its server-rendered shadow root, or `null` if the backend could not render it. */
  fragment: string | null;
  attributes: TileAttributes;
}) {
  const host = useRef<HTMLDivElement>(null);
  const [loaded, setLoaded] = useState<CapitalOfferLoadedDetail | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    const tile = host.current?.querySelector('capital-offer-tile');
    if (!tile) return;
    tile.fetchSessionToken = fetchSessionToken;
    tile.strings = strings;
    const onLoaded = (event: CustomEvent<CapitalOfferLoadedDetail>) => {
      setLoaded(event.detail);
      setProblem(null);
    };
    const onError = (event: CustomEvent<{ message: string }>) => setProblem(event.detail.message);
    tile.addEventListener('capital-offer-loaded', onLoaded);
    tile.addEventListener('capital-offer-error', onError);
    void import('capital-offer-tile');
    return () => {
      tile.removeEventListener('capital-offer-loaded', onLoaded);
      tile.removeEventListener('capital-offer-error', onError);
    };
  }, []);

  return (
    <section>
      {fragment === null ? (
        // Without the server's tile, the bare element: it loads the offer itself.
        <div ref={host}>
          <capital-offer-tile api-base={API_BASE} {...attributes} />
        </div>
      ) : (
        // The shadow root was attached by the HTML parser; what React hydrates is the light DOM.
        <div ref={host} suppressHydrationWarning dangerouslySetInnerHTML={{ __html: fragment }} />
      )}
      <p id="status" role="status">
        {problem ?? (loaded ? `Offer status: ${loaded.status}` : 'Loading your financing…')}
      </p>
      <button type="button" onClick={() => host.current?.querySelector('capital-offer-tile')?.reload()}>
        Refresh
      </button>
    </section>
  );
}
