// @vitest-environment jsdom
import { cleanup, fireEvent, render, renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { keymapKeyDown, useKeymap, type KeyHandlers } from './keyboard';
import type { Keymap } from './keymap';

const KEYS = {
  go: { keys: ['g'], label: 'Go', group: 'Test' },
  move: { keys: ['ArrowLeft', 'ArrowRight'], label: 'Move', group: 'Test' },
  maybe: { keys: ['m'], label: 'Maybe', group: 'Test' },
  confirm: { keys: ['Enter'], label: 'Confirm', group: 'Test', mode: 'asking' },
} as const satisfies Keymap;

function press(key: string, init: KeyboardEventInit & { target?: HTMLElement } = {}) {
  const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init });
  (init.target ?? document.body).dispatchEvent(event);
  return event;
}

function bind(mode = 'normal', options: { controlsOwnEnter?: boolean } = {}) {
  const handlers = { go: vi.fn(), move: vi.fn(), maybe: vi.fn(() => false as const), confirm: vi.fn() } satisfies KeyHandlers<typeof KEYS>;
  const hook = renderHook(({ mode }) => useKeymap(KEYS, handlers, { mode, ...options }), { initialProps: { mode } });
  return { handlers, hook };
}

afterEach(() => {
  cleanup();
  document.body.innerHTML = '';
});

describe('useKeymap', () => {
  it('runs the action of a key with the key pressed, and takes the key', () => {
    const { handlers } = bind();
    expect(press('g').defaultPrevented).toBe(true);
    expect(handlers.go).toHaveBeenCalledWith('g');
    press('ArrowRight');
    expect(handlers.move).toHaveBeenCalledWith('ArrowRight');
  });

  it('leaves a key with no action, or whose handler says false, to the browser', () => {
    const { handlers } = bind();
    expect(press('z').defaultPrevented).toBe(false);
    expect(press('m').defaultPrevented).toBe(false);
    expect(handlers.maybe).toHaveBeenCalledOnce();
  });

  it('ignores keys typed into an input, and keys with Ctrl, Alt or Meta', () => {
    const { handlers } = bind();
    for (const tag of ['input', 'textarea', 'select']) press('g', { target: document.body.appendChild(document.createElement(tag)) });
    press('g', { ctrlKey: true });
    press('g', { altKey: true });
    press('g', { metaKey: true });
    expect(handlers.go).not.toHaveBeenCalled();
  });

  it("uses the keys of the current mode only, following the latest render's mode", () => {
    const { handlers, hook } = bind();
    press('Enter');
    expect(handlers.confirm).not.toHaveBeenCalled();
    hook.rerender({ mode: 'asking' });
    press('Enter');
    press('g');
    expect(handlers.confirm).toHaveBeenCalledOnce();
    expect(handlers.go).not.toHaveBeenCalled();
  });

  it('runs the handlers of the latest render, not the first (they close over render state)', () => {
    const first = { go: vi.fn(), move: vi.fn(), maybe: vi.fn(), confirm: vi.fn() } satisfies KeyHandlers<typeof KEYS>;
    const hook = renderHook(({ handlers }) => useKeymap(KEYS, handlers), { initialProps: { handlers: first } });
    const latest = { go: vi.fn(), move: vi.fn(), maybe: vi.fn(), confirm: vi.fn() } satisfies KeyHandlers<typeof KEYS>;
    hook.rerender({ handlers: latest });
    press('g');
    expect(latest.go).toHaveBeenCalledWith('g');
    expect(first.go).not.toHaveBeenCalled();
  });

  it('with controlsOwnEnter, Enter on a focused button is the button’s', () => {
    const { handlers } = bind('asking', { controlsOwnEnter: true });
    const button = document.body.appendChild(document.createElement('button'));
    expect(press('Enter', { target: button }).defaultPrevented).toBe(false);
    expect(handlers.confirm).not.toHaveBeenCalled();
    press('Enter');
    expect(handlers.confirm).toHaveBeenCalledOnce();
  });

  it('stops listening on unmount', () => {
    const { handlers, hook } = bind();
    hook.unmount();
    press('g');
    expect(handlers.go).not.toHaveBeenCalled();
  });
});

describe('keymapKeyDown', () => {
  const LIST = {
    select: { keys: [' '], shift: false, label: 'Select', group: 'Test' },
    range: { keys: [' '], shift: true, label: 'Range', group: 'Test' },
  } as const satisfies Keymap;

  it('runs a key pressed on the element itself, telling Space from shift-Space, never one pressed on a control inside it', () => {
    const handlers = { select: vi.fn(), range: vi.fn() } satisfies KeyHandlers<typeof LIST>;
    const { getByTestId } = render(
      <div tabIndex={0} data-testid="list" onKeyDown={keymapKeyDown(LIST, handlers)}>
        <button type="button" data-testid="inside" />
      </div>,
    );
    expect(fireEvent.keyDown(getByTestId('list'), { key: ' ' })).toBe(false); // default prevented
    expect(handlers.select).toHaveBeenCalledOnce();
    fireEvent.keyDown(getByTestId('list'), { key: ' ', shiftKey: true });
    expect(handlers.range).toHaveBeenCalledOnce();
    expect(fireEvent.keyDown(getByTestId('inside'), { key: ' ' })).toBe(true);
    expect(handlers.select).toHaveBeenCalledOnce();
  });
});
