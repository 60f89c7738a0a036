// The dashboard, a server component: the signed-in account's tile comes from the reference
// backend already rendered (`GET /offer/fragment`, a Declarative Shadow DOM), so the offer is in
// the HTML, on screen before any script and with scripts off. <CapitalOffer> then loads the npm
// package, and the element takes over the state it was served without asking for it again.
import { headers } from 'next/headers';
import { CapitalOffer } from './CapitalOffer';
import { offerFragment, signedInAccount, type TileAttributes } from '../lib/capital';

const attributes: TileAttributes = { layout: 'banner', 'brand-color': '#0070f3' };

export default async function Dashboard() {
  const account = await signedInAccount();
  // Read per request (the reader's language, their account): this page is never prerendered.
  const language = (await headers()).get('accept-language');
  const fragment = await offerFragment(account, attributes, language);
  return (
    <main>
      <h1>Financing</h1>
      <CapitalOffer fragment={fragment} attributes={attributes} />
    </main>
  );
}
