// The browser talks to this app's origin only. The element's routes (`/api/capital/…`: the offer,
// its live stream, Account Links) are the reference backend's, and so, in sandbox mode, are the
// pages and files that stand in for Stripe's (`/sandbox/hosted/…`, where an Account Link leads,
// and the sandbox's branding icon under `/fixtures/`): this app passes them on. Run the backend
// with `--public-url` set to this app's origin, so that its links point here. Read at each
// request, so CAPITAL_BACKEND_URL is the running server's, not the build's.
import { NextResponse } from 'next/server';
import type { NextRequest } from 'next/server';
import { backendUrl } from './lib/backend';

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  return NextResponse.rewrite(new URL(`${pathname}${search}`, backendUrl()));
}

export const config = {
  matcher: ['/api/capital/:path*', '/sandbox/hosted/:path*', '/fixtures/:path*'],
};
