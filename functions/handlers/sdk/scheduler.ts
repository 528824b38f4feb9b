export { SchedulerClient } from '@aws-sdk/client-scheduler';
export { EventBridgeStartScheduler } from '../../adapters/scheduler.js';
