'use client';

import { useEffect, useState } from 'react';

function randomId() {
  // randomUUID exists only in secure contexts (https or localhost); a LAN address is not one.
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * This tab's holder id, kept in sessionStorage: leases belong to it (the server scopes it
 * to the signed-in user), so two tabs never share an item and a reload keeps the tab's
 * items. Who is reviewing comes from the session, not from here. Undefined until mounted.
 */
export function useHolder() {
  const [holder, setHolder] = useState<string>();

  useEffect(() => {
    let id = sessionStorage.getItem('loupe.holder');
    if (!id) sessionStorage.setItem('loupe.holder', (id = randomId()));
    setHolder(id);
    // The name field of earlier versions; the session says who reviews now.
    localStorage.removeItem('loupe.reviewer');
  }, []);

  return holder;
}
