/**
 * The agent wire protocol (docs/api.md, "Agent API"): each request and answer's schema and type, and the
 * functions that build and read them, on both sides. The server (server/http, server/scoring) and the device
 * agents (devices/agent) import this module; it imports neither.
 */
export { agentTrackSchema, parseAgentTrack, trackForAgents, type AgentTrack } from './agent-track.js';
export {
  completionSchema,
  DEFAULT_ENERGY_NOTE,
  encodeCompletion,
  parseCompletion,
  type CompletedRun,
  type Completion,
  type CompletionJson,
  type CompletionRequest,
  type PowerPoint,
} from './completion.js';
export { DEVICE_NAME, deviceRequestSchema, registeredDeviceId, TARGET_KIND, type DeviceAnswer, type DeviceRequest } from './device.js';
export { failRequestSchema, type FailAnswer, type FailRequest } from './failure.js';
export {
  heartbeatRequest,
  heartbeatRequestSchema,
  leaseExpiresAtOf,
  progressSchema,
  type HeartbeatAnswer,
  type HeartbeatRequest,
  type Progress,
  type RunProgress,
} from './heartbeat.js';
export {
  DEFAULT_LEASE_MS,
  leaseAnswer,
  leaseAnswerSchema,
  leaseMsSchema,
  leaseRequestSchema,
  leaseTokenSchema,
  MAX_LEASE_MS,
  MIN_LEASE_MS,
  parseLeaseAnswer,
  type InputPackRef,
  type LeaseAnswer,
  type LeaseAnswerArgs,
  type LeaseRequest,
  type ReceivedLease,
} from './lease.js';
export { MAX_LOG_CHARS, runLogsSchema, streamLogSchema, type RunLogs, type StreamLog } from './run-logs.js';
export { decodePredictions, encodePredictions, MAX_DETECTIONS_PER_IMAGE, predictionsSchema, type PredictionsJson } from './predictions.js';
