/** Where the agent's one-line messages go (the CLI passes stderr; tests collect them). */
export type AgentLog = (line: string) => void;
