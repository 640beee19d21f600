/** A passage as the agent and the UI see it. */
export interface Passage {
  id: string;
  title: string;
  text: string;
  /** `"\"Title\"\ntext"`, the wiki-18 form that web_search prints. */
  contents: string;
  /** Similarity in [0, 1]. */
  score: number;
}

/** Anything that can answer web_search: the local sharded index or a remote /retrieve server. */
export interface Retriever {
  /** Short human description, e.g. "local index (44,646 passages)". */
  readonly description: string;
  search(query: string, k: number, signal?: AbortSignal): Promise<Passage[]>;
}
