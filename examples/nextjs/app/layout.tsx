import type { ReactNode } from 'react';

export const metadata = { title: 'Sunset Bakery · Financing' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', margin: 24, maxWidth: 640 }}>{children}</body>
    </html>
  );
}
