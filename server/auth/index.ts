/**
 * Teams, device agents and their bearer tokens; the organizers' admin token. Framework-free: the HTTP layer
 * parses the header (parseBearer), asks authenticate() for the kind of token the route wants, and answers
 * 401 on null. Time is passed in (`now`, epoch ms). Tokens are stored only as SHA-256 digests
 * (migrations/0002-teams-agents.ts says why that is enough).
 */
export { ADMIN_TOKEN_ENV, MIN_ADMIN_TOKEN_CHARS, adminTokenFromEnv, isAdminToken, type AdminToken } from './admin-token.js';
export { LAST_USED_RESOLUTION_MS, authenticate, type Principal } from './authenticate.js';
export { authorizationHeaders, parseBearer } from './bearer.js';
export { issueToken, revokeToken, type IssueArgs, type IssuedToken } from './issue-token.js';
export { listAgents, listTeams, type AgentSummary, type TeamSummary, type TokenSummary } from './list-owners.js';
export { MAX_NAME_CHARS, checkName } from './names.js';
export { createAgent, createTeam, disableAgent, type CreatedOwner } from './owners.js';
export { TOKEN_KINDS, hashToken, tokenKindOf, tokenPrefixFor, type TokenKind } from './token.js';
