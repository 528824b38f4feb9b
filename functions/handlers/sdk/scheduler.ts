export { SchedulerClient } from '@aws-sdk/client-scheduler';
export { EventBridgeStartScheduler, EventBridgeStepSchedule, StepTimerRouter } from '../../adapters/scheduler.js';
export { EventBridgeRecurringScheduler } from '../../adapters/recurring-scheduler.js';
