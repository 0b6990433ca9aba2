// Poll tallies: each voter's latest choice counts once (a re-vote replaces the earlier one).
export interface Vote {
  voter: string;
  selectedOptions: string[];
  timestamp: number;
}

/** Merge a vote into a voter→vote map, ignoring one older than what we already have. */
export function applyVote(votes: Record<string, Vote>, vote: Vote): Record<string, Vote> {
  const old = votes[vote.voter];
  if (old && old.timestamp > vote.timestamp) return votes;
  return { ...votes, [vote.voter]: vote };
}

export interface Tally {
  options: { name: string; count: number }[];
  voters: number;
}

/** Counts per option, in the poll's order; options only seen in votes are appended. */
export function tally(options: readonly string[], votes: Record<string, Vote>): Tally {
  const names = [...options];
  const counts = new Map<string, number>(names.map((n) => [n, 0]));
  let voters = 0;
  for (const v of Object.values(votes)) {
    if (v.selectedOptions.length > 0) voters++;
    for (const o of v.selectedOptions) {
      if (!counts.has(o)) {
        counts.set(o, 0);
        names.push(o);
      }
      counts.set(o, counts.get(o)! + 1);
    }
  }
  return { options: names.map((name) => ({ name, count: counts.get(name)! })), voters };
}

/** The API's rule for a poll: a question and 2–12 distinct non-empty options (trimmed), else null. */
export function validPoll(question: string, options: string[]): string[] | null {
  const opts = options.map((o) => o.trim()).filter(Boolean);
  if (!question.trim() || opts.length < 2 || opts.length > 12) return null;
  if (new Set(opts.map((o) => o.toLowerCase())).size !== opts.length) return null;
  return opts;
}
