'use client';

import { useEffect, useRef, useState } from 'react';

export interface PairImage {
  url: string;
  fullUrl: string;
  width: number;
  height: number;
  label: string;
  note?: string;
}

const GAP = 16;
const CAPTION = 28;

/** Measures an element's content box (ResizeObserver). */
export function useSize<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => setSize({ width: entry.contentRect.width, height: entry.contentRect.height }));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, size] as const;
}

export function Caption({ image }: { image: PairImage }) {
  return (
    <div className="flex h-7 items-center gap-2 text-xs text-neutral-400">
      <span className="font-medium uppercase tracking-wide text-neutral-300">{image.label}</span>
      <span className="tabular-nums" data-testid={`${image.label.toLowerCase()}-size`}>
        {image.width} × {image.height}
      </span>
      {image.note && <span className="text-neutral-500">· {image.note}</span>}
      <a href={image.fullUrl} target="_blank" rel="noreferrer" className="ml-auto text-neutral-500 hover:text-neutral-200">
        full size ↗
      </a>
    </div>
  );
}

/** Colour of mask areas over the images: distinct from most photo content. */
const MASK_TINT = 'rgb(255, 0, 170)';

/**
 * A mask laid over an image, stretched to its box: the white mask areas are tinted and
 * screened onto the picture at 45%, black areas leave it as is. Inside the group the tint is
 * multiplied onto the mask (black behind it, so transparent masks read as "no mask").
 */
function MaskOverlay({ url }: { url: string }) {
  const [failed, setFailed] = useState(false);
  if (failed) return null;
  return (
    <div className="pointer-events-none absolute inset-0 overflow-hidden rounded-sm" style={{ mixBlendMode: 'screen', opacity: 0.45 }}>
      {/* eslint-disable-next-line @next/next/no-img-element -- served by our own image route */}
      <img
        src={url}
        alt="Mask"
        data-testid="mask-overlay"
        onError={() => setFailed(true)}
        className="block h-full w-full bg-black"
        draggable={false}
      />
      <div className="absolute inset-0" style={{ background: MASK_TINT, mixBlendMode: 'multiply' }} />
    </div>
  );
}

/** One image of the pair; a file that cannot be served says so instead of a broken icon. */
function PairedImage({ image, width, height, mask }: { image: PairImage; width: number; height: number; mask?: string }) {
  const [failedUrl, setFailedUrl] = useState<string>();
  if (failedUrl === image.url) {
    return (
      <div
        role="img"
        aria-label={`${image.label} image unavailable`}
        className="flex items-center justify-center rounded-sm border border-dashed border-amber-700/60 p-4 text-center text-sm text-amber-300/90"
        style={{ width, height }}
      >
        The {image.label.toLowerCase()} image file is missing or unreadable.
      </div>
    );
  }
  return (
    <div className="relative" style={{ width, height }}>
      {/* eslint-disable-next-line @next/next/no-img-element -- served by our own image route */}
      <img
        src={image.url}
        alt={image.label}
        width={Math.round(width)}
        height={Math.round(height)}
        onError={() => setFailedUrl(image.url)}
        className="checker block rounded-sm shadow-lg shadow-black/40"
        style={{ width, height }}
        draggable={false}
      />
      {mask && <MaskOverlay url={mask} />}
    </div>
  );
}

/**
 * Source and edited image side by side at the same scale: one factor for both, the
 * largest at which both fit, so a size change between them is visible as it is.
 * `mask` (an image URL) is overlaid on both, stretched to each image's box.
 */
export function ImagePair({ left, right, mask }: { left: PairImage; right: PairImage; mask?: string }) {
  const [ref, box] = useSize<HTMLDivElement>();
  const paneWidth = Math.max(0, (box.width - GAP) / 2);
  const paneHeight = Math.max(0, box.height - CAPTION);
  const scale = Math.min(paneWidth / left.width, paneWidth / right.width, paneHeight / left.height, paneHeight / right.height);

  // Both images sit on one baseline; the row is as tall as the taller one, centred in the box.
  const rowHeight = Math.max(left.height, right.height) * scale;

  return (
    <div ref={ref} className="flex h-full min-h-0 w-full items-center justify-center" style={{ gap: GAP }}>
      {box.width > 0 &&
        [left, right].map((image) => (
          <figure key={image.label} className="flex flex-col items-center" style={{ width: paneWidth }}>
            <div className="flex items-end justify-center" style={{ height: rowHeight }}>
              <PairedImage image={image} width={image.width * scale} height={image.height * scale} mask={mask} />
            </div>
            <div style={{ width: Math.max(image.width * scale, 220) }}>
              <Caption image={image} />
            </div>
          </figure>
        ))}
    </div>
  );
}
