// What this app itself sent, which the API cannot give back: local previews of sent files (the API
// has no media download) and the options of polls we created (message rows carry only the question).
export interface LocalMedia {
  url: string;
  mimetype: string;
  filename: string;
}

const media = new Map<string, LocalMedia>();
const pollOptions = new Map<string, string[]>();

export function rememberMedia(messageId: string, m: LocalMedia): void {
  media.set(messageId, m);
}
export function localMedia(messageId: string): LocalMedia | undefined {
  return media.get(messageId);
}
export function rememberPoll(messageId: string, options: string[]): void {
  pollOptions.set(messageId, options);
}
export function knownPollOptions(messageId: string): string[] | undefined {
  return pollOptions.get(messageId);
}
/** A temporary id became the real one. */
export function renameSent(from: string, to: string): void {
  const m = media.get(from);
  if (m) media.set(to, m);
  const p = pollOptions.get(from);
  if (p) pollOptions.set(to, p);
}
