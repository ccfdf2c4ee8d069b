import type { Estimate } from '@/lib/agreement/stats';
import type { TeamStats } from '@/lib/team/stats';
import { EmptyState } from '@/components/ui/EmptyState';
import { Stat } from '@/components/ui/Stat';
import { agreementReading, alphaReading, coefficient, interval, kappaReading, number, percent } from './format';

function Card({
  title,
  estimate,
  format,
  reading,
  paired,
}: {
  title: string;
  estimate: Estimate;
  format: (value: number) => string;
  reading: string;
  paired: number;
}) {
  return (
    <Stat
      size="lg"
      testId="agreement-card"
      label={title}
      value={estimate.value === null ? '–' : format(estimate.value)}
      note={`95% CI ${interval(estimate.ci, format)} · n = ${number.format(paired)} paired items`}
    >
      <span className="text-neutral-300">{reading}</span>
    </Stat>
  );
}

/**
 * Percent agreement, Fleiss' kappa and Krippendorff's alpha, each with its interval and a plain reading.
 * With overlap 1 and no item reviewed twice there is nothing to measure: it says so, and how to change it.
 */
export function AgreementCards({
  agreement,
  overlap,
  canSetOverlap,
}: {
  agreement: TeamStats['agreement'];
  overlap: number;
  canSetOverlap: boolean;
}) {
  const { percentAgreement, fleissKappa, krippendorffAlpha, pairedItems } = agreement;
  if (overlap < 2 && pairedItems === 0)
    return (
      <EmptyState
        testId="agreement-needs-overlap"
        message={
          <>
            Agreement needs an overlap of 2 or more: with overlap {overlap}, each item gets one verdict, so no two reviewers share an item.{' '}
            {canSetOverlap
              ? 'Set the overlap under Review settings below; items reviewed from then on get a second verdict.'
              : 'A lead sets it on this page.'}
          </>
        }
        action={
          canSetOverlap && (
            <a href="#review-settings" className="text-sky-300 underline underline-offset-2 hover:text-sky-200">
              Set overlap ↓
            </a>
          )
        }
      />
    );
  const asPercent = (value: number) => percent(value);
  // Kappa's paradox: with one label dominating, chance agreement is high and kappa low.
  const paradox = percentAgreement.value !== null && fleissKappa.value !== null && percentAgreement.value >= 0.8 && fleissKappa.value < 0.4;
  return (
    <>
      <div className="grid gap-4 md:grid-cols-3">
        <Card
          title="Percent agreement"
          estimate={percentAgreement}
          format={asPercent}
          reading={agreementReading(percentAgreement.value)}
          paired={pairedItems}
        />
        <Card
          title="Fleiss' kappa"
          estimate={fleissKappa}
          format={coefficient}
          reading={kappaReading(fleissKappa.value)}
          paired={pairedItems}
        />
        <Card
          title="Krippendorff's alpha"
          estimate={krippendorffAlpha}
          format={coefficient}
          reading={alphaReading(krippendorffAlpha.value)}
          paired={pairedItems}
        />
      </div>
      <p className="mt-3 text-xs text-neutral-500">
        {number.format(pairedItems)} of {number.format(agreement.items)} reviewed items have verdicts from at least two of{' '}
        {number.format(agreement.raters)} reviewers; only those count. Intervals: bootstrap over items, {number.format(agreement.resamples)}{' '}
        resamples.
        {paradox && ' Most verdicts share one label, so chance agreement is high: kappa and alpha stay low even when reviewers agree.'}
      </p>
    </>
  );
}
