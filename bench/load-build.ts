/**
 * Run by the load test as a child process whose stdout is the parent's stderr, so `next
 * build`'s output (inherited by buildIfNeeded) never mixes into the report on stdout.
 */
import { buildIfNeeded } from '@/cli/build-if-needed';

buildIfNeeded(process.argv[2], { ...process.env, NEXT_TELEMETRY_DISABLED: '1' });
