'use client';

import { useCallback, useImperativeHandle, useRef, useState, type Ref } from 'react';
import { TransformComponent, TransformWrapper, type ReactZoomPanPinchRef } from 'react-zoom-pan-pinch';
import { Caption, useSize, type PairImage } from './ImagePair';

export type InspectMode = 'side' | 'swipe' | 'difference';

export interface InspectHandle {
  reset: () => void;
  nudgeSwipe: (delta: number) => void;
}

const GAP = 16;
const CAPTION = 28;
const ZOOM = { minScale: 1, maxScale: 16, wheel: { step: 0.15 }, doubleClick: { mode: 'toggle' as const, step: 1.5 } };

/**
 * Zoom and pan (wheel / drag) over the pair. Side by side: both panes move together.
 * Swipe: the edited image over the source, cut at a movable line. Difference: the edited
 * image blended over the source with `difference`, so unchanged pixels turn black.
 */
export function InspectView({
  left,
  right,
  mode,
  ref,
}: {
  left: PairImage;
  right: PairImage;
  mode: InspectMode;
  ref?: Ref<InspectHandle>;
}) {
  const [boxRef, box] = useSize<HTMLDivElement>();
  const wrappers = useRef<(ReactZoomPanPinchRef | null)[]>([]);
  const syncing = useRef(false);
  const [swipe, setSwipe] = useState(50);
  const [gain, setGain] = useState(false);

  useImperativeHandle(ref, () => ({
    reset: () => wrappers.current.forEach((w) => w?.resetTransform(150)),
    nudgeSwipe: (delta) => setSwipe((s) => Math.min(100, Math.max(0, s + delta))),
  }));

  // Mirror one pane's transform onto the other without echoing back.
  const follow = useCallback((from: number, state: { positionX: number; positionY: number; scale: number }) => {
    if (syncing.current) return;
    syncing.current = true;
    wrappers.current.forEach((w, i) => {
      if (i !== from) w?.setTransform(state.positionX, state.positionY, state.scale, 0);
    });
    syncing.current = false;
  }, []);

  const single = mode !== 'side';
  const paneWidth = Math.max(0, single ? box.width : (box.width - GAP) / 2);
  const paneHeight = Math.max(0, box.height - CAPTION - (single ? 36 : 0));
  const scale = single
    ? Math.min(paneWidth / left.width, paneHeight / left.height)
    : Math.min(paneWidth / left.width, paneWidth / right.width, paneHeight / left.height, paneHeight / right.height);
  const size = (image: PairImage) => ({ width: image.width * scale, height: image.height * scale });

  const pane = (index: number, content: React.ReactNode, width: number) => (
    <TransformWrapper
      key={`${mode}-${index}`}
      ref={(r) => {
        wrappers.current[index] = r;
      }}
      {...ZOOM}
      onTransform={(r, state) => follow(index, state)}
    >
      <TransformComponent
        wrapperStyle={{ width, height: paneHeight, cursor: 'grab' }}
        contentStyle={{ width, height: paneHeight, display: 'flex', alignItems: 'center', justifyContent: 'center' }}
      >
        {content}
      </TransformComponent>
    </TransformWrapper>
  );

  const img = (image: PairImage, style: React.CSSProperties, className = '') => (
    // eslint-disable-next-line @next/next/no-img-element -- served by our own image route
    <img src={image.url} alt={image.label} draggable={false} className={`block ${className}`} style={style} />
  );

  wrappers.current.length = single ? 1 : 2;

  return (
    <div ref={boxRef} className="flex h-full min-h-0 w-full flex-col items-center justify-center" data-testid={`inspect-${mode}`}>
      {box.width > 0 && !single && (
        <div className="flex" style={{ gap: GAP }}>
          {[left, right].map((image, i) => (
            <figure key={image.label} style={{ width: paneWidth }}>
              <div className="overflow-hidden rounded-sm bg-neutral-900">{pane(i, img(image, size(image), 'checker'), paneWidth)}</div>
              <Caption image={image} />
            </figure>
          ))}
        </div>
      )}
      {box.width > 0 && single && (
        <figure style={{ width: paneWidth }}>
          <div className="overflow-hidden rounded-sm bg-neutral-900">
            {pane(
              0,
              <div className="relative checker" style={{ ...size(left), isolation: 'isolate', filter: gain ? 'brightness(4)' : undefined }}>
                {img(left, size(left))}
                {img(right, {
                  ...size(left),
                  position: 'absolute',
                  inset: 0,
                  mixBlendMode: mode === 'difference' ? 'difference' : undefined,
                  clipPath: mode === 'swipe' ? `inset(0 0 0 ${swipe}%)` : undefined,
                })}
                {mode === 'swipe' && (
                  <div className="pointer-events-none absolute inset-y-0 w-px bg-white/80" style={{ left: `${swipe}%` }} />
                )}
              </div>,
              paneWidth,
            )}
          </div>
          <div className="flex h-9 items-center gap-3 text-xs text-neutral-400">
            {mode === 'swipe' ? (
              <>
                <span>Source</span>
                <input
                  type="range"
                  min={0}
                  max={100}
                  value={swipe}
                  onChange={(e) => setSwipe(Number(e.target.value))}
                  className="flex-1 accent-neutral-300"
                  aria-label="Swipe position"
                />
                <span>Edited</span>
                <span className="text-neutral-500">
                  <kbd>←</kbd> <kbd>→</kbd>
                </span>
              </>
            ) : (
              <>
                <span>Black = unchanged. Edited image stretched to the source&apos;s box.</span>
                <label className="ml-auto flex items-center gap-2">
                  <input type="checkbox" checked={gain} onChange={(e) => setGain(e.target.checked)} /> Amplify ×4
                </label>
              </>
            )}
          </div>
          <Caption image={{ ...left, label: mode === 'swipe' ? 'Swipe' : 'Difference', note: `edited ${right.width} × ${right.height}` }} />
        </figure>
      )}
    </div>
  );
}
