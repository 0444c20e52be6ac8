/** Tencent Cloud (SCF) trigger payload parsers: EventBridge CVM events, CMQ messages, timers and HTTP events. */
export { CMQ_DIALECT, type CmqParseOptions, parseCmqMessage } from './cmq.js';
export { CVM_EVENT_SOURCE, parseTencentCvmEvent, type TencentEventOptions } from './cvm.js';
export { scfHttpEventToRequest } from './http.js';
export { CVM_INSTANCE_ID_RE, TENCENT_MEMBER_ID_RE } from './ids.js';
export { parseScfTimerEvent } from './timer.js';
