import type { PairImage } from '@/components/review/ImagePair';
import type { ReviewItem } from '@/lib/review/items';

const preview = (kind: string, id: number) => `/api/images/${kind}/${id}?size=preview`;
const full = (kind: string, id: number) => `/api/images/${kind}/${id}?size=full`;

/** Source and one edited image of an item (by default the current one), as ImagePair shows them (ids only, never paths). */
export function itemPair(item: ReviewItem, candidateId = item.currentCandidateId): [PairImage, PairImage] {
  const candidate = item.candidates.find((c) => c.id === candidateId) ?? item.candidates[0];
  // A pair regeneration brings its own source image.
  const source: PairImage = candidate.source
    ? {
        label: 'Source',
        url: preview('candidate-source', candidate.id),
        fullUrl: full('candidate-source', candidate.id),
        ...candidate.source,
        note: 'regenerated',
      }
    : { label: 'Source', url: preview('source', item.id), fullUrl: full('source', item.id), ...item.source };
  const note = [
    candidate.origin === 'dataset' ? 'from dataset' : 'regenerated',
    candidate.simulated ? 'simulated' : '',
    candidate.paddingOk === false ? 'padding check failed' : '',
  ];
  return [
    source,
    {
      label: 'Edited',
      url: preview('candidate', candidate.id),
      fullUrl: full('candidate', candidate.id),
      width: candidate.width,
      height: candidate.height,
      note: note.filter(Boolean).join(' · '),
    },
  ];
}
