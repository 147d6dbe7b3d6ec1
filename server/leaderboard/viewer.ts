/** Who is looking at a page or asking the API: what of the leaderboard and of submissions they may see. */
export type Viewer =
  { readonly kind: 'anonymous' } | { readonly kind: 'team'; readonly teamId: number; readonly teamName: string } | { readonly kind: 'admin' };

export const ANONYMOUS: Viewer = Object.freeze({ kind: 'anonymous' });
