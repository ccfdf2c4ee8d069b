export {
  normalQuantile,
  studentTQuantile,
  twoSidedZ,
  logGamma,
  regularizedIncompleteBeta,
} from './distributions';
export {
  wilsonInterval,
  stratifiedProportion,
  sampleSizeForMargin,
  allocateSample,
  type ProportionInterval,
  type StratumResult,
  type StratifiedProportion,
  type SampleSizeOptions,
  type AllocationSpec,
} from './proportion';
export { meanInterval, type MeanInterval } from './mean';
export { seededSample, seededShuffle, seededSampleIds } from './sampling';
export {
  rocAuc,
  rocCurve,
  aucInterval,
  bucketRates,
  type RocPoint,
  type AucInterval,
  type ScoreBucket,
} from './roc';
