// A bounded set of recently seen ids: the library reports a received message twice (`message`
// and `message_create`); the second report must not become a second row.

export class RecentIds {
  readonly #ids = new Set<string>();

  constructor(private readonly capacity = 5000) {}

  /** True the first time an id is offered, false on repeats (within the capacity window). */
  add(id: string): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    if (this.#ids.size > this.capacity) {
      // Sets iterate in insertion order: the first entry is the oldest.
      this.#ids.delete(this.#ids.values().next().value!);
    }
    return true;
  }
}
