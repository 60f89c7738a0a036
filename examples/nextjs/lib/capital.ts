// The platform's side of the element, on the server only: who the signed-in user is, a session
// token for their connected account, and the tile rendered by the reference backend
// (`GET /offer/fragment`) for the page to include before any script runs.
//
// The reference backend runs with `--identity token`, the same CAPITAL_IDENTITY_SECRET (README,
// "Identity") and, as its public URL (CAPITAL_PUBLIC_URL), this app's origin (proxy.ts);
// CAPITAL_BACKEND_URL is where this server reaches it.
import type { CapitalOfferTileProps } from 'capital-offer-tile/react';
import { SignJWT } from 'jose';
import { API_BASE, backendUrl } from './backend';

/**
 * The connected account of the signed-in user. A real platform reads it from its own session
 * (a cookie it checks, its auth library); this example has one user, the account in
 * CAPITAL_EXAMPLE_ACCOUNT.
 */
export async function signedInAccount(): Promise<string> {
  return process.env.CAPITAL_EXAMPLE_ACCOUNT ?? 'acct_1SunsetBakery';
}

/**
 * A session token for `account`, valid ten minutes: HS256 with the backend's identity secret, for
 * the audience the backend expects. The same variables as the backend's, with its defaults: its
 * `--identity-audience`, else its `--public-url`.
 */
export async function sessionToken(account: string): Promise<string> {
  const secret = process.env.CAPITAL_IDENTITY_SECRET;
  if (!secret) throw new Error("set CAPITAL_IDENTITY_SECRET to the backend's --identity-secret");
  const audience =
    process.env.CAPITAL_IDENTITY_AUDIENCE ?? process.env.CAPITAL_PUBLIC_URL ?? 'http://127.0.0.1:3000';
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(account)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(secret));
}

/** The element's presentation attributes the fragment is rendered with (all optional). */
export type TileAttributes = Pick<
  CapitalOfferTileProps,
  'layout' | 'locale' | 'theme' | 'link-target' | 'brand-color' | 'accent-color'
>;

/**
 * `<capital-offer-tile …><template shadowrootmode="open">…</template></capital-offer-tile>`: the
 * signed-in account's tile, its stylesheet and the state it shows, as the element's own views
 * render it. `null` when the backend cannot be reached or refuses: the page then shows the bare
 * element, which loads the offer itself and says what went wrong.
 *
 * The HTML is the backend's own (attributes escaped, the tile from the element's views), so the
 * page can include it as it is.
 */
export async function offerFragment(
  account: string,
  attributes: TileAttributes,
  acceptLanguage: string | null,
): Promise<string | null> {
  const url = new URL(`${API_BASE}/offer/fragment`, backendUrl());
  for (const [name, value] of Object.entries({ ...attributes, 'api-base': API_BASE })) {
    if (value !== undefined) url.searchParams.set(name, value);
  }
  const headers: Record<string, string> = { authorization: `Bearer ${await sessionToken(account)}` };
  // Without a `locale`, the backend writes in the reader's first language, as the browser would.
  if (acceptLanguage) headers['accept-language'] = acceptLanguage;
  try {
    const response = await fetch(url, {
      headers,
      cache: 'no-store',
      // The page waits for this: a slow backend costs the tile's first paint, never the page.
      signal: AbortSignal.timeout(2000),
    });
    if (!response.ok) {
      console.warn(`capital-offer-tile: the fragment answered ${response.status}`);
      return null;
    }
    return await response.text();
  } catch (error) {
    console.warn('capital-offer-tile: the fragment could not be fetched', error);
    return null;
  }
}
