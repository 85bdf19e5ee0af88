/** The team timeline's calls (issue 15): the feed, posting, photos, read receipts, acknowledging, copy as text. */
import { type Answer, type Body, request, seg } from '../../api.ts';

export type TimelinePage = Answer<'/api/v1/patients/{id}/timeline'>;
export type TimelineItem = TimelinePage['items'][number];
export type NewPost = Body<'/api/v1/patients/{id}/posts'>;
export type Template = Answer<'/api/v1/patients/{id}/post-templates'>['templates'][number];
export type Tag = Answer<'/api/v1/patients/{id}/post-tags'>['tags'][number];
export type ItemWithReceipts = Answer<'/api/v1/timeline/{itemId}'>;
export type PostChanges = Body<'/api/v1/timeline/{itemId}', 'patch'>;
export type Revision = Answer<'/api/v1/timeline/{itemId}/revisions'>['revisions'][number];

/** The item as the feed holds it (without its receipts and replies). */
export function feedItem(full: ItemWithReceipts): TimelineItem {
  const { readBy: _r, notReadBy: _n, replies: _p, ...item } = full;
  return item;
}

export const timelineApi = {
  feed: (patientId: string, signal?: AbortSignal) =>
    request<TimelinePage>('GET', `/api/v1/patients/${seg(patientId)}/timeline?limit=50`, undefined, signal),
  templates: (patientId: string, signal?: AbortSignal) =>
    request<Answer<'/api/v1/patients/{id}/post-templates'>>(
      'GET',
      `/api/v1/patients/${seg(patientId)}/post-templates`,
      undefined,
      signal,
    ),
  tags: (patientId: string, signal?: AbortSignal) =>
    request<Answer<'/api/v1/patients/{id}/post-tags'>>(
      'GET',
      `/api/v1/patients/${seg(patientId)}/post-tags`,
      undefined,
      signal,
    ),
  post: (patientId: string, body: NewPost) =>
    request<TimelineItem>('POST', `/api/v1/patients/${seg(patientId)}/posts`, body),
  /** The photo itself as the body: the server sniffs its type from the bytes and strips its metadata. */
  async addPhoto(itemId: string, file: File): Promise<void> {
    const response = await fetch(`/api/v1/timeline/${seg(itemId)}/photos`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': file.type || 'application/octet-stream' },
      body: file,
    });
    if (!response.ok) {
      const json = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
      throw new Error(json?.error?.message ?? response.statusText);
    }
  },
  read: (itemId: string) => request<unknown>('POST', `/api/v1/timeline/${seg(itemId)}/read`),
  ack: (itemId: string, note: string) =>
    request<void>('POST', `/api/v1/timeline/${seg(itemId)}/ack`, note.trim() ? { note: note.trim() } : {}),
  text: (itemId: string) => request<{ text: string }>('GET', `/api/v1/timeline/${seg(itemId)}/text`),
  /** Edit one's own post: the server keeps the earlier version (revisions). */
  edit: (itemId: string, changes: PostChanges) =>
    request<TimelineItem>('PATCH', `/api/v1/timeline/${seg(itemId)}`, changes),
  /** Withdraw a post with the reason: it stays on the timeline as withdrawn. */
  withdraw: (itemId: string, reason: string) =>
    request<TimelineItem>('POST', `/api/v1/timeline/${seg(itemId)}/withdraw`, { reason }),
  revisions: (itemId: string) => request<{ revisions: Revision[] }>('GET', `/api/v1/timeline/${seg(itemId)}/revisions`),
  /** The item with its read receipts: who has read it (and when), who on the team has not. */
  receipts: (itemId: string) => request<ItemWithReceipts>('GET', `/api/v1/timeline/${seg(itemId)}`),
};
