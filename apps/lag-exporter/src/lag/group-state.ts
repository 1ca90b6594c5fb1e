import { CONSUMER_GROUP_STATES } from '@tributary/observability';
import type { ConsumerGroupState } from '@tributary/observability';

/**
 * A group's state as `kafka_consumergroup_group_state` reports it. Kafka's own names, with brokers before
 * 2.4's `AwaitingSync` read as its later name `CompletingRebalance`; anything else (an empty answer, a state a
 * newer broker adds) is `Unknown`, so the label stays within the documented set.
 */
export function groupStateOf(reported: string | undefined): ConsumerGroupState {
  if (reported === 'AwaitingSync') return 'CompletingRebalance';
  return (CONSUMER_GROUP_STATES as readonly string[]).includes(reported ?? '')
    ? (reported as ConsumerGroupState)
    : 'Unknown';
}

/** One value per known state: 1 for the group's, 0 for the others, so `== 1` selects and `sum` counts. */
export function stateSeries(state: ConsumerGroupState): Array<[ConsumerGroupState, 0 | 1]> {
  return CONSUMER_GROUP_STATES.map((s) => [s, s === state ? 1 : 0]);
}
