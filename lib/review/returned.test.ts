import { describe, expect, it } from 'vitest';
import { placeReturned } from './returned';

const list = (...ids: number[]) => ids.map((id) => ({ id }));
const ids = (items: { id: number }[]) => items.map((i) => i.id);

describe('placeReturned: an item whose job ended never replaces the item on screen', () => {
  it('goes right after the item that was on screen, although the claim lists it first', () => {
    // The claim that asked it back lists it first; item 7 is on screen.
    expect(ids(placeReturned(list(3, 7, 8, 9), [{ itemId: 3, after: 7 }]))).toEqual([7, 3, 8, 9]);
  });

  it('is first once that item is decided (gone from the list), and first when nothing was on screen', () => {
    expect(ids(placeReturned(list(3, 8, 9), [{ itemId: 3, after: 7 }]))).toEqual([3, 8, 9]);
    expect(ids(placeReturned(list(3), [{ itemId: 3, after: undefined }]))).toEqual([3]);
  });

  it('keeps several returned items in the order they came back, after the same item', () => {
    expect(
      ids(
        placeReturned(list(4, 3, 7, 8), [
          { itemId: 3, after: 7 },
          { itemId: 4, after: 7 },
        ]),
      ),
    ).toEqual([7, 3, 4, 8]);
  });

  it('ignores a returned item that is no longer listed (decided, or away again)', () => {
    expect(ids(placeReturned(list(7, 8), [{ itemId: 3, after: 7 }]))).toEqual([7, 8]);
  });
});
