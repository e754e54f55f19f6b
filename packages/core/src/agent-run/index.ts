/** The agent's run in its pod: start or attach, follow, deadline, what it changed. */
export { findAgentPod, pickAgentPod, type AgentPod, type AgentPodQuery } from './agent-pod.js';
export { CodexEventReader, type AgentResult, type ProgressSink } from './events.js';
export { runAgentInPod, RUN_DIR, type AgentRunOptions, type AgentRunOutcome } from './run-agent.js';
export { DEADLINE_EXIT, STOPPED_EXIT } from './scripts.js';
export { CHANGE_SCRIPT, readAgentChange, type AgentChange, type ChangeSource } from './change.js';
