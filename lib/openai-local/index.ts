export { startLocalOpenAI } from './server';
export type { FaultPlan, LocalOpenAI, LocalOpenAIOptions, LoggedRequest, QueuedFault } from './server';
