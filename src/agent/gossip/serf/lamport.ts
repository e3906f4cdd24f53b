/** A Lamport clock (serf lamport.go): time() is the next value to stamp; witness() catches up. */
export class Lamport {
  private counter = 0

  time(): number {
    return this.counter
  }

  increment(): number {
    return ++this.counter
  }

  witness(v: number): void {
    if (v >= this.counter) this.counter = v + 1
  }
}
