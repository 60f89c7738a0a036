// `GET /platform/session-token`: the element's `fetchSessionToken` asks here for a token for the
// signed-in user, after the page's own sign-in (here, signedInAccount()).
import { sessionToken, signedInAccount } from '../../../lib/capital';

export async function GET() {
  const account = await signedInAccount();
  return Response.json({ token: await sessionToken(account) }, { headers: { 'cache-control': 'no-store' } });
}
