'use client';

import { Fragment } from 'react';
import { helpCloseKeys, helpGroups, type Keymap } from './keymap';

/** The `?` overlay of a keyboard-first page: its keymap's entries in titled groups (components/keymap.ts). */
export function ShortcutDialog({ keymap, onClose }: { keymap: Keymap; onClose: () => void }) {
  const closeKeys = helpCloseKeys(keymap);
  return (
    <div
      className="fixed inset-0 z-50 flex items-center justify-center bg-black/60 backdrop-blur-sm"
      onClick={onClose}
      role="dialog"
      aria-label="Keyboard shortcuts"
    >
      <div
        className="w-[min(44rem,90vw)] rounded-xl border border-neutral-800 bg-neutral-900 p-6 shadow-2xl"
        onClick={(e) => e.stopPropagation()}
      >
        <div className="mb-4 flex items-baseline justify-between">
          <h2 className="text-base font-semibold text-neutral-100">Keyboard shortcuts</h2>
          <span className="text-xs text-neutral-500">
            {closeKeys.map((key, i) => (
              <Fragment key={key}>
                {i > 0 && ' or '}
                <kbd>{key}</kbd>
              </Fragment>
            ))}{' '}
            to close
          </span>
        </div>
        <div className="grid grid-cols-2 gap-x-8 gap-y-5">
          {helpGroups(keymap).map((group) => (
            <section key={group.title}>
              <h3 className="mb-2 text-xs uppercase tracking-wide text-neutral-500">{group.title}</h3>
              <dl className="space-y-1.5 text-sm">
                {group.rows.map(([keys, label]) => (
                  <div key={keys.join() + label} className="flex items-center gap-3">
                    <dt className="flex w-16 shrink-0 justify-end gap-1">
                      {keys.map((key) => (
                        <kbd key={key}>{key}</kbd>
                      ))}
                    </dt>
                    <dd className="text-neutral-300">{label}</dd>
                  </div>
                ))}
              </dl>
            </section>
          ))}
        </div>
      </div>
    </div>
  );
}
